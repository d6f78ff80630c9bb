/* config.c - loading and validating a joulemark config (JSON, schema in
 * docs/config.md) into a jm_config. Every error names the file, the JSON path,
 * the offending value and what was expected; unknown keys suggest the nearest
 * valid key. Nothing is half-applied: on error the config is left freed. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "harness.h"

typedef struct cfg_ctx {
    const char *file;
    char *err;
    size_t err_len;
    bool skip_machine_checks; /* --dry-run: a backend this machine lacks is not an error */
} cfg_ctx;

__attribute__((format(printf, 3, 4))) static int fail(const cfg_ctx *cx, const char *path,
                                                       const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(cx->err, cx->err_len, "%s: %s%s%s", cx->file, path, path[0] ? ": " : "", msg);
    return -1;
}

/* The value as short JSON text for messages. */
static void value_text(const cJSON *v, char *buf, size_t len)
{
    char *t = cJSON_PrintUnformatted(v);
    if (!t) {
        snprintf(buf, len, "?");
        return;
    }
    if (strlen(t) > 60)
        snprintf(buf, len, "%.57s...", t);
    else
        snprintf(buf, len, "%s", t);
    free(t);
}

static void join_path(char *out, size_t len, const char *parent, const char *key)
{
    if (parent[0])
        snprintf(out, len, "%s.%s", parent, key);
    else
        snprintf(out, len, "%s", key);
}

/* "a, b, c" from a NULL-terminated list. */
static void join_names(const char *const *names, char *out, size_t len)
{
    out[0] = '\0';
    for (const char *const *a = names; *a; a++) {
        strncat(out, *a, len - strlen(out) - 1);
        if (a[1])
            strncat(out, ", ", len - strlen(out) - 1);
    }
}

/* Whether a meter of that name is in the config's list ("rapl" matches "rapl:root=..."). */
static bool meters_list_has(const jm_config *cfg, const char *name)
{
    for (int m = 0; m < cfg->n_meters; m++) {
        size_t n = strcspn(cfg->meters[m], ":");
        if (strlen(name) == n && strncmp(cfg->meters[m], name, n) == 0)
            return true;
    }
    return false;
}

static int check_keys(const cfg_ctx *cx, const cJSON *obj, const char *path,
                      const char *const *allowed)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, obj)
    {
        bool ok = strcmp(item->string, "comment") == 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, item->string) == 0;
        if (ok)
            continue;
        char p[256];
        join_path(p, sizeof p, path, item->string);
        const char *near = jm_nearest(item->string, allowed);
        if (near)
            return fail(cx, p, "unknown key; did you mean \"%s\"?", near);
        char list[512];
        join_names(allowed, list, sizeof list);
        return fail(cx, p, "unknown key; expected one of: %s", list);
    }
    return 0;
}

/* Reads an optional number; *out keeps its default when absent. */
static int get_number(const cfg_ctx *cx, const cJSON *obj, const char *path, const char *key,
                      bool integer, double min, double max, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    char p[256], vt[80];
    join_path(p, sizeof p, path, key);
    value_text(v, vt, sizeof vt);
    bool ok = cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= min &&
              v->valuedouble <= max && (!integer || v->valuedouble == floor(v->valuedouble));
    if (!ok)
        return fail(cx, p, "got %s; expected %s from %g to %g", vt,
                    integer ? "an integer" : "a number", min, max);
    *out = v->valuedouble;
    return 0;
}

static int get_int(const cfg_ctx *cx, const cJSON *obj, const char *path, const char *key,
                   int min, int max, int *out)
{
    double d = *out;
    if (get_number(cx, obj, path, key, true, min, max, &d) != 0)
        return -1;
    *out = (int)d;
    return 0;
}

