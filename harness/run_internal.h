/* run_internal.h - the runner's private parts (see run.h for the order of
 * calls): the plain and scenario runs of one workload, the result header,
 * the trace, and the session that outlives the run for the outputs.
 * Private to harness/. */
#ifndef JM_RUN_INTERNAL_H
#define JM_RUN_INTERNAL_H

#include "run.h"

/* What the parts of a run share; read-only for them. */
typedef struct jm_run_ctx {
    const jm_config *cfg;
    const jm_window *win;
    FILE *log;         /* progress lines; NULL = silent */
    bool progress_tty; /* redraw the progress bar in place */
} jm_run_ctx;

/* One scenario engine run whose LoadGen logs run_outputs.c writes: the
 * engine's result and settings; energy comes from its result entry. */
typedef struct jm_scenario_record {
    char benchmark[JM_CFG_NAME_MAX];
    char phase[16];  /* "ranging" | "testing" | "accuracy" */
    char folder[16]; /* "ranging" | "run_1" | "accuracy" */
    jm_scenario_settings settings; /* effective */
    jm_scenario_result result;     /* owned */
    int workload, run;             /* res->workloads[workload].runs[run] */
    bool has_accuracy;
    jm_mlperf_accuracy accuracy;
} jm_scenario_record;

typedef struct jm_scenario_records {
    jm_scenario_record *v;
    int n, cap;
} jm_scenario_records;

struct jm_run_session {
    jm_run_meters meters;
    jm_sampler *sampler; /* stopped; its points feed the MLPerf power samples */
    jm_counters *counters;
    jm_scenario_records scenarios;
    char rules[JM_CFG_NAME_MAX]; /* run rules preset: "default", "mlperf", ... */
};

/* ---- the measured part of a run (runner.c) ---- */
/* Called once the result header, the meters, the sampler and the idle
 * baseline are ready, and before the sampler stops and the results are
 * summarized and compared: measures windows through ctx->win and appends
 * its result entries to res. The default body runs the config's workloads;
 * `joulemark measure` runs commands. */
typedef int (*jm_run_body_fn)(void *body_ctx, const jm_run_ctx *ctx, jm_results *res,
                              jm_run_session *s, char *err, size_t err_len);
/* jm_runner_execute with another body (cfg may have no workloads). */
int jm_runner_execute_body(jm_config *cfg, const jm_run_options *opt, jm_results *res,
                           jm_run_session **session, jm_run_body_fn body, void *body_ctx,
                           char *err, size_t err_len);

/* ---- plain runs (run_plain.c) ---- */
/* Creates the workload, checks its accuracy against the fp64 reference and
 * fills the header of its result entry wr. Returns JM_EXIT_OK or
 * JM_EXIT_SYSTEM (err says why). */
int jm_plain_prepare(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload **w,
                     jm_workload_result *wr, char *err, size_t err_len);
/* The ranging run of a workload: the same work as a testing run (at least
 * duration_s and min_batches, and warmup_s), so that an analyzer sets its
 * ranges from it; it is also the warm-up. Not a result entry. */
int jm_plain_ranging(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     char *err, size_t err_len);
/* One testing run (index 1-based, round 1-based) appended to wr. */
int jm_plain_testing(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     jm_workload_result *wr, int index, int round, char *err, size_t err_len);

/* ---- MLPerf scenario runs (run_scenario.c) ---- */
/* Ranging, testing and accuracy runs of each configured scenario of one
 * workload, each scenario its own result entry in res; the engine's records
 * are appended to recs for the logs. plain_index: the workload's plain entry. */
int jm_scenario_runs(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     jm_results *res, int plain_index, jm_scenario_records *recs, char *err,
                     size_t err_len);
void jm_scenario_records_free(jm_scenario_records *recs);

/* ---- result header (run_describe.c) ---- */
/* The config as used, plus the effective values after defaults, --quick and --meter. */
cJSON *jm_run_config_as_used(const jm_config *cfg);
/* Name, kind, counts and shape of a workload into its result entry. */
void jm_run_workload_header(const jm_workload_config *wc, jm_workload_result *wr);

/* ---- trace (run_trace.c) ---- */
int jm_runner_build_trace(jm_results *res, jm_sampler *s, const jm_meter *active, int n_active,
                          const int *active_to_result);

#endif /* JM_RUN_INTERNAL_H */
