/* attention.c - multi-head self-attention, flash style: for each (sequence,
 * head) and block of BQ queries, the keys are visited in blocks of BK; the
 * BQ x BK score tile S = Q K^T and the update O = O * corr + P V run on the
 * blocked GEMM (single-threaded, reading Q, K and V in place from the qkv
 * rows through their stride), with an online softmax (running max and sum,
 * the 1/sqrt(dh) scale applied inside its exp) in between. Only one BQ x BK
 * score tile exists per thread. Bidirectional (not causal): every token
 * attends to all seq_len tokens of its sequence, as in an encoder layer (see
 * docs/kernels.md). Parallel over (sequence, head, query block) items. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "fastmath.h"
#include "workload_internal.h"

enum { BQ = 128, BK = 128 };

static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

/* Online softmax step on an nq x nk tile of raw scores q.k (row stride BK):
 * turns them into exp(scale (s - m_new)), updates the running max (raw
 * units; scale > 0 keeps the order) and sum, and returns each row's
 * correction factor for O in corr[]. */
static void softmax_step(float *s, size_t nq, size_t nk, float scale, float *m_run, float *l_run,
                         float *corr) {
    enum { W = 16 }; /* partial max/sum lanes: keeps the loops vectorisable */
    for (size_t i = 0; i < nq; ++i) {
        float *si = s + i * BK;
        float pm[W], ps[W];
        for (size_t u = 0; u < W; ++u) {
            pm[u] = m_run[i];
            ps[u] = 0.0f;
        }
        size_t j = 0;
        for (; j + W <= nk; j += W)
            for (size_t u = 0; u < W; ++u)
                pm[u] = si[j + u] > pm[u] ? si[j + u] : pm[u];
        float mx = m_run[i];
        for (size_t u = 0; u < W; ++u)
            mx = pm[u] > mx ? pm[u] : mx;
        for (; j < nk; ++j)
            mx = si[j] > mx ? si[j] : mx;
        for (j = 0; j < nk; ++j)
            si[j] = jm__expf((si[j] - mx) * scale);
        for (j = 0; j + W <= nk; j += W)
            for (size_t u = 0; u < W; ++u)
                ps[u] += si[j + u];
        float sum = 0.0f;
        for (size_t u = 0; u < W; ++u)
            sum += ps[u];
        for (; j < nk; ++j)
            sum += si[j];
        corr[i] = jm__expf((m_run[i] - mx) * scale);
        l_run[i] = l_run[i] * corr[i] + sum;
        m_run[i] = mx;
    }
}

static int query_block(const float *qkv, float *out, size_t row0, size_t nq, size_t S, size_t D,
                       size_t h, size_t dh, float *buf) {
    const size_t ld = 3 * D;
    float *s = buf, *o = s + BQ * BK, *m_run = o + BQ * dh, *l_run = m_run + BQ;
    float *corr = l_run + BQ;
    const float scale = 1.0f / sqrtf((float)dh);
    const float *q = qkv + row0 * ld + h * dh;
    const float *kbase = qkv + (row0 / S) * S * ld + D + h * dh;
    const float *vbase = kbase + D;
    for (size_t i = 0; i < nq; ++i) {
        m_run[i] = -INFINITY;
        l_run[i] = 0.0f;
    }
    for (size_t k0 = 0; k0 < S; k0 += BK) {
        const size_t nk = min_sz(BK, S - k0);
        jm__gemm_op qk = {.ta = JM_NO_TRANS,
                          .tb = JM_TRANS,
                          .m = nq,
                          .n = nk,
                          .k = dh,
                          .alpha = 1.0f,
                          .a = q,
                          .lda = ld,
                          .b = kbase + k0 * ld,
                          .ldb = ld,
                          .beta = 0.0f,
                          .c = s,
                          .ldc = BK,
                          .threads = 1};
        int rc = jm__sgemm_run(&qk, NULL, 0);
        if (rc)
            return rc;
        softmax_step(s, nq, nk, scale, m_run, l_run, corr);
        if (k0 > 0)
            for (size_t i = 0; i < nq; ++i)
                for (size_t d = 0; d < dh; ++d)
                    o[i * dh + d] *= corr[i];
        jm__gemm_op pv = {.ta = JM_NO_TRANS,
                          .tb = JM_NO_TRANS,
                          .m = nq,
                          .n = dh,
                          .k = nk,
                          .alpha = 1.0f,
                          .a = s,
                          .lda = BK,
                          .b = vbase + k0 * ld,
                          .ldb = ld,
                          .beta = k0 > 0 ? 1.0f : 0.0f,
                          .c = o,
                          .ldc = dh,
                          .threads = 1};
        rc = jm__sgemm_run(&pv, NULL, 0);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < nq; ++i) {
        float *dst = out + (row0 + i) * D + h * dh;
        const float inv = 1.0f / l_run[i];
        for (size_t d = 0; d < dh; ++d)
            dst[d] = o[i * dh + d] * inv;
    }
    return JM_K_OK;
}

int jm__attention(const float *qkv, float *out, size_t n_seq, size_t S, size_t D, size_t H,
                  int threads, char *err, size_t err_len) {
    const size_t dh = D / H;
    const size_t need = BQ * BK + BQ * dh + 3 * BQ;
    const size_t qblocks = (S + BQ - 1) / BQ;
    const long items = (long)(n_seq * H * qblocks);
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1) reduction(| : failed)
    {
        float *buf = jm__scratch(3, need);
        if (!buf)
            failed = 1;
#pragma omp for schedule(dynamic, 1)
        for (long item = 0; item < items; ++item) {
            if (failed)
                continue;
            const size_t it = (size_t)item;
            const size_t b = it / (H * qblocks), h = (it / qblocks) % H, qb = it % qblocks;
            const size_t q0 = qb * BQ;
            if (query_block(qkv, out, b * S + q0, min_sz(BQ, S - q0), S, D, h, dh, buf))
                failed = 1;
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