static int get_bool(const cfg_ctx *cx, const cJSON *obj, const char *path, const char *key,
                    bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsBool(v)) {
        char p[256], vt[80];
        join_path(p, sizeof p, path, key);
        value_text(v, vt, sizeof vt);
        return fail(cx, p, "got %s; expected true or false", vt);
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_string(const cfg_ctx *cx, const cJSON *obj, const char *path, const char *key,
                      char *out, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    char p[256], vt[80];
    join_path(p, sizeof p, path, key);
    value_text(v, vt, sizeof vt);
    if (!cJSON_IsString(v))
        return fail(cx, p, "got %s; expected a string", vt);
    if (strlen(v->valuestring) >= len)
        return fail(cx, p, "string of %zu characters; expected at most %zu",
                    strlen(v->valuestring), len - 1);
    snprintf(out, len, "%s", v->valuestring);
    return 0;
}

/* Names become file and folder names: letters, digits, '-', '_', '.'. */
static bool valid_name(const char *s)
{
    if (!s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

static int parse_rules(const cfg_ctx *cx, const cJSON *obj, jm_run_rules *r)
{
    static const char *const keys[] = {"preset",      "idle_s",      "warmup_s", "duration_s",
                                       "repeats",     "min_batches", "threads",  "min_samples",
                                       "verify",      "interval_ms", NULL};
    const char *path = "run_rules";
    if (!cJSON_IsObject(obj))
        return fail(cx, path, "expected an object");
    if (check_keys(cx, obj, path, keys) != 0)
        return -1;
    if (get_string(cx, obj, path, "preset", r->name, sizeof r->name) != 0)
        return -1;
    if (strcmp(r->name, "default") != 0 && strcmp(r->name, "quick") != 0 &&
        strcmp(r->name, "mlperf") != 0)
        return fail(cx, "run_rules.preset", "got \"%s\"; expected \"default\", \"quick\" or \"mlperf\"",
                    r->name);
    int interval = (int)r->interval_ms;
    if (get_number(cx, obj, path, "idle_s", false, 0, 3600, &r->idle_s) ||
        get_number(cx, obj, path, "warmup_s", false, 0, 3600, &r->warmup_s) ||
        get_number(cx, obj, path, "duration_s", false, 0.001, 86400, &r->duration_s) ||
        get_int(cx, obj, path, "repeats", 1, 1000, &r->repeats) ||
        get_int(cx, obj, path, "min_batches", 1, 1000000, &r->min_batches) ||
        get_int(cx, obj, path, "threads", 0, 4096, &r->threads) ||
        get_int(cx, obj, path, "min_samples", 1, 1000000, &r->min_samples) ||
        get_bool(cx, obj, path, "verify", &r->verify) ||
        get_int(cx, obj, path, "interval_ms", 0, 60000, &interval))
        return -1;
    r->interval_ms = (unsigned)interval;
    return 0;
}

static const char *const workload_keys[] = {
    "name",  "type",   "d_model",    "n_heads", "d_ff",
    "seq_len", "batch_seqs", "n_experts", "top_k", "capacity_factor",
    "m",     "n",      "k",          "backend", "precision", "seed", NULL};

/* Fills a shape from obj (already merged with "defaults"). */
static int parse_workload(const cfg_ctx *cx, const cJSON *obj, const char *path,
                          jm_workload_config *w)
{
    if (!cJSON_IsObject(obj))
        return fail(cx, path, "expected an object");
    if (check_keys(cx, obj, path, workload_keys) != 0)
        return -1;
    char p[256];
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!name) {
        join_path(p, sizeof p, path, "name");
        return fail(cx, p, "missing; expected a name of letters, digits, '-', '_', '.'");
    }
    if (get_string(cx, obj, path, "name", w->name, sizeof w->name) != 0)
        return -1;
    if (!valid_name(w->name)) {
        join_path(p, sizeof p, path, "name");
        return fail(cx, p, "\"%s\" is not a valid name; expected letters, digits, '-', '_', '.'",
                    w->name);
    }
    char type[16] = "";
    join_path(p, sizeof p, path, "type");
    if (!cJSON_GetObjectItemCaseSensitive(obj, "type"))
        return fail(cx, p, "missing; expected \"gemm\", \"dense\" or \"moe\"");
    if (get_string(cx, obj, path, "type", type, sizeof type) != 0)
        return -1;
    jm_workload_shape *s = &w->shape;
    memset(s, 0, sizeof(*s));
    if (strcmp(type, "gemm") == 0)
        s->kind = JM_WORKLOAD_GEMM;
    else if (strcmp(type, "dense") == 0)
        s->kind = JM_WORKLOAD_DENSE;
    else if (strcmp(type, "moe") == 0)
        s->kind = JM_WORKLOAD_MOE;
    else
        return fail(cx, p, "got \"%s\"; expected \"gemm\", \"dense\" or \"moe\"", type);

    /* keys that do not apply to the type are errors, not silently ignored */
    static const char *const layer_only[] = {"d_model", "n_heads", "d_ff", "seq_len", "batch_seqs", NULL};
    static const char *const moe_only[] = {"n_experts", "top_k", "capacity_factor", NULL};
    static const char *const gemm_only[] = {"m", "n", "k", NULL};
    const char *const *forbidden[3] = {NULL, NULL, NULL};
    if (s->kind == JM_WORKLOAD_GEMM) {
        forbidden[0] = layer_only;
        forbidden[1] = moe_only;
    } else if (s->kind == JM_WORKLOAD_DENSE) {
        forbidden[0] = moe_only;
        forbidden[1] = gemm_only;
    } else {
        forbidden[0] = gemm_only;
    }
    for (int f = 0; f < 3 && forbidden[f]; f++)
        for (const char *const *k = forbidden[f]; *k; k++)
            if (cJSON_GetObjectItemCaseSensitive(obj, *k)) {
                join_path(p, sizeof p, path, *k);
                return fail(cx, p, "does not apply to a workload of type \"%s\"", type);
            }

    /* defaults */
    s->d_model = 512;
    s->n_heads = 8;
    s->d_ff = 2048;
    s->seq_len = 256;
    s->batch_seqs = 16;
    s->n_experts = 8;
    s->top_k = 1;
    s->capacity_factor = 1.25;
    s->m = s->n = s->k = 1024;
    s->threads = 0;
    double seed = 42;
    if (get_int(cx, obj, path, "d_model", 1, 65536, &s->d_model) ||
        get_int(cx, obj, path, "n_heads", 1, 1024, &s->n_heads) ||
        get_int(cx, obj, path, "d_ff", 1, 1 << 24, &s->d_ff) ||
        get_int(cx, obj, path, "seq_len", 1, 1 << 20, &s->seq_len) ||
        get_int(cx, obj, path, "batch_seqs", 1, 1 << 20, &s->batch_seqs) ||
        get_int(cx, obj, path, "n_experts", 1, 4096, &s->n_experts) ||
        get_int(cx, obj, path, "top_k", 1, 4096, &s->top_k) ||
        get_number(cx, obj, path, "capacity_factor", false, 0, 1024, &s->capacity_factor) ||
        get_int(cx, obj, path, "m", 1, 1 << 20, &s->m) ||
        get_int(cx, obj, path, "n", 1, 1 << 20, &s->n) ||
        get_int(cx, obj, path, "k", 1, 1 << 20, &s->k) ||
        get_number(cx, obj, path, "seed", true, 0, 9007199254740991.0, &seed))
        return -1;
    s->seed = (uint64_t)seed;
    if (s->kind == JM_WORKLOAD_GEMM) {
        s->seq_len = 1;
        s->batch_seqs = s->m;
    }
    char backend[16] = "native";
    if (get_string(cx, obj, path, "backend", backend, sizeof backend) != 0)
        return -1;
    join_path(p, sizeof p, path, "backend");
    if (strcmp(backend, "native") == 0)
        s->backend = JM_BACKEND_NATIVE;
    else if (strcmp(backend, "openblas") == 0) {
        if (!cx->skip_machine_checks && !jm_gemm_openblas_available())
            return fail(cx, p, "\"openblas\" is not built into this joulemark (install "
                               "libopenblas-dev and rebuild); expected \"native\"");
        s->backend = JM_BACKEND_OPENBLAS;
    } else if (strcmp(backend, "cuda") == 0 || strcmp(backend, "cublas") == 0) {
        char why[256];
        if (!cx->skip_machine_checks && !jm_cuda_available(why, sizeof why))
            return fail(cx, p, "\"%s\" cannot run here: %s; expected \"native\"", backend, why);
        if (strcmp(backend, "cublas") == 0 && !jm_cublas_built())
            return fail(cx, p, "\"cublas\" is not built into this joulemark (CMake found no "
                               "cuBLAS); expected \"cuda\"");
        s->backend = strcmp(backend, "cuda") == 0 ? JM_BACKEND_CUDA : JM_BACKEND_CUBLAS;
    } else
        return fail(cx, p, "got \"%s\"; expected \"native\", \"openblas\", \"cuda\" or "
                           "\"cublas\"", backend);
    char precision[16] = "fp32";
    if (get_string(cx, obj, path, "precision", precision, sizeof precision) != 0)
        return -1;
    join_path(p, sizeof p, path, "precision");
    if (strcmp(precision, "fp32") == 0)
        s->precision = JM_PRECISION_FP32;
    else if (strcmp(precision, "tf32") == 0)
        s->precision = JM_PRECISION_TF32;
    else
        return fail(cx, p, "got \"%s\"; expected \"fp32\" or \"tf32\" (tf32 with backend "
                           "\"cuda\" or \"cublas\")", precision);

    s->threads = 1; /* the shape check needs a valid count; the runner sets the real one */
    char kerr[512];
    if (jm_workload_shape_check(s, kerr, sizeof kerr) != 0)
        return fail(cx, path, "%s", kerr);
    return 0;
}

/* A copy of `defaults` with `obj`'s keys laid over it. */
static cJSON *merge_defaults(const cJSON *defaults, const cJSON *obj)
{
    cJSON *m = cJSON_Duplicate(obj, 1);
    if (!m || !cJSON_IsObject(defaults) || !cJSON_IsObject(obj))
        return m;
    const cJSON *d;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
    bool gemm = cJSON_IsString(type) && strcmp(type->valuestring, "gemm") == 0;
    bool dense = cJSON_IsString(type) && strcmp(type->valuestring, "dense") == 0;
    cJSON_ArrayForEach(d, defaults)
    {
        if (cJSON_GetObjectItemCaseSensitive(m, d->string))
            continue;
        /* defaults only fill keys that apply to the workload's type */
        bool layer_key = strcmp(d->string, "d_model") == 0 || strcmp(d->string, "n_heads") == 0 ||
                         strcmp(d->string, "d_ff") == 0 || strcmp(d->string, "seq_len") == 0 ||
                         strcmp(d->string, "batch_seqs") == 0;
        bool moe_key = strcmp(d->string, "n_experts") == 0 || strcmp(d->string, "top_k") == 0 ||
                       strcmp(d->string, "capacity_factor") == 0;
        if ((gemm && (layer_key || moe_key)) || (dense && moe_key))
            continue;
        cJSON_AddItemToObject(m, d->string, cJSON_Duplicate(d, 1));
    }
    return m;
}

static int add_meter_spec(const cfg_ctx *cx, jm_config *cfg, const char *spec_text,
                          const char *path)
{
    if (cfg->n_meters >= JM_CFG_MAX_METERS)
        return fail(cx, path, "too many meters; expected at most %d", JM_CFG_MAX_METERS);
    jm_meter_spec spec;
    char merr[512];
    if (jm_meter_spec_parse(spec_text, &spec, merr, sizeof merr) != JM_M_OK)
        return fail(cx, path, "%s", merr);
    const jm_meter_ops *ops = jm_meter_find(spec.name);
    if (!ops) {
        const char *names[64];
        int n = 0;
        for (const jm_meter_ops *const *o = jm_meter_table(); *o && n < 63; o++)
            names[n++] = (*o)->name;
        names[n] = NULL;
        const char *near = jm_nearest(spec.name, names);
        char list[512];
        join_names(names, list, sizeof list);
        if (near)
            return fail(cx, path, "unknown meter \"%s\"; did you mean \"%s\"?", spec.name, near);
        return fail(cx, path, "unknown meter \"%s\"; expected one of: %s", spec.name, list);
    }
    for (int i = 0; i < spec.n_options; i++) {
        bool ok = strcmp(spec.options[i].key, "interval_ms") == 0;
        for (const char *const *k = ops->option_keys; k && *k && !ok; k++)
            ok = strcmp(*k, spec.options[i].key) == 0;
        if (!ok) {
            const char *near = ops->option_keys ? jm_nearest(spec.options[i].key, ops->option_keys)
                                                : NULL;
            if (near)
                return fail(cx, path, "meter \"%s\" has no option \"%s\"; did you mean \"%s\"?",
                            spec.name, spec.options[i].key, near);
            return fail(cx, path, "meter \"%s\" has no option \"%s\"", spec.name,
                        spec.options[i].key);
        }
    }
    snprintf(cfg->meters[cfg->n_meters++], sizeof cfg->meters[0], "%s", spec_text);
    return 0;
}

/* A meter given as {"name": "ptd", "host": "127.0.0.1", "port": 8888} becomes "ptd:host=...,port=...". */
static int meter_object_to_spec(const cfg_ctx *cx, const cJSON *obj, const char *path, char *out,
                                size_t len)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    char p[256];
    join_path(p, sizeof p, path, "name");
    if (!cJSON_IsString(name))
        return fail(cx, p, "missing or not a string; expected a meter name such as \"rapl\"");
    size_t used = (size_t)snprintf(out, len, "%s", name->valuestring);
    const cJSON *item;
    bool first = true;
    cJSON_ArrayForEach(item, obj)
    {
        if (strcmp(item->string, "name") == 0 || strcmp(item->string, "comment") == 0)
            continue;
        char value[300];
        if (cJSON_IsString(item))
            snprintf(value, sizeof value, "%s", item->valuestring);
        else if (cJSON_IsNumber(item))
            snprintf(value, sizeof value, "%.17g", item->valuedouble);
        else if (cJSON_IsBool(item))
            snprintf(value, sizeof value, "%s", cJSON_IsTrue(item) ? "true" : "false");
        else {
            join_path(p, sizeof p, path, item->string);
            return fail(cx, p, "expected a string, number or boolean option value");
        }
        if (strchr(value, ',')) {
            join_path(p, sizeof p, path, item->string);
            return fail(cx, p, "\"%s\" contains ','; option values cannot", value);
        }
        used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s=%s",
                                 first ? ":" : ",", item->string, value);
        first = false;
    }
    if (used >= len)
        return fail(cx, path, "meter options too long (at most %zu characters)", len - 1);
    return 0;
}

