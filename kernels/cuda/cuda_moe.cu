/* cuda_moe.cu - MoE routing on the GPU, the same rule as the host plan in
 * cuda_host.c (jm__moe_route_plan) and the CPU MoE:
 *   1. softmax + top-k per token (one warp per token; ties go to the lower
 *      expert index, as on the CPU); gate = the chosen probability;
 *   2. histogram: per (slot, chunk of 256 tokens) the count of each expert and
 *      each assignment's stable rank inside its chunk (block-local);
 *   3. one block: per key the prefix sum over chunks, per expert the
 *      capacity over slots in priority order (kept counts, dropped count),
 *      then block-wide exclusive scans over keys of the kept counts (row
 *      offsets) and of their tile counts (the grouped GEMM's tile list);
 *   4. scatter: each kept assignment to row offs[key] + its stable rank. */
#include <math.h>

#include "cuda_backend.h"
#include "cuda_kernels.cuh"

__global__ static void softmax_topk(float *logits, int32_t *choice, float *gate, int T, int E,
                                    int K)
{
    const int lane = (int)threadIdx.x % 32;
    const long long t = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (t >= T)
        return;
    float *p = logits + t * E;
    float mx = -INFINITY;
    for (int e = lane; e < E; e += 32)
        mx = fmaxf(mx, p[e]);
    for (int o = 16; o > 0; o /= 2)
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
    float sum = 0.0f;
    for (int e = lane; e < E; e += 32)
        sum += expf(p[e] - mx);
    for (int o = 16; o > 0; o /= 2)
        sum += __shfl_xor_sync(0xffffffffu, sum, o);
    const float inv = 1.0f / sum;
    for (int e = lane; e < E; e += 32)
        p[e] = expf(p[e] - mx) * inv;
    __syncwarp();
    for (int s = 0; s < K; ++s) {
        float best = -1.0f;
        int bi = E;
        for (int e = lane; e < E; e += 32) {
            bool taken = false;
            for (int q = 0; q < s; ++q)
                taken |= choice[t * K + q] == e;
            if (!taken && (p[e] > best || (p[e] == best && e < bi))) {
                best = p[e];
                bi = e;
            }
        }
        for (int o = 16; o > 0; o /= 2) {
            const float ob = __shfl_xor_sync(0xffffffffu, best, o);
            const int oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (ob > best || (ob == best && oi < bi)) {
                best = ob;
                bi = oi;
            }
        }
        if (lane == 0) {
            choice[t * K + s] = bi;
            gate[t * K + s] = best;
        }
        __syncwarp();
    }
}

#define CH JM_CUDA_ROUTE_CHUNK

/* grid (NC, K), block CH; ccount zeroed before. */
__global__ static void __launch_bounds__(CH)
    histogram(const int32_t *choice, int32_t *rank, int32_t *ccount, int T, int E, int K, int NC)
{
    __shared__ int32_t key[CH];
    const int tid = (int)threadIdx.x, c = (int)blockIdx.x, s = (int)blockIdx.y;
    const long long t = (long long)c * CH + tid;
    const int e = t < T ? choice[t * K + s] : -1;
    key[tid] = e;
    __syncthreads();
    if (e < 0)
        return;
    int r = 0;
    bool last = true;
    for (int j = 0; j < CH; ++j) {
        r += j < tid && key[j] == e;
        last &= !(j > tid && key[j] == e);
    }
    rank[t * K + s] = r;
    if (last)
        ccount[((long long)s * E + e) * NC + c] = r + 1;
}

#define SCAN_THREADS 1024

/* Block-wide exclusive scan of v over the block's threads; returns the
 * thread's exclusive prefix, *total the sum. */
__device__ static long long block_scan(long long v, long long *sh, long long *total)
{
    const int tid = (int)threadIdx.x;
    sh[tid] = v;
    __syncthreads();
    for (int o = 1; o < SCAN_THREADS; o *= 2) {
        const long long add = tid >= o ? sh[tid - o] : 0;
        __syncthreads();
        sh[tid] += add;
        __syncthreads();
    }
    const long long incl = sh[tid];
    *total = sh[SCAN_THREADS - 1];
    __syncthreads();
    return incl - v;
}

