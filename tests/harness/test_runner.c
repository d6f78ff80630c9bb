/* test_runner.c - the runner against scripted fake meters (a null system):
 * energy attribution over runs equals the scripted power x time, idle
 * baseline subtraction, a meter failing mid-run invalidates only what it
 * should and keeps the other meter's data, interruption, comparisons. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "meters_fake.h"
#include "meters_tmp.h"

static char err[2048];

#define TINY_RULES                                                                                 \
    "\"run_rules\":{\"idle_s\":0.3,\"warmup_s\":0,\"duration_s\":0.3,\"repeats\":3,"              \
    "\"interval_ms\":10,\"min_samples\":3,\"threads\":1}"
#define TINY_LAYERS                                                                                \
    "\"defaults\":{\"d_model\":64,\"n_heads\":4,\"seq_len\":16,\"batch_seqs\":2},"                \
    "\"workloads\":[{\"name\":\"moe\",\"type\":\"moe\",\"d_ff\":32,\"n_experts\":4},"             \
    "{\"name\":\"dense\",\"type\":\"dense\",\"d_ff\":128}],"                                      \
    "\"comparisons\":[{\"baseline\":\"dense\",\"candidate\":\"moe\"}]"

static void parse_cfg(const char *text, jm_config *cfg)
{
    cr_assert_eq(jm_config_parse(text, "runner-test.json", cfg, err, sizeof err), 0, "%s", err);
}

static int run_with(jm_config *cfg, jm_meter *meters, int n, jm_results *res)
{
    jm_run_options opt = {.quick = false, .log = NULL, .preopened = meters,
                          .n_preopened = n};
    jm_results_init(res);
    jm_interrupted = 0;
    return jm_runner_execute(cfg, &opt, res, NULL, err, sizeof err);
}

Test(runner, energy_equals_scripted_power_times_duration, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{" TINY_RULES ",\"meters\":[\"rapl:root=/nonexistent\"]," TINY_LAYERS "}", &cfg);
    jm_meter m;
    jm_fake_meter_script script = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                   .n_domains = 2, .base_w = {10.0, 2.0}, .name = "fake"};
    cr_assert_eq(jm_fake_meter_open(&m, &script), JM_M_OK);
    snprintf(m.info.domains[0], sizeof m.info.domains[0], "package-0");
    snprintf(m.info.domains[1], sizeof m.info.domains[1], "core-0");
    m.info.roles[0].type = JM_DOMAIN_PACKAGE; /* as a RAPL meter types them */
    m.info.roles[1].type = JM_DOMAIN_CORE;
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    cr_expect(res.complete);
    cr_expect(!res.estimated);
    cr_assert_eq(res.n_workloads, 2);
    /* the idle baseline sees the scripted 10 W on package-0 */
    cr_expect_float_eq(res.meters[0].idle_power_w[0], 10.0, 0.2);
    for (int w = 0; w < res.n_workloads; w++) {
        cr_assert_eq(res.workloads[w].n_runs, 3);
        for (int i = 0; i < 3; i++) {
            const jm_run_result *run = &res.workloads[w].runs[i];
            cr_expect(run->valid, "%s run %d invalid: %s", res.workloads[w].name, i,
                      run->n_invalid_reasons ? run->invalid_reasons[0] : "");
            /* core-0 lies inside package-0: only package-0 is attributed */
            cr_expect_float_eq(run->energy_j, 10.0 * run->duration_s, 0.01 * run->energy_j,
                               "energy %.4f J over %.4f s", run->energy_j, run->duration_s);
            cr_expect_float_eq(run->avg_power_w, 10.0, 0.1);
            cr_expect(fabs(run->energy_above_idle_j) < 0.05 * run->energy_j,
                      "constant power: nothing above idle (%.4f)", run->energy_above_idle_j);
            cr_expect_float_eq(run->tokens_per_j, run->tokens_processed / run->energy_j, 1e-9);
            cr_expect_leq(run->tokens_processed, (double)run->tokens);
            cr_expect(strstr(run->energy_source, "fake:package-0 (measured)") != NULL, "%s",
                      run->energy_source);
            cr_expect_eq(run->n_domains, 2, "every domain is reported per run");
        }
    }
    cr_assert_eq(res.n_comparisons, 1);
    /* with equal power, the saving is the ratio of time per token */
    double tpt_dense = res.workloads[1].summary.mj_per_token.median;
    double tpt_moe = res.workloads[0].summary.mj_per_token.median;
    cr_expect_float_eq(res.comparisons[0].energy_per_token_ratio.median, tpt_dense / tpt_moe,
                       0.35 * tpt_dense / tpt_moe);
    cr_expect_gt(res.trace.n_points, 10);
    cr_expect_gt(res.trace.n_marks, 6);
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}

