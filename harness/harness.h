/* harness.h - the program: CLI subcommands, configuration, system description,
 * run rules and the runner. harness/ is the only layer that includes the
 * others (kernels, meters, reports); nothing includes harness/.
 *
 * Subcommands are one function each, `int jm_cmd_NAME(int argc, char **argv)`,
 * registered in command_table.c; argv[0] is the subcommand name. They return
 * one of the JM_EXIT_* codes and are the only place besides main() that prints.
 */
#ifndef JM_HARNESS_H
#define JM_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "kernels.h"
#include "meters.h"
#include "reports.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Process exit codes (documented in README.md and `joulemark --help`). */
enum {
    JM_EXIT_OK = 0,      /* success */
    JM_EXIT_INVALID = 1, /* the run finished but a result is invalid (or a check failed) */
    JM_EXIT_USAGE = 2,   /* bad command line or configuration */
    JM_EXIT_SYSTEM = 3   /* meter, system or I/O error */
};

/* ---- subcommands (command_table.c) ---- */
typedef struct jm_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} jm_command;
const jm_command *jm_command_table(void); /* terminated by {NULL} */
const char *jm_version_string(void);      /* "0.1.0 (git abc123)" */

int jm_cmd_run(int argc, char **argv);
int jm_cmd_measure(int argc, char **argv);
int jm_cmd_sysinfo(int argc, char **argv);
int jm_cmd_meters(int argc, char **argv);
int jm_cmd_bench(int argc, char **argv);
int jm_cmd_report(int argc, char **argv);
int jm_cmd_compare(int argc, char **argv);
int jm_cmd_carbon(int argc, char **argv);
int jm_cmd_package(int argc, char **argv);
int jm_cmd_check(int argc, char **argv);
int jm_cmd_power(int argc, char **argv);

/* ---- system description (sysinfo.c) ---- */
/* hwloc topology + /proc + uname: CPU model, packages, cores, PUs, caches,
 * memory, OS, kernel, virtualisation, compiler, build flags. Never fails:
 * fields it cannot learn are null with a reason. */
cJSON *jm_system_describe(void);
/* Cache sizes in bytes from hwloc (0 when unknown). */
typedef struct jm_cache_sizes {
    size_t l1d, l2, l3;
    int cores, pus, packages;
} jm_cache_sizes;
void jm_system_caches(jm_cache_sizes *out);
/* Binds the calling OpenMP team's threads one per core (hwloc). Returns 0 or
 * -1 with a reason when binding is not possible (not an error). */
int jm_pin_omp_threads(int threads, char *reason, size_t reason_len);

/* ---- configuration (config.c; schema in docs/config.md) ---- */
#define JM_CFG_MAX_WORKLOADS 64
#define JM_CFG_MAX_METERS 16
#define JM_CFG_MAX_COMPARISONS 64
#define JM_CFG_NAME_MAX 64
#define JM_CFG_PATH_MAX 1024

typedef struct jm_run_rules {
    char name[16];        /* "default" | "quick" | "mlperf" */
    double idle_s;        /* idle baseline length */
    double warmup_s;      /* warm-up per workload (at least one batch) */
    double duration_s;    /* minimum length of each testing run */
    int repeats;          /* testing runs per workload */
    int min_batches;      /* minimum whole batches per testing run */
    int threads;          /* 0 = every core hwloc reports */
    int min_samples;      /* fewer meter samples inside a run makes it invalid */
    bool verify;          /* accuracy check against the fp64 reference */
    unsigned interval_ms; /* sampler interval override (0 = each meter's default) */
} jm_run_rules;

typedef struct jm_workload_config {
    char name[JM_CFG_NAME_MAX];
    jm_workload_shape shape;
} jm_workload_config;

typedef struct jm_comparison_config {
    char baseline[JM_CFG_NAME_MAX], candidate[JM_CFG_NAME_MAX];
} jm_comparison_config;