static int parse_meters(const cfg_ctx *cx, const cJSON *arr, jm_config *cfg)
{
    if (!cJSON_IsArray(arr))
        return fail(cx, "meters", "expected an array of meter specs such as \"rapl\" or "
                                  "{\"name\": \"ptd\", \"host\": \"127.0.0.1\"}");
    cfg->n_meters = 0;
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, arr)
    {
        char path[64], spec[512];
        snprintf(path, sizeof path, "meters[%d]", i++);
        if (cJSON_IsString(m))
            snprintf(spec, sizeof spec, "%s", m->valuestring);
        else if (cJSON_IsObject(m)) {
            if (meter_object_to_spec(cx, m, path, spec, sizeof spec) != 0)
                return -1;
        } else
            return fail(cx, path, "expected a string or an object");
        if (add_meter_spec(cx, cfg, spec, path) != 0)
            return -1;
    }
    if (cfg->n_meters == 0)
        return fail(cx, "meters", "empty; expected at least one meter (e.g. \"estimate\")");
    return 0;
}

static int find_workload(const jm_config *cfg, const char *name)
{
    for (int i = 0; i < cfg->n_workloads; i++)
        if (strcmp(cfg->workloads[i].name, name) == 0)
            return i;
    return -1;
}

static int parse_comparisons(const cfg_ctx *cx, const cJSON *arr, jm_config *cfg)
{
    if (!cJSON_IsArray(arr))
        return fail(cx, "comparisons", "expected an array of {\"baseline\": ..., \"candidate\": ...}");
    int i = 0;
    const cJSON *c;
    static const char *const keys[] = {"baseline", "candidate", NULL};
    cJSON_ArrayForEach(c, arr)
    {
        char path[64];
        snprintf(path, sizeof path, "comparisons[%d]", i++);
        if (!cJSON_IsObject(c))
            return fail(cx, path, "expected an object with baseline and candidate");
        if (check_keys(cx, c, path, keys) != 0)
            return -1;
        if (cfg->n_comparisons >= JM_CFG_MAX_COMPARISONS)
            return fail(cx, path, "too many comparisons; expected at most %d",
                        JM_CFG_MAX_COMPARISONS);
        jm_comparison_config *cc = &cfg->comparisons[cfg->n_comparisons];
        for (int k = 0; keys[k]; k++) {
            char *dst = k == 0 ? cc->baseline : cc->candidate;
            char p[96];
            join_path(p, sizeof p, path, keys[k]);
            if (!cJSON_GetObjectItemCaseSensitive(c, keys[k]))
                return fail(cx, p, "missing; expected the name of a workload");
            if (get_string(cx, c, path, keys[k], dst, JM_CFG_NAME_MAX) != 0)
                return -1;
            if (find_workload(cfg, dst) < 0) {
                const char *names[JM_CFG_MAX_WORKLOADS + 1];
                for (int w = 0; w < cfg->n_workloads; w++)
                    names[w] = cfg->workloads[w].name;
                names[cfg->n_workloads] = NULL;
                const char *near = jm_nearest(dst, names);
                return fail(cx, p, "\"%s\" is not a workload of this config%s%s%s", dst,
                            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
            }
        }
        if (strcmp(cc->baseline, cc->candidate) == 0)
            return fail(cx, path, "baseline and candidate are both \"%s\"; expected two workloads",
                        cc->baseline);
        cfg->n_comparisons++;
    }
    return 0;
}

/* "sweep": {"batch_seqs": [1, 4, 16]} runs every layer workload (and comparison)
 * once per batch size, named "<name>-b<batch_seqs>". */
static int apply_sweep(const cfg_ctx *cx, const cJSON *sweep, jm_config *cfg)
{
    static const char *const keys[] = {"batch_seqs", NULL};
    if (!cJSON_IsObject(sweep))
        return fail(cx, "sweep", "expected an object such as {\"batch_seqs\": [1, 4, 16]}");
    if (check_keys(cx, sweep, "sweep", keys) != 0)
        return -1;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(sweep, "batch_seqs");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return fail(cx, "sweep.batch_seqs", "expected a non-empty array of integers >= 1");
    int values[64], nv = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, list)
    {
        char p[64];
        snprintf(p, sizeof p, "sweep.batch_seqs[%d]", nv);
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > (1 << 20) ||
            v->valuedouble != floor(v->valuedouble))
            return fail(cx, p, "expected an integer from 1 to 1048576");
        if (nv >= 64)
            return fail(cx, p, "too many values; expected at most 64");
        values[nv++] = (int)v->valuedouble;
    }
    jm_workload_config orig[JM_CFG_MAX_WORKLOADS];
    int n_orig = cfg->n_workloads;
    memcpy(orig, cfg->workloads, sizeof(orig[0]) * (size_t)n_orig);
    jm_comparison_config corig[JM_CFG_MAX_COMPARISONS];
    int nc_orig = cfg->n_comparisons;
    memcpy(corig, cfg->comparisons, sizeof(corig[0]) * (size_t)nc_orig);
    cfg->n_workloads = 0;
    cfg->n_comparisons = 0;
    for (int i = 0; i < n_orig; i++) {
        if (orig[i].shape.kind == JM_WORKLOAD_GEMM) {
            if (cfg->n_workloads >= JM_CFG_MAX_WORKLOADS)
                return fail(cx, "sweep", "expands to more than %d workloads", JM_CFG_MAX_WORKLOADS);
            cfg->workloads[cfg->n_workloads++] = orig[i];
            continue;
        }
        for (int b = 0; b < nv; b++) {
            if (cfg->n_workloads >= JM_CFG_MAX_WORKLOADS)
                return fail(cx, "sweep", "expands to more than %d workloads", JM_CFG_MAX_WORKLOADS);
            jm_workload_config w = orig[i];
            w.shape.batch_seqs = values[b];
            if (strlen(orig[i].name) + 12 >= sizeof w.name)
                return fail(cx, "sweep", "workload name \"%s\" too long to suffix", orig[i].name);
            snprintf(w.name, sizeof w.name, "%.50s-b%d", orig[i].name, values[b]);
            cfg->workloads[cfg->n_workloads++] = w;
        }
    }
    for (int c = 0; c < nc_orig; c++)
        for (int b = 0; b < nv; b++) {
            if (cfg->n_comparisons >= JM_CFG_MAX_COMPARISONS)
                return fail(cx, "sweep", "expands to more than %d comparisons",
                            JM_CFG_MAX_COMPARISONS);
            jm_comparison_config cc;
            snprintf(cc.baseline, sizeof cc.baseline, "%.50s-b%d", corig[c].baseline, values[b]);
            snprintf(cc.candidate, sizeof cc.candidate, "%.50s-b%d", corig[c].candidate, values[b]);
            if (find_workload(cfg, cc.baseline) < 0 || find_workload(cfg, cc.candidate) < 0)
                continue; /* a GEMM workload in a comparison is not swept */
            cfg->comparisons[cfg->n_comparisons++] = cc;
        }
    return 0;
}

