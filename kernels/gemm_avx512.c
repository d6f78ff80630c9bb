/* gemm_avx512.c - AVX-512F GEMM micro-kernel jm_gemm_f32_avx512_12x32: 12
 * rows x 32 columns held in 24 zmm accumulators (2 B loads + 12 broadcasts
 * per 24 FMAs). Compiled with AVX-512 flags only; selected at run time. */
#include <immintrin.h>

#include "gemm_internal.h"

enum { MR = 12, NR = 32 };

#define JM_ROW(r)                                                                                  \
    do {                                                                                           \
        const __m512 ai = _mm512_set1_ps(a[r]);                                                    \
        c##r##0 = _mm512_fmadd_ps(ai, b0, c##r##0);                                                \
        c##r##1 = _mm512_fmadd_ps(ai, b1, c##r##1);                                                \
    } while (0)

#define JM_ACC_DECL                                                                                \
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;       \
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;                       \
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;                       \
    __m512 c90 = c00, c91 = c00, c100 = c00, c101 = c00, c110 = c00, c111 = c00

#define JM_LOOP                                                                                    \
    for (size_t p = 0; p < kc; ++p) {                                                              \
        _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);                                     \
        const __m512 b0 = _mm512_loadu_ps(b);                                                      \
        const __m512 b1 = _mm512_loadu_ps(b + 16);                                                 \
        JM_ROW(0);                                                                                 \
        JM_ROW(1);                                                                                 \
        JM_ROW(2);                                                                                 \
        JM_ROW(3);                                                                                 \
        JM_ROW(4);                                                                                 \
        JM_ROW(5);                                                                                 \
        JM_ROW(6);                                                                                 \
        JM_ROW(7);                                                                                 \
        JM_ROW(8);                                                                                 \
        JM_ROW(9);                                                                                 \
        JM_ROW(10);                                                                                \
        JM_ROW(11);                                                                                \
        a += MR;                                                                                   \
        b += NR;                                                                                   \
    }

/* store row r of the accumulators to dst (+= when acc) */
#define JM_PUT(r, dst, acc)                                                                        \
    do {                                                                                           \
        float *d_ = (dst);                                                                         \
        if (acc) {                                                                                 \
            c##r##0 = _mm512_add_ps(c##r##0, _mm512_loadu_ps(d_));                                 \
            c##r##1 = _mm512_add_ps(c##r##1, _mm512_loadu_ps(d_ + 16));                            \
        }                                                                                          \
        _mm512_storeu_ps(d_, c##r##0);                                                             \
        _mm512_storeu_ps(d_ + 16, c##r##1);                                                        \
    } while (0)

#define JM_PUT_ALL(base, ld, acc)                                                                  \
    do {                                                                                           \
        JM_PUT(0, (base) + 0 * (ld), acc);                                                         \
        JM_PUT(1, (base) + 1 * (ld), acc);                                                         \
        JM_PUT(2, (base) + 2 * (ld), acc);                                                         \
        JM_PUT(3, (base) + 3 * (ld), acc);                                                         \
        JM_PUT(4, (base) + 4 * (ld), acc);                                                         \
        JM_PUT(5, (base) + 5 * (ld), acc);                                                         \
        JM_PUT(6, (base) + 6 * (ld), acc);                                                         \
        JM_PUT(7, (base) + 7 * (ld), acc);                                                         \
        JM_PUT(8, (base) + 8 * (ld), acc);                                                         \
        JM_PUT(9, (base) + 9 * (ld), acc);                                                         \
        JM_PUT(10, (base) + 10 * (ld), acc);                                                       \
        JM_PUT(11, (base) + 11 * (ld), acc);                                                       \
    } while (0)

static void jm_gemm_f32_avx512_12x32(size_t kc, const float *restrict a, const float *restrict b,
                                     float *restrict t) {
    JM_ACC_DECL;
    JM_LOOP
    JM_PUT_ALL(t, NR, false);
}

static void jm_gemm_f32_avx512_12x32_upd(size_t kc, const float *restrict a,
                                         const float *restrict b, float *restrict c, size_t ldc,
                                         bool accumulate) {
    /* C's 12 rows (2 lines each) are needed at the end: fetch them now */
    for (int r = 0; r < MR; ++r) {
        _mm_prefetch((const char *)(c + (size_t)r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)r * ldc + 16), _MM_HINT_T0);
    }
    JM_ACC_DECL;
    JM_LOOP
    if (accumulate)
        JM_PUT_ALL(c, ldc, true);
    else
        JM_PUT_ALL(c, ldc, false);
}

static bool avx512_usable(void) {
    return __builtin_cpu_supports("avx512f");
}

const jm__ukr jm__ukr_avx512_12x32 = {
    "avx512_12x32", MR, NR, jm_gemm_f32_avx512_12x32, jm_gemm_f32_avx512_12x32_upd, avx512_usable};
