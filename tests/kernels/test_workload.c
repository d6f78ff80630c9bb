/* test_workload.c - the workload contract: shape checks name the field,
 * parameter/FLOP counts equal hand counts, every layer matches its fp64
 * reference on fresh inputs (threads 1 and 2, every GEMM variant, top-1 and
 * top-2, with capacity drops and dropless), dropped tokens pass through the
 * residual and are counted, and run/verify reject bad arguments. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"

static jm_workload_shape small_layer(jm_workload_kind kind) {
    jm_workload_shape s = {.kind = kind,
                           .d_model = 48,
                           .n_heads = 4,
                           .d_ff = 40,
                           .seq_len = 70,
                           .batch_seqs = 3,
                           .n_experts = 5,
                           .top_k = 1,
                           .capacity_factor = 0.0,
                           .threads = 2,
                           .seed = 42};
    return s;
}

static void expect_bad(jm_workload_shape s, const char *needle) {
    char err[256] = "";
    cr_assert_neq(jm_workload_shape_check(&s, err, sizeof(err)), 0, "accepted: %s", needle);
    cr_assert(strstr(err, needle), "message '%s' lacks '%s'", err, needle);
    jm_workload *w = (jm_workload *)1;
    cr_assert_neq(jm_workload_create(&s, &w, err, sizeof(err)), 0);
    cr_assert_null(w);
}

Test(workload, shape_errors_name_the_field) {
    jm_workload_shape s = small_layer(JM_WORKLOAD_MOE);
    s.d_model = 512;
    s.n_heads = 7;
    expect_bad(s, "n_heads: 7 does not divide d_model 512");
    s = small_layer(JM_WORKLOAD_MOE);
    s.top_k = 6;
    expect_bad(s, "top_k: 6");
    s.top_k = 0;
    expect_bad(s, "top_k: 0");
    s = small_layer(JM_WORKLOAD_MOE);
    s.n_experts = 0;
    expect_bad(s, "n_experts: 0");
    s = small_layer(JM_WORKLOAD_MOE);
    s.capacity_factor = NAN;
    expect_bad(s, "capacity_factor");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.d_ff = 0;
    expect_bad(s, "d_ff: 0");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.seq_len = -3;
    expect_bad(s, "seq_len: -3");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.batch_seqs = 0;
    expect_bad(s, "batch_seqs: 0");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.threads = 0;
    expect_bad(s, "threads: 0");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.kind = (jm_workload_kind)9;
    expect_bad(s, "kind: 9");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.backend = (jm_backend)5;
    expect_bad(s, "backend: 5");
    jm_workload_shape g = {.kind = JM_WORKLOAD_GEMM, .m = 4, .n = 0, .k = 3, .threads = 1};
    expect_bad(g, "n: 0");
    char err[128];
    cr_assert_eq(
        jm_workload_shape_check(
            &(jm_workload_shape){.kind = JM_WORKLOAD_GEMM, .m = 1, .n = 1, .k = 1, .threads = 1},
            err, sizeof(err)),
        0);
}

Test(workload, counts_match_hand_counts_default_pair) {
    /* default MoE: D 512, 8 heads, S 256, 32 experts of 2048, top-1 */
    jm_workload_shape moe = {.kind = JM_WORKLOAD_MOE,
                             .d_model = 512,
                             .n_heads = 8,
                             .d_ff = 2048,
                             .seq_len = 256,
                             .batch_seqs = 16,
                             .n_experts = 32,
                             .top_k = 1,
                             .capacity_factor = 1.25,
                             .threads = 2};
    /* attention block: QKV 512*1536 + 1536, out 512*512 + 512, 2 LNs 2048 = 1,052,672 */
    const uint64_t attn = 512ull * 1536 + 1536 + 512ull * 512 + 512 + 4 * 512;
    cr_assert_eq(attn, 1052672ull);
    /* expert: 512*2048*2 + 2048 + 512 = 2,099,712 */
    const uint64_t expert = 2099712ull;
    cr_assert_eq(jm_workload_params(&moe), attn + 512ull * 32 + 32 * expert);
    cr_assert_eq(jm_workload_active_params(&moe), attn + 512ull * 32 + expert);
    /* FLOPs/token: 8*512^2 + 4*256*512 + 2*512*32 + 4*512*2048 = 6,848,512 */
    cr_assert_float_eq(jm_workload_flops_per_token(&moe), 6848512.0, 0.5);
    jm_workload_shape dense = moe;
    dense.kind = JM_WORKLOAD_DENSE;
    dense.d_ff = 65536;
    /* 512*65536*2 + 65536 + 512 = 67,174,912 */
    cr_assert_eq(jm_workload_params(&dense), attn + 67174912ull);
    cr_assert_eq(jm_workload_active_params(&dense), jm_workload_params(&dense));
    /* 8*512^2 + 4*256*512 + 4*512*65536 = 136,839,168 */
    cr_assert_float_eq(jm_workload_flops_per_token(&dense), 136839168.0, 0.5);
    jm_workload_shape flop = dense;
    flop.d_ff = 2048;
    cr_assert_eq(jm_workload_params(&flop), attn + expert);
    cr_assert_float_eq(jm_workload_flops_per_token(&flop), 6848512.0 - 32768.0, 0.5);
    jm_workload_shape g = {.kind = JM_WORKLOAD_GEMM, .m = 64, .n = 30, .k = 20, .threads = 1};
    cr_assert_eq(jm_workload_params(&g), 600u);
    cr_assert_float_eq(jm_workload_flops_per_token(&g), 1200.0, 0.0);
    /* bytes: B read once per 64 rows + a row of A and a row of C */
    cr_assert_float_eq(jm_workload_bytes_per_token(&g), 4.0 * (600.0 / 64 + 50), 1e-9);
    cr_assert(jm_workload_bytes_per_token(&moe) < jm_workload_bytes_per_token(&dense));
    /* memory: dense default holds its 67M FFN weights; never a 4096 x 65536 hidden */
    const uint64_t mem = jm_workload_memory_bytes(&dense);
    cr_assert(mem > 4ull * 67174912, "%llu", (unsigned long long)mem);
    cr_assert(mem < 4ull * 67174912 + (160ull << 20), "%llu", (unsigned long long)mem);
    cr_assert_float_eq(jm_workload_tolerance(&dense), 1e-3, 0.0);
}

