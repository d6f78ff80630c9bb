/* cuda_bridge.c - built only with CUDA: binds the GPU backend to the workload
 * object (kernels/workload.c calls these through jm__cuda_device_ops). The
 * host keeps its seeded weights and inputs (row-major: backend != native);
 * attach uploads them, verify moves inputs and outputs, run launches. */
#include <stdio.h>

#include "cuda_backend.h"
#include "../workload_internal.h"

bool jm_cuda_built(void)
{
    return true;
}

bool jm_cuda_available(char *reason, size_t reason_len)
{
    return jm__cuda_probe(reason, reason_len);
}

/* The host arrays that have a device twin of the same name. */
static void host_view(jm_workload *w, jm__cuda_bufs *h)
{
    *h = (jm__cuda_bufs){0};
#define JM_BIND(name) h->name = w->name;
    JM_BIND(ln1_g) JM_BIND(ln1_b) JM_BIND(wqkv) JM_BIND(bqkv) JM_BIND(wo) JM_BIND(bo)
    JM_BIND(ln2_g) JM_BIND(ln2_b) JM_BIND(w1) JM_BIND(b1) JM_BIND(w2) JM_BIND(b2)
    JM_BIND(wr) JM_BIND(we1) JM_BIND(be1) JM_BIND(we2) JM_BIND(be2)
    JM_BIND(ga) JM_BIND(gb) JM_BIND(gc) JM_BIND(x) JM_BIND(y) JM_BIND(choice)
#undef JM_BIND
}

static int attach(jm_workload *w, char *err, size_t err_len)
{
    jm__cuda_bufs h;
    host_view(w, &h);
    return jm__cuda_create(&w->shape, &h, &w->gpu, err, err_len);
}

static void detach(jm_workload *w)
{
    jm__cuda_destroy(w->gpu);
    w->gpu = NULL;
}

static int run(jm_workload *w, int n_samples, jm_run_stats *stats, char *err, size_t err_len)
{
    jm_run_stats st;
    const int rc = jm__cuda_run(w->gpu, n_samples, &st, err, err_len);
    w->last_dropped = st.dropped_assignments;
    if (stats)
        *stats = st;
    return rc;
}

static int put_input(jm_workload *w, char *err, size_t err_len)
{
    jm__cuda_bufs h;
    host_view(w, &h);
    return jm__cuda_put_input(w->gpu, &h, err, err_len);
}

static int get_output(jm_workload *w, char *err, size_t err_len)
{
    jm__cuda_bufs h;
    host_view(w, &h);
    return jm__cuda_get_output(w->gpu, &h, err, err_len);
}

static const jm__device_ops cuda_ops = {.name = "cuda",
                                        .fits = jm__cuda_fits,
                                        .attach = attach,
                                        .detach = detach,
                                        .run = run,
                                        .put_input = put_input,
                                        .get_output = get_output};

const jm__device_ops *const jm__cuda_device_ops = &cuda_ops;

jm__cuda_state *jm__cuda_state_of(jm_workload *w)
{
    return w ? w->gpu : NULL;
}
