/* replay_trace.c - recorded power/energy traces: PTDaemon spl.txt,
 * joulemark's trace.csv (long: t_s,t_ns,meter,domain,kind,energy_j,...; one
 * series per meter:domain from energy_j), a wide CSV (a time column and *_w
 * or *_j columns), or a headerless CSV of timestamp_s,watts. Each domain is its own time series
 * (empty cells skipped). Window queries: MLPerf-style mean power and energy. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base.h"
#include "meters_internal.h"

#define REPLAY_MAX_COLS 64
/* a sample beyond 1 MW is a corrupt line, not a reading (1e18 W was accepted) */
#define REPLAY_MAX_W 1e6

typedef struct series {
    char name[JM_METER_NAME_MAX];
    bool estimated; /* a long-format trace.csv row of this series said kind=estimated */
    uint64_t *t_ns;
    double *v;
    size_t n, cap;
    size_t nonpositive; /* spl.txt samples of <= 0 W (analyzer markers), not pushed */
} series;

struct jm_replay_trace {
    bool power;     /* true: watts; false: cumulative joules */
    int n;
    series s[JM_METER_MAX_DOMAINS];
};

int jm_ptd_time_parse(const char *text, uint64_t *ns)
{
    int64_t t;
    char why[160];
    const char *end;
    if (jm_time_stamp_parse(text, &end, &t, why, sizeof why) != 0 || t < 0)
        return -1; /* meters keep time as unsigned ns since 1970 */
    *ns = (uint64_t)t;
    return 0;
}

static int push(series *s, uint64_t t, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *nt = realloc(s->t_ns, cap * sizeof(*nt));
        if (!nt)
            return -1;
        s->t_ns = nt;
        double *nv = realloc(s->v, cap * sizeof(*nv));
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    if (s->n > 0 && t <= s->t_ns[s->n - 1])
        return 1; /* not increasing in time: caller reports it */
    s->t_ns[s->n] = t;
    s->v[s->n++] = v;
    return 0;
}

void jm_replay_free(jm_replay_trace *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++) {
        free(t->s[i].t_ns);
        free(t->s[i].v);
    }
    free(t);
}

/* Splits line at commas in place; returns the field count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    for (int i = 0; i < n; i++) {
        while (isspace((unsigned char)*f[i]))
            f[i]++;
        size_t l = strlen(f[i]);
        while (l > 0 && isspace((unsigned char)f[i][l - 1]))
            f[i][--l] = '\0';
    }
    return n;
}

static bool number(const char *s, double *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && *end == '\0' && isfinite(*out);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

typedef enum { TIME_S, TIME_NS } time_unit;

/* A time >= 0 in the file's unit as ns, without an out-of-range cast. */
static bool time_to_ns(double tv, time_unit unit, uint64_t *ns)
{
    char why[128];
    double v = unit == TIME_NS ? tv : round(tv * 1e9);
    return jm_f64_to_u64(floor(v), UINT64_MAX, ns, why, sizeof why) == 0;
}

typedef struct long_cols {
    int meter, domain, energy, kind;
} long_cols;

static int find_col(char **fld, int nf, const char *name)
{
    for (int i = 0; i < nf; i++)
        if (strcmp(fld[i], name) == 0)
            return i;
    return -1;
}

/* One row of the long trace.csv: the series "meter:domain" gets (t, energy_j). */
static int long_row(jm_replay_trace *t, char **fld, int nf, const long_cols *lc, int time_col,
                    time_unit unit, const char *path, long lineno, char *err, size_t err_len)
{
    double tv, e;
    if (time_col >= nf || lc->meter >= nf || lc->domain >= nf || lc->energy >= nf ||
        !number(fld[time_col], &tv) || tv < 0) {
        jm__setf(err, err_len, "replay: %s line %ld: expected a time >= 0 and meter, domain, "
                 "energy_j fields", path, lineno);
        return JM_M_EOPTION;
    }
    if (!fld[lc->energy][0])
        return JM_M_OK; /* no energy for this sample */
    if (!number(fld[lc->energy], &e)) {
        jm__setf(err, err_len, "replay: %s line %ld: energy_j '%s' is not a number", path, lineno,
                 fld[lc->energy]);
        return JM_M_EOPTION;
    }
    char key[JM_METER_NAME_MAX];
    jm__setf(key, sizeof key, "%s:%s", fld[lc->meter], fld[lc->domain]);
    int d = 0;
    while (d < t->n && strcmp(t->s[d].name, key) != 0)
        d++;
    if (d == t->n) {
        if (t->n == JM_METER_MAX_DOMAINS) {
            jm__setf(err, err_len, "replay: %s: more than %d meter domains", path,
                     JM_METER_MAX_DOMAINS);
            return JM_M_EOPTION;
        }
        jm__setf(t->s[t->n++].name, JM_METER_NAME_MAX, "%s", key);
    }
    if (lc->kind >= 0 && lc->kind < nf && strcmp(fld[lc->kind], "estimated") == 0)
        t->s[d].estimated = true;
    uint64_t ts;
    if (!time_to_ns(tv, unit, &ts)) {
        jm__setf(err, err_len, "replay: %s line %ld: time is beyond 2^64 ns", path, lineno);
        return JM_M_EOPTION;
    }
    int pr = push(&t->s[d], ts, e);
    if (pr < 0)
        return JM_M_ENOMEM;
    if (pr > 0) {
        jm__setf(err, err_len, "replay: %s line %ld: time of %s does not increase", path, lineno,
                 key);
        return JM_M_EOPTION;
    }
    return JM_M_OK;
}

