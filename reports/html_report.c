/* html_report.c - report.html: one self-contained page (inline CSS and SVG,
 * no scripts, no network) built from the result model: banners for
 * estimated/quick/incomplete results, the summary table, the dense-vs-sparse
 * ratios with parameter and FLOP counts, energy-per-token and tokens-per-joule
 * charts, power over time, CO2e per million tokens by grid region, the system
 * and meters, and every run. The markup is well-formed XML (XHTML syntax) so
 * tests can parse it; numbers carry data-key (their results.json path) and
 * data-value (the exact value). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 "
    "1em;color:#222}"
    "h1{margin-bottom:0.2em}h2{border-bottom:1px solid #ccc;padding-bottom:0.2em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:0.5em 0;font-size:0.85em}"
    "td,th{border:1px solid #ccc;padding:0.25em 0.5em;text-align:left;vertical-align:top}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".banner{padding:0.8em 1em;margin:1em 0;font-weight:bold;border-radius:4px}"
    ".estimated-banner{background:#fff3cd;border:3px solid #d39e00;color:#7a5200;font-size:1.3em}"
    ".quick-banner,.incomplete-banner{background:#f8d7da;border:2px solid #c82333}"
    ".kind-estimated{color:#a05a00;font-weight:bold;text-transform:uppercase}"
    ".kind-measured{color:#1b6e2d;font-weight:bold}"
    ".invalid{color:#b00020}.ratio-big{font-size:2em;font-weight:bold}"
    ".meta{color:#555}.chart{display:block;margin:0.5em 0;font-size:12px}"
    ".chart-title{font-weight:bold;font-size:13px}pre{background:#f6f6f6;padding:0.6em;"
    "overflow:auto;max-height:30em}";

void jm__html_head(jm__buf *b, const char *title) {
    jm__buf_puts(b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                    "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    jm__buf_xml(b, title);
    jm__buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

void jm__html_tail(jm__buf *b) {
    jm__buf_puts(b, "<p class=\"meta\">Written by joulemark. Energy per token = energy over the "
                    "run / tokens; tokens per joule = tokens/s per W. Interval of the median: the "
                    "order-statistic interval with the coverage it achieves (95% or more from 6 "
                    "runs; [min, max] below, e.g. 93.75% for 5 runs); ratios on a log scale, "
                    "paired within a round (docs/results.md).</p>\n</body>\n</html>\n");
}

void jm__html_num_td(jm__buf *b, const char *fmt, double v, const char *key) {
    char txt[64];
    jm__buf_puts(b, "<td class=\"num\"");
    if (key) {
        jm__buf_puts(b, " data-key=\"");
        jm__buf_xml(b, key);
        if (isfinite(v))
            jm__buf_printf(b, "\" data-value=\"%.17g\"", v);
        else
            jm__buf_puts(b, "\" data-value=\"null\"");
    }
    jm__buf_printf(b, ">%s</td>", jm__fmt(txt, sizeof(txt), fmt, v));
}

void jm__html_ci_td(jm__buf *b, const jm_stat *s, const char *key) {
    char cov[16];
    jm__buf_puts(b, "<td class=\"ci\"");
    if (key) {
        jm__buf_puts(b, " data-key=\"");
        jm__buf_xml(b, key);
        if (isfinite(s->ci_coverage))
            jm__buf_printf(b, "\" data-value=\"%.17g\"", s->ci_coverage);
        else
            jm__buf_puts(b, "\" data-value=\"null\"");
    }
    if (s->ci_method == JM_CI_NONE)
        jm__buf_printf(b, ">no CI (n = %d)</td>", s->n);
    else
        jm__buf_printf(b, ">%s%% %s%s (n = %d)</td>",
                       jm__fmt_coverage(cov, sizeof(cov), s->ci_coverage),
                       jm_ci_method_name(s->ci_method), s->log_scale ? ", log scale" : "", s->n);
}

static void text_td(jm__buf *b, const char *s) {
    jm__buf_puts(b, "<td>");
    jm__buf_xml(b, s);
    jm__buf_puts(b, "</td>");
}

static void kind_td(jm__buf *b, bool estimated) {
    jm__buf_puts(b, estimated ? "<td class=\"kind-estimated\">ESTIMATED</td>"
                              : "<td class=\"kind-measured\">measured</td>");
}

static const char *workload_source(const jm_workload_result *w, bool *est) {
    const char *src = "";
    *est = false;
    for (int k = 0; k < w->n_runs; k++) {
        *est = *est || w->runs[k].estimated;
        if (!src[0] && jm__run_counts(&w->runs[k]))
            src = w->runs[k].energy_source;
    }
    return src;
}

static void stat_key(char *key, size_t len, int wi, const char *field, const char *part) {
    snprintf(key, len, "workloads[%d].summary.%s.%s", wi, field, part);
}

static void section_banners(jm__buf *b, const jm_results *r) {
    if (r->estimated)
        jm__buf_puts(b, "<div class=\"banner estimated-banner\" id=\"estimated-banner\">"
                        "ESTIMATED: some energy figures in this report come from a model of "
                        "power (no hardware energy meter was read). They are labelled ESTIMATED "
                        "wherever they appear and are not measurements.</div>\n");
    if (r->quick)
        jm__buf_puts(b, "<div class=\"banner quick-banner\" id=\"quick-banner\">QUICK run: "
                        "durations were shortened for a smoke test; do not compare these "
                        "numbers.</div>\n");
    if (!r->complete) {
        jm__buf_puts(b, "<div class=\"banner incomplete-banner\" id=\"incomplete-banner\">"
                        "INCOMPLETE: ");
        jm__buf_xml(b, r->incomplete_reason[0] ? r->incomplete_reason : "the run was interrupted");
        jm__buf_puts(b, "</div>\n");
    }
}

static void section_summary(jm__buf *b, const jm_results *r) {
    jm__buf_puts(
        b, "<section id=\"summary\">\n<h2>Summary</h2>\n<table id=\"summary-table\">\n"
           "<tr><th>workload</th><th>valid / testing runs</th><th>tokens/s</th><th>power (W)</th>"
           "<th>mJ/token (median)</th><th>CI low</th><th>CI high</th>"
           "<th>CI coverage, method</th>"
           "<th>tokens/J</th><th>mJ/token above idle</th><th>params</th>"
           "<th>active params</th><th>FLOP/token</th><th>energy source</th>"
           "<th>kind</th></tr>\n");
    char key[160];
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        bool est;
        const char *src = workload_source(w, &est);
        jm__buf_puts(b, "<tr>");
        { char label[JM_R_NAME_MAX + 32]; text_td(b, jm__workload_label(w, label, sizeof label)); }
        int testing = 0;
        for (int k = 0; k < w->n_runs; k++)
            testing += w->runs[k].phase[0] == '\0' || strcmp(w->runs[k].phase, "testing") == 0;
        jm__buf_printf(b, "<td class=\"num\">%d/%d</td>", w->summary.valid_runs, testing);
        stat_key(key, sizeof(key), i, "tokens_per_s", "median");
        jm__html_num_td(b, "%.1f", w->summary.tokens_per_s.median, key);
        stat_key(key, sizeof(key), i, "avg_power_w", "median");
        jm__html_num_td(b, "%.2f", w->summary.avg_power_w.median, key);
        stat_key(key, sizeof(key), i, "mj_per_token", "median");
        jm__html_num_td(b, "%.4g", w->summary.mj_per_token.median, key);
        stat_key(key, sizeof(key), i, "mj_per_token", "ci_low");
        jm__html_num_td(b, "%.4g", w->summary.mj_per_token.ci_low, key);
        stat_key(key, sizeof(key), i, "mj_per_token", "ci_high");
        jm__html_num_td(b, "%.4g", w->summary.mj_per_token.ci_high, key);
        stat_key(key, sizeof(key), i, "mj_per_token", "ci_coverage");
        jm__html_ci_td(b, &w->summary.mj_per_token, key);
        stat_key(key, sizeof(key), i, "tokens_per_j", "median");
        jm__html_num_td(b, "%.4g", w->summary.tokens_per_j.median, key);
        stat_key(key, sizeof(key), i, "mj_per_token_above_idle", "median");
        jm__html_num_td(b, "%.4g", w->summary.mj_per_token_above_idle.median, key);
        snprintf(key, sizeof(key), "workloads[%d].params", i);
        jm__html_num_td(b, "%.0f", (double)w->params, key);
        snprintf(key, sizeof(key), "workloads[%d].active_params", i);
        jm__html_num_td(b, "%.0f", (double)w->active_params, key);
        snprintf(key, sizeof(key), "workloads[%d].flops_per_token", i);
        jm__html_num_td(b, "%.4g", w->flops_per_token, key);
        text_td(b, src[0] ? src : "none");
        kind_td(b, est);
        jm__buf_puts(b, "</tr>\n");
    }
    jm__buf_puts(b, "</table>\n");
    /* above-idle figures that rest on fewer runs, or on none, say so */
    bool notes = false;
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        int n = w->summary.mj_per_token_above_idle.n, valid = w->summary.valid_runs;
        if (r->idle_reason[0] || n >= valid)
            continue;
        if (!notes)
            jm__buf_puts(b, "<ul id=\"above-idle-notes\">\n");
        notes = true;
        char label[JM_R_NAME_MAX + 32];
        jm__buf_puts(b, "<li>");
        jm__buf_xml(b, jm__workload_label(w, label, sizeof label));
        jm__buf_printf(b, ": mJ/token above idle uses %d of %d valid runs (in the others the "
                          "energy above idle is at or below 0)</li>\n",
                       n, valid);
    }
    if (notes)
        jm__buf_puts(b, "</ul>\n");
    if (r->idle_reason[0]) {
        jm__buf_puts(b, "<p id=\"idle-reason\">No idle baseline, so idle power and every "
                        "above-idle figure are unknown (empty): ");
        jm__buf_xml(b, r->idle_reason);
        jm__buf_puts(b, ".</p>\n");
    }
    jm__buf_puts(b, "</section>\n");
}

