/* test_msr.c - the "msr" meter on regular files standing in for
 * /dev/cpu/N/msr (sparse files, one 8-byte slot per register: reg_stride=8) and a
 * fake CPU topology: Intel and AMD registers, energy units, the server DRAM
 * unit quirk, 32-bit wraps, one reader per package, missing and forbidden
 * devices. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "meters.h"
#include "meters_tmp.h"

static char err[1024];
static char dir[256];

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    jm_mtmp_remove(dir);
}

static void cpu(int n, int package, int core)
{
    char rel[128], v[16];
    snprintf(rel, sizeof rel, "sys/cpu%d/topology/physical_package_id", n);
    snprintf(v, sizeof v, "%d\n", package);
    cr_assert_eq(jm_mtmp_write(dir, rel, v), 0);
    snprintf(rel, sizeof rel, "sys/cpu%d/topology/core_id", n);
    snprintf(v, sizeof v, "%d\n", core);
    cr_assert_eq(jm_mtmp_write(dir, rel, v), 0);
    snprintf(rel, sizeof rel, "msr/%d", n);
    cr_assert_eq(jm_mtmp_write(dir, rel, ""), 0);
}

static void reg(int n, uint32_t r, uint64_t v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/msr/%d", dir, n);
    int fd = open(path, O_WRONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, &v, sizeof v, (off_t)r * 8), (ssize_t)sizeof v);
    close(fd);
}

static int open_msr(const char *extra, jm_meter *m)
{
    char text[600];
    jm_meter_spec s;
    snprintf(text, sizeof text, "msr:dev=%s/msr/%%d,sysfs=%s/sys,reg_stride=8%s", dir, dir, extra);
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

Test(msr, intel_two_packages_units_and_wrap, .init = setup, .fini = teardown)
{
    cpu(0, 0, 0);
    cpu(1, 0, 1);
    cpu(2, 1, 0);
    for (int c = 0; c <= 2; c += 2) {
        reg(c, 0x606, 0xA0E03);  /* energy status unit 14: 2^-14 J */
        reg(c, 0x611, 0xFFFFF000); /* package, about to wrap */
        reg(c, 0x639, 1000);       /* PP0 */
        reg(c, 0x619, 0);          /* DRAM not counting: not a domain */
    }
    reg(0, 0x64D, 77); /* psys, read once */
    reg(1, 0x611, 5);  /* a second CPU of package 0 is never read */
    jm_meter m;
    cr_assert_eq(open_msr(",vendor=intel,model=140", &m), JM_M_OK, "%s / %s", err, m.reason);
    static const char *const want[] = {"package-0", "core-0", "psys", "package-1", "core-1"};
    cr_assert_eq(m.info.n_domains, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(m.info.domains[i], want[i]);
    cr_assert_float_eq(m.info.resolution_j, 1.0 / 16384.0, 1e-15);
    reg(0, 0x611, 0x00000100 | (UINT64_C(0xABCD) << 32)); /* wrapped; bits 63:32 are reserved: ignored */
    reg(0, 0x639, 1000 + 16384);
    reg(2, 0x611, 0xFFFFF000 + 8192);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_float_eq(s.value[0], (double)(0x1000 + 0x100) / 16384.0, 1e-12);
    cr_assert_float_eq(s.value[1], 1.0, 1e-12);
    cr_assert_float_eq(s.value[2], 0.0, 1e-12);
    cr_assert_float_eq(s.value[3], 0.5, 1e-12);
    jm_meter_close(&m);
}

Test(msr, intel_server_dram_unit_quirk, .init = setup, .fini = teardown)
{
    cpu(0, 0, 0);
    reg(0, 0x606, 0xA0E03);
    reg(0, 0x611, 10);
    reg(0, 0x619, 10);
    jm_meter m;
    cr_assert_eq(open_msr(",vendor=intel,model=143", &m), JM_M_OK, "%s", m.reason); /* SPR */
    cr_assert_str_eq(m.info.domains[1], "dram-0");
    reg(0, 0x611, 10 + 16384);
    reg(0, 0x619, 10 + 65536);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    cr_assert_float_eq(s.value[0], 1.0, 1e-12);
    cr_assert_float_eq(s.value[1], 1.0, 1e-12); /* 2^-16 J per count, not 2^-14 */
    jm_meter_close(&m);
    cr_assert_eq(open_msr(",vendor=intel,model=140", &m), JM_M_OK, "%s", m.reason); /* client */
    reg(0, 0x619, 10 + 65536 + 16384);
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    cr_assert_float_eq(s.value[1], 1.0, 1e-12);
    jm_meter_close(&m);
}

