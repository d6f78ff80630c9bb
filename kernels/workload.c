/* workload.c - the workload object: create (seeded weights and inputs, every
 * array of the X-macro layout), run (one forward pass, phase timings), and
 * verify (fresh inputs, optimized vs fp64 reference). One caller thread at a
 * time per workload; OpenMP inside with shape.threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda_backend.h"
#include "workload_internal.h"

static uint64_t sub_seed(uint64_t seed, uint64_t i) {
    return seed * 0x9E3779B97F4A7C15ull + i * 0xD1B54A32D192ED03ull + 1;
}

void jm__w_fill(float *w, size_t k, size_t n, size_t nr, uint64_t seed, float scale) {
    float row[4096];
    for (size_t p = 0; p < k; ++p) {
        for (size_t j0 = 0; j0 < n; j0 += 4096) {
            const size_t len = n - j0 < 4096 ? n - j0 : 4096;
            jm_fill_uniform(row, len, sub_seed(seed, p * 1024 + j0 / 4096), scale);
            if (!nr) {
                memcpy(w + p * n + j0, row, len * sizeof(float));
                continue;
            }
            for (size_t j = 0; j < len; ++j) {
                const size_t jj = j0 + j;
                w[(jj / nr) * nr * k + p * nr + jj % nr] = row[j];
            }
        }
        if (nr && n % nr)
            for (size_t jj = n; jj < (n + nr - 1) / nr * nr; ++jj)
                w[(jj / nr) * nr * k + p * nr + jj % nr] = 0.0f;
    }
}

static void init_values(jm_workload *w) {
    const jm__dims *d = &w->dims;
    const uint64_t sd = w->shape.seed;
    if (d->gemm) {
        jm_fill_uniform(w->ga, d->gm * d->gk, sub_seed(sd, 1), 1.0f);
        jm_fill_uniform(w->gb, d->gk * d->gn, sub_seed(sd, 2), 1.0f);
        return;
    }
    const size_t D = d->D, F = d->F;
    const float sD = 1.0f / sqrtf((float)D), sF = 1.0f / sqrtf((float)F);
    jm_fill_uniform(w->ln1_g, D, sub_seed(sd, 3), 0.1f);
    jm_fill_uniform(w->ln2_g, D, sub_seed(sd, 4), 0.1f);
    for (size_t j = 0; j < D; ++j) {
        w->ln1_g[j] += 1.0f;
        w->ln2_g[j] += 1.0f;
    }
    jm_fill_uniform(w->ln1_b, D, sub_seed(sd, 5), 0.1f);
    jm_fill_uniform(w->ln2_b, D, sub_seed(sd, 6), 0.1f);
    jm__w_fill(w->wqkv, D, 3 * D, d->NR, sub_seed(sd, 7), sD);
    jm_fill_uniform(w->bqkv, 3 * D, sub_seed(sd, 8), 0.02f);
    jm__w_fill(w->wo, D, D, d->NR, sub_seed(sd, 9), sD);
    jm_fill_uniform(w->bo, D, sub_seed(sd, 10), 0.02f);
    if (d->dense) {
        jm__w_fill(w->w1, D, F, d->NR, sub_seed(sd, 11), sD);
        jm_fill_uniform(w->b1, F, sub_seed(sd, 12), 0.02f);
        jm__w_fill(w->w2, F, D, d->NR, sub_seed(sd, 13), sF);
        jm_fill_uniform(w->b2, D, sub_seed(sd, 14), 0.02f);
    } else {
        jm__w_fill(w->wr, D, d->E, d->NR, sub_seed(sd, 15), sD);
        const size_t e1 = jm__w_elems(D, F, d->NR), e2 = jm__w_elems(F, D, d->NR);
        for (size_t e = 0; e < d->E; ++e) {
            jm__w_fill(w->we1 + e * e1, D, F, d->NR, sub_seed(sd, 100 + 4 * e), sD);
            jm_fill_uniform(w->be1 + e * F, F, sub_seed(sd, 101 + 4 * e), 0.02f);
            jm__w_fill(w->we2 + e * e2, F, D, d->NR, sub_seed(sd, 102 + 4 * e), sF);
            jm_fill_uniform(w->be2 + e * D, D, sub_seed(sd, 103 + 4 * e), 0.02f);
        }
    }
    jm_fill_uniform(w->x, d->T * D, sub_seed(sd, 16), 1.0f);
}

int jm_workload_create(const jm_workload_shape *shape, jm_workload **out, char *err,
                       size_t err_len) {
    if (!out) {
        if (err && err_len)
            snprintf(err, err_len, "workload: out is NULL (expected where to store the workload)");
        return JM_K_EINVAL;
    }
    *out = NULL;
    int rc = jm_workload_shape_check(shape, err, err_len);
    if (rc)
        return rc;
    const bool gpu = shape->backend == JM_BACKEND_CUDA || shape->backend == JM_BACKEND_CUBLAS;
    if (gpu &&
        (rc = jm__cuda_device_ops ? jm__cuda_device_ops->fits(shape, err, err_len) : JM_K_EBACKEND))
        return rc;
    jm_workload *w = calloc(1, sizeof(*w));
    if (!w) {
        if (err && err_len)
            snprintf(err, err_len, "workload: cannot allocate %zu bytes", sizeof(*w));
        return JM_K_ENOMEM;
    }
    w->shape = *shape;
    jm__workload_dims(shape, &w->dims);
    const jm__dims *d = &w->dims;
    size_t failed_bytes = 0;
#define JM_ALLOC(name, type, count)                                                                \
    if (!failed_bytes && (count) > 0) {                                                            \
        const size_t bytes = ((size_t)(count) * sizeof(type) + 63) / 64 * 64;                      \
        w->name = aligned_alloc(64, bytes);                                                        \
        if (!w->name)                                                                              \
            failed_bytes = bytes;                                                                  \
    }
    JM_WORKLOAD_ARRAYS(JM_ALLOC)
#undef JM_ALLOC
    if (failed_bytes) {
        jm_workload_destroy(w);
        if (err && err_len)
            snprintf(err, err_len,
                     "workload: cannot allocate %zu bytes (the shape needs %llu bytes in all)",
                     failed_bytes, (unsigned long long)jm_workload_memory_bytes(shape));
        return JM_K_ENOMEM;
    }
    init_values(w);
    if (gpu) {
        w->dev = jm__cuda_device_ops; /* non-NULL: the shape check needs CUDA built */
        rc = w->dev ? w->dev->attach(w, err, err_len) : JM_K_EBACKEND;
        if (rc) {
            jm_workload_destroy(w);
            return rc;
        }
    }
    *out = w;
    return JM_K_OK;
}

