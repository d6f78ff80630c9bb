/* summarize.c - summaries over the valid testing runs of each workload and
 * the paired dense-vs-sparse comparisons (ratios of energy per token). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

bool jm__run_counts(const jm_run_result *run) {
    return run->valid && (run->phase[0] == '\0' || strcmp(run->phase, "testing") == 0);
}

/* The plain (repeated-runs) entry of a workload: scenario runs of the same
 * workload are separate entries and are not compared. */
const jm_workload_result *jm__find_workload(const jm_results *r, const char *name) {
    for (int i = 0; i < r->n_workloads; i++)
        if (strcmp(r->workloads[i].name, name) == 0 && !r->workloads[i].scenario[0])
            return &r->workloads[i];
    return NULL;
}

const char *jm__workload_label(const jm_workload_result *w, char *buf, size_t len) {
    if (!w->scenario[0])
        return w->name;
    snprintf(buf, len, "%s [%s]", w->name, w->scenario);
    return buf;
}

/* Statistic of the double at byte offset `off` of each counted run. */
static void stat_of(const jm_workload_result *w, size_t off, double *buf, jm_stat *out) {
    int n = 0;
    for (int i = 0; i < w->n_runs; i++)
        if (jm__run_counts(&w->runs[i]))
            buf[n++] = *(const double *)((const char *)&w->runs[i] + off);
    jm_stat_compute(buf, n, out);
}

/* r->estimated follows the energy the figures come from (the runs, whose
 * kind is the primary meter's): an available estimate meter beside a
 * measured primary is a side reading and does not make the results estimated. */
void jm_results_summarize(jm_results *r) {
    bool estimated = false;
    for (int wi = 0; wi < r->n_workloads; wi++) {
        jm_workload_result *w = &r->workloads[wi];
        jm_run_summary *s = &w->summary;
        memset(s, 0, sizeof(*s));
        double *buf = malloc(((size_t)w->n_runs + 1) * sizeof(*buf));
        if (!buf) {
            jm_stat_compute(NULL, 0, &s->duration_s); /* leaves NaN stats */
            continue;
        }
        for (int i = 0; i < w->n_runs; i++) {
            if (jm__run_counts(&w->runs[i]))
                s->valid_runs++;
            if (w->runs[i].estimated)
                estimated = true;
        }
        stat_of(w, offsetof(jm_run_result, duration_s), buf, &s->duration_s);
        stat_of(w, offsetof(jm_run_result, energy_j), buf, &s->energy_j);
        stat_of(w, offsetof(jm_run_result, energy_above_idle_j), buf, &s->energy_above_idle_j);
        stat_of(w, offsetof(jm_run_result, avg_power_w), buf, &s->avg_power_w);
        stat_of(w, offsetof(jm_run_result, tokens_per_s), buf, &s->tokens_per_s);
        stat_of(w, offsetof(jm_run_result, tokens_per_j), buf, &s->tokens_per_j);
        stat_of(w, offsetof(jm_run_result, mj_per_token), buf, &s->mj_per_token);
        stat_of(w, offsetof(jm_run_result, mj_per_token_above_idle), buf,
                &s->mj_per_token_above_idle);
        s->gflops = s->tokens_per_s.median * w->flops_per_token * 1e-9;
        if (!(s->gflops > 0.0) || !isfinite(s->gflops))
            s->gflops = NAN;
        s->peak_share = w->fma_peak_gflops > 0.0 ? s->gflops / w->fma_peak_gflops : NAN;
        free(buf);
    }
    for (int i = 0; i < r->n_comparisons; i++)
        if (r->comparisons[i].estimated)
            estimated = true;
    if (estimated)
        r->estimated = true;
}

static const char *workload_source(const jm_workload_result *w) {
    for (int i = 0; i < w->n_runs; i++)
        if (jm__run_counts(&w->runs[i]) && w->runs[i].energy_source[0])
            return w->runs[i].energy_source;
    for (int i = 0; i < w->n_runs; i++)
        if (w->runs[i].energy_source[0])
            return w->runs[i].energy_source;
    return "";
}

static bool workload_estimated(const jm_workload_result *w) {
    for (int i = 0; i < w->n_runs; i++)
        if (w->runs[i].estimated)
            return true;
    return false;
}

static double safe_div(double a, double b) {
    return b != 0.0 ? a / b : NAN;
}

int jm_pair_ratios(const jm_round_value *b, int nb, const jm_round_value *c, int nc,
                   double *ratios) {
    int n = 0;
    for (int i = 0; i < nb; i++) {
        bool seen = false; /* a round holds one run of each side: pair its first only */
        for (int k = 0; k < i && !seen; k++)
            seen = b[k].round == b[i].round;
        if (seen)
            continue;
        for (int k = 0; k < nc; k++) {
            if (c[k].round != b[i].round)
                continue;
            double vb = b[i].value, vc = c[k].value;
            if (vb > 0 && vc > 0 && isfinite(vb) && isfinite(vc))
                ratios[n++] = vb / vc;
            break;
        }
    }
    return n;
}