/* The mlperf preset without "scenarios": Offline and SingleStream. */
static void mlperf_default_scenarios(jm_config *cfg)
{
    memset(cfg->scenarios, 0, sizeof cfg->scenarios);
    cfg->scenarios[0].kind = JM_SCENARIO_OFFLINE;
    cfg->scenarios[1].kind = JM_SCENARIO_SINGLE_STREAM;
    cfg->n_scenarios = 2;
}

static int add_scenario(const cfg_ctx *cx, jm_config *cfg, const char *path, const char *name,
                        double qps, double latency_ms)
{
    jm_scenario_kind kind;
    char serr[256];
    if (jm_scenario_from_name(name, &kind, serr, sizeof serr) != 0)
        return fail(cx, path, "\"%s\" is not a scenario; expected \"Offline\", \"SingleStream\", "
                              "\"MultiStream\" or \"Server\"",
                    name);
    for (int i = 0; i < cfg->n_scenarios; i++)
        if (cfg->scenarios[i].kind == kind)
            return fail(cx, path, "scenario \"%s\" is listed twice", name);
    if (kind == JM_SCENARIO_SERVER && !(qps > 0))
        return fail(cx, path, "the Server scenario needs target_qps > 0 (queries per second of "
                              "its Poisson arrivals)");
    jm_scenario_config *sc = &cfg->scenarios[cfg->n_scenarios++];
    sc->kind = kind;
    sc->target_qps = qps;
    sc->target_latency_ms = latency_ms;
    return 0;
}

