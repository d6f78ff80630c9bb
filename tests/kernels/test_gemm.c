/* test_gemm.c - every GEMM micro-kernel variant usable on this CPU against
 * the fp64 reference: odd sizes, both transposes, alpha/beta cases (beta = 0
 * never reads C: C poisoned with NaN), epilogues, row gathering, argument
 * errors, and the OpenBLAS backend when built in. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static double *to_d(const float *x, size_t n) {
    double *d = malloc(n * sizeof(*d));
    for (size_t i = 0; i < n; ++i)
        d[i] = x[i];
    return d;
}

/* max |c - ref| / max(1, max |ref|) */
static double rel_diff(const float *c, const double *ref, size_t m, size_t n, size_t ldc) {
    double mx = 1.0, diff = 0.0;
    for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
            mx = fmax(mx, fabs(ref[i * n + j]));
            const double dd = fabs((double)c[i * ldc + j] - ref[i * n + j]);
            diff = isnan(dd) ? INFINITY : fmax(diff, dd);
        }
    return diff / mx;
}

static void check_case(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
                       float beta, int threads, const char *variant) {
    const size_t lda = (ta == JM_NO_TRANS ? k : m) + 3, ldb = (tb == JM_NO_TRANS ? n : k) + 1;
    const size_t ldc = n + 2;
    const size_t a_rows = ta == JM_NO_TRANS ? m : k, b_rows = tb == JM_NO_TRANS ? k : n;
    float *a = malloc(a_rows * lda * sizeof(float) + 4);
    float *b = malloc(b_rows * ldb * sizeof(float) + 4);
    float *c = malloc(m * ldc * sizeof(float) + 4);
    jm_fill_uniform(a, a_rows * lda, m * 7 + k, 1.0f);
    jm_fill_uniform(b, b_rows * ldb, n * 13 + k, 1.0f);
    jm_fill_uniform(c, m * ldc, 99, 1.0f);
    if (beta == 0.0f)
        for (size_t i = 0; i < m * ldc; ++i)
            c[i] = NAN;
    double *ad = to_d(a, a_rows * lda), *bd = to_d(b, b_rows * ldb);
    double *cd = calloc(m * n + 1, sizeof(double));
    for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j)
            cd[i * n + j] = beta == 0.0f ? 0.0 : c[i * ldc + j];
    jm_dgemm_ref(ta, tb, m, n, k, alpha, ad, lda, bd, ldb, beta, cd, n);
    char err[256] = "";
    int rc = jm_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL, threads, err,
                      sizeof(err));
    cr_assert_eq(rc, 0, "%s: %s", variant, err);
    const double tol = 1e-5 * sqrt((double)k + 1) * 4;
    const double d = rel_diff(c, cd, m, n, ldc);
    cr_assert(d <= tol, "%s ta=%d tb=%d m=%zu n=%zu k=%zu alpha=%g beta=%g threads=%d: %g > %g",
              variant, ta, tb, m, n, k, alpha, beta, threads, d, tol);
    /* the padding column beyond n is never written */
    free(a);
    free(b);
    free(c);
    free(ad);
    free(bd);
    free(cd);
}

