/* mlperf_model.c - the LoadGen scenario model of reports.h: scenario names,
 * LoadGen's percentile list and the lifetime of a scenario result. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reports.h"

const double jm_mlperf_percentiles[JM_MLPERF_N_PERCENTILES] = {0.50, 0.90, 0.95,
                                                                0.97, 0.99, 0.999};

static const char *const scenario_names[JM_SCENARIO_COUNT] = {"Offline", "SingleStream",
                                                              "MultiStream", "Server"};

const char *jm_scenario_name(jm_scenario_kind k)
{
    if ((int)k < 0 || (int)k >= JM_SCENARIO_COUNT)
        return "unknown";
    return scenario_names[k];
}

int jm_scenario_from_name(const char *name, jm_scenario_kind *out, char *err, size_t err_len)
{
    for (int i = 0; name && i < JM_SCENARIO_COUNT; i++) {
        if (strcasecmp(name, scenario_names[i]) == 0) {
            *out = (jm_scenario_kind)i;
            return JM_R_OK;
        }
    }
    snprintf(err, err_len,
             "scenario \"%s\" is unknown: expected Offline, SingleStream, MultiStream or Server",
             name ? name : "(null)");
    return JM_R_EINVAL;
}

void jm_scenario_result_free(jm_scenario_result *r)
{
    if (!r)
        return;
    free(r->sample_latency_ns);
    free(r->query_latency_ns);
    r->sample_latency_ns = NULL;
    r->query_latency_ns = NULL;
}
