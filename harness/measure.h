/* measure.h - `joulemark measure`: external commands measured like the
 * built-in workloads (measure_run.c runs them through the runner's measured
 * windows; cmd_measure.c parses the command line and prints the summary).
 * Private to harness/. */
#ifndef JM_MEASURE_H
#define JM_MEASURE_H

#include <sched.h>

#include "run_internal.h"

#define JM_MEASURE_MAX_COMMANDS 16

/* One command to measure. */
typedef struct jm_measure_command {
    char name[JM_CFG_NAME_MAX]; /* result entry name; unique */
    char **argv;                /* borrowed from the command line; NULL-terminated */
    int argc;
    double work;                /* units of work one run does (--work; 1 = "run") */
    char unit[32];              /* "token", "image", ... ("run" without --work) */
} jm_measure_command;

typedef struct jm_measure_plan {
    jm_measure_command commands[JM_MEASURE_MAX_COMMANDS];
    int n_commands;
    int repeats;      /* runs of each command, interleaved in rounds */
    double timeout_s; /* a run still going after this is killed (0 = none) */
    const char *out_dir; /* DIR: the commands' outputs go to DIR/commands/NAME/runN.* */
    cpu_set_t *affinity; /* the CPU set commands run on (joulemark's at start) */
    int last_status;  /* status of the last finished run (for tests and the log) */
} jm_measure_plan;

/* The runner body (jm_run_body_fn) that runs plan->repeats rounds; in each
 * round every command once (the order rotating by one per round), each run
 * one measured window; a run is invalid when the command fails, is killed
 * at the timeout or by a signal, or is interrupted. */
int jm_measure_body(void *plan, const jm_run_ctx *ctx, jm_results *res, jm_run_session *s,
                    char *err, size_t err_len);

#endif /* JM_MEASURE_H */
