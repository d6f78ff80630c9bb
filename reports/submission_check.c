/* submission_check.c - `joulemark check`: our own validator of an MLPerf
 * inference submission tree as `joulemark package` writes it (open division,
 * checker v5.1 layout). It lists every problem it finds: required folders,
 * files and JSON keys, names matching folders, LoadGen log keys, durations,
 * seeds and validity against the MLPerf rules, the accuracy hash, and the
 * power figures recomputed from the samples (spl.txt of a real analyzer or
 * joulemark_power.csv). It also applies the rules of MLCommons' checker v5.1
 * that depend on the mapped model: performance sample count, the accuracy
 * run covering the model's dataset, token latencies for LLM models, and the
 * system and measurement values that must not be empty. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base.h"
#include "submission_internal.h"

typedef struct model_rule {
    const char *name;
    uint64_t performance_sample_count; /* minimum effective_performance_sample_count */
    uint64_t dataset_size;             /* samples the accuracy run must cover */
    bool llm;                          /* requested_use_token_latencies must be true */
} model_rule;

/* the models of MLCommons' checker v5.1 (its "models", "performance-sample-count",
 * "dataset-size" and LLM lists; the llama2-70b-interactive models are v5.0 only) */
static const model_rule models[] = {
    {"resnet", 1024, 50000, false},
    {"retinanet", 64, 24781, false},
    {"bert-99", 10833, 10833, false},
    {"bert-99.9", 10833, 10833, false},
    {"dlrm-v2-99", 204800, 330067, false},
    {"dlrm-v2-99.9", 204800, 330067, false},
    {"3d-unet-99", 43, 43, false},
    {"3d-unet-99.9", 43, 43, false},
    {"llama3.1-8b", 13368, 13368, true},
    {"llama3.1-8b-edge", 5000, 5000, true},
    {"llama2-70b-99", 24576, 24576, true},
    {"llama2-70b-99.9", 24576, 24576, true},
    {"stable-diffusion-xl", 5000, 5000, false},
    {"mixtral-8x7b", 15000, 15000, true},
    {"llama3.1-405b", 8313, 8313, true},
    {"rgat", 788379, 788379, false},
    {"pointpainting", 1024, 39987, false},
    {"deepseek-r1", 4388, 4388, true},
    {"whisper", 1633, 1633, false}};

static const model_rule *find_model(const char *name)
{
    for (size_t i = 0; i < sizeof(models) / sizeof(*models); i++)
        if (strcmp(models[i].name, name) == 0)
            return &models[i];
    return NULL;
}

typedef struct checker {
    jm_check_problems *p;
    const char *root;    /* open/<submitter> */
    const char *submitter;
    cJSON *mapping;
} checker;

static bool need_file(checker *c, const char *path)
{
    if (jm__sub_exists(path))
        return true;
    jm_check_problem(c->p, "%s: required file is missing", path);
    return false;
}

static void check_system(checker *c, const char *system)
{
    char path[4096], err[1024];
    jm__sub_fmt(path, sizeof(path), "%s/systems/%s.json", c->root, system);
    if (!need_file(c, path))
        return;
    cJSON *s = jm__sub_load_json(path, err, sizeof(err));
    if (!s) {
        jm_check_problem(c->p, "%s", err);
        return;
    }
    for (const char *const *k = jm_submission_system_keys; *k; k++)
        if (!cJSON_GetObjectItemCaseSensitive(s, *k))
            jm_check_problem(c->p, "%s: required key \"%s\" is missing", path, *k);
    for (const char *const *k = jm__sub_meaningful_system_keys; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, *k);
        if (v && jm__sub_json_empty(v))
            jm_check_problem(c->p, "%s: key \"%s\" is empty; the checker requires a meaningful "
                                   "value",
                             path, *k);
    }
    const cJSON *div = cJSON_GetObjectItemCaseSensitive(s, "division");
    if (cJSON_IsString(div) && strcmp(div->valuestring, "open") != 0)
        jm_check_problem(c->p, "%s: division is \"%s\", expected \"open\" (the folder)", path,
                         div->valuestring);
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(s, "submitter");
    if (cJSON_IsString(sub) && strcmp(sub->valuestring, c->submitter) != 0)
        jm_check_problem(c->p, "%s: submitter is \"%s\", expected \"%s\" (the folder)", path,
                         sub->valuestring, c->submitter);
    /* the checker lower-cases status but compares system_type as written */
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "status");
    if (st && (!cJSON_IsString(st) || (strcasecmp(st->valuestring, "available") != 0 &&
                                       strcasecmp(st->valuestring, "preview") != 0 &&
                                       strcasecmp(st->valuestring, "rdi") != 0)))
        jm_check_problem(c->p, "%s: status must be available, preview or rdi", path);
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(s, "system_type");
    if (ty && (!cJSON_IsString(ty) || !jm__sub_valid_system_type(ty->valuestring)))
        jm_check_problem(c->p, "%s: system_type must be datacenter, edge, datacenter,edge or "
                               "edge,datacenter",
                         path);
    cJSON_Delete(s);
}

