/* layer_ops.c - small pieces shared by the layers: the backend switch for a
 * layer's GEMMs, row-parallel LayerNorm, and the monotonic clock. */
#include <math.h>
#include <time.h>

#include "fastmath.h"
#include "workload_internal.h"

int jm__layer_gemm(const jm_workload *w, jm__gemm_op *op, char *err, size_t err_len) {
    if (w->shape.backend == JM_BACKEND_OPENBLAS)
        return jm__sgemm_run_openblas(op, err, err_len);
    return jm__sgemm_run(op, err, err_len);
}

/* One row: y = (x - mean) / sqrt(var + 1e-5) * g + b. The sums run in W
 * partial lanes (a float reduction is not reassociated by the compiler, and
 * one serial chain of D adds would cost D x the add latency). */
JM_VECTOR_CLONES static void layernorm_row(const float *xr, float *yr, size_t D, const float *g,
                                           const float *b) {
    enum { W = 16 };
    float ps[W] = {0}, pv[W] = {0};
    size_t j = 0;
    for (; j + W <= D; j += W)
        for (size_t u = 0; u < W; ++u)
            ps[u] += xr[j + u];
    float sum = 0.0f;
    for (; j < D; ++j)
        sum += xr[j];
    for (size_t u = 0; u < W; ++u)
        sum += ps[u];
    const float mean = sum / (float)D;
    for (j = 0; j + W <= D; j += W)
        for (size_t u = 0; u < W; ++u) {
            const float d = xr[j + u] - mean;
            pv[u] += d * d;
        }
    float var = 0.0f;
    for (; j < D; ++j) {
        const float d = xr[j] - mean;
        var += d * d;
    }
    for (size_t u = 0; u < W; ++u)
        var += pv[u];
    const float inv = 1.0f / sqrtf(var / (float)D + 1e-5f);
    for (j = 0; j < D; ++j)
        yr[j] = (xr[j] - mean) * inv * g[j] + b[j];
}

void jm__layernorm(const float *x, float *y, size_t rows, size_t D, const float *g, const float *b,
                   int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t r = 0; r < rows; ++r)
        layernorm_row(x + r * D, y + r * D, D, g, b);
}
