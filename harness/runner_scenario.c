/* runner_scenario.c - MLPerf scenario runs inside `joulemark run`: for every
 * workload and configured scenario, a ranging run, a testing run (targets
 * from the ranging run) and an accuracy run, driven by the LoadGen-compatible
 * engine (scenario.c) while the sampler records energy. Each (workload,
 * scenario) becomes its own result entry; the LoadGen logs, power files and
 * accuracy files are written under OUT/mlperf/<workload>/<Scenario>/ once
 * the sampler has stopped (docs/submission.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_internal.h"

typedef struct jm__scenario_pending {
    char benchmark[JM_CFG_NAME_MAX];
    char phase[16];  /* "ranging" | "testing" | "accuracy" */
    char folder[16]; /* "ranging" | "run_1" | "accuracy" */
    jm_scenario_settings settings; /* effective */
    jm_scenario_result result;     /* owned */
    bool has_energy;
    double energy_j;
    char energy_source[JM_R_TEXT_MAX];
    bool estimated;
    bool has_accuracy;
    jm_mlperf_accuracy accuracy;
} jm__scenario_pending;

static jm__scenario_pending *push_pending(runner *r)
{
    if (r->n_pending == r->cap_pending) {
        int cap = r->cap_pending ? r->cap_pending * 2 : 8;
        jm__scenario_pending *p = realloc(r->pending, (size_t)cap * sizeof(*p));
        if (!p)
            return NULL;
        r->pending = p;
        r->cap_pending = cap;
    }
    jm__scenario_pending *p = &r->pending[r->n_pending++];
    memset(p, 0, sizeof(*p));
    return p;
}

static jm_mlperf_rules engine_rules(const runner *r)
{
    return strcmp(r->cfg->rules.name, "mlperf") == 0 ? JM_MLPERF_RULES_MLPERF
                                                      : JM_MLPERF_RULES_QUICK;
}

static void requested_settings(const runner *r, const jm_scenario_config *sc,
                               const jm_workload_shape *shape, jm_scenario_settings *s)
{
    jm_mlperf_rules_settings(engine_rules(r), sc->kind, s);
    s->tokens_per_sample = (uint64_t)shape->seq_len;
    s->issue_max_samples = (uint64_t)shape->batch_seqs;
    /* the resident batch is the sample library actually used */
    s->performance_sample_count = (uint64_t)shape->batch_seqs;
    s->total_sample_count = (uint64_t)shape->batch_seqs;
    if (sc->target_qps > 0)
        s->target_qps = sc->target_qps;
    if (sc->target_latency_ms > 0)
        s->target_latency_ns = (uint64_t)(sc->target_latency_ms * 1e6);
}

