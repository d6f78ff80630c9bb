/* test_package.c - `joulemark package` and `joulemark check` on a results
 * directory produced by the real scenario engine (virtual clock, MLPerf rules,
 * 600 s per run in virtual time): the golden structure of the tree, exactly the
 * model-dependent problems MLCommons' checker v5.1 reports for the default
 * LLM mapping and a clean check with a non-LLM mapping, and the validator
 * catching every removed file, removed key, empty value and tampered figure;
 * name validation and missing or empty system keys refused. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "harness.h"

static char base[256], results[512], out[512], user[512];

/* ---- a virtual-clock SUT: every sample takes 100 ms ---- */
typedef struct vclock {
    uint64_t t;
} vclock;
static uint64_t vnow(void *c)
{
    return ((vclock *)c)->t;
}
static void vsleep(void *c, uint64_t t)
{
    if (t > ((vclock *)c)->t)
        ((vclock *)c)->t = t;
}
static int vissue(void *c, int n, char *err, size_t len)
{
    (void)err;
    (void)len;
    ((vclock *)c)->t += 100000000ULL * (uint64_t)n;
    return 0;
}

static const int64_t epoch = 1780000000000000000LL; /* wall clock of virtual t = 0 */

static void write_run(const char *dir, const char *bench, jm_scenario_settings *s,
                      jm_scenario_result *r, const char *phase, bool accuracy)
{
    vclock clk = {.t = 1000000000ULL};
    jm_sut sut = {.ctx = &clk, .issue = vissue,
                  .clock = {.ctx = &clk, .now_ns = vnow, .sleep_until_ns = vsleep}};
    char err[512];
    s->accuracy_mode = accuracy;
    cr_assert_eq(jm_scenario_run(s, &sut, r, err, sizeof(err)), 0, "%s", err);
    jm_mlperf_run run;
    memset(&run, 0, sizeof(run));
    snprintf(run.benchmark, sizeof(run.benchmark), "%s", bench);
    snprintf(run.sut_name, sizeof(run.sut_name), "joulemark");
    snprintf(run.phase, sizeof(run.phase), "%s", phase);
    snprintf(run.rules, sizeof(run.rules), "mlperf");
    snprintf(run.joulemark_version, sizeof(run.joulemark_version), "0.1.0");
    run.settings = *s;
    run.result = r;
    run.start_unix_ns = epoch + (int64_t)r->t_start_ns;
    run.has_power = true;
    run.power_begin_unix_ns = epoch + (int64_t)r->t_start_ns;
    run.power_end_unix_ns = epoch + (int64_t)r->t_end_ns;
    double dur = (double)(r->t_end_ns - r->t_start_ns) / 1e9;
    /* a constant 50 W, sampled every second, one second beyond each end */
    size_t n = (size_t)dur + 3;
    jm_mlperf_power_sample *ps = calloc(n, sizeof(*ps));
    for (size_t i = 0; i < n; i++) {
        ps[i].unix_ns = run.power_begin_unix_ns - 1000000000LL + (int64_t)i * 1000000000LL;
        ps[i].energy_j = 50.0 * (double)i;
    }
    ps[n - 1].unix_ns = run.power_end_unix_ns + 1000000000LL;
    ps[n - 1].energy_j = 50.0 * ((double)(ps[n - 1].unix_ns - ps[0].unix_ns) / 1e9);
    run.power_samples = ps;
    run.n_power_samples = n;
    run.energy_j = 50.0 * dur;
    run.avg_power_w = 50.0;
    const char *unit;
    cr_assert_eq(jm_mlperf_power_metric(s->scenario, run.energy_j, dur, r->queries,
                                        &run.power_metric, &unit, err, sizeof(err)),
                 0);
    snprintf(run.power_unit, sizeof(run.power_unit), "%s", unit);
    snprintf(run.energy_source, sizeof(run.energy_source), "estimate:cpu (ESTIMATED)");
    run.estimated = true;
    cr_assert_eq(jm_mlperf_write_logs(&run, dir, err, sizeof(err)), 0, "%s", err);
    free(ps);
}

