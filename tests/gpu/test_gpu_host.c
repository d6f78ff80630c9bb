/* test_gpu_host.c - the GPU backend's host-side logic, which runs on every
 * machine: backend and precision names, the GPU shape rules and their
 * messages, availability reporting, device memory counts against hand counts,
 * the MoE routing bookkeeping against an independent oracle and against the
 * CPU MoE workload's own dispatch, the grouped GEMM's tile list, and the
 * config file's "backend"/"precision" keys through the built binary. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cuda/cuda_backend.h"
#include "kernels.h"
/* the CPU MoE's dispatch arrays (offs, rows, roww, kept) are private state */
#include "workload_internal.h"

static jm_workload_shape layer(jm_workload_kind kind)
{
    jm_workload_shape s = {.kind = kind,
                           .d_model = 64,
                           .n_heads = 4,
                           .d_ff = 96,
                           .seq_len = 40,
                           .batch_seqs = 3,
                           .n_experts = 6,
                           .top_k = 2,
                           .threads = 1,
                           .seed = 7};
    return s;
}

static void expect_shape_error(jm_workload_shape s, int code, const char *needle)
{
    char err[512] = "";
    cr_assert_eq(jm_workload_shape_check(&s, err, sizeof err), code, "message: %s", err);
    cr_assert(strstr(err, needle), "message '%s' lacks '%s'", err, needle);
}

Test(gpu_host, names)
{
    cr_assert_str_eq(jm_backend_name(JM_BACKEND_NATIVE), "native");
    cr_assert_str_eq(jm_backend_name(JM_BACKEND_OPENBLAS), "openblas");
    cr_assert_str_eq(jm_backend_name(JM_BACKEND_CUDA), "cuda");
    cr_assert_str_eq(jm_backend_name(JM_BACKEND_CUBLAS), "cublas");
    cr_assert_null(jm_backend_name((jm_backend)7));
    cr_assert_str_eq(jm_precision_name(JM_PRECISION_FP32), "fp32");
    cr_assert_str_eq(jm_precision_name(JM_PRECISION_TF32), "tf32");
    cr_assert_null(jm_precision_name((jm_precision)5));
}

Test(gpu_host, shape_rules)
{
    jm_workload_shape s = layer(JM_WORKLOAD_DENSE);
    s.precision = JM_PRECISION_TF32;
    expect_shape_error(s, JM_K_EINVAL, "precision: \"tf32\" needs a GPU backend");
    s.precision = (jm_precision)9;
    expect_shape_error(s, JM_K_EINVAL, "precision: 9 is not a precision");
    s = layer(JM_WORKLOAD_DENSE);
    s.backend = (jm_backend)11;
    expect_shape_error(s, JM_K_EINVAL, "backend: 11 is not a backend");
    s = layer(JM_WORKLOAD_DENSE);
    s.backend = JM_BACKEND_CUDA;
    if (!jm_cuda_built()) {
        expect_shape_error(s, JM_K_EBACKEND,
                           "backend \"cuda\": this joulemark was built without CUDA (configure "
                           "with nvcc on PATH or -DJM_CUDA=ON)");
        jm_workload *w = (jm_workload *)1;
        char err[256];
        cr_assert_eq(jm_workload_create(&s, &w, err, sizeof err), JM_K_EBACKEND);
        cr_assert_null(w);
        int32_t buf[4];
        cr_assert_eq(jm__cuda_peek(NULL, "rows", buf, sizeof buf, err, sizeof err), JM_K_EBACKEND);
        cr_assert(strstr(err, "built without CUDA"), "%s", err);
        cr_assert_null(jm__cuda_state_of(NULL));
        return;
    }
    char err[512] = "";
    cr_assert_eq(jm_workload_shape_check(&s, err, sizeof err), 0, "%s", err);
    s.precision = JM_PRECISION_TF32;
    cr_assert_eq(jm_workload_shape_check(&s, err, sizeof err), 0, "%s", err);
    s.n_heads = 1; /* head dim 64: fine */
    cr_assert_eq(jm_workload_shape_check(&s, err, sizeof err), 0, "%s", err);
    s.d_model = 256; /* head dim 256 > 128 */
    expect_shape_error(s, JM_K_EINVAL,
                       "head dimension of 256; the GPU attention expects at most 128");
    s = layer(JM_WORKLOAD_MOE);
    s.backend = JM_BACKEND_CUBLAS;
    if (jm_cublas_built())
        expect_shape_error(s, JM_K_EINVAL, "only the gemm workload runs on cuBLAS");
    else
        expect_shape_error(s, JM_K_EBACKEND, "cuBLAS was not found");
}

