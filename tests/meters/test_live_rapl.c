/* test_live_rapl.c - the rapl meter and the sampler on a live fake powercap
 * tree (tests/support/live_powercap.c): package-0 20 W containing core 9 W,
 * dram 3 W nested in the package folder, psys 35 W, the package counter
 * wrapping every 1.5 s. The domain rule's energy is 23 W, through every wrap. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "live_powercap.h"
#include "meters.h"
#include "meters_tmp.h"

static char err[1024];
static char dir[256];
static jm_live_powercap *tree;

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    tree = jm_live_powercap_laptop(dir);
    cr_assert_not_null(tree);
}

static void teardown(void)
{
    jm_live_powercap_stop(tree);
    jm_mtmp_remove(dir);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

Test(live_rapl, rule_energy_is_23_watts_through_wraps, .init = setup, .fini = teardown,
     .timeout = 30)
{
    char text[400];
    snprintf(text, sizeof text, "rapl:root=%s,interval_ms=50", dir);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(text, &spec, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s / %s", err, m.reason);
    static const char *const want[] = {"package-0", "core-0", "dram-0", "psys"};
    cr_assert_eq(m.info.n_domains, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(m.info.domains[i], want[i]);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&m.info, &c), 2);
    jm_sampler *s;
    jm_sampler_config cfg = {0};
    cr_assert_eq(jm_sampler_create(&m, 1, &cfg, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK, "%s", err);
    uint64_t t0, t1;
    sleep_ms(200);
    cr_assert_eq(jm_sampler_mark(s, "begin:testing:live", &t0, err, sizeof err), JM_M_OK);
    sleep_ms(3300); /* two package wraps */
    cr_assert_eq(jm_sampler_mark(s, "end:testing:live", &t1, err, sizeof err), JM_M_OK);
    jm_sampler_stop(s);
    cr_assert(!jm_sampler_meter_failed(s, 0, NULL, NULL));
    double dur = (double)(t1 - t0) * 1e-9, total = 0;
    static const double watts[] = {20.0, 9.0, 3.0, 35.0};
    for (int d = 0; d < 4; d++) {
        jm_energy_window w;
        cr_assert_eq(jm_sampler_energy(s, 0, d, t0, t1, &w), JM_M_OK);
        cr_assert(w.covered);
        cr_expect_float_eq(w.energy_j / dur, watts[d], 0.03 * watts[d], "%s: %.3f W",
                           m.info.domains[d], w.energy_j / dur);
        if (c.summed[d])
            total += w.energy_j;
    }
    cr_expect_float_eq(total / dur, 23.0, 0.03 * 23.0, "rule energy %.3f W", total / dur);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
}