static void section_comparisons(jm__buf *b, const jm_results *r) {
    jm__buf_puts(b, "<section id=\"comparisons\">\n<h2>Dense vs sparse: energy per token "
                    "ratio</h2>\n");
    if (r->n_comparisons == 0)
        jm__buf_puts(b, "<p>No comparison was configured.</p>\n");
    jm__bar bars[16];
    char labels[16][2 * JM_R_NAME_MAX + 4];
    int nb = 0;
    char key[160];
    for (int i = 0; i < r->n_comparisons; i++) {
        const jm_comparison *c = &r->comparisons[i];
        const jm_workload_result *wb = jm__find_workload(r, c->baseline);
        const jm_workload_result *wc = jm__find_workload(r, c->candidate);
        const jm_stat *s = &c->energy_per_token_ratio;
        char m[32], ci_text[96];
        jm__buf_printf(b,
                       "<div class=\"comparison\" id=\"comparison-%d\">\n<p><span "
                       "class=\"ratio-big\"",
                       i);
        snprintf(key, sizeof(key), "comparisons[%d].energy_per_token_ratio.median", i);
        jm__buf_puts(b, " data-key=\"");
        jm__buf_puts(b, key);
        if (isfinite(s->median))
            jm__buf_printf(b, "\" data-value=\"%.17g\"", s->median);
        else
            jm__buf_puts(b, "\" data-value=\"null\"");
        jm__buf_printf(b, ">%s&#215;</span> ", jm__fmt(m, sizeof(m), "%.3g", s->median));
        jm__buf_xml(b, c->baseline);
        jm__buf_puts(b, " uses this many times the energy per token of ");
        jm__buf_xml(b, c->candidate);
        jm__buf_puts(b, " (median [");
        jm__buf_xml(b, jm__fmt_ci(ci_text, sizeof(ci_text), s, "%.3g", "x"));
        jm__buf_printf(b, ", log scale], %d paired runs%s)%s.</p>\n", s->n,
                       strcmp(c->pairing, "round") == 0
                           ? ", each pair from one round of interleaved runs"
                           : "",
                       c->estimated ? " <span class=\"kind-estimated\">ESTIMATED</span>" : "");
        jm__buf_printf(b, "<table class=\"comparison-table\">\n<tr><th></th><th>");
        jm__buf_xml(b, c->baseline);
        jm__buf_puts(b, " (baseline)</th><th>");
        jm__buf_xml(b, c->candidate);
        jm__buf_puts(b, " (candidate)</th><th>ratio baseline / candidate</th></tr>\n");
        int bi = wb ? (int)(wb - r->workloads) : -1, ci = wc ? (int)(wc - r->workloads) : -1;
        const struct {
            const char *label, *field, *fmt, *ratio_field;
            double vb, vc, ratio;
        } rows[] = {
            {"parameters", "params", "%.0f", "params_ratio", wb ? (double)wb->params : NAN,
             wc ? (double)wc->params : NAN, c->params_ratio},
            {"active parameters per token", "active_params", "%.0f", "active_params_ratio",
             wb ? (double)wb->active_params : NAN, wc ? (double)wc->active_params : NAN,
             c->active_params_ratio},
            {"FLOP per token", "flops_per_token", "%.4g", "flops_ratio",
             wb ? wb->flops_per_token : NAN, wc ? wc->flops_per_token : NAN, c->flops_ratio},
        };
        for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
            jm__buf_printf(b, "<tr><th>%s</th>", rows[k].label);
            char kb[160], kc[160], kr[160];
            snprintf(kb, sizeof(kb), "workloads[%d].%s", bi, rows[k].field);
            snprintf(kc, sizeof(kc), "workloads[%d].%s", ci, rows[k].field);
            snprintf(kr, sizeof(kr), "comparisons[%d].%s", i, rows[k].ratio_field);
            jm__html_num_td(b, rows[k].fmt, rows[k].vb, bi >= 0 ? kb : NULL);
            jm__html_num_td(b, rows[k].fmt, rows[k].vc, ci >= 0 ? kc : NULL);
            jm__html_num_td(b, "%.3g", rows[k].ratio, kr);
            jm__buf_puts(b, "</tr>\n");
        }
        jm__buf_puts(b, "<tr><th>mJ per token (median)</th>");
        stat_key(key, sizeof(key), bi, "mj_per_token", "median");
        jm__html_num_td(b, "%.4g", wb ? wb->summary.mj_per_token.median : NAN,
                        bi >= 0 ? key : NULL);
        stat_key(key, sizeof(key), ci, "mj_per_token", "median");
        jm__html_num_td(b, "%.4g", wc ? wc->summary.mj_per_token.median : NAN,
                        ci >= 0 ? key : NULL);
        jm__html_num_td(b, "%.3g", s->median, NULL);
        /* kernel efficiency next to the saving */
        char kb[160], kc[160], kr[160];
        jm__buf_puts(b, "</tr>\n<tr><th>GFLOP/s achieved (median)</th>");
        snprintf(kb, sizeof(kb), "workloads[%d].summary.gflops", bi);
        snprintf(kc, sizeof(kc), "workloads[%d].summary.gflops", ci);
        snprintf(kr, sizeof(kr), "comparisons[%d].gflops_ratio", i);
        jm__html_num_td(b, "%.1f", wb ? wb->summary.gflops : NAN, bi >= 0 ? kb : NULL);
        jm__html_num_td(b, "%.1f", wc ? wc->summary.gflops : NAN, ci >= 0 ? kc : NULL);
        jm__html_num_td(b, "%.3g", c->gflops_ratio, kr);
        jm__buf_puts(b, "</tr>\n<tr><th>share of the FMA peak</th>");
        snprintf(kb, sizeof(kb), "workloads[%d].summary.peak_share", bi);
        snprintf(kc, sizeof(kc), "workloads[%d].summary.peak_share", ci);
        jm__html_num_td(b, "%.2f", wb ? wb->summary.peak_share : NAN, bi >= 0 ? kb : NULL);
        jm__html_num_td(b, "%.2f", wc ? wc->summary.peak_share : NAN, ci >= 0 ? kc : NULL);
        jm__buf_puts(b, "<td></td>");
        jm__buf_puts(b, "</tr>\n<tr><th>energy source</th><td colspan=\"3\">");
        jm__buf_xml(b, c->energy_source[0] ? c->energy_source : "none");
        jm__buf_puts(b, "</td></tr>\n</table>\n");
        if (c->efficiency_differs)
            jm__buf_printf(b,
                           "<p class=\"warning\">The two sides run at GFLOP/s more than %.0f%% "
                           "apart (ratio %.2f): this saving is partly a kernel-efficiency "
                           "difference.</p>\n",
                           100.0 * (JM_EFFICIENCY_TOLERANCE - 1.0), c->gflops_ratio);
        jm__buf_puts(b, "</div>\n");
        if (nb < 16) {
            snprintf(bars[nb].data_key, sizeof(bars[nb].data_key),
                     "comparisons[%d].energy_per_token_ratio", i);
            snprintf(labels[nb], sizeof(labels[nb]), "%s / %s", c->baseline, c->candidate);
            bars[nb].label = labels[nb];
            bars[nb].stat = s;
            bars[nb].estimated = c->estimated;
            nb++;
        }
    }
    if (nb)
        jm__svg_bars(b, "chart-ratio", "Energy per token saving, baseline / candidate", "x", bars,
                     nb, 1.0, "1 = no saving");
    jm__buf_puts(b, "</section>\n");
}

