/* test_mlperf_power.c - the MLPerf power figures against the MLCommons
 * checker's published numbers for a real v3.0 power submission (shared data:
 * Orin_TRT_MaxQ resnet50), the power time format, and SHA-256 vectors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports.h"
#include "reports_fixture.h"

static char why[256]; /* jm_time_stamp_parse's message */

#define ORIN JM_SHARED_DATA_DIR "/mlperf-power/Orin_TRT_MaxQ/resnet50"

static void window(const char *detail, int64_t *b, int64_t *e)
{
    jm_mlperf_log log;
    char err[512];
    cr_assert_eq(jm_mlperf_log_load(detail, &log, err, sizeof(err)), JM_R_OK, "%s", err);
    const cJSON *pb = jm_mlperf_log_get(&log, "power_begin");
    const cJSON *pe = jm_mlperf_log_get(&log, "power_end");
    cr_assert(cJSON_IsString(pb) && cJSON_IsString(pe));
    cr_assert_eq(jm_time_stamp_parse(pb->valuestring, NULL, b, why, sizeof why), 0, "%s", why);
    cr_assert_eq(jm_time_stamp_parse(pe->valuestring, NULL, e, why, sizeof why), 0, "%s", why);
    jm_mlperf_log_free(&log);
}

Test(mlperf_power, offline_average_matches_the_checker)
{
    int64_t b, e;
    window(ORIN "/Offline/performance/run_1/mlperf_log_detail.txt", &b, &e);
    double w;
    size_t n;
    char err[512];
    cr_assert_eq(jm_mlperf_spl_average_w(ORIN "/Offline/performance/run_1/spl.txt", b, e, &w,
                                         &n, err, sizeof(err)),
                 JM_R_OK, "%s", err);
    cr_expect_eq(n, 667);
    cr_expect(fabs(w - 22.659355) < 5e-7, "average %.7f W", w);
    double metric;
    const char *unit;
    cr_assert_eq(jm_mlperf_power_metric(JM_SCENARIO_OFFLINE, w * 600.0, 600.0, 1, &metric,
                                        &unit, err, sizeof(err)),
                 JM_R_OK);
    cr_expect_str_eq(unit, "W");
    cr_expect(fabs(metric - w) < 1e-12);
}

Test(mlperf_power, single_stream_millijoules_per_query)
{
    int64_t b, e;
    window(ORIN "/SingleStream/performance/run_1/mlperf_log_detail.txt", &b, &e);
    double duration = (double)(e - b) / 1e9;
    cr_expect(fabs(duration - 600.002) < 1e-9, "%.6f s", duration);
    double w;
    char err[512];
    cr_assert_eq(jm_mlperf_spl_average_w(ORIN "/SingleStream/performance/run_1/spl.txt", b, e,
                                         &w, NULL, err, sizeof(err)),
                 JM_R_OK, "%s", err);
    cr_expect(fabs(w - 14.814617) < 5e-7, "average %.7f W", w);
    double mj;
    const char *unit;
    cr_assert_eq(jm_mlperf_power_metric(JM_SCENARIO_SINGLE_STREAM, w * duration, duration,
                                        400518, &mj, &unit, err, sizeof(err)),
                 JM_R_OK);
    cr_expect_str_eq(unit, "mJ/query");
    cr_expect(fabs(mj - 22.193259) < 5e-6, "%.7f mJ/query", mj);
}

Test(mlperf_power, bad_inputs)
{
    double v;
    const char *unit;
    char err[256];
    cr_expect_neq(jm_mlperf_power_metric(JM_SCENARIO_SERVER, 10, 0, 1, &v, &unit, err,
                                         sizeof(err)),
                  JM_R_OK);
    cr_expect_neq(jm_mlperf_power_metric(JM_SCENARIO_MULTI_STREAM, 10, 1, 0, &v, &unit, err,
                                         sizeof(err)),
                  JM_R_OK);
    cr_expect(strstr(err, "0 queries") != NULL, "%s", err);
    size_t n;
    cr_expect_eq(jm_mlperf_spl_average_w("/nonexistent/spl.txt", 0, 1, &v, &n, err,
                                         sizeof(err)),
                 JM_R_EIO);
    /* a window with no sample */
    cr_expect_eq(jm_mlperf_spl_average_w(ORIN "/Offline/performance/run_1/spl.txt", 0, 1, &v,
                                         &n, err, sizeof(err)),
                 JM_R_EINVAL);
    cr_expect(strstr(err, "no positive power sample") != NULL, "%s", err);
    int64_t t;
    cr_expect_neq(jm_time_stamp_parse("2023-02-24 06:22:00", NULL, &t, why, sizeof why), 0, "%s", why);
    cr_expect_neq(jm_time_stamp_parse("13-24-2023 06:22:00.000", NULL, &t, why, sizeof why), 0, "%s", why);
}

Test(mlperf_power, time_format_round_trips)
{
    /* 2023-02-24T06:22:00.638Z = 1677219720.638 s */
    char text[40];
    jm_mlperf_format_power_time(1677219720638000000LL, text, sizeof(text));
    cr_expect_str_eq(text, "02-24-2023 06:22:00.638");
    int64_t t;
    cr_assert_eq(jm_time_stamp_parse(text, NULL, &t, why, sizeof why), 0, "%s", why);
    cr_expect_eq(t, 1677219720638000000LL);
}

Test(sha256, known_vectors)
{
    char hex[65];
    jm_sha256_hex("", 0, hex);
    cr_expect_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    jm_sha256_hex("abc", 3, hex);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    jm_sha256_hex(two, strlen(two), hex);
    cr_expect_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    jm_sha256_hex(million, 1000000, hex);
    cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* issue 12 class 1: a stamp whose year has no int64-ns instant (2300) used to
 * overflow (undefined behaviour) and be accepted; it is refused, naming the file. */
Test(mlperf_power, spl_time_stamp_outside_int64_ns_is_refused)
{
    char dir[256], path[300], err[512];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/spl.txt", dir);
    cr_assert_eq(jm_rfix_write(path, "Time,01-01-2300 00:00:00.000,Watts,20.0,Volts,230\n"), 0);
    double w;
    size_t n;
    cr_expect_eq(jm_mlperf_spl_average_w(path, 0, INT64_MAX, &w, &n, err, sizeof(err)),
                 JM_R_EPARSE);
    cr_expect(strstr(err, "spl.txt:1:") != NULL && strstr(err, "year 2300") != NULL, "%s", err);
    jm_rfix_rmdir(dir);
}
