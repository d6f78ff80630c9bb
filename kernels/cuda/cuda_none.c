/* cuda_none.c - built only without CUDA (no nvcc at configure time, or
 * -DJM_CUDA=OFF): says so. The shape check rejects the GPU backends with the
 * reason, so nothing ever reaches a device binding here. */
#include <stdio.h>

#include "cuda_backend.h"

bool jm_cuda_built(void)
{
    return false;
}

bool jm_cuda_available(char *reason, size_t reason_len)
{
    if (reason && reason_len)
        snprintf(reason, reason_len,
                 "this joulemark was built without CUDA (configure with "
                 "nvcc on PATH or -DJM_CUDA=ON)");
    return false;
}

bool jm_cublas_built(void)
{
    return false;
}

const jm__device_ops *const jm__cuda_device_ops = NULL;

jm__cuda_state *jm__cuda_state_of(jm_workload *w)
{
    (void)w;
    return NULL;
}

int jm__cuda_peek(jm__cuda_state *st, const char *name, void *dst, size_t bytes, char *err,
                  size_t err_len)
{
    (void)st;
    (void)dst;
    (void)bytes;
    if (err && err_len)
        snprintf(err, err_len, "cuda peek of \"%s\": this joulemark was built without CUDA", name);
    return JM_K_EBACKEND;
}