/* "scenarios": ["Offline", {"scenario": "Server", "target_qps": 2, "target_latency_ms": 5000}] */
static int parse_scenarios(const cfg_ctx *cx, const cJSON *arr, jm_config *cfg)
{
    static const char *const keys[] = {"scenario", "target_qps", "target_latency_ms", NULL};
    if (!cJSON_IsArray(arr))
        return fail(cx, "scenarios", "expected an array such as [\"Offline\", \"SingleStream\"]");
    cfg->n_scenarios = 0;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        char path[64];
        snprintf(path, sizeof path, "scenarios[%d]", i++);
        if (i > JM_SCENARIO_COUNT)
            return fail(cx, path, "at most %d scenarios", JM_SCENARIO_COUNT);
        if (cJSON_IsString(e)) {
            if (add_scenario(cx, cfg, path, e->valuestring, 0, 0) != 0)
                return -1;
            continue;
        }
        if (!cJSON_IsObject(e))
            return fail(cx, path, "expected a scenario name or an object with \"scenario\"");
        if (check_keys(cx, e, path, keys) != 0)
            return -1;
        char name[32] = "";
        double qps = 0, latency_ms = 0;
        char p[96];
        snprintf(p, sizeof p, "%s.scenario", path);
        if (!cJSON_GetObjectItemCaseSensitive(e, "scenario"))
            return fail(cx, p, "missing; expected \"Offline\", \"SingleStream\", \"MultiStream\" or "
                               "\"Server\"");
        if (get_string(cx, e, path, "scenario", name, sizeof name) != 0 ||
            get_number(cx, e, path, "target_qps", false, 1e-6, 1e9, &qps) != 0 ||
            get_number(cx, e, path, "target_latency_ms", false, 1e-3, 3.6e6, &latency_ms) != 0)
            return -1;
        if (add_scenario(cx, cfg, path, name, qps, latency_ms) != 0)
            return -1;
    }
    if (cfg->n_scenarios == 0)
        return fail(cx, "scenarios", "empty; expected at least one scenario or no \"scenarios\" key");
    return 0;
}

