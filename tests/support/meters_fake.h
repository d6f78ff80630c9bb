/* meters_fake.h - a scripted fake meter for tests of the sampler and the
 * runner: known power as a function of time (base + ramp x t), optional
 * failure after N reads, optional slow reads, a record of phase() calls.
 * Not in the meter table; open one with jm_fake_meter_open. */
#ifndef JM_METERS_FAKE_H
#define JM_METERS_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meters.h"

typedef struct jm_fake_meter_script {
    jm_meter_quantity quantity; /* ENERGY: read returns cumulative J; POWER: watts */
    jm_meter_kind kind;
    int n_domains;                           /* 1 when 0 */
    double base_w[JM_METER_MAX_DOMAINS];     /* power at open time */
    double ramp_w_per_s[JM_METER_MAX_DOMAINS]; /* power grows linearly by this per second */
    int fail_after_reads;   /* > 0: every read after this many successful ones fails */
    int fail_phase_begin;   /* > 0: the Nth phase() call fails */
    unsigned read_delay_ms; /* each read sleeps this long first */
    unsigned phase_delay_ms; /* each phase() call takes this long (an analyzer's range change) */
    unsigned default_interval_ms;
    const char *name;       /* spec name, "fake" when NULL */
} jm_fake_meter_script;

/* Fills *m as an open, available meter following script. Returns JM_M_OK. */
int jm_fake_meter_open(jm_meter *m, const jm_fake_meter_script *script);
/* Exact energy (J) the script delivers on domain between t0 and t1 (CLOCK_MONOTONIC ns). */
double jm_fake_meter_expected_j(const jm_meter *m, int domain, uint64_t t0_ns, uint64_t t1_ns);
/* Number of successful reads so far. */
int jm_fake_meter_reads(const jm_meter *m);
/* Phase calls so far as "+testing -testing ..." (begin '+', end '-'). */
const char *jm_fake_meter_phases(const jm_meter *m);
/* Workloads given to the phase calls so far, space-separated ("w w2:Offline"). */
const char *jm_fake_meter_phase_workloads(const jm_meter *m);
/* CLOCK_MONOTONIC when the last phase() call started and returned. */
void jm_fake_meter_last_phase(const jm_meter *m, uint64_t *entered_ns, uint64_t *returned_ns);

#endif /* JM_METERS_FAKE_H */
