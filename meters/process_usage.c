/* process_usage.c - CPU time and resident memory of this process, or of every
 * process descended from it, for the estimate meter.
 *
 * Descendants: the live ones (and unreaped zombies) are found in PROC/<pid>/stat
 * by following parent pids to the root; each counts utime + stime + cutime +
 * cstime (its own threads and the children it has reaped). Those the root has
 * reaped itself are in getrusage(RUSAGE_CHILDREN), so a process that ends moves
 * from one sum to the other without being lost. A process that leaves the tree
 * (re-parented to init before it ends) is not counted after it leaves. Resident
 * memory is summed over the live processes (pages shared between them count
 * once per process). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "meters_internal.h"

typedef struct proc_entry {
    long pid, ppid;
    uint64_t ticks; /* utime + stime + cutime + cstime */
    uint64_t rss_pages;
    bool in_tree;
} proc_entry;

/* Parses PROC/<pid>/stat; false when it vanished or is malformed. */
static bool read_stat(const char *proc, long pid, proc_entry *e)
{
    char path[512], buf[1024];
    snprintf(path, sizeof path, "%s/%ld/stat", proc, pid);
    if (jm__read_text(path, buf, sizeof buf) != 0)
        return false;
    const char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
    if (!p)
        return false;
    p++;
    /* Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 14 utime,
     * 15 stime, 16 cutime, 17 cstime, 24 rss. */
    unsigned long long f[25] = {0};
    int field = 3;
    char *end;
    while (*p && field <= 24) {
        while (*p == ' ')
            p++;
        if (field == 3) {
            while (*p && *p != ' ')
                p++;
        } else {
            f[field] = strtoull(p, &end, 10);
            if (end == p)
                return false;
            p = end;
        }
        field++;
    }
    if (field <= 24)
        return false;
    e->pid = pid;
    e->ppid = (long)f[4];
    e->ticks = f[14] + f[15] + f[16] + f[17];
    e->rss_pages = f[24];
    e->in_tree = false;
    return true;
}

static uint64_t timeval_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * UINT64_C(1000000000) + (uint64_t)tv.tv_usec * 1000u;
}

int jm__descendants_usage(const char *proc, long root, uint64_t *cpu_ns, uint64_t *rss_bytes,
                          int *n_procs)
{
    /* Reaped children first: a child reaped between this call and the scan
     * below is then missed once (a dip the meter ignores), never counted twice. */
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return -errno;
    uint64_t cpu = timeval_ns(ru.ru_utime) + timeval_ns(ru.ru_stime);
    DIR *d = opendir(proc);
    if (!d)
        return -errno;
    size_t n = 0, cap = 256;
    proc_entry *all = malloc(cap * sizeof(*all));
    if (!all) {
        closedir(d);
        return -ENOMEM;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        long pid = strtol(de->d_name, NULL, 10);
        if (pid <= 0 || pid == root)
            continue;
        if (n == cap) {
            proc_entry *grown = realloc(all, 2 * cap * sizeof(*all));
            if (!grown) {
                free(all);
                closedir(d);
                return -ENOMEM;
            }
            all = grown;
            cap *= 2;
        }
        if (read_stat(proc, pid, &all[n]))
            n++;
    }
    closedir(d);
    /* Mark the tree: a parent is either the root or already marked. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (all[i].in_tree)
                continue;
            bool parent_in = all[i].ppid == root;
            for (size_t j = 0; !parent_in && j < n; j++)
                parent_in = all[j].in_tree && all[j].pid == all[i].ppid;
            if (parent_in) {
                all[i].in_tree = true;
                changed = true;
            }
        }
    }
    long tick_hz = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    if (tick_hz <= 0)
        tick_hz = 100;
    if (page <= 0)
        page = 4096;
    uint64_t rss = 0;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!all[i].in_tree)
            continue;
        cpu += all[i].ticks * (UINT64_C(1000000000) / (uint64_t)tick_hz);
        rss += all[i].rss_pages * (uint64_t)page;
        count++;
    }
    free(all);
    *cpu_ns = cpu;
    *rss_bytes = rss;
    if (n_procs)
        *n_procs = count;
    return 0;
}

int jm__self_usage(const char *proc, uint64_t *cpu_ns, uint64_t *rss_bytes)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return -errno;
    *cpu_ns = (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
    char path[512], buf[256];
    snprintf(path, sizeof path, "%s/self/statm", proc);
    int rc = jm__read_text(path, buf, sizeof buf);
    if (rc != 0)
        return rc;
    unsigned long long size_pages, rss_pages;
    if (sscanf(buf, "%llu %llu", &size_pages, &rss_pages) != 2)
        return -EINVAL;
    long page = sysconf(_SC_PAGESIZE);
    *rss_bytes = rss_pages * (uint64_t)(page > 0 ? page : 4096);
    return 0;
}
