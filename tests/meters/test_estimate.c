/* test_estimate.c - the "estimate" meter: labelled ESTIMATED, model string
 * with its parameters, energy from measured process CPU time. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meters.h"

static char err[512];

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

Test(estimate, labelled_estimated_with_model_and_defaults)
{
    jm_meter m;
    cr_assert_eq(open_spec("estimate", &m), JM_M_OK, "%s", err);
    cr_assert_eq(m.info.kind, JM_METER_ESTIMATED);
    cr_assert_eq(m.info.n_domains, 1);
    long cpus = jm_estimate_default_cpus();
    char want[128];
    snprintf(want, sizeof want, "tdp_w=%g (default", JM_ESTIMATE_W_PER_CPU * (double)cpus);
    cr_assert_not_null(strstr(m.info.model, want), "%s", m.info.model);
    cr_assert_not_null(strstr(m.info.model, "P = idle_w + (tdp_w - idle_w) * u"), "%s",
                       m.info.model);
    jm_meter_close(&m);
    cr_assert_eq(open_spec("estimate:tdp_w=120,idle_w=30,cpus=4", &m), JM_M_OK, "%s", err);
    cr_assert_not_null(strstr(m.info.model, "tdp_w=120, idle_w=30, cpus=4"), "%s", m.info.model);
    jm_meter_close(&m);
}

Test(estimate, bad_options)
{
    jm_meter m;
    cr_assert_eq(open_spec("estimate:tdp_w=abc", &m), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "tdp_w='abc'"), "%s", err);
    cr_assert_eq(open_spec("estimate:tdp_w=50,idle_w=60", &m), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "idle_w=60 is above tdp_w=50"), "%s", err);
    cr_assert_eq(open_spec("estimate:cpus=0", &m), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "cpus='0'"), "%s", err);
}

static double process_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads the meter around `work`; checks its power against the model evaluated
 * on this process's CPU time measured independently around the two reads
 * (all threads count: the test runner's own threads too). */
static void check_model(const char *spec, double tdp, double idle, int cpus, bool busy_work)
{
    jm_meter m;
    jm_meter_sample a, b;
    cr_assert_eq(open_spec(spec, &m), JM_M_OK, "%s", err);
    double cpu_a = process_cpu_s();
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    if (busy_work) {
        busy(0.3);
    } else {
        struct timespec ts = {0, 300000000};
        nanosleep(&ts, NULL);
    }
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
    if (busy_work && cpus == 1)
        cr_assert_gt(p, idle + 0.25 * (tdp - idle), "a busy thread must show: %g W", p);
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
