/* rng.c - deterministic SplitMix64 random fill used for weights and inputs. */
#include "kernels.h"

void jm_fill_uniform(float *x, size_t n, uint64_t seed, float scale) {
    uint64_t s = seed;
    for (size_t i = 0; i < n; ++i) {
        s += 0x9E3779B97F4A7C15ull;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        const double u = (double)(z >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
        x[i] = (float)((2.0 * u - 1.0) * scale);
    }
}
