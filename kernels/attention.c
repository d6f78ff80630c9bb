/* attention.c - multi-head self-attention, flash style, straight on the GEMM
 * micro-kernel. Per (sequence, head): K is packed once into MR-row A
 * micro-panels (keys x dh) and V^T once into MR-row A micro-panels (dh x
 * keys). Then per panel of NR queries, Q^T is packed as one B micro-panel
 * (dh x NR) and the keys are visited in blocks of BK (a multiple of MR):
 *   S^T = K Q^T      the micro-kernel writes each MR x NR tile where it
 *                    belongs in a B micro-panel (BK x NR), so the scores are
 *                    never repacked;
 *   softmax          online, down the columns (one query per vector lane):
 *                    running max and sum per query, the 1/sqrt(dh) scale
 *                    applied inside the exp, P^T = exp(...) in place;
 *   O^T = O^T corr + V^T P^T   accumulated by the micro-kernel (dh x NR).
 * Finally out = (O^T)^T / sum. Only one BK x NR tile of scores exists per
 * thread. Bidirectional (not causal): every token attends to all seq_len
 * tokens of its sequence, as in an encoder layer (see docs/kernels.md).
 * Parallel over (sequence, head) items. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "fastmath.h"
#include "workload_internal.h"

enum { BK_TARGET = 128, NR_MAX = 64 };

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

static size_t round_up(size_t a, size_t b) {
    return (a + b - 1) / b * b;
}

/* Per-thread buffers of one (sequence, head) item, carved from one scratch. */
typedef struct att_buf {
    float *kp;   /* K: ceil(S / MR) A micro-panels of MR keys x dh */
    float *vt;   /* V^T: ceil(dh / MR) A micro-panels of MR dims x S keys */
    float *qp;   /* Q^T: one B micro-panel, dh x NR */
    float *p;    /* S^T, then P^T: one B micro-panel, BK x NR */
    float *ot;   /* O^T: ceil(dh / MR) * MR rows x NR */
    float *m, *l, *corr; /* per query: running max, running sum, rescale */
} att_buf;

static size_t buf_floats(size_t S, size_t dh, size_t mr, size_t nr, size_t bk) {
    return round_up(S, mr) * dh + round_up(dh, mr) * S + dh * nr + bk * nr +
           round_up(dh, mr) * nr + 3 * nr;
}

static att_buf carve(float *f, size_t S, size_t dh, size_t mr, size_t nr, size_t bk) {
    att_buf b;
    b.kp = f;
    b.vt = b.kp + round_up(S, mr) * dh;
    b.qp = b.vt + round_up(dh, mr) * S;
    b.p = b.qp + dh * nr;
    b.ot = b.p + bk * nr;
    b.m = b.ot + round_up(dh, mr) * nr;
    b.l = b.m + nr;
    b.corr = b.l + nr;
    return b;
}

/* Online softmax step on the nk x nr score panel p (row p holds the scores of
 * key p for the nr queries): p becomes exp(scale (s - max_new)), and per
 * query the running max (raw units; scale > 0 keeps the order), the running
 * sum and the factor corr that rescales what O^T holds so far. */
JM_VECTOR_CLONES static void softmax_cols(float *p, size_t nk, size_t nr, float scale,
                                          float *m_run, float *l_run, float *corr) {
    float mx[NR_MAX], sum[NR_MAX];
    for (size_t j = 0; j < nr; ++j) {
        mx[j] = m_run[j];
        sum[j] = 0.0f;
    }
    for (size_t k = 0; k < nk; ++k)
        for (size_t j = 0; j < nr; ++j)
            mx[j] = p[k * nr + j] > mx[j] ? p[k * nr + j] : mx[j];
    for (size_t k = 0; k < nk; ++k)
        for (size_t j = 0; j < nr; ++j) {
            const float e = jm__expf((p[k * nr + j] - mx[j]) * scale);
            p[k * nr + j] = e;
            sum[j] += e;
        }
    for (size_t j = 0; j < nr; ++j) {
        corr[j] = jm__expf((m_run[j] - mx[j]) * scale);
        l_run[j] = l_run[j] * corr[j] + sum[j];
        m_run[j] = mx[j];
    }
}

/* O^T rows *= corr, column by column (the queries). */
JM_VECTOR_CLONES static void rescale_cols(float *ot, size_t rows, size_t nr, const float *corr) {
    for (size_t d = 0; d < rows; ++d)
        for (size_t j = 0; j < nr; ++j)
            ot[d * nr + j] *= corr[j];
}