static void make_results(const char *dir, bool mlperf_rules)
{
    char path[1024];
    cJSON *res = cJSON_CreateObject();
    cJSON_AddNumberToObject(res, "schema_version", JM_RESULTS_SCHEMA_VERSION);
    cJSON_AddStringToObject(res, "joulemark_version", "0.1.0");
    cJSON_AddStringToObject(res, "git_describe", "abc1234");
    cJSON_AddStringToObject(res, "run_rules", mlperf_rules ? "mlperf" : "quick");
    cJSON_AddBoolToObject(res, "estimated", true);
    cJSON_AddItemToObject(res, "system", jm_system_describe());
    cJSON *config = cJSON_CreateObject();
    cJSON_AddStringToObject(config, "name", "test");
    cJSON_AddItemToObject(res, "config", config);
    cJSON *ws = cJSON_AddArrayToObject(res, "workloads");
    const char *names[] = {"moe-layer", "dense-layer"}, *kinds[] = {"moe", "dense"};
    for (int i = 0; i < 2; i++) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "name", names[i]);
        cJSON_AddStringToObject(w, "kind", kinds[i]);
        cJSON_AddItemToArray(ws, w);
    }
    char err[512];
    snprintf(path, sizeof(path), "%s/results.json", dir);
    char *text = cJSON_Print(res);
    cr_assert_eq(jm_mkdir_p(dir, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(jm_write_file_atomic(path, text, strlen(text), err, sizeof(err)), 0);
    free(text);
    cJSON_Delete(res);
    jm_scenario_kind scen[] = {JM_SCENARIO_OFFLINE, JM_SCENARIO_SINGLE_STREAM};
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < 2; k++) {
            jm_scenario_settings ranging, testing;
            jm_mlperf_rules_settings(mlperf_rules ? JM_MLPERF_RULES_MLPERF : JM_MLPERF_RULES_QUICK,
                                     scen[k], &ranging);
            ranging.performance_sample_count = 24576;
            ranging.total_sample_count = 10833; /* bert-99's dataset */
            ranging.tokens_per_sample = 256;
            ranging.issue_max_samples = 16;
            jm_scenario_result rr, tr, ar;
            char d[1024];
            snprintf(d, sizeof(d), "%s/mlperf/%s/%s/ranging", dir, names[b],
                     jm_scenario_name(scen[k]));
            write_run(d, names[b], &ranging, &rr, "ranging", false);
            jm_mlperf_rules_testing_settings(&ranging, &rr, &testing);
            snprintf(d, sizeof(d), "%s/mlperf/%s/%s/run_1", dir, names[b],
                     jm_scenario_name(scen[k]));
            write_run(d, names[b], &testing, &tr, "testing", false);
            jm_scenario_settings acc = testing;
            acc.min_duration_ms = 0;
            acc.min_query_count = 1;
            acc.max_query_count = 64;
            acc.target_qps = 640;
            snprintf(d, sizeof(d), "%s/mlperf/%s/%s/accuracy", dir, names[b],
                     jm_scenario_name(scen[k]));
            write_run(d, names[b], &acc, &ar, "accuracy", true);
            jm_mlperf_accuracy a;
            memset(&a, 0, sizeof(a));
            snprintf(a.benchmark, sizeof(a.benchmark), "%s", names[b]);
            a.seed = JM_MLPERF_QSL_RNG_SEED;
            a.n_samples = 8;
            a.rel_err = 1e-6;
            a.tolerance = 1e-4;
            a.passed = true;
            a.n_entries = 8;
            for (int i = 0; i < 8; i++)
                a.entry_data[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
            cr_assert_eq(jm_mlperf_write_accuracy(&a, d, err, sizeof(err)), 0, "%s", err);
            jm_scenario_result_free(&rr);
            jm_scenario_result_free(&tr);
            jm_scenario_result_free(&ar);
        }
}

static void write_user(const char *path, const char *skip)
{
    static const char *const keys[][2] = {
        {"status", "available"},       {"system_type", "edge"},
        {"host_storage_capacity", "64 GB"}, {"host_storage_type", "virtio disk"},
        {"host_memory_configuration", "unknown (VM)"}, {"host_processor_interconnect", "N/A"},
        {"host_networking", "none used"}, {"host_networking_topology", "N/A"},
        {"cooling", "air"},            {"host_network_card_count", "0"},
        {"system_type_detail", "cloud VM"}};
    cJSON *u = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
        if (!skip || strcmp(skip, keys[i][0]) != 0)
            cJSON_AddStringToObject(u, keys[i][0], keys[i][1]);
    char *t = cJSON_Print(u);
    char err[256];
    cr_assert_eq(jm_write_file_atomic(path, t, strlen(t), err, sizeof(err)), 0);
    free(t);
    cJSON_Delete(u);
}

static int package_with(const char *outdir, const char *submitter,
                        const char *const *extra)
{
    char *argv[24];
    int argc = 0;
    argv[argc++] = "package";
    argv[argc++] = results;
    argv[argc++] = "--out";
    argv[argc++] = (char *)outdir;
    argv[argc++] = "--submitter";
    argv[argc++] = (char *)submitter;
    argv[argc++] = "--system";
    argv[argc++] = "vm2core";
    argv[argc++] = "--system-file";
    argv[argc++] = user;
    for (int i = 0; extra && extra[i] && argc < 23; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    return jm_cmd_package(argc, argv);
}

static int package(const char *outdir, const char *submitter, const char *extra)
{
    const char *const more[] = {extra, NULL};
    return package_with(outdir, submitter, more);
}

static const char *const non_llm[] = {"--map", "moe-layer=bert-99", "--map",
                                      "dense-layer=bert-99", NULL};

static void setup(void)
{
    snprintf(base, sizeof(base), "/tmp/jm_test_package_XXXXXX");
    cr_assert_not_null(mkdtemp(base));
    snprintf(results, sizeof(results), "%s/results", base);
    snprintf(out, sizeof(out), "%s/submission", base);
    snprintf(user, sizeof(user), "%s/user.json", base);
    make_results(results, true);
    write_user(user, NULL);
}

static int rm_entry(const char *p, const struct stat *st, int f, struct FTW *w)
{
    (void)st;
    (void)f;
    (void)w;
    return remove(p);
}

static void teardown(void)
{
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 180 s: each test packages a run and runs `check` several times; under ASan+UBSan on a
 * loaded 2-core machine two of them passed 60 s (they use about 16 s of CPU). */
TestSuite(package, .init = setup, .fini = teardown, .timeout = 180);

static const char *const golden[] = {
    "open/acme/model_mapping.json",
    "open/acme/systems/vm2core.json",
    "open/acme/code/moe-layer/README.md",
    "open/acme/code/moe-layer/config.json",
    "open/acme/code/dense-layer/README.md",
    "open/acme/code/dense-layer/config.json",
    "open/acme/results/vm2core/moe-layer/Offline/performance/run_1/mlperf_log_detail.txt",
    "open/acme/results/vm2core/moe-layer/Offline/performance/run_1/mlperf_log_summary.txt",
    "open/acme/results/vm2core/moe-layer/Offline/accuracy/mlperf_log_detail.txt",
    "open/acme/results/vm2core/moe-layer/Offline/accuracy/mlperf_log_summary.txt",
    "open/acme/results/vm2core/moe-layer/Offline/accuracy/accuracy.txt",
    "open/acme/results/vm2core/moe-layer/Offline/accuracy/mlperf_log_accuracy.json",
    "open/acme/measurements/vm2core/moe-layer/Offline/vm2core_Offline.json",
    "open/acme/measurements/vm2core/moe-layer/Offline/README.md",
    "open/acme/measurements/vm2core/moe-layer/Offline/user.conf",
    "open/acme/measurements/vm2core/moe-layer/Offline/joulemark_power/run_1/joulemark_power.csv",
    "open/acme/measurements/vm2core/moe-layer/Offline/joulemark_power/ranging/mlperf_log_detail.txt",
    "open/acme/measurements/vm2core/moe-layer/Offline/joulemark_power/ranging/mlperf_log_summary.txt",
    "open/acme/measurements/vm2core/moe-layer/Offline/joulemark_power/ranging/joulemark_power.csv",
    "open/acme/results/vm2core/dense-layer/SingleStream/performance/run_1/mlperf_log_detail.txt",
    "open/acme/results/vm2core/dense-layer/SingleStream/accuracy/accuracy.txt",
    "open/acme/measurements/vm2core/dense-layer/SingleStream/vm2core_SingleStream.json",
    NULL};

static int problems_with(const char *needle)
{
    jm_check_problems p;
    char err[512];
    cr_assert_eq(jm_submission_check(out, &p, err, sizeof(err)), 0);
    int hits = 0;
    for (int i = 0; i < p.n; i++)
        hits += strstr(p.items[i], needle) != NULL;
    jm_check_problems_free(&p);
    return hits;
}

static int count_files(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "find '%s' -type f | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    cr_assert_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

Test(package, golden_structure_and_model_problems)
{
    cr_assert_eq(package(out, "acme", NULL), JM_EXIT_OK);
    for (const char *const *g = golden; *g; g++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", out, *g);
        FILE *f = fopen(path, "r");
        cr_expect_not_null(f, "missing %s", *g);
        if (f)
            fclose(f);
    }
    /* 2 top + 2x2 code + 4 scenarios x (2 perf + 4 acc + 3 meas + 4 own power) */
    cr_expect_eq(count_files(out), 2 + 4 + 4 * 13);
    char path[1024], err[512];
    snprintf(path, sizeof(path), "%s/open/acme/model_mapping.json", out);
    FILE *f = fopen(path, "r");
    char buf[512] = "";
    cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
    fclose(f);
    cJSON *map = cJSON_Parse(buf);
    cr_expect_str_eq(cJSON_GetObjectItem(map, "moe-layer")->valuestring, "mixtral-8x7b");
    cr_expect_str_eq(cJSON_GetObjectItem(map, "dense-layer")->valuestring, "llama2-70b-99");
    cJSON_Delete(map);
    /* with the LLM mappings, exactly what MLCommons' checker v5.1 reports for
     * each of the 4 results: no token latencies (a layer has none) and an
     * accuracy run that does not cover the model's dataset */
    jm_check_problems p;
    cr_assert_eq(jm_submission_check(out, &p, err, sizeof(err)), 0, "%s", err);
    int llm = 0, dataset = 0;
    for (int i = 0; i < p.n; i++) {
        if (strstr(p.items[i], "requested_use_token_latencies is not true"))
            llm++;
        else if (strstr(p.items[i], "accuracy run covers effective_accuracy_sample_count = "
                                    "10833 samples"))
            dataset++;
        else
            cr_log_error("unexpected: %s", p.items[i]);
    }
    cr_expect_eq(llm, 4);
    cr_expect_eq(dataset, 4);
    cr_expect_eq(p.n, 8, "%d problems in a fresh tree", p.n);
    jm_check_problems_free(&p);
    cr_expect_eq(problems_with("mixtral-8x7b's dataset"), 2);
    cr_expect_eq(problems_with("the 24576 samples of llama2-70b-99's dataset"), 2);
    char *argv[] = {"check", out, NULL};
    cr_expect_eq(jm_cmd_check(2, argv), JM_EXIT_INVALID);
    /* refuses to overwrite without --force */
    cr_expect_eq(package(out, "acme", NULL), JM_EXIT_USAGE);
    cr_expect_eq(package(out, "acme", "--force"), JM_EXIT_OK);
}

/* mapped to a non-LLM model whose dataset the accuracy run covers: clean */
Test(package, clean_check_with_non_llm_mapping)
{
    cr_assert_eq(package_with(out, "acme", non_llm), JM_EXIT_OK);
    jm_check_problems p;
    char err[512];
    cr_assert_eq(jm_submission_check(out, &p, err, sizeof(err)), 0, "%s", err);
    for (int i = 0; i < p.n; i++)
        cr_log_error("%s", p.items[i]);
    cr_expect_eq(p.n, 0, "%d problems in a fresh tree", p.n);
    jm_check_problems_free(&p);
    char *argv[] = {"check", out, NULL};
    cr_expect_eq(jm_cmd_check(2, argv), JM_EXIT_OK);
}

/* removing any single file of the tree is reported, naming that file */
Test(package, check_catches_every_removed_file)
{
    cr_assert_eq(package(out, "acme", NULL), JM_EXIT_OK);
    char cmd[4096], list[600];
    snprintf(list, sizeof(list), "%s/files.txt", base);
    snprintf(cmd, sizeof(cmd), "cd '%s' && find open -type f | sort > '%s'", out, list);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(list, "r");
    char rel[600];
    int n = 0;
    while (fgets(rel, sizeof(rel), f)) {
        rel[strcspn(rel, "\n")] = '\0';
        char copy[700], path[1400], err[512];
        snprintf(copy, sizeof(copy), "%s/copy", base);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -al '%s' '%s'", copy, out, copy);
        cr_assert_eq(system(cmd), 0);
        snprintf(path, sizeof(path), "%s/%s", copy, rel);
        cr_assert_eq(remove(path), 0);
        jm_check_problems p;
        cr_assert_eq(jm_submission_check(copy, &p, err, sizeof(err)), 0);
        bool named = false;
        for (int i = 0; i < p.n; i++)
            named = named || strstr(p.items[i], rel) != NULL;
        cr_expect(named, "removing %s: no problem names it (%d problems)", rel, p.n);
        jm_check_problems_free(&p);
        n++;
    }
    fclose(f);
    cr_expect_eq(n, 2 + 4 + 4 * 13);
}

static void rewrite_json_without(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char buf[16384] = "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    cr_assert_not_null(cJSON_GetObjectItem(j, key), "%s has no %s", path, key);
    cJSON_DeleteItemFromObject(j, key);
    char *t = cJSON_Print(j);
    f = fopen(path, "w");
    fputs(t, f);
    fclose(f);
    free(t);
    cJSON_Delete(j);
}

/* Runs `check` once per required key (about 80 times): under ASan+UBSan on a
 * busy 2-core machine that took over the suite's 60 s, so it has its own limit. */
Test(package, check_catches_every_removed_key, .timeout = 300)
{
    cr_assert_eq(package(out, "acme", NULL), JM_EXIT_OK);
    char sys[1024], meas[1024], cmd[8192], backup[1100];
    snprintf(sys, sizeof(sys), "%s/open/acme/systems/vm2core.json", out);
    snprintf(backup, sizeof(backup), "%s/sys.bak", base);
    for (const char *const *k = jm_submission_system_keys; *k; k++) {
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", sys, backup);
        cr_assert_eq(system(cmd), 0);
        rewrite_json_without(sys, *k);
        char needle[128];
        snprintf(needle, sizeof(needle), "\"%s\" is missing", *k);
        cr_expect_geq(problems_with(needle), 1, "system key %s", *k);
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", backup, sys);
        cr_assert_eq(system(cmd), 0);
    }
    snprintf(meas, sizeof(meas),
             "%s/open/acme/measurements/vm2core/moe-layer/Offline/vm2core_Offline.json", out);
    for (const char *const *k = jm_submission_measurement_keys; *k; k++) {
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", meas, backup);
        cr_assert_eq(system(cmd), 0);
        rewrite_json_without(meas, *k);
        char needle[128];
        snprintf(needle, sizeof(needle), "\"%s\" is missing", *k);
        cr_expect_eq(problems_with(needle), 1, "measurement key %s", *k);
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", backup, meas);
        cr_assert_eq(system(cmd), 0);
    }
    /* every required key of each scenario's detail log */
    const char *scen[] = {"Offline", "SingleStream"};
    jm_scenario_kind kinds[] = {JM_SCENARIO_OFFLINE, JM_SCENARIO_SINGLE_STREAM};
    for (int s = 0; s < 2; s++) {
        char detail[1024];
        snprintf(detail, sizeof(detail),
                 "%s/open/acme/results/vm2core/dense-layer/%s/performance/run_1/"
                 "mlperf_log_detail.txt",
                 out, scen[s]);
        for (const char *const *k = jm_mlperf_required_keys(kinds[s]); *k; k++) {
            snprintf(cmd, sizeof(cmd),
                     "cp '%s' '%s' && grep -v '\"key\": \"%s\"' '%s' > '%s.new' && mv '%s.new' "
                     "'%s'",
                     detail, backup, *k, backup, detail, detail, detail);
            cr_assert_eq(system(cmd), 0);
            char needle[128];
            snprintf(needle, sizeof(needle), "\"%s\" is missing", *k);
            cr_expect_geq(problems_with(needle), 1, "%s detail key %s", scen[s], *k);
            snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", backup, detail);
            cr_assert_eq(system(cmd), 0);
        }
    }
}

Test(package, check_catches_tampered_figures)
{
    cr_assert_eq(package(out, "acme", NULL), JM_EXIT_OK);
    char cmd[2400], d[1024];
    snprintf(d, sizeof(d),
             "%s/open/acme/results/vm2core/moe-layer/SingleStream/performance/run_1/"
             "mlperf_log_detail.txt",
             out);
    /* energy 10% higher than the samples say */
    snprintf(cmd, sizeof(cmd),
             "sed -i 's/\"key\": \"joulemark_energy_j\", \"value\": \\([0-9.]*\\)/\"key\": "
             "\"joulemark_energy_j\", \"value\": 1\\1/' '%s'",
             d);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("recomputed from"), 1);
    /* accuracy log changed after hashing */
    char a[1024];
    snprintf(a, sizeof(a),
             "%s/open/acme/results/vm2core/moe-layer/Offline/accuracy/mlperf_log_accuracy.json",
             out);
    snprintf(cmd, sizeof(cmd), "sed -i 's/\"qsl_idx\" : 3/\"qsl_idx\" : 4/' '%s'", a);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("is not the SHA-256"), 1);
    /* a wrong seed and a short min duration */
    char s[1024];
    snprintf(s, sizeof(s),
             "%s/open/acme/results/vm2core/dense-layer/Offline/performance/run_1/"
             "mlperf_log_detail.txt",
             out);
    snprintf(cmd, sizeof(cmd),
             "sed -i -e 's/\"effective_schedule_rng_seed\", \"value\": [0-9]*/"
             "\"effective_schedule_rng_seed\", \"value\": 7/' -e "
             "'s/\"effective_min_duration_ms\", \"value\": 600000/\"effective_min_duration_ms\", "
             "\"value\": 60000/' '%s'",
             s);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("effective_schedule_rng_seed is 7"), 1);
    cr_expect_eq(problems_with("effective_min_duration_ms is 60000"), 1);
    /* a scenario folder that is not a scenario */
    snprintf(cmd, sizeof(cmd), "mv '%s/open/acme/results/vm2core/dense-layer/SingleStream' "
                               "'%s/open/acme/results/vm2core/dense-layer/Batch'",
             out, out);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("Batch: not a scenario"), 1);
    char *argv[] = {"check", out, NULL};
    cr_expect_eq(jm_cmd_check(2, argv), JM_EXIT_INVALID);
}