/* Round of a run, the unit of pairing: the runner interleaves the testing
 * runs of all workloads in rounds and records each run's round, so run k of
 * the baseline is paired with the candidate's run of the same round, and an
 * invalid run drops its own pair only. Runs without a round (results built
 * by hand) use their repetition index. */
static int run_round(const jm_run_result *run) {
    return run->round > 0 ? run->round : run->index;
}

/* Whether w's runs carry rounds of interleaved runs. */
static bool has_rounds(const jm_workload_result *w) {
    for (int i = 0; i < w->n_runs; i++)
        if (w->runs[i].round > 0)
            return true;
    return false;
}

/* (round, field at `off`) of each counted run of w; returns how many. */
static int round_values(const jm_workload_result *w, size_t off, jm_round_value *out) {
    int n = 0;
    for (int i = 0; i < w->n_runs; i++)
        if (jm__run_counts(&w->runs[i]))
            out[n++] = (jm_round_value){run_round(&w->runs[i]),
                                        *(const double *)((const char *)&w->runs[i] + off)};
    return n;
}

/* Paired ratio baseline / candidate of the field at `off`, on a log scale. */
static void paired_ratio(const jm_workload_result *b, const jm_workload_result *c, size_t off,
                         jm_stat *out) {
    jm_round_value *vb = malloc(((size_t)b->n_runs + 1) * sizeof(*vb));
    jm_round_value *vc = malloc(((size_t)c->n_runs + 1) * sizeof(*vc));
    double *ratios = malloc(((size_t)b->n_runs + 1) * sizeof(*ratios));
    int n = 0;
    if (vb && vc && ratios)
        n = jm_pair_ratios(vb, round_values(b, off, vb), vc, round_values(c, off, vc), ratios);
    jm_stat_compute_ratio(ratios, n, out);
    free(ratios);
    free(vc);
    free(vb);
}

int jm_results_compare(jm_results *r, const char *baseline, const char *candidate, char *err,
                       size_t err_len) {
    const char *names[2] = {baseline, candidate};
    for (int k = 0; k < 2; k++) {
        if (!names[k] || !jm__find_workload(r, names[k])) {
            char list[JM_R_TEXT_MAX] = "";
            size_t used = 0;
            for (int i = 0; i < r->n_workloads && used < sizeof(list); i++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 r->workloads[i].name);
                if (w > 0)
                    used += (size_t)w;
            }
            snprintf(err, err_len, "comparison %s: unknown workload '%s' (known: %s)",
                     k ? "candidate" : "baseline", names[k] ? names[k] : "(null)",
                     r->n_workloads ? list : "none");
            return JM_R_EINVAL;
        }
    }
    const jm_workload_result *b = jm__find_workload(r, baseline);
    const jm_workload_result *c = jm__find_workload(r, candidate);
    jm_comparison *cmp = NULL;
    for (int i = 0; i < r->n_comparisons; i++)
        if (strcmp(r->comparisons[i].baseline, baseline) == 0 &&
            strcmp(r->comparisons[i].candidate, candidate) == 0)
            cmp = &r->comparisons[i]; /* recompute in place */
    if (!cmp)
        cmp = jm__results_add_comparison(r);
    if (!cmp) {
        snprintf(err, err_len, "comparison %s vs %s: out of memory", baseline, candidate);
        return JM_R_ENOMEM;
    }
    memset(cmp, 0, sizeof(*cmp));
    snprintf(cmp->baseline, sizeof(cmp->baseline), "%s", baseline);
    snprintf(cmp->candidate, sizeof(cmp->candidate), "%s", candidate);
    cmp->params_ratio = safe_div((double)b->params, (double)c->params);
    cmp->active_params_ratio = safe_div((double)b->active_params, (double)c->active_params);
    cmp->flops_ratio = safe_div(b->flops_per_token, c->flops_per_token);
    snprintf(cmp->pairing, sizeof(cmp->pairing), "%s",
             has_rounds(b) && has_rounds(c) ? "round" : "index");
    paired_ratio(b, c, offsetof(jm_run_result, mj_per_token), &cmp->energy_per_token_ratio);
    paired_ratio(b, c, offsetof(jm_run_result, mj_per_token_above_idle),
                 &cmp->energy_per_token_ratio_above_idle);
    const char *sb = workload_source(b), *sc = workload_source(c);
    if (strcmp(sb, sc) == 0)
        snprintf(cmp->energy_source, sizeof(cmp->energy_source), "%s", sb);
    else
        snprintf(cmp->energy_source, sizeof(cmp->energy_source), "%.60s: %.190s; %.60s: %.190s",
                 baseline, sb, candidate, sc);
    cmp->estimated = workload_estimated(b) || workload_estimated(c);
    cmp->gflops_ratio = safe_div(b->summary.gflops, c->summary.gflops);
    cmp->efficiency_differs = isfinite(cmp->gflops_ratio) &&
                              (cmp->gflops_ratio > JM_EFFICIENCY_TOLERANCE ||
                               cmp->gflops_ratio < 1.0 / JM_EFFICIENCY_TOLERANCE);
    if (cmp->estimated)
        r->estimated = true;
    return JM_R_OK;
}
