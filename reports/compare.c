/* compare.c - several result sets (runs on different machines, configs or
 * backends) side by side: a terminal table and an HTML page. Figures are the
 * sets' own summaries; "vs first" is the ratio of mJ/token of a workload to
 * the same-named workload of the first set (> 1: costs more than the first). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

static const char *set_source(const jm_workload_result *w, bool *est) {
    const char *src = "";
    *est = false;
    for (int k = 0; k < w->n_runs; k++) {
        *est = *est || w->runs[k].estimated;
        if (!src[0] && jm__run_counts(&w->runs[k]))
            src = w->runs[k].energy_source;
    }
    return src;
}

static double vs_first(const jm_results *sets, const jm_workload_result *w) {
    const jm_workload_result *f = jm__find_workload(&sets[0], w->name);
    if (!f || !(f->summary.mj_per_token.median > 0))
        return NAN;
    return w->summary.mj_per_token.median / f->summary.mj_per_token.median;
}

static const char *sys_str(const jm_results *r, const char *key) {
    const cJSON *j = r->system ? cJSON_GetObjectItemCaseSensitive(r->system, key) : NULL;
    return cJSON_IsString(j) ? j->valuestring : "?";
}

void jm_compare_print(const jm_results *sets, const char *const *labels, int n, FILE *out,
                      bool color) {
    const char *bold = color ? "\033[1m" : "", *warn = color ? "\033[1;33m" : "",
               *reset = color ? "\033[0m" : "";
    fprintf(out, "%sjoulemark compare%s: %d result sets\n", bold, reset, n);
    for (int i = 0; i < n; i++)
        fprintf(out, "  [%d] %s: %s, %s; joulemark %s; run rules %s%s%s%s%s\n", i + 1, labels[i],
                sys_str(&sets[i], "hostname"), sys_str(&sets[i], "cpu_model"),
                sets[i].joulemark_version, sets[i].run_rules[0] ? sets[i].run_rules : "?",
                sets[i].quick ? ", QUICK" : "", sets[i].estimated ? warn : "",
                sets[i].estimated ? ", ESTIMATED energy" : "", sets[i].estimated ? reset : "");
    fprintf(out, "\n%-4s %-20s %12s %9s %-46s %10s %9s  %s\n", "set", "workload", "tokens/s",
            "power W", "mJ/token median [CI of the median]", "tokens/J", "vs [1]",
            "energy source");
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < sets[i].n_workloads; k++) {
            const jm_workload_result *w = &sets[i].workloads[k];
            const jm_run_summary *s = &w->summary;
            bool est;
            const char *src = set_source(w, &est);
            char a[32], b[32], c[32], ci[96], f[32], g[32], mj[128], set[16];
            snprintf(mj, sizeof(mj), "%s [%s]",
                     jm__fmt(c, sizeof(c), "%.4g", s->mj_per_token.median),
                     jm__fmt_ci(ci, sizeof(ci), &s->mj_per_token, "%.4g", ""));
            snprintf(set, sizeof(set), "[%d]", i + 1);
            fprintf(out, "%-4s %-20s %12s %9s %-46s %10s %9s  %s%s%s%s\n", set, w->name,
                    jm__fmt(a, sizeof(a), "%.1f", s->tokens_per_s.median),
                    jm__fmt(b, sizeof(b), "%.2f", s->avg_power_w.median), mj,
                    jm__fmt(f, sizeof(f), "%.2f", s->tokens_per_j.median),
                    jm__fmt(g, sizeof(g), "%.3gx", vs_first(sets, w)), src[0] ? src : "none",
                    est ? warn : "", est ? " ESTIMATED" : "", est ? reset : "");
        }
    }
    fprintf(out, "\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < sets[i].n_comparisons; k++) {
            const jm_comparison *c = &sets[i].comparisons[k];
            char m[32], ci[96];
            fprintf(out,
                    "[%d] %s vs %s: energy per token ratio median %sx [%s, log scale; n=%d]%s%s%s\n",
                    i + 1, c->baseline, c->candidate,
                    jm__fmt(m, sizeof(m), "%.3g", c->energy_per_token_ratio.median),
                    jm__fmt_ci(ci, sizeof(ci), &c->energy_per_token_ratio, "%.3g", "x"),
                    c->energy_per_token_ratio.n, c->estimated ? warn : "",
                    c->estimated ? " ESTIMATED" : "", c->estimated ? reset : "");
        }
}

int jm_compare_write_html(const jm_results *sets, const char *const *labels, int n,
                          const char *path, char *err, size_t err_len) {
    jm__buf b;
    jm__buf_init(&b);
    jm__html_head(&b, "joulemark compare");
    jm__buf_printf(&b, "<h1>joulemark compare: %d result sets</h1>\n", n);
    bool any_est = false;
    for (int i = 0; i < n; i++)
        any_est = any_est || sets[i].estimated;
    if (any_est)
        jm__buf_puts(&b, "<div class=\"banner estimated-banner\" id=\"estimated-banner\">"
                         "ESTIMATED: at least one result set's energy comes from a model, not a "
                         "hardware meter; such rows are labelled ESTIMATED. Compare measured with "
                         "measured.</div>\n");
    jm__buf_puts(&b, "<section id=\"sets\">\n<h2>Result sets</h2>\n<table id=\"sets-table\">\n"
                     "<tr><th>set</th><th>results</th><th>host</th><th>CPU</th><th>joulemark"
                     "</th><th>run rules</th><th>meters</th><th>energy</th></tr>\n");
    for (int i = 0; i < n; i++) {
        const jm_results *r = &sets[i];
        jm__buf_printf(&b, "<tr><td>[%d]</td><td>", i + 1);
        jm__buf_xml(&b, labels[i]);
        jm__buf_puts(&b, "</td><td>");
        jm__buf_xml(&b, sys_str(r, "hostname"));
        jm__buf_puts(&b, "</td><td>");
        jm__buf_xml(&b, sys_str(r, "cpu_model"));
        jm__buf_puts(&b, "</td><td>");
        jm__buf_xml(&b, r->joulemark_version);
        jm__buf_puts(&b, "</td><td>");
        jm__buf_xml(&b, r->run_rules);
        jm__buf_puts(&b, r->quick ? " (QUICK)" : "");
        jm__buf_puts(&b, "</td><td>");
        for (int m = 0; m < r->n_meters; m++) {
            if (!r->meters[m].available)
                continue;
            jm__buf_xml(&b, r->meters[m].name);
            jm__buf_puts(&b, r->meters[m].estimated ? " (ESTIMATED) " : " (measured) ");
        }
        jm__buf_puts(&b, r->estimated ? "</td><td class=\"kind-estimated\">ESTIMATED</td></tr>\n"
                                      : "</td><td class=\"kind-measured\">measured</td></tr>\n");
    }
    jm__buf_puts(&b, "</table>\n</section>\n<section id=\"workloads\">\n<h2>Workloads</h2>\n"
                     "<table id=\"compare-table\">\n<tr><th>set</th><th>workload</th>"
                     "<th>tokens/s</th><th>power (W)</th><th>mJ/token (median)</th>"
                     "<th>CI low</th><th>CI high</th><th>CI coverage, method</th><th>tokens/J</th>"
                     "<th>mJ/token vs set [1]</th><th>params</th><th>energy source</th></tr>\n");
    enum { MAX_BARS = 128 };
    jm__bar bars[MAX_BARS];
    char bar_labels[MAX_BARS][JM_R_NAME_MAX + 24];
    int nb = 0;
    char key[160];
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < sets[i].n_workloads; k++) {
            const jm_workload_result *w = &sets[i].workloads[k];
            bool est;
            const char *src = set_source(w, &est);
            jm__buf_printf(&b, "<tr><td>[%d]</td><td>", i + 1);
            jm__buf_xml(&b, w->name);
            jm__buf_puts(&b, "</td>");
#define SUM_TD(fmt, field, part)                                                                   \
    snprintf(key, sizeof(key), "sets[%d].workloads[%d].summary.%s.%s", i, k, #field, #part);       \
    jm__html_num_td(&b, fmt, w->summary.field.part, key)
            SUM_TD("%.1f", tokens_per_s, median);
            SUM_TD("%.2f", avg_power_w, median);
            SUM_TD("%.4g", mj_per_token, median);
            SUM_TD("%.4g", mj_per_token, ci_low);
            SUM_TD("%.4g", mj_per_token, ci_high);
            snprintf(key, sizeof(key), "sets[%d].workloads[%d].summary.mj_per_token.ci_coverage", i,
                     k);
            jm__html_ci_td(&b, &w->summary.mj_per_token, key);
            SUM_TD("%.4g", tokens_per_j, median);
#undef SUM_TD
            jm__html_num_td(&b, "%.3g", vs_first(sets, w), NULL);
            snprintf(key, sizeof(key), "sets[%d].workloads[%d].params", i, k);
            jm__html_num_td(&b, "%.0f", (double)w->params, key);
            jm__buf_puts(&b, "<td>");
            jm__buf_xml(&b, src[0] ? src : "none");
            if (est)
                jm__buf_puts(&b, " <span class=\"kind-estimated\">ESTIMATED</span>");
            jm__buf_puts(&b, "</td></tr>\n");
            if (nb < MAX_BARS) {
                snprintf(bar_labels[nb], sizeof(bar_labels[nb]), "[%d] %s", i + 1, w->name);
                bars[nb].label = bar_labels[nb];
                bars[nb].stat = &w->summary.mj_per_token;
                bars[nb].estimated = est;
                snprintf(bars[nb].data_key, sizeof(bars[nb].data_key),
                         "sets[%d].workloads[%d].summary.mj_per_token", i, k);
                nb++;
            }
        }
    }
    jm__buf_puts(&b, "</table>\n");
    jm__svg_bars(&b, "chart-compare-mj-per-token", "Energy per token by result set", "mJ/token",
                 bars, nb, 0, NULL);
    jm__buf_puts(&b, "</section>\n<section id=\"ratios\">\n<h2>Dense vs sparse ratios</h2>\n");
    nb = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < sets[i].n_comparisons && nb < MAX_BARS; k++) {
            const jm_comparison *c = &sets[i].comparisons[k];
            snprintf(bar_labels[nb], sizeof(bar_labels[nb]), "[%d] %.30s/%.30s", i + 1, c->baseline,
                     c->candidate);
            bars[nb].label = bar_labels[nb];
            bars[nb].stat = &c->energy_per_token_ratio;
            bars[nb].estimated = c->estimated;
            snprintf(bars[nb].data_key, sizeof(bars[nb].data_key),
                     "sets[%d].comparisons[%d].energy_per_token_ratio", i, k);
            nb++;
        }
    jm__svg_bars(&b, "chart-compare-ratio", "Energy per token saving, baseline / candidate", "x",
                 bars, nb, 1.0, "1 = no saving");
    jm__buf_puts(&b, "</section>\n");
    jm__html_tail(&b);
    int rc = jm__buf_write(&b, path, err, err_len);
    jm__buf_free(&b);
    return rc;
}