/* One engine run: a result entry run now, its logs later (pending). */
static int scenario_phase(runner *r, const jm_workload_config *wc, jm_workload *w,
                          jm_workload_result *wr, const char *phase, const char *folder,
                          jm_scenario_settings *s, jm_scenario_result **result_out)
{
    const char *scen = jm_scenario_name(s->scenario);
    jm_run_result *run = jm_workload_result_add_run(wr);
    jm__scenario_pending *p = push_pending(r);
    if (!run || !p) {
        snprintf(r->err, r->err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    run->index = wr->n_runs;
    snprintf(run->phase, sizeof run->phase, "%s", phase);
    run->valid = true;
    snprintf(p->benchmark, sizeof p->benchmark, "%s", wc->name);
    snprintf(p->phase, sizeof p->phase, "%s", phase);
    snprintf(p->folder, sizeof p->folder, "%s", folder);

    jm_workload_sut ws = {.w = w};
    jm_sut sut = {.ctx = &ws, .issue = jm_workload_sut_issue, .stop = &jm_interrupted};
    char serr[512] = "";
    jm__runner_mark(r, "begin:%s:%.32s:%s", phase, wc->name, scen);
    int rc = jm_scenario_run(s, &sut, &p->result, serr, sizeof serr);
    jm__runner_mark(r, "end:%s:%.32s:%s", phase, wc->name, scen);
    p->settings = *s;
    if (rc != 0) {
        snprintf(r->err, r->err_len, "%s %s run of %s: %s", scen, phase, wc->name, serr);
        jm_run_result_invalidate(run, "scenario engine: %s", serr);
        r->n_pending--; /* nothing to log */
        jm_scenario_result_free(&p->result);
        return JM_EXIT_SYSTEM;
    }
    const jm_scenario_result *res = &p->result;
    run->t0_ns = res->t_start_ns;
    run->t1_ns = res->t_end_ns > res->t_start_ns ? res->t_end_ns : res->t_start_ns + 1;
    run->duration_s = (double)(run->t1_ns - run->t0_ns) / 1e9;
    run->tokens = res->tokens;
    run->samples = res->samples;
    run->queries = res->queries;
    run->dropped_tokens = ws.total.dropped_tokens;
    run->latency_p50_ns = (double)res->percentile_latency_ns[0];
    run->latency_p90_ns = (double)res->percentile_latency_ns[1];
    run->latency_p99_ns = (double)res->percentile_latency_ns[4];
    jm__runner_attribute_energy(r, run, wr);
    bool accuracy = strcmp(phase, "accuracy") == 0;
    if (accuracy) {
        /* judged on accuracy alone (by the caller), not on duration or throughput */
        run->valid = true;
        run->n_invalid_reasons = 0;
    } else if (!res->valid)
        jm_run_result_invalidate(run, "%s: %s", scen,
                                 res->invalid_reason[0] ? res->invalid_reason : "invalid");
    if (res->interrupted)
        jm_run_result_invalidate(run, "interrupted (signal %d)", (int)jm_interrupted);
    p->has_energy = run->energy_j > 0;
    p->energy_j = run->energy_j;
    snprintf(p->energy_source, sizeof p->energy_source, "%s", run->energy_source);
    p->estimated = run->estimated;
    if (accuracy)
        return JM_EXIT_OK;
    jm__runner_progress(r, "[%s] %s %s: %llu queries, %llu samples in %.2f s, %.3f mJ/token%s\n",
                        wc->name, scen, phase, (unsigned long long)res->queries,
                        (unsigned long long)res->samples, run->duration_s, run->mj_per_token,
                        run->valid ? "" : " INVALID");
    for (int k = 0; k < run->n_invalid_reasons; k++)
        jm__runner_progress(r, "    invalid: %s\n", run->invalid_reasons[k]);
    if (result_out)
        *result_out = &p->result;
    return JM_EXIT_OK;
}

/* Median tokens/s of the plain entry's valid testing runs (0 when none). */
static double plain_tokens_per_s(const jm_workload_result *plain)
{
    double *v = malloc((size_t)(plain->n_runs > 0 ? plain->n_runs : 1) * sizeof(*v));
    int n = 0;
    for (int i = 0; v && i < plain->n_runs; i++)
        if (plain->runs[i].valid && strcmp(plain->runs[i].phase, "testing") == 0)
            v[n++] = plain->runs[i].tokens_per_s;
    jm_stat st = {0};
    if (n > 0)
        jm_stat_compute(v, n, &st);
    free(v);
    return n > 0 ? st.median : 0;
}

int jm__runner_scenarios(runner *r, const jm_workload_config *wc, jm_workload *w,
                         int plain_index)
{
    /* copied now: adding entries below may move the workloads array */
    const jm_workload_result *plain = &r->res->workloads[plain_index];
    const double accuracy_rel_err = plain->accuracy_rel_err;
    const double accuracy_tolerance = plain->accuracy_tolerance;
    const bool accuracy_ok = plain->accuracy_ok;
    const double measured_tokens_per_s = plain_tokens_per_s(plain);
    for (int i = 0; i < r->cfg->n_scenarios && !jm_interrupted; i++) {
        const jm_scenario_config *sc = &r->cfg->scenarios[i];
        jm_workload_result *wr = jm_results_add_workload(r->res);
        if (!wr) {
            snprintf(r->err, r->err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        jm__runner_workload_header(wc, wr);
        wr->accuracy_rel_err = accuracy_rel_err;
        wr->accuracy_tolerance = accuracy_tolerance;
        wr->accuracy_ok = accuracy_ok;
        snprintf(wr->scenario, sizeof wr->scenario, "%s", jm_scenario_name(sc->kind));

        jm_scenario_settings s;
        requested_settings(r, sc, &wc->shape, &s);
        /* Offline without a given target: expect the throughput the plain runs measured,
         * so the one query is sized for the minimum duration */
        if (sc->kind == JM_SCENARIO_OFFLINE && sc->target_qps <= 0 && measured_tokens_per_s > 0)
            s.target_qps = measured_tokens_per_s / (double)wc->shape.seq_len;
        jm_scenario_result *ranging = NULL;
        int rc = scenario_phase(r, wc, w, wr, "ranging", "ranging", &s, &ranging);
        if (rc != JM_EXIT_OK || jm_interrupted)
            return rc;
        jm_scenario_settings t;
        jm_mlperf_rules_testing_settings(&s, ranging, &t);
        rc = scenario_phase(r, wc, w, wr, "testing", "run_1", &t, NULL);
        if (rc != JM_EXIT_OK || jm_interrupted)
            return rc;

        /* accuracy mode: the fixed seeded sample set against the fp64 reference */
        /* the accuracy run issues exactly the samples that are checked, so that
         * accuracy.txt and effective_accuracy_sample_count agree */
        int n_acc = engine_rules(r) == JM_MLPERF_RULES_MLPERF ? 8 : 2;
        if (n_acc > wc->shape.batch_seqs)
            n_acc = wc->shape.batch_seqs;
        jm_scenario_settings a;
        requested_settings(r, sc, &wc->shape, &a);
        a.accuracy_mode = true;
        a.performance_sample_count = (uint64_t)n_acc;
        a.total_sample_count = (uint64_t)n_acc;
        rc = scenario_phase(r, wc, w, wr, "accuracy", "accuracy", &a, NULL);
        if (rc != JM_EXIT_OK)
            return rc;
        /* the accuracy run is judged on accuracy alone, not on duration or throughput,
         * and is kept out of the statistics (its phase is "accuracy") */
        jm_run_result *arun = &wr->runs[wr->n_runs - 1];
        jm__scenario_pending *p = &r->pending[r->n_pending - 1];
        char aerr[512];
        if (jm_scenario_accuracy(w, wc->name, JM_MLPERF_QSL_RNG_SEED, n_acc, &p->accuracy, aerr,
                                 sizeof aerr) != 0) {
            snprintf(r->err, r->err_len, "accuracy run of %s: %s", wc->name, aerr);
            return JM_EXIT_SYSTEM;
        }
        p->has_accuracy = true;
        if (!p->accuracy.passed)
            jm_run_result_invalidate(arun, "accuracy: relative error %.3g exceeds %.3g",
                                     p->accuracy.rel_err, p->accuracy.tolerance);
        jm__runner_progress(r, "[%s] %s accuracy: %d samples, relative error %.2e (bound %.1e) %s\n",
                            wc->name, jm_scenario_name(sc->kind), n_acc, p->accuracy.rel_err,
                            p->accuracy.tolerance, p->accuracy.passed ? "PASS" : "FAIL");
    }
    return JM_EXIT_OK;
}

int jm__runner_write_scenario_logs(runner *r)
{
    if (!r->opt->out_dir || r->n_pending == 0)
        return 0;
    int64_t offset = jm_mono_to_unix_offset_ns();
    const jm_sampler_point *points = jm_sampler_points(r->sampler, r->primary);
    size_t n_points = jm_sampler_count(r->sampler, r->primary);
    int domains[JM_METER_MAX_DOMAINS], nd = 0;
    for (int d = 0; d < r->active[r->primary].info.n_domains; d++)
        if (r->primary_use[d])
            domains[nd++] = d;
    int failures = 0;
    for (int i = 0; i < r->n_pending; i++) {
        jm__scenario_pending *p = &r->pending[i];
        char dir[JM_CFG_PATH_MAX + 256], err[512] = "";
        snprintf(dir, sizeof dir, "%s/mlperf/%s/%s/%s", r->opt->out_dir, p->benchmark,
                 jm_scenario_name(p->settings.scenario), p->folder);
        jm_mlperf_run run;
        jm_mlperf_power_sample *ps = NULL;
        size_t n_ps = 0;
        int rc = jm_scenario_mlperf_run(&run, p->benchmark, p->phase, r->cfg->rules.name,
                                        &p->settings, &p->result, offset, p->has_energy,
                                        p->energy_j, p->energy_source, p->estimated, err,
                                        sizeof err);
        if (rc == 0) {
            snprintf(run.joulemark_version, sizeof run.joulemark_version, "%s", JM_VERSION);
            if (p->has_energy &&
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
            jm__runner_progress(r, "warning: MLPerf logs not written to %s: %s\n", dir, err);
        }
    }
    return failures ? -1 : 0;
}

void jm__runner_free_scenarios(runner *r)
{
    for (int i = 0; i < r->n_pending; i++)
        jm_scenario_result_free(&r->pending[i].result);
    free(r->pending);
    r->pending = NULL;
    r->n_pending = r->cap_pending = 0;
}
