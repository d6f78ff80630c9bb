/* test_scenario.c - the scenario engine against independent oracles: early
 * stopping (LoadGen's published numbers and a brute-force binomial sum),
 * percentiles, the Poisson schedule's rate, and each scenario driven through
 * a virtual clock so every latency is known exactly. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- a fake SUT on a virtual clock: each sample takes service_ns ---- */
typedef struct fake {
    uint64_t t;
    uint64_t service_ns;
    int calls;
    int fail_at;      /* call number that fails (0 = never) */
    int stop_at;      /* call number after which *stop is set */
    volatile sig_atomic_t stop;
    uint64_t max_chunk;
} fake;

static uint64_t fake_now(void *ctx)
{
    return ((fake *)ctx)->t;
}

static void fake_sleep(void *ctx, uint64_t t)
{
    fake *f = ctx;
    if (t > f->t)
        f->t = t;
}

static int fake_issue(void *ctx, int n, char *err, size_t err_len)
{
    fake *f = ctx;
    f->calls++;
    if ((uint64_t)n > f->max_chunk)
        f->max_chunk = (uint64_t)n;
    if (f->fail_at && f->calls == f->fail_at) {
        snprintf(err, err_len, "kernel exploded");
        return -1;
    }
    f->t += f->service_ns * (uint64_t)n;
    if (f->stop_at && f->calls >= f->stop_at)
        f->stop = 1;
    return 0;
}

static jm_sut fake_sut(fake *f)
{
    jm_sut s = {.ctx = f, .issue = fake_issue, .stop = &f->stop,
                .clock = {.ctx = f, .now_ns = fake_now, .sleep_until_ns = fake_sleep}};
    return s;
}

/* ---- early stopping ---- */

/* brute force P(X <= t), X ~ Bin(h + t, 1 - p) */
static double binom_cdf(int h, int t, double p)
{
    int n = h + t;
    long double sum = 0, q = 1.0L - p;
    for (int k = 0; k <= t; k++) {
        long double c = 1;
        for (int i = 0; i < k; i++)
            c = c * (n - i) / (i + 1);
        sum += c * powl(q, k) * powl(p, n - k);
    }
    return (double)sum;
}

Test(early_stopping, odds_match_brute_force_binomial)
{
    int hs[] = {1, 5, 63, 64, 150, 300};
    int ts[] = {0, 1, 2, 7, 20};
    double ps[] = {0.9, 0.99};
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 5; b++)
            for (size_t c = 0; c < 2; c++) {
                double want = binom_cdf(hs[a], ts[b], ps[c]);
                double got = jm_early_stopping_odds(hs[a], ts[b], ps[c], 0.0);
                cr_expect(fabs(got - want) <= 1e-12 + 1e-9 * want,
                          "odds(%d,%d,%g) = %.15g, brute force %.15g", hs[a], ts[b], ps[c], got,
                          want);
            }
    /* closed form: t = 1, h = 63, p = 0.9 */
    double closed = pow(0.9, 64) + 64 * 0.1 * pow(0.9, 63);
    cr_expect(fabs(jm_early_stopping_odds(63, 1, 0.9, 0.0) - closed) < 1e-14);
}

Test(early_stopping, minimum_queries_are_loadgens)
{
    int64_t t, min_q;
    /* LoadGen: "Processed at least 64 queries" for the 90th percentile */
    cr_expect_not(jm_early_stopping_estimate(63, 0.90, &t, &min_q));
    cr_expect_eq(min_q, 64);
    cr_expect(jm_early_stopping_estimate(64, 0.90, &t, &min_q));
    cr_expect_eq(t, 1);
    /* MLPerf's MultiStream min_query_count 662 is the 99th percentile minimum */
    cr_expect_not(jm_early_stopping_estimate(661, 0.99, &t, &min_q));
    cr_expect_eq(min_q, 662);
    cr_expect_eq(jm_early_stopping_min_passing(1, 0.90, 0.0, 0.99), 63);
}

