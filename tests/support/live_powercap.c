/* live_powercap.c - a live fake powercap tree (see live_powercap.h). Counter
 * values are a function of the monotonic clock: E = start + W x t, modulo
 * max_energy_range_uj. They are written zero-padded to a fixed width so that
 * a rewrite never shortens the file (a reader holding the fd open, as the
 * rapl meter does, would otherwise see a truncated value mid-write); the
 * kernel's decimal parser, like ours, accepts the leading zeros. */
#include "live_powercap.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "meters_tmp.h"

#define LIVE_MAX_ZONES 16

struct jm_live_powercap {
    pthread_t thread;
    atomic_bool stop;
    int n;
    jm_live_zone zones[LIVE_MAX_ZONES];
    int fd[LIVE_MAX_ZONES];
    uint64_t t0_ns;
    unsigned period_ms;
};

static void write_counters(jm_live_powercap *p)
{
    double t = (double)(jm_now_ns() - p->t0_ns) * 1e-9;
    for (int i = 0; i < p->n; i++) {
        const jm_live_zone *z = &p->zones[i];
        uint64_t e = (z->start_uj + (uint64_t)(z->watts * t * 1e6)) % z->max_range_uj;
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%020llu\n", (unsigned long long)e);
        if (pwrite(p->fd[i], buf, (size_t)len, 0) != len)
            return;
    }
}

static void *run(void *arg)
{
    jm_live_powercap *p = arg;
    while (!p->stop) {
        write_counters(p);
        struct timespec ts = {0, (long)p->period_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

jm_live_powercap *jm_live_powercap_start(const char *root, const jm_live_zone *zones, int n,
                                         unsigned period_ms)
{
    if (n <= 0 || n > LIVE_MAX_ZONES)
        return NULL;
    jm_live_powercap *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->n = n;
    p->period_ms = period_ms ? period_ms : 1;
    for (int i = 0; i < n; i++) {
        p->zones[i] = zones[i];
        p->fd[i] = -1;
    }
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        char rel[256], path[512];
        snprintf(rel, sizeof rel, "%s/name", zones[i].rel);
        ok = jm_mtmp_write(root, rel, zones[i].name) == 0;
        snprintf(rel, sizeof rel, "%s/max_energy_range_uj", zones[i].rel);
        ok = ok && jm_mtmp_write_u64(root, rel, zones[i].max_range_uj) == 0;
        snprintf(rel, sizeof rel, "%s/energy_uj", zones[i].rel);
        ok = ok && jm_mtmp_write_u64(root, rel, zones[i].start_uj) == 0;
        snprintf(path, sizeof path, "%s/%s/energy_uj", root, zones[i].rel);
        p->fd[i] = ok ? open(path, O_WRONLY | O_CLOEXEC) : -1;
        ok = ok && p->fd[i] >= 0;
    }
    p->t0_ns = jm_now_ns();
    if (ok) {
        write_counters(p);
        ok = pthread_create(&p->thread, NULL, run, p) == 0;
    }
    if (!ok) {
        for (int i = 0; i < n; i++)
            if (p->fd[i] >= 0)
                close(p->fd[i]);
        free(p);
        return NULL;
    }
    return p;
}

void jm_live_powercap_stop(jm_live_powercap *p)
{
    if (!p)
        return;
    p->stop = true;
    pthread_join(p->thread, NULL);
    for (int i = 0; i < p->n; i++)
        close(p->fd[i]);
    free(p);
}

jm_live_powercap *jm_live_powercap_laptop(const char *root)
{
    /* max_energy_range_uj of the real laptop tree for the slow zones; 30 J for
     * the package so that at 20 W it wraps every 1.5 s */
    const jm_live_zone zones[] = {
        {"intel-rapl:0", "package-0", 20.0, 30000000u, 29000000u},
        {"intel-rapl:0/intel-rapl:0:0", "core", 9.0, 262143328850u, 1000u},
        {"intel-rapl:0/intel-rapl:0:2", "dram", 3.0, 262143328850u, 5000u},
        {"intel-rapl:1", "psys", 35.0, 262143328850u, 7000u},
    };
    return jm_live_powercap_start(root, zones, 4, 2);
}
