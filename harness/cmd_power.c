/* cmd_power.c - `joulemark power DIR... [--json]`: the MLPerf power metric
 * of scenario folders of any power submission (ours or a published one), as
 * MLCommons' submission checker computes it (reports/mlperf_power_dir.c).
 * One line per folder, or a JSON list; a folder that cannot be read is named
 * on stderr and makes the exit status 3. */
#include <getopt.h>
#include <stdio.h>

#include "harness.h"

static const char usage[] = "usage: joulemark power [--json] DIR...\n";

static cJSON *result_json(const jm_mlperf_power_result *p) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "dir", p->dir);
    cJSON_AddStringToObject(o, "scenario", p->scenario);
    cJSON_AddNumberToObject(o, "samples", (double)p->samples);
    cJSON_AddNumberToObject(o, "duration_s", p->duration_s);
    cJSON_AddNumberToObject(o, "avg_power_w", p->avg_power_w);
    if (p->has_queries)
        cJSON_AddNumberToObject(o, "queries", (double)p->queries);
    else
        cJSON_AddNullToObject(o, "queries");
    cJSON_AddNumberToObject(o, "energy_j", p->energy_j);
    cJSON_AddNumberToObject(o, "metric", p->metric);
    cJSON_AddStringToObject(o, "metric_unit", p->metric_unit);
    return o;
}

static void print_line(const jm_mlperf_power_result *p) {
    printf("%s: %s %.6f %s (%s folder; %zu analyzer samples, average %.6f W over %.3f s = "
           "%.3f J",
           p->dir, p->scenario, p->metric, p->metric_unit, jm_scenario_name(p->metric_scenario),
           p->samples, p->avg_power_w, p->duration_s, p->energy_j);
    if (p->has_queries)
        printf(", %llu queries", (unsigned long long)p->queries);
    printf(")\n");
}

int jm_cmd_power(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool json = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'h':
            printf("%s\n"
                   "The MLPerf power metric of each DIR, one scenario's folder of a power\n"
                   "result (ours or a published submission, closed or open division): DIR\n"
                   "holds run_1/ or performance/run_1/ with mlperf_log_detail.txt and the\n"
                   "analyzer's spl.txt. Computed as MLCommons' submission checker does: the\n"
                   "mean of the first Watts field of the samples strictly between power_begin\n"
                   "and power_end (non-positive ones dropped) is the metric in W for Offline\n"
                   "and Server; x duration x 1000 / result_query_count gives mJ per query for\n"
                   "SingleStream and MultiStream. The folder's name (any letter case) picks\n"
                   "the unit. --json prints a list of {dir, scenario, samples, duration_s,\n"
                   "avg_power_w, queries, energy_j, metric, metric_unit}.\n",
                   usage);
            return JM_EXIT_OK;
        default:
            fputs(usage, stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return JM_EXIT_USAGE;
    }
    cJSON *list = json ? cJSON_CreateArray() : NULL;
    int rc = JM_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        jm_mlperf_power_result p;
        char err[1024];
        if (jm_mlperf_power_of_dir(argv[i], &p, err, sizeof(err)) != JM_R_OK) {
            fprintf(stderr, "joulemark power: %s\n", err);
            rc = JM_EXIT_SYSTEM;
            continue;
        }
        if (json)
            cJSON_AddItemToArray(list, result_json(&p));
        else
            print_line(&p);
    }
    if (json) {
        char *text = cJSON_Print(list);
        if (text)
            printf("%s\n", text);
        else
            rc = JM_EXIT_SYSTEM;
        cJSON_free(text);
        cJSON_Delete(list);
    }
    return rc;
}
