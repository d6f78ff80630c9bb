/* sampler.c - the sampler thread: reads every meter at its own interval,
 * integrates power meters into joules, records phase marks, and answers
 * energy-over-a-window queries by linear interpolation between samples.
 * One mutex guards the stored points and every meter read: a meter is read
 * by one thread at a time (the sampler thread, or the caller of mark). A
 * meter's phase handling (seconds for an analyzer's range change) runs
 * outside the lock with the meter marked busy, so the others keep sampling.
 * jm_sampler_mark follows the window contract of meters.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meters_internal.h"

typedef struct track {
    jm_meter *m;
    bool busy; /* in its ops->phase, called without the lock: the thread skips it */
    unsigned interval_ms;
    uint64_t next_due_ns;
    jm_sampler_point *pts;
    size_t n, cap;
    double first_raw[JM_METER_MAX_DOMAINS]; /* energy meters: counter at the first sample */
    double last_value[JM_METER_MAX_DOMAINS];
    bool failed;
    char failure[JM_METER_REASON_MAX];
    uint64_t failed_at_ns;
} track;

struct jm_sampler {
    track *tracks;
    int n;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running, stop_requested;
    jm_mark *marks;
    size_t n_marks, cap_marks;
    uint64_t cpu_ns;
};

static int append_point(track *t, const jm_meter_sample *s)
{
    int nd = t->m->info.n_domains;
    if (t->n > 0 && s->t_ns <= t->pts[t->n - 1].t_ns)
        return JM_M_OK; /* same instant (or a clock step back): nothing new to store */
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        jm_sampler_point *p = realloc(t->pts, cap * sizeof(*p));
        if (!p)
            return JM_M_ENOMEM;
        t->pts = p;
        t->cap = cap;
    }
    jm_sampler_point *p = &t->pts[t->n];
    memset(p, 0, sizeof(*p));
    p->t_ns = s->t_ns;
    const jm_sampler_point *prev = t->n ? &t->pts[t->n - 1] : NULL;
    double dt = prev ? (double)(s->t_ns - prev->t_ns) * 1e-9 : 0.0;
    for (int d = 0; d < nd; d++) {
        double v = s->value[d];
        if (t->m->info.quantity == JM_METER_POWER) {
            p->power_w[d] = v;
            p->energy_j[d] = prev ? prev->energy_j[d] + 0.5 * (t->last_value[d] + v) * dt : 0.0;
        } else {
            if (!prev)
                t->first_raw[d] = v;
            p->energy_j[d] = v - t->first_raw[d];
            p->power_w[d] = prev && dt > 0 ? (p->energy_j[d] - prev->energy_j[d]) / dt : 0.0;
        }
        t->last_value[d] = v;
    }
    t->n++;
    return JM_M_OK;
}

static void fail_track(track *t, const char *why, uint64_t now)
{
    t->failed = true;
    t->failed_at_ns = now;
    snprintf(t->failure, sizeof t->failure, "%s", why);
}

