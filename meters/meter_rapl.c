/* meter_rapl.c - the "rapl" meter: Linux powercap RAPL zones in sysfs.
 * Discovers intel-rapl:X and intel-rapl:X:Y zones (hex suffixes, flat or nested
 * layout), names domains package-N / core-N / uncore-N / dram-N / psys, names
 * an intel-rapl-mmio zone that repeats a domain NAME-mmio (a mirror, which the
 * domain rule of domains.c leaves out), and accumulates energy_uj
 * wrap-corrected with max_energy_range_uj. Options: root=DIR. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters_internal.h"

#define RAPL_MAX_ZONES 64

typedef struct rapl_zone {
    char path[PATH_MAX];
    unsigned long top, sub; /* hex indexes: intel-rapl:top[:sub] */
    bool is_sub, mmio;
    char name[JM_METER_NAME_MAX];
} rapl_zone;

typedef struct rapl_domain {
    int fd;
    char path[PATH_MAX];
    uint64_t max_range_uj, last_uj, acc_uj;
} rapl_domain;

typedef struct rapl_state {
    int n;
    rapl_domain d[JM_METER_MAX_DOMAINS];
} rapl_state;

/* "intel-rapl:1f" or "intel-rapl:0:a" (or the -mmio prefix) -> indexes. */
static bool parse_zone_name(const char *entry, rapl_zone *z)
{
    const char *p;
    if (strncmp(entry, "intel-rapl-mmio:", 16) == 0) {
        z->mmio = true;
        p = entry + 16;
    } else if (strncmp(entry, "intel-rapl:", 11) == 0) {
        z->mmio = false;
        p = entry + 11;
    } else {
        return false;
    }
    char *end;
    errno = 0;
    z->top = strtoul(p, &end, 16);
    if (end == p || errno != 0)
        return false;
    z->is_sub = false;
    z->sub = 0;
    if (*end == ':') {
        const char *q = end + 1;
        z->sub = strtoul(q, &end, 16);
        if (end == q || errno != 0)
            return false;
        z->is_sub = true;
    }
    return *end == '\0';
}

static bool zone_seen(const rapl_zone *zones, int n, const rapl_zone *z)
{
    for (int i = 0; i < n; i++)
        if (zones[i].mmio == z->mmio && zones[i].top == z->top && zones[i].is_sub == z->is_sub &&
            zones[i].sub == z->sub)
            return true;
    return false;
}

/* Adds the zones found in dir (and, one level down, nested subzones). */
static void scan_dir(const char *dir, int depth, rapl_zone *zones, int *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < RAPL_MAX_ZONES) {
        rapl_zone z;
        memset(&z, 0, sizeof z);
        if (!parse_zone_name(e->d_name, &z))
            continue;
        if (snprintf(z.path, sizeof z.path, "%s/%s", dir, e->d_name) >= (int)sizeof z.path)
            continue;
        char name_path[PATH_MAX + 8];
        jm__setf(name_path, sizeof name_path, "%s/name", z.path);
        if (!zone_seen(zones, *n, &z) && jm__read_text(name_path, z.name, sizeof z.name) == 0 &&
            z.name[0])
            zones[(*n)++] = z;
        if (depth == 0 && !z.is_sub)
            scan_dir(z.path, 1, zones, n);
    }
    closedir(d);
}

static int zone_cmp(const void *a, const void *b)
{
    const rapl_zone *x = a, *y = b;
    if (x->mmio != y->mmio)
        return x->mmio ? 1 : -1;
    if (x->top != y->top)
        return x->top < y->top ? -1 : 1;
    if (x->is_sub != y->is_sub)
        return x->is_sub ? 1 : -1;
    return x->sub < y->sub ? -1 : (x->sub > y->sub);
}

/* Domain name: top zones keep their name; a subzone gets its package's suffix
 * ("core" under "package-0" -> "core-0"). */
static void domain_name(const rapl_zone *z, const rapl_zone *zones, int n, char *out, size_t len)
{
    if (!z->is_sub) {
        snprintf(out, len, "%s", z->name);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (!zones[i].is_sub && zones[i].mmio == z->mmio && zones[i].top == z->top &&
            strncmp(zones[i].name, "package-", 8) == 0) {
            snprintf(out, len, "%s-%s", z->name, zones[i].name + 8);
            return;
        }
    }
    snprintf(out, len, "%s-%lu", z->name, z->top);
}

static int unavailable_perm(const char *path, char *reason, size_t len)
{
    snprintf(reason, len,
             "permission denied reading %s (RAPL energy is root-only since Linux 5.10, "
             "CVE-2020-8694): run as root, or grant read access until reboot with "
             "`sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj "
             "/sys/class/powercap/intel-rapl:*/intel-rapl:*/energy_uj`, or permanently with a "
             "udev rule that gives a group read access "
             "(SUBSYSTEM==\"powercap\", RUN+=\"/bin/chgrp powercap /sys%%p/energy_uj\", "
             "RUN+=\"/bin/chmod g+r /sys%%p/energy_uj\"; see docs/meters.md)",
             path);
    return JM_M_UNAVAILABLE;
}

static void rapl_close(void *state)
{
    rapl_state *s = state;
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        if (s->d[i].fd >= 0)
            close(s->d[i].fd);
    free(s);
}

static int read_fd_u64(int fd, uint64_t *out)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    char *end;
    errno = 0;
    if (buf[0] < '0' || buf[0] > '9')
        return -EINVAL;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || (*end != '\0' && *end != '\n'))
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}

