/* cuda_backend.h - private to kernels/: the GPU (CUDA) backend of the
 * workloads. Shared by the host C files (cuda_host.c: sizes, shape checks and
 * the MoE routing bookkeeping, always built; cuda_bridge.c / cuda_none.c: the
 * binding to the workload object, one of them built) and the .cu files
 * (kernels, device memory, launches; built only when CUDA is on).
 *
 * Layout on the device: every array of JM_CUDA_ARRAYS, row-major, weights
 * K x N as on the host with backend != native (no packing). One workload owns
 * one CUDA stream; every run ends with a synchronisation of that stream so
 * that host timing and energy meters see the whole of the GPU work.
 * Thread safety: as the workload (one caller thread at a time). */
#ifndef JM_CUDA_BACKEND_H
#define JM_CUDA_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rows of one GPU GEMM tile; the MoE tile list is made of tiles of this height. */
enum { JM_CUDA_TILE_M = 64, JM_CUDA_TILE_N = 64 };
/* Tokens per block of the device-side routing histogram. */
enum { JM_CUDA_ROUTE_CHUNK = 256 };
/* Largest head dimension of the GPU attention kernel. */
enum { JM_CUDA_MAX_HEAD_DIM = 128 };
/* Largest dense FFN hidden chunk on the GPU: 1 GiB of floats, at most 65536
 * columns (wider FFNs run chunk after chunk, accumulating into y). */
#define JM_CUDA_HIDDEN_CHUNK_FLOATS ((size_t)256 << 20)
enum { JM_CUDA_HIDDEN_CHUNK_COLS = 65536 };

/* Sizes every GPU array needs: T tokens per batch, D d_model, F d_ff, E
 * experts, K top_k, S seq_len, H heads, FC dense hidden chunk, NC routing
 * chunks per slot, NT MoE tile bound per slot, gm/gn/gk the GEMM's m, n, k. */
typedef struct jm__cuda_dims {
    size_t T, D, F, E, K, S, H, FC, NC, NT, gm, gn, gk;
    int gemm, dense, moe, layer;
} jm__cuda_dims;

void jm__cuda_dims_of(const jm_workload_shape *s, jm__cuda_dims *d);

/* X(name, type, count, dir): dir 1 = weight (uploaded once at create),
 * 2 = input (uploaded before a verify run), 3 = output (downloaded after a
 * verify run), 0 = device-only scratch. Counts use `d`, a jm__cuda_dims *. */
#define JM_CUDA_ARRAYS(X)                                                                         \
    X(ln1_g, float, d->layer ? d->D : 0, 1)                                                       \
    X(ln1_b, float, d->layer ? d->D : 0, 1)                                                       \
    X(wqkv, float, d->layer ? d->D * 3 * d->D : 0, 1)                                             \
    X(bqkv, float, d->layer ? 3 * d->D : 0, 1)                                                    \
    X(wo, float, d->layer ? d->D * d->D : 0, 1)                                                   \
    X(bo, float, d->layer ? d->D : 0, 1)                                                          \
    X(ln2_g, float, d->layer ? d->D : 0, 1)                                                       \
    X(ln2_b, float, d->layer ? d->D : 0, 1)                                                       \
    X(w1, float, d->dense ? d->D * d->F : 0, 1)                                                   \
    X(b1, float, d->dense ? d->F : 0, 1)                                                          \
    X(w2, float, d->dense ? d->F * d->D : 0, 1)                                                   \
    X(b2, float, d->dense ? d->D : 0, 1)                                                          \
    X(wr, float, d->moe ? d->D * d->E : 0, 1)                                                     \
    X(we1, float, d->moe ? d->E * d->D * d->F : 0, 1)                                             \
    X(be1, float, d->moe ? d->E * d->F : 0, 1)                                                    \
    X(we2, float, d->moe ? d->E * d->F * d->D : 0, 1)                                             \
    X(be2, float, d->moe ? d->E * d->D : 0, 1)                                                    \
    X(ga, float, d->gemm ? d->gm * d->gk : 0, 2)                                                  \
    X(gb, float, d->gemm ? d->gk * d->gn : 0, 1)                                                  \
    X(gc, float, d->gemm ? d->gm * d->gn : 0, 3)                                                  \
    X(x, float, d->layer ? d->T * d->D : 0, 2)                                                    \
    X(xn, float, d->layer ? d->T * d->D : 0, 0)                                                   \
    X(qkv, float, d->layer ? d->T * 3 * d->D : 0, 0)                                              \
    X(attn, float, d->layer ? d->T * d->D : 0, 0)                                                 \
    X(x1, float, d->layer ? d->T * d->D : 0, 0)                                                   \
    X(y, float, d->layer ? d->T * d->D : 0, 3)                                                    \
    X(hid, float, d->dense ? d->T * d->FC : (d->moe ? d->T * d->F : 0), 0)                        \
    X(logits, float, d->moe ? d->T * d->E : 0, 0)                                                 \
    X(choice, int32_t, d->moe ? d->T * d->K : 0, 3)                                               \
    X(gate, float, d->moe ? d->T * d->K : 0, 0)                                                   \
    X(rank, int32_t, d->moe ? d->T * d->K : 0, 0)                                                 \
    X(ccount, int32_t, d->moe ? d->K * d->E * d->NC : 0, 0)                                       \
    X(prior, int32_t, d->moe ? d->K * d->E : 0, 0)                                                \
    X(kcount, int32_t, d->moe ? d->K * d->E : 0, 0)                                               \
    X(offs, int32_t, d->moe ? d->K * d->E + 1 : 0, 0)                                             \
    X(toffs, int32_t, d->moe ? d->K * d->E + 1 : 0, 0)                                            \
    X(rows, int32_t, d->moe ? d->T * d->K : 0, 0)                                                 \
    X(roww, float, d->moe ? d->T * d->K : 0, 0)                                                   \
    X(kept, uint8_t, d->moe ? d->T * d->K : 0, 0)                                                 \
    X(dropped, unsigned long long, d->moe ? 1 : 0, 0)

