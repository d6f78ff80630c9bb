/* proc.c - child-process runner for CLI tests (see proc.h). */
#include "proc.h"

#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *jm_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int jm_proc_run(char *const argv[], const char *cwd, int signo, unsigned signal_after_ms,
                unsigned timeout_s, jm_proc_result *res)
{
    memset(res, 0, sizeof(*res));
    char out_path[] = "/tmp/jm_proc_out_XXXXXX", err_path[] = "/tmp/jm_proc_err_XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    if (out_fd < 0 || err_fd < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(127);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    unsigned waited_ms = 0;
    bool signalled = false;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (!signalled && signo && waited_ms >= signal_after_ms) {
            kill(pid, signo);
            signalled = true;
        }
        if (waited_ms >= timeout_s * 1000u) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        sleep_ms(10);
        waited_ms += 10;
    }
    res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    res->out = jm_read_file(out_path);
    res->err = jm_read_file(err_path);
    unlink(out_path);
    unlink(err_path);
    if (!res->out)
        res->out = calloc(1, 1);
    if (!res->err)
        res->err = calloc(1, 1);
    return 0;
}

void jm_proc_free(jm_proc_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}
