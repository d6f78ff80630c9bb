/* mlperf_power_file.c - joulemark's own power file, written next to the
 * LoadGen logs when no real power analyzer (PTDaemon) is used:
 * joulemark_power.csv = comment lines naming the meter and whether it is
 * measured or ESTIMATED, the header "unix_ns,energy_j", then one line per
 * sampler point with the cumulative energy in joules. The energy over the
 * power window is recomputed from it by linear interpolation. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports_internal.h"

int jm_mlperf_write_power_samples(const char *path, const char *source, bool estimated,
                                  const jm_mlperf_power_sample *s, size_t n, char *err,
                                  size_t err_len)
{
    if (n < 2) {
        snprintf(err, err_len, "%s: %zu power samples, expected at least 2", path, n);
        return JM_R_EINVAL;
    }
    jm__buf b;
    jm__buf_init(&b);
    jm__buf_puts(&b, "# joulemark power samples v1: cumulative energy of one meter\n");
    jm__buf_printf(&b, "# source: %s\n", source && *source ? source : "unknown");
    jm__buf_printf(&b, "# kind: %s\n", estimated ? "ESTIMATED" : "measured");
    jm__buf_puts(&b, "unix_ns,energy_j\n");
    for (size_t i = 0; i < n; i++)
        jm__buf_printf(&b, "%lld,%.9f\n", (long long)s[i].unix_ns, s[i].energy_j);
    int rc = jm__buf_write(&b, path, err, err_len);
    jm__buf_free(&b);
    return rc;
}

static double at(const jm_mlperf_power_sample *s, size_t n, int64_t t)
{
    if (t <= s[0].unix_ns)
        return s[0].energy_j;
    if (t >= s[n - 1].unix_ns)
        return s[n - 1].energy_j;
    size_t lo = 0, hi = n - 1; /* s[lo].t <= t < s[hi].t */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s[mid].unix_ns <= t)
            lo = mid;
        else
            hi = mid;
    }
    /* differences in double: the int64 difference of extreme times overflows */
    double span = (double)s[hi].unix_ns - (double)s[lo].unix_ns;
    double f = span > 0 ? ((double)t - (double)s[lo].unix_ns) / span : 0;
    return s[lo].energy_j + f * (s[hi].energy_j - s[lo].energy_j);
}

int jm_mlperf_power_file_energy(const char *path, int64_t begin_unix_ns, int64_t end_unix_ns,
                                double *energy_j, size_t *n_samples, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return JM_R_EIO;
    }
    size_t n = 0, cap = 0, line_no = 0;
    jm_mlperf_power_sample *s = NULL;
    char line[256];
    bool header = false;
    int rc = JM_R_OK;
    while (fgets(line, sizeof(line), f)) {
        line_no++;
        if (line[0] == '#')
            continue;
        if (!header) {
            if (strncmp(line, "unix_ns,energy_j", 16) != 0) {
                snprintf(err, err_len, "%s:%zu: expected the header \"unix_ns,energy_j\"", path,
                         line_no);
                rc = JM_R_EPARSE;
                break;
            }
            header = true;
            continue;
        }
        line[strcspn(line, "\r\n")] = '\0';
        char *comma = strchr(line, ',');
        int64_t t;
        double e;
        char why[256];
        if (!comma) {
            snprintf(err, err_len, "%s:%zu: expected \"<unix_ns>,<energy_j>\"", path, line_no);
            rc = JM_R_EPARSE;
            break;
        }
        if (jm_parse_i64_n(line, (size_t)(comma - line), INT64_MIN, INT64_MAX, &t, why,
                           sizeof(why)) != 0 ||
            jm_parse_f64(comma + 1, 0, HUGE_VAL, &e, why, sizeof(why)) != 0) {
            snprintf(err, err_len, "%s:%zu: %s (expected \"<unix_ns>,<energy_j>\" with an "
                                   "integer time and a finite energy >= 0)",
                     path, line_no, why);
            rc = JM_R_EPARSE;
            break;
        }
        if (n > 0 && (t < s[n - 1].unix_ns || e < s[n - 1].energy_j)) {
            snprintf(err, err_len, "%s:%zu: time or energy goes backwards", path, line_no);
            rc = JM_R_EPARSE;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            jm_mlperf_power_sample *ns = realloc(s, cap * sizeof(*ns));
            if (!ns) {
                snprintf(err, err_len, "%s: out of memory", path);
                rc = JM_R_ENOMEM;
                break;
            }
            s = ns;
        }
        s[n].unix_ns = t;
        s[n].energy_j = e;
        n++;
    }
    fclose(f);
    if (rc == JM_R_OK && n < 2) {
        snprintf(err, err_len, "%s: %zu samples, expected at least 2", path, n);
        rc = JM_R_EINVAL;
    }
    /* power_begin/power_end carry milliseconds only: a window edge up to 1 ms
     * outside the samples is the log's rounding, not a gap */
    const int64_t log_resolution_ns = 1000000;
    int64_t first_ok = INT64_MIN, last_ok = INT64_MAX; /* saturated at the int64 edges */
    if (rc == JM_R_OK) {
        (void)jm_sub_i64(s[0].unix_ns, log_resolution_ns, &first_ok);
        (void)jm_add_i64(s[n - 1].unix_ns, log_resolution_ns, &last_ok);
    }
    if (rc == JM_R_OK && (begin_unix_ns < first_ok || end_unix_ns > last_ok)) {
        snprintf(err, err_len, "%s: the samples do not cover the power window", path);
        rc = JM_R_EINVAL;
    }
    if (rc == JM_R_OK) {
        *energy_j = at(s, n, end_unix_ns) - at(s, n, begin_unix_ns);
        if (n_samples)
            *n_samples = n;
    }
    free(s);
    return rc;
}
