/* cuda_gemm.cu - our GPU GEMM: 64 x 64 output tiles, either fp32 SIMT
 * (256 threads, 4 x 4 outputs each) or TF32 tensor cores through WMMA
 * (4 warps, 32 x 32 each, fp32 accumulate), with row gather of A, row
 * scatter of C, the fused epilogue of jm__cuda_gemm, and the grouped mode in
 * which one launch runs every expert of an MoE slot from a device-side tile
 * list. Written in C style; the only C++ used is the WMMA API. */
#include <math.h>
#include <mma.h>

#include "cuda_backend.h"
#include "cuda_kernels.cuh"

#define BM JM_CUDA_TILE_M
#define BN JM_CUDA_TILE_N

/* The rows [row0, row_end) of this block's tile, its expert and row base;
 * false when the block has no tile (grouped mode past the slot's tiles). */
__device__ static bool tile_of_block(const jm__cuda_gemm *g, int *row0, int *row_end, int *e,
                                     int *rb)
{
    const int tile = (int)blockIdx.x;
    if (!g->offs) {
        *row0 = tile * BM;
        *row_end = g->m;
        *e = 0;
        *rb = 0;
        return *row0 < g->m;
    }
    const int first = g->toffs[g->key0], last = g->toffs[g->key0 + g->n_keys];
    const int gt = first + tile;
    if (gt >= last)
        return false;
    int lo = g->key0, hi = g->key0 + g->n_keys - 1; /* key with toffs[key] <= gt < toffs[key+1] */
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (g->toffs[mid] <= gt)
            lo = mid;
        else
            hi = mid - 1;
    }
    *e = lo - g->key0;
    *row0 = g->offs[lo] + (gt - g->toffs[lo]) * BM;
    *row_end = g->offs[lo + 1];
    *rb = g->offs[g->key0];
    return true;
}

__device__ static float gelu_tanh(float x)
{
    const float c = 0.7978845608028654f; /* sqrt(2 / pi) */
    return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
}

/* Epilogue and store of one element of logical row i, column j. */
__device__ static void store(const jm__cuda_gemm *g, int i, int j, int e, int rb, float acc)
{
    float v = g->alpha * acc;
    if (g->bias)
        v += g->bias[(long long)e * g->bias_stride + j];
    if (g->gelu)
        v = gelu_tanh(v);
    if (g->row_scale)
        v *= g->row_scale[i];
    const long long rc = g->c_rows ? (long long)g->c_rows[i] : (long long)(i - rb);
    if (g->residual)
        v += g->residual[rc * g->ld_res + j];
    float *c = g->c + rc * g->ldc + j;
    if (g->beta != 0.0f)
        v += g->beta * *c;
    *c = v;
}

__device__ static const float *a_row(const jm__cuda_gemm *g, int i, int rb)
{
    const long long ra = g->a_rows ? (long long)g->a_rows[i] : (long long)(i - rb);
    return g->a + ra * g->lda;
}

/* ---- fp32 SIMT: 256 threads, thread (ty, tx) owns rows ty + 16 r, cols tx + 16 c */
#define SK 16
__global__ static void __launch_bounds__(256) gemm_simt(jm__cuda_gemm g)
{
    int row0, row_end, e, rb;
    if (!tile_of_block(&g, &row0, &row_end, &e, &rb))
        return;
    __shared__ float as[SK][BM + 1];
    __shared__ float bs[SK][BN];
    const int tid = (int)threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int col0 = (int)blockIdx.y * BN;
    const float *b = g.b + (long long)e * g.b_stride;
    /* A loads: thread loads row lr = tid / 4, k columns (tid % 4) * 4 .. + 3 */
    const int lr = tid / 4, lk = (tid % 4) * 4;
    const bool a_ok = row0 + lr < row_end;
    const float *ap = a_ok ? a_row(&g, row0 + lr, rb) : g.a;
    /* B loads: k row tid / 16, columns (tid % 16) * 4 .. + 3 */
    const int bk = tid / 16, bc = (tid % 16) * 4;
    float acc[4][4] = {{0.0f}};
    for (int p0 = 0; p0 < g.k; p0 += SK) {
        for (int q = 0; q < 4; ++q) {
            const int p = p0 + lk + q;
            as[lk + q][lr] = a_ok && p < g.k ? ap[p] : 0.0f;
        }
        for (int q = 0; q < 4; ++q) {
            const int p = p0 + bk, j = col0 + bc + q;
            bs[bk][bc + q] = p < g.k && j < g.n ? b[(long long)p * g.ldb + j] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < SK; ++p) {
            float av[4], bv[4];
#pragma unroll
            for (int r = 0; r < 4; ++r)
                av[r] = as[p][ty + 16 * r];
#pragma unroll
            for (int c = 0; c < 4; ++c)
                bv[c] = bs[p][tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; ++r)
#pragma unroll
                for (int c = 0; c < 4; ++c)
                    acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);
        }
        __syncthreads();
    }
    for (int r = 0; r < 4; ++r) {
        const int i = row0 + ty + 16 * r;
        if (i >= row_end || ty + 16 * r >= BM)
            continue;
        for (int c = 0; c < 4; ++c) {
            const int j = col0 + tx + 16 * c;
            if (j < g.n)
                store(&g, i, j, e, rb, acc[r][c]);
        }
    }
}