void jm_workload_destroy(jm_workload *w) {
    if (!w)
        return;
    if (w->dev)
        w->dev->detach(w);
#define JM_FREE(name, type, count) free(w->name);
    JM_WORKLOAD_ARRAYS(JM_FREE)
#undef JM_FREE
    free(w);
}

const jm_workload_shape *jm_workload_get_shape(const jm_workload *w) {
    return w ? &w->shape : NULL;
}

static int check_samples(const jm_workload *w, int n_samples, char *err, size_t err_len) {
    if (!w) {
        if (err && err_len)
            snprintf(err, err_len, "workload: NULL");
        return JM_K_EINVAL;
    }
    const int max = w->dims.gemm ? w->shape.m : w->shape.batch_seqs;
    if (n_samples < 1 || n_samples > max) {
        if (err && err_len)
            snprintf(err, err_len, "n_samples: %d is out of range (expected 1..%d, the %s)",
                     n_samples, max, w->dims.gemm ? "GEMM's m" : "batch_seqs");
        return JM_K_EINVAL;
    }
    return JM_K_OK;
}

int jm_workload_run(jm_workload *w, int n_samples, jm_run_stats *stats, char *err, size_t err_len) {
    int rc = check_samples(w, n_samples, err, err_len);
    if (rc)
        return rc;
    jm_run_stats st = {0};
    if (w->dev) {
        rc = w->dev->run(w, n_samples, &st, err, err_len);
        st.flops = jm_workload_flops_done(&w->shape, &st);
        if (stats)
            *stats = st;
        return rc;
    }
    const jm__dims *d = &w->dims;
    const uint64_t t0 = jm_now_ns();
    if (d->gemm) {
        const size_t m = (size_t)n_samples;
        jm__gemm_op op = {.ta = JM_NO_TRANS,
                          .tb = JM_NO_TRANS,
                          .m = m,
                          .n = d->gn,
                          .k = d->gk,
                          .alpha = 1.0f,
                          .a = w->ga,
                          .lda = d->gk,
                          .b = w->gb,
                          .ldb = d->gn,
                          .beta = 0.0f,
                          .c = w->gc,
                          .ldc = d->gn,
                          .threads = w->shape.threads};
        rc = jm__layer_gemm(w, &op, err, err_len);
        st.tokens = m;
    } else {
        const size_t T = (size_t)n_samples * d->S;
        rc = jm__attention_sublayer(w, (size_t)n_samples, err, err_len);
        const uint64_t t1 = jm_now_ns();
        if (!rc)
            rc =
                d->dense ? jm__dense_ffn(w, T, err, err_len) : jm__moe_ffn(w, T, &st, err, err_len);
        const uint64_t t2 = jm_now_ns();
        st.attention_ns = t1 - t0;
        st.ffn_ns = t2 - t1;
        st.tokens = T;
    }
    st.total_ns = jm_now_ns() - t0;
    st.flops = jm_workload_flops_done(&w->shape, &st);
    if (stats)
        *stats = st;
    return rc;
}

