/* run_window.c - measures one window, the unit every run is made of (plain
 * testing runs, scenario runs, the idle baseline, and any work a caller
 * passes as a callback): phase marks around the work, hardware counters
 * inside it, then the energy attribution of run_energy.c. The window opens
 * when the begin mark returns (after the meters' own phase handling, such as
 * an analyzer's range change) and closes when the end mark is taken, so its
 * duration is the duration of the measured work whichever meter is attached. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* Counter deltas of one window (cycles, instructions, FP operations). */
static void counter_deltas(jm_run_result *run, const jm_counter_values *c0,
                           const jm_counter_values *c1)
{
    double a, b;
    run->counters = true;
    run->cycles = jm_counters_get(c0, "cycles", &a) && jm_counters_get(c1, "cycles", &b) ? b - a
                                                                                         : NAN;
    run->instructions = jm_counters_get(c0, "instructions", &a) &&
                                jm_counters_get(c1, "instructions", &b)
                            ? b - a
                            : NAN;
    run->fp_ops = jm_counters_flops(c0, &a) && jm_counters_flops(c1, &b) ? b - a : NAN;
    run->instructions_per_j = NAN;
    run->counter_gflops = NAN;
}

/* A mark that cannot be recorded leaves the window without that bound; the
 * energy attribution then reports it (t = 0 is never covered). */
static uint64_t mark(jm_sampler *s, const char *prefix, const char *label)
{
    char full[96];
    snprintf(full, sizeof full, "%s:%s", prefix, label);
    uint64_t t = 0;
    char merr[256];
    if (jm_sampler_mark(s, full, &t, merr, sizeof merr) != JM_M_OK)
        t = 0;
    return t;
}

int jm_measure_window(const jm_window *win, const char *label, jm_work_fn work, void *ctx,
                      jm_run_result *run, char *err, size_t err_len)
{
    jm_work_done done;
    memset(&done, 0, sizeof done);
    jm_counter_values c0, c1;
    char cerr[256];
    uint64_t t0 = mark(win->sampler, "begin", label);
    bool have_c0 = run && win->counters &&
                   jm_counters_read(win->counters, &c0, cerr, sizeof cerr) == JM_M_OK;
    int rc = work(ctx, &done, err, err_len);
    bool have_c1 = have_c0 && jm_counters_read(win->counters, &c1, cerr, sizeof cerr) == JM_M_OK;
    uint64_t t1 = mark(win->sampler, "end", label);
    if (!run)
        return rc;
    run->t0_ns = t0;
    run->t1_ns = t1 > t0 ? t1 : t0 + 1;
    run->duration_s = (double)(run->t1_ns - run->t0_ns) / 1e9;
    run->tokens = done.tokens;
    run->samples = done.samples;
    run->queries = done.queries;
    run->assignments = done.assignments;
    run->dropped_assignments = done.dropped_assignments;
    run->flops = done.flops > 0 ? done.flops : NAN;
    run->latency_p50_ns = done.latency_p50_ns;
    run->latency_p90_ns = done.latency_p90_ns;
    run->latency_p99_ns = done.latency_p99_ns;
    if (have_c1)
        counter_deltas(run, &c0, &c1);
    jm_window_attribute_energy(win, run);
    if (run->counters && run->energy_j > 0) {
        run->instructions_per_j = run->instructions / run->energy_j;
        run->counter_gflops = run->duration_s > 0 ? run->fp_ops / run->duration_s / 1e9 : NAN;
    }
    if (jm_interrupted)
        jm_run_result_invalidate(run, "interrupted (signal %d) before the run finished",
                                 (int)jm_interrupted);
    if (rc != 0)
        jm_run_result_invalidate(run, "workload failed during the run: %s", err);
    return rc;
}
