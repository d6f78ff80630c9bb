/* test_stats.c - jm_stat_compute against hand-computed values and an
 * independent binomial oracle for the order-statistic CI of the median. */
#include <criterion/criterion.h>
#include <math.h>

#include "reports.h"

static double binom_cdf_half(int n, int k) /* P(B <= k), B ~ Bin(n, 1/2), exact for n <= 60 */
{
    double c = 1.0, sum = 0.0; /* C(n, 0) */
    for (int i = 0; i <= k; i++) {
        sum += c;
        c = c * (n - i) / (i + 1);
    }
    return sum / pow(2.0, n);
}

Test(stats, empty_and_nan_only) {
    jm_stat s;
    jm_stat_compute(NULL, 0, &s);
    cr_assert_eq(s.n, 0);
    cr_assert(isnan(s.median) && isnan(s.ci95_low));
    double v[3] = {NAN, INFINITY, NAN};
    jm_stat_compute(v, 3, &s);
    cr_assert_eq(s.n, 0);
    cr_assert(isnan(s.mean));
}

Test(stats, single_value_has_no_interval) {
    double v[1] = {4.25};
    jm_stat s;
    jm_stat_compute(v, 1, &s);
    cr_assert_eq(s.n, 1);
    cr_assert_float_eq(s.median, 4.25, 1e-15);
    cr_assert_float_eq(s.min, 4.25, 1e-15);
    cr_assert(isnan(s.stddev));
    cr_assert(isnan(s.ci95_low) && isnan(s.ci95_high));
}

Test(stats, small_n_uses_t_interval) {
    double v[3] = {3.0, 1.0, 2.0};
    jm_stat s;
    jm_stat_compute(v, 3, &s);
    cr_assert_float_eq(s.median, 2.0, 1e-15);
    cr_assert_float_eq(s.mean, 2.0, 1e-15);
    cr_assert_float_eq(s.stddev, 1.0, 1e-15);
    double half = 4.302652730 / sqrt(3.0); /* t(0.975, 2) */
    cr_assert_float_eq(s.ci95_low, 2.0 - half, 1e-8);
    cr_assert_float_eq(s.ci95_high, 2.0 + half, 1e-8);
    double w[2] = {1.0, 3.0};
    jm_stat_compute(w, 2, &s);
    cr_assert_float_eq(s.median, 2.0, 1e-15);
    cr_assert_float_eq(s.ci95_high, 2.0 + 12.706204736 * sqrt(2.0) / sqrt(2.0), 1e-7);
}

Test(stats, even_count_median_and_nan_skipped) {
    double v[5] = {4.0, NAN, 1.0, 3.0, 2.0};
    jm_stat s;
    jm_stat_compute(v, 5, &s);
    cr_assert_eq(s.n, 4);
    cr_assert_float_eq(s.median, 2.5, 1e-15);
    cr_assert_float_eq(s.min, 1.0, 1e-15);
    cr_assert_float_eq(s.max, 4.0, 1e-15);
    cr_assert_float_eq(s.stddev, sqrt(5.0 / 3.0), 1e-12);
}

Test(stats, order_statistic_interval_matches_binomial_oracle) {
    for (int n = 6; n <= 40; n++) {
        double v[40];
        for (int i = 0; i < n; i++)
            v[i] = 100.0 + i;
        unsigned seed = 12345u + (unsigned)n; /* shuffle: the input order must not matter */
        for (int i = n - 1; i > 0; i--) {
            seed = seed * 1103515245u + 12345u;
            int j = (int)((seed >> 16) % (unsigned)(i + 1));
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        jm_stat s;
        jm_stat_compute(v, n, &s);
        /* oracle: largest k with P(B <= k-1) <= 0.025 */
        int k = 0;
        while (binom_cdf_half(n, k) <= 0.025)
            k++;
        cr_assert(k >= 1, "n=%d", n);
        cr_assert_float_eq(s.ci95_low, 100.0 + (k - 1), 1e-12, "n=%d k=%d", n, k);
        cr_assert_float_eq(s.ci95_high, 100.0 + (n - k), 1e-12, "n=%d k=%d", n, k);
        /* coverage of the interval is at least 95% */
        cr_assert(1.0 - 2.0 * binom_cdf_half(n, k - 1) >= 0.95, "n=%d", n);
    }
}

Test(stats, known_ranks) {
    double v[20];
    for (int i = 0; i < 20; i++)
        v[i] = i + 1;
    jm_stat s;
    jm_stat_compute(v, 6, &s); /* n = 6: [min, max] */
    cr_assert_float_eq(s.ci95_low, 1.0, 0);
    cr_assert_float_eq(s.ci95_high, 6.0, 0);
    jm_stat_compute(v, 10, &s); /* n = 10: [x(2), x(9)] */
    cr_assert_float_eq(s.ci95_low, 2.0, 0);
    cr_assert_float_eq(s.ci95_high, 9.0, 0);
    jm_stat_compute(v, 20, &s); /* n = 20: [x(6), x(15)] */
    cr_assert_float_eq(s.ci95_low, 6.0, 0);
    cr_assert_float_eq(s.ci95_high, 15.0, 0);
    cr_assert_float_eq(s.median, 10.5, 0);
}
