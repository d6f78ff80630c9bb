/* meters.h - public contract of the energy layer: meters and the sampler thread.
 *
 * meters/ returns joules over time and knows nothing of kernels, JSON, reports
 * or the harness. Every energy source is one `jm_meter_ops` instance in its own
 * file, registered in one table (meter_table.c). A meter that does not exist
 * on this machine is "unavailable: <reason>" (JM_M_UNAVAILABLE), which is not
 * an error; a bad option is (JM_M_EOPTION). Nothing here prints or exits.
 *
 * Units: energy in joules (double, cumulative, wrap-corrected, monotonic),
 * power in watts, time in ns of CLOCK_MONOTONIC.
 * Thread safety: a jm_meter is read by one thread at a time (the sampler once
 * started). The sampler's query functions may be called after jm_sampler_stop.
 */
#ifndef JM_METERS_H
#define JM_METERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    JM_M_OK = 0,
    JM_M_UNAVAILABLE = 1, /* meter absent here; reason filled (not an error) */
    JM_M_EOPTION = -1,    /* bad meter name/option: a usage error */
    JM_M_EIO = -2,        /* a read failed (meter failed mid-run) */
    JM_M_ENOMEM = -3,
    JM_M_ESTATE = -4      /* called in the wrong state */
};

#define JM_METER_MAX_DOMAINS 32
#define JM_METER_NAME_MAX 64
#define JM_METER_MAX_OPTIONS 16
#define JM_METER_REASON_MAX 512

typedef enum { JM_METER_MEASURED = 0, JM_METER_ESTIMATED = 1 } jm_meter_kind;
/* What read() returns: cumulative energy (counters) or instantaneous power
 * (analyzers, NVML power); the sampler integrates power into energy. */
typedef enum { JM_METER_ENERGY = 0, JM_METER_POWER = 1 } jm_meter_quantity;

/* "NAME[:KEY=VALUE,...]" as given on the command line or in the config. */
typedef struct jm_meter_option {
    char key[32];
    char value[256];
} jm_meter_option;

typedef struct jm_meter_spec {
    char name[32];
    int n_options;
    jm_meter_option options[JM_METER_MAX_OPTIONS];
} jm_meter_spec;

/* Parses "rapl:root=/tmp/x,interval_ms=20". Errors name the offending part. */
int jm_meter_spec_parse(const char *text, jm_meter_spec *out, char *err, size_t err_len);
/* Option lookup; returns NULL when absent. */
const char *jm_meter_spec_get(const jm_meter_spec *spec, const char *key);

/* What part of the machine a domain measures; set by the meter that reports
 * it (never guessed by the harness from a name). The containment rule
 * (jm_meter_energy_domains) works on these types, not on folder nesting. */
typedef enum jm_domain_type {
    JM_DOMAIN_OTHER = 0, /* unclassified (a CSV column, a model): apart from the rest */
    JM_DOMAIN_PACKAGE,   /* a CPU package or die: contains its core, uncore, graphics */
    JM_DOMAIN_CORE,      /* the cores of a package (RAPL PP0) */
    JM_DOMAIN_UNCORE,    /* the uncore of a package (RAPL PP1) */
    JM_DOMAIN_GRAPHICS,  /* the integrated graphics of a package */
    JM_DOMAIN_DRAM,      /* memory: apart from the package, even where sysfs nests it */
    JM_DOMAIN_PSYS,      /* the whole platform: contains the packages and memory */
    JM_DOMAIN_DEVICE,    /* a separate device board (a GPU seen by NVML) */
    JM_DOMAIN_WALL       /* an analyzer channel at the wall socket */
} jm_domain_type;

typedef struct jm_domain_role {
    jm_domain_type type;
    bool mirror;      /* reads again the counter of the same-named domain without the
                       * "-mmio" suffix (an intel-rapl-mmio zone mirroring its MSR zone) */
    bool estimated;   /* a modelled series inside a meter that also has measured ones
                       * (the replay of a trace.csv recorded with the estimate beside) */
    char group[32];   /* replay: the recorded meter the series came from ("" = this meter) */
} jm_domain_role;

