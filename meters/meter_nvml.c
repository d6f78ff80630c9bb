/* meter_nvml.c - the "nvml" meter: NVIDIA GPU energy through NVML, loaded at
 * run time with dlopen (never linked, so joulemark builds and runs without a
 * driver). Per GPU: the total-energy counter (mJ, Volta and newer) when
 * supported, else the power reading (mW) integrated by the trapezoid rule
 * between reads. Options: lib=PATH (default libnvidia-ml.so.1). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meters_internal.h"

enum { NVML_OK = 0, NVML_NOT_SUPPORTED = 3, NVML_NO_PERMISSION = 4, NVML_DRIVER_NOT_LOADED = 9,
       NVML_LIB_NOT_FOUND = 12, NVML_GPU_LOST = 15 };

typedef void *nvml_device;
typedef struct nvml_api {
    void *lib;
    int (*init)(void);
    int (*shutdown)(void);
    int (*count)(unsigned *);
    int (*handle)(unsigned, nvml_device *);
    int (*energy)(nvml_device, unsigned long long *);
    int (*power)(nvml_device, unsigned *);
    int (*name)(nvml_device, char *, unsigned);
    const char *(*error)(int);
} nvml_api;

typedef struct nvml_gpu {
    nvml_device dev;
    bool has_energy;
    unsigned long long first_mj;
    double last_w, acc_j;
    uint64_t last_ns;
} nvml_gpu;

typedef struct nvml_state {
    nvml_api api;
    int n;
    nvml_gpu gpu[JM_METER_MAX_DOMAINS];
} nvml_state;

static const char *nvml_err(const nvml_api *a, int rc)
{
    return a->error ? a->error(rc) : "unknown NVML error";
}

/* Looks up every symbol; returns the first missing name or NULL. */
static const char *load_symbols(nvml_api *a)
{
    struct {
        const char *name;
        void **dst;
    } syms[] = {{"nvmlInit_v2", (void **)&a->init},
                {"nvmlShutdown", (void **)&a->shutdown},
                {"nvmlDeviceGetCount_v2", (void **)&a->count},
                {"nvmlDeviceGetHandleByIndex_v2", (void **)&a->handle},
                {"nvmlDeviceGetTotalEnergyConsumption", (void **)&a->energy},
                {"nvmlDeviceGetPowerUsage", (void **)&a->power},
                {"nvmlDeviceGetName", (void **)&a->name},
                {"nvmlErrorString", (void **)&a->error}};
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        void *p = dlsym(a->lib, syms[i].name);
        if (!p)
            return syms[i].name;
        memcpy(syms[i].dst, &p, sizeof p); /* object to function pointer, as POSIX allows */
    }
    return NULL;
}

static void nvml_close(void *state)
{
    nvml_state *s = state;
    if (!s)
        return;
    if (s->api.shutdown)
        s->api.shutdown();
    if (s->api.lib)
        dlclose(s->api.lib);
    free(s);
}

