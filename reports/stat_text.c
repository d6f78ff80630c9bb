/* stat_text.c - how an interval of a median is written for people: its
 * coverage (truncated, so 96.875% shows as 96.87%, never rounded up to a
 * coverage it does not have), its method and its bounds. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

const char *jm__fmt_coverage(char *buf, size_t len, double coverage) {
    if (!isfinite(coverage)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    /* +1e-9: 0.9375 * 10000 must not become 9374.999... */
    double hundredths = floor(coverage * 10000.0 + 1e-9);
    snprintf(buf, len, "%.2f", hundredths / 100.0);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf);
        while (end > dot && (end[-1] == '0' || end[-1] == '.')) {
            bool was_dot = end[-1] == '.';
            *--end = '\0';
            if (was_dot)
                break;
        }
    }
    return buf;
}

const char *jm__fmt_ci(char *buf, size_t len, const jm_stat *s, const char *num_fmt,
                       const char *unit) {
    if (s->ci_method == JM_CI_NONE || !isfinite(s->ci_low) || !isfinite(s->ci_high)) {
        snprintf(buf, len, "no CI (n = %d)", s->n);
        return buf;
    }
    char cov[16], lo[32], hi[32];
    jm__fmt_coverage(cov, sizeof(cov), s->ci_coverage);
    snprintf(buf, len, "%s%% %s CI %s-%s%s", cov, jm_ci_method_name(s->ci_method),
             jm__fmt(lo, sizeof(lo), num_fmt, s->ci_low),
             jm__fmt(hi, sizeof(hi), num_fmt, s->ci_high), unit);
    return buf;
}
