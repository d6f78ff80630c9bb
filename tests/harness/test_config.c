/* test_config.c - config validation: every error names the file, the JSON
 * path, the value and what was expected; unknown keys suggest the nearest;
 * the shipped configs load. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "meters_tmp.h"
#include "proc.h"

static char err[2048];

static int parse(const char *text, jm_config *cfg)
{
    err[0] = '\0';
    return jm_config_parse(text, "test.json", cfg, err, sizeof err);
}

/* `joulemark run --dry-run` on text saved as a file: exit 2, no plan, and the
 * parser's message (the file name aside) on stderr. */
static void expect_dry_run_error(const char *text, const char *const *needles)
{
    char dir[256], path[300];
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    cr_assert_eq(jm_mtmp_write(dir, "test.json", text), 0);
    snprintf(path, sizeof path, "%s/test.json", dir);
    char *argv[] = {JM_BINARY, "run", "--dry-run", path, NULL};
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &res), 0);
    cr_expect_eq(res.exit_code, 2, "--dry-run of %s: exit %d", text, res.exit_code);
    cr_expect_eq(res.out[0], '\0', "--dry-run printed a plan for a bad config: %s", res.out);
    /* an empty file is refused before parsing, with its own message */
    const char *const empty[] = {"test.json: empty file", NULL};
    for (const char *const *n = text[0] ? needles : empty; *n; n++)
        cr_expect(strstr(res.err, *n) != NULL, "--dry-run error \"%s\" lacks \"%s\"", res.err,
                  *n);
    jm_proc_free(&res);
    jm_mtmp_remove(dir);
}

/* Parses text, expects failure and that err contains each needle; then the
 * same through `joulemark run --dry-run`. */
static void expect_error(const char *text, const char *const *needles)
{
    jm_config cfg;
    int rc = parse(text, &cfg);
    cr_assert_neq(rc, 0, "expected an error for %s", text);
    cr_assert_null(cfg.json, "a failed parse must free the config");
    for (const char *const *n = needles; *n; n++)
        cr_expect(strstr(err, *n) != NULL, "error \"%s\" lacks \"%s\"", err, *n);
    expect_dry_run_error(text, needles);
}

#define MOE "{\"name\":\"m\",\"type\":\"moe\",\"d_model\":64,\"n_heads\":4,\"d_ff\":32,\"seq_len\":8,\"batch_seqs\":2,\"n_experts\":4,\"top_k\":1}"

Test(config, minimal_valid_config_gets_defaults)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"workloads\":[" MOE "]}", &cfg), 0, "%s", err);
    cr_expect_eq(cfg.n_workloads, 1);
    cr_expect_str_eq(cfg.workloads[0].name, "m");
    cr_expect_eq(cfg.workloads[0].shape.kind, JM_WORKLOAD_MOE);
    cr_expect_eq(cfg.workloads[0].shape.n_experts, 4);
    cr_expect_eq(cfg.rules.repeats, 5);
    cr_expect_str_eq(cfg.rules.name, "default");
    cr_expect_gt(cfg.n_meters, 0, "default meter list must not be empty");
    cr_expect_str_eq(cfg.meters[cfg.n_meters - 1], "estimate");
    jm_config_free(&cfg);
}

Test(config, malformed_json_gives_line_and_column)
{
    const char *needles[] = {"test.json: malformed JSON: line 3, column 12", NULL};
    expect_error("{\n\"workloads\": [\n  {\"name\": ,}\n]}", needles);
}

/* issue 12 class 3: cJSON alone let the first of two keys win (even when the
 * second has the wrong type) and read 00012 as 12 */
