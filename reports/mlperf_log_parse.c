/* mlperf_log_parse.c - reads LoadGen logs back: the :::MLLOG events of a
 * detail log into a key -> value map (counting error and warning events), and
 * the "key : value" lines of a summary log. Used by `joulemark check`, the
 * round-trip tests and the cross-check against the official LoadGen. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports.h"
#include "reports_internal.h"

#define MLLOG_PREFIX ":::MLLOG "

int jm_mlperf_log_parse(const char *text, jm_mlperf_log *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (!text || strncmp(text, ":::MLLOG", 8) != 0) {
        snprintf(err, err_len, "detail log: the first line does not start with \":::MLLOG\"");
        return JM_R_EPARSE;
    }
    out->entries = cJSON_CreateObject();
    if (!out->entries) {
        jm_mlperf_log_free(out);
        snprintf(err, err_len, "detail log: out of memory");
        return JM_R_ENOMEM;
    }
    int line_no = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        line_no++;
        if (n > 0 && strncmp(p, MLLOG_PREFIX, strlen(MLLOG_PREFIX)) == 0) {
            size_t skip = strlen(MLLOG_PREFIX);
            cJSON *ev = NULL;
            char why[256] = "";
            (void)jm_json_parse(p + skip, n - skip, &ev, why, sizeof(why));
            const cJSON *key = ev ? cJSON_GetObjectItemCaseSensitive(ev, "key") : NULL;
            const cJSON *val = ev ? cJSON_GetObjectItemCaseSensitive(ev, "value") : NULL;
            if (!cJSON_IsString(key) || !val) {
                cJSON_Delete(ev);
                if (why[0])
                    snprintf(err, err_len, "detail log line %d: %s", line_no, why);
                else
                    snprintf(err, err_len, "detail log line %d: not a JSON event with \"key\" "
                                           "and \"value\"", line_no);
                jm_mlperf_log_free(out);
                return JM_R_EPARSE;
            }
            const cJSON *md = cJSON_GetObjectItemCaseSensitive(ev, "metadata");
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(md, "is_error")))
                out->n_errors++;
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(md, "is_warning")))
                out->n_warnings++;
            /* move the value out of the event (no copy: lists can be long) */
            cJSON *copy = cJSON_DetachItemViaPointer(ev, (cJSON *)val);
            if (!copy) {
                cJSON_Delete(ev);
                jm_mlperf_log_free(out);
                snprintf(err, err_len, "detail log: out of memory");
                return JM_R_ENOMEM;
            }
            if (cJSON_GetObjectItemCaseSensitive(out->entries, key->valuestring))
                cJSON_ReplaceItemInObjectCaseSensitive(out->entries, key->valuestring, copy);
            else
                cJSON_AddItemToObject(out->entries, key->valuestring, copy);
            out->n_lines++;
            cJSON_Delete(ev);
        } else if (n > 0) {
            snprintf(err, err_len, "detail log line %d: does not start with \":::MLLOG\"",
                     line_no);
            jm_mlperf_log_free(out);
            return JM_R_EPARSE;
        }
        p += n + (eol ? 1 : 0);
    }
    return JM_R_OK;
}


int jm_mlperf_log_load(const char *path, jm_mlperf_log *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    char *text = jm__read_file(path, NULL, err, err_len);
    if (!text)
        return JM_R_EIO;
    char msg[512];
    int rc = jm_mlperf_log_parse(text, out, msg, sizeof(msg));
    free(text);
    if (rc != JM_R_OK)
        snprintf(err, err_len, "%s: %s", path, msg);
    return rc;
}

void jm_mlperf_log_free(jm_mlperf_log *log)
{
    if (!log)
        return;
    cJSON_Delete(log->entries);
    log->entries = NULL;
}

int jm_mlperf_log_get_u64(const jm_mlperf_log *log, const char *key, uint64_t *out)
{
    const cJSON *v = jm_mlperf_log_get(log, key);
    if (!v)
        return JM_R_EINVAL;
    char why[128];
    return jm_json_u64(v, UINT64_MAX, out, why, sizeof(why)) == 0 ? JM_R_OK : JM_R_EPARSE;
}

const cJSON *jm_mlperf_log_get(const jm_mlperf_log *log, const char *key)
{
    return log && log->entries ? cJSON_GetObjectItemCaseSensitive(log->entries, key) : NULL;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, n - lead + 1);
}

int jm_mlperf_summary_parse(const char *text, cJSON **out, char *err, size_t err_len)
{
    *out = NULL;
    if (!text || !strstr(text, "MLPerf Results Summary")) {
        snprintf(err, err_len, "summary log: no \"MLPerf Results Summary\" heading");
        return JM_R_EPARSE;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        snprintf(err, err_len, "summary log: out of memory");
        return JM_R_ENOMEM;
    }
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[1024];
        snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
        char *colon = strchr(line, ':');
        if (colon && line[0] != ' ') {
            *colon = '\0';
            char *value = colon + 1;
            trim(line);
            trim(value);
            if (line[0] && !cJSON_GetObjectItemCaseSensitive(o, line))
                cJSON_AddStringToObject(o, line, value);
        } else if (colon) { /* "  Min duration satisfied : Yes" */
            *colon = '\0';
            trim(line);
            trim(colon + 1);
            if (line[0] && !cJSON_GetObjectItemCaseSensitive(o, line))
                cJSON_AddStringToObject(o, line, colon + 1);
        }
        p += n + (eol ? 1 : 0);
    }
    *out = o;
    return JM_R_OK;
}
