/* submission_internal.h - helpers shared by reports/submission_*.c (private
 * to the submission tree writer and checker; not part of the public API). */
#ifndef JM_SUBMISSION_INTERNAL_H
#define JM_SUBMISSION_INTERNAL_H

#include "reports.h"
#include "reports_internal.h"

/* vsnprintf under another name: paths built from several names may be
 * truncated only at PATH_MAX-like lengths, which the callers check. */
int jm__sub_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reads a whole file (NUL-terminated; caller frees); NULL with err on failure. */
char *jm__sub_read(const char *path, size_t *len, char *err, size_t err_len);
/* Copies src to dst atomically (creating dst's folder). */
int jm__sub_copy(const char *src, const char *dst, char *err, size_t err_len);
/* Sorted names of the sub-folders (or files when want_dirs is false) of dir;
 * returns the count or -1; *names is freed with jm__sub_free_names. */
int jm__sub_list(const char *dir, bool want_dirs, char ***names);
void jm__sub_free_names(char **names, int n);
bool jm__sub_exists(const char *path);
bool jm__sub_is_dir(const char *path);
/* Loads a JSON file; NULL with err naming the file on failure. */
cJSON *jm__sub_load_json(const char *path, char *err, size_t err_len);
int jm__sub_write_json(const char *path, const cJSON *json, char *err, size_t err_len);
/* systems/<system>.json from the system description of results.json, the
 * user's file and the names; fails naming a required key nobody gives. */
cJSON *jm__sub_system_json(const cJSON *results, const cJSON *user, const char *user_file,
                           const char *submitter, const char *system, char *err,
                           size_t err_len);

/* System keys MLCommons' checker v5.1 requires to be non-empty (NULL-ended). */
extern const char *const jm__sub_meaningful_system_keys[];
/* Whether a JSON value is "empty" as the checker's Python `not value` sees it:
 * missing, null, false, "", 0, [] or {}. */
bool jm__sub_json_empty(const cJSON *v);
/* datacenter, edge, datacenter,edge or edge,datacenter (the checker's list) */
bool jm__sub_valid_system_type(const char *t);

#endif /* JM_SUBMISSION_INTERNAL_H */
