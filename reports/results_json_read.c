/* results_json_read.c - results.json (and its trace.csv) back into the model,
 * for `joulemark report`, `compare` and `carbon --from`. Errors name the file,
 * the JSON path of the field, what was found and what was expected. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "reports_internal.h"

typedef struct rd {
    char *err;
    size_t err_len;
    int rc;
} rd;

static void fail(rd *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(rd *c, const char *path, const char *fmt, ...) {
    if (c->rc)
        return; /* keep the first error */
    c->rc = JM_R_EPARSE;
    char msg[JM_R_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->err_len, "field %s: %s", path, msg);
}

/* snprintf for JSON paths (a truncated path in a message is acceptable). */
static void pathf(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

static const char *type_name(const cJSON *j) {
    if (!j)
        return "nothing (missing)";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsArray(j))
        return "an array";
    return "an object";
}

static const cJSON *item(rd *c, const cJSON *o, const char *base, const char *key, bool required,
                         char *path, size_t path_len) {
    pathf(path, path_len, "%s%s%s", base, base[0] ? "." : "", key);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j && required)
        fail(c, path, "missing, expected it to be present");
    return j;
}

/* number (null -> NaN); missing optional -> dflt */
static double num(rd *c, const cJSON *o, const char *base, const char *key, bool required,
                  double dflt) {
    char path[256];
    const cJSON *j = item(c, o, base, key, required, path, sizeof(path));
    if (!j)
        return dflt;
    if (cJSON_IsNull(j))
        return NAN;
    if (!cJSON_IsNumber(j)) {
        fail(c, path, "found %s, expected a number", type_name(j));
        return dflt;
    }
    return j->valuedouble;
}

/* A non-negative integer up to max, exact from its digits (no double cast:
 * 1e300 or 2^32+2 into a narrower field is refused, not wrapped). */
static uint64_t count(rd *c, const cJSON *o, const char *base, const char *key, bool required,
                      uint64_t max) {
    char path[256];
    const cJSON *j = item(c, o, base, key, required, path, sizeof(path));
    if (!j)
        return 0;
    uint64_t v;
    char why[256];
    if (jm_json_u64(j, max, &v, why, sizeof(why)) != 0) {
        fail(c, path, "%s (expected a non-negative integer)", why);
        return 0;
    }
    return v;
}

static bool boolean(rd *c, const cJSON *o, const char *base, const char *key, bool required,
                    bool dflt) {
    char path[256];
    const cJSON *j = item(c, o, base, key, required, path, sizeof(path));
    if (!j)
        return dflt;
    if (!cJSON_IsBool(j)) {
        fail(c, path, "found %s, expected true or false", type_name(j));
        return dflt;
    }
    return cJSON_IsTrue(j);
}

static void str(rd *c, const cJSON *o, const char *base, const char *key, bool required, char *out,
                size_t out_len) {
    char path[256];
    const cJSON *j = item(c, o, base, key, required, path, sizeof(path));
    if (!j)
        return;
    if (!cJSON_IsString(j)) {
        fail(c, path, "found %s, expected a string", type_name(j));
        return;
    }
    if (strlen(j->valuestring) >= out_len) {
        fail(c, path, "string of %zu bytes is longer than the limit of %zu", strlen(j->valuestring),
             out_len - 1);
        return;
    }
    snprintf(out, out_len, "%s", j->valuestring);
}

static bool kind_estimated(rd *c, const cJSON *o, const char *base, const char *key) {
    char s[16] = "measured";
    str(c, o, base, key, false, s, sizeof(s));
    if (strcmp(s, "estimated") == 0)
        return true;
    if (strcmp(s, "measured") != 0) {
        char path[256];
        pathf(path, sizeof(path), "%s.%s", base, key);
        fail(c, path, "found '%s', expected \"measured\" or \"estimated\"", s);
    }
    return false;
}

static const cJSON *array(rd *c, const cJSON *o, const char *base, const char *key, bool required) {
    char path[256];
    const cJSON *j = item(c, o, base, key, required, path, sizeof(path));
    if (j && !cJSON_IsArray(j)) {
        fail(c, path, "found %s, expected an array", type_name(j));
        return NULL;
    }
    return j;
}

