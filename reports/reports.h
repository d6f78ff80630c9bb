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

#define JM_RESULTS_SCHEMA_VERSION 2
#define JM_R_NAME_MAX 64
#define JM_R_TEXT_MAX 512
#define JM_R_MAX_DOMAINS 32

/* Coverage the interval of a median aims at; an interval states the coverage
 * it achieves, which is lower when the runs are too few (docs/results.md). */
#define JM_CI_TARGET_COVERAGE 0.95

typedef enum jm_ci_method {
    JM_CI_NONE = 0,        /* no interval (fewer than 2 values) */
    JM_CI_ORDER_STATISTIC, /* [x(k), x(n-k+1)], exact binomial coverage */
} jm_ci_method;

/* Summary statistic of one quantity over the repeated runs. [ci_low, ci_high]
 * is an interval of the median computed by ci_method, with achieved coverage
 * ci_coverage (0..1; NaN with JM_CI_NONE). log_scale: the median and its
 * interval were computed on ln(value) (ratios; every value > 0). mean, stddev,
 * min and max are those of the values themselves. */
typedef struct jm_stat {
    int n;
    double median, mean, min, max, stddev;
    double ci_low, ci_high, ci_coverage;
    jm_ci_method ci_method;
    bool log_scale;
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
    int round;             /* 1-based round of interleaved runs; 0 = not interleaved */
    char phase[16];        /* "testing" | "ranging" | "warmup" */
    uint64_t t0_ns, t1_ns; /* CLOCK_MONOTONIC window */
    double duration_s;
    uint64_t tokens, samples, queries; /* tokens: through the layer */
    /* MoE: token-expert assignments routed (tokens x top_k) and, of those,
     * dropped by expert capacity (not computed); 0 for other workloads */
    uint64_t assignments, dropped_assignments;
    /* tokens whose expert work was done, in token-equivalents: tokens x
     * computed / routed assignments (= tokens when nothing is dropped). The
     * per-token figures divide by it (jm_run_result_derive sets it). */
    double tokens_processed;
    double flops; /* FLOPs done, dropped assignments excluded; NaN: unknown */
    /* energy attributed to the run: sum of the primary domains */
    double energy_j, energy_above_idle_j, avg_power_w;
    double tokens_per_s, tokens_per_j, mj_per_token;
    double tokens_per_j_above_idle, mj_per_token_above_idle;
    char energy_source[JM_R_TEXT_MAX]; /* "rapl:package-0+dram-0 (measured)" */
    bool estimated;
    int n_domains;
    jm_domain_energy domains[JM_R_MAX_DOMAINS];
    /* hardware counters over the run (libpfm4/perf_event), when available */
    bool counters;
    double cycles, instructions, fp_ops; /* NaN where that event was not counted */
    double instructions_per_j, counter_gflops;
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
    /* kernel efficiency: median tokens/s x FLOPs per token, and its share of
     * the workload's FMA peak (NaN when either is unknown) */
    double gflops, peak_share;
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
    double fma_peak_gflops;       /* the yardstick of its kernel efficiency: the CPU's FMA
                                   * peak at its thread count; 0 = none (a GPU workload,
                                   * or not measured) */
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
    /* how runs were paired: "round" (runs of the same round of interleaved
     * runs) or "order" (the i-th valid runs: results without rounds) */
    char pairing[8];
    char energy_source[JM_R_TEXT_MAX];
    bool estimated;
    /* baseline GFLOP/s / candidate GFLOP/s (medians); when the two sides run
     * more than 15% apart (ratio outside [1/1.15, 1.15]) the saving is partly
     * a kernel-efficiency difference: efficiency_differs */
    double gflops_ratio;
    bool efficiency_differs;
} jm_comparison;

/* GFLOP/s ratio beyond which a comparison is flagged (either direction). */
#define JM_EFFICIENCY_TOLERANCE 1.15

