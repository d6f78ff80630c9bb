/* layer_ref.c - fp64 reference of the dense and MoE layers: the same maths
 * as the optimized path (pre-LN, bidirectional softmax attention, exact tanh
 * GELU, Switch-style gates) in plain double-precision loops with a full score
 * row per query. Used only by jm_workload_verify. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_internal.h"

/* Reference FFN work above which only a spaced subset of rows is checked. */
#define JM_REF_FFN_FLOP_BUDGET 4e9

static void ln_d(const double *x, double *y, size_t rows, size_t D, const float *g,
                 const float *b) {
    for (size_t r = 0; r < rows; ++r) {
        const double *xr = x + r * D;
        double mean = 0.0, var = 0.0;
        for (size_t j = 0; j < D; ++j)
            mean += xr[j];
        mean /= (double)D;
        for (size_t j = 0; j < D; ++j)
            var += (xr[j] - mean) * (xr[j] - mean);
        const double inv = 1.0 / sqrt(var / (double)D + 1e-5);
        for (size_t j = 0; j < D; ++j)
            y[r * D + j] = (xr[j] - mean) * inv * g[j] + b[j];
    }
}

/* out[r][n] = bias[n] + sum_k x[r][k] W[k][n], W a K x N weight stored as
 * the workload stores it (row-major, or pre-packed with nr). Parallel over
 * column chunks of 256 (each thread owns its columns: deterministic). */
static void mm_d(const double *x, size_t rows, size_t K, const float *W, size_t N, size_t nr,
                 const float *bias, double *out, int threads) {
    const size_t chunk = 256; /* a multiple of every NR */
    const long n_chunks = (long)((N + chunk - 1) / chunk);
#pragma omp parallel for num_threads(threads) schedule(static) if (n_chunks > 1)
    for (long c = 0; c < n_chunks; ++c) {
        const size_t j0 = (size_t)c * chunk, j1 = j0 + chunk < N ? j0 + chunk : N;
        for (size_t r = 0; r < rows; ++r) {
            double *o = out + r * N;
            for (size_t n = j0; n < j1; ++n)
                o[n] = bias ? bias[n] : 0.0;
            for (size_t k = 0; k < K; ++k) {
                const double xk = x[r * K + k];
                if (!nr) {
                    const float *wk = W + k * N;
                    for (size_t n = j0; n < j1; ++n)
                        o[n] += xk * wk[n];
                    continue;
                }
                for (size_t p0 = j0; p0 < j1; p0 += nr) {
                    const float *wp = W + (p0 / nr) * nr * K + k * nr;
                    const size_t len = j1 - p0 < nr ? j1 - p0 : nr;
                    for (size_t jj = 0; jj < len; ++jj)
                        o[p0 + jj] += xk * wp[jj];
                }
            }
        }
    }
}

static void attention_d(const double *qkv, double *out, size_t n_seq, size_t S, size_t D, size_t H,
                        double *score) {
    const size_t dh = D / H, ld = 3 * D;
    const double scale = 1.0 / sqrt((double)dh);
    for (size_t b = 0; b < n_seq; ++b)
        for (size_t h = 0; h < H; ++h)
            for (size_t i = 0; i < S; ++i) {
                const double *q = qkv + (b * S + i) * ld + h * dh;
                double mx = -INFINITY;
                for (size_t j = 0; j < S; ++j) {
                    const double *k = qkv + (b * S + j) * ld + D + h * dh;
                    double s = 0.0;
                    for (size_t d = 0; d < dh; ++d)
                        s += q[d] * k[d];
                    score[j] = s * scale;
                    mx = score[j] > mx ? score[j] : mx;
                }
                double sum = 0.0;
                for (size_t j = 0; j < S; ++j) {
                    score[j] = exp(score[j] - mx);
                    sum += score[j];
                }
                double *o = out + (b * S + i) * D + h * dh;
                for (size_t d = 0; d < dh; ++d)
                    o[d] = 0.0;
                for (size_t j = 0; j < S; ++j) {
                    const double *v = qkv + (b * S + j) * ld + 2 * D + h * dh;
                    const double p = score[j] / sum;
                    for (size_t d = 0; d < dh; ++d)
                        o[d] += p * v[d];
                }
            }
}

/* One expert (or the dense FFN) on one row: out += scale * (gelu(x W1 + b1) W2 + b2). */
static void ffn_row_d(const double *x, size_t D, size_t F, size_t nr, const float *w1,
                      const float *b1, const float *w2, const float *b2, double scale, double *hid,
                      double *out, int threads) {
    mm_d(x, 1, D, w1, F, nr, b1, hid, threads);
    for (size_t f = 0; f < F; ++f)
        hid[f] = jm__gelu_d(hid[f]);
    double *acc = hid + F;
    mm_d(hid, 1, F, w2, D, nr, b2, acc, threads);
    for (size_t n = 0; n < D; ++n)
        out[n] += scale * acc[n];
}

