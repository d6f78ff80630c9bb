/* sysinfo.c - the system description written into every result: processor,
 * topology and caches (hwloc), memory, OS and kernel (uname, /etc/os-release),
 * virtualisation, compiler. Also thread pinning of the OpenMP team (hwloc).
 * Fields that cannot be learned are JSON null with a sibling "*_reason". */
#include <ctype.h>
#include <hwloc.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "base.h"
#include "harness.h"

/* First value of "key : value" in /proc/cpuinfo, or "" */
static void cpuinfo_field(const char *key, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, len, "%s", v);
        break;
    }
    fclose(f);
}

static bool has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n) {
        bool start = p == flags || p[-1] == ' ';
        bool end = p[n] == '\0' || p[n] == ' ';
        if (start && end)
            return true;
    }
    return false;
}

static void os_release_name(char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen("/etc/os-release", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
            char *v = line + 12;
            v[strcspn(v, "\n")] = '\0';
            if (*v == '"') {
                v++;
                char *q = strrchr(v, '"');
                if (q)
                    *q = '\0';
            }
            snprintf(out, len, "%s", v);
            break;
        }
    }
    fclose(f);
}

/* Hypervisor vendor from CPUID leaf 0x40000000 when the hypervisor bit is set. */
static void hypervisor_vendor(char *out, size_t len)
{
    out[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
        return;
    __cpuid(0x40000000, a, b, c, d);
    char v[13];
    memcpy(v, &b, 4);
    memcpy(v + 4, &c, 4);
    memcpy(v + 8, &d, 4);
    v[12] = '\0';
    static const struct {
        const char *sig, *name;
    } known[] = {{"KVMKVMKVM", "KVM"},         {"Microsoft Hv", "Microsoft Hyper-V"},
                 {"VMwareVMware", "VMware"},   {"XenVMMXenVMM", "Xen"},
                 {"TCGTCGTCGTCG", "QEMU TCG"}, {" lrpepyh  vr", "Parallels"},
                 {"ACRNACRNACRN", "ACRN"},     {"VBoxVBoxVBox", "VirtualBox"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(v, known[i].sig, strlen(known[i].sig)) == 0) {
            snprintf(out, len, "%s", known[i].name);
            return;
        }
    for (int i = 0; i < 12; i++)
        if (!isprint((unsigned char)v[i]))
            v[i] = '?';
    snprintf(out, len, "unknown (%s)", v);
#else
    (void)len;
#endif
}

static void add_string_or_null(cJSON *o, const char *key, const char *value, const char *reason)
{
    if (value && value[0]) {
        cJSON_AddStringToObject(o, key, value);
    } else {
        cJSON_AddNullToObject(o, key);
        char rkey[128];
        snprintf(rkey, sizeof rkey, "%s_reason", key);
        cJSON_AddStringToObject(o, rkey, reason);
    }
}

void jm_system_caches(jm_cache_sizes *out)
{
    jm_cache_hierarchy h;
    jm_cache_probe(&h);
    memset(out, 0, sizeof(*out));
    out->l1d = h.l1d.size;
    out->l2 = h.l2.size;
    out->l3 = h.l3.size;
    out->cores = h.cores;
    out->pus = h.pus;
    out->packages = h.packages;
}

/* The caches of the one probe (base/cache_probe.c). */
static cJSON *describe_caches(void)
{
    jm_cache_hierarchy h;
    jm_cache_probe(&h);
    cJSON *caches = cJSON_CreateArray();
    const struct {
        const jm_cache_level *level;
        const char *name;
    } levels[] = {{&h.l1d, "L1d"}, {&h.l1i, "L1i"}, {&h.l2, "L2"}, {&h.l3, "L3"}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        const jm_cache_level *l = levels[i].level;
        if (l->instances <= 0)
            continue;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "level", levels[i].name);
        cJSON_AddNumberToObject(c, "size_bytes", (double)l->size);
        cJSON_AddNumberToObject(c, "line_bytes", l->line);
        cJSON_AddNumberToObject(c, "associativity", l->assoc);
        cJSON_AddNumberToObject(c, "instances", l->instances);
        cJSON_AddItemToArray(caches, c);
    }
    return caches;
}

/* GPUs through NVML (name, memory, clocks, power limit) and the CUDA backend. */
static void describe_gpus(cJSON *sys)
{
    jm_gpu_desc g[16];
    int n = 0;
    char reason[512];
    cJSON *gpus = cJSON_AddArrayToObject(sys, "gpus");
    const bool ok = jm_nvml_describe(NULL, g, 16, &n, reason, sizeof reason) == JM_M_OK;
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", g[i].index);
        cJSON_AddStringToObject(o, "name", g[i].name);
        cJSON_AddNumberToObject(o, "memory_bytes", (double)g[i].memory_bytes);
        cJSON_AddNumberToObject(o, "sm_clock_max_mhz", g[i].sm_clock_max_mhz);
        cJSON_AddNumberToObject(o, "mem_clock_max_mhz", g[i].mem_clock_max_mhz);
        cJSON_AddNumberToObject(o, "power_limit_w", g[i].power_limit_w);
        cJSON_AddItemToArray(gpus, o);
    }
    cJSON_AddStringToObject(sys, "gpus_source", ok ? "nvml" : "none");
    cJSON_AddStringToObject(sys, "gpus_reason", reason);
    char cuda[512];
    const bool cuda_ok = jm_cuda_available(cuda, sizeof cuda);
    cJSON *c = cJSON_AddObjectToObject(sys, "cuda_backend");
    cJSON_AddBoolToObject(c, "built", jm_cuda_built());
    cJSON_AddBoolToObject(c, "available", cuda_ok);
    cJSON_AddStringToObject(c, "reason", cuda);
    cJSON_AddBoolToObject(c, "cublas", jm_cublas_built());
}

