/* meter_estimate.c - the "estimate" meter (ESTIMATED, never measured): power
 * modelled from the measured CPU time of this process,
 *   P = idle_w + (tdp_w - idle_w) * u,  u = process CPU time / (wall time * cpus),
 * integrated over each interval between reads (u capped at 1). Options:
 * tdp_w, idle_w, cpus. Defaults: cpus = CPUs this process may run on,
 * tdp_w = JM_ESTIMATE_W_PER_CPU per CPU, idle_w = JM_ESTIMATE_IDLE_FRACTION x tdp_w. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meters_internal.h"

typedef struct estimate_state {
    double tdp_w, idle_w;
    long cpus;
    uint64_t last_wall_ns, last_cpu_ns;
    double energy_j;
} estimate_state;

static uint64_t process_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

long jm_estimate_default_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

static int estimate_open(const jm_meter_spec *spec, void **state, jm_meter_info *info,
                         char *reason, size_t reason_len)
{
    long cpus;
    double tdp, idle;
    if (jm__opt_long(spec, "cpus", jm_estimate_default_cpus(), 1, 65536, &cpus, reason,
                     reason_len) != 0)
        return JM_M_EOPTION;
    double def_tdp = JM_ESTIMATE_W_PER_CPU * (double)cpus;
    if (jm__opt_double(spec, "tdp_w", def_tdp, 0.1, 100000.0, &tdp, reason, reason_len) != 0)
        return JM_M_EOPTION;
    if (jm__opt_double(spec, "idle_w", JM_ESTIMATE_IDLE_FRACTION * tdp, 0.0, 100000.0, &idle,
                       reason, reason_len) != 0)
        return JM_M_EOPTION;
    if (idle > tdp) {
        snprintf(reason, reason_len,
                 "meter 'estimate': idle_w=%g is above tdp_w=%g: expected idle_w <= tdp_w", idle,
                 tdp);
        return JM_M_EOPTION;
    }
    estimate_state *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(reason, reason_len, "estimate: out of memory");
        return JM_M_ENOMEM;
    }
    s->tdp_w = tdp;
    s->idle_w = idle;
    s->cpus = cpus;
    s->last_wall_ns = jm_now_ns();
    s->last_cpu_ns = process_cpu_ns();
    memset(info, 0, sizeof(*info));
    info->kind = JM_METER_ESTIMATED;
    info->quantity = JM_METER_ENERGY;
    info->n_domains = 1;
    snprintf(info->domains[0], JM_METER_NAME_MAX, "cpu");
    info->resolution_j = 0.0;
    info->update_period_ms = 1;
    info->default_interval_ms = 50;
    snprintf(info->source, sizeof info->source,
             "process CPU time (CLOCK_PROCESS_CPUTIME_ID) and a power model: no hardware meter");
    snprintf(info->model, sizeof info->model,
             "P = idle_w + (tdp_w - idle_w) * u, u = process CPU time / (wall time * cpus), "
             "capped at 1; tdp_w=%g%s, idle_w=%g%s, cpus=%ld%s",
             tdp, jm_meter_spec_get(spec, "tdp_w") ? "" : " (default: 5 W per CPU)", idle,
             jm_meter_spec_get(spec, "idle_w") ? "" : " (default: 0.3 x tdp_w)", cpus,
             jm_meter_spec_get(spec, "cpus") ? "" : " (default: CPUs this process may use)");
    *state = s;
    return JM_M_OK;
}

static int estimate_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    estimate_state *s = state;
    uint64_t wall = jm_now_ns(), cpu = process_cpu_ns();
    if (wall > s->last_wall_ns) {
        double dwall = (double)(wall - s->last_wall_ns) * 1e-9;
        double dcpu = cpu > s->last_cpu_ns ? (double)(cpu - s->last_cpu_ns) * 1e-9 : 0.0;
        double u = dcpu / (dwall * (double)s->cpus);
        if (u > 1.0)
            u = 1.0;
        s->energy_j += (s->idle_w + (s->tdp_w - s->idle_w) * u) * dwall;
        s->last_wall_ns = wall;
        s->last_cpu_ns = cpu;
    }
    out->t_ns = wall;
    out->value[0] = s->energy_j;
    return JM_M_OK;
}

static void estimate_close(void *state)
{
    free(state);
}

static const char *const estimate_keys[] = {"tdp_w", "idle_w", "cpus", NULL};

const jm_meter_ops jm__meter_estimate = {
    .name = "estimate",
    .summary = "ESTIMATED CPU power from process CPU time and a TDP model (no hardware meter)",
    .option_keys = estimate_keys,
    .open = estimate_open,
    .read = estimate_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = estimate_close,
};