static bool is_object(rd *c, const cJSON *j, const char *path) {
    if (!cJSON_IsObject(j)) {
        fail(c, path, "found %s, expected an object", type_name(j));
        return false;
    }
    return true;
}

/* ci_method and scale of a statistic, and the interval's consistency with
 * them: an order-statistic interval has a coverage in (0, 1] and holds its
 * median; on a log scale every bound is positive. */
static void read_ci_method(rd *c, const cJSON *j, const char *path, jm_stat *s) {
    char method[32] = "", scale[16] = "";
    str(c, j, path, "ci_method", true, method, sizeof(method));
    str(c, j, path, "scale", true, scale, sizeof(scale));
    if (c->rc)
        return;
    char p[300];
    pathf(p, sizeof(p), "%s.ci_method", path);
    if (strcmp(method, jm_ci_method_name(JM_CI_ORDER_STATISTIC)) == 0)
        s->ci_method = JM_CI_ORDER_STATISTIC;
    else if (strcmp(method, jm_ci_method_name(JM_CI_NONE)) == 0)
        s->ci_method = JM_CI_NONE;
    else
        fail(c, p, "found '%s', expected \"order-statistic\" or \"none\"", method);
    pathf(p, sizeof(p), "%s.scale", path);
    if (strcmp(scale, "log") == 0)
        s->log_scale = true;
    else if (strcmp(scale, "linear") != 0)
        fail(c, p, "found '%s', expected \"linear\" or \"log\"", scale);
    if (c->rc || s->ci_method != JM_CI_ORDER_STATISTIC)
        return;
    if (!(s->ci_coverage > 0 && s->ci_coverage <= 1)) {
        pathf(p, sizeof(p), "%s.ci_coverage", path);
        fail(c, p, "found %g, expected a coverage in (0, 1]", s->ci_coverage);
    } else if (!(s->ci_low <= s->median && s->median <= s->ci_high)) {
        fail(c, path, "interval [%g, %g] does not hold its median %g", s->ci_low, s->ci_high,
             s->median);
    } else if (s->log_scale && !(s->ci_low > 0)) {
        pathf(p, sizeof(p), "%s.ci_low", path);
        fail(c, p, "found %g, expected a positive bound (scale \"log\")", s->ci_low);
    }
}

static void read_stat(rd *c, const cJSON *o, const char *base, const char *key, jm_stat *s) {
    char path[256];
    const cJSON *j = item(c, o, base, key, false, path, sizeof(path));
    jm_stat_compute(NULL, 0, s);
    if (!j)
        return;
    if (!is_object(c, j, path))
        return;
    s->n = (int)count(c, j, path, "n", true, INT_MAX);
    s->median = num(c, j, path, "median", true, NAN);
    s->mean = num(c, j, path, "mean", false, NAN);
    s->min = num(c, j, path, "min", false, NAN);
    s->max = num(c, j, path, "max", false, NAN);
    s->stddev = num(c, j, path, "stddev", false, NAN);
    s->ci_low = num(c, j, path, "ci_low", true, NAN);
    s->ci_high = num(c, j, path, "ci_high", true, NAN);
    s->ci_coverage = num(c, j, path, "ci_coverage", true, NAN);
    read_ci_method(c, j, path, s);
}

