/* scratch.c - per-thread scratch buffers for packing and tiles: 64-byte
 * aligned, grown on demand, kept for the thread's lifetime so that repeated
 * GEMMs (and MoE expert tiles) do not allocate. Thread-safe by construction
 * (thread-local). Returns NULL when allocation fails. */
#include <stdlib.h>

#include "gemm_internal.h"

enum { N_SLOTS = 5 };

static _Thread_local float *tl_buf[N_SLOTS];
static _Thread_local size_t tl_cap[N_SLOTS];

float *jm__scratch(int slot, size_t n_floats) {
    if (slot < 0 || slot >= N_SLOTS)
        return NULL;
    if (n_floats <= tl_cap[slot])
        return tl_buf[slot];
    size_t bytes = (n_floats * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p)
        return NULL;
    free(tl_buf[slot]);
    tl_buf[slot] = p;
    tl_cap[slot] = bytes / sizeof(float);
    return p;
}
