/* trace_csv.c - trace.csv: every sample of every meter domain, one row per
 * (sample, domain), with the phase in effect. Columns (docs/results.md):
 *   t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label
 * t_s is seconds since the trace origin, t_ns the CLOCK_MONOTONIC time,
 * energy_j the cumulative energy of the domain since its meter was opened,
 * power_w the average power since the meter's previous sample (empty when
 * unknown), phase the first word of the mark label in effect (idle, warmup,
 * ranging, testing...) and label the whole mark. Also reads it back. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports_internal.h"

#define TRACE_HEADER "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label"

int jm__write_trace_csv(const jm_results *r, const char *path, char *err, size_t err_len) {
    const jm_trace *t = &r->trace;
    jm__buf b;
    jm__buf_init(&b);
    jm__buf_puts(&b, TRACE_HEADER "\n");
    for (size_t i = 0; i < t->n_points && !b.failed; i++) {
        const jm_trace_point *p = &t->points[i];
        const char *label = jm__trace_label_at(t, p->t_ns);
        char phase[64];
        jm__mark_phase(label, phase, sizeof(phase));
        double t_s = ((double)p->t_ns - (double)t->t_origin_ns) * 1e-9;
        for (int k = 0; k < p->n && k < JM_R_MAX_DOMAINS; k++) {
            int ci = p->first_column + k;
            if (ci < 0 || ci >= t->n_columns)
                continue;
            const jm_trace_column *c = &t->columns[ci];
            jm__buf_printf(&b, "%.9f,%llu,", t_s, (unsigned long long)p->t_ns);
            jm__buf_csv(&b, c->meter);
            jm__buf_puts(&b, ",");
            jm__buf_csv(&b, c->domain);
            jm__buf_printf(&b, ",%s,", c->estimated ? "estimated" : "measured");
            if (isfinite(p->energy_j[k]))
                jm__buf_printf(&b, "%.12g", p->energy_j[k]);
            jm__buf_puts(&b, ",");
            if (isfinite(p->power_w[k]))
                jm__buf_printf(&b, "%.9g", p->power_w[k]);
            jm__buf_puts(&b, ",");
            jm__buf_csv(&b, phase);
            jm__buf_puts(&b, ",");
            jm__buf_csv(&b, label);
            jm__buf_puts(&b, "\n");
        }
    }
    int rc = jm__buf_write(&b, path, err, err_len);
    jm__buf_free(&b);
    return rc;
}

/* Splits one CSV line (quotes honoured) into at most max fields, in place. */
static int split_csv(char *line, char **fields, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n >= max)
            return -1;
        if (*p == '"') {
            char *out = ++p;
            fields[n++] = out;
            for (;;) {
                if (*p == '\0')
                    return -1; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            *out = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\0')
                return n;
            return -1;
        }
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            return n;
        *comma = '\0';
        p = comma + 1;
    }
}

static int find_column(const jm_trace *t, const char *meter, const char *domain) {
    for (int i = 0; i < t->n_columns; i++)
        if (strcmp(t->columns[i].meter, meter) == 0 && strcmp(t->columns[i].domain, domain) == 0)
            return i;
    return -1;
}

/* A finite decimal number, or NaN for an empty field (unknown); nan, inf
 * and junk are refused (they collapsed the power chart). */
static double parse_num(const char *s, bool *ok) {
    if (!*s)
        return NAN;
    double v;
    char why[128];
    if (jm_parse_f64(s, -HUGE_VAL, HUGE_VAL, &v, why, sizeof(why)) != 0)
        *ok = false;
    return v;
}

int jm__read_trace_csv(const char *path, jm_results *r, char *err, size_t err_len) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return JM_R_EIO;
    }
    jm_trace *t = &r->trace;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = JM_R_OK;
    jm_trace_point *cur = NULL;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            if (strcmp(line, TRACE_HEADER) != 0) {
                snprintf(err, err_len, "%s:1: header is '%.120s', expected '%s'", path, line,
                         TRACE_HEADER);
                rc = JM_R_EPARSE;
                break;
            }
            continue;
        }
        if (len == 0)
            continue;
        char *fld[9];
        if (split_csv(line, fld, 9) != 9) {
            snprintf(err, err_len, "%s:%ld: expected 9 comma-separated fields", path, lineno);
            rc = JM_R_EPARSE;
            break;
        }
        uint64_t t_ns;
        char why[256];
        if (jm_parse_u64(fld[1], UINT64_MAX, &t_ns, why, sizeof(why)) != 0) {
            snprintf(err, err_len, "%s:%ld: field t_ns: %s (expected an unsigned integer)", path,
                     lineno, why);
            rc = JM_R_EPARSE;
            break;
        }
        if (t->n_points > 0 && t_ns < t->points[t->n_points - 1].t_ns) {
            snprintf(err, err_len, "%s:%ld: field t_ns: %llu is earlier than the row before "
                                   "(%llu): the trace must be in time order",
                     path, lineno, (unsigned long long)t_ns,
                     (unsigned long long)t->points[t->n_points - 1].t_ns);
            rc = JM_R_EPARSE;
            break;
        }
        int col = find_column(t, fld[2], fld[3]);
        if (col < 0) {
            snprintf(err, err_len,
                     "%s:%ld: meter '%s' domain '%s' is not among trace.columns of results.json",
                     path, lineno, fld[2], fld[3]);
            rc = JM_R_EPARSE;
            break;
        }
        bool ok = true;
        double e = parse_num(fld[5], &ok), w = parse_num(fld[6], &ok);
        if (!ok) {
            snprintf(err, err_len, "%s:%ld: field energy_j '%s' or power_w '%s' is not a finite "
                                   "number",
                     path, lineno, fld[5], fld[6]);
            rc = JM_R_EPARSE;
            break;
        }
        /* rows of one point: same time, consecutive columns of one meter */
        if (!cur || cur->t_ns != t_ns || col != cur->first_column + cur->n ||
            cur->n >= JM_R_MAX_DOMAINS ||
            strcmp(t->columns[cur->first_column].meter, fld[2]) != 0) {
            cur = jm_trace_add_point(t);
            if (!cur) {
                snprintf(err, err_len, "%s:%ld: out of memory", path, lineno);
                rc = JM_R_ENOMEM;
                break;
            }
            cur->t_ns = t_ns;
            cur->first_column = col;
            cur->meter_index = -1;
            for (int m = 0; m < r->n_meters; m++)
                if (strcmp(r->meters[m].name, fld[2]) == 0)
                    cur->meter_index = m;
        }
        cur->energy_j[cur->n] = e;
        cur->power_w[cur->n] = w;
        cur->n++;
    }
    if (rc == JM_R_OK && lineno == 0) {
        snprintf(err, err_len, "%s: empty file, expected the header '%s'", path, TRACE_HEADER);
        rc = JM_R_EPARSE;
    }
    free(line);
    fclose(f);
    return rc;
}
