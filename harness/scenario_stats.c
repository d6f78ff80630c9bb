/* scenario_stats.c - what LoadGen computes after a run, from the raw
 * latencies and times of a jm_scenario_result: latency statistics (LoadGen's
 * index rule sorted[n * p]), scenario metrics, early stopping with LoadGen's
 * recommendation text, and validity (min duration, min queries, early
 * stopping, Server latency bound) with the reasons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* sorted copy of v (NULL when n == 0 or out of memory: *oom tells) */
static uint64_t *sorted_copy(const uint64_t *v, uint64_t n, bool *oom)
{
    *oom = false;
    if (n == 0)
        return NULL;
    uint64_t *c = malloc(n * sizeof(*c));
    if (!c) {
        *oom = true;
        return NULL;
    }
    memcpy(c, v, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_u64);
    return c;
}

static uint64_t at_percentile(const uint64_t *sorted, uint64_t n, double p)
{
    uint64_t i = (uint64_t)((double)n * p);
    return sorted[i < n ? i : n - 1];
}

static void describe(const uint64_t *sorted, uint64_t n, uint64_t *min, uint64_t *max,
                     uint64_t *mean, uint64_t pct[JM_MLPERF_N_PERCENTILES])
{
    long double acc = 0;
    for (uint64_t i = 0; i < n; i++)
        acc += (long double)sorted[i];
    *min = sorted[0];
    *max = sorted[n - 1];
    *mean = (uint64_t)(acc / (long double)n);
    for (int i = 0; i < JM_MLPERF_N_PERCENTILES; i++)
        pct[i] = at_percentile(sorted, n, jm_mlperf_percentiles[i]);
}

static void append(char *buf, size_t len, const char *fmt, const char *text)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, fmt, text);
}

/* LoadGen's early stopping for SingleStream / MultiStream: the estimate is
 * the (n - t)-th smallest latency. Returns whether enough queries ran. */
static bool latency_early_stopping(const uint64_t *sorted, int64_t n, double p,
                                   uint64_t *estimate, char *text, size_t text_len,
                                   bool first)
{
    int64_t t, min_q;
    bool ok = jm_early_stopping_estimate(n, p, &t, &min_q);
    char line[256];
    int pct = (int)(p * 100.0 + 0.5);
    if (!ok) {
        if (first)
            snprintf(line, sizeof(line),
                     " * Only processed %lld queries.  * Need to process at least %lld queries "
                     "for early stopping.",
                     (long long)n, (long long)min_q);
        else
            snprintf(line, sizeof(line),
                     "  * Not enough queries processed for %dth percentile  early stopping "
                     "estimate (would need to process at  least %lld total queries).",
                     pct, (long long)min_q);
        append(text, text_len, "%s", line);
        return false;
    }
    *estimate = sorted[n - t];
    if (first)
        snprintf(line, sizeof(line),
                 " * Processed at least %lld queries (%lld).  * Would discard %lld highest "
                 "latency queries.  * Early stopping %dth percentile estimate: %llu",
                 (long long)min_q, (long long)n, (long long)(t - 1), pct,
                 (unsigned long long)*estimate);
    else
        snprintf(line, sizeof(line), "  * Early stopping %dth percentile estimate: %llu", pct,
                 (unsigned long long)*estimate);
    append(text, text_len, "%s", line);
    return true;
}

static void server_early_stopping(jm_scenario_result *r, const jm_scenario_settings *s)
{
    int64_t t = (int64_t)r->overlatency_query_count;
    int64_t h = jm_early_stopping_min_passing(t, s->target_latency_percentile, 0.0, 0.99);
    int64_t n = (int64_t)r->queries;
    if (n >= h + t) {
        r->early_stopping_met = true;
        snprintf(r->early_stopping_result, sizeof(r->early_stopping_result),
                 " * Run successful.");
    } else {
        r->early_stopping_met = false;
        snprintf(r->early_stopping_result, sizeof(r->early_stopping_result),
                 " * Run unsuccessful.  * Processed %lld queries.  * Would need to run at least "
                 "%lld more queries,  with the run being successful if every additional  query "
                 "were under latency.",
                 (long long)n, (long long)(h + t - n));
    }
}

static void add_reason(jm_scenario_result *r, const char *reason)
{
    if (r->invalid_reason[0])
        append(r->invalid_reason, sizeof(r->invalid_reason), "%s", "; ");
    append(r->invalid_reason, sizeof(r->invalid_reason), "%s", reason);
}

