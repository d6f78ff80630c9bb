/* cuda_workload.cu - the device side of a GPU workload: device memory (every
 * array of JM_CUDA_ARRAYS, after a check against free device memory), the
 * forward passes of the GEMM, dense and MoE workloads as launch sequences on
 * the workload's stream, the synchronisation that ends every run, the
 * input/output transfers used by verification, the device probe, and the
 * cuBLAS comparison GEMM (built only when CMake found cuBLAS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuda_backend.h"
#include "cuda_kernels.cuh"
#ifdef JM_HAVE_CUBLAS
#include <cublas_v2.h>
#endif

struct jm__cuda_state {
    jm_workload_shape shape;
    jm__cuda_dims dims;
    jm__cuda_bufs dev;
    cudaStream_t stream;
    /* phase marks of a run: start, attention done, router GEMM done, routing
     * done, end (device time between them gives the phase times) */
    cudaEvent_t ev[5];
#ifdef JM_HAVE_CUBLAS
    cublasHandle_t cublas;
#endif
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cuda_fail(cudaError_t rc, const char *what, char *err, size_t err_len)
{
    if (err && err_len)
        snprintf(err, err_len, "cuda: %s failed: %s (%s)", what, cudaGetErrorString(rc),
                 cudaGetErrorName(rc));
    return rc == cudaErrorMemoryAllocation ? JM_K_ENOMEM : JM_K_EBACKEND;
}

static int cuda_fail_if(cudaError_t rc, const char *what, char *err, size_t err_len)
{
    return rc == cudaSuccess ? JM_K_OK : cuda_fail(rc, what, err, err_len);
}

#define CK(call, what)                                                                             \
    do {                                                                                           \
        const cudaError_t ck_rc = (call);                                                          \
        if (ck_rc != cudaSuccess)                                                                  \
            return cuda_fail(ck_rc, what, err, err_len);                                           \
    } while (0)

extern "C" bool jm__cuda_probe(char *reason, size_t reason_len)
{
    int n = 0;
    cudaError_t rc = cudaGetDeviceCount(&n);
    if (rc != cudaSuccess || n == 0) {
        if (reason && reason_len)
            snprintf(reason, reason_len, "no CUDA device: %s",
                     rc != cudaSuccess ? cudaGetErrorString(rc) : "the runtime sees 0 devices");
        return false;
    }
    cudaDeviceProp p;
    rc = cudaGetDeviceProperties(&p, 0);
    if (rc != cudaSuccess) {
        if (reason && reason_len)
            snprintf(reason, reason_len, "no CUDA device: %s", cudaGetErrorString(rc));
        return false;
    }
    if (reason && reason_len)
        snprintf(reason, reason_len, "%s, %.1f GiB, compute capability %d.%d (%d device%s)", p.name,
                 (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0), p.major, p.minor, n,
                 n == 1 ? "" : "s");
    return true;
}

extern "C" bool jm_cublas_built(void)
{
#ifdef JM_HAVE_CUBLAS
    return true;
#else
    return false;
#endif
}

extern "C" void jm__cuda_destroy(jm__cuda_state *st)
{
    if (!st)
        return;
#define JM_CUDA_FREE(name, type, count, dir) cudaFree(st->dev.name);
    JM_CUDA_ARRAYS(JM_CUDA_FREE)
#undef JM_CUDA_FREE
#ifdef JM_HAVE_CUBLAS
    if (st->cublas)
        cublasDestroy(st->cublas);
#endif
    for (int i = 0; i < 5; ++i)
        if (st->ev[i])
            cudaEventDestroy(st->ev[i]);
    if (st->stream)
        cudaStreamDestroy(st->stream);
    free(st);
}