Test(runner, failing_meter_keeps_other_meter_data, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{" TINY_RULES ",\"meters\":[\"rapl:root=/nonexistent\"]," TINY_LAYERS "}", &cfg);
    jm_meter m[2];
    /* the primary meter dies after 60 reads (~0.6 s at 10 ms: during the first workload) */
    jm_fake_meter_script dying = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                  .n_domains = 1, .base_w = {20.0}, .fail_after_reads = 60,
                                  .name = "dying"};
    jm_fake_meter_script wall = {.quantity = JM_METER_POWER, .kind = JM_METER_MEASURED,
                                 .n_domains = 1, .base_w = {50.0}, .name = "wall"};
    cr_assert_eq(jm_fake_meter_open(&m[0], &dying), JM_M_OK);
    cr_assert_eq(jm_fake_meter_open(&m[1], &wall), JM_M_OK);
    jm_results res;
    cr_assert_eq(run_with(&cfg, m, 2, &res), JM_EXIT_OK, "%s", err);
    cr_expect(res.meters[0].failed, "the dying meter is reported failed");
    cr_expect(!res.meters[1].failed);
    /* the last run of the last workload comes after the failure: invalid, with the reason */
    const jm_workload_result *last = &res.workloads[res.n_workloads - 1];
    const jm_run_result *run = &last->runs[last->n_runs - 1];
    cr_expect(!run->valid);
    bool mentions = false;
    for (int k = 0; k < run->n_invalid_reasons; k++)
        mentions |= strstr(run->invalid_reasons[k], "dying") != NULL;
    cr_expect(mentions, "reason names the failed meter");
    /* the wall meter's domain energy is intact for that run: 50 W x duration */
    bool found = false;
    for (int d = 0; d < run->n_domains; d++)
        if (strcmp(run->domains[d].meter, "wall") == 0) {
            found = true;
            cr_expect_float_eq(run->domains[d].energy_j, 50.0 * run->duration_s,
                               0.03 * 50.0 * run->duration_s);
        }
    cr_expect(found);
    jm_results_free(&res);
    jm_meter_close(&m[0]);
    jm_meter_close(&m[1]);
    jm_config_free(&cfg);
}

static void *interrupt_later(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 700 * 1000000L};
    nanosleep(&ts, NULL);
    jm_interrupted = SIGINT;
    return NULL;
}

Test(runner, interrupt_marks_incomplete_and_keeps_runs, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0.2,\"warmup_s\":0,\"duration_s\":20,\"repeats\":5,"
              "\"interval_ms\":10,\"threads\":1},\"meters\":[\"rapl:root=/nonexistent\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    jm_meter m;
    jm_fake_meter_script s = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                              .n_domains = 1, .base_w = {5.0}, .name = "fake"};
    cr_assert_eq(jm_fake_meter_open(&m, &s), JM_M_OK);
    jm_run_options opt = {.log = NULL, .preopened = &m, .n_preopened = 1};
    jm_results res;
    jm_results_init(&res);
    jm_interrupted = 0;
    pthread_t th;
    pthread_create(&th, NULL, interrupt_later, NULL);
    int rc = jm_runner_execute(&cfg, &opt, &res, NULL, err, sizeof err);
    pthread_join(th, NULL);
    jm_interrupted = 0;
    cr_expect_eq(rc, JM_EXIT_OK);
    cr_expect(!res.complete);
    cr_expect(strstr(res.incomplete_reason, "interrupted") != NULL, "%s", res.incomplete_reason);
    cr_assert_eq(res.n_workloads, 1);
    cr_assert_eq(res.workloads[0].n_runs, 1, "stops after the interrupted run");
    const jm_run_result *run = &res.workloads[0].runs[0];
    cr_expect_gt(run->tokens, 0);
    cr_expect(!run->valid);
    cr_expect_float_eq(run->energy_j, 5.0 * run->duration_s, 0.02 * run->energy_j + 0.01);
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}

