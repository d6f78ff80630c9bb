/* gemm_forcing.c - what a user or a test forces on the GEMM: the blocking
 * (kc, mc, nc) and the cache hierarchy the blocking model reads (the host's
 * from hwloc, or a simulated CPU's), from the API or from the environment
 * (JM_GEMM_KERNEL, JM_GEMM_BLOCKING, JM_CACHE_MODEL), so that one machine can
 * measure every variant with the blocking another CPU would get. The state is
 * behind a mutex: GEMMs read it once per call. */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_forced;
static jm__blocking g_blocking;
static bool g_simulated;
static jm_cache_hierarchy g_model;
static pthread_once_t g_env_once = PTHREAD_ONCE_INIT;

enum { FORCE_MAX = 1 << 16 };

static int apply_env(char *err, size_t err_len);

static void env_quietly(void) {
    (void)apply_env(NULL, 0);
}

void jm__gemm_env_once(void) {
    pthread_once(&g_env_once, env_quietly);
}

bool jm__gemm_forced_blocking(jm__blocking *out) {
    jm__gemm_env_once();
    pthread_mutex_lock(&g_lock);
    const bool forced = g_forced;
    *out = g_blocking;
    pthread_mutex_unlock(&g_lock);
    return forced;
}

void jm__gemm_cache_hierarchy(jm_cache_hierarchy *out) {
    jm__gemm_env_once();
    pthread_mutex_lock(&g_lock);
    const bool simulated = g_simulated;
    if (simulated)
        *out = g_model;
    pthread_mutex_unlock(&g_lock);
    if (!simulated)
        jm_cache_probe(out);
}

static int force_blocking(size_t kc, size_t mc, size_t nc, char *err, size_t err_len) {
    const bool restore = kc == 0 && mc == 0 && nc == 0;
    if (!restore &&
        (kc < 1 || mc < 1 || nc < 1 || kc > FORCE_MAX || mc > FORCE_MAX || nc > FORCE_MAX)) {
        if (err && err_len)
            snprintf(err, err_len,
                     "gemm blocking: kc %zu, mc %zu, nc %zu (expected each in 1..%d, or all 0 "
                     "for the cache model)",
                     kc, mc, nc, FORCE_MAX);
        return JM_K_EINVAL;
    }
    pthread_mutex_lock(&g_lock);
    g_forced = !restore;
    g_blocking = (jm__blocking){kc, mc, nc};
    pthread_mutex_unlock(&g_lock);
    return JM_K_OK;
}

static int set_cache_model(const char *name, char *err, size_t err_len) {
    jm_cache_hierarchy h;
    const int rc = jm_cache_model(name, &h, err, err_len);
    if (rc)
        return rc;
    pthread_mutex_lock(&g_lock);
    g_simulated = strcmp(h.name, "host") != 0;
    g_model = h;
    pthread_mutex_unlock(&g_lock);
    return JM_K_OK;
}

/* The public setters apply the environment first, so that an explicit
 * setting made before the first GEMM is not overridden by it later. */
int jm_gemm_force_blocking(size_t kc, size_t mc, size_t nc, char *err, size_t err_len) {
    jm__gemm_env_once();
    return force_blocking(kc, mc, nc, err, err_len);
}

int jm_gemm_set_cache_model(const char *name, char *err, size_t err_len) {
    jm__gemm_env_once();
    return set_cache_model(name, err, err_len);
}

/* "kc,mc,nc": three decimal integers (base's checked reader), nothing else. */
int jm_gemm_parse_blocking(const char *s, size_t *kc, size_t *mc, size_t *nc, char *err,
                           size_t err_len) {
    size_t *dst[3] = {kc, mc, nc};
    const char *p = s ? s : "";
    for (int i = 0; i < 3; ++i) {
        const char *comma = strchr(p, ',');
        const size_t len = comma ? (size_t)(comma - p) : strlen(p);
        uint64_t v;
        if ((i < 2 && !comma) || (i == 2 && comma) ||
            jm_parse_u64_n(p, len, FORCE_MAX, &v, NULL, 0) != 0) {
            if (err && err_len)
                snprintf(err, err_len,
                         "JM_GEMM_BLOCKING: '%s' (expected kc,mc,nc: three integers in 0..%d, "
                         "e.g. 256,144,4080)",
                         s ? s : "(null)", FORCE_MAX);
            return JM_K_EINVAL;
        }
        *dst[i] = (size_t)v;
        p += len + 1;
    }
    return JM_K_OK;
}

int jm_gemm_apply_env(char *err, size_t err_len) {
    jm__gemm_env_once();
    return apply_env(err, err_len);
}

static int apply_env(char *err, size_t err_len) {
    char e[256] = "";
    int rc = JM_K_OK;
    const char *kernel = getenv("JM_GEMM_KERNEL");
    const char *blocking = getenv("JM_GEMM_BLOCKING");
    const char *model = getenv("JM_CACHE_MODEL");
    if (kernel && kernel[0] && jm__gemm_force_kernel(kernel, e, sizeof(e)) != JM_K_OK) {
        if (err && err_len)
            snprintf(err, err_len, "JM_GEMM_KERNEL: %s", e);
        rc = JM_K_EINVAL;
    }
    if (!rc && blocking && blocking[0]) {
        size_t kc, mc, nc;
        rc = jm_gemm_parse_blocking(blocking, &kc, &mc, &nc, err, err_len);
        if (!rc)
            rc = force_blocking(kc, mc, nc, err, err_len);
    }
    if (!rc && model && model[0] && set_cache_model(model, e, sizeof(e)) != JM_K_OK) {
        if (err && err_len)
            snprintf(err, err_len, "JM_CACHE_MODEL: %s", e);
        rc = JM_K_EINVAL;
    }
    return rc;
}

void jm_gemm_blocking_in_use(size_t *kc, size_t *mc, size_t *nc, char *source, size_t source_len) {
    const jm__ukr *u = jm__gemm_ukr();
    jm__blocking b;
    jm__gemm_blocking(u, &b);
    *kc = b.kc;
    *mc = b.mc;
    *nc = b.nc;
    if (source && source_len) {
        jm__blocking f;
        if (jm__gemm_forced_blocking(&f)) {
            snprintf(source, source_len, "forced");
        } else {
            jm_cache_hierarchy h;
            jm__gemm_cache_hierarchy(&h);
            snprintf(source, source_len, "cache model: %s", h.name);
        }
    }
}