static bool log_true(const jm_mlperf_log *log, const char *key)
{
    return cJSON_IsTrue(jm_mlperf_log_get(log, key));
}

/* An unsigned integer of a detail log, exactly. A checker fails closed: a
 * value that is there but is not one (negative, a string, null, fractional)
 * is a problem. False then, and when the key is absent (the required-keys
 * rule reports that). */
static bool log_u64(checker *c, const char *path, const jm_mlperf_log *log, const char *key,
                    uint64_t *v)
{
    const cJSON *j = jm_mlperf_log_get(log, key);
    if (!j)
        return false;
    char why[256];
    if (jm_json_u64(j, UINT64_MAX, v, why, sizeof(why)) == 0)
        return true;
    jm_check_problem(c->p, "%s: %s %s (expected an unsigned integer)", path, key, why);
    return false;
}

/* A finite number of a detail log; present but not one is a problem. */
static bool log_number(checker *c, const char *path, const jm_mlperf_log *log, const char *key,
                       double *v)
{
    const cJSON *j = jm_mlperf_log_get(log, key);
    if (!j)
        return false;
    char why[256];
    if (jm_json_f64(j, -HUGE_VAL, HUGE_VAL, v, why, sizeof(why)) == 0)
        return true;
    jm_check_problem(c->p, "%s: %s %s", path, key, why);
    return false;
}

static void check_seeds(checker *c, const char *path, const jm_mlperf_log *log)
{
    static const struct {
        const char *key;
        uint64_t want;
    } seeds[] = {{"effective_qsl_rng_seed", 1780908523862526354ULL},
                 {"effective_sample_index_rng_seed", 14771362308971278857ULL},
                 {"effective_schedule_rng_seed", 18209322760996052031ULL}};
    for (size_t i = 0; i < 3; i++) {
        uint64_t v;
        if (log_u64(c, path, log, seeds[i].key, &v) && v != seeds[i].want)
            jm_check_problem(c->p, "%s: %s is %llu, expected MLPerf's %llu", path, seeds[i].key,
                             (unsigned long long)v, (unsigned long long)seeds[i].want);
    }
}

/* the power window of a detail log in Unix ns; a begin or end that is there
 * but unreadable, or a window that is not one, is a problem */
static bool power_window(checker *c, const char *detail, const jm_mlperf_log *log, int64_t *b,
                         int64_t *e)
{
    static const char *const keys[] = {"power_begin", "power_end"};
    int64_t *out[] = {b, e};
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        const cJSON *v = jm_mlperf_log_get(log, keys[i]);
        char why[256];
        if (!v) {
            ok = false; /* the required-keys rule names it */
        } else if (!cJSON_IsString(v)) {
            jm_check_problem(c->p, "%s: %s is %s, expected a time stamp string", detail, keys[i],
                             jm_json_kind(v));
            ok = false;
        } else if (jm_time_stamp_parse(v->valuestring, NULL, out[i], why, sizeof why) != 0) {
            jm_check_problem(c->p, "%s: %s: %s", detail, keys[i], why);
            ok = false;
        }
    }
    if (ok && *e <= *b) {
        jm_check_problem(c->p, "%s: power_end is not after power_begin", detail);
        ok = false;
    }
    return ok;
}

