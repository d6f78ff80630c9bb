/* joulemark_api.c - libjoulemark: the stable C API of joulemark.h over the
 * internal layers (kernels' workloads, meters, the scenario engine and the
 * MLPerf log writers). Shapes and settings arrive as JSON text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base.h"
#include "harness.h"
#include "joulemark.h"

struct jm_api_workload {
    jm_workload *w;
    jm_workload_shape shape;
};

struct jm_api_meter {
    jm_meter m;
};

static void set_err(char *err, size_t err_len, const char *fmt, const char *a, const char *b)
{
    if (err && err_len)
        snprintf(err, err_len, fmt, a, b);
}

int jm_api_version(void)
{
    return JM_API_VERSION;
}

const char *jm_api_version_string(void)
{
    return jm_version_string();
}

/* reads an integer / double member; unknown members are rejected by the caller */
static int get_int(const cJSON *o, const char *key, int *out, char *err, size_t err_len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 2147483647.0) {
        set_err(err, err_len, "shape: \"%s\" must be an integer%s", key, "");
        return -1;
    }
    *out = v->valueint;
    return 0;
}

static int parse_shape(const char *text, jm_workload_shape *s, char *err, size_t err_len)
{
    static const char *const keys[] = {"kind",     "d_model",  "n_heads", "d_ff",
                                       "seq_len",  "batch_seqs", "n_experts", "top_k",
                                       "capacity_factor", "m", "n", "k", "threads", "seed",
                                       NULL};
    cJSON *o = NULL;
    char why[320] = "";
    if (text)
        (void)jm_json_parse(text, strlen(text), &o, why, sizeof(why));
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        set_err(err, err_len, "shape: not a JSON object%s%s", why[0] ? ": " : "", why);
        return -1;
    }
    memset(s, 0, sizeof(*s));
    s->threads = 1;
    s->seed = 1;
    const cJSON *item;
    cJSON_ArrayForEach(item, o)
    {
        bool known = false;
        for (const char *const *k = keys; *k; k++)
            known = known || strcmp(*k, item->string) == 0;
        if (!known) {
            set_err(err, err_len, "shape: unknown key \"%s\"%s", item->string, "");
            cJSON_Delete(o);
            return -1;
        }
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "dense") != 0 &&
                                  strcmp(kind->valuestring, "moe") != 0 &&
                                  strcmp(kind->valuestring, "gemm") != 0)) {
        set_err(err, err_len, "shape: \"kind\" must be \"dense\", \"moe\" or \"gemm\"%s%s", "",
                "");
        cJSON_Delete(o);
        return -1;
    }
    s->kind = strcmp(kind->valuestring, "dense") == 0 ? JM_WORKLOAD_DENSE
              : strcmp(kind->valuestring, "moe") == 0 ? JM_WORKLOAD_MOE
                                                      : JM_WORKLOAD_GEMM;
    int rc = get_int(o, "d_model", &s->d_model, err, err_len) ||
             get_int(o, "n_heads", &s->n_heads, err, err_len) ||
             get_int(o, "d_ff", &s->d_ff, err, err_len) ||
             get_int(o, "seq_len", &s->seq_len, err, err_len) ||
             get_int(o, "batch_seqs", &s->batch_seqs, err, err_len) ||
             get_int(o, "n_experts", &s->n_experts, err, err_len) ||
             get_int(o, "top_k", &s->top_k, err, err_len) ||
             get_int(o, "m", &s->m, err, err_len) || get_int(o, "n", &s->n, err, err_len) ||
             get_int(o, "k", &s->k, err, err_len) ||
             get_int(o, "threads", &s->threads, err, err_len);
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(o, "capacity_factor");
    if (cJSON_IsNumber(cf))
        s->capacity_factor = cf->valuedouble;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    if (seed && rc == 0 && jm_json_u64(seed, UINT64_MAX, &s->seed, why, sizeof(why)) != 0) {
        set_err(err, err_len, "shape: \"seed\" %s%s", why, "");
        rc = -1;
    }
    if (s->kind == JM_WORKLOAD_GEMM) {
        s->seq_len = 1;
        s->batch_seqs = s->m;
    }
    cJSON_Delete(o);
    return rc ? -1 : 0;
}

