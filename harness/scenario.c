/* scenario.c - the scenario engine: issues queries to a synchronous SUT
 * callback the way LoadGen's four scenarios do and records each sample's
 * latency. Offline: one query of N samples (issued in chunks of at most
 * issue_max_samples; a chunk's samples complete when it returns).
 * SingleStream / MultiStream: one query at a time (1 / samples_per_query
 * samples) until both min duration and min query count are met.
 * Server: Poisson arrivals from the schedule seed; a single worker serves them
 * in order, so latency = completion - scheduled arrival includes queuing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static uint64_t mono_now(void *ctx)
{
    (void)ctx;
    return jm_now_ns();
}

static void mono_sleep_until(void *ctx, uint64_t t_ns)
{
    (void)ctx;
    struct timespec ts = {.tv_sec = (time_t)(t_ns / 1000000000ULL),
                          .tv_nsec = (long)(t_ns % 1000000000ULL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

typedef struct engine {
    const jm_scenario_settings *s;
    const jm_sut *sut;
    jm_scenario_result *r;
    uint64_t (*now)(void *);
    void (*sleep_until)(void *, uint64_t);
    void *clock_ctx;
    uint64_t cap_samples, cap_queries; /* allocated lengths */
    char *err;
    size_t err_len;
} engine;

static bool stopped(const engine *e)
{
    return e->sut->stop && *e->sut->stop;
}

static int grow(uint64_t **v, uint64_t *cap, uint64_t need)
{
    if (need <= *cap)
        return 0;
    uint64_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    uint64_t *p = realloc(*v, n * sizeof(*p));
    if (!p)
        return -1;
    *v = p;
    *cap = n;
    return 0;
}

static int record(engine *e, uint64_t n_samples, uint64_t latency_ns, bool new_query)
{
    jm_scenario_result *r = e->r;
    uint64_t cap_q = e->cap_queries;
    if (grow(&r->sample_latency_ns, &e->cap_samples, r->samples + n_samples) != 0 ||
        (new_query && grow(&r->query_latency_ns, &cap_q, r->queries + 1) != 0)) {
        snprintf(e->err, e->err_len, "scenario %s: out of memory recording %llu latencies",
                 jm_scenario_name(e->s->scenario), (unsigned long long)(r->samples + n_samples));
        return -1;
    }
    e->cap_queries = cap_q;
    for (uint64_t i = 0; i < n_samples; i++)
        r->sample_latency_ns[r->samples + i] = latency_ns;
    r->samples += n_samples;
    if (new_query)
        r->query_latency_ns[r->queries++] = latency_ns;
    return 0;
}

static int call_sut(engine *e, uint64_t n)
{
    char msg[512] = "";
    if (e->sut->issue(e->sut->ctx, (int)n, msg, sizeof(msg)) != 0) {
        snprintf(e->err, e->err_len, "scenario %s: the SUT failed on a query of %llu samples: %s",
                 jm_scenario_name(e->s->scenario), (unsigned long long)n,
                 msg[0] ? msg : "(no message)");
        return -1;
    }
    return 0;
}

static double since(const engine *e, uint64_t t)
{
    return (double)(t - e->r->t_start_ns) / 1e9;
}

static int run_offline(engine *e)
{
    jm_scenario_result *r = e->r;
    uint64_t total = e->s->samples_per_query;
    uint64_t chunk = e->s->issue_max_samples ? e->s->issue_max_samples : total;
    if (chunk > (uint64_t)INT32_MAX)
        chunk = INT32_MAX;
    uint64_t t0 = r->t_start_ns, done_at = t0;
    uint64_t issued = 0;
    while (issued < total) {
        if (stopped(e)) {
            r->interrupted = true;
            break;
        }
        uint64_t n = total - issued < chunk ? total - issued : chunk;
        if (call_sut(e, n) != 0)
            return -1;
        done_at = e->now(e->clock_ctx);
        if (record(e, n, done_at - t0, false) != 0)
            return -1;
        issued += n;
    }
    /* the one coalesced query */
    uint64_t cap_q = e->cap_queries;
    if (grow(&r->query_latency_ns, &cap_q, 1) != 0) {
        snprintf(e->err, e->err_len, "scenario Offline: out of memory");
        return -1;
    }
    e->cap_queries = cap_q;
    r->query_latency_ns[0] = done_at - t0;
    r->queries = r->samples > 0 ? 1 : 0;
    r->final_query_scheduled_s = 0;
    r->final_query_issued_s = 0;
    r->max_latency_s = since(e, done_at);
    r->final_query_done_s = r->max_latency_s;
    r->t_end_ns = done_at;
    return 0;
}

/* SingleStream and MultiStream: the next query is issued when the previous
 * one completes, until both min duration and min query count are met. */
