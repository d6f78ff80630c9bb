/* fuzz_results_json.c - results.json read back (report/compare/carbon --from).
 * Oracle: accepted results, written again by joulemark's writers, load again
 * (write-then-read round trip) with the same workloads and runs. */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"
#include "reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    const char *path = jm_fuzz_file("results.json", data, size);
    jm_results r;
    if (jm_results_load(path, &r, err, sizeof err) != 0) {
        if (!strstr(err, "results.json"))
            jm_fuzz_fail("error does not name the file: %s", err);
        return 0;
    }
    char dir[300];
    snprintf(dir, sizeof dir, "%s/again", jm_fuzz_dir());
    if (jm_results_write_all(&r, dir, err, sizeof err) == 0) {
        jm_results back;
        if (jm_results_load(dir, &back, err, sizeof err) != 0)
            jm_fuzz_fail("accepted results do not load after writing them again: %s", err);
        if (back.n_workloads != r.n_workloads)
            jm_fuzz_fail("workloads changed in the round trip");
        for (int w = 0; w < r.n_workloads; w++)
            if (back.workloads[w].n_runs != r.workloads[w].n_runs)
                jm_fuzz_fail("runs of workload %d changed in the round trip", w);
        jm_results_free(&back);
    }
    jm_results_free(&r);
    return 0;
}
