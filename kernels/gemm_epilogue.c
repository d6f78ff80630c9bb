/* gemm_epilogue.c - merging a computed tile row into C (alpha, beta with the
 * beta = 0 rule: C is never read) and the fused epilogue (row scale, bias,
 * GELU, residual), plus the vectorisable tanh-GELU shared by the layers. */
#include <math.h>
#include <string.h>

#include "fastmath.h"
#include "gemm_internal.h"

JM_VECTOR_CLONES void jm__gelu_inplace(float *x, size_t n) {
    const float k0 = 0.7978845608028654f, k1 = 0.044715f;
    for (size_t j = 0; j < n; ++j) {
        const float v = x[j];
        const float u = k0 * (v + k1 * v * v * v);
        /* tanh(u) = 1 - 2 / (exp(2u) + 1), so 0.5 v (1 + tanh u) = v - v / (exp(2u) + 1) */
        x[j] = v - v / (jm__expf(2.0f * u) + 1.0f);
    }
}

double jm__gelu_d(double x) {
    return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

JM_VECTOR_CLONES void jm__epi_row(const jm__epi *e, float *c, size_t i, size_t crow, size_t j0, size_t len) {
    if (e->row_scale && !e->scale_last) {
        const float s = e->row_scale[i];
        for (size_t j = 0; j < len; ++j)
            c[j] *= s;
    }
    if (e->bias) {
        const float *b = e->bias + j0;
        for (size_t j = 0; j < len; ++j)
            c[j] += b[j];
    }
    if (e->gelu)
        jm__gelu_inplace(c, len);
    if (e->row_scale && e->scale_last) {
        const float s = e->row_scale[i];
        for (size_t j = 0; j < len; ++j)
            c[j] *= s;
    }
    if (e->residual) {
        const float *r = e->residual + crow * e->ld_residual + j0;
        for (size_t j = 0; j < len; ++j)
            c[j] += r[j];
    }
}

static bool has_epi(const jm__epi *e) {
    return e->bias || e->gelu || e->residual || e->row_scale;
}

bool jm__gemm_has_epi(const jm__epi *e) {
    return has_epi(e);
}

void jm__gemm_epi_tile(const jm__gemm_op *op, size_t i0, size_t rows, size_t j0, size_t cols) {
    for (size_t i = i0; i < i0 + rows; ++i)
        jm__epi_row(&op->epi, op->c + i * op->ldc + j0, i, i, j0, cols);
}

void jm__gemm_store_tile(const jm__gemm_op *op, const float *t, size_t ldt, size_t i0, size_t rows,
                         size_t j0, size_t cols, bool first, bool last) {
    const float alpha = op->alpha, beta = op->beta;
    const bool epi = last && has_epi(&op->epi);
    for (size_t i = 0; i < rows; ++i) {
        const size_t crow = op->c_rows ? (size_t)op->c_rows[i0 + i] : i0 + i;
        float *restrict c = op->c + crow * op->ldc + j0;
        const float *restrict ti = t + i * ldt;
        if (first && beta == 0.0f) {
            for (size_t j = 0; j < cols; ++j)
                c[j] = alpha * ti[j];
        } else if (!first || beta == 1.0f) {
            for (size_t j = 0; j < cols; ++j)
                c[j] += alpha * ti[j];
        } else {
            for (size_t j = 0; j < cols; ++j)
                c[j] = alpha * ti[j] + beta * c[j];
        }
        if (epi)
            jm__epi_row(&op->epi, c, i0 + i, crow, j0, cols);
    }
}

void jm__gemm_store_row(const jm__gemm_op *op, const float *t, size_t i, size_t j0, size_t len,
                        bool first, bool last) {
    const size_t crow = op->c_rows ? (size_t)op->c_rows[i] : i;
    float *c = op->c + crow * op->ldc + j0;
    const float alpha = op->alpha, beta = op->beta;
    if (!first) {
        for (size_t j = 0; j < len; ++j)
            c[j] += alpha * t[j];
    } else if (beta == 0.0f) {
        for (size_t j = 0; j < len; ++j)
            c[j] = alpha * t[j];
    } else if (beta == 1.0f) {
        for (size_t j = 0; j < len; ++j)
            c[j] += alpha * t[j];
    } else {
        for (size_t j = 0; j < len; ++j)
            c[j] = alpha * t[j] + beta * c[j];
    }
    if (last)
        jm__epi_row(&op->epi, c, i, crow, j0, len);
}