/* sets key of a JSON file to a string (value) or, with value NULL, to number */
static void set_json(const char *path, const char *key, const char *value, double number)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char buf[16384] = "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    cr_assert_not_null(j, "%s", path);
    cJSON_DeleteItemFromObject(j, key);
    if (value)
        cJSON_AddStringToObject(j, key, value);
    else
        cJSON_AddNumberToObject(j, key, number);
    char *t = cJSON_Print(j);
    f = fopen(path, "w");
    fputs(t, f);
    fclose(f);
    free(t);
    cJSON_Delete(j);
}

/* rules of MLCommons' checker v5.1 that a file-and-key check misses */
Test(package, check_applies_checker_value_rules)
{
    cr_assert_eq(package_with(out, "acme", non_llm), JM_EXIT_OK);
    char sys[1024], meas[1024], conf[1024], acc[1024], det[1024], map[1024], cmd[4096];
    snprintf(sys, sizeof(sys), "%s/open/acme/systems/vm2core.json", out);
    /* empty values the checker rejects: "", and a number 0 (Python's `not value`) */
    set_json(sys, "cooling", "", 0);
    cr_expect_eq(problems_with("\"cooling\" is empty"), 1);
    set_json(sys, "cooling", "air", 0);
    set_json(sys, "host_network_card_count", NULL, 0);
    cr_expect_eq(problems_with("\"host_network_card_count\" is empty"), 1);
    set_json(sys, "host_network_card_count", NULL, 1);
    /* values the checker accepts: either order of datacenter,edge; any case of status */
    set_json(sys, "system_type", "edge,datacenter", 0);
    set_json(sys, "status", "Available", 0);
    cr_expect_eq(problems_with("vm2core.json"), 0);
    set_json(sys, "system_type", "edge+datacenter", 0);
    cr_expect_eq(problems_with("system_type must be"), 1);
    set_json(sys, "system_type", "edge", 0);
    snprintf(meas, sizeof(meas),
             "%s/open/acme/measurements/vm2core/dense-layer/Offline/vm2core_Offline.json", out);
    set_json(meas, "retraining", "", 0);
    cr_expect_eq(problems_with("\"retraining\" is empty"), 1);
    set_json(meas, "retraining", "no", 0);
    snprintf(conf, sizeof(conf), "%s/open/acme/measurements/vm2core/dense-layer/Offline/user.conf",
             out);
    FILE *f = fopen(conf, "w");
    fclose(f);
    cr_expect_eq(problems_with("user.conf: empty"), 1);
    /* the checker's hash line starts the line */
    snprintf(acc, sizeof(acc),
             "%s/open/acme/results/vm2core/moe-layer/Offline/accuracy/accuracy.txt", out);
    snprintf(cmd, sizeof(cmd), "sed -i 's/^hash=/the hash=/' '%s'", acc);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("no line starting with \"hash=\""), 1);
    /* accuracy coverage: effective_accuracy_sample_count, else qsl_reported_total_count */
    snprintf(det, sizeof(det),
             "%s/open/acme/results/vm2core/moe-layer/SingleStream/accuracy/mlperf_log_detail.txt",
             out);
    snprintf(cmd, sizeof(cmd),
             "sed -i -e '/\"key\": \"effective_accuracy_sample_count\"/d' -e "
             "'s/\"key\": \"qsl_reported_total_count\", \"value\": 10833/\"key\": "
             "\"qsl_reported_total_count\", \"value\": 64/' '%s'",
             det);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(problems_with("covers qsl_reported_total_count = 64 samples, checker v5.1 "
                               "expects the 10833 samples of bert-99's dataset"),
                 1);
    /* a model checker v5.1 does not know (v5.0's interactive llama2) */
    snprintf(map, sizeof(map), "%s/open/acme/model_mapping.json", out);
    set_json(map, "dense-layer", "llama2-70b-interactive-99", 0);
    cr_expect_eq(problems_with("not a model of checker v5.1"), 1);
    /* an LLM model needs token latencies */
    set_json(map, "dense-layer", "llama3.1-8b", 0);
    cr_expect_eq(problems_with("requested_use_token_latencies is not true, but checker v5.1 "
                               "requires token latencies for the LLM model llama3.1-8b"),
                 2);
}