int jm_config_set_scenarios(jm_config *cfg, char *const *specs, int n, char *err, size_t err_len)
{
    cfg_ctx cx = {"--scenario", err, err_len, false};
    jm_scenario_config saved[JM_SCENARIO_COUNT];
    int n_saved = cfg->n_scenarios;
    memcpy(saved, cfg->scenarios, sizeof saved);
    cfg->n_scenarios = 0;
    for (int i = 0; i < n; i++) {
        /* NAME[:qps=X,latency_ms=Y] */
        char name[32];
        double qps = 0, latency_ms = 0;
        const char *colon = strchr(specs[i], ':');
        size_t len = colon ? (size_t)(colon - specs[i]) : strlen(specs[i]);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), specs[i]);
        int rc = 0;
        for (const char *p = colon ? colon + 1 : NULL; p && *p && rc == 0;) {
            char key[32], *end;
            size_t kl = strcspn(p, "=");
            if (p[kl] != '=' || kl >= sizeof key) {
                rc = fail(&cx, specs[i], "expected KEY=VALUE options (qps=, latency_ms=)");
                break;
            }
            snprintf(key, sizeof key, "%.*s", (int)kl, p);
            double v = strtod(p + kl + 1, &end);
            if (end == p + kl + 1 || (*end && *end != ',') || !(v > 0)) {
                rc = fail(&cx, specs[i], "option %s: expected a positive number", key);
                break;
            }
            if (strcmp(key, "qps") == 0)
                qps = v;
            else if (strcmp(key, "latency_ms") == 0)
                latency_ms = v;
            else {
                rc = fail(&cx, specs[i], "unknown option \"%s\"; expected qps or latency_ms", key);
                break;
            }
            p = *end ? end + 1 : end;
        }
        if (rc == 0)
            rc = add_scenario(&cx, cfg, specs[i], name, qps, latency_ms);
        if (rc != 0) {
            cfg->n_scenarios = n_saved;
            memcpy(cfg->scenarios, saved, sizeof saved);
            return -1;
        }
    }
    return 0;
}

