/* base.h - checked reading of untrusted text, shared by every layer: numbers
 * (finite, in range, integer where an integer is meant, exact 64-bit integers
 * from the raw digits), the PTDaemon/LoadGen UTC time stamp, UTF-8
 * validation with JSON/HTML escaping for writers, strict JSON; and the one
 * hwloc probe of the cache hierarchy.
 *
 * base/ knows nothing of kernels, meters, reports or the harness. Every
 * function is reentrant and thread-safe (no global state but the cache
 * probe's, loaded once under pthread_once). Readers return 0 on
 * success or -1 with `err` filled: the offending value (quoted, non-printable
 * bytes as \xNN) and what was expected. The caller prefixes its location
 * (file:line or the JSON path), e.g. "spl.txt:12: Watts: \"1e18\" is ...". */
#ifndef JM_BASE_H
#define JM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in ns (clock.c): the one clock every layer times with. */
uint64_t jm_now_ns(void);

/* ------------------------------------------------------------ numbers --- */
/* Decimal number text: [+-]digits[.digits][(e|E)[+-]digits] (also ".5", "5.").
 * Refused: empty text, surrounding spaces, hex, "inf"/"nan", junk after the
 * number, values that overflow a double, and values outside [min, max].
 * The _n forms read exactly len bytes of text (which need not end in NUL). */
int jm_parse_f64(const char *text, double min, double max, double *out, char *err,
                 size_t err_len);
int jm_parse_f64_n(const char *text, size_t len, double min, double max, double *out, char *err,
                   size_t err_len);

/* Integer text: [+-]digits only (no fraction, no exponent), read exactly (no
 * double in between), and inside [min, max]. */
int jm_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out, char *err,
                 size_t err_len);
int jm_parse_i64_n(const char *text, size_t len, int64_t min, int64_t max, int64_t *out,
                   char *err, size_t err_len);
int jm_parse_u64(const char *text, uint64_t max, uint64_t *out, char *err, size_t err_len);
int jm_parse_u64_n(const char *text, size_t len, uint64_t max, uint64_t *out, char *err,
                   size_t err_len);

/* Checked conversions of a double that is meant to be an integer: it must be
 * finite, integral and inside the range; no cast is ever done on an
 * out-of-range value (C leaves that undefined). A double above 2^53 may
 * already be rounded: read such integers from their text (jm_parse_*64). */
int jm_f64_to_u64(double v, uint64_t max, uint64_t *out, char *err, size_t err_len);
int jm_f64_to_i64(double v, int64_t min, int64_t max, int64_t *out, char *err, size_t err_len);
/* A finite double inside [min, max] (for numbers that cJSON already read). */
int jm_check_f64(double v, double min, double max, char *err, size_t err_len);

/* Overflow-checked int64 arithmetic: false (and *out untouched) on overflow. */
bool jm_add_i64(int64_t a, int64_t b, int64_t *out);
bool jm_sub_i64(int64_t a, int64_t b, int64_t *out);
bool jm_mul_i64(int64_t a, int64_t b, int64_t *out);

/* ------------------------------------------------- PTDaemon time stamp --- */
/* The UTC stamp PTDaemon writes in spl.txt and LoadGen in power_begin/end:
 * "MM-DD-YYYY HH:MM:SS" with an optional ".f" of 1 to 9 fraction digits
 * (strftime "%m-%d-%Y %H:%M:%S.%f"), every field zero-padded to its width.
 * The date must exist (no 02-30), seconds are 00-59, and the instant must
 * fit int64 nanoseconds since 1970: years 1678 to 2261, others refused with
 * a message. With end == NULL the whole text must be the stamp; otherwise
 * *end is set to the first byte after it. */
#define JM_TIME_STAMP_YEAR_MIN 1678
#define JM_TIME_STAMP_YEAR_MAX 2261
int jm_time_stamp_parse(const char *text, const char **end, int64_t *unix_ns, char *err,
                        size_t err_len);