Test(runner, too_few_samples_is_invalid_with_reason, .timeout = 60)
{
    jm_config cfg;
    /* one-second sampling against 0.1 s runs: the meter cannot resolve them */
    parse_cfg("{\"run_rules\":{\"idle_s\":0,\"warmup_s\":0,\"duration_s\":0.1,\"repeats\":2,"
              "\"interval_ms\":1000,\"min_samples\":5,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    jm_meter m;
    jm_fake_meter_script s = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                              .n_domains = 1, .base_w = {5.0}, .name = "fake"};
    cr_assert_eq(jm_fake_meter_open(&m, &s), JM_M_OK);
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    const jm_run_result *run = &res.workloads[0].runs[0];
    cr_expect(!run->valid);
    bool mentions = false;
    for (int k = 0; k < run->n_invalid_reasons; k++)
        mentions |= strstr(run->invalid_reasons[k], "meter samples") != NULL;
    cr_expect(mentions, "%s", run->n_invalid_reasons ? run->invalid_reasons[0] : "no reason");
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}

Test(runner, estimate_only_is_labelled, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0.1,\"warmup_s\":0,\"duration_s\":0.2,\"repeats\":2,"
              "\"interval_ms\":10,\"min_samples\":3,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\",\"estimate\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    jm_results res;
    cr_assert_eq(run_with(&cfg, NULL, 0, &res), JM_EXIT_OK, "%s", err);
    cr_expect(res.estimated);
    cr_expect(!res.meters[0].available);
    cr_expect(res.meters[1].estimated);
    const jm_run_result *run = &res.workloads[0].runs[0];
    cr_expect(run->estimated);
    cr_expect(strstr(run->energy_source, "ESTIMATED") != NULL, "%s", run->energy_source);
    jm_results_free(&res);
    jm_config_free(&cfg);
}


/* The trace mark after marks[i] (its "end"), or NULL. */
static const jm_trace_mark *next_mark(const jm_results *res, size_t i)
{
    return i + 1 < res->trace.n_marks ? &res->trace.marks[i + 1] : NULL;
}

Test(runner, testing_runs_interleave_in_rotated_rounds, .timeout = 60)
{
    jm_config cfg;
    /* warm-up shorter than a testing run: the ranging run still covers a testing run's work */
    parse_cfg("{\"run_rules\":{\"idle_s\":0,\"warmup_s\":0.05,\"duration_s\":0.3,\"repeats\":3,"
              "\"interval_ms\":10,\"min_samples\":3,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\"]," TINY_LAYERS "}",
              &cfg);
    jm_meter m;
    jm_fake_meter_script script = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                   .n_domains = 1, .base_w = {10.0}, .name = "fake"};
    cr_assert_eq(jm_fake_meter_open(&m, &script), JM_M_OK);
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    cr_assert_eq(res.n_workloads, 2);
    const jm_workload_result *moe = &res.workloads[0], *dense = &res.workloads[1];
    cr_assert_eq(moe->n_runs, 3);
    cr_assert_eq(dense->n_runs, 3);
    for (int k = 0; k < 3; k++) {
        cr_expect_eq(moe->runs[k].round, k + 1);
        cr_expect_eq(dense->runs[k].round, k + 1);
        /* rotated: round 1 moe dense, round 2 dense moe, round 3 moe dense */
        const jm_run_result *first = k % 2 == 0 ? &moe->runs[k] : &dense->runs[k];
        const jm_run_result *second = k % 2 == 0 ? &dense->runs[k] : &moe->runs[k];
        cr_expect_lt(first->t1_ns, second->t0_ns, "round %d order", k + 1);
        if (k > 0) /* every run of a round before the next round */
            cr_expect_lt(moe->runs[k - 1].t1_ns > dense->runs[k - 1].t1_ns
                             ? moe->runs[k - 1].t1_ns
                             : dense->runs[k - 1].t1_ns,
                         first->t0_ns);
    }
    /* each workload is ranged once, before its first testing run, for a testing run's work */
    int ranged_moe = 0, ranged_dense = 0;
    for (size_t i = 0; i < res.trace.n_marks; i++) {
        const jm_trace_mark *mk = &res.trace.marks[i];
        if (strncmp(mk->label, "ranging", 7) != 0)
            continue;
        const jm_trace_mark *end = next_mark(&res, i);
        cr_assert(end && strcmp(end->label, "end") == 0);
        cr_expect_geq((double)(end->t_ns - mk->t_ns) / 1e9, 0.3, "%s lasts %.3f s", mk->label,
                      (double)(end->t_ns - mk->t_ns) / 1e9);
        bool is_moe = strstr(mk->label, "moe") != NULL;
        const jm_workload_result *w = is_moe ? moe : dense;
        cr_expect_lt(mk->t_ns, w->runs[0].t0_ns);
        ranged_moe += is_moe;
        ranged_dense += !is_moe;
    }
    cr_expect_eq(ranged_moe, 1);
    cr_expect_eq(ranged_dense, 1);
    cr_assert_eq(res.n_comparisons, 1);
    cr_expect_str_eq(res.comparisons[0].pairing, "round");
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}

