/* test_blocking.c - cache blocking follows hwloc's cache sizes (BLIS rules
 * stated in gemm_blocking.c: A block in half of L2, B block in the other half
 * and a quarter of L3) and the dispatch table lists usable variants, the
 * reference entry always last. */
#include <criterion/criterion.h>
#include <string.h>

#include "gemm_internal.h"

Test(blocking, block_sizes_fit_the_caches_hwloc_reports) {
    size_t l1, l2, l3;
    jm__cache_sizes(&l1, &l2, &l3);
    if (!l1 || !l2)
        cr_skip_test("hwloc reports no L1d/L2 size on this machine");
    const jm__ukr *kernels[] = {&jm__ukr_portable_c, &jm__ukr_avx2_fma_6x16, &jm__ukr_avx512_12x32};
    for (size_t i = 0; i < 3; ++i) {
        jm__blocking b;
        jm__gemm_blocking(kernels[i], &b);
        const size_t mr = (size_t)kernels[i]->mr, nr = (size_t)kernels[i]->nr;
        cr_assert(b.kc >= 64 && b.kc <= 512 && b.kc % 8 == 0, "kc %zu", b.kc);
        if (b.kc > 64) /* not clamped: the B micro-panel fits in 2/3 of L1d */
            cr_assert(b.kc * nr * sizeof(float) <= l1 * 2 / 3, "kc %zu nr %zu l1 %zu", b.kc, nr,
                      l1);
        cr_assert_eq(b.mc % mr, 0u);
        if (b.mc > mr)
            cr_assert(b.mc * b.kc * sizeof(float) <= l2 / 2, "mc %zu", b.mc);
        if (b.mc > mr && b.mc < 1024 / mr * mr) /* not clamped: MR more rows would not fit */
            cr_assert(((b.mc + mr) * b.kc * sizeof(float) > l2 / 2), "mc %zu", b.mc);
        cr_assert_eq(b.nc % nr, 0u);
        if (b.nc > 4 * nr) { /* the B block fits in half of L2 and a quarter of L3 */
            cr_assert(b.kc * b.nc * sizeof(float) <= l2 / 2, "nc %zu l2 %zu", b.nc, l2);
            if (l3)
                cr_assert(b.kc * b.nc * sizeof(float) <= l3 / 4, "nc %zu", b.nc);
        }
    }
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
        cr_assert_eq(jm_gemm_force_kernel("avx512_12x32", err, sizeof(err)), JM_K_EBACKEND);
        cr_assert(strstr(err, "not usable"), "%s", err);
    }
}
