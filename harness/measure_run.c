/* measure_run.c - the runs of `joulemark measure`: each run of an external
 * command is one measured window of the runner (run_window.c), whose work is
 * to start the command, wait for it and reap it. The command runs in its own
 * process group on the CPU set joulemark started with, with stdin from
 * /dev/null and stdout/stderr into DIR/commands/NAME/runN.stdout|stderr
 * (files, not pipes: any amount of output costs joulemark nothing). A run is
 * invalid when the command exits non-zero, cannot start, dies of a signal,
 * outlives --timeout (then its process group gets SIGTERM, and SIGKILL 2 s
 * later) or is interrupted (Ctrl-C is passed on to it the same way); what
 * was measured until then is kept. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define KILL_GRACE_NS 2000000000ull
#define POLL_NS 2000000l

typedef struct command_run {
    const jm_measure_plan *plan;
    const jm_measure_command *cmd;
    int index;
    int status;          /* wait status */
    bool exited, timed_out, stopped_by_us;
    double cpu_s;        /* user + system CPU time of the command and what it reaped */
} command_run;

static int open_output(const char *dir, const char *name, int index, const char *stream,
                       char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/commands/%s/run%d.%s", dir, name, index, stream);
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* In the child: never returns. */
static void exec_command(const command_run *cr, int out_fd, int err_fd)
{
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (cr->plan->affinity)
        sched_setaffinity(0, sizeof(cpu_set_t), cr->plan->affinity);
    int in_fd = open("/dev/null", O_RDONLY);
    if (in_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0)
        _exit(126);
    execvp(cr->cmd->argv[0], cr->cmd->argv);
    dprintf(STDERR_FILENO, "joulemark measure: cannot run '%s': %s\n", cr->cmd->argv[0],
            strerror(errno));
    _exit(127);
}

static void sleep_ns(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/* The window's work: start, wait (timeout, interrupt), reap. */
static int run_command(void *arg, jm_work_done *done, char *err, size_t err_len)
{
    command_run *cr = arg;
    char out_path[JM_CFG_PATH_MAX + 128], err_path[JM_CFG_PATH_MAX + 128];
    int out_fd = open_output(cr->plan->out_dir, cr->cmd->name, cr->index, "stdout", out_path,
                             sizeof out_path);
    int err_fd = open_output(cr->plan->out_dir, cr->cmd->name, cr->index, "stderr", err_path,
                             sizeof err_path);
    if (out_fd < 0 || err_fd < 0) {
        snprintf(err, err_len, "cannot create %s: %s", out_fd < 0 ? out_path : err_path,
                 strerror(errno));
        if (out_fd >= 0)
            close(out_fd);
        if (err_fd >= 0)
            close(err_fd);
        return -1;
    }
    uint64_t start = jm_now_ns();
    pid_t pid = fork();
    if (pid == 0)
        exec_command(cr, out_fd, err_fd);
    int fork_errno = errno;
    close(out_fd);
    close(err_fd);
    if (pid < 0) {
        snprintf(err, err_len, "cannot start '%s': fork: %s", cr->cmd->argv[0],
                 strerror(fork_errno));
        return -1;
    }
    setpgid(pid, pid); /* also in the child: whichever runs first */
    uint64_t deadline = cr->plan->timeout_s > 0 ? start + (uint64_t)(cr->plan->timeout_s * 1e9) : 0;
    uint64_t kill_at = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &cr->status, WNOHANG, &ru);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            snprintf(err, err_len, "waiting for '%s': %s", cr->cmd->argv[0], strerror(errno));
            return -1;
        }
        uint64_t now = jm_now_ns();
        if (!cr->stopped_by_us && (jm_interrupted || (deadline && now >= deadline))) {
            cr->timed_out = !jm_interrupted;
            cr->stopped_by_us = true;
            kill(-pid, jm_interrupted ? SIGINT : SIGTERM);
            kill_at = now + KILL_GRACE_NS;
        } else if (kill_at && now >= kill_at) {
            kill(-pid, SIGKILL);
            kill_at = 0;
        }
        sleep_ns(POLL_NS);
    }
    cr->exited = true;
    cr->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    done->tokens = (uint64_t)(cr->cmd->work + 0.5);
    done->samples = 1;
    done->queries = 1;
    double latency = (double)(jm_now_ns() - start);
    done->latency_p50_ns = done->latency_p90_ns = done->latency_p99_ns = latency;
    if (cr->timed_out) {
        snprintf(err, err_len, "'%s' still running after --timeout %g s: stopped (%s)",
                 cr->cmd->name, cr->plan->timeout_s,
                 WIFSIGNALED(cr->status) ? strsignal(WTERMSIG(cr->status)) : "it exited");
        return -1;
    }
    if (WIFSIGNALED(cr->status) && !cr->stopped_by_us) {
        snprintf(err, err_len, "'%s' was killed by signal %d (%s)", cr->cmd->name,
                 WTERMSIG(cr->status), strsignal(WTERMSIG(cr->status)));
        return -1;
    }
    if (WIFEXITED(cr->status) && WEXITSTATUS(cr->status) != 0) {
        snprintf(err, err_len, "'%s' exited with status %d (its stderr: %s)", cr->cmd->name,
                 WEXITSTATUS(cr->status), err_path);
        return -1;
    }
    return 0;
}

