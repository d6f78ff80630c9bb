/* fuzz_util.h - helpers shared by the libFuzzer harnesses: the input as a
 * NUL-terminated string or as a file (readers that take a path), and the
 * oracle's abort with a message (libFuzzer then saves the input). */
#ifndef JM_FUZZ_UTIL_H
#define JM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Newly allocated copy of data with a NUL after it. */
char *jm_fuzz_text(const uint8_t *data, size_t size);
/* Writes data to a per-process file named `name` in a private temporary
 * directory and returns its path (valid until the next call). */
const char *jm_fuzz_file(const char *name, const uint8_t *data, size_t size);
/* The private temporary directory (created on first use). */
const char *jm_fuzz_dir(void);
/* Prints "oracle: <msg>" and aborts: a silent acceptance was found. */
void jm_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
