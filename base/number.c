/* number.c - checked number reading: decimal grammar, finiteness, range,
 * integer-ness, exact 64-bit integers from their digits, and checked casts. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

#define NUMBER_TEXT_MAX 512

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the decimal-number prefix of text[0..len) (0 if none);
 * *integer says whether it has neither fraction nor exponent. */
static size_t decimal_span(const char *text, size_t len, bool *integer)
{
    size_t i = 0, digits = 0;
    *integer = true;
    if (i < len && (text[i] == '+' || text[i] == '-'))
        i++;
    while (i < len && is_digit(text[i]))
        i++, digits++;
    if (i < len && text[i] == '.') {
        *integer = false;
        i++;
        while (i < len && is_digit(text[i]))
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1, exp_digits = 0;
        if (j < len && (text[j] == '+' || text[j] == '-'))
            j++;
        while (j < len && is_digit(text[j]))
            j++, exp_digits++;
        if (exp_digits == 0)
            return 0;
        *integer = false;
        i = j;
    }
    return i;
}

static int fail(char *err, size_t err_len, const char *text, size_t len, const char *what)
{
    char q[64];
    jm_quote_value(text, len, q, sizeof q);
    snprintf(err, err_len, "%s %s", q, what);
    return -1;
}

static int fail_range_f64(char *err, size_t err_len, double v, double min, double max)
{
    snprintf(err, err_len, "%.17g is outside the accepted range [%.17g, %.17g]", v, min, max);
    return -1;
}

int jm_parse_f64_n(const char *text, size_t len, double min, double max, double *out, char *err,
                   size_t err_len)
{
    bool integer;
    if (!text)
        return fail(err, err_len, "", 0, "is not a number (expected a decimal number)");
    if (decimal_span(text, len, &integer) != len || len == 0)
        return fail(err, err_len, text, len, "is not a decimal number");
    if (len >= NUMBER_TEXT_MAX)
        return fail(err, err_len, text, len, "is too long for a number");
    char buf[NUMBER_TEXT_MAX];
    memcpy(buf, text, len);
    buf[len] = '\0';
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + len)
        return fail(err, err_len, text, len, "is not a decimal number");
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return fail(err, err_len, text, len, "is too large (not a finite double)");
    if (!(v >= min && v <= max))
        return fail_range_f64(err, err_len, v, min, max);
    *out = v;
    return 0;
}

int jm_parse_f64(const char *text, double min, double max, double *out, char *err,
                 size_t err_len)
{
    return jm_parse_f64_n(text, text ? strlen(text) : 0, min, max, out, err, err_len);
}

/* Magnitude of the digits of an integer text, exactly; *neg for a '-' sign. */
static int integer_text(const char *text, size_t len, bool *neg, uint64_t *mag, char *err,
                        size_t err_len)
{
    bool integer;
    size_t span = text ? decimal_span(text, len, &integer) : 0;
    if (!text || len == 0 || span != len)
        return fail(err, err_len, text ? text : "", text ? len : 0, "is not an integer");
    if (!integer)
        return fail(err, err_len, text, len, "is not an integer (no fraction or exponent)");
    size_t i = 0;
    *neg = text[0] == '-';
    if (text[0] == '+' || text[0] == '-')
        i++;
    uint64_t m = 0;
    for (; i < len; i++) {
        uint64_t d = (uint64_t)(text[i] - '0');
        if (m > (UINT64_MAX - d) / 10)
            return fail(err, err_len, text, len, "is too large for a 64-bit integer");
        m = m * 10 + d;
    }
    *mag = m;
    return 0;
}

int jm_parse_u64_n(const char *text, size_t len, uint64_t max, uint64_t *out, char *err,
                   size_t err_len)
{
    bool neg;
    uint64_t m;
    if (integer_text(text, len, &neg, &m, err, err_len) != 0)
        return -1;
    if (neg && m != 0)
        return fail(err, err_len, text, len, "is negative (expected an unsigned integer)");
    if (m > max) {
        char q[64];
        jm_quote_value(text, len, q, sizeof q);
        snprintf(err, err_len, "%s is above the maximum %llu", q, (unsigned long long)max);
        return -1;
    }
    *out = m;
    return 0;
}

int jm_parse_u64(const char *text, uint64_t max, uint64_t *out, char *err, size_t err_len)
{
    return jm_parse_u64_n(text, text ? strlen(text) : 0, max, out, err, err_len);
}

int jm_parse_i64_n(const char *text, size_t len, int64_t min, int64_t max, int64_t *out,
                   char *err, size_t err_len)
{
    bool neg;
    uint64_t m;
    if (integer_text(text, len, &neg, &m, err, err_len) != 0)
        return -1;
    int64_t v;
    if (!neg && m <= (uint64_t)INT64_MAX)
        v = (int64_t)m;
    else if (neg && m <= (uint64_t)INT64_MAX)
        v = -(int64_t)m;
    else if (neg && m == (uint64_t)INT64_MAX + 1)
        v = INT64_MIN;
    else
        return fail(err, err_len, text, len, "is outside the 64-bit signed integer range");
    if (v < min || v > max) {
        char q[64];
        jm_quote_value(text, len, q, sizeof q);
        snprintf(err, err_len, "%s is outside the accepted range [%lld, %lld]", q,
                 (long long)min, (long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

int jm_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out, char *err,
                 size_t err_len)
{
    return jm_parse_i64_n(text, text ? strlen(text) : 0, min, max, out, err, err_len);
}

int jm_check_f64(double v, double min, double max, char *err, size_t err_len)
{
    if (!isfinite(v)) {
        snprintf(err, err_len, "%g is not a finite number", v);
        return -1;
    }
    if (!(v >= min && v <= max))
        return fail_range_f64(err, err_len, v, min, max);
    return 0;
}

int jm_f64_to_u64(double v, uint64_t max, uint64_t *out, char *err, size_t err_len)
{
    if (!isfinite(v) || v != floor(v)) {
        snprintf(err, err_len, "%.17g is not an integer", v);
        return -1;
    }
    if (v < 0) {
        snprintf(err, err_len, "%.17g is negative (expected an unsigned integer)", v);
        return -1;
    }
    /* 18446744073709551616.0 == 2^64 is the first double above UINT64_MAX */
    if (v >= 18446744073709551616.0 || (uint64_t)v > max) {
        snprintf(err, err_len, "%.17g is outside the accepted range [0, %llu]", v,
                 (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int jm_f64_to_i64(double v, int64_t min, int64_t max, int64_t *out, char *err, size_t err_len)
{
    if (!isfinite(v) || v != floor(v)) {
        snprintf(err, err_len, "%.17g is not an integer", v);
        return -1;
    }
    /* [-2^63, 2^63) is exactly the int64 range among doubles */
    if (v < -9223372036854775808.0 || v >= 9223372036854775808.0 || (int64_t)v < min ||
        (int64_t)v > max) {
        snprintf(err, err_len, "%.17g is outside the accepted range [%lld, %lld]", v,
                 (long long)min, (long long)max);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

bool jm_add_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool jm_sub_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool jm_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}
