/* mlperf_power.c - MLPerf power figures: the per-scenario power metric
 * (average W for Offline/Server, mJ per query for SingleStream/MultiStream),
 * the power log time format (UTC "%m-%d-%Y %H:%M:%S.mmm") and the MLCommons
 * checker's average of an analyzer log (spl.txt) over [power_begin,
 * power_end]. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base.h"
#include "reports.h"

int jm_mlperf_power_metric(jm_scenario_kind scenario, double energy_j, double duration_s,
                           uint64_t queries, double *value, const char **unit, char *err,
                           size_t err_len)
{
    if (!(duration_s > 0) || !isfinite(energy_j) || energy_j < 0) {
        snprintf(err, err_len,
                 "power metric: energy %g J over %g s, expected energy >= 0 and duration > 0",
                 energy_j, duration_s);
        return JM_R_EINVAL;
    }
    switch (scenario) {
    case JM_SCENARIO_OFFLINE:
    case JM_SCENARIO_SERVER:
        *value = energy_j / duration_s;
        *unit = "W";
        return JM_R_OK;
    case JM_SCENARIO_SINGLE_STREAM:
    case JM_SCENARIO_MULTI_STREAM:
        if (queries == 0) {
            snprintf(err, err_len, "power metric: %s run has 0 queries, expected >= 1",
                     jm_scenario_name(scenario));
            return JM_R_EINVAL;
        }
        /* avg W x duration s x 1000 / queries = energy mJ / queries */
        *value = energy_j * 1000.0 / (double)queries;
        *unit = "mJ/query";
        return JM_R_OK;
    }
    snprintf(err, err_len, "power metric: unknown scenario %d", (int)scenario);
    return JM_R_EINVAL;
}

void jm_mlperf_format_power_time(int64_t unix_ns, char *buf, size_t len)
{
    int64_t ms_total = unix_ns / 1000000;
    time_t secs = (time_t)(ms_total / 1000);
    int ms = (int)(ms_total % 1000);
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof(date), "%m-%d-%Y %H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03d", date, ms);
}

int jm_mlperf_spl_average_w(const char *spl_path, int64_t begin_unix_ns, int64_t end_unix_ns,
                            double *avg_w, size_t *n_samples, char *err, size_t err_len)
{
    FILE *f = fopen(spl_path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", spl_path, strerror(errno));
        return JM_R_EIO;
    }
    char line[4096];
    double sum = 0;
    size_t n = 0, line_no = 0;
    int rc = JM_R_OK;
    while (fgets(line, sizeof(line), f)) {
        line_no++;
        if (strncmp(line, "Time", 4) != 0)
            continue;
        /* Time,<MM-DD-YYYY HH:MM:SS.mmm>,Watts,<W>,... */
        char *f1 = strchr(line, ',');
        char *f2 = f1 ? strchr(f1 + 1, ',') : NULL;
        char *f3 = f2 ? strchr(f2 + 1, ',') : NULL;
        if (!f1 || !f2 || !f3 || strncmp(f2 + 1, "Watts", 5) != 0) {
            snprintf(err, err_len, "%s:%zu: expected \"Time,<date>,Watts,<W>,...\"", spl_path,
                     line_no);
            rc = JM_R_EPARSE;
            break;
        }
        *f2 = '\0';
        int64_t t;
        char why[256];
        if (jm_time_stamp_parse(f1 + 1, NULL, &t, why, sizeof why) != 0) {
            snprintf(err, err_len, "%s:%zu: %s", spl_path, line_no, why);
            rc = JM_R_EPARSE;
            break;
        }
        char *endp;
        double w = strtod(f3 + 1, &endp);
        if (endp == f3 + 1) {
            snprintf(err, err_len, "%s:%zu: the Watts value is not a number", spl_path, line_no);
            rc = JM_R_EPARSE;
            break;
        }
        if (t > begin_unix_ns && t < end_unix_ns && w > 0) {
            sum += w;
            n++;
        }
    }
    fclose(f);
    if (rc != JM_R_OK)
        return rc;
    if (n == 0) {
        snprintf(err, err_len, "%s: no positive power sample between power_begin and power_end",
                 spl_path);
        return JM_R_EINVAL;
    }
    *avg_w = sum / (double)n;
    if (n_samples)
        *n_samples = n;
    return JM_R_OK;
}