Test(early_stopping, discarded_queries_match_loadgen_logs)
{
    /* shared data: Orin SingleStream run_1 and ranging logs of LoadGen 3.0:
     * "Processed at least 64 queries (400518). Would discard 39609 highest
     * latency queries." and (398525) -> 39411. */
    int64_t t, min_q;
    cr_assert(jm_early_stopping_estimate(400518, 0.90, &t, &min_q));
    cr_expect_eq(t - 1, 39609, "discard %lld", (long long)(t - 1));
    cr_expect_eq(min_q, 64);
    cr_assert(jm_early_stopping_estimate(398525, 0.90, &t, &min_q));
    cr_expect_eq(t - 1, 39411, "discard %lld", (long long)(t - 1));
}

Test(early_stopping, estimate_is_consistent_with_min_passing)
{
    /* t is the largest count with min_passing(t) + t <= n */
    int64_t n = 5000, t, min_q;
    cr_assert(jm_early_stopping_estimate(n, 0.90, &t, &min_q));
    cr_expect_leq(jm_early_stopping_min_passing(t, 0.9, 0, 0.99) + t, n);
    cr_expect_gt(jm_early_stopping_min_passing(t + 1, 0.9, 0, 0.99) + t + 1, n);
}

/* ---- statistics of a finished result ---- */

