/* fastmath.h - private to kernels/: a vectorisable single-precision exp used
 * by the GELU epilogue and the attention softmax (|rel err| < 1e-6 on
 * [-87, 87]; inputs outside are clamped), and JM_VECTOR_CLONES, which builds
 * a loop-heavy function once per vector ISA (AVX-512F, AVX2, baseline) and
 * lets the loader pick the one the CPU runs: the files are compiled for the
 * baseline ISA, where these loops would run 4 lanes wide. */
#ifndef JM_FASTMATH_H
#define JM_FASTMATH_H

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define JM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JM_VECTOR_CLONES
#endif

static inline float jm__expf(float x) {
    x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
    /* round to nearest: t + 128.5 > 0, so truncation is floor (floorf
     * would not vectorise in ISO C mode) */
    const float t = x * 1.44269504088896341f;
    const int32_t ni = (int32_t)(t + 128.5f) - 128;
    const float n = (float)ni;
    /* Cody-Waite: ln 2 split so that n * ln2_hi is exact */
    const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t bits = (ni + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof(scale));
    return p * scale;
}

#endif /* JM_FASTMATH_H */