typedef struct jm_meter_result {
    char name[JM_R_NAME_MAX];
    char spec[JM_R_TEXT_MAX];     /* as given: "rapl:root=..." */
    bool estimated;               /* kind: "estimated" when true, else "measured" */
    bool primary;                 /* the figures' energy comes from this meter; any other
                                   * available meter is a side reading */
    bool available;
    char reason[JM_R_TEXT_MAX];   /* why unavailable, or "" */
    char source[JM_R_TEXT_MAX];   /* what it reads */
    char model[JM_R_TEXT_MAX];    /* estimate: model and parameters */
    int n_domains;
    char domains[JM_R_MAX_DOMAINS][JM_R_NAME_MAX];
    /* the meter layer's domain rule: each domain's type, whether it is summed
     * into the meter's energy, and why (summed, or left out) */
    char domain_type[JM_R_MAX_DOMAINS][16];
    bool domain_summed[JM_R_MAX_DOMAINS];
    char domain_why[JM_R_MAX_DOMAINS][JM_R_NAME_MAX * 3];
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
    /* why there is no idle baseline for the primary meter's summed domains
     * (idle power and every above-idle figure are then null); "" when there is */
    char idle_reason[JM_R_TEXT_MAX];
    uint64_t sampler_cpu_ns;     /* sampler thread CPU time (overhead) */
    bool counters_available;     /* hardware counters recorded per run */
    char counters_reason[JM_R_TEXT_MAX]; /* why not, or the events counted */
    double sampler_overhead_pct;
    /* the FMA peak measured once per run (register-only loop in the vector
     * ISA of the GEMM kernel in use), GFLOP/s; 0 = not measured */
    double fma_peak_gflops;       /* at fma_peak_threads, the workloads' team */
    double fma_peak_gflops_1;     /* one thread */
    int fma_peak_threads;
    char fma_peak_kernel[32];
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
/* Fills per-run derived figures (tokens_per_s, avg_power_w, tokens_per_j =
 * tokens / energy_j, mj_per_token = 1000 energy_j / tokens, and the above-idle
 * pair) from tokens, duration_s, energy_j and energy_above_idle_j. A figure
 * that cannot be computed is NaN (written as null). A run with duration_s,
 * tokens or energy_j not positive is invalidated with the reason. */
void jm_run_result_derive(jm_run_result *run);
/* tokens x computed / routed assignments (tokens when nothing was dropped). */
double jm_run_tokens_processed(const jm_run_result *run);
void jm_run_result_invalidate(jm_run_result *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Summaries over valid testing runs (phase "testing" or "") of every
 * workload; sets r->estimated when an available meter or a run is estimated. */
void jm_results_summarize(jm_results *r);
/* Adds a comparison baseline vs candidate (names of workloads); ratios of
 * mJ/token over paired runs with a CI. Returns JM_R_EINVAL if a name is unknown. */
int jm_results_compare(jm_results *r, const char *baseline, const char *candidate, char *err,
                       size_t err_len);
/* One run's value with the round it ran in (the unit of pairing). */
typedef struct jm_round_value {
    int round;
    double value;
} jm_round_value;
/* Ratios b / c of the values of the same round, in b's order, into ratios
 * (room for nb); returns how many. A round without a partner on the other
 * side, or whose values are not both finite and > 0, drops that pair only. */
int jm_pair_ratios(const jm_round_value *b, int nb, const jm_round_value *c, int nc,
                   double *ratios);
/* Statistic of the finite values among values[0..n) (n = how many). */
void jm_stat_compute(const double *values, int n, jm_stat *out);
/* The same for ratios, on a log scale: only finite values > 0 count. */
void jm_stat_compute_ratio(const double *ratios, int n, jm_stat *out);
/* "order-statistic" or "none": the name stored in results.json. */
const char *jm_ci_method_name(jm_ci_method m);

/* Trace building: append a column / a zeroed point / a mark (NULL when out of
 * memory). Arrays grow by doubling with an implicit capacity: build a trace
 * either with these or with your own malloc'd arrays, not both. Columns of
 * one meter must be contiguous (a point covers [first_column, first_column+n)).
 * Mark labels start with the phase: "idle", "warmup <workload>",
 * "ranging <workload>", "testing <workload> run N", "end"; the first word is
 * the phase shaded in the report and written in trace.csv's phase column. */
jm_trace_column *jm_trace_add_column(jm_trace *t, const char *meter, const char *domain,
                                     bool estimated);
jm_trace_point *jm_trace_add_point(jm_trace *t);
jm_trace_mark *jm_trace_add_mark(jm_trace *t, uint64_t t_ns, const char *label);

/* ---- writers (one ops struct per format; see writer_table.c) ---- */
typedef struct jm_writer_ops {
    const char *name;     /* "json", "trace-csv", "summary-csv", "html", "mlperf" */
    const char *filename; /* default file name in the output directory */
    int (*write)(const jm_results *r, const char *path, char *err, size_t err_len);
} jm_writer_ops;
const jm_writer_ops *const *jm_writer_table(void);
const jm_writer_ops *jm_writer_find(const char *name);

/* Writes every writer of the table into dir (created if missing; atomically,
 * file by file): results.json, trace.csv, summary.csv, report.html. */
int jm_results_write_all(const jm_results *r, const char *dir, char *err, size_t err_len);
/* results.json <-> model */
cJSON *jm_results_to_json(const jm_results *r);
int jm_results_from_json(const cJSON *json, jm_results *r, char *err, size_t err_len);
/* Reads DIR/results.json (or the given .json file) and, when present, the
 * trace.csv beside it. r is initialised by the call (free it with
 * jm_results_free on success; on error it is already freed). */
int jm_results_load(const char *results_dir_or_file, jm_results *r, char *err, size_t err_len);
/* Terminal summary table; ends with the comparison ratios and their CIs. */
void jm_results_print_summary(const jm_results *r, FILE *out, bool color);

/* ---- several result sets side by side (compare.c) ---- */
/* Terminal table: one row per (set, workload) with tokens/s, W, mJ/token and
 * its CI, tokens/J, mJ/token relative to the same workload in the first set,
 * and the energy source; then every set's comparison ratios. labels[i] names
 * set i (e.g. its directory). */
void jm_compare_print(const jm_results *sets, const char *const *labels, int n, FILE *out,
                      bool color);
/* The same as one self-contained HTML page with bar charts. */
int jm_compare_write_html(const jm_results *sets, const char *const *labels, int n,
                          const char *path, char *err, size_t err_len);

/* ---- files ---- */
/* Writes data to path via path.tmp + fsync + rename. */
int jm_write_file_atomic(const char *path, const char *data, size_t len, char *err,
                         size_t err_len);
int jm_mkdir_p(const char *path, char *err, size_t err_len);

/* ======================================================================
 * MLPerf section (owner: MLPerf engineer; files reports/mlperf_*.c and
 * reports/submission_*.c). The LoadGen-compatible scenario model: settings
 * and results of one scenario run (filled by the harness's scenario engine,
 * harness/scenario*.c), the LoadGen logs written from them, the power metric
 * and the MLPerf submission tree. See docs/scenarios.md, docs/submission.md.
 * ====================================================================== */
typedef enum {
    JM_SCENARIO_OFFLINE = 0,
    JM_SCENARIO_SINGLE_STREAM = 1,
    JM_SCENARIO_MULTI_STREAM = 2,
    JM_SCENARIO_SERVER = 3
} jm_scenario_kind;
#define JM_SCENARIO_COUNT 4
/* "Offline" | "SingleStream" | "MultiStream" | "Server" (LoadGen's spelling). */
const char *jm_scenario_name(jm_scenario_kind k);
/* Accepts LoadGen's spelling, case-insensitively. */
int jm_scenario_from_name(const char *name, jm_scenario_kind *out, char *err, size_t err_len);

/* LoadGen's latency percentiles in every log: 50, 90, 95, 97, 99, 99.9. */
#define JM_MLPERF_N_PERCENTILES 6
extern const double jm_mlperf_percentiles[JM_MLPERF_N_PERCENTILES];

/* Test settings of one scenario run (LoadGen's "effective" settings). Times
 * in ms or ns as named; 0 in a max_* field means unlimited. */
typedef struct jm_scenario_settings {
    jm_scenario_kind scenario;
    bool accuracy_mode;                 /* AccuracyOnly instead of PerformanceOnly */
    uint64_t samples_per_query;         /* 1; MultiStream 8; Offline: set by the engine */
    uint64_t min_duration_ms, max_duration_ms;
    uint64_t min_query_count, max_query_count;
    double target_qps;                  /* Server: Poisson rate; Offline: expected samples/s */
    uint64_t target_latency_ns;         /* Server: latency bound; 0 elsewhere */
    uint64_t single_stream_expected_latency_ns; /* informational (logged) */
    double target_latency_percentile;   /* 0.90 SingleStream, 0.99 otherwise */
    uint64_t qsl_rng_seed, sample_index_rng_seed, schedule_rng_seed;
    uint64_t performance_sample_count;  /* distinct samples of the sample library */
    uint64_t total_sample_count;        /* qsl_reported_total_count */
    uint64_t tokens_per_sample;         /* a sample = a sequence of this many tokens */
    uint64_t issue_max_samples;         /* Offline: largest chunk per SUT call (0 = whole query) */
    bool early_stopping;                /* apply LoadGen's early stopping rule (always on for mlperf) */
} jm_scenario_settings;

/* Everything LoadGen reports about a run; filled by jm_scenario_run (harness)
 * and jm_scenario_result_finish. Latencies are ns. */
typedef struct jm_scenario_result {
    jm_scenario_kind scenario;
    uint64_t queries, samples, tokens;
    uint64_t *sample_latency_ns; /* owned: one per sample (issue or arrival to completion) */
    uint64_t *query_latency_ns;  /* owned: one per query */
    uint64_t t_start_ns, t_end_ns; /* CLOCK_MONOTONIC: test start, last completion */
    double final_query_scheduled_s; /* scheduled time of the last query, from start */
    double final_query_issued_s;    /* issue time of the last query, from start */
    double final_query_done_s;      /* completion of the last sample, from start */
    double max_latency_s;           /* Offline: issue to last completion */
    bool interrupted;               /* stopped by the caller's stop flag */
    /* statistics over sample latencies (sorted copies; LoadGen's index rule) */
    uint64_t min_latency_ns, max_latency_ns, mean_latency_ns;
    uint64_t percentile_latency_ns[JM_MLPERF_N_PERCENTILES];
    /* per-query statistics (MultiStream) */
    uint64_t min_query_latency_ns, max_query_latency_ns, mean_query_latency_ns;
    uint64_t percentile_query_latency_ns[JM_MLPERF_N_PERCENTILES];
    uint64_t target_percentile_latency_ns; /* at settings.target_latency_percentile */
    /* scenario metrics */
    double samples_per_second;             /* Offline */
    double tokens_per_second;              /* Offline: tokens / max latency */
    double completed_tokens_per_sec;       /* Server: tokens / last completion */
    double completed_samples_per_sec;      /* Server */
    double scheduled_samples_per_sec;      /* Server */
    double qps_with_loadgen_overhead;      /* SingleStream */
    double qps_without_loadgen_overhead;   /* SingleStream */
    uint64_t overlatency_query_count;      /* Server */
    /* early stopping (LoadGen's rule; 0.99 confidence, 0 tolerance) */
    bool early_stopping_met;
    /* LoadGen's detail-log keys: _ss = SingleStream, _ms = MultiStream (not
     * milliseconds); both hold ns, as the submission checker reads them. */
    uint64_t early_stopping_latency_ss;    /* SingleStream: ns */
    uint64_t early_stopping_latency_ms;    /* MultiStream (and SingleStream 99th): ns */
    char early_stopping_result[512];       /* LoadGen's recommendation text, one line */
    /* validity */
    bool min_duration_met, min_queries_met, perf_constraints_met, valid;
    char invalid_reason[512];              /* "" when valid */
} jm_scenario_result;

void jm_scenario_result_free(jm_scenario_result *r);

/* Power metric of a scenario (MLPerf power rules): Offline/Server average
 * watts = energy / duration; SingleStream/MultiStream millijoules per query =
 * avg W x duration s x 1000 / queries. unit gets "W" or "mJ/query". */
int jm_mlperf_power_metric(jm_scenario_kind scenario, double energy_j, double duration_s,
                           uint64_t queries, double *value, const char **unit, char *err,
                           size_t err_len);
/* UTC wall clock in the power log format "%m-%d-%Y %H:%M:%S.mmm" (from
 * Unix time in ns); base.h's jm_time_stamp_parse reads it back. */
void jm_mlperf_format_power_time(int64_t unix_ns, char *buf, size_t len);
/* The MLCommons checker's average power of an analyzer log (spl.txt):
 * mean of the Watts field of "Time,..." lines strictly between begin and end
 * (unix ns), non-positive samples dropped. n_samples may be NULL. */
int jm_mlperf_spl_average_w(const char *spl_path, int64_t begin_unix_ns, int64_t end_unix_ns,
                            double *avg_w, size_t *n_samples, char *err, size_t err_len);

/* The MLPerf power metric of one scenario's testing run, as MLCommons'
 * submission checker computes it (reports/mlperf_power_dir.c). */
typedef struct jm_mlperf_power_result {
    char dir[4096];                    /* as given */
    char scenario[32];                 /* the detail log's effective_scenario */
    jm_scenario_kind metric_scenario;  /* the folder's scenario: picks the unit */
    size_t samples;                    /* analyzer samples strictly inside, > 0 W */
    int64_t begin_unix_ns, end_unix_ns; /* power_begin, power_end */
    double duration_s, avg_power_w, energy_j;
    uint64_t queries;                  /* result_query_count */
    bool has_queries;
    double metric;
    const char *metric_unit;           /* "W" or "mJ/query" */
} jm_mlperf_power_result;
/* From run_dir's mlperf_log_detail.txt and spl.txt; folder is the scenario
 * that names the folder (NULL: the effective scenario picks the unit). */
int jm_mlperf_power_of_run(const char *run_dir, const jm_scenario_kind *folder,
                           jm_mlperf_power_result *out, char *err, size_t err_len);
/* dir is one scenario's folder: it holds run_1/ or performance/run_1/; its
 * name (or, for a "performance" folder, its parent's) in any letter case is
 * the scenario that picks the unit. */
int jm_mlperf_power_of_dir(const char *dir, jm_mlperf_power_result *out, char *err,
                           size_t err_len);

/* power_begin and power_end of a detail log (Unix ns). */
int jm_mlperf_power_window(const char *detail_path, int64_t *begin_unix_ns,
                           int64_t *end_unix_ns, char *err, size_t err_len);
/* Writes to dst the "Time,..." lines of the analyzer log src whose time stamp
 * lies in [begin, end]; fails when none does. n_kept may be NULL. */
int jm_mlperf_spl_cut(const char *src, const char *dst, int64_t begin_unix_ns,
                      int64_t end_unix_ns, size_t *n_kept, char *err, size_t err_len);

/* One point of joulemark's own power file (joulemark_power.csv): wall clock
 * (Unix ns, UTC) and the cumulative energy in joules of the primary meter. */
typedef struct jm_mlperf_power_sample {
    int64_t unix_ns;
    double energy_j;
} jm_mlperf_power_sample;
#define JM_MLPERF_POWER_FILE "joulemark_power.csv"
/* Writes joulemark_power.csv (documented in docs/submission.md). */
int jm_mlperf_write_power_samples(const char *path, const char *source, bool estimated,
                                  const jm_mlperf_power_sample *s, size_t n, char *err,
                                  size_t err_len);
/* Energy between begin and end (Unix ns) from a joulemark_power.csv, by
 * linear interpolation of the cumulative energy at both ends. */
int jm_mlperf_power_file_energy(const char *path, int64_t begin_unix_ns, int64_t end_unix_ns,
                                double *energy_j, size_t *n_samples, char *err, size_t err_len);

/* What the runner hands over to write the LoadGen logs of one run. */
typedef struct jm_mlperf_run {
    char benchmark[JM_R_NAME_MAX];  /* workload name: "moe-layer" */
    char sut_name[JM_R_NAME_MAX];   /* e.g. "joulemark" */
    char phase[16];                 /* "ranging" | "testing" | "accuracy" */
    jm_scenario_settings settings;
    const jm_scenario_result *result; /* not owned */
    int64_t start_unix_ns;          /* wall clock (UTC) when the run began */
    int64_t power_begin_unix_ns;    /* energy window, wall clock; 0 = no power */
    int64_t power_end_unix_ns;
    bool has_power;
    double energy_j;                /* over the power window */
    double avg_power_w;
    double power_metric;            /* jm_mlperf_power_metric */
    char power_unit[16];
    char energy_source[JM_R_TEXT_MAX]; /* "rapl:package-0 (measured)" or "... (ESTIMATED)" */
    bool estimated;
    char rules[16];                 /* "quick" | "mlperf" */
    char joulemark_version[JM_R_NAME_MAX];
    /* cumulative energy samples covering the power window (from the sampler;
     * written to joulemark_power.csv so the power metric can be recomputed);
     * not owned; may be NULL */
    const struct jm_mlperf_power_sample *power_samples;
    size_t n_power_samples;
} jm_mlperf_run;

/* Writes mlperf_log_detail.txt and mlperf_log_summary.txt of one run into dir
 * (created). */
int jm_mlperf_write_logs(const jm_mlperf_run *run, const char *dir, char *err, size_t err_len);
/* Renders the detail / summary log text (caller frees). */
char *jm_mlperf_detail_text(const jm_mlperf_run *run, char *err, size_t err_len);
char *jm_mlperf_summary_text(const jm_mlperf_run *run, char *err, size_t err_len);

/* A parsed detail log: the key/value of every :::MLLOG line (values as cJSON). */
typedef struct jm_mlperf_log {
    cJSON *entries; /* owned: object key -> value (last value wins) */
    int n_lines, n_errors, n_warnings;
} jm_mlperf_log;
int jm_mlperf_log_parse(const char *text, jm_mlperf_log *out, char *err, size_t err_len);
int jm_mlperf_log_load(const char *path, jm_mlperf_log *out, char *err, size_t err_len);
void jm_mlperf_log_free(jm_mlperf_log *log);
const cJSON *jm_mlperf_log_get(const jm_mlperf_log *log, const char *key);
/* An unsigned integer value exactly (seeds exceed a double's 53 bits; events
 * are read by base's strict JSON reader, which keeps each number's text).
 * JM_R_EINVAL when the key is absent, JM_R_EPARSE when its value is not an
 * unsigned integer (a string, null, negative, fractional, too large). */
int jm_mlperf_log_get_u64(const jm_mlperf_log *log, const char *key, uint64_t *out);
/* A parsed summary log: "key : value" lines (key trimmed) into a cJSON object of strings. */
int jm_mlperf_summary_parse(const char *text, cJSON **out, char *err, size_t err_len);
/* Keys every detail log of the scenario carries (NULL-terminated). */
const char *const *jm_mlperf_required_keys(jm_scenario_kind scenario);

/* Accuracy mode outputs: accuracy.txt (metric lines then "hash=<sha256 of
 * mlperf_log_accuracy.json>") and mlperf_log_accuracy.json (<= 10 KiB, one
 * entry per checked sample; jm_scenario_accuracy in harness.h fills this). */
typedef struct jm_mlperf_accuracy {
    char benchmark[JM_R_NAME_MAX];
    uint64_t seed;            /* fixed seed of the sample set */
    int n_samples;
    double rel_err, tolerance;
    bool passed;
    int n_entries;            /* entries of the accuracy log (at most 64) */
    uint64_t entry_data[64];  /* per checked sample: the IEEE-754 bits of its relative error */
} jm_mlperf_accuracy;
int jm_mlperf_write_accuracy(const jm_mlperf_accuracy *acc, const char *dir, char *err,
                             size_t err_len);
/* SHA-256 of a buffer as 64 lower-case hex digits (for accuracy.txt's hash). */
void jm_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- carbon accounting (carbon.c; docs/carbon.md) ---- */
/* One grid region of configs/grid-carbon.json. */
typedef struct jm_grid_region {
    char id[JM_R_NAME_MAX];   /* "europe-north1", "FR" */
    char name[JM_R_NAME_MAX]; /* "Finland", "France" */
    char kind[16];            /* "cloud-region" | "country" */
    double g_per_kwh;         /* grid carbon intensity, gCO2e per kWh */
    double cfe_pct;           /* Google carbon-free energy %, NaN when not given */
    int year;                 /* year the figure describes */
    char source[JM_R_TEXT_MAX];
    char license[JM_R_NAME_MAX];
} jm_grid_region;

typedef struct jm_grid_table {
    int n;
    jm_grid_region *regions; /* owned */
} jm_grid_table;

int jm_grid_table_load(const char *path, jm_grid_table *t, char *err, size_t err_len);
void jm_grid_table_free(jm_grid_table *t);
/* Region by id (case-insensitive), or NULL. */
const jm_grid_region *jm_grid_table_find(const jm_grid_table *t, const char *id);
/* The few regions the HTML report shows (a copy of entries of
 * configs/grid-carbon.json, kept equal by a test): n is set. */
const jm_grid_region *jm_report_regions(int *n);

/* grams CO2e of energy_j joules drawn at the meter: J x PUE x g/kWh / 3.6e6 */
double jm_carbon_g(double energy_j, double pue, double g_per_kwh);
/* grams CO2e per million tokens at mj_per_token millijoules per token */
double jm_carbon_g_per_mtok(double mj_per_token, double pue, double g_per_kwh);

/* A training footprint in the form of Patterson et al. 2021, Table 4. */
typedef struct jm_training_preset {
    char name[JM_R_NAME_MAX];
    double chips, days, watts_per_chip, pue, kg_per_kwh;
    double paper_mwh, paper_tco2e; /* as published (NaN when not given) */
    char source[JM_R_TEXT_MAX];
} jm_training_preset;

typedef struct jm_footprint {
    double hours, mwh, tco2e;
} jm_footprint;

/* MWh = hours x chips x W x PUE / 1e6; tCO2e = MWh x (kg/kWh = t/MWh).
 * Returns JM_R_EINVAL (with err naming the input) for a negative or
 * non-finite input. */
int jm_training_footprint(const jm_training_preset *in, jm_footprint *out, char *err,
                          size_t err_len);
/* Loads configs/paper-presets.json: *out is malloc'd (free() it). */
int jm_training_presets_load(const char *path, jm_training_preset **out, int *n, char *err,
                             size_t err_len);

/* ---- MLPerf submission tree (submission_*.c) ---- */
/* Names that become folder names: letters, digits, '-', '_', '.'; not empty,
 * not "." or "..", at most 64 characters. what names the field in err. */
int jm_submission_name_check(const char *what, const char *name, char *err, size_t err_len);
/* Keys every systems/<system>.json must carry (NULL-terminated). */
extern const char *const jm_submission_system_keys[];
/* Keys every measurements/.../<system>_<scenario>.json must carry. */
extern const char *const jm_submission_measurement_keys[];
/* The MLPerf model a benchmark maps to by its kind ("moe" -> "mixtral-8x7b",
 * "dense" -> "llama2-70b-99"), or NULL. */
const char *jm_submission_model_for_kind(const char *kind);

#define JM_SUBMISSION_MAX_INPUTS 16
typedef struct jm_submission_opts {
    const char *results_dirs[JM_SUBMISSION_MAX_INPUTS];
    int n_results_dirs;
    const char *out_dir;      /* the tree is built in out_dir/open/<submitter> */
    const char *submitter;
    const char *system;
    const char *system_file;  /* user JSON with the keys the description cannot give; may be NULL */
    int n_maps;
    const char *maps[JM_SUBMISSION_MAX_INPUTS]; /* "benchmark=model" overrides */
    bool force;               /* replace an existing open/<submitter> */
} jm_submission_opts;
/* Builds open/<submitter>/ (systems, code, measurements, results,
 * model_mapping.json) from joulemark results directories that hold
 * results.json and mlperf/<benchmark>/<scenario>/{ranging,run_1,accuracy}/.
 * *n_packaged gets the number of benchmark/scenario pairs. */
int jm_submission_build(const jm_submission_opts *o, int *n_packaged, char *err,
                        size_t err_len);

/* Problems found by the validator, one message each (file, key, value, expected). */
typedef struct jm_check_problems {
    int n, cap;
    char **items;
} jm_check_problems;
void jm_check_problems_free(jm_check_problems *p);
void jm_check_problem(jm_check_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Validates a submission tree (the folder holding open/, or open/<submitter>).
 * Returns 0 when it could look (problems may still be found) or an error. */
int jm_submission_check(const char *dir, jm_check_problems *out, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* JM_REPORTS_H */