int jm_replay_load(const char *path, jm_replay_trace **out, char *err, size_t err_len)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "replay: cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? JM_M_UNAVAILABLE : JM_M_EIO;
    }
    jm_replay_trace *t = calloc(1, sizeof(*t));
    if (!t) {
        fclose(f);
        snprintf(err, err_len, "replay: out of memory");
        return JM_M_ENOMEM;
    }
    char line[4096];
    char *fld[REPLAY_MAX_COLS];
    int col_of[JM_METER_MAX_DOMAINS];
    int time_col = 0;
    time_unit unit = TIME_S;
    bool spl = false, have_layout = false, long_fmt = false;
    long_cols lc = {0};
    long lineno = 0;
    int rc = JM_M_OK;
    while (rc == JM_M_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        if (l == 0 || line[0] == '#')
            continue;
        if (!have_layout) {
            have_layout = true;
            if (strncmp(line, "Time,", 5) == 0) {
                spl = true;
                t->power = true;
                t->n = 1;
                snprintf(t->s[0].name, sizeof t->s[0].name, "wall");
            } else {
                char copy[4096];
                snprintf(copy, sizeof copy, "%s", line);
                int nf = split(copy, fld, REPLAY_MAX_COLS);
                double x;
                if (nf >= 2 && number(fld[0], &x)) { /* headerless timestamp,watts */
                    t->power = true;
                    t->n = 1;
                    col_of[0] = 1;
                    snprintf(t->s[0].name, sizeof t->s[0].name, "wall");
                } else if (find_col(fld, nf, "meter") >= 0 && find_col(fld, nf, "domain") >= 0 &&
                           find_col(fld, nf, "energy_j") >= 0 &&
                           (find_col(fld, nf, "t_ns") >= 0 || find_col(fld, nf, "t_s") >= 0)) {
                    /* joulemark's trace.csv: one row per (sample, meter domain) */
                    long_fmt = true;
                    lc.meter = find_col(fld, nf, "meter");
                    lc.domain = find_col(fld, nf, "domain");
                    lc.energy = find_col(fld, nf, "energy_j");
                    lc.kind = find_col(fld, nf, "kind");
                    time_col = find_col(fld, nf, "t_ns");
                    if (time_col < 0)
                        time_col = find_col(fld, nf, "t_s");
                    else
                        unit = TIME_NS;
                    t->power = false;
                    continue;
                } else {
                    time_col = -1;
                    for (int i = 0; i < nf; i++) {
                        if (time_col < 0 && (strcmp(fld[i], "t_ns") == 0)) {
                            time_col = i;
                            unit = TIME_NS;
                        } else if (time_col < 0 &&
                                   (strcmp(fld[i], "t_s") == 0 || strcmp(fld[i], "time_s") == 0 ||
                                    strcmp(fld[i], "timestamp") == 0 ||
                                    strcmp(fld[i], "time") == 0)) {
                            time_col = i;
                        }
                    }
                    /* power columns (*_w, watts) win; else cumulative energy (*_j) */
                    for (int pass = 0; pass < 2 && t->n == 0; pass++) {
                        for (int i = 0; i < nf && t->n < JM_METER_MAX_DOMAINS; i++) {
                            bool w = ends_with(fld[i], "_w") || strcmp(fld[i], "watts") == 0;
                            bool j = ends_with(fld[i], "_j");
                            if (i == time_col || (pass == 0 ? !w : !j))
                                continue;
                            size_t nl = strlen(fld[i]);
                            if (nl > 2 && (ends_with(fld[i], "_w") || j))
                                nl -= 2;
                            if (ends_with(fld[i], "_power_w") || ends_with(fld[i], "_energy_j"))
                                nl = strlen(fld[i]) - (pass == 0 ? 8 : 9);
                            series *s = &t->s[t->n];
                            snprintf(s->name, sizeof s->name, "%.*s", (int)nl, fld[i]);
                            col_of[t->n++] = i;
                        }
                        t->power = pass == 0;
                    }
                    if (time_col < 0 || t->n == 0) {
                        snprintf(err, err_len,
                                 "replay: %s line 1: header '%s' needs a time column (t_s, t_ns, "
                                 "time_s, timestamp or time) and power (*_w, watts) or energy "
                                 "(*_j) columns",
                                 path, line);
                        rc = JM_M_EOPTION;
                    }
                    continue;
                }
            }
        }
        int nf = split(line, fld, REPLAY_MAX_COLS);
        if (spl) {
            /* Time,MM-DD-YYYY HH:MM:SS.mmm,Watts,x,...: the first Watts value is the total */
            if (strcmp(fld[0], "Time") != 0)
                continue;
            int64_t ts;
            double w = 0;
            int wi = -1;
            char why[256];
            for (int i = 2; i + 1 < nf && wi < 0; i++)
                if (strcmp(fld[i], "Watts") == 0)
                    wi = i + 1;
            if (nf < 2 || wi < 0) {
                snprintf(err, err_len,
                         "replay: %s line %ld: expected 'Time,MM-DD-YYYY HH:MM:SS.mmm,Watts,W,...'",
                         path, lineno);
                rc = JM_M_EOPTION;
                break;
            }
            bool parsed = jm_time_stamp_parse(fld[1], NULL, &ts, why, sizeof why) == 0;
            if (!parsed || ts < 0) {
                snprintf(err, err_len, "replay: %s line %ld: %s", path, lineno,
                         parsed ? "time stamp before 1970" : why);
                rc = JM_M_EOPTION;
                break;
            }
            if (jm_parse_f64(fld[wi], -REPLAY_MAX_W, REPLAY_MAX_W, &w, why, sizeof why) != 0) {
                snprintf(err, err_len, "replay: %s line %ld: Watts: %s (expected a power within +-%g W)",
                         path, lineno, why, REPLAY_MAX_W);
                rc = JM_M_EOPTION;
                break;
            }
            if (w <= 0) {
                t->s[0].nonpositive++; /* MLPerf's rule: such samples are dropped, and counted */
                continue;
            }
            int pr = push(&t->s[0], (uint64_t)ts, w);
            if (pr < 0) {
                rc = JM_M_ENOMEM;
            } else if (pr > 0) {
                snprintf(err, err_len, "replay: %s line %ld: time %s does not increase", path, lineno,
                         fld[1]);
                rc = JM_M_EOPTION;
            }
            continue;
        }
        double tv;
        if (long_fmt) {
            rc = long_row(t, fld, nf, &lc, time_col, unit, path, lineno, err, err_len);
            continue;
        }
        if (time_col >= nf || !number(fld[time_col], &tv) || tv < 0) {
            snprintf(err, err_len, "replay: %s line %ld: time field is not a number >= 0", path,
                     lineno);
            rc = JM_M_EOPTION;
            break;
        }
        uint64_t ts;
        if (!time_to_ns(tv, unit, &ts)) {
            snprintf(err, err_len, "replay: %s line %ld: time %s is beyond 2^64 ns", path, lineno,
                     fld[time_col]);
            rc = JM_M_EOPTION;
            break;
        }
        for (int d = 0; d < t->n && rc == JM_M_OK; d++) {
            double v;
            if (col_of[d] >= nf || !fld[col_of[d]][0])
                continue; /* empty cell: this domain has no sample at this time */
            if (!number(fld[col_of[d]], &v)) {
                snprintf(err, err_len, "replay: %s line %ld: column %d value '%s' is not a number",
                         path, lineno, col_of[d] + 1, fld[col_of[d]]);
                rc = JM_M_EOPTION;
                break;
            }
            int pr = push(&t->s[d], ts, v);
            if (pr < 0) {
                rc = JM_M_ENOMEM;
            } else if (pr > 0) {
                snprintf(err, err_len, "replay: %s line %ld: time does not increase", path,
                         lineno);
                rc = JM_M_EOPTION;
            }
        }
    }
    fclose(f);
    if (rc == JM_M_OK) {
        for (int d = 0; d < t->n; d++)
            if (t->s[d].n < 2) {
                snprintf(err, err_len, "replay: %s: domain '%s' has %zu samples, need >= 2",
                         path, t->s[d].name, t->s[d].n);
                rc = JM_M_EOPTION;
                break;
            }
        if (t->n == 0) {
            snprintf(err, err_len, "replay: %s has no samples", path);
            rc = JM_M_EOPTION;
        }
    }
    if (rc == JM_M_ENOMEM)
        snprintf(err, err_len, "replay: out of memory reading %s", path);
    if (rc != JM_M_OK) {
        jm_replay_free(t);
        return rc;
    }
    *out = t;
    return JM_M_OK;
}

