/* test_live_meters.c - `joulemark run` as a user runs it, against a live fake
 * powercap tree (package-0 20 W containing core 9 W, dram 3 W nested in the
 * package folder, psys 35 W; the package counter wraps every 1.5 s) with the
 * estimate meter beside it, then the replay of the trace.csv it wrote: every
 * run reads 23 W +-3% (packages + dram, by the domain rule), and nothing says
 * ESTIMATED (the estimate is a side reading). And against the PTDaemon
 * emulator at 180 W with its real latencies: testing on fixed ranges, every
 * run 180 W +-2% over its configured duration (3 s: at 1 Hz a 2 s run may hold
 * a 1 s gap between points, which the runner calls half the run). */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "live_powercap.h"
#include "meters_tmp.h"
#include "mock_ptd.h"
#include "proc.h"

static char dir[512], tree_dir[600];
static jm_live_powercap *tree;

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    snprintf(tree_dir, sizeof tree_dir, "%s/powercap", dir);
    tree = jm_live_powercap_laptop(tree_dir);
    cr_assert_not_null(tree);
}

static void teardown(void)
{
    jm_live_powercap_stop(tree);
    jm_mtmp_remove(dir);
}

static void write_config_rules(const char *name, const char *meters, int repeats, double warmup_s,
                               double duration_s, int interval_ms, int min_samples)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"run_rules\":{\"idle_s\":0.5,\"warmup_s\":%g,\"duration_s\":%g,\"repeats\":%d,"
             "\"interval_ms\":%d,\"min_samples\":%d,\"threads\":1},\n"
             " \"meters\":[%s],\n"
             " \"defaults\":{\"d_model\":64,\"n_heads\":4,\"seq_len\":16,\"batch_seqs\":2},\n"
             " \"workloads\":[{\"name\":\"dense\",\"type\":\"dense\",\"d_ff\":128}]}\n",
             warmup_s, duration_s, repeats, interval_ms, min_samples, meters);
    cr_assert_eq(jm_mtmp_write(dir, name, text), 0);
}

static void write_config(const char *name, const char *meters, int repeats)
{
    write_config_rules(name, meters, repeats, 0, 1.0, 50, 3);
}

static jm_proc_result run_cli(const char *a1, const char *a2, const char *a3, const char *a4)
{
    char *argv[] = {JM_BINARY, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, dir, 0, 0, 120, &res), 0, "cannot start %s", JM_BINARY);
    return res;
}

static void expect_no_estimated(const char *what, const char *text)
{
    cr_assert_not_null(text, "%s missing", what);
    const char *hit = strstr(text, "ESTIMATED");
    cr_expect_null(hit, "%s says ESTIMATED on a measured run: ...%.120s", what,
                   hit ? (hit > text + 60 ? hit - 60 : text) : "");
}

/* Every testing run of out_dir reads 23 W +-3% from the wanted energy source. */
static void expect_23_watts(const char *out_dir, const char *source)
{
    char path[700], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, out_dir);
    jm_results r;
    cr_assert_eq(jm_results_load(path, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.estimated, "%s: results.json says estimated", out_dir);
    int runs = 0;
    for (int w = 0; w < r.n_workloads; w++)
        for (int i = 0; i < r.workloads[w].n_runs; i++) {
            const jm_run_result *run = &r.workloads[w].runs[i];
            cr_expect(run->valid, "%s run %d invalid: %s", out_dir, i,
                      run->n_invalid_reasons ? run->invalid_reasons[0] : "");
            cr_expect_not(run->estimated);
            cr_expect_float_eq(run->avg_power_w, 23.0, 0.03 * 23.0, "%s run %d: %.3f W (%s)",
                               out_dir, i, run->avg_power_w, run->energy_source);
            cr_expect_str_eq(run->energy_source, source);
            runs++;
        }
    cr_expect_gt(runs, 0);
    jm_results_free(&r);
}

