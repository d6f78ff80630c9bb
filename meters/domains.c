/* domains.c - the one containment rule: which domains of a meter make up its
 * energy (packages + dram; else psys; else the rest) and why the others are
 * left out. Works on the domain types the meters set, never on folder
 * nesting (sysfs puts dram under package-0 on many laptops). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "meters_internal.h"

const char *jm_domain_type_name(jm_domain_type t)
{
    switch (t) {
    case JM_DOMAIN_PACKAGE: return "package";
    case JM_DOMAIN_CORE: return "core";
    case JM_DOMAIN_UNCORE: return "uncore";
    case JM_DOMAIN_GRAPHICS: return "graphics";
    case JM_DOMAIN_DRAM: return "dram";
    case JM_DOMAIN_PSYS: return "psys";
    case JM_DOMAIN_DEVICE: return "device";
    case JM_DOMAIN_WALL: return "wall";
    case JM_DOMAIN_OTHER: break;
    }
    return "other";
}

static bool starts(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool rapl_vocabulary(const char *meter)
{
    return strcmp(meter, "rapl") == 0 || strcmp(meter, "perf") == 0 || strcmp(meter, "msr") == 0;
}

void jm_domain_role_of(const char *meter, const char *name, jm_domain_role *role)
{
    memset(role, 0, sizeof(*role));
    const char *colon = strchr(name, ':');
    char vocab[32];
    const char *dom = name;
    if (colon) { /* a trace.csv series "meter:domain" */
        size_t n = (size_t)(colon - name) < sizeof vocab ? (size_t)(colon - name) : sizeof vocab - 1;
        memcpy(vocab, name, n);
        vocab[n] = '\0';
        snprintf(role->group, sizeof role->group, "%s", vocab);
        dom = colon + 1;
    } else {
        snprintf(vocab, sizeof vocab, "%s", meter ? meter : "");
    }
    char base[JM_METER_NAME_MAX];
    snprintf(base, sizeof base, "%s", dom);
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, "-mmio") == 0) {
        role->mirror = true;
        base[len - 5] = '\0';
    }
    if (strcmp(vocab, "estimate") == 0) {
        role->estimated = true;
        role->type = JM_DOMAIN_OTHER;
    } else if (strcmp(vocab, "ptd") == 0) {
        role->type = JM_DOMAIN_WALL;
    } else if (strcmp(vocab, "nvml") == 0) {
        role->type = JM_DOMAIN_DEVICE;
    } else if (starts(base, "package") || starts(base, "pkg")) {
        role->type = JM_DOMAIN_PACKAGE;
    } else if (starts(base, "uncore") || starts(base, "pp1")) {
        role->type = JM_DOMAIN_UNCORE;
    } else if (starts(base, "core") || starts(base, "pp0")) {
        role->type = JM_DOMAIN_CORE;
    } else if (starts(base, "dram") || starts(base, "ram") || starts(base, "memory")) {
        role->type = JM_DOMAIN_DRAM;
    } else if (starts(base, "psys") || starts(base, "platform")) {
        role->type = JM_DOMAIN_PSYS;
    } else if (starts(base, "wall")) {
        role->type = JM_DOMAIN_WALL;
    } else if (starts(base, "gpu")) {
        /* RAPL's gpu domain is the package's integrated graphics; elsewhere a board */
        role->type = rapl_vocabulary(vocab) ? JM_DOMAIN_GRAPHICS : JM_DOMAIN_DEVICE;
    } else {
        role->type = JM_DOMAIN_OTHER;
    }
}

/* "core-0" -> "0"; "" when the name has no -N suffix. */
static const char *unit_suffix(const char *name)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !dash[1])
        return "";
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return "";
    return dash + 1;
}

static bool same_base(const char *mirror, const char *name)
{
    size_t n = strlen(mirror);
    return n > 5 && strlen(name) == n - 5 && strncmp(mirror, name, n - 5) == 0;
}

/* Index of the package holding a core/uncore/graphics domain, or -1. */
static int package_of(const jm_meter_info *info, const bool *candidate, int d)
{
    const char *unit = unit_suffix(info->domains[d]);
    for (int i = 0; i < info->n_domains; i++)
        if (candidate[i] && info->roles[i].type == JM_DOMAIN_PACKAGE &&
            strcmp(unit_suffix(info->domains[i]), unit) == 0)
            return i;
    return -1;
}

