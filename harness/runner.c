/* runner.c - orchestrates `joulemark run` over a validated config: the
 * result header, hardware counters, meters and the sampler thread, the idle
 * baseline, then the testing runs of all workloads interleaved in rounds
 * (each workload's ranging run before its first testing run), then each
 * workload's MLPerf scenario runs, then the trace, summaries and
 * comparisons. Each run is one measured window (run_window.c). Writes no file: the caller
 * writes the results and, from the session, the outputs that need the
 * meters (run_outputs.c). */
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

volatile sig_atomic_t jm_interrupted = 0;

static void on_signal(int sig)
{
    jm_interrupted = sig;
    /* a second signal terminates at once */
    signal(sig, SIG_DFL);
}

void jm_install_interrupt_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The workloads of one run, alive together so that their testing runs can
 * interleave. */
typedef struct workload_set {
    int n;
    jm_workload **w;
    int *entry;   /* index of each workload's plain entry in res->workloads */
    bool *ranged; /* its ranging run is done */
} workload_set;

static void free_set(workload_set *ws)
{
    for (int i = 0; ws->w && i < ws->n; i++)
        jm_workload_destroy(ws->w[i]);
    free(ws->w);
    free(ws->entry);
    free(ws->ranged);
}

/* Position j of round k (0-based) runs workload (j + k) mod n: A B C, B C A,
 * C A B, ... Every workload runs once per round, each at every position
 * equally often over n rounds, so drift (heat, a background job) falls on
 * every workload alike and the runs of one round are close in time. */
static int rotated(int round, int j, int n)
{
    return (j + round) % n;
}

/* Plain runs: each workload is prepared, then `repeats` rounds run every
 * workload's testing run once (its ranging run before its first one); then
 * every workload's scenario runs. */