Test(scenario_stats, percentiles_use_loadgens_index_rule)
{
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    s.min_duration_ms = 0;
    s.min_query_count = 1;
    jm_scenario_result r;
    memset(&r, 0, sizeof(r));
    uint64_t n = 1000;
    r.samples = r.queries = n;
    r.sample_latency_ns = malloc(n * sizeof(uint64_t));
    r.query_latency_ns = malloc(n * sizeof(uint64_t));
    for (uint64_t i = 0; i < n; i++) /* a permutation of 1..1000 */
        r.sample_latency_ns[i] = r.query_latency_ns[i] = (i * 7919) % n + 1;
    r.final_query_issued_s = 2.0;
    char err[256];
    cr_assert_eq(jm_scenario_result_finish(&s, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(r.min_latency_ns, 1);
    cr_expect_eq(r.max_latency_ns, 1000);
    cr_expect_eq(r.mean_latency_ns, 500); /* 500.5 truncated */
    uint64_t want[] = {501, 901, 951, 971, 991, 1000};
    for (int i = 0; i < JM_MLPERF_N_PERCENTILES; i++)
        cr_expect_eq(r.percentile_latency_ns[i], want[i], "p%g = %llu",
                     jm_mlperf_percentiles[i] * 100,
                     (unsigned long long)r.percentile_latency_ns[i]);
    cr_expect_eq(r.target_percentile_latency_ns, 901);
    /* early stopping estimate: sorted[n - t] = n - t + 1 */
    int64_t t, mq;
    jm_early_stopping_estimate((int64_t)n, 0.9, &t, &mq);
    cr_expect_eq(r.early_stopping_latency_ss, (uint64_t)(n - (uint64_t)t + 1));
    cr_expect(r.early_stopping_met);
    cr_expect(r.valid, "%s", r.invalid_reason);
    cr_expect_float_eq(r.qps_with_loadgen_overhead, 999.0 / 2.0, 1e-9);
    jm_scenario_result_free(&r);
}

Test(scenario_stats, empty_result_is_an_error)
{
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    jm_scenario_result r;
    memset(&r, 0, sizeof(r));
    char err[256] = "";
    cr_expect_neq(jm_scenario_result_finish(&s, &r, err, sizeof(err)), 0);
    cr_expect(strstr(err, "no query completed") != NULL, "%s", err);
}

/* ---- Poisson schedule ---- */

Test(poisson, rate_and_exponential_gaps)
{
    size_t n = 200000;
    double qps = 1000.0;
    uint64_t *t = malloc(n * sizeof(*t));
    jm_poisson_schedule(42, qps, t, n);
    /* the n-th arrival of a Poisson process: Gamma(n, 1/qps), sd sqrt(n)/qps */
    double last = (double)t[n - 1] / 1e9, mean = (double)n / qps, sd = sqrt((double)n) / qps;
    cr_expect(fabs(last - mean) < 4 * sd, "last arrival %.3f s, expected %.3f +- %.3f", last,
              mean, 4 * sd);
    /* exponential gaps: coefficient of variation 1; P(gap > mean gap) = e^-1 */
    double s1 = 0, s2 = 0;
    size_t above = 0;
    for (size_t i = 1; i < n; i++) {
        double g = (double)(t[i] - t[i - 1]) / 1e9;
        s1 += g;
        s2 += g * g;
        above += g > 1.0 / qps;
    }
    double m = s1 / (double)(n - 1), var = s2 / (double)(n - 1) - m * m;
    cr_expect(fabs(sqrt(var) / m - 1.0) < 0.02, "cv %.4f", sqrt(var) / m);
    cr_expect(fabs((double)above / (double)(n - 1) - exp(-1.0)) < 0.005);
    for (size_t i = 1; i < n; i++)
        cr_assert_geq(t[i], t[i - 1]);
    /* the seed fixes the schedule */
    uint64_t *u = malloc(n * sizeof(*u));
    jm_poisson_schedule(42, qps, u, n);
    cr_expect_arr_eq(t, u, n * sizeof(*t));
    jm_poisson_schedule(43, qps, u, n);
    cr_expect_neq(t[10], u[10]);
    free(t);
    free(u);
}

/* ---- the engine on a virtual clock ---- */

Test(engine, single_stream_runs_until_duration_and_count)
{
    fake f = {.service_ns = 1000000}; /* 1 ms per sample */
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    s.min_duration_ms = 100;
    s.min_query_count = 50;
    s.tokens_per_sample = 256;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    /* queries issued at 0, 1, ..., 100 ms: the one at 100 ms meets the duration */
    cr_expect_eq(r.queries, 101);
    cr_expect_eq(r.samples, 101);
    cr_expect_eq(r.tokens, 101 * 256);
    cr_expect_eq(r.percentile_latency_ns[1], 1000000);
    cr_expect_eq(r.early_stopping_latency_ss, 1000000);
    cr_expect(r.early_stopping_met);
    cr_expect(r.min_duration_met && r.min_queries_met && r.valid, "%s", r.invalid_reason);
    cr_expect_float_eq(r.final_query_issued_s, 0.100, 1e-12);
    cr_expect_float_eq(r.qps_without_loadgen_overhead, 1000.0, 1e-9);
    cr_expect(strstr(r.early_stopping_result, "Processed at least 64 queries (101)") != NULL,
              "%s", r.early_stopping_result);
    jm_scenario_result_free(&r);
}

Test(engine, multi_stream_issues_eight_samples_per_query)
{
    fake f = {.service_ns = 1000000};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_MULTI_STREAM, &s);
    s.min_duration_ms = 50;
    s.min_query_count = 10;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(s.samples_per_query, 8);
    cr_expect_eq(f.max_chunk, 8);
    /* queries at 0, 8, ..., 72 ms: the duration is met at the 8th, the count at the 10th */
    cr_expect_eq(r.queries, 10);
    cr_expect_eq(r.samples, 80);
    cr_expect_eq(r.percentile_query_latency_ns[4], 8000000);
    /* too few queries for the 99th percentile estimate: LoadGen says invalid */
    cr_expect_not(r.early_stopping_met);
    cr_expect_not(r.valid);
    cr_expect(strstr(r.invalid_reason, "early stopping") != NULL, "%s", r.invalid_reason);
    cr_expect(strstr(r.early_stopping_result, "at least 662 queries") != NULL, "%s",
              r.early_stopping_result);
    jm_scenario_result_free(&r);
}

Test(engine, offline_one_query_in_chunks)
{
    fake f = {.service_ns = 1000000};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    s.min_duration_ms = 100;
    s.min_query_count = 1;
    s.target_qps = 1000; /* 1.1 x 0.1 s x 1000/s = 110 samples */
    s.issue_max_samples = 10;
    s.tokens_per_sample = 64;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(s.samples_per_query, 110);
    cr_expect_eq(s.min_query_count, 1);
    cr_expect_eq(f.calls, 11);
    cr_expect_eq(f.max_chunk, 10);
    cr_expect_eq(r.queries, 1);
    cr_expect_eq(r.samples, 110);
    cr_expect_float_eq(r.max_latency_s, 0.110, 1e-12);
    cr_expect_float_eq(r.samples_per_second, 1000.0, 1e-9);
    cr_expect_float_eq(r.tokens_per_second, 64000.0, 1e-6);
    cr_expect_eq(r.min_latency_ns, 10000000); /* first chunk done at 10 ms */
    cr_expect_eq(r.max_latency_ns, 110000000);
    cr_expect(r.valid, "%s", r.invalid_reason);
    jm_scenario_result_free(&r);

    /* a too-low expected QPS gives a query shorter than min duration */
    fake g = {.service_ns = 1000000};
    sut = fake_sut(&g);
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    s.min_duration_ms = 100;
    s.min_query_count = 1;
    s.target_qps = 100; /* 11 samples = 11 ms */
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_not(r.min_duration_met);
    cr_expect_not(r.valid);
    cr_expect(strstr(r.invalid_reason, "min duration") != NULL, "%s", r.invalid_reason);
    jm_scenario_result_free(&r);
}

/* queue model oracle: done_i = max(arrival_i, done_{i-1}) + service */
static void server_case(double qps, uint64_t service_ns, uint64_t bound_ns, bool expect_valid)
{
    fake f = {.service_ns = service_ns};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SERVER, &s);
    s.min_duration_ms = 6000; /* > 459 queries: the early stopping minimum at p99 */
    s.min_query_count = 100;
    s.target_qps = qps;
    s.target_latency_ns = bound_ns;
    s.schedule_rng_seed = 7;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    uint64_t *arr = malloc(r.queries * sizeof(*arr));
    jm_poisson_schedule(7, qps, arr, r.queries);
    cr_expect_geq((double)arr[r.queries - 1], 6e9);
    cr_expect_lt((double)arr[r.queries - 2], 6e9);
    uint64_t done = 0, over = 0;
    for (uint64_t i = 0; i < r.queries; i++) {
        uint64_t start = arr[i] > done ? arr[i] : done;
        done = start + service_ns;
        cr_assert_eq(r.sample_latency_ns[i], done - arr[i], "query %llu",
                     (unsigned long long)i);
        over += done - arr[i] > bound_ns;
    }
    cr_expect_eq(r.overlatency_query_count, over);
    cr_expect_float_eq(r.completed_samples_per_sec, (double)(r.samples - 1) / (done / 1e9),
                       1e-9);
    cr_expect_eq(r.valid, expect_valid, "%s", r.invalid_reason);
    free(arr);
    jm_scenario_result_free(&r);
}