/* Lock held. */
static void sample_track(track *t)
{
    if (t->failed)
        return;
    jm_meter_sample s;
    char err[JM_METER_REASON_MAX] = "";
    int rc = jm_meter_read(t->m, &s, err, sizeof err);
    if (rc == JM_M_OK)
        rc = append_point(t, &s);
    if (rc != JM_M_OK) {
        char why[JM_METER_REASON_MAX];
        snprintf(why, sizeof why, "%s", err[0] ? err : "read failed (out of memory)");
        fail_track(t, why, jm_now_ns());
    }
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static void *sampler_main(void *arg)
{
    jm_sampler *s = arg;
    pthread_mutex_lock(&s->lock);
    uint64_t start = jm_now_ns();
    for (int i = 0; i < s->n; i++)
        s->tracks[i].next_due_ns = start;
    while (!s->stop_requested) {
        uint64_t now = jm_now_ns();
        uint64_t earliest = UINT64_MAX;
        for (int i = 0; i < s->n; i++) {
            track *t = &s->tracks[i];
            if (t->failed)
                continue;
            if (t->busy) { /* look again soon: its phase handling will end */
                uint64_t again = now + UINT64_C(10000000);
                if (again < earliest)
                    earliest = again;
                continue;
            }
            if (now >= t->next_due_ns) {
                sample_track(t);
                uint64_t step = (uint64_t)t->interval_ms * UINT64_C(1000000);
                t->next_due_ns += step;
                uint64_t after = jm_now_ns();
                if (t->next_due_ns <= after) /* fell behind: skip the missed slots */
                    t->next_due_ns = after + step;
            }
            if (!t->failed && t->next_due_ns < earliest)
                earliest = t->next_due_ns;
        }
        s->cpu_ns = thread_cpu_ns();
        if (earliest == UINT64_MAX) { /* every meter failed: wait for stop */
            while (!s->stop_requested)
                pthread_cond_wait(&s->wake, &s->lock);
            break;
        }
        if (earliest > jm_now_ns()) {
            struct timespec ts = {.tv_sec = (time_t)(earliest / 1000000000u),
                                  .tv_nsec = (long)(earliest % 1000000000u)};
            int rc;
            do {
                rc = pthread_cond_timedwait(&s->wake, &s->lock, &ts);
            } while (rc == 0 && !s->stop_requested && jm_now_ns() < earliest);
        }
    }
    s->cpu_ns = thread_cpu_ns();
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static unsigned effective_interval(const jm_meter *m, const jm_sampler_config *cfg)
{
    const char *opt = jm_meter_spec_get(&m->spec, "interval_ms");
    if (opt) {
        long v = strtol(opt, NULL, 10); /* validated by jm_meter_open */
        if (v > 0)
            return (unsigned)v;
    }
    if (cfg && cfg->interval_ms > 0)
        return cfg->interval_ms;
    return m->info.default_interval_ms ? m->info.default_interval_ms : 50;
}

int jm_sampler_create(jm_meter *meters, int n_meters, const jm_sampler_config *cfg,
                      jm_sampler **out, char *err, size_t err_len)
{
    *out = NULL;
    if (n_meters < 0 || (n_meters > 0 && !meters)) {
        snprintf(err, err_len, "sampler: %d meters given", n_meters);
        return JM_M_ESTATE;
    }
    for (int i = 0; i < n_meters; i++) {
        if (!meters[i].available || !meters[i].ops) {
            snprintf(err, err_len, "sampler: meter %d ('%s') is not open and available", i,
                     meters[i].spec.name);
            return JM_M_ESTATE;
        }
    }
    jm_sampler *s = calloc(1, sizeof(*s));
    if (!s || (n_meters > 0 && !(s->tracks = calloc((size_t)n_meters, sizeof(*s->tracks))))) {
        free(s);
        snprintf(err, err_len, "sampler: out of memory");
        return JM_M_ENOMEM;
    }
    s->n = n_meters;
    for (int i = 0; i < n_meters; i++) {
        s->tracks[i].m = &meters[i];
        s->tracks[i].interval_ms = effective_interval(&meters[i], cfg);
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return JM_M_OK;
}

int jm_sampler_start(jm_sampler *s, char *err, size_t err_len)
{
    pthread_mutex_lock(&s->lock);
    if (s->running) {
        pthread_mutex_unlock(&s->lock);
        snprintf(err, err_len, "sampler: already started");
        return JM_M_ESTATE;
    }
    s->stop_requested = false;
    /* one synchronous sample first, so that every window starting after
     * jm_sampler_start is covered from its beginning */
    for (int i = 0; i < s->n; i++)
        sample_track(&s->tracks[i]);
    int rc = pthread_create(&s->thread, NULL, sampler_main, s);
    if (rc != 0) {
        pthread_mutex_unlock(&s->lock);
        snprintf(err, err_len, "sampler: cannot start thread: %s", strerror(rc));
        return JM_M_EIO;
    }
    s->running = true;
    pthread_mutex_unlock(&s->lock);
    return JM_M_OK;
}

/* "begin:testing:moe:run2" -> phase "testing", workload "moe", begin; a trailing
 * ":runN" is the run, not the workload ("begin:ranging:moe:Offline" -> "moe:Offline").
 * Returns false for other labels. */
static bool parse_phase(const char *label, char *phase, size_t len, char *workload,
                        size_t wlen, bool *begin)
{
    const char *rest;
    if (strncmp(label, "begin:", 6) == 0) {
        *begin = true;
        rest = label + 6;
    } else if (strncmp(label, "end:", 4) == 0) {
        *begin = false;
        rest = label + 4;
    } else {
        return false;
    }
    size_t n = strcspn(rest, ":");
    if (n == 0 || n >= len)
        return false;
    memcpy(phase, rest, n);
    phase[n] = '\0';
    snprintf(workload, wlen, "%s", rest[n] == ':' ? rest + n + 1 : "");
    char *run = strrchr(workload, ':');
    if (run && strncmp(run, ":run", 4) == 0 && run[4] && strspn(run + 4, "0123456789") == strlen(run + 4))
        *run = '\0';
    return true;
}

/* Forwards a phase boundary to every meter that handles phases, each outside
 * the lock while marked busy; a failure marks that meter failed. Lock not held. */
static void forward_phase(jm_sampler *s, const char *phase, const char *workload, bool begin)
{
    for (int i = 0; i < s->n; i++) {
        track *tr = &s->tracks[i];
        pthread_mutex_lock(&s->lock);
        bool skip = tr->failed || !tr->m->ops->phase;
        tr->busy = !skip;
        pthread_mutex_unlock(&s->lock);
        if (skip)
            continue;
        char perr[JM_METER_REASON_MAX] = "";
        int rc = tr->m->ops->phase(tr->m->state, phase, workload, begin, perr, sizeof perr);
        pthread_mutex_lock(&s->lock);
        tr->busy = false;
        if (rc != JM_M_OK)
            fail_track(tr, perr[0] ? perr : "phase change failed", jm_now_ns());
        pthread_mutex_unlock(&s->lock);
    }
}

int jm_sampler_mark(jm_sampler *s, const char *label, uint64_t *t_ns, char *err, size_t err_len)
{
    char phase[64], workload[64];
    bool begin = false;
    bool is_phase = parse_phase(label, phase, sizeof phase, workload, sizeof workload, &begin);
    if (is_phase && begin) /* the meters measure the phase before the window opens */
        forward_phase(s, phase, workload, true);
    pthread_mutex_lock(&s->lock);
    if (s->n_marks == s->cap_marks) {
        size_t cap = s->cap_marks ? s->cap_marks * 2 : 64;
        jm_mark *p = realloc(s->marks, cap * sizeof(*p));
        if (!p) {
            pthread_mutex_unlock(&s->lock);
            snprintf(err, err_len, "sampler: out of memory for mark '%s'", label);
            return JM_M_ENOMEM;
        }
        s->marks = p;
        s->cap_marks = cap;
    }
    /* a begin window opens after its first samples (each meter's first point
     * inside it is a reading of the phase); an end window closes before its last */
    uint64_t t = jm_now_ns();
    for (int i = 0; i < s->n; i++)
        sample_track(&s->tracks[i]);
    if (is_phase && begin)
        t = jm_now_ns();
    jm_mark *mk = &s->marks[s->n_marks++];
    memset(mk, 0, sizeof(*mk));
    mk->t_ns = t;
    snprintf(mk->label, sizeof mk->label, "%s", label);
    pthread_mutex_unlock(&s->lock);
    if (is_phase && !begin) /* the window closed at t: the meters' stop lies outside */
        forward_phase(s, phase, workload, false);
    if (t_ns)
        *t_ns = t;
    return JM_M_OK;
}

int jm_sampler_stop(jm_sampler *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->running) {
        pthread_mutex_unlock(&s->lock);
        return JM_M_ESTATE;
    }
    s->stop_requested = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_lock(&s->lock);
    s->running = false;
    pthread_mutex_unlock(&s->lock);
    return JM_M_OK;
}

void jm_sampler_destroy(jm_sampler *s)
{
    if (!s)
        return;
    if (s->running)
        jm_sampler_stop(s);
    for (int i = 0; i < s->n; i++)
        free(s->tracks[i].pts);
    free(s->tracks);
    free(s->marks);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}

/* Cumulative energy at time t by linear interpolation (clamped to the ends). */
static double energy_at(const jm_sampler_point *p, size_t n, int d, uint64_t t)
{
    if (t <= p[0].t_ns)
        return p[0].energy_j[d];
    if (t >= p[n - 1].t_ns)
        return p[n - 1].energy_j[d];
    size_t lo = 0, hi = n - 1; /* p[lo].t <= t < p[hi].t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t_ns <= t)
            lo = mid;
        else
            hi = mid;
    }
    double f = (double)(t - p[lo].t_ns) / (double)(p[hi].t_ns - p[lo].t_ns);
    return p[lo].energy_j[d] + f * (p[hi].energy_j[d] - p[lo].energy_j[d]);
}

int jm_sampler_energy(const jm_sampler *s, int meter, int domain, uint64_t t0_ns, uint64_t t1_ns,
                      jm_energy_window *out)
{
    memset(out, 0, sizeof(*out));
    if (meter < 0 || meter >= s->n || t1_ns < t0_ns)
        return JM_M_ESTATE;
    jm_sampler *ms = (jm_sampler *)s; /* the lock is internal state, not the value */
    pthread_mutex_lock(&ms->lock);
    const track *t = &s->tracks[meter];
    if (domain < 0 || domain >= t->m->info.n_domains || t->n == 0) {
        pthread_mutex_unlock(&ms->lock);
        return JM_M_ESTATE;
    }
    const jm_sampler_point *p = t->pts;
    size_t n = t->n;
    out->energy_j = energy_at(p, n, domain, t1_ns) - energy_at(p, n, domain, t0_ns);
    out->covered = p[0].t_ns <= t0_ns && p[n - 1].t_ns >= t1_ns;
    /* samples covering the window: last one at or before t0 .. first at or after t1 */
    size_t first = 0, last = n - 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i].t_ns <= t0_ns)
            first = i;
        if (p[i].t_ns > t0_ns && p[i].t_ns < t1_ns)
            out->n_samples++;
    }
    for (size_t i = n; i-- > 0;)
        if (p[i].t_ns >= t1_ns)
            last = i;
    for (size_t i = first; i < last; i++) {
        uint64_t gap = p[i + 1].t_ns - p[i].t_ns;
        if (gap > out->max_gap_ns)
            out->max_gap_ns = gap;
    }
    /* a meter that interpolates its source (replay) counts the source's own
     * points: the sampler's reads of it are not measurements */
    if (t->m->ops->source_points &&
        t->m->ops->source_points(t->m->state, domain, t0_ns, t1_ns, &out->n_samples,
                                 &out->max_gap_ns) != JM_M_OK)
        out->covered = false;
    pthread_mutex_unlock(&ms->lock);
    return JM_M_OK;
}