Test(config, duplicate_keys_and_leading_zeros_are_refused)
{
    const char *dup[] = {"test.json", "duplicate key \"d_model\"", "line 1", NULL};
    expect_error("{\"workloads\":[{\"name\":\"m\",\"type\":\"moe\",\"d_model\":64,\"d_model\":\"x\","
                 "\"n_heads\":4,\"d_ff\":32,\"seq_len\":8,\"batch_seqs\":2,\"n_experts\":4,\"top_k\":1}]}",
                 dup);
    const char *dup_top[] = {"test.json", "duplicate key \"workloads\"", NULL};
    expect_error("{\"workloads\":[" MOE "],\"workloads\":[]}", dup_top);
    const char *zero[] = {"test.json", "leading zero", NULL};
    expect_error("{\"workloads\":[{\"name\":\"m\",\"type\":\"moe\",\"d_model\":00064,"
                 "\"n_heads\":4,\"d_ff\":32,\"seq_len\":8,\"batch_seqs\":2,\"n_experts\":4,\"top_k\":1}]}",
                 zero);
    const char *inf[] = {"test.json", "too large", NULL};
    expect_error("{\"workloads\":[" MOE "],\"defaults\":{\"duration_s\":1e999}}", inf);
}

Test(config, empty_text_is_an_error)
{
    const char *needles[] = {"test.json", "malformed JSON", NULL};
    expect_error("", needles);
}

Test(config, top_level_must_be_object)
{
    const char *needles[] = {"test.json", "top level must be a JSON object", NULL};
    expect_error("[1,2]", needles);
}

Test(config, unknown_key_suggests_nearest)
{
    const char *needles[] = {"test.json", "workloads[0].d_mdoel", "unknown key",
                             "did you mean \"d_model\"", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"d_mdoel\":64}]}", needles);
}

Test(config, unknown_top_level_key_suggests)
{
    const char *needles[] = {"workload", "did you mean \"workloads\"", NULL};
    expect_error("{\"workload\":[]}", needles);
}

Test(config, unknown_key_far_from_all_lists_valid_keys)
{
    const char *needles[] = {"run_rules.zzzzzzzzzzzz", "expected one of", "repeats", NULL};
    expect_error("{\"run_rules\":{\"zzzzzzzzzzzz\":1},\"workloads\":[" MOE "]}", needles);
}

Test(config, number_out_of_range_names_path_value_and_range)
{
    const char *needles[] = {"workloads[0].d_ff", "-5", "expected an integer from 1", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"d_ff\":-5}]}", needles);
}

Test(config, non_integer_where_integer_expected)
{
    const char *needles[] = {"run_rules.repeats", "2.5", "integer", NULL};
    expect_error("{\"run_rules\":{\"repeats\":2.5},\"workloads\":[" MOE "]}", needles);
}

Test(config, string_where_number_expected)
{
    const char *needles[] = {"workloads[0].n_heads", "\"eight\"", "expected an integer", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"n_heads\":\"eight\"}]}",
                 needles);
}

Test(config, bad_type_lists_choices)
{
    const char *needles[] = {"workloads[0].type", "\"sparse\"", "\"gemm\", \"dense\" or \"moe\"", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"sparse\"}]}", needles);
}

Test(config, missing_type)
{
    const char *needles[] = {"workloads[0].type", "missing", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\"}]}", needles);
}

Test(config, key_that_does_not_apply_to_type)
{
    const char *needles[] = {"workloads[0].n_experts", "does not apply", "\"dense\"", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"n_experts\":4}]}", needles);
}

Test(config, shape_check_from_kernels_is_reported_with_path)
{
    /* 7 heads do not divide d_model 64 */
    const char *needles[] = {"workloads[0]", "n_heads", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"d_model\":64,\"n_heads\":7}]}",
                 needles);
}

Test(config, top_k_larger_than_experts)
{
    const char *needles[] = {"workloads[0]", "top_k", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a\",\"type\":\"moe\",\"d_model\":64,\"n_heads\":4,"
                 "\"n_experts\":2,\"top_k\":3}]}",
                 needles);
}

Test(config, empty_workloads)
{
    const char *needles[] = {"workloads", "empty", NULL};
    expect_error("{\"workloads\":[]}", needles);
}

Test(config, missing_workloads)
{
    const char *needles[] = {"workloads", "missing", NULL};
    expect_error("{\"name\":\"x\"}", needles);
}

Test(config, duplicate_workload_names)
{
    const char *needles[] = {"workloads[1].name", "already", NULL};
    expect_error("{\"workloads\":[" MOE "," MOE "]}", needles);
}