static int nvml_open(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                     size_t reason_len)
{
    const char *lib = jm_meter_spec_get(spec, "lib");
    if (!lib)
        lib = "libnvidia-ml.so.1";
    nvml_state *s = calloc(1, sizeof(*s));
    if (!s) {
        jm__setf(reason, reason_len, "nvml: out of memory");
        return JM_M_ENOMEM;
    }
    s->api.lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!s->api.lib) {
        jm__setf(reason, reason_len,
                 "%s not found (no NVIDIA driver on this machine; install the driver to measure "
                 "NVIDIA GPUs)",
                 lib);
        free(s);
        return JM_M_UNAVAILABLE;
    }
    const char *missing = load_symbols(&s->api);
    if (missing) {
        jm__setf(reason, reason_len, "%s lacks the NVML symbol %s (driver too old, or not NVML)",
                 lib, missing);
        s->api.shutdown = NULL;
        nvml_close(s);
        return JM_M_UNAVAILABLE;
    }
    int rc = s->api.init();
    if (rc != NVML_OK) {
        const char *fix = rc == NVML_DRIVER_NOT_LOADED ? ": the NVIDIA kernel driver is not loaded"
                          : rc == NVML_NO_PERMISSION ? ": no permission to the GPU device files"
                                                     : "";
        jm__setf(reason, reason_len, "nvmlInit failed: %s (%d)%s", nvml_err(&s->api, rc), rc, fix);
        s->api.shutdown = NULL;
        nvml_close(s);
        return JM_M_UNAVAILABLE;
    }
    unsigned count = 0;
    rc = s->api.count(&count);
    if (rc != NVML_OK || count == 0) {
        jm__setf(reason, reason_len, "NVML finds no NVIDIA GPU%s%s", rc ? ": " : "",
                 rc ? nvml_err(&s->api, rc) : "");
        nvml_close(s);
        return JM_M_UNAVAILABLE;
    }
    memset(info, 0, sizeof(*info));
    jm__setf(info->source, sizeof info->source, "NVML (%s):", lib);
    bool all_energy = true;
    for (unsigned i = 0; i < count && s->n < JM_METER_MAX_DOMAINS; i++) {
        nvml_gpu *g = &s->gpu[s->n];
        if (s->api.handle(i, &g->dev) != NVML_OK)
            continue;
        char name[96] = "?";
        s->api.name(g->dev, name, sizeof name);
        unsigned mw;
        g->has_energy = s->api.energy(g->dev, &g->first_mj) == NVML_OK;
        if (!g->has_energy) {
            rc = s->api.power(g->dev, &mw);
            if (rc != NVML_OK) {
                jm__appendf(info->source, sizeof info->source, " gpu%u=%s (no energy or power: %s)",
                            i, name, nvml_err(&s->api, rc));
                continue;
            }
            g->last_w = mw * 1e-3;
            g->last_ns = jm_now_ns();
            all_energy = false;
        }
        jm__setf(info->domains[s->n], JM_METER_NAME_MAX, "gpu%u", i);
        info->roles[s->n].type = JM_DOMAIN_DEVICE; /* a board of its own */
        jm__appendf(info->source, sizeof info->source, " gpu%u=%s (%s)", i, name,
                    g->has_energy ? "energy counter" : "power integrated");
        s->n++;
    }
    if (s->n == 0) {
        jm__setf(reason, reason_len, "no NVIDIA GPU gives energy or power readings: %s",
                 info->source);
        nvml_close(s);
        return JM_M_UNAVAILABLE;
    }
    info->n_domains = s->n;
    info->kind = JM_METER_MEASURED;
    info->quantity = JM_METER_ENERGY;
    info->resolution_j = all_energy ? 1e-3 : 0.0;
    info->update_period_ms = all_energy ? 100 : 1000; /* counter 20-100 ms; power a 1 s mean */
    info->default_interval_ms = 100;
    *state = s;
    return JM_M_OK;
}

static int nvml_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    nvml_state *s = state;
    uint64_t now = jm_now_ns();
    for (int i = 0; i < s->n; i++) {
        nvml_gpu *g = &s->gpu[i];
        int rc;
        if (g->has_energy) {
            unsigned long long mj;
            rc = s->api.energy(g->dev, &mj);
            if (rc == NVML_OK)
                out->value[i] = (double)(mj - g->first_mj) * 1e-3;
        } else {
            unsigned mw;
            rc = s->api.power(g->dev, &mw);
            if (rc == NVML_OK) {
                double w = mw * 1e-3;
                g->acc_j += 0.5 * (g->last_w + w) * (double)(now - g->last_ns) * 1e-9;
                g->last_w = w;
                g->last_ns = now;
                out->value[i] = g->acc_j;
            }
        }
        if (rc != NVML_OK) {
            jm__setf(err, err_len, "nvml: gpu%d read failed: %s (%d)%s", i,
                     nvml_err(&s->api, rc), rc, rc == NVML_GPU_LOST ? ": GPU lost" : "");
            return JM_M_EIO;
        }
    }
    out->t_ns = now;
    return JM_M_OK;
}

static const char *const nvml_keys[] = {"lib", NULL};

const jm_meter_ops jm__meter_nvml = {
    .name = "nvml",
    .summary = "NVIDIA GPU energy from NVML (dlopen libnvidia-ml.so.1; counter or power)",
    .option_keys = nvml_keys,
    .open = nvml_open,
    .read = nvml_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = nvml_close,
};
