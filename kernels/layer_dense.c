/* layer_dense.c - the pre-LN transformer layer's attention sublayer (shared
 * with MoE) and the dense GELU FFN. The FFN is blocked over d_ff: per chunk of
 * FC columns, H = gelu(LN2(x1) W1[:, chunk] + b1) then y += H W2[chunk, :], so
 * the T x d_ff hidden tensor never exists (only T x FC), and every weight is
 * read once per batch. Bias b2 and the residual are fused into the first
 * chunk's epilogue; later chunks accumulate (beta = 1). */
#include "workload_internal.h"

int jm__attention_sublayer(jm_workload *w, size_t n_seq, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t T = n_seq * d->S, D = d->D;
    const int th = w->shape.threads;
    jm__layernorm(w->x, w->xn, T, D, w->ln1_g, w->ln1_b, th);
    jm__gemm_op qkv = {.ta = JM_NO_TRANS,
                       .tb = JM_NO_TRANS,
                       .m = T,
                       .n = 3 * D,
                       .k = D,
                       .alpha = 1.0f,
                       .a = w->xn,
                       .lda = D,
                       .beta = 0.0f,
                       .c = w->qkv,
                       .ldc = 3 * D,
                       .threads = th};
    jm__w_bind(&qkv, w->wqkv, D, 3 * D, d->NR, 0, 0);
    qkv.epi.bias = w->bqkv;
    int rc = jm__layer_gemm(w, &qkv, err, err_len);
    if (rc)
        return rc;
    rc = jm__attention(w->qkv, w->attn, n_seq, d->S, D, d->H, th, err, err_len);
    if (rc)
        return rc;
    jm__gemm_op proj = {.ta = JM_NO_TRANS,
                        .tb = JM_NO_TRANS,
                        .m = T,
                        .n = D,
                        .k = D,
                        .alpha = 1.0f,
                        .a = w->attn,
                        .lda = D,
                        .beta = 0.0f,
                        .c = w->x1,
                        .ldc = D,
                        .threads = th};
    jm__w_bind(&proj, w->wo, D, D, d->NR, 0, 0);
    proj.epi.bias = w->bo;
    proj.epi.residual = w->x;
    proj.epi.ld_residual = D;
    rc = jm__layer_gemm(w, &proj, err, err_len);
    if (rc)
        return rc;
    jm__layernorm(w->x1, w->xn, T, D, w->ln2_g, w->ln2_b, th);
    return JM_K_OK;
}

int jm__dense_ffn(jm_workload *w, size_t T, char *err, size_t err_len) {
    const jm__dims *d = &w->dims;
    const size_t D = d->D, F = d->F;
    const int th = w->shape.threads;
    for (size_t f0 = 0; f0 < F; f0 += d->FC) {
        const size_t fc = F - f0 < d->FC ? F - f0 : d->FC;
        jm__gemm_op up = {.ta = JM_NO_TRANS,
                          .tb = JM_NO_TRANS,
                          .m = T,
                          .n = fc,
                          .k = D,
                          .alpha = 1.0f,
                          .a = w->xn,
                          .lda = D,
                          .beta = 0.0f,
                          .c = w->hid,
                          .ldc = fc,
                          .threads = th};
        jm__w_bind(&up, w->w1, D, F, d->NR, 0, f0);
        up.epi.bias = w->b1 + f0;
        up.epi.gelu = true;
        int rc = jm__layer_gemm(w, &up, err, err_len);
        if (rc)
            return rc;
        jm__gemm_op down = {.ta = JM_NO_TRANS,
                            .tb = JM_NO_TRANS,
                            .m = T,
                            .n = D,
                            .k = fc,
                            .alpha = 1.0f,
                            .a = w->hid,
                            .lda = fc,
                            .beta = f0 == 0 ? 0.0f : 1.0f,
                            .c = w->y,
                            .ldc = D,
                            .threads = th};
        jm__w_bind(&down, w->w2, F, D, d->NR, f0, 0);
        if (f0 == 0) {
            down.epi.bias = w->b2;
            down.epi.residual = w->x1;
            down.epi.ld_residual = D;
        }
        rc = jm__layer_gemm(w, &down, err, err_len);
        if (rc)
            return rc;
    }
    return JM_K_OK;
}
