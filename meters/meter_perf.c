/* meter_perf.c - the "perf" meter: RAPL energy through the perf_event "power"
 * PMU. Events are encoded by libpfm4 (rapl::RAPL_ENERGY_*, amd64_rapl::
 * RAPL_ENERGY_PKG) when it knows the CPU, else read from sysfs (type, events,
 * .scale, .unit). One counter per package (the PMU's cpumask), counting only,
 * scale applied; the kernel extends counts to 64 bits (no wrap). A counter
 * that never advances over a short probe (as in VMs that expose the PMU but do
 * not count) makes the domain unavailable instead of reading 0 J.
 * Options: root=DIR (default /sys/bus/event_source/devices), pmu=NAME
 * (default power), probe_ms=N (default 100). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters_internal.h"

#define PERF_MAX_CPUS 64
#define PERF_MAX_EVENTS 8

typedef struct perf_counter {
    int fd;
    double scale;
    uint64_t first;
} perf_counter;

typedef struct perf_state {
    int n;
    perf_counter c[JM_METER_MAX_DOMAINS];
} perf_state;

static int cmp_event(const void *a, const void *b)
{
    return strcmp(((const jm__perf_sysfs_event *)a)->name, ((const jm__perf_sysfs_event *)b)->name);
}

int jm__perf_sysfs_scan(const char *devices, const char *pmu, uint32_t *type, int *cpus,
                        int *n_cpus, jm__perf_sysfs_event *ev, int max, char *skipped,
                        size_t skipped_len, char *why, size_t why_len)
{
    char path[1024], text[256];
    uint64_t t;
    snprintf(path, sizeof path, "%s/%s/type", devices, pmu);
    if (jm__read_u64(path, &t) != 0 || t > UINT32_MAX) {
        jm__setf(why, why_len, "no perf PMU '%s' (%s missing or unreadable)", pmu, path);
        return -1;
    }
    *type = (uint32_t)t;
    snprintf(path, sizeof path, "%s/%s/cpumask", devices, pmu);
    *n_cpus = 1;
    cpus[0] = 0;
    if (jm__read_text(path, text, sizeof text) == 0) {
        int n = jm__parse_cpu_list(text, cpus, PERF_MAX_CPUS);
        if (n <= 0) {
            jm__setf(why, why_len, "%s: '%s' is not a CPU list", path, text);
            return -1;
        }
        *n_cpus = n;
    }
    snprintf(path, sizeof path, "%s/%s/events", devices, pmu);
    DIR *d = opendir(path);
    if (!d) {
        jm__setf(why, why_len, "perf PMU '%s' has no events folder (%s)", pmu, path);
        return -1;
    }
    int n = 0;
    struct dirent *e;
    skipped[0] = '\0';
    while ((e = readdir(d)) != NULL && n < max) {
        if (strncmp(e->d_name, "energy-", 7) != 0 || strchr(e->d_name, '.'))
            continue;
        jm__perf_sysfs_event *x = &ev[n];
        memset(x, 0, sizeof(*x));
        jm__setf(x->name, sizeof x->name, "%s", e->d_name);
        char p2[1200];
        jm__setf(p2, sizeof p2, "%s/%s", path, e->d_name);
        const char *cfg;
        if (jm__read_text(p2, text, sizeof text) != 0 || !(cfg = strstr(text, "event=")) ||
            sscanf(cfg + 6, "%" SCNx64, &x->config) != 1) {
            jm__appendf(skipped, skipped_len, "%s%s (no event=)", skipped[0] ? ", " : "",
                        e->d_name);
            continue;
        }
        jm__setf(p2, sizeof p2, "%s/%s.unit", path, e->d_name);
        if (jm__read_text(p2, text, sizeof text) != 0 || strcmp(text, "Joules") != 0) {
            jm__appendf(skipped, skipped_len, "%s%s (unit '%s', expected Joules)",
                        skipped[0] ? ", " : "", e->d_name,
                        jm__read_text(p2, text, sizeof text) == 0 ? text : "missing");
            continue;
        }
        jm__setf(p2, sizeof p2, "%s/%s.scale", path, e->d_name);
        char *end;
        if (jm__read_text(p2, text, sizeof text) != 0 ||
            ((x->scale = strtod(text, &end)), end == text) || !(x->scale > 0) ||
            !isfinite(x->scale)) {
            jm__appendf(skipped, skipped_len, "%s%s (no valid .scale)", skipped[0] ? ", " : "",
                        e->d_name);
            continue;
        }
        n++;
    }
    closedir(d);
    qsort(ev, (size_t)n, sizeof(*ev), cmp_event);
    return n;
}

/* energy-pkg -> package, energy-cores -> core, energy-ram -> dram, ... */
static const char *domain_base(const char *event)
{
    static const struct {
        const char *ev, *dom;
    } map[] = {{"energy-pkg", "package"}, {"energy-cores", "core"}, {"energy-core", "core"},
               {"energy-ram", "dram"},    {"energy-gpu", "gpu"},    {"energy-psys", "psys"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(event, map[i].ev) == 0)
            return map[i].dom;
    return event + 7;
}

/* libpfm4 name for a sysfs event, to encode it through the library. */
static const char *pfm_name(const char *event)
{
    static const struct {
        const char *ev, *pfm;
    } map[] = {{"energy-pkg", "rapl::RAPL_ENERGY_PKG"},   {"energy-cores", "rapl::RAPL_ENERGY_CORES"},
               {"energy-ram", "rapl::RAPL_ENERGY_DRAM"},  {"energy-gpu", "rapl::RAPL_ENERGY_GPU"},
               {"energy-psys", "rapl::RAPL_ENERGY_PSYS"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(event, map[i].ev) == 0)
            return map[i].pfm;
    return NULL;
}

/* Encodes with libpfm4 when it knows the event (Intel rapl or AMD amd64_rapl). */
static bool pfm_encode(const char *event, struct perf_event_attr *attr, char *used, size_t len)
{
    if (pfm_initialize() != PFM_SUCCESS)
        return false;
    const char *names[2] = {pfm_name(event),
                            strcmp(event, "energy-pkg") == 0 ? "amd64_rapl::RAPL_ENERGY_PKG" : NULL};
    for (int i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        pfm_perf_encode_arg_t arg;
        memset(&arg, 0, sizeof arg);
        arg.attr = &a;
        arg.size = sizeof arg;
        if (pfm_get_os_event_encoding(names[i], PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg) ==
            PFM_SUCCESS) {
            *attr = a;
            jm__setf(used, len, "%s", names[i]);
            return true;
        }
    }
    return false;
}

static uint64_t read_count(int fd, bool *ok)
{
    uint64_t v = 0;
    *ok = read(fd, &v, sizeof v) == (ssize_t)sizeof v;
    return v;
}

static void perf_close(void *state)
{
    perf_state *s = state;
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        if (s->c[i].fd >= 0)
            close(s->c[i].fd);
    free(s);
}

static int perf_open(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                     size_t reason_len)
{
    const char *root = jm_meter_spec_get(spec, "root");
    const char *pmu = jm_meter_spec_get(spec, "pmu");
    bool real_sysfs = root == NULL;
    if (!root)
        root = "/sys/bus/event_source/devices";
    if (!pmu)
        pmu = "power";
    long probe_ms;
    if (jm__opt_long(spec, "probe_ms", 100, 1, 10000, &probe_ms, reason, reason_len) != 0)
        return JM_M_EOPTION;
    uint32_t type;
    int cpus[PERF_MAX_CPUS], n_cpus;
    jm__perf_sysfs_event ev[PERF_MAX_EVENTS];
    char skipped[512], why[512];
    int n_ev = jm__perf_sysfs_scan(root, pmu, &type, cpus, &n_cpus, ev, PERF_MAX_EVENTS, skipped,
                                   sizeof skipped, why, sizeof why);
    if (n_ev < 0) {
        jm__setf(reason, reason_len, "%s: the kernel has no RAPL perf events here (not an Intel/AMD "
                 "CPU with RAPL, a kernel without the power PMU, or a VM)", why);
        return JM_M_UNAVAILABLE;
    }
    if (n_ev == 0) {
        jm__setf(reason, reason_len, "perf PMU '%s' under %s has no usable energy-* events%s%s",
                 pmu, root, skipped[0] ? ": " : "", skipped);
        return JM_M_UNAVAILABLE;
    }
    perf_state *s = calloc(1, sizeof(*s));
    if (!s) {
        jm__setf(reason, reason_len, "perf: out of memory");
        return JM_M_ENOMEM;
    }
    memset(info, 0, sizeof(*info));
    char names[JM_METER_MAX_DOMAINS][JM_METER_NAME_MAX];
    char how[128] = "";
    int rc = JM_M_OK;
    char failures[512] = "";
    for (int e = 0; e < n_ev && rc == JM_M_OK; e++) {
        struct perf_event_attr attr;
        char used[64] = "";
        bool via_pfm = real_sysfs && pfm_encode(ev[e].name, &attr, used, sizeof used);
        if (!via_pfm) {
            memset(&attr, 0, sizeof attr);
            attr.type = type;
            attr.config = ev[e].config;
        }
        attr.size = sizeof attr;
        attr.sample_period = 0;
        attr.disabled = 0;
        attr.exclude_user = attr.exclude_kernel = attr.exclude_hv = attr.exclude_idle = 0;
        if (!how[0] || via_pfm)
            jm__setf(how, sizeof how, "%s", via_pfm ? "libpfm4" : "sysfs");
        bool is_psys = strcmp(ev[e].name, "energy-psys") == 0;
        for (int p = 0; p < n_cpus && s->n < JM_METER_MAX_DOMAINS; p++) {
            if (is_psys && p > 0)
                break; /* platform energy: one counter for the machine */
            int fd = jm__perf_open(&attr, -1, cpus[p], -1, 0);
            if (fd == -EACCES || fd == -EPERM) {
                char what[160];
                jm__setf(what, sizeof what, "%s/%s on CPU %d", pmu, ev[e].name, cpus[p]);
                jm__perf_permission_fix(reason, reason_len, what);
                rc = JM_M_UNAVAILABLE;
                break;
            }
            if (fd < 0) {
                jm__appendf(failures, sizeof failures, "%s%s on CPU %d: %s", failures[0] ? ", " : "",
                            ev[e].name, cpus[p], strerror(-fd));
                continue;
            }
            perf_counter *c = &s->c[s->n];
            c->fd = fd;
            c->scale = ev[e].scale;
            if (is_psys)
                jm__setf(names[s->n], JM_METER_NAME_MAX, "psys");
            else
                jm__setf(names[s->n], JM_METER_NAME_MAX, "%s-%d", domain_base(ev[e].name), p);
            s->n++;
        }
    }
    if (rc == JM_M_OK && s->n == 0) {
        jm__setf(reason, reason_len, "no perf energy event of PMU '%s' could be opened: %s", pmu,
                 failures);
        rc = JM_M_UNAVAILABLE;
    }
    if (rc != JM_M_OK) {
        perf_close(s);
        return rc;
    }
    /* probe: keep only counters that advance (RAPL updates about every 1 ms) */
    bool ok, advanced[JM_METER_MAX_DOMAINS] = {false};
    for (int i = 0; i < s->n; i++)
        s->c[i].first = read_count(s->c[i].fd, &ok);
    uint64_t deadline = jm_now_ns() + (uint64_t)probe_ms * 1000000u;
    int n_adv = 0;
    while (n_adv < s->n && jm_now_ns() < deadline) {
        jm__sleep_ms(probe_ms < 10 ? 1 : 10);
        for (int i = 0; i < s->n; i++)
            if (!advanced[i] && read_count(s->c[i].fd, &ok) != s->c[i].first && ok) {
                advanced[i] = true;
                n_adv++;
            }
    }
    char dead[256] = "";
    int kept = 0;
    for (int i = 0; i < s->n; i++) {
        if (!advanced[i]) {
            jm__appendf(dead, sizeof dead, "%s%s", dead[0] ? ", " : "", names[i]);
            close(s->c[i].fd);
            continue;
        }
        s->c[kept] = s->c[i];
        jm__setf(info->domains[kept], JM_METER_NAME_MAX, "%s", names[i]);
        jm_domain_role_of("perf", names[i], &info->roles[kept]);
        kept++;
    }
    s->n = kept;
    if (kept == 0) {
        jm__setf(reason, reason_len,
                 "perf PMU '%s' counters (%s) did not advance over %ld ms: the kernel exposes the "
                 "events but nothing counts energy (typical of a virtual machine); reported "
                 "unavailable rather than measuring 0 J",
                 pmu, dead, probe_ms);
        perf_close(s);
        return JM_M_UNAVAILABLE;
    }
    info->n_domains = kept;
    info->kind = JM_METER_MEASURED;
    info->quantity = JM_METER_ENERGY;
    info->resolution_j = ev[0].scale;
    info->update_period_ms = 1;
    info->default_interval_ms = 50;
    jm__setf(info->source, sizeof info->source, "perf_event PMU '%s' (%s/%s, events via %s)%s%s",
             pmu, root, pmu, how, dead[0] ? "; not counting, dropped: " : "", dead);
    *state = s;
    return JM_M_OK;
}

static int perf_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    perf_state *s = state;
    for (int i = 0; i < s->n; i++) {
        bool ok;
        uint64_t v = read_count(s->c[i].fd, &ok);
        if (!ok) {
            jm__setf(err, err_len, "perf: reading counter %d failed: %s", i, strerror(errno));
            return JM_M_EIO;
        }
        out->value[i] = (double)(v - s->c[i].first) * s->c[i].scale;
    }
    out->t_ns = jm_now_ns();
    return JM_M_OK;
}

static const char *const perf_keys[] = {"root", "pmu", "probe_ms", NULL};

const jm_meter_ops jm__meter_perf = {
    .name = "perf",
    .summary = "CPU package/core/DRAM/psys energy from the perf_event power PMU (libpfm4/sysfs)",
    .option_keys = perf_keys,
    .open = perf_open,
    .read = perf_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = perf_close,
};
