/* test_estimate.c - the "estimate" meter: labelled ESTIMATED, model string
 * with its parameters, energy from measured process CPU time. */
#include <criterion/criterion.h>
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

Test(estimate, idle_process_costs_idle_power)
{
    jm_meter m;
    jm_meter_sample a, b;
    cr_assert_eq(open_spec("estimate:tdp_w=100,idle_w=20,cpus=1", &m), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_read(&m, &a, err, sizeof err), JM_M_OK);
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    cr_assert_eq(jm_meter_read(&m, &b, err, sizeof err), JM_M_OK);
    double dt = (double)(b.t_ns - a.t_ns) * 1e-9;
    double p = (b.value[0] - a.value[0]) / dt;
    cr_assert(p >= 20.0 && p < 23.0, "idle power %g W, expected ~20 W", p);
    jm_meter_close(&m);
}

Test(estimate, one_busy_thread_on_one_and_two_cpus)
{
    jm_meter m1, m2;
    jm_meter_sample a1, b1, a2, b2;
    cr_assert_eq(open_spec("estimate:tdp_w=100,idle_w=20,cpus=1", &m1), JM_M_OK, "%s", err);
    cr_assert_eq(open_spec("estimate:tdp_w=100,idle_w=20,cpus=2", &m2), JM_M_OK, "%s", err);
    jm_meter_read(&m1, &a1, err, sizeof err);
    jm_meter_read(&m2, &a2, err, sizeof err);
    busy(0.3);
    jm_meter_read(&m1, &b1, err, sizeof err);
    jm_meter_read(&m2, &b2, err, sizeof err);
    double p1 = (b1.value[0] - a1.value[0]) / ((double)(b1.t_ns - a1.t_ns) * 1e-9);
    double p2 = (b2.value[0] - a2.value[0]) / ((double)(b2.t_ns - a2.t_ns) * 1e-9);
    /* one thread fully busy: u = 1 on one CPU (100 W), 0.5 on two (60 W); the shared
     * machine may steal some CPU time, so allow for less */
    cr_assert(p1 > 80.0 && p1 <= 100.0 + 1e-9, "1 cpu: %g W, expected ~100 W", p1);
    cr_assert(p2 > 50.0 && p2 <= 60.5, "2 cpus: %g W, expected ~60 W", p2);
    jm_meter_close(&m1);
    jm_meter_close(&m2);
}
