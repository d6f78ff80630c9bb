/* stats.c - summary statistics over repeated runs: median, mean, min, max,
 * sample standard deviation and a 95% confidence interval of the median.
 *
 * CI method (docs/results.md): for n >= 6 the distribution-free interval
 * [x_(k), x_(n-k+1)] of the order statistics, with k the largest rank such
 * that P(B <= k-1) <= 0.025 for B ~ Binomial(n, 1/2) (coverage >= 95%; for
 * n = 6 it is [min, max] with 96.9%). For 2 <= n <= 5 no such interval exists
 * and the t-interval of the mean is used: mean +- t(0.975, n-1) s / sqrt(n).
 * For n = 1 the interval and the standard deviation are undefined (NaN). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Two-sided 97.5% quantiles of Student's t for 1..4 degrees of freedom. */
static const double t975[5] = {NAN, 12.706204736, 4.302652730, 3.182446305, 2.776445105};

/* log of C(n, i) * 2^-n */
static double log_binom_half(int n, int i) {
    return lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - n * log(2.0);
}

/* Largest k >= 1 with P(B <= k-1) <= 0.025, B ~ Bin(n, 1/2); 0 when none. */
int jm__median_ci_rank(int n) {
    double cdf = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        cdf += exp(log_binom_half(n, i)); /* cdf = P(B <= i) */
        if (cdf <= 0.025 + 1e-12)
            k = i + 1;
        else
            break;
    }
    return k;
}

void jm_stat_compute(const double *values, int n, jm_stat *out) {
    out->n = 0;
    out->median = out->mean = out->min = out->max = NAN;
    out->stddev = out->ci95_low = out->ci95_high = NAN;
    if (!values || n <= 0)
        return;
    double *v = malloc((size_t)n * sizeof(*v));
    if (!v)
        return;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(values[i]))
            v[m++] = values[i];
    out->n = m;
    if (m == 0) {
        free(v);
        return;
    }
    qsort(v, (size_t)m, sizeof(*v), cmp_double);
    out->min = v[0];
    out->max = v[m - 1];
    out->median = (m % 2) ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    double sum = 0.0;
    for (int i = 0; i < m; i++)
        sum += v[i];
    out->mean = sum / m;
    if (m >= 2) {
        double ss = 0.0;
        for (int i = 0; i < m; i++)
            ss += (v[i] - out->mean) * (v[i] - out->mean);
        out->stddev = sqrt(ss / (m - 1));
    }
    if (m >= 6) {
        int k = jm__median_ci_rank(m);
        out->ci95_low = v[k - 1];
        out->ci95_high = v[m - k];
    } else if (m >= 2) {
        double half = t975[m - 1] * out->stddev / sqrt((double)m);
        out->ci95_low = out->mean - half;
        out->ci95_high = out->mean + half;
    }
    free(v);
}
