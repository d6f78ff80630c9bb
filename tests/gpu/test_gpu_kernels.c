/* test_gpu_kernels.c - every GPU kernel against the CPU fp64 reference, on a
 * CUDA device only (skipped with the reason elsewhere): our GEMM (fp32 SIMT
 * and TF32 tensor cores, odd sizes) and cuBLAS, the dense and MoE layers
 * (top-1/top-2, with capacity drops and dropless, partial batches) through
 * jm_workload_verify, which draws fresh random inputs and poisons the device
 * outputs with NaN before each run; the device-side routing (softmax top-k,
 * histogram, prefix sums, scatter) against the host plan; the free-memory
 * check. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "cuda/cuda_backend.h"
#include "kernels.h"

static void need_device(void)
{
    char reason[256];
    if (!jm_cuda_available(reason, sizeof reason))
        cr_skip_test("%s", reason);
}

static void verify_ok(jm_workload_shape s, int n_samples, int rounds)
{
    jm_workload *w = NULL;
    char err[512] = "";
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof err), 0, "%s", err);
    const double tol = jm_workload_tolerance(&s);
    for (int r = 0; r < rounds; ++r) {
        double rel = -1.0;
        cr_assert_eq(jm_workload_verify(w, 1000 + (uint64_t)r, n_samples, &rel, err, sizeof err), 0,
                     "%s", err);
        cr_assert(isfinite(rel) && rel >= 0.0 && rel <= tol,
                  "kind %d backend %s precision %s: relative error %g > %g", (int)s.kind,
                  jm_backend_name(s.backend), jm_precision_name(s.precision), rel, tol);
    }
    jm_run_stats st;
    cr_assert_eq(jm_workload_run(w, n_samples, &st, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.tokens,
                 (uint64_t)n_samples * (s.kind == JM_WORKLOAD_GEMM ? 1u : (unsigned)s.seq_len));
    cr_assert_gt(st.total_ns, 0u);
    if (s.kind != JM_WORKLOAD_GEMM) /* device-timed phases (CUDA events) */
        cr_assert(
            st.attention_ns > 0 && st.ffn_ns > 0 && st.attention_ns + st.ffn_ns <= st.total_ns,
            "attention %llu ns, ffn %llu ns, total %llu ns", (unsigned long long)st.attention_ns,
            (unsigned long long)st.ffn_ns, (unsigned long long)st.total_ns);
    if (s.kind == JM_WORKLOAD_MOE)
        cr_assert(st.router_ns > 0 && st.dispatch_ns > 0 && st.experts_ns > 0);
    jm_workload_destroy(w);
}

Test(gpu, gemm_matches_fp64)
{
    need_device();
    const int sizes[][3] = {{1, 1, 1}, {77, 130, 50}, {64, 64, 64}, {200, 96, 1000}, {129, 65, 33}};
    const jm_backend backends[] = {JM_BACKEND_CUDA, JM_BACKEND_CUBLAS};
    for (size_t b = 0; b < 2; ++b) {
        if (backends[b] == JM_BACKEND_CUBLAS && !jm_cublas_built())
            continue;
        for (int p = 0; p < 2; ++p)
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
                jm_workload_shape s = {.kind = JM_WORKLOAD_GEMM,
                                       .m = sizes[i][0],
                                       .n = sizes[i][1],
                                       .k = sizes[i][2],
                                       .seq_len = 1,
                                       .batch_seqs = sizes[i][0],
                                       .threads = 2,
                                       .backend = backends[b],
                                       .precision = (jm_precision)p,
                                       .seed = 5 + i};
                verify_ok(s, sizes[i][0], 2);
                if (sizes[i][0] > 3)
                    verify_ok(s, sizes[i][0] - 3, 1); /* fewer rows than allocated */
            }
    }
}

static jm_workload_shape layer(jm_workload_kind kind, jm_precision p)
{
    jm_workload_shape s = {.kind = kind,
                           .d_model = 96,
                           .n_heads = 3,
                           .d_ff = 136,
                           .seq_len = 70,
                           .batch_seqs = 3,
                           .n_experts = 6,
                           .top_k = 1,
                           .threads = 2,
                           .backend = JM_BACKEND_CUDA,
                           .precision = p,
                           .seed = 9};
    return s;
}

Test(gpu, dense_layer_matches_fp64)
{
    need_device();
    for (int p = 0; p < 2; ++p) {
        verify_ok(layer(JM_WORKLOAD_DENSE, (jm_precision)p), 3, 2);
        verify_ok(layer(JM_WORKLOAD_DENSE, (jm_precision)p), 1, 1);
        jm_workload_shape s = layer(JM_WORKLOAD_DENSE, (jm_precision)p);
        s.n_heads = 1; /* head dim 96; seq_len not a multiple of the tiles */
        s.seq_len = 33;
        verify_ok(s, 2, 1);
        /* d_ff above the 65536-column hidden chunk: two chunks accumulate into y */
        s = layer(JM_WORKLOAD_DENSE, (jm_precision)p);
        s.d_model = 32;
        s.n_heads = 1;
        s.seq_len = 20;
        s.batch_seqs = 1;
        s.d_ff = 65600;
        verify_ok(s, 1, 1);
    }
}