/* Result entry of one command: kind "command", its argv, work and unit. */
static jm_workload_result *command_entry(jm_results *res, const jm_measure_plan *plan,
                                         const jm_measure_command *cmd)
{
    jm_workload_result *wr = jm_results_add_workload(res);
    if (!wr)
        return NULL;
    snprintf(wr->name, sizeof wr->name, "%s", cmd->name);
    snprintf(wr->kind, sizeof wr->kind, "command");
    wr->shape = cJSON_CreateObject();
    cJSON *argv = cJSON_AddArrayToObject(wr->shape, "command");
    for (int i = 0; i < cmd->argc; i++)
        cJSON_AddItemToArray(argv, cJSON_CreateString(cmd->argv[i]));
    cJSON_AddNumberToObject(wr->shape, "work_per_run", cmd->work);
    cJSON_AddStringToObject(wr->shape, "unit", cmd->unit);
    cJSON_AddNumberToObject(wr->shape, "timeout_s", plan->timeout_s);
    char outputs[JM_CFG_NAME_MAX + 64];
    snprintf(outputs, sizeof outputs, "commands/%s/runN.stdout, runN.stderr", cmd->name);
    cJSON_AddStringToObject(wr->shape, "outputs", outputs);
    wr->accuracy_ok = true;
    wr->accuracy_tolerance = 0; /* not checked: joulemark cannot judge a command's output */
    wr->accuracy_rel_err = NAN;
    return wr;
}

int jm_measure_body(void *arg, const jm_run_ctx *ctx, jm_results *res, jm_run_session *s,
                    char *err, size_t err_len)
{
    (void)s;
    jm_measure_plan *plan = arg;
    int first = res->n_workloads;
    for (int c = 0; c < plan->n_commands; c++) {
        char dir[JM_CFG_PATH_MAX + 128];
        snprintf(dir, sizeof dir, "%s/commands/%s", plan->out_dir, plan->commands[c].name);
        if (jm_mkdir_p(dir, err, err_len) != 0)
            return JM_EXIT_SYSTEM;
        if (!command_entry(res, plan, &plan->commands[c])) {
            snprintf(err, err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
    }
    for (int round = 1; round <= plan->repeats && !jm_interrupted; round++) {
        for (int k = 0; k < plan->n_commands && !jm_interrupted; k++) {
            int c = (k + round - 1) % plan->n_commands; /* rotate the order each round */
            const jm_measure_command *cmd = &plan->commands[c];
            jm_workload_result *wr = &res->workloads[first + c];
            jm_run_result *run = jm_workload_result_add_run(wr);
            if (!run) {
                snprintf(err, err_len, "out of memory");
                return JM_EXIT_SYSTEM;
            }
            run->index = round;
            run->round = plan->n_commands > 1 ? round : 0;
            snprintf(run->phase, sizeof run->phase, "testing");
            run->valid = true;
            command_run cr = {.plan = plan, .cmd = cmd, .index = round};
            char label[64], werr[JM_R_TEXT_MAX];
            snprintf(label, sizeof label, "testing:%.40s:run%d", cmd->name, round % 10000);
            werr[0] = '\0';
            int rc = jm_measure_window(ctx->win, label, run_command, &cr, run, werr, sizeof werr);
            if (cr.exited)
                plan->last_status = cr.status;
            jm_log(ctx->log,
                   "[%s] run %d/%d: %.3f s, CPU %.3f s, %.3f J, %.2f W [%s]%s\n", cmd->name,
                   round, plan->repeats, run->duration_s, cr.cpu_s, run->energy_j,
                   run->avg_power_w, run->energy_source, run->valid ? "" : " INVALID");
            for (int r = 0; r < run->n_invalid_reasons; r++)
                jm_log(ctx->log, "    invalid: %s\n", run->invalid_reasons[r]);
            if (rc != 0 && !cr.exited) { /* could not start or wait: stop measuring */
                snprintf(err, err_len, "%s", werr);
                return JM_EXIT_SYSTEM;
            }
        }
    }
    return JM_EXIT_OK;
}
