/* gemm_backend.c - what the comparison backend says when OpenBLAS was not
 * built in (JM_HAVE_OPENBLAS undefined): unavailable, JM_K_EBACKEND. Always
 * compiled; empty when gemm_openblas.c provides the real functions. */
#include <stdio.h>

#include "gemm_internal.h"

#ifndef JM_HAVE_OPENBLAS
bool jm_gemm_openblas_available(void) {
    return false;
}

const char *jm_gemm_openblas_corename(void) {
    return NULL;
}

int jm_sgemm_openblas(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
                      const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                      size_t ldc, int threads, char *err, size_t err_len) {
    (void)ta, (void)tb, (void)m, (void)n, (void)k, (void)alpha, (void)a, (void)lda, (void)b;
    (void)ldb, (void)beta, (void)c, (void)ldc, (void)threads;
    if (err && err_len)
        snprintf(err, err_len,
                 "backend: openblas was not built in (install libopenblas-dev "
                 "and reconfigure)");
    return JM_K_EBACKEND;
}

void jm__openblas_set_threads(int threads) {
    (void)threads;
}

int jm__sgemm_run_openblas(const jm__gemm_op *op, char *err, size_t err_len) {
    (void)op;
    return jm_sgemm_openblas(JM_NO_TRANS, JM_NO_TRANS, 0, 0, 0, 0.0f, NULL, 0, NULL, 0, 0.0f, NULL,
                             0, 0, err, err_len);
}
#else
/* ISO C forbids an empty translation unit. */
typedef int jm__gemm_backend_unused;
#endif