Test(runner, replayed_trace_gap_invalidates_the_runs_it_covers, .timeout = 60)
{
    /* a 50 W trace at 5 Hz with a 30 s hole (10 s .. 40 s), replayed at x10:
     * dense for 1 s, then 3 s without a point, then dense again (x10 rather
     * than faster leaves a loaded machine time to finish runs before the hole) */
    char dir[256];
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    size_t cap = 64 * 1024, used = 0;
    char *text = malloc(cap);
    for (int i = 0; i <= 400; i++) {
        double t = i * 0.2;
        if (t > 10.0 && t < 40.0)
            continue;
        used += (size_t)snprintf(text + used, cap - used, "%.1f,50\n", 1000.0 + t);
    }
    cr_assert_eq(jm_mtmp_write(dir, "gap.csv", text), 0);
    free(text);
    char spec_text[512];
    snprintf(spec_text, sizeof spec_text, "replay:file=%s/gap.csv,speed=10", dir);
    jm_meter_spec spec;
    cr_assert_eq(jm_meter_spec_parse(spec_text, &spec, err, sizeof err), JM_M_OK, "%s", err);
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0,\"warmup_s\":0,\"duration_s\":0.2,\"repeats\":14,"
              "\"interval_ms\":10,\"min_samples\":3,\"threads\":1,\"verify\":false},"
              "\"meters\":[\"rapl:root=/nonexistent\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    uint64_t t_open = jm_now_ns();
    jm_meter m;
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s", err);
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    uint64_t gap0 = t_open + 1020000000u, gap1 = t_open + 3980000000u;
    int inside = 0, outside = 0;
    for (int i = 0; i < res.workloads[0].n_runs; i++) {
        const jm_run_result *run = &res.workloads[0].runs[i];
        if (run->t0_ns >= gap0 && run->t1_ns <= gap1) {
            inside++;
            cr_expect(!run->valid, "run %d lies in the trace's hole yet is valid", run->index);
        } else if (run->t1_ns < t_open + 980000000u) {
            outside++;
            cr_expect(run->valid, "run %d before the hole: %s", run->index,
                      run->n_invalid_reasons ? run->invalid_reasons[0] : "");
        }
    }
    cr_expect_gt(inside, 0, "some run must lie inside the hole");
    cr_expect_gt(outside, 0, "some run must lie before the hole");
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
    jm_mtmp_remove(dir);
}

Test(runner, no_idle_baseline_gives_null_idle_with_reason, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0,\"warmup_s\":0,\"duration_s\":0.2,\"repeats\":2,"
              "\"interval_ms\":10,\"min_samples\":3,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\"]," TINY_LAYERS "}",
              &cfg);
    jm_meter m;
    jm_fake_meter_script script = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                   .n_domains = 1, .base_w = {10.0}, .name = "fake"};
    cr_assert_eq(jm_fake_meter_open(&m, &script), JM_M_OK);
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    cr_expect(strstr(res.idle_reason, "idle_s is 0") != NULL, "idle_reason: '%s'",
              res.idle_reason);
    cr_expect(isnan(res.meters[0].idle_power_w[0]), "idle power %g, not unknown",
              res.meters[0].idle_power_w[0]);
    for (int w = 0; w < res.n_workloads; w++)
        for (int i = 0; i < res.workloads[w].n_runs; i++) {
            const jm_run_result *run = &res.workloads[w].runs[i];
            cr_expect(run->valid, "the total stays valid: %s",
                      run->n_invalid_reasons ? run->invalid_reasons[0] : "");
            cr_expect(isnan(run->energy_above_idle_j), "above idle %g is not the total %g",
                      run->energy_above_idle_j, run->energy_j);
            cr_expect(isnan(run->mj_per_token_above_idle));
            cr_expect(isnan(run->domains[0].idle_power_w));
        }
    cr_expect_eq(res.workloads[0].summary.mj_per_token_above_idle.n, 0);
    cr_expect_eq(res.comparisons[0].energy_per_token_ratio_above_idle.n, 0);
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}

