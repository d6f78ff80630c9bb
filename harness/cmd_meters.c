/* cmd_meters.c - `joulemark meters [--json] [--meter SPEC]...`: opens every
 * built-in meter (or the ones given) and lists each as available, with its
 * kind, domains, resolution and update period, or unavailable with the reason
 * and the fix; then whether hardware performance counters can be read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_SPECS 32

static void usage(FILE *out)
{
    fprintf(out, "usage: joulemark meters [--json] [--meter NAME[:KEY=VALUE,...]]...\n\n"
                 "Lists energy meters: available (kind, domains, resolution, update period)\n"
                 "or unavailable with the reason and the fix. Without --meter, every built-in\n"
                 "meter is tried with its default options.\n");
}

static cJSON *meter_json(const jm_meter *m, const char *spec_text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->spec.name);
    cJSON_AddStringToObject(o, "spec", spec_text);
    cJSON_AddStringToObject(o, "summary", m->ops ? m->ops->summary : "");
    cJSON_AddBoolToObject(o, "available", m->available);
    if (!m->available) {
        cJSON_AddStringToObject(o, "reason", m->reason);
        return o;
    }
    cJSON_AddStringToObject(o, "kind", jm_meter_kind_name(m->info.kind));
    cJSON_AddStringToObject(o, "quantity",
                            m->info.quantity == JM_METER_POWER ? "power" : "energy");
    cJSON *d = cJSON_AddArrayToObject(o, "domains");
    for (int i = 0; i < m->info.n_domains; i++)
        cJSON_AddItemToArray(d, cJSON_CreateString(m->info.domains[i]));
    /* the meter layer's domain rule: what its energy sums, and why the rest is left out */
    jm_domain_choice c;
    jm_meter_energy_domains(&m->info, &c);
    cJSON *e = cJSON_AddArrayToObject(o, "energy_domains");
    for (int i = 0; i < m->info.n_domains; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", m->info.domains[i]);
        cJSON_AddStringToObject(x, "type", jm_domain_type_name(m->info.roles[i].type));
        cJSON_AddBoolToObject(x, "summed", c.summed[i]);
        cJSON_AddStringToObject(x, "why", c.why[i]);
        cJSON_AddItemToArray(e, x);
    }
    cJSON_AddNumberToObject(o, "resolution_j", m->info.resolution_j);
    cJSON_AddNumberToObject(o, "update_period_ms", m->info.update_period_ms);
    cJSON_AddNumberToObject(o, "default_interval_ms", m->info.default_interval_ms);
    cJSON_AddStringToObject(o, "source", m->info.source);
    if (m->info.model[0])
        cJSON_AddStringToObject(o, "model", m->info.model);
    return o;
}

static void meter_text(const jm_meter *m)
{
    if (!m->available) {
        printf("%-9s unavailable: %s\n", m->spec.name, m->reason);
        return;
    }
    printf("%-9s available (%s%s)\n", m->spec.name, jm_meter_kind_name(m->info.kind),
           m->info.kind == JM_METER_ESTIMATED ? ": NOT a measurement" : "");
    printf("          domains:");
    for (int i = 0; i < m->info.n_domains; i++)
        printf(" %s", m->info.domains[i]);
    jm_domain_choice c;
    jm_meter_energy_domains(&m->info, &c);
    printf("\n          energy:");
    for (int i = 0, first = 1; i < m->info.n_domains; i++)
        if (c.summed[i]) {
            printf("%s%s", first ? " " : " + ", m->info.domains[i]);
            first = 0;
        }
    for (int i = 0; i < m->info.n_domains; i++)
        if (!c.summed[i])
            printf("\n            %s left out: %s", m->info.domains[i], c.why[i]);
    printf("\n          reads %s, ", m->info.quantity == JM_METER_POWER ? "power (W)" : "energy (J)");
    if (m->info.resolution_j > 0)
        printf("resolution %g J, ", m->info.resolution_j);
    else
        printf("resolution unknown, ");
    printf("updates every %u ms, sampled every %u ms\n", m->info.update_period_ms,
           m->info.default_interval_ms);
    printf("          source: %s\n", m->info.source);
    if (m->info.model[0])
        printf("          model: %s\n", m->info.model);
}

