/* cpu_power_table.c - published per-CPU power figures for the estimate meter:
 * watts per logical CPU (thread) at active idle and at 100 % load, and the
 * memory per thread the measured servers held, by processor microarchitecture,
 * and the matching of a CPU to its microarchitecture by vendor, family, model
 * and stepping numbers (virtual machines often name only "AMD EPYC" or "Intel
 * Xeon Processor").
 *
 * Source of the figures: SPECpower_ssj2008 results (spec.org), as collected in
 * Cloud Carbon Footprint's ccf-coefficients repository (data/SPECpower-
 * 2026-03-09.csv, 1088 results, and its per-microarchitecture CPU lists
 * data/<family>.csv, commit b0032d9, 2026-04-24). Each figure is Cloud Carbon
 * Footprint's method recomputed by us from that data: the mean over the
 * family's results of (avg. watts @ active idle) / (total threads), of
 * (avg. watts @ 100 %) / (total threads), and of (total memory GB) / (total
 * threads). docs/meters.md lists them with CCF's own published figures and the
 * spread of the individual servers around each mean. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meters_internal.h"

/* key, name, idle W/thread, max W/thread, GB/thread, SPECpower results. */
static const jm__cpu_power cpu_power_table[] = {
    {"amd-epyc-gen1", "AMD EPYC 1st Gen (Zen, Zen+)", 0.847, 2.604, 1.56, 9},
    {"amd-epyc-gen2", "AMD EPYC 2nd Gen (Zen 2)", 0.474, 1.693, 1.01, 36},
    {"amd-epyc-gen3", "AMD EPYC 3rd Gen (Zen 3)", 0.456, 1.957, 1.07, 28},
    {"amd-epyc-gen4", "AMD EPYC 4th Gen (Zen 4)", 0.739, 2.282, 1.40, 41},
    {"amd-epyc-gen5", "AMD EPYC 5th Gen (Zen 5)", 0.267, 1.481, 0.71, 41},
    {"intel-sandybridge", "Intel Sandy Bridge", 2.212, 8.631, 1.22, 126},
    {"intel-ivybridge", "Intel Ivy Bridge", 1.707, 5.557, 0.67, 3},
    {"intel-haswell", "Intel Haswell", 1.857, 5.595, 1.07, 17},
    {"intel-broadwell", "Intel Broadwell", 0.713, 3.685, 1.85, 17},
    {"intel-skylake", "Intel Skylake", 0.613, 4.104, 1.44, 75},
    {"intel-cascadelake", "Intel Cascade Lake", 0.690, 4.063, 2.08, 69},
    {"intel-coffeelake", "Intel Coffee Lake", 1.138, 5.422, 1.52, 9},
    {"intel-icelake", "Intel Ice Lake", 0.767, 3.758, 1.70, 16},
    {"intel-sapphirerapids", "Intel Sapphire Rapids", 0.989, 4.019, 1.53, 61},
    {"intel-emeraldrapids", "Intel Emerald Rapids", 0.848, 3.797, 1.51, 19},
    {"intel-graniterapids", "Intel Granite Rapids", 0.582, 2.527, 1.12, 22},
};

/* An unknown CPU: the unweighted mean of the 16 families above, as Cloud
 * Carbon Footprint falls back to the mean of the microarchitectures it knows. */
static const jm__cpu_power cpu_power_unknown = {
    "unknown", "unknown CPU (mean of the 16 families)", 0.931, 3.824, 1.34, 589};

/* CPU numbers -> family key. Models are inclusive ranges; stepping ranges
 * split Intel model 0x55 (Skylake-SP 0-4, Cascade Lake 5-7, Cooper Lake 10-11,
 * which has no SPECpower family of its own and takes Cascade Lake's). */
typedef struct cpu_match {
    bool amd; /* AuthenticAMD or HygonGenuine, else GenuineIntel */
    int family, model_lo, model_hi, stepping_lo, stepping_hi;
    const char *key;
} cpu_match;