static void verify_ok(jm_workload_shape s, const char *what) {
    char err[256] = "";
    jm_workload *w = NULL;
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), 0, "%s: %s", what, err);
    cr_assert_eq(jm_workload_get_shape(w)->d_model, s.d_model);
    double rel = -1.0;
    const int n = s.kind == JM_WORKLOAD_GEMM ? s.m : s.batch_seqs;
    cr_assert_eq(jm_workload_verify(w, 777, n, &rel, err, sizeof(err)), 0, "%s: %s", what, err);
    cr_assert(rel >= 0.0 && rel < jm_workload_tolerance(&s) / 10, "%s: rel err %g", what, rel);
    cr_assert(rel > 0.0, "%s: exactly zero error is suspicious", what);
    jm_run_stats st;
    cr_assert_eq(jm_workload_run(w, 1, &st, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(st.tokens, s.kind == JM_WORKLOAD_GEMM ? 1u : (uint64_t)s.seq_len);
    cr_assert(st.total_ns > 0);
    jm_workload_destroy(w);
}

Test(workload, every_kind_matches_fp64_reference) {
    for (int th = 1; th <= 2; ++th) {
        jm_workload_shape s = small_layer(JM_WORKLOAD_DENSE);
        s.threads = th;
        verify_ok(s, "dense");
        s = small_layer(JM_WORKLOAD_MOE);
        s.threads = th;
        verify_ok(s, "moe dropless top-1");
        s.top_k = 2;
        s.capacity_factor = 1.0;
        verify_ok(s, "moe top-2 cf 1.0");
        jm_workload_shape g = {
            .kind = JM_WORKLOAD_GEMM, .m = 45, .n = 77, .k = 130, .threads = th, .seed = 3};
        verify_ok(g, "gemm");
    }
}

Test(workload, long_sequences_cross_several_score_tiles) {
    /* seq_len 300 = key/query blocks of 128 + 128 + 44: the online softmax
     * rescaling and the partial tiles are exercised */
    jm_workload_shape s = {.kind = JM_WORKLOAD_DENSE,
                           .d_model = 32,
                           .n_heads = 2,
                           .d_ff = 24,
                           .seq_len = 300,
                           .batch_seqs = 2,
                           .threads = 2,
                           .seed = 11};
    verify_ok(s, "dense seq 300");
    s.kind = JM_WORKLOAD_MOE;
    s.n_experts = 7;
    s.top_k = 2;
    s.capacity_factor = 1.5;
    verify_ok(s, "moe seq 300");
}

Test(workload, layers_match_reference_with_every_gemm_variant) {
    for (const char *const *v = jm_gemm_kernel_variants(); *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        jm_workload_shape s = small_layer(JM_WORKLOAD_MOE);
        s.top_k = 3;
        s.capacity_factor = 0.8;
        verify_ok(s, *v);
        verify_ok(small_layer(JM_WORKLOAD_DENSE), *v);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(workload, weights_packed_for_one_kernel_still_correct_under_another) {
    /* weights are pre-packed for the kernel chosen at create(); forcing a
     * variant with another NR afterwards must repack on the fly, not misread */
    jm_gemm_force_kernel("auto", NULL, 0);
    jm_workload_shape s = small_layer(JM_WORKLOAD_MOE);
    s.top_k = 2;
    char err[256] = "";
    jm_workload *w = NULL;
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), 0, "%s", err);
    for (const char *const *v = jm_gemm_kernel_variants(); *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        double rel = -1;
        cr_assert_eq(jm_workload_verify(w, 31, 2, &rel, err, sizeof(err)), 0, "%s", err);
        cr_assert(rel >= 0 && rel < 1e-4, "%s: rel %g", *v, rel);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
    jm_workload_destroy(w);
}

Test(workload, openblas_backend_layers_or_clear_refusal) {
    jm_workload_shape s = small_layer(JM_WORKLOAD_MOE);
    s.backend = JM_BACKEND_OPENBLAS;
    s.capacity_factor = 1.0;
    if (!jm_gemm_openblas_available()) {
        char err[256] = "";
        jm_workload *w = NULL;
        cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), JM_K_EBACKEND);
        cr_assert(strstr(err, "openblas"), "%s", err);
        return;
    }
    verify_ok(s, "moe openblas");
    s = small_layer(JM_WORKLOAD_DENSE);
    s.backend = JM_BACKEND_OPENBLAS;
    verify_ok(s, "dense openblas");
}

