/* gemm_driver.c - the native blocked GEMM: BLIS loop order (jc over nc, pc
 * over kc, ic over mc, jr over NR, ir over MR), B packed once per (jc, pc)
 * block by the whole OpenMP team, A packed per thread (through the row index
 * when gathering), the micro-kernel from the dispatch table, and the merge
 * into C with the epilogue on the last kc block. Work over (ic block x jr
 * range) items so that small m still keeps every thread busy. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "gemm_internal.h"

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t ceil_div(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

/* Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels. */
static void pack_a(const jm__gemm_op *op, size_t mr, size_t i0, size_t mc, size_t p0, size_t kc,
                   float *restrict ap)
{
    for (size_t ir = 0; ir < mc; ir += mr) {
        const size_t rows = min_sz(mr, mc - ir);
        float *dst = ap + ir * kc;
        if (op->ta == JM_NO_TRANS) {
            for (size_t i = 0; i < rows; ++i) {
                const size_t r = i0 + ir + i;
                const size_t arow = op->a_rows ? (size_t)op->a_rows[r] : r;
                const float *src = op->a + arow * op->lda + p0;
                for (size_t p = 0; p < kc; ++p)
                    dst[p * mr + i] = src[p];
            }
            for (size_t i = rows; i < mr; ++i)
                for (size_t p = 0; p < kc; ++p)
                    dst[p * mr + i] = 0.0f;
        } else {
            for (size_t p = 0; p < kc; ++p) {
                const float *src = op->a + (p0 + p) * op->lda + i0 + ir;
                float *d = dst + p * mr;
                size_t i = 0;
                for (; i < rows; ++i)
                    d[i] = src[i];
                for (; i < mr; ++i)
                    d[i] = 0.0f;
            }
        }
    }
}

/* Packs the NR-column panel starting at column j0 (cols < n valid) of rows
 * [p0, p0+kc) of op(B). */
static void pack_b_panel(const jm__gemm_op *op, size_t nr, size_t j0, size_t p0, size_t kc,
                         float *restrict dst)
{
    const size_t cols = min_sz(nr, op->n - j0);
    if (op->tb == JM_NO_TRANS) {
        for (size_t p = 0; p < kc; ++p) {
            const float *src = op->b + (p0 + p) * op->ldb + j0;
            float *d = dst + p * nr;
            if (cols == nr) {
                memcpy(d, src, nr * sizeof(float));
            } else {
                size_t j = 0;
                for (; j < cols; ++j)
                    d[j] = src[j];
                for (; j < nr; ++j)
                    d[j] = 0.0f;
            }
        }
    } else {
        for (size_t j = 0; j < cols; ++j) {
            const float *src = op->b + (j0 + j) * op->ldb + p0;
            for (size_t p = 0; p < kc; ++p)
                dst[p * nr + j] = src[p];
        }
        for (size_t j = cols; j < nr; ++j)
            for (size_t p = 0; p < kc; ++p)
                dst[p * nr + j] = 0.0f;
    }
}

/* Only the scaling and epilogue: alpha == 0 or k == 0. */
static void scale_only(const jm__gemm_op *op)
{
    float zero[64];
    memset(zero, 0, sizeof(zero));
    for (size_t i = 0; i < op->m; ++i)
        for (size_t j = 0; j < op->n; j += 64)
            jm__gemm_store_row(op, zero, i, j, min_sz(64, op->n - j), true, true);
}

typedef struct plan {
    const jm__ukr *u;
    size_t mr, nr, kc, mc, nc;
    int threads;
} plan;

static void macro_tile(const jm__gemm_op *op, const plan *pl, const float *ap, const float *bp,
                       size_t i0, size_t mc, size_t j0, size_t panel_lo, size_t panel_hi,
                       size_t kc, bool first, bool last, float *tile)
{
    const size_t mr = pl->mr, nr = pl->nr;
    for (size_t jp = panel_lo; jp < panel_hi; ++jp) {
        const float *bpan = bp + jp * nr * kc;
        const size_t jcol = j0 + jp * nr;
        const size_t cols = min_sz(nr, op->n - jcol);
        for (size_t ir = 0; ir < mc; ir += mr) {
            const size_t rows = min_sz(mr, mc - ir);
            pl->u->fn(kc, ap + ir * kc, bpan, tile);
            for (size_t i = 0; i < rows; ++i)
                jm__gemm_store_row(op, tile + i * nr, i0 + ir + i, jcol, cols, first, last);
        }
    }
}