int jm_replay_domains(const jm_replay_trace *t)
{
    return t->n;
}

const char *jm_replay_domain_name(const jm_replay_trace *t, int d)
{
    return d >= 0 && d < t->n ? t->s[d].name : NULL;
}

bool jm_replay_is_power(const jm_replay_trace *t)
{
    return t->power;
}

bool jm_replay_is_estimated(const jm_replay_trace *t)
{
    for (int d = 0; d < t->n; d++)
        if (!t->s[d].estimated)
            return false;
    return t->n > 0;
}

bool jm_replay_domain_estimated(const jm_replay_trace *t, int d)
{
    return d >= 0 && d < t->n && t->s[d].estimated;
}

size_t jm_replay_count(const jm_replay_trace *t, int d)
{
    return d >= 0 && d < t->n ? t->s[d].n : 0;
}

const uint64_t *jm_replay_times(const jm_replay_trace *t, int d)
{
    return d >= 0 && d < t->n ? t->s[d].t_ns : NULL;
}

const double *jm_replay_values(const jm_replay_trace *t, int d)
{
    return d >= 0 && d < t->n ? t->s[d].v : NULL;
}

double jm_replay_value_at(const jm_replay_trace *t, int d, uint64_t t_ns)
{
    const series *s = &t->s[d];
    if (t_ns <= s->t_ns[0])
        return s->v[0];
    if (t_ns >= s->t_ns[s->n - 1])
        return s->v[s->n - 1];
    size_t lo = 0, hi = s->n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->t_ns[mid] <= t_ns)
            lo = mid;
        else
            hi = mid;
    }
    double f = (double)(t_ns - s->t_ns[lo]) / (double)(s->t_ns[hi] - s->t_ns[lo]);
    return s->v[lo] + f * (s->v[hi] - s->v[lo]);
}

