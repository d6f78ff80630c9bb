/* writer_table.c - the output formats: one ops struct per format, one table.
 * A new format is one file plus one line here. jm_results_write_all writes
 * every entry into a directory. MLPerf logs and the submission tree are
 * written by their own commands (they need a submitter and system name). */
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

static const jm_writer_ops json_writer = {"json", "results.json", jm__write_results_json};
static const jm_writer_ops trace_writer = {"trace-csv", "trace.csv", jm__write_trace_csv};
static const jm_writer_ops summary_writer = {"summary-csv", "summary.csv", jm__write_summary_csv};
static const jm_writer_ops html_writer = {"html", "report.html", jm__write_html};

static const jm_writer_ops *const writers[] = {&json_writer, &trace_writer, &summary_writer,
                                               &html_writer, NULL};

const jm_writer_ops *const *jm_writer_table(void) {
    return writers;
}

const jm_writer_ops *jm_writer_find(const char *name) {
    for (const jm_writer_ops *const *w = writers; *w; w++)
        if (strcmp((*w)->name, name) == 0)
            return *w;
    return NULL;
}

int jm_results_write_all(const jm_results *r, const char *dir, char *err, size_t err_len) {
    int rc = jm_mkdir_p(dir, err, err_len);
    if (rc)
        return rc;
    for (const jm_writer_ops *const *w = writers; *w; w++) {
        char path[4096];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, (*w)->filename);
        if (n < 0 || (size_t)n >= sizeof(path)) {
            snprintf(err, err_len, "%s/%s: path too long", dir, (*w)->filename);
            return JM_R_EINVAL;
        }
        rc = (*w)->write(r, path, err, err_len);
        if (rc)
            return rc;
    }
    return JM_R_OK;
}
