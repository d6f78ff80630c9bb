/* workload_shape.c - everything computed from a workload shape alone: the
 * shape check (messages name the field, the value and what was expected),
 * array sizes, and the parameter, FLOP, byte and memory counts.
 *
 * Counts (D d_model, F d_ff, E experts, k top_k, S seq_len, T batch tokens):
 *   attention block params  4D^2 + 8D (QKV 3D^2+3D, out D^2+D, two LayerNorms 4D)
 *   dense FFN               2DF + F + D
 *   MoE                     router DE (no bias) + E (2DF + F + D); active: DE + k(2DF + F + D)
 *   FLOPs/token (mul+add=2) 8D^2 (projections) + 4SD (QK^T and PV at seq_len
 *                           context) + dense 4DF | MoE 2DE + 4kDF
 *   GEMM                    params kn, FLOPs/token 2kn
 *   MoE FLOPs done          FLOPs/token x T - 4DF x dropped assignments (capacity)
 * Norms, softmax, GELU and biases are not counted as FLOPs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "cuda/cuda_backend.h"
#include "workload_internal.h"

void jm__workload_dims(const jm_workload_shape *s, jm__dims *d) {
    *d = (jm__dims){0};
    d->gemm = s->kind == JM_WORKLOAD_GEMM;
    d->dense = s->kind == JM_WORKLOAD_DENSE;
    d->moe = s->kind == JM_WORKLOAD_MOE;
    d->layer = d->dense || d->moe;
    d->N = s->threads > 0 ? (size_t)s->threads : 1;
    d->NR = s->backend == JM_BACKEND_NATIVE ? (size_t)jm__gemm_ukr()->nr : 0;
    if (d->gemm) {
        d->gm = (size_t)s->m;
        d->gn = (size_t)s->n;
        d->gk = (size_t)s->k;
        d->T = d->gm;
        return;
    }
    d->D = (size_t)s->d_model;
    d->H = (size_t)s->n_heads;
    d->dh = d->H ? d->D / d->H : 0;
    d->F = (size_t)s->d_ff;
    d->S = (size_t)s->seq_len;
    d->T = d->S * (size_t)s->batch_seqs;
    if (d->moe) {
        d->E = (size_t)s->n_experts;
        d->K = (size_t)s->top_k;
    }
    if (d->dense) {
        /* hidden chunk: at most 8 Mi floats (32 MiB), a multiple of 64 columns
         * and of the weights' panel width (chunks start on a panel) */
        size_t unit = 64;
        if (d->NR) {
            size_t a = 64, b = d->NR;
            while (b) {
                const size_t r = a % b;
                a = b;
                b = r;
            }
            unit = 64 / a * d->NR;
        }
        size_t fc = ((size_t)8 << 20) / (d->T ? d->T : 1);
        fc = fc / unit * unit;
        fc = fc < unit ? unit : fc;
        d->FC = fc < d->F ? fc : d->F;
    }
}

__attribute__((format(printf, 3, 4))) static int bad(char *err, size_t err_len, const char *fmt,
                                                     ...) {
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return JM_K_EINVAL;
}

static int range(char *err, size_t err_len, const char *field, long v, long lo, long hi) {
    if (v < lo || v > hi)
        return bad(err, err_len, "%s: %ld is out of range (expected %ld..%ld)", field, v, lo, hi);
    return JM_K_OK;
}

int jm_workload_shape_check(const jm_workload_shape *s, char *err, size_t err_len) {
    int rc;
    if (!s)
        return bad(err, err_len, "shape: NULL");
    if (s->kind != JM_WORKLOAD_GEMM && s->kind != JM_WORKLOAD_DENSE && s->kind != JM_WORKLOAD_MOE)
        return bad(err, err_len,
                   "kind: %d is not a workload kind (expected 0 gemm, 1 dense, 2 moe)",
                   (int)s->kind);
    if ((rc = range(err, err_len, "threads", s->threads, 1, 1024)))
        return rc;
    if (!jm_backend_name(s->backend))
        return bad(err, err_len,
                   "backend: %d is not a backend (expected 0 native, 1 openblas, 2 cuda, 3 cublas)",
                   (int)s->backend);
    if ((rc = jm__cuda_shape_check(s, err, err_len)))
        return rc;
    if (s->backend == JM_BACKEND_OPENBLAS && !jm_gemm_openblas_available()) {
        if (err && err_len)
            snprintf(err, err_len,
                     "backend: openblas was not built into this joulemark "
                     "(install libopenblas-dev and reconfigure)");
        return JM_K_EBACKEND;
    }
    if (s->kind == JM_WORKLOAD_GEMM) {
        if ((rc = range(err, err_len, "m", s->m, 1, 1 << 20)) ||
            (rc = range(err, err_len, "n", s->n, 1, 1 << 20)) ||
            (rc = range(err, err_len, "k", s->k, 1, 1 << 20)))
            return rc;
        const double elems = (double)s->m * s->k + (double)s->k * s->n + (double)s->m * s->n;
        if (elems > (double)(1ull << 34))
            return bad(err, err_len, "m, n, k: %d x %d x %d needs %.3g floats (expected <= 2^34)",
                       s->m, s->n, s->k, elems);
        return JM_K_OK;
    }
    if ((rc = range(err, err_len, "d_model", s->d_model, 1, 16384)) ||
        (rc = range(err, err_len, "n_heads", s->n_heads, 1, s->d_model)))
        return rc;
    if (s->d_model % s->n_heads != 0)
        return bad(err, err_len, "n_heads: %d does not divide d_model %d", s->n_heads, s->d_model);
    if ((rc = range(err, err_len, "d_ff", s->d_ff, 1, 1 << 20)) ||
        (rc = range(err, err_len, "seq_len", s->seq_len, 1, 65536)) ||
        (rc = range(err, err_len, "batch_seqs", s->batch_seqs, 1, 65536)))
        return rc;
    const double tokens = (double)s->seq_len * s->batch_seqs;
    if (tokens > (double)(1 << 24))
        return bad(err, err_len,
                   "batch_seqs: %d sequences of seq_len %d = %.0f tokens (expected <= 2^24)",
                   s->batch_seqs, s->seq_len, tokens);
    if (s->kind == JM_WORKLOAD_MOE) {
        if ((rc = range(err, err_len, "n_experts", s->n_experts, 1, 4096)))
            return rc;
        const int kmax = s->n_experts < 64 ? s->n_experts : 64;
        if (s->top_k < 1 || s->top_k > kmax)
            return bad(err, err_len,
                       "top_k: %d is out of range (expected 1..%d: at most n_experts %d and 64)",
                       s->top_k, kmax, s->n_experts);
        if (!isfinite(s->capacity_factor))
            return bad(err, err_len,
                       "capacity_factor: %g is not finite (expected > 0, or <= 0 for dropless)",
                       s->capacity_factor);
        if ((double)s->n_experts * s->d_model * s->d_ff > (double)(1ull << 34))
            return bad(err, err_len, "n_experts: %d experts of %d x %d weights exceed 2^34 floats",
                       s->n_experts, s->d_model, s->d_ff);
    }
    return JM_K_OK;
}

