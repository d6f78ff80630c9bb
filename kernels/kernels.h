/* kernels.h - public contract of the compute layer (GEMM, transformer layers, MoE).
 *
 * kernels/ computes and knows nothing of energy, meters, JSON, reports or the
 * harness. It owns: the fp32 GEMM (portable C reference kernel, AVX2/FMA and
 * AVX-512 micro-kernels chosen at run time), the dense transformer layer, the
 * sparse mixture-of-experts layer, fp64 reference implementations of each, and
 * the "workload" object through which the harness drives them.
 *
 * Conventions: matrices are row-major, strides (ld*) are in elements. Functions
 * return 0 on success and a negative JM_K_E* code on failure, writing a message
 * into the caller's err buffer (err may be NULL). Nothing here prints or exits.
 * Thread safety: a workload is used by one caller thread at a time; internally
 * it parallelises with OpenMP using the thread count of its shape.
 */
#ifndef JM_KERNELS_H
#define JM_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    JM_K_OK = 0,
    JM_K_EINVAL = -1, /* bad shape or argument (message names the field) */
    JM_K_ENOMEM = -2, /* allocation failed (message says how much) */
    JM_K_EBACKEND = -3 /* requested backend not built in / not usable */
};

/* ---------------------------------------------------------------- GEMM --- */

typedef enum { JM_NO_TRANS = 0, JM_TRANS = 1 } jm_trans;

/* Epilogue applied to each element of C after alpha*op(A)*op(B) + beta*C:
 *   c = c * row_scale[i] (if row_scale) ; c += bias[j] (if bias) ;
 *   c = gelu(c) (if gelu) ; c += residual[i*ld_residual + j] (if residual).
 * Order: scale, bias, gelu, residual. */
typedef struct jm_gemm_epilogue {
    const float *bias;      /* length n, or NULL */
    bool gelu;              /* tanh-approximation GELU */
    const float *residual;  /* m x n with stride ld_residual, or NULL; may alias C */
    size_t ld_residual;
    const float *row_scale; /* length m, or NULL */
} jm_gemm_epilogue;

/* C = alpha * op(A) * op(B) + beta * C, then the epilogue (may be NULL).
 * op(A) is m x k, op(B) is k x n, C is m x n. When beta == 0, C is never read
 * (NaN in C does not propagate). A and B must not alias C. Uses up to
 * `threads` OpenMP threads (0 = omp_get_max_threads()). */
int jm_sgemm(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
             const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
             size_t ldc, const jm_gemm_epilogue *epi, int threads, char *err, size_t err_len);

/* The same with the A rows gathered through an index: row i of op(A) is row
 * a_rows[i] of A (A not transposed). Used by MoE experts to read routed token
 * rows in place. C rows are contiguous (row i of C). */
int jm_sgemm_gather_a(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                      const int32_t *a_rows, const float *b, size_t ldb, float beta, float *c,
                      size_t ldc, const jm_gemm_epilogue *epi, int threads, char *err,
                      size_t err_len);

/* fp64 reference: plain triple loop in double precision, for verification. */
void jm_dgemm_ref(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, double alpha,
                  const double *a, size_t lda, const double *b, size_t ldb, double beta,
                  double *c, size_t ldc);

/* Name of the micro-kernel selected at run time ("avx512_..", "avx2_fma_..",
 * "portable_c"), and a way to force one for tests ("auto" restores). */
const char *jm_gemm_kernel_name(void);
int jm_gemm_force_kernel(const char *name, char *err, size_t err_len);
/* Names of every kernel variant usable on this CPU, NULL-terminated. */
const char *const *jm_gemm_kernel_variants(void);

/* Forcing, so that one machine can measure every variant (docs/kernels.md):
 * short names "avx512", "avx2", "portable" are accepted by
 * jm_gemm_force_kernel as well as the full ones. jm_gemm_force_blocking sets
 * kc, mc, nc for every GEMM (0, 0, 0 restores the cache model; mc and nc are
 * rounded down to the micro-tile, at least one tile). jm_gemm_set_cache_model
 * makes the blocking model use a named hierarchy ("host" = hwloc's, see
 * jm_cache_model). jm_gemm_apply_env applies JM_GEMM_KERNEL (a variant),
 * JM_GEMM_BLOCKING ("kc,mc,nc") and JM_CACHE_MODEL (a name) when set; the
 * first GEMM of a process applies them too, ignoring values that are not
 * valid, so a program should call it first to report them. */
