/* fuzz_replay.c - the replay meter's trace reader (spl.txt, trace.csv, wide
 * and headerless CSV). Oracles: every loaded series has >= 2 samples with
 * strictly increasing times and finite values; spl.txt samples are positive. */
#include <math.h>
#include <string.h>

#include "fuzz_util.h"
#include "meters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    jm_replay_trace *t;
    const char *path = jm_fuzz_file("trace.txt", data, size);
    if (jm_replay_load(path, &t, err, sizeof err) != 0) {
        if (!strstr(err, "trace.txt") && !strstr(err, "out of memory"))
            jm_fuzz_fail("error does not name the file: %s", err);
        return 0;
    }
    for (int d = 0; d < jm_replay_domains(t); d++) {
        size_t n = jm_replay_count(t, d);
        const uint64_t *ts = jm_replay_times(t, d);
        const double *v = jm_replay_values(t, d);
        if (n < 2)
            jm_fuzz_fail("domain %d loaded with %zu samples", d, n);
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(v[i]))
                jm_fuzz_fail("non-finite value accepted");
            if (i > 0 && ts[i] <= ts[i - 1])
                jm_fuzz_fail("times do not increase");
        }
        double w;
        size_t used;
        (void)jm_replay_mean_power(t, d, ts[0], ts[n - 1], &w, &used);
        double e;
        (void)jm_replay_energy(t, d, ts[0], ts[n - 1], &e);
        (void)jm_replay_value_at(t, d, ts[0] / 2 + ts[n - 1] / 2);
    }
    jm_replay_free(t);
    return 0;
}
