/* test_cli.c - the joulemark binary end to end: run with a tiny config on the
 * estimate meter, exit codes for bad configs, refusing to overwrite results,
 * no meter available, interruption keeping what was measured. */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "meters_tmp.h"
#include "proc.h"

static char dir[512];

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    jm_mtmp_remove(dir);
}

static const char *tiny_config =
    "{\"name\":\"tiny\",\n"
    " \"run_rules\":{\"idle_s\":0.2,\"warmup_s\":0,\"duration_s\":0.3,\"repeats\":3,"
    "\"interval_ms\":10,\"min_samples\":3},\n"
    " \"meters\":[\"rapl:root=/nonexistent-powercap\",\"estimate\"],\n"
    " \"defaults\":{\"d_model\":64,\"n_heads\":4,\"seq_len\":16,\"batch_seqs\":4},\n"
    " \"workloads\":[{\"name\":\"moe\",\"type\":\"moe\",\"d_ff\":32,\"n_experts\":4,\"top_k\":1},\n"
    "              {\"name\":\"dense\",\"type\":\"dense\",\"d_ff\":128}],\n"
    " \"comparisons\":[{\"baseline\":\"dense\",\"candidate\":\"moe\"}]}\n";

static void write_config(const char *name, const char *text, char *path, size_t len)
{
    cr_assert_eq(jm_mtmp_write(dir, name, text), 0);
    snprintf(path, len, "%s/%s", dir, name);
}

static jm_proc_result run_cli(char *const args[], int signo, unsigned after_ms)
{
    char *argv[32];
    int n = 0;
    argv[n++] = JM_BINARY;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, dir, signo, after_ms, 120, &res), 0, "cannot start %s",
                 JM_BINARY);
    return res;
}

static cJSON *load_json(const char *path)
{
    char *text = jm_read_file(path);
    cr_assert_not_null(text, "%s not written", path);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s does not parse", path);
    return j;
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 120);

Test(cli, version_and_help)
{
    jm_proc_result r = run_cli((char *[]){"--version", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "joulemark ") != NULL, "%s", r.out);
    jm_proc_free(&r);
    r = run_cli((char *[]){"--help", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "run") && strstr(r.out, "exit codes"), "%s", r.out);
    jm_proc_free(&r);
}

Test(cli, unknown_command_suggests)
{
    jm_proc_result r = run_cli((char *[]){"rnu", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "did you mean 'run'") != NULL, "%s", r.err);
    jm_proc_free(&r);
}

