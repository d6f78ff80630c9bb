/* reports.h - the result model and everything written from it.
 *
 * reports/ knows the result model below and cJSON; it knows nothing of
 * kernels, meters or the harness (the harness copies what it measured into
 * the model). Writers only format; every derived figure (ratios, statistics)
 * is computed by the jm_results_* functions here, once, before writing.
 * Output files are written to a temporary name and renamed (never half-written).
 * Functions return 0 or a negative JM_R_E* code and fill err. Nothing prints
 * to stdout/stderr except the writers that are given a FILE*.
 */
#ifndef JM_REPORTS_H
#define JM_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { JM_R_OK = 0, JM_R_EINVAL = -1, JM_R_EIO = -2, JM_R_ENOMEM = -3, JM_R_EPARSE = -4 };

#define JM_RESULTS_SCHEMA_VERSION 1
#define JM_R_NAME_MAX 64
#define JM_R_TEXT_MAX 512
#define JM_R_MAX_DOMAINS 32

/* Summary statistic of one quantity over the repeated runs. ci95 is the 95%
 * confidence interval of the median (distribution-free order statistics for
 * n >= 6, t-interval of the mean otherwise; see docs/results.md). */
typedef struct jm_stat {
    int n;
    double median, mean, min, max, stddev, ci95_low, ci95_high;
} jm_stat;

/* Energy of one meter domain over one run. */
typedef struct jm_domain_energy {
    char meter[JM_R_NAME_MAX];  /* "rapl" */
    char domain[JM_R_NAME_MAX]; /* "package-0" */
    bool estimated;
    double energy_j;
    double idle_power_w;        /* from the idle baseline */
    double energy_above_idle_j; /* energy_j - idle_power_w * duration */
    size_t n_samples;
    double max_gap_ms;
} jm_domain_energy;

typedef struct jm_run_result {
    int index;             /* 1-based */
    char phase[16];        /* "testing" | "ranging" | "warmup" */
    uint64_t t0_ns, t1_ns; /* CLOCK_MONOTONIC window */
    double duration_s;
    uint64_t tokens, samples, queries;
    uint64_t dropped_tokens;
    /* energy attributed to the run: sum of the primary domains */
    double energy_j, energy_above_idle_j, avg_power_w;
    double tokens_per_s, tokens_per_j, mj_per_token;
    double tokens_per_j_above_idle, mj_per_token_above_idle;
    char energy_source[JM_R_TEXT_MAX]; /* "rapl:package-0+dram-0 (measured)" */
    bool estimated;
    int n_domains;
    jm_domain_energy domains[JM_R_MAX_DOMAINS];
    /* latency of the unit of work (batch or query), ns */
    double latency_p50_ns, latency_p90_ns, latency_p99_ns;
    bool valid;
    int n_invalid_reasons;
    char invalid_reasons[8][JM_R_TEXT_MAX];
} jm_run_result;

typedef struct jm_run_summary {
    jm_stat duration_s, energy_j, energy_above_idle_j, avg_power_w, tokens_per_s,
        tokens_per_j, mj_per_token, mj_per_token_above_idle;
    int valid_runs;
} jm_run_summary;

typedef struct jm_workload_result {
    char name[JM_R_NAME_MAX];     /* "moe-layer" */
    char kind[16];                /* "gemm" | "dense" | "moe" */
    cJSON *shape;                 /* owned: the workload's shape as given */
    uint64_t params, active_params;
    double flops_per_token, bytes_per_token;
    double accuracy_rel_err, accuracy_tolerance;
    bool accuracy_ok;
    char scenario[24];            /* "Offline" etc.; "" for the plain runner */
    int n_runs;
    jm_run_result *runs;          /* owned */
    jm_run_summary summary;       /* over valid testing runs */
} jm_workload_result;

typedef struct jm_comparison {
    char baseline[JM_R_NAME_MAX], candidate[JM_R_NAME_MAX];
    double params_ratio;  /* baseline params / candidate params */
    double active_params_ratio;
    double flops_ratio;   /* baseline flops/token / candidate flops/token */
    /* baseline mJ/token / candidate mJ/token: the saving (> 1: candidate cheaper) */
    jm_stat energy_per_token_ratio;
    jm_stat energy_per_token_ratio_above_idle;
    char energy_source[JM_R_TEXT_MAX];
    bool estimated;
} jm_comparison;

typedef struct jm_meter_result {
    char name[JM_R_NAME_MAX];
    char spec[JM_R_TEXT_MAX];     /* as given: "rapl:root=..." */
    bool estimated;               /* kind: "estimated" when true, else "measured" */
    bool available;
    char reason[JM_R_TEXT_MAX];   /* why unavailable, or "" */
    char source[JM_R_TEXT_MAX];   /* what it reads */
    char model[JM_R_TEXT_MAX];    /* estimate: model and parameters */
    int n_domains;
    char domains[JM_R_MAX_DOMAINS][JM_R_NAME_MAX];
    double idle_power_w[JM_R_MAX_DOMAINS];
    double resolution_j;
    unsigned update_period_ms, interval_ms;
    bool failed;                  /* failed mid-run */
    char failure[JM_R_TEXT_MAX];
} jm_meter_result;

