/* run_meters.c - the meters of one run: opens the caller's and the config's
 * meters, records each in the result model (available, or the reason it is
 * not), picks the primary meter whose energy the figures come from and,
 * by the meter layer's containment rule (meters/domains.c), the domains of
 * it that are summed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Records an available meter in the result model and the sampler's list. */
static void add_active(const jm_config *cfg, FILE *log, jm_results *res, jm_run_meters *rm,
                       const jm_meter *m, jm_meter_result *mr)
{
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
    jm_log(log, "meter %-9s available (%s, %d domain%s, %s)\n", m->spec.name,
           jm_meter_kind_name(m->info.kind), m->info.n_domains,
           m->info.n_domains == 1 ? "" : "s", m->info.source);
    rm->active[rm->n_active] = *m;
    rm->active_to_result[rm->n_active] = res->n_meters - 1;
    if (rm->primary < 0 && jm_meter_is_primary_choice(cfg, m))
        rm->primary = rm->n_active;
    rm->n_active++;
}

int jm_run_meters_open(const jm_config *cfg, const jm_run_options *opt, jm_results *res,
                       jm_run_meters *rm, char *err, size_t err_len)
{
    memset(rm, 0, sizeof(*rm));
    rm->primary = -1;
    for (int i = 0; i < opt->n_preopened && rm->n_active < JM_CFG_MAX_METERS; i++) {
        jm_meter *m = &opt->preopened[i];
        jm_meter_result *mr = jm_results_add_meter(res);
        if (!mr) {
            snprintf(err, err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        snprintf(mr->name, sizeof mr->name, "%s", m->spec.name);
        snprintf(mr->spec, sizeof mr->spec, "%s (opened by the caller)", m->spec.name);
        mr->available = m->available;
        if (!m->available) {
            snprintf(mr->reason, sizeof mr->reason, "%s", m->reason);
            continue;
        }
        add_active(cfg, opt->log, res, rm, m, mr);
    }
    for (int i = 0; i < cfg->n_meters; i++) {
        jm_meter_spec spec;
        char merr[512];
        if (jm_meter_spec_parse(cfg->meters[i], &spec, merr, sizeof merr) != JM_M_OK) {
            snprintf(err, err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        if (rm->n_active >= JM_CFG_MAX_METERS)
            break;
        jm_meter *m = &rm->meters[rm->n_meters];
        int rc = jm_meter_open(&spec, m, merr, sizeof merr);
        if (rc == JM_M_EOPTION) {
            snprintf(err, err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        if (rc < 0) {
            /* a failure to open counts as unavailable with the reason */
            m->available = false;
            snprintf(m->reason, sizeof m->reason, "%s", merr);
        }
        rm->n_meters++;
        jm_meter_result *mr = jm_results_add_meter(res);
        if (!mr) {
            snprintf(err, err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        snprintf(mr->name, sizeof mr->name, "%s", spec.name);
        snprintf(mr->spec, sizeof mr->spec, "%s", cfg->meters[i]);
        mr->available = m->available;
        if (!m->available) {
            snprintf(mr->reason, sizeof mr->reason, "%s", m->reason);
            const jm_meter_ops *ops = jm_meter_find(spec.name);
            /* kind of an unavailable meter: what the meter declares it is */
            mr->estimated = ops && ops->kind == JM_METER_ESTIMATED;
            jm_log(opt->log, "meter %-9s unavailable: %s\n", spec.name, m->reason);
            continue;
        }
        add_active(cfg, opt->log, res, rm, m, mr);
    }
    if (rm->n_active == 0) {
        snprintf(err, err_len,
                 "no energy meter is available (see the reasons above); add \"estimate\" to the "
                 "config's meters or pass --meter estimate for a labelled estimate");
        return JM_EXIT_SYSTEM;
    }
    if (rm->primary < 0) {
        if (cfg->primary_meter[0]) {
            snprintf(err, err_len, "primary_meter \"%s\" is unavailable on this machine",
                     cfg->primary_meter);
            return JM_EXIT_SYSTEM;
        }
        rm->primary = 0; /* only estimates are available */
    }
    const jm_meter *p = &rm->active[rm->primary];
    jm_domain_choice choice; /* which domains are summed: the meter layer decides */
    if (jm_meter_energy_domains(&p->info, &choice) == 0) {
        snprintf(err, err_len, "meter %s reports no domains", p->spec.name);
        return JM_EXIT_SYSTEM;
    }
    for (int d = 0; d < p->info.n_domains; d++)
        rm->primary_use[d] = choice.summed[d];
    res->meters[rm->active_to_result[rm->primary]].primary = true; /* others: side readings */
    return JM_EXIT_OK;
}

void jm_run_meters_close(jm_run_meters *rm)
{
    for (int i = 0; i < rm->n_meters; i++)
        if (rm->meters[i].available)
            jm_meter_close(&rm->meters[i]);
    rm->n_meters = 0;
    rm->n_active = 0;
}

void jm_run_energy_source(const jm_run_meters *rm, char *out, size_t len)
{
    const jm_meter *p = &rm->active[rm->primary];
    size_t used = (size_t)snprintf(out, len, "%s:", p->spec.name);
    bool first = true;
    for (int d = 0; d < p->info.n_domains && used < len; d++) {
        if (!rm->primary_use[d])
            continue;
        used += (size_t)snprintf(out + used, len - used, "%s%s", first ? "" : "+",
                                 p->info.domains[d]);
        first = false;
    }
    if (used < len)
        snprintf(out + used, len - used, " (%s)",
                 p->info.kind == JM_METER_ESTIMATED ? "ESTIMATED" : "measured");
}
