/* test_bench.c - `joulemark bench` on the command line: help, usage errors.
 * (Its measurements are a benchmark, not a test: see docs/performance.md.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

static jm_proc_result bench(char *const args[])
{
    char *argv[16] = {JM_BINARY, "bench"};
    int n = 2;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    jm_proc_result r;
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &r), 0);
    return r;
}

Test(bench, help_lists_options_and_exit_codes)
{
    jm_proc_result r = bench((char *[]){"--help", NULL});
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "--json") && strstr(r.out, "--threads") && strstr(r.out, "exit codes"),
              "%s", r.out);
    jm_proc_free(&r);
}

Test(bench, bad_option_is_usage_error)
{
    jm_proc_result r = bench((char *[]){"--bogus", NULL});
    cr_expect_eq(r.exit_code, 2);
    jm_proc_free(&r);
}

Test(bench, bad_thread_count_is_usage_error)
{
    const char *bad[] = {"0", "-3", "abc", "99999999", NULL};
    for (const char **b = bad; *b; b++) {
        jm_proc_result r = bench((char *[]){"--threads", (char *)*b, NULL});
        cr_expect_eq(r.exit_code, 2, "--threads %s: exit %d", *b, r.exit_code);
        cr_expect(strstr(r.err, "threads") != NULL, "--threads %s: %s", *b, r.err);
        jm_proc_free(&r);
    }
}

Test(bench, unexpected_argument_is_usage_error)
{
    jm_proc_result r = bench((char *[]){"extra", NULL});
    cr_expect_eq(r.exit_code, 2);
    jm_proc_free(&r);
}

Test(bench, forcing_options_are_checked)
{
    char *const cases[][3] = {{"--kernel", "sparc", "kernel"},
                              {"--blocking", "256,144", "kc,mc,nc"},
                              {"--blocking", "0,1,1", "kc 0"},
                              {"--cache-model", "z80", "cache-model"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jm_proc_result r = bench((char *[]){cases[i][0], cases[i][1], NULL});
        cr_expect_eq(r.exit_code, 2, "%s %s: exit %d", cases[i][0], cases[i][1], r.exit_code);
        cr_expect(strstr(r.err, cases[i][2]) != NULL, "%s %s: %s",
                  cases[i][0], cases[i][1], r.err);
        jm_proc_free(&r);
    }
    /* the same values from the environment are usage errors too */
    setenv("JM_GEMM_BLOCKING", "256,144,x", 1);
    jm_proc_result r = bench((char *[]){"--gemm-only", NULL});
    unsetenv("JM_GEMM_BLOCKING");
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "JM_GEMM_BLOCKING"), "%s", r.err);
    jm_proc_free(&r);
    /* `run` checks them before anything else */
    setenv("JM_GEMM_KERNEL", "sparc", 1);
    char *argv[] = {JM_BINARY, "run", NULL};
    cr_assert_eq(jm_proc_run(argv, NULL, 0, 0, 60, &r), 0);
    unsetenv("JM_GEMM_KERNEL");
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "JM_GEMM_KERNEL") && strstr(r.err, "sparc"), "%s", r.err);
    jm_proc_free(&r);
}