static void section_charts(jm__buf *b, const jm_results *r) {
    jm__bar bars[64];
    int n = r->n_workloads < 64 ? r->n_workloads : 64;
    for (int i = 0; i < n; i++) {
        bool est;
        workload_source(&r->workloads[i], &est);
        bars[i].label = r->workloads[i].name;
        bars[i].stat = &r->workloads[i].summary.mj_per_token;
        bars[i].estimated = est;
        snprintf(bars[i].data_key, sizeof(bars[i].data_key), "workloads[%d].summary.mj_per_token",
                 i);
    }
    jm__buf_puts(b, "<section id=\"energy\">\n<h2>Energy per token</h2>\n");
    jm__svg_bars(b, "chart-mj-per-token", "Energy per token", "mJ/token", bars, n, 0, NULL);
    jm__buf_puts(b, "</section>\n<section id=\"efficiency\">\n<h2>Tokens per joule</h2>\n");
    for (int i = 0; i < n; i++) {
        bars[i].stat = &r->workloads[i].summary.tokens_per_j;
        snprintf(bars[i].data_key, sizeof(bars[i].data_key), "workloads[%d].summary.tokens_per_j",
                 i);
    }
    jm__svg_bars(b, "chart-tokens-per-j", "Tokens per joule (= tokens/s per W)", "tokens/J", bars,
                 n, 0, NULL);
    jm__buf_puts(b, "</section>\n<section id=\"power\">\n<h2>Power over time</h2>\n");
    jm__svg_power(b, "chart-power", &r->trace, r->estimated);
    jm__buf_puts(b, "</section>\n");
}

