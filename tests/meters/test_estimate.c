/* test_estimate.c - the "estimate" meter: labelled ESTIMATED; its per-CPU
 * figures chosen from a (fake) /proc/cpuinfo by vendor/family/model numbers
 * and named with their source; user overrides; the memory term; energy from
 * the measured CPU time of this process or of its child processes. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "meters_internal.h"
#include "meters_tmp.h"

static char err[JM_METER_REASON_MAX];

static int open_spec(const char *text, jm_meter *m)
{
    jm_meter_spec s;
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

static double now_s(void)
{
    return (double)jm_now_ns() * 1e-9;
}

static void busy(double seconds)
{
    double end = now_s() + seconds;
    volatile double x = 1.0;
    while (now_s() < end)
        x = x * 1.0000001 + 1e-9;
}

static void sleep_s(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

/* The first processor block of real /proc/cpuinfo files (cloud VMs, which name
 * the CPU only generically), then a second block that must be ignored. */
static const char cpuinfo_epyc_zen3[] =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
    "model name\t: AMD EPYC Processor\nstepping\t: 1\nmicrocode\t: 0x1000065\n"
    "cpu MHz\t\t: 2449.998\ncache size\t: 512 KB\nphysical id\t: 0\nsiblings\t: 4\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep hypervisor\n\n"
    "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n\n";
