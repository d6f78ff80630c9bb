/* test_counters.c - hardware counters through libpfm4: unavailable with a
 * reason on machines without a PMU (this VM), real counts where one exists,
 * and the FLOP arithmetic over FP events. */
#include <criterion/criterion.h>
#include <string.h>

#include "meters.h"

static char err[512];

Test(counters, flops_and_lookup_arithmetic)
{
    jm_counter_values v;
    memset(&v, 0, sizeof v);
    v.n = 4;
    strcpy(v.names[0], "cycles");
    v.value[0] = 1e9;
    strcpy(v.names[1], "instructions");
    v.value[1] = 2e9;
    strcpy(v.names[2], "fp_512b_packed_single");
    v.value[2] = 1000;
    v.flops_per_count[2] = 16;
    strcpy(v.names[3], "fp_scalar_double");
    v.value[3] = 10;
    v.flops_per_count[3] = 1;
    double f, x;
    cr_assert(jm_counters_flops(&v, &f));
    cr_assert_float_eq(f, 16010.0, 1e-9);
    cr_assert(jm_counters_get(&v, "instructions", &x));
    cr_assert_float_eq(x, 2e9, 1e-3);
    cr_assert_not(jm_counters_get(&v, "branches", &x));
    v.n = 2;
    cr_assert_not(jm_counters_flops(&v, &f));
}

Test(counters, this_machine_counts_or_says_why)
{
    jm_counters *c;
    char reason[512] = "";
    int rc = jm_counters_open(&c, reason, sizeof reason);
    cr_assert(rc == JM_M_OK || rc == JM_M_UNAVAILABLE, "rc %d", rc);
    if (rc == JM_M_UNAVAILABLE) {
        cr_assert_gt(strlen(reason), 10);
        cr_log_info("counters here: %s", reason);
        return;
    }
    volatile double x = 0;
    for (int i = 0; i < 1000000; i++)
        x += i * 0.5;
    jm_counter_values v;
    cr_assert_eq(jm_counters_read(c, &v, err, sizeof err), JM_M_OK, "%s", err);
    double ins, cyc;
    cr_assert(jm_counters_get(&v, "instructions", &ins));
    cr_assert(jm_counters_get(&v, "cycles", &cyc));
    cr_assert_gt(ins, 1e6);
    cr_assert_gt(cyc, 1e5);
    jm_counters_close(c);
}
