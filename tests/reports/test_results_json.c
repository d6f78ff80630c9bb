/* test_results_json.c - results.json, trace.csv and summary.csv: schema keys,
 * values equal to the model, a full round trip through jm_results_load, and
 * clear errors for malformed input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "reports_fixture.h"

static cJSON *load_json_file(const char *path) {
    char *text = jm_rfix_slurp(path);
    cr_assert_not_null(text, "%s", path);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s does not parse", path);
    return j;
}

static double num_at(const cJSON *o, const char *key) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(j), "key %s is not a number", key);
    return j->valuedouble;
}

static void write_fixture(char *dir, size_t len, bool estimated, jm_results *r) {
    char err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, len), 0);
    jm_rfix_build(r, estimated);
    cr_assert_eq(jm_results_write_all(r, dir, err, sizeof(err)), 0, "%s", err);
}

Test(results_json, writes_all_files) {
    char dir[256];
    jm_results r;
    write_fixture(dir, sizeof(dir), false, &r);
    const char *files[] = {"results.json", "trace.csv", "summary.csv", "report.html"};
    for (size_t i = 0; i < 4; i++) {
        char p[400];
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        char *t = jm_rfix_slurp(p);
        cr_assert_not_null(t, "missing %s", p);
        cr_assert(strlen(t) > 100, "%s is too short", p);
        free(t);
    }
    cr_assert_not_null(jm_writer_find("html"));
    cr_assert_str_eq(jm_writer_find("json")->filename, "results.json");
    cr_assert_null(jm_writer_find("nope"));
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, schema_keys_and_values) {
    char dir[256], p[400];
    jm_results r;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/results.json", dir);
    cJSON *j = load_json_file(p);
    cr_assert_eq(num_at(j, "schema_version"), JM_RESULTS_SCHEMA_VERSION);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "joulemark_version")->valuestring, "0.1.0");
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "system")));
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "config")));
    const cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "meters"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(m0, "kind")->valuestring, "measured");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(m0, "available")));
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(m0, "reason")));
    const cJSON *w0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "workloads"), 0);
    cr_assert_eq(num_at(w0, "params"), 68159488.0);
    cr_assert_eq(num_at(w0, "active_params"), 68159488.0);
    cr_assert_eq(num_at(w0, "flops_per_token"), 136318976.0);
    const cJSON *runs = cJSON_GetObjectItem(w0, "runs");
    cr_assert_eq(cJSON_GetArraySize(runs), 8);
    const cJSON *run1 = cJSON_GetArrayItem(runs, 1);
    const char *keys[] = {"duration_s",  "tokens",       "energy_j",     "energy_above_idle_j",
                          "avg_power_w", "tokens_per_s", "tokens_per_j", "mj_per_token"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(run1, keys[i])), "%s", keys[i]);
    cr_assert_float_eq(num_at(run1, "mj_per_token"), jm_rfix_dense_mj[0], 1e-12);
    cr_assert_float_eq(num_at(run1, "energy_j"), 10.0e-3 * JM_RFIX_TOKENS, 1e-9);
    cr_assert_str_eq(cJSON_GetObjectItem(run1, "energy_source")->valuestring,
                     "rapl:package-0+dram-0 (measured)");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(run1, "valid")));
    const cJSON *bad = cJSON_GetArrayItem(runs, 7);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(bad, "valid")));
    cr_assert_str_eq(
        cJSON_GetArrayItem(cJSON_GetObjectItem(bad, "invalid_reasons"), 0)->valuestring,
        "only 3 samples in the window, need 10");
    const cJSON *sum = cJSON_GetObjectItem(w0, "summary");
    const cJSON *mj = cJSON_GetObjectItem(sum, "mj_per_token");
    cr_assert_float_eq(num_at(mj, "median"), 10.05, 1e-12);
    cr_assert_float_eq(num_at(mj, "ci_low"), 9.8, 1e-12);
    cr_assert_float_eq(num_at(mj, "ci_high"), 10.4, 1e-12);
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "comparisons"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(c0, "baseline")->valuestring, "dense-layer");
    cr_assert_str_eq(cJSON_GetObjectItem(c0, "candidate")->valuestring, "moe-layer");
    cr_assert_float_eq(num_at(c0, "params_ratio"), r.comparisons[0].params_ratio, 1e-15);
    cr_assert_float_eq(num_at(c0, "flops_ratio"), r.comparisons[0].flops_ratio, 1e-12);
    const cJSON *ratio = cJSON_GetObjectItem(c0, "energy_per_token_ratio");
    cr_assert_float_eq(num_at(ratio, "median"), r.comparisons[0].energy_per_token_ratio.median,
                       1e-12);
    cr_assert_float_eq(num_at(ratio, "ci_low"), r.comparisons[0].energy_per_token_ratio.ci_low,
                       1e-12);
    cr_assert_float_eq(num_at(ratio, "ci_high"),
                       r.comparisons[0].energy_per_token_ratio.ci_high, 1e-12);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(c0, "energy_source")));
    /* the warm-up run's first trace sample has no power: null, not NaN */
    cJSON_Delete(j);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, estimated_kind_everywhere) {
    char dir[256], p[400];
    jm_results r;
    write_fixture(dir, sizeof(dir), true, &r);
    snprintf(p, sizeof(p), "%s/results.json", dir);
    cJSON *j = load_json_file(p);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "estimated")));
    const cJSON *m1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "meters"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(m1, "kind")->valuestring, "estimated");
    const cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "meters"), 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(m0, "available")));
    cr_assert(strstr(cJSON_GetObjectItem(m0, "reason")->valuestring, "VM"));
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "comparisons"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(c0, "energy_kind")->valuestring, "estimated");
    cJSON_Delete(j);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