Test(engine, server_latency_counts_queuing)
{
    server_case(100.0, 2000000, 50000000, true); /* 20% load, 50 ms bound: holds */
    server_case(600.0, 2000000, 5000000, false); /* 120% load: the queue grows */
}

Test(engine, server_overload_reports_the_bound)
{
    fake f = {.service_ns = 2000000};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SERVER, &s);
    s.min_duration_ms = 1000;
    s.min_query_count = 10;
    s.target_qps = 1000;
    s.target_latency_ns = 5000000;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_not(r.perf_constraints_met);
    cr_expect(strstr(r.invalid_reason, "latency bound not met") != NULL, "%s",
              r.invalid_reason);
    cr_expect(strstr(r.early_stopping_result, "Run unsuccessful") != NULL);
    jm_scenario_result_free(&r);
}

Test(engine, sut_failure_is_reported)
{
    fake f = {.service_ns = 1000, .fail_at = 3};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    jm_scenario_result r;
    char err[256] = "";
    cr_expect_neq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0);
    cr_expect(strstr(err, "kernel exploded") != NULL, "%s", err);
    cr_expect(strstr(err, "SingleStream") != NULL, "%s", err);
    cr_expect_null(r.sample_latency_ns);
}

Test(engine, stop_flag_interrupts)
{
    fake f = {.service_ns = 1000000, .stop_at = 5};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(r.queries, 5);
    cr_expect(r.interrupted);
    cr_expect_not(r.valid);
    cr_expect(strstr(r.invalid_reason, "interrupted") != NULL, "%s", r.invalid_reason);
    jm_scenario_result_free(&r);
}