static int rapl_open(const jm_meter_spec *spec, void **state, jm_meter_info *info, char *reason,
                     size_t reason_len)
{
    const char *root = jm_meter_spec_get(spec, "root");
    if (!root)
        root = "/sys/class/powercap";
    rapl_zone *zones = calloc(RAPL_MAX_ZONES, sizeof(*zones));
    rapl_state *s = calloc(1, sizeof(*s));
    if (!zones || !s) {
        free(zones);
        free(s);
        snprintf(reason, reason_len, "rapl: out of memory");
        return JM_M_ENOMEM;
    }
    int n = 0;
    scan_dir(root, 0, zones, &n);
    qsort(zones, (size_t)n, sizeof(*zones), zone_cmp);
    memset(info, 0, sizeof(*info));
    int rc = JM_M_OK;
    char skipped[256] = "";
    for (int i = 0; i < n && rc == JM_M_OK; i++) {
        char dom[JM_METER_NAME_MAX];
        domain_name(&zones[i], zones, n, dom, sizeof dom);
        bool dup = false;
        for (int j = 0; j < info->n_domains; j++)
            dup = dup || strcmp(info->domains[j], dom) == 0;
        if (dup && zones[i].mmio) /* intel-rapl-mmio:0 repeating package-0: a mirror */
            jm__appendf(dom, sizeof dom, "-mmio");
        else if (dup)
            continue;
        if (info->n_domains >= JM_METER_MAX_DOMAINS)
            continue;
        rapl_domain *d = &s->d[s->n];
        char p[PATH_MAX + 32];
        jm__setf(p, sizeof p, "%s/max_energy_range_uj", zones[i].path);
        int mr = jm__read_u64(p, &d->max_range_uj);
        jm__setf(d->path, sizeof d->path, "%s/energy_uj", zones[i].path);
        d->fd = open(d->path, O_RDONLY | O_CLOEXEC);
        int er = d->fd < 0 ? -errno : read_fd_u64(d->fd, &d->last_uj);
        if (er == -EACCES || er == -EPERM) {
            rc = unavailable_perm(d->path, reason, reason_len);
        } else if (er != 0 || mr != 0 || d->max_range_uj == 0) {
            /* a zone without a readable counter is not a domain; say so if none is left */
            jm__appendf(skipped, sizeof skipped, "%s%s (%s)", skipped[0] ? ", " : "",
                     er != 0 ? d->path : p, strerror(er != 0 ? -er : (mr != 0 ? -mr : EINVAL)));
        } else {
            /* the type comes from the zone's name file, whatever the folder nesting */
            jm_domain_role_of("rapl", dom, &info->roles[info->n_domains]);
            snprintf(info->domains[info->n_domains++], JM_METER_NAME_MAX, "%s", dom);
            s->n++;
            continue;
        }
        if (d->fd >= 0)
            close(d->fd);
        d->fd = -1;
    }
    free(zones);
    if (rc == JM_M_OK && s->n == 0) {
        if (n == 0)
            snprintf(reason, reason_len,
                     "no powercap RAPL zones under %s (virtual machine or container without "
                     "powercap?)",
                     root);
        else
            snprintf(reason, reason_len, "powercap RAPL zones under %s have no readable counter: %s",
                     root, skipped);
        rc = JM_M_UNAVAILABLE;
    }
    if (rc != JM_M_OK) {
        rapl_close(s);
        return rc;
    }
    info->kind = JM_METER_MEASURED;
    info->quantity = JM_METER_ENERGY;
    info->resolution_j = 1e-6;
    info->update_period_ms = 1;
    info->default_interval_ms = 50;
    snprintf(info->source, sizeof info->source, "%s (powercap energy_uj)", root);
    *state = s;
    return JM_M_OK;
}

static int rapl_read(void *state, jm_meter_sample *out, char *err, size_t err_len)
{
    rapl_state *s = state;
    for (int i = 0; i < s->n; i++) {
        rapl_domain *d = &s->d[i];
        uint64_t now = 0;
        int rc = read_fd_u64(d->fd, &now);
        if (rc != 0) {
            snprintf(err, err_len, "rapl: cannot read %s: %s", d->path, strerror(-rc));
            return JM_M_EIO;
        }
        uint64_t delta;
        if (now >= d->last_uj) {
            delta = now - d->last_uj;
        } else {
            delta = d->max_range_uj - d->last_uj + now; /* wrapped at max_energy_range_uj */
            if (now > d->max_range_uj || delta > d->max_range_uj / 2) {
                snprintf(err, err_len,
                         "rapl: %s went backwards from %llu to %llu uJ, which is not a wrap at "
                         "max_energy_range_uj=%llu (counter reset?)",
                         d->path, (unsigned long long)d->last_uj, (unsigned long long)now,
                         (unsigned long long)d->max_range_uj);
                return JM_M_EIO;
            }
        }
        d->acc_uj += delta;
        d->last_uj = now;
        out->value[i] = (double)d->acc_uj * 1e-6;
    }
    out->t_ns = jm_now_ns();
    return JM_M_OK;
}

static const char *const rapl_keys[] = {"root", NULL};

const jm_meter_ops jm__meter_rapl = {
    .name = "rapl",
    .summary = "CPU package/core/DRAM/psys energy from Linux powercap RAPL (sysfs)",
    .option_keys = rapl_keys,
    .open = rapl_open,
    .read = rapl_read,
    .phase = NULL,
    .export_logs = NULL,
    .close = rapl_close,
};