Test(config, invalid_workload_name)
{
    const char *needles[] = {"workloads[0].name", "a/b", "letters, digits", NULL};
    expect_error("{\"workloads\":[{\"name\":\"a/b\",\"type\":\"dense\"}]}", needles);
}

Test(config, comparison_with_unknown_workload_suggests)
{
    const char *needles[] = {"comparisons[0].candidate", "\"n\"", "did you mean \"m\"", NULL};
    expect_error("{\"workloads\":[" MOE ",{\"name\":\"d\",\"type\":\"dense\",\"d_model\":64,"
                 "\"n_heads\":4}],\"comparisons\":[{\"baseline\":\"d\",\"candidate\":\"n\"}]}",
                 needles);
}

Test(config, comparison_with_itself)
{
    const char *needles[] = {"comparisons[0]", "both", NULL};
    expect_error("{\"workloads\":[" MOE "],\"comparisons\":[{\"baseline\":\"m\",\"candidate\":\"m\"}]}",
                 needles);
}

Test(config, unknown_meter_suggests)
{
    const char *needles[] = {"meters[0]", "\"rapll\"", "did you mean \"rapl\"", NULL};
    expect_error("{\"meters\":[\"rapll\"],\"workloads\":[" MOE "]}", needles);
}

Test(config, unknown_meter_option)
{
    const char *needles[] = {"meters[0]", "estimate", "no option \"tdp\"", NULL};
    expect_error("{\"meters\":[\"estimate:tdp=5\"],\"workloads\":[" MOE "]}", needles);
}

Test(config, meter_as_object_becomes_spec)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"meters\":[{\"name\":\"estimate\",\"tdp_w\":120}],\"workloads\":[" MOE "]}",
                       &cfg),
                 0, "%s", err);
    cr_expect_eq(cfg.n_meters, 1);
    cr_expect_str_eq(cfg.meters[0], "estimate:tdp_w=120");
    jm_config_free(&cfg);
}

Test(config, empty_meter_list)
{
    const char *needles[] = {"meters", "empty", NULL};
    expect_error("{\"meters\":[],\"workloads\":[" MOE "]}", needles);
}

Test(config, primary_meter_must_be_listed)
{
    const char *needles[] = {"primary_meter", "\"rapl\"", "not in the meters list", NULL};
    expect_error("{\"meters\":[\"estimate\"],\"primary_meter\":\"rapl\",\"workloads\":[" MOE "]}",
                 needles);
}

Test(config, defaults_fill_only_applicable_keys)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"defaults\":{\"d_model\":64,\"n_heads\":4,\"n_experts\":4,\"seq_len\":8,"
                       "\"batch_seqs\":2},\"workloads\":[{\"name\":\"d\",\"type\":\"dense\","
                       "\"d_ff\":128},{\"name\":\"m\",\"type\":\"moe\",\"d_ff\":32},"
                       "{\"name\":\"g\",\"type\":\"gemm\",\"m\":16,\"n\":16,\"k\":16}]}",
                       &cfg),
                 0, "%s", err);
    cr_expect_eq(cfg.workloads[0].shape.d_model, 64);
    cr_expect_eq(cfg.workloads[0].shape.d_ff, 128);
    cr_expect_eq(cfg.workloads[1].shape.n_experts, 4);
    cr_expect_eq(cfg.workloads[1].shape.seq_len, 8);
    cr_expect_eq(cfg.workloads[2].shape.m, 16);
    cr_expect_eq(cfg.workloads[2].shape.batch_seqs, 16, "a GEMM batch is its m rows");
    jm_config_free(&cfg);
}

Test(config, sweep_expands_layers_and_comparisons)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"defaults\":{\"d_model\":64,\"n_heads\":4,\"seq_len\":8},"
                       "\"workloads\":[" MOE ",{\"name\":\"d\",\"type\":\"dense\"}],"
                       "\"comparisons\":[{\"baseline\":\"d\",\"candidate\":\"m\"}],"
                       "\"sweep\":{\"batch_seqs\":[1,4]}}",
                       &cfg),
                 0, "%s", err);
    cr_assert_eq(cfg.n_workloads, 4);
    cr_expect_str_eq(cfg.workloads[0].name, "m-b1");
    cr_expect_eq(cfg.workloads[0].shape.batch_seqs, 1);
    cr_expect_str_eq(cfg.workloads[1].name, "m-b4");
    cr_expect_eq(cfg.workloads[1].shape.batch_seqs, 4);
    cr_assert_eq(cfg.n_comparisons, 2);
    cr_expect_str_eq(cfg.comparisons[1].baseline, "d-b4");
    cr_expect_str_eq(cfg.comparisons[1].candidate, "m-b4");
    jm_config_free(&cfg);
}