int jm__sgemm_run(const jm__gemm_op *op, char *err, size_t err_len)
{
    if (op->m == 0 || op->n == 0)
        return JM_K_OK;
    if (op->k == 0 || op->alpha == 0.0f) {
        scale_only(op);
        return JM_K_OK;
    }
    plan pl;
    pl.u = jm__gemm_ukr();
    pl.mr = (size_t)pl.u->mr;
    pl.nr = (size_t)pl.u->nr;
    jm__blocking bl;
    jm__gemm_blocking(pl.u, &bl);
    pl.kc = bl.kc;
    pl.nc = bl.nc;
    pl.mc = bl.mc;
    /* Threads: no more than there is work (one MR x NR tile per ~64 kflop). */
    int t = op->threads < 1 ? 1 : op->threads;
    const double flops = 2.0 * (double)op->m * (double)op->n * (double)op->k;
    if (flops < 2e5 * t)
        t = (int)(flops / 2e5) < 1 ? 1 : (int)(flops / 2e5);
    /* Row blocks: a multiple of the team when m is large, else one block and
     * the team splits the NR panels. */
    size_t nb = ceil_div(op->m, pl.mc);
    size_t jr_splits = 1;
    if (t > 1) {
        if (op->m >= (size_t)t * 4 * pl.mr) {
            nb = ceil_div(nb, (size_t)t) * (size_t)t;
        } else {
            jr_splits = (size_t)t;
        }
    }
    const size_t mc = ceil_div(ceil_div(op->m, nb), pl.mr) * pl.mr;
    nb = ceil_div(op->m, mc);
    pl.mc = mc;
    pl.threads = t;

    const size_t kc_max = min_sz(pl.kc, op->k);
    const size_t nc_max = min_sz(pl.nc, ceil_div(op->n, pl.nr) * pl.nr);
    float *bp = jm__scratch(1, kc_max * nc_max);
    if (!bp) {
        if (err && err_len)
            snprintf(err, err_len, "gemm: cannot allocate %zu bytes for packed B",
                     kc_max * nc_max * sizeof(float));
        return JM_K_ENOMEM;
    }
    int failed = 0;
#pragma omp parallel num_threads(t) if (t > 1) reduction(| : failed)
    {
        const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        float *ap = jm__scratch(0, mc * kc_max);
        float *tile = jm__scratch(2, pl.mr * pl.nr);
        const bool ok = ap && tile;
        if (!ok)
            failed = 1;
        for (size_t jc = 0; jc < op->n; jc += pl.nc) {
            const size_t nc = min_sz(pl.nc, op->n - jc);
            const size_t npanels = ceil_div(nc, pl.nr);
            const size_t splits = min_sz(jr_splits, npanels);
            const size_t items = nb * splits;
            for (size_t pc = 0; pc < op->k; pc += pl.kc) {
                const size_t kc = min_sz(pl.kc, op->k - pc);
                for (size_t jp = (size_t)tid; jp < npanels; jp += (size_t)nt)
                    pack_b_panel(op, pl.nr, jc + jp * pl.nr, pc, kc, bp + jp * pl.nr * kc);
#pragma omp barrier
                size_t packed_ib = (size_t)-1;
                for (size_t it = (size_t)tid; ok && it < items; it += (size_t)nt) {
                    const size_t ib = it / splits, js = it % splits;
                    const size_t i0 = ib * mc;
                    const size_t rows = min_sz(mc, op->m - i0);
                    if (ib != packed_ib) {
                        pack_a(op, pl.mr, i0, rows, pc, kc, ap);
                        packed_ib = ib;
                    }
                    const size_t lo = npanels * js / splits, hi = npanels * (js + 1) / splits;
                    macro_tile(op, &pl, ap, bp, i0, rows, jc, lo, hi, kc, pc == 0,
                               pc + kc >= op->k, tile);
                }
#pragma omp barrier
            }
        }
    }
    if (failed) {
        if (err && err_len)
            snprintf(err, err_len, "gemm: cannot allocate %zu bytes for packed A",
                     mc * kc_max * sizeof(float));
        return JM_K_ENOMEM;
    }
    return JM_K_OK;
}
