/* submission_build.c - `joulemark package`: builds an MLPerf inference
 * submission tree (open division, checker v5.1 layout) from joulemark results
 * directories:
 *   open/<submitter>/systems/<system>.json
 *   open/<submitter>/code/<benchmark>/{README.md, config.json}
 *   open/<submitter>/measurements/<system>/<benchmark>/<scenario>/
 *       {<system>_<scenario>.json, README.md, user.conf, joulemark_power/...}
 *   open/<submitter>/results/<system>/<benchmark>/<scenario>/
 *       performance/run_1/{mlperf_log_detail.txt, mlperf_log_summary.txt}
 *       accuracy/{mlperf_log_detail.txt, mlperf_log_summary.txt, accuracy.txt,
 *                 mlperf_log_accuracy.json}
 *   open/<submitter>/model_mapping.json
 * Power analyzer files (performance/power, performance/ranging, run_1/spl.txt)
 * are copied only when the results hold them from a real analyzer (the ptd
 * meter); otherwise joulemark's own power files go under measurements. The
 * tree is built beside the target and renamed into place when complete. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "submission_internal.h"

typedef struct ctx {
    const jm_submission_opts *o;
    char root[4096]; /* the partial open/<submitter> being built */
    cJSON *mapping;  /* model_mapping.json */
    cJSON *system;   /* systems/<system>.json */
    char err_first[1024];
} ctx;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_tree(const char *path)
{
    if (!jm__sub_exists(path))
        return 0;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *workload_kind(const cJSON *results, const char *name)
{
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(results, "workloads"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(w, "name");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(w, "kind");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0 && cJSON_IsString(k))
            return k->valuestring;
    }
    return NULL;
}

static int map_benchmark(ctx *c, const cJSON *results, const char *bench, char *err,
                         size_t err_len)
{
    if (cJSON_GetObjectItemCaseSensitive(c->mapping, bench))
        return JM_R_OK;
    const char *model = NULL;
    size_t bl = strlen(bench);
    for (int i = 0; i < c->o->n_maps; i++) {
        const char *m = c->o->maps[i];
        if (strncmp(m, bench, bl) == 0 && m[bl] == '=' && m[bl + 1])
            model = m + bl + 1;
    }
    if (!model)
        model = jm_submission_model_for_kind(workload_kind(results, bench));
    if (!model) {
        jm__sub_fmt(err, err_len,
                 "benchmark \"%s\": no MLPerf model to map it to (its kind is %s); give "
                 "--map %s=<model>",
                 bench, workload_kind(results, bench) ? workload_kind(results, bench)
                                                      : "not in results.json",
                 bench);
        return JM_R_EINVAL;
    }
    cJSON_AddStringToObject(c->mapping, bench, model);
    return JM_R_OK;
}

static int copy_files(const char *from, const char *to, const char *const *names, bool required,
                      char *err, size_t err_len)
{
    for (const char *const *n = names; *n; n++) {
        char src[4096], dst[4096];
        jm__sub_fmt(src, sizeof(src), "%s/%s", from, *n);
        jm__sub_fmt(dst, sizeof(dst), "%s/%s", to, *n);
        if (!jm__sub_exists(src)) {
            if (!required)
                continue;
            jm__sub_fmt(err, err_len, "%s is missing: expected from a `joulemark run` with MLPerf "
                                   "rules", src);
            return JM_R_EINVAL;
        }
        int rc = jm__sub_copy(src, dst, err, err_len);
        if (rc != JM_R_OK)
            return rc;
    }
    return JM_R_OK;
}

static int copy_all(const char *from, const char *to, char *err, size_t err_len)
{
    char **names;
    int n = jm__sub_list(from, false, &names);
    if (n < 0) {
        jm__sub_fmt(err, err_len, "%s: cannot list the folder", from);
        return JM_R_EIO;
    }
    int rc = JM_R_OK;
    for (int i = 0; i < n && rc == JM_R_OK; i++) {
        char src[4096], dst[4096];
        jm__sub_fmt(src, sizeof(src), "%s/%s", from, names[i]);
        jm__sub_fmt(dst, sizeof(dst), "%s/%s", to, names[i]);
        rc = jm__sub_copy(src, dst, err, err_len);
    }
    jm__sub_free_names(names, n);
    return rc;
}

