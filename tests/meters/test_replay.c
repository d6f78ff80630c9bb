/* test_replay.c - recorded traces: the official MLPerf power figure of a real
 * submission (spl.txt between power_begin and power_end), our trace.csv
 * layout, timestamp,watts CSV, malformed files, and the replay meter on the
 * monotonic clock. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meters.h"
#include "meters_tmp.h"

static char err[1024];
static char dir[256];

#define ORIN JM_SHARED_DATA_DIR "/mlperf-power/Orin_TRT_MaxQ/resnet50"

/* power_begin / power_end from a LoadGen detail log (test-side parser). */
static void power_window(const char *detail, uint64_t *t0, uint64_t *t1)
{
    FILE *f = fopen(detail, "r");
    cr_assert_not_null(f, "%s", detail);
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        const char *keys[2] = {"\"key\": \"power_begin\"", "\"key\": \"power_end\""};
        for (int k = 0; k < 2; k++) {
            if (!strstr(line, keys[k]))
                continue;
            const char *v = strstr(line, "\"value\": \"");
            cr_assert_not_null(v);
            cr_assert_eq(jm_ptd_time_parse(v + 10, k == 0 ? t0 : t1), 0, "%s", v);
            found |= 1 << k;
        }
    }
    fclose(f);
    cr_assert_eq(found, 3);
}

