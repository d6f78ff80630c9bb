/* test_mlperf_logs.c - the LoadGen log writers and parsers: every scenario's
 * detail log carries its required keys and reads back to the values written
 * (seeds exactly), the summary states validity, accuracy outputs hash their
 * log, and the parser reads a real LoadGen 3.0 log (shared data). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports.h"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/jm_test_mlperf_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(mlperf_logs, .init = make_dir, .fini = remove_dir);

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static uint64_t lat[100];

static void fill(jm_scenario_kind sc, jm_scenario_result *r, jm_mlperf_run *run, bool valid)
{
    memset(r, 0, sizeof(*r));
    memset(run, 0, sizeof(*run));
    for (int i = 0; i < 100; i++)
        lat[i] = 1000000 + (uint64_t)i * 1000;
    r->scenario = sc;
    r->queries = 100;
    r->samples = sc == JM_SCENARIO_MULTI_STREAM ? 800 : 100;
    r->tokens = r->samples * 256;
    r->t_start_ns = 5000000000ULL;
    r->t_end_ns = 5000000000ULL + 700000000ULL;
    r->max_latency_s = 0.7;
    r->final_query_issued_s = r->final_query_scheduled_s = 0.69;
    r->min_latency_ns = 1000000;
    r->max_latency_ns = 1099000;
    r->mean_latency_ns = 1049500;
    for (int i = 0; i < JM_MLPERF_N_PERCENTILES; i++)
        r->percentile_latency_ns[i] = r->percentile_query_latency_ns[i] =
            lat[(int)(100 * jm_mlperf_percentiles[i])];
    r->target_percentile_latency_ns = lat[90];
    r->samples_per_second = 142.857142857;
    r->completed_samples_per_sec = 141.5;
    r->scheduled_samples_per_sec = 143.25;
    r->qps_with_loadgen_overhead = 143.4;
    r->qps_without_loadgen_overhead = 952.8;
    r->early_stopping_met = valid;
    r->early_stopping_latency_ss = 1095000;
    r->early_stopping_latency_ms = 1099000;
    snprintf(r->early_stopping_result, sizeof(r->early_stopping_result),
             " * Processed at least 64 queries (100).  * Would discard 4 highest latency "
             "queries.  * Early stopping 90th percentile estimate: 1095000");
    r->min_duration_met = valid;
    r->min_queries_met = true;
    r->perf_constraints_met = true;
    r->valid = valid;
    if (!valid)
        snprintf(r->invalid_reason, sizeof(r->invalid_reason), "min duration not met: ran 0.7 s");
    snprintf(run->benchmark, sizeof(run->benchmark), "moe-layer");
    snprintf(run->sut_name, sizeof(run->sut_name), "joulemark-test");
    snprintf(run->phase, sizeof(run->phase), "testing");
    snprintf(run->rules, sizeof(run->rules), "mlperf");
    snprintf(run->joulemark_version, sizeof(run->joulemark_version), "0.1.0");
    run->settings.scenario = sc;
    run->settings.samples_per_query = sc == JM_SCENARIO_MULTI_STREAM ? 8 : 1;
    run->settings.min_duration_ms = 600000;
    run->settings.min_query_count = 662;
    run->settings.target_qps = 150.5;
    run->settings.target_latency_ns = sc == JM_SCENARIO_SERVER ? 10000000 : 0;
    run->settings.target_latency_percentile = sc == JM_SCENARIO_SINGLE_STREAM ? 0.9 : 0.99;
    run->settings.qsl_rng_seed = 1780908523862526354ULL;
    run->settings.sample_index_rng_seed = 14771362308971278857ULL;
    run->settings.schedule_rng_seed = 18209322760996052031ULL;
    run->settings.performance_sample_count = 16;
    run->settings.total_sample_count = 16;
    run->settings.tokens_per_sample = 256;
    run->result = r;
    run->start_unix_ns = 1677219720638000000LL;
    run->has_power = true;
    run->power_begin_unix_ns = 1677219720638000000LL;
    run->power_end_unix_ns = 1677220320640000000LL;
    run->energy_j = 8888.5;
    run->avg_power_w = 14.814;
    run->power_metric = 22.19;
    snprintf(run->power_unit, sizeof(run->power_unit), "mJ/query");
    snprintf(run->energy_source, sizeof(run->energy_source), "rapl:package-0 (measured)");
}

static void load(jm_mlperf_log *log)
{
    char path[512], err[512];
    snprintf(path, sizeof(path), "%s/mlperf_log_detail.txt", dir);
    cr_assert_eq(jm_mlperf_log_load(path, log, err, sizeof(err)), JM_R_OK, "%s", err);
}

Test(mlperf_logs, every_scenario_has_its_keys_and_round_trips)
{
    for (int k = 0; k < JM_SCENARIO_COUNT; k++) {
        jm_scenario_kind sc = (jm_scenario_kind)k;
        jm_scenario_result r;
        jm_mlperf_run run;
        fill(sc, &r, &run, true);
        char err[512];
        cr_assert_eq(jm_mlperf_write_logs(&run, dir, err, sizeof(err)), JM_R_OK, "%s", err);
        jm_mlperf_log log;
        load(&log);
        for (const char *const *key = jm_mlperf_required_keys(sc); *key; key++)
            cr_expect_not_null(jm_mlperf_log_get(&log, *key), "%s: key %s missing",
                               jm_scenario_name(sc), *key);
        cr_expect_str_eq(jm_mlperf_log_get(&log, "effective_scenario")->valuestring,
                         jm_scenario_name(sc));
        cr_expect_str_eq(jm_mlperf_log_get(&log, "result_validity")->valuestring, "VALID");
        cr_expect_null(jm_mlperf_log_get(&log, "result_invalid_reason"));
        uint64_t seed;
        cr_assert_eq(jm_mlperf_log_get_u64(&log, "effective_schedule_rng_seed", &seed), JM_R_OK);
        cr_expect_eq(seed, 18209322760996052031ULL);
        cr_assert_eq(jm_mlperf_log_get_u64(&log, "effective_sample_index_rng_seed", &seed),
                     JM_R_OK);
        cr_expect_eq(seed, 14771362308971278857ULL);
        uint64_t v;
        cr_assert_eq(jm_mlperf_log_get_u64(&log, "result_99.00_percentile_latency_ns", &v),
                     JM_R_OK);
        cr_expect_eq(v, lat[99]);
        cr_assert_eq(jm_mlperf_log_get_u64(&log, "effective_min_duration_ms", &v), JM_R_OK);
        cr_expect_eq(v, 600000);
        cr_expect_str_eq(jm_mlperf_log_get(&log, "power_begin")->valuestring,
                         "02-24-2023 06:22:00.638");
        cr_expect_str_eq(jm_mlperf_log_get(&log, "power_end")->valuestring,
                         "02-24-2023 06:32:00.640");
        if (sc == JM_SCENARIO_OFFLINE)
            cr_expect_eq(jm_mlperf_log_get(&log, "result_samples_per_second")->valuedouble,
                         142.857142857);
        if (sc == JM_SCENARIO_SERVER)
            cr_expect_eq(jm_mlperf_log_get(&log, "result_completed_samples_per_sec")->valuedouble,
                         141.5);
        if (sc == JM_SCENARIO_SINGLE_STREAM) {
            cr_assert_eq(jm_mlperf_log_get_u64(&log, "early_stopping_latency_ss", &v), JM_R_OK);
            cr_expect_eq(v, 1095000);
        }
        if (sc == JM_SCENARIO_MULTI_STREAM) {
            cr_assert_eq(jm_mlperf_log_get_u64(&log, "early_stopping_latency_ms", &v), JM_R_OK);
            cr_expect_eq(v, 1099000);
        }
        cr_expect_eq(jm_mlperf_log_get(&log, "joulemark_energy_j")->valuedouble, 8888.5);
        cr_expect_eq(log.n_errors, 0);
        jm_mlperf_log_free(&log);

        char path[512];
        snprintf(path, sizeof(path), "%s/mlperf_log_summary.txt", dir);
        char *text = read_all(path, NULL);
        cJSON *sum;
        cr_assert_eq(jm_mlperf_summary_parse(text, &sum, err, sizeof(err)), JM_R_OK, "%s", err);
        cr_expect_str_eq(cJSON_GetObjectItem(sum, "Result is")->valuestring, "VALID");
        cr_expect_str_eq(cJSON_GetObjectItem(sum, "Scenario")->valuestring,
                         jm_scenario_name(sc));
        cr_expect_str_eq(cJSON_GetObjectItem(sum, "schedule_rng_seed")->valuestring,
                         "18209322760996052031");
        cr_expect_str_eq(cJSON_GetObjectItem(sum, "Min duration satisfied")->valuestring, "Yes");
        cr_expect(strstr(text, "Test Parameters Used") != NULL);
        cJSON_Delete(sum);
        free(text);
    }
}

Test(mlperf_logs, invalid_run_says_why)
{
    jm_scenario_result r;
    jm_mlperf_run run;
    fill(JM_SCENARIO_SINGLE_STREAM, &r, &run, false);
    char err[512];
    cr_assert_eq(jm_mlperf_write_logs(&run, dir, err, sizeof(err)), JM_R_OK, "%s", err);
    jm_mlperf_log log;
    load(&log);
    cr_expect_str_eq(jm_mlperf_log_get(&log, "result_validity")->valuestring, "INVALID");
    cr_expect(cJSON_IsFalse(jm_mlperf_log_get(&log, "result_min_duration_met")));
    const cJSON *why = jm_mlperf_log_get(&log, "result_invalid_reason");
    cr_assert_not_null(why);
    cr_expect(strstr(why->valuestring, "min duration") != NULL);
    jm_mlperf_log_free(&log);
    char path[512];
    snprintf(path, sizeof(path), "%s/mlperf_log_summary.txt", dir);
    char *text = read_all(path, NULL);
    cr_expect(strstr(text, "Result is : INVALID") != NULL);
    cr_expect(strstr(text, "  Min duration satisfied : NO") != NULL);
    cr_expect(strstr(text, " * Would discard 4 highest latency queries.\n") != NULL, "%s", text);
    free(text);
}

Test(mlperf_logs, accuracy_outputs_hash_their_log)
{
    jm_mlperf_accuracy acc;
    memset(&acc, 0, sizeof(acc));
    snprintf(acc.benchmark, sizeof(acc.benchmark), "dense-layer");
    acc.seed = 1780908523862526354ULL;
    acc.n_samples = 64;
    acc.rel_err = 3.5e-7;
    acc.tolerance = 1e-4;
    acc.passed = true;
    acc.n_entries = 64;
    for (int i = 0; i < 64; i++)
        acc.entry_data[i] = 0x0123456789abcdefULL * (uint64_t)(i + 1);
    char err[512];
    cr_assert_eq(jm_mlperf_write_accuracy(&acc, dir, err, sizeof(err)), JM_R_OK, "%s", err);
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/mlperf_log_accuracy.json", dir);
    char *json = read_all(path, &len);
    cr_expect_leq(len, 10240);
    cJSON *arr = cJSON_Parse(json);
    cr_assert(cJSON_IsArray(arr));
    cr_expect_eq(cJSON_GetArraySize(arr), 64);
    cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "data")->valuestring,
                     "0123456789ABCDEF");
    cJSON_Delete(arr);
    char want[80], hex[65];
    jm_sha256_hex(json, len, hex);
    snprintf(want, sizeof(want), "hash=%s\n", hex);
    free(json);
    snprintf(path, sizeof(path), "%s/accuracy.txt", dir);
    char *txt = read_all(path, NULL);
    cr_expect(strstr(txt, want) != NULL, "%s", txt);
    cr_expect(strstr(txt, "accuracy: PASS") != NULL);
    cr_expect(strstr(txt, "relative_error: 3.500000e-07") != NULL, "%s", txt);
    free(txt);
    acc.n_entries = 65;
    cr_expect_eq(jm_mlperf_write_accuracy(&acc, dir, err, sizeof(err)), JM_R_EINVAL);
}

Test(mlperf_logs, parser_rejects_malformed_logs)
{
    jm_mlperf_log log;
    char err[512];
    cr_expect_eq(jm_mlperf_log_parse("hello\n", &log, err, sizeof(err)), JM_R_EPARSE);
    cr_expect(strstr(err, ":::MLLOG") != NULL);
    cr_expect_eq(jm_mlperf_log_parse(":::MLLOG {\"key\": \"a\", \"value\": 1}\ngarbage\n", &log,
                                     err, sizeof(err)),
                 JM_R_EPARSE);
    cr_expect(strstr(err, "line 2") != NULL, "%s", err);
    cr_expect_eq(jm_mlperf_log_parse(":::MLLOG {\"key\": \"a\"}\n", &log, err, sizeof(err)),
                 JM_R_EPARSE);
    cr_expect_eq(jm_mlperf_log_load("/nonexistent/log.txt", &log, err, sizeof(err)), JM_R_EIO);
    cJSON *o;
    cr_expect_eq(jm_mlperf_summary_parse("nothing here", &o, err, sizeof(err)), JM_R_EPARSE);
    jm_scenario_kind k;
    cr_expect_neq(jm_scenario_from_name("Batch", &k, err, sizeof(err)), JM_R_OK);
}

Test(mlperf_logs, reads_a_real_loadgen_log)
{
    jm_mlperf_log log;
    char err[512];
    cr_assert_eq(jm_mlperf_log_load(JM_SHARED_DATA_DIR "/mlperf-power/Orin_TRT_MaxQ/resnet50/"
                                                       "SingleStream/performance/run_1/"
                                                       "mlperf_log_detail.txt",
                                    &log, err, sizeof(err)),
                 JM_R_OK, "%s", err);
    uint64_t v;
    cr_assert_eq(jm_mlperf_log_get_u64(&log, "effective_qsl_rng_seed", &v), JM_R_OK);
    cr_expect_eq(v, 10003631887983097364ULL);
    cr_assert_eq(jm_mlperf_log_get_u64(&log, "early_stopping_latency_ss", &v), JM_R_OK);
    cr_expect_eq(v, 1637696);
    cr_assert_eq(jm_mlperf_log_get_u64(&log, "result_query_count", &v), JM_R_OK);
    cr_expect_eq(v, 400518);
    cr_expect_str_eq(jm_mlperf_log_get(&log, "result_validity")->valuestring, "VALID");
    /* LoadGen 3.0 lacks a few keys newer versions log; the rest are there */
    int missing = 0;
    for (const char *const *key = jm_mlperf_required_keys(JM_SCENARIO_SINGLE_STREAM); *key; key++)
        if (!jm_mlperf_log_get(&log, *key)) {
            cr_expect(strcmp(*key, "effective_sample_concatenate_permutation") == 0 ||
                          strcmp(*key, "num_errors") == 0,
                      "real log lacks %s", *key);
            missing++;
        }
    cr_expect_leq(missing, 2);
    jm_mlperf_log_free(&log);
}