Test(gpu_host, availability_says_why)
{
    char reason[256] = "";
    const bool ok = jm_cuda_available(reason, sizeof reason);
    cr_assert(reason[0], "no reason given");
    if (!jm_cuda_built())
        cr_assert(!ok && strstr(reason, "built without CUDA"), "%s", reason);
    else if (!ok)
        cr_assert(strncmp(reason, "no CUDA device: ", 16) == 0, "%s", reason);
    else
        cr_assert(strstr(reason, "compute capability"), "%s", reason);
    cr_assert_eq(jm_cuda_available(NULL, 0), ok);
}

Test(gpu_host, device_memory_hand_counts)
{
    jm_workload_shape g = {.kind = JM_WORKLOAD_GEMM, .m = 100, .n = 30, .k = 20, .threads = 1};
    cr_assert_eq(jm_cuda_memory_bytes(&g), (uint64_t)(100 * 20 + 20 * 30 + 100 * 30) * 4);
    /* dense: D 64, F 96, T 120 (hidden chunk = F) */
    jm_workload_shape s = layer(JM_WORKLOAD_DENSE);
    const uint64_t D = 64, F = 96, T = 120;
    const uint64_t weights = 4 * D + 4 * D * D + 3 * D + D + 2 * D * F + F + D;
    const uint64_t acts = 5 * T * D /* x xn attn x1 y */ + 3 * T * D /* qkv */ + T * F;
    cr_assert_eq(jm_cuda_memory_bytes(&s), 4 * (weights + acts));
    /* MoE: E 6, K 2; NC 1 chunk of 256 tokens */
    s = layer(JM_WORKLOAD_MOE);
    const uint64_t E = 6, K = 2;
    const uint64_t mw = 4 * D + 4 * D * D + 3 * D + D + D * E + E * (2 * D * F + F + D);
    const uint64_t ma = 5 * T * D + 3 * T * D + T * F /* hid */ + T * E /* logits */;
    const uint64_t route = 4 * (T * K) /* choice gate rank rows */ + T * K /* roww */ +
                           K * E /* ccount */ + 2 * K * E + 2 * (K * E + 1);
    const uint64_t bytes = 4 * (mw + ma + route) + T * K /* kept */ + 8 /* dropped */;
    cr_assert_eq(jm_cuda_memory_bytes(&s), bytes);
}

Test(gpu_host, dense_hidden_chunks)
{
    jm_workload_shape s = layer(JM_WORKLOAD_DENSE);
    jm__cuda_dims d;
    jm__cuda_dims_of(&s, &d);
    cr_assert_eq(d.FC, 96u, "one chunk when F is small");
    s.d_ff = 65600;
    jm__cuda_dims_of(&s, &d);
    cr_assert_eq(d.FC, 65536u, "column cap: two chunks, 65536 + 64");
    s.d_ff = 524288;
    s.d_model = 2048;
    s.n_heads = 16;
    s.seq_len = 512;
    s.batch_seqs = 16; /* gpu-default: 8192 tokens -> 1 GiB / 8192 / 4 B = 32768 columns */
    jm__cuda_dims_of(&s, &d);
    cr_assert_eq(d.FC, 32768u);
    s.seq_len = 1 << 16;
    s.batch_seqs = 256; /* 2^24 tokens: at least 64 columns */
    jm__cuda_dims_of(&s, &d);
    cr_assert_eq(d.FC, 64u);
}

/* Independent oracle: the CPU MoE's rule written as in kernels/moe.c. */
static uint64_t oracle(const int32_t *choice, size_t T, size_t E, size_t K, size_t cap,
                       uint8_t *kept, int32_t *count)
{
    size_t used[64] = {0};
    uint64_t dropped = 0;
    memset(count, 0, K * E * sizeof(*count));
    for (size_t s = 0; s < K; ++s)
        for (size_t t = 0; t < T; ++t) {
            const size_t e = (size_t)choice[t * K + s];
            kept[t * K + s] = used[e] < cap;
            used[e] += kept[t * K + s];
            count[s * E + e] += kept[t * K + s];
            dropped += !kept[t * K + s];
        }
    return dropped;
}

