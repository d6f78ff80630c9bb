/* cuda_layer.cu - the non-GEMM pieces of the transformer layer on the GPU:
 * LayerNorm (one block per row, two-pass mean and variance in fp32) and
 * multi-head self-attention with a blocked (online) softmax: per block 16
 * queries of one head of one sequence; keys and values stream through shared
 * memory 16 at a time; only a 16 x 16 tile of scores ever exists. fp32. */
#include <math.h>

#include "cuda_backend.h"
#include "cuda_kernels.cuh"

#define LN_THREADS 256

__device__ static float block_sum(float v, float *red)
{
    for (int o = 16; o > 0; o /= 2)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
    __syncthreads(); /* red[] may still be read by a previous call */
    if (lane == 0)
        red[warp] = v;
    __syncthreads();
    float s = 0.0f;
    for (int w = 0; w < LN_THREADS / 32; ++w)
        s += red[w];
    return s;
}

__global__ static void __launch_bounds__(LN_THREADS)
    layernorm(const float *x, float *y, const float *g, const float *b, int D)
{
    __shared__ float red[LN_THREADS / 32];
    const float *xr = x + (long long)blockIdx.x * D;
    float *yr = y + (long long)blockIdx.x * D;
    float s = 0.0f;
    for (int j = (int)threadIdx.x; j < D; j += LN_THREADS)
        s += xr[j];
    const float mean = block_sum(s, red) / (float)D;
    float v = 0.0f;
    for (int j = (int)threadIdx.x; j < D; j += LN_THREADS) {
        const float d = xr[j] - mean;
        v += d * d;
    }
    const float inv = rsqrtf(block_sum(v, red) / (float)D + 1e-5f);
    for (int j = (int)threadIdx.x; j < D; j += LN_THREADS)
        yr[j] = (xr[j] - mean) * inv * g[j] + b[j];
}

cudaError_t jm__cuda_layernorm(const float *x, float *y, const float *g, const float *b, int rows,
                               int D, cudaStream_t st)
{
    if (rows <= 0)
        return cudaSuccess;
    layernorm<<<rows, LN_THREADS, 0, st>>>(x, y, g, b, D);
    return cudaGetLastError();
}

#define QT 16
#define KT 16
#define AT_THREADS 128
#define DHM JM_CUDA_MAX_HEAD_DIM

/* grid (query tiles, heads, sequences) */
__global__ static void __launch_bounds__(AT_THREADS)
    attention(const float *qkv, float *out, int S, int D, int dh)
{
    __shared__ float q[QT][DHM];
    __shared__ float k[KT][DHM + 1];
    __shared__ float v[KT][DHM];
    __shared__ float p[QT][KT];
    __shared__ float acc[QT][DHM];
    __shared__ float mrow[QT], lrow[QT], corr[QT];
    const int tid = (int)threadIdx.x, h = (int)blockIdx.y, seq = (int)blockIdx.z;
    const int q0 = (int)blockIdx.x * QT, nq = S - q0 < QT ? S - q0 : QT;
    const long long ld = 3LL * D, base = (long long)seq * S;
    const float scale = rsqrtf((float)dh);
    for (int idx = tid; idx < QT * dh; idx += AT_THREADS) {
        const int r = idx / dh, d = idx % dh;
        q[r][d] = r < nq ? qkv[(base + q0 + r) * ld + h * dh + d] * scale : 0.0f;
        acc[r][d] = 0.0f;
    }
    if (tid < QT) {
        mrow[tid] = -INFINITY;
        lrow[tid] = 0.0f;
    }
    for (int k0 = 0; k0 < S; k0 += KT) {
        const int nk = S - k0 < KT ? S - k0 : KT;
        __syncthreads();
        for (int idx = tid; idx < KT * dh; idx += AT_THREADS) {
            const int r = idx / dh, d = idx % dh;
            const long long row = (base + k0 + r) * ld + h * dh + d;
            k[r][d] = r < nk ? qkv[row + D] : 0.0f;
            v[r][d] = r < nk ? qkv[row + 2LL * D] : 0.0f;
        }
        __syncthreads();
        for (int idx = tid; idx < QT * KT; idx += AT_THREADS) {
            const int r = idx / KT, c = idx % KT;
            float s = 0.0f;
            for (int d = 0; d < dh; ++d)
                s = fmaf(q[r][d], k[c][d], s);
            p[r][c] = c < nk ? s : -INFINITY;
        }
        __syncthreads();
        if (tid < QT) {
            float mx = mrow[tid];
            for (int c = 0; c < nk; ++c)
                mx = fmaxf(mx, p[tid][c]);
            const float f = expf(mrow[tid] - mx);
            float sum = 0.0f;
            for (int c = 0; c < KT; ++c) {
                const float e = c < nk ? expf(p[tid][c] - mx) : 0.0f;
                p[tid][c] = e;
                sum += e;
            }
            lrow[tid] = lrow[tid] * f + sum;
            mrow[tid] = mx;
            corr[tid] = f;
        }
        __syncthreads();
        for (int idx = tid; idx < QT * dh; idx += AT_THREADS) {
            const int r = idx / dh, d = idx % dh;
            float a = acc[r][d] * corr[r];
            for (int c = 0; c < KT; ++c)
                a = fmaf(p[r][c], v[c][d], a);
            acc[r][d] = a;
        }
    }
    __syncthreads();
    for (int idx = tid; idx < nq * dh; idx += AT_THREADS) {
        const int r = idx / dh, d = idx % dh;
        out[(base + q0 + r) * D + h * dh + d] = acc[r][d] / lrow[r];
    }
}

cudaError_t jm__cuda_attention(const float *qkv, float *out, int n_seq, int S, int D, int H,
                               cudaStream_t st)
{
    if (n_seq <= 0)
        return cudaSuccess;
    const int dh = D / H;
    if (dh > DHM)
        return cudaErrorInvalidValue;
    const dim3 grid((unsigned)((S + QT - 1) / QT), (unsigned)H, (unsigned)n_seq);
    attention<<<grid, AT_THREADS, 0, st>>>(qkv, out, S, D, dh);
    return cudaGetLastError();
}