static bool close_enough(double a, double b)
{
    return fabs(a - b) <= 1e-3 * fmax(fabs(a), fabs(b)) + 1e-9;
}

static void check_power(checker *c, const char *res, const char *meas, const char *scen,
                        const jm_mlperf_log *log, const char *detail)
{
    char path[4096], err[1024];
    int64_t b, e;
    jm_scenario_kind k;
    if (jm_scenario_from_name(scen, &k, err, sizeof(err)) != JM_R_OK)
        return;
    bool have_window = power_window(c, detail, log, &b, &e);
    jm__sub_fmt(path, sizeof(path), "%s/performance/power", res);
    if (jm__sub_is_dir(path)) { /* a real analyzer: the checker's files */
        static const char *const files[] = {"performance/run_1/spl.txt",
                                            "performance/ranging/mlperf_log_detail.txt",
                                            "performance/ranging/mlperf_log_summary.txt",
                                            "performance/ranging/spl.txt"};
        for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
            jm__sub_fmt(path, sizeof(path), "%s/%s", res, files[i]);
            need_file(c, path);
        }
        jm__sub_fmt(path, sizeof(path), "%s/performance/run_1/spl.txt", res);
        if (have_window && jm__sub_exists(path)) {
            /* the same code as `joulemark power` */
            jm_mlperf_power_result pw;
            jm__sub_fmt(path, sizeof(path), "%s/performance/run_1", res);
            if (jm_mlperf_power_of_run(path, &k, &pw, err, sizeof(err)) != JM_R_OK) {
                jm_check_problem(c->p, "%s", err);
                return;
            }
            /* joulemark's own figures, when the log has them (a real LoadGen
             * log does not); present but not a number is a problem */
            double avg, metric;
            if (log_number(c, detail, log, "joulemark_avg_power_w", &avg) &&
                !close_enough(avg, pw.avg_power_w))
                jm_check_problem(c->p,
                                 "%s: joulemark_avg_power_w %.6f W differs from %.6f W "
                                 "recomputed from %s/spl.txt",
                                 detail, avg, pw.avg_power_w, path);
            if (log_number(c, detail, log, "joulemark_power_metric", &metric) &&
                !close_enough(metric, pw.metric))
                jm_check_problem(c->p,
                                 "%s: joulemark_power_metric %.6f differs from %.6f %s "
                                 "recomputed from %s/spl.txt",
                                 detail, metric, pw.metric, pw.metric_unit, path);
        }
        return;
    }
    const cJSON *energy = jm_mlperf_log_get(log, "joulemark_energy_j");
    jm__sub_fmt(path, sizeof(path), "%s/joulemark_power/run_1/" JM_MLPERF_POWER_FILE, meas);
    if (!jm__sub_exists(path)) {
        if (energy)
            jm_check_problem(c->p, "%s: the run has an energy figure but %s is missing, so the "
                                   "power metric cannot be recomputed",
                             detail, path);
        return;
    }
    /* MLPerf's power rules: a ranging run precedes the testing run */
    static const char *const ranging[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt",
                                          JM_MLPERF_POWER_FILE};
    for (size_t i = 0; i < sizeof(ranging) / sizeof(*ranging); i++) {
        char rpath[4200];
        jm__sub_fmt(rpath, sizeof(rpath), "%s/joulemark_power/ranging/%s", meas, ranging[i]);
        need_file(c, rpath);
    }
    if (!have_window)
        return; /* power_window or the required-keys rule said why */
    double ej;
    if (jm_mlperf_power_file_energy(path, b, e, &ej, NULL, err, sizeof(err)) != JM_R_OK) {
        jm_check_problem(c->p, "%s", err);
        return;
    }
    double logged_j;
    if (!energy) {
        jm_check_problem(c->p, "%s: key \"joulemark_energy_j\" is missing", detail);
        return;
    }
    if (!log_number(c, detail, log, "joulemark_energy_j", &logged_j))
        return;
    if (!close_enough(logged_j, ej))
        jm_check_problem(c->p, "%s: joulemark_energy_j %.6f J differs from %.6f J recomputed "
                               "from %s",
                         detail, logged_j, ej, path);
    /* the average power over the window, as the analyzer path compares it */
    double avg_w, recomputed_w = ej / ((double)e - (double)b) * 1e9;
    if (!jm_mlperf_log_get(log, "joulemark_avg_power_w"))
        jm_check_problem(c->p, "%s: key \"joulemark_avg_power_w\" is missing", detail);
    else if (log_number(c, detail, log, "joulemark_avg_power_w", &avg_w) &&
             !close_enough(avg_w, recomputed_w))
        jm_check_problem(c->p, "%s: joulemark_avg_power_w %.6f W differs from %.6f W "
                               "recomputed from %s",
                         detail, avg_w, recomputed_w, path);
    uint64_t queries = 0;
    if (!log_u64(c, detail, log, "result_query_count", &queries))
        return; /* a problem already: the metric cannot be recomputed */
    double metric;
    const char *unit;
    double logged;
    if (jm_mlperf_power_metric(k, ej, ((double)e - (double)b) / 1e9, queries, &metric, &unit,
                               err, sizeof(err)) != JM_R_OK)
        jm_check_problem(c->p, "%s: %s", detail, err);
    else if (!jm_mlperf_log_get(log, "joulemark_power_metric"))
        jm_check_problem(c->p, "%s: key \"joulemark_power_metric\" is missing", detail);
    else if (log_number(c, detail, log, "joulemark_power_metric", &logged) &&
             !close_enough(logged, metric))
        jm_check_problem(c->p, "%s: joulemark_power_metric %.6f differs from %.6f %s recomputed "
                               "from the power samples",
                         detail, logged, metric, unit);
}