Test(config, sweep_rejects_bad_values)
{
    const char *needles[] = {"sweep.batch_seqs[1]", "integer", NULL};
    expect_error("{\"workloads\":[" MOE "],\"sweep\":{\"batch_seqs\":[1,0]}}", needles);
}

Test(config, quick_preset_shortens)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"run_rules\":{\"preset\":\"quick\",\"duration_s\":30,\"repeats\":9},"
                       "\"workloads\":[" MOE "]}",
                       &cfg),
                 0, "%s", err);
    cr_expect_leq(cfg.rules.duration_s, 1.0);
    cr_expect_leq(cfg.rules.repeats, 3);
    cr_expect_str_eq(cfg.rules.name, "quick");
    jm_config_free(&cfg);
}

Test(config, bad_preset)
{
    const char *needles[] = {"run_rules.preset", "\"fast\"", "\"mlperf\"", NULL};
    expect_error("{\"run_rules\":{\"preset\":\"fast\"},\"workloads\":[" MOE "]}", needles);
}

Test(config, set_meters_from_command_line)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"workloads\":[" MOE "]}", &cfg), 0, "%s", err);
    char *good[] = {"estimate:tdp_w=50", "rapl:root=/nonexistent"};
    cr_expect_eq(jm_config_set_meters(&cfg, good, 2, err, sizeof err), 0, "%s", err);
    cr_expect_eq(cfg.n_meters, 2);
    char *bad[] = {"estimat"};
    cr_expect_neq(jm_config_set_meters(&cfg, bad, 1, err, sizeof err), 0);
    cr_expect(strstr(err, "--meter") && strstr(err, "did you mean \"estimate\""), "%s", err);
    cr_expect_eq(cfg.n_meters, 2, "a rejected --meter leaves the list as it was");
    jm_config_free(&cfg);
}

Test(config, missing_file)
{
    jm_config cfg;
    cr_expect_neq(jm_config_load("/nonexistent/x.json", &cfg, err, sizeof err), 0);
    cr_expect(strstr(err, "/nonexistent/x.json") && strstr(err, "cannot open"), "%s", err);
}

Test(config, directory_is_not_a_config)
{
    jm_config cfg;
    cr_expect_neq(jm_config_load("/tmp", &cfg, err, sizeof err), 0);
    cr_expect(strstr(err, "not a regular file"), "%s", err);
}

Test(config, shipped_configs_load)
{
    const char *files[] = {"default.json", NULL};
    for (const char **f = files; *f; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/configs/%s", JM_SOURCE_DIR, *f);
        jm_config cfg;
        cr_expect_eq(jm_config_load(path, &cfg, err, sizeof err), 0, "%s: %s", path, err);
        jm_config_free(&cfg);
    }
}

Test(config, default_config_is_parameter_matched)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    jm_config cfg;
    cr_assert_eq(jm_config_load(path, &cfg, err, sizeof err), 0, "%s", err);
    const jm_workload_shape *moe = NULL, *dense = NULL;
    for (int i = 0; i < cfg.n_workloads; i++) {
        if (strcmp(cfg.workloads[i].name, "moe-layer") == 0)
            moe = &cfg.workloads[i].shape;
        if (strcmp(cfg.workloads[i].name, "dense-param-matched") == 0)
            dense = &cfg.workloads[i].shape;
    }
    cr_assert(moe && dense);
    /* same FFN parameters: experts x d_ff == dense d_ff; same batch shape */
    cr_expect_eq((long)moe->n_experts * moe->d_ff, (long)dense->d_ff);
    cr_expect_eq(moe->seq_len * moe->batch_seqs, 4096);
    cr_expect_eq(dense->seq_len * dense->batch_seqs, 4096);
    jm_config_free(&cfg);
}

