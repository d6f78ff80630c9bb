/* gemm_ukr_portable.c - the portable C GEMM micro-kernel (4 x 16 tile), the
 * reference entry of the dispatch table; always built, usable everywhere. */
#include <string.h>

#include "gemm_internal.h"

enum { MR = 4, NR = 16 };

static void ukr_portable(size_t kc, const float *restrict a, const float *restrict b,
                         float *restrict t) {
    float acc[MR][NR];
    memset(acc, 0, sizeof(acc));
    for (size_t p = 0; p < kc; ++p) {
        const float *ap = a + p * MR;
        const float *bp = b + p * NR;
        for (int i = 0; i < MR; ++i) {
            const float ai = ap[i];
            for (int j = 0; j < NR; ++j)
                acc[i][j] += ai * bp[j];
        }
    }
    memcpy(t, acc, sizeof(acc));
}

static void upd_portable(size_t kc, const float *restrict a, const float *restrict b,
                         float *restrict c, size_t ldc, bool accumulate) {
    float t[MR * NR];
    ukr_portable(kc, a, b, t);
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

const jm__ukr jm__ukr_portable_c = {
    .name = "portable_c", .mr = MR, .nr = NR, .fn = ukr_portable, .upd = upd_portable};