static void check_performance(checker *c, const char *res, const char *scen,
                              const model_rule *model, const char *meas)
{
    char detail[4096], summary[4096], err[1024];
    jm__sub_fmt(detail, sizeof(detail), "%s/performance/run_1/mlperf_log_detail.txt", res);
    jm__sub_fmt(summary, sizeof(summary), "%s/performance/run_1/mlperf_log_summary.txt", res);
    bool have_summary = need_file(c, summary);
    if (!need_file(c, detail))
        return;
    jm_mlperf_log log;
    if (jm_mlperf_log_load(detail, &log, err, sizeof(err)) != JM_R_OK) {
        jm_check_problem(c->p, "%s", err);
        return;
    }
    jm_scenario_kind k;
    if (jm_scenario_from_name(scen, &k, err, sizeof(err)) == JM_R_OK) {
        for (const char *const *key = jm_mlperf_required_keys(k); *key; key++)
            if (!jm_mlperf_log_get(&log, *key))
                jm_check_problem(c->p, "%s: key \"%s\" is missing", detail, *key);
    }
    const cJSON *sc = jm_mlperf_log_get(&log, "effective_scenario");
    if (cJSON_IsString(sc) && strcmp(sc->valuestring, scen) != 0)
        jm_check_problem(c->p, "%s: effective_scenario is \"%s\", expected \"%s\" (the folder)",
                         detail, sc->valuestring, scen);
    else if (sc && !cJSON_IsString(sc))
        jm_check_problem(c->p, "%s: effective_scenario is %s, expected \"%s\" (the folder)",
                         detail, jm_json_kind(sc), scen);
    uint64_t v;
    if (log_u64(c, detail, &log, "effective_min_duration_ms", &v) && v < 600000)
        jm_check_problem(c->p, "%s: effective_min_duration_ms is %llu, MLPerf requires >= 600000",
                         detail, (unsigned long long)v);
    const cJSON *validity = jm_mlperf_log_get(&log, "result_validity");
    bool valid = cJSON_IsString(validity) && strcmp(validity->valuestring, "VALID") == 0;
    if (validity && !valid) {
        const cJSON *why = jm_mlperf_log_get(&log, "result_invalid_reason");
        jm_check_problem(c->p, "%s: result_validity is %s%s%s", detail,
                         cJSON_IsString(validity) ? validity->valuestring : "?",
                         cJSON_IsString(why) ? ": " : "", cJSON_IsString(why) ? why->valuestring : "");
    }
    if (jm_mlperf_log_get(&log, "result_min_duration_met") &&
        !log_true(&log, "result_min_duration_met"))
        jm_check_problem(c->p, "%s: result_min_duration_met is false", detail);
    if (k != JM_SCENARIO_OFFLINE && jm_mlperf_log_get(&log, "early_stopping_met") &&
        !log_true(&log, "early_stopping_met"))
        jm_check_problem(c->p, "%s: early_stopping_met is false", detail);
    if (log_u64(c, detail, &log, "effective_performance_sample_count", &v) && model &&
        v < model->performance_sample_count)
        jm_check_problem(c->p,
                         "%s: effective_performance_sample_count is %llu, %s needs >= %llu",
                         detail, (unsigned long long)v, model->name,
                         (unsigned long long)model->performance_sample_count);
    if (model && model->llm && !log_true(&log, "requested_use_token_latencies"))
        jm_check_problem(c->p,
                         "%s: requested_use_token_latencies is not true, but checker v5.1 "
                         "requires token latencies for the LLM model %s (\"use_token_latencies "
                         "flag needs to be enabled\")",
                         detail, model->name);
    if (log.n_errors > 0)
        jm_check_problem(c->p, "%s: %d error events", detail, log.n_errors);
    check_seeds(c, detail, &log);
    if (have_summary) {
        char *text = jm__sub_read(summary, NULL, err, sizeof(err));
        cJSON *s = NULL;
        if (!text)
            jm_check_problem(c->p, "%s", err);
        else if (jm_mlperf_summary_parse(text, &s, err, sizeof(err)) != JM_R_OK)
            jm_check_problem(c->p, "%s: %s", summary, err);
        else {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "Result is");
            if (!cJSON_IsString(r))
                jm_check_problem(c->p, "%s: no \"Result is\" line", summary);
            else if ((strcmp(r->valuestring, "VALID") == 0) != valid)
                jm_check_problem(c->p, "%s: \"Result is : %s\" disagrees with the detail log",
                                 summary, r->valuestring);
        }
        cJSON_Delete(s);
        free(text);
    }
    check_power(c, res, meas, scen, &log, detail);
    jm_mlperf_log_free(&log);
}