Test(config, scenarios_parse_names_and_objects)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"workloads\":[" MOE "],\"scenarios\":[\"Offline\",{\"scenario\":\"Server\","
                       "\"target_qps\":2,\"target_latency_ms\":500}]}",
                       &cfg),
                 0, "%s", err);
    cr_assert_eq(cfg.n_scenarios, 2);
    cr_expect_eq(cfg.scenarios[0].kind, JM_SCENARIO_OFFLINE);
    cr_expect_eq(cfg.scenarios[1].kind, JM_SCENARIO_SERVER);
    cr_expect_float_eq(cfg.scenarios[1].target_qps, 2.0, 1e-12);
    cr_expect_float_eq(cfg.scenarios[1].target_latency_ms, 500.0, 1e-12);
    jm_config_free(&cfg);
}

Test(config, scenario_errors)
{
    const char *unknown[] = {"scenarios[0]", "\"Offlien\"", "\"SingleStream\"", NULL};
    expect_error("{\"workloads\":[" MOE "],\"scenarios\":[\"Offlien\"]}", unknown);
    const char *server[] = {"scenarios[0]", "target_qps", NULL};
    expect_error("{\"workloads\":[" MOE "],\"scenarios\":[\"Server\"]}", server);
    const char *twice[] = {"scenarios[1]", "twice", NULL};
    expect_error("{\"workloads\":[" MOE "],\"scenarios\":[\"Offline\",\"offline\"]}", twice);
    const char *key[] = {"scenarios[0].target_qsp", "did you mean \"target_qps\"", NULL};
    expect_error("{\"workloads\":[" MOE "],\"scenarios\":[{\"scenario\":\"Server\",\"target_qsp\":1}]}",
                 key);
}

Test(config, mlperf_preset_adds_default_scenarios)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"run_rules\":{\"preset\":\"mlperf\"},\"workloads\":[" MOE "]}", &cfg), 0,
                 "%s", err);
    cr_expect_eq(cfg.n_scenarios, 2);
    jm_config_free(&cfg);
}

Test(config, scenario_and_rules_from_command_line)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"workloads\":[" MOE "]}", &cfg), 0, "%s", err);
    char *good[] = {"SingleStream", "Server:qps=3.5,latency_ms=200"};
    cr_expect_eq(jm_config_set_scenarios(&cfg, good, 2, err, sizeof err), 0, "%s", err);
    cr_expect_eq(cfg.n_scenarios, 2);
    cr_expect_float_eq(cfg.scenarios[1].target_qps, 3.5, 1e-12);
    char *bad[] = {"Server:qps=abc"};
    cr_expect_neq(jm_config_set_scenarios(&cfg, bad, 1, err, sizeof err), 0);
    cr_expect(strstr(err, "--scenario") && strstr(err, "positive number"), "%s", err);
    cr_expect_eq(cfg.n_scenarios, 2, "a rejected --scenario leaves the list as it was");
    cr_expect_neq(jm_config_set_preset(&cfg, "fast", err, sizeof err), 0);
    cr_expect(strstr(err, "--rules") != NULL, "%s", err);
    cr_expect_eq(jm_config_set_preset(&cfg, "quick", err, sizeof err), 0);
    cr_expect_str_eq(cfg.rules.name, "quick");
    jm_config_free(&cfg);
}

Test(config, carbon_settings)
{
    jm_config cfg;
    cr_assert_eq(parse("{\"workloads\":[" MOE "],\"carbon\":{\"pue\":1.1,\"region\":\"FR\"}}", &cfg),
                 0, "%s", err);
    cr_expect_float_eq(cfg.carbon_pue, 1.1, 1e-12);
    cr_expect_str_eq(cfg.carbon_region, "FR");
    jm_config_free(&cfg);
    const char *needles[] = {"carbon.pue", "0.5", "from 1", NULL};
    expect_error("{\"workloads\":[" MOE "],\"carbon\":{\"pue\":0.5}}", needles);
}