int jm_config_set_preset(jm_config *cfg, const char *name, char *err, size_t err_len)
{
    if (strcmp(name, "default") != 0 && strcmp(name, "quick") != 0 && strcmp(name, "mlperf") != 0) {
        snprintf(err, err_len, "--rules: got \"%s\"; expected \"default\", \"quick\" or \"mlperf\"",
                 name);
        return -1;
    }
    snprintf(cfg->rules.name, sizeof cfg->rules.name, "%s", name);
    if (strcmp(name, "quick") == 0)
        jm_config_apply_quick(cfg);
    if (strcmp(name, "mlperf") == 0 && cfg->n_scenarios == 0)
        mlperf_default_scenarios(cfg);
    return 0;
}

static void rules_defaults(jm_run_rules *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof r->name, "default");
    r->idle_s = 5;
    r->warmup_s = 2;
    r->duration_s = 5;
    r->repeats = 5;
    r->min_batches = 1;
    r->threads = 0;
    r->min_samples = 5;
    r->verify = true;
    r->interval_ms = 0;
}

static int parse_config(const char *text, const char *path, jm_config *cfg, char *err,
                        size_t err_len, bool skip_machine_checks)
{
    cfg_ctx cx = {path && path[0] ? path : "<config>", err, err_len, skip_machine_checks};
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->path, sizeof cfg->path, "%s", path ? path : "");
    rules_defaults(&cfg->rules);

    cJSON *root = NULL;
    char why[400];
    if (jm_json_parse(text, text ? strlen(text) : 0, &root, why, sizeof why) != 0) {
        snprintf(err, err_len, "%s: malformed JSON: %s", cx.file, why);
        return -1;
    }
    cfg->json = root;
    static const char *const top_keys[] = {"name",     "description", "output_dir", "primary_meter",
                                           "run_rules", "meters",     "defaults",   "workloads",
                                           "comparisons", "sweep",    "carbon",     "scenarios",
                                           NULL};
    if (!cJSON_IsObject(root)) {
        fail(&cx, "", "the top level must be a JSON object");
        goto error;
    }
    if (check_keys(&cx, root, "", top_keys) != 0 ||
        get_string(&cx, root, "", "name", cfg->name, sizeof cfg->name) != 0 ||
        get_string(&cx, root, "", "description", cfg->description, sizeof cfg->description) != 0 ||
        get_string(&cx, root, "", "output_dir", cfg->output_dir, sizeof cfg->output_dir) != 0 ||
        get_string(&cx, root, "", "primary_meter", cfg->primary_meter,
                   sizeof cfg->primary_meter) != 0)
        goto error;
    const cJSON *carbon = cJSON_GetObjectItemCaseSensitive(root, "carbon");
    if (carbon) {
        static const char *const carbon_keys[] = {"pue", "region", NULL};
        if (!cJSON_IsObject(carbon)) {
            fail(&cx, "carbon", "expected an object such as {\"pue\": 1.1, \"region\": \"europe-west1\"}");
            goto error;
        }
        if (check_keys(&cx, carbon, "carbon", carbon_keys) != 0 ||
            get_number(&cx, carbon, "carbon", "pue", false, 1.0, 5.0, &cfg->carbon_pue) != 0 ||
            get_string(&cx, carbon, "carbon", "region", cfg->carbon_region,
                       sizeof cfg->carbon_region) != 0)
            goto error;
    }
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "run_rules");
    if (rules && parse_rules(&cx, rules, &cfg->rules) != 0)
        goto error;
    const cJSON *meters = cJSON_GetObjectItemCaseSensitive(root, "meters");
    if (meters) {
        if (parse_meters(&cx, meters, cfg) != 0)
            goto error;
    } else {
        /* default: every hardware meter that may exist, the estimate last */
        static const char *const defaults[] = {"rapl", "perf", "msr", "nvml", "estimate", NULL};
        for (const char *const *d = defaults; *d; d++)
            if (jm_meter_find(*d) && add_meter_spec(&cx, cfg, *d, "meters") != 0)
                goto error;
    }
    const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
    if (defaults) {
        if (!cJSON_IsObject(defaults)) {
            fail(&cx, "defaults", "expected an object of workload keys shared by every workload");
            goto error;
        }
        static const char *const default_keys[] = {"d_model",   "n_heads", "d_ff",  "seq_len",
                                                   "batch_seqs", "n_experts", "top_k",
                                                   "capacity_factor", "backend", "precision", "seed", NULL};
        if (check_keys(&cx, defaults, "defaults", default_keys) != 0)
            goto error;
    }
    const cJSON *workloads = cJSON_GetObjectItemCaseSensitive(root, "workloads");
    if (!workloads) {
        fail(&cx, "workloads", "missing; expected an array of workloads");
        goto error;
    }
    if (!cJSON_IsArray(workloads)) {
        fail(&cx, "workloads", "expected an array of workloads");
        goto error;
    }
    if (cJSON_GetArraySize(workloads) == 0) {
        fail(&cx, "workloads", "empty; expected at least one workload");
        goto error;
    }
    int i = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, workloads)
    {
        char p[64];
        snprintf(p, sizeof p, "workloads[%d]", i++);
        if (cfg->n_workloads >= JM_CFG_MAX_WORKLOADS) {
            fail(&cx, p, "too many workloads; expected at most %d", JM_CFG_MAX_WORKLOADS);
            goto error;
        }
        cJSON *merged = merge_defaults(defaults, w);
        int rc = parse_workload(&cx, merged ? merged : w, p, &cfg->workloads[cfg->n_workloads]);
        cJSON_Delete(merged);
        if (rc != 0)
            goto error;
        int dup = find_workload(cfg, cfg->workloads[cfg->n_workloads].name);
        if (dup >= 0) {
            char np[80];
            snprintf(np, sizeof np, "%s.name", p);
            fail(&cx, np, "\"%s\" is already the name of workloads[%d]; expected unique names",
                 cfg->workloads[cfg->n_workloads].name, dup);
            goto error;
        }
        cfg->n_workloads++;
    }
    const cJSON *scenarios = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    if (scenarios && parse_scenarios(&cx, scenarios, cfg) != 0)
        goto error;
    const cJSON *comparisons = cJSON_GetObjectItemCaseSensitive(root, "comparisons");
    if (comparisons && parse_comparisons(&cx, comparisons, cfg) != 0)
        goto error;
    const cJSON *sweep = cJSON_GetObjectItemCaseSensitive(root, "sweep");
    if (sweep && apply_sweep(&cx, sweep, cfg) != 0)
        goto error;
    if (cfg->primary_meter[0]) {
        if (!meters_list_has(cfg, cfg->primary_meter)) {
            fail(&cx, "primary_meter", "\"%s\" is not in the meters list", cfg->primary_meter);
            goto error;
        }
    }
    if (strcmp(cfg->rules.name, "quick") == 0)
        jm_config_apply_quick(cfg);
    if (strcmp(cfg->rules.name, "mlperf") == 0 && cfg->n_scenarios == 0)
        mlperf_default_scenarios(cfg);
    return 0;
