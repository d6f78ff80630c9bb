/* test_multi.c - several real meters in one sampler at once: powercap RAPL on
 * a fake tree whose counter a helper thread advances (through a wrap), the estimate meter, a
 * replayed trace and the PTDaemon client on the mock analyzer, with the
 * analyzer dropping its connection mid-run: its data is kept and the other
 * meters' data stays intact. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "meters_tmp.h"
#include "mock_ptd.h"

static char err[1024];
static char dir[256];
static atomic_bool stop_writer;

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* 40 W package: energy_uj = 40e6 uJ/s x t, rewritten in place every 2 ms with
 * one fixed-width pwrite (a truncating rewrite could be read half done),
 * wrapping at max_energy_range_uj = 4294967295. */
static void *writer(void *arg)
{
    (void)arg;
    char path[512];
    snprintf(path, sizeof path, "%s/intel-rapl:0/energy_uj", dir);
    int fd = open(path, O_WRONLY);
    uint64_t t0 = jm_now_ns();
    while (fd >= 0 && !atomic_load(&stop_writer)) {
        double t = (double)(jm_now_ns() - t0) * 1e-9;
        uint64_t uj = (uint64_t)(4294000000.0 + 40e6 * t) % UINT64_C(4294967295);
        char text[32];
        int n = snprintf(text, sizeof text, "%012llu\n", (unsigned long long)uj);
        if (pwrite(fd, text, (size_t)n, 0) != n)
            break;
        sleep_ms(2);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void open_spec(const char *text, jm_meter *m)
{
    jm_meter_spec s;
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_open(&s, m, err, sizeof err), JM_M_OK, "%s: %s / %s", text, err,
                 m->reason);
}

Test(multi, four_meters_one_failing_mid_run)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
    jm_mtmp_write(dir, "intel-rapl:0/name", "package-0\n");
    jm_mtmp_write(dir, "intel-rapl:0/energy_uj", "004294000000\n");
    jm_mtmp_write_u64(dir, "intel-rapl:0/max_energy_range_uj", 4294967295u);
    jm_mtmp_write(dir, "wall.csv", "0,100\n1,100\n2,300\n3,300\n4,300\n5,300\n");
    int port;
    jm_mock_ptd_config pc = {.watts = 250.0, .disconnect_after = 16, .first_sample_ms = 20,
                             .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&pc, &port);
    cr_assert_not_null(mock);
    jm_meter m[4];
    char text[600];
    snprintf(text, sizeof text, "rapl:root=%s,interval_ms=20", dir);
    open_spec(text, &m[0]);
    open_spec("estimate:tdp_w=100,idle_w=10,cpus=2", &m[1]);
    snprintf(text, sizeof text, "replay:file=%s/wall.csv,speed=4,interval_ms=25", dir);
    open_spec(text, &m[2]);
    snprintf(text, sizeof text, "ptd:host=127.0.0.1,port=%d,sample_ms=50,interval_ms=50", port);
    open_spec(text, &m[3]);
    pthread_t w;
    atomic_store(&stop_writer, false);
    pthread_create(&w, NULL, writer, NULL);
    jm_sampler *s;
    jm_sampler_config cfg = {.interval_ms = 0};
    cr_assert_eq(jm_sampler_create(m, 4, &cfg, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    uint64_t t0, t1;
    sleep_ms(50);
    jm_sampler_mark(s, "begin:ranging:multi", &t0, err, sizeof err);
    sleep_ms(600);
    jm_sampler_mark(s, "end:ranging:multi", &t1, err, sizeof err);
    jm_sampler_stop(s);
    atomic_store(&stop_writer, true);
    pthread_join(w, NULL);
    double secs = (double)(t1 - t0) * 1e-9;
    jm_energy_window win;
    /* rapl: 40 W written by the helper (2 ms steps; it may be descheduled on a busy box) */
    cr_assert_not(jm_sampler_meter_failed(s, 0, NULL, NULL));
    cr_assert_eq(jm_sampler_energy(s, 0, 0, t0, t1, &win), JM_M_OK);
    cr_assert(fabs(win.energy_j / secs - 40.0) < 6.0, "rapl %g W", win.energy_j / secs);
    cr_assert_geq(win.n_samples, 15);
    /* estimate: between idle and tdp */
    cr_assert_eq(jm_sampler_energy(s, 1, 0, t0, t1, &win), JM_M_OK);
    cr_assert(win.energy_j / secs >= 10.0 - 1e-9 && win.energy_j / secs <= 100.0);
    /* replay: 100 W until trace 1 s, 300 W from trace 2 s, at x4: known average */
    cr_assert_not(jm_sampler_meter_failed(s, 2, NULL, NULL));
    cr_assert_eq(jm_sampler_energy(s, 2, 0, t0, t1, &win), JM_M_OK);
    cr_assert(win.energy_j / secs > 100.0 && win.energy_j / secs < 300.0, "replay %g W",
              win.energy_j / secs);
    /* ptd: dropped mid-run, samples kept */
    const char *msg;
    cr_assert(jm_sampler_meter_failed(s, 3, &msg, NULL));
    cr_assert_not_null(strstr(msg, "connection to the analyzer lost"), "%s", msg);
    cr_assert_geq(jm_sampler_count(s, 3), 3);
    const jm_sampler_point *p = jm_sampler_points(s, 3);
    cr_assert_float_eq(p[jm_sampler_count(s, 3) - 1].power_w[0], 250.0, 1e-9);
    cr_assert_eq(jm_sampler_mark_count(s), 2);
    cr_assert(jm_sampler_cpu_ns(s) > 0);
    jm_sampler_destroy(s);
    for (int i = 0; i < 4; i++)
        jm_meter_close(&m[i]);
    jm_mock_ptd_stop(mock);
    jm_mtmp_remove(dir);
}