static void read_meter(rd *c, const cJSON *j, const char *p, jm_meter_result *m) {
    str(c, j, p, "name", true, m->name, sizeof(m->name));
    str(c, j, p, "spec", false, m->spec, sizeof(m->spec));
    m->estimated = kind_estimated(c, j, p, "kind");
    m->primary = boolean(c, j, p, "primary", false, false);
    m->available = boolean(c, j, p, "available", true, false);
    str(c, j, p, "reason", false, m->reason, sizeof(m->reason));
    str(c, j, p, "source", false, m->source, sizeof(m->source));
    str(c, j, p, "model", false, m->model, sizeof(m->model));
    const cJSON *doms = array(c, j, p, "domains", false);
    int i = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, doms) {
        char dp[256];
        pathf(dp, sizeof(dp), "%s.domains[%d]", p, i);
        if (i >= JM_R_MAX_DOMAINS) {
            fail(c, dp, "more than %d domains", JM_R_MAX_DOMAINS);
            break;
        }
        if (!is_object(c, d, dp))
            break;
        str(c, d, dp, "name", true, m->domains[i], sizeof(m->domains[i]));
        str(c, d, dp, "type", false, m->domain_type[i], sizeof(m->domain_type[i]));
        m->domain_summed[i] = boolean(c, d, dp, "summed", false, false);
        str(c, d, dp, "why", false, m->domain_why[i], sizeof(m->domain_why[i]));
        m->idle_power_w[i] = num(c, d, dp, "idle_power_w", false, NAN);
        i++;
    }
    m->n_domains = i;
    m->resolution_j = num(c, j, p, "resolution_j", false, NAN);
    m->update_period_ms = (unsigned)count(c, j, p, "update_period_ms", false, UINT_MAX);
    m->interval_ms = (unsigned)count(c, j, p, "interval_ms", false, UINT_MAX);
    m->failed = boolean(c, j, p, "failed", false, false);
    str(c, j, p, "failure", false, m->failure, sizeof(m->failure));
}

static void read_run(rd *c, const cJSON *j, const char *p, jm_run_result *run) {
    run->index = (int)count(c, j, p, "index", false, INT_MAX);
    str(c, j, p, "phase", false, run->phase, sizeof(run->phase));
    run->round = (int)count(c, j, p, "round", false, INT_MAX);
    run->t0_ns = count(c, j, p, "t0_ns", false, UINT64_MAX);
    run->t1_ns = count(c, j, p, "t1_ns", false, UINT64_MAX);
    run->duration_s = num(c, j, p, "duration_s", true, NAN);
    run->tokens = count(c, j, p, "tokens", true, UINT64_MAX);
    run->samples = count(c, j, p, "samples", false, UINT64_MAX);
    run->queries = count(c, j, p, "queries", false, UINT64_MAX);
    run->assignments = count(c, j, p, "assignments", true, UINT64_MAX);
    run->dropped_assignments = count(c, j, p, "dropped_assignments", true, UINT64_MAX);
    run->tokens_processed = num(c, j, p, "tokens_processed", true, NAN);
    run->flops = num(c, j, p, "flops", true, NAN);
    if (!c->rc && run->dropped_assignments > run->assignments) {
        char dp[300];
        pathf(dp, sizeof(dp), "%s.dropped_assignments", p);
        fail(c, dp, "found %llu, more than the %llu assignments routed",
             (unsigned long long)run->dropped_assignments, (unsigned long long)run->assignments);
    }
    run->energy_j = num(c, j, p, "energy_j", true, NAN);
    run->energy_above_idle_j = num(c, j, p, "energy_above_idle_j", true, NAN);
    run->avg_power_w = num(c, j, p, "avg_power_w", true, NAN);
    run->tokens_per_s = num(c, j, p, "tokens_per_s", true, NAN);
    run->tokens_per_j = num(c, j, p, "tokens_per_j", true, NAN);
    run->mj_per_token = num(c, j, p, "mj_per_token", true, NAN);
    run->tokens_per_j_above_idle = num(c, j, p, "tokens_per_j_above_idle", false, NAN);
    run->mj_per_token_above_idle = num(c, j, p, "mj_per_token_above_idle", false, NAN);
    str(c, j, p, "energy_source", true, run->energy_source, sizeof(run->energy_source));
    run->estimated = kind_estimated(c, j, p, "energy_kind");
    const cJSON *doms = array(c, j, p, "domains", false);
    int i = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, doms) {
        char dp[256];
        pathf(dp, sizeof(dp), "%s.domains[%d]", p, i);
        if (i >= JM_R_MAX_DOMAINS) {
            fail(c, dp, "more than %d domains", JM_R_MAX_DOMAINS);
            break;
        }
        if (!is_object(c, d, dp))
            break;
        jm_domain_energy *e = &run->domains[i++];
        str(c, d, dp, "meter", true, e->meter, sizeof(e->meter));
        str(c, d, dp, "domain", true, e->domain, sizeof(e->domain));
        e->estimated = kind_estimated(c, d, dp, "kind");
        e->energy_j = num(c, d, dp, "energy_j", true, NAN);
        e->idle_power_w = num(c, d, dp, "idle_power_w", false, NAN);
        e->energy_above_idle_j = num(c, d, dp, "energy_above_idle_j", false, NAN);
        e->n_samples = (size_t)count(c, d, dp, "n_samples", false, SIZE_MAX);
        e->max_gap_ms = num(c, d, dp, "max_gap_ms", false, NAN);
    }
    run->n_domains = i;
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(j, "counters");
    if (hc && !cJSON_IsNull(hc)) {
        char hp[256];
        pathf(hp, sizeof(hp), "%s.counters", p);
        if (is_object(c, hc, hp)) {
            run->counters = true;
            run->cycles = num(c, hc, hp, "cycles", false, NAN);
            run->instructions = num(c, hc, hp, "instructions", false, NAN);
            run->fp_ops = num(c, hc, hp, "fp_ops", false, NAN);
            run->instructions_per_j = num(c, hc, hp, "instructions_per_j", false, NAN);
            run->counter_gflops = num(c, hc, hp, "gflops", false, NAN);
        }
    }
    run->latency_p50_ns = num(c, j, p, "latency_p50_ns", false, NAN);
    run->latency_p90_ns = num(c, j, p, "latency_p90_ns", false, NAN);
    run->latency_p99_ns = num(c, j, p, "latency_p99_ns", false, NAN);
    run->valid = boolean(c, j, p, "valid", true, false);
    const cJSON *reasons = array(c, j, p, "invalid_reasons", true);
    int k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, reasons) {
        char sp[256];
        pathf(sp, sizeof(sp), "%s.invalid_reasons[%d]", p, k);
        if (!cJSON_IsString(s)) {
            fail(c, sp, "found %s, expected a string", type_name(s));
            break;
        }
        if (k < 8)
            snprintf(run->invalid_reasons[k++], JM_R_TEXT_MAX, "%s", s->valuestring);
    }
    run->n_invalid_reasons = k;
}