__attribute__((format(printf, 4, 5))) static void set(jm_domain_choice *out, int d, bool summed,
                                                      const char *fmt, ...)
{
    out->summed[d] = summed;
    out->n_summed += summed;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why[d], sizeof out->why[d], fmt, ap);
    va_end(ap);
}

/* Leaves out what cannot be summed whatever the types: other recorded meters,
 * estimates beside measurements, mirrors, repeated names. Marks the rest in
 * candidate[]. */
static void drop_duplicates(const jm_meter_info *info, jm_domain_choice *out, bool *candidate)
{
    int first_measured = -1;
    for (int d = 0; d < info->n_domains && first_measured < 0; d++)
        if (!info->roles[d].estimated)
            first_measured = d;
    const char *group = info->roles[first_measured >= 0 ? first_measured : 0].group;
    for (int d = 0; d < info->n_domains; d++) {
        const jm_domain_role *r = &info->roles[d];
        candidate[d] = false;
        if (strcmp(r->group, group) != 0) {
            set(out, d, false, "recorded by another meter (%s): reported beside %s", r->group,
                group);
        } else if (r->estimated && first_measured >= 0) {
            set(out, d, false, "an estimate: reported beside the measured domains");
        } else {
            candidate[d] = true;
        }
    }
    for (int d = 0; d < info->n_domains; d++) {
        if (!candidate[d])
            continue;
        for (int i = 0; i < info->n_domains; i++) {
            if (i == d || !candidate[i])
                continue;
            if (info->roles[d].mirror && !info->roles[i].mirror &&
                same_base(info->domains[d], info->domains[i])) {
                candidate[d] = false;
                set(out, d, false, "mirrors %s (the MMIO interface of the same counter)",
                    info->domains[i]);
                break;
            }
            if (i < d && strcmp(info->domains[i], info->domains[d]) == 0) {
                candidate[d] = false;
                set(out, d, false, "the same domain as an earlier %s: counted once",
                    info->domains[i]);
                break;
            }
        }
    }
}

int jm_meter_energy_domains(const jm_meter_info *info, jm_domain_choice *out)
{
    memset(out, 0, sizeof(*out));
    if (info->n_domains <= 0)
        return 0;
    bool candidate[JM_METER_MAX_DOMAINS];
    drop_duplicates(info, out, candidate);
    bool has_pd = false, has_psys = false;
    for (int d = 0; d < info->n_domains; d++) {
        if (!candidate[d])
            continue;
        jm_domain_type t = info->roles[d].type;
        has_pd |= t == JM_DOMAIN_PACKAGE || t == JM_DOMAIN_DRAM;
        has_psys |= t == JM_DOMAIN_PSYS;
    }
    for (int d = 0; d < info->n_domains; d++) {
        if (!candidate[d])
            continue;
        jm_domain_type t = info->roles[d].type;
        const char *tn = jm_domain_type_name(t);
        bool part = t == JM_DOMAIN_CORE || t == JM_DOMAIN_UNCORE || t == JM_DOMAIN_GRAPHICS;
        if (has_pd) {
            int p = part ? package_of(info, candidate, d) : -1;
            if (t == JM_DOMAIN_PACKAGE)
                set(out, d, true, "%s: a processor package (each package or die added once)", tn);
            else if (t == JM_DOMAIN_DRAM)
                set(out, d, true, "%s: memory, apart from the package", tn);
            else if (part)
                set(out, d, false, "%s: inside its package (%s), which is summed", tn,
                    p >= 0 ? info->domains[p] : "package");
            else if (t == JM_DOMAIN_PSYS)
                set(out, d, false, "%s: the whole platform, containing the packages and memory: "
                    "reported beside", tn);
            else
                set(out, d, false, "%s: outside the processor and memory: reported beside", tn);
        } else if (has_psys) {
            if (t == JM_DOMAIN_PSYS)
                set(out, d, true, "%s: the whole platform (no package or memory domain)", tn);
            else if (part)
                set(out, d, false, "%s: inside the platform (psys), which is summed", tn);
            else
                set(out, d, false, "%s: outside the processor and memory: reported beside", tn);
        } else {
            set(out, d, true, "%s: no package, memory or platform domain: each domain apart", tn);
        }
    }
    return out->n_summed;
}
