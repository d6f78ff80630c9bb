/* time_stamp.c - the one reader of PTDaemon/LoadGen UTC time stamps
 * ("%m-%d-%Y %H:%M:%S.%f") into int64 nanoseconds since 1970, with exact
 * field widths, real calendar dates and no arithmetic that can overflow. */
#include <stdio.h>
#include <string.h>

#include "base.h"

/* Reads exactly `width` digits at *p; false if any is not a digit. */
static bool fixed_digits(const char **p, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += width;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil); |result| < 2^22 for 4-digit years. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int refuse(const char *text, char *err, size_t err_len, const char *why)
{
    char q[64];
    jm_quote_value(text, strnlen(text, 40), q, sizeof q);
    snprintf(err, err_len, "time stamp %s %s", q, why);
    return -1;
}

int jm_time_stamp_parse(const char *text, const char **end, int64_t *unix_ns, char *err,
                        size_t err_len)
{
    static const char *const layout = "is not MM-DD-YYYY HH:MM:SS[.fraction] (UTC)";
    if (!text)
        return refuse("", err, err_len, layout);
    const char *p = text;
    int mo, d, y, h, mi, s;
    if (!fixed_digits(&p, 2, &mo) || !expect(&p, '-') || !fixed_digits(&p, 2, &d) ||
        !expect(&p, '-') || !fixed_digits(&p, 4, &y) || !expect(&p, ' ') ||
        !fixed_digits(&p, 2, &h) || !expect(&p, ':') || !fixed_digits(&p, 2, &mi) ||
        !expect(&p, ':') || !fixed_digits(&p, 2, &s))
        return refuse(text, err, err_len, layout);
    int64_t frac_ns = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        int64_t scale = 100000000;
        while (*p >= '0' && *p <= '9') {
            if (++digits > 9)
                return refuse(text, err, err_len, "has more than 9 fraction digits");
            frac_ns += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
        if (digits == 0)
            return refuse(text, err, err_len, "has no digits after the '.'");
    }
    if (!end && *p != '\0')
        return refuse(text, err, err_len, "has text after the time");
    if (mo < 1 || mo > 12)
        return refuse(text, err, err_len, "has no month 01-12 (format MM-DD-YYYY)");
    if (d < 1 || d > days_in_month(y, mo))
        return refuse(text, err, err_len, "names a day that does not exist");
    if (h > 23 || mi > 59 || s > 59)
        return refuse(text, err, err_len, "has no time of day 00:00:00-23:59:59");
    if (y < JM_TIME_STAMP_YEAR_MIN || y > JM_TIME_STAMP_YEAR_MAX) {
        char why[128];
        snprintf(why, sizeof why,
                 "has year %d, outside %d-%d (nanoseconds since 1970 must fit in 64 bits)", y,
                 JM_TIME_STAMP_YEAR_MIN, JM_TIME_STAMP_YEAR_MAX);
        return refuse(text, err, err_len, why);
    }
    /* |secs| < 9.3e9 for these years, so secs * 1e9 + frac stays inside int64 */
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    *unix_ns = secs * 1000000000 + frac_ns;
    if (end)
        *end = p;
    return 0;
}
