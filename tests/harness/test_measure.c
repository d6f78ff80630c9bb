/* test_measure.c - `joulemark measure -- CMD`: the built binary measuring
 * real commands with the estimate meter (set to round numbers so figures can
 * be checked against the model): sleep with --work, a CPU-bound command
 * against the CPU time wait4 reported, a failing command, a hanging command
 * stopped by --timeout, Ctrl-C, a command writing 50 MB, two commands
 * interleaved and compared, separate results compared with `compare`, and
 * the usage errors. */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

TestSuite(measure, .init = setup, .fini = teardown);

/* 100 W at full load and 20 W idle on one CPU: power = 20 + 80 u. */
#define METER "estimate:tdp_w=100,idle_w=20,cpus=1,mem_w_per_gb=0"

/* joulemark measure -o DIR/out SHORT_OPTS... EXTRA... ; NULL-terminated extra. */
static jm_proc_result measure(const char *out, int signo, unsigned after_ms, char *const *extra)
{
    char *argv[64] = {JM_BINARY, "measure", "-o", (char *)out, "--idle-s", "0.3",
                      "--interval-ms", "20", "--meter", METER};
    int n = 10;
    for (int i = 0; extra[i] && n < 63; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    jm_proc_result res;
    cr_assert_eq(jm_proc_run(argv, NULL, signo, after_ms, 120, &res), 0);
    return res;
}

static cJSON *load_results(const char *out)
{
    char path[700];
    snprintf(path, sizeof path, "%s/results.json", out);
    char *text = jm_read_file(path);
    cr_assert_not_null(text, "%s was not written", path);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j);
    return j;
}

static const cJSON *workload(const cJSON *j, int i)
{
    const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "workloads"), i);
    cr_assert_not_null(w);
    return w;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    cr_assert(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

static void assert_has(const char *text, const char *want)
{
    cr_assert_not_null(strstr(text, want), "expected '%s' in:\n%s", want, text);
}

static const char *first_reason(const cJSON *run)
{
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "invalid_reasons"), 0);
    return cJSON_IsString(r) ? r->valuestring : "";
}

Test(measure, sleep_with_work_gives_labelled_figures_per_token)
{
    char out[600];
    snprintf(out, sizeof out, "%s/sleep", dir);
    char *extra[] = {"--repeats", "2", "--work", "1000", "--unit", "token", "--", "sleep", "1",
                     NULL};
    jm_proc_result res = measure(out, 0, 0, extra);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "per token (1000 per run)");
    assert_has(res.out, "ESTIMATED");
    assert_has(res.out, "energy source: estimate:cpu+memory (ESTIMATED)");
    cJSON *j = load_results(out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "estimated")));
    const cJSON *w = workload(j, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(w, "kind")->valuestring, "command");
    const cJSON *shape = cJSON_GetObjectItem(w, "shape");
    cr_assert_str_eq(cJSON_GetObjectItem(shape, "unit")->valuestring, "token");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(shape, "command"), 0)->valuestring,
                     "sleep");
    const cJSON *runs = cJSON_GetObjectItem(w, "runs");
    cr_assert_eq(cJSON_GetArraySize(runs), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *run = cJSON_GetArrayItem(runs, i);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(run, "valid")), "%s", first_reason(run));
        double d = num(run, "duration_s");
        cr_assert(d >= 1.0 && d < 2.0, "sleep 1 took %g s", d);
        cr_assert_eq(num(run, "tokens"), 1000);
        /* a sleeping command: idle power, 20 W (its few ms of CPU add little) */
        double w_avg = num(run, "avg_power_w");
        cr_assert(w_avg >= 20.0 && w_avg < 21.5, "%g W", w_avg);
        cr_assert(fabs(num(run, "mj_per_token") - 1000.0 * num(run, "energy_j") / 1000.0) < 1e-9);
    }
    cJSON_Delete(j);
    /* the command's outputs are kept */
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/commands/sleep/run2.stdout", out);
    cr_assert_eq(stat(path, &st), 0, "%s", path);
    jm_proc_free(&res);
    /* carbon accounting reads it like a run */
    char *carbon[] = {JM_BINARY, "carbon", "--from", out, NULL};
    cr_assert_eq(jm_proc_run(carbon, NULL, 0, 0, 60, &res), 0);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    jm_proc_free(&res);
}

/* Energy above idle = 80 W x the CPU time the command used, which the log
 * line reports from wait4's rusage (independent of the meter's /proc reads). */