cJSON *jm_system_describe(void)
{
    cJSON *sys = cJSON_CreateObject();
    char buf[1024], flags[8192];

    struct utsname u;
    if (uname(&u) == 0) {
        cJSON_AddStringToObject(sys, "hostname", u.nodename);
        cJSON_AddStringToObject(sys, "kernel", u.release);
        cJSON_AddStringToObject(sys, "machine", u.machine);
    }
    os_release_name(buf, sizeof buf);
    add_string_or_null(sys, "operating_system", buf, "/etc/os-release has no PRETTY_NAME");

    cpuinfo_field("model name", buf, sizeof buf);
    add_string_or_null(sys, "cpu_model", buf, "/proc/cpuinfo has no 'model name'");
    cpuinfo_field("vendor_id", buf, sizeof buf);
    add_string_or_null(sys, "cpu_vendor", buf, "/proc/cpuinfo has no 'vendor_id'");
    cpuinfo_field("cpu family", buf, sizeof buf);
    if (buf[0])
        cJSON_AddNumberToObject(sys, "cpu_family", atoi(buf));
    cpuinfo_field("model\t", buf, sizeof buf);
    if (buf[0])
        cJSON_AddNumberToObject(sys, "cpu_model_number", atoi(buf));
    cpuinfo_field("cpu MHz", buf, sizeof buf);
    if (buf[0])
        cJSON_AddNumberToObject(sys, "cpu_mhz", atof(buf));
    cpuinfo_field("flags", flags, sizeof flags);
    cJSON *isa = cJSON_CreateArray();
    static const char *const isa_flags[] = {"sse4_2", "avx", "avx2", "fma", "avx512f",
                                            "avx512bw", "avx512vl", "avx512_bf16",
                                            "avx512_fp16", "amx_tile", NULL};
    for (const char *const *f = isa_flags; *f; f++)
        if (has_flag(flags, *f))
            cJSON_AddItemToArray(isa, cJSON_CreateString(*f));
    cJSON_AddItemToObject(sys, "isa", isa);

    hypervisor_vendor(buf, sizeof buf);
    cJSON *virt = cJSON_CreateObject();
    cJSON_AddBoolToObject(virt, "virtual_machine", buf[0] != '\0' || has_flag(flags, "hypervisor"));
    if (buf[0])
        cJSON_AddStringToObject(virt, "hypervisor", buf);
    else
        cJSON_AddNullToObject(virt, "hypervisor");
    bool container = access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
    cJSON_AddBoolToObject(virt, "container", container);
    cJSON_AddItemToObject(sys, "virtualization", virt);

    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddNumberToObject(t, "packages", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
        cJSON_AddNumberToObject(t, "numa_nodes", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
        cJSON_AddNumberToObject(t, "cores", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE));
        cJSON_AddNumberToObject(t, "pus", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));
        cJSON_AddItemToObject(t, "caches", describe_caches());
        hwloc_obj_t root = hwloc_get_root_obj(topo);
        cJSON_AddNumberToObject(sys, "memory_bytes", (double)root->total_memory);
        cJSON_AddStringToObject(t, "source", "hwloc " HWLOC_VERSION);
        cJSON_AddItemToObject(sys, "topology", t);
        hwloc_topology_destroy(topo);
    } else {
        cJSON_AddNullToObject(sys, "topology");
        cJSON_AddStringToObject(sys, "topology_reason", "hwloc could not load the topology");
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (!cJSON_GetObjectItem(sys, "memory_bytes") && pages > 0 && page > 0)
        cJSON_AddNumberToObject(sys, "memory_bytes", (double)pages * (double)page);

    cJSON *build = cJSON_CreateObject();
#ifdef __VERSION__
    cJSON_AddStringToObject(build, "compiler", "gcc-compatible " __VERSION__);
#endif
#ifdef NDEBUG
    cJSON_AddStringToObject(build, "build_type", "release");
#else
    cJSON_AddStringToObject(build, "build_type", "debug");
#endif
    cJSON_AddNumberToObject(build, "openmp_max_threads", omp_get_max_threads());
    cJSON_AddStringToObject(build, "gemm_kernel", jm_gemm_kernel_name());
    cJSON_AddBoolToObject(build, "openblas_backend", jm_gemm_openblas_available());
    cJSON_AddItemToObject(sys, "build", build);
    describe_gpus(sys);
    return sys;
}

int jm_pin_omp_threads(int threads, char *reason, size_t reason_len)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
        snprintf(reason, reason_len, "hwloc could not load the topology");
        return -1;
    }
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    hwloc_obj_type_t unit = HWLOC_OBJ_CORE;
    if (cores <= 0) {
        unit = HWLOC_OBJ_PU;
        cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    }
    if (cores <= 0) {
        hwloc_topology_destroy(topo);
        snprintf(reason, reason_len, "hwloc reports no cores");
        return -1;
    }
    int failures = 0;
#pragma omp parallel num_threads(threads) reduction(+ : failures)
    {
        int id = omp_get_thread_num();
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo, unit, (unsigned)(id % cores));
        if (!obj) {
            failures++;
        } else {
            hwloc_cpuset_t set = hwloc_bitmap_dup(obj->cpuset);
            hwloc_bitmap_singlify(set);
            if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD) != 0)
                failures++;
            hwloc_bitmap_free(set);
        }
    }
    hwloc_topology_destroy(topo);
    if (failures) {
        snprintf(reason, reason_len, "%d of %d threads could not be bound (hwloc_set_cpubind)",
                 failures, threads);
        return -1;
    }
    if (threads > cores)
        snprintf(reason, reason_len, "%d threads on %d cores: some cores run two threads",
                 threads, cores);
    else
        reason[0] = '\0';
    return 0;
}
