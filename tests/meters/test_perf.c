/* test_perf.c - the "perf" meter: sysfs PMU parsing on fake trees (scale and
 * unit quirks, CPU masks), full open/read paths driven through fake trees
 * that point at the kernel's software PMU (type 1: cpu-clock advances,
 * emulation-faults never does), permission denied as an unprivileged child,
 * and this machine's real power PMU (unavailable here, never an error). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "meters_internal.h"
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

static void event(const char *name, const char *cfg, const char *scale, const char *unit)
{
    char rel[256];
    snprintf(rel, sizeof rel, "power/events/%s", name);
    cr_assert_eq(jm_mtmp_write(dir, rel, cfg), 0);
    if (scale) {
        snprintf(rel, sizeof rel, "power/events/%s.scale", name);
        cr_assert_eq(jm_mtmp_write(dir, rel, scale), 0);
    }
    if (unit) {
        snprintf(rel, sizeof rel, "power/events/%s.unit", name);
        cr_assert_eq(jm_mtmp_write(dir, rel, unit), 0);
    }
}

Test(perf, sysfs_scan_with_quirks, .init = setup, .fini = teardown)
{
    jm_mtmp_write(dir, "power/type", "23\n");
    jm_mtmp_write(dir, "power/cpumask", "0,28-29\n");
    event("energy-pkg", "event=0x02\n", "2.3283064365386962890625e-10\n", "Joules\n");
    event("energy-psys", "event=0x05\n", "2.3283064365386962890625e-10\n", "Joules\n");
    event("energy-ram", "event=0x03\n", "1e-3\n", "mJ\n");     /* unknown unit */
    event("energy-cores", "event=0x01\n", NULL, "Joules\n");   /* no scale */
    event("energy-gpu", "config=0x04\n", "1e-9\n", "Joules\n"); /* no event= */
    jm_mtmp_write(dir, "power/events/cycles", "event=0x3c\n"); /* not energy */
    uint32_t type;
    int cpus[64], n_cpus;
    jm__perf_sysfs_event ev[8];
    char skipped[512], why[256];
    int n = jm__perf_sysfs_scan(dir, "power", &type, cpus, &n_cpus, ev, 8, skipped,
                                sizeof skipped, why, sizeof why);
    cr_assert_eq(n, 2, "%s / %s", why, skipped);
    cr_assert_eq(type, 23);
    cr_assert_eq(n_cpus, 3);
    cr_assert(cpus[0] == 0 && cpus[1] == 28 && cpus[2] == 29);
    cr_assert_str_eq(ev[0].name, "energy-pkg");
    cr_assert_eq(ev[0].config, 2);
    cr_assert_float_eq(ev[0].scale, 1.0 / 4294967296.0, 1e-25);
    cr_assert_str_eq(ev[1].name, "energy-psys");
    cr_assert_eq(ev[1].config, 5);
    cr_assert_not_null(strstr(skipped, "energy-ram (unit 'mJ', expected Joules)"), "%s", skipped);
    cr_assert_not_null(strstr(skipped, "energy-cores (no valid .scale)"), "%s", skipped);
    cr_assert_not_null(strstr(skipped, "energy-gpu (no event=)"), "%s", skipped);
    jm_mtmp_write(dir, "power/cpumask", "zero\n");
    cr_assert_eq(jm__perf_sysfs_scan(dir, "power", &type, cpus, &n_cpus, ev, 8, skipped,
                                     sizeof skipped, why, sizeof why),
                 -1);
    cr_assert_not_null(strstr(why, "'zero' is not a CPU list"), "%s", why);
}

