/* nvml_devices.c - the GPUs NVML sees, for the system description (`joulemark
 * sysinfo`): name, total memory, maximum SM and memory clocks, power limit.
 * NVML is loaded with dlopen as by the nvml meter (never linked); the query
 * symbols beyond the basic four are optional (a field stays 0 without them).
 * Thread safety: NVML init/shutdown are reference counted by NVML. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "meters.h"

enum { NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 };

typedef struct nvml_memory { /* nvmlMemory_t */
    unsigned long long total, free, used;
} nvml_memory;

typedef struct nvml_q {
    int (*init)(void);
    int (*shutdown)(void);
    int (*count)(unsigned *);
    int (*handle)(unsigned, void **);
    int (*name)(void *, char *, unsigned);
    int (*memory)(void *, nvml_memory *);
    int (*max_clock)(void *, int, unsigned *);
    int (*power_limit)(void *, unsigned *);
    const char *(*error)(int);
} nvml_q;

static void *sym(void *lib, const char *name)
{
    return dlsym(lib, name);
}

#define LOAD(field, name) memcpy(&q->field, &(void *){sym(lib, name)}, sizeof(void *))

static void load(void *lib, nvml_q *q)
{
    LOAD(init, "nvmlInit_v2");
    LOAD(shutdown, "nvmlShutdown");
    LOAD(count, "nvmlDeviceGetCount_v2");
    LOAD(handle, "nvmlDeviceGetHandleByIndex_v2");
    LOAD(name, "nvmlDeviceGetName");
    LOAD(memory, "nvmlDeviceGetMemoryInfo");
    LOAD(max_clock, "nvmlDeviceGetMaxClockInfo");
    LOAD(power_limit, "nvmlDeviceGetPowerManagementLimit");
    LOAD(error, "nvmlErrorString");
}

static int unavailable(char *reason, size_t reason_len, const char *fmt, const char *a,
                       const char *b)
{
    if (reason && reason_len)
        snprintf(reason, reason_len, fmt, a, b);
    return JM_M_UNAVAILABLE;
}

int jm_nvml_describe(const char *lib_path, jm_gpu_desc *out, int max, int *n, char *reason,
                     size_t reason_len)
{
    *n = 0;
    const char *path = lib_path ? lib_path : "libnvidia-ml.so.1";
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return unavailable(reason, reason_len, "%s not found (%s): no NVIDIA driver", path,
                           dlerror());
    nvml_q q;
    load(lib, &q);
    const char *missing = !q.init       ? "nvmlInit_v2"
                          : !q.shutdown ? "nvmlShutdown"
                          : !q.count    ? "nvmlDeviceGetCount_v2"
                          : !q.handle   ? "nvmlDeviceGetHandleByIndex_v2"
                          : !q.name     ? "nvmlDeviceGetName"
                                        : NULL;
    if (missing) {
        dlclose(lib);
        return unavailable(reason, reason_len, "%s lacks the NVML symbol %s", path, missing);
    }
    int rc = q.init();
    if (rc != 0) {
        char code[64];
        snprintf(code, sizeof code, "%d", rc);
        const char *msg = q.error ? q.error(rc) : code; /* lives in lib: use before dlclose */
        unavailable(reason, reason_len, "nvmlInit_v2 failed: %s%s", msg,
                    rc == 9 ? " (driver not loaded)" : "");
        dlclose(lib);
        return JM_M_UNAVAILABLE;
    }
    unsigned count = 0;
    if (q.count(&count) != 0)
        count = 0;
    for (unsigned i = 0; i < count && *n < max; ++i) {
        void *dev = NULL;
        if (q.handle(i, &dev) != 0)
            continue;
        jm_gpu_desc *g = &out[(*n)++];
        memset(g, 0, sizeof(*g));
        g->index = i;
        if (q.name(dev, g->name, sizeof g->name) != 0)
            snprintf(g->name, sizeof g->name, "GPU %u", i);
        g->name[sizeof g->name - 1] = '\0';
        nvml_memory mem;
        if (q.memory && q.memory(dev, &mem) == 0)
            g->memory_bytes = mem.total;
        unsigned v;
        if (q.max_clock && q.max_clock(dev, NVML_CLOCK_SM, &v) == 0)
            g->sm_clock_max_mhz = v;
        if (q.max_clock && q.max_clock(dev, NVML_CLOCK_MEM, &v) == 0)
            g->mem_clock_max_mhz = v;
        if (q.power_limit && q.power_limit(dev, &v) == 0)
            g->power_limit_w = v / 1000.0;
    }
    q.shutdown();
    dlclose(lib);
    if (reason && reason_len)
        snprintf(reason, reason_len, "%u GPU%s seen by NVML", count, count == 1 ? "" : "s");
    return JM_M_OK;
}
