/* mlperf_log_summary.c - writes mlperf_log_summary.txt of one scenario run
 * in LoadGen's layout ("MLPerf Results Summary", "Result is : VALID|INVALID",
 * "Additional Stats", "Test Parameters Used"), plus joulemark's power lines. */
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

static const char *yes_no(bool v)
{
    return v ? "Yes" : "NO";
}

/* LoadGen's multi-line recommendation: the one-line form split at " * " */
static void early_stopping_lines(jm__buf *b, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *next = strstr(p + 1, "  * ");
        size_t n = next ? (size_t)(next - p) : strlen(p);
        jm__buf_printf(b, "%.*s\n", (int)n, p);
        p = next ? next + 1 : p + n;
    }
}

static void latencies(jm__buf *b, const char *what, uint64_t min, uint64_t max, uint64_t mean,
                      const uint64_t *pct)
{
    (void)what;
    jm__buf_printf(b, "Min latency (ns)                : %llu\n", (unsigned long long)min);
    jm__buf_printf(b, "Max latency (ns)                : %llu\n", (unsigned long long)max);
    jm__buf_printf(b, "Mean latency (ns)               : %llu\n", (unsigned long long)mean);
    for (int i = 0; i < JM_MLPERF_N_PERCENTILES; i++)
        jm__buf_printf(b, "%.2f percentile latency (ns)   : %llu\n",
                       jm_mlperf_percentiles[i] * 100.0, (unsigned long long)pct[i]);
}

