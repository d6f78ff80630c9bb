/* scenario_accuracy.c - accuracy mode: checks samples of a workload one by
 * one against the fp64 reference (fresh seeded inputs per sample) and fills
 * the jm_mlperf_accuracy the accuracy log and accuracy.txt are written from. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

int jm_scenario_accuracy(jm_workload *w, const char *benchmark, uint64_t seed, int n_samples,
                         jm_mlperf_accuracy *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (n_samples < 1 || n_samples > 64) {
        snprintf(err, err_len, "accuracy: %d samples, expected 1..64", n_samples);
        return -1;
    }
    snprintf(out->benchmark, sizeof(out->benchmark), "%s", benchmark ? benchmark : "");
    out->seed = seed;
    out->n_samples = n_samples;
    out->tolerance = jm_workload_tolerance(jm_workload_get_shape(w));
    double worst = 0;
    for (int i = 0; i < n_samples; i++) {
        double rel;
        char msg[512] = "";
        if (jm_workload_verify(w, seed + (uint64_t)i, 1, &rel, msg, sizeof(msg)) != 0) {
            snprintf(err, err_len, "accuracy: sample %d (seed %llu): %s", i,
                     (unsigned long long)(seed + (uint64_t)i), msg);
            return -1;
        }
        uint64_t bits;
        memcpy(&bits, &rel, sizeof(bits));
        out->entry_data[i] = bits;
        if (!(rel <= worst)) /* NaN and +inf (a wrong expert choice) count as worst */
            worst = rel;
    }
    out->n_entries = n_samples;
    out->rel_err = worst;
    out->passed = isfinite(worst) && worst <= out->tolerance;
    return 0;
}
