/* test_power_dir.c - the MLPerf power metric of a scenario folder
 * (jm_mlperf_power_of_dir) and `joulemark power`, against the published
 * figures of a real submission (../shared/data: NVIDIA Orin_TRT_MaxQ resnet50,
 * MLPerf Inference v3.0, whose checker log states 22.659355 W Offline and
 * 22.193259 mJ/query SingleStream), and against copies of it laid out as
 * other submissions are: lowercase scenario folders, run_1/ directly under
 * the folder, 2-3 analyzer channels after Mark, trailing blank lines. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "proc.h"
#include "reports.h"
#include "reports_fixture.h"

#define ORIN JM_SHARED_DATA_DIR "/mlperf-power/Orin_TRT_MaxQ/resnet50"
#define OFFLINE_W 22.659355
#define SINGLESTREAM_MJ 22.193259

static void need_data(void) {
    if (access(ORIN "/Offline/performance/run_1/spl.txt", R_OK) != 0)
        cr_skip_test("no real MLPerf power data at %s", ORIN);
}

static void expect_rel(double got, double want, const char *what) {
    cr_assert(fabs(got - want) <= 1e-4 * want, "%s: %.9g, published %.9g", what, got, want);
}

Test(power_dir, orin_offline_and_singlestream_match_the_checker) {
    need_data();
    jm_mlperf_power_result p;
    char err[1024];
    cr_assert_eq(jm_mlperf_power_of_dir(ORIN "/Offline", &p, err, sizeof(err)), 0, "%s", err);
    expect_rel(p.metric, OFFLINE_W, "Offline W");
    cr_assert_str_eq(p.metric_unit, "W");
    cr_assert_str_eq(p.scenario, "Offline");
    cr_assert_eq(p.samples, 667); /* strictly inside power_begin..power_end */
    expect_rel(p.energy_j, p.avg_power_w * p.duration_s, "energy");
    /* DIR may also be the performance folder */
    cr_assert_eq(jm_mlperf_power_of_dir(ORIN "/Offline/performance/", &p, err, sizeof(err)), 0,
                 "%s", err);
    expect_rel(p.metric, OFFLINE_W, "Offline W via performance/");
    cr_assert_eq(jm_mlperf_power_of_dir(ORIN "/SingleStream", &p, err, sizeof(err)), 0, "%s",
                 err);
    expect_rel(p.metric, SINGLESTREAM_MJ, "SingleStream mJ/query");
    cr_assert_str_eq(p.metric_unit, "mJ/query");
    cr_assert_eq(p.queries, 400518);
    expect_rel(p.avg_power_w, 14.814617, "SingleStream W");
    expect_rel(p.duration_s, 600.002, "SingleStream s");
}

/* Copies src to dst, appending `extra` to every "Time," line and `tail`. */
static void copy_edit(const char *src, const char *dst, const char *extra, const char *tail) {
    char *t = jm_rfix_slurp(src);
    cr_assert_not_null(t, "%s", src);
    FILE *f = fopen(dst, "w");
    cr_assert_not_null(f, "%s", dst);
    for (char *line = t, *nl; *line; line = nl) {
        nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        nl = nl ? nl + 1 : line + len;
        bool cr = len > 0 && line[len - 1] == '\r';
        fwrite(line, 1, len - cr, f);
        if (extra && strncmp(line, "Time,", 5) == 0)
            fputs(extra, f);
        fputs(cr ? "\r\n" : "\n", f);
    }
    fputs(tail, f);
    fclose(f);
    free(t);
}

