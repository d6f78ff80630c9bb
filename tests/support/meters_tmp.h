/* meters_tmp.h - temporary directory trees for meter tests (fake sysfs, fake
 * MSR files): create, write files, remove recursively. */
#ifndef JM_METERS_TMP_H
#define JM_METERS_TMP_H

#include <stddef.h>
#include <stdint.h>

#include "meters.h"

/* Creates a fresh directory under /tmp; writes its path into dir. Returns 0 or -1. */
int jm_mtmp_dir(char *dir, size_t len);
/* Writes text to dir/rel, creating parent folders. Returns 0 or -1. */
int jm_mtmp_write(const char *dir, const char *rel, const char *text);
/* Writes a uint64 as decimal text followed by newline to dir/rel. */
int jm_mtmp_write_u64(const char *dir, const char *rel, uint64_t v);
/* Removes dir and everything below it. */
void jm_mtmp_remove(const char *dir);

/* Runs open_fn(arg, &m) in a child process that first drops root to uid/gid
 * 65534 (tests run as root, where file modes do not deny reads). Returns the
 * open status (JM_M_*) with the meter's reason copied into reason, or
 * JM_MTMP_NO_PRIVDROP when privileges could not be dropped (skip the test). */
#define JM_MTMP_NO_PRIVDROP 1000
int jm_mtmp_open_unprivileged(int (*open_fn)(const char *arg, jm_meter *m), const char *arg,
                              char *reason, size_t reason_len);

#endif /* JM_METERS_TMP_H */