Test(runner, uncovered_idle_window_gives_null_idle_with_reason, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0.3,\"warmup_s\":0,\"duration_s\":0.1,\"repeats\":1,"
              "\"interval_ms\":10,\"min_samples\":3,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    jm_meter m[2];
    /* the primary meter stops answering 0.05 s into the 0.3 s idle window */
    jm_fake_meter_script dying = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                  .n_domains = 1, .base_w = {20.0}, .fail_after_reads = 5,
                                  .name = "dying"};
    jm_fake_meter_script wall = {.quantity = JM_METER_POWER, .kind = JM_METER_MEASURED,
                                 .n_domains = 1, .base_w = {50.0}, .name = "wall"};
    cr_assert_eq(jm_fake_meter_open(&m[0], &dying), JM_M_OK);
    cr_assert_eq(jm_fake_meter_open(&m[1], &wall), JM_M_OK);
    jm_results res;
    cr_assert_eq(run_with(&cfg, m, 2, &res), JM_EXIT_OK, "%s", err);
    cr_expect(strstr(res.idle_reason, "dying") && strstr(res.idle_reason, "idle window"),
              "idle_reason: '%s'", res.idle_reason);
    cr_expect(isnan(res.meters[0].idle_power_w[0]), "idle power %g, not unknown",
              res.meters[0].idle_power_w[0]);
    cr_expect_float_eq(res.meters[1].idle_power_w[0], 50.0, 1.0, "the other meter's baseline");
    const jm_run_result *run = &res.workloads[0].runs[0];
    cr_expect(isnan(run->energy_above_idle_j));
    jm_results_free(&res);
    jm_meter_close(&m[0]);
    jm_meter_close(&m[1]);
    jm_config_free(&cfg);
}

/* A meter whose phase change takes 1.5 s (an analyzer's range change): the
 * window opens after it returned and closes before the end's, so a 2 s run
 * lasts 2 s whichever meter is attached, and is valid. */
Test(runner, window_opens_after_a_slow_meter_phase, .timeout = 60)
{
    jm_config cfg;
    parse_cfg("{\"run_rules\":{\"idle_s\":0,\"warmup_s\":0,\"duration_s\":2,\"repeats\":1,"
              "\"interval_ms\":10,\"min_samples\":5,\"threads\":1},"
              "\"meters\":[\"rapl:root=/nonexistent\"],"
              "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":32,\"n\":32,\"k\":32}]}",
              &cfg);
    jm_meter m;
    jm_fake_meter_script script = {.quantity = JM_METER_ENERGY, .kind = JM_METER_MEASURED,
                                   .n_domains = 1, .base_w = {10.0}, .phase_delay_ms = 1500,
                                   .name = "slow"};
    cr_assert_eq(jm_fake_meter_open(&m, &script), JM_M_OK);
    uint64_t started = jm_now_ns();
    jm_results res;
    cr_assert_eq(run_with(&cfg, &m, 1, &res), JM_EXIT_OK, "%s", err);
    cr_expect_str_eq(jm_fake_meter_phases(&m), "+testing -testing");
    const jm_run_result *run = &res.workloads[0].runs[0];
    cr_expect(run->valid, "%s", run->n_invalid_reasons ? run->invalid_reasons[0] : "");
    /* the begin's 1.5 s lie before the window */
    cr_expect_geq(run->t0_ns, started + 1500000000u, "window opened %.3f s after the start",
                  (double)(run->t0_ns - started) / 1e9);
    /* the end's 1.5 s lie after it: the last phase call began after the window closed */
    uint64_t entered, returned;
    jm_fake_meter_last_phase(&m, &entered, &returned);
    cr_expect_geq(entered, run->t1_ns);
    cr_expect_geq(returned - entered, 1500000000u);
    /* the configured 2 s are the measured work's 2 s (whole batches: the last one may end
     * a little after 2 s on a loaded machine; either phase inside would add 1.5 s) */
    cr_expect(run->duration_s >= 2.0 && run->duration_s < 2.4, "a 2 s run lasted %.3f s",
              run->duration_s);
    cr_expect_float_eq(run->tokens_per_s, (double)run->tokens / run->duration_s, 1e-9);
    cr_expect_float_eq(run->avg_power_w, 10.0, 0.2);
    jm_results_free(&res);
    jm_meter_close(&m);
    jm_config_free(&cfg);
}