int jm_scenario_result_finish(const jm_scenario_settings *s, jm_scenario_result *r, char *err,
                              size_t err_len)
{
    if (r->samples == 0 || r->queries == 0 || !r->sample_latency_ns || !r->query_latency_ns) {
        snprintf(err, err_len, "scenario %s: no query completed, nothing to summarise",
                 jm_scenario_name(s->scenario));
        return -1;
    }
    bool oom1, oom2;
    uint64_t *ss = sorted_copy(r->sample_latency_ns, r->samples, &oom1);
    uint64_t *qs = sorted_copy(r->query_latency_ns, r->queries, &oom2);
    if (oom1 || oom2) {
        free(ss);
        free(qs);
        snprintf(err, err_len, "scenario %s: out of memory sorting %llu latencies",
                 jm_scenario_name(s->scenario), (unsigned long long)r->samples);
        return -1;
    }
    r->scenario = s->scenario;
    r->tokens = r->samples * s->tokens_per_sample;
    describe(ss, r->samples, &r->min_latency_ns, &r->max_latency_ns, &r->mean_latency_ns,
             r->percentile_latency_ns);
    describe(qs, r->queries, &r->min_query_latency_ns, &r->max_query_latency_ns,
             &r->mean_query_latency_ns, r->percentile_query_latency_ns);
    double p = s->target_latency_percentile;
    r->target_percentile_latency_ns = s->scenario == JM_SCENARIO_MULTI_STREAM
                                          ? at_percentile(qs, r->queries, p)
                                          : at_percentile(ss, r->samples, p);

    /* scenario metrics, as LoadGen defines them */
    double n_minus_1 = (double)(r->samples - 1);
    r->samples_per_second = r->max_latency_s > 0 ? (double)r->samples / r->max_latency_s : 0;
    r->scheduled_samples_per_sec =
        r->final_query_scheduled_s > 0 ? n_minus_1 / r->final_query_scheduled_s : 0;
    r->completed_samples_per_sec =
        r->final_query_done_s > 0 ? n_minus_1 / r->final_query_done_s : 0;
    r->qps_with_loadgen_overhead =
        r->final_query_issued_s > 0 ? n_minus_1 / r->final_query_issued_s : 0;
    r->qps_without_loadgen_overhead =
        r->mean_latency_ns > 0 ? 1e9 / (double)r->mean_latency_ns : 0;
    r->tokens_per_second = r->max_latency_s > 0 ? (double)r->tokens / r->max_latency_s : 0;
    r->completed_tokens_per_sec =
        r->final_query_done_s > 0 ? (double)r->tokens / r->final_query_done_s : 0;
    r->overlatency_query_count = 0;
    if (s->scenario == JM_SCENARIO_SERVER) {
        for (uint64_t i = 0; i < r->samples; i++)
            if (r->sample_latency_ns[i] > s->target_latency_ns)
                r->overlatency_query_count++;
    }

    /* early stopping */
    r->early_stopping_result[0] = '\0';
    r->early_stopping_latency_ss = 0;
    r->early_stopping_latency_ms = 0;
    r->early_stopping_met = true;
    switch (s->scenario) {
    case JM_SCENARIO_SINGLE_STREAM:
        r->early_stopping_met =
            latency_early_stopping(ss, (int64_t)r->samples, p, &r->early_stopping_latency_ss,
                                   r->early_stopping_result, sizeof(r->early_stopping_result),
                                   true);
        if (r->early_stopping_met)
            (void)latency_early_stopping(ss, (int64_t)r->samples, 0.99,
                                         &r->early_stopping_latency_ms,
                                         r->early_stopping_result,
                                         sizeof(r->early_stopping_result), false);
        break;
    case JM_SCENARIO_MULTI_STREAM:
        r->early_stopping_met = latency_early_stopping(
            qs, (int64_t)r->queries, p, &r->early_stopping_latency_ms, r->early_stopping_result,
            sizeof(r->early_stopping_result), true);
        break;
    case JM_SCENARIO_SERVER:
        server_early_stopping(r, s);
        break;
    case JM_SCENARIO_OFFLINE:
        break;
    }
    free(ss);
    free(qs);

    /* validity */
    double min_s = (double)s->min_duration_ms / 1e3;
    switch (s->scenario) {
    case JM_SCENARIO_OFFLINE:
        r->min_duration_met = r->max_latency_s >= min_s;
        break;
    case JM_SCENARIO_SERVER:
        r->min_duration_met = r->final_query_scheduled_s >= min_s;
        break;
    default:
        r->min_duration_met = r->final_query_issued_s >= min_s;
        break;
    }
    uint64_t min_queries = s->scenario == JM_SCENARIO_OFFLINE ? 1 : s->min_query_count;
    uint64_t min_samples = min_queries * s->samples_per_query;
    r->min_queries_met = r->queries >= min_queries && r->samples >= min_samples;
    r->perf_constraints_met = true;
    if (s->scenario == JM_SCENARIO_SERVER)
        r->perf_constraints_met = r->target_percentile_latency_ns <= s->target_latency_ns;
    bool es_ok = r->early_stopping_met || !s->early_stopping;
    r->valid = r->min_duration_met && r->min_queries_met && r->perf_constraints_met && es_ok &&
               !r->interrupted;
    r->invalid_reason[0] = '\0';
    char why[256];
    if (r->interrupted)
        add_reason(r, "interrupted before the end of the run");
    if (!r->perf_constraints_met) {
        snprintf(why, sizeof(why),
                 "latency bound not met: %.0fth percentile %llu ns > target %llu ns; reduce "
                 "target QPS",
                 p * 100.0, (unsigned long long)r->target_percentile_latency_ns,
                 (unsigned long long)s->target_latency_ns);
        add_reason(r, why);
    }
    if (!r->min_duration_met) {
        snprintf(why, sizeof(why), "min duration not met: ran %.3f s < %.3f s", 
                 s->scenario == JM_SCENARIO_OFFLINE  ? r->max_latency_s
                 : s->scenario == JM_SCENARIO_SERVER ? r->final_query_scheduled_s
                                                     : r->final_query_issued_s,
                 min_s);
        add_reason(r, why);
    }
    if (!r->min_queries_met) {
        snprintf(why, sizeof(why), "min queries not met: %llu queries < %llu",
                 (unsigned long long)r->queries, (unsigned long long)min_queries);
        add_reason(r, why);
    }
    if (!es_ok)
        add_reason(r, "early stopping not met");
    return 0;
}
