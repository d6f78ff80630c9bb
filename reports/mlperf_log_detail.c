/* mlperf_log_detail.c - writes mlperf_log_detail.txt of one scenario run in
 * LoadGen's format: one `:::MLLOG {json}` event per line, the keys LoadGen
 * logs for the scenario (header, requested and effective settings, power
 * window, results) in LoadGen's order. It only formats jm_mlperf_run: every
 * figure was computed by the scenario engine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reports_internal.h"

typedef struct emitter {
    jm__buf *b;
    double time_ms;
    int pid;
} emitter;

static void begin(emitter *e, const char *key)
{
    jm__buf_printf(e->b, ":::MLLOG {\"key\": \"%s\", \"value\": ", key);
}

static void end(emitter *e, bool is_error, int line)
{
    jm__buf_printf(e->b,
                   ", \"time_ms\": %.6f, \"namespace\": \"mlperf::logging\", \"event_type\": "
                   "\"POINT_IN_TIME\", \"metadata\": {\"is_error\": %s, \"is_warning\": false, "
                   "\"file\": \"mlperf_log_detail.c\", \"line_no\": %d, \"pid\": %d, \"tid\": "
                   "%d}}\n",
                   e->time_ms, is_error ? "true" : "false", line, e->pid, e->pid);
}

static void put_json_string(jm__buf *b, const char *s)
{
    cJSON *str = cJSON_CreateString(s ? s : "");
    char *text = str ? jm__json_print(str, false) : NULL;
    if (text)
        jm__buf_puts(b, text);
    else
        b->failed = true;
    free(text);
    cJSON_Delete(str);
}

#define EMIT_STR(e, key, v)                                                                     \
    do {                                                                                        \
        begin(e, key);                                                                          \
        put_json_string((e)->b, v);                                                             \
        end(e, false, __LINE__);                                                                \
    } while (0)
#define EMIT_U64(e, key, v)                                                                     \
    do {                                                                                        \
        begin(e, key);                                                                          \
        jm__buf_printf((e)->b, "%llu", (unsigned long long)(v));                                \
        end(e, false, __LINE__);                                                                \
    } while (0)
#define EMIT_BOOL(e, key, v)                                                                    \
    do {                                                                                        \
        begin(e, key);                                                                          \
        jm__buf_puts((e)->b, (v) ? "true" : "false");                                          \
        end(e, false, __LINE__);                                                                \
    } while (0)
#define EMIT_DBL(e, key, v)                                                                     \
    do {                                                                                        \
        begin(e, key);                                                                          \
        put_double((e)->b, v);                                                                  \
        end(e, false, __LINE__);                                                                \
    } while (0)

/* shortest text that reads back to the same double; JSON has no NaN/inf */
static void put_double(jm__buf *b, double v)
{
    if (!isfinite(v)) {
        jm__buf_puts(b, "0");
        return;
    }
    char text[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, v);
        if (strtod(text, NULL) == v)
            break;
    }
    jm__buf_puts(b, text);
}

static const char *mode_name(const jm_scenario_settings *s)
{
    return s->accuracy_mode ? "AccuracyOnly" : "PerformanceOnly";
}

