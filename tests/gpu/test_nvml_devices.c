/* test_nvml_devices.c - jm_nvml_describe (the GPU list of `joulemark
 * sysinfo`) against a fake NVML library built at test time: every field of
 * a GPU that reports them, zeros where a query is not supported, the reasons
 * when the library, a symbol or the driver is missing; and the real machine
 * (whatever it has) without crashing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meters.h"

static char dir[] = "/tmp/jm_nvmldev_XXXXXX";
static char lib[512];

static void build_fake(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(lib, sizeof lib, "%s/libfake-nvml-dev.so", dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "cc -shared -fPIC -O0 -o %s %s/gpu/fake_nvml_devices.c >/dev/null 2>&1", lib,
             JM_FIXTURES_DIR);
    if (system(cmd) != 0)
        cr_skip_test("no C compiler to build the fake NVML library");
}

static void teardown(void)
{
    unsetenv("FAKE_NVML_DEV");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

Test(nvml_devices, lists_two_gpus, .fini = teardown)
{
    build_fake();
    setenv("FAKE_NVML_DEV", "two", 1);
    jm_gpu_desc g[4];
    int n = -1;
    char reason[256] = "";
    cr_assert_eq(jm_nvml_describe(lib, g, 4, &n, reason, sizeof reason), JM_M_OK, "%s", reason);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(reason, "2 GPUs seen by NVML");
    cr_assert_eq(g[0].index, 0u);
    cr_assert_str_eq(g[0].name, "NVIDIA H100 80GB HBM3");
    cr_assert_eq(g[0].memory_bytes, 85520809984ULL);
    cr_assert_eq(g[0].sm_clock_max_mhz, 1980u);
    cr_assert_eq(g[0].mem_clock_max_mhz, 2619u);
    cr_assert_float_eq(g[0].power_limit_w, 700.0, 1e-9);
    cr_assert_str_eq(g[1].name, "Fake GPU");
    cr_assert_eq(g[1].memory_bytes, 1073741824ULL);
    cr_assert_eq(g[1].sm_clock_max_mhz, 0u);
    cr_assert_eq(g[1].mem_clock_max_mhz, 0u);
    cr_assert_eq(g[1].power_limit_w, 0.0);
    /* room for one: one filled */
    cr_assert_eq(jm_nvml_describe(lib, g, 1, &n, NULL, 0), JM_M_OK);
    cr_assert_eq(n, 1);
}

Test(nvml_devices, driver_not_loaded, .fini = teardown)
{
    build_fake();
    setenv("FAKE_NVML_DEV", "nodriver", 1);
    jm_gpu_desc g[2];
    int n = -1;
    char reason[256] = "";
    cr_assert_eq(jm_nvml_describe(lib, g, 2, &n, reason, sizeof reason), JM_M_UNAVAILABLE);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(reason, "nvmlInit_v2 failed: Driver Not Loaded (driver not loaded)");
}

Test(nvml_devices, missing_library_and_symbols)
{
    jm_gpu_desc g[2];
    int n = -1;
    char reason[512] = "";
    cr_assert_eq(
        jm_nvml_describe("/nonexistent/libnvidia-ml.so.1", g, 2, &n, reason, sizeof reason),
        JM_M_UNAVAILABLE);
    cr_assert_eq(n, 0);
    cr_assert(strstr(reason, "/nonexistent/libnvidia-ml.so.1 not found"), "%s", reason);
    cr_assert_eq(jm_nvml_describe("libm.so.6", g, 2, &n, reason, sizeof reason), JM_M_UNAVAILABLE);
    cr_assert_str_eq(reason, "libm.so.6 lacks the NVML symbol nvmlInit_v2");
}

Test(nvml_devices, this_machine)
{
    jm_gpu_desc g[8];
    int n = -1;
    char reason[512] = "";
    const int rc = jm_nvml_describe(NULL, g, 8, &n, reason, sizeof reason);
    cr_assert(rc == JM_M_OK || rc == JM_M_UNAVAILABLE);
    cr_assert(reason[0]);
    if (rc == JM_M_OK)
        for (int i = 0; i < n; ++i)
            cr_assert(g[i].name[0]);
    else
        cr_assert_eq(n, 0);
}