/* ---- TF32 tensor cores: 128 threads = 4 warps in 2 x 2, each 32 x 32 */
#define TK 32
#define LDS_A (TK + 4)
#define LDS_B (BN + 4)
#define LDS_C (BN + 4)
__global__ static void __launch_bounds__(128) gemm_tf32(jm__cuda_gemm g)
{
    using namespace nvcuda;
    int row0, row_end, e, rb;
    if (!tile_of_block(&g, &row0, &row_end, &e, &rb))
        return;
    __shared__ __align__(32) float as[BM * LDS_A];
    __shared__ __align__(32) float bs[TK * LDS_B];
    __shared__ __align__(32) float cs[BM * LDS_C];
    const int tid = (int)threadIdx.x, warp = tid / 32, wr = warp / 2, wc = warp % 2;
    const int col0 = (int)blockIdx.y * BN;
    const float *b = g.b + (long long)e * g.b_stride;
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2][2];
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c)
            wmma::fill_fragment(acc[r][c], 0.0f);
    /* A loads: 64 rows x 32 k; thread: row tid / 2, 16 k from (tid % 2) * 16 */
    const int lr = tid / 2, lk = (tid % 2) * 16;
    const bool a_ok = row0 + lr < row_end;
    const float *ap = a_ok ? a_row(&g, row0 + lr, rb) : g.a;
    for (int p0 = 0; p0 < g.k; p0 += TK) {
        for (int q = 0; q < 16; ++q) {
            const int p = p0 + lk + q;
            as[lr * LDS_A + lk + q] = wmma::__float_to_tf32(a_ok && p < g.k ? ap[p] : 0.0f);
        }
        /* B loads: 32 k rows x 64 columns; thread: k row tid / 4, 16 columns */
        {
            const int br = tid / 4, bc = (tid % 4) * 16, p = p0 + br;
            const float *bp = b + (long long)p * g.ldb;
            for (int q = 0; q < 16; ++q) {
                const int j = col0 + bc + q;
                bs[br * LDS_B + bc + q] = wmma::__float_to_tf32(p < g.k && j < g.n ? bp[j] : 0.0f);
            }
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[2];
            for (int r = 0; r < 2; ++r)
                wmma::load_matrix_sync(fa[r], as + (wr * 32 + r * 16) * LDS_A + kk, LDS_A);
            for (int c = 0; c < 2; ++c)
                wmma::load_matrix_sync(fb[c], bs + kk * LDS_B + wc * 32 + c * 16, LDS_B);
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 2; ++c)
                    wmma::mma_sync(acc[r][c], fa[r], fb[c], acc[r][c]);
        }
        __syncthreads();
    }
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c)
            wmma::store_matrix_sync(cs + (wr * 32 + r * 16) * LDS_C + wc * 32 + c * 16, acc[r][c],
                                    LDS_C, wmma::mem_row_major);
    __syncthreads();
    for (int idx = tid; idx < BM * BN; idx += 128) {
        const int r = idx / BN, c = idx % BN, i = row0 + r, j = col0 + c;
        if (i < row_end && j < g.n)
            store(&g, i, j, e, rb, cs[r * LDS_C + c]);
    }
}

cudaError_t jm__cuda_gemm_launch(const jm__cuda_gemm *g, cudaStream_t st)
{
    const int row_tiles = g->offs ? g->max_tiles : (g->m + BM - 1) / BM;
    if (row_tiles <= 0 || g->n <= 0)
        return cudaSuccess;
    const dim3 grid((unsigned)row_tiles, (unsigned)((g->n + BN - 1) / BN));
    if (g->tf32)
        gemm_tf32<<<grid, 128, 0, st>>>(*g);
    else
        gemm_simt<<<grid, 256, 0, st>>>(*g);
    return cudaGetLastError();
}