static void mkdirs(const char *path) {
    char p[1024];
    snprintf(p, sizeof(p), "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

/* Offline laid out as an open-division submission with a lowercase folder,
 * run_1/ straight under it, a 3-channel analyzer (the total first, then
 * Ch1..Ch3 as in NVIDIA's A100 PCIe x8 logs) and trailing blank lines. */
Test(power_dir, lowercase_folder_channels_and_blank_lines) {
    need_data();
    char tmp[256], dir[512], run[600], dst[700];
    cr_assert_eq(jm_rfix_tmpdir(tmp, sizeof(tmp)), 0);
    snprintf(dir, sizeof(dir), "%s/open/Org/results/sys/resnet50/offline", tmp);
    snprintf(run, sizeof(run), "%s/run_1", dir);
    mkdirs(run);
    snprintf(dst, sizeof(dst), "%s/mlperf_log_detail.txt", run);
    copy_edit(ORIN "/Offline/performance/run_1/mlperf_log_detail.txt", dst, NULL, "");
    snprintf(dst, sizeof(dst), "%s/spl.txt", run);
    copy_edit(ORIN "/Offline/performance/run_1/spl.txt", dst,
              ",Ch1,Watts,500.5,Volts,205.9,Amps,2.4,PF,0.93,Ch2,Watts,400.0,Volts,205.9,Amps,"
              "1.9,PF,0.93,Ch3,Watts,-1,Volts,205.9,Amps,0,PF,0",
              "\n\n\r\n");
    jm_mlperf_power_result p;
    char err[1024];
    cr_assert_eq(jm_mlperf_power_of_dir(dir, &p, err, sizeof(err)), 0, "%s", err);
    expect_rel(p.metric, OFFLINE_W, "3-channel lowercase Offline W");
    cr_assert_eq(p.samples, 667);
    cr_assert_eq(p.metric_scenario, JM_SCENARIO_OFFLINE);
    jm_rfix_rmdir(tmp);
}

/* A MultiStream folder whose run's effective scenario is SingleStream: the
 * checker counts 8 samples per query. */
Test(power_dir, multistream_folder_of_a_singlestream_run) {
    need_data();
    char tmp[256], dir[512], run[600], dst[700];
    cr_assert_eq(jm_rfix_tmpdir(tmp, sizeof(tmp)), 0);
    snprintf(dir, sizeof(dir), "%s/MultiStream", tmp);
    snprintf(run, sizeof(run), "%s/performance/run_1", dir);
    mkdirs(run);
    snprintf(dst, sizeof(dst), "%s/mlperf_log_detail.txt", run);
    copy_edit(ORIN "/SingleStream/performance/run_1/mlperf_log_detail.txt", dst, NULL, "");
    snprintf(dst, sizeof(dst), "%s/spl.txt", run);
    copy_edit(ORIN "/SingleStream/performance/run_1/spl.txt", dst, NULL, "");
    jm_mlperf_power_result p;
    char err[1024];
    cr_assert_eq(jm_mlperf_power_of_dir(dir, &p, err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(p.scenario, "SingleStream");
    expect_rel(p.metric, 8 * SINGLESTREAM_MJ, "MultiStream folder, SingleStream run");
    jm_rfix_rmdir(tmp);
}

Test(power_dir, errors_name_the_folder_and_the_key) {
    need_data();
    jm_mlperf_power_result p;
    char err[1024] = "";
    cr_assert_neq(jm_mlperf_power_of_dir("/nonexistent/jm/Offline", &p, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent/jm/Offline") && strstr(err, "run_1"), "%s", err);
    char tmp[256], run[600], dst[700];
    cr_assert_eq(jm_rfix_tmpdir(tmp, sizeof(tmp)), 0);
    snprintf(run, sizeof(run), "%s/Offline/run_1", tmp);
    mkdirs(run);
    snprintf(dst, sizeof(dst), "%s/spl.txt", run);
    copy_edit(ORIN "/Offline/performance/run_1/spl.txt", dst, NULL, "");
    snprintf(dst, sizeof(dst), "%s/mlperf_log_detail.txt", run);
    char *t = jm_rfix_slurp(ORIN "/Offline/performance/run_1/mlperf_log_detail.txt");
    char *at = strstr(t, "\"power_end\"");
    cr_assert_not_null(at);
    memcpy(at, "\"power_fin\"", 11);
    cr_assert_eq(jm_rfix_write(dst, t), 0);
    free(t);
    snprintf(dst, sizeof(dst), "%s/Offline", tmp);
    cr_assert_neq(jm_mlperf_power_of_dir(dst, &p, err, sizeof(err)), 0);
    cr_assert(strstr(err, "mlperf_log_detail.txt") && strstr(err, "power_end"), "%s", err);
    jm_rfix_rmdir(tmp);
}

static jm_proc_result run_power(const char *const *args) {
    if (access(JM_BINARY, X_OK) != 0)
        cr_skip_test("the joulemark binary is not built (%s)", JM_BINARY);
    char *argv[8];
    int n = 0;
    argv[n++] = (char *)JM_BINARY;
    argv[n++] = (char *)"power";
    for (; *args && n < 7; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &res), 0);
    return res;
}

Test(power_dir, cli_text_and_json) {
    need_data();
    jm_proc_result r =
        run_power((const char *[]){"--json", ORIN "/Offline", ORIN "/SingleStream", NULL});
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert(cJSON_IsArray(j) && cJSON_GetArraySize(j) == 2, "%s", r.out);
    static const char *const keys[] = {"dir",      "scenario", "samples", "duration_s",
                                       "avg_power_w", "queries", "energy_j", "metric",
                                       "metric_unit"};
    for (int i = 0; i < 2; i++) {
        const cJSON *o = cJSON_GetArrayItem(j, i);
        for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
            cr_assert_not_null(cJSON_GetObjectItem(o, keys[k]), "[%d] lacks %s", i, keys[k]);
        cr_assert_eq(cJSON_GetArraySize(o), (int)(sizeof(keys) / sizeof(*keys)));
    }
    const cJSON *off = cJSON_GetArrayItem(j, 0), *ss = cJSON_GetArrayItem(j, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(off, "scenario")->valuestring, "Offline");
    cr_assert_str_eq(cJSON_GetObjectItem(off, "metric_unit")->valuestring, "W");
    expect_rel(cJSON_GetObjectItem(off, "metric")->valuedouble, OFFLINE_W, "json Offline");
    cr_assert_eq(cJSON_GetObjectItem(off, "samples")->valueint, 667);
    cr_assert_str_eq(cJSON_GetObjectItem(ss, "metric_unit")->valuestring, "mJ/query");
    expect_rel(cJSON_GetObjectItem(ss, "metric")->valuedouble, SINGLESTREAM_MJ, "json SS");
    cr_assert_eq(cJSON_GetObjectItem(ss, "queries")->valuedouble, 400518);
    cJSON_Delete(j);
    jm_proc_free(&r);

    /* text: one line per folder; a bad folder is named on stderr, exit 3 */
    r = run_power((const char *[]){ORIN "/Offline", "/nonexistent/x", ORIN "/SingleStream", NULL});
    cr_assert_eq(r.exit_code, 3);
    cr_assert(strstr(r.err, "/nonexistent/x"), "%s", r.err);
    int lines = 0;
    for (const char *c = r.out; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 2, "%s", r.out);
    cr_assert(strstr(r.out, "Offline: Offline 22.659355 W"), "%s", r.out);
    cr_assert(strstr(r.out, "SingleStream: SingleStream 22.193259 mJ/query"), "%s", r.out);
    jm_proc_free(&r);
}

/* `check` recomputes an analyzer run's metric with the same code: a detail
 * log whose joulemark_power_metric disagrees with spl.txt is a problem. */
static bool check_mentions(const char *root, const char *needle) {
    jm_check_problems p;
    char err[1024];
    cr_assert_eq(jm_submission_check(root, &p, err, sizeof(err)), 0, "%s", err);
    bool found = false;
    for (int i = 0; i < p.n; i++)
        found = found || strstr(p.items[i], needle);
    jm_check_problems_free(&p);
    return found;
}

Test(power_dir, check_uses_the_same_metric) {
    need_data();
    char tmp[256], res[512], run[600], dst[700];
    cr_assert_eq(jm_rfix_tmpdir(tmp, sizeof(tmp)), 0);
    snprintf(res, sizeof(res), "%s/open/Sub/results/sys/resnet50/Offline/performance", tmp);
    snprintf(run, sizeof(run), "%s/power", res);
    mkdirs(run);
    snprintf(run, sizeof(run), "%s/run_1", res);
    mkdirs(run);
    snprintf(dst, sizeof(dst), "%s/spl.txt", run);
    copy_edit(ORIN "/Offline/performance/run_1/spl.txt", dst, NULL, "");
    snprintf(dst, sizeof(dst), "%s/mlperf_log_detail.txt", run);
    static const char line[] =
        ":::MLLOG {\"key\": \"joulemark_power_metric\", \"value\": %s, \"time_ms\": 1.0, "
        "\"namespace\": \"mlperf::logging\", \"event_type\": \"POINT_IN_TIME\", \"metadata\": "
        "{\"is_error\": false, \"is_warning\": false, \"file\": \"t.c\", \"line_no\": 1, "
        "\"pid\": 1, \"tid\": 1}}\n";
    char tail[512];
    snprintf(tail, sizeof(tail), line, "22.659355");
    copy_edit(ORIN "/Offline/performance/run_1/mlperf_log_detail.txt", dst, NULL, tail);
    cr_assert_not(check_mentions(tmp, "joulemark_power_metric"));
    snprintf(tail, sizeof(tail), line, "21.0");
    copy_edit(ORIN "/Offline/performance/run_1/mlperf_log_detail.txt", dst, NULL, tail);
    cr_assert(check_mentions(tmp, "joulemark_power_metric 21.000000 differs from 22.659355 W"));
    jm_rfix_rmdir(tmp);
}
