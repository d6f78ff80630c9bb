/* run_outputs.c - the outputs of `joulemark run` that need more than the
 * result model: the LoadGen logs, power and accuracy files of each scenario
 * engine run under OUT/mlperf/<workload>/<Scenario>/<folder>/ (energy from
 * the run's result entry, power samples from the primary meter's points) and
 * each meter's own raw logs under OUT/meters/<meter>/. Called by the command
 * after the runner has finished; the runner itself writes no file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

static int write_scenario_logs(const jm_run_session *s, const jm_results *res,
                               const char *out_dir, FILE *log)
{
    const jm_run_meters *rm = &s->meters;
    int64_t offset = jm_mono_to_unix_offset_ns();
    const jm_sampler_point *points = jm_sampler_points(s->sampler, rm->primary);
    size_t n_points = jm_sampler_count(s->sampler, rm->primary);
    int domains[JM_METER_MAX_DOMAINS], nd = 0;
    for (int d = 0; d < rm->active[rm->primary].info.n_domains; d++)
        if (rm->primary_use[d])
            domains[nd++] = d;
    int failures = 0;
    for (int i = 0; i < s->scenarios.n; i++) {
        const jm_scenario_record *p = &s->scenarios.v[i];
        const jm_run_result *rr = NULL;
        if (p->workload >= 0 && p->workload < res->n_workloads && p->run >= 0 &&
            p->run < res->workloads[p->workload].n_runs)
            rr = &res->workloads[p->workload].runs[p->run];
        bool has_energy = rr && rr->energy_j > 0;
        char dir[JM_CFG_PATH_MAX + 256], err[512] = "";
        snprintf(dir, sizeof dir, "%s/mlperf/%s/%s/%s", out_dir, p->benchmark,
                 jm_scenario_name(p->settings.scenario), p->folder);
        jm_mlperf_run run;
        jm_mlperf_power_sample *ps = NULL;
        size_t n_ps = 0;
        int rc = jm_scenario_mlperf_run(&run, p->benchmark, p->phase, s->rules, &p->settings,
                                        &p->result, offset, has_energy,
                                        has_energy ? rr->energy_j : 0,
                                        rr ? rr->energy_source : "", rr && rr->estimated, err,
                                        sizeof err);
        if (rc == 0) {
            snprintf(run.joulemark_version, sizeof run.joulemark_version, "%s", JM_VERSION);
            if (has_energy &&
                jm_scenario_power_samples(points, n_points, domains, nd, p->result.t_start_ns,
                                          p->result.t_end_ns, offset, &ps, &n_ps, err,
                                          sizeof err) == 0) {
                run.power_samples = ps;
                run.n_power_samples = n_ps;
            }
            rc = jm_mlperf_write_logs(&run, dir, err, sizeof err);
        }
        if (rc == 0 && p->has_accuracy)
            rc = jm_mlperf_write_accuracy(&p->accuracy, dir, err, sizeof err);
        free(ps);
        if (rc != 0) {
            failures++;
            jm_log(log, "warning: MLPerf logs not written to %s: %s\n", dir, err);
        }
    }
    return failures;
}

static int export_meter_logs(const jm_run_session *s, const char *out_dir, FILE *log)
{
    const jm_run_meters *rm = &s->meters;
    int failures = 0;
    for (int a = 0; a < rm->n_active; a++) {
        const jm_meter *m = &rm->active[a];
        if (!m->ops->export_logs)
            continue;
        char dir[JM_CFG_PATH_MAX + 64], rerr[256];
        snprintf(dir, sizeof dir, "%s/meters/%s", out_dir, m->spec.name);
        if (jm_mkdir_p(dir, rerr, sizeof rerr) != 0 ||
            m->ops->export_logs(m->state, dir, rerr, sizeof rerr) != 0) {
            failures++;
            jm_log(log, "warning: meter %s logs not written: %s\n", m->spec.name, rerr);
        }
    }
    return failures;
}

int jm_run_write_outputs(const jm_run_session *s, const jm_results *res, const char *out_dir,
                         FILE *log)
{
    if (!s || !out_dir || !s->sampler)
        return 0; /* the run stopped before anything was measured */
    int failures = write_scenario_logs(s, res, out_dir, log);
    failures += export_meter_logs(s, out_dir, log);
    return failures ? -1 : 0;
}
