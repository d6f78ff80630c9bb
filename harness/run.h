/* run.h - the parts of `joulemark run` and the data that flows between them
 * (docs/architecture.md). Calls go one way only:
 *   runner.c (orchestration: rounds, order, results header)
 *     -> run_plain.c (repeated testing runs), run_scenario.c (MLPerf scenarios),
 *        run_idle.c (idle baseline)
 *       -> run_window.c (measure a window: marks, work callback, counters)
 *         -> run_energy.c (energy attribution and validity of a window)
 *   run_meters.c opens the meters; run_describe.c fills the result header;
 *   run_trace.c copies the sampler into the trace.
 * No part writes a file: what the outputs need after the run (open meters,
 * the sampler's points, the scenario engine's records) stays in a
 * jm_run_session that the command hands to run_outputs.c. */
#ifndef JM_RUN_H
#define JM_RUN_H

#include <stdio.h>

#include "harness.h"

/* ---- meters of one run (run_meters.c) ---- */
typedef struct jm_run_meters {
    jm_meter meters[JM_CFG_MAX_METERS]; /* opened from the config; closed by _close */
    int n_meters;
    jm_meter active[JM_CFG_MAX_METERS]; /* the available ones, in sampler order */
    int active_to_result[JM_CFG_MAX_METERS]; /* index into jm_results.meters */
    int n_active;
    int primary;                             /* index into active[]: the energy figures */
    bool primary_use[JM_METER_MAX_DOMAINS];  /* primary meter domains that are summed */
} jm_run_meters;

/* Opens the caller's preopened meters and the config's meter list, records
 * each in res->meters (available or with the reason) and picks the primary
 * meter. Returns JM_EXIT_OK, JM_EXIT_USAGE (bad meter spec) or JM_EXIT_SYSTEM
 * (no meter available, primary_meter unavailable); err says why. */
int jm_run_meters_open(const jm_config *cfg, const jm_run_options *opt, jm_results *res,
                       jm_run_meters *m, char *err, size_t err_len);
/* Closes the meters this struct opened (not the caller's preopened ones). */
void jm_run_meters_close(jm_run_meters *m);
/* "rapl:package-0+dram-0 (measured)": the primary meter and its summed domains. */
void jm_run_energy_source(const jm_run_meters *m, char *out, size_t len);

/* ---- the idle baseline (run_idle.c) ---- */
typedef struct jm_idle_baseline {
    double duration_s; /* 0 when no baseline was recorded */
    double power_w[JM_CFG_MAX_METERS][JM_METER_MAX_DOMAINS]; /* per active meter, domain */
} jm_idle_baseline;

/* ---- measuring one window (run_window.c, run_energy.c) ---- */
/* What a window needs to attribute energy; every pointer is borrowed. */
typedef struct jm_window {
    jm_sampler *sampler;          /* started, over meters->active */
    const jm_run_meters *meters;
    const jm_idle_baseline *idle; /* NULL: nothing above idle is subtracted */
    jm_counters *counters;        /* NULL: no hardware counters */
    int min_samples;              /* fewer primary samples inside the window: invalid */
} jm_window;

/* The work done inside a window, as the work callback reports it. */
typedef struct jm_work_done {
    uint64_t tokens, samples, queries;
    /* MoE token-expert assignments routed and dropped by capacity; FLOPs done */
    uint64_t assignments, dropped_assignments;
    double flops;
    /* latency of the unit of work (batch or query), ns; 0 when not measured */
    double latency_p50_ns, latency_p90_ns, latency_p99_ns;
} jm_work_done;

/* Runs the measured work; fills done. Returns 0, or non-zero with err filled
 * (the window's run is then invalid and the caller stops). */
typedef int (*jm_work_fn)(void *ctx, jm_work_done *done, char *err, size_t err_len);

/* Measures one window: marks "begin:<label>" (the meters' own phase handling,
 * e.g. an analyzer's range change and first sample, happens inside the mark,
 * before the window's start time), runs work, marks "end:<label>" (end time
 * taken first). When run is not NULL, fills it: window, duration, work done,
 * hardware counter deltas, energy of every meter domain, the primary total
 * with its source, validity, and the derived figures. label is "PHASE:..."
 * (e.g. "testing:moe-layer:run2"), under 58 characters. Returns work's status. */
int jm_measure_window(const jm_window *win, const char *label, jm_work_fn work, void *ctx,
                      jm_run_result *run, char *err, size_t err_len);

/* Energy of every active meter domain over [run->t0_ns, run->t1_ns] into
 * run->domains, the primary total into run->energy_j (and above idle), the
 * validity checks of the energy (coverage, meter failure, samples, meter
 * resolution), then jm_run_result_derive. */
void jm_window_attribute_energy(const jm_window *win, jm_run_result *run);

/* Records the idle baseline: a window of `seconds` with nothing running;
 * fills idle and the meters' idle_power_w in res. No baseline when seconds <= 0. */
int jm_idle_measure(const jm_window *win, double seconds, jm_results *res,
                    jm_idle_baseline *idle, char *err, size_t err_len);

#endif /* JM_RUN_H */
