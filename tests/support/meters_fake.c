/* meters_fake.c - the scripted fake meter of meters_fake.h (tests only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meters_fake.h"

typedef struct fake_state {
    jm_fake_meter_script script;
    uint64_t t_open_ns;
    int reads, phase_calls;
    char phases[1024], workloads[1024];
    uint64_t phase_entered_ns, phase_returned_ns;
} fake_state;

static double energy_since_open(const fake_state *s, int d, uint64_t t_ns)
{
    double tau = t_ns > s->t_open_ns ? (double)(t_ns - s->t_open_ns) * 1e-9 : 0.0;
    return s->script.base_w[d] * tau + 0.5 * s->script.ramp_w_per_s[d] * tau * tau;
}

static int fake_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    fake_state *s = state;
    if (s->script.read_delay_ms) {
        struct timespec ts = {.tv_sec = s->script.read_delay_ms / 1000,
                              .tv_nsec = (long)(s->script.read_delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (s->script.fail_after_reads > 0 && s->reads >= s->script.fail_after_reads) {
        snprintf(err, err_len, "fake meter: scripted failure after %d reads", s->reads);
        return JM_M_EIO;
    }
    uint64_t t = jm_now_ns();
    out->t_ns = t;
    double tau = (double)(t - s->t_open_ns) * 1e-9;
    for (int d = 0; d < s->script.n_domains; d++)
        out->value[d] = s->script.quantity == JM_METER_POWER
                            ? s->script.base_w[d] + s->script.ramp_w_per_s[d] * tau
                            : energy_since_open(s, d, t);
    s->reads++;
    return JM_M_OK;
}

static int fake_phase(void *state, const char *phase, const char *workload, bool begin, char *err,
                      size_t err_len)
{
    fake_state *s = state;
    s->phase_entered_ns = jm_now_ns();
    if (s->script.phase_delay_ms) {
        struct timespec ts = {.tv_sec = s->script.phase_delay_ms / 1000,
                              .tv_nsec = (long)(s->script.phase_delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    s->phase_calls++;
    size_t wused = strlen(s->workloads);
    snprintf(s->workloads + wused, sizeof s->workloads - wused, "%s%s", wused ? " " : "",
             workload);
    if (s->script.fail_phase_begin > 0 && s->phase_calls == s->script.fail_phase_begin) {
        snprintf(err, err_len, "fake meter: scripted failure of phase call %d", s->phase_calls);
        return JM_M_EIO;
    }
    size_t used = strlen(s->phases);
    snprintf(s->phases + used, sizeof s->phases - used, "%s%c%s", used ? " " : "",
             begin ? '+' : '-', phase);
    s->phase_returned_ns = jm_now_ns();
    return JM_M_OK;
}

static void fake_close(void *state)
{
    free(state);
}

static int fake_open_unused(const jm_meter_spec *spec, void **state, jm_meter_info *info,
                            char *reason, size_t reason_len)
{
    (void)spec;
    (void)state;
    (void)info;
    snprintf(reason, reason_len, "fake meter: open it with jm_fake_meter_open");
    return JM_M_EOPTION;
}

static const jm_meter_ops fake_ops = {
    .name = "fake",
    .summary = "scripted fake meter (tests)",
    .option_keys = NULL,
    .open = fake_open_unused,
    .read = fake_read,
    .phase = fake_phase,
    .export_logs = NULL,
    .close = fake_close,
};

int jm_fake_meter_open(jm_meter *m, const jm_fake_meter_script *script)
{
    memset(m, 0, sizeof(*m));
    fake_state *s = calloc(1, sizeof(*s));
    if (!s)
        return JM_M_ENOMEM;
    s->script = *script;
    if (s->script.n_domains <= 0)
        s->script.n_domains = 1;
    s->t_open_ns = jm_now_ns();
    m->ops = &fake_ops;
    m->state = s;
    m->available = true;
    snprintf(m->spec.name, sizeof m->spec.name, "%s", script->name ? script->name : "fake");
    m->info.kind = script->kind;
    m->info.quantity = script->quantity;
    m->info.n_domains = s->script.n_domains;
    for (int d = 0; d < s->script.n_domains; d++)
        snprintf(m->info.domains[d], JM_METER_NAME_MAX, "fake-%d", d);
    m->info.default_interval_ms = script->default_interval_ms
                                      ? script->default_interval_ms
                                      : (script->quantity == JM_METER_POWER ? 1000 : 50);
    m->info.update_period_ms = 1;
    snprintf(m->info.source, sizeof m->info.source, "scripted fake meter");
    return JM_M_OK;
}

double jm_fake_meter_expected_j(const jm_meter *m, int domain, uint64_t t0_ns, uint64_t t1_ns)
{
    const fake_state *s = m->state;
    return energy_since_open(s, domain, t1_ns) - energy_since_open(s, domain, t0_ns);
}

int jm_fake_meter_reads(const jm_meter *m)
{
    return ((const fake_state *)m->state)->reads;
}

const char *jm_fake_meter_phases(const jm_meter *m)
{
    return ((const fake_state *)m->state)->phases;
}

const char *jm_fake_meter_phase_workloads(const jm_meter *m)
{
    return ((const fake_state *)m->state)->workloads;
}

void jm_fake_meter_last_phase(const jm_meter *m, uint64_t *entered_ns, uint64_t *returned_ns)
{
    const fake_state *s = m->state;
    *entered_ns = s->phase_entered_ns;
    *returned_ns = s->phase_returned_ns;
}