typedef struct jm_meter_info {
    jm_meter_kind kind;
    jm_meter_quantity quantity;
    int n_domains;
    char domains[JM_METER_MAX_DOMAINS][JM_METER_NAME_MAX]; /* "package-0", "dram-0", "gpu0", "wall" */
    jm_domain_role roles[JM_METER_MAX_DOMAINS]; /* set by the meter; zero = OTHER */
    double resolution_j;          /* smallest energy step (0 when unknown) */
    unsigned update_period_ms;    /* how often the source itself updates */
    unsigned default_interval_ms; /* sampling interval the sampler uses by default */
    char source[512];             /* where it reads from, e.g. "/sys/class/powercap" */
    char model[512];              /* estimate meters: the model, its parameters and their sources */
} jm_meter_info;

typedef struct jm_meter_sample {
    uint64_t t_ns;                        /* CLOCK_MONOTONIC */
    double value[JM_METER_MAX_DOMAINS];   /* joules (ENERGY) or watts (POWER) */
} jm_meter_sample;

typedef struct jm_meter_ops {
    const char *name;    /* "rapl", "perf", "msr", "nvml", "ptd", "replay", "estimate" */
    const char *summary; /* one line for `joulemark meters` */
    /* What this meter is, also when it cannot be opened here: an estimate
     * model or a measurement (an open meter's info.kind may say more, e.g. a
     * replayed estimate). Zero (JM_METER_MEASURED) for hardware meters. */
    jm_meter_kind kind;
    const char *const *option_keys; /* NULL-terminated list of accepted keys */
    /* Returns JM_M_OK, JM_M_UNAVAILABLE (reason says why and the fix) or JM_M_EOPTION. */
    int (*open)(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                size_t reason_len);
    int (*read)(void *state, jm_meter_sample *out, char *err, size_t err_len);
    /* Optional: phase boundaries ("idle", "warmup", "ranging", "testing", ...) of
     * a workload ("" when the mark names none; for "begin:testing:moe:run2" it is
     * "moe", for "begin:testing:moe:Offline" "moe:Offline"); begin=false ends it.
     * An analyzer ranges each workload and applies its ranges here. A begin
     * returns once the meter measures the phase (see the window contract). */
    int (*phase)(void *state, const char *phase, const char *workload, bool begin, char *err,
                 size_t err_len);
    /* Optional: write the meter's own raw logs (e.g. spl.txt, ptd log) into dir. */
    int (*export_logs)(void *state, const char *dir, char *err, size_t err_len);
    void (*close)(void *state);
    /* Optional, for meters whose reads interpolate between the source's own
     * measurement points (a replayed trace): the number of those points of
     * `domain` strictly inside [t0_ns, t1_ns] (CLOCK_MONOTONIC, as read()
     * reports time) and the largest gap between consecutive points covering
     * that window. Without it the sampler's reads are the meter's points. */
    int (*source_points)(void *state, int domain, uint64_t t0_ns, uint64_t t1_ns,
                         size_t *n_inside, uint64_t *max_gap_ns);
} jm_meter_ops;

/* The registry: NULL-terminated table of every meter built in. */
const jm_meter_ops *const *jm_meter_table(void);
const jm_meter_ops *jm_meter_find(const char *name);

typedef struct jm_meter {
    const jm_meter_ops *ops;
    void *state;
    jm_meter_spec spec;
    jm_meter_info info;
    bool available;
    char reason[JM_METER_REASON_MAX]; /* why unavailable */
} jm_meter;

/* Opens the meter named in spec. JM_M_UNAVAILABLE leaves m->available false
 * and m->reason set; JM_M_EOPTION fills err. */
int jm_meter_open(const jm_meter_spec *spec, jm_meter *m, char *err, size_t err_len);
int jm_meter_read(jm_meter *m, jm_meter_sample *out, char *err, size_t err_len);
void jm_meter_close(jm_meter *m);
const char *jm_meter_kind_name(jm_meter_kind k); /* "measured" | "estimated" */

