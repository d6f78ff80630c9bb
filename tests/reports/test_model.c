/* test_model.c - the result model: derived per-run figures, invalid runs,
 * summaries over valid testing runs and paired comparisons. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "reports_fixture.h"

Test(model, derive_figures) {
    jm_run_result run;
    memset(&run, 0, sizeof(run));
    run.valid = true;
    run.tokens = 4096;
    run.duration_s = 2.0;
    run.energy_j = 81.92;
    run.energy_above_idle_j = 61.92;
    jm_run_result_derive(&run);
    cr_assert_float_eq(run.tokens_per_s, 2048.0, 1e-9);
    cr_assert_float_eq(run.avg_power_w, 40.96, 1e-12);
    cr_assert_float_eq(run.tokens_per_j, 50.0, 1e-12);
    cr_assert_float_eq(run.mj_per_token, 20.0, 1e-12);
    /* tokens per joule equals tokens/s per watt */
    cr_assert_float_eq(run.tokens_per_j, run.tokens_per_s / run.avg_power_w, 1e-12);
    cr_assert_float_eq(run.mj_per_token_above_idle, 61.92e3 / 4096, 1e-12);
    cr_assert_float_eq(run.tokens_per_j_above_idle, 4096 / 61.92, 1e-12);
    cr_assert(run.valid);
}

Test(model, derive_invalidates_unresolved_runs) {
    jm_run_result run;
    memset(&run, 0, sizeof(run));
    run.valid = true;
    run.tokens = 100;
    run.duration_s = 1.0;
    run.energy_j = 0.0;
    run.energy_above_idle_j = -3.0;
    jm_run_result_derive(&run);
    cr_assert_not(run.valid);
    cr_assert(isnan(run.mj_per_token) && isnan(run.mj_per_token_above_idle));
    cr_assert_eq(run.n_invalid_reasons, 1);
    cr_assert(strstr(run.invalid_reasons[0], "energy 0 J is not positive"), "%s",
              run.invalid_reasons[0]);
    jm_run_result_derive(&run); /* same reason is not repeated */
    cr_assert_eq(run.n_invalid_reasons, 1);
    memset(&run, 0, sizeof(run));
    run.valid = true;
    run.duration_s = 0;
    run.energy_j = 5;
    jm_run_result_derive(&run);
    cr_assert_eq(run.n_invalid_reasons, 2); /* duration and tokens */
}

Test(model, invalidate_keeps_reasons_bounded) {
    jm_run_result run;
    memset(&run, 0, sizeof(run));
    run.valid = true;
    for (int i = 0; i < 12; i++)
        jm_run_result_invalidate(&run, "reason %d", i);
    cr_assert_not(run.valid);
    cr_assert_eq(run.n_invalid_reasons, 8);
    cr_assert_str_eq(run.invalid_reasons[0], "reason 0");
    cr_assert_str_eq(run.invalid_reasons[7], "more reasons (not all kept)");
}

Test(model, add_functions_number_runs_and_default_valid) {
    jm_results r;
    jm_results_init(&r);
    cr_assert_eq(r.schema_version, JM_RESULTS_SCHEMA_VERSION);
    jm_workload_result *w = jm_results_add_workload(&r);
    cr_assert_not_null(w);
    for (int i = 0; i < 5; i++) {
        jm_run_result *run = jm_workload_result_add_run(w);
        cr_assert_eq(run->index, i + 1);
        cr_assert(run->valid);
        cr_assert_str_eq(run->phase, "testing");
    }
    jm_meter_result *m = jm_results_add_meter(&r);
    cr_assert(m->available);
    for (int i = 0; i < 100; i++)
        cr_assert_not_null(jm_trace_add_mark(&r.trace, (uint64_t)i, "testing x"));
    cr_assert_eq(r.trace.n_marks, 100);
    cr_assert_eq(r.trace.marks[99].t_ns, 99);
    jm_results_free(&r);
    cr_assert_eq(r.n_workloads, 0);
    jm_results_free(&r); /* twice is harmless */
}

