/* test_sampler.c - the sampler thread against scripted fake meters of known
 * power: accuracy for intervals 10 ms..1 s, power integration, marks and
 * phase forwarding, window coverage, several meters with one failing mid-run,
 * per-meter intervals, thread CPU time. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meters.h"
#include "meters_fake.h"

static char err[512];

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Runs a sampler over one meter for window_ms and checks the window energy. */
static void check_accuracy(jm_meter_quantity q, unsigned interval_ms, unsigned window_ms)
{
    jm_fake_meter_script sc = {.quantity = q, .n_domains = 2};
    sc.base_w[0] = 40.0;
    sc.ramp_w_per_s[0] = 25.0; /* power rises 40 -> ~70 W over the window */
    sc.base_w[1] = 5.0;
    jm_meter m;
    cr_assert_eq(jm_fake_meter_open(&m, &sc), JM_M_OK);
    jm_sampler *s;
    jm_sampler_config cfg = {.interval_ms = interval_ms};
    cr_assert_eq(jm_sampler_create(&m, 1, &cfg, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_interval_ms(s, 0), interval_ms);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK, "%s", err);
    sleep_ms(interval_ms / 2 + 5);
    uint64_t t0, t1;
    cr_assert_eq(jm_sampler_mark(s, "begin:testing:w:run1", &t0, err, sizeof err), JM_M_OK);
    sleep_ms(window_ms);
    cr_assert_eq(jm_sampler_mark(s, "end:testing:w:run1", &t1, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_sampler_stop(s), JM_M_OK);
    for (int d = 0; d < 2; d++) {
        jm_energy_window w;
        cr_assert_eq(jm_sampler_energy(s, 0, d, t0, t1, &w), JM_M_OK);
        double want = jm_fake_meter_expected_j(&m, d, t0, t1);
        cr_assert(fabs(w.energy_j - want) <= 0.005 * want,
                  "q=%d interval %u ms domain %d: %g J, expected %g J", (int)q, interval_ms, d,
                  w.energy_j, want);
        cr_assert(w.covered);
        double expect_n = (double)window_ms / interval_ms;
        cr_assert(w.n_samples + 2 >= (size_t)(expect_n * 0.25) && w.n_samples <= expect_n + 3,
                  "interval %u: %zu samples in %u ms", interval_ms, w.n_samples, window_ms);
        cr_assert_leq(w.max_gap_ns, (uint64_t)(interval_ms * 3 + 250) * 1000000u); /* a loaded CI box */
    }
    cr_assert_str_eq(jm_fake_meter_phases(&m), "+testing -testing");
    cr_assert_eq(jm_sampler_mark_count(s), 2);
    cr_assert_str_eq(jm_sampler_marks(s)[0].label, "begin:testing:w:run1");
    cr_assert_eq(jm_sampler_marks(s)[1].t_ns, t1);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
}

Test(sampler, accuracy_energy_counter_10ms_to_1s)
{
    check_accuracy(JM_METER_ENERGY, 10, 300);
    check_accuracy(JM_METER_ENERGY, 100, 400);
    check_accuracy(JM_METER_ENERGY, 1000, 1300);
}

Test(sampler, accuracy_power_meter_integrated_10ms_to_1s)
{
    check_accuracy(JM_METER_POWER, 10, 300);
    check_accuracy(JM_METER_POWER, 50, 400);
    check_accuracy(JM_METER_POWER, 1000, 1300);
}

Test(sampler, trapezoid_and_power_columns_exact_for_a_ramp)
{
    jm_fake_meter_script sc = {.quantity = JM_METER_POWER, .n_domains = 1};
    sc.base_w[0] = 10.0;
    sc.ramp_w_per_s[0] = 100.0;
    jm_meter m;
    jm_fake_meter_open(&m, &sc);
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_OK);
    uint64_t t[4];
    for (int i = 0; i < 4; i++) {
        jm_sampler_mark(s, "tick", &t[i], err, sizeof err);
        sleep_ms(20);
    }
    cr_assert_eq(jm_sampler_count(s, 0), 4);
    const jm_sampler_point *p = jm_sampler_points(s, 0);
    cr_assert_float_eq(p[0].energy_j[0], 0.0, 1e-12);
    for (int i = 1; i < 4; i++) {
        double want = jm_fake_meter_expected_j(&m, 0, p[0].t_ns, p[i].t_ns);
        cr_assert_float_eq(p[i].energy_j[0], want, 1e-9 + 1e-9 * want);
        cr_assert_gt(p[i].power_w[0], p[i - 1].power_w[0]);
    }
    /* window between samples: linear interpolation */
    jm_energy_window w;
    uint64_t mid = p[1].t_ns + (p[2].t_ns - p[1].t_ns) / 2;
    cr_assert_eq(jm_sampler_energy(s, 0, 0, p[1].t_ns, mid, &w), JM_M_OK);
    double f = (double)(mid - p[1].t_ns) / (double)(p[2].t_ns - p[1].t_ns);
    cr_assert_float_eq(w.energy_j, f * (p[2].energy_j[0] - p[1].energy_j[0]), 1e-9);
    cr_assert_eq(w.n_samples, 0);
    cr_assert_eq(w.max_gap_ns, p[2].t_ns - p[1].t_ns);
    /* a window beyond the samples is not covered */
    cr_assert_eq(jm_sampler_energy(s, 0, 0, p[0].t_ns, p[3].t_ns + 1000000000u, &w), JM_M_OK);
    cr_assert_not(w.covered);
    cr_assert_eq(jm_sampler_energy(s, 0, 0, p[2].t_ns, p[1].t_ns, &w), JM_M_ESTATE);
    cr_assert_eq(jm_sampler_energy(s, 1, 0, p[0].t_ns, p[1].t_ns, &w), JM_M_ESTATE);
    cr_assert_eq(jm_sampler_energy(s, 0, 1, p[0].t_ns, p[1].t_ns, &w), JM_M_ESTATE);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
}

