/* mlperf_spl_cut.c - one scenario's analyzer log cut from the whole run's:
 * `joulemark package` gives each scenario folder of an analyzer run an
 * spl.txt holding only the PTDaemon samples of its own power window (its
 * detail log's power_begin..power_end, both ends included), so that no
 * scenario's file carries another's samples. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "reports.h"

int jm_mlperf_power_window(const char *detail_path, int64_t *begin_unix_ns,
                           int64_t *end_unix_ns, char *err, size_t err_len) {
    jm_mlperf_log log;
    int rc = jm_mlperf_log_load(detail_path, &log, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    const char *keys[2] = {"power_begin", "power_end"};
    int64_t *out[2] = {begin_unix_ns, end_unix_ns};
    for (int i = 0; i < 2 && rc == JM_R_OK; i++) {
        const cJSON *v = jm_mlperf_log_get(&log, keys[i]);
        char why[256];
        if (!cJSON_IsString(v)) {
            snprintf(err, err_len, "%s: key \"%s\" is %s, expected the power window's UTC time",
                     detail_path, keys[i], v ? "not a string" : "missing");
            rc = JM_R_EPARSE;
        } else if (jm_time_stamp_parse(v->valuestring, NULL, out[i], why, sizeof(why)) != 0) {
            snprintf(err, err_len, "%s: %s: %s", detail_path, keys[i], why);
            rc = JM_R_EPARSE;
        }
    }
    jm_mlperf_log_free(&log);
    if (rc == JM_R_OK && *end_unix_ns <= *begin_unix_ns) {
        snprintf(err, err_len, "%s: power_end is not after power_begin", detail_path);
        rc = JM_R_EINVAL;
    }
    return rc;
}

int jm_mlperf_spl_cut(const char *src, const char *dst, int64_t begin_unix_ns,
                      int64_t end_unix_ns, size_t *n_kept, char *err, size_t err_len) {
    FILE *in = fopen(src, "r");
    if (!in) {
        snprintf(err, err_len, "%s: %s", src, strerror(errno));
        return JM_R_EIO;
    }
    FILE *out = fopen(dst, "w");
    if (!out) {
        snprintf(err, err_len, "%s: %s", dst, strerror(errno));
        fclose(in);
        return JM_R_EIO;
    }
    char line[4096];
    size_t line_no = 0, kept = 0;
    int rc = JM_R_OK;
    while (rc == JM_R_OK && fgets(line, sizeof(line), in)) {
        line_no++;
        if (strncmp(line, "Time,", 5) != 0)
            continue; /* blank lines: only samples belong to a window */
        const char *end = NULL;
        int64_t t;
        char why[256];
        if (jm_time_stamp_parse(line + 5, &end, &t, why, sizeof(why)) != 0 || *end != ',') {
            snprintf(err, err_len, "%s:%zu: %s", src, line_no,
                     end && *end != ',' ? "expected \"Time,<stamp>,Watts,...\"" : why);
            rc = JM_R_EPARSE;
        } else if (t >= begin_unix_ns && t <= end_unix_ns) {
            kept++;
            if (fputs(line, out) == EOF) {
                snprintf(err, err_len, "%s: %s", dst, strerror(errno));
                rc = JM_R_EIO;
            }
        }
    }
    if (fclose(out) != 0 && rc == JM_R_OK) {
        snprintf(err, err_len, "%s: %s", dst, strerror(errno));
        rc = JM_R_EIO;
    }
    fclose(in);
    if (rc == JM_R_OK && kept == 0) {
        snprintf(err, err_len, "%s: no analyzer sample inside the window of the run", src);
        rc = JM_R_EINVAL;
    }
    if (n_kept)
        *n_kept = kept;
    return rc;
}