static void section_carbon(jm__buf *b, const jm_results *r) {
    int nreg;
    const jm_grid_region *reg = jm_report_regions(&nreg);
    jm__buf_puts(b, "<section id=\"carbon\">\n<h2>CO2e per million tokens by grid region</h2>\n"
                    "<p>g CO2e per million tokens = median mJ/token &#215; 1e6 tokens &#215; PUE "
                    "1.0 (energy as metered) &#215; grid intensity. The same run emits 100x more "
                    "or less depending on where it runs; apply a facility PUE and other regions "
                    "with <code>joulemark carbon --from</code>.</p>\n<table id=\"carbon-table\">"
                    "\n<tr><th>workload</th>");
    for (int k = 0; k < nreg; k++) {
        jm__buf_puts(b, "<th>");
        jm__buf_xml(b, reg[k].name);
        jm__buf_printf(b, "<br/>%.4g g/kWh (%d)</th>", reg[k].g_per_kwh, reg[k].year);
    }
    jm__buf_puts(b, "</tr>\n");
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        bool est;
        workload_source(w, &est);
        jm__buf_puts(b, "<tr><td>");
        { char label[JM_R_NAME_MAX + 32]; jm__buf_xml(b, jm__workload_label(w, label, sizeof label)); }
        if (est)
            jm__buf_puts(b, " <span class=\"kind-estimated\">ESTIMATED</span>");
        jm__buf_puts(b, "</td>");
        for (int k = 0; k < nreg; k++) {
            double g = jm_carbon_g_per_mtok(w->summary.mj_per_token.median, 1.0, reg[k].g_per_kwh);
            char txt[32];
            jm__buf_printf(b, "<td class=\"num co2e\" data-workload=\"%d\" data-region=\"", i);
            jm__buf_xml(b, reg[k].id);
            if (isfinite(g))
                jm__buf_printf(b, "\" data-value=\"%.17g\">", g);
            else
                jm__buf_puts(b, "\" data-value=\"null\">");
            jm__buf_printf(b, "%s</td>", jm__fmt(txt, sizeof(txt), "%.4g", g));
        }
        jm__buf_puts(b, "</tr>\n");
    }
    jm__buf_puts(b, "</table>\n<p class=\"meta\">Sources: ");
    for (int k = 0; k < nreg; k++) {
        if (k && strcmp(reg[k].source, reg[k - 1].source) == 0)
            continue;
        jm__buf_xml(b, reg[k].source);
        jm__buf_printf(b, " (%d, ", reg[k].year);
        jm__buf_xml(b, reg[k].license);
        jm__buf_puts(b, "). ");
    }
    jm__buf_puts(b, "</p>\n</section>\n");
}