static int open_perf(const char *extra, jm_meter *m)
{
    char text[512];
    jm_meter_spec s;
    snprintf(text, sizeof text, "perf:root=%s%s", dir, extra ? extra : "");
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

Test(perf, missing_pmu_and_no_events, .init = setup, .fini = teardown)
{
    jm_meter m;
    cr_assert_eq(open_perf(NULL, &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "no perf PMU 'power'"), "%s", m.reason);
    jm_mtmp_write(dir, "power/type", "23\n");
    jm_mtmp_write(dir, "power/events/energy-ram", "event=0x03\n");
    cr_assert_eq(open_perf(NULL, &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "no usable energy-* events: energy-ram"), "%s", m.reason);
}

/* The software PMU (type 1) stands in for the power PMU: config 0 is cpu-clock
 * (ns, always advancing), config 8 emulation-faults (never on x86). */
Test(perf, counting_path_through_the_software_pmu, .init = setup, .fini = teardown)
{
    jm_mtmp_write(dir, "power/type", "1\n");
    jm_mtmp_write(dir, "power/cpumask", "0\n");
    event("energy-pkg", "event=0x00\n", "1e-9\n", "Joules\n");
    jm_meter m;
    int rc = open_perf(NULL, &m);
    if (rc == JM_M_UNAVAILABLE && strstr(m.reason, "permission denied"))
        cr_skip_test("per-CPU software events not permitted here: %s", m.reason);
    cr_assert_eq(rc, JM_M_OK, "%s / %s", err, m.reason);
    cr_assert_eq(m.info.n_domains, 1);
    cr_assert_str_eq(m.info.domains[0], "package-0");
    cr_assert_float_eq(m.info.resolution_j, 1e-9, 1e-20);
    jm_meter_sample a, b;
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK, "%s", err);
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK, "%s", err);
    double dt = (double)(b.t_ns - a.t_ns) * 1e-9;
    /* cpu-clock of CPU 0 in ns x 1e-9 "J": about the elapsed seconds */
    cr_assert(b.value[0] - a.value[0] > 0.5 * dt && b.value[0] - a.value[0] < 1.5 * dt,
              "%g over %g s", b.value[0] - a.value[0], dt);
    jm_meter_close(&m);
}

Test(perf, counter_that_never_advances_is_unavailable, .init = setup, .fini = teardown)
{
    jm_mtmp_write(dir, "power/type", "1\n");
    jm_mtmp_write(dir, "power/cpumask", "0\n");
    event("energy-psys", "event=0x08\n", "2.3283064365386962890625e-10\n", "Joules\n");
    jm_meter m;
    int rc = open_perf(",probe_ms=50", &m);
    cr_assert_eq(rc, JM_M_UNAVAILABLE);
    if (strstr(m.reason, "permission denied"))
        cr_skip_test("per-CPU software events not permitted here: %s", m.reason);
    cr_assert_not_null(strstr(m.reason, "counters (psys) did not advance over 50 ms"), "%s",
                       m.reason);
    cr_assert_not_null(strstr(m.reason, "rather than measuring 0 J"), "%s", m.reason);
}

Test(perf, permission_denied_says_the_fix, .init = setup, .fini = teardown)
{
    char text[32];
    if (jm__read_text("/proc/sys/kernel/perf_event_paranoid", text, sizeof text) != 0 ||
        atoi(text) < 1)
        cr_skip_test("perf_event_paranoid < 1: unprivileged per-CPU events are allowed");
    jm_mtmp_write(dir, "power/type", "1\n");
    jm_mtmp_write(dir, "power/cpumask", "0\n");
    event("energy-pkg", "event=0x00\n", "1e-9\n", "Joules\n");
    char reason[1024];
    int rc = jm_mtmp_open_unprivileged(open_perf, NULL, reason, sizeof reason);
    if (rc == JM_MTMP_NO_PRIVDROP)
        cr_skip_test("cannot drop privileges to uid 65534");
    cr_assert_eq(rc, JM_M_UNAVAILABLE, "open as uid 65534: rc %d, reason '%s'", rc, reason);
    cr_assert_not_null(strstr(reason, "permission denied opening power/energy-pkg on CPU 0"), "%s",
                       reason);
    cr_assert_not_null(strstr(reason, "perf_event_paranoid"), "%s", reason);
    cr_assert_not_null(strstr(reason, "cap_perfmon"), "%s", reason);
}

Test(perf, this_machine_is_available_or_says_why)
{
    jm_meter_spec s;
    jm_meter m;
    jm_meter_spec_parse("perf", &s, err, sizeof err);
    int rc = jm_meter_open(&s, &m, err, sizeof err);
    cr_assert(rc == JM_M_OK || rc == JM_M_UNAVAILABLE, "rc %d: %s", rc, err);
    if (rc == JM_M_UNAVAILABLE) {
        cr_assert_gt(strlen(m.reason), 20);
        cr_log_info("perf here: %s", m.reason);
        return;
    }
    cr_assert_gt(m.info.n_domains, 0);
    jm_meter_close(&m);
}