static int run_stream(engine *e)
{
    const jm_scenario_settings *s = e->s;
    jm_scenario_result *r = e->r;
    uint64_t spq = s->samples_per_query;
    double min_s = (double)s->min_duration_ms / 1e3;
    double max_s = (double)s->max_duration_ms / 1e3;
    for (;;) {
        uint64_t t_issue = e->now(e->clock_ctx);
        bool enough = r->queries >= s->min_query_count && r->queries > 0 &&
                      r->final_query_issued_s >= min_s;
        if (enough)
            break;
        if (s->max_query_count && r->queries >= s->max_query_count)
            break;
        if (s->max_duration_ms && since(e, t_issue) >= max_s)
            break;
        if (stopped(e)) {
            r->interrupted = true;
            break;
        }
        if (call_sut(e, spq) != 0)
            return -1;
        uint64_t t_done = e->now(e->clock_ctx);
        if (record(e, spq, t_done - t_issue, true) != 0)
            return -1;
        r->final_query_issued_s = since(e, t_issue);
        r->final_query_scheduled_s = r->final_query_issued_s;
        r->final_query_done_s = since(e, t_done);
        r->t_end_ns = t_done;
    }
    return 0;
}

static int run_server(engine *e)
{
    const jm_scenario_settings *s = e->s;
    jm_scenario_result *r = e->r;
    double min_s = (double)s->min_duration_ms / 1e3;
    uint64_t min_ns = (uint64_t)(min_s * 1e9);
    /* about qps x duration arrivals are needed: refuse absurd settings up front */
    double expected = s->target_qps * min_s;
    if (expected > 5e7 || (double)s->min_query_count > 5e7) {
        snprintf(e->err, e->err_len,
                 "scenario Server: %g QPS for %llu ms (%llu min queries) needs more than 5e7 "
                 "queries; lower target_qps or min_duration_ms",
                 s->target_qps, (unsigned long long)s->min_duration_ms,
                 (unsigned long long)s->min_query_count);
        return -1;
    }
    /* the schedule: arrivals until both the min duration and the min query
     * count are covered (bounded by the max limits) */
    uint64_t n = 0, cap = 0;
    uint64_t *arrival = NULL;
    jm_rng rng;
    jm_rng_seed(&rng, s->schedule_rng_seed);
    double t_s = 0.0;
    for (;;) {
        if (n >= s->min_query_count && n > 0 && arrival[n - 1] >= min_ns)
            break;
        if (s->max_query_count && n >= s->max_query_count)
            break;
        t_s += -log(1.0 - jm_rng_uniform(&rng)) / s->target_qps;
        uint64_t t_ns = (uint64_t)llround(t_s * 1e9);
        if (s->max_duration_ms && t_ns >= s->max_duration_ms * 1000000ULL)
            break;
        if (n >= 100000000ULL) { /* 800 MB of schedule: the settings are not sensible */
            free(arrival);
            snprintf(e->err, e->err_len,
                     "scenario Server: %g QPS for %llu ms needs more than 1e8 queries; lower "
                     "target_qps or min_duration_ms",
                     s->target_qps, (unsigned long long)s->min_duration_ms);
            return -1;
        }
        if (grow(&arrival, &cap, n + 1) != 0) {
            free(arrival);
            snprintf(e->err, e->err_len, "scenario Server: out of memory for %llu arrivals",
                     (unsigned long long)(n + 1));
            return -1;
        }
        arrival[n++] = t_ns;
    }
    int rc = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (stopped(e)) {
            r->interrupted = true;
            break;
        }
        uint64_t due = r->t_start_ns + arrival[i];
        if (e->now(e->clock_ctx) < due)
            e->sleep_until(e->clock_ctx, due);
        if ((rc = call_sut(e, 1)) != 0)
            break;
        uint64_t t_done = e->now(e->clock_ctx);
        if ((rc = record(e, 1, t_done - due, true)) != 0)
            break;
        r->final_query_scheduled_s = (double)arrival[i] / 1e9;
        r->final_query_issued_s = r->final_query_scheduled_s;
        r->final_query_done_s = since(e, t_done);
        r->t_end_ns = t_done;
    }
    free(arrival);
    return rc;
}

int jm_scenario_run(jm_scenario_settings *s, const jm_sut *sut, jm_scenario_result *out,
                    char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (!sut || !sut->issue) {
        snprintf(err, err_len, "jm_scenario_run: no SUT issue callback");
        return -1;
    }
    jm_scenario_settings eff;
    jm_scenario_settings_effective(s, &eff);
    if (jm_scenario_settings_check(&eff, err, err_len) != 0)
        return -1;
    *s = eff;
    engine e = {.s = s, .sut = sut, .r = out, .err = err, .err_len = err_len};
    e.now = sut->clock.now_ns ? sut->clock.now_ns : mono_now;
    e.sleep_until = sut->clock.sleep_until_ns ? sut->clock.sleep_until_ns : mono_sleep_until;
    e.clock_ctx = sut->clock.ctx;
    out->scenario = s->scenario;
    out->t_start_ns = e.now(e.clock_ctx);
    out->t_end_ns = out->t_start_ns;
    int rc;
    switch (s->scenario) {
    case JM_SCENARIO_OFFLINE:
        rc = run_offline(&e);
        break;
    case JM_SCENARIO_SERVER:
        rc = run_server(&e);
        break;
    default:
        rc = run_stream(&e);
        break;
    }
    if (rc == 0)
        rc = jm_scenario_result_finish(s, out, err, err_len);
    if (rc != 0) {
        jm_scenario_result_free(out);
        return -1;
    }
    return 0;
}