int jm_gemm_force_blocking(size_t kc, size_t mc, size_t nc, char *err, size_t err_len);
int jm_gemm_set_cache_model(const char *name, char *err, size_t err_len);
int jm_gemm_apply_env(char *err, size_t err_len);
/* Parses "kc,mc,nc" (three integers in 1..65536); JM_K_EINVAL otherwise. */
int jm_gemm_parse_blocking(const char *s, size_t *kc, size_t *mc, size_t *nc, char *err,
                           size_t err_len);
/* The blocking the current variant runs with, and where it came from
 * ("model: host", "model: zen3", "forced"). */
void jm_gemm_blocking_in_use(size_t *kc, size_t *mc, size_t *nc, char *source, size_t source_len);

/* FMA peak: a register-only loop of independent FMAs in the vector ISA of
 * `kernel` (a variant name, NULL = the one in use; zmm for avx512_*, ymm for
 * avx2_*, baseline SSE for portable_c) on `threads` OpenMP threads for about
 * `seconds`; returns GFLOP/s of all threads together, or a negative JM_K_E*
 * code (a variant this CPU cannot run, bad arguments). */
double jm_fma_peak_gflops(const char *kernel, int threads, double seconds, char *err,
                          size_t err_len);

/* Optional comparison backend (OpenBLAS); returns JM_K_EBACKEND when not built. */
bool jm_gemm_openblas_available(void);
/* The core type OpenBLAS dispatches to (e.g. "SkylakeX", or "Prescott" when it
 * does not know the CPU: then set OPENBLAS_CORETYPE), NULL when not built. */
const char *jm_gemm_openblas_corename(void);
int jm_sgemm_openblas(jm_trans ta, jm_trans tb, size_t m, size_t n, size_t k, float alpha,
                      const float *a, size_t lda, const float *b, size_t ldb, float beta,
                      float *c, size_t ldc, int threads, char *err, size_t err_len);

/* ----------------------------------------------------------- workloads --- */

typedef enum {
    JM_WORKLOAD_GEMM = 0,  /* C[m x n] = A[m x k] B[k x n]; a "token" is a row of A */
    JM_WORKLOAD_DENSE = 1, /* pre-LN transformer layer: MHA + dense GELU FFN */
    JM_WORKLOAD_MOE = 2    /* pre-LN transformer layer: MHA + routed expert FFNs */
} jm_workload_kind;

typedef enum {
    JM_BACKEND_NATIVE = 0,
    JM_BACKEND_OPENBLAS = 1,
    JM_BACKEND_CUDA = 2,  /* NVIDIA GPU, our kernels (kernels/cuda/) */
    JM_BACKEND_CUBLAS = 3 /* NVIDIA GPU, cuBLAS: GEMM workload only, for comparison */
} jm_backend;

/* Arithmetic of the GEMMs (accumulation is fp32 in every case). The CPU
 * backends support fp32 only; the GPU runs the projection, FFN and expert
 * GEMMs on TF32 tensor cores when tf32 (router and attention stay fp32). */
typedef enum { JM_PRECISION_FP32 = 0, JM_PRECISION_TF32 = 1 } jm_precision;

typedef struct jm_workload_shape {
    jm_workload_kind kind;
    /* transformer layers */
    int d_model;          /* hidden size */
    int n_heads;          /* attention heads; d_model % n_heads == 0 */
    int d_ff;             /* FFN inner size (per expert for MoE) */
    int seq_len;          /* tokens per sequence (= one "sample") */
    int batch_seqs;       /* sequences per batch (max samples per run call) */
    int n_experts;        /* MoE only */
    int top_k;            /* MoE only, 1 <= top_k <= n_experts */
    double capacity_factor; /* MoE only; <= 0 means dropless */
    /* GEMM: m rows (= tokens per batch; seq_len 1, batch_seqs m), n, k */
    int m, n, k;
    int threads;          /* OpenMP threads, >= 1 */
    jm_backend backend;
    uint64_t seed;        /* weights and inputs are drawn from this seed */
    jm_precision precision; /* fp32 (0, the default) or tf32 (GPU backends only) */
} jm_workload_shape;

/* Per-call statistics filled by jm_workload_run. Times are wall-clock ns of
 * the phases inside the call (zero where a phase does not exist). */
