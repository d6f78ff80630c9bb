/* print_summary.c - the terminal summary table: per workload throughput,
 * power, mJ/token with the interval of its median (coverage and method
 * stated), tokens/J and the energy source, then the comparison ratios with
 * their intervals. Estimated figures are flagged loudly. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

static const char *on(bool color, const char *code) {
    return color ? code : "";
}

void jm_results_print_summary(const jm_results *r, FILE *out, bool color) {
    const char *bold = on(color, "\033[1m"), *warn = on(color, "\033[1;33m"),
               *reset = on(color, "\033[0m");
    fprintf(out, "%sjoulemark results%s (%s%s%s)\n", bold, reset,
            r->joulemark_version[0] ? "joulemark " : "", r->joulemark_version,
            r->quick ? ", QUICK run: shortened, not for comparison" : "");
    if (r->estimated)
        fprintf(out,
                "%s*** ESTIMATED: energy figures below come from a model, not a hardware meter "
                "***%s\n",
                warn, reset);
    for (int i = 0; i < r->n_meters; i++) {
        const jm_meter_result *m = &r->meters[i];
        if (m->available && !m->primary && m->estimated)
            fprintf(out, "side reading: %s (an estimate by a model, beside the figures; they come "
                    "from the primary meter)\n", m->name);
    }
    if (r->idle_reason[0])
        fprintf(out, "no idle baseline (%s): idle power and every above-idle figure are null\n",
                r->idle_reason);
    if (!r->complete)
        fprintf(out, "%s*** INCOMPLETE: %s ***%s\n", warn,
                r->incomplete_reason[0] ? r->incomplete_reason : "the run was interrupted", reset);
    fprintf(out, "\n%-28s %7s %12s %9s %-46s %11s  %s\n", "workload", "valid", "tokens/s",
            "power W", "mJ/token median [CI of the median]", "tokens/J", "energy source");
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        const jm_run_summary *s = &w->summary;
        char a[32], b[32], c[32], f[32], runs[16], ci[96], mj[128];
        int testing = 0;
        for (int k = 0; k < w->n_runs; k++)
            testing += w->runs[k].phase[0] == '\0' || strcmp(w->runs[k].phase, "testing") == 0;
        snprintf(runs, sizeof(runs), "%d/%d", s->valid_runs, testing);
        snprintf(mj, sizeof(mj), "%s [%s]", jm__fmt(c, sizeof(c), "%.4g", s->mj_per_token.median),
                 jm__fmt_ci(ci, sizeof(ci), &s->mj_per_token, "%.4g", ""));
        const char *src = "";
        bool est = false;
        for (int k = 0; k < w->n_runs; k++) {
            est = est || w->runs[k].estimated;
            if (!src[0] && jm__run_counts(&w->runs[k]))
                src = w->runs[k].energy_source;
        }
        char label_buf[JM_R_NAME_MAX + 32];
        const char *label = jm__workload_label(w, label_buf, sizeof label_buf);
        fprintf(out, "%-28s %7s %12s %9s %-46s %11s  %s%s%s%s\n", label, runs,
                jm__fmt(a, sizeof(a), "%.1f", s->tokens_per_s.median),
                jm__fmt(b, sizeof(b), "%.2f", s->avg_power_w.median), mj,
                jm__fmt(f, sizeof(f), "%.2f", s->tokens_per_j.median), src[0] ? src : "none",
                est ? warn : "", est && !strstr(src, "ESTIMATED") ? " ESTIMATED" : "",
                est ? reset : "");
        for (int k = 0; k < w->n_runs; k++)
            for (int m = 0; m < w->runs[k].n_invalid_reasons; m++)
                fprintf(out, "  %s run %d (%s) invalid: %s\n", label, w->runs[k].index,
                        w->runs[k].phase, w->runs[k].invalid_reasons[m]);
    }
    if (r->fma_peak_gflops > 0)
        fprintf(out,
                "\nkernel efficiency: FMA peak %.1f GFLOP/s on %d thread(s) (register-only loop in "
                "%s's vector ISA)\n",
                r->fma_peak_gflops, r->fma_peak_threads, r->fma_peak_kernel);
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        char label_buf[JM_R_NAME_MAX + 32], g[32], sh[32];
        if (isfinite(w->summary.gflops))
            fprintf(out, "  %-28s %s GFLOP/s%s%s\n", jm__workload_label(w, label_buf, sizeof label_buf),
                    jm__fmt(g, sizeof(g), "%.1f", w->summary.gflops),
                    isfinite(w->summary.peak_share) ? ", " : "",
                    isfinite(w->summary.peak_share)
                        ? (jm__fmt(sh, sizeof(sh), "%.0f%% of peak", 100.0 * w->summary.peak_share))
                        : "");
    }
    if (r->n_comparisons)
        fprintf(out, "\n");
    for (int i = 0; i < r->n_comparisons; i++) {
        const jm_comparison *c = &r->comparisons[i];
        const jm_stat *s = &c->energy_per_token_ratio;
        char m[32], ci[96], pr[32], fr[32];
        fprintf(out,
                "%s%s vs %s: energy per token ratio median %sx%s [%s, log scale; %d paired runs%s; "
                "> 1 means %s is cheaper]; params ratio %s, FLOP/token ratio %s; source %s%s%s%s\n",
                bold, c->baseline, c->candidate, jm__fmt(m, sizeof(m), "%.3g", s->median), reset,
                jm__fmt_ci(ci, sizeof(ci), s, "%.3g", "x"), s->n,
                strcmp(c->pairing, "round") == 0 ? ", each pair from one round of interleaved runs"
                                                 : "",
                c->candidate,
                jm__fmt(pr, sizeof(pr), "%.3g", c->params_ratio),
                jm__fmt(fr, sizeof(fr), "%.3g", c->flops_ratio),
                c->energy_source[0] ? c->energy_source : "none", c->estimated ? warn : "",
                c->estimated && !strstr(c->energy_source, "ESTIMATED") ? " ESTIMATED" : "",
                c->estimated ? reset : "");
        const jm_workload_result *wb = jm__find_workload(r, c->baseline);
        const jm_workload_result *wc = jm__find_workload(r, c->candidate);
        char gb[32], gc[32], gr[32];
        if (wb && wc && isfinite(c->gflops_ratio))
            fprintf(out, "  kernel efficiency: %s %s GFLOP/s, %s %s GFLOP/s (ratio %s)\n",
                    c->baseline, jm__fmt(gb, sizeof(gb), "%.1f", wb->summary.gflops),
                    c->candidate, jm__fmt(gc, sizeof(gc), "%.1f", wc->summary.gflops),
                    jm__fmt(gr, sizeof(gr), "%.2f", c->gflops_ratio));
        if (c->efficiency_differs)
            fprintf(out,
                    "  %swarning: the two sides run at GFLOP/s more than %.0f%% apart: this saving "
                    "is partly a kernel-efficiency difference%s\n",
                    warn, 100.0 * (JM_EFFICIENCY_TOLERANCE - 1.0), reset);
    }
}