static void random_choices(int32_t *choice, float *gate, size_t T, size_t E, size_t K,
                           unsigned seed)
{
    srand(seed);
    for (size_t t = 0; t < T; ++t)
        for (size_t s = 0; s < K; ++s) {
            int32_t e;
            bool dup;
            do {
                /* skewed: low experts are popular, so capacity bites */
                e = (int32_t)((size_t)(rand() % (int)(E * E)) % E);
                e = rand() % 3 ? e / 2 : e;
                dup = false;
                for (size_t q = 0; q < s; ++q)
                    dup |= choice[t * K + q] == e;
            } while (dup);
            choice[t * K + s] = e;
            gate[t * K + s] = (float)(t * K + s) * 0.001f;
        }
}

Test(gpu_host, route_plan_matches_oracle)
{
    enum { T = 300, E = 7, KM = 3 };
    static int32_t choice[T * KM], offs[KM * E + 1], rows[T * KM], count[KM * E];
    static float gate[T * KM], roww[T * KM];
    static uint8_t kept[T * KM], kept_o[T * KM];
    const double cfs[] = {0.0, 0.3, 1.0, 1.25, 4.0};
    for (size_t K = 1; K <= KM; ++K)
        for (size_t c = 0; c < sizeof cfs / sizeof cfs[0]; ++c) {
            random_choices(choice, gate, T, E, K, (unsigned)(K * 10 + c));
            const size_t cap = jm__moe_capacity(T, E, K, cfs[c]);
            cr_assert_eq(cap, cfs[c] <= 0 ? T * K : (size_t)ceil(cfs[c] * T * K / E));
            uint64_t dropped = 99;
            char err[256];
            cr_assert_eq(jm__moe_route_plan(choice, gate, T, E, K, cfs[c], offs, rows, roww, kept,
                                            &dropped, err, sizeof err),
                         0, "%s", err);
            const uint64_t d_o = oracle(choice, T, E, K, cap, kept_o, count);
            cr_assert_eq(dropped, d_o, "K %zu cf %g", K, cfs[c]);
            if (cfs[c] <= 0.0)
                cr_assert_eq(d_o, 0u, "dropless");
            else if (cfs[c] < 0.5)
                cr_assert_gt(d_o, 0u, "capacity below the mean load must drop");
            cr_assert_arr_eq(kept, kept_o, T * K);
            cr_assert_eq(offs[0], 0);
            for (size_t key = 0; key < K * E; ++key) {
                cr_assert_eq(offs[key + 1] - offs[key], count[key], "key %zu", key);
                /* rows of a key: its kept tokens in increasing order, with their gates */
                const size_t s = key / E, e = key % E;
                size_t pos = (size_t)offs[key];
                for (size_t t = 0; t < T; ++t)
                    if ((size_t)choice[t * K + s] == e && kept_o[t * K + s]) {
                        cr_assert_eq(rows[pos], (int32_t)t);
                        cr_assert_eq(roww[pos], gate[t * K + s]);
                        ++pos;
                    }
                cr_assert_eq(pos, (size_t)offs[key + 1]);
            }
            cr_assert_eq((uint64_t)offs[K * E] + dropped, (uint64_t)T * K);
        }
}

Test(gpu_host, route_plan_rejects_bad_choices)
{
    int32_t choice[4] = {0, 1, 2, 2}, offs[7], rows[4];
    float gate[4] = {0}, roww[4];
    uint8_t kept[4];
    uint64_t dropped;
    char err[256] = "";
    cr_assert_eq(jm__moe_route_plan(choice, gate, 2, 3, 2, 0.0, offs, rows, roww, kept, &dropped,
                                    err, sizeof err),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "token 1 chooses expert 2 in slots 0 and 1"), "%s", err);
    choice[3] = 3;
    cr_assert_eq(jm__moe_route_plan(choice, gate, 2, 3, 2, 0.0, offs, rows, roww, kept, &dropped,
                                    err, sizeof err),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "choice[3] (token 1, slot 1) = 3 is out of range (expected 0..2)"), "%s",
              err);
    choice[3] = -1;
    cr_assert_eq(jm__moe_route_plan(choice, gate, 2, 3, 2, 0.0, offs, rows, roww, kept, &dropped,
                                    err, sizeof err),
                 JM_K_EINVAL);
}

