/* gemm_internal.h - private to kernels/: the GEMM micro-kernel table, cache
 * blocking, and the general driver that the public jm_sgemm* entry points and
 * the layers share. Not part of the public contract (kernels.h is).
 *
 * Packed layouts (BLIS style): an A micro-panel holds MR rows of op(A) for kc
 * steps, element (i, p) at a[p * MR + i]; a B micro-panel holds NR columns of
 * op(B), element (p, j) at b[p * NR + j]. Edge panels are zero-padded.
 * A micro-kernel overwrites the contiguous MR x NR row-major tile
 *   t[i * NR + j] = sum_p a[p * MR + i] * b[p * NR + j]
 * and never reads t; the driver merges the tile into C (alpha, beta, epilogue).
 */
#ifndef JM_GEMM_INTERNAL_H
#define JM_GEMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "kernels.h"

typedef void (*jm__ukr_fn)(size_t kc, const float *restrict a, const float *restrict b,
                           float *restrict t);

/* Full-tile update straight into C (row stride ldc): c = acc, or c += acc
 * when accumulate. Saves the tile round trip on interior tiles. */
typedef void (*jm__ukr_upd_fn)(size_t kc, const float *restrict a, const float *restrict b,
                               float *restrict c, size_t ldc, bool accumulate);

/* The full-tile update that also fetches pf_lines 64-byte lines from pf into
 * L2, one every two k steps (the next B micro-panel, spread over the tiles
 * that use the current one instead of issued in bursts, which stall when the
 * lines come from memory). NULL in the table: the driver prefetches in bulk. */
typedef void (*jm__ukr_upd_pf_fn)(size_t kc, const float *restrict a, const float *restrict b,
                                  float *restrict c, size_t ldc, bool accumulate,
                                  const float *pf, size_t pf_lines);

/* A full-width tile of only `rows` rows (1 <= rows <= the variant's
 * edge_rows < MR) of the same packed panels, updated straight into C like
 * upd: the last, partial row of tiles when m is not a multiple of MR. */
typedef void (*jm__ukr_edge_fn)(size_t kc, const float *restrict a, const float *restrict b,
                                float *restrict c, size_t ldc, bool accumulate, size_t rows);

/* Packs one MR-row micro-panel of a row-major op(A): src[i] points at row i's
 * first column (i < rows <= MR), dst[p * MR + i] for p < kc, rows >= `rows`
 * zero. NULL in the table: the driver's portable packing is used. */
typedef void (*jm__pack_a_fn)(size_t kc, const float *const *src, size_t rows, float *restrict dst);

/* Packs npanels full NR-column micro-panels of a row-major op(B): src is
 * element (0, 0), row stride ldb; panel jp goes to dst + jp * kc * NR as
 * dst[p * NR + j]. Rows are read whole, one after another. NULL: portable. */
typedef void (*jm__pack_b_fn)(size_t kc, size_t npanels, const float *restrict src, size_t ldb,
                              float *restrict dst);

/* Packs one NR-column micro-panel of op(B) = B^T: column j (j < cols <= NR)
 * is the storage row src + j * ldb, read over kc; columns >= cols zero. */
typedef void (*jm__pack_bt_fn)(size_t kc, const float *restrict src, size_t ldb, size_t cols,
                               float *restrict dst);

typedef struct jm__ukr {
    const char *name; /* "avx512_12x32", "avx2_fma_6x16", "portable_c" */
    int mr, nr;
    jm__ukr_fn fn;
    jm__ukr_upd_fn upd;
    bool (*usable)(void);   /* CPU check; NULL = always usable */
    jm__ukr_upd_pf_fn upd_pf; /* upd with a spread prefetch; NULL = none */
    jm__ukr_edge_fn upd_edge; /* partial-row tiles; NULL = through the tile buffer */
    int edge_rows;            /* the most rows upd_edge takes */
    jm__pack_a_fn pack_a;   /* ISA packing of A micro-panels; NULL = portable */
    jm__pack_b_fn pack_b;   /* ISA packing of full B micro-panels; NULL = portable */
    jm__pack_bt_fn pack_bt; /* ISA packing of a transposed B micro-panel; NULL = portable */
} jm__ukr;

/* Each defined in its own file; ISA variants only where the build has them. */
extern const jm__ukr jm__ukr_portable_c;
extern const jm__ukr jm__ukr_avx2_fma_6x16;
extern const jm__ukr jm__ukr_avx512_12x32;

/* The micro-kernel in use (dispatch table after CPU detection, or forced). */
const jm__ukr *jm__gemm_ukr(void);

/* A named hierarchy (cache_models.c): "host" (base's hwloc probe) or a
 * simulated CPU: zen2, zen3, zen4, haswell, skylakex, sapphirerapids
 * (per-core figures of the part, L3 with the cores that share it).
 * JM_K_EINVAL for an unknown name. */
int jm_cache_model(const char *name, jm_cache_hierarchy *out, char *err, size_t err_len);

/* Cache blocking for a micro-kernel, from hwloc's cache sizes (computed once). */
typedef struct jm__blocking {
    size_t kc, mc, nc;
} jm__blocking;
void jm__gemm_blocking(const jm__ukr *u, jm__blocking *out);
/* The analytical model (gemm_blocking.c) for an MR x NR micro-tile on a
 * hierarchy; pure, any input (missing or absurd levels get defaults). */