/* Flattens a cJSON object into table rows "a.b[0].c | value". */
static void flatten(jm__buf *b, const cJSON *j, const char *prefix, int depth, int *rows) {
    if (*rows >= 300)
        return;
    if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
        if (depth > 6) {
            return;
        }
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, j) {
            char p[256];
            int n = cJSON_IsArray(j) ? snprintf(p, sizeof(p), "%s[%d]", prefix, i)
                                     : snprintf(p, sizeof(p), "%s%s%s", prefix,
                                                prefix[0] ? "." : "", c->string ? c->string : "");
            if (n > 0 && (size_t)n < sizeof(p)) /* too deep a path is not shown */
                flatten(b, c, p, depth + 1, rows);
            i++;
        }
        return;
    }
    char v[64];
    const char *val = v;
    if (cJSON_IsString(j))
        val = j->valuestring;
    else if (cJSON_IsNumber(j))
        snprintf(v, sizeof(v), "%.15g", j->valuedouble);
    else if (cJSON_IsBool(j))
        val = cJSON_IsTrue(j) ? "true" : "false";
    else
        val = "null";
    jm__buf_puts(b, "<tr>");
    text_td(b, prefix);
    text_td(b, val);
    jm__buf_puts(b, "</tr>\n");
    (*rows)++;
}

