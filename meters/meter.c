/* meter.c - opening, reading and closing one meter through its ops: name and
 * option validation common to all meters, defaults of the sampling interval. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meters_internal.h"

const char *jm_meter_kind_name(jm_meter_kind k)
{
    return k == JM_METER_ESTIMATED ? "estimated" : "measured";
}

static bool key_accepted(const jm_meter_ops *ops, const char *key)
{
    if (strcmp(key, "interval_ms") == 0) /* understood by the sampler for every meter */
        return true;
    for (const char *const *k = ops->option_keys; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

static void list_keys(const jm_meter_ops *ops, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const char *const *k = ops->option_keys; k && *k && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s, ", *k);
    if (used < len)
        snprintf(buf + used, len - used, "interval_ms");
}

int jm_meter_open(const jm_meter_spec *spec, jm_meter *m, char *err, size_t err_len)
{
    memset(m, 0, sizeof(*m));
    m->spec = *spec;
    const jm_meter_ops *ops = jm_meter_find(spec->name);
    if (!ops) {
        size_t used = (size_t)snprintf(err, err_len, "unknown meter '%s': expected one of",
                                       spec->name);
        for (const jm_meter_ops *const *t = jm_meter_table(); *t && used < err_len; t++)
            used += (size_t)snprintf(err + used, err_len - used, " %s", (*t)->name);
        return JM_M_EOPTION;
    }
    m->ops = ops;
    for (int i = 0; i < spec->n_options; i++) {
        if (!key_accepted(ops, spec->options[i].key)) {
            char keys[256];
            list_keys(ops, keys, sizeof keys);
            snprintf(err, err_len, "meter '%s': unknown option '%s': expected one of %s",
                     spec->name, spec->options[i].key, keys);
            return JM_M_EOPTION;
        }
    }
    long interval;
    if (jm__opt_long(spec, "interval_ms", 0, 1, 3600000, &interval, err, err_len) != 0)
        return JM_M_EOPTION;
    char reason[JM_METER_REASON_MAX] = "";
    int rc = ops->open(spec, &m->state, &m->info, reason, sizeof reason);
    if (rc == JM_M_UNAVAILABLE) {
        m->available = false;
        snprintf(m->reason, sizeof m->reason, "%s", reason);
        m->state = NULL;
        return JM_M_UNAVAILABLE;
    }
    if (rc != JM_M_OK) {
        snprintf(err, err_len, "%s", reason);
        m->state = NULL;
        return rc;
    }
    if (m->info.default_interval_ms == 0)
        m->info.default_interval_ms = m->info.quantity == JM_METER_POWER ? 1000 : 50;
    m->available = true;
    return JM_M_OK;
}

int jm_meter_read(jm_meter *m, jm_meter_sample *out, char *err, size_t err_len)
{
    if (!m->ops || !m->available) {
        snprintf(err, err_len, "meter '%s' is not open and available", m->spec.name);
        return JM_M_ESTATE;
    }
    memset(out, 0, sizeof(*out));
    int rc = m->ops->read(m->state, out, err, err_len);
    if (rc == JM_M_OK && out->t_ns == 0)
        out->t_ns = jm_now_ns();
    return rc;
}

void jm_meter_close(jm_meter *m)
{
    if (m->ops && m->available && m->ops->close)
        m->ops->close(m->state);
    m->state = NULL;
    m->available = false;
}