int jm__layer_ref(const jm_workload *w, size_t n_seq, double *y_ref, uint8_t *rows_checked,
                  bool *routing_ok, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t S = d->S, D = d->D, F = d->F, E = d->E, K = d->K, T = n_seq * S;
    const size_t n_big = 6 * T * D + (S > F + D ? S : F + D) + (d->moe ? E : 0);
    double *buf = malloc(n_big * sizeof(double));
    uint8_t *kept = d->moe ? malloc(T * K) : NULL;
    if (!buf || (d->moe && !kept)) {
        free(buf);
        free(kept);
        if (err && err_len)
            snprintf(err, err_len, "verify: cannot allocate %zu bytes for the fp64 reference",
                     n_big * sizeof(double));
        return JM_K_ENOMEM;
    }
    double *x = buf, *xn = x + T * D, *qkv = xn + T * D, *attn = qkv + 3 * T * D;
    double *hid = attn + T * D, *probs = hid + (S > F + D ? S : F + D);
    *routing_ok = true;
    const int th = w->shape.threads;
    for (size_t i = 0; i < T * D; ++i)
        x[i] = w->x[i];
    ln_d(x, xn, T, D, w->ln1_g, w->ln1_b);
    mm_d(xn, T, D, w->wqkv, 3 * D, d->NR, w->bqkv, qkv, th);
    attention_d(qkv, attn, n_seq, S, D, d->H, hid);
    /* x1 -> y_ref (residual stream); xn <- LN2(x1) */
    mm_d(attn, T, D, w->wo, D, d->NR, w->bo, y_ref, th);
    for (size_t i = 0; i < T * D; ++i)
        y_ref[i] += x[i];
    ln_d(y_ref, xn, T, D, w->ln2_g, w->ln2_b);

    const double ffn_flops = 4.0 * (double)T * (double)D * (double)F * (double)(d->moe ? K : 1);
    size_t stride = (size_t)ceil(ffn_flops / JM_REF_FFN_FLOP_BUDGET);
    stride = stride < 1 ? 1 : stride;
    for (size_t t = 0; t < T; ++t)
        rows_checked[t] = t % stride == 0;

    if (d->dense) {
        for (size_t t = 0; t < T; t += stride)
            ffn_row_d(xn + t * D, D, F, d->NR, w->w1, w->b1, w->w2, w->b2, 1.0, hid, y_ref + t * D,
                      th);
    } else {
        const double cf = w->shape.capacity_factor;
        const size_t cap = cf > 0.0 ? (size_t)ceil(cf * (double)T * (double)K / (double)E) : T * K;
        size_t used[4096];
        memset(used, 0, E * sizeof(used[0]));
        for (size_t s = 0; s < K; ++s)
            for (size_t t = 0; t < T; ++t) {
                const size_t e = (size_t)w->choice[t * K + s];
                kept[t * K + s] = used[e] < cap;
                used[e] += kept[t * K + s];
            }
        /* a near-tie may be broken either way: 1e-5 of probability in fp32; TF32
         * projections before the router perturb its input by ~1e-3 */
        const double route_tol = w->shape.precision == JM_PRECISION_TF32 ? 1e-3 : 1e-5;
        for (size_t t = 0; t < T; ++t) {
            mm_d(xn + t * D, 1, D, w->wr, E, d->NR, NULL, probs, th);
            double mx = probs[0], sum = 0.0;
            for (size_t e = 1; e < E; ++e)
                mx = probs[e] > mx ? probs[e] : mx;
            for (size_t e = 0; e < E; ++e)
                sum += (probs[e] = exp(probs[e] - mx));
            for (size_t e = 0; e < E; ++e)
                probs[e] /= sum;
            for (size_t s = 0; s < K; ++s) {
                const size_t e = (size_t)w->choice[t * K + s];
                /* the chosen expert must be among the k largest in fp64 */
                size_t larger = 0;
                for (size_t q = 0; q < E; ++q)
                    larger += probs[q] > probs[e] + route_tol;
                if (larger >= K)
                    *routing_ok = false;
                if (!rows_checked[t] || !kept[t * K + s])
                    continue;
                ffn_row_d(xn + t * D, D, F, d->NR, w->we1 + e * jm__w_elems(D, F, d->NR),
                          w->be1 + e * F, w->we2 + e * jm__w_elems(F, D, d->NR), w->be2 + e * D,
                          probs[e], hid, y_ref + t * D, th);
            }
        }
    }
    free(buf);
    free(kept);
    return JM_K_OK;
}
