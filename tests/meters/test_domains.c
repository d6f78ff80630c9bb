/* test_domains.c - the one domain containment rule (meters/domains.c): on the
 * real laptop powercap tree (dram nested under package-0 in sysfs, yet apart
 * from it), on replayed trace.csv series named meter:domain (the 67 W vs 23 W
 * bug), MMIO mirrors, several packages, psys alone, GPUs and analyzers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "meters.h"
#include "meters_tmp.h"

static char err[1024];

static void info_of(const char *meter, const char *const *names, int n, jm_meter_info *info)
{
    memset(info, 0, sizeof(*info));
    info->n_domains = n;
    for (int i = 0; i < n; i++) {
        snprintf(info->domains[i], sizeof info->domains[i], "%s", names[i]);
        jm_domain_role_of(meter, names[i], &info->roles[i]);
    }
}

static void expect_summed(const jm_domain_choice *c, const jm_meter_info *info, const bool *want)
{
    for (int i = 0; i < info->n_domains; i++)
        cr_expect_eq(c->summed[i], want[i], "%s: summed=%d, want %d (%s)", info->domains[i],
                     c->summed[i], want[i], c->why[i]);
}

Test(domains, real_laptop_tree_packages_plus_dram_not_by_nesting)
{
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse("rapl:root=" JM_SHARED_DATA_DIR
                                     "/powercap/codecarbon_2020_laptop/rapl",
                                     &spec, err, sizeof err),
                 JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s / %s", err, m.reason);
    /* sysfs: intel-rapl:0/intel-rapl:0:2 is dram, nested in the package folder */
    cr_assert_str_eq(m.info.domains[3], "dram-0");
    cr_assert_eq(m.info.roles[3].type, JM_DOMAIN_DRAM);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&m.info, &c), 2);
    static const bool want[] = {true, false, false, true, false}; /* package-0, dram-0 */
    expect_summed(&c, &m.info, want);
    cr_expect_not_null(strstr(c.why[1], "inside its package (package-0)"), "%s", c.why[1]);
    cr_expect_not_null(strstr(c.why[3], "memory, apart from the package"), "%s", c.why[3]);
    cr_expect_not_null(strstr(c.why[4], "whole platform"), "%s", c.why[4]);
    cr_expect_not_null(strstr(c.why[4], "beside"), "%s", c.why[4]);
    jm_meter_close(&m);
}

/* The names of a trace.csv recorded from rapl (and the estimate beside it):
 * the old rule matched only names starting with package/dram/psys and summed
 * all five series (20 + 9 + 3 + 35 W = 67 W instead of 23 W). */
Test(domains, replayed_series_names_follow_the_same_rule)
{
    static const char *const names[] = {"rapl:package-0", "rapl:core-0", "rapl:dram-0",
                                        "rapl:psys", "estimate:cpu"};
    jm_meter_info info;
    info_of("replay", names, 5, &info);
    cr_assert_eq(info.roles[0].type, JM_DOMAIN_PACKAGE);
    cr_assert_str_eq(info.roles[0].group, "rapl");
    cr_assert(info.roles[4].estimated);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 2);
    static const bool want[] = {true, false, true, false, false};
    expect_summed(&c, &info, want);
    cr_expect_not_null(strstr(c.why[4], "estimate"), "%s", c.why[4]);
}

Test(domains, several_packages_each_once_mirrors_and_repeats_left_out)
{
    static const char *const names[] = {"package-0", "package-1", "core-1", "dram-0", "dram-1",
                                        "package-0-mmio", "package-1"};
    jm_meter_info info;
    info_of("rapl", names, 7, &info);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 4);
    static const bool want[] = {true, true, false, true, true, false, false};
    expect_summed(&c, &info, want);
    cr_expect_not_null(strstr(c.why[2], "(package-1)"), "%s", c.why[2]);
    cr_expect_not_null(strstr(c.why[5], "mirrors package-0"), "%s", c.why[5]);
    cr_expect_not_null(strstr(c.why[6], "counted once"), "%s", c.why[6]);
}

Test(domains, psys_only_where_no_package_or_dram)
{
    static const char *const a[] = {"psys", "core-0"};
    jm_meter_info info;
    info_of("rapl", a, 2, &info);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 1);
    cr_expect(c.summed[0] && !c.summed[1], "%s / %s", c.why[0], c.why[1]);
    /* dram alone with psys: memory is a disjoint domain, psys beside it */
    static const char *const b[] = {"psys", "dram-0"};
    info_of("rapl", b, 2, &info);
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 1);
    cr_expect(!c.summed[0] && c.summed[1]);
}

Test(domains, devices_analyzers_and_unknown_columns_each_apart)
{
    static const char *const gpus[] = {"gpu0", "gpu1"};
    jm_meter_info info;
    info_of("nvml", gpus, 2, &info);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 2, "GPUs are summed");
    cr_expect_eq(info.roles[0].type, JM_DOMAIN_DEVICE);
    static const char *const wall[] = {"wall"};
    info_of("replay", wall, 1, &info); /* an spl.txt replay */
    cr_expect_eq(info.roles[0].type, JM_DOMAIN_WALL);
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 1);
    /* perf's energy-gpu is the package's integrated graphics, inside the package */
    static const char *const perf[] = {"package-0", "gpu-0"};
    info_of("perf", perf, 2, &info);
    cr_expect_eq(info.roles[1].type, JM_DOMAIN_GRAPHICS);
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 1);
    /* a trace with two recorded meters: the first measured one is the energy */
    static const char *const two[] = {"estimate:cpu", "ptd:wall", "rapl:package-0"};
    info_of("replay", two, 3, &info);
    cr_assert_eq(jm_meter_energy_domains(&info, &c), 1);
    cr_expect(c.summed[1], "%s", c.why[1]);
    cr_expect_not_null(strstr(c.why[2], "another meter (rapl)"), "%s", c.why[2]);
    info.n_domains = 0;
    cr_expect_eq(jm_meter_energy_domains(&info, &c), 0);
}