int jm_cmd_meters(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"meter", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool json = false;
    const char *specs[MAX_SPECS];
    int n_specs = 0, c;
    while ((c = getopt_long(argc, argv, "jm:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'm':
            if (n_specs == MAX_SPECS) {
                fprintf(stderr, "joulemark meters: at most %d --meter options\n", MAX_SPECS);
                return JM_EXIT_USAGE;
            }
            specs[n_specs++] = optarg;
            break;
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulemark meters: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    if (n_specs == 0)
        for (const jm_meter_ops *const *t = jm_meter_table(); *t && n_specs < MAX_SPECS; t++)
            specs[n_specs++] = (*t)->name;
    jm_meter *meters = calloc((size_t)n_specs, sizeof(*meters));
    if (!meters) {
        fprintf(stderr, "joulemark meters: out of memory\n");
        return JM_EXIT_SYSTEM;
    }
    int rc = JM_EXIT_OK;
    for (int i = 0; i < n_specs && rc == JM_EXIT_OK; i++) {
        char err[JM_METER_REASON_MAX];
        jm_meter_spec spec;
        int r = jm_meter_spec_parse(specs[i], &spec, err, sizeof err);
        if (r == JM_M_OK)
            r = jm_meter_open(&spec, &meters[i], err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "joulemark meters: --meter %s: %s\n", specs[i], err);
            rc = r == JM_M_EOPTION ? JM_EXIT_USAGE : JM_EXIT_SYSTEM;
        }
    }
    jm_counters *counters = NULL;
    char counters_reason[JM_METER_REASON_MAX] = "";
    jm_counter_values cv = {0};
    if (rc == JM_EXIT_OK) {
        char err[JM_METER_REASON_MAX];
        if (jm_counters_open(&counters, counters_reason, sizeof counters_reason) == JM_M_OK &&
            jm_counters_read(counters, &cv, err, sizeof err) != JM_M_OK) {
            snprintf(counters_reason, sizeof counters_reason, "%s", err);
            jm_counters_close(counters);
            counters = NULL;
        }
    }
    if (rc == JM_EXIT_OK) {
        if (json) {
            cJSON *root = cJSON_CreateObject();
            cJSON *arr = cJSON_AddArrayToObject(root, "meters");
            for (int i = 0; i < n_specs; i++)
                cJSON_AddItemToArray(arr, meter_json(&meters[i], specs[i]));
            cJSON *co = cJSON_AddObjectToObject(root, "counters");
            cJSON_AddBoolToObject(co, "available", counters != NULL);
            if (counters) {
                cJSON *ev = cJSON_AddArrayToObject(co, "events");
                for (int i = 0; i < cv.n; i++)
                    cJSON_AddItemToArray(ev, cJSON_CreateString(cv.names[i]));
            } else {
                cJSON_AddStringToObject(co, "reason", counters_reason);
            }
            char *text = cJSON_Print(root);
            if (text)
                printf("%s\n", text);
            free(text);
            cJSON_Delete(root);
        } else {
            for (int i = 0; i < n_specs; i++)
                meter_text(&meters[i]);
            if (counters) {
                printf("%-9s available:", "counters");
                for (int i = 0; i < cv.n; i++)
                    printf(" %s", cv.names[i]);
                printf("\n");
            } else {
                printf("%-9s unavailable: %s\n", "counters", counters_reason);
            }
        }
    }
    jm_counters_close(counters);
    for (int i = 0; i < n_specs; i++)
        jm_meter_close(&meters[i]);
    free(meters);
    return rc;
}
