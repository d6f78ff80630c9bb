/* gemm.c - public GEMM entry points (jm_sgemm, jm_sgemm_gather_a): argument
 * checks with messages naming the argument, the residual-aliases-C rule, and
 * the hand-off to the native blocked driver (gemm_driver.c). */
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t err_len, int code,
                                                      const char *fmt, ...) {
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

static bool overlaps(const float *p, size_t p_len, const float *q, size_t q_len) {
    const uintptr_t a0 = (uintptr_t)p, a1 = a0 + p_len * sizeof(float);
    const uintptr_t b0 = (uintptr_t)q, b1 = b0 + q_len * sizeof(float);
    return a0 < b1 && b0 < a1;
}

/* Elements spanned by a rows x cols row-major matrix with leading dim ld. */
static size_t span(size_t rows, size_t cols, size_t ld) {
    return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
}

static int check_common(const jm__gemm_op *op, const jm_gemm_epilogue *epi, int threads, char *err,
                        size_t err_len) {
    const char *bad = "gemm: %s = %zu, expected >= %zu";
    const size_t a_cols = op->ta == JM_NO_TRANS ? op->k : op->m;
    const size_t b_cols = op->tb == JM_NO_TRANS ? op->n : op->k;
    if (op->ta != JM_NO_TRANS && op->ta != JM_TRANS)
        return fail(err, err_len, JM_K_EINVAL, "gemm: ta = %d, expected 0 or 1", (int)op->ta);
    if (op->tb != JM_NO_TRANS && op->tb != JM_TRANS)
        return fail(err, err_len, JM_K_EINVAL, "gemm: tb = %d, expected 0 or 1", (int)op->tb);
    if (threads < 0)
        return fail(err, err_len, JM_K_EINVAL, "gemm: %s = %d, expected >= 0", "threads", threads);
    if (op->m && op->k && op->lda < (a_cols ? a_cols : 1))
        return fail(err, err_len, JM_K_EINVAL, bad, "lda", op->lda, a_cols);
    if (op->k && op->n && op->ldb < (b_cols ? b_cols : 1))
        return fail(err, err_len, JM_K_EINVAL, bad, "ldb", op->ldb, b_cols);
    if (op->m && op->n && op->ldc < op->n)
        return fail(err, err_len, JM_K_EINVAL, bad, "ldc", op->ldc, op->n);
    if (op->m && op->n && !op->c)
        return fail(err, err_len, JM_K_EINVAL, "gemm: %s is NULL (m = %zu, n = %zu)", "c", op->m,
                    op->n);
    if (op->m && op->k && !op->a)
        return fail(err, err_len, JM_K_EINVAL, "gemm: %s is NULL (m = %zu, k = %zu)", "a", op->m,
                    op->k);
    if (op->k && op->n && !op->b)
        return fail(err, err_len, JM_K_EINVAL, "gemm: %s is NULL (k = %zu, n = %zu)", "b", op->k,
                    op->n);
    if (epi && epi->residual && op->m && op->n && epi->ld_residual < op->n)
        return fail(err, err_len, JM_K_EINVAL, bad, "epilogue.ld_residual", epi->ld_residual,
                    op->n);
    if (op->m && op->n && op->k) {
        const size_t c_len = span(op->m, op->n, op->ldc);
        const size_t a_rows = op->ta == JM_NO_TRANS ? op->m : op->k;
        const size_t b_rows = op->tb == JM_NO_TRANS ? op->k : op->n;
        if (!op->a_rows && overlaps(op->a, span(a_rows, a_cols, op->lda), op->c, c_len))
            return fail(err, err_len, JM_K_EINVAL,
                        "gemm: %s overlaps c (%zu x %zu); A and B must not alias C", "a", op->m,
                        op->n);
        if (overlaps(op->b, span(b_rows, b_cols, op->ldb), op->c, c_len))
            return fail(err, err_len, JM_K_EINVAL,
                        "gemm: %s overlaps c (%zu x %zu); A and B must not alias C", "b", op->m,
                        op->n);
    }
    return JM_K_OK;
}

static int run_checked(jm__gemm_op *op, const jm_gemm_epilogue *epi, int threads, char *err,
                       size_t err_len) {
    int rc = check_common(op, epi, threads, err, err_len);
    if (rc)
        return rc;
    op->threads = threads > 0 ? threads : omp_get_max_threads();
    memset(&op->epi, 0, sizeof(op->epi));
    if (epi) {
        op->epi.bias = epi->bias;
        op->epi.gelu = epi->gelu;
        op->epi.residual = epi->residual;
        op->epi.ld_residual = epi->ld_residual;
        op->epi.row_scale = epi->row_scale;
    }
    /* A residual that overlaps C is read before C is written only within one
     * kc block; copy it when the driver could overwrite it first. */
    float *copy = NULL;
    if (op->epi.residual && op->m && op->n &&
        overlaps(op->epi.residual, span(op->m, op->n, op->epi.ld_residual), op->c,
                 span(op->m, op->n, op->ldc))) {
        copy = malloc(op->m * op->n * sizeof(float));
        if (!copy)
            return fail(err, err_len, JM_K_ENOMEM, "gemm: cannot allocate %s copy (%zu bytes)",
                        "residual", op->m * op->n * sizeof(float));
        for (size_t i = 0; i < op->m; ++i)
            memcpy(copy + i * op->n, op->epi.residual + i * op->epi.ld_residual,
                   op->n * sizeof(float));
        op->epi.residual = copy;
        op->epi.ld_residual = op->n;
    }
    rc = jm__sgemm_run(op, err, err_len);
    free(copy);
    return rc;
}

/* The public entry points' common part: the op from their arguments. */
static int run_public(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
                      const float *a, size_t lda, const int32_t *a_rows, const float *b,
                      size_t ldb, float beta, float *c, size_t ldc, const jm_gemm_epilogue *epi,
                      int threads, char *err, size_t err_len) {
    jm__gemm_op op = {.ta = ta,
                      .tb = tb,
                      .m = m,
                      .n = n,
                      .k = k,
                      .alpha = alpha,
                      .a = a,
                      .lda = lda,
                      .a_rows = a_rows,
                      .b = b,
                      .ldb = ldb,
                      .beta = beta,
                      .c = c,
                      .ldc = ldc};
    return run_checked(&op, epi, threads, err, err_len);
}

int jm_sgemm(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha, const float *a,
             size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
             const jm_gemm_epilogue *epi, int threads, char *err, size_t err_len) {
    return run_public(ta, tb, m, n, k, alpha, a, lda, NULL, b, ldb, beta, c, ldc, epi, threads, err,
                      err_len);
}

int jm_sgemm_gather_a(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                      const int32_t *a_rows, const float *b, size_t ldb, float beta, float *c,
                      size_t ldc, const jm_gemm_epilogue *epi, int threads, char *err,
                      size_t err_len) {
    if (m && k && !a_rows)
        return fail(err, err_len, JM_K_EINVAL, "gemm_gather_a: %s is NULL (m = %zu)", "a_rows", m);
    for (size_t i = 0; m && k && i < m; ++i)
        if (a_rows[i] < 0)
            return fail(err, err_len, JM_K_EINVAL,
                        "gemm_gather_a: %s[%zu] = %d, expected a row index >= 0", "a_rows", i,
                        (int)a_rows[i]);
    return run_public(JM_NO_TRANS, JM_NO_TRANS, m, n, k, alpha, a, lda, a_rows, b, ldb, beta, c, ldc,
                      epi, threads, err, err_len);
}