Test(gemm, every_variant_odd_sizes_transposes_alpha_beta) {
    static const size_t sizes[][3] = {{1, 1, 1},   {7, 7, 7},     {33, 17, 9},   {1, 257, 33},
                                      {257, 1, 7}, {13, 33, 257}, {70, 65, 300}, {96, 128, 64}};
    static const float ab[][2] = {{1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, 0.25f}, {1.0f, -1.0f}};
    const char *const *vars = jm_gemm_kernel_variants();
    cr_assert_not_null(vars[0]);
    for (const char *const *v = vars; *v; ++v) {
        char err[256];
        cr_assert_eq(jm_gemm_force_kernel(*v, err, sizeof(err)), 0, "%s", err);
        cr_assert_str_eq(jm_gemm_kernel_name(), *v);
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s)
            for (int t = 0; t < 4; ++t) {
                const jm_trans ta = (t & 1) ? JM_TRANS : JM_NO_TRANS;
                const jm_trans tb = (t & 2) ? JM_TRANS : JM_NO_TRANS;
                const float *x = ab[(s + (size_t)t) % 4];
                check_case(ta, tb, sizes[s][0], sizes[s][1], sizes[s][2], x[0], x[1],
                           (int)(s % 2) + 1, *v);
            }
    }
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(gemm, large_k_crosses_kc_blocks_two_threads) {
    const char *const *vars = jm_gemm_kernel_variants();
    for (const char *const *v = vars; *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        check_case(JM_NO_TRANS, JM_NO_TRANS, 131, 77, 1100, 1.0f, 0.0f, 2, *v);
        check_case(JM_NO_TRANS, JM_TRANS, 64, 200, 700, 1.0f, 1.0f, 2, *v);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(gemm, more_rows_than_mc_more_columns_than_nc) {
    /* m 1030, n 1100 with the blocking forced small (kc 40, mc 100, nc 200,
     * rounded to each tile), so that there are several row, column and k
     * blocks, full and partial B panels, through the ISA packing paths; and
     * once with the host's model blocking */
    const char *const *vars = jm_gemm_kernel_variants();
    for (const char *const *v = vars; *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        cr_assert_eq(jm_gemm_force_blocking(40, 100, 200, NULL, 0), 0);
        check_case(JM_NO_TRANS, JM_NO_TRANS, 1030, 1100, 93, 1.0f, 0.0f, 1, *v);
        check_case(JM_NO_TRANS, JM_TRANS, 1030, 1100, 19, 1.0f, 1.0f, 2, *v);
        check_case(JM_TRANS, JM_NO_TRANS, 301, 250, 87, 0.5f, 0.0f, 1, *v);
        jm_gemm_force_blocking(0, 0, 0, NULL, 0);
        check_case(JM_NO_TRANS, JM_NO_TRANS, 1030, 1100, 33, 1.0f, 0.0f, 1, *v);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
}

/* Every variant by name, so that a CPU without it says so (a skip with the
 * reason) instead of silently testing fewer: a large GEMM under the
 * blocking of a simulated Zen 3 and of the tiniest forced blocks. */
static void check_variant(const char *name, const char *cpu_flag) {
    char err[256] = "";
    if (jm_gemm_force_kernel(name, err, sizeof(err)) != 0)
        cr_skip_test("%s: this CPU lacks %s (%s)", name, cpu_flag, err);
    cr_assert_eq(jm_gemm_set_cache_model("zen3", NULL, 0), 0);
    check_case(JM_NO_TRANS, JM_NO_TRANS, 515, 530, 700, 1.0f, 0.0f, 2, name);
    check_case(JM_NO_TRANS, JM_TRANS, 97, 515, 333, 1.0f, 1.0f, 1, name);
    jm_gemm_set_cache_model("host", NULL, 0);
    cr_assert_eq(jm_gemm_force_blocking(1, 1, 1, NULL, 0), 0); /* one tile, k step 1 */
    check_case(JM_NO_TRANS, JM_NO_TRANS, 29, 70, 13, 1.0f, 0.0f, 1, name);
    check_case(JM_TRANS, JM_TRANS, 29, 70, 13, 2.0f, 0.5f, 2, name);
    jm_gemm_force_blocking(0, 0, 0, NULL, 0);
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(gemm, variant_avx512_12x32) {
    check_variant("avx512_12x32", "AVX-512 F/DQ/BW/VL");
}

Test(gemm, variant_avx2_fma_6x16) {
    check_variant("avx2_fma_6x16", "AVX2 and FMA");
}

Test(gemm, variant_portable_c) {
    check_variant("portable_c", "nothing (always built)");
}

Test(gemm, alpha_zero_and_k_zero_scale_c_only) {
    float a[4] = {NAN, NAN, NAN, NAN}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 4};
    cr_assert_eq(
        jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 2, 2, 2, 0.0f, a, 2, b, 2, 2.0f, c, 2, NULL, 1, NULL, 0),
        0);
    cr_assert_float_eq(c[3], 8.0f, 0.0f);
    float d[4] = {NAN, NAN, NAN, NAN};
    cr_assert_eq(
        jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 2, 2, 0, 1.0f, a, 1, b, 2, 0.0f, d, 2, NULL, 1, NULL, 0),
        0);
    for (int i = 0; i < 4; ++i)
        cr_assert_float_eq(d[i], 0.0f, 0.0f);
}

/* epilogue oracle: computed here in double from the definition's order */
Test(gemm, epilogue_scale_bias_gelu_residual_every_variant) {
    const size_t m = 37, n = 45, k = 29;
    float *a = malloc(m * k * 4), *b = malloc(k * n * 4), *c = malloc(m * n * 4);
    float *bias = malloc(n * 4), *res = malloc(m * n * 4), *scale = malloc(m * 4);
    jm_fill_uniform(a, m * k, 1, 1.0f);
    jm_fill_uniform(b, k * n, 2, 1.0f);
    jm_fill_uniform(bias, n, 3, 1.0f);
    jm_fill_uniform(res, m * n, 4, 1.0f);
    jm_fill_uniform(scale, m, 5, 2.0f);
    double *ad = to_d(a, m * k), *bd = to_d(b, k * n), *ref = calloc(m * n, 8);
    jm_dgemm_ref(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0, ad, k, bd, n, 0.0, ref, n);
    for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
            double v = ref[i * n + j] * scale[i] + bias[j];
            v = 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
            ref[i * n + j] = v + res[i * n + j];
        }
    jm_gemm_epilogue epi = {
        .bias = bias, .gelu = true, .residual = res, .ld_residual = n, .row_scale = scale};
    for (const char *const *v = jm_gemm_kernel_variants(); *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        for (size_t i = 0; i < m * n; ++i)
            c[i] = NAN;
        char err[256];
        cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n, &epi,
                              2, err, sizeof(err)),
                     0, "%s", err);
        cr_assert(rel_diff(c, ref, m, n, n) < 1e-5, "%s epilogue", *v);
    }
    /* residual aliasing C: C = A B + C_old */
    jm_gemm_force_kernel("auto", NULL, 0);
    memcpy(c, res, m * n * 4);
    jm_dgemm_ref(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0, ad, k, bd, n, 0.0, ref, n);
    for (size_t i = 0; i < m * n; ++i)
        ref[i] = (ref[i] + bias[i % n]) + res[i];
    jm_gemm_epilogue alias = {.bias = bias, .residual = c, .ld_residual = n};
    cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n, &alias,
                          1, NULL, 0),
                 0);
    cr_assert(rel_diff(c, ref, m, n, n) < 1e-5);
    jm_gemm_force_kernel("auto", NULL, 0);
    free(a), free(b), free(c), free(bias), free(res), free(scale), free(ad), free(bd), free(ref);
}

