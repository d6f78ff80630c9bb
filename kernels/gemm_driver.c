/* gemm_driver.c - the native blocked GEMM: BLIS loop order (jc over nc, pc
 * over kc, ic over mc, jr over NR, ir over MR), B packed per (jc, pc) block
 * unless it is pre-packed (weights), A packed per mc block (through the row
 * index when gathering), both with the variant's own packing routines where
 * it has them, the next B micro-panel fetched into L2 during the ir loop,
 * the micro-kernel from the dispatch table, and the merge into C with the
 * epilogue on the last kc block (scattered C rows are staged contiguously
 * and merged once). A few rows against pre-packed weights (MoE experts at
 * small batches) take a weight-streaming path instead. OpenMP: the rows (or
 * the columns) are split into one independent part per thread, no barriers. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "gemm_internal.h"

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

static size_t ceil_div(size_t a, size_t b) {
    return (a + b - 1) / b;
}

/* Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels,
 * with the micro-kernel's own packing routine when it has one. */
void jm__gemm_pack_a(const jm__gemm_op *op, const jm__ukr *u, size_t i0, size_t mc, size_t p0,
                   size_t kc, float *restrict ap) {
    const size_t mr = (size_t)u->mr;
    for (size_t ir = 0; ir < mc; ir += mr) {
        const size_t rows = min_sz(mr, mc - ir);
        float *dst = ap + ir * kc;
        if (op->ta == JM_NO_TRANS && u->pack_a) {
            const float *src[32];
            for (size_t i = 0; i < rows; ++i) {
                const size_t r = i0 + ir + i;
                const size_t arow = op->a_rows ? (size_t)op->a_rows[r] : r;
                src[i] = op->a + arow * op->lda + p0;
            }
            u->pack_a(kc, src, rows, dst);
        } else if (op->ta == JM_NO_TRANS) {
            /* 16 columns at a time through a small transposed block in L1:
             * contiguous loads per row, contiguous stores per column */
            const float *src[32];
            for (size_t i = 0; i < mr; ++i) {
                const size_t r = i0 + ir + (i < rows ? i : 0);
                const size_t arow = op->a_rows ? (size_t)op->a_rows[r] : r;
                src[i] = op->a + arow * op->lda + p0;
            }
            size_t p = 0;
            for (; p + 16 <= kc; p += 16) {
                float blk[16][32];
                for (size_t i = 0; i < rows; ++i)
                    for (size_t q = 0; q < 16; ++q)
                        blk[q][i] = src[i][p + q];
                for (size_t i = rows; i < mr; ++i)
                    for (size_t q = 0; q < 16; ++q)
                        blk[q][i] = 0.0f;
                for (size_t q = 0; q < 16; ++q)
                    for (size_t i = 0; i < mr; ++i)
                        dst[(p + q) * mr + i] = blk[q][i];
            }
            for (; p < kc; ++p)
                for (size_t i = 0; i < mr; ++i)
                    dst[p * mr + i] = i < rows ? src[i][p] : 0.0f;
        } else {
            /* op(A) = A^T: the panel's rows are a run of `rows` floats of each
             * row of A (copied whole; a float loop with a run-time length of
             * 12 does not vectorise) */
            for (size_t p = 0; p < kc; ++p) {
                float *d = dst + p * mr;
                memcpy(d, op->a + (p0 + p) * op->lda + i0 + ir, rows * sizeof(float));
                if (rows < mr)
                    memset(d + rows, 0, (mr - rows) * sizeof(float));
            }
        }
    }
}

/* Packs the NR-column panel starting at column j0 (cols < n valid) of rows
 * [p0, p0+kc) of op(B). */