static void assert_stat_eq(const jm_stat *a, const jm_stat *b, const char *what) {
    cr_assert_eq(a->n, b->n, "%s.n", what);
    const double va[] = {a->median, a->mean, a->min, a->max, a->stddev, a->ci_low, a->ci_high};
    const double vb[] = {b->median, b->mean, b->min, b->max, b->stddev, b->ci_low, b->ci_high};
    for (int i = 0; i < 7; i++) {
        if (isnan(va[i]))
            cr_assert(isnan(vb[i]), "%s field %d", what, i);
        else
            cr_assert_float_eq(va[i], vb[i], 1e-12 * fabs(va[i]) + 1e-300, "%s field %d", what, i);
    }
}

Test(results_json, round_trip_through_load) {
    char dir[256], err[512];
    jm_results r, back;
    write_fixture(dir, sizeof(dir), true, &r);
    cr_assert_eq(jm_results_load(dir, &back, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(back.schema_version, r.schema_version);
    cr_assert_str_eq(back.git_describe, r.git_describe);
    cr_assert_eq(back.estimated, r.estimated);
    cr_assert_eq(back.n_meters, r.n_meters);
    cr_assert_str_eq(back.meters[1].model, r.meters[1].model);
    cr_assert_eq(back.meters[1].estimated, true);
    cr_assert_eq(back.meters[0].n_domains, 2);
    cr_assert_str_eq(back.meters[0].domains[1], "dram-0");
    cr_assert_eq(back.n_workloads, 2);
    for (int i = 0; i < 2; i++) {
        const jm_workload_result *a = &r.workloads[i], *b = &back.workloads[i];
        cr_assert_str_eq(a->name, b->name);
        cr_assert_eq(a->params, b->params);
        cr_assert_eq(a->active_params, b->active_params);
        cr_assert_eq(a->n_runs, b->n_runs);
        cr_assert(cJSON_Compare(a->shape, b->shape, true));
        for (int k = 0; k < a->n_runs; k++) {
            const jm_run_result *x = &a->runs[k], *y = &b->runs[k];
            cr_assert_eq(x->tokens, y->tokens);
            cr_assert_eq(x->t0_ns, y->t0_ns);
            cr_assert_float_eq(x->energy_j, y->energy_j, 1e-12 * x->energy_j);
            cr_assert_float_eq(x->mj_per_token, y->mj_per_token, 1e-12 * x->mj_per_token);
            cr_assert_eq(x->valid, y->valid);
            cr_assert_eq(x->n_invalid_reasons, y->n_invalid_reasons);
            cr_assert_str_eq(x->phase, y->phase);
            cr_assert_str_eq(x->energy_source, y->energy_source);
            cr_assert_eq(x->n_domains, y->n_domains);
            cr_assert_float_eq(x->domains[1].energy_j, y->domains[1].energy_j,
                               1e-12 * x->domains[1].energy_j);
        }
        assert_stat_eq(&a->summary.mj_per_token, &b->summary.mj_per_token, "mj_per_token");
        assert_stat_eq(&a->summary.tokens_per_j, &b->summary.tokens_per_j, "tokens_per_j");
        cr_assert_eq(a->summary.valid_runs, b->summary.valid_runs);
    }
    cr_assert_eq(back.n_comparisons, 1);
    assert_stat_eq(&r.comparisons[0].energy_per_token_ratio,
                   &back.comparisons[0].energy_per_token_ratio, "ratio");
    cr_assert_str_eq(back.comparisons[0].energy_source, r.comparisons[0].energy_source);
    /* trace from trace.csv */
    cr_assert_eq(back.trace.n_columns, 2);
    cr_assert_eq(back.trace.n_points, r.trace.n_points);
    cr_assert_eq(back.trace.n_marks, r.trace.n_marks);
    cr_assert_eq(back.trace.t_origin_ns, r.trace.t_origin_ns);
    for (size_t i = 0; i < r.trace.n_points; i++) {
        const jm_trace_point *x = &r.trace.points[i], *y = &back.trace.points[i];
        cr_assert_eq(x->t_ns, y->t_ns);
        cr_assert_eq(x->n, y->n);
        cr_assert_eq(y->meter_index, 1);
        cr_assert_float_eq(x->energy_j[0], y->energy_j[0], 1e-9 * (x->energy_j[0] + 1));
        if (isnan(x->power_w[0]))
            cr_assert(isnan(y->power_w[0]));
        else
            cr_assert_float_eq(x->power_w[0], y->power_w[0], 1e-7 * x->power_w[0]);
    }
    cr_assert_str_eq(back.trace.marks[3].label, "testing dense-layer run 1");
    /* the reloaded model writes the same results.json */
    cJSON *ja = jm_results_to_json(&r), *jb = jm_results_to_json(&back);
    char *ta = cJSON_PrintUnformatted(ja), *tb = cJSON_PrintUnformatted(jb);
    cr_assert_str_eq(ta, tb);
    cJSON_free(ta);
    cJSON_free(tb);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    jm_results_free(&back);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, trace_csv_layout) {
    char dir[256], p[400];
    jm_results r;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/trace.csv", dir);
    char *t = jm_rfix_slurp(p);
    const char *hdr = "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n";
    cr_assert(strncmp(t, hdr, strlen(hdr)) == 0);
    size_t lines = 0;
    for (char *c = t; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 1 + r.trace.n_points * 2);
    /* sample 100 (t = 5 s) lies in "testing dense-layer run 1" */
    cr_assert(strstr(t, "\n5.000000000,1005000000000,rapl,package-0,measured,"));
    char *row = strstr(t, "\n5.000000000,1005000000000,rapl,package-0");
    char *eol = strchr(row + 1, '\n');
    *eol = '\0';
    cr_assert(strstr(row, ",testing,testing dense-layer run 1"), "%s", row);
    /* the first sample has no power: an empty field, not nan */
    cr_assert(strstr(t, "\n0.000000000,1000000000000,rapl,package-0,measured,0.4,,idle,idle\n"));
    cr_assert_null(strstr(t, "nan"));
    free(t);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, summary_csv_rows) {
    char dir[256], p[400];
    jm_results r;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/summary.csv", dir);
    char *t = jm_rfix_slurp(p);
    int line = 0;
    char *save = NULL;
    int header_fields = 0;
    for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save), line++) {
        int fields = 1;
        for (char *c = l; *c; c++)
            fields += *c == ',';
        if (line == 0)
            header_fields = fields;
        cr_assert_eq(fields, header_fields, "line %d: %s", line, l);
        if (line == 1)
            cr_assert(strncmp(l, "workload,dense-layer,,68159488,68159488,136318976,6,", 52) == 0,
                      "%s", l);
        if (line == 1)
            cr_assert(strstr(l, ",10.05,9.8,10.4,0.96875,6,") && strstr(l, ",order-statistic,"),
                      "%s", l);
        if (line == 3)
            cr_assert(strstr(l, ",0.96875,6,order-statistic (log scale),"), "%s", l);
        if (line == 3)
            cr_assert(strncmp(l, "comparison,dense-layer,moe-layer,", 33) == 0, "%s", l);
    }
    cr_assert_eq(line, 4);
    cr_assert_eq(header_fields, 42);
    free(t);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

/* Writes the fixture, rewrites results.json with one edit, expects load to fail. */
static void expect_load_error(const char *find, const char *replace, const char *expect_in_err) {
    char dir[256], p[400], err[512] = "";
    jm_results r, back;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/results.json", dir);
    char *t = jm_rfix_slurp(p);
    char *at = strstr(t, find);
    cr_assert_not_null(at, "fixture lacks %s", find);
    size_t out_len = strlen(t) + strlen(replace) + 1;
    char *out = malloc(out_len);
    snprintf(out, out_len, "%.*s%s%s", (int)(at - t), t, replace, at + strlen(find));
    cr_assert_eq(jm_rfix_write(p, out), 0);
    cr_assert_neq(jm_results_load(dir, &back, err, sizeof(err)), 0, "edit %s accepted", find);
    cr_assert(strstr(err, "results.json"), "error does not name the file: %s", err);
    cr_assert(strstr(err, expect_in_err), "error '%s' lacks '%s'", err, expect_in_err);
    cr_assert_eq(back.n_workloads, 0);
    free(out);
    free(t);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, malformed_json_names_line) {
    expect_load_error("\"schema_version\":", "\"schema_version\" ", "malformed JSON");
}

Test(results_json, wrong_type_names_field) {
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t\"many\"", "workloads[0].runs[0].tokens");
}

