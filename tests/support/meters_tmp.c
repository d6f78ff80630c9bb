/* meters_tmp.c - temporary directory trees for meter tests (meters_tmp.h). */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/wait.h>
#include "meters_tmp.h"

int jm_mtmp_dir(char *dir, size_t len)
{
    if (snprintf(dir, len, "/tmp/jm-meters-XXXXXX") >= (int)len)
        return -1;
    if (!mkdtemp(dir))
        return -1;
    return chmod(dir, 0755);
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int jm_mtmp_write(const char *dir, const char *rel, const char *text)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
        return -1;
    if (mkdirs(path) != 0)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int jm_mtmp_write_u64(const char *dir, const char *rel, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu\n", (unsigned long long)v);
    return jm_mtmp_write(dir, rel, buf);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void jm_mtmp_remove(const char *dir)
{
    if (dir && dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int jm_mtmp_open_unprivileged(int (*open_fn)(const char *arg, jm_meter *m), const char *arg,
                              char *reason, size_t reason_len)
{
    enum { EXIT_BASE = 10, EXIT_NO_DROP = 90 };
    reason[0] = '\0';
    int fds[2];
    if (pipe(fds) != 0)
        return JM_M_EIO;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return JM_M_EIO;
    }
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(EXIT_NO_DROP);
        jm_meter m;
        memset(&m, 0, sizeof m);
        int rc = open_fn(arg, &m);
        if (write(fds[1], m.reason, strlen(m.reason)) < 0)
            _exit(EXIT_NO_DROP + 1);
        _exit(EXIT_BASE + rc); /* JM_M_* lie in -4..1 */
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < reason_len && (n = read(fds[0], reason + got, reason_len - 1 - got)) > 0)
        got += (size_t)n;
    reason[got] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return JM_M_EIO;
    if (WEXITSTATUS(status) == EXIT_NO_DROP)
        return JM_MTMP_NO_PRIVDROP;
    return WEXITSTATUS(status) - EXIT_BASE;
}