static void section_system(jm__buf *b, const jm_results *r) {
    jm__buf_puts(b, "<section id=\"meters\">\n<h2>Meters</h2>\n<table id=\"meters-table\">\n"
                    "<tr><th>meter</th><th>kind</th><th>available</th><th>domains (idle W)</th>"
                    "<th>source / model</th><th>reason or failure</th></tr>\n");
    for (int i = 0; i < r->n_meters; i++) {
        const jm_meter_result *m = &r->meters[i];
        jm__buf_puts(b, "<tr>");
        text_td(b, m->name);
        if (m->available && !m->primary && m->estimated && !r->estimated)
            jm__buf_puts(b, "<td class=\"kind-side\">estimate: side reading, not in the "
                            "figures</td>");
        else
            kind_td(b, m->estimated);
        text_td(b, m->available ? "yes" : "no");
        jm__buf_puts(b, "<td>");
        for (int d = 0; d < m->n_domains && d < JM_R_MAX_DOMAINS; d++) {
            char w[32];
            jm__buf_puts(b, d ? ", " : "");
            jm__buf_xml(b, m->domains[d]);
            jm__buf_printf(b, " (%s W)", jm__fmt(w, sizeof(w), "%.3g", m->idle_power_w[d]));
        }
        jm__buf_puts(b, "</td><td>");
        jm__buf_xml(b, m->source);
        if (m->model[0]) {
            jm__buf_puts(b, m->source[0] ? "; model: " : "model: ");
            jm__buf_xml(b, m->model);
        }
        jm__buf_puts(b, "</td><td>");
        jm__buf_xml(b, m->failed ? m->failure : m->reason);
        jm__buf_puts(b, "</td></tr>\n");
    }
    jm__buf_puts(b, "</table>\n</section>\n<section id=\"system\">\n<h2>System</h2>\n"
                    "<table id=\"system-table\">\n<tr><th>field</th><th>value</th></tr>\n");
    int rows = 0;
    if (r->system)
        flatten(b, r->system, "", 0, &rows);
    else
        jm__buf_puts(b, "<tr><td>system</td><td>not recorded</td></tr>\n");
    jm__buf_puts(b, "</table>\n</section>\n");
}

