/* mock_ptd.h - a mock SPEC PTDaemon for tests: a loopback TCP server on a
 * random free port, in its own thread, that speaks the line protocol (Hello,
 * Identify, RR, SR, Go, Stop, RL, Watts) and generates analyzer samples at the
 * interval given to Go. It can be told to misbehave. */
#ifndef JM_MOCK_PTD_H
#define JM_MOCK_PTD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jm_mock_ptd_config {
    double watts;              /* every sample's power (default 150 W) */
    double volts;              /* default 230 V; amps = watts / volts */
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

#endif /* JM_MOCK_PTD_H */