/* The CPU MoE's dispatch (kernels/moe.c) and the host plan agree exactly. */
Test(gpu_host, route_plan_matches_cpu_moe)
{
    const double cfs[] = {0.0, 0.5, 1.0};
    for (int top_k = 1; top_k <= 2; ++top_k)
        for (size_t c = 0; c < 3; ++c) {
            jm_workload_shape s = layer(JM_WORKLOAD_MOE);
            s.top_k = top_k;
            s.capacity_factor = cfs[c];
            s.threads = 2;
            jm_workload *w = NULL;
            char err[256];
            cr_assert_eq(jm_workload_create(&s, &w, err, sizeof err), 0, "%s", err);
            jm_run_stats st;
            cr_assert_eq(jm_workload_run(w, 3, &st, err, sizeof err), 0, "%s", err);
            const size_t T = 120, E = 6, K = (size_t)top_k;
            int32_t offs[13], rows[240];
            float roww[240];
            uint8_t kept[240];
            uint64_t dropped;
            cr_assert_eq(jm__moe_route_plan(w->choice, w->gate, T, E, K, cfs[c], offs, rows, roww,
                                            kept, &dropped, err, sizeof err),
                         0, "%s", err);
            cr_assert_eq(dropped, st.dropped_assignments);
            cr_assert_eq(st.computed_assignments, (uint64_t)offs[K * E]);
            cr_assert_arr_eq(offs, w->offs, (K * E + 1) * sizeof(int32_t));
            cr_assert_arr_eq(rows, w->rows, (size_t)offs[K * E] * sizeof(int32_t));
            cr_assert_arr_eq(roww, w->roww, (size_t)offs[K * E] * sizeof(float));
            cr_assert_arr_eq(kept, w->kept, T * K);
            jm_workload_destroy(w);
        }
}

Test(gpu_host, tile_list)
{
    /* keys with 0, 1, 64, 65, 130 rows at tile 64: 0 + 1 + 1 + 2 + 3 tiles */
    const int32_t offs[6] = {0, 0, 1, 65, 130, 260};
    int32_t toffs[6];
    jm__moe_tile_offsets(offs, 5, 64, toffs);
    const int32_t expect[6] = {0, 0, 1, 2, 4, 7};
    cr_assert_arr_eq(toffs, expect, sizeof expect);
    cr_assert_eq(jm__moe_tile_bound(260, 5, 64), (260 + 5 * 63) / 64);
    cr_assert_geq(jm__moe_tile_bound(260, 5, 64), 7u);
    cr_assert_eq(jm__moe_tile_bound(0, 0, 64), 1u);
    /* the bound holds for every plan of the oracle test's kind */
    enum { T = 500, E = 9, K = 2 };
    static int32_t choice[T * K], o[K * E + 1], rows[T * K], to[K * E + 1];
    static float gate[T * K], roww[T * K];
    static uint8_t kept[T * K];
    for (unsigned seed = 1; seed <= 20; ++seed) {
        random_choices(choice, gate, T, E, K, seed);
        uint64_t dropped;
        cr_assert_eq(
            jm__moe_route_plan(choice, gate, T, E, K, 0.0, o, rows, roww, kept, &dropped, NULL, 0),
            0);
        jm__moe_tile_offsets(o, K * E, 64, to);
        for (size_t s = 0; s < K; ++s)
            cr_assert_leq((size_t)(to[(s + 1) * E] - to[s * E]), jm__moe_tile_bound(T, E, 64));
    }
}

/* Runs the built binary on a config text; returns the exit code, output in out. */
static int run_config(const char *json, char *out, size_t out_len)
{
    char dir[] = "/tmp/jm_gpu_cfg_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/c.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(json, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s run %s -o %s/out --quick 2>&1", JM_BINARY, path, dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, out_len - 1, p);
    out[n] = '\0';
    const int st = pclose(p);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define CFG(extra)                                                                                 \
    "{\"workloads\": [{\"name\": \"g\", \"type\": \"gemm\", \"m\": 64, \"n\": 64, \"k\": 64" extra \
    "}], \"meters\": [\"estimate\"]}"