typedef struct jm_run_stats {
    uint64_t tokens;          /* tokens through the layer (GEMM: rows) */
    uint64_t routed_assignments;   /* MoE: token-expert assignments made (tokens * top_k) */
    uint64_t computed_assignments; /* MoE: of those, computed by their expert */
    uint64_t dropped_assignments;  /* MoE: routed - computed: dropped by expert capacity
                                    * (that slot of the token passes the residual only) */
    double flops;             /* FLOPs done: jm_workload_flops_done of the counts above */
    uint64_t attention_ns, router_ns, dispatch_ns, experts_ns, combine_ns, ffn_ns, total_ns;
} jm_run_stats;

typedef struct jm_workload jm_workload;

/* Checks the shape; on error the message names the field, value and expected range. */
int jm_workload_shape_check(const jm_workload_shape *shape, char *err, size_t err_len);
/* Allocates weights (seeded random) and activation buffers for batch_seqs sequences. */
int jm_workload_create(const jm_workload_shape *shape, jm_workload **out, char *err,
                       size_t err_len);
void jm_workload_destroy(jm_workload *w);

const jm_workload_shape *jm_workload_get_shape(const jm_workload *w);
/* Total parameters (weights + biases + norms), parameters touched per token,
 * FLOPs per token (multiply-add = 2 FLOPs; attention counted at seq_len
 * context), weight+activation bytes moved per token at batch size. */
uint64_t jm_workload_params(const jm_workload_shape *s);
uint64_t jm_workload_active_params(const jm_workload_shape *s);
double jm_workload_flops_per_token(const jm_workload_shape *s);
/* FLOPs of one computed token-expert assignment (MoE: 4 D F; else 0). */
double jm_workload_flops_per_assignment(const jm_workload_shape *s);
/* FLOPs actually done by a run: tokens x FLOPs/token, less the expert FLOPs
 * of every dropped assignment (st->routed_assignments - computed). */
double jm_workload_flops_done(const jm_workload_shape *s, const jm_run_stats *st);
double jm_workload_bytes_per_token(const jm_workload_shape *s);
/* Bytes the workload allocates (weights + buffers), for size checks. */
uint64_t jm_workload_memory_bytes(const jm_workload_shape *s);

/* Runs the layer forward on n_samples sequences (1..batch_seqs) of the
 * workload's resident input; tokens = n_samples * seq_len. */
int jm_workload_run(jm_workload *w, int n_samples, jm_run_stats *stats, char *err,
                    size_t err_len);

/* Draws fresh random inputs from `seed`, runs the optimized path on n_samples
 * sequences and the fp64 reference on the same inputs, and returns the max
 * relative error (max |y - y_ref| / max |y_ref|). For MoE, an expert choice
 * that is not a top-k choice in fp64 gives +infinity. When the reference FFN
 * would exceed 4 GFLOP, only evenly spaced token rows are compared. The
 * resident input is restored afterwards. */
int jm_workload_verify(jm_workload *w, uint64_t seed, int n_samples, double *rel_err,
                       char *err, size_t err_len);
/* The accepted error bound for fp32 against the fp64 reference. */
double jm_workload_tolerance(const jm_workload_shape *s);

/* "fp32" / "tf32"; NULL for a value that is not a precision. */
const char *jm_precision_name(jm_precision p);
/* "native", "openblas", "cuda", "cublas"; NULL for a value that is not a backend. */
const char *jm_backend_name(jm_backend b);

/* ------------------------------------------------------- GPU (CUDA) --- */

/* True when this joulemark was built with CUDA (kernels/cuda/). */
bool jm_cuda_built(void);
/* True when a CUDA device is usable; reason says "built without CUDA", "no
 * CUDA device: <runtime error>", or (when true) the device's name, memory and
 * compute capability. reason may be NULL. */
bool jm_cuda_available(char *reason, size_t reason_len);
/* True when the cuBLAS comparison backend was built in. */
bool jm_cublas_built(void);
/* Device memory (bytes) a workload of this shape allocates on the GPU. */
uint64_t jm_cuda_memory_bytes(const jm_workload_shape *s);

/* Deterministic SplitMix64-based random fill in [-scale, scale]. */
void jm_fill_uniform(float *x, size_t n, uint64_t seed, float scale);

#ifdef __cplusplus
}
#endif
#endif /* JM_KERNELS_H */