/* ------------------------------------------------- the domain rule --- */
/* Which domains of a meter make up its energy, without counting any energy
 * twice. One rule for every meter (replay included), on the domain types:
 * - several series recorded by different meters (replay): only the first
 *   recorded meter with a measured series counts; the others are beside it;
 *   an estimated series is beside measured ones;
 * - a mirror (MMIO zone) is left out: its MSR zone is the same counter;
 * - a name seen twice in one group is counted once;
 * - packages (each package or die once) + dram: the processor and memory;
 *   core/uncore/graphics lie inside their package, psys (the whole platform)
 *   and other parts are reported beside;
 * - else psys, the whole platform (core/uncore/graphics inside it);
 * - else every remaining domain (GPUs, analyzer channels, CSV columns), each
 *   apart from the others. */
#define JM_DOMAIN_WHY_MAX 160
typedef struct jm_domain_choice {
    int n_summed;
    bool summed[JM_METER_MAX_DOMAINS];
    char why[JM_METER_MAX_DOMAINS][JM_DOMAIN_WHY_MAX]; /* why summed, or why left out */
} jm_domain_choice;
/* Fills out for info's domains; returns n_summed (0 only when no domain). */
int jm_meter_energy_domains(const jm_meter_info *info, jm_domain_choice *out);
/* "package", "core", "uncore", "graphics", "dram", "psys", "device", "wall", "other" */
const char *jm_domain_type_name(jm_domain_type t);
/* Role of a domain from the names a meter of kind `meter` gives ("rapl", "perf",
 * "msr": RAPL domain names; "nvml": GPUs; "ptd": wall; "estimate": modelled;
 * anything else: the RAPL vocabulary, GPUs as devices). A "meter:domain" name
 * (trace.csv series) is split and its group set. Used by the meters that
 * name domains from a fixed vocabulary and by replay. */
void jm_domain_role_of(const char *meter, const char *name, jm_domain_role *role);

/* ------------------------------------------------------------- sampler --- */

typedef struct jm_sampler jm_sampler;

typedef struct jm_sampler_config {
    unsigned interval_ms; /* 0 = each meter's default_interval_ms (option interval_ms overrides) */
} jm_sampler_config;

/* One stored sample: cumulative joules per domain (power meters integrated by
 * the trapezoid rule) and the power over the preceding interval. */
typedef struct jm_sampler_point {
    uint64_t t_ns;
    double energy_j[JM_METER_MAX_DOMAINS];
    double power_w[JM_METER_MAX_DOMAINS];
} jm_sampler_point;

/* A phase mark. (Named jm_mark, not jm_sampler_mark: that name is the function.) */
typedef struct jm_mark {
    uint64_t t_ns;
    char label[64]; /* e.g. "begin:testing:moe-layer:run2" */
} jm_mark;

typedef struct jm_energy_window {
    double energy_j;       /* interpolated over [t0, t1] */
    size_t n_samples;      /* samples strictly inside the window */
    uint64_t max_gap_ns;   /* largest gap between consecutive samples covering it
                            * (the source's own points where the meter has them) */
    bool covered;          /* samples exist at or beyond both ends */
} jm_energy_window;

/* Meters must be open and available; they stay owned by the caller and must
 * outlive the sampler. */
int jm_sampler_create(jm_meter *meters, int n_meters, const jm_sampler_config *cfg,
                      jm_sampler **out, char *err, size_t err_len);
int jm_sampler_start(jm_sampler *s, char *err, size_t err_len);
/* Records a mark with one synchronous sample of every meter at its time, and
 * forwards "begin:"/"end:" labels to the meters' ops->phase. The window contract:
 * - "begin:PHASE[:WORKLOAD[:runN]]": the meters' phase handling comes FIRST (an
 *   analyzer's range change, settle wait, Go, and the wait until Go is
 *   acknowledged and its first sample after Go has arrived), and only then is
 *   the mark's time taken and every meter sampled: *t_ns, the window's start,
 *   lies after every meter measures the phase, and the meters' first point at
 *   or after it is a reading of the phase (never a pre-Go reading);
 * - "end:...": the time is taken and every meter sampled FIRST, then the
 *   meters' phase handling (an analyzer's Stop) runs outside the window;
 * - other labels: time and sample only.
 * While a meter handles a phase the sampler thread does not read it; the other
 * meters keep being sampled. A phase failure marks that meter failed (its
 * message says why) and the mark is still recorded. */
