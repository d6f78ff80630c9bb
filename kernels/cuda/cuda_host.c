/* cuda_host.c - host-side logic of the GPU backend that needs no GPU and is
 * built into every joulemark: backend and precision names, the GPU array
 * sizes and memory need, the GPU shape rules, and the MoE routing
 * bookkeeping (capacity, stable grouping by slot and expert, dropped count,
 * tile offsets) that the GPU kernels reproduce and the tests check against. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cuda_backend.h"

const char *jm_precision_name(jm_precision p)
{
    switch (p) {
    case JM_PRECISION_FP32:
        return "fp32";
    case JM_PRECISION_TF32:
        return "tf32";
    }
    return NULL;
}

const char *jm_backend_name(jm_backend b)
{
    switch (b) {
    case JM_BACKEND_NATIVE:
        return "native";
    case JM_BACKEND_OPENBLAS:
        return "openblas";
    case JM_BACKEND_CUDA:
        return "cuda";
    case JM_BACKEND_CUBLAS:
        return "cublas";
    }
    return NULL;
}

void jm__cuda_dims_of(const jm_workload_shape *s, jm__cuda_dims *d)
{
    *d = (jm__cuda_dims){0};
    d->gemm = s->kind == JM_WORKLOAD_GEMM;
    d->dense = s->kind == JM_WORKLOAD_DENSE;
    d->moe = s->kind == JM_WORKLOAD_MOE;
    d->layer = d->dense || d->moe;
    if (d->gemm) {
        d->gm = (size_t)s->m;
        d->gn = (size_t)s->n;
        d->gk = (size_t)s->k;
        d->T = d->gm;
        return;
    }
    d->D = (size_t)s->d_model;
    d->H = (size_t)s->n_heads;
    d->F = (size_t)s->d_ff;
    d->S = (size_t)s->seq_len;
    d->T = d->S * (size_t)s->batch_seqs;
    if (d->dense) {
        /* hidden chunk: a multiple of 64 columns, at most 1 GiB of floats and 65536 columns */
        size_t fc = JM_CUDA_HIDDEN_CHUNK_FLOATS / (d->T ? d->T : 1) / 64 * 64;
        fc = fc < 64 ? 64 : (fc > JM_CUDA_HIDDEN_CHUNK_COLS ? JM_CUDA_HIDDEN_CHUNK_COLS : fc);
        d->FC = fc < d->F ? fc : d->F;
    }
    if (d->moe) {
        d->E = (size_t)s->n_experts;
        d->K = (size_t)s->top_k;
        d->NC = (d->T + JM_CUDA_ROUTE_CHUNK - 1) / JM_CUDA_ROUTE_CHUNK;
        d->NT = jm__moe_tile_bound(d->T, d->E, JM_CUDA_TILE_M);
    }
}

uint64_t jm_cuda_memory_bytes(const jm_workload_shape *s)
{
    jm__cuda_dims dd, *d = &dd;
    jm__cuda_dims_of(s, d);
    uint64_t total = 0;
#define JM_CUDA_COUNT(name, type, count, dir) total += (uint64_t)(count) * sizeof(type);
    JM_CUDA_ARRAYS(JM_CUDA_COUNT)
#undef JM_CUDA_COUNT
    return total;
}

int jm__cuda_shape_check(const jm_workload_shape *s, char *err, size_t err_len)
{
    const bool gpu = s->backend == JM_BACKEND_CUDA || s->backend == JM_BACKEND_CUBLAS;
    if (s->precision != JM_PRECISION_FP32 && s->precision != JM_PRECISION_TF32) {
        if (err && err_len)
            snprintf(err, err_len, "precision: %d is not a precision (expected 0 fp32, 1 tf32)",
                     (int)s->precision);
        return JM_K_EINVAL;
    }
    if (!gpu) {
        if (s->precision != JM_PRECISION_FP32) {
            if (err && err_len)
                snprintf(err, err_len,
                         "precision: \"%s\" needs a GPU backend (\"cuda\" or \"cublas\"); "
                         "backend \"%s\" computes in fp32 (expected \"fp32\")",
                         jm_precision_name(s->precision), jm_backend_name(s->backend));
            return JM_K_EINVAL;
        }
        return JM_K_OK;
    }
    if (!jm_cuda_built()) {
        if (err && err_len)
            snprintf(err, err_len,
                     "backend \"%s\": this joulemark was built without CUDA (configure with "
                     "nvcc on PATH or -DJM_CUDA=ON)",
                     jm_backend_name(s->backend));
        return JM_K_EBACKEND;
    }
    if (s->backend == JM_BACKEND_CUBLAS && !jm_cublas_built()) {
        if (err && err_len)
            snprintf(err, err_len,
                     "backend \"cublas\": cuBLAS was not found when this joulemark "
                     "was configured (expected \"cuda\")");
        return JM_K_EBACKEND;
    }
    if (s->backend == JM_BACKEND_CUBLAS && s->kind != JM_WORKLOAD_GEMM) {
        if (err && err_len)
            snprintf(err, err_len,
                     "backend \"cublas\": only the gemm workload runs on cuBLAS "
                     "(expected \"cuda\" for the dense and MoE layers)");
        return JM_K_EINVAL;
    }
    if (s->kind != JM_WORKLOAD_GEMM && s->n_heads >= 1 &&
        s->d_model / s->n_heads > JM_CUDA_MAX_HEAD_DIM) {
        if (err && err_len)
            snprintf(err, err_len,
                     "n_heads: %d heads of d_model %d give a head dimension of %d; the GPU "
                     "attention expects at most %d (use more heads)",
                     s->n_heads, s->d_model, s->d_model / s->n_heads, JM_CUDA_MAX_HEAD_DIM);
        return JM_K_EINVAL;
    }
    return JM_K_OK;
}