Test(engine, max_query_count_ends_the_run)
{
    fake f = {.service_ns = 1000000};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    s.max_query_count = 150;
    s.min_query_count = 100;
    jm_scenario_result r;
    char err[256];
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(r.queries, 150);
    cr_expect_not(r.min_duration_met); /* 10 s default min duration */
    jm_scenario_result_free(&r);
}

Test(settings, bad_settings_name_the_field)
{
    fake f = {.service_ns = 1};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_result r;
    char err[256];
    jm_scenario_settings_default(JM_SCENARIO_SERVER, &s);
    s.target_latency_ns = 0;
    cr_expect_neq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0);
    cr_expect(strstr(err, "target_latency_ns") != NULL, "%s", err);
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    s.target_latency_percentile = 1.0;
    cr_expect_neq(jm_scenario_settings_check(&s, err, sizeof(err)), 0);
    cr_expect(strstr(err, "target_latency_percentile") != NULL, "%s", err);
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    s.target_qps = 0;
    cr_expect_neq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0);
    cr_expect(strstr(err, "target_qps") != NULL, "%s", err);
    cr_expect_neq(jm_scenario_run(&s, NULL, &r, err, sizeof(err)), 0);
    jm_scenario_kind k;
    cr_expect_neq(jm_scenario_from_name("Offlin", &k, err, sizeof(err)), 0);
    cr_expect(strstr(err, "Offlin") != NULL);
    cr_expect_eq(jm_scenario_from_name("singlestream", &k, err, sizeof(err)), 0);
    cr_expect_eq(k, JM_SCENARIO_SINGLE_STREAM);
}

Test(settings, effective_settings_are_idempotent)
{
    jm_scenario_settings s, e1, e2;
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    s.min_query_count = 500;
    s.target_qps = 2.0;
    s.min_duration_ms = 10000; /* 22 samples wanted, 500 minimum */
    jm_scenario_settings_effective(&s, &e1);
    jm_scenario_settings_effective(&e1, &e2);
    cr_expect_eq(e1.samples_per_query, 500);
    cr_expect_eq(e1.min_query_count, 1);
    cr_expect_eq(e2.samples_per_query, 500);
}

/* ---- run rules ---- */

Test(run_rules, mlperf_and_quick)
{
    jm_scenario_settings s;
    jm_mlperf_rules_settings(JM_MLPERF_RULES_MLPERF, JM_SCENARIO_SINGLE_STREAM, &s);
    cr_expect_eq(s.min_duration_ms, 600000);
    cr_expect_eq(s.min_query_count, 1024);
    cr_expect_eq(s.qsl_rng_seed, 1780908523862526354ULL);
    cr_expect_eq(s.sample_index_rng_seed, 14771362308971278857ULL);
    cr_expect_eq(s.schedule_rng_seed, 18209322760996052031ULL);
    jm_mlperf_rules_settings(JM_MLPERF_RULES_MLPERF, JM_SCENARIO_MULTI_STREAM, &s);
    cr_expect_eq(s.min_query_count, 662);
    cr_expect_eq(s.samples_per_query, 8);
    cr_expect_float_eq(s.target_latency_percentile, 0.99, 1e-12);
    cr_expect(jm_mlperf_rules_compliant(JM_MLPERF_RULES_MLPERF));
    cr_expect_not(jm_mlperf_rules_compliant(JM_MLPERF_RULES_QUICK));
    jm_mlperf_rules_settings(JM_MLPERF_RULES_QUICK, JM_SCENARIO_SERVER, &s);
    cr_expect_lt(s.min_duration_ms, 600000);
    jm_mlperf_rules rules;
    char err[128];
    cr_expect_eq(jm_mlperf_rules_from_name("MLPerf", &rules, err, sizeof(err)), 0);
    cr_expect_eq(rules, JM_MLPERF_RULES_MLPERF);
    cr_expect_neq(jm_mlperf_rules_from_name("strict", &rules, err, sizeof(err)), 0);
    cr_expect(strstr(err, "strict") != NULL);
}

