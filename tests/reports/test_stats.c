/* test_stats.c - jm_stat_compute against hand-computed values and an
 * independent binomial oracle for the order-statistic interval of the median
 * and its coverage; the coverage and interval as written for people. */
#include <criterion/criterion.h>
#include <math.h>

#include "reports_internal.h"

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
    cr_assert(isnan(s.median) && isnan(s.ci_low) && isnan(s.ci_coverage));
    cr_assert_eq(s.ci_method, JM_CI_NONE);
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
    cr_assert(isnan(s.ci_low) && isnan(s.ci_high) && isnan(s.ci_coverage));
    cr_assert_eq(s.ci_method, JM_CI_NONE);
    cr_assert_str_eq(jm_ci_method_name(s.ci_method), "none");
}

/* n = 2..5 reach no 95% order-statistic interval: [min, max] with the
 * coverage it has, 1 - 2^(1-n), never called 95% (the old code gave a
 * t-interval of the mean for these). */
Test(stats, small_n_is_min_max_with_its_coverage) {
    const double want[6] = {NAN, NAN, 0.5, 0.75, 0.875, 0.9375};
    double v[5] = {3.0, 1.0, 2.0, 7.0, 5.0};
    for (int n = 2; n <= 5; n++) {
        jm_stat s;
        jm_stat_compute(v, n, &s);
        double lo = v[0], hi = v[0];
        for (int i = 1; i < n; i++) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
        cr_assert_eq(s.ci_method, JM_CI_ORDER_STATISTIC, "n=%d", n);
        cr_assert_float_eq(s.ci_low, lo, 0, "n=%d", n);
        cr_assert_float_eq(s.ci_high, hi, 0, "n=%d", n);
        cr_assert_float_eq(s.ci_coverage, want[n], 1e-12, "n=%d", n);
        cr_assert_float_eq(s.ci_coverage, 1.0 - 2.0 * binom_cdf_half(n, 0), 1e-12, "n=%d", n);
    }
    double w[3] = {3.0, 1.0, 2.0};
    jm_stat s;
    jm_stat_compute(w, 3, &s);
    cr_assert_float_eq(s.median, 2.0, 1e-15);
    cr_assert_float_eq(s.mean, 2.0, 1e-15);
    cr_assert_float_eq(s.stddev, 1.0, 1e-15);
}

/* Every interval of a positive quantity is positive and holds its median,
 * for n = 1..6 and for ratios on their log scale; coverage is exact. */
Test(stats, positive_quantity_interval_positive_and_holds_median) {
    const double mj[6] = {0.61, 0.0004, 12.5, 0.62, 0.6, 3.0}; /* wide, skewed */
    const double cover[7] = {NAN, NAN, 0.5, 0.75, 0.875, 0.9375, 0.96875};
    for (int n = 1; n <= 6; n++) {
        for (int ratio = 0; ratio < 2; ratio++) {
            jm_stat s;
            if (ratio)
                jm_stat_compute_ratio(mj, n, &s);
            else
                jm_stat_compute(mj, n, &s);
            cr_assert_eq(s.n, n);
            cr_assert_eq(s.log_scale, ratio == 1);
            cr_assert_gt(s.median, 0, "n=%d", n);
            if (n == 1) {
                cr_assert_eq(s.ci_method, JM_CI_NONE);
                continue;
            }
            cr_assert_gt(s.ci_low, 0, "n=%d ratio=%d", n, ratio);
            cr_assert_leq(s.ci_low, s.median, "n=%d ratio=%d", n, ratio);
            cr_assert_geq(s.ci_high, s.median, "n=%d ratio=%d", n, ratio);
            cr_assert_float_eq(s.ci_coverage, cover[n], 1e-12, "n=%d", n);
        }
    }
}

/* Ratios: the median of an even count is on the log scale (the geometric
 * mean of the two middle ratios); values <= 0 are not ratios and are left out. */
Test(stats, ratio_median_on_log_scale) {
    double r[5] = {2.0, 8.0, -1.0, 0.0, NAN};
    jm_stat s;
    jm_stat_compute_ratio(r, 5, &s);
    cr_assert_eq(s.n, 2);
    cr_assert_float_eq(s.median, 4.0, 1e-12);
    cr_assert_float_eq(s.ci_low, 2.0, 0);
    cr_assert_float_eq(s.ci_high, 8.0, 0);
    cr_assert_float_eq(s.mean, 5.0, 1e-12); /* the mean of the ratios themselves */
}

Test(stats, coverage_text_never_rounds_up) {
    char buf[16];
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), 0.9375), "93.75");
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), 0.96875), "96.87");
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), 0.75), "75");
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), 0.5), "50");
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), 0.94999), "94.99");
    cr_assert_str_eq(jm__fmt_coverage(buf, sizeof(buf), NAN), "n/a");
    double v[5] = {17.9, 20.4, 21.6, 19.0, 20.9};
    jm_stat s;
    jm_stat_compute_ratio(v, 5, &s);
    char text[96];
    cr_assert_str_eq(jm__fmt_ci(text, sizeof(text), &s, "%.3g", "x"),
                     "93.75% order-statistic CI 17.9-21.6x");
    jm_stat_compute_ratio(v, 1, &s);
    cr_assert_str_eq(jm__fmt_ci(text, sizeof(text), &s, "%.3g", "x"), "no CI (n = 1)");
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
        cr_assert_float_eq(s.ci_low, 100.0 + (k - 1), 1e-12, "n=%d k=%d", n, k);
        cr_assert_float_eq(s.ci_coverage, 1.0 - 2.0 * binom_cdf_half(n, k - 1), 1e-12, "n=%d", n);
        cr_assert_float_eq(s.ci_high, 100.0 + (n - k), 1e-12, "n=%d k=%d", n, k);
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
    cr_assert_float_eq(s.ci_low, 1.0, 0);
    cr_assert_float_eq(s.ci_high, 6.0, 0);
    jm_stat_compute(v, 10, &s); /* n = 10: [x(2), x(9)] */
    cr_assert_float_eq(s.ci_low, 2.0, 0);
    cr_assert_float_eq(s.ci_high, 9.0, 0);
    jm_stat_compute(v, 20, &s); /* n = 20: [x(6), x(15)] */
    cr_assert_float_eq(s.ci_low, 6.0, 0);
    cr_assert_float_eq(s.ci_high, 15.0, 0);
    cr_assert_float_eq(s.median, 10.5, 0);
}