static int write_text(const char *path, const char *text, char *err, size_t err_len)
{
    return jm_write_file_atomic(path, text, strlen(text), err, err_len);
}

/* measurements/<system>/<benchmark>/<scenario>: the JSON, README.md, user.conf */
static int write_measurements(ctx *c, const char *src, const char *bench, const char *scenario,
                              const char *model, char *err, size_t err_len)
{
    char dir[4096], path[4200];
    jm__sub_fmt(dir, sizeof(dir), "%s/measurements/%s/%s/%s", c->root, c->o->system, bench,
             scenario);
    int rc = jm_mkdir_p(dir, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "input_data_types", "fp32");
    cJSON_AddStringToObject(m, "retraining", "no");
    cJSON_AddStringToObject(m, "starting_weights_filename",
                            "none: fp32 weights generated by joulemark from a fixed seed");
    cJSON_AddStringToObject(m, "weight_data_types", "fp32");
    cJSON_AddStringToObject(m, "weight_transformations", "none");
    jm__sub_fmt(path, sizeof(path), "%s/%s_%s.json", dir, c->o->system, scenario);
    rc = jm__sub_write_json(path, m, err, err_len);
    cJSON_Delete(m);
    if (rc != JM_R_OK)
        return rc;

    jm_mlperf_log log;
    char detail[4200];
    jm__sub_fmt(detail, sizeof(detail), "%s/run_1/mlperf_log_detail.txt", src);
    if ((rc = jm_mlperf_log_load(detail, &log, err, err_len)) != JM_R_OK)
        return rc;
    uint64_t min_ms = 0, min_q = 0, spq = 0, lat = 0;
    (void)jm_mlperf_log_get_u64(&log, "effective_min_duration_ms", &min_ms);
    (void)jm_mlperf_log_get_u64(&log, "effective_min_query_count", &min_q);
    (void)jm_mlperf_log_get_u64(&log, "effective_samples_per_query", &spq);
    (void)jm_mlperf_log_get_u64(&log, "effective_target_latency_ns", &lat);
    const cJSON *qps = jm_mlperf_log_get(&log, "effective_target_qps");
    char conf[2048];
    int len = jm__sub_fmt(conf, sizeof(conf),
                       "# joulemark settings of the testing run (times in ms)\n"
                       "%s.%s.min_duration = %llu\n%s.%s.min_query_count = %llu\n",
                       model, scenario, (unsigned long long)min_ms, model, scenario,
                       (unsigned long long)min_q);
    if (strcmp(scenario, "Offline") == 0 || strcmp(scenario, "Server") == 0)
        len += jm__sub_fmt(conf + len, sizeof(conf) - (size_t)len, "%s.%s.target_qps = %g\n", model,
                        scenario, cJSON_IsNumber(qps) ? qps->valuedouble : 0.0);
    if (strcmp(scenario, "Server") == 0)
        len += jm__sub_fmt(conf + len, sizeof(conf) - (size_t)len, "%s.%s.target_latency = %llu\n",
                        model, scenario, (unsigned long long)(lat / 1000000));
    if (strcmp(scenario, "MultiStream") == 0)
        jm__sub_fmt(conf + len, sizeof(conf) - (size_t)len, "%s.%s.samples_per_query = %llu\n",
                 model, scenario, (unsigned long long)spq);
    jm_mlperf_log_free(&log);
    jm__sub_fmt(path, sizeof(path), "%s/user.conf", dir);
    if ((rc = write_text(path, conf, err, err_len)) != JM_R_OK)
        return rc;

    char readme[2048];
    jm__sub_fmt(readme, sizeof(readme),
             "# %s, %s scenario (joulemark)\n\n"
             "Benchmark `%s` of joulemark, mapped to `%s` in model_mapping.json (open "
             "division).\n\n"
             "Reproduce with the config in code/%s/config.json:\n\n"
             "    joulemark run code/%s/config.json --rules mlperf\n"
             "    joulemark package RESULTS_DIR --out DIR --submitter %s --system %s\n"
             "    joulemark check DIR\n\n"
             "Energy was recorded by joulemark's meters, not by an MLCommons power analyzer\n"
             "(PTDaemon); the samples are in joulemark_power/ when present (see\n"
             "docs/submission.md of joulemark for the file format).\n",
             bench, scenario, bench, model, bench, bench, c->o->submitter, c->o->system);
    jm__sub_fmt(path, sizeof(path), "%s/README.md", dir);
    return write_text(path, readme, err, err_len);
}

