/* attention.c - multi-head self-attention, flash style: for each (sequence,
 * head) the keys are packed transposed and the values packed once, then each
 * block of BQ queries streams over BK-key blocks with an online softmax
 * (running max and sum), so at most a BQ x BK tile of scores exists per
 * thread. Bidirectional (not causal): every token attends to all seq_len
 * tokens of its sequence, as in an encoder layer (see docs/kernels.md). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "fastmath.h"
#include "workload_internal.h"

enum { BQ = 64, BK = 64 };

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* One query block against all keys of the sequence. kt: dh x S (transposed
 * keys), v: S x dh, q: nq x dh (pre-scaled), o: nq x dh output. */
static void query_block(const float *q, size_t nq, const float *kt, const float *v, size_t S,
                        size_t dh, float *s_tile, float *o, float *m_run, float *l_run)
{
    for (size_t i = 0; i < nq; ++i) {
        m_run[i] = -INFINITY;
        l_run[i] = 0.0f;
    }
    memset(o, 0, nq * dh * sizeof(float));
    for (size_t k0 = 0; k0 < S; k0 += BK) {
        const size_t nk = min_sz(BK, S - k0);
        for (size_t i = 0; i < nq; ++i) {
            float *s = s_tile + i * BK;
            for (size_t j = 0; j < nk; ++j)
                s[j] = 0.0f;
            const float *qi = q + i * dh;
            for (size_t d = 0; d < dh; ++d) {
                const float qd = qi[d];
                const float *kd = kt + d * S + k0;
                for (size_t j = 0; j < nk; ++j)
                    s[j] += qd * kd[j];
            }
            float mx = m_run[i];
            for (size_t j = 0; j < nk; ++j)
                mx = s[j] > mx ? s[j] : mx;
            const float corr = jm__expf(m_run[i] - mx);
            float sum = 0.0f;
            for (size_t j = 0; j < nk; ++j) {
                s[j] = jm__expf(s[j] - mx);
                sum += s[j];
            }
            l_run[i] = l_run[i] * corr + sum;
            m_run[i] = mx;
            float *oi = o + i * dh;
            for (size_t d = 0; d < dh; ++d)
                oi[d] *= corr;
            for (size_t j = 0; j < nk; ++j) {
                const float p = s[j];
                const float *vj = v + (k0 + j) * dh;
                for (size_t d = 0; d < dh; ++d)
                    oi[d] += p * vj[d];
            }
        }
    }
}

int jm__attention(const float *qkv, float *out, size_t n_seq, size_t S, size_t D, size_t H,
                  int threads, char *err, size_t err_len)
{
    const size_t dh = D / H, ld = 3 * D;
    const float scale = 1.0f / sqrtf((float)dh);
    const size_t need = 2 * dh * S + BQ * dh * 2 + BQ * BK + 2 * BQ;
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1) reduction(| : failed)
    {
        float *buf = jm__scratch(3, need);
        if (!buf)
            failed = 1;
#pragma omp for schedule(dynamic, 1)
        for (size_t item = 0; item < n_seq * H; ++item) {
            if (!buf)
                continue;
            const size_t b = item / H, h = item % H;
            float *kt = buf, *v = kt + dh * S, *q = v + S * dh, *o = q + BQ * dh;
            float *s_tile = o + BQ * dh, *m_run = s_tile + BQ * BK, *l_run = m_run + BQ;
            const float *base = qkv + b * S * ld + h * dh;
            for (size_t t = 0; t < S; ++t) {
                const float *kr = base + t * ld + D;
                for (size_t d = 0; d < dh; ++d)
                    kt[d * S + t] = kr[d];
                memcpy(v + t * dh, base + t * ld + 2 * D, dh * sizeof(float));
            }
            for (size_t q0 = 0; q0 < S; q0 += BQ) {
                const size_t nq = min_sz(BQ, S - q0);
                for (size_t i = 0; i < nq; ++i) {
                    const float *qr = base + (q0 + i) * ld;
                    for (size_t d = 0; d < dh; ++d)
                        q[i * dh + d] = qr[d] * scale;
                }
                query_block(q, nq, kt, v, S, dh, s_tile, o, m_run, l_run);
                for (size_t i = 0; i < nq; ++i) {
                    float *dst = out + (b * S + q0 + i) * D + h * dh;
                    const float inv = 1.0f / l_run[i];
                    for (size_t d = 0; d < dh; ++d)
                        dst[d] = o[i * dh + d] * inv;
                }
            }
        }
    }
    if (failed) {
        if (err && err_len)
            snprintf(err, err_len, "attention: cannot allocate %zu bytes of scratch per thread",
                     need * sizeof(float));
        return JM_K_ENOMEM;
    }
    return JM_K_OK;
}