/* One MLPerf scenario to run every workload under (config "scenarios"). */
typedef struct jm_scenario_config {
    jm_scenario_kind kind;
    double target_qps;        /* Server: arrival rate; Offline: expected samples/s (0 = default) */
    double target_latency_ms; /* Server: latency bound (0 = LoadGen's default) */
} jm_scenario_config;

typedef struct jm_config {
    char path[JM_CFG_PATH_MAX]; /* file it came from ("" for text) */
    char name[JM_CFG_NAME_MAX];
    char description[512];
    char output_dir[JM_CFG_PATH_MAX]; /* "" = results/<UTC stamp> */
    char primary_meter[32];           /* "" = first available measured meter */
    double carbon_pue;                /* 0 = not given (carbon accounting uses 1.0) */
    char carbon_region[64];           /* grid region id for CO2e, "" = not given */
    jm_run_rules rules;
    int n_meters;
    char meters[JM_CFG_MAX_METERS][512]; /* meter specs "name:key=value,..." */
    int n_workloads;
    jm_workload_config workloads[JM_CFG_MAX_WORKLOADS];
    int n_comparisons;
    jm_comparison_config comparisons[JM_CFG_MAX_COMPARISONS];
    int n_scenarios; /* 0: plain repeated runs only */
    jm_scenario_config scenarios[JM_SCENARIO_COUNT];
    cJSON *json; /* owned: the config as loaded (written into results.json) */
} jm_config;

/* Parse and validate. Errors name the file, the JSON path, the value and what
 * was expected; unknown keys suggest the nearest valid key. */
int jm_config_load(const char *path, jm_config *cfg, char *err, size_t err_len);
int jm_config_parse(const char *text, const char *path, jm_config *cfg, char *err,
                    size_t err_len);
/* The same without the checks of this machine (a "cuda" or "openblas" backend
 * it cannot run): for `run --dry-run`, which reports those as warnings. */
int jm_config_load_for_plan(const char *path, jm_config *cfg, char *err, size_t err_len);
void jm_config_free(jm_config *cfg);
/* Shortens every duration for a smoke run (results marked quick). */
void jm_config_apply_quick(jm_config *cfg);
/* Replaces the scenario list (from --scenario options: "Offline",
 * "Server:qps=2,latency_ms=5000", ...). */
int jm_config_set_scenarios(jm_config *cfg, char *const *specs, int n, char *err, size_t err_len);
/* Sets the run rules preset ("default", "quick", "mlperf"; from --rules). */
int jm_config_set_preset(jm_config *cfg, const char *name, char *err, size_t err_len);
/* Replaces the meter list (from --meter options). */
int jm_config_set_meters(jm_config *cfg, char *const *specs, int n, char *err, size_t err_len);
/* configs/NAME, searched in $JOULEMARK_CONFIG_DIR, ./configs, the source tree's configs/,
 * share/joulemark/configs beside the binary's install prefix, /usr/local/share/joulemark/configs
 * (config_path.c). Returns 0 with out set, or -1 with out = "configs/NAME". */
int jm_config_find(const char *name, char *out, size_t len);
/* jm_config_find("default.json"). */
const char *jm_default_config_path(void);

/* ---- the runner (runner.c and its parts run_*.c: run.h) ---- */
typedef struct jm_run_options {
    bool quick;         /* results marked quick (durations already shortened) */
    bool progress_tty;  /* redraw progress lines in place */
    FILE *log;          /* progress lines (stderr by default); NULL = silent */
    /* Meters opened by the caller (tests' scripted meters, embedders): used
     * before the config's meters, owned and closed by the caller. */
    jm_meter *preopened;
    int n_preopened;
} jm_run_options;

/* Set from a SIGINT/SIGTERM handler; the runner stops at the next batch. */
extern volatile sig_atomic_t jm_interrupted;
void jm_install_interrupt_handlers(void);

/* What outlives a run for its outputs: the open meters, the stopped sampler,
 * the scenario engine's records. */
typedef struct jm_run_session jm_run_session;

