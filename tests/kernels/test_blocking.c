/* test_blocking.c - the analytical blocking model (gemm_blocking.c) on the
 * hierarchies that matter (AMD Zen 3, the Xeon VM of docs/performance.md),
 * on odd, tiny, absurd and missing cache information; the simulated cache
 * models; forcing the blocking and the kernel from the API and from the
 * environment; and the dispatch table (usable variants, reference last).
 * Expected block sizes are worked out by hand in the comments from the rule
 * (ways(A micro-panel) + ways(B micro-panel) <= W1 - 1, and so on). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"

static jm_cache_level lvl(size_t size, int assoc, int sharing) {
    jm_cache_level l = {size, 64, assoc, 1, sharing};
    return l;
}

static jm_cache_hierarchy hier(jm_cache_level l1, jm_cache_level l2, jm_cache_level l3) {
    jm_cache_hierarchy h;
    memset(&h, 0, sizeof(h));
    strcpy(h.name, "test");
    h.loaded = true;
    h.l1d = l1;
    h.l2 = l2;
    h.l3 = l3;
    return h;
}

static size_t ways(size_t bytes, size_t size, size_t assoc) {
    const size_t way = size / assoc;
    return (bytes + way - 1) / way;
}

Test(blocking, zen3_with_the_avx2_tile) {
    /* L1d 32 KiB 8-way (4 KiB a way); 6x16 fp32: A 24 kc bytes, B 64 kc.
     * kc 320: A 7680 (2 ways) + B 20480 (5 ways) = 7 = W - 1; kc 328: 2 + 6.
     * L2 512 KiB 8-way (64 KiB a way): B micro-panel 1 way, A block 6 ways
     * = 393216 / (320 * 4) = 307.2 rows -> 306. L3 32 MiB 16-way for 8 cores
     * = 4 MiB (256 KiB a way): A block 391680 bytes = 2 ways, B block 13 ways
     * = 3407872 / 1280 = 2662.4 -> 2656. */
    jm_cache_hierarchy h = hier(lvl(32 << 10, 8, 1), lvl(512 << 10, 8, 1), lvl(32 << 20, 16, 8));
    jm__blocking b;
    jm__blocking_model(&h, 6, 16, &b);
    cr_assert_eq(b.kc, 320u);
    cr_assert_eq(b.mc, 306u);
    cr_assert_eq(b.nc, 2656u);
    /* the named model is the same hierarchy */
    jm_cache_hierarchy z;
    cr_assert_eq(jm_cache_model("zen3", &z, NULL, 0), 0);
    jm__blocking bz;
    jm__blocking_model(&z, 6, 16, &bz);
    cr_assert(bz.kc == b.kc && bz.mc == b.mc && bz.nc == b.nc);
}

Test(blocking, sapphire_rapids_vm_with_the_avx512_tile) {
    /* What hwloc reports on the development VM: L1d 48 KiB 12-way, L2 2 MiB
     * 16-way, L3 260 MiB 20-way seen as shared by the VM's 2 cores.
     * 12x32: A 48 kc, B 128 kc; kc 256: 3 + 8 ways = 11 = W - 1 (264: 4 + 9).
     * L2 (128 KiB a way): B 1 way, A 14 ways = 1835008 / 1024 = 1792 -> 1788.
     * L3: 130 MiB a core is no real share: 8 MiB, B block 14 of 20 ways ->
     * 5734 columns, the 4096 cap. */
    jm_cache_hierarchy h =
        hier(lvl(48 << 10, 12, 1), lvl(2 << 20, 16, 1), lvl((size_t)260 << 20, 20, 2));
    jm__blocking b;
    jm__blocking_model(&h, 12, 32, &b);
    cr_assert_eq(b.kc, 256u);
    cr_assert_eq(b.mc, 1788u);
    cr_assert_eq(b.nc, 4096u);
}

Test(blocking, missing_cache_info_gets_the_defaults) {
    /* nothing reported: L1d 32 KiB 8-way, L2 512 KiB 8-way, no L3 (nc cap) */
    jm_cache_hierarchy none;
    memset(&none, 0, sizeof(none));
    jm__blocking b;
    jm__blocking_model(&none, 6, 16, &b);
    cr_assert_eq(b.kc, 320u);
    cr_assert_eq(b.mc, 306u);
    cr_assert_eq(b.nc, 4096u);
    /* absurd values (a 1-byte L1, an L2 smaller than L1, a line of 3 bytes,
     * unknown associativity) are the same as missing ones */
    jm_cache_hierarchy bad = hier(lvl(1, 0, 1), lvl(1024, 8, 1), lvl(0, 0, 0));
    bad.l1d.line = 3;
    jm__blocking bb;
    jm__blocking_model(&bad, 6, 16, &bb);
    cr_assert(bb.kc == b.kc && bb.mc == b.mc && bb.nc == b.nc, "kc %zu mc %zu nc %zu", bb.kc,
              bb.mc, bb.nc);
}

