/* scenario_early_stop.c - LoadGen's early stopping rule, written from its
 * definition: with h queries under and t over the latency target, the run
 * may stop when P(at most t overlatency queries in h + t | the true
 * percentile is p - d) < 1 - c (binomial test, c = 0.99, d = 0). The CDF is
 * summed in log space from the largest term down, so large counts (400k
 * queries) stay exact to double precision. */
#include <math.h>

#include "harness.h"

/* P(X <= t) for X ~ Binomial(n = h + t, q = 1 - p + d): the chance of t or
 * fewer overlatency queries. */
double jm_early_stopping_odds(int64_t h, int64_t t, double p, double d)
{
    double q = 1.0 - (p - d); /* probability that one query is over latency */
    int64_t n = h + t;
    if (h <= 0)
        return 1.0;
    if (t < 0)
        return 0.0;
    double lq = log(q), lp = log1p(-q);
    /* log pmf(k) = lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + k lq + (n-k) lp */
    double ln1 = lgamma((double)n + 1.0);
    int64_t mode = (int64_t)floor((double)(n + 1) * q);
    int64_t top = t < mode ? t : mode; /* the largest term of the partial sum */
    double log_top = ln1 - lgamma((double)top + 1.0) - lgamma((double)(n - top) + 1.0) +
                     (double)top * lq + (double)(n - top) * lp;
    /* sum pmf(k)/pmf(top) for k = 0..t: upward from top to t, downward to 0 */
    double sum = 1.0, term = 1.0;
    for (int64_t k = top; k < t; k++) { /* pmf(k+1)/pmf(k) = (n-k)/(k+1) * q/p */
        term *= (double)(n - k) / (double)(k + 1) * (q / (1.0 - q));
        sum += term;
    }
    term = 1.0;
    for (int64_t k = top; k > 0; k--) { /* pmf(k-1)/pmf(k) = k/(n-k+1) * p/q */
        term *= (double)k / (double)(n - k + 1) * ((1.0 - q) / q);
        sum += term;
        if (term < sum * 1e-18)
            break;
    }
    double v = exp(log_top + log(sum));
    return v > 1.0 ? 1.0 : v;
}

int64_t jm_early_stopping_min_passing(int64_t t, double p, double d, double c)
{
    /* odds falls as h grows: find an h that passes by doubling, then bisect */
    int64_t lo = 0, hi = 1;
    while (jm_early_stopping_odds(hi, t, p, d) >= 1.0 - c) {
        lo = hi;
        hi *= 2;
        if (hi > ((int64_t)1 << 50))
            return hi;
    }
    while (hi - lo > 1) { /* odds(lo) fails (or lo = 0), odds(hi) passes */
        int64_t mid = lo + (hi - lo) / 2;
        if (jm_early_stopping_odds(mid, t, p, d) < 1.0 - c)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

bool jm_early_stopping_estimate(int64_t n, double p, int64_t *t, int64_t *min_queries)
{
    const double c = 0.99, d = 0.0;
    int64_t h1 = jm_early_stopping_min_passing(1, p, d, c);
    *min_queries = h1 + 1;
    *t = 1;
    if (n < h1 + 1)
        return false;
    /* largest t with min_passing(t) + t <= n; the sum grows with t */
    int64_t lo = 1, hi = n; /* lo passes; find the first that fails */
    if (jm_early_stopping_min_passing(hi, p, d, c) + hi <= n) {
        *t = hi;
        return true;
    }
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (jm_early_stopping_min_passing(mid, p, d, c) + mid <= n)
            lo = mid;
        else
            hi = mid;
    }
    *t = lo;
    return true;
}
