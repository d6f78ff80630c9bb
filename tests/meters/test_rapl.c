/* test_rapl.c - the powercap "rapl" meter on real captured sysfs trees
 * (shared/data/powercap) and on fake trees: hex zone names, nested and flat
 * layouts, mmio duplicates, wraps, counters going backwards, missing files,
 * permission denied. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "meters.h"
#include "meters_tmp.h"

static char err[1024];
static char dir[256];

static int open_rapl(const char *root, jm_meter *m)
{
    char text[600];
    jm_meter_spec s;
    snprintf(text, sizeof text, "rapl:root=%s", root);
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

static void expect_domains(const jm_meter *m, const char *const *names, int n)
{
    cr_assert_eq(m->info.n_domains, n, "got %d domains, first '%s'", m->info.n_domains,
                 m->info.domains[0]);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(m->info.domains[i], names[i]);
}

Test(rapl, codecarbon_laptop_nested_tree)
{
    jm_meter m;
    cr_assert_eq(open_rapl(JM_SHARED_DATA_DIR "/powercap/codecarbon_2020_laptop/rapl", &m),
                 JM_M_OK, "%s / %s", err, m.reason);
    static const char *const want[] = {"package-0", "core-0", "uncore-0", "dram-0", "psys"};
    expect_domains(&m, want, 5);
    cr_assert_eq(m.info.kind, JM_METER_MEASURED);
    cr_assert_eq(m.info.quantity, JM_METER_ENERGY);
    jm_meter_sample a, b;
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_gt(b.t_ns, 0);
    for (int d = 0; d < 5; d++)
        cr_assert_float_eq(b.value[d], 0.0, 1e-12); /* frozen capture: no energy */
    jm_meter_close(&m);
}

Test(rapl, kepler_mmio_duplicate_and_hex_zone)
{
    jm_meter m;
    cr_assert_eq(open_rapl(JM_SHARED_DATA_DIR "/powercap/kepler/sys/class/powercap", &m), JM_M_OK,
                 "%s / %s", err, m.reason);
    /* intel-rapl:a is zone 10 (hex) named package-10; intel-rapl-mmio:0 repeats package-0 */
    static const char *const want[] = {"package-0", "core-0", "package-10", "package-0-mmio"};
    expect_domains(&m, want, 4);
    jm_meter_close(&m);
}

Test(rapl, prometheus_procfs_tree)
{
    jm_meter m;
    cr_assert_eq(open_rapl(JM_SHARED_DATA_DIR "/powercap/prometheus_procfs/sys/class/powercap",
                           &m),
                 JM_M_OK, "%s / %s", err, m.reason);
    static const char *const want[] = {"package-0", "core-0", "package-10"};
    expect_domains(&m, want, 3);
    jm_meter_close(&m);
}

static void make_zone(const char *rel, const char *name, uint64_t energy, uint64_t max)
{
    char p[512];
    snprintf(p, sizeof p, "%s/name", rel);
    cr_assert_eq(jm_mtmp_write(dir, p, name), 0);
    snprintf(p, sizeof p, "%s/energy_uj", rel);
    cr_assert_eq(jm_mtmp_write_u64(dir, p, energy), 0);
    snprintf(p, sizeof p, "%s/max_energy_range_uj", rel);
    cr_assert_eq(jm_mtmp_write_u64(dir, p, max), 0);
}

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    jm_mtmp_remove(dir);
}

Test(rapl, flat_layout_with_hex_subzones_and_mmio_only_domain, .init = setup, .fini = teardown)
{
    make_zone("intel-rapl:0", "package-0\n", 10, 1000);
    make_zone("intel-rapl:0:0", "core\n", 10, 1000);
    make_zone("intel-rapl:1", "package-1\n", 10, 1000);
    make_zone("intel-rapl:1:a", "dram\n", 10, 1000);
    make_zone("intel-rapl-mmio:0", "package-0\n", 10, 1000);
    make_zone("intel-rapl-mmio:1", "psys\n", 10, 1000); /* unique: kept */
    cr_assert_eq(jm_mtmp_write(dir, "intel-rapl:zz/name", "bogus"), 0); /* not hex: ignored */
    jm_meter m;
    cr_assert_eq(open_rapl(dir, &m), JM_M_OK, "%s / %s", err, m.reason);
    /* intel-rapl-mmio:0 repeats package-0: kept as a mirror, which the domain rule leaves out */
    static const char *const want[] = {"package-0", "core-0", "package-1", "dram-1",
                                       "package-0-mmio", "psys"};
    expect_domains(&m, want, 6);
    cr_assert(m.info.roles[4].mirror);
    cr_assert_not(m.info.roles[5].mirror);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&m.info, &c), 3, "package-0 + package-1 + dram-1");
    cr_assert(c.summed[0] && c.summed[2] && c.summed[3]);
    cr_assert_not_null(strstr(c.why[4], "mirrors package-0"), "%s", c.why[4]);
    jm_meter_close(&m);
}

