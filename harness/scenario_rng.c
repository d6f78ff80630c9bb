/* scenario_rng.c - the deterministic random numbers of the scenario engine:
 * xoshiro256** seeded by splitmix64, and the Server scenario's Poisson
 * arrival schedule (exponential inter-arrival gaps at the target rate). */
#include <math.h>

#include "harness.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void jm_rng_seed(jm_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t jm_rng_next(jm_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double jm_rng_uniform(jm_rng *r)
{
    return (double)(jm_rng_next(r) >> 11) * 0x1.0p-53;
}

void jm_poisson_schedule(uint64_t seed, double qps, uint64_t *t_ns, size_t n)
{
    jm_rng rng;
    jm_rng_seed(&rng, seed);
    double t_s = 0.0;
    for (size_t i = 0; i < n; i++) {
        /* 1 - u lies in (0, 1]: the logarithm is finite */
        t_s += -log(1.0 - jm_rng_uniform(&rng)) / qps;
        t_ns[i] = (uint64_t)llround(t_s * 1e9);
    }
}