static void read_workload(rd *c, const cJSON *j, const char *p, jm_workload_result *w) {
    str(c, j, p, "name", true, w->name, sizeof(w->name));
    str(c, j, p, "kind", false, w->kind, sizeof(w->kind));
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(j, "shape");
    if (shape && !cJSON_IsNull(shape))
        w->shape = cJSON_Duplicate(shape, true);
    w->params = count(c, j, p, "params", true, UINT64_MAX);
    w->active_params = count(c, j, p, "active_params", true, UINT64_MAX);
    w->flops_per_token = num(c, j, p, "flops_per_token", true, NAN);
    w->bytes_per_token = num(c, j, p, "bytes_per_token", false, NAN);
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(j, "accuracy");
    if (acc) {
        char ap[256];
        pathf(ap, sizeof(ap), "%s.accuracy", p);
        if (is_object(c, acc, ap)) {
            w->accuracy_rel_err = num(c, acc, ap, "rel_err", false, NAN);
            w->accuracy_tolerance = num(c, acc, ap, "tolerance", false, NAN);
            w->accuracy_ok = boolean(c, acc, ap, "ok", false, false);
        }
    }
    str(c, j, p, "scenario", false, w->scenario, sizeof(w->scenario));
    const double peak = num(c, j, p, "fma_peak_gflops", false, NAN);
    w->fma_peak_gflops = peak > 0 ? peak : 0.0;
    const cJSON *runs = array(c, j, p, "runs", true);
    int i = 0;
    const cJSON *rj;
    cJSON_ArrayForEach(rj, runs) {
        char rp[256];
        pathf(rp, sizeof(rp), "%s.runs[%d]", p, i++);
        if (c->rc || !is_object(c, rj, rp))
            break;
        jm_run_result *run = jm_workload_result_add_run(w);
        if (!run) {
            c->rc = JM_R_ENOMEM;
            snprintf(c->err, c->err_len, "field %s: out of memory", rp);
            return;
        }
        read_run(c, rj, rp, run);
    }
    char sp[256];
    const cJSON *sj = item(c, j, p, "summary", true, sp, sizeof(sp));
    if (sj && is_object(c, sj, sp)) {
        jm_run_summary *s = &w->summary;
        s->valid_runs = (int)count(c, sj, sp, "valid_runs", true, INT_MAX);
        read_stat(c, sj, sp, "duration_s", &s->duration_s);
        read_stat(c, sj, sp, "energy_j", &s->energy_j);
        read_stat(c, sj, sp, "energy_above_idle_j", &s->energy_above_idle_j);
        read_stat(c, sj, sp, "avg_power_w", &s->avg_power_w);
        read_stat(c, sj, sp, "tokens_per_s", &s->tokens_per_s);
        read_stat(c, sj, sp, "tokens_per_j", &s->tokens_per_j);
        read_stat(c, sj, sp, "mj_per_token", &s->mj_per_token);
        read_stat(c, sj, sp, "mj_per_token_above_idle", &s->mj_per_token_above_idle);
        s->gflops = num(c, sj, sp, "gflops", false, NAN);
        s->peak_share = num(c, sj, sp, "peak_share", false, NAN);
    }
}

