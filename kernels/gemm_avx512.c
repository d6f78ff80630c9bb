/* gemm_avx512.c - AVX-512F GEMM micro-kernel jm_gemm_f32_avx512_12x32: 12
 * rows x 32 columns held in 24 zmm accumulators (2 B loads + 12 broadcasts
 * per 24 FMAs), and its packing routines: A micro-panels and transposed B
 * panels through 16 x 16 in-register transposes, row-major B panels with
 * whole-zmm copies. Compiled with AVX-512 flags only; selected at run time. */
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

/* One k step; A is prefetched 8 steps ahead (it streams from L2, while the
 * B micro-panel stays in L1 across the A panels of the block). */
#define JM_STEP                                                                                    \
    do {                                                                                           \
        _mm_prefetch((const char *)(a + 8 * MR), _MM_HINT_T0);                                     \
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
    } while (0)

#define JM_LOOP                                                                                    \
    for (size_t p = 0; p < kc; ++p)                                                                \
        JM_STEP;

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

/* Steps before the end of the k loop at which C's rows are fetched into L1:
 * fetched at the start they would be evicted again by the A stream when the
 * row stride of C is a multiple of 4 KiB (all 24 lines in two L1 sets). */
enum { C_AHEAD = 24 };

static void jm_gemm_f32_avx512_12x32_upd_pf(size_t kc, const float *restrict a,
                                            const float *restrict b, float *restrict c,
                                            size_t ldc, bool accumulate, const float *pf,
                                            size_t pf_lines) {
    /* C's 12 rows (2 lines each) are needed at the end: into L2 now, into
     * L1 C_AHEAD steps before the end */
    for (int r = 0; r < MR; ++r) {
        _mm_prefetch((const char *)(c + (size_t)r * ldc), _MM_HINT_T1);
        _mm_prefetch((const char *)(c + (size_t)r * ldc + 16), _MM_HINT_T1);
    }
    JM_ACC_DECL;
    const size_t kmain = kc > C_AHEAD ? kc - C_AHEAD : 0;
    const size_t npf = pf_lines < kmain / 2 ? pf_lines : kmain / 2;
    for (size_t g = 0; g < npf; ++g) {
        _mm_prefetch((const char *)(pf + g * 16), _MM_HINT_T1);
        JM_STEP;
        JM_STEP;
    }
    for (size_t p = 2 * npf; p < kmain; ++p)
        JM_STEP;
    for (int r = 0; r < MR; ++r) {
        _mm_prefetch((const char *)(c + (size_t)r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)r * ldc + 16), _MM_HINT_T0);
    }
    for (size_t p = kmain; p < kc; ++p)
        JM_STEP;
    if (accumulate)
        JM_PUT_ALL(c, ldc, true);
    else
        JM_PUT_ALL(c, ldc, false);
}

static void jm_gemm_f32_avx512_12x32_upd(size_t kc, const float *restrict a,
                                         const float *restrict b, float *restrict c, size_t ldc,
                                         bool accumulate) {
    jm_gemm_f32_avx512_12x32_upd_pf(kc, a, b, c, ldc, accumulate, NULL, 0);
}

/* Edge tiles of 1-8 rows (m not a multiple of 12: every MoE expert's last
 * tile): 8 or 4 rows of the same packed A panel (stride MR), full 32
 * columns, only `rows` rows written to C. Costs 8/12 or 4/12 of a full tile
 * instead of a full one plus a merge through the tile buffer. */
#define JM_EDGE_STEP(ROWS_MACRO)                                                                   \
    do {                                                                                           \
        const __m512 b0 = _mm512_loadu_ps(b);                                                      \
        const __m512 b1 = _mm512_loadu_ps(b + 16);                                                 \
        ROWS_MACRO;                                                                                \
        a += MR;                                                                                   \
        b += NR;                                                                                   \
    } while (0)
#define JM_ROWS4                                                                                   \
    JM_ROW(0);                                                                                     \
    JM_ROW(1);                                                                                     \
    JM_ROW(2);                                                                                     \
    JM_ROW(3)
#define JM_ROWS8                                                                                   \
    JM_ROWS4;                                                                                      \
    JM_ROW(4);                                                                                     \
    JM_ROW(5);                                                                                     \
    JM_ROW(6);                                                                                     \
    JM_ROW(7)
#define JM_PUT_IF(r, base, ld, rows, acc)                                                          \
    do {                                                                                           \
        if ((r) < (rows))                                                                          \
            JM_PUT(r, (base) + (size_t)(r) * (ld), acc);                                           \
    } while (0)

static void jm_gemm_f32_avx512_4x32_upd(size_t kc, const float *restrict a,
                                        const float *restrict b, float *restrict c, size_t ldc,
                                        bool accumulate, size_t rows) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
    __m512 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (size_t p = 0; p < kc; ++p)
        JM_EDGE_STEP(JM_ROWS4);
    JM_PUT_IF(0, c, ldc, rows, accumulate);
    JM_PUT_IF(1, c, ldc, rows, accumulate);
    JM_PUT_IF(2, c, ldc, rows, accumulate);
    JM_PUT_IF(3, c, ldc, rows, accumulate);
}