error:
    jm_config_free(cfg);
    return -1;
}

int jm_config_parse(const char *text, const char *path, jm_config *cfg, char *err,
                    size_t err_len)
{
    return parse_config(text, path, cfg, err, err_len, false);
}

static int load_config(const char *path, jm_config *cfg, char *err, size_t err_len,
                       bool skip_machine_checks)
{
    memset(cfg, 0, sizeof(*cfg));
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, err_len, "%s: not a regular file; expected a JSON config", path);
        return -1;
    }
    if (st.st_size > 16 * 1024 * 1024) {
        fclose(f);
        snprintf(err, err_len, "%s: %lld bytes; expected a config of at most 16 MiB", path,
                 (long long)st.st_size);
        return -1;
    }
    char *text = malloc((size_t)st.st_size + 1);
    if (!text) {
        fclose(f);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(text, 1, (size_t)st.st_size, f);
    fclose(f);
    text[n] = '\0';
    if (n == 0) {
        free(text);
        snprintf(err, err_len, "%s: empty file; expected a JSON object", path);
        return -1;
    }
    if (strlen(text) != n) {
        free(text);
        snprintf(err, err_len, "%s: contains a NUL byte; expected JSON text", path);
        return -1;
    }
    int rc = parse_config(text, path, cfg, err, err_len, skip_machine_checks);
    free(text);
    return rc;
}

int jm_config_load(const char *path, jm_config *cfg, char *err, size_t err_len)
{
    return load_config(path, cfg, err, err_len, false);
}

int jm_config_load_for_plan(const char *path, jm_config *cfg, char *err, size_t err_len)
{
    return load_config(path, cfg, err, err_len, true);
}

void jm_config_free(jm_config *cfg)
{
    cJSON_Delete(cfg->json);
    cfg->json = NULL;
}

void jm_config_apply_quick(jm_config *cfg)
{
    jm_run_rules *r = &cfg->rules;
    snprintf(r->name, sizeof r->name, "quick");
    if (r->idle_s > 1)
        r->idle_s = 1;
    r->warmup_s = 0; /* no warm-up: the first run pays for page faults (quick results are marked) */
    if (r->duration_s > 1)
        r->duration_s = 1;
    if (r->repeats > 3)
        r->repeats = 3;
    r->min_batches = 1;
}

int jm_config_set_meters(jm_config *cfg, char *const *specs, int n, char *err, size_t err_len)
{
    cfg_ctx cx = {"--meter", err, err_len, false};
    int saved = cfg->n_meters;
    char backup[JM_CFG_MAX_METERS][512];
    memcpy(backup, cfg->meters, sizeof backup);
    cfg->n_meters = 0;
    for (int i = 0; i < n; i++) {
        if (add_meter_spec(&cx, cfg, specs[i], "") != 0) {
            cfg->n_meters = saved;
            memcpy(cfg->meters, backup, sizeof backup);
            return -1;
        }
    }
    if (cfg->primary_meter[0] && !meters_list_has(cfg, cfg->primary_meter))
        cfg->primary_meter[0] = '\0'; /* the command line chose other meters */
    return 0;
}
