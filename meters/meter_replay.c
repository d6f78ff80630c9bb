/* meter_replay.c - the "replay" meter: plays a recorded trace (replay_trace.c)
 * on the monotonic clock. A read at time now returns the trace's value at
 * first_sample + start_s + (now - open time) x speed, linearly interpolated;
 * past the trace's end the read fails ("trace ended"), so the sampler stops
 * it and keeps its samples. Options: file=PATH, speed=X, start_s=S. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "meters_internal.h"

typedef struct replay_state {
    jm_replay_trace *trace;
    uint64_t t_open_ns, trace_start_ns, trace_end_ns;
    double speed;
    char path[256];
} replay_state;

static int replay_open(const jm_meter_spec *spec, void **state, jm_meter_info *info,
                       char *reason, size_t reason_len)
{
    const char *file = jm_meter_spec_get(spec, "file");
    if (!file) {
        snprintf(reason, reason_len,
                 "no trace given: use --meter replay:file=PATH (a trace.csv, spl.txt or "
                 "timestamp,watts CSV)");
        return JM_M_UNAVAILABLE;
    }
    double speed, start_s;
    if (jm__opt_double(spec, "speed", 1.0, 1e-3, 1e6, &speed, reason, reason_len) != 0 ||
        jm__opt_double(spec, "start_s", 0.0, 0.0, 1e9, &start_s, reason, reason_len) != 0)
        return JM_M_EOPTION;
    replay_state *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(reason, reason_len, "replay: out of memory");
        return JM_M_ENOMEM;
    }
    int rc = jm_replay_load(file, &s->trace, reason, reason_len);
    if (rc != JM_M_OK) {
        free(s);
        return rc == JM_M_UNAVAILABLE ? JM_M_UNAVAILABLE : JM_M_EOPTION;
    }
    memset(info, 0, sizeof(*info));
    int n = jm_replay_domains(s->trace);
    uint64_t first = UINT64_MAX, last = 0;
    for (int d = 0; d < n; d++) {
        const uint64_t *t = jm_replay_times(s->trace, d);
        size_t c = jm_replay_count(s->trace, d);
        if (t[0] < first)
            first = t[0];
        if (t[c - 1] > last)
            last = t[c - 1];
        snprintf(info->domains[d], JM_METER_NAME_MAX, "%s", jm_replay_domain_name(s->trace, d));
        /* the recorded meter and domain name give the type (domains.c) */
        jm_domain_role_of("", info->domains[d], &info->roles[d]);
        info->roles[d].estimated |= jm_replay_domain_estimated(s->trace, d);
    }
    uint64_t start_ns = 0;
    char why[160];
    bool start_ok = jm_f64_to_u64(floor(start_s * 1e9), last - first, &start_ns, why,
                                  sizeof why) == 0;
    s->trace_start_ns = first + start_ns;
    s->trace_end_ns = last;
    if (!start_ok || s->trace_start_ns >= last) {
        jm_replay_free(s->trace);
        free(s);
        snprintf(reason, reason_len, "meter 'replay': start_s=%g is past the end of %s", start_s,
                 file);
        return JM_M_EOPTION;
    }
    s->speed = speed;
    snprintf(s->path, sizeof s->path, "%s", file);
    s->t_open_ns = jm_now_ns();
    info->n_domains = n;
    /* replaying an estimate does not make it a measurement; an estimated series
     * beside measured ones is a side reading (its role), not the meter's kind */
    info->kind = jm_replay_is_estimated(s->trace) ? JM_METER_ESTIMATED : JM_METER_MEASURED;
    info->quantity = jm_replay_is_power(s->trace) ? JM_METER_POWER : JM_METER_ENERGY;
    const uint64_t *t0 = jm_replay_times(s->trace, 0);
    uint64_t period = (t0[jm_replay_count(s->trace, 0) - 1] - t0[0]) /
                      (jm_replay_count(s->trace, 0) - 1) / 1000000u;
    uint64_t period_ms;
    if (jm_f64_to_u64(floor((double)period / speed), UINT_MAX, &period_ms, why, sizeof why) != 0) {
        jm_replay_free(s->trace);
        free(s);
        snprintf(reason, reason_len,
                 "meter 'replay': %s: a sample every %llu ms at x%g speed is beyond %u ms", file,
                 (unsigned long long)period, speed, UINT_MAX);
        return JM_M_EOPTION;
    }
    info->update_period_ms = (unsigned)period_ms;
    info->default_interval_ms = info->update_period_ms ? info->update_period_ms : 1;
    snprintf(info->source, sizeof info->source, "replay of %s (recorded, x%g speed)", file, speed);
    *state = s;
    return JM_M_OK;
}

static int replay_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    replay_state *s = state;
    uint64_t now = jm_now_ns();
    uint64_t tt = s->trace_start_ns + (uint64_t)((double)(now - s->t_open_ns) * s->speed);
    if (tt > s->trace_end_ns) {
        snprintf(err, err_len, "replay: trace %s ended after %.3f s", s->path,
                 (double)(s->trace_end_ns - s->trace_start_ns) * 1e-9 / s->speed);
        return JM_M_EIO;
    }
    out->t_ns = now;
    int n = jm_replay_domains(s->trace);
    for (int d = 0; d < n; d++)
        out->value[d] = jm_replay_value_at(s->trace, d, tt) -
                        (jm_replay_is_power(s->trace)
                             ? 0.0
                             : jm_replay_value_at(s->trace, d, s->trace_start_ns));
    return JM_M_OK;
}

/* The trace's own points of a domain inside a window: the window is mapped
 * onto trace time, gaps back onto the monotonic clock (divided by speed). */
static int replay_source_points(void *state, int domain, uint64_t t0_ns, uint64_t t1_ns,
                                size_t *n_inside, uint64_t *max_gap_ns)
{
    replay_state *s = state;
    *n_inside = 0;
    *max_gap_ns = 0;
    if (domain < 0 || domain >= jm_replay_domains(s->trace) || t1_ns < t0_ns)
        return JM_M_ESTATE;
    uint64_t a = s->trace_start_ns +
                 (uint64_t)((double)(t0_ns > s->t_open_ns ? t0_ns - s->t_open_ns : 0) * s->speed);
    uint64_t b = s->trace_start_ns +
                 (uint64_t)((double)(t1_ns > s->t_open_ns ? t1_ns - s->t_open_ns : 0) * s->speed);
    const uint64_t *t = jm_replay_times(s->trace, domain);
    size_t n = jm_replay_count(s->trace, domain);
    size_t first = 0, last = n - 1; /* last point at or before a .. first at or after b */
    for (size_t i = 0; i < n; i++) {
        if (t[i] <= a)
            first = i;
        if (t[i] > a && t[i] < b)
            (*n_inside)++;
    }
    for (size_t i = n; i-- > 0;)
        if (t[i] >= b)
            last = i;
    uint64_t gap = 0;
    for (size_t i = first; i < last; i++)
        if (t[i + 1] - t[i] > gap)
            gap = t[i + 1] - t[i];
    *max_gap_ns = (uint64_t)((double)gap / s->speed);
    return JM_M_OK;
}

static void replay_close(void *state)
{
    replay_state *s = state;
    if (s)
        jm_replay_free(s->trace);
    free(s);
}

static const char *const replay_keys[] = {"file", "speed", "start_s", NULL};

const jm_meter_ops jm__meter_replay = {
    .name = "replay",
    .summary = "replays a recorded trace (trace.csv, PTDaemon spl.txt, timestamp,watts CSV)",
    .option_keys = replay_keys,
    .open = replay_open,
    .read = replay_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = replay_close,
    .source_points = replay_source_points,
};