Test(model, summary_counts_only_valid_testing_runs) {
    jm_results r;
    jm_rfix_build(&r, false);
    const jm_workload_result *d = &r.workloads[0];
    cr_assert_eq(d->n_runs, 8); /* warm-up + 6 valid + 1 invalid */
    cr_assert_eq(d->summary.valid_runs, 6);
    jm_stat oracle;
    jm_stat_compute(jm_rfix_dense_mj, 6, &oracle);
    cr_assert_float_eq(d->summary.mj_per_token.median, oracle.median, 1e-12);
    cr_assert_float_eq(d->summary.mj_per_token.median, 10.05, 1e-12);
    cr_assert_float_eq(d->summary.mj_per_token.ci_low, 9.8, 1e-12);
    cr_assert_float_eq(d->summary.mj_per_token.ci_high, 10.4, 1e-12);
    cr_assert_float_eq(d->summary.avg_power_w.max, 10.4e-3 * JM_RFIX_TOKENS / 2.0, 1e-9);
    cr_assert_float_eq(d->summary.duration_s.median, 2.0, 1e-15);
    cr_assert_not(r.estimated);
    jm_results_free(&r);
}

Test(model, comparison_is_paired_ratio) {
    jm_results r;
    jm_rfix_build(&r, false);
    cr_assert_eq(r.n_comparisons, 1);
    const jm_comparison *c = &r.comparisons[0];
    double ratios[6];
    for (int i = 0; i < 6; i++)
        ratios[i] = jm_rfix_dense_mj[i] / jm_rfix_moe_mj[i];
    jm_stat oracle;
    jm_stat_compute_ratio(ratios, 6, &oracle);
    cr_assert_eq(c->energy_per_token_ratio.n, 6);
    cr_assert(c->energy_per_token_ratio.log_scale);
    cr_assert_float_eq(c->energy_per_token_ratio.ci_coverage, 0.96875, 1e-12);
    cr_assert_float_eq(c->energy_per_token_ratio.median, oracle.median, 1e-9);
    cr_assert_float_eq(c->energy_per_token_ratio.ci_low, oracle.ci_low, 1e-9);
    cr_assert_float_eq(c->energy_per_token_ratio.ci_high, oracle.ci_high, 1e-9);
    cr_assert(c->energy_per_token_ratio.median > 15 && c->energy_per_token_ratio.median < 17.5);
    cr_assert_float_eq(c->params_ratio, 68159488.0 / 68175872.0, 1e-15);
    cr_assert_float_eq(c->flops_ratio, 136318976.0 / 6324224.0, 1e-12);
    cr_assert_str_eq(c->energy_source, "rapl:package-0+dram-0 (measured)");
    cr_assert_not(c->estimated);
    /* comparing again recomputes in place */
    char err[256];
    cr_assert_eq(jm_results_compare(&r, "dense-layer", "moe-layer", err, sizeof(err)), 0);
    cr_assert_eq(r.n_comparisons, 1);
    jm_results_free(&r);
}

Test(model, comparison_unknown_name_is_an_error) {
    jm_results r;
    jm_rfix_build(&r, false);
    char err[256] = "";
    cr_assert_eq(jm_results_compare(&r, "dense-layer", "moe-layr", err, sizeof(err)), JM_R_EINVAL);
    cr_assert(strstr(err, "candidate") && strstr(err, "'moe-layr'") && strstr(err, "moe-layer"),
              "%s", err);
    cr_assert_eq(r.n_comparisons, 1);
    jm_results_free(&r);
}

Test(model, estimated_propagates) {
    jm_results r;
    jm_rfix_build(&r, true);
    cr_assert(r.estimated);
    cr_assert(r.comparisons[0].estimated);
    cr_assert(strstr(r.comparisons[0].energy_source, "ESTIMATED"));
    jm_results_free(&r);
}

Test(model, comparison_without_valid_runs_has_no_ratio) {
    jm_results r;
    jm_rfix_build(&r, false);
    for (int i = 0; i < r.workloads[1].n_runs; i++)
        jm_run_result_invalidate(&r.workloads[1].runs[i], "forced");
    char err[256];
    cr_assert_eq(jm_results_compare(&r, "dense-layer", "moe-layer", err, sizeof(err)), 0);
    cr_assert_eq(r.comparisons[0].energy_per_token_ratio.n, 0);
    cr_assert(isnan(r.comparisons[0].energy_per_token_ratio.median));
    jm_results_free(&r);
}

