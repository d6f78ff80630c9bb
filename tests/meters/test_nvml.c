/* test_nvml.c - the "nvml" meter: no driver here (the exact reason), a
 * library without NVML symbols, and the energy-counter, power-integration,
 * driver-not-loaded and GPU-lost paths against a fake libnvidia-ml built from
 * tests/fixtures/meters/fake_nvml.c with the system C compiler. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meters.h"
#include "meters_tmp.h"

static char err[1024];
static char dir[256];
static char lib[512];

static int open_nvml(const char *library, jm_meter *m)
{
    char text[600];
    jm_meter_spec s;
    snprintf(text, sizeof text, "nvml:lib=%s", library);
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

Test(nvml, this_machine_without_driver_says_not_found)
{
    void *h = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (h) {
        dlclose(h);
        cr_skip_test("this machine has libnvidia-ml.so.1");
    }
    jm_meter_spec s;
    jm_meter m;
    jm_meter_spec_parse("nvml", &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_eq(strncmp(m.reason, "libnvidia-ml.so.1 not found", 27), 0, "%s", m.reason);
}

Test(nvml, library_without_nvml_symbols)
{
    jm_meter m;
    cr_assert_eq(open_nvml("libm.so.6", &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "lacks the NVML symbol nvmlInit_v2"), "%s", m.reason);
}

static void build_fake(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    snprintf(lib, sizeof lib, "%s/libfake-nvml.so", dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "cc -shared -fPIC -O0 -o %s %s/meters/fake_nvml.c >%s/cc.log 2>&1", lib,
             JM_FIXTURES_DIR, dir);
    if (system(cmd) != 0) {
        jm_mtmp_remove(dir);
        cr_skip_test("no C compiler to build the fake NVML library");
    }
}

static void teardown(void)
{
    unsetenv("FAKE_NVML");
    jm_mtmp_remove(dir);
}

Test(nvml, energy_counters_of_two_gpus, .fini = teardown)
{
    build_fake();
    setenv("FAKE_NVML", "energy", 1);
    jm_meter m;
    cr_assert_eq(open_nvml(lib, &m), JM_M_OK, "%s / %s", err, m.reason);
    cr_assert_eq(m.info.n_domains, 2);
    cr_assert_str_eq(m.info.domains[0], "gpu0");
    cr_assert_str_eq(m.info.domains[1], "gpu1");
    cr_assert_not_null(strstr(m.info.source, "gpu0=Fake GPU A (energy counter)"), "%s",
                       m.info.source);
    cr_assert_float_eq(m.info.resolution_j, 1e-3, 1e-15);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    cr_assert_float_eq(s.value[0], 1.0, 1e-12); /* +1000 mJ since open */
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    cr_assert_float_eq(s.value[1], 2.0, 1e-12);
    jm_meter_close(&m);
}

Test(nvml, power_integrated_when_no_counter, .fini = teardown)
{
    build_fake();
    setenv("FAKE_NVML", "power", 1);
    jm_meter m;
    uint64_t t0 = jm_now_ns(); /* the first power reading is taken at open */
    cr_assert_eq(open_nvml(lib, &m), JM_M_OK, "%s / %s", err, m.reason);
    cr_assert_not_null(strstr(m.info.source, "(power integrated)"), "%s", m.info.source);
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK);
    double dt = (double)(s.t_ns - t0) * 1e-9;
    cr_assert(s.value[0] > 250.0 * 0.09 && s.value[0] <= 250.0 * dt + 1e-9, "%g J in %g s",
              s.value[0], dt);
    jm_meter_close(&m);
}

Test(nvml, driver_not_loaded_and_gpu_lost, .fini = teardown)
{
    build_fake();
    setenv("FAKE_NVML", "nodriver", 1);
    jm_meter m;
    cr_assert_eq(open_nvml(lib, &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "Driver Not Loaded (9): the NVIDIA kernel driver"), "%s",
                       m.reason);
    setenv("FAKE_NVML", "lost", 1);
    cr_assert_eq(open_nvml(lib, &m), JM_M_OK, "%s", m.reason);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK); /* calls 3, 4 */
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_EIO);
    cr_assert_not_null(strstr(err, "GPU is lost (15): GPU lost"), "%s", err);
    jm_meter_close(&m);
}
