/* gemm_blocking.c - the GEMM's cache blocking (kc, mc, nc) from an analytical
 * model of the cache hierarchy, after Low et al., "Analytical modeling is
 * enough for high-performance BLIS" (ACM TOMS 43(2), 2016). A cache of W ways
 * is seen as W "ways" of size/W bytes each; a block of B bytes occupies
 * ceil(B / way) of them (it maps onto the sets evenly, being contiguous).
 *  - kc (L1d): the kc x NR B micro-panel must stay in L1 while MR x kc A
 *    micro-panels stream through it; with one way left for C and the stream:
 *    ways(MR kc) + ways(NR kc) <= W1 - 1, kc as large as that allows (the
 *    paper solves it with whole ways for A, floor((W1-1)/(1+NR/MR)): for a 6x16
 *    fp32 tile on an 8-way 32 KiB L1 that gives kc 170, a third below the 256
 *    BLIS ships for Haswell/Zen; counting the ways of both panels gives 320).
 *  - mc (L2, per core): the mc x kc A block in the ways the B micro-panel and
 *    one streaming way leave: ways(NR kc) + ways(mc kc) <= W2 - 1.
 *  - nc (L3, this core's share: size / cores sharing it): the kc x nc B block
 *    in the ways the A block and one streaming way leave, but at least mc
 *    (A is repacked n / nc times: a small L3 share must not make that cost
 *    more than B's m / mc repackings).
 * Nonsense from a VM is replaced by defaults (see sane_level); an L3 share
 * above 8 MiB a core (no server part has one; a VM that sees 2 of the cores
 * sharing a 260 MiB L3 reports 130 MiB) counts as 8 MiB. Forced blocking and
 * the simulated hierarchy come from gemm_forcing.c. */
#include "gemm_internal.h"

enum { KC_MIN = 8, KC_MAX = 1024, MC_MAX = 4096, NC_MAX = 4096 };

static size_t clamp(size_t v, size_t lo, size_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

static bool power_of_two(size_t v) {
    return v && !(v & (v - 1));
}

/* A usable view of one level: size (per core), ways, line. Sizes outside
 * [lo, hi] or not a whole number of lines, unknown or absurd associativity
 * and odd line sizes are replaced by the defaults given. */
typedef struct level {
    size_t size, ways;
} level;

static level sane_level(const jm_cache_level *l, size_t lo, size_t hi, size_t def_size,
                        size_t def_ways) {
    const size_t line = power_of_two(l->line) && l->line >= 16 && l->line <= 512 ? l->line : 64;
    const size_t sharing = l->sharing_cores > 1 ? (size_t)l->sharing_cores : 1;
    level v = {def_size, def_ways};
    if (l->size < lo || l->size > hi * sharing || l->size % line)
        return v;
    v.size = l->size / sharing;
    if (l->assoc > 0 && (size_t)l->assoc * line <= l->size)
        v.ways = (size_t)l->assoc;
    else if (l->assoc == -1) /* fully associative: capacity is what counts */
        v.ways = 16;
    return v;
}

/* ways a block of `bytes` occupies in a cache of `c` */
static size_t ways_of(size_t bytes, level c) {
    const size_t way = c.size / c.ways;
    return way ? (bytes + way - 1) / way : c.ways;
}

void jm__blocking_model(const jm_cache_hierarchy *h, size_t mr, size_t nr, jm__blocking *out) {
    const size_t f = sizeof(float);
    const level l1 = sane_level(&h->l1d, 4 << 10, 1 << 20, 32 << 10, 8);
    const level l2 = sane_level(&h->l2, 2 * l1.size, 256 << 20, 512 << 10, 8);
    const bool has_l3 = h->l3.size > 0;
    level l3 = sane_level(&h->l3, 2 * l2.size, (size_t)1 << 40, 0, 16);
    if (l3.size > (8 << 20))
        l3.size = 8 << 20;

    /* kc: both micro-panels in W1 - 1 ways (capacity rule below 3 ways) */
    size_t kc = KC_MIN;
    for (size_t k = KC_MIN; k <= KC_MAX; k += 8) {
        const bool fits = l1.ways >= 3
                              ? ways_of(mr * k * f, l1) + ways_of(nr * k * f, l1) <= l1.ways - 1
                              : (mr + nr) * k * f <= l1.size / 2;
        if (!fits)
            break;
        kc = k;
    }

    /* mc: the A block in the L2 ways left by the B micro-panel and one more */
    const size_t b_ways2 = ways_of(nr * kc * f, l2);
    size_t a_bytes =
        l2.ways > b_ways2 + 1 ? (l2.ways - 1 - b_ways2) * (l2.size / l2.ways) : l2.size / 2;
    size_t mc = clamp(a_bytes / (kc * f) / mr * mr, mr, MC_MAX / mr * mr);

    /* nc: the B block in this core's L3 share, beside the A block */
    size_t nc = NC_MAX / nr * nr;
    if (has_l3 && l3.size) {
        const size_t a_ways3 = ways_of(mc * kc * f, l3);
        const size_t b_bytes =
            l3.ways > a_ways3 + 1 ? (l3.ways - 1 - a_ways3) * (l3.size / l3.ways) : l3.size / 2;
        nc = b_bytes / (kc * f);
        /* A is repacked n / nc times, B m / mc times: nc >= mc keeps A's
         * repacking no costlier than B's when the L3 share is small */
        nc = clamp((nc > mc ? nc : mc) / nr * nr, nr, NC_MAX / nr * nr);
    }
    out->kc = kc;
    out->mc = mc;
    out->nc = nc;
}

void jm__gemm_blocking(const jm__ukr *u, jm__blocking *out) {
    jm__blocking forced;
    jm_cache_hierarchy h;
    const size_t mr = (size_t)u->mr, nr = (size_t)u->nr;
    if (jm__gemm_forced_blocking(&forced)) {
        out->kc = forced.kc;
        out->mc = forced.mc < mr ? mr : forced.mc / mr * mr;
        out->nc = forced.nc < nr ? nr : forced.nc / nr * nr;
        return;
    }
    jm__gemm_cache_hierarchy(&h);
    jm__blocking_model(&h, mr, nr, out);
}
