/* moe.c - the sparse mixture-of-experts FFN sublayer:
 *   router   logits = LN2(x1) Wr (GEMM), softmax, top-k per token, one
 *            parallel region over token blocks (gate = the
 *            softmax probability of the chosen expert, not renormalised);
 *   dispatch capacity per expert ceil(cf * T * k / E) (dropless when cf <= 0),
 *            assignments kept in priority order slot 0 of every token first,
 *            then slot 1, ...; kept assignments grouped by (slot, expert) with
 *            a counting sort (histogram, prefix sum, stable scatter);
 *   experts  work items = (slot, expert, row tile); per item
 *            H = gelu(X[rows] W1_e + b1_e) reads the routed rows through the
 *            index (the packing gathers them), then
 *            y[rows] = resid + gate * (H W2_e + b2_e) is the combine, fused in
 *            the second GEMM's epilogue (row scale + residual, scattered rows);
 *            slot 0 writes y (residual x1) straight from the epilogue; later
 *            slots (top_k > 1) write gate * (H W2_e + b2_e) to a per-thread
 *            tile and add it to y's rows; slots run one after another so no
 *            two items write one row;
 *   combine  the rest: tokens whose slot-0 assignment was dropped get y = x1
 *            (dropped tokens pass through the residual). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "fastmath.h"
#include "workload_internal.h"

/* Softmax over the experts and top-k of tokens [t0, t1). */
static void softmax_topk(jm_workload *w, size_t t0, size_t t1) {
    const size_t E = w->dims.E, K = w->dims.K;
    for (size_t t = t0; t < t1; ++t) {
        float *p = w->logits + t * E;
        float mx = p[0];
        for (size_t e = 1; e < E; ++e)
            mx = p[e] > mx ? p[e] : mx;
        float sum = 0.0f;
        for (size_t e = 0; e < E; ++e) {
            p[e] = jm__expf(p[e] - mx);
            sum += p[e];
        }
        const float inv = 1.0f / sum;
        for (size_t e = 0; e < E; ++e)
            p[e] *= inv;
        for (size_t s = 0; s < K; ++s) {
            int32_t best = -1;
            for (size_t e = 0; e < E; ++e) {
                bool taken = false;
                for (size_t q = 0; q < s; ++q)
                    taken |= w->choice[t * K + q] == (int32_t)e;
                if (!taken && (best < 0 || p[e] > p[best]))
                    best = (int32_t)e;
            }
            w->choice[t * K + s] = best;
            w->gate[t * K + s] = p[best];
        }
    }
}

/* Router: logits = LN2(x1) Wr, softmax, top-k, in one parallel region: each
 * thread runs the GEMM on its own block of tokens, then their softmax. */
static int route(jm_workload *w, size_t T, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t D = d->D, E = d->E;
    const int th = w->shape.threads;
    if (w->shape.backend == JM_BACKEND_OPENBLAS)
        jm__openblas_set_threads(1);
    int failed = 0;
#pragma omp parallel num_threads(th) if (th > 1) reduction(| : failed)
    {
        const size_t nt = (size_t)omp_get_num_threads(), tid = (size_t)omp_get_thread_num();
        const size_t t0 = T * tid / nt, t1 = T * (tid + 1) / nt;
        jm__gemm_op router = {.ta = JM_NO_TRANS,
                              .tb = JM_NO_TRANS,
                              .m = t1 - t0,
                              .n = E,
                              .k = D,
                              .alpha = 1.0f,
                              .a = w->xn + t0 * D,
                              .lda = D,
                              .beta = 0.0f,
                              .c = w->logits + t0 * E,
                              .ldc = E,
                              .threads = 1};
        jm__w_bind(&router, w->wr, D, E, d->NR, 0, 0);
        char local_err[256] = "";
        if (t1 > t0 && jm__layer_gemm(w, &router, local_err, sizeof(local_err)) != 0) {
            failed = 1;
#pragma omp critical(jm_moe_err)
            if (err && err_len)
                snprintf(err, err_len, "moe router: %s", local_err);
        } else {
            softmax_topk(w, t0, t1);
        }
    }
    return failed ? JM_K_ENOMEM : JM_K_OK;
}