static void jm_gemm_f32_avx512_edge_upd(size_t kc, const float *restrict a,
                                        const float *restrict b, float *restrict c, size_t ldc,
                                        bool accumulate, size_t rows) {
    if (rows <= 4) {
        jm_gemm_f32_avx512_4x32_upd(kc, a, b, c, ldc, accumulate, rows);
        return;
    }
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
    __m512 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (size_t p = 0; p < kc; ++p)
        JM_EDGE_STEP(JM_ROWS8);
    JM_PUT_IF(0, c, ldc, rows, accumulate);
    JM_PUT_IF(1, c, ldc, rows, accumulate);
    JM_PUT_IF(2, c, ldc, rows, accumulate);
    JM_PUT_IF(3, c, ldc, rows, accumulate);
    JM_PUT_IF(4, c, ldc, rows, accumulate);
    JM_PUT_IF(5, c, ldc, rows, accumulate);
    JM_PUT_IF(6, c, ldc, rows, accumulate);
    JM_PUT_IF(7, c, ldc, rows, accumulate);
}

/* 16 x 16 transpose in registers: col[q] lane i = r[i] lane q. */
static void transpose16(const __m512 r[16], __m512 col[16]) {
    __m512 t[16], u[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    /* u[4g + j]: 128-bit lane l holds column 4l + j of rows 4g..4g+3 */
    for (int g = 0; g < 4; ++g) {
        const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; ++j) {
        /* v: lanes (u0.l0, u0.l2, u4.l0, u4.l2), w: the odd lanes; x, y: rows 8..15 */
        const __m512 v = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);
        const __m512 w = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);
        const __m512 x = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
        const __m512 y = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
        col[j] = _mm512_shuffle_f32x4(v, x, 0x88);
        col[4 + j] = _mm512_shuffle_f32x4(w, y, 0x88);
        col[8 + j] = _mm512_shuffle_f32x4(v, x, 0xDD);
        col[12 + j] = _mm512_shuffle_f32x4(w, y, 0xDD);
    }
}

/* Loads 16 rows of up to 16 columns (mask m) from row pointers, rows >= n zero. */
static void load_rows(const float *const *src, size_t n, size_t off, __mmask16 m, __m512 r[16]) {
    for (size_t i = 0; i < 16; ++i)
        r[i] = i < n ? _mm512_maskz_loadu_ps(m, src[i] + off) : _mm512_setzero_ps();
}

static void jm_pack_a_avx512_12(size_t kc, const float *const *src, size_t rows,
                                float *restrict dst) {
    __m512 r[16], col[16];
    for (size_t p = 0; p < kc; p += 16) {
        const size_t cols = kc - p < 16 ? kc - p : 16;
        load_rows(src, rows, p, (__mmask16)((1u << cols) - 1u), r);
        transpose16(r, col);
        for (size_t q = 0; q < cols; ++q)
            _mm512_mask_storeu_ps(dst + (p + q) * MR, 0x0FFF, col[q]);
    }
}

/* One 32-column panel of op(B) = B^T: column j of the panel is the
 * contiguous storage row src + j * ldb (j < cols, the rest zero). */
static void jm_pack_bt_avx512_32(size_t kc, const float *restrict src, size_t ldb, size_t cols,
                                 float *restrict dst) {
    __m512 r[16], col[16];
    for (size_t h = 0; h < 2; ++h) {
        const float *rows[16];
        const size_t n = cols > 16 * h ? (cols - 16 * h < 16 ? cols - 16 * h : 16) : 0;
        for (size_t i = 0; i < n; ++i)
            rows[i] = src + (16 * h + i) * ldb;
        for (size_t p = 0; p < kc; p += 16) {
            const size_t pc = kc - p < 16 ? kc - p : 16;
            load_rows(rows, n, p, (__mmask16)((1u << pc) - 1u), r);
            transpose16(r, col);
            for (size_t q = 0; q < pc; ++q)
                _mm512_storeu_ps(dst + (p + q) * NR + 16 * h, col[q]);
        }
    }
}

/* Full 32-column panels, row by row: each source row segment is read once,
 * sequentially, the row two ahead prefetched. */
static void jm_pack_b_avx512_32(size_t kc, size_t npanels, const float *restrict src, size_t ldb,
                                float *restrict dst) {
    for (size_t p = 0; p < kc; ++p) {
        const float *s = src + p * ldb;
        const float *ahead = p + 2 < kc ? s + 2 * ldb : s;
        float *d = dst + p * NR;
        for (size_t jp = 0; jp < npanels; ++jp) {
            _mm_prefetch((const char *)(ahead + jp * NR), _MM_HINT_T0);
            _mm_prefetch((const char *)(ahead + jp * NR + 16), _MM_HINT_T0);
            const __m512 x0 = _mm512_loadu_ps(s + jp * NR);
            const __m512 x1 = _mm512_loadu_ps(s + jp * NR + 16);
            _mm512_storeu_ps(d + jp * kc * NR, x0);
            _mm512_storeu_ps(d + jp * kc * NR + 16, x1);
        }
    }
}

static bool avx512_usable(void) {
    return __builtin_cpu_supports("avx512f");
}

const jm__ukr jm__ukr_avx512_12x32 = {"avx512_12x32",
                                      MR,
                                      NR,
                                      jm_gemm_f32_avx512_12x32,
                                      jm_gemm_f32_avx512_12x32_upd,
                                      avx512_usable,
                                      jm_gemm_f32_avx512_12x32_upd_pf,
                                      jm_gemm_f32_avx512_edge_upd,
                                      8,
                                      jm_pack_a_avx512_12,
                                      jm_pack_b_avx512_32,
                                      jm_pack_bt_avx512_32};