Test(rapl, wrap_is_corrected_and_backwards_is_an_error, .init = setup, .fini = teardown)
{
    make_zone("intel-rapl:0", "package-0", 1000000, 2000000);
    jm_meter m;
    jm_meter_sample s;
    cr_assert_eq(open_rapl(dir, &m), JM_M_OK, "%s", m.reason);
    jm_mtmp_write_u64(dir, "intel-rapl:0/energy_uj", 1500000);
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_float_eq(s.value[0], 0.5, 1e-12);
    jm_mtmp_write_u64(dir, "intel-rapl:0/energy_uj", 200000); /* wrapped at 2 J */
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_float_eq(s.value[0], 0.5 + 0.5 + 0.2, 1e-12);
    jm_mtmp_write_u64(dir, "intel-rapl:0/energy_uj", 200000); /* no change */
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_float_eq(s.value[0], 1.2, 1e-12);
    /* a small step back is not a wrap (it would mean 1.9 J in one interval): error */
    jm_mtmp_write_u64(dir, "intel-rapl:0/energy_uj", 100000);
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_EIO);
    cr_assert_not_null(strstr(err, "went backwards from 200000 to 100000"), "%s", err);
    jm_meter_close(&m);
}

Test(rapl, garbage_counter_mid_run_is_a_read_error, .init = setup, .fini = teardown)
{
    make_zone("intel-rapl:0", "package-0", 5, 100);
    jm_meter m;
    jm_meter_sample s;
    cr_assert_eq(open_rapl(dir, &m), JM_M_OK, "%s", m.reason);
    jm_mtmp_write(dir, "intel-rapl:0/energy_uj", "n/a\n");
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_EIO);
    cr_assert_not_null(strstr(err, "intel-rapl:0/energy_uj"), "%s", err);
    jm_meter_close(&m);
}

Test(rapl, missing_root_is_unavailable_with_reason)
{
    jm_meter m;
    cr_assert_eq(open_rapl("/nonexistent/powercap", &m), JM_M_UNAVAILABLE);
    cr_assert_not(m.available);
    cr_assert_str_eq(m.reason, "no powercap RAPL zones under /nonexistent/powercap (virtual "
                               "machine or container without powercap?)");
}

Test(rapl, missing_files_skip_the_zone, .init = setup, .fini = teardown)
{
    make_zone("intel-rapl:0", "package-0", 5, 100);
    cr_assert_eq(jm_mtmp_write(dir, "intel-rapl:0:0/name", "core"), 0); /* no energy_uj */
    cr_assert_eq(jm_mtmp_write(dir, "intel-rapl:1/name", "psys"), 0);
    cr_assert_eq(jm_mtmp_write(dir, "intel-rapl:1/energy_uj", "7\n"), 0); /* no max range */
    jm_meter m;
    cr_assert_eq(open_rapl(dir, &m), JM_M_OK, "%s", m.reason);
    static const char *const want[] = {"package-0"};
    expect_domains(&m, want, 1);
    jm_meter_close(&m);
}

Test(rapl, zones_without_counters_are_unavailable, .init = setup, .fini = teardown)
{
    cr_assert_eq(jm_mtmp_write(dir, "intel-rapl:0/name", "package-0"), 0);
    jm_meter m;
    cr_assert_eq(open_rapl(dir, &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "no readable counter"), "%s", m.reason);
    cr_assert_not_null(strstr(m.reason, "intel-rapl:0/energy_uj"), "%s", m.reason);
}

/* Root reads any file whatever its mode: check permission handling as an
 * unprivileged user in a child process (setuid to nobody), else with chmod. */
Test(rapl, permission_denied_says_the_fix, .init = setup, .fini = teardown)
{
    make_zone("intel-rapl:0", "package-0", 5, 100);
    char path[512];
    snprintf(path, sizeof path, "%s/intel-rapl:0/energy_uj", dir);
    cr_assert_eq(chmod(path, 0400), 0);
    char reason[1024];
    int rc = jm_mtmp_open_unprivileged(open_rapl, dir, reason, sizeof reason);
    if (rc == JM_MTMP_NO_PRIVDROP)
        cr_skip_test("cannot drop privileges to uid 65534 to test permission denied");
    cr_assert_eq(rc, JM_M_UNAVAILABLE, "open as uid 65534: rc %d, reason '%s'", rc, reason);
    cr_assert_not_null(strstr(reason, "permission denied reading"), "%s", reason);
    cr_assert_not_null(strstr(reason, path), "%s", reason);
    cr_assert_not_null(strstr(reason, "chmod o+r"), "%s", reason);
    cr_assert_not_null(strstr(reason, "udev rule"), "%s", reason);
}
