/* meters_internal.h - private to meters/: the meter instances registered in
 * meter_table.c and small helpers shared by meter files (sysfs reads, option
 * parsing, counter wrap). Tests may include it to reach jm__ helpers; the
 * runner and reports must use meters.h only. */
#ifndef JM_METERS_INTERNAL_H
#define JM_METERS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "meters.h"

extern const jm_meter_ops jm__meter_rapl;
extern const jm_meter_ops jm__meter_perf;
extern const jm_meter_ops jm__meter_msr;
extern const jm_meter_ops jm__meter_nvml;
extern const jm_meter_ops jm__meter_ptd;
extern const jm_meter_ops jm__meter_replay;
extern const jm_meter_ops jm__meter_estimate;

/* Reads a small text file (trailing newline stripped). Returns 0, or -errno. */
int jm__read_text(const char *path, char *buf, size_t len);
/* Parses an unsigned decimal integer file. Returns 0, or -errno / -EINVAL. */
int jm__read_u64(const char *path, uint64_t *out);

/* Option helpers: parse the option `key` of spec as a number. Absent -> *out = def,
 * returns 0. Malformed or out of [lo, hi] -> -1 with err naming meter, key and value. */
int jm__opt_double(const jm_meter_spec *spec, const char *key, double def, double lo, double hi,
                   double *out, char *err, size_t err_len);
int jm__opt_long(const jm_meter_spec *spec, const char *key, long def, long lo, long hi, long *out,
                 char *err, size_t err_len);

/* Delta of a counter of `width_bits` bits (1..64) from old to new, wrap handled. */
uint64_t jm__counter_delta(uint64_t old_raw, uint64_t new_raw, unsigned width_bits);

/* Appends printf-style text to the NUL-terminated buf (truncating). */
void jm__appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* printf-style into buf, truncating silently (messages of bounded use). */
void jm__setf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* perf_event_open(2); returns the fd or -errno. (struct perf_event_attr comes from
 * <perfmon/pfmlib_perf_event.h>; <linux/perf_event.h> would clash with it.) */
struct perf_event_attr;
int jm__perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group,
                  unsigned long flags);
/* "0-3,8,10-11" -> CPU numbers; returns the count or -1 when malformed. */
int jm__parse_cpu_list(const char *text, int *cpus, int max);
/* The permission-denied message for perf events, with the fixes. */
void jm__perf_permission_fix(char *buf, size_t len, const char *what);

/* One event of a perf PMU in sysfs (DEVICES/PMU/events/NAME, .scale, .unit). */
typedef struct jm__perf_sysfs_event {
    char name[64];    /* "energy-pkg" */
    uint64_t config;  /* from "event=0x02" */
    double scale;     /* joules per count */
} jm__perf_sysfs_event;
/* Reads DEVICES/PMU: type, cpumask and the energy-* events with their scale
 * and unit. Events whose unit is not Joules or whose scale is missing are
 * skipped and named in `skipped`. Returns the event count, or -1 with why. */
int jm__perf_sysfs_scan(const char *devices, const char *pmu, uint32_t *type, int *cpus,
                        int *n_cpus, jm__perf_sysfs_event *ev, int max, char *skipped,
                        size_t skipped_len, char *why, size_t why_len);

/* Sleeps for ms milliseconds (restarting on EINTR). */
void jm__sleep_ms(unsigned ms);

/* ---- estimate meter: published per-CPU power (cpu_power_table.c) ---- */
/* Watts per logical CPU at active idle and 100 % load, and GB of memory per
 * logical CPU, of one microarchitecture (means over SPECpower_ssj2008 results). */
typedef struct jm__cpu_power {
    const char *key;  /* "intel-cascadelake": the estimate meter's family= value */
    const char *name; /* "Intel Cascade Lake" */
    double idle_w_per_cpu, max_w_per_cpu, gb_per_cpu;
    int n_results;    /* SPECpower results averaged */
} jm__cpu_power;
/* The CPU as /proc/cpuinfo describes its first processor. */
typedef struct jm__cpu_identity {
    char vendor[32];      /* "GenuineIntel", "AuthenticAMD" */
    int family, model, stepping;
    char model_name[128]; /* often generic in VMs: "Intel Xeon Processor" */
} jm__cpu_identity;
/* Where the figures come from (named in the meter's model and in docs/meters.md). */
#define JM__CPU_POWER_SOURCE                                                               \
    "SPECpower_ssj2008 results (spec.org) as collected by Cloud Carbon Footprint "        \
    "(ccf-coefficients b0032d9, SPECpower-2026-03-09.csv), CCF method"
/* Memory power, W per GB: Cloud Carbon Footprint's coefficient (0.392 W/GB, the
 * mean of Crucial's 0.375 and Micron's 0.4083 W/GB for DDR4). */
#define JM__MEMORY_W_PER_GB 0.392
int jm__cpuinfo_read(const char *path, jm__cpu_identity *id, char *err, size_t err_len);
/* NULL when the CPU's numbers match no family of the table. */
const jm__cpu_power *jm__cpu_power_match(const jm__cpu_identity *id);
const jm__cpu_power *jm__cpu_power_find(const char *key);
const jm__cpu_power *jm__cpu_power_unknown(void);
void jm__cpu_power_keys(char *buf, size_t len); /* "amd-epyc-gen1, ..." */

/* ---- estimate meter: what the modelled processes use (process_usage.c) ---- */
/* CPU time (ns) and resident memory (bytes) of this process; PROC is /proc or
 * a test tree (PROC/self/statm). Returns 0 or -errno. */
int jm__self_usage(const char *proc, uint64_t *cpu_ns, uint64_t *rss_bytes);
/* The same summed over every descendant of process `root` (not root itself):
 * live ones from PROC/<pid>/stat, reaped ones from getrusage(RUSAGE_CHILDREN)
 * (so root must be this process). *n_procs = live descendants found. */
int jm__descendants_usage(const char *proc, long root, uint64_t *cpu_ns, uint64_t *rss_bytes,
                          int *n_procs);

#endif /* JM_METERS_INTERNAL_H */