Test(results_json, missing_field_names_field) {
    expect_load_error("\"energy_source\":\t\"rapl", "\"energy_sourc\":\t\"rapl",
                      "workloads[0].runs[0].energy_source: missing");
}

Test(results_json, future_schema_rejected) {
    expect_load_error("\"schema_version\":\t2", "\"schema_version\":\t99",
                      "schema_version: found 99 (written by joulemark");
}

/* A version-1 file is refused with a message that names the joulemark that
 * wrote it (its intervals and pairing have other meanings). */
Test(results_json, version1_refused_naming_its_writer) {
    expect_load_error("\"schema_version\":\t2", "\"schema_version\":\t1",
                      "schema_version: found 1 (written by joulemark v0.1.0-3-gabc1234)");
    expect_load_error("\"schema_version\":\t2", "\"schema_version\":\t1",
                      "does not read version 1 files");
}

Test(results_json, interval_not_holding_median_rejected) {
    expect_load_error("\"ci_low\":\t9.8,", "\"ci_low\":\t10.3,",
                      "summary.mj_per_token: interval [10.3, 10.4] does not hold its median 10.05");
    expect_load_error("\"ci_method\":\t\"order-statistic\"", "\"ci_method\":\t\"t\"",
                      "ci_method: found 't'");
    expect_load_error("\"ci_coverage\":\t0.96875", "\"ci_coverage\":\t1.5",
                      "ci_coverage: found 1.5");
}