/* Runs cfg: system description, meters, idle baseline, per workload ranging
 * and testing runs with the sampler, accuracy check, scenario runs; fills res
 * (which the caller then writes). Writes no file. When session is not NULL
 * it receives the run's session (free it with jm_run_session_free, after
 * jm_run_write_outputs). Returns JM_EXIT_OK, JM_EXIT_SYSTEM (no meter, meter
 * or workload creation failed: err says why) or JM_EXIT_USAGE. An
 * interrupted run returns JM_EXIT_OK with res->complete false. */
int jm_runner_execute(jm_config *cfg, const jm_run_options *opt, jm_results *res,
                      jm_run_session **session, char *err, size_t err_len);
/* Writes what needs the session under out_dir: mlperf/<workload>/<Scenario>/
 * (LoadGen logs, power and accuracy files of the scenario runs) and
 * meters/<meter>/ (each meter's raw logs). Returns 0, or -1 when some could
 * not be written (each named on log). */
int jm_run_write_outputs(const jm_run_session *s, const jm_results *res, const char *out_dir,
                         FILE *log);
void jm_run_session_free(jm_run_session *s);

/* The primary-meter rule (run_plan.c), one place for the runner and the
 * dry run: the config's primary_meter when it names one, else the first
 * available measured meter; with none measured, the first available one. */
bool jm_meter_is_primary_choice(const jm_config *cfg, const jm_meter *m);
/* `run --dry-run`: prints the plan of a loaded config to out (workloads,
 * meters opened and closed, primary, rules, expected duration). Returns
 * JM_EXIT_OK, or JM_EXIT_USAGE with err for a bad meter spec. What this
 * machine lacks is printed as a warning, not an error. */
int jm_run_print_plan(const jm_config *cfg, const char *config_path, const char *out_dir,
                      bool out_dir_refused, FILE *out, char *err, size_t err_len);

/* ---- small shared helpers (util.c) ---- */
/* Levenshtein distance, for "did you mean" suggestions. */
int jm_edit_distance(const char *a, const char *b);
/* Nearest of a NULL-terminated list, or NULL when nothing is close. */
const char *jm_nearest(const char *word, const char *const *candidates);
/* Current UTC time as "2026-11-27T14:46:24Z" and as a folder-safe stamp "20261127T144624Z". */
void jm_utc_iso(char *buf, size_t len);
void jm_utc_stamp(char *buf, size_t len);
/* A progress line on log (flushed); nothing when log is NULL. */
__attribute__((format(printf, 2, 3))) void jm_log(FILE *log, const char *fmt, ...);
/* 1 when dir exists and holds any entry, 0 when absent or empty, -1 when it
 * is not a directory. */
int jm_dir_state(const char *dir);
/* The output directory of run/measure: refuses one that holds files unless
 * force (then removes what joulemark writes there), creates it, checks it is
 * writable. Returns JM_EXIT_OK, JM_EXIT_USAGE or JM_EXIT_SYSTEM (err says why). */
int jm_prepare_output_dir(const char *dir, bool force, char *err, size_t err_len);
/* The exit code of run/measure once results are written: JM_EXIT_INVALID (and a line on stderr
 * naming `command`) when the run was interrupted or any run is invalid, else JM_EXIT_OK. */
int jm_results_exit_code(const jm_results *res, const char *command);
/* Removes a file or a directory tree (absent is success). Returns 0 or -1 (errno). */
int jm_remove_tree(const char *path);

/* ======================================================================
 * MLPerf scenario engine and run rules (owner: MLPerf engineer; files
 * harness/scenario*.c, harness/run_rules*.c). A LoadGen-compatible engine:
 * it issues queries to a synchronous SUT callback under one scenario and
 * fills jm_scenario_result (reports.h) as LoadGen computes it. Single worker
 * queue: the SUT runs one call at a time; for Server each query's latency is
 * completion - scheduled Poisson arrival, so queuing counts. Not thread-safe
 * per result; the engine itself starts no threads. See docs/scenarios.md.
 * ====================================================================== */
