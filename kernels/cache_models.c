/* cache_models.c - named, simulated cache hierarchies (JM_CACHE_MODEL,
 * bench --cache-model) that let one machine compute the GEMM blocking another
 * CPU would get; "host" is the hwloc probe (base/cache_probe.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gemm_internal.h"

/* Per-core figures of the physical parts (vendor data sheets: Zen 2/3 L3 is
 * per 4/8-core CCX, Zen 4 per 8-core CCD; Intel's L3 is shared by the
 * socket, modelled here per 28/56 cores at 1.375/1.875 MiB a core). */
typedef struct named_model {
    const char *name;
    const char *what;
    size_t l1d, l2, l3;
    int l1_assoc, l2_assoc, l3_assoc, l3_cores;
} named_model;

static const named_model k_models[] = {
    {"zen2", "AMD Zen 2 (EPYC Rome)", 32 << 10, 512 << 10, 16 << 20, 8, 8, 16, 4},
    {"zen3", "AMD Zen 3 (EPYC Milan)", 32 << 10, 512 << 10, 32 << 20, 8, 8, 16, 8},
    {"zen4", "AMD Zen 4 (EPYC Genoa)", 32 << 10, 1 << 20, 32 << 20, 8, 8, 16, 8},
    {"haswell", "Intel Haswell-EP", 32 << 10, 256 << 10, 35 << 20, 8, 8, 20, 14},
    {"skylakex", "Intel Skylake-SP", 32 << 10, 1 << 20, (size_t)77 << 19, 8, 16, 11, 28},
    {"sapphirerapids", "Intel Sapphire Rapids", 48 << 10, 2 << 20, 105 << 20, 12, 16, 15, 56},
};
enum { N_MODELS = sizeof(k_models) / sizeof(k_models[0]) };

static void set_level(jm_cache_level *l, size_t size, int assoc, int sharing) {
    l->size = size;
    l->line = 64;
    l->assoc = assoc;
    l->instances = 1;
    l->sharing_cores = sharing;
}

int jm_cache_model(const char *name, jm_cache_hierarchy *out, char *err, size_t err_len) {
    if (name && strcasecmp(name, "host") == 0) {
        jm_cache_probe(out);
        return JM_K_OK;
    }
    for (int i = 0; name && i < N_MODELS; ++i) {
        const named_model *m = &k_models[i];
        if (strcasecmp(name, m->name) != 0)
            continue;
        memset(out, 0, sizeof(*out));
        snprintf(out->name, sizeof(out->name), "%s", m->name);
        set_level(&out->l1d, m->l1d, m->l1_assoc, 1);
        set_level(&out->l1i, m->l1d, m->l1_assoc, 1);
        set_level(&out->l2, m->l2, m->l2_assoc, 1);
        set_level(&out->l3, m->l3, m->l3_assoc, m->l3_cores);
        out->cores = m->l3_cores;
        out->pus = m->l3_cores;
        out->packages = 1;
        out->loaded = true;
        snprintf(out->reason, sizeof(out->reason), "simulated %s", m->what);
        return JM_K_OK;
    }
    if (err && err_len) {
        int n = snprintf(err, err_len, "cache model: unknown name '%s' (expected host",
                         name ? name : "(null)");
        for (int i = 0; i < N_MODELS && n > 0 && (size_t)n < err_len; ++i)
            n += snprintf(err + n, err_len - (size_t)n, ", %s", k_models[i].name);
        if (n > 0 && (size_t)n < err_len)
            snprintf(err + n, err_len - (size_t)n, ")");
    }
    return JM_K_EINVAL;
}