/* Capacity, counting sort, work items. Returns the number of items; items of
 * slot s are [slot_items[s], slot_items[s+1]). */
static uint64_t dispatch(jm_workload *w, size_t T, size_t *slot_items) {
    const jm__dims *d = &w->dims;
    const size_t E = d->E, K = d->K, nkeys = K * E;
    const double cf = w->shape.capacity_factor;
    const size_t cap = cf > 0.0 ? (size_t)ceil(cf * (double)T * (double)K / (double)E) : T * K;
    int32_t *offs = w->offs;
    memset(offs, 0, (nkeys + 1) * sizeof(*offs));
    /* used[] per expert: reuse the tail of offs' slack? keep it on the stack
     * in chunks: E is bounded by the shape check (<= 4096). */
    size_t used[4096];
    memset(used, 0, E * sizeof(used[0]));
    uint64_t dropped = 0;
    for (size_t s = 0; s < K; ++s)
        for (size_t t = 0; t < T; ++t) {
            const size_t e = (size_t)w->choice[t * K + s];
            const bool keep = used[e] < cap;
            used[e] += keep;
            w->kept[t * K + s] = keep;
            dropped += !keep;
            offs[s * E + e + 1] += keep;
        }
    for (size_t key = 0; key < nkeys; ++key)
        offs[key + 1] += offs[key];
    /* stable scatter; offs[key] is advanced, then restored by the shift */
    for (size_t s = 0; s < K; ++s)
        for (size_t t = 0; t < T; ++t) {
            if (!w->kept[t * K + s])
                continue;
            const size_t key = s * E + (size_t)w->choice[t * K + s];
            const int32_t pos = offs[key]++;
            w->rows[pos] = (int32_t)t;
            w->roww[pos] = w->gate[t * K + s];
        }
    for (size_t key = nkeys; key > 0; --key)
        offs[key] = offs[key - 1];
    offs[0] = 0;
    /* Work items: per slot, tiles of tm rows; tm small enough for >= 4 items
     * per thread, large enough to reuse each expert's weights. */
    const size_t N = (size_t)w->shape.threads;
    size_t n_items = 0;
    for (size_t s = 0; s < K; ++s) {
        slot_items[s] = n_items;
        const size_t n_s = (size_t)(offs[(s + 1) * E] - offs[s * E]);
        size_t tm = (n_s + 4 * N - 1) / (4 * N);
        tm = tm < JM_MOE_TILE_MIN ? JM_MOE_TILE_MIN : (tm > JM_MOE_TILE_MAX ? JM_MOE_TILE_MAX : tm);
        for (size_t e = 0; e < E; ++e) {
            const size_t lo = (size_t)offs[s * E + e], n_e = (size_t)offs[s * E + e + 1] - lo;
            if (!n_e)
                continue;
            const size_t nt = (n_e + tm - 1) / tm;
            for (size_t i = 0; i < nt; ++i) {
                const size_t a = lo + n_e * i / nt, b = lo + n_e * (i + 1) / nt;
                w->items[3 * n_items + 0] = (int32_t)(s * E + e);
                w->items[3 * n_items + 1] = (int32_t)a;
                w->items[3 * n_items + 2] = (int32_t)(b - a);
                ++n_items;
            }
        }
    }
    slot_items[K] = n_items;
    return dropped;
}

