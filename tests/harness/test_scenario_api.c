/* test_scenario_api.c - libjoulemark's stable C API (harness/api/joulemark.h),
 * loaded the way a user program or tests/loadgen/crosscheck.py loads it: the
 * shared library next to the built binary, through dlopen. Skipped with a
 * reason when the library was not built. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct api {
    void *h;
    int (*version)(void);
    int (*create)(const char *, void **, char *, size_t);
    int (*run)(void *, int, char *, size_t);
    int (*max_samples)(const void *);
    int (*scenario)(void *, const char *, const char *, const char *, char *, size_t, char *,
                    size_t);
    void (*destroy)(void *);
    int (*meter_open)(const char *, void **, char *, size_t);
    int (*meter_domains)(const void *);
    int (*meter_read)(void *, uint64_t *, double *, int, char *, size_t);
    void (*meter_close)(void *);
} api;

static api load(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s", JM_BINARY);
    char lib[1100];
    snprintf(lib, sizeof(lib), "%s/libjoulemark.so", dirname(path));
    api a = {.h = dlopen(lib, RTLD_NOW | RTLD_LOCAL)};
    if (!a.h)
        cr_skip_test("libjoulemark not built (%s): build the joulemark_api target", dlerror());
    *(void **)&a.version = dlsym(a.h, "jm_api_version");
    *(void **)&a.create = dlsym(a.h, "jm_api_workload_create");
    *(void **)&a.run = dlsym(a.h, "jm_api_workload_run");
    *(void **)&a.max_samples = dlsym(a.h, "jm_api_workload_max_samples");
    *(void **)&a.scenario = dlsym(a.h, "jm_api_run_scenario");
    *(void **)&a.destroy = dlsym(a.h, "jm_api_workload_destroy");
    *(void **)&a.meter_open = dlsym(a.h, "jm_api_meter_open");
    *(void **)&a.meter_domains = dlsym(a.h, "jm_api_meter_domains");
    *(void **)&a.meter_read = dlsym(a.h, "jm_api_meter_read");
    *(void **)&a.meter_close = dlsym(a.h, "jm_api_meter_close");
    cr_assert(a.version && a.create && a.run && a.max_samples && a.scenario && a.destroy &&
              a.meter_open && a.meter_domains && a.meter_read && a.meter_close);
    /* only the API is exported, not the static layers inside */
    cr_expect_null(dlsym(a.h, "jm_scenario_run"));
    return a;
}

static const char *small_moe =
    "{\"kind\": \"moe\", \"d_model\": 64, \"n_heads\": 2, \"d_ff\": 128, \"n_experts\": 4, "
    "\"top_k\": 1, \"seq_len\": 16, \"batch_seqs\": 2, \"threads\": 1, \"seed\": 3}";

Test(api, workload_and_scenario)
{
    api a = load();
    cr_expect_eq(a.version(), 1);
    void *w = NULL;
    char err[512] = "";
    cr_assert_eq(a.create(small_moe, &w, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(a.max_samples(w), 2);
    cr_expect_eq(a.run(w, 5, err, sizeof(err)), 0, "%s", err); /* 3 chunks */
    char dir[] = "/tmp/jm_test_api_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char result[4096];
    cr_assert_eq(a.scenario(w, "SingleStream", "{\"min_duration_ms\": 50, \"min_query_count\": 70}",
                            dir, result, sizeof(result), err, sizeof(err)),
                 0, "%s", err);
    cJSON *r = cJSON_Parse(result);
    cr_assert_not_null(r, "%s", result);
    cr_expect_geq(cJSON_GetObjectItem(r, "queries")->valuedouble, 70);
    cr_expect_eq(cJSON_GetObjectItem(r, "tokens")->valuedouble,
                 16 * cJSON_GetObjectItem(r, "samples")->valuedouble);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(r, "early_stopping_met")));
    cr_expect_gt(cJSON_GetObjectItem(r, "p90_latency_ns")->valuedouble, 0);
    cJSON_Delete(r);
    char path[256];
    snprintf(path, sizeof(path), "%s/mlperf_log_detail.txt", dir);
    jm_mlperf_log log;
    cr_assert_eq(jm_mlperf_log_load(path, &log, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(jm_mlperf_log_get(&log, "effective_scenario")->valuestring, "SingleStream");
    cr_expect_str_eq(jm_mlperf_log_get(&log, "joulemark_benchmark")->valuestring, "moe-layer");
    jm_mlperf_log_free(&log);
    /* errors name the problem */
    cr_expect_neq(a.scenario(w, "Batch", "", NULL, result, sizeof(result), err, sizeof(err)), 0);
    cr_expect(strstr(err, "Batch") != NULL, "%s", err);
    cr_expect_neq(a.scenario(w, "Offline", "{\"min_duration\": 5}", NULL, result,
                             sizeof(result), err, sizeof(err)),
                  0);
    cr_expect(strstr(err, "min_duration") != NULL, "%s", err);
    a.destroy(w);
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    cr_expect_eq(system(path), 0);
    dlclose(a.h);
}

Test(api, bad_shapes_are_refused)
{
    api a = load();
    void *w = NULL;
    char err[512] = "";
    cr_expect_neq(a.create("{\"kind\": \"dense\", \"dmodel\": 64}", &w, err, sizeof(err)), 0);
    cr_expect(strstr(err, "dmodel") != NULL, "%s", err);
    cr_expect_neq(a.create("{\"kind\": \"sparse\"}", &w, err, sizeof(err)), 0);
    cr_expect(strstr(err, "kind") != NULL, "%s", err);
    cr_expect_neq(a.create("not json", &w, err, sizeof(err)), 0);
    cr_expect_neq(a.create("{\"kind\": \"dense\", \"d_model\": 1.5}", &w, err, sizeof(err)), 0);
    cr_expect(strstr(err, "d_model") != NULL, "%s", err);
    cr_expect_null(w);
    dlclose(a.h);
}

Test(api, estimate_meter_reads)
{
    api a = load();
    void *m = NULL;
    char err[512] = "";
    int rc = a.meter_open("nosuchmeter", &m, err, sizeof(err));
    cr_expect_neq(rc, 0);
    rc = a.meter_open("estimate", &m, err, sizeof(err));
    if (rc == 1)
        cr_skip_test("estimate meter unavailable: %s", err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_assert_geq(a.meter_domains(m), 1);
    uint64_t t0, t1;
    double v0[8] = {0}, v1[8] = {0};
    cr_assert_eq(a.meter_read(m, &t0, v0, 8, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(a.meter_read(m, &t1, v1, 8, err, sizeof(err)), 0, "%s", err);
    cr_expect_geq(t1, t0);
    cr_expect_geq(v1[0], v0[0]);
    a.meter_close(m);
    dlclose(a.h);
}