Test(measure, cpu_bound_command_costs_its_cpu_time)
{
    char out[600];
    snprintf(out, sizeof out, "%s/busy", dir);
    char *extra[] = {"--repeats", "2", "--name", "busy", "--", "sh", "-c",
                     "i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done", NULL};
    jm_proc_result res = measure(out, 0, 0, extra);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    cJSON *j = load_results(out);
    const cJSON *runs = cJSON_GetObjectItem(workload(j, 0), "runs");
    const char *line = res.err;
    for (int i = 0; i < 2; i++) {
        line = strstr(line, "[busy] run ");
        cr_assert_not_null(line, "%s", res.err);
        const char *cpu = strstr(line, "CPU ");
        cr_assert_not_null(cpu);
        double cpu_s = strtod(cpu + 4, NULL);
        line = cpu;
        const cJSON *run = cJSON_GetArrayItem(runs, i);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(run, "valid")), "%s", first_reason(run));
        cr_assert_gt(cpu_s, 0.05, "the loop used %g s of CPU", cpu_s);
        double above = num(run, "energy_above_idle_j");
        double want = 80.0 * cpu_s;
        cr_assert(fabs(above - want) < 0.15 * want + 1.0,
                  "%g J above idle for %g s of CPU: expected ~%g J", above, cpu_s, want);
    }
    cJSON_Delete(j);
    jm_proc_free(&res);
}

Test(measure, failing_command_makes_its_run_invalid)
{
    char out[600];
    snprintf(out, sizeof out, "%s/fail", dir);
    char *extra[] = {"--repeats", "1", "--", "sh", "-c", "echo oops >&2; sleep 0.3; exit 3", NULL};
    jm_proc_result res = measure(out, 0, 0, extra);
    cr_assert_eq(res.exit_code, 1, "%s", res.err);
    cJSON *j = load_results(out);
    const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(workload(j, 0), "runs"), 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(run, "valid")));
    assert_has(first_reason(run), "exited with status 3");
    cJSON_Delete(j);
    char path[700];
    snprintf(path, sizeof path, "%s/commands/sh/run1.stderr", out);
    char *text = jm_read_file(path);
    cr_assert_not_null(text);
    cr_assert_str_eq(text, "oops\n");
    free(text);
    jm_proc_free(&res);
    /* a program that does not exist: invalid too, with exec's message kept */
    snprintf(out, sizeof out, "%s/missing", dir);
    char *missing[] = {"--repeats", "1", "--", "/nonexistent/program", NULL};
    res = measure(out, 0, 0, missing);
    cr_assert_eq(res.exit_code, 1, "%s", res.err);
    snprintf(path, sizeof path, "%s/commands/program/run1.stderr", out);
    text = jm_read_file(path);
    cr_assert_not_null(text);
    assert_has(text, "cannot run '/nonexistent/program'");
    free(text);
    jm_proc_free(&res);
}

Test(measure, hanging_command_is_stopped_at_the_timeout_and_kept)
{
    char out[600];
    snprintf(out, sizeof out, "%s/hang", dir);
    char *extra[] = {"--repeats", "1", "--timeout", "0.6", "--", "sleep", "30", NULL};
    uint64_t t0 = jm_now_ns();
    jm_proc_result res = measure(out, 0, 0, extra);
    double took = (double)(jm_now_ns() - t0) * 1e-9;
    cr_assert_eq(res.exit_code, 1, "%s", res.err);
    cr_assert_lt(took, 15.0, "measure waited for the hanging command: %g s", took);
    cJSON *j = load_results(out);
    const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(workload(j, 0), "runs"), 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(run, "valid")));
    assert_has(first_reason(run), "--timeout 0.6 s");
    double d = num(run, "duration_s");
    cr_assert(d >= 0.6 && d < 3.0, "%g s", d);
    cr_assert_gt(num(run, "energy_j"), 0.0, "what was measured is kept");
    cJSON_Delete(j);
    jm_proc_free(&res);
}

Test(measure, ctrl_c_keeps_what_was_measured)
{
    char out[600];
    snprintf(out, sizeof out, "%s/int", dir);
    char *extra[] = {"--repeats", "3", "--", "sleep", "30", NULL};
    uint64_t t0 = jm_now_ns();
    jm_proc_result res = measure(out, SIGINT, 1500, extra);
    double took = (double)(jm_now_ns() - t0) * 1e-9;
    cr_assert_eq(res.exit_code, 1, "%s", res.err);
    cr_assert_lt(took, 15.0, "%g s", took);
    cJSON *j = load_results(out);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "complete")));
    assert_has(cJSON_GetObjectItem(j, "incomplete_reason")->valuestring, "interrupted");
    const cJSON *runs = cJSON_GetObjectItem(workload(j, 0), "runs");
    cr_assert_eq(cJSON_GetArraySize(runs), 1, "no run after the interrupt");
    const cJSON *run = cJSON_GetArrayItem(runs, 0);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(run, "valid")));
    assert_has(first_reason(run), "interrupted");
    cr_assert_gt(num(run, "duration_s"), 0.5);
    cJSON_Delete(j);
    jm_proc_free(&res);
}

