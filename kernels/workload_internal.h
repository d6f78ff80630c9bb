/* workload_internal.h - private to kernels/: the workload object's memory
 * layout (one X-macro list of every array, so that create() allocates and
 * jm_workload_memory_bytes() counts the same thing), and the layer pieces
 * shared by the dense and MoE forward passes and their fp64 references. */
#ifndef JM_WORKLOAD_INTERNAL_H
#define JM_WORKLOAD_INTERNAL_H

#include <stdint.h>

#include "base.h"
#include "gemm_internal.h"
#include "kernels.h"

/* Rows of an MoE expert tile (one work item of the expert phase). */
enum { JM_MOE_TILE_MAX = 256, JM_MOE_TILE_MIN = 16 };

/* Sizes (elements) every array needs for a shape; zero = not allocated.
 * X(name, type, count) with T tokens per batch, D d_model, F d_ff,
 * E experts, K top_k, N threads, FC the dense FFN chunk width. */
typedef struct jm__dims {
    size_t T, D, F, E, K, N, FC, S, H, dh, gm, gn, gk;
    size_t NR; /* weights pre-packed for this micro-kernel NR; 0 = row-major */
    bool layer, dense, moe, gemm;
} jm__dims;

/* A K x N weight as the workload stores it: row-major when nr == 0, else
 * pre-packed in NR-column panels over its full K (jm__gemm_op.bp layout,
 * panel stride nr * K, columns padded with zeros to a multiple of nr). */
static inline size_t jm__w_elems(size_t k, size_t n, size_t nr) {
    return nr ? (n + nr - 1) / nr * nr * k : k * n;
}

/* Points op's B at rows row0.. and columns col0.. (col0 % nr == 0) of w. */
static inline void jm__w_bind(jm__gemm_op *op, const float *w, size_t k, size_t n, size_t nr,
                              size_t row0, size_t col0) {
    if (nr) {
        op->bp = w + (col0 / nr) * nr * k + row0 * nr;
        op->bp_stride = nr * k;
        op->bp_nr = nr;
        op->b = NULL;
        op->ldb = 0;
    } else {
        op->bp = NULL;
        op->b = w + row0 * n + col0;
        op->ldb = n;
    }
}

/* Fills w (K x N, its storage) with uniform values in [-scale, scale]: row p
 * drawn from its own seed, padding zero. */
void jm__w_fill(float *w, size_t k, size_t n, size_t nr, uint64_t seed, float scale);

#define JM_WORKLOAD_ARRAYS(X)                                                                      \
    X(ln1_g, float, d->layer ? d->D : 0)                                                           \
    X(ln1_b, float, d->layer ? d->D : 0)                                                           \
    X(wqkv, float, d->layer ? jm__w_elems(d->D, 3 * d->D, d->NR) : 0)                              \
    X(bqkv, float, d->layer ? 3 * d->D : 0)                                                        \
    X(wo, float, d->layer ? jm__w_elems(d->D, d->D, d->NR) : 0)                                    \
    X(bo, float, d->layer ? d->D : 0)                                                              \
    X(ln2_g, float, d->layer ? d->D : 0)                                                           \
    X(ln2_b, float, d->layer ? d->D : 0)                                                           \
    X(w1, float, d->dense ? jm__w_elems(d->D, d->F, d->NR) : 0)                                    \
    X(b1, float, d->dense ? d->F : 0)                                                              \
    X(w2, float, d->dense ? jm__w_elems(d->F, d->D, d->NR) : 0)                                    \
    X(b2, float, d->dense ? d->D : 0)                                                              \
    X(wr, float, d->moe ? jm__w_elems(d->D, d->E, d->NR) : 0)                                      \
    X(we1, float, d->moe ? d->E *jm__w_elems(d->D, d->F, d->NR) : 0)                               \
    X(be1, float, d->moe ? d->E * d->F : 0)                                                        \
    X(we2, float, d->moe ? d->E *jm__w_elems(d->F, d->D, d->NR) : 0)                               \
    X(be2, float, d->moe ? d->E * d->D : 0)                                                        \
    X(x, float, d->layer ? d->T * d->D : 0)                                                        \
    X(xn, float, d->layer ? d->T * d->D : 0)                                                       \
    X(qkv, float, d->layer ? d->T * 3 * d->D : 0)                                                  \
    X(attn, float, d->layer ? d->T * d->D : 0)                                                     \
    X(x1, float, d->layer ? d->T * d->D : 0)                                                       \
    X(y, float, d->layer ? d->T * d->D : 0)                                                        \
    X(hid, float, d->dense ? d->T * d->FC : (d->moe ? d->N * JM_MOE_TILE_MAX * (d->F + d->D) : 0)) \
    X(logits, float, d->moe ? d->T * d->E : 0)                                                     \
    X(choice, int32_t, d->moe ? d->T * d->K : 0)                                                   \
    X(gate, float, d->moe ? d->T * d->K : 0)                                                       \
    X(kept, uint8_t, d->moe ? d->T * d->K : 0)                                                     \
    X(rows, int32_t, d->moe ? d->T * d->K : 0)                                                     \
    X(roww, float, d->moe ? d->T * d->K : 0)                                                       \
    X(offs, int32_t, d->moe ? d->K * d->E + 1 : 0)                                                 \
    X(items, int32_t, d->moe ? 3 * (d->T * d->K / JM_MOE_TILE_MIN + d->K * d->E + 1) : 0)          \
    X(ga, float, d->gemm ? d->gm * d->gk : 0)                                                      \
    X(gb, float, d->gemm ? d->gk * d->gn : 0)                                                      \
    X(gc, float, d->gemm ? d->gm * d->gn : 0)

