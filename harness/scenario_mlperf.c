/* scenario_mlperf.c - from a finished scenario run to what the MLPerf log
 * writers need: the UTC clock offset, the power file samples cut from the
 * sampler's points around the run, and a filled jm_mlperf_run (window, energy,
 * average power, power metric). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

int64_t jm_mono_to_unix_offset_ns(void)
{
    struct timespec m, r;
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_REALTIME, &r);
    return ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000000000LL +
           ((int64_t)r.tv_nsec - (int64_t)m.tv_nsec);
}

int jm_scenario_power_samples(const jm_sampler_point *points, size_t n_points,
                              const int *domains, int n_domains, uint64_t t0_ns, uint64_t t1_ns,
                              int64_t mono_to_unix_ns, jm_mlperf_power_sample **out, size_t *n_out,
                              char *err, size_t err_len)
{
    *out = NULL;
    *n_out = 0;
    if (n_domains < 1 || n_domains > JM_METER_MAX_DOMAINS) {
        snprintf(err, err_len, "power samples: %d domains, expected 1..%d", n_domains,
                 JM_METER_MAX_DOMAINS);
        return -1;
    }
    for (int d = 0; d < n_domains; d++) {
        if (domains[d] < 0 || domains[d] >= JM_METER_MAX_DOMAINS) {
            snprintf(err, err_len, "power samples: domain index %d out of range", domains[d]);
            return -1;
        }
    }
    size_t first = n_points, last = n_points;
    for (size_t i = 0; i < n_points; i++) {
        if (points[i].t_ns <= t0_ns)
            first = i; /* the last point at or before t0 */
        if (points[i].t_ns >= t1_ns && last == n_points)
            last = i;  /* the first point at or after t1 */
    }
    if (first == n_points || last == n_points) {
        snprintf(err, err_len,
                 "power samples: the %zu sampler points do not cover the run window (%s)",
                 n_points, first == n_points ? "none at or before its start"
                                             : "none at or after its end");
        return -1;
    }
    size_t n = last - first + 1;
    jm_mlperf_power_sample *s = malloc(n * sizeof(*s));
    if (!s) {
        snprintf(err, err_len, "power samples: out of memory for %zu samples", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const jm_sampler_point *p = &points[first + i];
        s[i].unix_ns = (int64_t)p->t_ns + mono_to_unix_ns;
        s[i].energy_j = 0;
        for (int d = 0; d < n_domains; d++)
            s[i].energy_j += p->energy_j[domains[d]];
    }
    *out = s;
    *n_out = n;
    return 0;
}

int jm_scenario_mlperf_run(jm_mlperf_run *run, const char *benchmark, const char *phase,
                           const char *rules, const jm_scenario_settings *s,
                           const jm_scenario_result *r, int64_t mono_to_unix_ns, bool has_energy,
                           double energy_j, const char *energy_source, bool estimated, char *err,
                           size_t err_len)
{
    memset(run, 0, sizeof(*run));
    snprintf(run->benchmark, sizeof(run->benchmark), "%s", benchmark ? benchmark : "");
    snprintf(run->sut_name, sizeof(run->sut_name), "joulemark");
    snprintf(run->phase, sizeof(run->phase), "%s", phase ? phase : "");
    snprintf(run->rules, sizeof(run->rules), "%s", rules ? rules : "");
    snprintf(run->joulemark_version, sizeof(run->joulemark_version), "%s", jm_version_string());
    run->settings = *s;
    run->result = r;
    run->start_unix_ns = (int64_t)r->t_start_ns + mono_to_unix_ns;
    run->power_begin_unix_ns = run->start_unix_ns;
    run->power_end_unix_ns = (int64_t)r->t_end_ns + mono_to_unix_ns;
    run->has_power = has_energy;
    run->estimated = estimated;
    snprintf(run->energy_source, sizeof(run->energy_source), "%s",
             energy_source ? energy_source : "");
    if (!has_energy)
        return 0;
    double duration_s = (double)(r->t_end_ns - r->t_start_ns) / 1e9;
    const char *unit = "";
    if (jm_mlperf_power_metric(s->scenario, energy_j, duration_s, r->queries, &run->power_metric,
                               &unit, err, err_len) != 0)
        return -1;
    run->energy_j = energy_j;
    run->avg_power_w = energy_j / duration_s;
    snprintf(run->power_unit, sizeof(run->power_unit), "%s", unit);
    return 0;
}
