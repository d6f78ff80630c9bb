/* test_gemm_prepacked.c - the GEMM on pre-packed weights (the layout the
 * layers store their weights in, gemm_internal.h: NR-column panels over the
 * whole K) against the fp64 reference, for every micro-kernel variant: row
 * counts on both sides of the weight-streaming path (a few MR tiles) and of
 * the blocked path, K across several kc blocks, N not a multiple of NR,
 * gathered A rows, beta = 1 accumulation, and the MoE epilogue (bias, GELU;
 * row scale and residual). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "workload_internal.h"

/* W (k x n, row-major) into NR-column panels over its full K, zero-padded. */
static float *prepack(const float *w, size_t k, size_t n, size_t nr) {
    float *p = calloc(jm__w_elems(k, n, nr), sizeof(float));
    for (size_t j = 0; j < n; ++j)
        for (size_t q = 0; q < k; ++q)
            p[(j / nr) * nr * k + q * nr + j % nr] = w[q * n + j];
    return p;
}

static double gelu_d(double v) {
    return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
}

/* C = A[rows] W (+ C when accumulate), then bias + GELU or scale + residual. */
static void check(size_t m, size_t n, size_t k, bool gather, bool accumulate, bool moe_down) {
    const size_t a_rows = m + 5;
    float *a = malloc(a_rows * k * sizeof(float)), *w = malloc(k * n * sizeof(float));
    float *c = malloc(m * n * sizeof(float)), *c0 = malloc(m * n * sizeof(float));
    float *bias = malloc(n * sizeof(float)), *res = malloc(m * n * sizeof(float));
    float *scale = malloc(m * sizeof(float));
    int32_t *rows = malloc(m * sizeof(int32_t));
    jm_fill_uniform(a, a_rows * k, m + k, 1.0f);
    jm_fill_uniform(w, k * n, n + 3 * k, 0.5f);
    jm_fill_uniform(c0, m * n, 7, 1.0f);
    jm_fill_uniform(bias, n, 8, 1.0f);
    jm_fill_uniform(res, m * n, 9, 1.0f);
    jm_fill_uniform(scale, m, 10, 1.0f);
    for (size_t i = 0; i < m; ++i)
        rows[i] = (int32_t)((i * 7 + 3) % a_rows);
    double *ref = malloc(m * n * sizeof(double));
    for (size_t i = 0; i < m; ++i) {
        const float *ar = a + (gather ? (size_t)rows[i] : i) * k;
        for (size_t j = 0; j < n; ++j) {
            double s = accumulate ? c0[i * n + j] : 0.0;
            for (size_t q = 0; q < k; ++q)
                s += (double)ar[q] * w[q * n + j];
            ref[i * n + j] = moe_down ? (s + bias[j]) * scale[i] + res[i * n + j]
                                      : gelu_d(s + bias[j]);
        }
    }
    for (const char *const *v = jm_gemm_kernel_variants(); *v; ++v) {
        cr_assert_eq(jm_gemm_force_kernel(*v, NULL, 0), 0);
        const size_t nr = (size_t)jm__gemm_ukr()->nr;
        float *wp = prepack(w, k, n, nr);
        for (size_t i = 0; i < m * n; ++i)
            c[i] = accumulate ? c0[i] : NAN; /* beta = 0 must not read C */
        jm__gemm_op op = {.ta = JM_NO_TRANS,
                          .tb = JM_NO_TRANS,
                          .m = m,
                          .n = n,
                          .k = k,
                          .alpha = 1.0f,
                          .a = a,
                          .lda = k,
                          .a_rows = gather ? rows : NULL,
                          .beta = accumulate ? 1.0f : 0.0f,
                          .c = c,
                          .ldc = n,
                          .threads = 1};
        jm__w_bind(&op, wp, k, n, nr, 0, 0);
        op.epi.bias = bias;
        if (moe_down) {
            op.epi.row_scale = scale;
            op.epi.scale_last = true;
            op.epi.residual = res;
            op.epi.ld_residual = n;
        } else {
            op.epi.gelu = true;
        }
        char err[256] = "";
        cr_assert_eq(jm__sgemm_run(&op, err, sizeof(err)), 0, "%s", err);
        double diff = 0.0, mx = 1.0;
        for (size_t i = 0; i < m * n; ++i) {
            const double d = fabs((double)c[i] - ref[i]);
            diff = isnan(d) ? INFINITY : fmax(diff, d);
            mx = fmax(mx, fabs(ref[i]));
        }
        cr_assert(diff / mx < 2e-5, "%s m %zu n %zu k %zu gather %d acc %d down %d: rel err %g", *v,
                  m, n, k, gather, accumulate, moe_down, diff / mx);
        free(wp);
    }
    jm_gemm_force_kernel("auto", NULL, 0);
    free(a), free(w), free(c), free(c0), free(bias), free(res), free(scale), free(rows), free(ref);
}

Test(gemm_prepacked, few_rows_stream_the_weights_every_variant) {
    const size_t ms[] = {1, 3, 12, 13, 25, 47, 48, 49, 95, 96};
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); ++i) {
        check(ms[i], 70, 600, false, false, false);
        check(ms[i], 33, 301, true, false, true);
    }
}

Test(gemm_prepacked, many_rows_blocked_path_every_variant) {
    check(97, 70, 600, true, false, false);
    check(130, 65, 257, false, true, true);
}

Test(gemm_prepacked, accumulates_into_c_when_beta_is_one) {
    check(5, 64, 520, false, true, false);
    check(20, 40, 33, true, true, true);
}
