/* test_dry_run.c - `joulemark run --dry-run`: every run config shipped in
 * configs/ prints its plan and exits 0 without running or writing anything;
 * what the plan names (workloads with parameters, active parameters, FLOPs,
 * memory; meters with availability and the primary; rules and expected
 * duration); bad configs and bad meter specs exit 2 with the usual message.
 * (Every bad-config case of test_config.c also goes through --dry-run there.) */
#include <criterion/criterion.h>
#include <dirent.h>
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

static jm_proc_result dry_run(const char *config, const char *extra1, const char *extra2)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = {JM_BINARY, "run", "--dry-run", (char *)config, "-o", out,
                    (char *)extra1, (char *)extra2, NULL};
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &res), 0);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "a dry run must not create %s", out);
    return res;
}

static void assert_has(const char *text, const char *want)
{
    cr_assert_not_null(strstr(text, want), "expected '%s' in:\n%s", want, text);
}

TestSuite(dry_run, .init = setup, .fini = teardown);

Test(dry_run, every_run_config_in_configs_prints_its_plan)
{
    char cdir[600];
    snprintf(cdir, sizeof cdir, "%s/configs", JM_SOURCE_DIR);
    DIR *d = opendir(cdir);
    cr_assert_not_null(d);
    int n_run_configs = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", cdir, e->d_name);
        char *text = jm_read_file(path);
        cr_assert_not_null(text);
        bool run_config = strstr(text, "\"workloads\"") != NULL;
        free(text);
        if (!run_config) /* grid-carbon.json, paper-presets.json: data for `carbon` */
            continue;
        n_run_configs++;
        jm_proc_result res = dry_run(path, NULL, NULL);
        cr_assert_eq(res.exit_code, 0, "%s: exit %d\n%s", e->d_name, res.exit_code, res.err);
        assert_has(res.out, "dry run: nothing is run or written");
        assert_has(res.out, "parameters ");
        assert_has(res.out, "active per token ");
        assert_has(res.out, "FLOP per token");
        assert_has(res.out, "memory ");
        assert_has(res.out, "run rules: ");
        assert_has(res.out, "expected duration: at least ");
        /* estimate is in every shipped list, so a primary is always named */
        assert_has(res.out, "  primary: ");
        jm_proc_free(&res);
    }
    closedir(d);
    cr_assert_geq(n_run_configs, 3, "default, gpu-default, gpu-gemm");
}

Test(dry_run, default_plan_figures)
{
    char path[600];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    jm_proc_result res = dry_run(path, "--meter", "estimate:tdp_w=50,idle_w=10");
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    /* the MoE layer of default.json: 68.26 M parameters, 3.17 M active per token */
    assert_has(res.out, "moe-layer (moe)");
    assert_has(res.out, "n_experts=32 top_k=1");
    assert_has(res.out, "parameters 68.3 M (68259840), active per token 3.17 M (3168768)");
    assert_has(res.out, "estimate:tdp_w=50,idle_w=10 available (ESTIMATED), domains: cpu memory");
    assert_has(res.out, "tdp_w=50, idle_w=10");
    assert_has(res.out, "primary: estimate (no measured meter here");
    /* 5 s idle + 3 workloads x (2 s warm-up + 5 x 5 s) */
    assert_has(res.out, "expected duration: at least 86 s");
    assert_has(res.out, "moe-layer vs dense-param-matched");
    jm_proc_free(&res);
    /* --quick shortens the plan as it shortens the run: 1 + 3 x (0 + 3 x 1) */
    res = dry_run(path, "--quick", NULL);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "expected duration: at least 10 s");
    jm_proc_free(&res);
}

Test(dry_run, scenarios_add_their_runs)
{
    char path[600];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    jm_proc_result res = dry_run(path, "--scenario", "Offline");
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "Offline: at least 2 s per run");
    /* 86 s + 3 workloads x 2 runs x 2 s */
    assert_has(res.out, "expected duration: at least 98 s");
    jm_proc_free(&res);
}

Test(dry_run, no_meter_available_is_a_warning_not_an_error)
{
    char path[600];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    jm_proc_result res = dry_run(path, "--meter", "rapl:root=/nonexistent-powercap");
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "rapl:root=/nonexistent-powercap unavailable here");
    assert_has(res.out, "WARNING: would fail here: no meter of the list is available");
    jm_proc_free(&res);
}

Test(dry_run, bad_meter_spec_and_bad_config_exit_2)
{
    char path[600];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    jm_proc_result res = dry_run(path, "--meter", "estimate:tdp_w=abc");
    cr_assert_eq(res.exit_code, 2, "%s", res.out);
    assert_has(res.err, "tdp_w='abc'");
    jm_proc_free(&res);
    res = dry_run(path, "--meter", "estimate:family=pentium4");
    cr_assert_eq(res.exit_code, 2, "%s", res.out);
    assert_has(res.err, "family='pentium4'");
    jm_proc_free(&res);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    cr_assert_eq(jm_mtmp_write(dir, "bad.json", "{\"workloads\":[{\"name\":\"a\",\"type\":\"dense\",\"d_mdoel\":64}]}"), 0);
    res = dry_run(bad, NULL, NULL);
    cr_assert_eq(res.exit_code, 2);
    assert_has(res.err, "did you mean \"d_model\"");
    cr_assert_eq(res.out[0], '\0', "no plan for a bad config: %s", res.out);
    jm_proc_free(&res);
}

Test(dry_run, existing_output_is_named)
{
    char path[600];
    snprintf(path, sizeof path, "%s/configs/default.json", JM_SOURCE_DIR);
    cr_assert_eq(jm_mtmp_write(dir, "full/results.json", "{}"), 0);
    char out[600];
    snprintf(out, sizeof out, "%s/full", dir);
    char *argv[] = {JM_BINARY, "run", "--dry-run", path, "-o", out, NULL};
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &res), 0);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "already holds files: the run would refuse it without --force");
    jm_proc_free(&res);
}