/* Every statistic in results.json states its interval's method, scale and
 * coverage; every interval of a positive quantity is positive and holds its
 * median (above-idle figures may honestly be <= 0 and are not checked here). */
static int check_stats(const cJSON *j, const char *key, int *positive) {
    int n = 0;
    if (cJSON_IsObject(j) && cJSON_GetObjectItem(j, "ci_method")) {
        const char *method = cJSON_GetObjectItem(j, "ci_method")->valuestring;
        cr_assert_str_eq(method, "order-statistic", "%s", key);
        const char *scale = cJSON_GetObjectItem(j, "scale")->valuestring;
        bool ratio = key && strncmp(key, "energy_per_token_ratio", 22) == 0;
        cr_assert_str_eq(scale, ratio ? "log" : "linear", "%s", key);
        cr_assert_float_eq(cJSON_GetObjectItem(j, "ci_coverage")->valuedouble, 0.96875, 1e-12,
                           "%s: 6 runs", key);
        double lo = cJSON_GetObjectItem(j, "ci_low")->valuedouble;
        double hi = cJSON_GetObjectItem(j, "ci_high")->valuedouble;
        double med = cJSON_GetObjectItem(j, "median")->valuedouble;
        cr_assert(lo <= med && med <= hi, "%s: [%g, %g] median %g", key, lo, hi, med);
        if (!strstr(key, "above_idle")) {
            cr_assert_gt(lo, 0, "%s", key);
            (*positive)++;
        }
        return 1;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, j) n += check_stats(c, c->string, positive);
    return n;
}

Test(results_json, every_interval_states_method_and_coverage) {
    char dir[256], p[400];
    jm_results r;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/results.json", dir);
    char *t = jm_rfix_slurp(p);
    cJSON *j = cJSON_Parse(t);
    int positive = 0;
    /* 8 statistics per workload, 2 ratios per comparison */
    cr_assert_eq(check_stats(j, NULL, &positive), 2 * 8 + 2);
    cr_assert_eq(positive, 2 * 6 + 1);
    cJSON_Delete(j);
    free(t);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, more_dropped_than_routed_rejected) {
    expect_load_error("\"dropped_assignments\":\t0,", "\"dropped_assignments\":\t5,",
                      "runs[0].dropped_assignments: found 5, more than the 0 assignments routed");
}