/* the accuracy run's sample count against the mapped model's dataset, as the
 * checker reads it: effective_accuracy_sample_count, else qsl_reported_total_count */
static void check_accuracy_coverage(checker *c, const char *detail, const model_rule *model)
{
    char err[1024];
    jm_mlperf_log log;
    if (jm_mlperf_log_load(detail, &log, err, sizeof(err)) != JM_R_OK) {
        jm_check_problem(c->p, "%s", err);
        return;
    }
    uint64_t n = 0;
    const char *key = "effective_accuracy_sample_count";
    if (!jm_mlperf_log_get(&log, key))
        key = "qsl_reported_total_count";
    if (!jm_mlperf_log_get(&log, key)) {
        jm_check_problem(c->p, "%s: key \"effective_accuracy_sample_count\" is missing", detail);
        key = NULL;
    } else if (!log_u64(c, detail, &log, key, &n)) {
        key = NULL; /* log_u64 named the problem */
    }
    if (key && model && n != model->dataset_size)
        jm_check_problem(c->p,
                         "%s: the accuracy run covers %s = %llu samples, checker v5.1 expects "
                         "the %llu samples of %s's dataset",
                         detail, key, (unsigned long long)n,
                         (unsigned long long)model->dataset_size, model->name);
    if (log.n_errors > 0)
        jm_check_problem(c->p, "%s: %d error events", detail, log.n_errors);
    jm_mlperf_log_free(&log);
}

/* whether some line of text starts with prefix */
static const char *line_starting(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, n) == 0)
            return l;
    return NULL;
}

