/* gemm_avx512.c - AVX-512F GEMM micro-kernel jm_gemm_f32_avx512_12x32: 12
 * rows x 32 columns held in 24 zmm accumulators (2 B loads + 12 broadcasts
 * per 24 FMAs). Compiled with AVX-512 flags only; selected at run time. */
#include <immintrin.h>

#include "gemm_internal.h"

enum { MR = 12, NR = 32 };

#define JM_ROW(r)                                                                                 \
    do {                                                                                          \
        const __m512 ai = _mm512_set1_ps(a[r]);                                                   \
        c##r##0 = _mm512_fmadd_ps(ai, b0, c##r##0);                                               \
        c##r##1 = _mm512_fmadd_ps(ai, b1, c##r##1);                                               \
    } while (0)

#define JM_STORE(r)                                                                               \
    do {                                                                                          \
        _mm512_storeu_ps(t + (r) * NR, c##r##0);                                                  \
        _mm512_storeu_ps(t + (r) * NR + 16, c##r##1);                                             \
    } while (0)

static void jm_gemm_f32_avx512_12x32(size_t kc, const float *restrict a,
                                     const float *restrict b, float *restrict t)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    __m512 c90 = c00, c91 = c00, c100 = c00, c101 = c00, c110 = c00, c111 = c00;
    for (size_t p = 0; p < kc; ++p) {
        _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);
        const __m512 b0 = _mm512_loadu_ps(b);
        const __m512 b1 = _mm512_loadu_ps(b + 16);
        JM_ROW(0);
        JM_ROW(1);
        JM_ROW(2);
        JM_ROW(3);
        JM_ROW(4);
        JM_ROW(5);
        JM_ROW(6);
        JM_ROW(7);
        JM_ROW(8);
        JM_ROW(9);
        JM_ROW(10);
        JM_ROW(11);
        a += MR;
        b += NR;
    }
    JM_STORE(0);
    JM_STORE(1);
    JM_STORE(2);
    JM_STORE(3);
    JM_STORE(4);
    JM_STORE(5);
    JM_STORE(6);
    JM_STORE(7);
    JM_STORE(8);
    JM_STORE(9);
    JM_STORE(10);
    JM_STORE(11);
}

static bool avx512_usable(void)
{
    return __builtin_cpu_supports("avx512f");
}

const jm__ukr jm__ukr_avx512_12x32 = {"avx512_12x32", MR, NR, jm_gemm_f32_avx512_12x32,
                                      avx512_usable};