static uint64_t attn_params(uint64_t D) {
    return 4 * D * D + 8 * D;
}

static uint64_t expert_params(uint64_t D, uint64_t F) {
    return 2 * D * F + F + D;
}

uint64_t jm_workload_params(const jm_workload_shape *s) {
    const uint64_t D = (uint64_t)s->d_model, F = (uint64_t)s->d_ff;
    switch (s->kind) {
    case JM_WORKLOAD_GEMM:
        return (uint64_t)s->k * (uint64_t)s->n;
    case JM_WORKLOAD_DENSE:
        return attn_params(D) + expert_params(D, F);
    case JM_WORKLOAD_MOE:
        return attn_params(D) + D * (uint64_t)s->n_experts +
               (uint64_t)s->n_experts * expert_params(D, F);
    }
    return 0;
}

uint64_t jm_workload_active_params(const jm_workload_shape *s) {
    if (s->kind != JM_WORKLOAD_MOE)
        return jm_workload_params(s);
    const uint64_t D = (uint64_t)s->d_model, F = (uint64_t)s->d_ff;
    return attn_params(D) + D * (uint64_t)s->n_experts + (uint64_t)s->top_k * expert_params(D, F);
}

double jm_workload_flops_per_token(const jm_workload_shape *s) {
    const double D = s->d_model, F = s->d_ff, S = s->seq_len;
    switch (s->kind) {
    case JM_WORKLOAD_GEMM:
        return 2.0 * s->k * (double)s->n;
    case JM_WORKLOAD_DENSE:
        return 8.0 * D * D + 4.0 * S * D + 4.0 * D * F;
    case JM_WORKLOAD_MOE:
        return 8.0 * D * D + 4.0 * S * D + 2.0 * D * s->n_experts + 4.0 * s->top_k * D * F;
    }
    return 0.0;
}

double jm_workload_flops_per_assignment(const jm_workload_shape *s) {
    return s->kind == JM_WORKLOAD_MOE ? 4.0 * s->d_model * (double)s->d_ff : 0.0;
}

double jm_workload_flops_done(const jm_workload_shape *s, const jm_run_stats *st) {
    const uint64_t dropped = st->routed_assignments > st->computed_assignments
                                 ? st->routed_assignments - st->computed_assignments
                                 : 0;
    return (double)st->tokens * jm_workload_flops_per_token(s) -
           (double)dropped * jm_workload_flops_per_assignment(s);
}

/* Model: every weight the batch touches is read once per batch; each
 * activation tensor is written once and read once (x read, y written):
 * 17 D floats per token plus the FFN hidden (2 F, or 2 k F) and, for MoE,
 * the router's 2 E. */
double jm_workload_bytes_per_token(const jm_workload_shape *s) {
    const double f = sizeof(float);
    if (s->kind == JM_WORKLOAD_GEMM)
        return f * ((double)s->k * s->n / s->m + s->k + s->n);
    const double D = s->d_model, F = s->d_ff, T = (double)s->seq_len * s->batch_seqs;
    if (s->kind == JM_WORKLOAD_DENSE)
        return f * ((double)jm_workload_params(s) / T + 17.0 * D + 2.0 * F);
    const double E = s->n_experts, K = s->top_k;
    const double touched = fmin(E, T * K);
    const double w = (double)attn_params((uint64_t)D) + D * E + touched * (2 * D * F + F + D);
    return f * (w / T + 17.0 * D + 2.0 * K * F + 2.0 * E);
}

uint64_t jm_workload_memory_bytes(const jm_workload_shape *s) {
    jm__dims dd, *d = &dd;
    jm__workload_dims(s, d);
    uint64_t total = 0;
#define JM_COUNT(name, type, count) total += (uint64_t)(count) * sizeof(type);
    JM_WORKLOAD_ARRAYS(JM_COUNT)
#undef JM_COUNT
    return total;
}

double jm_workload_tolerance(const jm_workload_shape *s) {
    if (s->precision == JM_PRECISION_TF32) /* 10-bit mantissa inputs, fp32 accumulate */
        return s->kind == JM_WORKLOAD_GEMM ? 5e-3 : 1e-2;
    return s->kind == JM_WORKLOAD_GEMM ? 1e-4 : 1e-3;
}