int jm_sampler_mark(jm_sampler *s, const char *label, uint64_t *t_ns, char *err,
                    size_t err_len);
int jm_sampler_stop(jm_sampler *s);
void jm_sampler_destroy(jm_sampler *s);

int jm_sampler_energy(const jm_sampler *s, int meter, int domain, uint64_t t0_ns,
                      uint64_t t1_ns, jm_energy_window *out);
size_t jm_sampler_count(const jm_sampler *s, int meter);
const jm_sampler_point *jm_sampler_points(const jm_sampler *s, int meter);
size_t jm_sampler_mark_count(const jm_sampler *s);
const jm_mark *jm_sampler_marks(const jm_sampler *s);
/* A meter whose read failed stops being sampled; its data so far is kept. */
bool jm_sampler_meter_failed(const jm_sampler *s, int meter, const char **message,
                             uint64_t *failed_at_ns);
/* CPU time used by the sampler thread so far (overhead). */
uint64_t jm_sampler_cpu_ns(const jm_sampler *s);

/* jm_now_ns (CLOCK_MONOTONIC in ns) comes from base.h. */

/* Sampling interval the sampler uses for a meter: the meter's option
 * interval_ms, else cfg->interval_ms when non-zero, else the meter's
 * info.default_interval_ms. */
unsigned jm_sampler_interval_ms(const jm_sampler *s, int meter);

/* Notes on the sampler's stored points (jm_sampler_points):
 * - energy_j is cumulative from the meter's first sample (0 J there).
 * - power_w: power meters store the watts read; energy meters the average
 *   power since the previous point (0 on the first point).
 * - jm_sampler_points/jm_sampler_marks return pointers that stay valid only
 *   until the next sample: read them after jm_sampler_stop.
 * - jm_sampler_mark forwards labels "begin:PHASE[:...]" / "end:PHASE[:...]"
 *   to ops->phase(PHASE, WORKLOAD, begin) in the order of the window contract;
 *   a phase() failure marks that meter failed.
 * - A mark may be taken before start and after stop (it samples synchronously). */

/* ------------------------------------------------------ estimate model --- */
/* The "estimate" meter's default cpus: the CPUs this process may run on. Its
 * default watts come from published per-CPU figures (meter_estimate.c). */
long jm_estimate_default_cpus(void);

/* ---------------------------------------------------- hardware counters --- */
/* Cycles, instructions and, where the PMU offers them, FP arithmetic events,
 * encoded by libpfm4 and counted with perf_event for this process and the
 * threads it creates AFTER jm_counters_open (inherit): open before starting
 * worker (OpenMP) threads. User-mode only. No hardware PMU (VMs) is
 * JM_M_UNAVAILABLE with the reason, never an error. */
#define JM_COUNTERS_MAX 12
typedef struct jm_counter_values {
    int n;
    char names[JM_COUNTERS_MAX][64];        /* "cycles", "instructions", libpfm4 names */
    double value[JM_COUNTERS_MAX];          /* counts since open, scaled for multiplexing */
    double flops_per_count[JM_COUNTERS_MAX]; /* > 0 for FP arithmetic events */
} jm_counter_values;
typedef struct jm_counters jm_counters;
int jm_counters_open(jm_counters **out, char *reason, size_t reason_len);
int jm_counters_read(jm_counters *c, jm_counter_values *out, char *err, size_t err_len);
void jm_counters_close(jm_counters *c);
/* Floating-point operations from the FP events; false when none was counted. */
bool jm_counters_flops(const jm_counter_values *v, double *flops);
/* A named count ("cycles", "instructions"); false when absent. */
bool jm_counters_get(const jm_counter_values *v, const char *name, double *value);