int jm_api_workload_create(const char *shape_json, jm_api_workload **out, char *err,
                           size_t err_len)
{
    char msg[512] = "";
    *out = NULL;
    jm_api_workload *a = calloc(1, sizeof(*a));
    if (!a) {
        set_err(err, err_len, "out of memory%s%s", "", "");
        return -1;
    }
    if (parse_shape(shape_json, &a->shape, err, err_len) != 0) {
        free(a);
        return -1;
    }
    if (jm_workload_shape_check(&a->shape, msg, sizeof(msg)) != 0 ||
        jm_workload_create(&a->shape, &a->w, msg, sizeof(msg)) != 0) {
        set_err(err, err_len, "%s%s", msg, "");
        free(a);
        return -1;
    }
    *out = a;
    return 0;
}

int jm_api_workload_run(jm_api_workload *w, int n_samples, char *err, size_t err_len)
{
    char msg[512] = "";
    int left = n_samples;
    while (left > 0) {
        int n = left < w->shape.batch_seqs ? left : w->shape.batch_seqs;
        jm_run_stats st;
        if (jm_workload_run(w->w, n, &st, msg, sizeof(msg)) != 0) {
            set_err(err, err_len, "%s%s", msg, "");
            return -1;
        }
        left -= n;
    }
    return 0;
}

int jm_api_workload_max_samples(const jm_api_workload *w)
{
    return w->shape.batch_seqs;
}

int jm_api_workload_tokens_per_sample(const jm_api_workload *w)
{
    return w->shape.seq_len;
}

double jm_api_workload_flops_per_token(const jm_api_workload *w)
{
    return jm_workload_flops_per_token(&w->shape);
}

uint64_t jm_api_workload_params(const jm_api_workload *w)
{
    return jm_workload_params(&w->shape);
}

void jm_api_workload_destroy(jm_api_workload *w)
{
    if (!w)
        return;
    jm_workload_destroy(w->w);
    free(w);
}

int jm_api_meter_open(const char *spec, jm_api_meter **out, char *err, size_t err_len)
{
    char msg[512] = "";
    *out = NULL;
    jm_meter_spec ms;
    if (jm_meter_spec_parse(spec ? spec : "", &ms, msg, sizeof(msg)) != 0) {
        set_err(err, err_len, "%s%s", msg, "");
        return -1;
    }
    jm_api_meter *m = calloc(1, sizeof(*m));
    if (!m) {
        set_err(err, err_len, "out of memory%s%s", "", "");
        return -1;
    }
    if (jm_meter_open(&ms, &m->m, msg, sizeof(msg)) != 0 && !m->m.reason[0]) {
        set_err(err, err_len, "%s%s", msg, "");
        free(m);
        return -1;
    }
    if (!m->m.available) {
        set_err(err, err_len, "%s%s", m->m.reason, "");
        free(m);
        return 1;
    }
    *out = m;
    return 0;
}

int jm_api_meter_domains(const jm_api_meter *m)
{
    return m->m.info.n_domains;
}

const char *jm_api_meter_domain_name(const jm_api_meter *m, int i)
{
    return i >= 0 && i < m->m.info.n_domains ? m->m.info.domains[i] : NULL;
}

int jm_api_meter_is_estimated(const jm_api_meter *m)
{
    return m->m.info.kind == JM_METER_ESTIMATED;
}

int jm_api_meter_is_power(const jm_api_meter *m)
{
    return m->m.info.quantity == JM_METER_POWER;
}

int jm_api_meter_read(jm_api_meter *m, uint64_t *t_ns, double *values, int n_values, char *err,
                      size_t err_len)
{
    char msg[512] = "";
    jm_meter_sample s;
    if (jm_meter_read(&m->m, &s, msg, sizeof(msg)) != 0) {
        set_err(err, err_len, "%s%s", msg, "");
        return -1;
    }
    *t_ns = s.t_ns;
    for (int i = 0; i < n_values && i < m->m.info.n_domains; i++)
        values[i] = s.value[i];
    return 0;
}

void jm_api_meter_close(jm_api_meter *m)
{
    if (!m)
        return;
    jm_meter_close(&m->m);
    free(m);
}

static int sut_issue(void *ctx, int n, char *err, size_t err_len)
{
    return jm_api_workload_run(ctx, n, err, err_len);
}