static void section_runs(jm__buf *b, const jm_results *r) {
    jm__buf_puts(b, "<section id=\"runs\">\n<h2>All runs</h2>\n<table id=\"runs-table\">\n"
                    "<tr><th>workload</th><th>run</th><th>phase</th><th>duration (s)</th>"
                    "<th>tokens</th><th>energy (J)</th><th>above idle (J)</th><th>power (W)</th>"
                    "<th>tokens/s</th><th>mJ/token</th><th>tokens/J</th><th>energy source</th>"
                    "<th>valid</th></tr>\n");
    char key[160];
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        for (int k = 0; k < w->n_runs; k++) {
            const jm_run_result *run = &w->runs[k];
            jm__buf_puts(b, "<tr>");
            { char label[JM_R_NAME_MAX + 32]; text_td(b, jm__workload_label(w, label, sizeof label)); }
            jm__buf_printf(b, "<td class=\"num\">%d</td>", run->index);
            text_td(b, run->phase);
#define RUN_TD(fmt, field)                                                                         \
    snprintf(key, sizeof(key), "workloads[%d].runs[%d].%s", i, k, #field);                         \
    jm__html_num_td(b, fmt, (double)run->field, key)
            RUN_TD("%.3f", duration_s);
            RUN_TD("%.0f", tokens);
            RUN_TD("%.4g", energy_j);
            RUN_TD("%.4g", energy_above_idle_j);
            RUN_TD("%.2f", avg_power_w);
            RUN_TD("%.1f", tokens_per_s);
            RUN_TD("%.4g", mj_per_token);
            RUN_TD("%.4g", tokens_per_j);
#undef RUN_TD
            jm__buf_puts(b, "<td>");
            jm__buf_xml(b, run->energy_source);
            if (run->estimated)
                jm__buf_puts(b, " <span class=\"kind-estimated\">ESTIMATED</span>");
            jm__buf_puts(b, "</td>");
            if (run->valid) {
                jm__buf_puts(b, "<td>yes</td>");
            } else {
                jm__buf_puts(b, "<td class=\"invalid\">no: ");
                for (int m = 0; m < run->n_invalid_reasons; m++) {
                    jm__buf_puts(b, m ? "; " : "");
                    jm__buf_xml(b, run->invalid_reasons[m]);
                }
                jm__buf_puts(b, "</td>");
            }
            jm__buf_puts(b, "</tr>\n");
        }
    }
    jm__buf_puts(b, "</table>\n</section>\n");
}

static void section_config(jm__buf *b, const jm_results *r) {
    jm__buf_puts(b, "<section id=\"config\">\n<h2>Configuration used</h2>\n<pre>");
    char *text = r->config ? cJSON_Print(r->config) : NULL;
    jm__buf_xml(b, text ? text : "not recorded");
    cJSON_free(text);
    jm__buf_puts(b, "</pre>\n</section>\n");
}

int jm__write_html(const jm_results *r, const char *path, char *err, size_t err_len) {
    jm__buf b;
    jm__buf_init(&b);
    jm__html_head(&b, "joulemark report");
    jm__buf_puts(&b, "<h1>joulemark report</h1>\n<p class=\"meta\">joulemark ");
    jm__buf_xml(&b, r->joulemark_version);
    if (r->git_describe[0]) {
        jm__buf_puts(&b, " (git ");
        jm__buf_xml(&b, r->git_describe);
        jm__buf_puts(&b, ")");
    }
    jm__buf_puts(&b, "; started ");
    jm__buf_xml(&b, r->started_utc[0] ? r->started_utc : "?");
    jm__buf_puts(&b, ", finished ");
    jm__buf_xml(&b, r->finished_utc[0] ? r->finished_utc : "?");
    jm__buf_puts(&b, "; config ");
    jm__buf_xml(&b, r->config_path[0] ? r->config_path : "?");
    jm__buf_puts(&b, "; run rules ");
    jm__buf_xml(&b, r->run_rules[0] ? r->run_rules : "?");
    jm__buf_printf(&b, "; schema %d</p>\n", r->schema_version);
    section_banners(&b, r);
    section_summary(&b, r);
    section_comparisons(&b, r);
    section_charts(&b, r);
    section_carbon(&b, r);
    section_system(&b, r);
    section_runs(&b, r);
    section_config(&b, r);
    jm__html_tail(&b);
    int rc = jm__buf_write(&b, path, err, err_len);
    jm__buf_free(&b);
    return rc;
}
