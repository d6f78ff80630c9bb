/* joulemark.h - libjoulemark: the small stable C API of joulemark's
 * workloads, meters and LoadGen-compatible scenario engine, for programs that
 * want our dense/MoE layers or energy meters without the CLI (and for the
 * cross-check against MLCommons' LoadGen, tests/loadgen/crosscheck.py).
 *
 * Stability: functions are only added, never changed; shapes and settings
 * travel as JSON text so new fields do not break the ABI. Every function
 * returns 0 on success or -1 with a message in err (err may be NULL).
 * Handles are not thread-safe: use one from one thread at a time.
 */
#ifndef JOULEMARK_H
#define JOULEMARK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define JM_API __attribute__((visibility("default")))
#else
#define JM_API
#endif

#define JM_API_VERSION 1

/* JM_API_VERSION the library was built with, and "joulemark X (git Y)". */
JM_API int jm_api_version(void);
JM_API const char *jm_api_version_string(void);

/* ---- workloads ---- */
typedef struct jm_api_workload jm_api_workload;
/* shape_json: {"kind": "dense"|"moe"|"gemm", "d_model", "n_heads", "d_ff",
 * "seq_len", "batch_seqs", "n_experts", "top_k", "capacity_factor",
 * "m", "n", "k", "threads", "seed"} (unknown keys are errors). */
JM_API int jm_api_workload_create(const char *shape_json, jm_api_workload **out, char *err,
                                  size_t err_len);
/* Runs n_samples samples (sequences) to completion, in chunks of at most
 * jm_api_workload_max_samples. */
JM_API int jm_api_workload_run(jm_api_workload *w, int n_samples, char *err, size_t err_len);
JM_API int jm_api_workload_max_samples(const jm_api_workload *w);
JM_API int jm_api_workload_tokens_per_sample(const jm_api_workload *w);
JM_API double jm_api_workload_flops_per_token(const jm_api_workload *w);
JM_API uint64_t jm_api_workload_params(const jm_api_workload *w);
JM_API void jm_api_workload_destroy(jm_api_workload *w);

/* ---- meters ---- */
typedef struct jm_api_meter jm_api_meter;
/* spec: "rapl", "estimate", "rapl:root=/path" ... Returns 0 (open), 1 when
 * the meter is unavailable on this machine (err says why), -1 on error. */
JM_API int jm_api_meter_open(const char *spec, jm_api_meter **out, char *err, size_t err_len);
JM_API int jm_api_meter_domains(const jm_api_meter *m);
JM_API const char *jm_api_meter_domain_name(const jm_api_meter *m, int i);
/* 1 when the meter estimates (no hardware), 0 when it measures. */
JM_API int jm_api_meter_is_estimated(const jm_api_meter *m);
/* 1 when read() gives watts (analyzers), 0 when cumulative joules. */
JM_API int jm_api_meter_is_power(const jm_api_meter *m);
/* Fills t_ns (CLOCK_MONOTONIC) and min(n_values, domains) values. */
JM_API int jm_api_meter_read(jm_api_meter *m, uint64_t *t_ns, double *values, int n_values,
                             char *err, size_t err_len);
JM_API void jm_api_meter_close(jm_api_meter *m);

/* ---- scenario engine ---- */
/* Runs the workload under a scenario ("Offline", "SingleStream",
 * "MultiStream", "Server") with settings_json (keys of jm_scenario_settings:
 * "min_duration_ms", "min_query_count", "max_query_count", "target_qps",
 * "target_latency_ns", "samples_per_query", "performance_sample_count",
 * "issue_max_samples"; defaults LoadGen's), writes mlperf_log_detail.txt and
 * mlperf_log_summary.txt into log_dir when it is not NULL, and puts a JSON
 * summary (queries, samples, samples_per_second, p50/p90/p99 latency ns,
 * early stopping, valid) into result_json. */
JM_API int jm_api_run_scenario(jm_api_workload *w, const char *scenario,
                               const char *settings_json, const char *log_dir,
                               char *result_json, size_t result_len, char *err,
                               size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* JOULEMARK_H */