int jm_replay_mean_power(const jm_replay_trace *t, int d, uint64_t t0_ns, uint64_t t1_ns,
                         double *mean_w, size_t *n_used)
{
    if (d < 0 || d >= t->n || !t->power)
        return JM_M_ESTATE;
    const series *s = &t->s[d];
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->t_ns[i] > t0_ns && s->t_ns[i] < t1_ns && s->v[i] > 0.0) {
            sum += s->v[i];
            n++;
        }
    }
    *n_used = n;
    *mean_w = n ? sum / (double)n : 0.0;
    return n ? JM_M_OK : JM_M_ESTATE;
}

int jm_replay_energy(const jm_replay_trace *t, int d, uint64_t t0_ns, uint64_t t1_ns,
                     double *energy_j)
{
    if (d < 0 || d >= t->n || t1_ns < t0_ns)
        return JM_M_ESTATE;
    const series *s = &t->s[d];
    if (!t->power) {
        *energy_j = jm_replay_value_at(t, d, t1_ns) - jm_replay_value_at(t, d, t0_ns);
        return JM_M_OK;
    }
    /* trapezoid over the samples inside, with the ends interpolated */
    double e = 0.0;
    uint64_t pt = t0_ns;
    double pv = jm_replay_value_at(t, d, t0_ns);
    for (size_t i = 0; i < s->n; i++) {
        if (s->t_ns[i] <= t0_ns || s->t_ns[i] >= t1_ns)
            continue;
        e += 0.5 * (pv + s->v[i]) * (double)(s->t_ns[i] - pt) * 1e-9;
        pt = s->t_ns[i];
        pv = s->v[i];
    }
    e += 0.5 * (pv + jm_replay_value_at(t, d, t1_ns)) * (double)(t1_ns - pt) * 1e-9;
    *energy_j = e;
    return JM_M_OK;
}

size_t jm_replay_nonpositive(const jm_replay_trace *t, int d)
{
    return t && d >= 0 && d < t->n ? t->s[d].nonpositive : 0;
}
