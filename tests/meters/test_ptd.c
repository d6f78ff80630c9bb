/* test_ptd.c - the PTDaemon client ("ptd" meter) against the PTDaemon
 * emulator (tests/support/mock_ptd.c: the real protocol and latencies): the
 * ranging + testing sequence with fixed ranges from each workload's ranging
 * maxima, windows that open after Go's first sample and last their configured
 * duration, no fixed range = a failed run with the reason, spl.txt and ptd
 * log from real samples, and each misbehaviour: garbage lines, slow replies,
 * a connection dropped mid-run, error replies, no server. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "meters_tmp.h"
#include "mock_ptd.h"

static char err[1024];
static char dir[256];

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int open_ptd(int port, const char *extra, jm_meter *m)
{
    char text[512];
    jm_meter_spec s;
    snprintf(text, sizeof text,
             "ptd:host=127.0.0.1,port=%d,sample_ms=50,interval_ms=50,settle_ms=20%s%s",
             port, extra ? "," : "", extra ? extra : "");
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_OK, "%s", err);
    return jm_meter_open(&s, m, err, sizeof err);
}

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    jm_mtmp_remove(dir);
}

static long count_lines(const char *path, const char *prefix)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    long n = 0;
    while (fgets(line, sizeof line, f))
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return n;
}

/* Runs ranging then testing through the sampler; returns the sampler (stopped). */
static jm_sampler *run_phases(jm_meter *m, uint64_t *t0, uint64_t *t1)
{
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(m, 1, NULL, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    jm_sampler_mark(s, "begin:ranging:w", NULL, err, sizeof err);
    sleep_ms(300);
    jm_sampler_mark(s, "end:ranging:w", NULL, err, sizeof err);
    jm_sampler_mark(s, "begin:testing:w:run1", t0, err, sizeof err);
    sleep_ms(500);
    jm_sampler_mark(s, "end:testing:w:run1", t1, err, sizeof err);
    jm_sampler_stop(s);
    return s;
}

Test(ptd, ranging_then_testing_with_ranges_from_ranging_max, .init = setup, .fini = teardown)
{
    int port;
    jm_mock_ptd_config cfg = {.watts = 150.0, .volts = 230.0, .range_change_ms = -1,
                              .first_sample_ms = 20, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    cr_assert_not_null(mock);
    jm_meter m;
    cr_assert_eq(open_ptd(port, "device=WT330", &m), JM_M_OK, "%s / %s", err, m.reason);
    cr_assert_eq(m.info.quantity, JM_METER_POWER);
    cr_assert_str_eq(m.info.domains[0], "wall");
    cr_assert_not_null(strstr(m.info.source, "YokogawaWT330E"), "%s", m.info.source);
    uint64_t t0, t1;
    jm_sampler *s = run_phases(&m, &t0, &t1);
    cr_assert_not(jm_sampler_meter_failed(s, 0, NULL, NULL));
    jm_energy_window w;
    cr_assert_eq(jm_sampler_energy(s, 0, 0, t0, t1, &w), JM_M_OK);
    double want = 150.0 * (double)(t1 - t0) * 1e-9;
    cr_assert(fabs(w.energy_j - want) < 1e-6 * want, "%g J vs %g J", w.energy_j, want);
    cr_assert_geq(w.n_samples, 5);
    char cmds[4096];
    jm_mock_ptd_commands(mock, cmds, sizeof cmds);
    /* RR said both autoranges are on: ranging needs no SR */
    cr_assert_eq(strncmp(cmds, "Hello|Identify|RR|Watts|Go,50,0,joulemark_ranging|", 50), 0,
                 "%s", cmds);
    /* testing: the ranging maxima (230 V, 150/230 A), then RR shows the ranges fixed */
    const char *test_cmds =
        strstr(cmds, "|SR,V,230.000000|SR,A,0.652174|RR|Go,50,0,joulemark_testing|");
    cr_assert_not_null(test_cmds, "%s", cmds);
    cr_assert_eq(jm_mock_ptd_auto_testing(mock), 0);
    const char *stop = strstr(cmds, "|Stop|");
    cr_assert(stop && stop < test_cmds, "ranging is stopped before testing: %s", cmds);
    cr_assert_not_null(strstr(cmds, "|RL|"), "%s", cmds);
    cr_assert_eq(m.ops->export_logs(m.state, dir, err, sizeof err), JM_M_OK, "%s", err);
    char path[512];
    snprintf(path, sizeof path, "%s/spl.txt", dir);
    long testing = count_lines(path, "Time,");
    snprintf(path, sizeof path, "%s/ranging_spl.txt", dir);
    long ranging = count_lines(path, "Time,");
    cr_assert(testing >= 6 && ranging >= 3, "testing %ld, ranging %ld", testing, ranging);
    cr_assert_eq(testing + ranging, jm_mock_ptd_samples_sent(mock));
    snprintf(path, sizeof path, "%s/spl.txt", dir);
    cr_assert_eq(count_lines(path, ""), testing); /* nothing but sample lines */
    jm_replay_trace *t;
    cr_assert_eq(jm_replay_load(path, &t, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_float_eq(jm_replay_values(t, 0)[0], 150.0, 1e-9);
    jm_replay_free(t);
    snprintf(path, sizeof path, "%s/ptd_log.txt", dir);
    cr_assert_geq(count_lines(path, ""), 10);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

Test(ptd, garbage_sample_lines_are_skipped, .init = setup, .fini = teardown)
{
    int port;
    jm_mock_ptd_config cfg = {.watts = 80.0, .garbage_every = 2, .range_change_ms = -1,
                              .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s / %s", err, m.reason);
    uint64_t t0, t1;
    jm_sampler *s = run_phases(&m, &t0, &t1);
    cr_assert_not(jm_sampler_meter_failed(s, 0, NULL, NULL));
    cr_assert_eq(m.ops->export_logs(m.state, dir, err, sizeof err), JM_M_OK, "%s", err);
    char path[512];
    snprintf(path, sizeof path, "%s/spl.txt", dir);
    long good = count_lines(path, "Time,");
    cr_assert_gt(good, 0);
    cr_assert_eq(count_lines(path, "Tyme"), 0);
    snprintf(path, sizeof path, "%s/ranging_spl.txt", dir);
    cr_assert_eq(good + count_lines(path, "Time,"), jm_mock_ptd_samples_sent(mock));
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

Test(ptd, garbage_hello_is_not_a_ptdaemon)
{
    int port;
    jm_mock_ptd_config cfg = {.garbage_hello = true, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "Hello answered '#$%@ line noise': not a PTDaemon"), "%s",
                       m.reason);
    jm_mock_ptd_stop(mock);
}

Test(ptd, wrong_device_is_unavailable)
{
    int port;
    jm_mock_ptd_config cfg = {.slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, "device=WT5000", &m), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "not device 'WT5000'"), "%s", m.reason);
    jm_mock_ptd_stop(mock);
}

Test(ptd, slow_reply_times_out_at_open)
{
    int port;
    jm_mock_ptd_config cfg = {.slow_after = 0, .slow_ms = 400};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    uint64_t t = jm_now_ns();
    cr_assert_eq(open_ptd(port, "reply_timeout_ms=100", &m), JM_M_UNAVAILABLE);
    cr_assert_lt(jm_now_ns() - t, 350000000u);
    cr_assert_not_null(strstr(m.reason, "no reply within 100 ms"), "%s", m.reason);
    jm_mock_ptd_stop(mock);
}

Test(ptd, slow_reply_mid_run_fails_the_read)
{
    int port;
    jm_mock_ptd_config cfg = {.slow_after = 3, .slow_ms = 400}; /* Hello, Identify, RR on time */
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, "reply_timeout_ms=100", &m), JM_M_OK, "%s", m.reason);
    jm_meter_sample smp;
    cr_assert_eq(jm_meter_read(&m, &smp, err, sizeof err), JM_M_EIO);
    cr_assert_not_null(strstr(err, "no reply within 100 ms"), "%s", err);
    cr_assert_eq(jm_meter_read(&m, &smp, err, sizeof err), JM_M_EIO); /* stays failed */
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

Test(ptd, disconnect_mid_run_keeps_samples, .init = setup, .fini = teardown)
{
    int port;
    /* Hello Identify RR Go, then RLs: the 16th command is never answered */
    jm_mock_ptd_config cfg = {.watts = 100.0, .disconnect_after = 16, .first_sample_ms = 20,
                              .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s", m.reason);
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_OK);
    jm_sampler_mark(s, "begin:ranging:w", NULL, err, sizeof err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    sleep_ms(800);
    jm_sampler_stop(s);
    const char *msg;
    cr_assert(jm_sampler_meter_failed(s, 0, &msg, NULL));
    cr_assert_not_null(strstr(msg, "connection to the analyzer lost"), "%s", msg);
    size_t n = jm_sampler_count(s, 0);
    cr_assert(n >= 5 && n <= 12, "%zu samples kept", n);
    cr_assert_eq(m.ops->export_logs(m.state, dir, err, sizeof err), JM_M_OK, "%s", err);
    char path[512];
    snprintf(path, sizeof path, "%s/ranging_spl.txt", dir);
    cr_assert_eq(count_lines(path, "Time,"), jm_mock_ptd_samples_sent(mock));
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

Test(ptd, error_reply_to_go_fails_the_meter)
{
    int port;
    jm_mock_ptd_config cfg = {.error_on = "Go", .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s", m.reason);
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_OK);
    jm_sampler_mark(s, "begin:ranging:w", NULL, err, sizeof err);
    const char *msg;
    cr_assert(jm_sampler_meter_failed(s, 0, &msg, NULL));
    cr_assert_not_null(strstr(msg, "'Go,50,0,joulemark_ranging' answered 'Error: mock refuses"),
                       "%s", msg);
    cr_assert_eq(jm_sampler_count(s, 0), 0); /* failed before the mark's sample */
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

/* RR refused: the settings in use are unknown, so ranging sets Auto itself, and
 * testing still sets the fixed ranges (the SR replies acknowledge them). */
Test(ptd, refused_rr_still_fixes_the_testing_ranges)
{
    int port;
    jm_mock_ptd_config cfg = {.error_on = "RR", .range_change_ms = -1, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s", m.reason);
    uint64_t t0, t1;
    jm_sampler *s = run_phases(&m, &t0, &t1);
    cr_assert_not(jm_sampler_meter_failed(s, 0, NULL, NULL));
    char cmds[4096];
    jm_mock_ptd_commands(mock, cmds, sizeof cmds);
    cr_assert_not_null(strstr(cmds, "|SR,V,Auto|SR,A,Auto|Go,50,0,joulemark_ranging"), "%s", cmds);
    cr_assert_not_null(strstr(cmds, "|SR,V,230.000000|SR,A,0.652174|Go,50,0,joulemark_testing"),
                       "%s", cmds);
    cr_assert_eq(jm_mock_ptd_auto_testing(mock), 0);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

Test(ptd, no_server_or_no_host_is_unavailable)
{
    int port;
    jm_mock_ptd_config cfg = {.slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_mock_ptd_stop(mock); /* the port is now closed */
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_UNAVAILABLE);
    char want[128];
    snprintf(want, sizeof want, "cannot connect to PTDaemon at 127.0.0.1:%d", port);
    cr_assert_not_null(strstr(m.reason, want), "%s", m.reason);
    jm_meter_spec s;
    jm_meter_spec_parse("ptd", &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "no analyzer configured"), "%s", m.reason);
    jm_meter_spec_parse("ptd:host=127.0.0.1,port=99999", &s, err, sizeof err);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "port='99999'"), "%s", err);
}

/* A listener that never accepts, its queue filled by other clients: a new
 * connection is not completed, so the client's connect timeout must act. */
Test(ptd, connect_timeout_is_bounded)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(lfd, 0), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
    int fillers[4];
    for (int i = 0; i < 4; i++) {
        fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fillers[i], (struct sockaddr *)&a, sizeof a);
    }
    char text[256];
    snprintf(text, sizeof text,
             "ptd:host=127.0.0.1,port=%d,connect_timeout_ms=200,reply_timeout_ms=200",
             ntohs(a.sin_port));
    jm_meter_spec s;
    jm_meter m;
    jm_meter_spec_parse(text, &s, err, sizeof err);
    uint64_t t = jm_now_ns();
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_lt(jm_now_ns() - t, 1500000000u);
    /* the kernel may complete the handshake anyway; then the reply timeout acts */
    cr_assert(strstr(m.reason, "timed out") || strstr(m.reason, "no reply within 200 ms"), "%s",
              m.reason);
    for (int i = 0; i < 4; i++)
        close(fillers[i]);
    close(lfd);
}

/* One testing window of `workload` at `watts`: it opens after the analyzer's
 * first sample after Go, lasts the time the work takes (not the range change
 * or settle wait before it) and reads the analyzer's power. */
static void testing_window(jm_sampler *s, jm_mock_ptd *mock, const char *label, double watts,
                           unsigned work_ms)
{
    char begin[64], end[64];
    snprintf(begin, sizeof begin, "begin:testing:%s", label);
    snprintf(end, sizeof end, "end:testing:%s", label);
    jm_mock_ptd_set_watts(mock, watts);
    uint64_t t0, t1, go, first;
    cr_assert_eq(jm_sampler_mark(s, begin, &t0, err, sizeof err), JM_M_OK);
    const char *msg = NULL;
    cr_assert_not(jm_sampler_meter_failed(s, 0, &msg, NULL), "%s: %s", label, msg);
    jm_mock_ptd_last_go(mock, &go, &first);
    cr_assert_geq(t0, first, "%s: the window opened %.3f s before the first sample after Go",
                  label, (double)(first - t0) * 1e-9);
    uint64_t work_start = jm_now_ns();
    sleep_ms(work_ms);
    uint64_t work_end = jm_now_ns();
    cr_assert_eq(jm_sampler_mark(s, end, &t1, err, sizeof err), JM_M_OK);
    double dur = (double)(t1 - t0) * 1e-9, work = (double)(work_end - work_start) * 1e-9;
    /* the window is the work (timed here, whatever the sleep overshoot on a busy box),
     * not the range change before it */
    cr_assert(t0 <= work_start && t1 >= work_end && dur - work < 0.05,
              "%s: window %.3f s for %.3f s of work", label, dur, work);
    jm_energy_window w;
    cr_assert_eq(jm_sampler_energy(s, 0, 0, t0, t1, &w), JM_M_OK);
    cr_assert(w.covered);
    cr_assert_geq(w.n_samples, 1, "%s: no analyzer sample inside the window", label);
    cr_assert_float_eq(w.energy_j / dur, watts, 0.02 * watts, "%s: %.2f W", label,
                       w.energy_j / dur);
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The emulator's real latencies: 1 Hz samples, the first 0.31 s after Go, 1.5 s
 * per range change. Two workloads (180 W and 90 W at 230 V) ranged once each,
 * then interleaved testing runs: each applies its own workload's fixed ranges
 * (a changed range costs 1.5 s plus the settle time, outside the window). */
Test(ptd, real_latencies_fixed_ranges_per_workload_windows_of_configured_length,
     .init = setup, .fini = teardown, .timeout = 90)
{
    int port;
    jm_mock_ptd_config cfg = {.watts = 180.0, .volts = 230.0, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    cr_assert_not_null(mock);
    char text[256];
    snprintf(text, sizeof text, "ptd:host=127.0.0.1,port=%d,sample_ms=1000,settle_ms=200", port);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(text, &spec, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s / %s", err, m.reason);
    jm_sampler *s;
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_sampler_start(s, err, sizeof err), JM_M_OK);
    static const char *const names[] = {"big", "small"};
    static const double watts[] = {180.0, 90.0};
    for (int i = 0; i < 2; i++) {
        char label[64];
        jm_mock_ptd_set_watts(mock, watts[i]);
        snprintf(label, sizeof label, "begin:ranging:%s", names[i]);
        jm_sampler_mark(s, label, NULL, err, sizeof err);
        sleep_ms(1300); /* the first sample came with Go; one more at 1 Hz */
        snprintf(label, sizeof label, "end:ranging:%s", names[i]);
        jm_sampler_mark(s, label, NULL, err, sizeof err);
    }
    testing_window(s, mock, "big:run1", 180.0, 2000);
    testing_window(s, mock, "small:run1", 90.0, 2000);
    testing_window(s, mock, "big:run2", 180.0, 2000);
    jm_sampler_stop(s);
    char cmds[8192];
    jm_mock_ptd_commands(mock, cmds, sizeof cmds);
    cr_assert_eq(jm_mock_ptd_auto_testing(mock), 0, "testing measured on auto range: %s", cmds);
    cr_assert_eq(count_of(cmds, "SR,V,Auto"), 0, "RR said auto already: %s", cmds);
    /* big: its maxima (230 V, 180/230 A); small: only the current range changes; big again */
    const char *a = strstr(cmds, "|SR,V,230.000000|SR,A,0.782609|RR|Go,1000,0,joulemark_testing|");
    cr_assert_not_null(a, "%s", cmds);
    const char *b = strstr(a + 1, "|Stop|SR,A,0.391304|RR|Go,1000,0,joulemark_testing|");
    cr_assert_not_null(b, "%s", cmds);
    cr_assert_not_null(strstr(b + 1, "|Stop|SR,A,0.782609|RR|Go,1000,0,joulemark_testing|"), "%s",
                       cmds);
    cr_assert_eq(count_of(cmds, "SR,"), 4, "%s", cmds);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}

/* No fixed range can be set: the run's meter fails with the reason, and the
 * analyzer never measures a testing run on auto range. */
Test(ptd, no_fixed_range_fails_the_run_with_the_reason)
{
    int port;
    /* 700 V: above the analyzer's largest voltage range (600 V) */
    jm_mock_ptd_config cfg = {.watts = 200.0, .volts = 700.0, .range_change_ms = -1,
                              .first_sample_ms = 20, .slow_after = -1};
    jm_mock_ptd *mock = jm_mock_ptd_start(&cfg, &port);
    jm_meter m;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s", m.reason);
    uint64_t t0, t1;
    jm_sampler *s = run_phases(&m, &t0, &t1);
    const char *msg;
    cr_assert(jm_sampler_meter_failed(s, 0, &msg, NULL));
    cr_assert_not_null(strstr(msg, "no fixed range can be set for the testing runs of 'w'"), "%s",
                       msg);
    cr_assert_not_null(strstr(msg, "'SR,V,700.000000' answered 'Error"), "%s", msg);
    cr_assert_eq(jm_mock_ptd_auto_testing(mock), 0);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    /* a workload that was never ranged */
    cfg.volts = 230.0;
    cr_assert_eq(open_ptd(port, NULL, &m), JM_M_OK, "%s", m.reason);
    cr_assert_eq(jm_sampler_create(&m, 1, NULL, &s, err, sizeof err), JM_M_OK);
    jm_sampler_mark(s, "begin:testing:unranged:run1", NULL, err, sizeof err);
    cr_assert(jm_sampler_meter_failed(s, 0, &msg, NULL));
    cr_assert_not_null(strstr(msg, "'unranged': it was not ranged"), "%s", msg);
    cr_assert_eq(jm_mock_ptd_auto_testing(mock), 0);
    jm_sampler_destroy(s);
    jm_meter_close(&m);
    jm_mock_ptd_stop(mock);
}