Test(msr, amd_package_and_summed_cores, .init = setup, .fini = teardown)
{
    cpu(0, 0, 0);
    cpu(1, 0, 1);
    cpu(2, 0, 1); /* SMT sibling of core 1: not read twice */
    for (int c = 0; c < 3; c++)
        reg(c, 0xC0010299, 0x10 << 8); /* 2^-16 J */
    reg(0, 0xC001029B, 100);
    reg(0, 0xC001029A, 1);
    reg(1, 0xC001029A, 1);
    reg(2, 0xC001029A, 1);
    jm_meter m;
    cr_assert_eq(open_msr(",vendor=amd", &m), JM_M_OK, "%s / %s", err, m.reason);
    cr_assert_eq(m.info.n_domains, 2, "%d %s", m.info.n_domains, m.info.domains[0]);
    cr_assert_str_eq(m.info.domains[0], "package-0");
    cr_assert_str_eq(m.info.domains[1], "core-0");
    reg(0, 0xC001029B, 100 + 65536);
    reg(0, 0xC001029A, 1 + 65536);
    reg(1, 0xC001029A, 1 + 2 * 65536);
    reg(2, 0xC001029A, 1 + 1000 * 65536); /* sibling: ignored */
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    cr_assert_float_eq(s.value[0], 1.0, 1e-12);
    cr_assert_float_eq(s.value[1], 3.0, 1e-12);
    jm_meter_close(&m);
}

Test(msr, missing_device_bad_pattern_and_no_units, .init = setup, .fini = teardown)
{
    cpu(0, 0, 0);
    jm_meter m;
    jm_meter_spec s;
    char text[600];
    snprintf(text, sizeof text, "msr:dev=%s/none/%%d,sysfs=%s/sys", dir, dir);
    jm_meter_spec_parse(text, &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "not found: load the msr driver"), "%s", m.reason);
    jm_meter_spec_parse("msr:dev=/dev/cpu/msr", &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "must contain %d exactly once"), "%s", err);
    jm_meter_spec_parse("msr:dev=/x/%d/%s", &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_eq(open_msr(",vendor=via", &m), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "vendor='via'"), "%s", err);
    /* an empty file: the units register cannot be read (short read) */
    cr_assert_eq(open_msr(",vendor=intel", &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "units register 0x606 failed"), "%s", m.reason);
    /* units present but every energy register reads 0 */
    reg(0, 0x606, 0xA0E03);
    cr_assert_eq(open_msr(",vendor=intel", &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "no RAPL energy register"), "%s", m.reason);
}

Test(msr, permission_denied_as_unprivileged_user, .init = setup, .fini = teardown)
{
    cpu(0, 0, 0);
    reg(0, 0x606, 0xA0E03);
    reg(0, 0x611, 10);
    char path[512];
    snprintf(path, sizeof path, "%s/msr/0", dir);
    chmod(path, 0600);
    char reason[1024];
    int rc = jm_mtmp_open_unprivileged(open_msr, ",vendor=intel", reason, sizeof reason);
    if (rc == JM_MTMP_NO_PRIVDROP)
        cr_skip_test("cannot drop privileges to uid 65534");
    cr_assert_eq(rc, JM_M_UNAVAILABLE, "open as uid 65534: rc %d, reason '%s'", rc, reason);
    cr_assert_not_null(strstr(reason, "permission denied opening"), "%s", reason);
    cr_assert_not_null(strstr(reason, "CAP_SYS_RAWIO"), "%s", reason);
}

Test(msr, this_machine_is_available_or_says_why)
{
    jm_meter_spec s;
    jm_meter m;
    jm_meter_spec_parse("msr", &s, err, sizeof err);
    int rc = jm_meter_open(&s, &m, err, sizeof err);
    cr_assert(rc == JM_M_OK || rc == JM_M_UNAVAILABLE, "rc %d: %s", rc, err);
    if (rc == JM_M_OK)
        jm_meter_close(&m);
    else
        cr_assert_gt(strlen(m.reason), 20);
}
