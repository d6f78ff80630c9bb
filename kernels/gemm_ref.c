/* gemm_ref.c - the fp64 reference GEMM (plain loops in double precision,
 * i-p-j order so the inner loop is contiguous), used as the oracle of every
 * fp32 kernel. beta == 0 never reads C. */
#include "kernels.h"

void jm_dgemm_ref(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, double alpha,
                  const double *a, size_t lda, const double *b, size_t ldb, double beta, double *c,
                  size_t ldc) {
    for (size_t i = 0; i < m; ++i) {
        double *ci = c + i * ldc;
        for (size_t j = 0; j < n; ++j)
            ci[j] = beta == 0.0 ? 0.0 : beta * ci[j];
        for (size_t p = 0; p < k; ++p) {
            const double aip = alpha * (ta == JM_NO_TRANS ? a[i * lda + p] : a[p * lda + i]);
            if (tb == JM_NO_TRANS) {
                const double *bp = b + p * ldb;
                for (size_t j = 0; j < n; ++j)
                    ci[j] += aip * bp[j];
            } else {
                for (size_t j = 0; j < n; ++j)
                    ci[j] += aip * b[j * ldb + p];
            }
        }
    }
}
