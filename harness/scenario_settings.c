/* scenario_settings.c - test settings of the scenario engine: LoadGen's
 * defaults, validation with messages naming the field, and the "effective"
 * settings LoadGen derives (Offline coalesced into one query). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

void jm_scenario_settings_default(jm_scenario_kind scenario, jm_scenario_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->scenario = scenario;
    s->samples_per_query = scenario == JM_SCENARIO_MULTI_STREAM ? 8 : 1;
    s->min_duration_ms = 10000; /* LoadGen's TestSettings defaults */
    s->min_query_count = 100;
    s->target_qps = 1.0;
    s->target_latency_percentile = scenario == JM_SCENARIO_SINGLE_STREAM ? 0.90 : 0.99;
    s->target_latency_ns = scenario == JM_SCENARIO_SERVER ? 10000000ULL : 0; /* 10 ms */
    s->single_stream_expected_latency_ns = 1000000ULL;
    s->performance_sample_count = 1;
    s->total_sample_count = 1;
    s->tokens_per_sample = 1;
    s->early_stopping = true;
}

uint64_t jm_scenario_offline_sample_count(const jm_scenario_settings *s)
{
    const double slack = 1.1; /* LoadGen's margin so the query outlasts min duration */
    double want = slack * ((double)s->min_duration_ms / 1e3) * s->target_qps;
    uint64_t n = want >= 1.8e19 ? UINT64_MAX / 2 : (uint64_t)want;
    if (n < s->min_query_count)
        n = s->min_query_count;
    if (n < s->samples_per_query)
        n = s->samples_per_query;
    if (s->max_query_count && n > s->max_query_count)
        n = s->max_query_count;
    return n < 1 ? 1 : n;
}

void jm_scenario_settings_effective(const jm_scenario_settings *requested,
                                    jm_scenario_settings *effective)
{
    *effective = *requested;
    switch (requested->scenario) {
    case JM_SCENARIO_OFFLINE:
        effective->samples_per_query = jm_scenario_offline_sample_count(requested);
        effective->min_query_count = 1;
        effective->max_query_count = 0;
        break;
    case JM_SCENARIO_SINGLE_STREAM:
    case JM_SCENARIO_SERVER:
        effective->samples_per_query = 1;
        break;
    case JM_SCENARIO_MULTI_STREAM:
        break;
    }
}

int jm_scenario_settings_check(const jm_scenario_settings *s, char *err, size_t err_len)
{
    const char *sc = jm_scenario_name(s->scenario);
    if ((int)s->scenario < 0 || (int)s->scenario >= JM_SCENARIO_COUNT) {
        snprintf(err, err_len, "scenario settings: scenario %d is not one of the four",
                 (int)s->scenario);
        return -1;
    }
    if (s->samples_per_query < 1 || s->samples_per_query > (uint64_t)1 << 40) {
        snprintf(err, err_len, "%s settings: samples_per_query = %llu, expected >= 1", sc,
                 (unsigned long long)s->samples_per_query);
        return -1;
    }
    if (s->scenario != JM_SCENARIO_OFFLINE && s->samples_per_query > (uint64_t)INT32_MAX) {
        snprintf(err, err_len, "%s settings: samples_per_query = %llu is too large", sc,
                 (unsigned long long)s->samples_per_query);
        return -1;
    }
    if (!(s->target_latency_percentile > 0.0 && s->target_latency_percentile < 1.0)) {
        snprintf(err, err_len, "%s settings: target_latency_percentile = %g, expected in (0, 1)",
                 sc, s->target_latency_percentile);
        return -1;
    }
    if ((s->scenario == JM_SCENARIO_SERVER || s->scenario == JM_SCENARIO_OFFLINE) &&
        !(s->target_qps > 0.0 && isfinite(s->target_qps))) {
        snprintf(err, err_len, "%s settings: target_qps = %g, expected a positive number", sc,
                 s->target_qps);
        return -1;
    }
    if (s->scenario == JM_SCENARIO_SERVER && s->target_latency_ns == 0) {
        snprintf(err, err_len, "Server settings: target_latency_ns = 0, expected the latency "
                               "bound in ns (> 0)");
        return -1;
    }
    if (s->max_duration_ms && s->max_duration_ms < s->min_duration_ms) {
        snprintf(err, err_len, "%s settings: max_duration_ms = %llu < min_duration_ms = %llu",
                 sc, (unsigned long long)s->max_duration_ms,
                 (unsigned long long)s->min_duration_ms);
        return -1;
    }
    if (s->max_query_count && s->scenario != JM_SCENARIO_OFFLINE &&
        s->max_query_count < s->min_query_count) {
        snprintf(err, err_len, "%s settings: max_query_count = %llu < min_query_count = %llu",
                 sc, (unsigned long long)s->max_query_count,
                 (unsigned long long)s->min_query_count);
        return -1;
    }
    if (s->scenario == JM_SCENARIO_OFFLINE && s->samples_per_query > (uint64_t)1 << 40) {
        snprintf(err, err_len, "Offline settings: %llu samples in the query is too many",
                 (unsigned long long)s->samples_per_query);
        return -1;
    }
    return 0;
}