/* One pointer per array: used for the device copies, and for the host
 * arrays of the same name (NULL where the host has none). */
typedef struct jm__cuda_bufs {
#define JM_CUDA_FIELD(name, type, count, dir) type *name;
    JM_CUDA_ARRAYS(JM_CUDA_FIELD)
#undef JM_CUDA_FIELD
} jm__cuda_bufs;

/* GPU-specific shape rules on top of jm_workload_shape_check (head dim, the
 * cuBLAS backend only for the GEMM workload, tf32 only on GPU backends). */
int jm__cuda_shape_check(const jm_workload_shape *s, char *err, size_t err_len);

/* ---------------------------------------------- MoE routing bookkeeping ---
 * The same rule as the CPU MoE (kernels/moe.c) and the fp64 reference:
 * capacity per expert ceil(cf * T * K / E) (T * K when cf <= 0, dropless);
 * assignments are taken in priority order, slot 0 of every token first (in
 * token order), then slot 1, ...; an assignment is kept while its expert has
 * room. Kept assignments are grouped by key = slot * E + expert, stably (in
 * token order within a key). The GPU computes the same thing with a chunked
 * histogram, prefix sums and a stable scatter; these host functions are the
 * oracle of its tests. */
size_t jm__moe_capacity(size_t T, size_t E, size_t K, double capacity_factor);

/* choice[T*K] (expert of token t, slot s at t*K+s; distinct within a token),
 * gate[T*K]. Fills offs[K*E+1] (kept rows of key in [offs[key], offs[key+1])),
 * rows[] / roww[] (token and gate per kept row; at most T*K), kept[T*K] and
 * *dropped. Returns JM_K_EINVAL when a choice is out of range or repeated. */
int jm__moe_route_plan(const int32_t *choice, const float *gate, size_t T, size_t E, size_t K,
                       double capacity_factor, int32_t *offs, int32_t *rows, float *roww,
                       uint8_t *kept, uint64_t *dropped, char *err, size_t err_len);

/* Upper bound of the GEMM row tiles of one slot: sum over experts of
 * ceil(n_e / tile_m) with sum n_e <= T, i.e. ceil(T / tile_m) + E - 1
 * (at least 1). Tile offsets: toffs[key] = sum of ceil(kept rows / tile_m)
 * over the keys before key (K*E+1 entries). */
size_t jm__moe_tile_bound(size_t T, size_t E, size_t tile_m);
void jm__moe_tile_offsets(const int32_t *offs, size_t n_keys, size_t tile_m, int32_t *toffs);

/* ------------------------------------------------- the .cu side (CUDA on) */
typedef struct jm__cuda_state jm__cuda_state;

/* The jm_cuda_available() probe: device 0's name, memory, capability. */
bool jm__cuda_probe(char *reason, size_t reason_len);
/* A device is usable and jm_cuda_memory_bytes(s) fits its free memory. */
int jm__cuda_fits(const jm_workload_shape *s, char *err, size_t err_len);

/* Allocates every array on the device (after checking free device memory),
 * uploads the arrays of dir 1 and 2 from host (same names). */
int jm__cuda_create(const jm_workload_shape *s, const jm__cuda_bufs *host, jm__cuda_state **out,
                    char *err, size_t err_len);
void jm__cuda_destroy(jm__cuda_state *st);
/* Forward pass on n_samples sequences (GEMM: rows); synchronises before
 * returning; fills tokens, dropped/routed counts and total_ns. */
int jm__cuda_run(jm__cuda_state *st, int n_samples, jm_run_stats *stats, char *err,
                 size_t err_len);
/* Uploads the dir-2 arrays from host and fills the dir-3 arrays on the device
 * with NaN (poison: a kernel that skips an output cannot pass verification). */
int jm__cuda_put_input(jm__cuda_state *st, const jm__cuda_bufs *host, char *err,
                       size_t err_len);
/* Downloads the dir-3 arrays into host. */
int jm__cuda_get_output(jm__cuda_state *st, const jm__cuda_bufs *host, char *err,
                        size_t err_len);
/* Copies a device array of this workload to host (tests of the routing:
 * "offs", "rows", "roww", "kept", "choice", "gate", "logits"; bytes must match). */
int jm__cuda_peek(jm__cuda_state *st, const char *name, void *dst, size_t bytes, char *err,
                  size_t err_len);

/* The binding used by workload.c: NULL when this joulemark has no CUDA. */
typedef struct jm__device_ops {
    const char *name;
    /* before any host allocation: a device is there and the shape fits its free memory */
    int (*fits)(const jm_workload_shape *s, char *err, size_t err_len);
    int (*attach)(jm_workload *w, char *err, size_t err_len);
    void (*detach)(jm_workload *w);
    int (*run)(jm_workload *w, int n_samples, jm_run_stats *stats, char *err, size_t err_len);
    int (*put_input)(jm_workload *w, char *err, size_t err_len);
    int (*get_output)(jm_workload *w, char *err, size_t err_len);
} jm__device_ops;
extern const jm__device_ops *const jm__cuda_device_ops;

/* The device state of a workload created with a GPU backend (tests). */
jm__cuda_state *jm__cuda_state_of(jm_workload *w);

#ifdef __cplusplus
}
#endif
#endif /* JM_CUDA_BACKEND_H */