/* ------------------------------------------------------ replay traces --- */
/* A recorded trace: PTDaemon spl.txt (times in UTC epoch ns; domain "wall"),
 * joulemark's trace.csv (long format t_s,t_ns,meter,domain,kind,energy_j,...:
 * one cumulative-energy series "meter:domain" each, times = t_ns), a wide CSV
 * (header with a time column t_s/t_ns/time_s/timestamp/time and *_w power or
 * *_j cumulative-energy columns; empty cells skipped) or a headerless CSV of
 * timestamp_s,watts. The "replay" meter plays one on the monotonic clock;
 * these functions compute over it directly (times in the trace's own base). */
typedef struct jm_replay_trace jm_replay_trace;
/* JM_M_UNAVAILABLE when the file does not exist; JM_M_EOPTION when malformed. */
int jm_replay_load(const char *path, jm_replay_trace **out, char *err, size_t err_len);
void jm_replay_free(jm_replay_trace *t);
int jm_replay_domains(const jm_replay_trace *t);
const char *jm_replay_domain_name(const jm_replay_trace *t, int d);
bool jm_replay_is_power(const jm_replay_trace *t); /* false: cumulative joules */
/* True when every series of a replayed trace.csv was itself estimated (kind
 * column): a replayed estimate stays an estimate; one estimated series beside
 * measured ones does not make the trace estimated. */
bool jm_replay_is_estimated(const jm_replay_trace *t);
/* True when series d was estimated. */
bool jm_replay_domain_estimated(const jm_replay_trace *t, int d);
size_t jm_replay_count(const jm_replay_trace *t, int d);
const uint64_t *jm_replay_times(const jm_replay_trace *t, int d);
const double *jm_replay_values(const jm_replay_trace *t, int d);
/* spl.txt samples of domain d with Watts <= 0 (analyzer -1 markers): MLPerf's
 * rule drops them, so they are not in the series; this counts them. */
size_t jm_replay_nonpositive(const jm_replay_trace *t, int d);
/* Linear interpolation, clamped to the first/last sample. */
double jm_replay_value_at(const jm_replay_trace *t, int d, uint64_t t_ns);
/* MLPerf power rule: mean of the positive samples strictly inside (t0, t1).
 * JM_M_ESTATE when none (or an energy trace). */
int jm_replay_mean_power(const jm_replay_trace *t, int d, uint64_t t0_ns, uint64_t t1_ns,
                         double *mean_w, size_t *n_used);
/* Energy over [t0, t1]: trapezoid over power samples, or the counter difference. */
int jm_replay_energy(const jm_replay_trace *t, int d, uint64_t t0_ns, uint64_t t1_ns,
                     double *energy_j);
/* The "MM-DD-YYYY HH:MM:SS.mmm" stamp (UTC, PTDaemon and LoadGen power_begin)
 * at the start of text -> epoch ns (base.h's jm_time_stamp_parse; times
 * before 1970 refused). Text after the stamp is the caller's to check. */
int jm_ptd_time_parse(const char *text, uint64_t *ns);

/* ------------------------------------------------- GPUs seen by NVML --- */
/* One GPU as NVML describes it; 0 means NVML did not report the field. */
typedef struct jm_gpu_desc {
    unsigned index;
    char name[96];
    uint64_t memory_bytes;      /* total device memory */
    unsigned sm_clock_max_mhz;  /* maximum SM clock */
    unsigned mem_clock_max_mhz; /* maximum memory clock */
    double power_limit_w;       /* power management limit */
} jm_gpu_desc;

/* Lists up to max GPUs through NVML (dlopen of lib, NULL = libnvidia-ml.so.1);
 * *n = the number filled. Returns JM_M_OK, or JM_M_UNAVAILABLE with *n = 0 and
 * reason saying why (no library, symbol missing, driver not loaded). */
int jm_nvml_describe(const char *lib, jm_gpu_desc *out, int max, int *n, char *reason,
                     size_t reason_len);

#ifdef __cplusplus
}
#endif
#endif /* JM_METERS_H */