/* Runs n_samples samples to completion; returns 0 or non-zero with err filled. */
typedef int (*jm_sut_issue_fn)(void *ctx, int n_samples, char *err, size_t err_len);

/* Clock used by the engine; NULL fields = CLOCK_MONOTONIC and
 * clock_nanosleep (tests pass a virtual clock). */
typedef struct jm_scenario_clock {
    void *ctx;
    uint64_t (*now_ns)(void *ctx);
    void (*sleep_until_ns)(void *ctx, uint64_t t_ns);
} jm_scenario_clock;

typedef struct jm_sut {
    void *ctx;
    jm_sut_issue_fn issue;
    const volatile sig_atomic_t *stop; /* optional: non-zero stops the run (marked interrupted) */
    jm_scenario_clock clock;  /* optional */
} jm_sut;

/* A ready SUT over a workload (scenario_sut.c): issue(n) runs n samples in
 * chunks of at most batch_seqs and sums the kernels' statistics in `total`.
 * Use: jm_workload_sut ws = {.w = w}; jm_sut sut = {.ctx = &ws,
 * .issue = jm_workload_sut_issue}; */
typedef struct jm_workload_sut {
    jm_workload *w;
    jm_run_stats total; /* tokens, dropped tokens, phase times over all calls */
    uint64_t calls;
} jm_workload_sut;
int jm_workload_sut_issue(void *ctx, int n_samples, char *err, size_t err_len);

/* LoadGen's defaults for a scenario (min_duration 10 s, min queries 100,
 * samples per query 8 for MultiStream, percentile 0.90 / 0.99, ...). */
void jm_scenario_settings_default(jm_scenario_kind scenario, jm_scenario_settings *s);
int jm_scenario_settings_check(const jm_scenario_settings *s, char *err, size_t err_len);
/* Offline: the number of samples in the single query, as LoadGen sizes it:
 * max(min_query_count, 1.1 x min_duration x target_qps). */
uint64_t jm_scenario_offline_sample_count(const jm_scenario_settings *s);
/* LoadGen's effective settings from requested ones (idempotent): Offline
 * coalesces into one query of jm_scenario_offline_sample_count samples and
 * min_query_count 1; SingleStream and Server issue 1 sample per query. */
void jm_scenario_settings_effective(const jm_scenario_settings *requested,
                                    jm_scenario_settings *effective);
/* Runs the scenario. On return *s holds the effective settings (what the
 * logs must show). out is initialised here (free with
 * jm_scenario_result_free). Returns 0 (the run may still be invalid: see
 * out->valid) or -1 for bad settings, a SUT failure or no memory (err). */
int jm_scenario_run(jm_scenario_settings *s, const jm_sut *sut, jm_scenario_result *out,
                    char *err, size_t err_len);
/* From raw latencies and times in r: statistics, early stopping, metrics and
 * validity (called by jm_scenario_run; public for tests and replays). */
int jm_scenario_result_finish(const jm_scenario_settings *s, jm_scenario_result *r, char *err,
                              size_t err_len);

/* Poisson arrival schedule of the Server scenario: n arrival times (ns from
 * start) at rate qps from seed (xoshiro256** seeded by splitmix64). */
void jm_poisson_schedule(uint64_t seed, double qps, uint64_t *t_ns, size_t n);
/* Deterministic generator used by the engine (exposed for tests). */
typedef struct jm_rng {
    uint64_t s[4];
} jm_rng;
void jm_rng_seed(jm_rng *r, uint64_t seed);
uint64_t jm_rng_next(jm_rng *r);
double jm_rng_uniform(jm_rng *r); /* [0, 1) with 53 bits */

/* LoadGen's early stopping (binomial test, confidence 0.99, tolerance 0).
 * odds: probability of t or fewer overlatency queries in h + t queries at
 * percentile p with tolerance d. min_passing: smallest h with odds < 1 - c. */