static int run_workloads(const jm_run_ctx *ctx, jm_results *res, jm_scenario_records *recs,
                         char *err, size_t err_len)
{
    const jm_config *cfg = ctx->cfg;
    const jm_run_rules *rules = &cfg->rules;
    workload_set ws = {.n = cfg->n_workloads};
    ws.w = calloc((size_t)(ws.n ? ws.n : 1), sizeof(*ws.w));
    ws.entry = calloc((size_t)(ws.n ? ws.n : 1), sizeof(*ws.entry));
    ws.ranged = calloc((size_t)(ws.n ? ws.n : 1), sizeof(*ws.ranged));
    if (!ws.w || !ws.entry || !ws.ranged) {
        free_set(&ws);
        snprintf(err, err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    int rc = JM_EXIT_OK;
    for (int i = 0; i < ws.n && rc == JM_EXIT_OK && !jm_interrupted; i++) {
        jm_workload_result *wr = jm_results_add_workload(res);
        if (!wr) {
            snprintf(err, err_len, "out of memory");
            rc = JM_EXIT_SYSTEM;
            break;
        }
        ws.entry[i] = (int)(wr - res->workloads);
        rc = jm_plain_prepare(ctx, &cfg->workloads[i], &ws.w[i], wr, err, err_len);
    }
    if (ws.n > 1 && rules->repeats > 0 && rc == JM_EXIT_OK)
        jm_log(ctx->log, "testing runs interleaved in %d rounds, order rotated each round "
                         "(round 1: %s first); comparisons pair runs of the same round\n",
               rules->repeats, cfg->workloads[0].name);
    for (int k = 0; k < rules->repeats && rc == JM_EXIT_OK && !jm_interrupted; k++) {
        for (int j = 0; j < ws.n && rc == JM_EXIT_OK && !jm_interrupted; j++) {
            int i = rotated(k, j, ws.n);
            const jm_workload_config *wc = &cfg->workloads[i];
            if (!ws.ranged[i] && rules->warmup_s > 0) {
                rc = jm_plain_ranging(ctx, wc, ws.w[i], err, err_len);
                if (rc != JM_EXIT_OK || jm_interrupted)
                    break;
            }
            ws.ranged[i] = true;
            rc = jm_plain_testing(ctx, wc, ws.w[i], &res->workloads[ws.entry[i]], k + 1, k + 1,
                                  err, err_len);
        }
    }
    for (int i = 0; i < ws.n && rc == JM_EXIT_OK && cfg->n_scenarios > 0 && !jm_interrupted; i++)
        rc = jm_scenario_runs(ctx, &cfg->workloads[i], ws.w[i], res, ws.entry[i], recs, err,
                              err_len);
    free_set(&ws);
    return rc;
}

/* Results header: versions, time, config, system, hardware counters. */
static void describe_run(const jm_config *cfg, const jm_run_options *opt, jm_results *res,
                         jm_run_session *s)
{
    snprintf(res->joulemark_version, sizeof res->joulemark_version, "%s", JM_VERSION);
    snprintf(res->git_describe, sizeof res->git_describe, "%s", JM_GIT_DESCRIBE);
    jm_utc_iso(res->started_utc, sizeof res->started_utc);
    snprintf(res->config_path, sizeof res->config_path, "%.500s", cfg->path);
    snprintf(res->run_rules, sizeof res->run_rules, "%s", cfg->rules.name);
    res->quick = opt->quick || strcmp(cfg->rules.name, "quick") == 0;
    res->complete = true;
    /* counters count threads created after they open: before any OpenMP region */
    char creason[512];
    if (jm_counters_open(&s->counters, creason, sizeof creason) == JM_M_OK) {
        jm_counter_values v;
        res->counters_available = true;
        size_t used = 0;
        if (jm_counters_read(s->counters, &v, creason, sizeof creason) == JM_M_OK)
            for (int i = 0; i < v.n && used < sizeof res->counters_reason; i++)
                used += (size_t)snprintf(res->counters_reason + used,
                                         sizeof res->counters_reason - used, "%s%s",
                                         i ? ", " : "counted: ", v.names[i]);
    } else {
        s->counters = NULL;
        snprintf(res->counters_reason, sizeof res->counters_reason, "%s", creason);
        jm_log(opt->log, "hardware counters unavailable: %s\n", creason);
    }
    res->system = jm_system_describe();
    res->config = jm_run_config_as_used(cfg);
}

/* After the sampler stopped: meter failures, the trace and the sampler's overhead. */
static void record_sampler(jm_results *res, const jm_run_session *s)
{
    const jm_run_meters *rm = &s->meters;
    res->sampler_cpu_ns = jm_sampler_cpu_ns(s->sampler);
    for (int a = 0; a < rm->n_active; a++) {
        const char *msg = NULL;
        uint64_t at = 0;
        if (jm_sampler_meter_failed(s->sampler, a, &msg, &at)) {
            jm_meter_result *mr = &res->meters[rm->active_to_result[a]];
            mr->failed = true;
            snprintf(mr->failure, sizeof mr->failure, "%s", msg ? msg : "read error");
        }
    }
    jm_runner_build_trace(res, s->sampler, rm->active, rm->n_active, rm->active_to_result);
    if (res->trace.n_points > 0 &&
        res->trace.points[res->trace.n_points - 1].t_ns > res->trace.t_origin_ns) {
        double total_s = (double)(res->trace.points[res->trace.n_points - 1].t_ns -
                                  res->trace.t_origin_ns) /
                         1e9;
        res->sampler_overhead_pct =
            total_s > 0 ? 100.0 * ((double)res->sampler_cpu_ns / 1e9) / total_s : 0;
    }
}

/* The default body of a run: the config's workloads, interleaved in rounds. */
static int workloads_body(void *body_ctx, const jm_run_ctx *ctx, jm_results *res,
                          jm_run_session *s, char *err, size_t err_len)
{
    (void)body_ctx;
    return run_workloads(ctx, res, &s->scenarios, err, err_len);
}

/* The kernel-efficiency yardstick, once per run before the idle baseline:
 * the FMA peak of the GEMM kernel's vector ISA on the workloads' team
 * (~0.2 s) and on one thread (~0.1 s). */
static void measure_fma_peak(const jm_run_options *opt, jm_results *res, int threads)
{
    const double all = jm_fma_peak_gflops(NULL, threads, 0.2, NULL, 0);
    const double one = threads > 1 ? jm_fma_peak_gflops(NULL, 1, 0.1, NULL, 0) : all;
    snprintf(res->fma_peak_kernel, sizeof res->fma_peak_kernel, "%s", jm_gemm_kernel_name());
    res->fma_peak_threads = threads;
    res->fma_peak_gflops = all > 0 ? all : 0.0;
    res->fma_peak_gflops_1 = one > 0 ? one : NAN;
    if (all > 0)
        jm_log(opt->log, "FMA peak (register-only loop, %s's vector ISA): %.1f GFLOP/s on %d "
                         "thread(s), %.1f on one\n",
               res->fma_peak_kernel, all, threads, one);
}

/* Each CPU workload's yardstick is the run's FMA peak; GPU workloads have none. */
static void set_peak_yardsticks(jm_results *res)
{
    for (int i = 0; i < res->n_workloads; i++) {
        jm_workload_result *w = &res->workloads[i];
        const cJSON *b = w->shape ? cJSON_GetObjectItemCaseSensitive(w->shape, "backend") : NULL;
        const char *backend = cJSON_IsString(b) ? b->valuestring : "";
        const bool gpu = strcmp(backend, jm_backend_name(JM_BACKEND_CUDA)) == 0 ||
                         strcmp(backend, jm_backend_name(JM_BACKEND_CUBLAS)) == 0;
        w->fma_peak_gflops = gpu ? 0.0 : res->fma_peak_gflops;
    }
}

static int measure_all(const jm_config *cfg, const jm_run_options *opt, jm_results *res,
                       jm_run_session *s, int threads, jm_run_body_fn body, void *body_ctx,
                       char *err, size_t err_len)
{
    cJSON_AddNumberToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(res->config, "effective"),
                                                "run_rules"),
                            "threads_used", threads);
    int rc = jm_run_meters_open(cfg, opt, res, &s->meters, err, err_len);
    if (rc != JM_EXIT_OK)
        return rc;
    const jm_meter *primary = &s->meters.active[s->meters.primary];
    res->estimated = primary->info.kind == JM_METER_ESTIMATED;
    if (res->estimated)
        jm_log(opt->log,
               "NOTE: no hardware energy meter is available here; every energy figure is "
               "ESTIMATED by the %s meter (%s)\n",
               primary->spec.name, primary->info.model);

    jm_sampler_config scfg = {cfg->rules.interval_ms};
    char merr[512];
    if (jm_sampler_create(s->meters.active, s->meters.n_active, &scfg, &s->sampler, merr,
                          sizeof merr) != JM_M_OK ||
        jm_sampler_start(s->sampler, merr, sizeof merr) != JM_M_OK) {
        snprintf(err, err_len, "sampler: %s", merr);
        if (s->sampler)
            jm_sampler_destroy(s->sampler);
        s->sampler = NULL;
        return JM_EXIT_SYSTEM;
    }
    /* pin only now: meters (the estimate reads the process's CPU set) and the
     * sampler thread (created above, it keeps the whole CPU set) must not
     * inherit the master thread's single-core binding */
    if (cfg->n_workloads > 0) { /* a body without workloads (measure) runs on no OpenMP team */
        omp_set_num_threads(threads);
        char reason[256];
        if (jm_pin_omp_threads(threads, reason, sizeof reason) != 0)
            jm_log(opt->log, "threads: %d, not pinned: %s\n", threads, reason);
        else
            jm_log(opt->log, "threads: %d, pinned one per core (hwloc)%s%s\n", threads,
                   reason[0] ? "; " : "", reason);
    }

    if (cfg->n_workloads > 0)
        measure_fma_peak(opt, res, threads);

    jm_idle_baseline *idle = calloc(1, sizeof(*idle));
    if (!idle) {
        snprintf(err, err_len, "out of memory");
        jm_sampler_stop(s->sampler);
        return JM_EXIT_SYSTEM;
    }
    jm_window win = {.sampler = s->sampler,
                     .meters = &s->meters,
                     .idle = idle,
                     .counters = s->counters,
                     .min_samples = cfg->rules.min_samples};
    if (cfg->rules.idle_s > 0)
        jm_log(opt->log, "idle baseline: %.1f s with nothing running...\n", cfg->rules.idle_s);
    jm_idle_measure(&win, cfg->rules.idle_s, res, idle, err, err_len);
    jm_run_ctx ctx = {.cfg = cfg, .win = &win, .log = opt->log,
                      .progress_tty = opt->progress_tty};
    if (!jm_interrupted)
        rc = body(body_ctx, &ctx, res, s, err, err_len);
    set_peak_yardsticks(res);
    free(idle);
    jm_sampler_stop(s->sampler);
    record_sampler(res, s);
    return rc;
}