static const cpu_match cpu_matches[] = {
    /* AMD family 17h: Zen/Zen+ (Naples 0x01, Pinnacle Ridge 0x08, ...), Zen 2 (Rome 0x31, ...) */
    {true, 0x17, 0x00, 0x2F, 0, 255, "amd-epyc-gen1"},
    {true, 0x17, 0x30, 0xFF, 0, 255, "amd-epyc-gen2"},
    {true, 0x18, 0x00, 0xFF, 0, 255, "amd-epyc-gen1"}, /* Hygon Dhyana: Zen */
    /* AMD family 19h: Zen 3 (Milan 0x01, Vermeer 0x21, Cezanne 0x50, Rembrandt 0x44),
     * Zen 4 (Genoa 0x11, Raphael 0x61, Phoenix 0x74-0x78, Bergamo/Siena 0xA0-0xAF) */
    {true, 0x19, 0x00, 0x0F, 0, 255, "amd-epyc-gen3"},
    {true, 0x19, 0x10, 0x1F, 0, 255, "amd-epyc-gen4"},
    {true, 0x19, 0x20, 0x5F, 0, 255, "amd-epyc-gen3"},
    {true, 0x19, 0x60, 0xAF, 0, 255, "amd-epyc-gen4"},
    /* AMD family 1Ah: Zen 5 (Turin 0x02, Turin dense 0x11, Granite Ridge 0x44, ...) */
    {true, 0x1A, 0x00, 0xFF, 0, 255, "amd-epyc-gen5"},
    /* Intel family 6 */
    {false, 6, 0x2A, 0x2A, 0, 255, "intel-sandybridge"},
    {false, 6, 0x2D, 0x2D, 0, 255, "intel-sandybridge"},
    {false, 6, 0x3A, 0x3A, 0, 255, "intel-ivybridge"},
    {false, 6, 0x3E, 0x3E, 0, 255, "intel-ivybridge"},
    {false, 6, 0x3C, 0x3C, 0, 255, "intel-haswell"},
    {false, 6, 0x3F, 0x3F, 0, 255, "intel-haswell"},
    {false, 6, 0x45, 0x46, 0, 255, "intel-haswell"},
    {false, 6, 0x3D, 0x3D, 0, 255, "intel-broadwell"},
    {false, 6, 0x47, 0x47, 0, 255, "intel-broadwell"},
    {false, 6, 0x4F, 0x4F, 0, 255, "intel-broadwell"},
    {false, 6, 0x56, 0x56, 0, 255, "intel-broadwell"},
    {false, 6, 0x4E, 0x4E, 0, 255, "intel-skylake"},
    {false, 6, 0x5E, 0x5E, 0, 255, "intel-skylake"},
    {false, 6, 0x55, 0x55, 0, 4, "intel-skylake"},
    {false, 6, 0x55, 0x55, 5, 255, "intel-cascadelake"},
    {false, 6, 0x8E, 0x8E, 0, 255, "intel-coffeelake"}, /* Kaby/Coffee/Whiskey Lake mobile */
    {false, 6, 0x9E, 0x9E, 0, 255, "intel-coffeelake"}, /* Kaby/Coffee Lake desktop, Xeon E-2100/2200 */
    {false, 6, 0xA5, 0xA6, 0, 255, "intel-coffeelake"}, /* Comet Lake */
    {false, 6, 0x6A, 0x6A, 0, 255, "intel-icelake"},    /* Ice Lake-SP */
    {false, 6, 0x6C, 0x6C, 0, 255, "intel-icelake"},    /* Ice Lake-D */
    {false, 6, 0x7D, 0x7E, 0, 255, "intel-icelake"},    /* Ice Lake client */
    {false, 6, 0x8F, 0x8F, 0, 255, "intel-sapphirerapids"},
    {false, 6, 0xCF, 0xCF, 0, 255, "intel-emeraldrapids"},
    {false, 6, 0xAD, 0xAE, 0, 255, "intel-graniterapids"},
};

const jm__cpu_power *jm__cpu_power_find(const char *key)
{
    for (size_t i = 0; i < sizeof cpu_power_table / sizeof cpu_power_table[0]; i++)
        if (strcmp(cpu_power_table[i].key, key) == 0)
            return &cpu_power_table[i];
    return NULL;
}

const jm__cpu_power *jm__cpu_power_unknown(void)
{
    return &cpu_power_unknown;
}

void jm__cpu_power_keys(char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof cpu_power_table / sizeof cpu_power_table[0]; i++)
        jm__appendf(buf, len, "%s%s", i ? ", " : "", cpu_power_table[i].key);
}

const jm__cpu_power *jm__cpu_power_match(const jm__cpu_identity *id)
{
    bool amd = strcmp(id->vendor, "AuthenticAMD") == 0 || strcmp(id->vendor, "HygonGenuine") == 0;
    if (!amd && strcmp(id->vendor, "GenuineIntel") != 0)
        return NULL;
    for (size_t i = 0; i < sizeof cpu_matches / sizeof cpu_matches[0]; i++) {
        const cpu_match *m = &cpu_matches[i];
        if (m->amd == amd && m->family == id->family && id->model >= m->model_lo &&
            id->model <= m->model_hi && id->stepping >= m->stepping_lo &&
            id->stepping <= m->stepping_hi)
            return jm__cpu_power_find(m->key);
    }
    return NULL;
}

/* Value of a "key<TAB>: value" line when the line's key is exactly `key`. */
static const char *cpuinfo_value(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0)
        return NULL;
    const char *p = line + n;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool parse_int(const char *text, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || v < 0 || v > 100000)
        return false;
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (*end != '\0')
        return false;
    *out = (int)v;
    return true;
}

int jm__cpuinfo_read(const char *path, jm__cpu_identity *id, char *err, size_t err_len)
{
    memset(id, 0, sizeof(*id));
    id->family = id->model = id->stepping = -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        jm__setf(err, err_len, "cannot open %s", path);
        return -1;
    }
    char line[1024];
    bool ok = true;
    /* The first processor block only: a blank line ends it. */
    while (fgets(line, sizeof line, f) && line[0] != '\n') {
        line[strcspn(line, "\n")] = '\0';
        const char *v;
        if ((v = cpuinfo_value(line, "vendor_id")))
            jm__setf(id->vendor, sizeof id->vendor, "%s", v);
        else if ((v = cpuinfo_value(line, "model name")))
            jm__setf(id->model_name, sizeof id->model_name, "%s", v);
        else if ((v = cpuinfo_value(line, "cpu family")))
            ok = ok && parse_int(v, &id->family);
        else if ((v = cpuinfo_value(line, "model")))
            ok = ok && parse_int(v, &id->model);
        else if ((v = cpuinfo_value(line, "stepping")))
            ok = ok && parse_int(v, &id->stepping);
    }
    fclose(f);
    if (!ok) {
        jm__setf(err, err_len, "%s: a 'cpu family', 'model' or 'stepping' line is not a number",
                 path);
        return -1;
    }
    if (id->stepping < 0)
        id->stepping = 0;
    if (!id->vendor[0] || id->family < 0 || id->model < 0) {
        jm__setf(err, err_len, "%s has no vendor_id, cpu family and model (not an x86 CPU?)",
                 path);
        return -1;
    }
    return 0;
}