/* The rules the model promises, on whatever hierarchy it is given. */
static void check_rules(const jm_cache_hierarchy *h, size_t mr, size_t nr) {
    jm__blocking b;
    jm__blocking_model(h, mr, nr, &b);
    cr_assert(b.kc >= 8 && b.kc <= 1024 && b.kc % 8 == 0, "kc %zu", b.kc);
    cr_assert(b.mc >= mr && b.mc % mr == 0 && b.mc <= 4096, "mc %zu", b.mc);
    cr_assert(b.nc >= nr && b.nc % nr == 0 && b.nc <= 4096, "nc %zu", b.nc);
    const size_t l1 = h->l1d.size, w1 = (size_t)h->l1d.assoc;
    if (b.kc > 8 && b.kc < 1024 && w1 >= 3) {
        cr_assert(ways(mr * b.kc * 4, l1, w1) + ways(nr * b.kc * 4, l1, w1) <= w1 - 1,
                  "kc %zu overfills L1 (%zu, %zu-way)", b.kc, l1, w1);
        const size_t k = b.kc + 8;
        cr_assert(ways(mr * k * 4, l1, w1) + ways(nr * k * 4, l1, w1) > w1 - 1,
                  "kc %zu is not the largest (L1 %zu %zu-way)", b.kc, l1, w1);
    }
    const size_t l2 = h->l2.size, w2 = (size_t)h->l2.assoc;
    if (b.mc > mr && b.mc < 4096 / mr * mr && w2 >= 3)
        cr_assert(ways(nr * b.kc * 4, l2, w2) + ways(b.mc * b.kc * 4, l2, w2) <= w2 - 1,
                  "mc %zu overfills L2", b.mc);
}

Test(blocking, odd_and_tiny_caches_keep_the_rules) {
    static const size_t tiles[][2] = {{12, 32}, {6, 16}, {4, 16}, {1, 1}, {7, 5}};
    /* real and odd hierarchies: 3 ways, 5 ways, 20 ways, 4 KiB L1, 40 KiB
     * L1 (not a power of two), L2 shared by 4 cores, L3 smaller than 2 L2 */
    const jm_cache_hierarchy hs[] = {
        hier(lvl(32 << 10, 8, 1), lvl(256 << 10, 8, 1), lvl(35 << 20, 20, 14)),
        hier(lvl(4 << 10, 4, 1), lvl(16 << 10, 4, 1), lvl(0, 0, 0)),
        hier(lvl(40 << 10, 5, 1), lvl(1280 << 10, 10, 1), lvl(12 << 20, 12, 4)),
        hier(lvl(24 << 10, 3, 1), lvl(4 << 20, 16, 4), lvl(4 << 20, 16, 4)),
        hier(lvl(64 << 10, 4, 1), lvl(1 << 20, 20, 1), lvl(1 << 20, 8, 1)),
    };
    for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); ++i)
        for (size_t t = 0; t < sizeof(tiles) / sizeof(tiles[0]); ++t)
            check_rules(&hs[i], tiles[t][0], tiles[t][1]);
    /* a 4 KiB 4-way L1 (1 KiB a way) with the 12x32 tile: kc 16 (A 768 B,
     * B 2048 B: 1 + 2 = 3 ways), the smallest caches still block */
    jm__blocking b;
    jm__blocking_model(&hs[1], 12, 32, &b);
    cr_assert_eq(b.kc, 16u);
    /* direct-mapped or 2-way L1: both panels in half of it (capacity rule) */
    jm_cache_hierarchy dm = hier(lvl(32 << 10, 1, 1), lvl(512 << 10, 8, 1), lvl(0, 0, 0));
    jm__blocking_model(&dm, 6, 16, &b);
    cr_assert(b.kc * (6 + 16) * 4 <= 16 << 10 && (b.kc + 8) * (6 + 16) * 4 > 16 << 10, "kc %zu",
              b.kc);
    /* fully associative (hwloc's -1) is accepted */
    jm_cache_hierarchy fa = hier(lvl(32 << 10, -1, 1), lvl(512 << 10, -1, 1), lvl(0, 0, 0));
    jm__blocking_model(&fa, 6, 16, &b);
    cr_assert(b.kc >= 8 && b.mc >= 6);
}

Test(blocking, the_host_probe_is_the_one_sysinfo_reads) {
    jm_cache_hierarchy h;
    jm_cache_probe(&h);
    cr_assert_str_eq(h.name, "host");
    if (!h.loaded)
        cr_skip_test("hwloc could not load the topology: %s", h.reason);
    cr_assert(h.cores >= 1 && h.pus >= h.cores, "cores %d pus %d", h.cores, h.pus);
    if (h.l1d.size)
        cr_assert(h.l1d.instances >= 1 && h.l1d.sharing_cores >= 1);
    /* "host" through the model API is the probe */
    jm_cache_hierarchy m;
    cr_assert_eq(jm_cache_model("host", &m, NULL, 0), 0);
    cr_assert_eq(m.l2.size, h.l2.size);
    char err[256] = "";
    cr_assert_eq(jm_cache_model("pentium4", &m, err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "pentium4") && strstr(err, "zen3"), "%s", err);
}