static void header(emitter *e, const jm_mlperf_run *run)
{
    char text[512];
    snprintf(text, sizeof(text), "joulemark %s (LoadGen-compatible scenario engine)",
             run->joulemark_version[0] ? run->joulemark_version : "unknown");
    EMIT_STR(e, "loadgen_version", text);
    char utc[40];
    time_t t = (time_t)(run->start_unix_ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%S", &tm);
    EMIT_STR(e, "loadgen_build_date_local", utc);
    EMIT_STR(e, "loadgen_build_date_utc", utc);
    EMIT_STR(e, "loadgen_git_commit_date", "");
    EMIT_STR(e, "loadgen_git_log_message", "");
    EMIT_STR(e, "loadgen_git_status_message", "");
    begin(e, "loadgen_file_sha1");
    jm__buf_puts(e->b, "{}");
    end(e, false, __LINE__);
    strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%SZ", &tm);
    EMIT_STR(e, "test_datetime", utc);
    EMIT_STR(e, "sut_name", run->sut_name[0] ? run->sut_name : "joulemark");
    EMIT_U64(e, "get_sut_name_duration_ns", 0);
    snprintf(text, sizeof(text), "joulemark synthetic %s samples", run->benchmark);
    EMIT_STR(e, "qsl_name", text);
    EMIT_U64(e, "qsl_reported_total_count", run->settings.total_sample_count);
    EMIT_U64(e, "qsl_reported_performance_count", run->settings.performance_sample_count);
}

static void requested(emitter *e, const jm_scenario_settings *s)
{
    EMIT_STR(e, "requested_scenario", jm_scenario_name(s->scenario));
    EMIT_STR(e, "requested_test_mode", mode_name(s));
    switch (s->scenario) {
    case JM_SCENARIO_SINGLE_STREAM:
        EMIT_U64(e, "requested_single_stream_expected_latency_ns",
                 s->single_stream_expected_latency_ns);
        EMIT_DBL(e, "requested_single_stream_target_latency_percentile",
                 s->target_latency_percentile);
        break;
    case JM_SCENARIO_MULTI_STREAM:
        EMIT_U64(e, "requested_multi_stream_expected_latency_ns",
                 s->single_stream_expected_latency_ns * s->samples_per_query);
        EMIT_DBL(e, "requested_multi_stream_target_latency_percentile",
                 s->target_latency_percentile);
        EMIT_U64(e, "requested_multi_stream_samples_per_query", s->samples_per_query);
        break;
    case JM_SCENARIO_SERVER:
        EMIT_DBL(e, "requested_server_target_qps", s->target_qps);
        EMIT_U64(e, "requested_server_target_latency_ns", s->target_latency_ns);
        EMIT_DBL(e, "requested_server_target_latency_percentile", s->target_latency_percentile);
        EMIT_BOOL(e, "requested_server_coalesce_queries", false);
        EMIT_U64(e, "requested_server_find_peak_qps_decimals_of_precision", 1);
        EMIT_DBL(e, "requested_server_find_peak_qps_boundary_step_size", 1.0);
        EMIT_U64(e, "requested_server_max_async_queries", 0);
        EMIT_U64(e, "requested_server_num_issue_query_threads", 0);
        break;
    case JM_SCENARIO_OFFLINE:
        EMIT_DBL(e, "requested_offline_expected_qps", s->target_qps);
        break;
    }
    EMIT_U64(e, "requested_min_duration_ms", s->min_duration_ms);
    EMIT_U64(e, "requested_max_duration_ms", s->max_duration_ms);
    EMIT_U64(e, "requested_min_query_count", s->min_query_count);
    EMIT_U64(e, "requested_max_query_count", s->max_query_count);
    EMIT_U64(e, "requested_qsl_rng_seed", s->qsl_rng_seed);
    EMIT_U64(e, "requested_sample_index_rng_seed", s->sample_index_rng_seed);
    EMIT_U64(e, "requested_schedule_rng_seed", s->schedule_rng_seed);
    EMIT_U64(e, "requested_accuracy_log_rng_seed", 0);
    EMIT_U64(e, "requested_accuracy_log_probability", 0);
    EMIT_U64(e, "requested_accuracy_log_sampling_target", 0);
    EMIT_BOOL(e, "requested_print_timestamps", false);
    EMIT_BOOL(e, "requested_performance_issue_unique", false);
    EMIT_BOOL(e, "requested_performance_issue_same", false);
    EMIT_U64(e, "requested_performance_issue_same_index", 0);
    EMIT_U64(e, "requested_performance_sample_count_override", s->performance_sample_count);
    EMIT_U64(e, "requested_accuracy_sample_count_override", 0);
    EMIT_BOOL(e, "requested_sample_concatenate_permutation", false);
    /* samples are token sequences processed in one pass: no per-token latencies */
    EMIT_BOOL(e, "requested_use_token_latencies", false);
}

static void effective(emitter *e, const jm_scenario_settings *s)
{
    EMIT_STR(e, "effective_scenario", jm_scenario_name(s->scenario));
    EMIT_STR(e, "effective_test_mode", mode_name(s));
    EMIT_U64(e, "effective_samples_per_query", s->samples_per_query);
    double qps = s->target_qps;
    if (s->scenario == JM_SCENARIO_SINGLE_STREAM && s->single_stream_expected_latency_ns)
        qps = 1e9 / (double)s->single_stream_expected_latency_ns;
    EMIT_DBL(e, "effective_target_qps", qps);
    EMIT_U64(e, "effective_target_latency_ns", s->target_latency_ns);
    EMIT_DBL(e, "effective_target_latency_percentile", s->target_latency_percentile);
    EMIT_U64(e, "effective_max_async_queries", s->scenario == JM_SCENARIO_SERVER ? 0 : 1);
    EMIT_U64(e, "effective_target_duration_ms",
             s->scenario == JM_SCENARIO_OFFLINE ? 0 : s->min_duration_ms);
    EMIT_U64(e, "effective_min_duration_ms", s->min_duration_ms);
    EMIT_U64(e, "effective_max_duration_ms", s->max_duration_ms);
    EMIT_U64(e, "effective_min_query_count", s->min_query_count);
    EMIT_U64(e, "effective_max_query_count", s->max_query_count);
    EMIT_U64(e, "effective_min_sample_count", s->min_query_count * s->samples_per_query);
    EMIT_U64(e, "effective_qsl_rng_seed", s->qsl_rng_seed);
    EMIT_U64(e, "effective_sample_index_rng_seed", s->sample_index_rng_seed);
    EMIT_U64(e, "effective_schedule_rng_seed", s->schedule_rng_seed);
    EMIT_U64(e, "effective_accuracy_log_rng_seed", 0);
    EMIT_U64(e, "effective_accuracy_log_probability", 0);
    EMIT_U64(e, "effective_accuracy_log_sampling_target", 0);
    EMIT_BOOL(e, "effective_print_timestamps", false);
    EMIT_BOOL(e, "effective_performance_issue_unique", false);
    EMIT_BOOL(e, "effective_performance_issue_same", false);
    EMIT_U64(e, "effective_performance_issue_same_index", 0);
    EMIT_U64(e, "effective_performance_sample_count", s->performance_sample_count);
    EMIT_U64(e, "effective_accuracy_sample_count", s->total_sample_count);
    EMIT_BOOL(e, "effective_sample_concatenate_permutation", false);
}

static void generated(emitter *e, const jm_mlperf_run *run)
{
    const jm_scenario_settings *s = &run->settings;
    const jm_scenario_result *r = run->result;
    EMIT_STR(e, "generic_message",
             s->accuracy_mode ? "Starting accuracy mode" : "Starting performance mode");
    /* the performance set: sample indices 0 .. performance_sample_count - 1 */
    begin(e, "loaded_qsl_set");
    jm__buf_puts(e->b, "[");
    for (uint64_t i = 0; i < s->performance_sample_count; i++)
        jm__buf_printf(e->b, i ? ",%llu" : "%llu", (unsigned long long)i);
    jm__buf_puts(e->b, "]");
    end(e, false, __LINE__);
    EMIT_U64(e, "generated_query_count", r->queries);
    EMIT_U64(e, "generated_samples_per_query", s->samples_per_query);
    EMIT_U64(e, "generated_query_duration",
             (uint64_t)llround((s->scenario == JM_SCENARIO_OFFLINE ? r->max_latency_s
                                                                   : r->final_query_scheduled_s) *
                               1e9));
    EMIT_STR(e, "generic_message",
             r->interrupted ? "Ending early: interrupted by the user."
                            : "Ending naturally: Minimum query count and test duration met.");
    static const char *const logger_keys[] = {
        "logger_swap_request_slots_retry_count",
        "logger_swap_request_slots_retry_retry_count",
        "logger_swap_request_slots_retry_reencounter_count",
        "logger_start_reading_entries_retry_count",
        "logger_tls_total_log_cas_fail_count",
        "logger_tls_total_swap_buffers_slot_retry_count"};
    for (size_t i = 0; i < sizeof(logger_keys) / sizeof(*logger_keys); i++)
        EMIT_U64(e, logger_keys[i], 0);
}

static void power(emitter *e, const jm_mlperf_run *run)
{
    char text[40];
    /* without a power measurement the window is the run itself, as LoadGen logs it */
    const jm_scenario_result *r = run->result;
    int64_t run_ns = r->t_end_ns > r->t_start_ns ? (int64_t)(r->t_end_ns - r->t_start_ns) : 0;
    int64_t begin_ns = run->has_power ? run->power_begin_unix_ns : run->start_unix_ns;
    int64_t end_ns = run->has_power ? run->power_end_unix_ns : run->start_unix_ns + run_ns;
    jm_mlperf_format_power_time(begin_ns, text, sizeof(text));
    EMIT_STR(e, "power_begin", text);
    jm_mlperf_format_power_time(end_ns, text, sizeof(text));
    EMIT_STR(e, "power_end", text);
}

static void percentiles(emitter *e, const char *infix, const uint64_t *v)
{
    for (int i = 0; i < JM_MLPERF_N_PERCENTILES; i++) {
        char key[96];
        snprintf(key, sizeof(key), "result_%.2f_percentile%s_latency_ns",
                 jm_mlperf_percentiles[i] * 100.0, infix);
        EMIT_U64(e, key, v[i]);
    }
}

static void results(emitter *e, const jm_mlperf_run *run)
{
    const jm_scenario_settings *s = &run->settings;
    const jm_scenario_result *r = run->result;
    EMIT_STR(e, "result_validity", r->valid ? "VALID" : "INVALID");
    if (s->scenario == JM_SCENARIO_SERVER)
        EMIT_BOOL(e, "result_perf_constraints_met", r->perf_constraints_met);
    EMIT_BOOL(e, "result_min_duration_met", r->min_duration_met);
    EMIT_BOOL(e, "result_min_queries_met", r->min_queries_met);
    EMIT_BOOL(e, "early_stopping_met", r->early_stopping_met);
    if (!r->valid)
        EMIT_STR(e, "result_invalid_reason", r->invalid_reason);
    EMIT_STR(e, "early_stopping_result", r->early_stopping_result);
    EMIT_U64(e, "result_query_count", r->queries);
    switch (s->scenario) {
    case JM_SCENARIO_SINGLE_STREAM:
        EMIT_DBL(e, "result_qps_with_loadgen_overhead", r->qps_with_loadgen_overhead);
        EMIT_DBL(e, "result_qps_without_loadgen_overhead", r->qps_without_loadgen_overhead);
        EMIT_U64(e, "early_stopping_latency_ss", r->early_stopping_latency_ss);
        EMIT_U64(e, "early_stopping_latency_ms", r->early_stopping_latency_ms);
        break;
    case JM_SCENARIO_MULTI_STREAM:
        EMIT_U64(e, "result_min_query_latency_ns", r->min_query_latency_ns);
        EMIT_U64(e, "result_max_query_latency_ns", r->max_query_latency_ns);
        EMIT_U64(e, "result_mean_query_latency_ns", r->mean_query_latency_ns);
        percentiles(e, "_per_query", r->percentile_query_latency_ns);
        EMIT_U64(e, "early_stopping_latency_ms", r->early_stopping_latency_ms);
        break;
    case JM_SCENARIO_SERVER:
        EMIT_U64(e, "result_overlatency_query_count", r->overlatency_query_count);
        EMIT_DBL(e, "result_scheduled_samples_per_sec", r->scheduled_samples_per_sec);
        EMIT_DBL(e, "result_completed_samples_per_sec", r->completed_samples_per_sec);
        EMIT_DBL(e, "result_completed_tokens_per_second", r->completed_tokens_per_sec);
        break;
    case JM_SCENARIO_OFFLINE:
        EMIT_DBL(e, "result_samples_per_second", r->samples_per_second);
        EMIT_DBL(e, "result_tokens_per_second", r->tokens_per_second);
        break;
    }
    EMIT_U64(e, "result_min_latency_ns", r->min_latency_ns);
    EMIT_U64(e, "result_max_latency_ns", r->max_latency_ns);
    EMIT_U64(e, "result_mean_latency_ns", r->mean_latency_ns);
    percentiles(e, "", r->percentile_latency_ns);
}

/* joulemark's own keys (prefixed joulemark_): tokens and the energy figures */
static void extras(emitter *e, const jm_mlperf_run *run)
{
    const jm_scenario_result *r = run->result;
    EMIT_STR(e, "joulemark_benchmark", run->benchmark);
    EMIT_STR(e, "joulemark_phase", run->phase);
    EMIT_STR(e, "joulemark_run_rules", run->rules);
    EMIT_U64(e, "joulemark_result_sample_count", r->samples);
    EMIT_U64(e, "joulemark_tokens_per_sample", run->settings.tokens_per_sample);
    EMIT_U64(e, "joulemark_result_token_count", r->tokens);
    if (run->has_power) {
        EMIT_DBL(e, "joulemark_energy_j", run->energy_j);
        EMIT_DBL(e, "joulemark_avg_power_w", run->avg_power_w);
        EMIT_DBL(e, "joulemark_power_metric", run->power_metric);
        EMIT_STR(e, "joulemark_power_metric_unit", run->power_unit);
        EMIT_STR(e, "joulemark_energy_source", run->energy_source);
        EMIT_BOOL(e, "joulemark_energy_estimated", run->estimated);
    }
}

char *jm_mlperf_detail_text(const jm_mlperf_run *run, char *err, size_t err_len)
{
    if (!run || !run->result) {
        snprintf(err, err_len, "mlperf detail log: no run result to write");
        return NULL;
    }
    jm__buf b;
    jm__buf_init(&b);
    emitter e = {.b = &b, .time_ms = 0.0, .pid = (int)getpid()};
    header(&e, run);
    requested(&e, &run->settings);
    effective(&e, &run->settings);
    generated(&e, run);
    const jm_scenario_result *r = run->result;
    e.time_ms = (r->t_end_ns > r->t_start_ns ? (double)(r->t_end_ns - r->t_start_ns) : 0) / 1e6;
    power(&e, run);
    results(&e, run);
    extras(&e, run);
    EMIT_U64(&e, "num_errors", 0);
    if (b.failed) {
        jm__buf_free(&b);
        snprintf(err, err_len, "mlperf detail log: out of memory");
        return NULL;
    }
    return b.data;
}