/* A workload named `name` whose testing runs (round i + 1) have mJ/token mj[i];
 * a run whose mj is NaN is invalid. */
static void add_workload(jm_results *r, const char *name, const double *mj, int n) {
    jm_workload_result *w = jm_results_add_workload(r);
    snprintf(w->name, sizeof(w->name), "%s", name);
    for (int i = 0; i < n; i++) {
        jm_run_result *run = jm_workload_result_add_run(w);
        snprintf(run->phase, sizeof(run->phase), "testing");
        run->valid = true;
        run->tokens = 1000;
        run->duration_s = 1.0;
        run->energy_j = isnan(mj[i]) ? 1.0 : mj[i]; /* 1000 tokens: J = mJ/token */
        run->energy_above_idle_j = run->energy_j / 2;
        jm_run_result_derive(run);
        if (isnan(mj[i]))
            jm_run_result_invalidate(run, "test: invalid run");
    }
}

/* Issue 11, n = 3: the t-interval printed "-0.11-8.11x" for ratios 2.09,
 * 4.87, 5.04. On a log scale with order statistics it is [min, max] at 75%. */
Test(model, three_pair_ratio_interval_is_positive) {
    jm_results r;
    jm_results_init(&r);
    add_workload(&r, "dense", (const double[]){20.9, 48.7, 50.4}, 3);
    add_workload(&r, "moe", (const double[]){10.0, 10.0, 10.0}, 3);
    jm_results_summarize(&r);
    char err[256];
    cr_assert_eq(jm_results_compare(&r, "dense", "moe", err, sizeof(err)), 0, "%s", err);
    const jm_stat *s = &r.comparisons[0].energy_per_token_ratio;
    cr_assert_eq(s->n, 3);
    cr_assert_float_eq(s->median, 4.87, 1e-12);
    cr_assert_float_eq(s->ci_low, 2.09, 1e-12);
    cr_assert_float_eq(s->ci_high, 5.04, 1e-12);
    cr_assert_float_eq(s->ci_coverage, 0.75, 1e-12);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    jm_results_print_summary(&r, f, false);
    fclose(f);
    cr_assert(strstr(text, "ratio median 4.87x [75% order-statistic CI 2.09-5.04x, log scale"),
              "%s", text);
    cr_assert_null(strstr(text, "-0.11"), "%s", text);
    cr_assert_null(strstr(text, "95%"), "%s", text);
    free(text);
    jm_results_free(&r);
}

/* Runs pair within their round: an invalid baseline run in round 2 drops the
 * pair of round 2 only (pairing by position would pair b3 with c2, ...). */
Test(model, invalid_run_drops_only_its_round) {
    jm_results r;
    jm_results_init(&r);
    add_workload(&r, "dense", (const double[]){10.0, NAN, 30.0, 40.0, 50.0}, 5);
    add_workload(&r, "moe", (const double[]){1.0, 2.0, 3.0, 4.0, 5.0}, 5);
    jm_results_summarize(&r);
    char err[256];
    cr_assert_eq(jm_results_compare(&r, "dense", "moe", err, sizeof(err)), 0, "%s", err);
    const jm_stat *s = &r.comparisons[0].energy_per_token_ratio;
    cr_assert_eq(s->n, 4);
    /* every same-round ratio is 10 */
    cr_assert_float_eq(s->min, 10.0, 1e-12);
    cr_assert_float_eq(s->max, 10.0, 1e-12);
    cr_assert_float_eq(s->median, 10.0, 1e-12);
    jm_results_free(&r);
}

Test(model, pair_ratios_by_round) {
    /* rounds given out of order, one round missing on each side, a repeat */
    const jm_round_value b[] = {{3, 9.0}, {1, 4.0}, {2, 6.0}, {5, 1.0}, {1, 100.0}, {4, 0.0}};
    const jm_round_value c[] = {{1, 2.0}, {2, 3.0}, {3, 3.0}, {4, 1.0}, {6, 1.0}};
    double ratios[6];
    int n = jm_pair_ratios(b, 6, c, 5, ratios);
    cr_assert_eq(n, 3); /* round 5 has no partner, round 4's baseline is 0, 6 has no baseline */
    cr_assert_float_eq(ratios[0], 3.0, 0);
    cr_assert_float_eq(ratios[1], 2.0, 0); /* round 1: the first baseline value */
    cr_assert_float_eq(ratios[2], 2.0, 0);
    cr_assert_eq(jm_pair_ratios(b, 0, c, 5, ratios), 0);
}
/* Numbers the fixture's valid testing runs k = 1..6 as rounds: k, or 7 - k
 * when reversed; returns the run of round `round` of w. */