static void check_official(const char *scenario, double want_w)
{
    char spl[512], detail[512];
    snprintf(spl, sizeof spl, ORIN "/%s/performance/run_1/spl.txt", scenario);
    snprintf(detail, sizeof detail, ORIN "/%s/performance/run_1/mlperf_log_detail.txt", scenario);
    uint64_t t0, t1;
    power_window(detail, &t0, &t1);
    jm_replay_trace *t;
    cr_assert_eq(jm_replay_load(spl, &t, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(jm_replay_domains(t), 1);
    cr_assert_str_eq(jm_replay_domain_name(t, 0), "wall");
    cr_assert(jm_replay_is_power(t));
    double mean;
    size_t n;
    cr_assert_eq(jm_replay_mean_power(t, 0, t0, t1, &mean, &n), JM_M_OK);
    cr_assert_float_eq(mean, want_w, 5e-7, "%s: %.7f W over %zu samples", scenario, mean, n);
    if (strcmp(scenario, "Offline") == 0)
        cr_assert_eq(n, 667);
    double e;
    cr_assert_eq(jm_replay_energy(t, 0, t0, t1, &e), JM_M_OK);
    double dur = (double)(t1 - t0) * 1e-9;
    cr_assert(fabs(e / dur - mean) < 0.01 * mean, "trapezoid %g W vs mean %g W", e / dur, mean);
    jm_replay_free(t);
}

Test(replay, official_mlperf_offline_average_power)
{
    check_official("Offline", 22.659355);
}

Test(replay, official_mlperf_singlestream_average_power)
{
    check_official("SingleStream", 14.814617);
}

Test(replay, ptd_time_parse)
{
    uint64_t ns;
    cr_assert_eq(jm_ptd_time_parse("02-18-2023 17:06:02.246", &ns), 0);
    cr_assert_eq(ns, UINT64_C(1676739962246000000));
    cr_assert_eq(jm_ptd_time_parse("01-01-1970 00:00:01", &ns), 0);
    cr_assert_eq(ns, UINT64_C(1000000000));
    cr_assert_neq(jm_ptd_time_parse("2023-02-18 17:06:02", &ns), 0);
    cr_assert_neq(jm_ptd_time_parse("13-18-2023 17:06:02.1", &ns), 0);
}

static void setup(void)
{
    cr_assert_eq(jm_mtmp_dir(dir, sizeof dir), 0);
}

static void teardown(void)
{
    jm_mtmp_remove(dir);
}

static int load_text(const char *text, jm_replay_trace **t)
{
    char path[512];
    cr_assert_eq(jm_mtmp_write(dir, "t.csv", text), 0);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    return jm_replay_load(path, t, err, sizeof err);
}

Test(replay, wide_csv_with_empty_cells, .init = setup, .fini = teardown)
{
    jm_replay_trace *t;
    cr_assert_eq(load_text("t_s,rapl:package-0_w,ptd:wall_w,mark\n"
                           "0.0,10,,\n0.5,,100,begin\n1.0,20,,\n1.5,,120,\n2.0,30,,end\n",
                           &t),
                 JM_M_OK, "%s", err);
    cr_assert_eq(jm_replay_domains(t), 2);
    cr_assert_str_eq(jm_replay_domain_name(t, 0), "rapl:package-0");
    cr_assert_str_eq(jm_replay_domain_name(t, 1), "ptd:wall");
    cr_assert_eq(jm_replay_count(t, 0), 3);
    cr_assert_eq(jm_replay_count(t, 1), 2);
    cr_assert_float_eq(jm_replay_value_at(t, 0, 500000000u), 15.0, 1e-12);
    double e;
    cr_assert_eq(jm_replay_energy(t, 0, 0, 2000000000u, &e), JM_M_OK);
    cr_assert_float_eq(e, 0.5 * (10 + 20) + 0.5 * (20 + 30), 1e-9);
    cr_assert_eq(jm_replay_energy(t, 0, 250000000u, 750000000u, &e), JM_M_OK);
    cr_assert_float_eq(e, 0.5 * 15.0, 1e-9); /* 12.5 .. 17.5 W over 0.5 s */
    jm_replay_free(t);
}

/* joulemark's trace.csv as reports/ writes it (docs/results.md): long format. */
Test(replay, joulemark_trace_csv_long_format, .init = setup, .fini = teardown)
{
    jm_replay_trace *t;
    cr_assert_eq(load_text("t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n"
                           "0.000000000,1000000000,rapl,package-0,measured,0,,idle,begin:idle\n"
                           "0.000000000,1000000000,rapl,dram-0,measured,0,,idle,begin:idle\n"
                           "0.500000000,1500000000,rapl,package-0,measured,20,40,idle,begin:idle\n"
                           "0.500000000,1500000000,rapl,dram-0,measured,2.5,5,idle,begin:idle\n"
                           "0.700000000,1700000000,estimate,cpu,estimated,0,,testing,"
                           "\"begin:testing:moe, top-1:run1\"\n"
                           "1.000000000,2000000000,rapl,package-0,measured,50,60,testing,x\n"
                           "1.200000000,2200000000,estimate,cpu,estimated,3,6,testing,x\n",
                           &t),
                 JM_M_OK, "%s", err);
    cr_assert_eq(jm_replay_domains(t), 3);
    cr_assert_str_eq(jm_replay_domain_name(t, 0), "rapl:package-0");
    cr_assert_str_eq(jm_replay_domain_name(t, 1), "rapl:dram-0");
    cr_assert_str_eq(jm_replay_domain_name(t, 2), "estimate:cpu");
    cr_assert_not(jm_replay_is_power(t));
    /* one estimated series beside measured ones: the trace is not an estimate */
    cr_assert_not(jm_replay_is_estimated(t));
    cr_assert_not(jm_replay_domain_estimated(t, 0));
    cr_assert(jm_replay_domain_estimated(t, 2));
    cr_assert_eq(jm_replay_count(t, 0), 3);
    cr_assert_eq(jm_replay_count(t, 1), 2);
    double e;
    cr_assert_eq(jm_replay_energy(t, 0, 1250000000u, 1750000000u, &e), JM_M_OK);
    cr_assert_float_eq(e, 25.0, 1e-9); /* E(1.75 s) = 20 + 0.5 x 30 = 35, E(1.25 s) = 10 */
    jm_replay_free(t);
    char path[512], spec_text[600];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    snprintf(spec_text, sizeof spec_text, "replay:file=%s", path);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(spec_text, &spec, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s", err);
    /* measured: the estimate series is a side reading, not the meter's kind */
    cr_assert_eq(m.info.kind, JM_METER_MEASURED);
    cr_assert_eq(m.info.quantity, JM_METER_ENERGY);
    cr_assert_eq(m.info.roles[0].type, JM_DOMAIN_PACKAGE);
    cr_assert_eq(m.info.roles[1].type, JM_DOMAIN_DRAM);
    cr_assert(m.info.roles[2].estimated);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&m.info, &c), 2);
    cr_assert(c.summed[0] && c.summed[1] && !c.summed[2], "%s", c.why[2]);
    jm_meter_close(&m);
}

/* A trace.csv recorded from the estimate alone replays as an estimate. */
Test(replay, estimate_only_trace_stays_estimated, .init = setup, .fini = teardown)
{
    cr_assert_eq(jm_mtmp_write(dir, "e.csv",
                               "t_s,t_ns,meter,domain,kind,energy_j,power_w,phase,label\n"
                               "0.0,1000000000,estimate,cpu,estimated,0,,idle,\n"
                               "1.0,2000000000,estimate,cpu,estimated,6,6,idle,\n"),
                 0);
    char spec_text[600];
    snprintf(spec_text, sizeof spec_text, "replay:file=%s/e.csv", dir);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(spec_text, &spec, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(m.info.kind, JM_METER_ESTIMATED);
    jm_domain_choice c;
    cr_assert_eq(jm_meter_energy_domains(&m.info, &c), 1, "%s", c.why[0]);
    jm_meter_close(&m);
}

Test(replay, energy_columns_and_headerless, .init = setup, .fini = teardown)
{
    jm_replay_trace *t;
    cr_assert_eq(load_text("t_ns,pkg_energy_j\n1000000000,5\n2000000000,7.5\n", &t), JM_M_OK,
                 "%s", err);
    cr_assert_not(jm_replay_is_power(t));
    cr_assert_str_eq(jm_replay_domain_name(t, 0), "pkg");
    double e, mean;
    size_t n;
    cr_assert_eq(jm_replay_energy(t, 0, 1000000000u, 1500000000u, &e), JM_M_OK);
    cr_assert_float_eq(e, 1.25, 1e-12);
    cr_assert_eq(jm_replay_mean_power(t, 0, 0, 3000000000u, &mean, &n), JM_M_ESTATE);
    jm_replay_free(t);
    cr_assert_eq(load_text("100.0,50\n101.0,60\n102.0,-1\n", &t), JM_M_OK, "%s", err);
    cr_assert_str_eq(jm_replay_domain_name(t, 0), "wall");
    cr_assert_eq(jm_replay_mean_power(t, 0, 0, 200000000000u, &mean, &n), JM_M_OK);
    cr_assert_eq(n, 2); /* the non-positive sample is dropped */
    cr_assert_float_eq(mean, 55.0, 1e-12);
    jm_replay_free(t);
}

Test(replay, malformed_files_name_line_and_field, .init = setup, .fini = teardown)
{
    jm_replay_trace *t;
    cr_assert_eq(load_text("when,power\n1,2\n", &t), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "needs a time column"), "%s", err);
    cr_assert_eq(load_text("t_s,x_w\n0,1\n1,abc\n", &t), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "line 3: column 2 value 'abc'"), "%s", err);
    cr_assert_eq(load_text("t_s,x_w\n1,1\n1,2\n", &t), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "line 3: time does not increase"), "%s", err);
    cr_assert_eq(load_text("t_s,x_w\n1,1\n", &t), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "has 1 samples, need >= 2"), "%s", err);
    cr_assert_eq(load_text("Time,02-18-2023 17:05:24.090,Watts,6.35\nTime,bad,Watts,1\n", &t),
                 JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "line 2: time stamp \"bad\" is not MM-DD-YYYY"), "%s", err);
    cr_assert_eq(jm_replay_load("/nonexistent/t.csv", &t, err, sizeof err), JM_M_UNAVAILABLE);
}