void jm__blocking_model(const jm_cache_hierarchy *h, size_t mr, size_t nr, jm__blocking *out);
/* gemm_forcing.c: the forced blocking (false when none), the hierarchy the
 * model reads (host or simulated), the environment applied once. */
bool jm__gemm_forced_blocking(jm__blocking *out);
void jm__gemm_cache_hierarchy(jm_cache_hierarchy *out);
void jm__gemm_env_once(void);
/* jm_gemm_force_kernel without applying the environment first. */
int jm__gemm_force_kernel(const char *name, char *err, size_t err_len);

/* Epilogue of the internal driver. Order: if !scale_last: scale; bias; gelu;
 * if scale_last: scale; residual. Residual row r is read at
 * residual[crow * ld_residual] where crow is C's row (c_rows[i] when
 * scattering, else i); row_scale is indexed by the logical row i. */
typedef struct jm__epi {
    const float *bias;
    bool gelu;
    const float *residual;
    size_t ld_residual;
    const float *row_scale;
    bool scale_last;
} jm__epi;

/* One GEMM: C = alpha op(A) op(B) + beta C, epilogue. Row i of op(A) is
 * A row a_rows[i] when a_rows (ta must be JM_NO_TRANS); row i of C is row
 * c_rows[i] when c_rows. beta == 0 never reads C. threads >= 1: OpenMP team
 * size (1 runs on the calling thread, safe inside a parallel region).
 * Arguments are assumed valid (checked by the public entry points). */
typedef struct jm__gemm_op {
    jm_trans ta, tb;
    size_t m, n, k;
    float alpha;
    const float *a;
    size_t lda;
    const int32_t *a_rows;
    const float *b;
    size_t ldb;
    /* Pre-packed B (weights): when bp != NULL, b/ldb are unused and op(B) is
     * NR-column panels: element (p, j) at bp[(j / bp_nr) * bp_stride + p * bp_nr
     * + j % bp_nr]. Used without repacking when bp_nr is the kernel's NR. */
    const float *bp;
    size_t bp_stride, bp_nr;
    float beta;
    float *c;
    size_t ldc;
    const int32_t *c_rows;
    jm__epi epi;
    int threads;
} jm__gemm_op;

/* The driver's packing, for kernels that call micro-kernels themselves
 * (attention): rows [i0, i0+mc) x columns [p0, p0+kc) of op(A) into MR-row
 * micro-panels at dst (panel r at dst + r * MR * kc), and the NR-column
 * micro-panel of op(B) at column j0, rows [p0, p0+kc) (zero-padded). */
void jm__gemm_pack_a(const jm__gemm_op *op, const jm__ukr *u, size_t i0, size_t mc, size_t p0,
                     size_t kc, float *restrict dst);
void jm__gemm_pack_b_panel(const jm__gemm_op *op, const jm__ukr *u, size_t j0, size_t p0,
                           size_t kc, float *restrict dst);

/* Native driver. Returns JM_K_OK or JM_K_ENOMEM. */
int jm__sgemm_run(const jm__gemm_op *op, char *err, size_t err_len);
/* OpenBLAS driver (gathers/scatters and applies the epilogue in extra passes);
 * JM_K_EBACKEND when not built in. */
int jm__sgemm_run_openblas(const jm__gemm_op *op, char *err, size_t err_len);

/* Merges a computed row segment t[0..len) (alpha not yet applied) into C row
 * i (logical), columns j0.., applying beta on `first` and the epilogue on
 * `last`. Shared by the native and OpenBLAS drivers. */
void jm__gemm_store_row(const jm__gemm_op *op, const float *t, size_t i, size_t j0, size_t len,
                        bool first, bool last);
/* The same for a rows x cols tile t (row stride ldt) at logical rows i0... */
void jm__gemm_store_tile(const jm__gemm_op *op, const float *t, size_t ldt, size_t i0, size_t rows,
                         size_t j0, size_t cols, bool first, bool last);
/* Whether the epilogue does anything; applying it in place to a tile of C
 * (no c_rows) after the micro-kernel wrote it directly. */
bool jm__gemm_has_epi(const jm__epi *e);
void jm__gemm_epi_tile(const jm__gemm_op *op, size_t i0, size_t rows, size_t j0, size_t cols);
/* In-place epilogue on a row segment c[0..len) of logical row i, columns j0... */
void jm__epi_row(const jm__epi *e, float *c, size_t i, size_t crow, size_t j0, size_t len);

/* GELU, tanh approximation, vectorisable; the fp64 twin is jm__gelu_d. */
void jm__gelu_inplace(float *x, size_t n);
double jm__gelu_d(double x);

/* Sets OpenBLAS' process-wide thread count (no-op when not built in). */
void jm__openblas_set_threads(int threads);

/* Per-thread scratch (grows, kept for the thread's life). Slots: 0 packed A,
 * 1 packed B, 2 micro-tile, 3 attention / OpenBLAS gather, 4 scatter staging. */
float *jm__scratch(int slot, size_t n_floats);

#endif /* JM_GEMM_INTERNAL_H */
