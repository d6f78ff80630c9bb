/* meters_tmp.h - temporary directory trees for meter tests (fake sysfs, fake
 * MSR files): create, write files, remove recursively. */
#ifndef JM_METERS_TMP_H
#define JM_METERS_TMP_H

#include <stddef.h>
#include <stdint.h>

/* Creates a fresh directory under /tmp; writes its path into dir. Returns 0 or -1. */
int jm_mtmp_dir(char *dir, size_t len);
/* Writes text to dir/rel, creating parent folders. Returns 0 or -1. */
int jm_mtmp_write(const char *dir, const char *rel, const char *text);
/* Writes a uint64 as decimal text followed by newline to dir/rel. */
int jm_mtmp_write_u64(const char *dir, const char *rel, uint64_t v);
/* Removes dir and everything below it. */
void jm_mtmp_remove(const char *dir);

#endif /* JM_METERS_TMP_H */