static int expert_item(jm_workload *w, const int32_t *item, float *h, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t D = d->D, F = d->F, E = d->E;
    const size_t s = (size_t)item[0] / E, e = (size_t)item[0] % E;
    const size_t lo = (size_t)item[1], n = (size_t)item[2];
    jm__gemm_op up = {.ta = JM_NO_TRANS,
                      .tb = JM_NO_TRANS,
                      .m = n,
                      .n = F,
                      .k = D,
                      .alpha = 1.0f,
                      .a = w->xn,
                      .lda = D,
                      .a_rows = w->rows + lo,
                      .beta = 0.0f,
                      .c = h,
                      .ldc = F,
                      .threads = 1};
    jm__w_bind(&up, w->we1 + e * jm__w_elems(D, F, d->NR), D, F, d->NR, 0, 0);
    up.epi.bias = w->be1 + e * F;
    up.epi.gelu = true;
    int rc = jm__layer_gemm(w, &up, err, err_len);
    if (rc)
        return rc;
    float *tmp = h + JM_MOE_TILE_MAX * F;
    jm__gemm_op down = {.ta = JM_NO_TRANS,
                        .tb = JM_NO_TRANS,
                        .m = n,
                        .n = D,
                        .k = F,
                        .alpha = 1.0f,
                        .a = h,
                        .lda = F,
                        .beta = 0.0f,
                        .c = w->y,
                        .ldc = D,
                        .c_rows = w->rows + lo,
                        .threads = 1};
    jm__w_bind(&down, w->we2 + e * jm__w_elems(F, D, d->NR), F, D, d->NR, 0, 0);
    down.epi.bias = w->be2 + e * D;
    down.epi.row_scale = w->roww + lo;
    down.epi.scale_last = true;
    if (s == 0) {
        down.epi.residual = w->x1;
        down.epi.ld_residual = D;
    } else {
        down.c = tmp;
        down.c_rows = NULL;
    }
    rc = jm__layer_gemm(w, &down, err, err_len);
    if (rc || s == 0)
        return rc;
    for (size_t i = 0; i < n; ++i) {
        float *yr = w->y + (size_t)w->rows[lo + i] * D;
        const float *tr = tmp + i * D;
        for (size_t j = 0; j < D; ++j)
            yr[j] += tr[j];
    }
    return JM_K_OK;
}

int jm__moe_ffn(jm_workload *w, size_t T, jm_run_stats *st, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t D = d->D, K = d->K, F = d->F;
    const int th = w->shape.threads;
    uint64_t t0 = jm_now_ns();
    int rc = route(w, T, err, err_len);
    if (rc)
        return rc;
    uint64_t t1 = jm_now_ns();
    size_t slot_items[65];
    const uint64_t dropped = dispatch(w, T, slot_items);
    uint64_t t2 = jm_now_ns();
    for (size_t t = 0; t < T; ++t)
        if (!w->kept[t * K])
            memcpy(w->y + t * D, w->x1 + t * D, D * sizeof(float));
    uint64_t t3 = jm_now_ns();
    if (w->shape.backend == JM_BACKEND_OPENBLAS)
        jm__openblas_set_threads(1);
    int failed = 0;
    for (size_t s = 0; s < K && !failed; ++s) {
        const long lo = (long)slot_items[s], hi = (long)slot_items[s + 1];
#pragma omp parallel num_threads(th) if (th > 1) reduction(| : failed)
        {
            float *h = w->hid + (size_t)omp_get_thread_num() * JM_MOE_TILE_MAX * (F + D);
            char local_err[256] = "";
#pragma omp for schedule(dynamic, 1)
            for (long i = lo; i < hi; ++i) {
                if (failed)
                    continue;
                if (expert_item(w, w->items + 3 * i, h, local_err, sizeof(local_err)) != 0) {
                    failed = 1;
#pragma omp critical(jm_moe_err)
                    if (err && err_len)
                        snprintf(err, err_len, "moe expert: %s", local_err);
                }
            }
        }
    }
    uint64_t t4 = jm_now_ns();
    if (failed)
        return JM_K_ENOMEM;
    if (st) {
        st->router_ns += t1 - t0;
        st->dispatch_ns += t2 - t1;
        st->combine_ns += t3 - t2;
        st->experts_ns += t4 - t3;
        st->routed_assignments += T * K;
        st->computed_assignments += (uint64_t)w->offs[K * d->E]; /* kept, all slots */
        st->dropped_assignments += dropped;
    }
    w->last_dropped = dropped;
    return JM_K_OK;
}