Test(sampler, one_meter_failing_leaves_the_others_intact)
{
    jm_fake_meter_script good = {.quantity = JM_METER_ENERGY, .n_domains = 1, .name = "good"};
    good.base_w[0] = 30.0;
    jm_fake_meter_script bad = good;
    bad.name = "bad";
    bad.fail_after_reads = 5;
    jm_fake_meter_script analyzer = {.quantity = JM_METER_POWER, .n_domains = 1, .name = "wall"};
    analyzer.base_w[0] = 200.0;
    jm_meter m[3];
    jm_fake_meter_open(&m[0], &good);
    jm_fake_meter_open(&m[1], &bad);
    jm_fake_meter_open(&m[2], &analyzer);
    m[2].info.default_interval_ms = 100;
    jm_sampler *s;
    jm_sampler_config cfg = {0};
    cr_assert_eq(jm_sampler_create(m, 3, &cfg, &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_sampler_interval_ms(s, 0), 50);
    cr_assert_eq(jm_sampler_interval_ms(s, 2), 100);
    uint64_t t0, t1;
    jm_sampler_mark(s, "begin:idle", &t0, err, sizeof err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_ESTATE);
    sleep_ms(600);
    jm_sampler_mark(s, "end:idle", &t1, err, sizeof err);
    cr_assert_eq(jm_sampler_stop(s), JM_M_OK);
    cr_assert_eq(jm_sampler_stop(s), JM_M_ESTATE);
    const char *msg = NULL;
    uint64_t at = 0;
    cr_assert_not(jm_sampler_meter_failed(s, 0, NULL, NULL));
    cr_assert(jm_sampler_meter_failed(s, 1, &msg, &at));
    cr_assert_not_null(strstr(msg, "scripted failure after 5 reads"), "%s", msg);
    cr_assert(at > t0 && at < t1);
    cr_assert_eq(jm_sampler_count(s, 1), 5); /* kept what it had */
    cr_assert_geq(jm_sampler_count(s, 0), 8);
    cr_assert(jm_sampler_count(s, 2) >= 4 && jm_sampler_count(s, 2) <= 11, "%zu",
              jm_sampler_count(s, 2));
    jm_energy_window w;
    cr_assert_eq(jm_sampler_energy(s, 0, 0, t0, t1, &w), JM_M_OK);
    double want = 30.0 * (double)(t1 - t0) * 1e-9;
    cr_assert(fabs(w.energy_j - want) < 0.005 * want, "%g vs %g", w.energy_j, want);
    cr_assert_eq(jm_sampler_energy(s, 2, 0, t0, t1, &w), JM_M_OK);
    want = 200.0 * (double)(t1 - t0) * 1e-9;
    cr_assert(fabs(w.energy_j - want) < 0.005 * want, "%g vs %g", w.energy_j, want);
    cr_assert_eq(jm_sampler_energy(s, 1, 0, t0, t1, &w), JM_M_OK);
    cr_assert_not(w.covered); /* the failed meter's data ends early */
    uint64_t cpu = jm_sampler_cpu_ns(s);
    cr_assert(cpu > 0 && cpu < 300000000u, "sampler thread CPU %llu ns",
              (unsigned long long)cpu);
    jm_sampler_destroy(s);
    for (int i = 0; i < 3; i++)
        jm_meter_close(&m[i]);
}

Test(sampler, option_interval_overrides_config_and_phase_failure_fails_meter)
{
    jm_fake_meter_script sc = {.quantity = JM_METER_ENERGY, .fail_phase_begin = 1};
    sc.base_w[0] = 1.0;
    jm_meter m;
    jm_fake_meter_open(&m, &sc);
    m.spec.n_options = 1;
    snprintf(m.spec.options[0].key, sizeof m.spec.options[0].key, "interval_ms");
    snprintf(m.spec.options[0].value, sizeof m.spec.options[0].value, "7");
    jm_sampler *s;
    jm_sampler_config cfg = {.interval_ms = 500};
    cr_assert_eq(jm_sampler_create(&m, 1, &cfg, &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_sampler_interval_ms(s, 0), 7);
    cr_assert_eq(jm_sampler_mark(s, "begin:ranging:x", NULL, err, sizeof err), JM_M_OK);
    const char *msg;
    cr_assert(jm_sampler_meter_failed(s, 0, &msg, NULL));
    cr_assert_not_null(strstr(msg, "scripted failure of phase call 1"));
    /* a begin is forwarded first: the meter failed before the mark's sample */
    cr_assert_eq(jm_sampler_count(s, 0), 0);
    cr_assert_eq(jm_sampler_mark_count(s), 1); /* the mark itself is recorded */
    jm_sampler_destroy(s);
    jm_meter_close(&m);
}

Test(sampler, rejects_unavailable_meters)
{
    jm_meter m;
    memset(&m, 0, sizeof m);
    snprintf(m.spec.name, sizeof m.spec.name, "rapl");
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_ESTATE);
    cr_assert_not_null(strstr(err, "('rapl') is not open"), "%s", err);
}

/* The window contract (meters.h): a begin mark's time is taken after every
 * meter's phase handling returned, an end mark's before it starts, so a slow
 * phase change (an analyzer's range change) lies outside the window; the other
 * meters keep being sampled meanwhile; the workload reaches the meters. */
Test(sampler, window_opens_after_phase_handling_and_closes_before_it)
{
    jm_fake_meter_script slow = {.quantity = JM_METER_POWER, .base_w = {100.0},
                                 .phase_delay_ms = 300, .default_interval_ms = 10};
    jm_fake_meter_script quick = {.quantity = JM_METER_ENERGY, .base_w = {50.0},
                                  .default_interval_ms = 10};
    jm_meter m[2];
    cr_assert_eq(jm_fake_meter_open(&m[0], &slow), JM_M_OK);
    cr_assert_eq(jm_fake_meter_open(&m[1], &quick), JM_M_OK);
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(m, 2, NULL, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    sleep_ms(50);
    uint64_t t0, t1, entered, returned;
    cr_assert_eq(jm_sampler_mark(s, "begin:testing:moe, top-1:run3", &t0, err, sizeof err),
                 JM_M_OK);
    jm_fake_meter_last_phase(&m[0], &entered, &returned);
    cr_assert_geq(t0, returned, "the window opened %.1f ms before the phase change ended",
                  (double)(returned - t0) / 1e6);
    uint64_t begin_entered = entered, begin_returned = returned;
    uint64_t work_start = jm_now_ns();
    sleep_ms(200);
    uint64_t work_end = jm_now_ns();
    cr_assert_eq(jm_sampler_mark(s, "end:testing:moe, top-1:run3", &t1, err, sizeof err), JM_M_OK);
    jm_fake_meter_last_phase(&m[0], &entered, &returned);
    cr_assert_leq(t1, entered, "the window closed after the stop began");
    /* the window is the work, not the 2 x 300 ms of phase changes around it */
    cr_assert(t0 <= work_start && t1 >= work_end && (t1 - t0) - (work_end - work_start) < 50000000u,
              "window %.1f ms for %.1f ms of work", (double)(t1 - t0) / 1e6,
              (double)(work_end - work_start) / 1e6);
    cr_assert_eq(jm_sampler_mark(s, "begin:ranging:moe:Offline", NULL, err, sizeof err), JM_M_OK);
    jm_sampler_stop(s);
    cr_assert_str_eq(jm_fake_meter_phase_workloads(&m[0]), "moe, top-1 moe, top-1 moe:Offline");
    /* the quick meter was sampled while the slow one changed phase */
    size_t during = 0;
    const jm_sampler_point *p = jm_sampler_points(s, 1);
    for (size_t i = 0; i < jm_sampler_count(s, 1); i++)
        during += p[i].t_ns > begin_entered && p[i].t_ns < begin_returned;
    cr_assert_geq(during, 5, "%zu samples of the other meter during a 300 ms phase change", during);
    /* the slow meter's first point at or after t0 is the begin mark's own sample */
    jm_energy_window w;
    cr_assert_eq(jm_sampler_energy(s, 0, 0, t0, t1, &w), JM_M_OK);
    cr_assert(w.covered);
    cr_assert_float_eq(w.energy_j, jm_fake_meter_expected_j(&m[0], 0, t0, t1), 0.01 * w.energy_j);
    jm_sampler_destroy(s);
    jm_meter_close(&m[0]);
    jm_meter_close(&m[1]);
}