char *jm_mlperf_summary_text(const jm_mlperf_run *run, char *err, size_t err_len)
{
    if (!run || !run->result) {
        snprintf(err, err_len, "mlperf summary log: no run result to write");
        return NULL;
    }
    const jm_scenario_settings *s = &run->settings;
    const jm_scenario_result *r = run->result;
    jm__buf b;
    jm__buf_init(&b);
    const char *rule = "================================================\n";
    jm__buf_printf(&b, "%sMLPerf Results Summary\n%s", rule, rule);
    jm__buf_printf(&b, "SUT name : %s\n", run->sut_name[0] ? run->sut_name : "joulemark");
    jm__buf_printf(&b, "Scenario : %s\n", jm_scenario_name(s->scenario));
    jm__buf_printf(&b, "Mode     : %s\n", s->accuracy_mode ? "AccuracyOnly" : "PerformanceOnly");
    int pct = (int)(s->target_latency_percentile * 100.0 + 0.5);
    switch (s->scenario) {
    case JM_SCENARIO_SINGLE_STREAM:
    case JM_SCENARIO_MULTI_STREAM:
        jm__buf_printf(&b, "%dth percentile latency (ns) : %llu\n", pct,
                       (unsigned long long)r->target_percentile_latency_ns);
        break;
    case JM_SCENARIO_SERVER:
        jm__buf_printf(&b, "Completed samples per second    : %.2f\n",
                       r->completed_samples_per_sec);
        break;
    case JM_SCENARIO_OFFLINE:
        jm__buf_printf(&b, "Samples per second: %g\n", r->samples_per_second);
        break;
    }
    jm__buf_printf(&b, "Result is : %s\n", r->valid ? "VALID" : "INVALID");
    if (s->scenario == JM_SCENARIO_SERVER)
        jm__buf_printf(&b, "  Performance constraints satisfied : %s\n",
                       yes_no(r->perf_constraints_met));
    jm__buf_printf(&b, "  Min duration satisfied : %s\n", yes_no(r->min_duration_met));
    jm__buf_printf(&b, "  Min queries satisfied : %s\n", yes_no(r->min_queries_met));
    jm__buf_printf(&b, "  Early stopping satisfied: %s\n", yes_no(r->early_stopping_met));
    if (!r->valid)
        jm__buf_printf(&b, "Recommendations:\n * %s\n", r->invalid_reason);
    if (s->scenario != JM_SCENARIO_OFFLINE) {
        jm__buf_puts(&b, "Early Stopping Result:\n");
        early_stopping_lines(&b, r->early_stopping_result);
    }
    jm__buf_printf(&b, "\n%sAdditional Stats\n%s", rule, rule);
    switch (s->scenario) {
    case JM_SCENARIO_SINGLE_STREAM:
        jm__buf_printf(&b, "QPS w/ loadgen overhead         : %.2f\n",
                       r->qps_with_loadgen_overhead);
        jm__buf_printf(&b, "QPS w/o loadgen overhead        : %.2f\n\n",
                       r->qps_without_loadgen_overhead);
        break;
    case JM_SCENARIO_SERVER:
        jm__buf_printf(&b, "Scheduled samples per second : %.2f\n",
                       r->scheduled_samples_per_sec);
        break;
    case JM_SCENARIO_MULTI_STREAM:
        jm__buf_puts(&b, "Per-query latency:  \n");
        latencies(&b, "query", r->min_query_latency_ns, r->max_query_latency_ns,
                  r->mean_query_latency_ns, r->percentile_query_latency_ns);
        break;
    case JM_SCENARIO_OFFLINE:
        break;
    }
    if (s->scenario != JM_SCENARIO_MULTI_STREAM)
        latencies(&b, "sample", r->min_latency_ns, r->max_latency_ns, r->mean_latency_ns,
                  r->percentile_latency_ns);
    jm__buf_printf(&b, "Samples                         : %llu\n", (unsigned long long)r->samples);
    jm__buf_printf(&b, "Tokens                          : %llu\n", (unsigned long long)r->tokens);
    if (run->has_power) {
        jm__buf_printf(&b, "Energy (J)                      : %.6f\n", run->energy_j);
        jm__buf_printf(&b, "Average power (W)               : %.6f\n", run->avg_power_w);
        jm__buf_printf(&b, "Power metric (%s) : %.6f\n", run->power_unit, run->power_metric);
        jm__buf_printf(&b, "Energy source                   : %s%s\n", run->energy_source,
                       run->estimated ? " (ESTIMATED)" : "");
    }
    jm__buf_printf(&b, "\n%sTest Parameters Used\n%s", rule, rule);
    jm__buf_printf(&b, "samples_per_query : %llu\n", (unsigned long long)s->samples_per_query);
    jm__buf_printf(&b, "target_qps : %g\n", s->target_qps);
    jm__buf_printf(&b, "target_latency (ns): %llu\n", (unsigned long long)s->target_latency_ns);
    jm__buf_printf(&b, "max_async_queries : %d\n", s->scenario == JM_SCENARIO_SERVER ? 0 : 1);
    jm__buf_printf(&b, "min_duration (ms): %llu\n", (unsigned long long)s->min_duration_ms);
    jm__buf_printf(&b, "max_duration (ms): %llu\n", (unsigned long long)s->max_duration_ms);
    jm__buf_printf(&b, "min_query_count : %llu\n", (unsigned long long)s->min_query_count);
    jm__buf_printf(&b, "max_query_count : %llu\n", (unsigned long long)s->max_query_count);
    jm__buf_printf(&b, "qsl_rng_seed : %llu\n", (unsigned long long)s->qsl_rng_seed);
    jm__buf_printf(&b, "sample_index_rng_seed : %llu\n",
                   (unsigned long long)s->sample_index_rng_seed);
    jm__buf_printf(&b, "schedule_rng_seed : %llu\n", (unsigned long long)s->schedule_rng_seed);
    jm__buf_puts(&b, "accuracy_log_rng_seed : 0\naccuracy_log_probability : 0\n"
                     "accuracy_log_sampling_target : 0\nprint_timestamps : 0\n"
                     "performance_issue_unique : 0\nperformance_issue_same : 0\n"
                     "performance_issue_same_index : 0\n");
    jm__buf_printf(&b, "performance_sample_count : %llu\n",
                   (unsigned long long)s->performance_sample_count);
    jm__buf_printf(&b, "tokens_per_sample : %llu\n", (unsigned long long)s->tokens_per_sample);
    jm__buf_printf(&b, "run_rules : %s\n", run->rules);
    jm__buf_puts(&b, "\nNo warnings encountered during test.\n\nNo errors encountered during test.\n");
    if (b.failed) {
        jm__buf_free(&b);
        snprintf(err, err_len, "mlperf summary log: out of memory");
        return NULL;
    }
    return b.data;
}