Test(blocking, forced_blocking_and_cache_model) {
    char err[256] = "";
    cr_assert_eq(jm_gemm_force_kernel("portable", err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(jm_gemm_kernel_name(), "portable_c");
    size_t kc, mc, nc;
    char src[64];
    /* a simulated Zen 3: the portable 4x16 tile's model blocking */
    cr_assert_eq(jm_gemm_set_cache_model("zen3", err, sizeof(err)), 0, "%s", err);
    jm_gemm_blocking_in_use(&kc, &mc, &nc, src, sizeof(src));
    jm_cache_hierarchy z;
    jm_cache_model("zen3", &z, NULL, 0);
    jm__blocking want;
    jm__blocking_model(&z, 4, 16, &want);
    cr_assert(kc == want.kc && mc == want.mc && nc == want.nc);
    cr_assert_str_eq(src, "cache model: zen3");
    /* forced wins over the model; mc and nc rounded to the 4x16 tile */
    cr_assert_eq(jm_gemm_force_blocking(100, 50, 70, err, sizeof(err)), 0, "%s", err);
    jm_gemm_blocking_in_use(&kc, &mc, &nc, src, sizeof(src));
    cr_assert(kc == 100 && mc == 48 && nc == 64, "%zu %zu %zu", kc, mc, nc);
    cr_assert_str_eq(src, "forced");
    cr_assert_eq(jm_gemm_force_blocking(0, 5, 5, err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "kc 0"), "%s", err);
    cr_assert_eq(jm_gemm_force_blocking(0, 0, 0, err, sizeof(err)), 0);
    cr_assert_eq(jm_gemm_set_cache_model("host", err, sizeof(err)), 0);
    jm_gemm_blocking_in_use(&kc, &mc, &nc, src, sizeof(src));
    cr_assert_str_eq(src, "cache model: host");
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(blocking, parse_blocking_is_strict) {
    size_t kc, mc, nc;
    char err[256] = "";
    cr_assert_eq(jm_gemm_parse_blocking("256,144,4080", &kc, &mc, &nc, err, sizeof(err)), 0);
    cr_assert(kc == 256 && mc == 144 && nc == 4080);
    const char *bad[] = {"", "256,144", "256,144,4080,1", "a,b,c", "256, 144,4080", "-1,2,3",
                         "256,144,4080x", "99999999999999999999,1,1", "1,,2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        err[0] = '\0';
        cr_assert_eq(jm_gemm_parse_blocking(bad[i], &kc, &mc, &nc, err, sizeof(err)),
                     JM_K_EINVAL, "'%s' accepted", bad[i]);
        cr_assert(strstr(err, "kc,mc,nc"), "%s", err);
    }
}

Test(blocking, environment_forces_kernel_blocking_and_model) {
    char err[256] = "";
    setenv("JM_GEMM_KERNEL", "portable", 1);
    setenv("JM_GEMM_BLOCKING", "64,40,96", 1);
    setenv("JM_CACHE_MODEL", "zen2", 1);
    cr_assert_eq(jm_gemm_apply_env(err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(jm_gemm_kernel_name(), "portable_c");
    size_t kc, mc, nc;
    jm_gemm_blocking_in_use(&kc, &mc, &nc, NULL, 0);
    cr_assert(kc == 64 && mc == 40 && nc == 96, "%zu %zu %zu", kc, mc, nc);
    setenv("JM_GEMM_BLOCKING", "64,40", 1);
    cr_assert_eq(jm_gemm_apply_env(err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "JM_GEMM_BLOCKING"), "%s", err);
    unsetenv("JM_GEMM_BLOCKING");
    setenv("JM_CACHE_MODEL", "z80", 1);
    cr_assert_eq(jm_gemm_apply_env(err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "JM_CACHE_MODEL") && strstr(err, "z80"), "%s", err);
    setenv("JM_GEMM_KERNEL", "sparc", 1);
    cr_assert_eq(jm_gemm_apply_env(err, sizeof(err)), JM_K_EINVAL);
    cr_assert(strstr(err, "JM_GEMM_KERNEL") && strstr(err, "sparc"), "%s", err);
    unsetenv("JM_GEMM_KERNEL");
    unsetenv("JM_CACHE_MODEL");
    jm_gemm_force_blocking(0, 0, 0, NULL, 0);
    jm_gemm_set_cache_model("host", NULL, 0);
    jm_gemm_force_kernel("auto", NULL, 0);
}

Test(blocking, variants_are_usable_and_end_with_the_reference) {
    const char *const *v = jm_gemm_kernel_variants();
    size_t n = 0;
    while (v[n])
        ++n;
    cr_assert(n >= 1);
    cr_assert_str_eq(v[n - 1], "portable_c");
    /* auto picks the first (best) usable variant */
    cr_assert_eq(jm_gemm_force_kernel("auto", NULL, 0), 0);
    cr_assert_str_eq(jm_gemm_kernel_name(), v[0]);
    if (!__builtin_cpu_supports("avx512f")) {
        char err[128] = "";
        cr_assert_eq(jm_gemm_force_kernel("avx512", err, sizeof(err)), JM_K_EBACKEND);
        cr_assert(strstr(err, "not usable"), "%s", err);
    }
}