int jm_runner_execute(jm_config *cfg, const jm_run_options *opt, jm_results *res,
                      jm_run_session **session, char *err, size_t err_len)
{
    return jm_runner_execute_body(cfg, opt, res, session, workloads_body, NULL, err, err_len);
}

int jm_runner_execute_body(jm_config *cfg, const jm_run_options *opt, jm_results *res,
                           jm_run_session **session, jm_run_body_fn body, void *body_ctx,
                           char *err, size_t err_len)
{
    if (session)
        *session = NULL;
    jm_run_session *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    snprintf(s->rules, sizeof s->rules, "%s", cfg->rules.name);
    describe_run(cfg, opt, res, s);
    /* the workloads run on the threads the runner pins */
    int threads = cfg->rules.threads;
    if (threads <= 0) {
        jm_cache_sizes caches;
        jm_system_caches(&caches);
        threads = caches.cores > 0 ? caches.cores : omp_get_num_procs();
    }
    for (int i = 0; i < cfg->n_workloads; i++)
        cfg->workloads[i].shape.threads = threads;
    int rc = measure_all(cfg, opt, res, s, threads, body, body_ctx, err, err_len);
    if (s->sampler) {
        if (jm_interrupted) {
            res->complete = false;
            snprintf(res->incomplete_reason, sizeof res->incomplete_reason,
                     "interrupted by signal %d; results hold what was measured until then",
                     (int)jm_interrupted);
        } else if (rc != JM_EXIT_OK) {
            res->complete = false;
            snprintf(res->incomplete_reason, sizeof res->incomplete_reason, "%s", err);
        }
        jm_results_summarize(res);
        for (int i = 0; i < cfg->n_comparisons; i++) {
            char cerr[256];
            if (jm_results_compare(res, cfg->comparisons[i].baseline,
                                   cfg->comparisons[i].candidate, cerr, sizeof cerr) != 0)
                jm_log(opt->log, "comparison %s vs %s not made: %s\n",
                       cfg->comparisons[i].baseline, cfg->comparisons[i].candidate, cerr);
        }
    }
    jm_utc_iso(res->finished_utc, sizeof res->finished_utc);
    if (session)
        *session = s;
    else
        jm_run_session_free(s);
    return rc;
}

void jm_run_session_free(jm_run_session *s)
{
    if (!s)
        return;
    if (s->sampler)
        jm_sampler_destroy(s->sampler);
    if (s->counters)
        jm_counters_close(s->counters);
    jm_scenario_records_free(&s->scenarios);
    jm_run_meters_close(&s->meters);
    free(s);
}
