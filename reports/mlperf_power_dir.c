/* mlperf_power_dir.c - the MLPerf power metric of one scenario folder of any
 * power submission, computed as MLCommons' submission checker does: the
 * testing run (run_1/ or performance/run_1/) holds mlperf_log_detail.txt
 * (power_begin, power_end, effective_scenario, result_query_count) and the
 * analyzer's spl.txt; the average of the first Watts field of the samples
 * strictly inside the window, non-positive ones dropped, gives W (Offline,
 * Server) or x duration x 1000 / queries mJ per query (SingleStream,
 * MultiStream; x 8 samples per query when a MultiStream folder holds a run
 * whose effective scenario is SingleStream). The scenario that picks the
 * unit is the folder's name (any letter case), as for the checker; the
 * detail log's effective_scenario stands in when no folder names one. Used
 * by `joulemark power` and `joulemark check`. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base.h"
#include "reports.h"

static bool is_file(const char *dir, const char *name) {
    char p[4400];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

/* dir/run_1 or dir/performance/run_1 holding the two files. */
static int find_run(const char *dir, char *run, size_t len, bool *under_performance, char *err,
                    size_t err_len) {
    static const char *const subs[] = {"run_1", "performance/run_1"};
    for (int i = 0; i < 2; i++) {
        snprintf(run, len, "%s/%s", dir, subs[i]);
        if (is_file(run, "mlperf_log_detail.txt") && is_file(run, "spl.txt")) {
            *under_performance = i == 1;
            return JM_R_OK;
        }
    }
    snprintf(err, err_len,
             "%s: no run_1/ or performance/run_1/ holding mlperf_log_detail.txt and spl.txt "
             "(expected one scenario's folder of an MLPerf power result)",
             dir);
    return JM_R_EINVAL;
}

/* The scenario named by the folder: DIR itself, or DIR's parent when DIR is
 * the "performance" folder. false when neither is a scenario's name. */
static bool folder_scenario(const char *dir, bool under_performance, jm_scenario_kind *k) {
    char copy[4096], why[256];
    snprintf(copy, sizeof(copy), "%s", dir);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *base = basename(copy);
    if (jm_scenario_from_name(base, k, why, sizeof(why)) == JM_R_OK)
        return true;
    if (under_performance || strcasecmp(base, "performance") != 0)
        return false;
    char *parent = dirname(copy); /* copy now holds the parent */
    return jm_scenario_from_name(basename(parent), k, why, sizeof(why)) == JM_R_OK;
}

static int window_edge(const jm_mlperf_log *log, const char *detail, const char *key,
                       int64_t *ns, char *err, size_t err_len) {
    const cJSON *v = jm_mlperf_log_get(log, key);
    char why[256];
    if (!cJSON_IsString(v)) {
        snprintf(err, err_len, "%s: key \"%s\" is %s, expected the analyzer window's UTC time",
                 detail, key, v ? "not a string" : "missing");
        return JM_R_EPARSE;
    }
    if (jm_time_stamp_parse(v->valuestring, NULL, ns, why, sizeof(why)) != 0) {
        snprintf(err, err_len, "%s: %s: %s", detail, key, why);
        return JM_R_EPARSE;
    }
    return JM_R_OK;
}

int jm_mlperf_power_of_run(const char *run_dir, const jm_scenario_kind *folder,
                           jm_mlperf_power_result *out, char *err, size_t err_len) {
    memset(out, 0, sizeof(*out));
    char detail[4400], spl[4400];
    snprintf(detail, sizeof(detail), "%s/mlperf_log_detail.txt", run_dir);
    snprintf(spl, sizeof(spl), "%s/spl.txt", run_dir);
    jm_mlperf_log log;
    int rc = jm_mlperf_log_load(detail, &log, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    int64_t b = 0, e = 0;
    jm_scenario_kind effective;
    const cJSON *sc = jm_mlperf_log_get(&log, "effective_scenario");
    char why[256];
    if (!cJSON_IsString(sc)) {
        snprintf(err, err_len, "%s: key \"effective_scenario\" is %s", detail,
                 sc ? "not a string" : "missing");
        rc = JM_R_EPARSE;
    } else if (jm_scenario_from_name(sc->valuestring, &effective, why, sizeof(why)) != JM_R_OK) {
        snprintf(err, err_len, "%s: effective_scenario: %s", detail, why);
        rc = JM_R_EPARSE;
    } else if ((rc = window_edge(&log, detail, "power_begin", &b, err, err_len)) == JM_R_OK &&
               (rc = window_edge(&log, detail, "power_end", &e, err, err_len)) == JM_R_OK &&
               e <= b) {
        snprintf(err, err_len, "%s: power_end is not after power_begin", detail);
        rc = JM_R_EINVAL;
    }
    if (rc == JM_R_OK) {
        snprintf(out->scenario, sizeof(out->scenario), "%s", sc->valuestring);
        out->metric_scenario = folder ? *folder : effective;
        bool has_queries = jm_mlperf_log_get_u64(&log, "result_query_count", &out->queries) ==
                           JM_R_OK;
        out->has_queries = has_queries;
        out->begin_unix_ns = b;
        out->end_unix_ns = e;
        out->duration_s = (double)(e - b) / 1e9;
        rc = jm_mlperf_spl_average_w(spl, b, e, &out->avg_power_w, &out->samples, err, err_len);
    }
    jm_mlperf_log_free(&log);
    if (rc != JM_R_OK)
        return rc;
    out->energy_j = out->avg_power_w * out->duration_s;
    bool stream = out->metric_scenario == JM_SCENARIO_SINGLE_STREAM ||
                  out->metric_scenario == JM_SCENARIO_MULTI_STREAM;
    if (stream && !out->has_queries) {
        snprintf(err, err_len, "%s: key \"result_query_count\" is missing or not an integer: "
                               "the %s metric is mJ per query",
                 detail, jm_scenario_name(out->metric_scenario));
        return JM_R_EPARSE;
    }
    rc = jm_mlperf_power_metric(out->metric_scenario, out->energy_j, out->duration_s, out->queries,
                                &out->metric, &out->metric_unit, err, err_len);
    if (rc == JM_R_OK && out->metric_scenario == JM_SCENARIO_MULTI_STREAM &&
        effective == JM_SCENARIO_SINGLE_STREAM)
        out->metric *= 8; /* the checker's samples per MultiStream query */
    return rc;
}

int jm_mlperf_power_of_dir(const char *dir, jm_mlperf_power_result *out, char *err,
                           size_t err_len) {
    char run[4200];
    bool under_performance = false;
    memset(out, 0, sizeof(*out));
    int rc = find_run(dir, run, sizeof(run), &under_performance, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    jm_scenario_kind k;
    bool named = folder_scenario(dir, under_performance, &k);
    rc = jm_mlperf_power_of_run(run, named ? &k : NULL, out, err, err_len);
    snprintf(out->dir, sizeof(out->dir), "%s", dir);
    return rc;
}
