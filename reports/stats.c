/* stats.c - summary statistics over repeated runs: median, mean, min, max,
 * sample standard deviation and an interval of the median that states its
 * method and its achieved coverage.
 *
 * One method for every median (docs/results.md, "Interval of the median"):
 * the distribution-free order-statistic interval [x_(k), x_(n-k+1)]. Its
 * coverage is exactly 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), whatever the
 * distribution. k is the largest rank with coverage >= 95%; when no rank
 * reaches 95% (n <= 5) it is [min, max] (k = 1) and its coverage is what it
 * is (n = 5: 93.75%), never called 95%. With one value there is no interval.
 * Ratios are summarized on a log scale: the median of ln(ratio) and its
 * interval, transformed back, so a ratio's interval is positive and contains
 * its median. The order statistics of x and of ln x are the same values, so
 * the log scale changes only the median of an even count (the geometric mean
 * of the two middle ratios instead of their arithmetic mean). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* log of C(n, i) * 2^-n */
static double log_binom_half(int n, int i) {
    return lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - n * log(2.0);
}

/* P(B <= i), B ~ Bin(n, 1/2) */
static double binom_half_cdf(int n, int i) {
    double cdf = 0.0;
    for (int j = 0; j <= i && j <= n; j++)
        cdf += exp(log_binom_half(n, j));
    return cdf;
}

double jm__median_ci_coverage(int n, int k) {
    if (n < 2 || k < 1 || 2 * k > n + 1)
        return NAN;
    return 1.0 - 2.0 * binom_half_cdf(n, k - 1);
}

/* Largest k >= 1 with coverage >= JM_CI_TARGET_COVERAGE; 1 when none reaches
 * it and n >= 2 ([min, max], the widest interval there is); 0 when n < 2. */
int jm__median_ci_rank(int n) {
    if (n < 2)
        return 0;
    int k = 1;
    /* 1e-12: coverage is a dyadic rational; keep exact hits at the target */
    while (2 * (k + 1) <= n + 1 &&
           jm__median_ci_coverage(n, k + 1) >= JM_CI_TARGET_COVERAGE - 1e-12)
        k++;
    return k;
}

const char *jm_ci_method_name(jm_ci_method m) {
    switch (m) {
    case JM_CI_ORDER_STATISTIC:
        return "order-statistic";
    case JM_CI_NONE:
        break;
    }
    return "none";
}

static void reset(jm_stat *out, bool log_scale) {
    memset(out, 0, sizeof(*out));
    out->median = out->mean = out->min = out->max = NAN;
    out->stddev = out->ci_low = out->ci_high = out->ci_coverage = NAN;
    out->ci_method = JM_CI_NONE;
    out->log_scale = log_scale;
}

/* Finite values (and, on a log scale, positive ones) of values[0..n), sorted. */
static int sorted_usable(const double *values, int n, bool log_scale, double *v) {
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(values[i]) && (!log_scale || values[i] > 0))
            v[m++] = values[i];
    qsort(v, (size_t)m, sizeof(*v), cmp_double);
    return m;
}

static void compute(const double *values, int n, bool log_scale, jm_stat *out) {
    reset(out, log_scale);
    if (!values || n <= 0)
        return;
    double *v = malloc((size_t)n * sizeof(*v));
    if (!v)
        return;
    int m = sorted_usable(values, n, log_scale, v);
    out->n = m;
    if (m == 0) {
        free(v);
        return;
    }
    out->min = v[0];
    out->max = v[m - 1];
    if (m % 2)
        out->median = v[m / 2];
    else if (log_scale)
        out->median = exp(0.5 * (log(v[m / 2 - 1]) + log(v[m / 2])));
    else
        out->median = 0.5 * (v[m / 2 - 1] + v[m / 2]);
    double sum = 0.0;
    for (int i = 0; i < m; i++)
        sum += v[i];
    out->mean = sum / m;
    if (m >= 2) {
        double ss = 0.0;
        for (int i = 0; i < m; i++)
            ss += (v[i] - out->mean) * (v[i] - out->mean);
        out->stddev = sqrt(ss / (m - 1));
        int k = jm__median_ci_rank(m);
        out->ci_method = JM_CI_ORDER_STATISTIC;
        out->ci_low = v[k - 1];
        out->ci_high = v[m - k];
        out->ci_coverage = jm__median_ci_coverage(m, k);
    }
    free(v);
}

void jm_stat_compute(const double *values, int n, jm_stat *out) {
    compute(values, n, false, out);
}

void jm_stat_compute_ratio(const double *ratios, int n, jm_stat *out) {
    compute(ratios, n, true, out);
}
