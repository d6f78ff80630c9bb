/* mock_ptd.h - a SPEC PTDaemon emulator for tests: a loopback TCP server on a
 * random free port, in its own thread, that speaks PTDaemon's line protocol as
 * the MLPerf power logs record it (shared/data/mlperf-power/.../power/ and
 * mlcommons/power-dev ptd_client_server): Hello, Identify, RR answering
 * "Ranges,{AmpAuto},{AmpRange},{VoltAuto},{VoltRange}", SR,V|A,Auto|<value>
 * selecting the analyzer's smallest range holding the value and answering
 * "Range V changed" after the range-change latency (1.5 s by default, as the
 * WT333E of the Orin logs: 1.5-1.8 s), Go,<ms>,0,<mark> with the first sample
 * 0.31 s after Go (the Orin logs: 0.3-1 s) then one per interval, RL ("Last N
 * samples" + the unread sample lines), Watts, Stop. It can be told to misbehave. */
#ifndef JM_MOCK_PTD_H
#define JM_MOCK_PTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jm_mock_ptd_config {
    double watts;              /* the power every sample reads (default 150 W) */
    double volts;              /* default 230 V; amps = watts / volts */
    int range_change_ms;       /* latency of a range change: 0 = 1500 ms, < 0 = none */
    int first_sample_ms;       /* first sample after Go: 0 = 310 ms */
    bool garbage_hello;        /* answer Hello with a line that is not a Hello */
    int garbage_every;         /* > 0: RL output has a garbage line after every N samples */
    int slow_after;            /* >= 0 with slow_ms: commands after this many are answered late */
    unsigned slow_ms;
    int disconnect_after;      /* > 0: close the connection after receiving this many commands */
    const char *error_on;      /* commands starting with this are answered "Error: ..." */
} jm_mock_ptd_config;

typedef struct jm_mock_ptd jm_mock_ptd;

/* Starts the server; *port receives its port. NULL on failure. */
jm_mock_ptd *jm_mock_ptd_start(const jm_mock_ptd_config *cfg, int *port);
/* Stops the thread and frees everything. */
void jm_mock_ptd_stop(jm_mock_ptd *m);
/* Commands received so far, joined by '|', e.g. "Hello|Identify|RR|SR,V,Auto". */
void jm_mock_ptd_commands(jm_mock_ptd *m, char *buf, size_t len);
/* Number of sample lines sent in RL replies so far (garbage excluded). */
long jm_mock_ptd_samples_sent(jm_mock_ptd *m);
/* Measurements started (Go) whose mark contains "testing" while the voltage or
 * current range was on Auto: MLPerf forbids them. */
long jm_mock_ptd_auto_testing(jm_mock_ptd *m);
/* CLOCK_MONOTONIC (jm_now_ns) of the last Go and of its first sample. */
void jm_mock_ptd_last_go(jm_mock_ptd *m, uint64_t *go_ns, uint64_t *first_sample_ns);
/* Changes the power the following samples read. */
void jm_mock_ptd_set_watts(jm_mock_ptd *m, double watts);

#endif /* JM_MOCK_PTD_H */