size_t jm_sampler_count(const jm_sampler *s, int meter)
{
    if (meter < 0 || meter >= s->n)
        return 0;
    jm_sampler *ms = (jm_sampler *)s;
    pthread_mutex_lock(&ms->lock);
    size_t n = s->tracks[meter].n;
    pthread_mutex_unlock(&ms->lock);
    return n;
}

const jm_sampler_point *jm_sampler_points(const jm_sampler *s, int meter)
{
    if (meter < 0 || meter >= s->n)
        return NULL;
    return s->tracks[meter].pts;
}

size_t jm_sampler_mark_count(const jm_sampler *s)
{
    return s->n_marks;
}

const jm_mark *jm_sampler_marks(const jm_sampler *s)
{
    return s->marks;
}

bool jm_sampler_meter_failed(const jm_sampler *s, int meter, const char **message,
                             uint64_t *failed_at_ns)
{
    if (meter < 0 || meter >= s->n)
        return false;
    jm_sampler *ms = (jm_sampler *)s;
    pthread_mutex_lock(&ms->lock);
    const track *t = &s->tracks[meter];
    bool failed = t->failed;
    if (failed && message)
        *message = t->failure;
    if (failed && failed_at_ns)
        *failed_at_ns = t->failed_at_ns;
    pthread_mutex_unlock(&ms->lock);
    return failed;
}

uint64_t jm_sampler_cpu_ns(const jm_sampler *s)
{
    jm_sampler *ms = (jm_sampler *)s;
    pthread_mutex_lock(&ms->lock);
    uint64_t v = s->cpu_ns;
    pthread_mutex_unlock(&ms->lock);
    return v;
}

unsigned jm_sampler_interval_ms(const jm_sampler *s, int meter)
{
    if (meter < 0 || meter >= s->n)
        return 0;
    return s->tracks[meter].interval_ms;
}
