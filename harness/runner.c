/* runner.c - executes a validated config: opens the meters, records the idle
 * baseline, then per workload runs the accuracy check, warm-up and repeated
 * testing runs while the sampler thread records energy, and fills the result
 * model. Phase marks ("begin:testing:moe-layer:run2") bound every window.
 * Owns no output: the caller writes the results. */
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner_internal.h"

volatile int jm_interrupted = 0;

static void on_signal(int sig)
{
    jm_interrupted = sig;
    /* a second signal terminates at once */
    signal(sig, SIG_DFL);
}

void jm_install_interrupt_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}



void jm__runner_progress(const runner *r, const char *fmt, ...)
{
    if (!r->opt->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->opt->log, fmt, ap);
    va_end(ap);
    fflush(r->opt->log);
}

static void sleep_interruptible(double seconds)
{
    uint64_t end = jm_now_ns() + (uint64_t)(seconds * 1e9);
    while (!jm_interrupted) {
        uint64_t now = jm_now_ns();
        if (now >= end)
            break;
        uint64_t left = end - now;
        if (left > 50000000u)
            left = 50000000u;
        struct timespec ts = {0, (long)left};
        nanosleep(&ts, NULL);
    }
}

int jm__runner_mark(runner *r, const char *fmt, ...)
{
    char label[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    uint64_t t;
    char merr[256];
    if (jm_sampler_mark(r->sampler, label, &t, merr, sizeof merr) != JM_M_OK)
        jm__runner_progress(r, "warning: phase mark %s: %s\n", label, merr);
    return 0;
}

/* Last mark time with this label. */
uint64_t jm__runner_mark_time(const runner *r, const char *label)
{
    size_t n = jm_sampler_mark_count(r->sampler);
    const jm_mark *m = jm_sampler_marks(r->sampler);
    for (size_t i = n; i-- > 0;)
        if (strcmp(m[i].label, label) == 0)
            return m[i].t_ns;
    return 0;
}

/* Records an available meter in the result model and the sampler's list. */
static void add_active(runner *r, const jm_meter *m, jm_meter_result *mr)
{
    const jm_config *cfg = r->cfg;
    mr->estimated = m->info.kind == JM_METER_ESTIMATED;
    snprintf(mr->source, sizeof mr->source, "%s", m->info.source);
    snprintf(mr->model, sizeof mr->model, "%s", m->info.model);
    mr->n_domains = m->info.n_domains < JM_R_MAX_DOMAINS ? m->info.n_domains : JM_R_MAX_DOMAINS;
    jm_domain_choice choice; /* the meter layer's containment rule, recorded per domain */
    jm_meter_energy_domains(&m->info, &choice);
    for (int d = 0; d < mr->n_domains; d++) {
        snprintf(mr->domains[d], sizeof mr->domains[d], "%s", m->info.domains[d]);
        snprintf(mr->domain_type[d], sizeof mr->domain_type[d], "%s",
                 jm_domain_type_name(m->info.roles[d].type));
        mr->domain_summed[d] = choice.summed[d];
        snprintf(mr->domain_why[d], sizeof mr->domain_why[d], "%s", choice.why[d]);
    }
    mr->resolution_j = m->info.resolution_j;
    mr->update_period_ms = m->info.update_period_ms;
    const char *iv = jm_meter_spec_get(&m->spec, "interval_ms");
    mr->interval_ms = iv ? (unsigned)atoi(iv)
                         : (cfg->rules.interval_ms ? cfg->rules.interval_ms
                                                   : m->info.default_interval_ms);
    jm__runner_progress(r, "meter %-9s available (%s, %d domain%s, %s)\n", m->spec.name,
             jm_meter_kind_name(m->info.kind), m->info.n_domains,
             m->info.n_domains == 1 ? "" : "s", m->info.source);
    r->active[r->n_active] = *m;
    r->active_to_result[r->n_active] = r->res->n_meters - 1;
    bool chosen = cfg->primary_meter[0] ? strcmp(cfg->primary_meter, m->spec.name) == 0
                                        : m->info.kind == JM_METER_MEASURED;
    if (r->primary < 0 && chosen)
        r->primary = r->n_active;
    r->n_active++;
}

static int open_meters(runner *r)
{
    jm_config *cfg = r->cfg;
    r->n_active = 0;
    r->primary = -1;
    for (int i = 0; i < r->opt->n_preopened && r->n_active < JM_CFG_MAX_METERS; i++) {
        jm_meter *m = &r->opt->preopened[i];
        jm_meter_result *mr = jm_results_add_meter(r->res);
        if (!mr) {
            snprintf(r->err, r->err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        snprintf(mr->name, sizeof mr->name, "%s", m->spec.name);
        snprintf(mr->spec, sizeof mr->spec, "%s (opened by the caller)", m->spec.name);
        mr->available = m->available;
        if (!m->available) {
            snprintf(mr->reason, sizeof mr->reason, "%s", m->reason);
            continue;
        }
        add_active(r, m, mr);
    }
    for (int i = 0; i < cfg->n_meters; i++) {
        jm_meter_spec spec;
        char merr[512];
        if (jm_meter_spec_parse(cfg->meters[i], &spec, merr, sizeof merr) != JM_M_OK) {
            snprintf(r->err, r->err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        if (r->n_active >= JM_CFG_MAX_METERS)
            break;
        jm_meter *m = &r->meters[r->n_meters];
        int rc = jm_meter_open(&spec, m, merr, sizeof merr);
        if (rc == JM_M_EOPTION) {
            snprintf(r->err, r->err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        if (rc < 0) {
            /* a failure to open counts as unavailable with the reason */
            m->available = false;
            snprintf(m->reason, sizeof m->reason, "%s", merr);
        }
        r->n_meters++;
        jm_meter_result *mr = jm_results_add_meter(r->res);
        if (!mr) {
            snprintf(r->err, r->err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        snprintf(mr->name, sizeof mr->name, "%s", spec.name);
        snprintf(mr->spec, sizeof mr->spec, "%s", cfg->meters[i]);
        mr->available = m->available;
        if (!m->available) {
            snprintf(mr->reason, sizeof mr->reason, "%s", m->reason);
            const jm_meter_ops *ops = jm_meter_find(spec.name);
            /* kind of an unavailable meter: only the estimate is estimated */
            mr->estimated = ops && strcmp(ops->name, "estimate") == 0;
            jm__runner_progress(r, "meter %-9s unavailable: %s\n", spec.name, m->reason);
            continue;
        }
        add_active(r, m, mr);
    }
    if (r->n_active == 0) {
        snprintf(r->err, r->err_len,
                 "no energy meter is available (see the reasons above); add \"estimate\" to the "
                 "config's meters or pass --meter estimate for a labelled estimate");
        return JM_EXIT_SYSTEM;
    }
    if (r->primary < 0) {
        if (cfg->primary_meter[0]) {
            snprintf(r->err, r->err_len, "primary_meter \"%s\" is unavailable on this machine",
                     cfg->primary_meter);
            return JM_EXIT_SYSTEM;
        }
        r->primary = 0; /* only estimates are available */
    }
    const jm_meter *p = &r->active[r->primary];
    jm_domain_choice choice; /* which domains are summed: the meter layer decides */
    if (jm_meter_energy_domains(&p->info, &choice) == 0) {
        snprintf(r->err, r->err_len, "meter %s reports no domains", p->spec.name);
        return JM_EXIT_SYSTEM;
    }
    for (int d = 0; d < p->info.n_domains; d++)
        r->primary_use[d] = choice.summed[d];
    return JM_EXIT_OK;
}

void jm__runner_energy_source(const runner *r, char *out, size_t len)
{
    const jm_meter *p = &r->active[r->primary];
    size_t used = (size_t)snprintf(out, len, "%s:", p->spec.name);
    bool first = true;
    for (int d = 0; d < p->info.n_domains && used < len; d++) {
        if (!r->primary_use[d])
            continue;
        used += (size_t)snprintf(out + used, len - used, "%s%s", first ? "" : "+", p->info.domains[d]);
        first = false;
    }
    if (used < len)
        snprintf(out + used, len - used, " (%s)",
                 p->info.kind == JM_METER_ESTIMATED ? "ESTIMATED" : "measured");
}

static void idle_baseline(runner *r)
{
    double idle_s = r->cfg->rules.idle_s;
    r->res->idle_duration_s = 0;
    if (idle_s <= 0)
        return;
    jm__runner_progress(r, "idle baseline: %.1f s with nothing running...\n", idle_s);
    jm__runner_mark(r, "begin:idle");
    sleep_interruptible(idle_s);
    jm__runner_mark(r, "end:idle");
    uint64_t t0 = jm__runner_mark_time(r, "begin:idle"), t1 = jm__runner_mark_time(r, "end:idle");
    double dur = (double)(t1 - t0) / 1e9;
    r->res->idle_duration_s = dur;
    for (int a = 0; a < r->n_active; a++) {
        jm_meter_result *mr = &r->res->meters[r->active_to_result[a]];
        for (int d = 0; d < r->active[a].info.n_domains; d++) {
            jm_energy_window w;
            double p = 0;
            if (dur > 0 && jm_sampler_energy(r->sampler, a, d, t0, t1, &w) == JM_M_OK && w.covered)
                p = w.energy_j / dur;
            r->idle_power_w[a][d] = p;
            if (d < JM_R_MAX_DOMAINS)
                mr->idle_power_w[d] = p;
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile(uint64_t *sorted, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t idx = (size_t)ceil(q * (double)n) - 1;
    if (idx >= n)
        idx = n - 1;
    return (double)sorted[idx];
}

/* Energy of every active meter domain over [t0, t1] into run->domains, and
 * the primary total into run->energy_j. */
void jm__runner_attribute_energy(runner *r, jm_run_result *run, const jm_workload_result *wr)
{
    double dur = run->duration_s;
    run->energy_j = 0;
    run->energy_above_idle_j = 0;
    run->n_domains = 0;
    run->estimated = r->active[r->primary].info.kind == JM_METER_ESTIMATED;
    jm__runner_energy_source(r, run->energy_source, sizeof run->energy_source);
    size_t min_samples = SIZE_MAX;
    for (int a = 0; a < r->n_active; a++) {
        const jm_meter *m = &r->active[a];
        const char *fail_msg = NULL;
        uint64_t failed_at = 0;
        bool failed = jm_sampler_meter_failed(r->sampler, a, &fail_msg, &failed_at);
        for (int d = 0; d < m->info.n_domains; d++) {
            jm_energy_window w;
            memset(&w, 0, sizeof w);
            int rc = jm_sampler_energy(r->sampler, a, d, run->t0_ns, run->t1_ns, &w);
            if (run->n_domains < JM_R_MAX_DOMAINS) {
                jm_domain_energy *de = &run->domains[run->n_domains++];
                snprintf(de->meter, sizeof de->meter, "%s", m->spec.name);
                snprintf(de->domain, sizeof de->domain, "%s", m->info.domains[d]);
                de->estimated = m->info.kind == JM_METER_ESTIMATED;
                de->energy_j = rc == JM_M_OK && w.covered ? w.energy_j : NAN;
                de->idle_power_w = r->idle_power_w[a][d];
                de->energy_above_idle_j = de->energy_j - de->idle_power_w * dur;
                de->n_samples = w.n_samples;
                de->max_gap_ms = (double)w.max_gap_ns / 1e6;
            }
            if (a != r->primary || !r->primary_use[d])
                continue;
            if (rc != JM_M_OK || !w.covered) {
                jm_run_result_invalidate(run, "meter %s domain %s does not cover the run%s%s",
                                         m->spec.name, m->info.domains[d],
                                         failed ? ": meter failed: " : "",
                                         failed && fail_msg ? fail_msg : "");
                continue;
            }
            run->energy_j += w.energy_j;
            run->energy_above_idle_j += w.energy_j - r->idle_power_w[a][d] * dur;
            if (w.n_samples < min_samples)
                min_samples = w.n_samples;
        }
        if (a == r->primary && failed && failed_at < run->t1_ns)
            jm_run_result_invalidate(run, "meter %s failed during the run: %s", m->spec.name,
                                     fail_msg ? fail_msg : "read error");
    }
    const jm_meter *p = &r->active[r->primary];
    if (min_samples != SIZE_MAX && (int)min_samples < r->cfg->rules.min_samples)
        jm_run_result_invalidate(run,
                                 "only %zu meter samples inside the %.3f s run; at least %d are "
                                 "needed (lengthen run_rules.duration_s or lower the sampling "
                                 "interval)",
                                 min_samples, dur, r->cfg->rules.min_samples);
    if (!(run->energy_j > 0))
        jm_run_result_invalidate(run, "meter %s reported no energy over the run", p->spec.name);
    else if (p->info.resolution_j > 0 && run->energy_j < 100 * p->info.resolution_j)
        jm_run_result_invalidate(run,
                                 "%.6f J is below 100x the meter's resolution (%.6f J): run too "
                                 "short for this meter",
                                 run->energy_j, p->info.resolution_j);
    if (!wr->accuracy_ok && wr->accuracy_tolerance > 0)
        jm_run_result_invalidate(run, "accuracy check failed: relative error %.3g exceeds %.3g",
                                 wr->accuracy_rel_err, wr->accuracy_tolerance);
    jm_run_result_derive(run);
}

/* On a terminal: one line redrawn in place while batches run. */
static void draw_progress(const runner *r, double elapsed,
                          double target_s, int batches, int min_batches, bool testing)
{
    double frac_t = target_s > 0 ? elapsed / target_s : 1.0;
    double frac_b = min_batches > 0 ? (double)batches / min_batches : 1.0;
    double frac = frac_t < frac_b ? frac_t : frac_b;
    if (frac > 1)
        frac = 1;
    char bar[31];
    int filled = (int)(frac * 30 + 0.5);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fprintf(r->opt->log, "\r  %-8s [%s] %6.1f/%.1f s, %d batch%s\033[K", testing ? "testing" : "warm-up",
            bar, elapsed, target_s, batches, batches == 1 ? "" : "es");
    if (frac >= 1)
        fprintf(r->opt->log, "\r\033[K");
    fflush(r->opt->log);
}

/* Runs whole batches until min_seconds and min_batches are reached (or an
 * interrupt). Fills tokens and per-batch latencies. Returns 0 or -1 (err). */
static int run_batches(runner *r, jm_workload *w, double min_seconds, int min_batches,
                       jm_run_result *run, uint64_t **lat, size_t *n_lat, size_t *cap_lat)
{
    const jm_workload_shape *s = jm_workload_get_shape(w);
    uint64_t start = jm_now_ns();
    int batches = 0;
    for (;;) {
        jm_run_stats st;
        memset(&st, 0, sizeof st);
        uint64_t b0 = jm_now_ns();
        char kerr[512];
        if (jm_workload_run(w, s->batch_seqs, &st, kerr, sizeof kerr) != JM_K_OK) {
            snprintf(r->err, r->err_len, "workload run failed: %s", kerr);
            return -1;
        }
        uint64_t b1 = jm_now_ns();
        batches++;
        if (run) {
            run->tokens += st.tokens;
            run->samples += (uint64_t)s->batch_seqs;
            run->queries += 1;
            run->dropped_tokens += st.dropped_tokens;
        }
        if (lat) {
            if (*n_lat == *cap_lat) {
                size_t cap = *cap_lat ? *cap_lat * 2 : 256;
                uint64_t *p = realloc(*lat, cap * sizeof(**lat));
                if (!p) {
                    snprintf(r->err, r->err_len, "out of memory for latencies");
                    return -1;
                }
                *lat = p;
                *cap_lat = cap;
            }
            (*lat)[(*n_lat)++] = b1 - b0;
        }
        double elapsed = (double)(b1 - start) / 1e9;
        if (r->opt->progress_tty && r->opt->log)
            draw_progress(r, elapsed, min_seconds, batches, min_batches,
                          run != NULL);
        if (jm_interrupted)
            break;
        if (batches >= min_batches && elapsed >= min_seconds)
            break;
    }
    return 0;
}

/* Counter deltas of one run (cycles, instructions, FP operations). */
static void counter_deltas(jm_run_result *run, const jm_counter_values *c0,
                           const jm_counter_values *c1)
{
    double a, b;
    run->counters = true;
    run->cycles = jm_counters_get(c0, "cycles", &a) && jm_counters_get(c1, "cycles", &b) ? b - a : NAN;
    run->instructions = jm_counters_get(c0, "instructions", &a) &&
                                jm_counters_get(c1, "instructions", &b)
                            ? b - a
                            : NAN;
    run->fp_ops = jm_counters_flops(c0, &a) && jm_counters_flops(c1, &b) ? b - a : NAN;
    run->instructions_per_j = NAN;
    run->counter_gflops = NAN;
}

void jm__runner_workload_header(const jm_workload_config *wc, jm_workload_result *wr)
{
    const jm_workload_shape *s = &wc->shape;
    snprintf(wr->name, sizeof wr->name, "%s", wc->name);
    static const char *const kinds[] = {"gemm", "dense", "moe"};
    snprintf(wr->kind, sizeof wr->kind, "%s", kinds[s->kind]);
    wr->params = jm_workload_params(s);
    wr->active_params = jm_workload_active_params(s);
    wr->flops_per_token = jm_workload_flops_per_token(s);
    wr->bytes_per_token = jm_workload_bytes_per_token(s);
    cJSON *shape = cJSON_CreateObject();
    cJSON_AddStringToObject(shape, "type", kinds[s->kind]);
    if (s->kind == JM_WORKLOAD_GEMM) {
        cJSON_AddNumberToObject(shape, "m", s->m);
        cJSON_AddNumberToObject(shape, "n", s->n);
        cJSON_AddNumberToObject(shape, "k", s->k);
    } else {
        cJSON_AddNumberToObject(shape, "d_model", s->d_model);
        cJSON_AddNumberToObject(shape, "n_heads", s->n_heads);
        cJSON_AddNumberToObject(shape, "d_ff", s->d_ff);
        cJSON_AddNumberToObject(shape, "seq_len", s->seq_len);
        cJSON_AddNumberToObject(shape, "batch_seqs", s->batch_seqs);
        cJSON_AddNumberToObject(shape, "tokens_per_batch", (double)s->seq_len * s->batch_seqs);
        if (s->kind == JM_WORKLOAD_MOE) {
            cJSON_AddNumberToObject(shape, "n_experts", s->n_experts);
            cJSON_AddNumberToObject(shape, "top_k", s->top_k);
            cJSON_AddNumberToObject(shape, "capacity_factor", s->capacity_factor);
        }
    }
    cJSON_AddStringToObject(shape, "backend", jm_backend_name(s->backend));
    cJSON_AddStringToObject(shape, "precision", jm_precision_name(s->precision));
    cJSON_AddNumberToObject(shape, "threads", s->threads);
    cJSON_AddNumberToObject(shape, "seed", (double)s->seed);
    wr->shape = shape;
}

static int run_workload(runner *r, const jm_workload_config *wc)
{
    const jm_run_rules *rules = &r->cfg->rules;
    jm_workload_result *wr = jm_results_add_workload(r->res);
    if (!wr) {
        snprintf(r->err, r->err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    jm__runner_workload_header(wc, wr);
    jm_workload *w = NULL;
    char kerr[512];
    jm__runner_progress(r, "[%s] creating (%.1f M parameters, %.1f MFLOP/token, %.0f MiB)...\n", wc->name,
             (double)wr->params / 1e6, wr->flops_per_token / 1e6,
             (double)jm_workload_memory_bytes(&wc->shape) / (1024.0 * 1024.0));
    if (jm_workload_create(&wc->shape, &w, kerr, sizeof kerr) != JM_K_OK) {
        snprintf(r->err, r->err_len, "workload %s: %s", wc->name, kerr);
        return JM_EXIT_SYSTEM;
    }
    wr->accuracy_tolerance = jm_workload_tolerance(&wc->shape);
    wr->accuracy_ok = true;
    wr->accuracy_rel_err = 0;
    if (rules->verify) {
        double rel = 0;
        if (jm_workload_verify(w, wc->shape.seed ^ 0x5eedULL, 1, &rel, kerr, sizeof kerr) != JM_K_OK) {
            snprintf(r->err, r->err_len, "workload %s: accuracy check: %s", wc->name, kerr);
            jm_workload_destroy(w);
            return JM_EXIT_SYSTEM;
        }
        wr->accuracy_rel_err = rel;
        wr->accuracy_ok = rel <= wr->accuracy_tolerance;
        jm__runner_progress(r, "[%s] accuracy vs fp64 reference: relative error %.2e (bound %.1e) %s\n",
                 wc->name, rel, wr->accuracy_tolerance, wr->accuracy_ok ? "ok" : "FAILED");
    } else {
        wr->accuracy_tolerance = 0; /* not checked */
        wr->accuracy_rel_err = NAN;
    }

    int rc = JM_EXIT_OK;
    if (rules->warmup_s > 0) {
        /* the warm-up is also the ranging run: an analyzer sets its ranges from it */
        jm__runner_mark(r, "begin:ranging:%.40s", wc->name);
        if (run_batches(r, w, rules->warmup_s, 1, NULL, NULL, NULL, NULL) != 0)
            rc = JM_EXIT_SYSTEM;
        jm__runner_mark(r, "end:ranging:%.40s", wc->name);
    }

    uint64_t *lat = NULL;
    size_t n_lat = 0, cap_lat = 0;
    for (int i = 0; i < rules->repeats && rc == JM_EXIT_OK && !jm_interrupted; i++) {
        jm_run_result *run = jm_workload_result_add_run(wr);
        if (!run) {
            snprintf(r->err, r->err_len, "out of memory");
            rc = JM_EXIT_SYSTEM;
            break;
        }
        run->index = i + 1;
        snprintf(run->phase, sizeof run->phase, "testing");
        run->valid = true;
        /* labels stay under the sampler's 64-byte mark label */
        char b[96], e[96];
        snprintf(b, sizeof b, "begin:testing:%.40s:run%d", wc->name, (i + 1) % 10000);
        snprintf(e, sizeof e, "end:testing:%.40s:run%d", wc->name, (i + 1) % 10000);
        jm_counter_values c0, c1;
        bool have_c0 = r->counters && jm_counters_read(r->counters, &c0, kerr, sizeof kerr) == JM_M_OK;
        jm__runner_mark(r, "%s", b);
        n_lat = 0;
        if (run_batches(r, w, rules->duration_s, rules->min_batches, run, &lat, &n_lat, &cap_lat) != 0)
            rc = JM_EXIT_SYSTEM;
        jm__runner_mark(r, "%s", e);
        if (have_c0 && jm_counters_read(r->counters, &c1, kerr, sizeof kerr) == JM_M_OK)
            counter_deltas(run, &c0, &c1);
        run->t0_ns = jm__runner_mark_time(r, b);
        run->t1_ns = jm__runner_mark_time(r, e);
        run->duration_s = (double)(run->t1_ns - run->t0_ns) / 1e9;
        qsort(lat, n_lat, sizeof(*lat), cmp_u64);
        run->latency_p50_ns = percentile(lat, n_lat, 0.50);
        run->latency_p90_ns = percentile(lat, n_lat, 0.90);
        run->latency_p99_ns = percentile(lat, n_lat, 0.99);
        jm__runner_attribute_energy(r, run, wr);
        if (run->counters && run->energy_j > 0) {
            run->instructions_per_j = run->instructions / run->energy_j;
            run->counter_gflops = run->duration_s > 0 ? run->fp_ops / run->duration_s / 1e9 : NAN;
        }
        if (jm_interrupted)
            jm_run_result_invalidate(run, "interrupted (signal %d) before the run finished",
                                     (int)jm_interrupted);
        if (rc != JM_EXIT_OK)
            jm_run_result_invalidate(run, "workload failed during the run");
        jm__runner_progress(r, "[%s] run %d/%d: %.2f s, %llu tokens, %.1f tokens/s, %.3f mJ/token, %.1f W "
                    "[%s]%s\n",
                 wc->name, i + 1, rules->repeats, run->duration_s,
                 (unsigned long long)run->tokens, run->tokens_per_s, run->mj_per_token,
                 run->avg_power_w, run->energy_source, run->valid ? "" : " INVALID");
        for (int k = 0; k < run->n_invalid_reasons; k++)
            jm__runner_progress(r, "    invalid: %s\n", run->invalid_reasons[k]);
    }
    free(lat);
    if (rc == JM_EXIT_OK && r->cfg->n_scenarios > 0 && !jm_interrupted)
        rc = jm__runner_scenarios(r, wc, w, (int)(wr - r->res->workloads));
    jm_workload_destroy(w);
    return rc;
}

/* The config as used, plus the effective values after defaults, --quick and
 * --meter, so a result can be reproduced. */
static cJSON *config_as_used(const jm_config *cfg)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "path", cfg->path);
    cJSON_AddItemToObject(c, "as_written", cfg->json ? cJSON_Duplicate(cfg->json, 1) : cJSON_CreateNull());
    cJSON *eff = cJSON_CreateObject();
    const jm_run_rules *r = &cfg->rules;
    cJSON *rules = cJSON_CreateObject();
    cJSON_AddStringToObject(rules, "preset", r->name);
    cJSON_AddNumberToObject(rules, "idle_s", r->idle_s);
    cJSON_AddNumberToObject(rules, "warmup_s", r->warmup_s);
    cJSON_AddNumberToObject(rules, "duration_s", r->duration_s);
    cJSON_AddNumberToObject(rules, "repeats", r->repeats);
    cJSON_AddNumberToObject(rules, "min_batches", r->min_batches);
    cJSON_AddNumberToObject(rules, "threads", r->threads);
    cJSON_AddNumberToObject(rules, "min_samples", r->min_samples);
    cJSON_AddBoolToObject(rules, "verify", r->verify);
    cJSON_AddNumberToObject(rules, "interval_ms", r->interval_ms);
    cJSON_AddItemToObject(eff, "run_rules", rules);
    cJSON *meters = cJSON_CreateArray();
    for (int i = 0; i < cfg->n_meters; i++)
        cJSON_AddItemToArray(meters, cJSON_CreateString(cfg->meters[i]));
    cJSON_AddItemToObject(eff, "meters", meters);
    cJSON_AddStringToObject(eff, "primary_meter", cfg->primary_meter);
    cJSON *cmp = cJSON_CreateArray();
    for (int i = 0; i < cfg->n_comparisons; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "baseline", cfg->comparisons[i].baseline);
        cJSON_AddStringToObject(o, "candidate", cfg->comparisons[i].candidate);
        cJSON_AddItemToArray(cmp, o);
    }
    cJSON_AddItemToObject(eff, "comparisons", cmp);
    if (cfg->carbon_pue > 0 || cfg->carbon_region[0]) {
        cJSON *carbon = cJSON_AddObjectToObject(eff, "carbon");
        if (cfg->carbon_pue > 0)
            cJSON_AddNumberToObject(carbon, "pue", cfg->carbon_pue);
        if (cfg->carbon_region[0])
            cJSON_AddStringToObject(carbon, "region", cfg->carbon_region);
    }
    cJSON_AddItemToObject(c, "effective", eff);
    return c;
}

int jm_runner_execute(jm_config *cfg, const jm_run_options *opt, jm_results *res, char *err,
                      size_t err_len)
{
    runner *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(err, err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    r->cfg = cfg;
    r->opt = opt;
    r->res = res;
    r->err = err;
    r->err_len = err_len;
    int rc = JM_EXIT_OK;

    snprintf(res->joulemark_version, sizeof res->joulemark_version, "%s", JM_VERSION);
    snprintf(res->git_describe, sizeof res->git_describe, "%s", JM_GIT_DESCRIBE);
    jm_utc_iso(res->started_utc, sizeof res->started_utc);
    snprintf(res->config_path, sizeof res->config_path, "%.500s", cfg->path);
    snprintf(res->run_rules, sizeof res->run_rules, "%s", cfg->rules.name);
    res->quick = opt->quick || strcmp(cfg->rules.name, "quick") == 0;
    res->complete = true;
    /* counters count threads created after they open: before any OpenMP region */
    char creason[512];
    if (jm_counters_open(&r->counters, creason, sizeof creason) == JM_M_OK) {
        jm_counter_values v;
        res->counters_available = true;
        size_t used = 0;
        if (jm_counters_read(r->counters, &v, creason, sizeof creason) == JM_M_OK)
            for (int i = 0; i < v.n && used < sizeof res->counters_reason; i++)
                used += (size_t)snprintf(res->counters_reason + used,
                                         sizeof res->counters_reason - used, "%s%s",
                                         i ? ", " : "counted: ", v.names[i]);
    } else {
        r->counters = NULL;
        snprintf(res->counters_reason, sizeof res->counters_reason, "%s", creason);
        jm__runner_progress(r, "hardware counters unavailable: %s\n", creason);
    }
    res->system = jm_system_describe();
    res->config = config_as_used(cfg);

    jm_cache_sizes caches;
    jm_system_caches(&caches);
    r->threads = cfg->rules.threads > 0 ? cfg->rules.threads
                                        : (caches.cores > 0 ? caches.cores : omp_get_num_procs());
    cJSON_AddNumberToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(res->config, "effective"),
                                                "run_rules"),
                            "threads_used", r->threads);
    for (int i = 0; i < cfg->n_workloads; i++)
        cfg->workloads[i].shape.threads = r->threads;

    rc = open_meters(r);
    if (rc != JM_EXIT_OK)
        goto done;
    res->estimated = r->active[r->primary].info.kind == JM_METER_ESTIMATED;
    if (res->estimated)
        jm__runner_progress(r, "NOTE: no hardware energy meter is available here; every energy figure is "
                    "ESTIMATED by the %s meter (%s)\n",
                 r->active[r->primary].spec.name, r->active[r->primary].info.model);

    jm_sampler_config scfg = {cfg->rules.interval_ms};
    char merr[512];
    if (jm_sampler_create(r->active, r->n_active, &scfg, &r->sampler, merr, sizeof merr) != JM_M_OK ||
        jm_sampler_start(r->sampler, merr, sizeof merr) != JM_M_OK) {
        snprintf(err, err_len, "sampler: %s", merr);
        rc = JM_EXIT_SYSTEM;
        goto done;
    }
    /* pin only now: meters (the estimate reads the process's CPU set) and the
     * sampler thread (created above, it keeps the whole CPU set) must not
     * inherit the master thread's single-core binding */
    omp_set_num_threads(r->threads);
    char reason[256];
    if (jm_pin_omp_threads(r->threads, reason, sizeof reason) != 0)
        jm__runner_progress(r, "threads: %d, not pinned: %s\n", r->threads, reason);
    else
        jm__runner_progress(r, "threads: %d, pinned one per core (hwloc)%s%s\n", r->threads,
                 reason[0] ? "; " : "", reason);
    idle_baseline(r);
    for (int i = 0; i < cfg->n_workloads && !jm_interrupted; i++) {
        rc = run_workload(r, &cfg->workloads[i]);
        if (rc != JM_EXIT_OK)
            break;
    }
    jm_sampler_stop(r->sampler);
    res->sampler_cpu_ns = jm_sampler_cpu_ns(r->sampler);
    for (int a = 0; a < r->n_active; a++) {
        const char *msg = NULL;
        uint64_t at = 0;
        if (jm_sampler_meter_failed(r->sampler, a, &msg, &at)) {
            jm_meter_result *mr = &res->meters[r->active_to_result[a]];
            mr->failed = true;
            snprintf(mr->failure, sizeof mr->failure, "%s", msg ? msg : "read error");
        }
    }
    jm_runner_build_trace(res, r->sampler, r->active, r->n_active, r->active_to_result);
    jm__runner_write_scenario_logs(r);
    if (res->trace.n_points > 0 && res->trace.points[res->trace.n_points - 1].t_ns > res->trace.t_origin_ns) {
        double total_s = (double)(res->trace.points[res->trace.n_points - 1].t_ns -
                                  res->trace.t_origin_ns) / 1e9;
        res->sampler_overhead_pct = total_s > 0 ? 100.0 * ((double)res->sampler_cpu_ns / 1e9) / total_s : 0;
    }
    if (opt->out_dir) {
        for (int a = 0; a < r->n_active; a++) {
            if (!r->active[a].ops->export_logs)
                continue;
            char dir[JM_CFG_PATH_MAX + 64], rerr[256];
            snprintf(dir, sizeof dir, "%s/meters/%s", opt->out_dir, r->active[a].spec.name);
            if (jm_mkdir_p(dir, rerr, sizeof rerr) != 0 ||
                r->active[a].ops->export_logs(r->active[a].state, dir, rerr, sizeof rerr) != 0)
                jm__runner_progress(r, "warning: meter %s logs not written: %s\n", r->active[a].spec.name, rerr);
        }
    }
    if (jm_interrupted) {
        res->complete = false;
        snprintf(res->incomplete_reason, sizeof res->incomplete_reason,
                 "interrupted by signal %d; results hold what was measured until then",
                 (int)jm_interrupted);
    } else if (rc != JM_EXIT_OK) {
        res->complete = false;
        snprintf(res->incomplete_reason, sizeof res->incomplete_reason, "%s", err);
    }
    jm_results_summarize(res);
    for (int i = 0; i < cfg->n_comparisons; i++) {
        char cerr[256];
        if (jm_results_compare(res, cfg->comparisons[i].baseline, cfg->comparisons[i].candidate,
                               cerr, sizeof cerr) != 0)
            jm__runner_progress(r, "comparison %s vs %s not made: %s\n", cfg->comparisons[i].baseline,
                     cfg->comparisons[i].candidate, cerr);
    }
done:
    jm_utc_iso(res->finished_utc, sizeof res->finished_utc);
    if (r->sampler)
        jm_sampler_destroy(r->sampler);
    if (r->counters)
        jm_counters_close(r->counters);
    jm__runner_free_scenarios(r);
    for (int i = 0; i < r->n_meters; i++)
        if (r->meters[i].available)
            jm_meter_close(&r->meters[i]);
    free(r);
    return rc;
}