void jm__gemm_pack_b_panel(const jm__gemm_op *op, const jm__ukr *u, size_t j0, size_t p0, size_t kc,
                         float *restrict dst) {
    const size_t nr = (size_t)u->nr;
    const size_t cols = min_sz(nr, op->n - j0);
    if (!op->bp && op->tb == JM_TRANS && u->pack_bt) {
        u->pack_bt(kc, op->b + j0 * op->ldb + p0, op->ldb, cols, dst);
    } else if (op->bp) {
        for (size_t p = 0; p < kc; ++p) {
            float *d = dst + p * nr;
            size_t j = 0;
            for (; j < cols; ++j) {
                const size_t jj = j0 + j;
                d[j] = op->bp[(jj / op->bp_nr) * op->bp_stride + (p0 + p) * op->bp_nr +
                              jj % op->bp_nr];
            }
            for (; j < nr; ++j)
                d[j] = 0.0f;
        }
    } else if (op->tb == JM_NO_TRANS) {
        for (size_t p = 0; p < kc; ++p) {
            const float *src = op->b + (p0 + p) * op->ldb + j0;
            float *d = dst + p * nr;
            if (cols == nr) {
                for (size_t j = 0; j < nr; ++j) /* inline: nr floats, not a libc call */
                    d[j] = src[j];
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
static void scale_only(const jm__gemm_op *op) {
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

/* bp: first B micro-panel of the block, panel_stride: elements between
 * consecutive micro-panels (nr * kc when packed here, the weight's panel
 * stride when pre-packed). */
static void macro_tile(const jm__gemm_op *op, const plan *pl, const float *ap, const float *bp,
                       size_t panel_stride, size_t i0, size_t mc, size_t j0, size_t panel_lo,
                       size_t panel_hi, size_t kc, bool first, bool last, float *tile) {
    const size_t mr = pl->mr, nr = pl->nr;
    /* full tiles go straight into C when no scaling or scatter is needed */
    const bool direct = pl->u->upd && !op->c_rows && op->alpha == 1.0f &&
                        (!first || op->beta == 0.0f || op->beta == 1.0f);
    const bool epi = jm__gemm_has_epi(&op->epi);
    /* The next B micro-panel is fetched into L2 in slices, one per A panel:
     * pre-packed weights (MoE experts, few rows) come straight from memory.
     * Full tiles spread their slice over the k loop (upd_pf) where the
     * variant can; the rest issue it before the tile. */
    const size_t lines = kc * nr * sizeof(float) / 64;
    const size_t slice = ceil_div(lines, ceil_div(mc, mr));
    for (size_t jp = panel_lo; jp < panel_hi; ++jp) {
        const float *bpan = bp + jp * panel_stride;
        const float *bnext = jp + 1 < panel_hi ? bpan + panel_stride : NULL;
        const size_t jcol = j0 + jp * nr;
        const size_t cols = min_sz(nr, op->n - jcol);
        for (size_t ir = 0; ir < mc; ir += mr) {
            const size_t rows = min_sz(mr, mc - ir);
            const size_t l0 = min_sz(ir / mr * slice, lines), l1 = min_sz(l0 + slice, lines);
            const bool full = direct && rows == mr && cols == nr;
            if (bnext && !(full && pl->u->upd_pf))
                for (size_t l = l0; l < l1; ++l)
                    __builtin_prefetch(bnext + l * (64 / sizeof(float)), 0, 2);
            if (full) {
                float *c = op->c + (i0 + ir) * op->ldc + jcol;
                const bool acc = !first || op->beta != 0.0f;
                if (bnext && pl->u->upd_pf)
                    pl->u->upd_pf(kc, ap + ir * kc, bpan, c, op->ldc, acc,
                                  bnext + l0 * (64 / sizeof(float)), l1 - l0);
                else
                    pl->u->upd(kc, ap + ir * kc, bpan, c, op->ldc, acc);
                if (last && epi)
                    jm__gemm_epi_tile(op, i0 + ir, rows, jcol, cols);
                continue;
            }
            if (direct && cols == nr && rows <= (size_t)pl->u->edge_rows && pl->u->upd_edge) {
                pl->u->upd_edge(kc, ap + ir * kc, bpan, op->c + (i0 + ir) * op->ldc + jcol,
                                op->ldc, !first || op->beta != 0.0f, rows);
                if (last && epi)
                    jm__gemm_epi_tile(op, i0 + ir, rows, jcol, cols);
                continue;
            }
            pl->u->fn(kc, ap + ir * kc, bpan, tile);
            jm__gemm_store_tile(op, tile, nr, i0 + ir, rows, jcol, cols, first, last);
        }
    }
}

/* Rows up to which a GEMM on pre-packed weights streams them (see below). */
enum { STREAM_TILES = 8, STREAM_SKIP = 512 };

/* Few rows against pre-packed weights (MoE experts at small batches, the
 * serving end): the GEMM is bound by reading the weights, so they are read as
 * one sequential stream, which the hardware prefetchers follow at full
 * bandwidth: weight panel after panel (each contiguous over its whole K),
 * kc chunk after chunk, every A micro-panel applied to the chunk while it is
 * in L1. All of op(A) is packed up front (at most STREAM_TILES * MR rows). */
static int run_stream_weights(const jm__gemm_op *op, const plan *pl) {
    const size_t mpad = ceil_div(op->m, pl->mr) * pl->mr;
    float *ap = jm__scratch(0, mpad * op->k);
    float *tile = jm__scratch(2, pl->mr * pl->nr);
    if (!ap || !tile)
        return JM_K_ENOMEM;
    for (size_t pc = 0; pc < op->k; pc += pl->kc)
        jm__gemm_pack_a(op, pl->u, 0, op->m, pc, min_sz(pl->kc, op->k - pc), ap + pc * mpad);
    const size_t npanels = ceil_div(op->n, pl->nr);
    const size_t end = (npanels - 1) * op->bp_stride + op->k * pl->nr; /* of the weight */
    for (size_t jp = 0; jp < npanels; ++jp)
        for (size_t pc = 0; pc < op->k; pc += pl->kc) {
            const size_t kc = min_sz(pl->kc, op->k - pc);
            /* one chunk ahead (past the first lines, which the hardware
             * streamer has in flight already), in one burst into L1: at 8
             * rows per expert 10% faster than the streamer alone, and 10-25%
             * faster than spreading it over the k loop (upd_pf) into L2 */
            const size_t ahead = jp * op->bp_stride + (pc + kc) * pl->nr + STREAM_SKIP;
            for (size_t l = ahead, le = min_sz(ahead + kc * pl->nr, end); l < le;
                 l += 64 / sizeof(float))
                __builtin_prefetch(op->bp + l, 0, 3);
            macro_tile(op, pl, ap + pc * mpad, op->bp + pc * pl->nr, op->bp_stride, 0, op->m, 0,
                       jp, jp + 1, kc, pc == 0, pc + kc >= op->k, tile);
        }
    return JM_K_OK;
}

/* The kc x nc block of op(B) at (pc, jc): the pre-packed weight panels in
 * place, or packed into bp. Sets *pstride (elements between micro-panels). */
static const float *b_block(const jm__gemm_op *op, const plan *pl, size_t jc, size_t nc,
                            size_t pc, size_t kc, float *bp, size_t *pstride) {
    const size_t npanels = ceil_div(nc, pl->nr);
    if (op->bp && op->bp_nr == pl->nr) {
        *pstride = op->bp_stride;
        return op->bp + (jc / pl->nr) * op->bp_stride + pc * pl->nr;
    }
    *pstride = pl->nr * kc;
    if (!op->bp && op->tb == JM_NO_TRANS && nc % pl->nr == 0 && pl->u->pack_b) {
        pl->u->pack_b(kc, npanels, op->b + pc * op->ldb + jc, op->ldb, bp);
    } else if (!op->bp && op->tb == JM_NO_TRANS && nc % pl->nr == 0) {
        /* row by row: each B row segment is read sequentially once */
        for (size_t p = 0; p < kc; ++p) {
            const float *src = op->b + (pc + p) * op->ldb + jc;
            for (size_t jp = 0; jp < npanels; ++jp) {
                float *d = bp + jp * pl->nr * kc + p * pl->nr;
                const float *s = src + jp * pl->nr;
                for (size_t j = 0; j < pl->nr; ++j)
                    d[j] = s[j];
            }
        }
    } else {
        for (size_t jp = 0; jp < npanels; ++jp)
            jm__gemm_pack_b_panel(op, pl->u, jc + jp * pl->nr, pc, kc, bp + jp * pl->nr * kc);
    }
    return bp;
}

/* Single-threaded BLIS loops on the calling thread. Returns 0 or ENOMEM. */
static int run_serial(const jm__gemm_op *op, const plan *base) {
    plan pl = *base;
    if (op->bp && op->bp_nr == pl.nr && op->m <= STREAM_TILES * pl.mr)
        return run_stream_weights(op, &pl);
    const size_t kc_max = min_sz(pl.kc, op->k);
    const size_t nc_max = min_sz(pl.nc, ceil_div(op->n, pl.nr) * pl.nr);
    /* equal row blocks: m = 1024 with mc 1020 would leave a 4-row block */
    const size_t n_ib = ceil_div(op->m, pl.mc);
    const size_t mc = ceil_div(ceil_div(op->m, n_ib), pl.mr) * pl.mr;
    const bool prepacked = op->bp && op->bp_nr == pl.nr;
    float *bp = prepacked ? NULL : jm__scratch(1, kc_max * nc_max);
    float *ap = jm__scratch(0, mc * kc_max);
    float *tile = jm__scratch(2, pl.mr * pl.nr);
    if ((!prepacked && !bp) || !ap || !tile)
        return JM_K_ENOMEM;
    size_t pstride;
    if (n_ib == 1 && !prepacked) {
        /* one row block: pc outside jc, so that A is packed once per kc step
         * instead of once per (jc, pc) block (n / nc times) */
        for (size_t pc = 0; pc < op->k; pc += pl.kc) {
            const size_t kc = min_sz(pl.kc, op->k - pc);
            jm__gemm_pack_a(op, pl.u, 0, op->m, pc, kc, ap);
            for (size_t jc = 0; jc < op->n; jc += pl.nc) {
                const size_t nc = min_sz(pl.nc, op->n - jc);
                const float *bb = b_block(op, &pl, jc, nc, pc, kc, bp, &pstride);
                macro_tile(op, &pl, ap, bb, pstride, 0, op->m, jc, 0, ceil_div(nc, pl.nr), kc,
                           pc == 0, pc + kc >= op->k, tile);
            }
        }
        return JM_K_OK;
    }
    for (size_t jc = 0; jc < op->n; jc += pl.nc) {
        const size_t nc = min_sz(pl.nc, op->n - jc);
        for (size_t pc = 0; pc < op->k; pc += pl.kc) {
            const size_t kc = min_sz(pl.kc, op->k - pc);
            const float *bb = b_block(op, &pl, jc, nc, pc, kc, bp, &pstride);
            for (size_t i0 = 0; i0 < op->m; i0 += mc) {
                const size_t rows = min_sz(mc, op->m - i0);
                jm__gemm_pack_a(op, pl.u, i0, rows, pc, kc, ap);
                macro_tile(op, &pl, ap, bb, pstride, i0, rows, jc, 0, ceil_div(nc, pl.nr), kc,
                           pc == 0, pc + kc >= op->k, tile);
            }
        }
    }
    return JM_K_OK;
}

/* A GEMM that scatters C rows: computed into a contiguous per-thread
 * staging block (full tiles go straight in, no merge per kc block), then
 * merged once into the scattered rows with beta and the epilogue. */
static int run_serial_scatter(const jm__gemm_op *op, const plan *pl) {
    float *stage = jm__scratch(4, op->m * op->n);
    if (!stage)
        return JM_K_ENOMEM;
    jm__gemm_op inner = *op;
    inner.c = stage;
    inner.ldc = op->n;
    inner.c_rows = NULL;
    inner.beta = 0.0f;
    memset(&inner.epi, 0, sizeof(inner.epi));
    const int rc = run_serial(&inner, pl);
    if (rc)
        return rc;
    jm__gemm_op outer = *op;
    outer.alpha = 1.0f; /* alpha is in the staged values */
    for (size_t i = 0; i < op->m; ++i)
        jm__gemm_store_row(&outer, stage + i * op->n, i, 0, op->n, true, true);
    return JM_K_OK;
}

/* The part of op that thread `part` of `parts` computes: a range of rows
 * (multiples of MR) or of columns (multiples of NR); every operand pointer
 * is moved so that the part is a GEMM of its own. */
static void split_op(const jm__gemm_op *op, const plan *pl, bool by_rows, int part, int parts,
                     jm__gemm_op *sub) {
    *sub = *op;
    const size_t unit = by_rows ? pl->mr : pl->nr;
    const size_t total = ceil_div(by_rows ? op->m : op->n, unit);
    const size_t lo = total * (size_t)part / (size_t)parts * unit;
    size_t hi = total * (size_t)(part + 1) / (size_t)parts * unit;
    const size_t dim = by_rows ? op->m : op->n;
    hi = min_sz(hi, dim);
    if (lo >= hi) {
        sub->m = by_rows ? 0 : sub->m;
        sub->n = by_rows ? sub->n : 0;
        return;
    }
    if (by_rows) {
        sub->m = hi - lo;
        if (op->a_rows)
            sub->a_rows = op->a_rows + lo;
        else
            sub->a = op->ta == JM_NO_TRANS ? op->a + lo * op->lda : op->a + lo;
        if (op->c_rows) {
            sub->c_rows = op->c_rows + lo; /* residual follows C's rows */
        } else {
            sub->c = op->c + lo * op->ldc;
            if (op->epi.residual)
                sub->epi.residual = op->epi.residual + lo * op->epi.ld_residual;
        }
        if (op->epi.row_scale)
            sub->epi.row_scale = op->epi.row_scale + lo;
    } else {
        sub->n = hi - lo;
        sub->b = op->tb == JM_NO_TRANS ? op->b + lo : op->b + lo * op->ldb;
        sub->c = op->c + lo;
        if (op->epi.bias)
            sub->epi.bias = op->epi.bias + lo;
        if (op->epi.residual)
            sub->epi.residual = op->epi.residual + lo;
    }
}

int jm__sgemm_run(const jm__gemm_op *op, char *err, size_t err_len) {
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
    /* Threads: no more than there is work (~1 Mflop each), and no more than
     * there are MR rows / NR columns to share. */
    int t = op->threads < 1 ? 1 : op->threads;
    const double flops = 2.0 * (double)op->m * (double)op->n * (double)op->k;
    if (flops < 1e6 * t)
        t = (int)(flops / 1e6) < 1 ? 1 : (int)(flops / 1e6);
    /* Each thread computes an independent part, packing what it reads: no
     * barrier, so a descheduled thread never stalls the others mid-GEMM.
     * Split the rows when B is pre-packed (nothing to repack; and its panels
     * need not align with our NR) or m >= n, else the columns; the other
     * operand is packed by every thread. */
    const bool by_rows = op->bp || op->m >= op->n;
    const size_t units = by_rows ? ceil_div(op->m, pl.mr) : ceil_div(op->n, pl.nr);
    if ((size_t)t > units)
        t = (int)units;
    pl.threads = t;
    int failed = 0;
    if (t == 1) {
        failed = (op->c_rows ? run_serial_scatter(op, &pl) : run_serial(op, &pl)) != JM_K_OK;
    } else {
#pragma omp parallel num_threads(t) reduction(| : failed)
        {
            jm__gemm_op sub;
            split_op(op, &pl, by_rows, omp_get_thread_num(), omp_get_num_threads(), &sub);
            if (sub.m && sub.n &&
                (sub.c_rows ? run_serial_scatter(&sub, &pl) : run_serial(&sub, &pl)) != JM_K_OK)
                failed = 1;
        }
    }
    if (failed) {
        if (err && err_len)
            snprintf(err, err_len, "gemm: cannot allocate packing buffers (%zu + %zu bytes)",
                     pl.mc * pl.kc * sizeof(float), pl.kc * pl.nc * sizeof(float));
        return JM_K_ENOMEM;
    }
    return JM_K_OK;
}