Test(package, names_are_validated)
{
    cr_expect_eq(package(out, "../evil", NULL), JM_EXIT_USAGE);
    cr_expect_eq(package(out, "a/b", NULL), JM_EXIT_USAGE);
    cr_expect_eq(package(out, "tab\there", NULL), JM_EXIT_USAGE);
    cr_expect_eq(package(out, "", NULL), JM_EXIT_USAGE);
    char err[256];
    cr_expect_neq(jm_submission_name_check("system name", "x y", err, sizeof(err)), 0);
    cr_expect(strstr(err, "' '") != NULL, "%s", err);
    cr_expect_neq(jm_submission_name_check("system name", "a\x01", err, sizeof(err)), 0);
    cr_expect(strstr(err, "control character 0x01") != NULL, "%s", err);
    cr_expect_neq(jm_submission_name_check("system name", "..", err, sizeof(err)), 0);
    cr_expect_eq(jm_submission_name_check("system name", "Orin_TRT-MaxQ.v2", err, sizeof(err)), 0);
    /* nothing was written */
    char path[700];
    snprintf(path, sizeof(path), "%s/open", out);
    FILE *f = fopen(path, "r");
    cr_expect_null(f);
    if (f)
        fclose(f);
}

Test(package, missing_system_key_names_key_and_file)
{
    write_user(user, "cooling");
    jm_submission_opts o = {.results_dirs = {results}, .n_results_dirs = 1, .out_dir = out,
                            .submitter = "acme", .system = "vm2core", .system_file = user};
    int n;
    char err[1024];
    cr_expect_neq(jm_submission_build(&o, &n, err, sizeof(err)), 0);
    cr_expect(strstr(err, "\"cooling\"") != NULL, "%s", err);
    cr_expect(strstr(err, user) != NULL, "%s", err);
    o.system_file = NULL;
    cr_expect_neq(jm_submission_build(&o, &n, err, sizeof(err)), 0);
    cr_expect(strstr(err, "--system-file") != NULL, "%s", err);
    /* a required value given empty is refused too, naming key and file */
    write_user(user, NULL);
    set_json(user, "host_storage_type", "", 0);
    o.system_file = user;
    cr_expect_neq(jm_submission_build(&o, &n, err, sizeof(err)), 0);
    cr_expect(strstr(err, "\"host_storage_type\" is empty") != NULL, "%s", err);
    cr_expect(strstr(err, user) != NULL, "%s", err);
    char path[700];
    snprintf(path, sizeof(path), "%s/open/acme", out);
    FILE *f = fopen(path, "r");
    cr_expect_null(f, "a failed package left %s behind", path);
    if (f)
        fclose(f);
}

