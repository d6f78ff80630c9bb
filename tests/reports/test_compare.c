/* test_compare.c - several result sets side by side: terminal table and HTML
 * page (well-formed, values equal to each set's results). Also the terminal
 * summary of one set. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports.h"
#include "reports_fixture.h"
#include "reports_xml.h"

__attribute__((noinline)) static char *capture_summary(const jm_results *r, bool color) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    jm_results_print_summary(r, f, color);
    fclose(f);
    return text;
}

Test(summary, table_and_ratio_line) {
    jm_results r;
    jm_rfix_build(&r, false);
    char *t = capture_summary(&r, false);
    cr_assert(strstr(t, "dense-layer") && strstr(t, "moe-layer"));
    /* 6 runs: [min, max] of the order statistics, 96.875% (shown truncated) */
    cr_assert(strstr(t, "10.05 [96.87% order-statistic CI 9.8-10.4]"), "%s", t);
    cr_assert(strstr(t, "0.615 [96.87% order-statistic CI 0.59-0.64]"), "%s", t);
    cr_assert_null(strstr(t, "95%"), "no interval here reaches only 95%%: %s", t);
    cr_assert(strstr(t, "6/7"), "valid/testing runs: %s", t);
    cr_assert(strstr(t, "  dense-layer run 8 (testing) invalid: only 3 samples"), "%s", t);
    cr_assert_null(strstr(t, "ESTIMATED"));
    cr_assert_null(strstr(t, "\033["), "no colour codes when color is false");
    /* ends with the ratio line and its kernel-efficiency lines */
    char m[32];
    snprintf(m, sizeof(m), "ratio median %.3gx", r.comparisons[0].energy_per_token_ratio.median);
    char *last = strstr(t, "dense-layer vs moe-layer");
    cr_assert_not_null(last);
    cr_assert(strstr(last, m) && strstr(last, "[96.87% order-statistic CI 15.7-17.3x, log scale"),
              "%s", last);
    for (const char *l = strchr(last, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
        cr_assert(strncmp(l + 1, "  kernel efficiency: ", 21) == 0 ||
                      strncmp(l + 1, "  warning: ", 11) == 0,
                  "after the ratio line only its efficiency lines: %s", l + 1);
    free(t);
    jm_results_free(&r);
}

/* Sets every counted run of w to tokens_per_s, then summarizes and compares. */
static void set_speed(jm_results *r, int wi, double tokens_per_s) {
    for (int i = 0; i < r->workloads[wi].n_runs; i++)
        r->workloads[wi].runs[i].tokens_per_s = tokens_per_s;
    jm_results_summarize(r);
    jm_results_compare(r, "dense-layer", "moe-layer", NULL, 0);
}

Test(summary, kernel_efficiency_next_to_the_saving) {
    jm_results r;
    jm_rfix_build(&r, false);
    r.fma_peak_gflops = 200.0;
    r.fma_peak_gflops_1 = 100.0;
    r.fma_peak_threads = 2;
    snprintf(r.fma_peak_kernel, sizeof(r.fma_peak_kernel), "avx512_12x32");
    r.workloads[0].fma_peak_gflops = 200.0;
    r.workloads[1].fma_peak_gflops = 200.0;
    /* dense 136318976 FLOP/token at 1000 tokens/s = 136.3 GFLOP/s; MoE
     * 6324224 FLOP/token at 20000 tokens/s = 126.5 GFLOP/s: 1.08 apart */
    set_speed(&r, 0, 1000.0);
    set_speed(&r, 1, 20000.0);
    cr_assert_float_eq(r.workloads[0].summary.gflops, 136.318976, 1e-9);
    cr_assert_float_eq(r.workloads[0].summary.peak_share, 136.318976 / 200.0, 1e-12);
    cr_assert_float_eq(r.comparisons[0].gflops_ratio, 136.318976 / 126.48448, 1e-9);
    cr_assert(!r.comparisons[0].efficiency_differs);
    char *t = capture_summary(&r, false);
    cr_assert(strstr(t, "FMA peak 200.0 GFLOP/s on 2 thread(s)"), "%s", t);
    cr_assert(strstr(t, "136.3 GFLOP/s, 68% of peak"), "%s", t);
    cr_assert(strstr(t, "kernel efficiency: dense-layer 136.3 GFLOP/s, moe-layer 126.5 GFLOP/s "
                        "(ratio 1.08)"),
              "%s", t);
    cr_assert_null(strstr(t, "kernel-efficiency difference"), "%s", t);
    free(t);
    /* the MoE layer at 15000 tokens/s (94.9 GFLOP/s): 1.44 apart, flagged */
    set_speed(&r, 1, 15000.0);
    cr_assert(r.comparisons[0].efficiency_differs);
    t = capture_summary(&r, false);
    cr_assert(strstr(t, "warning: the two sides run at GFLOP/s more than 15% apart: this saving "
                        "is partly a kernel-efficiency difference"),
              "%s", t);
    free(t);
    /* and the other way round (the dense side slower) */
    set_speed(&r, 1, 20000.0);
    set_speed(&r, 0, 800.0);
    cr_assert(r.comparisons[0].efficiency_differs, "ratio %g", r.comparisons[0].gflops_ratio);
    /* report.html shows it next to the comparison */
    char dir[64], path[128];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    cr_assert_eq(jm_writer_find("html")->write(&r, path, NULL, 0), 0);
    char *html = jm_rfix_slurp(path);
    cr_assert(html && strstr(html, "GFLOP/s achieved (median)") &&
                  strstr(html, "data-key=\"comparisons[0].gflops_ratio\"") &&
                  strstr(html, "share of the FMA peak") &&
                  strstr(html, "this saving is partly a kernel-efficiency difference"),
              "%s", html ? html : "(no file)");
    free(html);
    remove(path);
    rmdir(dir);
    /* results.json carries it all and reads it back */
    cJSON *j = jm_results_to_json(&r);
    cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "fma_peak"), "gflops")->valuedouble,
                       200.0, 0.0);
    const cJSON *cmp = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "comparisons"), 0);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cmp, "kernel_efficiency_differs")));
    jm_results back;
    char err[256] = "";
    cr_assert_eq(jm_results_from_json(j, &back, err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(back.fma_peak_kernel, "avx512_12x32");
    cr_assert_eq(back.fma_peak_threads, 2);
    cr_assert_float_eq(back.fma_peak_gflops_1, 100.0, 0.0);
    cr_assert_float_eq(back.workloads[0].fma_peak_gflops, 200.0, 0.0);
    cr_assert_float_eq(back.workloads[1].summary.gflops, r.workloads[1].summary.gflops, 1e-12);
    cr_assert_float_eq(back.workloads[1].summary.peak_share, r.workloads[1].summary.peak_share,
                       1e-12);
    cr_assert_float_eq(back.comparisons[0].gflops_ratio, r.comparisons[0].gflops_ratio, 1e-12);
    cr_assert(back.comparisons[0].efficiency_differs);
    jm_results_free(&back);
    cJSON_Delete(j);
    jm_results_free(&r);
}

Test(summary, estimated_is_loud) {
    jm_results r;
    jm_rfix_build(&r, true);
    r.quick = true;
    r.complete = false;
    snprintf(r.incomplete_reason, sizeof(r.incomplete_reason), "interrupted by SIGINT");
    char *t = capture_summary(&r, true);
    cr_assert(strstr(t, "*** ESTIMATED"), "%s", t);
    cr_assert(strstr(t, "QUICK"));
    cr_assert(strstr(t, "INCOMPLETE: interrupted by SIGINT"));
    cr_assert(strstr(t, "\033[1;33m"));
    int count = 0;
    for (const char *s = strstr(t, "ESTIMATED"); s; s = strstr(s + 1, "ESTIMATED"))
        count++;
    cr_assert_geq(count, 4, "banner, both workloads and the ratio: %d", count);
    free(t);
    jm_results_free(&r);
}

Test(compare, terminal_and_html) {
    jm_results sets[2];
    jm_rfix_build(&sets[0], false);
    jm_rfix_build(&sets[1], true);
    /* the second machine is 2x worse on the MoE layer */
    sets[1].workloads[1].summary.mj_per_token.median *= 2;
    const char *labels[2] = {"results/a", "results/b&<c>"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    jm_compare_print(sets, labels, 2, f, false);
    fclose(f);
    cr_assert(strstr(text, "[1] results/a") && strstr(text, "[2] results/b&<c>"), "%s", text);
    cr_assert(strstr(text, "2x"), "vs first column: %s", text);
    cr_assert(strstr(text, "ESTIMATED"));
    free(text);

    char dir[256], path[400], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/compare.html", dir);
    cr_assert_eq(jm_compare_write_html(sets, labels, 2, path, err, sizeof(err)), 0, "%s", err);
    char *html = jm_rfix_slurp(path);
    jm_xml_doc doc;
    cr_assert_eq(jm_xml_parse(html, &doc, err, sizeof(err)), 0, "%s", err);
    int checked = 0;
    bool have_chart = false, have_banner = false;
    for (size_t i = 0; i < doc.n; i++) {
        const jm_xml_elem *e = &doc.elems[i];
        const char *id = jm_xml_attr(e, "id");
        if (id && strcmp(id, "chart-compare-mj-per-token") == 0)
            have_chart = true;
        if (id && strcmp(id, "estimated-banner") == 0)
            have_banner = true;
        const char *key = jm_xml_attr(e, "data-key");
        if (!key)
            continue;
        int s, w;
        char field[64], part[32];
        if (sscanf(key, "sets[%d].workloads[%d].summary.%63[a-z_].%31[a-z_0-9]", &s, &w, field,
                   part) != 4)
            continue;
        const jm_stat *st =
            strcmp(field, "mj_per_token") == 0   ? &sets[s].workloads[w].summary.mj_per_token
            : strcmp(field, "tokens_per_j") == 0 ? &sets[s].workloads[w].summary.tokens_per_j
            : strcmp(field, "tokens_per_s") == 0 ? &sets[s].workloads[w].summary.tokens_per_s
                                                 : &sets[s].workloads[w].summary.avg_power_w;
        double ref = strcmp(part, "median") == 0        ? st->median
                     : strcmp(part, "ci_low") == 0      ? st->ci_low
                     : strcmp(part, "ci_coverage") == 0 ? st->ci_coverage
                                                        : st->ci_high;
        double v = strtod(jm_xml_attr(e, "data-value"), NULL);
        cr_assert(fabs(v - ref) <= 1e-12 * fabs(ref), "%s: %g vs %g", key, v, ref);
        checked++;
    }
    cr_assert(have_chart && have_banner);
    cr_assert_geq(checked, 2 * 2 * 6, "%d", checked);
    jm_xml_free(&doc);
    free(html);
    jm_rfix_rmdir(dir);
    jm_results_free(&sets[0]);
    jm_results_free(&sets[1]);
}
