/* perf_util.c - small helpers around perf_event_open shared by the "perf"
 * meter and the hardware counters: the syscall, CPU list parsing, and the
 * message that says how to get permission. */
#include <errno.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "meters_internal.h"

int jm__perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group, unsigned long flags)
{
    long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group, flags);
    return fd < 0 ? -errno : (int)fd;
}

int jm__parse_cpu_list(const char *text, int *cpus, int max)
{
    int n = 0;
    const char *p = text;
    while (*p && n < max) {
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p || a < 0)
            return -1;
        long b = a;
        if (*end == '-') {
            const char *q = end + 1;
            b = strtol(q, &end, 10);
            if (end == q || b < a)
                return -1;
        }
        for (long c = a; c <= b && n < max; c++)
            cpus[n++] = (int)c;
        if (*end == ',')
            end++;
        else if (*end != '\0' && *end != '\n')
            return -1;
        p = end;
    }
    return n;
}

void jm__perf_permission_fix(char *buf, size_t len, const char *what)
{
    long paranoid = -99;
    char text[32];
    if (jm__read_text("/proc/sys/kernel/perf_event_paranoid", text, sizeof text) == 0)
        paranoid = strtol(text, NULL, 10);
    jm__setf(buf, len,
             "permission denied opening %s (kernel.perf_event_paranoid = %ld): run as root, or "
             "allow it with `sudo sysctl kernel.perf_event_paranoid=0` (until reboot; persist in "
             "/etc/sysctl.d/), or give the binary CAP_PERFMON: `sudo setcap cap_perfmon+ep "
             "$(command -v joulemark)`",
             what, paranoid);
}
