/* buf.c - the growable text buffer and small formatting helpers of reports/. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports_internal.h"

void jm__buf_init(jm__buf *b) {
    memset(b, 0, sizeof(*b));
}

void jm__buf_free(jm__buf *b) {
    free(b->data);
    memset(b, 0, sizeof(*b));
}

static bool reserve(jm__buf *b, size_t extra) {
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

static void put_n(jm__buf *b, const char *s, size_t n) {
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void jm__buf_puts(jm__buf *b, const char *s) {
    put_n(b, s, strlen(s));
}

void jm__buf_printf(jm__buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) {
        if (n < 0)
            b->failed = true;
        va_end(ap2);
        return;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void jm__buf_xml(jm__buf *b, const char *s) {
    char *escaped = jm_html_escape(s); /* also replaces invalid UTF-8 */
    if (!escaped) {
        b->failed = true;
        return;
    }
    jm__buf_puts(b, escaped);
    free(escaped);
}

void jm__buf_csv(jm__buf *b, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        jm__buf_puts(b, s);
        return;
    }
    put_n(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            put_n(b, "\"", 1);
        put_n(b, s, 1);
    }
    put_n(b, "\"", 1);
}

int jm__buf_write(const jm__buf *b, const char *path, char *err, size_t err_len) {
    if (b->failed) {
        snprintf(err, err_len, "%s: out of memory while formatting the file", path);
        return JM_R_ENOMEM;
    }
    return jm_write_file_atomic(path, b->data ? b->data : "", b->len, err, err_len);
}

cJSON *jm__json_num(double v) {
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

cJSON *jm__stat_to_json(const jm_stat *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "n", s->n);
    cJSON_AddItemToObject(o, "median", jm__json_num(s->median));
    cJSON_AddItemToObject(o, "mean", jm__json_num(s->mean));
    cJSON_AddItemToObject(o, "min", jm__json_num(s->min));
    cJSON_AddItemToObject(o, "max", jm__json_num(s->max));
    cJSON_AddItemToObject(o, "stddev", jm__json_num(s->stddev));
    cJSON_AddStringToObject(o, "ci_method", jm_ci_method_name(s->ci_method));
    cJSON_AddStringToObject(o, "scale", s->log_scale ? "log" : "linear");
    cJSON_AddItemToObject(o, "ci_coverage", jm__json_num(s->ci_coverage));
    cJSON_AddItemToObject(o, "ci_low", jm__json_num(s->ci_low));
    cJSON_AddItemToObject(o, "ci_high", jm__json_num(s->ci_high));
    return o;
}

const char *jm__fmt(char *buf, size_t len, const char *fmt, double v) {
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, fmt, v);
    return buf;
}

void jm__mark_phase(const char *label, char *phase, size_t len) {
    size_t n = strcspn(label, " \t:");
    if (n >= len)
        n = len - 1;
    memcpy(phase, label, n);
    phase[n] = '\0';
}

const char *jm__trace_label_at(const jm_trace *t, uint64_t t_ns) {
    const char *label = "";
    for (size_t i = 0; i < t->n_marks; i++) {
        if (t->marks[i].t_ns <= t_ns)
            label = t->marks[i].label;
        else
            break;
    }
    return label;
}

char *jm__json_print(const cJSON *j, bool formatted) {
    char *raw = formatted ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
    if (!raw || jm_utf8_valid(raw))
        return raw;
    char *clean = jm_utf8_sanitize(raw);
    free(raw);
    return clean;
}
