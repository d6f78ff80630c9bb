/* cuda_kernels.cuh - private to kernels/cuda/: launch interfaces of the GPU
 * kernels (GEMM, layer pieces, MoE routing) shared by the .cu files. Every
 * launch goes on the caller's stream and returns the launch's cudaError_t;
 * nothing here synchronises. Matrices row-major, strides in elements. */
#ifndef JM_CUDA_KERNELS_CUH
#define JM_CUDA_KERNELS_CUH

#include <cuda_runtime.h>
#include <stdint.h>

/* One GEMM, or one slot of the MoE grouped GEMM:
 *   v = alpha * sum_p A[ra(i)][p] B[p][j]; v += bias[j]; v = gelu(v);
 *   v *= row_scale[i]; v += residual[rc(i)][j]; v += beta * C[rc(i)][j];
 *   C[rc(i)][j] = v   (each step only when its operand is set; beta == 0
 *   never reads C).
 * Logical rows i: plain: 0..m-1 with rb = 0. Grouped: the tiles of keys
 * key0..key0+n_keys-1 (rows [offs[key], offs[key+1]), tile list toffs, see
 * jm__moe_tile_offsets), expert e = key - key0 picks B + e*b_stride and
 * bias + e*bias_stride, and rb = offs[key0] (read on the device).
 * ra(i) = a_rows ? a_rows[i] : i - rb; rc(i) = c_rows ? c_rows[i] : i - rb. */
typedef struct jm__cuda_gemm {
    int m, n, k;
    float alpha, beta;
    const float *a;
    long long lda;
    const int32_t *a_rows;
    const float *b;
    long long ldb, b_stride;
    float *c;
    long long ldc;
    const int32_t *c_rows;
    const float *bias;
    long long bias_stride;
    int gelu;
    const float *row_scale;
    const float *residual;
    long long ld_res;
    /* grouped mode when offs != NULL */
    const int32_t *offs, *toffs;
    int key0, n_keys, max_tiles;
    int tf32; /* tensor cores (TF32 inputs, fp32 accumulate) */
} jm__cuda_gemm;

cudaError_t jm__cuda_gemm_launch(const jm__cuda_gemm *g, cudaStream_t st);

/* y[r] = LayerNorm(x[r]) * g + b over rows of width D, eps 1e-5. */
cudaError_t jm__cuda_layernorm(const float *x, float *y, const float *g, const float *b, int rows,
                               int D, cudaStream_t st);
/* Bidirectional multi-head attention within each of n_seq sequences of S
 * tokens; qkv rows [q | k | v] (width 3D), out T x D; online (blocked) softmax. */
cudaError_t jm__cuda_attention(const float *qkv, float *out, int n_seq, int S, int D, int H,
                               cudaStream_t st);

/* MoE routing on the device, in order (see cuda_moe.cu):
 * softmax + top-k of logits[T x E] -> choice, gate;
 * per-chunk histogram and stable in-chunk rank -> ccount, rank;
 * prefix sums, capacity, kept counts, offsets, tile offsets, dropped count;
 * stable scatter -> rows, roww, kept. */
typedef struct jm__cuda_route {
    int T, E, K, NC;
    long long cap;
    int tile_m;
    float *logits;
    int32_t *choice;
    float *gate;
    int32_t *rank, *ccount, *prior, *kcount, *offs, *toffs, *rows;
    float *roww;
    uint8_t *kept;
    unsigned long long *dropped;
} jm__cuda_route;

cudaError_t jm__cuda_route_launch(const jm__cuda_route *r, cudaStream_t st);

#endif /* JM_CUDA_KERNELS_CUH */
