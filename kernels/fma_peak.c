/* fma_peak.c - the machine's FMA peak as a kernel-efficiency yardstick: a
 * register-only loop of independent fused multiply-adds in the vector ISA of
 * a GEMM variant (zmm for avx512_*, ymm for avx2_*, the compiler's baseline
 * SSE code for portable_c), on `threads` OpenMP threads, timed by the wall
 * clock. No memory traffic, so it is what the cores can do at most at the
 * clock they run at now; a GEMM's GFLOP/s over it is its efficiency. The best
 * of short timed rounds is reported (a round that lost a core to another
 * process is not the peak). */
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base.h"
#include "gemm_internal.h"

double jm__fma_loop_avx2(uint64_t iters, float *sink);
double jm__fma_loop_avx512(uint64_t iters, float *sink);

/* Baseline: 4-lane SSE after auto-vectorisation (with -ffp-contract=fast the
 * a*b+c contracts into FMA only where the target has it). */
static double fma_loop_portable(uint64_t iters, float *sink) {
    float acc[8][4];
    for (int i = 0; i < 8; ++i)
        for (int l = 0; l < 4; ++l)
            acc[i][l] = (float)(i * 4 + l) * 1e-3f;
    for (uint64_t it = 0; it < iters; ++it)
        for (int i = 0; i < 8; ++i)
            for (int l = 0; l < 4; ++l)
                acc[i][l] = acc[i][l] * 0.999999f + 1e-7f;
    for (int i = 0; i < 8; ++i)
        for (int l = 0; l < 4; ++l)
            *sink += acc[i][l];
    return (double)iters * 8.0 * 4.0 * 2.0;
}

static double now_s(void) {
    return 1e-9 * (double)jm_now_ns();
}

typedef double (*loop_fn)(uint64_t iters, float *sink);

double jm_fma_peak_gflops(const char *kernel, int threads, double seconds, char *err,
                          size_t err_len) {
    const char *name = kernel ? kernel : jm_gemm_kernel_name();
    if (threads < 1 || threads > 4096 || !(seconds > 0.0 && seconds <= 60.0)) {
        if (err && err_len)
            snprintf(err, err_len,
                     "fma peak: threads %d, seconds %g (expected 1..4096 and 0 < s <= 60)", threads,
                     seconds);
        return JM_K_EINVAL;
    }
    loop_fn fn = fma_loop_portable;
    __builtin_cpu_init();
    if (strncmp(name, "avx512", 6) == 0 && __builtin_cpu_supports("avx512f"))
        fn = jm__fma_loop_avx512;
    else if (strncmp(name, "avx2", 4) == 0 && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma"))
        fn = jm__fma_loop_avx2;
    else if (strncmp(name, "portable", 8) != 0) {
        if (err && err_len)
            snprintf(err, err_len, "fma peak: kernel '%s' is unknown or not usable on this CPU",
                     name);
        return JM_K_EINVAL;
    }
    /* calibrate on one thread: iterations for about seconds / 4 per chunk */
    float sink = 0.0f;
    uint64_t iters = 1 << 14;
    double t = 0.0;
    for (;;) {
        const double t0 = now_s();
        fn(iters, &sink);
        t = now_s() - t0;
        if (t > 0.01 || iters > ((uint64_t)1 << 40))
            break;
        iters *= 4;
    }
    /* short timed rounds (~10 ms, at least 4); the best is the peak: on a
     * shared machine a round in which another process took a core is not,
     * and short rounds are more likely to find the core to themselves */
    const int rounds =
        seconds / 0.01 < 4.0 ? 4 : (seconds / 0.01 > 1000.0 ? 1000 : (int)(seconds / 0.01));
    const uint64_t chunk = (uint64_t)((double)iters * (seconds / rounds) / t) + 1;
    double best = 0.0;
    for (int round = 0; round < rounds; ++round) {
        double flops = 0.0;
        const double t0 = now_s();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        {
            float s = 0.0f;
            flops += fn(chunk, &s);
            if (s == 12345.678f) /* keeps the accumulators' result alive */
                flops += 1.0;
        }
        const double rate = flops / (now_s() - t0) * 1e-9;
        best = rate > best ? rate : best;
    }
    (void)sink;
    return best;
}
