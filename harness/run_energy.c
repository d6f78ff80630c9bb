/* run_energy.c - energy attribution and validity of one measured window:
 * the energy of every meter domain over the window, the primary meter's total
 * (and above the idle baseline), and every energy reason a run is invalid
 * (a domain not covered, a meter failure, too few of the meter's own points
 * or a gap between them over half the run, no energy, energy under the
 * meter's resolution). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* A gap between a meter's own points is a hole (the energy across it is
 * interpolated, not measured) when it is longer than half the run and than
 * two of the meter's own intervals (its update period or sampling interval):
 * a 1 Hz analyzer's 1 s steps in a 2 s run are its normal rate, not a hole. */
static double hole_s(const jm_window *win, int a, double dur)
{
    const jm_meter *m = &win->meters->active[a];
    unsigned step_ms = jm_sampler_interval_ms(win->sampler, a);
    if (m->info.update_period_ms > step_ms)
        step_ms = m->info.update_period_ms;
    double two_steps = 2.0 * step_ms / 1e3;
    return dur / 2 > two_steps ? dur / 2 : two_steps;
}

void jm_window_attribute_energy(const jm_window *win, jm_run_result *run)
{
    const jm_run_meters *rm = win->meters;
    double dur = run->duration_s;
    run->energy_j = 0;
    run->energy_above_idle_j = 0;
    run->n_domains = 0;
    run->estimated = rm->active[rm->primary].info.kind == JM_METER_ESTIMATED;
    jm_run_energy_source(rm, run->energy_source, sizeof run->energy_source);
    size_t min_samples = SIZE_MAX;
    for (int a = 0; a < rm->n_active; a++) {
        const jm_meter *m = &rm->active[a];
        const char *fail_msg = NULL;
        uint64_t failed_at = 0;
        bool failed = jm_sampler_meter_failed(win->sampler, a, &fail_msg, &failed_at);
        for (int d = 0; d < m->info.n_domains; d++) {
            /* NaN where no baseline covers the domain: above idle is then unknown */
            double idle_w = win->idle ? win->idle->power_w[a][d] : NAN;
            jm_energy_window w;
            memset(&w, 0, sizeof w);
            int rc = jm_sampler_energy(win->sampler, a, d, run->t0_ns, run->t1_ns, &w);
            if (run->n_domains < JM_R_MAX_DOMAINS) {
                jm_domain_energy *de = &run->domains[run->n_domains++];
                snprintf(de->meter, sizeof de->meter, "%s", m->spec.name);
                snprintf(de->domain, sizeof de->domain, "%s", m->info.domains[d]);
                de->estimated = m->info.kind == JM_METER_ESTIMATED;
                de->energy_j = rc == JM_M_OK && w.covered ? w.energy_j : NAN;
                de->idle_power_w = idle_w;
                de->energy_above_idle_j = de->energy_j - de->idle_power_w * dur;
                de->n_samples = w.n_samples;
                de->max_gap_ms = (double)w.max_gap_ns / 1e6;
            }
            if (a != rm->primary || !rm->primary_use[d])
                continue;
            if (rc != JM_M_OK || !w.covered) {
                jm_run_result_invalidate(run, "meter %s domain %s does not cover the run%s%s",
                                         m->spec.name, m->info.domains[d],
                                         failed ? ": meter failed: " : "",
                                         failed && fail_msg ? fail_msg : "");
                /* a part of the total is unknown: the total is unknown, not smaller */
                run->energy_j = NAN;
                run->energy_above_idle_j = NAN;
                continue;
            }
            if ((double)w.max_gap_ns / 1e9 > hole_s(win, a, dur))
                jm_run_result_invalidate(run,
                                         "meter %s domain %s has no point for %.3f s of the "
                                         "%.3f s run: its energy there is interpolated",
                                         m->spec.name, m->info.domains[d],
                                         (double)w.max_gap_ns / 1e9, dur);
            run->energy_j += w.energy_j;
            run->energy_above_idle_j += w.energy_j - idle_w * dur;
            if (w.n_samples < min_samples)
                min_samples = w.n_samples;
        }
        if (a == rm->primary && failed && failed_at < run->t1_ns)
            jm_run_result_invalidate(run, "meter %s failed during the run: %s", m->spec.name,
                                     fail_msg ? fail_msg : "read error");
    }
    const jm_meter *p = &rm->active[rm->primary];
    if (min_samples != SIZE_MAX && (int)min_samples < win->min_samples)
        jm_run_result_invalidate(run,
                                 "only %zu meter samples inside the %.3f s run; at least %d are "
                                 "needed (lengthen run_rules.duration_s or lower the sampling "
                                 "interval)",
                                 min_samples, dur, win->min_samples);
    if (!(run->energy_j > 0))
        jm_run_result_invalidate(run, "meter %s reported no energy over the run", p->spec.name);
    else if (p->info.resolution_j > 0 && run->energy_j < 100 * p->info.resolution_j)
        jm_run_result_invalidate(run,
                                 "%.6f J is below 100x the meter's resolution (%.6f J): run too "
                                 "short for this meter",
                                 run->energy_j, p->info.resolution_j);
    jm_run_result_derive(run);
}
