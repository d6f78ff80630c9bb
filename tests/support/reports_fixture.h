/* reports_fixture.h - a realistic result model for the reports tests: two
 * workloads (dense and MoE layers, parameter-matched) with warm-up, testing
 * and one invalid run, two meters and a trace with phase marks; plus temp
 * directories and small file helpers. */
#ifndef JM_REPORTS_FIXTURE_H
#define JM_REPORTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "reports.h"

/* Per-run mJ/token of the fixture's valid testing runs (6 each), the oracle
 * the tests compute statistics from. */
extern const double jm_rfix_dense_mj[6];
extern const double jm_rfix_moe_mj[6];
#define JM_RFIX_TOKENS 40960u  /* tokens per run */
#define JM_RFIX_DURATION_S 2.0 /* seconds per run */
#define JM_RFIX_IDLE_W 10.0    /* idle power of the primary domains */

/* Fills r (jm_results_init first is not needed). estimated: the energy comes
 * from the estimate meter instead of RAPL. Calls derive, summarize and compare. */
void jm_rfix_build(jm_results *r, bool estimated);

/* Fresh temporary directory (path into dir); 0 or -1. */
int jm_rfix_tmpdir(char *dir, size_t len);
/* Recursively removes dir. */
void jm_rfix_rmdir(const char *dir);
/* Whole file (malloc'd, NUL-terminated) or NULL. */
char *jm_rfix_slurp(const char *path);
/* Writes text to path (not atomically; for building bad inputs). 0 or -1. */
int jm_rfix_write(const char *path, const char *text);

#endif /* JM_REPORTS_FIXTURE_H */