/* ------------------------------------------------------ UTF-8, escaping --- */
/* Length (1-4) of the well-formed UTF-8 sequence at s (n bytes available),
 * storing its code point in *cp; 0 when the bytes there are not one (stray
 * continuation, overlong form, surrogate, above U+10FFFF, truncated). */
size_t jm_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* True when the NUL-terminated s is entirely well-formed UTF-8. */
bool jm_utf8_valid(const char *s);
/* Newly allocated copy of s where each byte that does not start a well-formed
 * sequence is replaced by U+FFFD; NULL when out of memory. */
char *jm_utf8_sanitize(const char *s);
/* Newly allocated JSON string body (no surrounding quotes): " \ and control
 * characters escaped, invalid UTF-8 bytes as \ufffd. NULL when out of memory. */
char *jm_json_escape(const char *s);
/* Newly allocated HTML/XML text or attribute value: & < > " ' as entities;
 * control characters other than tab/newline (not allowed in XML 1.0) and
 * invalid UTF-8 bytes as U+FFFD. NULL when out of memory. */
char *jm_html_escape(const char *s);
/* The first at most 40 bytes of text (len bytes available) quoted for an
 * error message: "...", non-printable bytes as \xNN, "..." appended when cut. */
void jm_quote_value(const char *text, size_t len, char *out, size_t out_len);

/* -------------------------------------------------------------- caches --- */
/* One cache level as hwloc reports it (0 / unknown fields: not reported). */
typedef struct jm_cache_level {
    size_t size;       /* bytes */
    unsigned line;     /* bytes */
    int assoc;         /* ways; 0 unknown, -1 fully associative (hwloc's convention) */
    int instances;     /* how many such caches the machine has */
    int sharing_cores; /* cores that share one instance */
} jm_cache_level;

typedef struct jm_cache_hierarchy {
    char name[32]; /* "host" or a simulated model's name */
    bool loaded;   /* false: hwloc could not load the topology (reason says why) */
    char reason[96];
    jm_cache_level l1d, l1i, l2, l3;
    int cores, pus, packages;
} jm_cache_hierarchy;

/* The machine's caches and core counts from hwloc, probed once per process;
 * never fails (loaded == false with a reason, levels zero when unknown). */
void jm_cache_probe(jm_cache_hierarchy *out);

/* ------------------------------------------------------- strict JSON --- */
/* cJSON (Debian's 1.7.15) behind a scan of the raw text that refuses what
 * cJSON accepts: duplicate keys in an object, numbers with leading zeros or
 * too large for a double (1e999), raw control characters, invalid escapes,
 * \u0000, lone surrogates, bytes that are not UTF-8, text after the value,
 * nesting deeper than 256. err: "line L, column C: what" (jm_json_load:
 * "PATH: malformed JSON: line L, ...", or "PATH: <system error>"). A number
 * written as more than 15 plain digits keeps its text (in valuestring, which
 * cJSON does not use for numbers and frees with the node) so that
 * jm_json_u64/i64 read it exactly above 2^53; smaller ones are exact in the
 * double. *out is freed with cJSON_Delete. */
struct cJSON;
int jm_json_parse(const char *text, size_t len, struct cJSON **out, char *err, size_t err_len);
int jm_json_load(const char *path, struct cJSON **out, char *err, size_t err_len);
/* "missing", "null", "a boolean", "a number", "a string", "an array", "an object" */
const char *jm_json_kind(const struct cJSON *node);
/* The value of a number node: an integer in range, exact from its text when
 * written as plain digits, else from the double only when exact (|v| <= 2^53);
 * a finite double in [min, max]. err: "is a string, expected ..." or the
 * number's problem (the caller prefixes the file and JSON path). */
int jm_json_u64(const struct cJSON *node, uint64_t max, uint64_t *out, char *err, size_t err_len);
int jm_json_i64(const struct cJSON *node, int64_t min, int64_t max, int64_t *out, char *err,
                size_t err_len);
int jm_json_f64(const struct cJSON *node, double min, double max, double *out, char *err,
                size_t err_len);

#endif