/* An analyzer run of joulemark: the ptd meter's whole-run logs
 * (RESULTS/meters/ptd/spl.txt, ranging_spl.txt, ptd_log.txt) become the
 * scenario's performance/run_1/spl.txt and performance/ranging/spl.txt, each
 * cut to its own run's power window, and performance/power/ptd_logs.txt. */
static int cut_analyzer_logs(const char *results_dir, const char *src, const char *dst,
                             char *err, size_t err_len) {
    static const struct {
        const char *run, *log;
    } parts[] = {{"run_1", "spl.txt"}, {"ranging", "ranging_spl.txt"}};
    char detail[4200], from[4200], to[4200];
    int rc = JM_R_OK;
    for (size_t i = 0; i < 2 && rc == JM_R_OK; i++) {
        int64_t b, e;
        jm__sub_fmt(detail, sizeof(detail), "%s/%s/mlperf_log_detail.txt", src, parts[i].run);
        jm__sub_fmt(from, sizeof(from), "%s/meters/ptd/%s", results_dir, parts[i].log);
        if (!jm__sub_exists(from)) /* one log for both phases */
            jm__sub_fmt(from, sizeof(from), "%s/meters/ptd/spl.txt", results_dir);
        jm__sub_fmt(to, sizeof(to), "%s/performance/%s", dst, parts[i].run);
        if ((rc = jm_mlperf_power_window(detail, &b, &e, err, err_len)) != JM_R_OK ||
            (rc = jm_mkdir_p(to, err, err_len)) != JM_R_OK)
            break;
        jm__sub_fmt(to, sizeof(to), "%s/performance/%s/spl.txt", dst, parts[i].run);
        rc = jm_mlperf_spl_cut(from, to, b, e, NULL, err, err_len);
    }
    if (rc != JM_R_OK)
        return rc;
    static const char *const ranging[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt", NULL};
    jm__sub_fmt(from, sizeof(from), "%s/ranging", src);
    jm__sub_fmt(to, sizeof(to), "%s/performance/ranging", dst);
    if ((rc = copy_files(from, to, ranging, true, err, err_len)) != JM_R_OK)
        return rc;
    jm__sub_fmt(from, sizeof(from), "%s/meters/ptd/ptd_log.txt", results_dir);
    jm__sub_fmt(to, sizeof(to), "%s/performance/power", dst);
    if ((rc = jm_mkdir_p(to, err, err_len)) != JM_R_OK)
        return rc;
    jm__sub_fmt(to, sizeof(to), "%s/performance/power/ptd_logs.txt", dst);
    return jm__sub_exists(from) ? jm__sub_copy(from, to, err, err_len) : JM_R_OK;
}

static int package_scenario(ctx *c, const cJSON *results, const char *results_dir,
                            const char *bench, const char *scenario, char *err, size_t err_len)
{
    char src[4096], dst[4096], from[4200], to[4200];
    jm__sub_fmt(src, sizeof(src), "%s/mlperf/%s/%s", results_dir, bench, scenario);
    jm_scenario_kind k;
    int rc = jm_scenario_from_name(scenario, &k, err, err_len);
    if (rc != JM_R_OK)
        return rc;
    if ((rc = jm_submission_name_check("benchmark name", bench, err, err_len)) != JM_R_OK)
        return rc;
    if ((rc = map_benchmark(c, results, bench, err, err_len)) != JM_R_OK)
        return rc;
    const char *model = cJSON_GetObjectItemCaseSensitive(c->mapping, bench)->valuestring;
    jm__sub_fmt(dst, sizeof(dst), "%s/results/%s/%s/%s", c->root, c->o->system, bench, scenario);
    if (jm__sub_exists(dst)) {
        jm__sub_fmt(err, err_len, "%s/%s comes from more than one results directory (again in %s)",
                 bench, scenario, results_dir);
        return JM_R_EINVAL;
    }
    static const char *const logs[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt", NULL};
    jm__sub_fmt(from, sizeof(from), "%s/run_1", src);
    jm__sub_fmt(to, sizeof(to), "%s/performance/run_1", dst);
    if ((rc = copy_files(from, to, logs, true, err, err_len)) != JM_R_OK)
        return rc;
    static const char *const acc[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt",
                                      "accuracy.txt", "mlperf_log_accuracy.json", NULL};
    jm__sub_fmt(from, sizeof(from), "%s/accuracy", src);
    jm__sub_fmt(to, sizeof(to), "%s/accuracy", dst);
    if ((rc = copy_files(from, to, acc, true, err, err_len)) != JM_R_OK)
        return rc;

    /* power: analyzer files only when a real analyzer wrote them */
    char spl[4200], power[4200], whole[4200];
    jm__sub_fmt(spl, sizeof(spl), "%s/run_1/spl.txt", src);
    jm__sub_fmt(power, sizeof(power), "%s/power", src);
    jm__sub_fmt(whole, sizeof(whole), "%s/meters/ptd/spl.txt", results_dir);
    if (!jm__sub_exists(spl) && jm__sub_exists(whole)) {
        /* joulemark's own analyzer run: the ptd meter logged the whole run */
        if ((rc = cut_analyzer_logs(results_dir, src, dst, err, err_len)) != JM_R_OK)
            return rc;
    } else if (jm__sub_exists(spl) && jm__sub_is_dir(power)) {
        jm__sub_fmt(to, sizeof(to), "%s/performance/run_1/spl.txt", dst);
        if ((rc = jm__sub_copy(spl, to, err, err_len)) != JM_R_OK)
            return rc;
        jm__sub_fmt(to, sizeof(to), "%s/performance/power", dst);
        if ((rc = copy_all(power, to, err, err_len)) != JM_R_OK)
            return rc;
        jm__sub_fmt(from, sizeof(from), "%s/ranging", src);
        jm__sub_fmt(to, sizeof(to), "%s/performance/ranging", dst);
        static const char *const ranging[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt",
                                              "spl.txt", NULL};
        if ((rc = copy_files(from, to, ranging, true, err, err_len)) != JM_R_OK)
            return rc;
    } else {
        static const char *const own[] = {JM_MLPERF_POWER_FILE, NULL};
        static const char *const ranging[] = {"mlperf_log_detail.txt", "mlperf_log_summary.txt",
                                              JM_MLPERF_POWER_FILE, NULL};
        char mdir[4096];
        jm__sub_fmt(mdir, sizeof(mdir), "%s/measurements/%s/%s/%s/joulemark_power", c->root,
                 c->o->system, bench, scenario);
        jm__sub_fmt(from, sizeof(from), "%s/run_1", src);
        jm__sub_fmt(to, sizeof(to), "%s/run_1", mdir);
        if ((rc = copy_files(from, to, own, false, err, err_len)) != JM_R_OK)
            return rc;
        jm__sub_fmt(from, sizeof(from), "%s/ranging", src);
        jm__sub_fmt(to, sizeof(to), "%s/ranging", mdir);
        if ((rc = copy_files(from, to, ranging, false, err, err_len)) != JM_R_OK)
            return rc;
    }
    if ((rc = write_measurements(c, src, bench, scenario, model, err, err_len)) != JM_R_OK)
        return rc;

    /* code/<benchmark>: the exact joulemark version and config */
    char code[4096], path[4200];
    jm__sub_fmt(code, sizeof(code), "%s/code/%s", c->root, bench);
    if ((rc = jm_mkdir_p(code, err, err_len)) != JM_R_OK)
        return rc;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(results, "joulemark_version");
    const cJSON *git = cJSON_GetObjectItemCaseSensitive(results, "git_describe");
    char readme[1024];
    jm__sub_fmt(readme, sizeof(readme),
             "# %s\n\njoulemark version: %s\ngit: %s\n\nconfig.json is the config the results "
             "were measured with.\n",
             bench, cJSON_IsString(ver) ? ver->valuestring : "unknown",
             cJSON_IsString(git) ? git->valuestring : "unknown");
    jm__sub_fmt(path, sizeof(path), "%s/README.md", code);
    if ((rc = write_text(path, readme, err, err_len)) != JM_R_OK)
        return rc;
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(results, "config");
    if (!config) {
        jm__sub_fmt(err, err_len, "%s/results.json: no \"config\": cannot record the config used",
                 results_dir);
        return JM_R_EINVAL;
    }
    jm__sub_fmt(path, sizeof(path), "%s/config.json", code);
    return jm__sub_write_json(path, config, err, err_len);
}

static int package_dir(ctx *c, const char *results_dir, const cJSON *user, int *count, char *err,
                       size_t err_len)
{
    char path[4096];
    jm__sub_fmt(path, sizeof(path), "%s/results.json", results_dir);
    cJSON *results = jm__sub_load_json(path, err, err_len);
    if (!results)
        return JM_R_EIO;
    int rc = JM_R_OK;
    if (!c->system) {
        c->system = jm__sub_system_json(results, user, c->o->system_file, c->o->submitter,
                                        c->o->system, err, err_len);
        if (!c->system)
            rc = JM_R_EINVAL;
    }
    char mlperf[4200];
    jm__sub_fmt(mlperf, sizeof(mlperf), "%s/mlperf", results_dir);
    char **benches = NULL;
    int nb = rc == JM_R_OK ? jm__sub_list(mlperf, true, &benches) : 0;
    if (rc == JM_R_OK && nb <= 0) {
        jm__sub_fmt(err, err_len,
                 "%s: no MLPerf logs (mlperf/<benchmark>/<scenario>/run_1/); run with "
                 "--rules mlperf first",
                 results_dir);
        rc = JM_R_EINVAL;
    }
    for (int i = 0; rc == JM_R_OK && i < nb; i++) {
        char bdir[4400];
        jm__sub_fmt(bdir, sizeof(bdir), "%s/%s", mlperf, benches[i]);
        char **scen;
        int ns = jm__sub_list(bdir, true, &scen);
        for (int j = 0; rc == JM_R_OK && j < ns; j++) {
            rc = package_scenario(c, results, results_dir, benches[i], scen[j], err, err_len);
            if (rc == JM_R_OK)
                (*count)++;
        }
        jm__sub_free_names(scen, ns > 0 ? ns : 0);
    }
    jm__sub_free_names(benches, nb > 0 ? nb : 0);
    cJSON_Delete(results);
    return rc;
}

/* Each --map is BENCHMARK=MODEL with both sides non-empty, and names a
 * benchmark once: a malformed or repeated --map is refused, never ignored. */
static int check_maps(const jm_submission_opts *o, char *err, size_t err_len)
{
    for (int i = 0; i < o->n_maps; i++) {
        const char *m = o->maps[i];
        const char *eq = strchr(m, '=');
        if (!eq || eq == m || !eq[1]) {
            jm__sub_fmt(err, err_len, "--map \"%s\": expected BENCHMARK=MODEL with both sides "
                                      "non-empty",
                        m);
            return JM_R_EINVAL;
        }
        for (int j = 0; j < i; j++) {
            size_t n = (size_t)(eq - m);
            if (strncmp(o->maps[j], m, n) == 0 && o->maps[j][n] == '=') {
                jm__sub_fmt(err, err_len, "--map names benchmark \"%.*s\" twice (\"%s\" and "
                                          "\"%s\")",
                            (int)n, m, o->maps[j], m);
                return JM_R_EINVAL;
            }
        }
    }
    return JM_R_OK;
}

/* After packaging: each --map named a benchmark that the results hold. */
static int check_maps_used(const jm_submission_opts *o, const cJSON *mapping, char *err,
                           size_t err_len)
{
    for (int i = 0; i < o->n_maps; i++) {
        char bench[JM_R_NAME_MAX * 2];
        size_t n = strcspn(o->maps[i], "=");
        jm__sub_fmt(bench, sizeof(bench), "%.*s", (int)n, o->maps[i]);
        if (cJSON_GetObjectItemCaseSensitive(mapping, bench))
            continue;
        char names[512] = "";
        const cJSON *b;
        cJSON_ArrayForEach(b, mapping)
        {
            size_t used = strlen(names);
            snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "", b->string);
        }
        jm__sub_fmt(err, err_len, "--map \"%s\": the results hold no benchmark \"%s\" (they hold: "
                                  "%s)",
                    o->maps[i], bench, names[0] ? names : "none");
        return JM_R_EINVAL;
    }
    return JM_R_OK;
}

int jm_submission_build(const jm_submission_opts *o, int *n_packaged, char *err, size_t err_len)
{
    *n_packaged = 0;
    int rc;
    if ((rc = jm_submission_name_check("submitter name", o->submitter, err, err_len)) != JM_R_OK ||
        (rc = jm_submission_name_check("system name", o->system, err, err_len)) != JM_R_OK)
        return rc;
    if (o->n_results_dirs < 1 || !o->out_dir || !*o->out_dir) {
        jm__sub_fmt(err, err_len, "package: give at least one RESULTS_DIR and --out DIR");
        return JM_R_EINVAL;
    }
    if ((rc = check_maps(o, err, err_len)) != JM_R_OK)
        return rc;
    char final_dir[4096];
    jm__sub_fmt(final_dir, sizeof(final_dir), "%s/open/%s", o->out_dir, o->submitter);
    if (jm__sub_exists(final_dir) && !o->force) {
        jm__sub_fmt(err, err_len, "%s exists: use --force to replace it", final_dir);
        return JM_R_EINVAL;
    }
    cJSON *user = NULL;
    if (o->system_file) {
        user = jm__sub_load_json(o->system_file, err, err_len);
        if (!user)
            return JM_R_EIO;
        if (!cJSON_IsObject(user)) {
            cJSON_Delete(user);
            jm__sub_fmt(err, err_len, "%s: expected a JSON object of system keys", o->system_file);
            return JM_R_EINVAL;
        }
    }
    ctx c = {.o = o};
    jm__sub_fmt(c.root, sizeof(c.root), "%s/open/.%s.partial", o->out_dir, o->submitter);
    remove_tree(c.root);
    c.mapping = cJSON_CreateObject();
    rc = jm_mkdir_p(c.root, err, err_len);
    for (int i = 0; rc == JM_R_OK && i < o->n_results_dirs; i++)
        rc = package_dir(&c, o->results_dirs[i], user, n_packaged, err, err_len);
    if (rc == JM_R_OK)
        rc = check_maps_used(o, c.mapping, err, err_len);
    char path[4200];
    if (rc == JM_R_OK) {
        jm__sub_fmt(path, sizeof(path), "%s/systems/%s.json", c.root, o->system);
        rc = jm__sub_write_json(path, c.system, err, err_len);
    }
    if (rc == JM_R_OK) {
        jm__sub_fmt(path, sizeof(path), "%s/model_mapping.json", c.root);
        rc = jm__sub_write_json(path, c.mapping, err, err_len);
    }
    if (rc == JM_R_OK) {
        remove_tree(final_dir);
        if (rename(c.root, final_dir) != 0) {
            jm__sub_fmt(err, err_len, "cannot rename %s to %s", c.root, final_dir);
            rc = JM_R_EIO;
        }
    }
    if (rc != JM_R_OK)
        remove_tree(c.root);
    cJSON_Delete(c.mapping);
    cJSON_Delete(c.system);
    cJSON_Delete(user);
    return rc;
}
