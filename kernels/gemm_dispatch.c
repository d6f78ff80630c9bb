/* gemm_dispatch.c - the GEMM micro-kernel table: starts from the portable C
 * reference entry and overrides it with the best ISA variant the CPU has
 * (__builtin_cpu_supports); tests and users (JM_GEMM_KERNEL, bench --kernel)
 * may force any usable variant.
 * Thread safety: selection is an atomic pointer; forcing while GEMMs run on
 * other threads is allowed (each GEMM reads the pointer once). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "gemm_internal.h"

/* Best first; the last entry is the reference and always usable. */
static const jm__ukr *const candidates[] = {&jm__ukr_avx512_12x32, &jm__ukr_avx2_fma_6x16,
                                            &jm__ukr_portable_c};
enum { N_CANDIDATES = sizeof(candidates) / sizeof(candidates[0]) };

static _Atomic(const jm__ukr *) selected = NULL;

static bool usable(const jm__ukr *u) {
    return u->usable == NULL || u->usable();
}

static const jm__ukr *detect(void) {
    const jm__ukr *best = &jm__ukr_portable_c;
    __builtin_cpu_init();
    for (int i = N_CANDIDATES - 1; i >= 0; --i)
        if (usable(candidates[i]))
            best = candidates[i];
    return best;
}

const jm__ukr *jm__gemm_ukr(void) {
    const jm__ukr *u = atomic_load(&selected);
    if (!u) {
        jm__gemm_env_once(); /* JM_GEMM_KERNEL may select one */
        u = atomic_load(&selected);
    }
    if (!u) {
        u = detect();
        atomic_store(&selected, u);
    }
    return u;
}

const char *jm_gemm_kernel_name(void) {
    return jm__gemm_ukr()->name;
}

/* Short names accepted for the variants (JM_GEMM_KERNEL=avx2 etc.). */
static const char *const aliases[][2] = {
    {"avx512", "avx512_12x32"}, {"avx2", "avx2_fma_6x16"}, {"portable", "portable_c"}};

int jm_gemm_force_kernel(const char *name, char *err, size_t err_len) {
    jm__gemm_env_once(); /* the environment first, so this call wins */
    return jm__gemm_force_kernel(name, err, err_len);
}

int jm__gemm_force_kernel(const char *name, char *err, size_t err_len) {
    for (size_t i = 0; name && i < sizeof(aliases) / sizeof(aliases[0]); ++i)
        if (strcmp(name, aliases[i][0]) == 0)
            name = aliases[i][1];
    if (!name) {
        if (err && err_len)
            snprintf(err, err_len,
                     "jm_gemm_force_kernel: name is NULL (expected a variant or \"auto\")");
        return JM_K_EINVAL;
    }
    if (strcmp(name, "auto") == 0) {
        atomic_store(&selected, detect());
        return JM_K_OK;
    }
    for (int i = 0; i < N_CANDIDATES; ++i) {
        if (strcmp(candidates[i]->name, name) != 0)
            continue;
        if (!usable(candidates[i])) {
            if (err && err_len)
                snprintf(err, err_len, "kernel '%s' is not usable on this CPU", name);
            return JM_K_EBACKEND;
        }
        atomic_store(&selected, candidates[i]);
        return JM_K_OK;
    }
    if (err && err_len)
        snprintf(err, err_len,
                 "kernel: unknown variant '%s' (expected auto, avx512 or avx512_12x32, avx2 or "
                 "avx2_fma_6x16, portable or portable_c)",
                 name);
    return JM_K_EINVAL;
}

const char *const *jm_gemm_kernel_variants(void) {
    static const char *names[N_CANDIDATES + 1];
    static atomic_int done = 0;
    if (!atomic_load(&done)) {
        int n = 0;
        __builtin_cpu_init();
        for (int i = 0; i < N_CANDIDATES; ++i)
            if (usable(candidates[i]))
                names[n++] = candidates[i]->name;
        names[n] = NULL;
        atomic_store(&done, 1);
    }
    return names;
}
