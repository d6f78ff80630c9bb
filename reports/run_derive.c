/* run_derive.c - per-run derived figures (throughput, tokens per joule, mJ per
 * token, average power; total and above idle) and marking a run invalid. The
 * per-token figures count the tokens processed: an MoE assignment dropped by
 * expert capacity did no expert work and counts for 1/top_k token less. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reports.h"

static double ratio(double num, double den) {
    return (den > 0.0 && isfinite(num) && isfinite(den)) ? num / den : NAN;
}

double jm_run_tokens_processed(const jm_run_result *run) {
    if (run->assignments == 0 || run->dropped_assignments == 0)
        return (double)run->tokens;
    if (run->dropped_assignments >= run->assignments)
        return 0.0;
    return (double)run->tokens * (double)(run->assignments - run->dropped_assignments) /
           (double)run->assignments;
}

void jm_run_result_derive(jm_run_result *run) {
    run->tokens_processed = jm_run_tokens_processed(run);
    double tokens = run->tokens_processed;
    run->tokens_per_s = ratio(tokens, run->duration_s);
    run->avg_power_w = ratio(run->energy_j, run->duration_s);
    run->tokens_per_j = ratio(tokens, run->energy_j);
    run->mj_per_token = (tokens > 0 && run->energy_j > 0) ? run->energy_j * 1e3 / tokens : NAN;
    run->tokens_per_j_above_idle = ratio(tokens, run->energy_above_idle_j);
    run->mj_per_token_above_idle = (tokens > 0 && run->energy_above_idle_j > 0)
                                       ? run->energy_above_idle_j * 1e3 / tokens
                                       : NAN;
    if (!(run->duration_s > 0))
        jm_run_result_invalidate(run, "duration %.9g s is not positive", run->duration_s);
    if (run->tokens == 0)
        jm_run_result_invalidate(run, "no tokens were processed");
    else if (!(tokens > 0))
        jm_run_result_invalidate(run, "all %llu token-expert assignments were dropped by expert "
                                      "capacity: no token was processed",
                                 (unsigned long long)run->assignments);
    if (!(run->energy_j > 0))
        jm_run_result_invalidate(
            run, "energy %.9g J is not positive: the meter did not resolve the run", run->energy_j);
}

void jm_run_result_invalidate(jm_run_result *run, const char *fmt, ...) {
    run->valid = false;
    char msg[JM_R_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    int cap = (int)(sizeof(run->invalid_reasons) / sizeof(run->invalid_reasons[0]));
    for (int i = 0; i < run->n_invalid_reasons; i++)
        if (strcmp(run->invalid_reasons[i], msg) == 0)
            return; /* same reason once */
    if (run->n_invalid_reasons < cap) {
        snprintf(run->invalid_reasons[run->n_invalid_reasons++], JM_R_TEXT_MAX, "%s", msg);
    } else {
        /* keep the count honest: the last slot says more reasons were dropped */
        snprintf(run->invalid_reasons[cap - 1], JM_R_TEXT_MAX, "more reasons (not all kept)");
    }
}