int jm_workload_verify(jm_workload *w, uint64_t seed, int n_samples, double *rel_err, char *err,
                       size_t err_len) {
    int rc = check_samples(w, n_samples, err, err_len);
    if (rc)
        return rc;
    if (!rel_err) {
        if (err && err_len)
            snprintf(err, err_len, "verify: rel_err is NULL");
        return JM_K_EINVAL;
    }
    const jm__dims *d = &w->dims;
    const size_t rows = d->gemm ? (size_t)n_samples : (size_t)n_samples * d->S;
    const size_t width = d->gemm ? d->gn : d->D;
    float *in = d->gemm ? w->ga : w->x;
    const size_t in_width = d->gemm ? d->gk : d->D;
    jm_fill_uniform(in, rows * in_width, seed, 1.0f);
    if (w->dev) /* GPU: upload the input, poison the outputs; run; download */
        rc = w->dev->put_input(w, err, err_len);
    if (!rc)
        rc = jm_workload_run(w, n_samples, NULL, err, err_len);
    if (!rc && w->dev)
        rc = w->dev->get_output(w, err, err_len);
    if (rc)
        return rc;
    const float *y = d->gemm ? w->gc : w->y;
    double *ref = malloc(rows * width * sizeof(double));
    uint8_t *checked = malloc(rows);
    double *ad = NULL, *bd = NULL;
    if (d->gemm) {
        ad = malloc(rows * d->gk * sizeof(double));
        bd = malloc(d->gk * d->gn * sizeof(double));
    }
    bool routing_ok = true;
    if (!ref || !checked || (d->gemm && (!ad || !bd))) {
        if (err && err_len)
            snprintf(err, err_len, "verify: cannot allocate the fp64 reference (%zu x %zu)", rows,
                     width);
        rc = JM_K_ENOMEM;
    } else if (d->gemm) {
        for (size_t i = 0; i < rows * d->gk; ++i)
            ad[i] = w->ga[i];
        for (size_t i = 0; i < d->gk * d->gn; ++i)
            bd[i] = w->gb[i];
        jm_dgemm_ref(JM_NO_TRANS, JM_NO_TRANS, rows, d->gn, d->gk, 1.0, ad, d->gk, bd, d->gn, 0.0,
                     ref, d->gn);
        memset(checked, 1, rows);
    } else {
        rc = jm__layer_ref(w, (size_t)n_samples, ref, checked, &routing_ok, err, err_len);
    }
    if (!rc) {
        double max_ref = 0.0, max_diff = 0.0;
        for (size_t r = 0; r < rows; ++r) {
            if (!checked[r])
                continue;
            for (size_t j = 0; j < width; ++j) {
                max_ref = fmax(max_ref, fabs(ref[r * width + j]));
                max_diff = fmax(max_diff, fabs((double)y[r * width + j] - ref[r * width + j]));
            }
        }
        *rel_err = routing_ok ? (max_ref > 0.0 ? max_diff / max_ref : max_diff) : INFINITY;
    }
    free(ref);
    free(checked);
    free(ad);
    free(bd);
    /* restore the resident input so that later runs see the seeded batch */
    if (d->gemm)
        jm_fill_uniform(w->ga, d->gm * d->gk, sub_seed(w->shape.seed, 1), 1.0f);
    else
        jm_fill_uniform(w->x, d->T * d->D, sub_seed(w->shape.seed, 16), 1.0f);
    if (w->dev) {
        char derr[256];
        const int drc = w->dev->put_input(w, derr, sizeof derr);
        if (!rc && drc) {
            if (err && err_len)
                snprintf(err, err_len, "verify: restoring the resident input: %s", derr);
            rc = drc;
        }
    }
    return rc;
}