Test(measure, command_writing_50_mb_keeps_all_of_it)
{
    char out[600];
    snprintf(out, sizeof out, "%s/loud", dir);
    char *extra[] = {"--repeats", "1", "--name", "loud", "--",
                     "sh", "-c", "yes joulemark | head -c 50000000; sleep 0.3", NULL};
    jm_proc_result res = measure(out, 0, 0, extra);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    char path[700];
    snprintf(path, sizeof path, "%s/commands/loud/run1.stdout", out);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 50000000);
    cr_assert_lt(strlen(res.out), 10000, "the command's output must not reach joulemark's");
    jm_proc_free(&res);
}

Test(measure, two_commands_interleaved_and_compared)
{
    char out[600];
    snprintf(out, sizeof out, "%s/pair", dir);
    char *extra[] = {"--repeats", "3", "--name", "idle", "--work", "10", "--", "sleep", "0.4",
                     ":::", "--name", "busy", "--work", "10", "--", "sh", "-c",
                     "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done; sleep 0.2", NULL};
    jm_proc_result res = measure(out, 0, 0, extra);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "busy vs idle: energy per unit, idle / busy = ");
    assert_has(res.out, "3 paired runs");
    /* rounds rotate the order: idle first in round 1, busy first in round 2 */
    const char *r1 = strstr(res.err, "[idle] run 1/3"), *b1 = strstr(res.err, "[busy] run 1/3");
    const char *r2 = strstr(res.err, "[idle] run 2/3"), *b2 = strstr(res.err, "[busy] run 2/3");
    cr_assert(r1 && b1 && r2 && b2 && r1 < b1 && b2 < r2, "%s", res.err);
    cJSON *j = load_results(out);
    const cJSON *cmp = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "comparisons"), 0);
    cr_assert_not_null(cmp);
    cr_assert_str_eq(cJSON_GetObjectItem(cmp, "baseline")->valuestring, "idle");
    cr_assert_str_eq(cJSON_GetObjectItem(cmp, "candidate")->valuestring, "busy");
    const cJSON *ratio = cJSON_GetObjectItem(cmp, "energy_per_token_ratio");
    cr_assert_lt(num(ratio, "median"), 1.0, "busy costs more per unit than idle");
    cr_assert_eq(num(cJSON_GetArrayItem(cJSON_GetObjectItem(workload(j, 1), "runs"), 2), "round"),
                 3);
    cJSON_Delete(j);
    jm_proc_free(&res);

    /* a second, separate measurement, compared with `joulemark compare` */
    char out2[600];
    snprintf(out2, sizeof out2, "%s/single", dir);
    char *extra2[] = {"--repeats", "2", "--name", "idle", "--work", "10", "--", "sleep", "0.4",
                      NULL};
    res = measure(out2, 0, 0, extra2);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    jm_proc_free(&res);
    char *cmp_argv[] = {JM_BINARY, "compare", out, out2, NULL};
    cr_assert_eq(jm_proc_run(cmp_argv, NULL, 0, 0, 60, &res), 0);
    cr_assert_eq(res.exit_code, 0, "%s", res.err);
    assert_has(res.out, "busy");
    assert_has(res.out, "idle");
    jm_proc_free(&res);
}

Test(measure, usage_errors_exit_2)
{
    char out[600];
    snprintf(out, sizeof out, "%s/u", dir);
    char *none[] = {NULL};
    jm_proc_result res = measure(out, 0, 0, none);
    cr_assert_eq(res.exit_code, 2);
    assert_has(res.err, "no command");
    jm_proc_free(&res);
    char *unit_only[] = {"--unit", "image", "--", "true", NULL};
    res = measure(out, 0, 0, unit_only);
    cr_assert_eq(res.exit_code, 2);
    assert_has(res.err, "--unit image without --work");
    jm_proc_free(&res);
    char *empty_second[] = {"--", "true", ":::", "--name", "x", NULL};
    res = measure(out, 0, 0, empty_second);
    cr_assert_eq(res.exit_code, 2);
    assert_has(res.err, "command 2 is empty");
    jm_proc_free(&res);
    char *bad_meter[] = {"--meter", "estimate:tdp_w=abc", "--", "true", NULL};
    res = measure(out, 0, 0, bad_meter);
    cr_assert_eq(res.exit_code, 2, "%s", res.err);
    assert_has(res.err, "tdp_w='abc'");
    jm_proc_free(&res);
    cr_assert_eq(jm_mtmp_write(dir, "full/results.json", "{}"), 0);
    snprintf(out, sizeof out, "%s/full", dir);
    char *t[] = {"--", "true", NULL};
    res = measure(out, 0, 0, t);
    cr_assert_eq(res.exit_code, 2);
    assert_has(res.err, "already holds files");
    jm_proc_free(&res);
}
