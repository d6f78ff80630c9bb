/* counters.c - hardware performance counters beside energy (jm_counters):
 * cycles, instructions and FP arithmetic events encoded by libpfm4, counted
 * per process with perf_event (inherit to threads created later, user mode),
 * scaled for multiplexing by time enabled / time running. */
#include <errno.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters_internal.h"

struct jm_counters {
    int n;
    int fd[JM_COUNTERS_MAX];
    char names[JM_COUNTERS_MAX][64];
    double flops_per_count[JM_COUNTERS_MAX];
};

typedef struct counter_def {
    const char *label; /* name reported */
    const char *pfm;   /* libpfm4 event string */
    double flops;      /* FLOPs per count (0: not an FP event) */
    bool required;
} counter_def;

/* Intel FP_ARITH_INST_RETIRED counts an FMA twice, so FLOPs = count x lanes;
 * AMD's RETIRED_SSE_AVX_FLOPS counts FLOPs directly. */
static const counter_def defs[] = {
    {"cycles", "cycles", 0, true},
    {"instructions", "instructions", 0, true},
    {"fp_scalar_double", "FP_ARITH_INST_RETIRED:SCALAR_DOUBLE", 1, false},
    {"fp_128b_packed_double", "FP_ARITH_INST_RETIRED:128B_PACKED_DOUBLE", 2, false},
    {"fp_256b_packed_double", "FP_ARITH_INST_RETIRED:256B_PACKED_DOUBLE", 4, false},
    {"fp_512b_packed_double", "FP_ARITH_INST_RETIRED:512B_PACKED_DOUBLE", 8, false},
    {"fp_scalar_single", "FP_ARITH_INST_RETIRED:SCALAR_SINGLE", 1, false},
    {"fp_128b_packed_single", "FP_ARITH_INST_RETIRED:128B_PACKED_SINGLE", 4, false},
    {"fp_256b_packed_single", "FP_ARITH_INST_RETIRED:256B_PACKED_SINGLE", 8, false},
    {"fp_512b_packed_single", "FP_ARITH_INST_RETIRED:512B_PACKED_SINGLE", 16, false},
    {"amd_retired_flops", "RETIRED_SSE_AVX_FLOPS:ANY", 1, false},
};

void jm_counters_close(jm_counters *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        close(c->fd[i]);
    free(c);
}

int jm_counters_open(jm_counters **out, char *reason, size_t reason_len)
{
    *out = NULL;
    int prc = pfm_initialize();
    if (prc != PFM_SUCCESS) {
        jm__setf(reason, reason_len, "libpfm4 initialisation failed: %s", pfm_strerror(prc));
        return JM_M_UNAVAILABLE;
    }
    jm_counters *c = calloc(1, sizeof(*c));
    if (!c) {
        jm__setf(reason, reason_len, "counters: out of memory");
        return JM_M_ENOMEM;
    }
    for (size_t i = 0; i < sizeof defs / sizeof defs[0] && c->n < JM_COUNTERS_MAX; i++) {
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof attr);
        pfm_perf_encode_arg_t arg;
        memset(&arg, 0, sizeof arg);
        arg.attr = &attr;
        arg.size = sizeof arg;
        prc = pfm_get_os_event_encoding(defs[i].pfm, PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
        if (prc != PFM_SUCCESS) {
            if (defs[i].required) {
                jm__setf(reason, reason_len, "libpfm4 cannot encode '%s': %s", defs[i].pfm,
                         pfm_strerror(prc));
                jm_counters_close(c);
                return JM_M_UNAVAILABLE;
            }
            continue; /* this PMU has no such FP event */
        }
        attr.size = sizeof attr;
        attr.inherit = 1;
        attr.disabled = 0;
        attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
        int fd = jm__perf_open(&attr, 0, -1, -1, 0);
        if (fd < 0) {
            if (!defs[i].required)
                continue;
            if (fd == -EACCES || fd == -EPERM)
                jm__perf_permission_fix(reason, reason_len, defs[i].label);
            else
                jm__setf(reason, reason_len,
                         "no hardware performance counters: opening '%s' failed (%s); virtual "
                         "machines usually do not expose the CPU's PMU",
                         defs[i].label, strerror(-fd));
            jm_counters_close(c);
            return JM_M_UNAVAILABLE;
        }
        c->fd[c->n] = fd;
        jm__setf(c->names[c->n], sizeof c->names[0], "%s", defs[i].label);
        c->flops_per_count[c->n] = defs[i].flops;
        c->n++;
    }
    *out = c;
    return JM_M_OK;
}

int jm_counters_read(jm_counters *c, jm_counter_values *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < c->n; i++) {
        uint64_t v[3];
        if (read(c->fd[i], v, sizeof v) != (ssize_t)sizeof v) {
            jm__setf(err, err_len, "counters: reading '%s' failed: %s", c->names[i],
                     strerror(errno));
            return JM_M_EIO;
        }
        double scaled = (double)v[0];
        if (v[2] > 0 && v[2] < v[1])
            scaled *= (double)v[1] / (double)v[2]; /* multiplexed: extrapolate */
        memcpy(out->names[i], c->names[i], sizeof out->names[i]);
        out->value[i] = scaled;
        out->flops_per_count[i] = c->flops_per_count[i];
    }
    out->n = c->n;
    return JM_M_OK;
}

bool jm_counters_flops(const jm_counter_values *v, double *flops)
{
    double sum = 0.0;
    bool any = false;
    for (int i = 0; i < v->n; i++) {
        if (v->flops_per_count[i] > 0) {
            sum += v->value[i] * v->flops_per_count[i];
            any = true;
        }
    }
    *flops = sum;
    return any;
}

bool jm_counters_get(const jm_counter_values *v, const char *name, double *value)
{
    for (int i = 0; i < v->n; i++) {
        if (strcmp(v->names[i], name) == 0) {
            *value = v->value[i];
            return true;
        }
    }
    return false;
}
