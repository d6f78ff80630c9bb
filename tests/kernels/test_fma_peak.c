/* test_fma_peak.c - the FMA peak measurement: a positive rate for every
 * variant the CPU can run (AVX-512 skipped with the reason where it lacks
 * it), errors naming the argument, and a rate a GEMM cannot beat by much. */
#include <criterion/criterion.h>
#include <string.h>

#include "kernels.h"

static void check_peak(const char *variant, const char *flag, bool have) {
    if (!have)
        cr_skip_test("%s: this CPU lacks %s", variant, flag);
    char err[256] = "";
    const double g1 = jm_fma_peak_gflops(variant, 1, 0.05, err, sizeof(err));
    cr_assert(g1 > 0.0, "%s: %g (%s)", variant, g1, err);
    const double g2 = jm_fma_peak_gflops(variant, 2, 0.05, err, sizeof(err));
    cr_assert(g2 > 0.0, "%s 2 threads: %g (%s)", variant, g2, err);
}

Test(fma_peak, avx512) {
    __builtin_cpu_init();
    check_peak("avx512_12x32", "AVX-512F", __builtin_cpu_supports("avx512f"));
}

Test(fma_peak, avx2) {
    __builtin_cpu_init();
    check_peak("avx2_fma_6x16", "AVX2 and FMA",
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

Test(fma_peak, portable) {
    check_peak("portable_c", "nothing", true);
}

Test(fma_peak, errors_name_the_argument) {
    char err[256] = "";
    cr_assert_lt(jm_fma_peak_gflops("sparc", 1, 0.05, err, sizeof(err)), 0.0);
    cr_assert(strstr(err, "sparc"), "%s", err);
    cr_assert_lt(jm_fma_peak_gflops(NULL, 0, 0.05, err, sizeof(err)), 0.0);
    cr_assert(strstr(err, "threads 0"), "%s", err);
    cr_assert_lt(jm_fma_peak_gflops(NULL, 1, -1.0, err, sizeof(err)), 0.0);
    cr_assert(strstr(err, "seconds"), "%s", err);
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) {
        cr_assert_lt(jm_fma_peak_gflops("avx512_12x32", 1, 0.05, err, sizeof(err)), 0.0);
        cr_assert(strstr(err, "not usable"), "%s", err);
    }
}
