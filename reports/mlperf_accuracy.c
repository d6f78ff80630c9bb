/* mlperf_accuracy.c - accuracy mode outputs: mlperf_log_accuracy.json (one
 * entry per checked sample, LoadGen's {"seq_id", "qsl_idx", "data"} form with
 * the sample's data as hex: the bits of its relative error against the fp64
 * reference; kept <= 10 KiB) and accuracy.txt (the
 * metric lines, then "hash=<sha256 of mlperf_log_accuracy.json>"). */
#include <stdio.h>
#include <string.h>

#include "reports_internal.h"

#define ACCURACY_LOG_MAX_BYTES 10240

int jm_mlperf_write_accuracy(const jm_mlperf_accuracy *acc, const char *dir, char *err,
                             size_t err_len)
{
    if (acc->n_entries < 0 || acc->n_entries > 64) {
        snprintf(err, err_len, "accuracy log: %d entries, expected 0..64", acc->n_entries);
        return JM_R_EINVAL;
    }
    int rc = jm_mkdir_p(dir, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    jm__buf log;
    jm__buf_init(&log);
    jm__buf_puts(&log, "[\n");
    for (int i = 0; i < acc->n_entries; i++)
        jm__buf_printf(&log, "{ \"seq_id\" : %d, \"qsl_idx\" : %d, \"data\" : \"%016llX\" }%s\n",
                       i, i, (unsigned long long)acc->entry_data[i],
                       i + 1 < acc->n_entries ? "," : "");
    jm__buf_puts(&log, "]\n");
    if (!log.failed && log.len > ACCURACY_LOG_MAX_BYTES) {
        jm__buf_free(&log);
        snprintf(err, err_len, "accuracy log: would be larger than 10 KiB");
        return JM_R_EINVAL;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/mlperf_log_accuracy.json", dir);
    rc = jm__buf_write(&log, path, err, err_len);
    char hash[65] = "";
    if (rc == JM_R_OK)
        jm_sha256_hex(log.data, log.len, hash);
    jm__buf_free(&log);
    if (rc != JM_R_OK)
        return rc;

    jm__buf txt;
    jm__buf_init(&txt);
    jm__buf_printf(&txt, "benchmark: %s\n", acc->benchmark);
    jm__buf_printf(&txt, "seed: %llu\n", (unsigned long long)acc->seed);
    jm__buf_printf(&txt, "samples: %d\n", acc->n_samples);
    jm__buf_printf(&txt, "reference: fp64\n");
    jm__buf_printf(&txt, "relative_error: %.6e\n", acc->rel_err);
    jm__buf_printf(&txt, "tolerance: %.6e\n", acc->tolerance);
    jm__buf_printf(&txt, "accuracy: %s\n", acc->passed ? "PASS" : "FAIL");
    jm__buf_printf(&txt, "hash=%s\n", hash);
    snprintf(path, sizeof(path), "%s/accuracy.txt", dir);
    rc = jm__buf_write(&txt, path, err, err_len);
    jm__buf_free(&txt);
    return rc;
}