struct jm_workload {
    jm_workload_shape shape;
    jm__dims dims;
    uint64_t last_dropped;
    /* GPU backends (kernels/cuda/): the binding and the device state, NULL on the CPU */
    const struct jm__device_ops *dev;
    struct jm__cuda_state *gpu;
#define JM_FIELD(name, type, count) type *name;
    JM_WORKLOAD_ARRAYS(JM_FIELD)
#undef JM_FIELD
};

void jm__workload_dims(const jm_workload_shape *s, jm__dims *d);

/* One GEMM of a layer through the workload's backend. */
int jm__layer_gemm(const jm_workload *w, jm__gemm_op *op, char *err, size_t err_len);

/* LayerNorm of rows [0, rows) of x (stride D) into y; eps 1e-5. */
void jm__layernorm(const float *x, float *y, size_t rows, size_t D, const float *g, const float *b,
                   int threads);
/* Multi-head self-attention (bidirectional within each sequence) over
 * n_seq sequences of S tokens: qkv rows [q | k | v] of width 3D, out T x D.
 * Flash style: per (sequence, head) only a BQ x BK tile of scores exists. */
int jm__attention(const float *qkv, float *out, size_t n_seq, size_t S, size_t D, size_t H,
                  int threads, char *err, size_t err_len);

/* Pre-FFN part shared by both layers: x -> x1 (attention sublayer with
 * residual) and xn = LN2(x1). */
int jm__attention_sublayer(jm_workload *w, size_t n_seq, char *err, size_t err_len);
int jm__dense_ffn(jm_workload *w, size_t T, char *err, size_t err_len);
/* MoE FFN sublayer; fills router/dispatch/experts/combine times and drops. */
int jm__moe_ffn(jm_workload *w, size_t T, jm_run_stats *st, char *err, size_t err_len);

/* fp64 reference of the layer for the first n_seq sequences of w->x into
 * y_ref (T x D). For MoE, the expert choices of the optimized run (w->choice)
 * are used after checking that each is a top-k choice in fp64 (within 1e-5 of
 * probability); *routing_ok is false otherwise. rows_checked[] (T flags) says
 * which rows the reference computed (all, or a spaced subset when the FFN is
 * too large to compute in full). Returns JM_K_ENOMEM on allocation failure. */
int jm__layer_ref(const jm_workload *w, size_t n_seq, double *y_ref, uint8_t *rows_checked,
                  bool *routing_ok, char *err, size_t err_len);


#endif /* JM_WORKLOAD_INTERNAL_H */