/* One block of SCAN_THREADS. */
__global__ static void __launch_bounds__(SCAN_THREADS)
    plan(int32_t *ccount, int32_t *prior, int32_t *kcount, int32_t *offs, int32_t *toffs,
         unsigned long long *dropped, int E, int K, int NC, long long cap, int tile_m)
{
    __shared__ long long sh[SCAN_THREADS];
    const int tid = (int)threadIdx.x, n_keys = K * E;
    /* per key: exclusive prefix over chunks (in place), total in kcount */
    for (int key = tid; key < n_keys; key += SCAN_THREADS) {
        int32_t *cc = ccount + (long long)key * NC;
        int32_t run = 0;
        for (int c = 0; c < NC; ++c) {
            const int32_t n = cc[c];
            cc[c] = run;
            run += n;
        }
        kcount[key] = run;
    }
    __syncthreads();
    /* per expert: capacity over the slots in priority order */
    unsigned long long drop = 0;
    for (int e = tid; e < E; e += SCAN_THREADS) {
        long long used = 0;
        for (int s = 0; s < K; ++s) {
            const int key = s * E + e;
            const long long n = kcount[key];
            long long keep = cap - used;
            keep = keep < 0 ? 0 : (keep > n ? n : keep);
            prior[key] = (int32_t)used;
            used += n;
            kcount[key] = (int32_t)keep;
            drop += (unsigned long long)(n - keep);
        }
    }
    if (drop)
        atomicAdd(dropped, drop);
    __syncthreads();
    /* exclusive scans over keys: each thread owns a contiguous segment */
    const int seg = (n_keys + SCAN_THREADS - 1) / SCAN_THREADS;
    const int k0 = tid * seg < n_keys ? tid * seg : n_keys;
    const int k1 = k0 + seg < n_keys ? k0 + seg : n_keys;
    long long rows = 0, tiles = 0, total_rows, total_tiles;
    for (int key = k0; key < k1; ++key) {
        rows += kcount[key];
        tiles += (kcount[key] + tile_m - 1) / tile_m;
    }
    long long r = block_scan(rows, sh, &total_rows);
    long long tl = block_scan(tiles, sh, &total_tiles);
    for (int key = k0; key < k1; ++key) {
        offs[key] = (int32_t)r;
        toffs[key] = (int32_t)tl;
        r += kcount[key];
        tl += (kcount[key] + tile_m - 1) / tile_m;
    }
    if (tid == 0) {
        offs[n_keys] = (int32_t)total_rows;
        toffs[n_keys] = (int32_t)total_tiles;
    }
}

__global__ static void scatter(const int32_t *choice, const float *gate, const int32_t *rank,
                               const int32_t *ccount, const int32_t *prior, const int32_t *offs,
                               int32_t *rows, float *roww, uint8_t *kept, int T, int E, int K,
                               int NC, long long cap)
{
    const long long a = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (a >= (long long)T * K)
        return;
    const int t = (int)(a / K), s = (int)(a % K), e = choice[a], key = s * E + e;
    const int r = ccount[(long long)key * NC + t / CH] + rank[a];
    const bool keep = (long long)prior[key] + r < cap;
    kept[a] = keep;
    if (keep) {
        rows[offs[key] + r] = t;
        roww[offs[key] + r] = gate[a];
    }
}

cudaError_t jm__cuda_route_launch(const jm__cuda_route *r, cudaStream_t st)
{
    if (r->T <= 0)
        return cudaSuccess;
    cudaError_t rc;
    const int warps = 8;
    softmax_topk<<<(r->T + warps - 1) / warps, 32 * warps, 0, st>>>(r->logits, r->choice, r->gate,
                                                                    r->T, r->E, r->K);
    if ((rc = cudaGetLastError()) != cudaSuccess)
        return rc;
    const size_t n_cc = (size_t)r->K * r->E * r->NC * sizeof(int32_t);
    if ((rc = cudaMemsetAsync(r->ccount, 0, n_cc, st)) != cudaSuccess ||
        (rc = cudaMemsetAsync(r->dropped, 0, sizeof(*r->dropped), st)) != cudaSuccess)
        return rc;
    const dim3 hgrid((unsigned)((r->T + CH - 1) / CH), (unsigned)r->K);
    histogram<<<hgrid, CH, 0, st>>>(r->choice, r->rank, r->ccount, r->T, r->E, r->K, r->NC);
    if ((rc = cudaGetLastError()) != cudaSuccess)
        return rc;
    plan<<<1, SCAN_THREADS, 0, st>>>(r->ccount, r->prior, r->kcount, r->offs, r->toffs, r->dropped,
                                     r->E, r->K, r->NC, r->cap, r->tile_m);
    if ((rc = cudaGetLastError()) != cudaSuccess)
        return rc;
    const long long n = (long long)r->T * r->K;
    scatter<<<(unsigned)((n + 255) / 256), 256, 0, st>>>(r->choice, r->gate, r->rank, r->ccount,
                                                         r->prior, r->offs, r->rows, r->roww,
                                                         r->kept, r->T, r->E, r->K, r->NC, r->cap);
    return cudaGetLastError();
}