Test(workload, capacity_drops_are_counted_and_pass_through_residual) {
    /* one expert, capacity 0.5: half of the tokens are dropped */
    jm_workload_shape s = small_layer(JM_WORKLOAD_MOE);
    s.n_experts = 1;
    s.capacity_factor = 0.5;
    s.threads = 1;
    char err[256] = "";
    jm_workload *w = NULL;
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), 0, "%s", err);
    jm_run_stats st;
    cr_assert_eq(jm_workload_run(w, 2, &st, err, sizeof(err)), 0, "%s", err);
    const uint64_t T = 2u * (uint64_t)s.seq_len;
    cr_assert_eq(st.routed_assignments, T);
    cr_assert_eq(st.dropped_assignments, T - (T + 1) / 2, "dropped %llu",
                 (unsigned long long)st.dropped_assignments);
    cr_assert_eq(st.computed_assignments, (T + 1) / 2);
    /* FLOPs done: attention and router for every token, the expert FFN
     * (4 D F) only for computed assignments, not the full top-k */
    const double D = s.d_model, F = s.d_ff, S = s.seq_len, E = s.n_experts;
    const double done = (double)T * (8 * D * D + 4 * S * D + 2 * D * E) +
                        (double)st.computed_assignments * 4 * D * F;
    cr_assert_float_eq(st.flops, done, 1e-9 * done, "flops %g vs %g", st.flops, done);
    cr_assert_lt(st.flops, (double)T * jm_workload_flops_per_token(&s));
    cr_assert(st.router_ns + st.dispatch_ns + st.experts_ns <= st.total_ns);
    double rel;
    cr_assert_eq(jm_workload_verify(w, 5, 2, &rel, err, sizeof(err)), 0, "%s", err);
    cr_assert(rel < 1e-4, "rel %g", rel);
    jm_workload_destroy(w);
    /* dropless: nothing dropped even with all tokens on one expert */
    s.capacity_factor = 0.0;
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(jm_workload_run(w, 2, &st, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(st.dropped_assignments, 0u);
    cr_assert_eq(st.computed_assignments, T);
    cr_assert_float_eq(st.flops, (double)T * jm_workload_flops_per_token(&s), 1e-6);
    jm_workload_destroy(w);
}

Test(workload, run_and_verify_reject_bad_arguments) {
    jm_workload_shape s = small_layer(JM_WORKLOAD_DENSE);
    char err[256] = "";
    jm_workload *w = NULL;
    cr_assert_eq(jm_workload_create(&s, &w, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(jm_workload_run(w, 0, NULL, err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "n_samples: 0"), "%s", err);
    cr_assert_eq(jm_workload_run(w, 4, NULL, err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "1..3"), "%s", err);
    cr_assert_eq(jm_workload_verify(w, 1, 1, NULL, err, sizeof(err)), JM_K_EINVAL);
    cr_assert_eq(jm_workload_run(NULL, 1, NULL, err, sizeof(err)), JM_K_EINVAL);
    jm_workload_destroy(w);
    jm_workload_destroy(NULL);
}

Test(workload, fill_uniform_is_deterministic_and_bounded) {
    float a[1000], b[1000];
    jm_fill_uniform(a, 1000, 9, 0.5f);
    jm_fill_uniform(b, 1000, 9, 0.5f);
    cr_assert_arr_eq(a, b, sizeof(a));
    double mean = 0.0;
    for (int i = 0; i < 1000; ++i) {
        cr_assert(a[i] >= -0.5f && a[i] <= 0.5f);
        mean += a[i];
    }
    cr_assert(fabs(mean / 1000) < 0.05);
    jm_fill_uniform(b, 1000, 10, 0.5f);
    cr_assert(memcmp(a, b, sizeof(a)) != 0);
}

/* configs/default.json states the MoE layer's FFN size in its comment: 32
 * experts of d_ff 2048 at d_model 512 hold 67.1 M FFN weights (67.2 M with
 * biases), not 33.6 M; 2.1 M are active per token (top-1). */
Test(workload, default_moe_ffn_size_matches_the_config_comment) {
    jm_workload_shape s = {.kind = JM_WORKLOAD_MOE, .d_model = 512, .n_heads = 8, .d_ff = 2048,
                           .seq_len = 256, .batch_seqs = 16, .n_experts = 32, .top_k = 1};
    const uint64_t D = 512, F = 2048, E = 32;
    const uint64_t attention = 4 * D * D + 8 * D, router = D * E;
    const uint64_t ffn = jm_workload_params(&s) - attention - router;
    cr_assert_eq(ffn, E * (2 * D * F + F + D)); /* 67,190,784 */
    cr_assert_eq(E * 2 * D * F, 67108864u);
    cr_assert_eq(jm_workload_active_params(&s) - attention - router, 2 * D * F + F + D);
    FILE *f = fopen(JM_SOURCE_DIR "/configs/default.json", "r");
    cr_assert_not_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_assert(strstr(text, "67.1 M FFN weights") && strstr(text, "67.2 M with biases") &&
                  strstr(text, "2.1 M active per token"),
              "configs/default.json's MoE comment does not state the computed sizes");
    cr_assert_null(strstr(text, "33.6 M"));
}
