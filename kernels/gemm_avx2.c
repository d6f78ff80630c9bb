/* gemm_avx2.c - AVX2/FMA GEMM micro-kernel jm_gemm_f32_avx2_6x16: 6 rows x
 * 16 columns held in 12 ymm accumulators. Compiled with -mavx2 -mfma only;
 * selected at run time when the CPU has AVX2 and FMA. */
#include <immintrin.h>

#include "gemm_internal.h"

enum { MR = 6, NR = 16 };

#define JM_ACC_DECL                                                                                \
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;       \
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00

#define JM_ROW(r)                                                                                  \
    do {                                                                                           \
        const __m256 ai = _mm256_broadcast_ss(a + (r));                                            \
        c##r##0 = _mm256_fmadd_ps(ai, b0, c##r##0);                                                \
        c##r##1 = _mm256_fmadd_ps(ai, b1, c##r##1);                                                \
    } while (0)

#define JM_LOOP                                                                                    \
    for (size_t p = 0; p < kc; ++p) {                                                              \
        const __m256 b0 = _mm256_loadu_ps(b);                                                      \
        const __m256 b1 = _mm256_loadu_ps(b + 8);                                                  \
        JM_ROW(0);                                                                                 \
        JM_ROW(1);                                                                                 \
        JM_ROW(2);                                                                                 \
        JM_ROW(3);                                                                                 \
        JM_ROW(4);                                                                                 \
        JM_ROW(5);                                                                                 \
        a += MR;                                                                                   \
        b += NR;                                                                                   \
    }

/* store row r of the accumulators to dst (+= when acc) */
#define JM_PUT(r, dst, acc)                                                                        \
    do {                                                                                           \
        float *d_ = (dst);                                                                         \
        if (acc) {                                                                                 \
            c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(d_));                                 \
            c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(d_ + 8));                             \
        }                                                                                          \
        _mm256_storeu_ps(d_, c##r##0);                                                             \
        _mm256_storeu_ps(d_ + 8, c##r##1);                                                         \
    } while (0)

#define JM_PUT_ALL(base, ld, acc)                                                                  \
    do {                                                                                           \
        JM_PUT(0, (base) + 0 * (ld), acc);                                                         \
        JM_PUT(1, (base) + 1 * (ld), acc);                                                         \
        JM_PUT(2, (base) + 2 * (ld), acc);                                                         \
        JM_PUT(3, (base) + 3 * (ld), acc);                                                         \
        JM_PUT(4, (base) + 4 * (ld), acc);                                                         \
        JM_PUT(5, (base) + 5 * (ld), acc);                                                         \
    } while (0)

static void jm_gemm_f32_avx2_6x16(size_t kc, const float *restrict a, const float *restrict b,
                                  float *restrict t) {
    JM_ACC_DECL;
    JM_LOOP
    JM_PUT_ALL(t, NR, false);
}

static void jm_gemm_f32_avx2_6x16_upd(size_t kc, const float *restrict a, const float *restrict b,
                                      float *restrict c, size_t ldc, bool accumulate) {
    JM_ACC_DECL;
    JM_LOOP
    if (accumulate)
        JM_PUT_ALL(c, ldc, true);
    else
        JM_PUT_ALL(c, ldc, false);
}

static bool avx2_usable(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const jm__ukr jm__ukr_avx2_fma_6x16 = {"avx2_fma_6x16",
                                       MR,
                                       NR,
                                       jm_gemm_f32_avx2_6x16,
                                       jm_gemm_f32_avx2_6x16_upd,
                                       avx2_usable,
                                       NULL,
                                       NULL,
                                       0,
                                       NULL,
                                       NULL,
                                       NULL};