static int transfer(jm__cuda_state *st, const jm__cuda_bufs *host, int dir, bool to_device,
                    char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
#define JM_CUDA_XFER(name, type, count, dr)                                                        \
    if ((dr) == dir && (count) > 0) {                                                              \
        if (!host->name) {                                                                         \
            if (err && err_len)                                                                    \
                snprintf(err, err_len, "cuda: host array %s is missing", #name);                   \
            return JM_K_EINVAL;                                                                    \
        }                                                                                          \
        const size_t bytes = (size_t)(count) * sizeof(type);                                       \
        if (to_device)                                                                             \
            CK(cudaMemcpyAsync(st->dev.name, host->name, bytes, cudaMemcpyHostToDevice,            \
                               st->stream),                                                        \
               "upload of " #name);                                                                \
        else                                                                                       \
            CK(cudaMemcpyAsync(host->name, st->dev.name, bytes, cudaMemcpyDeviceToHost,            \
                               st->stream),                                                        \
               "download of " #name);                                                              \
    }
    JM_CUDA_ARRAYS(JM_CUDA_XFER)
#undef JM_CUDA_XFER
    CK(cudaStreamSynchronize(st->stream), "synchronisation after a transfer");
    return JM_K_OK;
}

extern "C" int jm__cuda_fits(const jm_workload_shape *s, char *err, size_t err_len)
{
    char reason[256];
    if (!jm__cuda_probe(reason, sizeof reason)) {
        if (err && err_len)
            snprintf(err, err_len, "backend \"%s\": %s", jm_backend_name(s->backend), reason);
        return JM_K_EBACKEND;
    }
    size_t free_b = 0, total_b = 0;
    CK(cudaMemGetInfo(&free_b, &total_b), "cudaMemGetInfo");
    const uint64_t need = jm_cuda_memory_bytes(s);
    if (need > (uint64_t)free_b) {
        if (err && err_len)
            snprintf(err, err_len,
                     "backend \"%s\": the workload needs %.2f GiB of device memory, %.2f GiB of "
                     "%.2f GiB are free (expected a smaller shape)",
                     jm_backend_name(s->backend), (double)need / 1073741824.0,
                     (double)free_b / 1073741824.0, (double)total_b / 1073741824.0);
        return JM_K_ENOMEM;
    }
    return JM_K_OK;
}

static int create(const jm_workload_shape *s, const jm__cuda_bufs *host, jm__cuda_state *st,
                  char *err, size_t err_len)
{
    const int fit = jm__cuda_fits(s, err, err_len);
    if (fit)
        return fit;
    CK(cudaStreamCreateWithFlags(&st->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    for (int i = 0; i < 5; ++i)
        CK(cudaEventCreate(&st->ev[i]), "cudaEventCreate");
    const jm__cuda_dims *d = &st->dims;
#define JM_CUDA_ALLOC(name, type, count, dir)                                                      \
    if ((count) > 0)                                                                               \
        CK(cudaMalloc((void **)&st->dev.name, (size_t)(count) * sizeof(type)),                     \
           "cudaMalloc of " #name);
    JM_CUDA_ARRAYS(JM_CUDA_ALLOC)
#undef JM_CUDA_ALLOC
#ifdef JM_HAVE_CUBLAS
    if (s->backend == JM_BACKEND_CUBLAS) {
        const cublasStatus_t cs = cublasCreate(&st->cublas);
        if (cs != CUBLAS_STATUS_SUCCESS) {
            if (err && err_len)
                snprintf(err, err_len, "cublas: cublasCreate failed (status %d)", (int)cs);
            return JM_K_EBACKEND;
        }
        cublasSetStream(st->cublas, st->stream);
        cublasSetMathMode(st->cublas, s->precision == JM_PRECISION_TF32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                        : CUBLAS_PEDANTIC_MATH);
    }
#endif
    int rc = transfer(st, host, 1, true, err, err_len);
    return rc ? rc : transfer(st, host, 2, true, err, err_len);
}

extern "C" int jm__cuda_create(const jm_workload_shape *s, const jm__cuda_bufs *host,
                               jm__cuda_state **out, char *err, size_t err_len)
{
    *out = NULL;
    jm__cuda_state *st = (jm__cuda_state *)calloc(1, sizeof(*st));
    if (!st) {
        if (err && err_len)
            snprintf(err, err_len, "cuda: cannot allocate %zu bytes", sizeof(*st));
        return JM_K_ENOMEM;
    }
    st->shape = *s;
    jm__cuda_dims_of(s, &st->dims);
    const int rc = create(s, host, st, err, err_len);
    if (rc) {
        jm__cuda_destroy(st);
        return rc;
    }
    *out = st;
    return JM_K_OK;
}

static jm__cuda_gemm plain(int m, int n, int k, const float *a, const float *b, float *c, bool tf32)
{
    jm__cuda_gemm g;
    memset(&g, 0, sizeof(g));
    g.m = m;
    g.n = n;
    g.k = k;
    g.alpha = 1.0f;
    g.a = a;
    g.lda = k;
    g.b = b;
    g.ldb = n;
    g.c = c;
    g.ldc = n;
    g.tf32 = tf32;
    return g;
}

static int run_gemm(jm__cuda_state *st, int m, char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
    const bool tf32 = st->shape.precision == JM_PRECISION_TF32;
    if (st->shape.backend == JM_BACKEND_CUBLAS) {
#ifdef JM_HAVE_CUBLAS
        /* row-major C = A B is column-major C^T = B^T A^T */
        const float one = 1.0f, zero = 0.0f;
        const cublasStatus_t cs = cublasSgemm(st->cublas, CUBLAS_OP_N, CUBLAS_OP_N, (int)d->gn, m,
                                              (int)d->gk, &one, st->dev.gb, (int)d->gn, st->dev.ga,
                                              (int)d->gk, &zero, st->dev.gc, (int)d->gn);
        if (cs != CUBLAS_STATUS_SUCCESS) {
            if (err && err_len)
                snprintf(err, err_len, "cublas: cublasSgemm failed (status %d)", (int)cs);
            return JM_K_EBACKEND;
        }
        return JM_K_OK;
#else
        if (err && err_len)
            snprintf(err, err_len, "backend \"cublas\": not built into this joulemark");
        return JM_K_EBACKEND;
#endif
    }
    const jm__cuda_gemm g =
        plain(m, (int)d->gn, (int)d->gk, st->dev.ga, st->dev.gb, st->dev.gc, tf32);
    CK(jm__cuda_gemm_launch(&g, st->stream), "gemm launch");
    return JM_K_OK;
}

/* x -> x1 = x + Wo attention(LN1(x)) + bo, xn = LN2(x1) */
static int run_attention(jm__cuda_state *st, int n_seq, char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
    const jm__cuda_bufs *b = &st->dev;
    const bool tf32 = st->shape.precision == JM_PRECISION_TF32;
    const int T = n_seq * (int)d->S, D = (int)d->D;
    CK(jm__cuda_layernorm(b->x, b->xn, b->ln1_g, b->ln1_b, T, D, st->stream), "layernorm 1");
    jm__cuda_gemm g = plain(T, 3 * D, D, b->xn, b->wqkv, b->qkv, tf32);
    g.bias = b->bqkv;
    CK(jm__cuda_gemm_launch(&g, st->stream), "QKV projection");
    CK(jm__cuda_attention(b->qkv, b->attn, n_seq, (int)d->S, D, (int)d->H, st->stream),
       "attention");
    g = plain(T, D, D, b->attn, b->wo, b->x1, tf32);
    g.bias = b->bo;
    g.residual = b->x;
    g.ld_res = D;
    CK(jm__cuda_gemm_launch(&g, st->stream), "output projection");
    CK(jm__cuda_layernorm(b->x1, b->xn, b->ln2_g, b->ln2_b, T, D, st->stream), "layernorm 2");
    return JM_K_OK;
}

/* y = x1 + gelu(xn W1 + b1) W2 + b2, over hidden chunks of FC columns */
static int run_dense_ffn(jm__cuda_state *st, int T, char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
    const jm__cuda_bufs *b = &st->dev;
    const bool tf32 = st->shape.precision == JM_PRECISION_TF32;
    const int D = (int)d->D, F = (int)d->F;
    for (int f0 = 0; f0 < F; f0 += (int)d->FC) {
        const int fc = F - f0 < (int)d->FC ? F - f0 : (int)d->FC;
        jm__cuda_gemm up = plain(T, fc, D, b->xn, b->w1 + f0, b->hid, tf32);
        up.ldb = F;
        up.bias = b->b1 + f0;
        up.gelu = 1;
        CK(jm__cuda_gemm_launch(&up, st->stream), "FFN up projection");
        jm__cuda_gemm down = plain(T, D, fc, b->hid, b->w2 + (size_t)f0 * D, b->y, tf32);
        if (f0 == 0) {
            down.bias = b->b2;
            down.residual = b->x1;
            down.ld_res = D;
        } else {
            down.beta = 1.0f;
        }
        CK(jm__cuda_gemm_launch(&down, st->stream), "FFN down projection");
    }
    return JM_K_OK;
}

static int run_moe_ffn(jm__cuda_state *st, int T, char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
    const jm__cuda_bufs *b = &st->dev;
    const bool tf32 = st->shape.precision == JM_PRECISION_TF32;
    const int D = (int)d->D, F = (int)d->F, E = (int)d->E, K = (int)d->K;
    /* router in fp32 always: expert choices must match the fp64 reference */
    const jm__cuda_gemm router = plain(T, E, D, b->xn, b->wr, b->logits, false);
    CK(jm__cuda_gemm_launch(&router, st->stream), "router GEMM");
    CK(cudaEventRecord(st->ev[2], st->stream), "event record");
    jm__cuda_route r;
    r.T = T;
    r.E = E;
    r.K = K;
    r.NC = (T + JM_CUDA_ROUTE_CHUNK - 1) / JM_CUDA_ROUTE_CHUNK;
    r.cap = (long long)jm__moe_capacity((size_t)T, d->E, d->K, st->shape.capacity_factor);
    r.tile_m = JM_CUDA_TILE_M;
    r.logits = b->logits;
    r.choice = b->choice;
    r.gate = b->gate;
    r.rank = b->rank;
    r.ccount = b->ccount;
    r.prior = b->prior;
    r.kcount = b->kcount;
    r.offs = b->offs;
    r.toffs = b->toffs;
    r.rows = b->rows;
    r.roww = b->roww;
    r.kept = b->kept;
    r.dropped = b->dropped;
    CK(jm__cuda_route_launch(&r, st->stream), "routing");
    CK(cudaEventRecord(st->ev[3], st->stream), "event record");
    /* every token starts from its residual; dropped assignments add nothing */
    CK(cudaMemcpyAsync(b->y, b->x1, (size_t)T * D * sizeof(float), cudaMemcpyDeviceToDevice,
                       st->stream),
       "residual copy");
    const int max_tiles = (int)jm__moe_tile_bound((size_t)T, d->E, JM_CUDA_TILE_M);
    for (int s = 0; s < K; ++s) {
        jm__cuda_gemm up = plain(0, F, D, b->xn, b->we1, b->hid, tf32);
        up.a_rows = b->rows;
        up.b_stride = (long long)D * F;
        up.bias = b->be1;
        up.bias_stride = F;
        up.gelu = 1;
        up.offs = b->offs;
        up.toffs = b->toffs;
        up.key0 = s * E;
        up.n_keys = E;
        up.max_tiles = max_tiles;
        CK(jm__cuda_gemm_launch(&up, st->stream), "expert up projections");
        jm__cuda_gemm down = plain(0, D, F, b->hid, b->we2, b->y, tf32);
        down.b_stride = (long long)F * D;
        down.c_rows = b->rows;
        down.bias = b->be2;
        down.bias_stride = D;
        down.row_scale = b->roww;
        down.beta = 1.0f;
        down.offs = b->offs;
        down.toffs = b->toffs;
        down.key0 = s * E;
        down.n_keys = E;
        down.max_tiles = max_tiles;
        CK(jm__cuda_gemm_launch(&down, st->stream), "expert down projections and combine");
    }
    return JM_K_OK;
}

/* Device milliseconds between two recorded marks, as ns (0 when unavailable). */
static uint64_t span_ns(cudaEvent_t a, cudaEvent_t b)
{
    float ms = 0.0f;
    return cudaEventElapsedTime(&ms, a, b) == cudaSuccess && ms > 0.0f
               ? (uint64_t)((double)ms * 1e6)
               : 0;
}

extern "C" int jm__cuda_run(jm__cuda_state *st, int n_samples, jm_run_stats *stats, char *err,
                            size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
    jm_run_stats s;
    memset(&s, 0, sizeof(s));
    const uint64_t t0 = now_ns();
    int rc = cuda_fail_if(cudaEventRecord(st->ev[0], st->stream), "event record", err, err_len);
    if (!rc && d->gemm) {
        rc = run_gemm(st, n_samples, err, err_len);
        s.tokens = (uint64_t)n_samples;
    } else if (!rc) {
        const int T = n_samples * (int)d->S;
        rc = run_attention(st, n_samples, err, err_len);
        if (!rc)
            rc = cuda_fail_if(cudaEventRecord(st->ev[1], st->stream), "event record", err, err_len);
        if (!rc)
            rc = d->dense ? run_dense_ffn(st, T, err, err_len) : run_moe_ffn(st, T, err, err_len);
        s.tokens = (uint64_t)T;
        if (d->moe)
            s.routed_assignments = (uint64_t)T * d->K;
    }
    if (!rc)
        rc = cuda_fail_if(cudaEventRecord(st->ev[4], st->stream), "event record", err, err_len);
    /* the run ends when the GPU is done: timing and energy cover the kernels */
    const cudaError_t sync = cudaStreamSynchronize(st->stream);
    if (!rc && sync != cudaSuccess)
        rc = cuda_fail(sync, "run synchronisation", err, err_len);
    if (!rc && d->moe) {
        unsigned long long dropped = 0;
        const cudaError_t cr =
            cudaMemcpy(&dropped, st->dev.dropped, sizeof(dropped), cudaMemcpyDeviceToHost);
        if (cr != cudaSuccess)
            rc = cuda_fail(cr, "download of the dropped count", err, err_len);
        s.dropped_assignments = dropped;
        s.computed_assignments = s.routed_assignments - dropped;
    }
    if (!rc && d->layer) {
        s.attention_ns = span_ns(st->ev[0], st->ev[1]);
        s.ffn_ns = span_ns(st->ev[1], st->ev[4]);
        if (d->moe) {
            s.router_ns = span_ns(st->ev[1], st->ev[2]);
            s.dispatch_ns = span_ns(st->ev[2], st->ev[3]);
            /* experts with the combine fused into their down GEMMs */
            s.experts_ns = span_ns(st->ev[3], st->ev[4]);
        }
    }
    s.total_ns = now_ns() - t0;
    if (stats)
        *stats = s;
    return rc;
}

extern "C" int jm__cuda_put_input(jm__cuda_state *st, const jm__cuda_bufs *host, char *err,
                                  size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
#define JM_CUDA_POISON(name, type, count, dir)                                                     \
    if ((dir) == 3 && (count) > 0)                                                                 \
        CK(cudaMemsetAsync(st->dev.name, 0xFF, (size_t)(count) * sizeof(type), st->stream),        \
           "poisoning of " #name);
    JM_CUDA_ARRAYS(JM_CUDA_POISON)
#undef JM_CUDA_POISON
    return transfer(st, host, 2, true, err, err_len);
}

extern "C" int jm__cuda_get_output(jm__cuda_state *st, const jm__cuda_bufs *host, char *err,
                                   size_t err_len)
{
    return transfer(st, host, 3, false, err, err_len);
}

extern "C" int jm__cuda_peek(jm__cuda_state *st, const char *name, void *dst, size_t bytes,
                             char *err, size_t err_len)
{
    const jm__cuda_dims *d = &st->dims;
#define JM_CUDA_PEEK(nm, type, count, dir)                                                         \
    if (strcmp(name, #nm) == 0) {                                                                  \
        if (bytes != (size_t)(count) * sizeof(type)) {                                             \
            if (err && err_len)                                                                    \
                snprintf(err, err_len, "cuda peek: %s has %zu bytes, %zu were asked for", name,    \
                         (size_t)(count) * sizeof(type), bytes);                                   \
            return JM_K_EINVAL;                                                                    \
        }                                                                                          \
        CK(cudaMemcpy(dst, st->dev.nm, bytes, cudaMemcpyDeviceToHost), "peek download");           \
        return JM_K_OK;                                                                            \
    }
    JM_CUDA_ARRAYS(JM_CUDA_PEEK)
#undef JM_CUDA_PEEK
    if (err && err_len)
        snprintf(err, err_len, "cuda peek: no device array named \"%s\"", name);
    return JM_K_EINVAL;
}