static void check_accuracy(checker *c, const char *res, const model_rule *model)
{
    char dir[4096], path[4200], err[1024];
    jm__sub_fmt(dir, sizeof(dir), "%s/accuracy", res);
    static const char *const files[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt",
                                        "accuracy.txt", "mlperf_log_accuracy.json"};
    for (size_t i = 0; i < 4; i++) {
        jm__sub_fmt(path, sizeof(path), "%s/%s", dir, files[i]);
        if (need_file(c, path) && i == 0)
            check_accuracy_coverage(c, path, model);
    }
    size_t len;
    jm__sub_fmt(path, sizeof(path), "%s/mlperf_log_accuracy.json", dir);
    char *json = jm__sub_exists(path) ? jm__sub_read(path, &len, err, sizeof(err)) : NULL;
    if (!json)
        return;
    if (len > 10240)
        jm_check_problem(c->p, "%s: %zu bytes, expected <= 10240", path, len);
    char hash[65];
    jm_sha256_hex(json, len, hash);
    free(json);
    jm__sub_fmt(path, sizeof(path), "%s/accuracy.txt", dir);
    char *txt = jm__sub_exists(path) ? jm__sub_read(path, NULL, err, sizeof(err)) : NULL;
    if (!txt)
        return;
    const char *h = line_starting(txt, "hash=");
    if (!h)
        jm_check_problem(c->p, "%s: no line starting with \"hash=\"", path);
    else if (strncmp(h + 5, hash, 64) != 0)
        jm_check_problem(c->p, "%s: hash=%.64s is not the SHA-256 of mlperf_log_accuracy.json "
                               "(%s)",
                         path, h + 5, hash);
    free(txt);
}

static void check_measurements(checker *c, const char *meas, const char *system,
                               const char *scen)
{
    char path[4096], err[1024];
    jm__sub_fmt(path, sizeof(path), "%s/%s_%s.json", meas, system, scen);
    if (need_file(c, path)) {
        cJSON *m = jm__sub_load_json(path, err, sizeof(err));
        if (!m)
            jm_check_problem(c->p, "%s", err);
        for (const char *const *k = jm_submission_measurement_keys; m && *k; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, *k);
            if (!v)
                jm_check_problem(c->p, "%s: required key \"%s\" is missing", path, *k);
            else if (jm__sub_json_empty(v))
                jm_check_problem(c->p, "%s: key \"%s\" is empty; the checker requires a "
                                       "meaningful value",
                                 path, *k);
        }
        cJSON_Delete(m);
    }
    static const char *const files[] = {"README.md", "user.conf"};
    for (size_t i = 0; i < 2; i++) {
        jm__sub_fmt(path, sizeof(path), "%s/%s", meas, files[i]);
        size_t len = 0;
        char *text = need_file(c, path) ? jm__sub_read(path, &len, err, sizeof(err)) : NULL;
        if (text && len == 0)
            jm_check_problem(c->p, "%s: empty; the checker requires content", path);
        free(text);
    }
}

static void check_benchmark(checker *c, const char *system, const char *bench)
{
    char err[1024], dir[4096], path[4200];
    if (jm_submission_name_check("benchmark folder", bench, err, sizeof(err)) != JM_R_OK)
        jm_check_problem(c->p, "%s/results/%s/%s: %s", c->root, system, bench, err);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->mapping, bench);
    const model_rule *model = NULL;
    if (!cJSON_IsString(m))
        jm_check_problem(c->p, "%s/model_mapping.json: benchmark \"%s\" is not mapped to a model",
                         c->root, bench);
    else if (!(model = find_model(m->valuestring)))
        jm_check_problem(c->p, "%s/model_mapping.json: \"%s\" maps to \"%s\", not a model of "
                               "checker v5.1",
                         c->root, bench, m->valuestring);
    jm__sub_fmt(path, sizeof(path), "%s/code/%s/README.md", c->root, bench);
    need_file(c, path);
    jm__sub_fmt(path, sizeof(path), "%s/code/%s/config.json", c->root, bench);
    need_file(c, path);
    jm__sub_fmt(dir, sizeof(dir), "%s/results/%s/%s", c->root, system, bench);
    char **scen;
    int ns = jm__sub_list(dir, true, &scen);
    if (ns == 0)
        jm_check_problem(c->p, "%s: no scenario folder", dir);
    for (int i = 0; i < ns; i++) {
        jm_scenario_kind k;
        char res[4400], meas[4400];
        if (jm_scenario_from_name(scen[i], &k, err, sizeof(err)) != JM_R_OK ||
            strcmp(jm_scenario_name(k), scen[i]) != 0) {
            jm_check_problem(c->p, "%s/%s: not a scenario (Offline, SingleStream, MultiStream, "
                                   "Server)",
                             dir, scen[i]);
            continue;
        }
        jm__sub_fmt(res, sizeof(res), "%s/%s", dir, scen[i]);
        jm__sub_fmt(meas, sizeof(meas), "%s/measurements/%s/%s/%s", c->root, system, bench,
                    scen[i]);
        check_performance(c, res, scen[i], model, meas);
        check_accuracy(c, res, model);
        check_measurements(c, meas, system, scen[i]);
    }
    jm__sub_free_names(scen, ns > 0 ? ns : 0);
}

