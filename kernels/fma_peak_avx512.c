/* fma_peak_avx512.c - the register-only FMA loop of the FMA peak measurement
 * in zmm registers (16 fp32 lanes). Compiled with AVX-512 flags only; called
 * only where the CPU has AVX-512F (fma_peak.c checks). */
#include <immintrin.h>

#include "gemm_internal.h"

/* 16 independent accumulators: enough for 2 FMA ports x 4-8 cycles of
 * latency, so that the loop is bound by FMA throughput, not by a chain.
 * Returns the FLOPs done (2 per lane per FMA). */
double jm__fma_loop_avx512(uint64_t iters, float *sink) {
    __m512 acc[16];
    for (int i = 0; i < 16; ++i)
        acc[i] = _mm512_set1_ps((float)i * 1e-3f);
    const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
    for (uint64_t it = 0; it < iters; ++it)
        for (int i = 0; i < 16; ++i)
            acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
    __m512 s = acc[0];
    for (int i = 1; i < 16; ++i)
        s = _mm512_add_ps(s, acc[i]);
    *sink += _mm512_reduce_add_ps(s);
    return (double)iters * 16.0 * 16.0 * 2.0;
}