/* One column of the trace: a meter domain. */
typedef struct jm_trace_column {
    char meter[JM_R_NAME_MAX];
    char domain[JM_R_NAME_MAX];
    bool estimated;
} jm_trace_column;

/* One sampled point of one meter (the trace is the union of all meters' points). */
typedef struct jm_trace_point {
    uint64_t t_ns;
    int meter_index;     /* index into meters[] */
    int first_column;    /* columns [first_column, first_column + n) belong to it */
    int n;
    double energy_j[JM_R_MAX_DOMAINS];
    double power_w[JM_R_MAX_DOMAINS];
} jm_trace_point;

typedef struct jm_trace_mark {
    uint64_t t_ns;
    char label[64];
} jm_trace_mark;

typedef struct jm_trace {
    int n_columns;
    jm_trace_column *columns;
    size_t n_points;
    jm_trace_point *points; /* sorted by t_ns */
    size_t n_marks;
    jm_trace_mark *marks;
    uint64_t t_origin_ns;   /* t = 0 in the written trace */
} jm_trace;

typedef struct jm_results {
    int schema_version;
    char joulemark_version[JM_R_NAME_MAX];
    char git_describe[JM_R_NAME_MAX];
    char started_utc[32], finished_utc[32]; /* ISO 8601 */
    char config_path[JM_R_TEXT_MAX];
    char run_rules[16];          /* "quick" | "default" | "mlperf" */
    bool quick;                  /* --quick: shortened, not for comparison */
    bool complete;               /* false when interrupted */
    char incomplete_reason[JM_R_TEXT_MAX];
    bool estimated;              /* any figure built on an estimate */
    cJSON *system;               /* owned: system description (hwloc, /proc) */
    cJSON *config;               /* owned: the config as used */
    double idle_duration_s;
    uint64_t sampler_cpu_ns;     /* sampler thread CPU time (overhead) */
    double sampler_overhead_pct;
    int n_meters;
    jm_meter_result *meters;     /* owned */
    int n_workloads;
    jm_workload_result *workloads; /* owned */
    int n_comparisons;
    jm_comparison *comparisons;  /* owned */
    jm_trace trace;              /* owned */
} jm_results;

/* ---- model lifetime and derived figures ---- */
void jm_results_init(jm_results *r);
void jm_results_free(jm_results *r);
jm_workload_result *jm_results_add_workload(jm_results *r);
jm_run_result *jm_workload_result_add_run(jm_workload_result *w);
jm_meter_result *jm_results_add_meter(jm_results *r);
/* Fills per-run derived figures (tokens_per_s, tokens_per_j, mj_per_token...)
 * from tokens, duration and energy. */
void jm_run_result_derive(jm_run_result *run);
void jm_run_result_invalidate(jm_run_result *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Summaries over valid testing runs of every workload. */
void jm_results_summarize(jm_results *r);
/* Adds a comparison baseline vs candidate (names of workloads); ratios of
 * mJ/token over paired runs with a CI. Returns JM_R_EINVAL if a name is unknown. */
int jm_results_compare(jm_results *r, const char *baseline, const char *candidate, char *err,
                       size_t err_len);
void jm_stat_compute(const double *values, int n, jm_stat *out);

/* ---- writers (one ops struct per format; see writer_table.c) ---- */
typedef struct jm_writer_ops {
    const char *name;     /* "json", "trace-csv", "summary-csv", "html", "mlperf" */
    const char *filename; /* default file name in the output directory */
    int (*write)(const jm_results *r, const char *path, char *err, size_t err_len);
} jm_writer_ops;
const jm_writer_ops *const *jm_writer_table(void);
const jm_writer_ops *jm_writer_find(const char *name);

/* Writes every writer of the table into dir (atomically, file by file). */
int jm_results_write_all(const jm_results *r, const char *dir, char *err, size_t err_len);
/* results.json <-> model */
cJSON *jm_results_to_json(const jm_results *r);
int jm_results_from_json(const cJSON *json, jm_results *r, char *err, size_t err_len);
int jm_results_load(const char *results_dir_or_file, jm_results *r, char *err, size_t err_len);
/* Terminal summary table; ends with the comparison ratios and their CIs. */
void jm_results_print_summary(const jm_results *r, FILE *out, bool color);

/* ---- files ---- */
/* Writes data to path via path.tmp + fsync + rename. */
int jm_write_file_atomic(const char *path, const char *data, size_t len, char *err,
                         size_t err_len);
int jm_mkdir_p(const char *path, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* JM_REPORTS_H */
