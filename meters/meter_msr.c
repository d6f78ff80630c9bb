/* meter_msr.c - the "msr" meter: RAPL energy status registers read through
 * /dev/cpu/N/msr (pread of 8 bytes at offset = register), one reader per
 * package. Intel: units 0x606, package 0x611, core (PP0) 0x639, uncore (PP1)
 * 0x641, DRAM 0x619 (fixed 2^-16 J unit on server parts), psys 0x64D (once).
 * AMD: units 0xC0010299, package 0xC001029B per package, core 0xC001029A per
 * core (summed per package). 32-bit counters: wraps corrected. A register that
 * cannot be read or reads 0 is not a domain. Options: dev=PATTERN (with %d for
 * the CPU, default /dev/cpu/%d/msr), sysfs=DIR (CPU topology, default
 * /sys/devices/system/cpu), vendor=intel|amd and model=N (default: this CPU),
 * reg_stride=N (bytes per register: 1 for the device; 8 lets a regular file
 * with one 8-byte slot per register stand in for it, as the tests do). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters_internal.h"

#define MSR_MAX_CPUS 1024
#define MSR_MAX_SOURCES 256

enum { INTEL_UNITS = 0x606, INTEL_PKG = 0x611, INTEL_PP0 = 0x639, INTEL_PP1 = 0x641,
       INTEL_DRAM = 0x619, INTEL_PSYS = 0x64D };
#define AMD_UNITS 0xC0010299u
#define AMD_CORE 0xC001029Au
#define AMD_PKG 0xC001029Bu

typedef struct msr_source {
    int fd;
    uint32_t reg;
    uint64_t last;
} msr_source;

typedef struct msr_domain {
    int first, count; /* sources [first, first + count) summed */
    double unit_j;
    uint64_t acc;
} msr_domain;

typedef struct msr_state {
    unsigned stride; /* bytes per register in the device file (1 for /dev/cpu/N/msr) */
    int n_fds, fds[MSR_MAX_CPUS / 8];
    int n_src;
    msr_source src[MSR_MAX_SOURCES];
    int n;
    msr_domain d[JM_METER_MAX_DOMAINS];
} msr_state;

typedef struct cpu_topo {
    int cpu, package, core;
} cpu_topo;

/* The msr device reads register r at offset r; a regular file standing in for
 * it (tests) needs 8 bytes per register: offset = r x stride. */
static int read_msr_at(int fd, uint32_t reg, unsigned stride, uint64_t *out)
{
    ssize_t n = pread(fd, out, sizeof *out, (off_t)reg * (off_t)stride);
    if (n != (ssize_t)sizeof *out)
        return n < 0 ? -errno : -EIO;
    return 0;
}

static int cmp_topo(const void *a, const void *b)
{
    const cpu_topo *x = a, *y = b;
    if (x->package != y->package)
        return x->package - y->package;
    if (x->core != y->core)
        return x->core - y->core;
    return x->cpu - y->cpu;
}

/* Online CPUs with package and core ids from DIR/cpuN/topology. */
static int read_topology(const char *dir, cpu_topo *t, int max)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        char *end;
        if (strncmp(e->d_name, "cpu", 3) != 0)
            continue;
        long cpu = strtol(e->d_name + 3, &end, 10);
        if (end == e->d_name + 3 || *end)
            continue;
        char p[1024];
        uint64_t pkg, core;
        jm__setf(p, sizeof p, "%s/%s/topology/physical_package_id", dir, e->d_name);
        if (jm__read_u64(p, &pkg) != 0)
            continue; /* offline CPUs have no topology */
        jm__setf(p, sizeof p, "%s/%s/topology/core_id", dir, e->d_name);
        if (jm__read_u64(p, &core) != 0)
            core = (uint64_t)cpu;
        t[n++] = (cpu_topo){.cpu = (int)cpu, .package = (int)pkg, .core = (int)core};
    }
    closedir(d);
    qsort(t, (size_t)n, sizeof(*t), cmp_topo);
    return n;
}

/* dev pattern with one %d -> path; -1 when the pattern is not of that form. */
static int dev_path(const char *pattern, int cpu, char *out, size_t len)
{
    const char *pd = strstr(pattern, "%d");
    if (!pd || strchr(pd + 2, '%') || memchr(pattern, '%', (size_t)(pd - pattern)))
        return -1;
    jm__setf(out, len, "%.*s%d%s", (int)(pd - pattern), pattern, cpu, pd + 2);
    return 0;
}