Test(run_rules, testing_run_sized_from_ranging)
{
    fake f = {.service_ns = 4000000}; /* 250 samples/s */
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings ranging, testing;
    jm_mlperf_rules_settings(JM_MLPERF_RULES_QUICK, JM_SCENARIO_OFFLINE, &ranging);
    ranging.issue_max_samples = 4;
    jm_scenario_result rr, tr;
    char err[256];
    cr_assert_eq(jm_scenario_run(&ranging, &sut, &rr, err, sizeof(err)), 0, "%s", err);
    cr_expect_not(rr.min_duration_met); /* expected 1 QPS: 2 samples, 8 ms */
    jm_mlperf_rules_testing_settings(&ranging, &rr, &testing);
    cr_expect_float_eq(testing.target_qps, 250.0, 1e-9);
    cr_assert_eq(jm_scenario_run(&testing, &sut, &tr, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(testing.samples_per_query, 550); /* 1.1 x 2 s x 250/s */
    cr_expect(tr.min_duration_met && tr.valid, "%s", tr.invalid_reason);
    jm_scenario_result_free(&rr);
    jm_scenario_result_free(&tr);
}

/* ---- from a run to its MLPerf log inputs ---- */

Test(scenario_mlperf, power_samples_cover_the_window)
{
    jm_sampler_point pts[10];
    memset(pts, 0, sizeof(pts));
    for (int i = 0; i < 10; i++) { /* every 100 ms; domain 0 at 10 W, domain 2 at 5 W */
        pts[i].t_ns = 1000000000ULL + (uint64_t)i * 100000000ULL;
        pts[i].energy_j[0] = 1.0 * i;
        pts[i].energy_j[2] = 0.5 * i;
    }
    int doms[] = {0, 2};
    jm_mlperf_power_sample *s;
    size_t n;
    char err[256];
    /* window [1.25 s, 1.55 s]: points at 1.2 .. 1.6 s */
    cr_assert_eq(jm_scenario_power_samples(pts, 10, doms, 2, 1250000000ULL, 1550000000ULL, 7,
                                           &s, &n, err, sizeof(err)),
                 0, "%s", err);
    cr_expect_eq(n, 5);
    cr_expect_eq(s[0].unix_ns, 1200000007LL);
    cr_expect_eq(s[4].unix_ns, 1600000007LL);
    cr_expect_float_eq(s[4].energy_j - s[0].energy_j, 1.5 * 4, 1e-12);
    free(s);
    cr_expect_neq(jm_scenario_power_samples(pts, 10, doms, 2, 500000000ULL, 1550000000ULL, 0, &s,
                                            &n, err, sizeof(err)),
                  0);
    cr_expect(strstr(err, "before its start") != NULL, "%s", err);
    cr_expect_neq(jm_scenario_power_samples(pts, 10, doms, 2, 1250000000ULL, 9000000000ULL, 0,
                                            &s, &n, err, sizeof(err)),
                  0);
    cr_expect(strstr(err, "after its end") != NULL, "%s", err);
    int bad[] = {99};
    cr_expect_neq(jm_scenario_power_samples(pts, 10, bad, 1, 0, 1, 0, &s, &n, err, sizeof(err)),
                  0);
}

Test(scenario_mlperf, run_fills_window_and_metric)
{
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SINGLE_STREAM, &s);
    jm_scenario_result r;
    memset(&r, 0, sizeof(r));
    r.queries = 400;
    r.t_start_ns = 5000000000ULL;
    r.t_end_ns = 15000000000ULL; /* 10 s */
    jm_mlperf_run run;
    char err[256];
    cr_assert_eq(jm_scenario_mlperf_run(&run, "moe-layer", "testing", "mlperf", &s, &r,
                                        1000000000000000000LL, true, 200.0, "rapl:package-0",
                                        false, err, sizeof(err)),
                 0, "%s", err);
    cr_expect_eq(run.power_begin_unix_ns, 1000000005000000000LL);
    cr_expect_eq(run.power_end_unix_ns, 1000000015000000000LL);
    cr_expect_float_eq(run.avg_power_w, 20.0, 1e-12);
    cr_expect_float_eq(run.power_metric, 500.0, 1e-9); /* 200 J x 1000 / 400 queries */
    cr_expect_str_eq(run.power_unit, "mJ/query");
    cr_expect(run.has_power);
    cr_expect_eq(run.result, &r);
    int64_t off = jm_mono_to_unix_offset_ns();
    cr_expect_gt(off, 1500000000LL * 1000000000LL); /* after 2017 */
}

/* ---- accuracy mode ---- */

Test(scenario_accuracy, samples_checked_against_fp64)
{
    jm_workload_shape shape = {.kind = JM_WORKLOAD_DENSE, .d_model = 32, .n_heads = 2,
                               .d_ff = 64, .seq_len = 8, .batch_seqs = 2, .threads = 1,
                               .seed = 5};
    jm_workload *w;
    char err[512];
    cr_assert_eq(jm_workload_create(&shape, &w, err, sizeof(err)), 0, "%s", err);
    jm_mlperf_accuracy acc;
    cr_assert_eq(jm_scenario_accuracy(w, "dense-layer", 100, 4, &acc, err, sizeof(err)), 0, "%s",
                 err);
    cr_expect_eq(acc.n_entries, 4);
    cr_expect(acc.passed, "rel err %g > tolerance %g", acc.rel_err, acc.tolerance);
    double worst = 0;
    for (int i = 0; i < 4; i++) { /* each entry is that sample's own relative error */
        double rel, logged;
        cr_assert_eq(jm_workload_verify(w, 100 + (uint64_t)i, 1, &rel, err, sizeof(err)), 0);
        memcpy(&logged, &acc.entry_data[i], sizeof(logged));
        cr_expect_eq(logged, rel, "sample %d", i);
        worst = rel > worst ? rel : worst;
    }
    cr_expect_eq(acc.rel_err, worst);
    cr_expect_gt(acc.rel_err, 0.0);
    cr_expect_neq(jm_scenario_accuracy(w, "dense-layer", 1, 65, &acc, err, sizeof(err)), 0);
    jm_workload_destroy(w);
}

Test(scenario_sut, workload_sut_runs_queries_in_batches)
{
    jm_workload_shape shape = {.kind = JM_WORKLOAD_MOE, .d_model = 32, .n_heads = 2, .d_ff = 32,
                               .n_experts = 4, .top_k = 2, .seq_len = 8, .batch_seqs = 3,
                               .threads = 1, .seed = 9};
    jm_workload *w;
    char err[512];
    cr_assert_eq(jm_workload_create(&shape, &w, err, sizeof(err)), 0, "%s", err);
    jm_workload_sut ws = {.w = w};
    jm_sut sut = {.ctx = &ws, .issue = jm_workload_sut_issue};
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_OFFLINE, &s);
    s.min_duration_ms = 0;
    s.min_query_count = 10; /* one query of 10 samples */
    s.tokens_per_sample = 8;
    jm_scenario_result r;
    cr_assert_eq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(r.samples, 10);
    cr_expect_eq(ws.calls, 4); /* 3 + 3 + 3 + 1 */
    cr_expect_eq(ws.total.tokens, 80);
    cr_expect_eq(r.tokens, 80);
    cr_expect_eq(ws.total.routed_assignments, 160); /* top-2 */
    jm_scenario_result_free(&r);
    jm_workload_destroy(w);
}

Test(engine, absurd_server_schedule_is_refused)
{
    fake f = {.service_ns = 1};
    jm_sut sut = fake_sut(&f);
    jm_scenario_settings s;
    jm_scenario_settings_default(JM_SCENARIO_SERVER, &s);
    s.target_qps = 1e9;
    s.min_duration_ms = 600000;
    jm_scenario_result r;
    char err[256] = "";
    cr_expect_neq(jm_scenario_run(&s, &sut, &r, err, sizeof(err)), 0);
    cr_expect(strstr(err, "target_qps") != NULL, "%s", err);
    cr_expect_eq(f.calls, 0);
}