Test(cli, no_command_is_usage_error)
{
    jm_proc_result r = run_cli((char *[]){NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    jm_proc_free(&r);
}

Test(cli, malformed_config_exit_2_names_field)
{
    char path[1024];
    write_config("bad.json", "{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"d_ff\":0}]}",
                 path, sizeof path);
    jm_proc_result r = run_cli((char *[]){"run", path, "-o", "out", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "bad.json") && strstr(r.err, "workloads[0].d_ff"), "%s", r.err);
    struct stat st;
    cr_expect_neq(stat("out", &st), 0, "no output directory for a rejected config");
    jm_proc_free(&r);
}

Test(cli, bad_option_exit_2)
{
    jm_proc_result r = run_cli((char *[]){"run", "--bogus", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    jm_proc_free(&r);
    r = run_cli((char *[]){"run", "--meter", "nosuchmeter", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "nosuchmeter") != NULL, "%s", r.err);
    jm_proc_free(&r);
}

Test(cli, run_tiny_config_on_estimate)
{
    char path[1024], out[1100];
    write_config("tiny.json", tiny_config, path, sizeof path);
    snprintf(out, sizeof out, "%s/out", dir);
    jm_proc_result r = run_cli((char *[]){"run", path, "-o", out, NULL}, 0, 0);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    /* the missing RAPL tree is reported, and the estimate is labelled */
    cr_expect(strstr(r.err, "rapl") && strstr(r.err, "unavailable"), "%s", r.err);
    cr_expect(strstr(r.err, "ESTIMATED") != NULL, "%s", r.err);
    cr_expect(strstr(r.out, "ESTIMATED") != NULL, "summary must say estimated: %s", r.out);

    char f[1200];
    snprintf(f, sizeof f, "%s/results.json", out);
    cJSON *j = load_json(f);
    cJSON *meters = cJSON_GetObjectItem(j, "meters");
    cr_assert_eq(cJSON_GetArraySize(meters), 2);
    cJSON *rapl = cJSON_GetArrayItem(meters, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(rapl, "name")->valuestring, "rapl");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(rapl, "available")));
    cr_expect(strlen(cJSON_GetObjectItem(rapl, "reason")->valuestring) > 10);
    cJSON *est = cJSON_GetArrayItem(meters, 1);
    cr_expect_str_eq(cJSON_GetObjectItem(est, "kind")->valuestring, "estimated");
    cJSON *wls = cJSON_GetObjectItem(j, "workloads");
    cr_assert_eq(cJSON_GetArraySize(wls), 2);
    cJSON *w;
    cJSON_ArrayForEach(w, wls)
    {
        cJSON *runs = cJSON_GetObjectItem(w, "runs");
        cr_expect_eq(cJSON_GetArraySize(runs), 3);
        cJSON *run;
        cJSON_ArrayForEach(run, runs)
        {
            double e = cJSON_GetObjectItem(run, "energy_j")->valuedouble;
            double tokens = cJSON_GetObjectItem(run, "tokens")->valuedouble;
            double tpj = cJSON_GetObjectItem(run, "tokens_per_j")->valuedouble;
            /* MoE (capacity factor 1.25 by default): a dropped assignment did
             * no expert work; tokens/J counts the tokens processed */
            double routed = cJSON_GetObjectItem(run, "assignments")->valuedouble;
            double dropped = cJSON_GetObjectItem(run, "dropped_assignments")->valuedouble;
            double processed = routed > 0 ? tokens * (routed - dropped) / routed : tokens;
            cr_expect_float_eq(cJSON_GetObjectItem(run, "tokens_processed")->valuedouble,
                               processed, 1e-9 * tokens);
            cr_expect(cJSON_GetObjectItem(run, "flops")->valuedouble > 0);
            cr_expect_gt(e, 0);
            cr_expect_float_eq(tpj, processed / e, 1e-6 * tpj);
            cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(run, "valid")), "run invalid");
            cr_expect(strstr(cJSON_GetObjectItem(run, "energy_source")->valuestring, "estimate"));
        }
    }
    cJSON *cmp = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "comparisons"), 0);
    cr_assert_not_null(cmp);
    cr_expect_str_eq(cJSON_GetObjectItem(cmp, "baseline")->valuestring, "dense");
    cJSON *ratio = cJSON_GetObjectItem(cmp, "energy_per_token_ratio");
    double med = cJSON_GetObjectItem(ratio, "median")->valuedouble;
    cr_expect_gt(med, 0);
    cr_expect_leq(cJSON_GetObjectItem(ratio, "ci_low")->valuedouble, med);
    cr_expect_geq(cJSON_GetObjectItem(ratio, "ci_high")->valuedouble, med);
    cJSON_Delete(j);

    snprintf(f, sizeof f, "%s/trace.csv", out);
    char *trace = jm_read_file(f);
    cr_assert_not_null(trace);
    cr_expect(strstr(trace, "testing") != NULL, "trace has phase marks");
    free(trace);
    jm_proc_free(&r);
}

Test(cli, existing_output_not_overwritten_without_force)
{
    char path[1024], out[1100];
    write_config("tiny.json", tiny_config, path, sizeof path);
    snprintf(out, sizeof out, "%s/out", dir);
    cr_assert_eq(jm_mtmp_write(dir, "out/keep.txt", "precious\n"), 0);
    jm_proc_result r = run_cli((char *[]){"run", path, "-o", out, NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "--force") != NULL, "%s", r.err);
    jm_proc_free(&r);
    char f[1200];
    snprintf(f, sizeof f, "%s/results.json", out);
    struct stat st;
    cr_expect_neq(stat(f, &st), 0, "nothing written without --force");
    r = run_cli((char *[]){"run", path, "-o", out, "--force", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    cr_expect_eq(stat(f, &st), 0);
    jm_proc_free(&r);
}

Test(cli, no_meter_available_exit_3)
{
    char path[1024];
    write_config("tiny.json", tiny_config, path, sizeof path);
    jm_proc_result r =
        run_cli((char *[]){"run", path, "-o", "out", "--meter", "rapl:root=/nonexistent", NULL}, 0, 0);
    cr_expect_eq(r.exit_code, 3);
    cr_expect(strstr(r.err, "no energy meter is available") != NULL, "%s", r.err);
    jm_proc_free(&r);
}

Test(cli, interrupt_keeps_measured_results)
{
    char path[1024], out[1100];
    /* long runs so that SIGINT lands mid-run */
    const char *cfg =
        "{\"run_rules\":{\"idle_s\":0.2,\"warmup_s\":0,\"duration_s\":30,\"repeats\":3,"
        "\"interval_ms\":10},\"meters\":[\"estimate\"],"
        "\"workloads\":[{\"name\":\"g\",\"type\":\"gemm\",\"m\":64,\"n\":64,\"k\":64}]}";
    write_config("long.json", cfg, path, sizeof path);
    snprintf(out, sizeof out, "%s/out", dir);
    jm_proc_result r = run_cli((char *[]){"run", path, "-o", out, NULL}, SIGINT, 1500);
    cr_expect_eq(r.exit_code, 1, "interrupted run: exit 1; stderr %s", r.err);
    char f[1200];
    snprintf(f, sizeof f, "%s/results.json", out);
    cJSON *j = load_json(f);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(j, "complete")));
    cJSON *run = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "workloads"), 0), "runs"), 0);
    cr_assert_not_null(run, "the interrupted run is kept");
    cr_expect_gt(cJSON_GetObjectItem(run, "tokens")->valuedouble, 0);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(run, "valid")));
    cJSON_Delete(j);
    jm_proc_free(&r);
}

