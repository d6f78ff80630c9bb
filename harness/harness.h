/* harness.h - the program: CLI subcommands, configuration, system description,
 * run rules and the runner. harness/ is the only layer that includes the
 * others (kernels, meters, reports); nothing includes harness/.
 *
 * Subcommands are one function each, `int jm_cmd_NAME(int argc, char **argv)`,
 * registered in command_table.c; argv[0] is the subcommand name. They return
 * one of the JM_EXIT_* codes and are the only place besides main() that prints.
 */
#ifndef JM_HARNESS_H
#define JM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "kernels.h"
#include "meters.h"
#include "reports.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Process exit codes (documented in README.md and `joulemark --help`). */
enum {
    JM_EXIT_OK = 0,      /* success */
    JM_EXIT_INVALID = 1, /* the run finished but a result is invalid (or a check failed) */
    JM_EXIT_USAGE = 2,   /* bad command line or configuration */
    JM_EXIT_SYSTEM = 3   /* meter, system or I/O error */
};

/* ---- subcommands (command_table.c) ---- */
typedef struct jm_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} jm_command;
const jm_command *jm_command_table(void); /* terminated by {NULL} */
const char *jm_version_string(void);      /* "0.1.0 (git abc123)" */

int jm_cmd_run(int argc, char **argv);
int jm_cmd_sysinfo(int argc, char **argv);
int jm_cmd_meters(int argc, char **argv);
int jm_cmd_bench(int argc, char **argv);
int jm_cmd_report(int argc, char **argv);
int jm_cmd_compare(int argc, char **argv);
int jm_cmd_carbon(int argc, char **argv);
int jm_cmd_package(int argc, char **argv);
int jm_cmd_check(int argc, char **argv);

/* ---- system description (sysinfo.c) ---- */
/* hwloc topology + /proc + uname: CPU model, packages, cores, PUs, caches,
 * memory, OS, kernel, virtualisation, compiler, build flags. Never fails:
 * fields it cannot learn are null with a reason. */
cJSON *jm_system_describe(void);
/* Cache sizes in bytes from hwloc (0 when unknown). */
typedef struct jm_cache_sizes {
    size_t l1d, l2, l3;
    int cores, pus, packages;
} jm_cache_sizes;
void jm_system_caches(jm_cache_sizes *out);
/* Binds the calling OpenMP team's threads one per core (hwloc). Returns 0 or
 * -1 with a reason when binding is not possible (not an error). */
int jm_pin_omp_threads(int threads, char *reason, size_t reason_len);

/* ---- small shared helpers (util.c) ---- */
/* Levenshtein distance, for "did you mean" suggestions. */
int jm_edit_distance(const char *a, const char *b);
/* Nearest of a NULL-terminated list, or NULL when nothing is close. */
const char *jm_nearest(const char *word, const char *const *candidates);
/* Current UTC time as "2026-11-27T14:46:24Z" and as a folder-safe stamp "20261127T144624Z". */
void jm_utc_iso(char *buf, size_t len);
void jm_utc_stamp(char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* JM_HARNESS_H */