static void read_comparison(rd *c, const cJSON *j, const char *p, jm_comparison *cmp) {
    str(c, j, p, "baseline", true, cmp->baseline, sizeof(cmp->baseline));
    str(c, j, p, "candidate", true, cmp->candidate, sizeof(cmp->candidate));
    cmp->params_ratio = num(c, j, p, "params_ratio", true, NAN);
    cmp->active_params_ratio = num(c, j, p, "active_params_ratio", false, NAN);
    cmp->flops_ratio = num(c, j, p, "flops_ratio", true, NAN);
    char rp[256];
    if (!item(c, j, p, "energy_per_token_ratio", true, rp, sizeof(rp)))
        return;
    read_stat(c, j, p, "energy_per_token_ratio", &cmp->energy_per_token_ratio);
    read_stat(c, j, p, "energy_per_token_ratio_above_idle",
              &cmp->energy_per_token_ratio_above_idle);
    str(c, j, p, "energy_source", true, cmp->energy_source, sizeof(cmp->energy_source));
    cmp->estimated = boolean(c, j, p, "estimated", false, false);
    str(c, j, p, "pairing", false, cmp->pairing, sizeof(cmp->pairing));
    cmp->gflops_ratio = num(c, j, p, "gflops_ratio", false, NAN);
    cmp->efficiency_differs = boolean(c, j, p, "kernel_efficiency_differs", false, false);
}

static void read_trace(rd *c, const cJSON *j, jm_trace *t) {
    const char *p = "trace";
    if (!is_object(c, j, p))
        return;
    t->t_origin_ns = count(c, j, p, "t_origin_ns", true, UINT64_MAX);
    const cJSON *cols = array(c, j, p, "columns", true);
    int i = 0;
    const cJSON *cj;
    cJSON_ArrayForEach(cj, cols) {
        char cp[256];
        pathf(cp, sizeof(cp), "trace.columns[%d]", i++);
        if (!is_object(c, cj, cp))
            return;
        char meter[JM_R_NAME_MAX] = "", domain[JM_R_NAME_MAX] = "";
        str(c, cj, cp, "meter", true, meter, sizeof(meter));
        str(c, cj, cp, "domain", true, domain, sizeof(domain));
        bool est = kind_estimated(c, cj, cp, "kind");
        if (c->rc)
            return;
        if (!jm_trace_add_column(t, meter, domain, est)) {
            c->rc = JM_R_ENOMEM;
            snprintf(c->err, c->err_len, "field %s: out of memory", cp);
            return;
        }
    }
    const cJSON *marks = array(c, j, p, "marks", true);
    i = 0;
    const cJSON *mj;
    cJSON_ArrayForEach(mj, marks) {
        char mp[256];
        pathf(mp, sizeof(mp), "trace.marks[%d]", i++);
        if (!is_object(c, mj, mp))
            return;
        uint64_t t_ns = count(c, mj, mp, "t_ns", true, UINT64_MAX);
        char label[64] = "";
        str(c, mj, mp, "label", true, label, sizeof(label));
        if (c->rc)
            return;
        if (!jm_trace_add_mark(t, t_ns, label)) {
            c->rc = JM_R_ENOMEM;
            snprintf(c->err, c->err_len, "field %s: out of memory", mp);
            return;
        }
    }
}

