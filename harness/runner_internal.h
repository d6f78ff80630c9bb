/* runner_internal.h - state of one `joulemark run` shared by the runner's
 * files (runner.c: meters, idle, plain repeated runs; runner_scenario.c:
 * MLPerf scenario runs and their logs; runner_trace.c: the trace). Private
 * to harness/. */
#ifndef JM_RUNNER_INTERNAL_H
#define JM_RUNNER_INTERNAL_H

#include "harness.h"

struct jm__scenario_pending;

typedef struct runner {
    jm_config *cfg;
    const jm_run_options *opt;
    jm_results *res;
    jm_meter meters[JM_CFG_MAX_METERS]; /* every configured meter */
    int n_meters;
    jm_meter active[JM_CFG_MAX_METERS]; /* the available ones, in sampler order */
    int active_to_result[JM_CFG_MAX_METERS];
    int n_active;
    int primary;                        /* index into active[] */
    bool primary_use[JM_METER_MAX_DOMAINS];
    jm_sampler *sampler;
    jm_counters *counters; /* hardware counters, NULL when unavailable */
    double idle_power_w[JM_CFG_MAX_METERS][JM_METER_MAX_DOMAINS];
    int threads;
    struct jm__scenario_pending *pending; /* MLPerf runs whose logs are written after stop */
    int n_pending, cap_pending;
    char *err;
    size_t err_len;
} runner;

__attribute__((format(printf, 2, 3))) void jm__runner_progress(const runner *r, const char *fmt,
                                                                 ...);
/* Samples every meter now and records a phase mark ("begin:testing:moe:run1"). */
__attribute__((format(printf, 2, 3))) int jm__runner_mark(runner *r, const char *fmt, ...);
/* Time of the last mark with this label (0 when none). */
uint64_t jm__runner_mark_time(const runner *r, const char *label);
/* Energy of every meter domain over [run->t0_ns, run->t1_ns]; the primary
 * meter's total, validity checks and derived figures. */
void jm__runner_attribute_energy(runner *r, jm_run_result *run, const jm_workload_result *wr);
void jm__runner_energy_source(const runner *r, char *out, size_t len);
/* Name, kind, counts and shape of a workload into its result entry. */
void jm__runner_workload_header(const jm_workload_config *wc, jm_workload_result *wr);

/* MLPerf scenario runs of one workload (runner_scenario.c): ranging, testing
 * and accuracy runs per configured scenario, each a result entry; their logs
 * are written by jm__runner_write_scenario_logs once the sampler stopped. */
int jm__runner_scenarios(runner *r, const jm_workload_config *wc, jm_workload *w,
                         int plain_index);
int jm__runner_write_scenario_logs(runner *r);
void jm__runner_free_scenarios(runner *r);

int jm_runner_build_trace(jm_results *res, jm_sampler *s, const jm_meter *active, int n_active,
                          const int *active_to_result);

#endif /* JM_RUNNER_INTERNAL_H */
