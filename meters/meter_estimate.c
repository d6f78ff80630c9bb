/* meter_estimate.c - the "estimate" meter (ESTIMATED, never measured): power
 * modelled from the measured CPU time and resident memory of this process (or
 * of its child processes: target=children) with published per-CPU figures,
 *   cpu:    P = idle_w + (tdp_w - idle_w) * u,  u = CPU time / (wall time * cpus), u <= 1
 *   memory: P = mem_w_per_gb * max(0, resident GB - cpus * GB per CPU of the servers measured)
 * integrated over each interval between reads. idle_w and tdp_w default to cpus
 * times the watts per logical CPU at active idle and at 100 % load of the CPU's
 * microarchitecture (cpu_power_table.c: SPECpower results, Cloud Carbon
 * Footprint's method), matched from PROC/cpuinfo by vendor, family and model
 * numbers; the memory term is Cloud Carbon Footprint's (memory beyond what the
 * SPECpower servers held per CPU, at 0.392 W/GB).
 * Options: tdp_w, idle_w, cpus, family, mem_w_per_gb, target, proc. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters_internal.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

typedef struct estimate_state {
    double tdp_w, idle_w, mem_w_per_gb, mem_included_gb;
    long cpus;
    bool children; /* model the descendants of this process, not itself */
    long self_pid;
    char proc[256];
    uint64_t last_wall_ns, cpu_seen_ns;
    double last_excess_gb;
    double cpu_j, memory_j;
} estimate_state;

long jm_estimate_default_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

static int usage_now(const estimate_state *s, uint64_t *cpu_ns, uint64_t *rss_bytes)
{
    if (s->children)
        return jm__descendants_usage(s->proc, s->self_pid, cpu_ns, rss_bytes, NULL);
    return jm__self_usage(s->proc, cpu_ns, rss_bytes);
}

static double excess_gb(const estimate_state *s, uint64_t rss_bytes)
{
    double gb = (double)rss_bytes / GIB - s->mem_included_gb;
    return gb > 0.0 ? gb : 0.0;
}

/* The per-CPU figures: family=KEY, else the CPU's numbers, else the mean of all
 * families. `how` says which (for the model string). */
static int choose_figures(const jm_meter_spec *spec, const char *proc, const jm__cpu_power **out,
                          char *how, size_t how_len, char *reason, size_t reason_len)
{
    const char *family = jm_meter_spec_get(spec, "family");
    if (family) {
        *out = jm__cpu_power_find(family);
        if (!*out) {
            char keys[1024];
            jm__cpu_power_keys(keys, sizeof keys);
            jm__setf(reason, reason_len,
                     "meter 'estimate': family='%s' is not a known family: expected one of %s",
                     family, keys);
            return JM_M_EOPTION;
        }
        jm__setf(how, how_len, "family=%s (given)", family);
        return JM_M_OK;
    }
    char path[512], why[512];
    jm__cpu_identity id;
    snprintf(path, sizeof path, "%s/cpuinfo", proc);
    if (jm__cpuinfo_read(path, &id, why, sizeof why) != 0) {
        *out = jm__cpu_power_unknown();
        jm__setf(how, how_len, "CPU not identified (%s)", why);
        return JM_M_OK;
    }
    *out = jm__cpu_power_match(&id);
    if (*out) {
        jm__setf(how, how_len, "matched from cpuinfo: %s family %d model %d stepping %d",
                 id.vendor, id.family, id.model, id.stepping);
    } else {
        *out = jm__cpu_power_unknown();
        jm__setf(how, how_len, "no family for %s family %d model %d ('%s')", id.vendor, id.family,
                 id.model, id.model_name);
    }
    return JM_M_OK;
}