double jm_early_stopping_odds(int64_t h, int64_t t, double p, double d);
int64_t jm_early_stopping_min_passing(int64_t t, double p, double d, double c);
/* Percentile estimate for n queries at percentile p: returns false when n is
 * below the minimum (min_queries gets it); otherwise t such that the estimate
 * is the (n - t)-th smallest latency (0-based index n - t). */
bool jm_early_stopping_estimate(int64_t n, double p, int64_t *t, int64_t *min_queries);

/* From a finished run to its MLPerf logs (scenario_mlperf.c). */
/* CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns: add it to a monotonic time to
 * get Unix (UTC) time. */
int64_t jm_mono_to_unix_offset_ns(void);
/* Power file samples of one meter from the sampler's stored points: the sum
 * of the given domains' cumulative energy at every point inside [t0, t1]
 * plus the last point at or before t0 and the first at or after t1, in UTC
 * (monotonic + offset). *out is malloc'ed (caller frees). Fails when the
 * points do not cover the window. */
int jm_scenario_power_samples(const jm_sampler_point *points, size_t n_points,
                              const int *domains, int n_domains, uint64_t t0_ns, uint64_t t1_ns,
                              int64_t mono_to_unix_ns, jm_mlperf_power_sample **out, size_t *n_out,
                              char *err, size_t err_len);
/* Fills *run for jm_mlperf_write_logs from a finished run: names, effective
 * settings, result (not copied: keep it alive), UTC start and power window =
 * the run [t_start, t_end], and when has_energy the energy, average power and
 * the scenario's power metric. power_samples are left for the caller. */
int jm_scenario_mlperf_run(jm_mlperf_run *run, const char *benchmark, const char *phase,
                           const char *rules, const jm_scenario_settings *s,
                           const jm_scenario_result *r, int64_t mono_to_unix_ns, bool has_energy,
                           double energy_j, const char *energy_source, bool estimated, char *err,
                           size_t err_len);

/* Accuracy mode (scenario_accuracy.c): n_samples samples (1..64) checked
 * against the fp64 reference, sample i on fresh inputs from seed + i; fills
 * the per-sample entries (bits of each relative error), the max relative
 * error, the workload's tolerance and pass/fail. */
int jm_scenario_accuracy(jm_workload *w, const char *benchmark, uint64_t seed, int n_samples,
                         jm_mlperf_accuracy *out, char *err, size_t err_len);

/* Run rules: "quick" (short, not compliant) and "mlperf" (600 s, LoadGen's
 * min query counts, the MLPerf fixed seeds, ranging run then testing run). */
#define JM_MLPERF_QSL_RNG_SEED 1780908523862526354ULL
#define JM_MLPERF_SAMPLE_INDEX_RNG_SEED 14771362308971278857ULL
#define JM_MLPERF_SCHEDULE_RNG_SEED 18209322760996052031ULL
typedef enum { JM_MLPERF_RULES_QUICK = 0, JM_MLPERF_RULES_MLPERF = 1 } jm_mlperf_rules;
int jm_mlperf_rules_from_name(const char *name, jm_mlperf_rules *out, char *err, size_t err_len);
const char *jm_mlperf_rules_name(jm_mlperf_rules rules);
bool jm_mlperf_rules_compliant(jm_mlperf_rules rules);
/* Settings of the ranging run (the first of the two runs) for a scenario. */
void jm_mlperf_rules_settings(jm_mlperf_rules rules, jm_scenario_kind scenario,
                              jm_scenario_settings *s);
/* Settings of the testing run from the ranging run's settings and result:
 * Offline expected QPS = ranging samples/s; SingleStream expected latency =
 * ranging p90; Server and MultiStream keep their targets. */
void jm_mlperf_rules_testing_settings(const jm_scenario_settings *ranging,
                                      const jm_scenario_result *ranging_result,
                                      jm_scenario_settings *testing);

#ifdef __cplusplus
}
#endif
#endif /* JM_HARNESS_H */