size_t jm__moe_capacity(size_t T, size_t E, size_t K, double capacity_factor)
{
    if (capacity_factor <= 0.0)
        return T * K;
    return (size_t)ceil(capacity_factor * (double)T * (double)K / (double)E);
}

int jm__moe_route_plan(const int32_t *choice, const float *gate, size_t T, size_t E, size_t K,
                       double capacity_factor, int32_t *offs, int32_t *rows, float *roww,
                       uint8_t *kept, uint64_t *dropped, char *err, size_t err_len)
{
    for (size_t t = 0; t < T; ++t)
        for (size_t s = 0; s < K; ++s) {
            const int32_t e = choice[t * K + s];
            if (e < 0 || (size_t)e >= E) {
                if (err && err_len)
                    snprintf(err, err_len,
                             "routing: choice[%zu] (token %zu, slot %zu) = %d is out of range "
                             "(expected 0..%zu)",
                             t * K + s, t, s, (int)e, E - 1);
                return JM_K_EINVAL;
            }
            for (size_t q = 0; q < s; ++q)
                if (choice[t * K + q] == e) {
                    if (err && err_len)
                        snprintf(err, err_len,
                                 "routing: token %zu chooses expert %d in slots %zu and %zu "
                                 "(expected distinct experts)",
                                 t, (int)e, q, s);
                    return JM_K_EINVAL;
                }
        }
    const size_t cap = jm__moe_capacity(T, E, K, capacity_factor), n_keys = K * E;
    memset(offs, 0, (n_keys + 1) * sizeof(*offs));
    /* offs[key + 1] counts the kept rows of key; an expert's use so far is the
     * sum of its counts over the slots up to this one */
    uint64_t drop = 0;
    for (size_t s = 0; s < K; ++s)
        for (size_t t = 0; t < T; ++t) {
            const size_t e = (size_t)choice[t * K + s];
            size_t used = 0;
            for (size_t q = 0; q <= s; ++q)
                used += (size_t)offs[q * E + e + 1];
            const bool keep = used < cap;
            kept[t * K + s] = keep;
            drop += !keep;
            offs[s * E + e + 1] += keep;
        }
    for (size_t key = 0; key < n_keys; ++key)
        offs[key + 1] += offs[key];
    for (size_t key = 0; key < n_keys; ++key) {
        const size_t s = key / E, e = key % E;
        int32_t pos = offs[key];
        for (size_t t = 0; t < T; ++t)
            if (kept[t * K + s] && (size_t)choice[t * K + s] == e) {
                rows[pos] = (int32_t)t;
                roww[pos] = gate[t * K + s];
                ++pos;
            }
    }
    *dropped = drop;
    return JM_K_OK;
}

size_t jm__moe_tile_bound(size_t T, size_t E, size_t tile_m)
{
    const size_t b = (T + E * (tile_m - 1)) / tile_m;
    return b ? b : 1;
}

void jm__moe_tile_offsets(const int32_t *offs, size_t n_keys, size_t tile_m, int32_t *toffs)
{
    toffs[0] = 0;
    for (size_t key = 0; key < n_keys; ++key) {
        const size_t n = (size_t)(offs[key + 1] - offs[key]);
        toffs[key + 1] = toffs[key] + (int32_t)((n + tile_m - 1) / tile_m);
    }
}