/* Only this joulemark's schema version is read. Version 1 files are refused
 * rather than half-read: their summaries hold intervals whose method and
 * coverage were not recorded (a t-interval of the mean under the name of a 95%
 * interval of the median for n <= 5), their ratios were paired by position and
 * their MoE counts mixed tokens with assignments (docs/results.md, "Changes
 * in schema version 2"); the runs alone cannot rebuild what version 2 states. */
static void check_schema_version(rd *c, double v, const jm_results *r) {
    if (v == JM_RESULTS_SCHEMA_VERSION)
        return;
    const char *by = r->git_describe[0] ? r->git_describe : r->joulemark_version;
    if (v == floor(v) && v >= 1 && v < JM_RESULTS_SCHEMA_VERSION)
        fail(c, "schema_version",
             "found %g (written by joulemark %s), expected %d: this joulemark does not read "
             "version %g files (their intervals, ratio pairing and MoE counts have other "
             "meanings); run the benchmark again, or read the file with joulemark %s",
             v, by, JM_RESULTS_SCHEMA_VERSION, v, by);
    else
        fail(c, "schema_version",
             "found %g (written by joulemark %s), expected %d (the version this joulemark "
             "reads)",
             v, by, JM_RESULTS_SCHEMA_VERSION);
}

int jm_results_from_json(const cJSON *json, jm_results *r, char *err, size_t err_len) {
    rd c = {err, err_len, 0};
    jm_results_init(r);
    if (!cJSON_IsObject(json)) {
        fail(&c, "(top level)", "found %s, expected an object", type_name(json));
        return c.rc;
    }
    const char *p = "";
    double v = num(&c, json, p, "schema_version", true, NAN);
    str(&c, json, p, "joulemark_version", true, r->joulemark_version, sizeof(r->joulemark_version));
    str(&c, json, p, "git_describe", false, r->git_describe, sizeof(r->git_describe));
    if (!c.rc)
        check_schema_version(&c, v, r);
    r->schema_version = c.rc ? 0 : (int)v;
    str(&c, json, p, "started_utc", false, r->started_utc, sizeof(r->started_utc));
    str(&c, json, p, "finished_utc", false, r->finished_utc, sizeof(r->finished_utc));
    str(&c, json, p, "config_path", false, r->config_path, sizeof(r->config_path));
    str(&c, json, p, "run_rules", false, r->run_rules, sizeof(r->run_rules));
    r->quick = boolean(&c, json, p, "quick", false, false);
    r->complete = boolean(&c, json, p, "complete", false, true);
    str(&c, json, p, "incomplete_reason", false, r->incomplete_reason,
        sizeof(r->incomplete_reason));
    r->estimated = boolean(&c, json, p, "estimated", false, false);
    const cJSON *sys = cJSON_GetObjectItemCaseSensitive(json, "system");
    if (sys && !cJSON_IsNull(sys))
        r->system = cJSON_Duplicate(sys, true);
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(json, "config");
    if (cfg && !cJSON_IsNull(cfg))
        r->config = cJSON_Duplicate(cfg, true);
    r->idle_duration_s = num(&c, json, p, "idle_duration_s", false, NAN);
    const cJSON *idle_reason = cJSON_GetObjectItemCaseSensitive(json, "idle_reason");
    if (idle_reason && !cJSON_IsNull(idle_reason))
        str(&c, json, p, "idle_reason", false, r->idle_reason, sizeof(r->idle_reason));
    r->sampler_cpu_ns = count(&c, json, p, "sampler_cpu_ns", false, UINT64_MAX);
    r->sampler_overhead_pct = num(&c, json, p, "sampler_overhead_pct", false, NAN);
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(json, "fma_peak");
    if (pk && !cJSON_IsNull(pk) && is_object(&c, pk, "fma_peak")) {
        str(&c, pk, "fma_peak", "kernel", true, r->fma_peak_kernel, sizeof(r->fma_peak_kernel));
        r->fma_peak_threads = (int)count(&c, pk, "fma_peak", "threads", true, 4096);
        const double g = num(&c, pk, "fma_peak", "gflops", true, NAN);
        r->fma_peak_gflops = g > 0 ? g : 0.0;
        r->fma_peak_gflops_1 = num(&c, pk, "fma_peak", "gflops_1_thread", false, NAN);
    }
    const cJSON *hcs = cJSON_GetObjectItemCaseSensitive(json, "hardware_counters");
    if (hcs && is_object(&c, hcs, "hardware_counters")) {
        r->counters_available = boolean(&c, hcs, "hardware_counters", "available", false, false);
        str(&c, hcs, "hardware_counters", "reason", false, r->counters_reason,
            sizeof(r->counters_reason));
    }

    const cJSON *meters = array(&c, json, p, "meters", true);
    int i = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, meters) {
        char mp[64];
        pathf(mp, sizeof(mp), "meters[%d]", i++);
        if (c.rc || !is_object(&c, j, mp))
            break;
        jm_meter_result *m = jm_results_add_meter(r);
        if (!m) {
            c.rc = JM_R_ENOMEM;
            snprintf(err, err_len, "field %s: out of memory", mp);
            break;
        }
        read_meter(&c, j, mp, m);
    }
    const cJSON *wls = array(&c, json, p, "workloads", true);
    i = 0;
    cJSON_ArrayForEach(j, wls) {
        char wp[64];
        pathf(wp, sizeof(wp), "workloads[%d]", i++);
        if (c.rc || !is_object(&c, j, wp))
            break;
        jm_workload_result *w = jm_results_add_workload(r);
        if (!w) {
            c.rc = JM_R_ENOMEM;
            snprintf(err, err_len, "field %s: out of memory", wp);
            break;
        }
        read_workload(&c, j, wp, w);
    }
    const cJSON *cmps = array(&c, json, p, "comparisons", true);
    i = 0;
    cJSON_ArrayForEach(j, cmps) {
        char cp[64];
        pathf(cp, sizeof(cp), "comparisons[%d]", i++);
        if (c.rc || !is_object(&c, j, cp))
            break;
        jm_comparison *cmp = jm__results_add_comparison(r);
        if (!cmp) {
            c.rc = JM_R_ENOMEM;
            snprintf(err, err_len, "field %s: out of memory", cp);
            break;
        }
        read_comparison(&c, j, cp, cmp);
    }
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(json, "trace");
    if (!c.rc && tr)
        read_trace(&c, tr, &r->trace);
    if (c.rc)
        jm_results_free(r);
    return c.rc;
}