/* issue 12 classes 1 and 3: 1e300 tokens were cast to an integer (undefined,
 * shown as 0), a stat's n of 2^32+2 wrapped, and 1e999 (infinity to cJSON)
 * reached the reports ("saves -inf kg CO2e"); all are refused, naming the field. */
Test(results_json, out_of_range_numbers_refused) {
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t1e300", "workloads[0].runs[0].tokens");
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t-40960", "negative");
    expect_load_error("\"n\":\t", "\"n\":\t4294967298, \"n_was\":\t",
                      ".n: 4294967298 is outside the accepted range");
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t40960, \"x\": 1e999", "too large");
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t040960", "leading zero");
    expect_load_error("\"tokens\":\t40960", "\"tokens\":\t40960, \"tokens\": 1", "duplicate key");
}

Test(results_json, bad_kind_rejected) {
    expect_load_error("\"kind\":\t\"measured\"", "\"kind\":\t\"guessed\"", "meters[0].kind");
}

Test(results_json, bad_trace_csv_rejected) {
    char dir[256], p[400], err[512] = "";
    jm_results r, back;
    write_fixture(dir, sizeof(dir), false, &r);
    snprintf(p, sizeof(p), "%s/trace.csv", dir);
    cr_assert_eq(jm_rfix_write(p, "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n"
                                  "0.1,100,rapl,gpu9,measured,1,2,idle,idle\n"),
                 0);
    cr_assert_neq(jm_results_load(dir, &back, err, sizeof(err)), 0);
    cr_assert(strstr(err, "trace.csv:2") && strstr(err, "gpu9"), "%s", err);
    cr_assert_eq(jm_rfix_write(p, "time,x\n"), 0);
    cr_assert_neq(jm_results_load(dir, &back, err, sizeof(err)), 0);
    cr_assert(strstr(err, "trace.csv:1: header"), "%s", err);
    cr_assert_eq(jm_rfix_write(p, "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n"
                                  "0.1,abc,rapl,dram-0,measured,1,2,idle,idle\n"),
                 0);
    cr_assert_neq(jm_results_load(dir, &back, err, sizeof(err)), 0);
    cr_assert(strstr(err, "t_ns"), "%s", err);
    /* issue 12 class 3: a time of -1, nan/inf energies and unordered times
     * were accepted (the power chart collapsed) */
    const struct {
        const char *rows, *needle;
    } bad[] = {{"0.1,-1,rapl,dram-0,measured,1,2,idle,idle\n", "trace.csv:2: field t_ns: \"-1\""},
               {"0.1,100,rapl,dram-0,measured,nan,2,idle,idle\n", "trace.csv:2: field energy_j 'nan'"},
               {"0.1,100,rapl,dram-0,measured,1,inf,idle,idle\n", "trace.csv:2: field energy_j"},
               {"0.2,200,rapl,dram-0,measured,1,2,idle,idle\n"
                "0.1,100,rapl,dram-0,measured,1,2,idle,idle\n",
                "trace.csv:3: field t_ns: 100 is earlier than the row before (200)"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char text[512];
        snprintf(text, sizeof(text), "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n%s",
                 bad[i].rows);
        cr_assert_eq(jm_rfix_write(p, text), 0);
        cr_expect_neq(jm_results_load(dir, &back, err, sizeof(err)), 0, "accepted %s", bad[i].rows);
        cr_expect(strstr(err, bad[i].needle), "%s", err);
    }
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(results_json, load_missing_dir) {
    char err[256] = "";
    jm_results back;
    cr_assert_neq(jm_results_load("/nonexistent/jm-results", &back, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent/jm-results"), "%s", err);
    cJSON *j = cJSON_Parse("[1,2]");
    cr_assert_eq(jm_results_from_json(j, &back, err, sizeof(err)), JM_R_EPARSE);
    cr_assert(strstr(err, "expected an object"), "%s", err);
    cJSON_Delete(j);
}

/* tests/reports/data/sample-results was written by this schema version: it
 * must keep loading (and is what the render check renders). */
Test(results_json, committed_sample_loads) {
    char err[512];
    jm_results r;
    cr_assert_eq(
        jm_results_load(JM_SOURCE_DIR "/tests/reports/data/sample-results", &r, err, sizeof(err)),
        0, "%s", err);
    cr_assert_eq(r.schema_version, JM_RESULTS_SCHEMA_VERSION);
    cr_assert_eq(r.n_workloads, 2);
    cr_assert(r.estimated);
    cr_assert_eq(r.trace.n_points, 241);
    cr_assert_float_eq(r.workloads[0].summary.mj_per_token.median, 10.05, 1e-12);
    jm_results_free(&r);
}
