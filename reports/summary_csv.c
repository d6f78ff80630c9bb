/* summary_csv.c - summary.csv: one row per workload (median, interval of the
 * median, its coverage and the n it used for each figure, the interval's method, units in the column names, energy source and kind), then one
 * row per comparison, for spreadsheets. Layout in docs/results.md. */
#include <math.h>
#include <stdio.h>

#include "reports_internal.h"

static void put_num(jm__buf *b, double v) {
    jm__buf_puts(b, ",");
    if (isfinite(v))
        jm__buf_printf(b, "%.9g", v);
}

static void put_stat(jm__buf *b, const jm_stat *s) {
    put_num(b, s->median);
    put_num(b, s->ci_low);
    put_num(b, s->ci_high);
    put_num(b, s->ci_coverage);
    jm__buf_printf(b, ",%d", s->n); /* the runs (or pairs) the statistic used */
}

#define STAT_COLUMNS 5 /* median, ci_low, ci_high, ci_coverage, n */

/* The columns of `count` statistics that do not apply to this row. */
static void put_empty_stats(jm__buf *b, int count) {
    for (int i = 0; i < count * STAT_COLUMNS; i++)
        jm__buf_puts(b, ",");
}

int jm__write_summary_csv(const jm_results *r, const char *path, char *err, size_t err_len) {
    jm__buf b;
    jm__buf_init(&b);
    jm__buf_puts(&b, "row,name,candidate,params,active_params,flops_per_token,valid_runs");
    static const char *const stats[] = {"tokens_per_s", "avg_power_w", "mj_per_token",
                                        "tokens_per_j", "mj_per_token_above_idle",
                                        "energy_per_token_ratio"};
    for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
        jm__buf_printf(&b, ",%s_median,%s_ci_low,%s_ci_high,%s_ci_coverage,%s_n", stats[i],
                       stats[i], stats[i], stats[i], stats[i]);
    jm__buf_puts(&b, ",ci_method,params_ratio,flops_ratio,energy_source,energy_kind\n");
    for (int i = 0; i < r->n_workloads; i++) {
        const jm_workload_result *w = &r->workloads[i];
        const char *src = "";
        bool est = false;
        for (int k = 0; k < w->n_runs; k++) {
            est = est || w->runs[k].estimated;
            if (!src[0] && jm__run_counts(&w->runs[k]))
                src = w->runs[k].energy_source;
        }
        jm__buf_puts(&b, "workload,");
        { char label[JM_R_NAME_MAX + 32]; jm__buf_csv(&b, jm__workload_label(w, label, sizeof label)); }
        jm__buf_printf(&b, ",,%llu,%llu", (unsigned long long)w->params,
                       (unsigned long long)w->active_params);
        put_num(&b, w->flops_per_token);
        jm__buf_printf(&b, ",%d", w->summary.valid_runs);
        put_stat(&b, &w->summary.tokens_per_s);
        put_stat(&b, &w->summary.avg_power_w);
        put_stat(&b, &w->summary.mj_per_token);
        put_stat(&b, &w->summary.tokens_per_j);
        put_stat(&b, &w->summary.mj_per_token_above_idle);
        put_empty_stats(&b, 1); /* the comparison's ratio */
        jm__buf_printf(&b, ",%s,,,", jm_ci_method_name(w->summary.mj_per_token.ci_method));
        jm__buf_csv(&b, src);
        jm__buf_printf(&b, ",%s\n", est ? "estimated" : "measured");
    }
    for (int i = 0; i < r->n_comparisons; i++) {
        const jm_comparison *c = &r->comparisons[i];
        jm__buf_puts(&b, "comparison,");
        jm__buf_csv(&b, c->baseline);
        jm__buf_puts(&b, ",");
        jm__buf_csv(&b, c->candidate);
        jm__buf_printf(&b, ",,,,%d", c->energy_per_token_ratio.n);
        put_empty_stats(&b, 5); /* the workload figures */
        put_stat(&b, &c->energy_per_token_ratio);
        jm__buf_printf(&b, ",%s%s", jm_ci_method_name(c->energy_per_token_ratio.ci_method),
                       c->energy_per_token_ratio.log_scale ? " (log scale)" : "");
        put_num(&b, c->params_ratio);
        put_num(&b, c->flops_ratio);
        jm__buf_puts(&b, ",");
        jm__buf_csv(&b, c->energy_source);
        jm__buf_printf(&b, ",%s\n", c->estimated ? "estimated" : "measured");
    }
    int rc = jm__buf_write(&b, path, err, err_len);
    jm__buf_free(&b);
    return rc;
}