static void cpu_identity(bool *amd, long *model)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    *amd = false;
    *model = -1;
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "vendor_id", 9) == 0)
            *amd = strstr(line, "AuthenticAMD") || strstr(line, "HygonGenuine");
        else if (strncmp(line, "model\t", 6) == 0 || strncmp(line, "model ", 6) == 0) {
            const char *c = strchr(line, ':');
            if (c)
                *model = strtol(c + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
}

/* Intel server parts whose DRAM domain counts in fixed 2^-16 J units. */
static bool dram_fixed_unit(long model)
{
    static const long models[] = {0x3F, 0x4F, 0x56, 0x55, 0x57, 0x85, 0x6A, 0x6C,
                                  0x8F, 0xCF, 0xAD, 0xAE, 0xAF};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (models[i] == model)
            return true;
    return false;
}

static void msr_close(void *state)
{
    msr_state *s = state;
    if (!s)
        return;
    for (int i = 0; i < s->n_fds; i++)
        close(s->fds[i]);
    free(s);
}

/* Opens (once) the device of cpu; returns fd or -errno. */
static int cpu_fd(msr_state *s, const char *pattern, int cpu, int *cpu_of_fd, char *path,
                  size_t path_len)
{
    for (int i = 0; i < s->n_fds; i++)
        if (cpu_of_fd[i] == cpu)
            return s->fds[i];
    dev_path(pattern, cpu, path, path_len);
    if (s->n_fds == (int)(sizeof s->fds / sizeof s->fds[0]))
        return -EMFILE;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    cpu_of_fd[s->n_fds] = cpu;
    s->fds[s->n_fds++] = fd;
    return fd;
}

/* Adds a domain summing reg over the given CPUs; skipped when unreadable or 0. */
static void add_domain(msr_state *s, jm_meter_info *info, const char *name, uint32_t reg,
                       const int *fds, int n_fds, double unit)
{
    if (s->n >= JM_METER_MAX_DOMAINS || s->n_src + n_fds > MSR_MAX_SOURCES)
        return;
    uint64_t sum = 0;
    for (int i = 0; i < n_fds; i++) {
        uint64_t v;
        if (read_msr_at(fds[i], reg, s->stride, &v) != 0)
            return;
        s->src[s->n_src + i] = (msr_source){.fd = fds[i], .reg = reg, .last = v & 0xffffffffu};
        sum += v & 0xffffffffu;
    }
    if (sum == 0)
        return; /* not implemented on this part: never report it as 0 J */
    s->d[s->n] = (msr_domain){.first = s->n_src, .count = n_fds, .unit_j = unit};
    s->n_src += n_fds;
    jm__setf(info->domains[s->n], JM_METER_NAME_MAX, "%s", name);
    jm_domain_role_of("msr", name, &info->roles[s->n]);
    s->n++;
}

static int msr_open(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                    size_t reason_len)
{
    const char *pattern = jm_meter_spec_get(spec, "dev");
    const char *sysfs = jm_meter_spec_get(spec, "sysfs");
    const char *vendor = jm_meter_spec_get(spec, "vendor");
    if (!pattern)
        pattern = "/dev/cpu/%d/msr";
    if (!sysfs)
        sysfs = "/sys/devices/system/cpu";
    char path[1024];
    if (dev_path(pattern, 0, path, sizeof path) != 0) {
        jm__setf(reason, reason_len,
                 "meter 'msr': option dev='%s' must contain %%d exactly once (the CPU number) "
                 "and no other %%",
                 pattern);
        return JM_M_EOPTION;
    }
    bool amd;
    long model;
    cpu_identity(&amd, &model);
    if (vendor) {
        if (strcmp(vendor, "intel") != 0 && strcmp(vendor, "amd") != 0) {
            jm__setf(reason, reason_len, "meter 'msr': option vendor='%s': expected intel or amd",
                     vendor);
            return JM_M_EOPTION;
        }
        amd = strcmp(vendor, "amd") == 0;
    }
    if (jm__opt_long(spec, "model", model, -1, 0xFFFF, &model, reason, reason_len) != 0)
        return JM_M_EOPTION;
    cpu_topo *topo = calloc(MSR_MAX_CPUS, sizeof(*topo));
    msr_state *s = calloc(1, sizeof(*s));
    int *cpu_of_fd = calloc(MSR_MAX_CPUS / 8, sizeof(int));
    if (!topo || !s || !cpu_of_fd) {
        free(topo);
        free(s);
        free(cpu_of_fd);
        jm__setf(reason, reason_len, "msr: out of memory");
        return JM_M_ENOMEM;
    }
    long stride;
    if (jm__opt_long(spec, "reg_stride", 1, 1, 8, &stride, reason, reason_len) != 0) {
        free(topo);
        free(s);
        free(cpu_of_fd);
        return JM_M_EOPTION;
    }
    s->stride = (unsigned)stride;
    int n_cpu = read_topology(sysfs, topo, MSR_MAX_CPUS);
    int rc = JM_M_OK;
    memset(info, 0, sizeof(*info));
    if (n_cpu <= 0) {
        jm__setf(reason, reason_len, "msr: no CPU topology under %s", sysfs);
        rc = JM_M_UNAVAILABLE;
    }
    for (int i = 0; i < n_cpu && rc == JM_M_OK; i++) {
        if (i > 0 && topo[i].package == topo[i - 1].package)
            continue; /* one reader per package: its first CPU */
        int fd = cpu_fd(s, pattern, topo[i].cpu, cpu_of_fd, path, sizeof path);
        if (fd < 0) {
            if (fd == -ENOENT || fd == -ENXIO || fd == -ENODEV)
                jm__setf(reason, reason_len,
                         "%s not found: load the msr driver (`sudo modprobe msr`); in a virtual "
                         "machine MSRs are usually not passed through",
                         path);
            else if (fd == -EACCES || fd == -EPERM)
                jm__setf(reason, reason_len,
                         "permission denied opening %s: MSRs need root (CAP_SYS_RAWIO); run "
                         "joulemark as root or use the rapl meter with read access granted "
                         "(docs/meters.md)",
                         path);
            else
                jm__setf(reason, reason_len, "cannot open %s: %s", path, strerror(-fd));
            rc = JM_M_UNAVAILABLE;
            break;
        }
        uint64_t units;
        uint32_t unit_reg = amd ? AMD_UNITS : INTEL_UNITS;
        int ur = read_msr_at(fd, unit_reg, s->stride, &units);
        if (ur != 0) {
            jm__setf(reason, reason_len,
                     "%s: reading the RAPL units register 0x%X failed (%s): this %s CPU has no "
                     "RAPL MSRs (or it is a VM that does not pass them through)",
                     path, unit_reg, strerror(-ur), amd ? "AMD" : "Intel");
            rc = JM_M_UNAVAILABLE;
            break;
        }
        double unit = 1.0 / (double)(UINT64_C(1) << ((units >> 8) & 0x1f));
        char name[JM_METER_NAME_MAX];
        int pkg = topo[i].package;
        if (!amd) {
            static const struct {
                const char *base;
                uint32_t reg;
            } dom[] = {{"package", INTEL_PKG}, {"core", INTEL_PP0}, {"uncore", INTEL_PP1},
                       {"dram", INTEL_DRAM}};
            for (size_t k = 0; k < sizeof dom / sizeof dom[0]; k++) {
                jm__setf(name, sizeof name, "%s-%d", dom[k].base, pkg);
                double u = dom[k].reg == INTEL_DRAM && dram_fixed_unit(model) ? 1.0 / 65536.0 : unit;
                add_domain(s, info, name, dom[k].reg, &fd, 1, u);
            }
            if (i == 0)
                add_domain(s, info, "psys", INTEL_PSYS, &fd, 1, unit);
        } else {
            jm__setf(name, sizeof name, "package-%d", pkg);
            add_domain(s, info, name, AMD_PKG, &fd, 1, unit);
            int core_fds[64], n_core = 0;
            for (int j = i; j < n_cpu && topo[j].package == pkg && n_core < 64; j++) {
                if (j > i && topo[j].core == topo[j - 1].core)
                    continue; /* one CPU per core (SMT siblings share the counter) */
                int cfd = cpu_fd(s, pattern, topo[j].cpu, cpu_of_fd, path, sizeof path);
                if (cfd >= 0)
                    core_fds[n_core++] = cfd;
            }
            jm__setf(name, sizeof name, "core-%d", pkg);
            add_domain(s, info, name, AMD_CORE, core_fds, n_core, unit);
        }
        info->resolution_j = unit;
    }
    free(topo);
    free(cpu_of_fd);
    if (rc == JM_M_OK && s->n == 0) {
        jm__setf(reason, reason_len,
                 "no RAPL energy register could be read (or all read 0) through %s", pattern);
        rc = JM_M_UNAVAILABLE;
    }
    if (rc != JM_M_OK) {
        msr_close(s);
        return rc;
    }
    info->n_domains = s->n;
    info->kind = JM_METER_MEASURED;
    info->quantity = JM_METER_ENERGY;
    info->update_period_ms = 1;
    info->default_interval_ms = 50;
    jm__setf(info->source, sizeof info->source, "%s MSRs through %s (32-bit counters)",
             amd ? "AMD" : "Intel", pattern);
    *state = s;
    return JM_M_OK;
}

static int msr_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    msr_state *s = state;
    for (int d = 0; d < s->n; d++) {
        msr_domain *dom = &s->d[d];
        for (int k = 0; k < dom->count; k++) {
            msr_source *src = &s->src[dom->first + k];
            uint64_t v;
            int rc = read_msr_at(src->fd, src->reg, s->stride, &v);
            if (rc != 0) {
                jm__setf(err, err_len, "msr: reading register 0x%X failed: %s", src->reg,
                         strerror(-rc));
                return JM_M_EIO;
            }
            v &= 0xffffffffu;
            dom->acc += jm__counter_delta(src->last, v, 32);
            src->last = v;
        }
        out->value[d] = (double)dom->acc * dom->unit_j;
    }
    out->t_ns = jm_now_ns();
    return JM_M_OK;
}

static const char *const msr_keys[] = {"dev", "sysfs", "vendor", "model", "reg_stride", NULL};

const jm_meter_ops jm__meter_msr = {
    .name = "msr",
    .summary = "CPU package/core/DRAM energy from RAPL MSRs (/dev/cpu/N/msr, root)",
    .option_keys = msr_keys,
    .open = msr_open,
    .read = msr_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = msr_close,
};