static void check_submitter(checker *c)
{
    char path[4096], err[1024];
    if (jm_submission_name_check("submitter folder", c->submitter, err, sizeof(err)) != JM_R_OK)
        jm_check_problem(c->p, "%s: %s", c->root, err);
    static const char *const dirs[] = {"systems", "code", "measurements", "results"};
    for (size_t i = 0; i < 4; i++) {
        jm__sub_fmt(path, sizeof(path), "%s/%s", c->root, dirs[i]);
        if (!jm__sub_is_dir(path))
            jm_check_problem(c->p, "%s: required folder is missing", path);
    }
    jm__sub_fmt(path, sizeof(path), "%s/model_mapping.json", c->root);
    if (need_file(c, path)) {
        c->mapping = jm__sub_load_json(path, err, sizeof(err));
        if (!c->mapping)
            jm_check_problem(c->p, "%s", err);
    }
    jm__sub_fmt(path, sizeof(path), "%s/results", c->root);
    char **systems;
    int nsys = jm__sub_list(path, true, &systems);
    if (nsys == 0)
        jm_check_problem(c->p, "%s: no system folder", path);
    for (int i = 0; i < nsys; i++) {
        if (jm_submission_name_check("system folder", systems[i], err, sizeof(err)) != JM_R_OK)
            jm_check_problem(c->p, "%s/%s: %s", path, systems[i], err);
        check_system(c, systems[i]);
        char sdir[4400];
        jm__sub_fmt(sdir, sizeof(sdir), "%s/%s", path, systems[i]);
        char **benches;
        int nb = jm__sub_list(sdir, true, &benches);
        if (nb == 0)
            jm_check_problem(c->p, "%s: no benchmark folder", sdir);
        for (int j = 0; j < nb; j++)
            check_benchmark(c, systems[i], benches[j]);
        jm__sub_free_names(benches, nb > 0 ? nb : 0);
    }
    jm__sub_free_names(systems, nsys > 0 ? nsys : 0);
    cJSON_Delete(c->mapping);
    c->mapping = NULL;
}

int jm_submission_check(const char *dir, jm_check_problems *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    char trimmed[4096];
    jm__sub_fmt(trimmed, sizeof(trimmed), "%s", dir ? dir : "");
    for (size_t n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
        trimmed[n - 1] = '\0';
    dir = trimmed;
    if (!jm__sub_is_dir(dir)) {
        snprintf(err, err_len, "%s: not a folder", dir);
        return JM_R_EIO;
    }
    char open_dir[4096];
    jm__sub_fmt(open_dir, sizeof(open_dir), "%s/open", dir);
    char systems[4096];
    jm__sub_fmt(systems, sizeof(systems), "%s/systems", dir);
    if (!jm__sub_is_dir(open_dir) && jm__sub_is_dir(systems)) {
        /* given open/<submitter> itself */
        const char *slash = strrchr(dir, '/');
        checker c = {.p = out, .root = dir, .submitter = slash ? slash + 1 : dir};
        check_submitter(&c);
        return JM_R_OK;
    }
    char **subs;
    int n = jm__sub_list(open_dir, true, &subs);
    if (n <= 0) {
        jm_check_problem(out, "%s: no open/<submitter> folder", dir);
        jm__sub_free_names(subs, n > 0 ? n : 0);
        return JM_R_OK;
    }
    for (int i = 0; i < n; i++) {
        char root[4400];
        jm__sub_fmt(root, sizeof(root), "%s/%s", open_dir, subs[i]);
        checker c = {.p = out, .root = root, .submitter = subs[i]};
        check_submitter(&c);
    }
    jm__sub_free_names(subs, n);
    return JM_R_OK;
}
