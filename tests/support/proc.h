/* proc.h - runs the built joulemark binary as a child process for CLI tests:
 * captures stdout and stderr, optional signal after a delay, time limit. */
#ifndef JM_TEST_PROC_H
#define JM_TEST_PROC_H

#include <stddef.h>

typedef struct jm_proc_result {
    int exit_code;   /* exit status, or 128 + signal when killed */
    char *out, *err; /* captured output (malloc'd, NUL-terminated) */
} jm_proc_result;

/* Runs argv (argv[0] is the program path) with cwd (NULL = inherit). When
 * signal_after_ms > 0, sends signo to the child after that long. Kills the
 * child after timeout_s. Returns 0, or -1 when the child could not start. */
int jm_proc_run(char *const argv[], const char *cwd, int signo, unsigned signal_after_ms,
                unsigned timeout_s, jm_proc_result *res);
void jm_proc_free(jm_proc_result *res);
/* Reads a whole file (malloc'd) or NULL. */
char *jm_read_file(const char *path);

#endif /* JM_TEST_PROC_H */
