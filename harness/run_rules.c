/* run_rules.c - the MLPerf run rules of the scenario engine: "quick" (short
 * smoke runs, never compliant) and "mlperf" (600 s minimum duration, LoadGen's
 * minimum query counts, MLPerf's fixed seeds from mlperf.conf, a ranging run
 * then a testing run whose targets come from the ranging run). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

static const char *const rules_names[] = {"quick", "mlperf"};

int jm_mlperf_rules_from_name(const char *name, jm_mlperf_rules *out, char *err, size_t err_len)
{
    for (int i = 0; name && i < 2; i++) {
        if (strcasecmp(name, rules_names[i]) == 0) {
            *out = (jm_mlperf_rules)i;
            return 0;
        }
    }
    snprintf(err, err_len, "run rules \"%s\" are unknown: expected \"quick\" or \"mlperf\"",
             name ? name : "(null)");
    return -1;
}

const char *jm_mlperf_rules_name(jm_mlperf_rules rules)
{
    return rules == JM_MLPERF_RULES_MLPERF ? "mlperf" : "quick";
}

bool jm_mlperf_rules_compliant(jm_mlperf_rules rules)
{
    return rules == JM_MLPERF_RULES_MLPERF;
}

void jm_mlperf_rules_settings(jm_mlperf_rules rules, jm_scenario_kind scenario,
                              jm_scenario_settings *s)
{
    jm_scenario_settings_default(scenario, s);
    /* the seeds are fixed and recorded in both rule sets */
    s->qsl_rng_seed = JM_MLPERF_QSL_RNG_SEED;
    s->sample_index_rng_seed = JM_MLPERF_SAMPLE_INDEX_RNG_SEED;
    s->schedule_rng_seed = JM_MLPERF_SCHEDULE_RNG_SEED;
    if (rules == JM_MLPERF_RULES_MLPERF) {
        s->min_duration_ms = 600000;
        switch (scenario) {
        case JM_SCENARIO_SINGLE_STREAM:
            s->min_query_count = 1024;
            break;
        case JM_SCENARIO_MULTI_STREAM:
            s->min_query_count = 662;
            break;
        case JM_SCENARIO_SERVER:
            s->min_query_count = 270336;
            break;
        case JM_SCENARIO_OFFLINE:
            s->min_query_count = 1;
            break;
        }
    } else {
        /* quick: a smoke run of a few seconds; the early stopping rule still
         * runs but a short run is reported invalid, never compliant */
        s->min_duration_ms = 2000;
        s->min_query_count = scenario == JM_SCENARIO_OFFLINE ? 1 : 16;
    }
}

void jm_mlperf_rules_testing_settings(const jm_scenario_settings *ranging,
                                      const jm_scenario_result *ranging_result,
                                      jm_scenario_settings *testing)
{
    *testing = *ranging;
    if (!ranging_result || ranging_result->samples == 0)
        return;
    switch (ranging->scenario) {
    case JM_SCENARIO_OFFLINE:
        /* size the one query from what the ranging run sustained */
        if (ranging_result->samples_per_second > 0)
            testing->target_qps = ranging_result->samples_per_second;
        testing->samples_per_query = 1; /* recomputed from target_qps */
        testing->min_query_count = ranging->min_query_count;
        break;
    case JM_SCENARIO_SINGLE_STREAM:
        testing->single_stream_expected_latency_ns = ranging_result->percentile_latency_ns[1];
        break;
    case JM_SCENARIO_MULTI_STREAM:
    case JM_SCENARIO_SERVER:
        break;
    }
}