int jm_results_load(const char *results_dir_or_file, jm_results *r, char *err, size_t err_len) {
    jm_results_init(r);
    char json_path[4096], dir[4096];
    struct stat st;
    if (stat(results_dir_or_file, &st) != 0) {
        snprintf(err, err_len, "%s: %s", results_dir_or_file, strerror(errno));
        return JM_R_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(dir, sizeof(dir), "%s", results_dir_or_file);
        snprintf(json_path, sizeof(json_path), "%s/results.json", results_dir_or_file);
    } else {
        snprintf(json_path, sizeof(json_path), "%s", results_dir_or_file);
        snprintf(dir, sizeof(dir), "%s", results_dir_or_file);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
    }
    size_t len = 0;
    char *text = jm__read_file(json_path, &len, err, err_len);
    if (!text)
        return JM_R_EIO;
    cJSON *json = NULL;
    char why[JM_R_TEXT_MAX];
    if (jm_json_parse(text, len, &json, why, sizeof(why)) != 0) {
        snprintf(err, err_len, "%s: malformed JSON: %s", json_path, why);
        free(text);
        return JM_R_EPARSE;
    }
    free(text);
    char inner[JM_R_TEXT_MAX];
    int rc = jm_results_from_json(json, r, inner, sizeof(inner));
    cJSON_Delete(json);
    if (rc) {
        snprintf(err, err_len, "%s: %s", json_path, inner);
        return rc;
    }
    if (r->trace.n_columns > 0) {
        char trace_path[4200];
        snprintf(trace_path, sizeof(trace_path), "%s/trace.csv", dir);
        if (access(trace_path, F_OK) == 0) {
            rc = jm__read_trace_csv(trace_path, r, err, err_len);
            if (rc) {
                jm_results_free(r);
                return rc;
            }
        }
    }
    return JM_R_OK;
}