static int parse_settings(const char *text, jm_scenario_settings *s, char *err, size_t err_len)
{
    if (!text || !*text)
        return 0;
    cJSON *o = NULL;
    char why[320] = "";
    (void)jm_json_parse(text, strlen(text), &o, why, sizeof(why));
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        set_err(err, err_len, "settings: not a JSON object%s%s", why[0] ? ": " : "", why);
        return -1;
    }
    static const char *const u64_keys[] = {"min_duration_ms", "max_duration_ms",
                                           "min_query_count", "max_query_count",
                                           "target_latency_ns", "samples_per_query",
                                           "performance_sample_count", "issue_max_samples",
                                           "single_stream_expected_latency_ns", NULL};
    uint64_t *u64_dst[] = {&s->min_duration_ms, &s->max_duration_ms, &s->min_query_count,
                           &s->max_query_count, &s->target_latency_ns, &s->samples_per_query,
                           &s->performance_sample_count, &s->issue_max_samples,
                           &s->single_stream_expected_latency_ns};
    const cJSON *item;
    int rc = 0;
    cJSON_ArrayForEach(item, o)
    {
        bool done = false;
        for (int i = 0; u64_keys[i]; i++) {
            if (strcmp(item->string, u64_keys[i]) == 0) {
                if (jm_json_u64(item, UINT64_MAX, u64_dst[i], why, sizeof(why)) != 0) {
                    set_err(err, err_len, "settings: \"%s\" %s (expected an integer >= 0)",
                            item->string, why);
                    rc = -1;
                }
                done = true;
            }
        }
        if (!done && strcmp(item->string, "target_qps") == 0 && cJSON_IsNumber(item)) {
            s->target_qps = item->valuedouble;
            done = true;
        }
        if (!done) {
            set_err(err, err_len, "settings: unknown or mistyped key \"%s\"%s", item->string, "");
            rc = -1;
        }
    }
    cJSON_Delete(o);
    return rc;
}

int jm_api_run_scenario(jm_api_workload *w, const char *scenario, const char *settings_json,
                        const char *log_dir, char *result_json, size_t result_len, char *err,
                        size_t err_len)
{
    char msg[1024] = "";
    jm_scenario_kind k;
    if (jm_scenario_from_name(scenario, &k, msg, sizeof(msg)) != 0) {
        set_err(err, err_len, "%s%s", msg, "");
        return -1;
    }
    jm_scenario_settings s;
    jm_scenario_settings_default(k, &s);
    s.tokens_per_sample = (uint64_t)w->shape.seq_len;
    s.issue_max_samples = (uint64_t)w->shape.batch_seqs;
    if (parse_settings(settings_json, &s, err, err_len) != 0)
        return -1;
    jm_sut sut = {.ctx = w, .issue = sut_issue};
    jm_scenario_result r;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t start_unix = (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec;
    if (jm_scenario_run(&s, &sut, &r, msg, sizeof(msg)) != 0) {
        set_err(err, err_len, "%s%s", msg, "");
        return -1;
    }
    int rc = 0;
    if (log_dir) {
        jm_mlperf_run run;
        memset(&run, 0, sizeof(run));
        snprintf(run.benchmark, sizeof(run.benchmark), "%s",
                 w->shape.kind == JM_WORKLOAD_MOE ? "moe-layer" : "dense-layer");
        snprintf(run.sut_name, sizeof(run.sut_name), "libjoulemark");
        snprintf(run.phase, sizeof(run.phase), "testing");
        snprintf(run.rules, sizeof(run.rules), "api");
        snprintf(run.joulemark_version, sizeof(run.joulemark_version), "%s",
                 jm_version_string());
        run.settings = s;
        run.result = &r;
        run.start_unix_ns = start_unix;
        if (jm_mlperf_write_logs(&run, log_dir, msg, sizeof(msg)) != 0) {
            set_err(err, err_len, "%s%s", msg, "");
            rc = -1;
        }
    }
    if (rc == 0 && result_json) {
        snprintf(result_json, result_len,
                 "{\"scenario\": \"%s\", \"queries\": %llu, \"samples\": %llu, \"tokens\": %llu, "
                 "\"samples_per_second\": %.9g, \"duration_s\": %.9g, "
                 "\"p50_latency_ns\": %llu, \"p90_latency_ns\": %llu, \"p99_latency_ns\": %llu, "
                 "\"early_stopping_latency_ss\": %llu, \"early_stopping_met\": %s, "
                 "\"valid\": %s}",
                 jm_scenario_name(k), (unsigned long long)r.queries,
                 (unsigned long long)r.samples, (unsigned long long)r.tokens,
                 r.samples_per_second, r.final_query_done_s,
                 (unsigned long long)r.percentile_latency_ns[0],
                 (unsigned long long)r.percentile_latency_ns[1],
                 (unsigned long long)r.percentile_latency_ns[4],
                 (unsigned long long)r.early_stopping_latency_ss,
                 r.early_stopping_met ? "true" : "false", r.valid ? "true" : "false");
    }
    jm_scenario_result_free(&r);
    return rc;
}