/* Attention of head h of the sequence whose rows start at qkv row row0. */
static void head_item(const jm__ukr *u, const float *qkv, float *out, size_t row0, size_t S,
                      size_t D, size_t h, size_t dh, size_t bk, att_buf *b) {
    const size_t mr = (size_t)u->mr, nr = (size_t)u->nr, ld = 3 * D;
    const size_t dpanels = round_up(dh, mr) / mr;
    const float scale = 1.0f / sqrtf((float)dh);
    const float *q = qkv + row0 * ld + h * dh, *k = q + D, *v = k + D;
    /* K as A (keys x dh), V^T as A (dh x keys): op(A)(d, p) = v[p * ld + d] */
    const jm__gemm_op kop = {.ta = JM_NO_TRANS, .m = S, .k = dh, .a = k, .lda = ld};
    jm__gemm_pack_a(&kop, u, 0, S, 0, dh, b->kp);
    const jm__gemm_op vop = {.ta = JM_TRANS, .m = dh, .k = S, .a = v, .lda = ld};
    jm__gemm_pack_a(&vop, u, 0, dh, 0, S, b->vt);
    /* Q^T as B (dh x S): column j is the storage row q + j * ld */
    const jm__gemm_op qop = {.tb = JM_TRANS, .n = S, .k = dh, .b = q, .ldb = ld};
    for (size_t q0 = 0; q0 < S; q0 += nr) {
        const size_t nq = min_sz(nr, S - q0);
        jm__gemm_pack_b_panel(&qop, u, q0, 0, dh, b->qp);
        for (size_t j = 0; j < nr; ++j) {
            b->m[j] = -INFINITY;
            b->l[j] = 0.0f;
        }
        for (size_t k0 = 0; k0 < S; k0 += bk) {
            const size_t nk = min_sz(bk, S - k0);
            for (size_t t = 0; t * mr < nk; ++t) /* S^T tiles, in B-panel layout */
                u->fn(dh, b->kp + (k0 + t * mr) * dh, b->qp, b->p + t * mr * nr);
            softmax_cols(b->p, nk, nr, scale, b->m, b->l, b->corr);
            if (k0 > 0)
                rescale_cols(b->ot, dpanels * mr, nr, b->corr);
            for (size_t dp = 0; dp < dpanels; ++dp)
                u->upd(nk, b->vt + dp * mr * S + k0 * mr, b->p, b->ot + dp * mr * nr, nr,
                       k0 > 0);
        }
        for (size_t j = 0; j < nq; ++j) {
            float *dst = out + (row0 + q0 + j) * D + h * dh;
            const float inv = 1.0f / b->l[j];
            for (size_t d = 0; d < dh; ++d)
                dst[d] = b->ot[d * nr + j] * inv;
        }
    }
}

int jm__attention(const float *qkv, float *out, size_t n_seq, size_t S, size_t D, size_t H,
                  int threads, char *err, size_t err_len) {
    const jm__ukr *u = jm__gemm_ukr();
    const size_t mr = (size_t)u->mr, nr = (size_t)u->nr, dh = D / H;
    const size_t bk = BK_TARGET >= mr ? BK_TARGET / mr * mr : mr;
    const size_t need = buf_floats(S, dh, mr, nr, bk);
    const long items = (long)(n_seq * H);
    if (nr > NR_MAX) { /* no micro-kernel is that wide; softmax_cols' lanes */
        if (err && err_len)
            snprintf(err, err_len, "attention: micro-kernel %s has NR %zu > %d", u->name, nr,
                     (int)NR_MAX);
        return JM_K_EINVAL;
    }
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1) reduction(| : failed)
    {
        float *f = jm__scratch(3, need);
        att_buf b;
        if (f)
            b = carve(f, S, dh, mr, nr, bk);
        else
            failed = 1;
#pragma omp for schedule(dynamic, 1)
        for (long item = 0; item < items; ++item) {
            if (!f)
                continue;
            const size_t seq = (size_t)item / H, h = (size_t)item % H;
            head_item(u, qkv, out, seq * S, S, D, h, dh, bk, &b);
        }
    }
    if (failed) {
        if (err && err_len)
            snprintf(err, err_len, "attention: cannot allocate scratch (%zu bytes per thread)",
                     need * sizeof(float));
        return JM_K_ENOMEM;
    }
    return JM_K_OK;
}