Test(gpu, moe_layer_matches_fp64)
{
    need_device();
    const double cfs[] = {0.0, 1.0, 0.5};
    for (int p = 0; p < 2; ++p)
        for (int k = 1; k <= 2; ++k)
            for (size_t c = 0; c < 3; ++c) {
                jm_workload_shape s = layer(JM_WORKLOAD_MOE, (jm_precision)p);
                s.top_k = k;
                s.capacity_factor = cfs[c];
                verify_ok(s, 3, 2);
                verify_ok(s, 2, 1);
            }
}

static void peek(jm_workload *w, const char *name, void *dst, size_t bytes)
{
    char err[256];
    cr_assert_eq(jm__cuda_peek(jm__cuda_state_of(w), name, dst, bytes, err, sizeof err), 0, "%s",
                 err);
}

/* Device routing = host plan on the device's own choices; choices are top-k. */
Test(gpu, moe_routing_matches_host_plan)
{
    need_device();
    enum { S = 300, B = 2, T = S * B, E = 12, KM = 3 };
    static float probs[T * E], gate[T * KM], roww[T * KM], roww_h[T * KM];
    static int32_t choice[T * KM], offs[KM * E + 1], rows[T * KM], offs_h[KM * E + 1],
        rows_h[T * KM];
    static uint8_t kept[T * KM], kept_h[T * KM];
    const double cfs[] = {0.0, 0.7, 1.5};
    for (int k = 1; k <= KM; ++k)
        for (size_t c = 0; c < 3; ++c) {
            jm_workload_shape s = layer(JM_WORKLOAD_MOE, JM_PRECISION_FP32);
            s.seq_len = S;
            s.batch_seqs = B;
            s.n_experts = E;
            s.top_k = k;
            s.capacity_factor = cfs[c];
            jm_workload *w = NULL;
            char err[512];
            cr_assert_eq(jm_workload_create(&s, &w, err, sizeof err), 0, "%s", err);
            jm_run_stats st;
            cr_assert_eq(jm_workload_run(w, B, &st, err, sizeof err), 0, "%s", err);
            const size_t K = (size_t)k, n_keys = K * E;
            peek(w, "logits", probs, sizeof(float) * T * E);
            peek(w, "choice", choice, sizeof(int32_t) * T * K);
            peek(w, "gate", gate, sizeof(float) * T * K);
            peek(w, "offs", offs, sizeof(int32_t) * (n_keys + 1));
            peek(w, "rows", rows, sizeof(int32_t) * T * K);
            peek(w, "roww", roww, sizeof(float) * T * K);
            peek(w, "kept", kept, T * K);
            for (size_t t = 0; t < T; ++t) {
                double sum = 0.0;
                for (size_t e = 0; e < E; ++e)
                    sum += probs[t * E + e];
                cr_assert_float_eq(sum, 1.0, 1e-5, "token %zu", t);
                for (size_t q = 0; q < K; ++q) {
                    const int32_t e = choice[t * K + q];
                    cr_assert(e >= 0 && e < E);
                    cr_assert_eq(gate[t * K + q], probs[t * E + (size_t)e]);
                    for (size_t o = 0; o < E; ++o) {
                        bool chosen = false;
                        for (size_t r = 0; r <= q; ++r)
                            chosen |= choice[t * K + r] == (int32_t)o;
                        cr_assert(chosen || probs[t * E + o] <= gate[t * K + q],
                                  "token %zu slot %zu: expert %zu beats the choice", t, q, o);
                    }
                }
            }
            uint64_t dropped;
            cr_assert_eq(jm__moe_route_plan(choice, gate, T, E, K, cfs[c], offs_h, rows_h, roww_h,
                                            kept_h, &dropped, err, sizeof err),
                         0, "%s", err);
            cr_assert_eq(st.dropped_assignments, dropped);
            cr_assert_eq(st.computed_assignments, (uint64_t)offs_h[n_keys]);
            cr_assert_eq(st.routed_assignments, (uint64_t)T * K);
            cr_assert_arr_eq(offs, offs_h, sizeof(int32_t) * (n_keys + 1));
            cr_assert_arr_eq(rows, rows_h, sizeof(int32_t) * (size_t)offs_h[n_keys]);
            cr_assert_arr_eq(roww, roww_h, sizeof(float) * (size_t)offs_h[n_keys]);
            cr_assert_arr_eq(kept, kept_h, T * K);
            jm_workload_destroy(w);
        }
}

Test(gpu, too_large_for_device_memory)
{
    need_device();
    jm_workload_shape s = layer(JM_WORKLOAD_DENSE, JM_PRECISION_FP32);
    s.d_model = 16384;
    s.n_heads = 128;
    s.d_ff = 1 << 20; /* 2 x 16384 x 2^20 floats = 128 GiB of weights */
    jm_workload *w = (jm_workload *)1;
    char err[512] = "";
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof err), JM_K_ENOMEM, "%s", err);
    cr_assert_null(w);
    cr_assert(strstr(err, "GiB of device memory"), "%s", err);
}