static jm_run_result *number_rounds(jm_workload_result *w, bool reversed, int round) {
    jm_run_result *found = NULL;
    int k = 0;
    for (int i = 0; i < w->n_runs; i++)
        if (strcmp(w->runs[i].phase, "testing") == 0 && w->runs[i].valid) {
            k++;
            w->runs[i].round = reversed ? 7 - k : k;
            if (w->runs[i].round == round)
                found = &w->runs[i];
        }
    return found;
}

Test(model, interleaved_runs_pair_by_recorded_round) {
    jm_results r;
    jm_rfix_build(&r, false);
    jm_workload_result *dense = NULL, *moe = NULL;
    for (int i = 0; i < r.n_workloads; i++)
        if (strcmp(r.workloads[i].name, "dense-layer") == 0)
            dense = &r.workloads[i];
        else if (strcmp(r.workloads[i].name, "moe-layer") == 0)
            moe = &r.workloads[i];
    cr_assert(dense && moe);
    /* the candidate's k-th run is in round 7 - k: pairs follow the rounds, not the index */
    jm_run_result *dense_round2 = number_rounds(dense, false, 2);
    number_rounds(moe, true, 2);
    cr_assert(dense_round2);
    /* an invalid baseline run drops its own round's pair, not every later one */
    jm_run_result_invalidate(dense_round2, "forced");
    char err[256];
    cr_assert_eq(jm_results_compare(&r, "dense-layer", "moe-layer", err, sizeof(err)), 0);
    double ratios[5];
    int n = 0;
    for (int i = 0; i < 6; i++)
        if (i != 1)
            ratios[n++] = jm_rfix_dense_mj[i] / jm_rfix_moe_mj[5 - i];
    jm_stat oracle;
    jm_stat_compute_ratio(ratios, n, &oracle);
    const jm_comparison *c = &r.comparisons[0];
    cr_assert_eq(c->energy_per_token_ratio.n, 5);
    cr_assert_float_eq(c->energy_per_token_ratio.median, oracle.median, 1e-12);
    cr_assert_float_eq(c->energy_per_token_ratio.mean, oracle.mean, 1e-12);
    cr_assert_str_eq(c->pairing, "round");
    jm_results_free(&r);
}

/* MoE accounting: an assignment dropped by expert capacity did no expert
 * work. With top-2, 1000 tokens route 2000 assignments; 500 dropped leave
 * 750 tokens' worth of work, and the per-token figures count those. */
Test(model, dropped_assignments_are_not_processed_tokens) {
    jm_run_result run;
    memset(&run, 0, sizeof(run));
    run.valid = true;
    run.tokens = 1000;
    run.assignments = 2000;
    run.dropped_assignments = 500;
    run.duration_s = 2.0;
    run.energy_j = 15.0;
    run.energy_above_idle_j = 7.5;
    jm_run_result_derive(&run);
    cr_assert_float_eq(run.tokens_processed, 750.0, 1e-12);
    cr_assert_float_eq(run.tokens_per_s, 375.0, 1e-12);
    cr_assert_float_eq(run.tokens_per_j, 50.0, 1e-12);
    cr_assert_float_eq(run.mj_per_token, 20.0, 1e-12);
    cr_assert_float_eq(run.mj_per_token_above_idle, 10.0, 1e-12);
    cr_assert(run.valid);
    /* nothing dropped: every token counts */
    run.dropped_assignments = 0;
    jm_run_result_derive(&run);
    cr_assert_float_eq(run.tokens_processed, 1000.0, 0);
    /* everything dropped: no token processed, the run says why */
    run.dropped_assignments = 2000;
    jm_run_result_derive(&run);
    cr_assert_not(run.valid);
    cr_assert(strstr(run.invalid_reasons[0], "2000 token-expert assignments were dropped"), "%s",
              run.invalid_reasons[0]);
}