Test(live_meters, rapl_and_its_replay_read_23_watts_and_nothing_says_estimated, .init = setup,
     .fini = teardown, .timeout = 120)
{
    char meters[800];
    snprintf(meters, sizeof meters, "\"rapl:root=%s\",\"estimate\"", tree_dir);
    write_config("live.json", meters, 2);
    jm_proc_result res = run_cli("run", "live.json", "-o", "live");
    cr_assert_eq(res.exit_code, 0, "%s\n%s", res.out, res.err);
    expect_no_estimated("terminal output", res.out);
    expect_no_estimated("terminal log", res.err);
    cr_expect_not_null(strstr(res.out, "side reading: estimate"), "%s", res.out);
    jm_proc_free(&res);
    expect_23_watts("live", "rapl:package-0+dram-0 (measured)");

    char path[700];
    snprintf(path, sizeof path, "%s/live/results.json", dir);
    char *text = jm_read_file(path);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(j, "estimated")));
    /* the domain rule's choice is recorded: which are summed, and why the others are not */
    const cJSON *rapl = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "meters"), 0);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(rapl, "primary")));
    const cJSON *doms = cJSON_GetObjectItem(rapl, "domains");
    static const bool summed[] = {true, false, true, false};
    static const char *const why[] = {"package", "inside its package (package-0)",
                                      "memory, apart from the package", "whole platform"};
    cr_assert_eq(cJSON_GetArraySize(doms), 4);
    for (int d = 0; d < 4; d++) {
        const cJSON *o = cJSON_GetArrayItem(doms, d);
        cr_expect_eq(cJSON_IsTrue(cJSON_GetObjectItem(o, "summed")), summed[d], "domain %d", d);
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(o, "why"));
        cr_expect(w && strstr(w, why[d]), "domain %d: %s", d, w ? w : "(none)");
    }
    const cJSON *est = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "meters"), 1);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(est, "primary")));
    cJSON_Delete(j);
    free(text);
    snprintf(path, sizeof path, "%s/live/report.html", dir);
    text = jm_read_file(path);
    expect_no_estimated("report.html", text);
    free(text);

    res = run_cli("carbon", "--from", "live", NULL);
    cr_assert_eq(res.exit_code, 0, "%s\n%s", res.out, res.err);
    expect_no_estimated("carbon --from", res.out);
    jm_proc_free(&res);
    res = run_cli("carbon", "--from", "live", "--json");
    cr_expect_not_null(strstr(res.out, "\"estimated\":\tfalse"), "%s", res.out);
    jm_proc_free(&res);

    /* the replay of the recorded trace.csv: rapl's domains and the estimate's series */
    write_config("replay.json", "\"replay:file=live/trace.csv\"", 1);
    res = run_cli("run", "replay.json", "-o", "replayed");
    cr_assert_eq(res.exit_code, 0, "%s\n%s", res.out, res.err);
    expect_no_estimated("replay terminal output", res.out);
    jm_proc_free(&res);
    expect_23_watts("replayed", "replay:rapl:package-0+rapl:dram-0 (measured)");
}

Test(live_meters, ptd_emulator_at_180_watts_fixed_ranges_and_configured_durations, .timeout = 120)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    int port;
    jm_mock_ptd_config pc = {.watts = 180.0, .volts = 230.0, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&pc, &port);
    cr_assert_not_null(mock);
    char meters[256];
    snprintf(meters, sizeof meters, "\"ptd:host=127.0.0.1,port=%d,settle_ms=200\"", port);
    /* the warm-up is the workload's ranging run (the runner ranges when warmup_s > 0) */
    write_config_rules("ptd.json", meters, 2, 3.0, 3.0, 1000, 1);
    jm_proc_result res = run_cli("run", "ptd.json", "-o", "ptd");
    cr_assert_eq(res.exit_code, 0, "%s\n%s", res.out, res.err);
    jm_proc_free(&res);
    char path[700], err[1024];
    snprintf(path, sizeof path, "%s/ptd", dir);
    jm_results r;
    cr_assert_eq(jm_results_load(path, &r, err, sizeof err), 0, "%s", err);
    int runs = 0;
    for (int w = 0; w < r.n_workloads; w++)
        for (int i = 0; i < r.workloads[w].n_runs; i++) {
            const jm_run_result *run = &r.workloads[w].runs[i];
            cr_expect(run->valid, "run %d invalid: %s", i,
                      run->n_invalid_reasons ? run->invalid_reasons[0] : "");
            cr_expect_float_eq(run->avg_power_w, 180.0, 0.02 * 180.0, "run %d: %.2f W", i,
                               run->avg_power_w);
            /* the work's duration (whole batches past 3 s), never the 3 s of range changes */
            cr_expect(run->duration_s >= 3.0 && run->duration_s < 3.5, "run %d lasted %.3f s", i,
                      run->duration_s);
            runs++;
        }
    cr_expect_eq(runs, 2);
    jm_results_free(&r);
    char cmds[8192];
    jm_mock_ptd_commands(mock, cmds, sizeof cmds);
    cr_expect_eq(jm_mock_ptd_auto_testing(mock), 0, "testing on auto range: %s", cmds);
    cr_expect_not_null(strstr(cmds, "|SR,V,230.000000|SR,A,0.782609|RR|Go,1000,0,joulemark_testing|"),
                       "%s", cmds);
    jm_mock_ptd_stop(mock);
    jm_mtmp_remove(dir);
}
