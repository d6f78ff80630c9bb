/* meter_util.c - helpers shared by the meter files: small sysfs reads, numeric
 * option parsing with messages that name the option, counter wrap arithmetic. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meters_internal.h"

int jm__read_text(const char *path, char *buf, size_t len)
{
    if (len == 0)
        return -EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do {
        n = read(fd, buf, len - 1);
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0)
        return -saved;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

int jm__read_u64(const char *path, uint64_t *out)
{
    char buf[64];
    int rc = jm__read_text(path, buf, sizeof buf);
    if (rc != 0)
        return rc;
    if (buf[0] < '0' || buf[0] > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || *end != '\0')
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}

int jm__opt_double(const jm_meter_spec *spec, const char *key, double def, double lo, double hi,
                   double *out, char *err, size_t err_len)
{
    const char *v = jm_meter_spec_get(spec, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !isfinite(d) || d < lo || d > hi) {
        snprintf(err, err_len, "meter '%s': option %s='%s' is not a number in [%g, %g]",
                 spec->name, key, v, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

int jm__opt_long(const jm_meter_spec *spec, const char *key, long def, long lo, long hi, long *out,
                 char *err, size_t err_len)
{
    const char *v = jm_meter_spec_get(spec, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || l < lo || l > hi) {
        snprintf(err, err_len, "meter '%s': option %s='%s' is not an integer in [%ld, %ld]",
                 spec->name, key, v, lo, hi);
        return -1;
    }
    *out = l;
    return 0;
}

uint64_t jm__counter_delta(uint64_t old_raw, uint64_t new_raw, unsigned width_bits)
{
    if (width_bits >= 64)
        return new_raw - old_raw; /* unsigned arithmetic wraps modulo 2^64 */
    uint64_t mask = (UINT64_C(1) << width_bits) - 1;
    return (new_raw - old_raw) & mask;
}

void jm__sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void jm__appendf(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strnlen(buf, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

void jm__setf(char *buf, size_t len, const char *fmt, ...)
{
    if (len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}