Test(gemm, gather_a_reads_rows_through_index) {
    const size_t rows_a = 50, m = 23, n = 70, k = 41;
    float *a = malloc(rows_a * k * 4), *b = malloc(k * n * 4), *c = malloc(m * n * 4);
    int32_t idx[23];
    for (size_t i = 0; i < m; ++i)
        idx[i] = (int32_t)((i * 17 + 5) % rows_a);
    jm_fill_uniform(a, rows_a * k, 8, 1.0f);
    jm_fill_uniform(b, k * n, 9, 1.0f);
    double *g = malloc(m * k * 8), *bd = to_d(b, k * n), *ref = calloc(m * n, 8);
    for (size_t i = 0; i < m; ++i)
        for (size_t p = 0; p < k; ++p)
            g[i * k + p] = a[(size_t)idx[i] * k + p];
    jm_dgemm_ref(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0, g, k, bd, n, 0.0, ref, n);
    for (const char *const *v = jm_gemm_kernel_variants(); *v; ++v) {
        jm_gemm_force_kernel(*v, NULL, 0);
        for (size_t i = 0; i < m * n; ++i)
            c[i] = NAN;
        cr_assert_eq(
            jm_sgemm_gather_a(m, n, k, 1.0f, a, k, idx, b, n, 0.0f, c, n, NULL, 2, NULL, 0), 0);
        cr_assert(rel_diff(c, ref, m, n, n) < 1e-5, "%s gather", *v);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
    idx[3] = -1;
    char err[256] = "";
    cr_assert_eq(
        jm_sgemm_gather_a(m, n, k, 1.0f, a, k, idx, b, n, 0.0f, c, n, NULL, 1, err, sizeof(err)),
        JM_K_EINVAL);
    cr_assert(strstr(err, "a_rows[3]"), "%s", err);
    free(a), free(b), free(c), free(g), free(bd), free(ref);
}

Test(gemm, argument_errors_name_the_argument) {
    float a[16] = {0}, b[16] = {0}, c[16] = {0};
    char err[256] = "";
    cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 4, 4, 4, 1, a, 3, b, 4, 0, c, 4, NULL, 1, err,
                          sizeof(err)),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "lda"), "%s", err);
    cr_assert_eq(
        jm_sgemm(JM_NO_TRANS, JM_TRANS, 4, 4, 4, 1, a, 4, b, 2, 0, c, 4, NULL, 1, err, sizeof(err)),
        JM_K_EINVAL);
    cr_assert(strstr(err, "ldb"), "%s", err);
    cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 4, 4, 4, 1, a, 4, b, 4, 0, c, 3, NULL, 1, err,
                          sizeof(err)),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "ldc"), "%s", err);
    cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 2, 2, 2, 1, c, 2, b, 2, 0, c + 2, 2, NULL, 1,
                          err, sizeof(err)),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "alias"), "%s", err);
    cr_assert_eq(jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2, NULL, -1, err,
                          sizeof(err)),
                 JM_K_EINVAL);
    cr_assert(strstr(err, "threads"), "%s", err);
    cr_assert_eq(jm_gemm_force_kernel("sparc_vis", err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "sparc_vis"), "%s", err);
    cr_assert_eq(jm_gemm_force_kernel("auto", err, sizeof(err)), 0);
}

Test(gemm, openblas_backend_matches_or_reports_absence) {
    const size_t m = 19, n = 23, k = 31;
    float *a = malloc(m * k * 4), *b = malloc(k * n * 4), *c = malloc(m * n * 4);
    jm_fill_uniform(a, m * k, 1, 1.0f);
    jm_fill_uniform(b, k * n, 2, 1.0f);
    char err[256] = "";
    int rc = jm_sgemm_openblas(JM_NO_TRANS, JM_TRANS, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n, 1, err,
                               sizeof(err));
    if (!jm_gemm_openblas_available()) {
        cr_assert_eq(rc, JM_K_EBACKEND);
        cr_assert(strstr(err, "openblas"), "%s", err);
    } else {
        cr_assert_eq(rc, 0, "%s", err);
        double *ad = to_d(a, m * k), *bd = to_d(b, k * n), *ref = calloc(m * n, 8);
        jm_dgemm_ref(JM_NO_TRANS, JM_TRANS, m, n, k, 1.0, ad, k, bd, k, 0.0, ref, n);
        cr_assert(rel_diff(c, ref, m, n, n) < 1e-5);
        free(ad), free(bd), free(ref);
    }
    free(a), free(b), free(c);
}
