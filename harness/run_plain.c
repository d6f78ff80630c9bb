/* run_plain.c - the plain (repeated) runs of one workload: creating it with
 * its accuracy check, its ranging run and its testing runs, each a measured
 * window whose work is whole batches until the configured duration and
 * batch count are reached. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

typedef struct batch_work {
    const jm_run_ctx *ctx;
    jm_workload *w;
    double min_seconds;
    int min_batches;
    bool testing;
} batch_work;

/* On a terminal: one line redrawn in place while batches run. */
static void draw_progress(FILE *log, double elapsed, double target_s, int batches,
                          int min_batches, bool testing)
{
    double frac_t = target_s > 0 ? elapsed / target_s : 1.0;
    double frac_b = min_batches > 0 ? (double)batches / min_batches : 1.0;
    double frac = frac_t < frac_b ? frac_t : frac_b;
    if (frac > 1)
        frac = 1;
    char bar[31];
    int filled = (int)(frac * 30 + 0.5);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fprintf(log, "\r  %-8s [%s] %6.1f/%.1f s, %d batch%s\033[K", testing ? "testing" : "ranging",
            bar, elapsed, target_s, batches, batches == 1 ? "" : "es");
    if (frac >= 1)
        fprintf(log, "\r\033[K");
    fflush(log);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The ceil(q n)-th smallest value. */
static double percentile(const uint64_t *sorted, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t idx = (size_t)ceil(q * (double)n) - 1;
    if (idx >= n)
        idx = n - 1;
    return (double)sorted[idx];
}

/* The work callback: whole batches until min_seconds and min_batches are
 * reached (or an interrupt); tokens, samples and batch latencies. */
static int run_batches(void *arg, jm_work_done *done, char *err, size_t err_len)
{
    const batch_work *bw = arg;
    const jm_workload_shape *s = jm_workload_get_shape(bw->w);
    uint64_t *lat = NULL;
    size_t n_lat = 0, cap_lat = 0;
    uint64_t start = jm_now_ns();
    int batches = 0, rc = 0;
    for (;;) {
        jm_run_stats st;
        memset(&st, 0, sizeof st);
        uint64_t b0 = jm_now_ns();
        char kerr[512];
        if (jm_workload_run(bw->w, s->batch_seqs, &st, kerr, sizeof kerr) != JM_K_OK) {
            snprintf(err, err_len, "workload run failed: %s", kerr);
            rc = -1;
            break;
        }
        uint64_t b1 = jm_now_ns();
        batches++;
        done->tokens += st.tokens;
        done->samples += (uint64_t)s->batch_seqs;
        done->queries += 1;
        done->assignments += st.routed_assignments;
        done->dropped_assignments += st.dropped_assignments;
        done->flops += st.flops;
        if (n_lat == cap_lat) {
            size_t cap = cap_lat ? cap_lat * 2 : 256;
            uint64_t *p = realloc(lat, cap * sizeof(*lat));
            if (!p) {
                snprintf(err, err_len, "out of memory for latencies");
                rc = -1;
                break;
            }
            lat = p;
            cap_lat = cap;
        }
        lat[n_lat++] = b1 - b0;
        double elapsed = (double)(b1 - start) / 1e9;
        if (bw->ctx->progress_tty && bw->ctx->log)
            draw_progress(bw->ctx->log, elapsed, bw->min_seconds, batches, bw->min_batches,
                          bw->testing);
        if (jm_interrupted)
            break;
        if (batches >= bw->min_batches && elapsed >= bw->min_seconds)
            break;
    }
    qsort(lat, n_lat, sizeof(*lat), cmp_u64);
    done->latency_p50_ns = percentile(lat, n_lat, 0.50);
    done->latency_p90_ns = percentile(lat, n_lat, 0.90);
    done->latency_p99_ns = percentile(lat, n_lat, 0.99);
    free(lat);
    return rc;
}

int jm_plain_prepare(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload **w,
                     jm_workload_result *wr, char *err, size_t err_len)
{
    jm_run_workload_header(wc, wr);
    char kerr[512];
    *w = NULL;
    jm_log(ctx->log, "[%s] creating (%.1f M parameters, %.1f MFLOP/token, %.0f MiB)...\n",
           wc->name, (double)wr->params / 1e6, wr->flops_per_token / 1e6,
           (double)jm_workload_memory_bytes(&wc->shape) / (1024.0 * 1024.0));
    if (jm_workload_create(&wc->shape, w, kerr, sizeof kerr) != JM_K_OK) {
        snprintf(err, err_len, "workload %s: %s", wc->name, kerr);
        return JM_EXIT_SYSTEM;
    }
    wr->accuracy_tolerance = jm_workload_tolerance(&wc->shape);
    wr->accuracy_ok = true;
    wr->accuracy_rel_err = 0;
    if (!ctx->cfg->rules.verify) {
        wr->accuracy_tolerance = 0; /* not checked */
        wr->accuracy_rel_err = NAN;
        return JM_EXIT_OK;
    }
    double rel = 0;
    if (jm_workload_verify(*w, wc->shape.seed ^ 0x5eedULL, 1, &rel, kerr, sizeof kerr) !=
        JM_K_OK) {
        snprintf(err, err_len, "workload %s: accuracy check: %s", wc->name, kerr);
        jm_workload_destroy(*w);
        *w = NULL;
        return JM_EXIT_SYSTEM;
    }
    wr->accuracy_rel_err = rel;
    wr->accuracy_ok = rel <= wr->accuracy_tolerance;
    jm_log(ctx->log, "[%s] accuracy vs fp64 reference: relative error %.2e (bound %.1e) %s\n",
           wc->name, rel, wr->accuracy_tolerance, wr->accuracy_ok ? "ok" : "FAILED");
    return JM_EXIT_OK;
}

int jm_plain_ranging(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     char *err, size_t err_len)
{
    const jm_run_rules *rules = &ctx->cfg->rules;
    double seconds = rules->warmup_s > rules->duration_s ? rules->warmup_s : rules->duration_s;
    batch_work bw = {ctx, w, seconds, rules->min_batches, false};
    char label[64];
    snprintf(label, sizeof label, "ranging:%.40s", wc->name);
    if (jm_measure_window(ctx->win, label, run_batches, &bw, NULL, err, err_len) != 0)
        return JM_EXIT_SYSTEM;
    return JM_EXIT_OK;
}

int jm_plain_testing(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     jm_workload_result *wr, int index, int round, char *err, size_t err_len)
{
    const jm_run_rules *rules = &ctx->cfg->rules;
    jm_run_result *run = jm_workload_result_add_run(wr);
    if (!run) {
        snprintf(err, err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    run->index = index;
    run->round = round;
    snprintf(run->phase, sizeof run->phase, "testing");
    run->valid = true;
    batch_work bw = {ctx, w, rules->duration_s, rules->min_batches, true};
    /* labels stay under the sampler's 64-byte mark label */
    char label[64];
    snprintf(label, sizeof label, "testing:%.40s:run%d", wc->name, index % 10000);
    int rc = jm_measure_window(ctx->win, label, run_batches, &bw, run, err, err_len);
    if (!wr->accuracy_ok && wr->accuracy_tolerance > 0)
        jm_run_result_invalidate(run, "accuracy check failed: relative error %.3g exceeds %.3g",
                                 wr->accuracy_rel_err, wr->accuracy_tolerance);
    jm_log(ctx->log,
           "[%s] run %d/%d: %.2f s, %llu tokens, %.1f tokens/s, %.3f mJ/token, %.1f W [%s]%s\n",
           wc->name, index, rules->repeats, run->duration_s, (unsigned long long)run->tokens,
           run->tokens_per_s, run->mj_per_token, run->avg_power_w, run->energy_source,
           run->valid ? "" : " INVALID");
    if (run->dropped_assignments > 0)
        jm_log(ctx->log,
               "    %llu of %llu token-expert assignments dropped by expert capacity: %.1f tokens "
               "processed, %.4g FLOPs done\n",
               (unsigned long long)run->dropped_assignments,
               (unsigned long long)run->assignments, run->tokens_processed, run->flops);
    for (int k = 0; k < run->n_invalid_reasons; k++)
        jm_log(ctx->log, "    invalid: %s\n", run->invalid_reasons[k]);
    return rc != 0 ? JM_EXIT_SYSTEM : JM_EXIT_OK;
}