Test(package, quick_runs_are_flagged)
{
    char quick[600];
    snprintf(quick, sizeof(quick), "%s/quick", base);
    make_results(quick, false);
    jm_submission_opts o = {.results_dirs = {quick}, .n_results_dirs = 1, .out_dir = out,
                            .submitter = "acme", .system = "vm2core", .system_file = user};
    int n;
    char err[1024];
    cr_assert_eq(jm_submission_build(&o, &n, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(n, 4);
    cr_expect_eq(problems_with("MLPerf requires >= 600000"), 4);
}

/* runs sed with one expression on a file of the package */
static void sed_file(const char *expr, const char *rel)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "sed -i '%s' '%s/open/acme/%s'", expr, out, rel);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* issue 12 class 2: a value `check` cannot read used to make its rule
 * disappear; a checker fails closed, so each is a problem naming file and key.
 * Also class 4 (the summary message names its file) and class 1 (a year
 * without an int64-ns instant in power_begin is a problem, not overflow). */
Test(package, check_fails_closed_on_unreadable_values)
{
    cr_assert_eq(package_with(out, "acme", non_llm), JM_EXIT_OK);
    cr_expect_eq(problems_with(""), 0, "the fresh package has problems");
    const char *off = "results/vm2core/dense-layer/Offline/performance/run_1/mlperf_log_detail.txt";
    sed_file("s/\"effective_min_duration_ms\", \"value\": 600000/\"effective_min_duration_ms\", "
             "\"value\": -600000/", off);
    cr_expect_eq(problems_with("effective_min_duration_ms -600000 is negative"), 1);
    sed_file("s/\"effective_scenario\", \"value\": \"Offline\"/\"effective_scenario\", \"value\": "
             "null/", off);
    cr_expect_eq(problems_with("effective_scenario is null, expected \"Offline\""), 1);
    sed_file("s/\"effective_performance_sample_count\", \"value\": \\([0-9]*\\)/"
             "\"effective_performance_sample_count\", \"value\": \"\\1\"/", off);
    cr_expect_eq(problems_with("effective_performance_sample_count is a string"), 1);
    sed_file("s/\"effective_qsl_rng_seed\", \"value\": [0-9]*/\"effective_qsl_rng_seed\", "
             "\"value\": -1780908523862526354/", off);
    cr_expect_eq(problems_with("effective_qsl_rng_seed \"-1780908523862526354\" is negative"), 1);
    sed_file("s/\"power_begin\", \"value\": \"\\([0-9][0-9]-[0-9][0-9]\\)-[0-9]*/\"power_begin\", "
             "\"value\": \"\\1-2300/", off);
    cr_expect_eq(problems_with("power_begin: time stamp"), 1);
    cr_expect_eq(problems_with("year 2300"), 1);
    /* joulemark_avg_power_w is compared on the joulemark_power.csv path too */
    const char *ss = "results/vm2core/moe-layer/SingleStream/performance/run_1/mlperf_log_detail.txt";
    sed_file("s/\"joulemark_avg_power_w\", \"value\": \\([0-9]\\)/\"joulemark_avg_power_w\", "
             "\"value\": 9\\1/", ss);
    cr_expect_eq(problems_with("joulemark_avg_power_w"), 1);
    cr_expect_eq(problems_with("recomputed from"), 1);
    /* a summary log that is not one: the message names the file */
    const char *sum = "results/vm2core/moe-layer/Offline/performance/run_1/mlperf_log_summary.txt";
    sed_file("s/MLPerf Results Summary/Results/", sum);
    cr_expect_eq(problems_with("mlperf_log_summary.txt: summary log: no \"MLPerf Results Summary\""),
                 1);
}

/* issue 12 class 3: `--map moe-layer=`, `--map =x` and a mistyped benchmark
 * fell back to the default mapping without a word, and the last of two
 * --maps of one benchmark won; each is refused, naming the --map. */
Test(package, map_options_are_validated)
{
    const struct {
        const char *a, *b, *needle;
    } bad[] = {{"moe-layer=", NULL, "--map \"moe-layer=\": expected BENCHMARK=MODEL"},
               {"=bert-99", NULL, "--map \"=bert-99\": expected BENCHMARK=MODEL"},
               {"moe-layer", NULL, "--map \"moe-layer\": expected BENCHMARK=MODEL"},
               {"moe-layr=bert-99", NULL, "no benchmark \"moe-layr\" (they hold: "},
               {"moe-layer=bert-99", "moe-layer=resnet", "benchmark \"moe-layer\" twice"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        jm_submission_opts o = {.results_dirs = {results}, .n_results_dirs = 1, .out_dir = out,
                                .submitter = "acme", .system = "vm2core", .system_file = user,
                                .maps = {bad[i].a, bad[i].b}, .n_maps = bad[i].b ? 2 : 1};
        int n;
        char err[1024] = "";
        cr_expect_neq(jm_submission_build(&o, &n, err, sizeof(err)), 0, "%s accepted", bad[i].a);
        cr_expect(strstr(err, bad[i].needle) != NULL, "%s", err);
    }
    char path[700];
    snprintf(path, sizeof(path), "%s/open/acme", out);
    cr_expect_eq(access(path, F_OK), -1, "a refused package left %s behind", path);
}

/* issue 12 class 3: --system-file let 1e309 through (written as null) and
 * took the first of two equal keys; the strict reader refuses both. */
Test(package, system_file_is_read_strictly)
{
    const struct {
        const char *text, *needle;
    } bad[] = {{"{\"host_network_card_count\": 1e309}", "too large"},
               {"{\"cooling\": \"air\", \"cooling\": 5}", "duplicate key \"cooling\""},
               {"{\"host_network_card_count\": 01}", "leading zero"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char err[1024] = "";
        cr_assert_eq(jm_write_file_atomic(user, bad[i].text, strlen(bad[i].text), err,
                                          sizeof(err)),
                     0);
        jm_submission_opts o = {.results_dirs = {results}, .n_results_dirs = 1, .out_dir = out,
                                .submitter = "acme", .system = "vm2core", .system_file = user};
        int n;
        cr_expect_neq(jm_submission_build(&o, &n, err, sizeof(err)), 0, "%s accepted",
                      bad[i].text);
        cr_expect(strstr(err, bad[i].needle) != NULL && strstr(err, user) != NULL, "%s", err);
    }
}

/* An analyzer run: the ptd meter logged the whole run (RESULTS/meters/ptd/
 * spl.txt, 1 Hz, 50 W inside the testing run's power window and 500 W
 * elsewhere). Each scenario folder gets an spl.txt cut to its own window,
 * whose MLPerf power metric (`joulemark power`'s code) is the 50 W inside. */
Test(package, analyzer_log_cut_to_each_scenario_window)
{
    char path[1024], err[512], detail[1024];
    snprintf(detail, sizeof(detail), "%s/mlperf/moe-layer/Offline/run_1/mlperf_log_detail.txt",
             results);
    int64_t b, e;
    cr_assert_eq(jm_mlperf_power_window(detail, &b, &e, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/meters/ptd", results);
    cr_assert_eq(jm_mkdir_p(path, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/meters/ptd/spl.txt", results);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    int whole = 0;
    for (int64_t t = b - 30000000000LL; t <= e + 30000000000LL; t += 1000000000LL, whole++) {
        char stamp[64];
        jm_mlperf_format_power_time(t, stamp, sizeof(stamp));
        double w = t > b && t < e ? 50.0 : 500.0;
        fprintf(f, "Time,%s,Watts,%.6f,Volts,230.000000,Amps,%.6f,PF,0.950000,Mark,testing\n",
                stamp, w, w / 230.0 / 0.95);
    }
    fclose(f);
    cr_assert_eq(package_with(out, "acme", NULL), JM_EXIT_OK);
    snprintf(path, sizeof(path), "%s/open/acme/results/vm2core/moe-layer/Offline", out);
    jm_mlperf_power_result p;
    cr_assert_eq(jm_mlperf_power_of_dir(path, &p, err, sizeof(err)), 0, "%s", err);
    cr_assert_float_eq(p.metric, 50.0, 1e-9);
    cr_assert_str_eq(p.metric_unit, "W");
    snprintf(path, sizeof(path),
             "%s/open/acme/results/vm2core/moe-layer/Offline/performance/run_1/spl.txt", out);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512];
    int kept = 0;
    while (fgets(line, sizeof(line), f)) {
        int64_t t;
        const char *end;
        cr_assert_eq(jm_time_stamp_parse(line + 5, &end, &t, err, sizeof(err)), 0, "%s", err);
        cr_assert(t >= b && t <= e, "a sample outside its run's window: %s", line);
        kept++;
    }
    fclose(f);
    cr_assert(kept > 0 && kept < whole, "kept %d of %d", kept, whole);
    snprintf(path, sizeof(path),
             "%s/open/acme/results/vm2core/moe-layer/Offline/performance/ranging/spl.txt", out);
    cr_assert(access(path, R_OK) == 0, "%s", path);
    cr_expect_eq(problems_with("spl.txt"), 0);
    cr_expect_eq(problems_with("power"), 0);
}
