/* fma_peak_avx2.c - the register-only FMA loop of the FMA peak measurement
 * in ymm registers (8 fp32 lanes). Compiled with -mavx2 -mfma only; called
 * only where the CPU has AVX2 and FMA (fma_peak.c checks). */
#include <immintrin.h>

#include "gemm_internal.h"

/* 12 independent accumulators (2 FMA pipes x 4-5 cycles of latency on
 * Haswell..Zen 4, with margin); returns the FLOPs done. */
double jm__fma_loop_avx2(uint64_t iters, float *sink) {
    __m256 acc[12];
    for (int i = 0; i < 12; ++i)
        acc[i] = _mm256_set1_ps((float)i * 1e-3f);
    const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
    for (uint64_t it = 0; it < iters; ++it)
        for (int i = 0; i < 12; ++i)
            acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i)
        s = _mm256_add_ps(s, acc[i]);
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    for (int i = 0; i < 8; ++i)
        *sink += lanes[i];
    return (double)iters * 12.0 * 8.0 * 2.0;
}
