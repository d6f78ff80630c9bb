/* test_cli_reports.c - the `report`, `compare` and `carbon` subcommands run
 * as the built binary (JM_BINARY) on fixture results: exit codes, outputs,
 * and numbers against independent arithmetic. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "reports.h"
#include "reports_fixture.h"

static jm_proc_result run(const char *const *args) {
    if (access(JM_BINARY, X_OK) != 0)
        cr_skip_test("the joulemark binary is not built (%s)", JM_BINARY);
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)JM_BINARY;
    for (; *args && n < 15; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &res), 0);
    return res;
}

static void fixture_dir(char *dir, size_t len, bool estimated) {
    jm_results r;
    char err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, len), 0);
    jm_rfix_build(&r, estimated);
    cr_assert_eq(jm_results_write_all(&r, dir, err, sizeof(err)), 0, "%s", err);
    jm_results_free(&r);
}

Test(cli_reports, carbon_presets_table) {
    jm_proc_result res = run((const char *[]){"carbon", "--preset", "all", NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    const char *names[] = {"Evolved Transformer NAS", "T5",   "Meena", "GShard-600B",
                           "Switch Transformer",      "GPT-3"};
    for (int i = 0; i < 6; i++)
        cr_assert(strstr(res.out, names[i]), "%s missing", names[i]);
    cr_assert(strstr(res.out, "1289"), "GPT-3 MWh: %s", res.out);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--preset", "Meena", "--json", NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cJSON *j = cJSON_Parse(res.out);
    cr_assert(cJSON_IsArray(j));
    const cJSON *m = cJSON_GetArrayItem(j, 0);
    /* 1024 chips x 720 h x 289 W x 1.09 */
    cr_assert_float_eq(cJSON_GetObjectItem(m, "mwh")->valuedouble, 1024.0 * 720 * 289 * 1.09 / 1e6,
                       1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(m, "paper_tco2e")->valuedouble, 96.4, 1e-12);
    cJSON_Delete(j);
    jm_proc_free(&res);
}

Test(cli_reports, carbon_formula_json_and_errors) {
    jm_proc_result res =
        run((const char *[]){"carbon", "--chips", "512", "--days", "20", "--watts", "310", "--pue",
                             "1.12", "--intensity", "0.545", "--json", NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cJSON *j = cJSON_Parse(res.out);
    cr_assert_not_null(j, "%s", res.out);
    cr_assert_float_eq(cJSON_GetObjectItem(j, "mwh")->valuedouble, 85.327872, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(j, "tco2e")->valuedouble, 85.327872 * 0.545, 1e-9);
    cJSON_Delete(j);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--chips", "lots", NULL});
    cr_assert_eq(res.exit_code, 2);
    cr_assert(strstr(res.err, "--chips 'lots'"), "%s", res.err);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--chips", "5", NULL});
    cr_assert_eq(res.exit_code, 2);
    cr_assert(strstr(res.err, "missing --days"), "%s", res.err);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--preset", "BERT", NULL});
    cr_assert_eq(res.exit_code, 2);
    cr_assert(strstr(res.err, "no preset 'BERT'") && strstr(res.err, "'GPT-3'"), "%s", res.err);
    jm_proc_free(&res);
}

Test(cli_reports, carbon_from_results) {
    char dir[256];
    fixture_dir(dir, sizeof(dir), false);
    jm_proc_result res = run((const char *[]){"carbon", "--from", dir, "--tokens", "1e9",
                                              "--region", "FR", "--pue", "1.1", "--json", NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cJSON *j = cJSON_Parse(res.out);
    cr_assert_not_null(j, "%s", res.out);
    const cJSON *reg = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "regions"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(reg, "id")->valuestring, "FR");
    const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(reg, "workloads"), 0);
    double mj = 10.05; /* dense median of the fixture */
    double kwh = 1e9 * mj * 1e-3 / 3.6e6 * 1.1;
    cr_assert_float_eq(cJSON_GetObjectItem(w, "projected_kwh")->valuedouble, kwh, 1e-9 * kwh);
    cr_assert_float_eq(cJSON_GetObjectItem(w, "projected_kg_co2e")->valuedouble, kwh * 41.4 / 1000,
                       1e-9 * kwh);
    cr_assert_float_eq(cJSON_GetObjectItem(w, "g_co2e_per_million_tokens")->valuedouble,
                       1e6 * mj * 1e-3 / 3.6e6 * 1.1 * 41.4, 1e-12);
    cJSON_Delete(j);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--from", dir, "--tokens", "1e12", NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cr_assert(strstr(res.out, "europe-north2") && strstr(res.out, "asia-south1"), "%s", res.out);
    jm_proc_free(&res);
    res = run((const char *[]){"carbon", "--from", dir, "--region", "atlantis", NULL});
    cr_assert_eq(res.exit_code, 2);
    cr_assert(strstr(res.err, "atlantis"), "%s", res.err);
    jm_proc_free(&res);
    jm_rfix_rmdir(dir);
}

Test(cli_reports, report_rebuilds_html) {
    char dir[256], path[400];
    fixture_dir(dir, sizeof(dir), true);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    unlink(path);
    jm_proc_result res = run((const char *[]){"report", dir, NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cr_assert(strstr(res.out, "ESTIMATED") && strstr(res.out, "dense-layer vs moe-layer"), "%s",
              res.out);
    char *html = jm_rfix_slurp(path);
    cr_assert_not_null(html, "report.html was not rewritten");
    cr_assert(strstr(html, "id=\"chart-power\"") && strstr(html, "data-points=\"241\""),
              "the trace came back from trace.csv");
    free(html);
    jm_proc_free(&res);
    res = run((const char *[]){"report", "/nonexistent/jm", NULL});
    cr_assert_eq(res.exit_code, 3);
    cr_assert(strstr(res.err, "/nonexistent/jm"), "%s", res.err);
    jm_proc_free(&res);
    snprintf(path, sizeof(path), "%s/results.json", dir);
    cr_assert_eq(jm_rfix_write(path, "{\"schema_version\": 1"), 0);
    res = run((const char *[]){"report", dir, NULL});
    cr_assert_eq(res.exit_code, 2);
    cr_assert(strstr(res.err, "results.json") && strstr(res.err, "malformed"), "%s", res.err);
    jm_proc_free(&res);
    res = run((const char *[]){"report", NULL});
    cr_assert_eq(res.exit_code, 2);
    jm_proc_free(&res);
    jm_rfix_rmdir(dir);
}

Test(cli_reports, compare_two_dirs) {
    char a[256], b[256], out[400];
    fixture_dir(a, sizeof(a), false);
    fixture_dir(b, sizeof(b), true);
    snprintf(out, sizeof(out), "%s/cmp.html", a);
    jm_proc_result res = run((const char *[]){"compare", a, b, "-o", out, NULL});
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cr_assert(strstr(res.out, "[1]") && strstr(res.out, "[2]") && strstr(res.out, "ESTIMATED"),
              "%s", res.out);
    char *html = jm_rfix_slurp(out);
    cr_assert_not_null(html);
    cr_assert(strstr(html, "chart-compare-mj-per-token"));
    free(html);
    jm_proc_free(&res);
    res = run((const char *[]){"compare", a, NULL});
    cr_assert_eq(res.exit_code, 2);
    jm_proc_free(&res);
    jm_rfix_rmdir(a);
    jm_rfix_rmdir(b);
}
