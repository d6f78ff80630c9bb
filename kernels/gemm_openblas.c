/* gemm_openblas.c - the optional OpenBLAS comparison backend (compiled only
 * when CMake found OpenBLAS; JM_HAVE_OPENBLAS). cblas_sgemm does the product;
 * gathering A rows, scattering C rows and the epilogue are extra passes, as
 * they would be in a program built on a BLAS library. OpenBLAS' thread count
 * is process-wide: set per call from the calling thread. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "gemm_internal.h"

bool jm_gemm_openblas_available(void) {
    return true;
}

const char *jm_gemm_openblas_corename(void) {
    return openblas_get_corename();
}

void jm__openblas_set_threads(int threads) {
    if (threads > 0 && openblas_get_num_threads() != threads)
        openblas_set_num_threads(threads);
}

int jm_sgemm_openblas(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
                      const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                      size_t ldc, int threads, char *err, size_t err_len) {
    if (threads < 0) {
        if (err && err_len)
            snprintf(err, err_len, "gemm_openblas: threads = %d, expected >= 0", threads);
        return JM_K_EINVAL;
    }
    if (m == 0 || n == 0)
        return JM_K_OK;
    if (threads > 0)
        jm__openblas_set_threads(threads);
    cblas_sgemm(CblasRowMajor, ta == JM_TRANS ? CblasTrans : CblasNoTrans,
                tb == JM_TRANS ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k,
                alpha, a, (blasint)lda, b, (blasint)ldb, beta, c, (blasint)ldc);
    return JM_K_OK;
}

int jm__sgemm_run_openblas(const jm__gemm_op *op, char *err, size_t err_len) {
    if (op->m == 0 || op->n == 0)
        return JM_K_OK;
    if (op->bp) /* pre-packed weights are a native-layout matter */
        return jm__sgemm_run(op, err, err_len);
    const bool plain = !op->a_rows && !op->c_rows && !op->epi.bias && !op->epi.gelu &&
                       !op->epi.residual && !op->epi.row_scale;
    if (plain)
        return jm_sgemm_openblas(op->ta, op->tb, op->m, op->n, op->k, op->alpha, op->a, op->lda,
                                 op->b, op->ldb, op->beta, op->c, op->ldc, op->threads, err,
                                 err_len);
    /* Gather A (if indexed) into scratch 3, compute T = op(A) op(B) into
     * scratch 2, then merge T into C with beta and the epilogue. */
    const float *a = op->a;
    size_t lda = op->lda;
    if (op->a_rows) {
        float *g = jm__scratch(3, op->m * op->k);
        if (!g)
            goto nomem;
        for (size_t i = 0; i < op->m; ++i)
            memcpy(g + i * op->k, op->a + (size_t)op->a_rows[i] * op->lda, op->k * sizeof(float));
        a = g;
        lda = op->k;
    }
    float *t = jm__scratch(2, op->m * op->n);
    if (!t)
        goto nomem;
    int rc = jm_sgemm_openblas(op->ta, op->tb, op->m, op->n, op->k, 1.0f, a, lda, op->b, op->ldb,
                               0.0f, t, op->n, op->threads, err, err_len);
    if (rc)
        return rc;
    for (size_t i = 0; i < op->m; ++i)
        jm__gemm_store_row(op, t + i * op->n, i, 0, op->n, true, true);
    return JM_K_OK;
nomem:
    if (err && err_len)
        snprintf(err, err_len, "gemm_openblas: cannot allocate scratch for %zu x %zu", op->m,
                 op->n > op->k ? op->n : op->k);
    return JM_K_ENOMEM;
}