static const char cpuinfo_xeon_cascadelake[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
    "model name\t: Intel(R) Xeon(R) CPU @ 2.80GHz\nstepping\t: 7\nmicrocode\t: 0x1\n"
    "cpu MHz\t\t: 2800.318\ncache size\t: 33792 KB\n\n";
static const char cpuinfo_xeon_skylake[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
    "model name\t: Intel Xeon Processor (Skylake, IBRS)\nstepping\t: 4\n\n";
/* Alder Lake (family 6 model 151): a desktop part with no SPECpower family. */
static const char cpuinfo_alderlake[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 151\n"
    "model name\t: 12th Gen Intel(R) Core(TM) i7-12700K\nstepping\t: 2\n\n";

/* A fake /proc holding cpuinfo and self/statm (rss_pages resident pages). */
static void fake_proc(char *dir, size_t len, const char *cpuinfo, unsigned long rss_pages)
{
    cr_assert_eq(jm_mtmp_dir(dir, len), 0);
    if (cpuinfo)
        cr_assert_eq(jm_mtmp_write(dir, "cpuinfo", cpuinfo), 0);
    char statm[64];
    snprintf(statm, sizeof statm, "%lu %lu 100 10 0 %lu 0\n", rss_pages + 1000, rss_pages,
             rss_pages);
    cr_assert_eq(jm_mtmp_write(dir, "self/statm", statm), 0);
}

static void open_fake(const char *cpuinfo, const char *opts, jm_meter *m)
{
    char dir[256], spec[512];
    fake_proc(dir, sizeof dir, cpuinfo, 1000);
    snprintf(spec, sizeof spec, "estimate:proc=%s%s%s", dir, opts[0] ? "," : "", opts);
    cr_assert_eq(open_spec(spec, m), JM_M_OK, "%s", err);
    jm_mtmp_remove(dir);
}

static void assert_has(const char *text, const char *want)
{
    cr_assert_not_null(strstr(text, want), "expected '%s' in: %s", want, text);
}

Test(estimate, amd_epyc_zen3_vm_takes_the_epyc_3rd_gen_figures)
{
    jm_meter m;
    open_fake(cpuinfo_epyc_zen3, "cpus=4", &m);
    cr_assert_eq(m.info.kind, JM_METER_ESTIMATED);
    cr_assert_eq(m.info.n_domains, 2);
    cr_assert_str_eq(m.info.domains[0], "cpu");
    cr_assert_str_eq(m.info.domains[1], "memory");
    /* 4 x 1.957 W and 4 x 0.456 W; 4 x 1.07 GB held by the SPECpower servers. */
    assert_has(m.info.model, "tdp_w=7.828 (cpus x max W per CPU)");
    assert_has(m.info.model, "idle_w=1.824 (cpus x idle W per CPU)");
    assert_has(m.info.model, "resident GB - 4.28 GB");
    assert_has(m.info.model, "AMD EPYC 3rd Gen (Zen 3): 0.456/1.957 W per CPU");
    assert_has(m.info.model, "mean of 28 SPECpower results");
    assert_has(m.info.model, "AuthenticAMD family 25 model 1 stepping 1");
    assert_has(m.info.source, "SPECpower_ssj2008");
    assert_has(m.info.source, "Cloud Carbon Footprint");
    assert_has(m.info.source, "0.392 W/GB");
    jm_meter_close(&m);
}

Test(estimate, intel_xeon_vm_split_by_stepping)
{
    jm_meter m;
    open_fake(cpuinfo_xeon_cascadelake, "cpus=2", &m);
    assert_has(m.info.model, "Intel Cascade Lake: 0.690/4.063 W per CPU");
    assert_has(m.info.model, "tdp_w=8.126");
    assert_has(m.info.model, "GenuineIntel family 6 model 85 stepping 7");
    jm_meter_close(&m);
    open_fake(cpuinfo_xeon_skylake, "cpus=2", &m);
    assert_has(m.info.model, "Intel Skylake: 0.613/4.104 W per CPU");
    jm_meter_close(&m);
}

Test(estimate, unknown_cpu_takes_the_mean_of_the_families_and_says_why)
{
    jm_meter m;
    open_fake(cpuinfo_alderlake, "cpus=1", &m);
    assert_has(m.info.model, "unknown CPU (mean of the 16 families): 0.931/3.824 W per CPU");
    assert_has(m.info.model, "no family for GenuineIntel family 6 model 151");
    assert_has(m.info.model, "i7-12700K");
    jm_meter_close(&m);
    open_fake(NULL, "cpus=1", &m);
    assert_has(m.info.model, "unknown CPU");
    assert_has(m.info.model, "CPU not identified (cannot open");
    jm_meter_close(&m);
    open_fake("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: six\nmodel\t\t: 85\n\n",
              "cpus=1", &m);
    assert_has(m.info.model, "is not a number");
    jm_meter_close(&m);
}

Test(estimate, user_overrides_and_family_option)
{
    jm_meter m;
    open_fake(cpuinfo_epyc_zen3, "tdp_w=120,idle_w=30,cpus=4", &m);
    assert_has(m.info.model, "tdp_w=120, idle_w=30, cpus=4, mem_w_per_gb=0.392");
    jm_meter_close(&m);
    /* tdp_w alone keeps the family's idle/max ratio: 100 x 0.456 / 1.957 = 23.3 W. */
    open_fake(cpuinfo_epyc_zen3, "tdp_w=100,cpus=4", &m);
    assert_has(m.info.model, "idle_w=23.3 (tdp_w x family idle/max)");
    jm_meter_close(&m);
    open_fake(cpuinfo_epyc_zen3, "family=intel-icelake,cpus=1", &m);
    assert_has(m.info.model, "Intel Ice Lake: 0.767/3.758 W per CPU");
    assert_has(m.info.model, "family=intel-icelake (given)");
    jm_meter_close(&m);
}

Test(estimate, bad_options)
{
    jm_meter m;
    cr_assert_eq(open_spec("estimate:tdp_w=abc", &m), JM_M_EOPTION);
    assert_has(err, "tdp_w='abc'");
    cr_assert_eq(open_spec("estimate:tdp_w=50,idle_w=60", &m), JM_M_EOPTION);
    assert_has(err, "idle_w=60 is above tdp_w=50");
    cr_assert_eq(open_spec("estimate:cpus=0", &m), JM_M_EOPTION);
    assert_has(err, "cpus='0'");
    cr_assert_eq(open_spec("estimate:family=pentium4", &m), JM_M_EOPTION);
    assert_has(err, "family='pentium4' is not a known family: expected one of amd-epyc-gen1");
    cr_assert_eq(open_spec("estimate:target=everyone", &m), JM_M_EOPTION);
    assert_has(err, "target='everyone'");
    cr_assert_eq(open_spec("estimate:mem_w_per_gb=-1", &m), JM_M_EOPTION);
}

/* Every table entry is in the range SPECpower servers span (per logical CPU:
 * idle 0.1-3 W, full load 1-10 W, idle below full load) and every matched
 * family key exists. */
Test(estimate, table_is_consistent)
{
    char keys[1024];
    jm__cpu_power_keys(keys, sizeof keys);
    int n = 0;
    for (char *k = strtok(keys, ", "); k; k = strtok(NULL, ", "), n++) {
        const jm__cpu_power *p = jm__cpu_power_find(k);
        cr_assert_not_null(p, "%s", k);
        cr_assert(p->idle_w_per_cpu > 0.1 && p->idle_w_per_cpu < 3.0, "%s", k);
        cr_assert(p->max_w_per_cpu > 1.0 && p->max_w_per_cpu < 10.0, "%s", k);
        cr_assert_lt(p->idle_w_per_cpu, p->max_w_per_cpu, "%s", k);
        cr_assert_gt(p->n_results, 0);
    }
    cr_assert_eq(n, 16);
    /* A sample of identities from each vendor's generations. */
    static const struct {
        const char *vendor;
        int family, model, stepping;
        const char *key;
    } cases[] = {
        {"AuthenticAMD", 0x17, 0x01, 2, "amd-epyc-gen1"}, {"AuthenticAMD", 0x17, 0x31, 0, "amd-epyc-gen2"},
        {"AuthenticAMD", 0x19, 0x01, 1, "amd-epyc-gen3"}, {"AuthenticAMD", 0x19, 0x11, 1, "amd-epyc-gen4"},
        {"AuthenticAMD", 0x19, 0xA0, 2, "amd-epyc-gen4"}, {"AuthenticAMD", 0x1A, 0x02, 1, "amd-epyc-gen5"},
        {"HygonGenuine", 0x18, 0x01, 1, "amd-epyc-gen1"}, {"GenuineIntel", 6, 0x4F, 1, "intel-broadwell"},
        {"GenuineIntel", 6, 0x6A, 6, "intel-icelake"},    {"GenuineIntel", 6, 0x8F, 8, "intel-sapphirerapids"},
        {"GenuineIntel", 6, 0xCF, 2, "intel-emeraldrapids"}, {"GenuineIntel", 6, 0xAD, 1, "intel-graniterapids"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jm__cpu_identity id = {0};
        snprintf(id.vendor, sizeof id.vendor, "%s", cases[i].vendor);
        id.family = cases[i].family;
        id.model = cases[i].model;
        id.stepping = cases[i].stepping;
        const jm__cpu_power *p = jm__cpu_power_match(&id);
        cr_assert_not_null(p, "%s %d %d", cases[i].vendor, cases[i].family, cases[i].model);
        cr_assert_str_eq(p->key, cases[i].key);
    }
    jm__cpu_identity arm = {.vendor = "ARM", .family = 0, .model = 0};
    cr_assert_null(jm__cpu_power_match(&arm));
}

static double process_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Spins until this process has used `cpu_seconds` of CPU time (or `max_wall`
 * seconds passed): on a loaded machine a wall-clock spin may get little CPU. */
static void busy_cpu(double cpu_seconds, double max_wall)
{
    double c0 = process_cpu_s(), end = now_s() + max_wall;
    volatile double x = 1.0;
    while (process_cpu_s() - c0 < cpu_seconds && now_s() < end)
        for (int i = 0; i < 10000; i++)
            x = x * 1.0000001 + 1e-9;
}

/* Reads the meter around `work`; checks its cpu power against the model
 * evaluated on this process's CPU time measured independently around the two
 * reads (all threads count: the test runner's own threads too). */
static void check_model(const char *spec, double tdp, double idle, int cpus, bool busy_work)
{
    jm_meter m;
    jm_meter_sample a, b;
    cr_assert_eq(open_spec(spec, &m), JM_M_OK, "%s", err);
    double cpu_a = process_cpu_s();
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    if (busy_work)
        busy_cpu(0.3, 5.0);
    else
        sleep_s(0.3);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    double cpu_b = process_cpu_s();
    double dt = (double)(b.t_ns - a.t_ns) * 1e-9;
    double u = (cpu_b - cpu_a) / (dt * cpus);
    if (u > 1.0)
        u = 1.0;
    double want = idle + (tdp - idle) * u;
    double p = (b.value[0] - a.value[0]) / dt;
    cr_assert(fabs(p - want) < 0.03 * (tdp - idle) + 0.5,
              "%s: %g W, model on measured CPU time %g W (u = %g)", spec, p, want, u);
    cr_assert(p >= idle - 1e-9 && p <= tdp + 1e-9, "%g W outside [%g, %g]", p, idle, tdp);
    /* A busy thread must show in proportion to the CPU it got: on a loaded
     * machine it may get a small share, so the bound follows the measured u. */
    if (busy_work && cpus == 1) {
        cr_assert_gt(u, 0.0, "the busy thread got no CPU time");
        cr_assert_gt(p - idle, 0.5 * (tdp - idle) * u, "a busy thread must show: %g W (u = %g)", p,
                     u);
    }
    jm_meter_close(&m);
}

Test(estimate, idle_process_costs_about_idle_power)
{
    check_model("estimate:tdp_w=100,idle_w=20,cpus=1", 100, 20, 1, false);
}

Test(estimate, busy_thread_on_one_and_two_cpus)
{
    check_model("estimate:tdp_w=100,idle_w=20,cpus=1", 100, 20, 1, true);
    check_model("estimate:tdp_w=100,idle_w=20,cpus=2", 100, 20, 2, true);
}

/* 10 GiB resident on one Zen 3 CPU: 0.392 W/GB x (10 - 1.07) GB = 3.50 W. */
Test(estimate, memory_beyond_the_servers_share_costs_0_392_w_per_gb)
{
    char dir[256], spec[512];
    fake_proc(dir, sizeof dir, cpuinfo_epyc_zen3, 10UL * 1024 * 1024 * 1024 / (unsigned long)sysconf(_SC_PAGESIZE));
    snprintf(spec, sizeof spec, "estimate:proc=%s,cpus=1", dir);
    jm_meter m;
    jm_meter_sample a, b;
    cr_assert_eq(open_spec(spec, &m), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    sleep_s(0.2);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    double p = (b.value[1] - a.value[1]) / ((double)(b.t_ns - a.t_ns) * 1e-9);
    cr_assert(fabs(p - 0.392 * (10.0 - 1.07)) < 0.01, "memory %g W", p);
    jm_meter_close(&m);
    /* Within the share: nothing; and mem_w_per_gb=0 switches the term off. */
    jm_mtmp_remove(dir);
    fake_proc(dir, sizeof dir, cpuinfo_epyc_zen3, 1000);
    snprintf(spec, sizeof spec, "estimate:proc=%s,cpus=1", dir);
    cr_assert_eq(open_spec(spec, &m), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    sleep_s(0.05);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    cr_assert_eq(b.value[1], 0.0);
    jm_meter_close(&m);
    jm_mtmp_remove(dir);
}

/* target=children models the processes this one starts, grandchildren included,
 * and not this process: the parent spins while its child sleeps, then a child
 * whose own child spins. */
Test(estimate, children_target_counts_child_processes_not_this_one)
{
    jm_meter m;
    jm_meter_sample a, b;
    const double tdp = 100, idle = 20;
    cr_assert_eq(open_spec("estimate:target=children,tdp_w=100,idle_w=20,cpus=1", &m), JM_M_OK,
                 "%s", err);
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        sleep_s(0.3);
        _exit(0);
    }
    busy(0.3);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    double dt = (double)(b.t_ns - a.t_ns) * 1e-9;
    double p = (b.value[0] - a.value[0]) / dt;
    cr_assert_lt(p, idle + 0.1 * (tdp - idle), "the parent's own CPU time counted: %g W", p);

    /* Child -> grandchild spinning 0.3 s of wall time (read while it runs, then
     * after); the grandchild reports the CPU time it got through a pipe. */
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0) {
            busy(0.3);
            double used = process_cpu_s();
            _exit(write(fds[1], &used, sizeof used) == (ssize_t)sizeof used ? 0 : 1);
        }
        int st;
        waitpid(g, &st, 0);
        _exit(0);
    }
    sleep_s(0.15);
    jm_meter_sample mid;
    cr_assert_eq(jm_meter_read(&m, &mid, err, sizeof err), JM_M_OK);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    double used = 0;
    cr_assert_eq(read(fds[0], &used, sizeof used), (ssize_t)sizeof used);
    close(fds[0]);
    close(fds[1]);
    cr_assert_gt(used, 0.05, "the grandchild got %g s of CPU", used);
    dt = (double)(b.t_ns - a.t_ns) * 1e-9;
    double above = (b.value[0] - a.value[0]) - idle * dt;
    /* used s of CPU at (tdp - idle) per CPU-second; /proc's clock ticks
     * (10 ms) and the child's own short life allow some slack. */
    double want = used * (tdp - idle);
    cr_assert(fabs(above - want) < 0.1 * want + 0.03 * (tdp - idle),
              "grandchild's %g s of CPU: %g J above idle, expected ~%g J", used, above, want);
    double mid_above = (mid.value[0] - a.value[0]) - idle * (double)(mid.t_ns - a.t_ns) * 1e-9;
    cr_assert_gt(mid_above, 0.005 * (tdp - idle), "a running grandchild shows while it runs: %g J",
                 mid_above);
    jm_meter_close(&m);
}
