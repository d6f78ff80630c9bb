/* test_cmd_meters.c - `joulemark meters` as a user runs it (the built binary
 * at JM_BINARY; skipped when it has not been built): every meter listed,
 * reasons given, --json parseable fields, usage errors exit 2. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "meters.h"

static int run(const char *args, char *out, size_t len)
{
    if (access(JM_BINARY, X_OK) != 0)
        cr_skip_test("%s is not built", JM_BINARY);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s meters %s 2>&1", JM_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char out[65536];

Test(cmd_meters, lists_every_meter_with_status)
{
    cr_assert_eq(run("", out, sizeof out), 0, "%s", out);
    for (const jm_meter_ops *const *t = jm_meter_table(); *t; t++) {
        char want[64];
        snprintf(want, sizeof want, "%-9s ", (*t)->name);
        cr_assert_not_null(strstr(out, want), "'%s' missing in:\n%s", (*t)->name, out);
    }
    cr_assert_not_null(strstr(out, "estimate  available (estimated: NOT a measurement)"), "%s",
                       out);
    cr_assert_not_null(strstr(out, "counters  "), "%s", out);
}

Test(cmd_meters, json_with_given_meters)
{
    char args[512];
    snprintf(args, sizeof args,
             "--json --meter rapl:root=%s/powercap/kepler/sys/class/powercap --meter "
             "estimate:tdp_w=120",
             JM_SHARED_DATA_DIR);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "\"domains\":\t[\"package-0\", \"core-0\", \"package-10\", "
                              "\"package-0-mmio\"]"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "\"kind\":\t\"estimated\""), "%s", out);
    cr_assert_not_null(strstr(out, "tdp_w=120"), "%s", out);
    cr_assert_not_null(strstr(out, "\"counters\":"), "%s", out);
}

Test(cmd_meters, usage_errors_exit_2)
{
    cr_assert_eq(run("--meter rapel", out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "unknown meter 'rapel'"), "%s", out);
    cr_assert_eq(run("--meter rapl:root", out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "option 'root' has no '='"), "%s", out);
    cr_assert_eq(run("extra", out, sizeof out), 2);
    cr_assert_eq(run("--help", out, sizeof out), 0);
    cr_assert_not_null(strstr(out, "usage: joulemark meters"), "%s", out);
}

/* `joulemark meters` says what each meter's energy sums (the domain rule) and
 * why the rest is left out: the real laptop tree nests dram under package-0. */
Test(cmd_meters, shows_the_domain_rule)
{
    char args[512];
    snprintf(args, sizeof args, "--meter rapl:root=%s/powercap/codecarbon_2020_laptop/rapl",
             JM_SHARED_DATA_DIR);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "energy: package-0 + dram-0\n"), "%s", out);
    cr_assert_not_null(strstr(out, "core-0 left out: core: inside its package (package-0)"), "%s",
                       out);
    cr_assert_not_null(strstr(out, "psys left out: psys: the whole platform"), "%s", out);
    snprintf(args, sizeof args, "--json --meter rapl:root=%s/powercap/codecarbon_2020_laptop/rapl",
             JM_SHARED_DATA_DIR);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_assert_not_null(strstr(out, "\"name\":\t\"dram-0\",\n\t\t\t\t\t\"type\":\t\"dram\",\n"
                                   "\t\t\t\t\t\"summed\":\ttrue"),
                       "%s", out);
}
