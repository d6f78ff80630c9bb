/* mlperf_log_write.c - writes the LoadGen log pair of one run into a
 * directory and names the keys each scenario's detail log must carry (what
 * `joulemark check` and the tests ask of a log). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"

int jm_mlperf_write_logs(const jm_mlperf_run *run, const char *dir, char *err, size_t err_len)
{
    int rc = jm_mkdir_p(dir, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    char path[4096];
    char *detail = jm_mlperf_detail_text(run, err, err_len);
    if (!detail)
        return JM_R_ENOMEM;
    snprintf(path, sizeof(path), "%s/mlperf_log_detail.txt", dir);
    rc = jm_write_file_atomic(path, detail, strlen(detail), err, err_len);
    free(detail);
    if (rc != JM_R_OK)
        return rc;
    char *summary = jm_mlperf_summary_text(run, err, err_len);
    if (!summary)
        return JM_R_ENOMEM;
    snprintf(path, sizeof(path), "%s/mlperf_log_summary.txt", dir);
    rc = jm_write_file_atomic(path, summary, strlen(summary), err, err_len);
    free(summary);
    if (rc == JM_R_OK && run->power_samples && run->n_power_samples > 0) {
        snprintf(path, sizeof(path), "%s/" JM_MLPERF_POWER_FILE, dir);
        rc = jm_mlperf_write_power_samples(path, run->energy_source, run->estimated,
                                           run->power_samples, run->n_power_samples, err,
                                           err_len);
    }
    return rc;
}

#define COMMON_KEYS                                                                            \
    "loadgen_version", "test_datetime", "sut_name", "qsl_reported_total_count",                \
        "qsl_reported_performance_count", "effective_scenario", "effective_test_mode",         \
        "effective_samples_per_query", "effective_target_qps", "effective_target_latency_ns",   \
        "effective_target_latency_percentile", "effective_min_duration_ms",                    \
        "effective_max_duration_ms", "effective_min_query_count",                              \
        "effective_max_query_count", "effective_min_sample_count", "effective_qsl_rng_seed",   \
        "effective_sample_index_rng_seed", "effective_schedule_rng_seed",                      \
        "effective_performance_sample_count", "effective_sample_concatenate_permutation",      \
        "power_begin", "power_end", "result_validity", "result_min_duration_met",              \
        "result_min_queries_met", "early_stopping_met", "early_stopping_result",               \
        "result_query_count", "result_min_latency_ns", "result_max_latency_ns",                \
        "result_mean_latency_ns", "result_50.00_percentile_latency_ns",                        \
        "result_90.00_percentile_latency_ns", "result_95.00_percentile_latency_ns",            \
        "result_97.00_percentile_latency_ns", "result_99.00_percentile_latency_ns",            \
        "result_99.90_percentile_latency_ns", "num_errors"

static const char *const offline_keys[] = {COMMON_KEYS, "result_samples_per_second", NULL};
static const char *const single_stream_keys[] = {
    COMMON_KEYS, "result_qps_with_loadgen_overhead", "result_qps_without_loadgen_overhead",
    "early_stopping_latency_ss", "early_stopping_latency_ms", NULL};
static const char *const multi_stream_keys[] = {
    COMMON_KEYS, "result_min_query_latency_ns", "result_max_query_latency_ns",
    "result_mean_query_latency_ns", "result_99.00_percentile_per_query_latency_ns",
    "early_stopping_latency_ms", NULL};
static const char *const server_keys[] = {
    COMMON_KEYS, "result_perf_constraints_met", "result_overlatency_query_count",
    "result_scheduled_samples_per_sec", "result_completed_samples_per_sec", NULL};

const char *const *jm_mlperf_required_keys(jm_scenario_kind scenario)
{
    switch (scenario) {
    case JM_SCENARIO_OFFLINE:
        return offline_keys;
    case JM_SCENARIO_SINGLE_STREAM:
        return single_stream_keys;
    case JM_SCENARIO_MULTI_STREAM:
        return multi_stream_keys;
    case JM_SCENARIO_SERVER:
        return server_keys;
    }
    return offline_keys;
}