Test(gpu_host, config_backend_and_precision)
{
    char out[8192];
    int rc = run_config(CFG(", \"precision\": \"bf16\""), out, sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "workloads[0].precision") && strstr(out, "\"bf16\"") &&
                  strstr(out, "expected \"fp32\" or \"tf32\""),
              "%s", out);
    rc = run_config(CFG(", \"precision\": \"tf32\""), out, sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "precision: \"tf32\" needs a GPU backend"), "%s", out);
    rc = run_config(CFG(", \"backend\": \"tpu\""), out, sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "workloads[0].backend") &&
                  strstr(out, "expected \"native\", \"openblas\", \"cuda\" or \"cublas\""),
              "%s", out);
    char why[256];
    if (jm_cuda_available(why, sizeof why))
        return; /* "cuda" is accepted here: gpu/test_gpu_kernels covers it */
    rc = run_config(CFG(", \"backend\": \"cuda\""), out, sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "workloads[0].backend") && strstr(out, "\"cuda\" cannot run here") &&
                  strstr(out, why),
              "%s", out);
}

/* configs/gpu-default.json: parameter- and FLOP-matched, fits an H100 (80 GB)
 * with room to spare, and every shape passes the GPU shape rules. */
#include <cJSON.h>

static int num(const cJSON *w, const cJSON *defaults, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, key);
    if (!v)
        v = cJSON_GetObjectItemCaseSensitive(defaults, key);
    cr_assert(cJSON_IsNumber(v), "%s missing", key);
    return v->valueint;
}

Test(gpu_host, gpu_default_config_is_matched_and_fits)
{
    FILE *f = fopen(JM_SOURCE_DIR "/configs/gpu-default.json", "r");
    cr_assert_not_null(f);
    static char text[16384];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root);
    const cJSON *defaults = cJSON_GetObjectItem(root, "defaults");
    cr_assert_str_eq(cJSON_GetObjectItem(defaults, "backend")->valuestring, "cuda");
    cr_assert_str_eq(cJSON_GetObjectItem(root, "primary_meter")->valuestring, "nvml");
    jm_workload_shape shapes[3];
    const cJSON *w;
    int i = 0;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(root, "workloads"))
    {
        cr_assert_lt(i, 3);
        const char *type = cJSON_GetObjectItem(w, "type")->valuestring;
        jm_workload_shape s = {.kind =
                                   strcmp(type, "moe") == 0 ? JM_WORKLOAD_MOE : JM_WORKLOAD_DENSE,
                               .d_model = num(w, defaults, "d_model"),
                               .n_heads = num(w, defaults, "n_heads"),
                               .d_ff = num(w, defaults, "d_ff"),
                               .seq_len = num(w, defaults, "seq_len"),
                               .batch_seqs = num(w, defaults, "batch_seqs"),
                               .threads = 1,
                               .backend = JM_BACKEND_CUDA,
                               .precision = JM_PRECISION_TF32};
        if (s.kind == JM_WORKLOAD_MOE) {
            s.n_experts = num(w, defaults, "n_experts");
            s.top_k = num(w, defaults, "top_k");
            s.capacity_factor = cJSON_GetObjectItem(w, "capacity_factor")->valuedouble;
        }
        /* fits an 80 GB H100 with >= 8 GiB to spare */
        cr_assert_lt(jm_cuda_memory_bytes(&s), (uint64_t)72 << 30, "workload %d", i);
        char err[512] = "";
        if (jm_cuda_built())
            cr_assert_eq(jm_workload_shape_check(&s, err, sizeof err), 0, "%s", err);
        shapes[i++] = s;
    }
    cr_assert_eq(i, 3);
    const jm_workload_shape *moe = &shapes[0], *pm = &shapes[1], *fm = &shapes[2];
    cr_assert_eq(moe->kind, JM_WORKLOAD_MOE);
    cr_assert_eq(moe->n_experts * moe->d_ff, pm->d_ff, "parameter-matched FFN");
    cr_assert_eq(moe->top_k * moe->d_ff, fm->d_ff, "FLOP-matched FFN");
    /* total parameters within 0.1% (the MoE adds its router and expert biases) */
    const double ratio = (double)jm_workload_params(moe) / (double)jm_workload_params(pm);
    cr_assert(ratio > 1.0 && ratio < 1.001, "params ratio %g", ratio);
    /* the dense layer does >= 10x the FLOPs per token: the saving to be measured */
    cr_assert_gt(jm_workload_flops_per_token(pm) / jm_workload_flops_per_token(moe), 10.0);
    cJSON_Delete(root);
}
