/* run_idle.c - the idle baseline: one measured window with nothing running;
 * the average power of every meter domain over it is what "above idle"
 * figures subtract. Without a baseline (idle_s 0, a domain that does not
 * cover the window) idle power is unknown (NaN, null in results.json) and
 * results.json's idle_reason says why, never 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

static int sleep_work(void *ctx, jm_work_done *done, char *err, size_t err_len)
{
    (void)done;
    (void)err;
    (void)err_len;
    double seconds = *(const double *)ctx;
    uint64_t end = jm_now_ns() + (uint64_t)(seconds * 1e9);
    while (!jm_interrupted) {
        uint64_t now = jm_now_ns();
        if (now >= end)
            break;
        uint64_t left = end - now;
        if (left > 50000000u)
            left = 50000000u;
        struct timespec ts = {0, (long)left};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* No baseline: every idle power unknown (NaN), the reason recorded. */
static void no_baseline(const jm_run_meters *rm, jm_results *res, jm_idle_baseline *idle)
{
    for (int a = 0; a < rm->n_active; a++)
        for (int d = 0; d < rm->active[a].info.n_domains; d++) {
            idle->power_w[a][d] = NAN;
            if (d < JM_R_MAX_DOMAINS)
                res->meters[rm->active_to_result[a]].idle_power_w[d] = NAN;
        }
}

int jm_idle_measure(const jm_window *win, double seconds, jm_results *res,
                    jm_idle_baseline *idle, char *err, size_t err_len)
{
    const jm_run_meters *rm = win->meters;
    memset(idle, 0, sizeof(*idle));
    res->idle_duration_s = 0;
    res->idle_reason[0] = '\0';
    if (seconds <= 0) {
        no_baseline(rm, res, idle);
        snprintf(res->idle_reason, sizeof res->idle_reason,
                 "run_rules.idle_s is 0: no idle baseline was recorded");
        return 0;
    }
    jm_run_result *run = calloc(1, sizeof(*run));
    if (!run) {
        no_baseline(rm, res, idle);
        snprintf(res->idle_reason, sizeof res->idle_reason, "out of memory for the idle baseline");
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    jm_window idle_win = *win;
    idle_win.idle = NULL;
    int rc = jm_measure_window(&idle_win, "idle", sleep_work, &seconds, run, err, err_len);
    double dur = run->duration_s;
    res->idle_duration_s = dur;
    idle->duration_s = dur;
    for (int a = 0; a < rm->n_active; a++) {
        jm_meter_result *mr = &res->meters[rm->active_to_result[a]];
        for (int d = 0; d < rm->active[a].info.n_domains; d++) {
            jm_energy_window w;
            double p = NAN;
            if (dur > 0 &&
                jm_sampler_energy(win->sampler, a, d, run->t0_ns, run->t1_ns, &w) == JM_M_OK &&
                w.covered)
                p = w.energy_j / dur;
            else if (a == rm->primary && rm->primary_use[d] && !res->idle_reason[0])
                snprintf(res->idle_reason, sizeof res->idle_reason,
                         "meter %s domain %s does not cover the %.3f s idle window",
                         rm->active[a].spec.name, rm->active[a].info.domains[d], dur);
            idle->power_w[a][d] = p;
            if (d < JM_R_MAX_DOMAINS)
                mr->idle_power_w[d] = p;
        }
    }
    free(run);
    return rc;
}