/* issue 12 class 3: the spl.txt replay silently dropped samples whose time did
 * not increase (one mistyped year discarded the rest of the file) and accepted
 * 1e18 W and junk after the time stamp; each is refused with file and line.
 * Non-positive Watts (analyzer -1 markers) are dropped by MLPerf's rule, and
 * counted. Class 1: a year outside int64 ns is refused, not overflowed. */
Test(replay, spl_lines_are_refused_not_dropped, .init = setup, .fini = teardown)
{
    jm_replay_trace *t;
    const struct {
        const char *text, *needle;
    } bad[] = {
        {"Time,02-18-2023 17:05:24.090,Watts,6.35\nTime,02-18-2021 17:05:25.090,Watts,6.1\n"
         "Time,02-18-2023 17:05:26.090,Watts,6.2\n",
         "t.csv line 2: time 02-18-2021 17:05:25.090 does not increase"},
        {"Time,02-18-2023 17:05:24.090,Watts,6.35\nTime,02-18-2023 17:05:25.090,Watts,1e18\n",
         "t.csv line 2: Watts: 1e+18 is outside"},
        {"Time,02-18-2023 17:05:24.090,Watts,6.35\nTime,02-18-2023 17:05:25.090xyz,Watts,6\n",
         "t.csv line 2: time stamp \"02-18-2023 17:05:25.090xyz\" has text after the time"},
        {"Time,02-18-2023 17:05:24.090,Watts,6.35\nTime,02-18-2023 17:05:25.090,Watts,6 W\n",
         "t.csv line 2: Watts: \"6 W\" is not a decimal number"},
        {"Time,02-18-2300 17:05:24.090,Watts,6.35\n", "t.csv line 1: time stamp"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(load_text(bad[i].text, &t), JM_M_EOPTION, "accepted: %s", bad[i].text);
        cr_expect_not_null(strstr(err, bad[i].needle), "%s", err);
    }
    cr_expect_not_null(strstr(err, "year 2300"), "%s", err);
    cr_assert_eq(load_text("Time,02-18-2023 17:05:24.090,Watts,6.35\n"
                           "Time,02-18-2023 17:05:25.090,Watts,-1.000000\n"
                           "Time,02-18-2023 17:05:26.090,Watts,0\n"
                           "Time,02-18-2023 17:05:27.090,Watts,6.5\n",
                           &t),
                 JM_M_OK, "%s", err);
    cr_expect_eq(jm_replay_count(t, 0), 2);
    cr_expect_eq(jm_replay_nonpositive(t, 0), 2);
    jm_replay_free(t);
}

Test(replay, meter_plays_on_the_monotonic_clock, .init = setup, .fini = teardown)
{
    char text[4096] = "t_s,wall_w\n", path[512], spec_text[600];
    for (int i = 0; i <= 100; i++) {
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l, "%d,%d\n", i, 10 * i);
    }
    cr_assert_eq(jm_mtmp_write(dir, "ramp.csv", text), 0);
    snprintf(path, sizeof path, "%s/ramp.csv", dir);
    snprintf(spec_text, sizeof spec_text, "replay:file=%s,speed=200,start_s=10", path);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(spec_text, &spec, err, sizeof err), JM_M_OK, "%s", err);
    uint64_t t_open = jm_now_ns();
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(m.info.quantity, JM_METER_POWER);
    cr_assert_eq(m.info.kind, JM_METER_MEASURED);
    cr_assert_str_eq(m.info.domains[0], "wall");
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    jm_meter_sample s;
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_OK, "%s", err);
    double trace_s = 10.0 + (double)(s.t_ns - t_open) * 1e-9 * 200.0;
    /* at most the open call's own duration off (x200): a few watts */
    cr_assert(fabs(s.value[0] - 10.0 * trace_s) < 20.0, "%g W at trace %g s", s.value[0],
              trace_s);
    ts.tv_nsec = 400000000; /* 10 + 0.5 s x 200 = 110 s > 100 s: the trace is over */
    nanosleep(&ts, NULL);
    cr_assert_eq(jm_meter_read(&m, &s, err, sizeof err), JM_M_EIO);
    cr_assert_not_null(strstr(err, "ended after 0.450 s"), "%s", err);
    jm_meter_close(&m);
    cr_assert_eq(jm_meter_spec_parse("replay", &spec, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_not_null(strstr(m.reason, "replay:file=PATH"), "%s", m.reason);
}

/* issue 12 class 1: a trace sampled every 3e9 ms, slowed down, made the update
 * period an out-of-range double-to-unsigned cast (undefined); it is refused. */
Test(replay, sample_period_beyond_unsigned_ms_is_refused, .init = setup, .fini = teardown)
{
    char path[512], spec_text[600];
    cr_assert_eq(jm_mtmp_write(dir, "slow.csv", "t_s,wall_w\n0,10\n3000000,11\n6000000,12\n"), 0);
    snprintf(path, sizeof path, "%s/slow.csv", dir);
    /* x0.001 speed: 3e12 ms of wall clock between samples */
    snprintf(spec_text, sizeof spec_text, "replay:file=%s,speed=0.001", path);
    jm_meter_spec spec;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse(spec_text, &spec, err, sizeof err), JM_M_OK, "%s", err);
    cr_expect_neq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK);
    cr_expect_not_null(strstr(err, "a sample every 3000000000 ms at x0.001 speed"), "%s", err);
    cr_expect_not_null(strstr(err, "slow.csv"), "%s", err);
}
