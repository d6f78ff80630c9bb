/* layer_ops.c - small pieces shared by the layers: the backend switch for a
 * layer's GEMMs, row-parallel LayerNorm, and the monotonic clock. */
#include <math.h>
#include <time.h>

#include "fastmath.h"
#include "workload_internal.h"

uint64_t jm__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int jm__layer_gemm(const jm_workload *w, jm__gemm_op *op, char *err, size_t err_len) {
    if (w->shape.backend == JM_BACKEND_OPENBLAS)
        return jm__sgemm_run_openblas(op, err, err_len);
    return jm__sgemm_run(op, err, err_len);
}

/* One row: y = (x - mean) / sqrt(var + 1e-5) * g + b. */
JM_VECTOR_CLONES static void layernorm_row(const float *xr, float *yr, size_t D, const float *g,
                                           const float *b) {
    float sum = 0.0f;
    for (size_t j = 0; j < D; ++j)
        sum += xr[j];
    const float mean = sum / (float)D;
    float var = 0.0f;
    for (size_t j = 0; j < D; ++j) {
        const float d = xr[j] - mean;
        var += d * d;
    }
    const float inv = 1.0f / sqrtf(var / (float)D + 1e-5f);
    for (size_t j = 0; j < D; ++j)
        yr[j] = (xr[j] - mean) * inv * g[j] + b[j];
}

void jm__layernorm(const float *x, float *y, size_t rows, size_t D, const float *g, const float *b,
                   int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t r = 0; r < rows; ++r)
        layernorm_row(x + r * D, y + r * D, D, g, b);
}