static int estimate_open(const jm_meter_spec *spec, void **state, jm_meter_info *info,
                         char *reason, size_t reason_len)
{
    const char *proc = jm_meter_spec_get(spec, "proc");
    if (!proc)
        proc = "/proc";
    const char *target = jm_meter_spec_get(spec, "target");
    if (target && strcmp(target, "self") != 0 && strcmp(target, "children") != 0) {
        jm__setf(reason, reason_len,
                 "meter 'estimate': target='%s': expected 'self' (this process) or 'children' "
                 "(the processes it starts)",
                 target);
        return JM_M_EOPTION;
    }
    const jm__cpu_power *fig;
    char how[512];
    int rc = choose_figures(spec, proc, &fig, how, sizeof how, reason, reason_len);
    if (rc != JM_M_OK)
        return rc;
    long cpus;
    double tdp, idle, mem_w;
    if (jm__opt_long(spec, "cpus", jm_estimate_default_cpus(), 1, 65536, &cpus, reason,
                     reason_len) != 0)
        return JM_M_EOPTION;
    if (jm__opt_double(spec, "tdp_w", fig->max_w_per_cpu * (double)cpus, 0.1, 100000.0, &tdp,
                       reason, reason_len) != 0)
        return JM_M_EOPTION;
    /* A given tdp_w keeps the family's idle/max ratio unless idle_w is given too. */
    double idle_def = tdp * fig->idle_w_per_cpu / fig->max_w_per_cpu;
    if (jm__opt_double(spec, "idle_w", idle_def, 0.0, 100000.0, &idle, reason, reason_len) != 0)
        return JM_M_EOPTION;
    if (idle > tdp) {
        snprintf(reason, reason_len,
                 "meter 'estimate': idle_w=%g is above tdp_w=%g: expected idle_w <= tdp_w", idle,
                 tdp);
        return JM_M_EOPTION;
    }
    if (jm__opt_double(spec, "mem_w_per_gb", JM__MEMORY_W_PER_GB, 0.0, 100.0, &mem_w, reason,
                       reason_len) != 0)
        return JM_M_EOPTION;
    estimate_state *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(reason, reason_len, "estimate: out of memory");
        return JM_M_ENOMEM;
    }
    s->tdp_w = tdp;
    s->idle_w = idle;
    s->cpus = cpus;
    s->mem_w_per_gb = mem_w;
    s->mem_included_gb = fig->gb_per_cpu * (double)cpus;
    s->children = target && strcmp(target, "children") == 0;
    s->self_pid = (long)getpid();
    snprintf(s->proc, sizeof s->proc, "%s", proc);
    uint64_t rss = 0;
    rc = usage_now(s, &s->cpu_seen_ns, &rss);
    if (rc != 0) {
        jm__setf(reason, reason_len, "estimate: cannot read the CPU time and memory of %s under %s (errno %d)",
                 s->children ? "the child processes" : "this process", proc, -rc);
        free(s);
        return JM_M_UNAVAILABLE;
    }
    s->last_excess_gb = excess_gb(s, rss);
    s->last_wall_ns = jm_now_ns();

    memset(info, 0, sizeof(*info));
    info->kind = JM_METER_ESTIMATED;
    info->quantity = JM_METER_ENERGY;
    info->n_domains = 2;
    snprintf(info->domains[0], JM_METER_NAME_MAX, "cpu");
    snprintf(info->domains[1], JM_METER_NAME_MAX, "memory");
    for (int d = 0; d < info->n_domains; d++)
        jm_domain_role_of("estimate", info->domains[d], &info->roles[d]);
    info->resolution_j = 0.0;
    info->update_period_ms = 1;
    info->default_interval_ms = 50;
    jm__setf(info->source, sizeof info->source,
             "no hardware meter: CPU time and resident memory of %s (%s) and a power model "
             "with published figures: per-CPU watts from " JM__CPU_POWER_SOURCE
             "; memory %g W/GB from Cloud Carbon Footprint's methodology",
             s->children ? "the processes joulemark starts" : "this process",
             s->children ? "/proc, getrusage" : "CLOCK_PROCESS_CPUTIME_ID, /proc/self/statm",
             JM__MEMORY_W_PER_GB);
    bool given_tdp = jm_meter_spec_get(spec, "tdp_w") != NULL;
    bool given_idle = jm_meter_spec_get(spec, "idle_w") != NULL;
    jm__setf(info->model, sizeof info->model,
             "cpu: P = idle_w + (tdp_w - idle_w) * u, u = CPU time / (wall time * cpus) <= 1; "
             "memory: P = mem_w_per_gb * max(0, resident GB - %.2f GB); tdp_w=%.4g%s, "
             "idle_w=%.4g%s, cpus=%ld%s, mem_w_per_gb=%g; %s: %.3f/%.3f W per CPU idle/100%%, "
             "%.2f GB per CPU (mean of %d SPECpower results; %s)",
             s->mem_included_gb, tdp, given_tdp ? "" : " (cpus x max W per CPU)", idle,
             given_idle ? "" : (given_tdp ? " (tdp_w x family idle/max)" : " (cpus x idle W per CPU)"),
             cpus, jm_meter_spec_get(spec, "cpus") ? "" : " (CPUs this process may use)", mem_w,
             fig->name, fig->idle_w_per_cpu, fig->max_w_per_cpu, fig->gb_per_cpu, fig->n_results,
             how);
    *state = s;
    return JM_M_OK;
}

static int estimate_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    estimate_state *s = state;
    uint64_t cpu = 0, rss = 0;
    int rc = usage_now(s, &cpu, &rss);
    if (rc != 0) {
        jm__setf(err, err_len, "estimate: reading CPU time and memory under %s failed (errno %d)",
                 s->proc, -rc);
        return JM_M_EIO;
    }
    uint64_t wall = jm_now_ns();
    if (wall > s->last_wall_ns) {
        double dwall = (double)(wall - s->last_wall_ns) * 1e-9;
        /* CPU time only grows; a dip (a child between two sums) is ignored,
         * and counted once when it reappears. */
        double dcpu = cpu > s->cpu_seen_ns ? (double)(cpu - s->cpu_seen_ns) * 1e-9 : 0.0;
        double u = dcpu / (dwall * (double)s->cpus);
        if (u > 1.0)
            u = 1.0;
        s->cpu_j += (s->idle_w + (s->tdp_w - s->idle_w) * u) * dwall;
        double excess = excess_gb(s, rss);
        s->memory_j += s->mem_w_per_gb * 0.5 * (excess + s->last_excess_gb) * dwall;
        s->last_excess_gb = excess;
        s->last_wall_ns = wall;
        if (cpu > s->cpu_seen_ns)
            s->cpu_seen_ns = cpu;
    }
    out->t_ns = wall;
    out->value[0] = s->cpu_j;
    out->value[1] = s->memory_j;
    return JM_M_OK;
}

static void estimate_close(void *state)
{
    free(state);
}

static const char *const estimate_keys[] = {"tdp_w",  "idle_w", "cpus", "family",
                                            "mem_w_per_gb", "target", "proc", NULL};

const jm_meter_ops jm__meter_estimate = {
    .name = "estimate",
    .kind = JM_METER_ESTIMATED,
    .summary = "ESTIMATED CPU and memory power from CPU time, resident memory and published "
               "per-CPU figures (SPECpower via Cloud Carbon Footprint; no hardware meter)",
    .option_keys = estimate_keys,
    .open = estimate_open,
    .read = estimate_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = estimate_close,
};