Test(cli, sysinfo_json_parses)
{
    jm_proc_result r = run_cli((char *[]){"sysinfo", "--json", NULL}, 0, 0);
    cr_assert_eq(r.exit_code, 0);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "%s", r.out);
    cr_expect_not_null(cJSON_GetObjectItem(j, "topology"));
    cr_expect_not_null(cJSON_GetObjectItem(j, "virtualization"));
    cJSON_Delete(j);
    jm_proc_free(&r);
}

Test(cli, scenario_run_writes_loadgen_logs_that_package_and_check_read)
{
    char path[1024], out[1100], sub[1100], sysfile[1024];
    write_config("tiny.json", tiny_config, path, sizeof path);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    jm_proc_result r = run_cli((char *[]){"run", path, "-o", out, "--scenario", "Offline",
                                          "--scenario", "SingleStream", NULL},
                               0, 0);
    cr_expect(r.exit_code == 0 || r.exit_code == 1, "stderr: %s", r.err);
    jm_proc_free(&r);
    const char *files[] = {"mlperf/moe/Offline/ranging/mlperf_log_detail.txt",
                           "mlperf/moe/Offline/run_1/mlperf_log_summary.txt",
                           "mlperf/moe/Offline/run_1/joulemark_power.csv",
                           "mlperf/dense/SingleStream/accuracy/accuracy.txt",
                           "mlperf/dense/SingleStream/accuracy/mlperf_log_accuracy.json", NULL};
    for (const char **f = files; *f; f++) {
        char p[1300];
        snprintf(p, sizeof p, "%s/%s", out, *f);
        struct stat st;
        cr_expect_eq(stat(p, &st), 0, "%s missing", *f);
    }
    /* the summary log says what LoadGen's says */
    char p[1300];
    snprintf(p, sizeof p, "%s/mlperf/moe/Offline/run_1/mlperf_log_summary.txt", out);
    char *summary = jm_read_file(p);
    cr_assert_not_null(summary);
    cr_expect(strstr(summary, "MLPerf Results Summary") && strstr(summary, "Result is :"));
    free(summary);

    write_config("system.json",
                 "{\"status\":\"rdi\",\"system_type\":\"datacenter\",\"framework\":\"joulemark\","
                 "\"host_storage_type\":\"disk\",\"host_storage_capacity\":\"1 TB\","
                 "\"host_processor_interconnect\":\"N/A\",\"host_networking\":\"N/A\","
                 "\"host_networking_topology\":\"N/A\",\"host_memory_configuration\":\"N/A\","
                 "\"accelerator_model_name\":\"N/A\",\"accelerator_memory_capacity\":\"N/A\","
                 "\"accelerator_frequency\":\"N/A\",\"accelerator_host_interconnect\":\"N/A\","
                 "\"accelerator_interconnect\":\"N/A\",\"accelerator_interconnect_topology\":\"N/A\","
                 "\"accelerator_memory_configuration\":\"N/A\",\"accelerator_on-chip_memories\":\"N/A\","
                 "\"cooling\":\"air\",\"hw_notes\":\"\",\"sw_notes\":\"\","
                 "\"host_network_card_count\":\"0\",\"system_type_detail\":\"test\","
                 "\"other_software_stack\":\"gcc\"}",
                 sysfile, sizeof sysfile);
    r = run_cli((char *[]){"package", out, "--out", sub, "--submitter", "tester", "--system",
                           "vm1", "--system-file", sysfile, NULL},
                0, 0);
    cr_expect_eq(r.exit_code, 0, "package: %s", r.err);
    jm_proc_free(&r);
    r = run_cli((char *[]){"check", sub, NULL}, 0, 0);
    /* quick rules are never compliant: the check must say why, and find no file missing */
    cr_expect_eq(r.exit_code, 1, "check of a quick run must fail: %s%s", r.out, r.err);
    cr_expect(strstr(r.out, "600000") || strstr(r.err, "600000"), "names the duration rule");
    cr_expect(!strstr(r.out, "missing") && !strstr(r.err, "missing"), "no file missing: %s%s",
              r.out, r.err);
    jm_proc_free(&r);
}
