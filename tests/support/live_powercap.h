/* live_powercap.h - a live fake powercap tree for tests: a thread advances
 * each zone's energy_uj in real time at a known wattage and wraps it at
 * max_energy_range_uj, as the kernel's RAPL counters do (updated every ~1 ms
 * by the hardware; here every period_ms). */
#ifndef JM_LIVE_POWERCAP_H
#define JM_LIVE_POWERCAP_H

#include <stdint.h>

typedef struct jm_live_zone {
    const char *rel;       /* zone folder under the root, e.g. "intel-rapl:0/intel-rapl:0:2" */
    const char *name;      /* the zone's name file: "package-0", "core", "dram", "psys" */
    double watts;          /* constant power of the zone */
    uint64_t max_range_uj; /* the counter wraps to 0 here */
    uint64_t start_uj;     /* counter value at start */
} jm_live_zone;

typedef struct jm_live_powercap jm_live_powercap;

/* Creates the zones under root (name, max_energy_range_uj, energy_uj) and starts
 * the thread. NULL on failure. */
jm_live_powercap *jm_live_powercap_start(const char *root, const jm_live_zone *zones, int n,
                                         unsigned period_ms);
void jm_live_powercap_stop(jm_live_powercap *p);

/* The issue 11 laptop: package-0 20 W (wrapping every 1.5 s) containing core 9 W,
 * dram 3 W nested in the package folder as on the real laptop tree, psys 35 W.
 * Its processor + memory energy is 23 W. */
jm_live_powercap *jm_live_powercap_laptop(const char *root);

#endif /* JM_LIVE_POWERCAP_H */
