/* run_scenario.c - MLPerf scenario runs inside `joulemark run`: for every
 * workload and configured scenario, a ranging run, a testing run (targets
 * from the ranging run) and an accuracy run, each a measured window whose
 * work is the LoadGen-compatible engine (scenario.c). Each (workload,
 * scenario) becomes its own result entry; the engine's records go to the
 * session, from which run_outputs.c writes the LoadGen logs, power files and
 * accuracy files under OUT/mlperf/<workload>/<Scenario>/ (docs/submission.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

static jm_scenario_record *push_record(jm_scenario_records *recs)
{
    if (recs->n == recs->cap) {
        int cap = recs->cap ? recs->cap * 2 : 8;
        jm_scenario_record *p = realloc(recs->v, (size_t)cap * sizeof(*p));
        if (!p)
            return NULL;
        recs->v = p;
        recs->cap = cap;
    }
    jm_scenario_record *p = &recs->v[recs->n++];
    memset(p, 0, sizeof(*p));
    return p;
}

static jm_mlperf_rules engine_rules(const jm_config *cfg)
{
    return strcmp(cfg->rules.name, "mlperf") == 0 ? JM_MLPERF_RULES_MLPERF
                                                   : JM_MLPERF_RULES_QUICK;
}

static void requested_settings(const jm_config *cfg, const jm_scenario_config *sc,
                               const jm_workload_shape *shape, jm_scenario_settings *s)
{
    jm_mlperf_rules_settings(engine_rules(cfg), sc->kind, s);
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

/* The work callback: one engine run over the workload. */
typedef struct engine_work {
    jm_workload_sut sut_state;
    jm_scenario_record *rec;
} engine_work;

static int run_engine(void *arg, jm_work_done *done, char *err, size_t err_len)
{
    engine_work *ew = arg;
    jm_sut sut = {.ctx = &ew->sut_state, .issue = jm_workload_sut_issue, .stop = &jm_interrupted};
    char serr[512] = "";
    if (jm_scenario_run(&ew->rec->settings, &sut, &ew->rec->result, serr, sizeof serr) != 0) {
        snprintf(err, err_len, "scenario engine: %s", serr);
        return -1;
    }
    const jm_scenario_result *res = &ew->rec->result;
    done->tokens = res->tokens;
    done->samples = res->samples;
    done->queries = res->queries;
    done->assignments = ew->sut_state.total.routed_assignments;
    done->dropped_assignments = ew->sut_state.total.dropped_assignments;
    done->flops = ew->sut_state.total.flops;
    done->latency_p50_ns = (double)res->percentile_latency_ns[0];
    done->latency_p90_ns = (double)res->percentile_latency_ns[1];
    done->latency_p99_ns = (double)res->percentile_latency_ns[4];
    return 0;
}

/* One engine run: a result entry in res->workloads[wi], its record in recs. */
static int scenario_phase(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                          jm_results *res, int wi, const char *phase, const char *folder,
                          const jm_scenario_settings *s, jm_scenario_records *recs, char *err,
                          size_t err_len)
{
    const char *scen = jm_scenario_name(s->scenario);
    jm_workload_result *wr = &res->workloads[wi];
    jm_run_result *run = jm_workload_result_add_run(wr);
    jm_scenario_record *p = push_record(recs);
    if (!run || !p) {
        snprintf(err, err_len, "out of memory");
        return JM_EXIT_SYSTEM;
    }
    run->index = wr->n_runs;
    snprintf(run->phase, sizeof run->phase, "%s", phase);
    run->valid = true;
    snprintf(p->benchmark, sizeof p->benchmark, "%s", wc->name);
    snprintf(p->phase, sizeof p->phase, "%s", phase);
    snprintf(p->folder, sizeof p->folder, "%s", folder);
    p->settings = *s;
    p->workload = wi;
    p->run = wr->n_runs - 1;

    engine_work ew = {.sut_state = {.w = w}, .rec = p};
    char label[64], werr[768] = "";
    snprintf(label, sizeof label, "%s:%.32s:%s", phase, wc->name, scen);
    if (jm_measure_window(ctx->win, label, run_engine, &ew, run, werr, sizeof werr) != 0) {
        snprintf(err, err_len, "%s %s run of %s: %s", scen, phase, wc->name, werr);
        jm_scenario_result_free(&p->result);
        recs->n--; /* nothing to log */
        return JM_EXIT_SYSTEM;
    }
    const jm_scenario_result *er = &p->result;
    bool accuracy = strcmp(phase, "accuracy") == 0;
    if (!wr->accuracy_ok && wr->accuracy_tolerance > 0)
        jm_run_result_invalidate(run, "accuracy check failed: relative error %.3g exceeds %.3g",
                                 wr->accuracy_rel_err, wr->accuracy_tolerance);
    if (accuracy) {
        /* judged on accuracy alone (by the caller), not on duration or throughput */
        run->valid = true;
        run->n_invalid_reasons = 0;
    } else if (!er->valid)
        jm_run_result_invalidate(run, "%s: %s", scen,
                                 er->invalid_reason[0] ? er->invalid_reason : "invalid");
    if (er->interrupted)
        jm_run_result_invalidate(run, "interrupted (signal %d)", (int)jm_interrupted);
    if (accuracy)
        return JM_EXIT_OK;
    jm_log(ctx->log, "[%s] %s %s: %llu queries, %llu samples in %.2f s, %.3f mJ/token%s\n",
           wc->name, scen, phase, (unsigned long long)er->queries,
           (unsigned long long)er->samples, run->duration_s, run->mj_per_token,
           run->valid ? "" : " INVALID");
    for (int k = 0; k < run->n_invalid_reasons; k++)
        jm_log(ctx->log, "    invalid: %s\n", run->invalid_reasons[k]);
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

int jm_scenario_runs(const jm_run_ctx *ctx, const jm_workload_config *wc, jm_workload *w,
                     jm_results *res, int plain_index, jm_scenario_records *recs, char *err,
                     size_t err_len)
{
    const jm_config *cfg = ctx->cfg;
    /* copied now: adding entries below may move the workloads array */
    const jm_workload_result *plain = &res->workloads[plain_index];
    const double accuracy_rel_err = plain->accuracy_rel_err;
    const double accuracy_tolerance = plain->accuracy_tolerance;
    const bool accuracy_ok = plain->accuracy_ok;
    const double measured_tokens_per_s = plain_tokens_per_s(plain);
    for (int i = 0; i < cfg->n_scenarios && !jm_interrupted; i++) {
        const jm_scenario_config *sc = &cfg->scenarios[i];
        jm_workload_result *wr = jm_results_add_workload(res);
        if (!wr) {
            snprintf(err, err_len, "out of memory");
            return JM_EXIT_SYSTEM;
        }
        int wi = (int)(wr - res->workloads);
        jm_run_workload_header(wc, wr);
        wr->accuracy_rel_err = accuracy_rel_err;
        wr->accuracy_tolerance = accuracy_tolerance;
        wr->accuracy_ok = accuracy_ok;
        snprintf(wr->scenario, sizeof wr->scenario, "%s", jm_scenario_name(sc->kind));

        jm_scenario_settings s;
        requested_settings(cfg, sc, &wc->shape, &s);
        /* Offline without a given target: expect the throughput the plain runs measured,
         * so the one query is sized for the minimum duration */
        if (sc->kind == JM_SCENARIO_OFFLINE && sc->target_qps <= 0 && measured_tokens_per_s > 0)
            s.target_qps = measured_tokens_per_s / (double)wc->shape.seq_len;
        int rc = scenario_phase(ctx, wc, w, res, wi, "ranging", "ranging", &s, recs, err,
                                err_len);
        if (rc != JM_EXIT_OK || jm_interrupted)
            return rc;
        jm_scenario_settings t;
        jm_mlperf_rules_testing_settings(&s, &recs->v[recs->n - 1].result, &t);
        rc = scenario_phase(ctx, wc, w, res, wi, "testing", "run_1", &t, recs, err, err_len);
        if (rc != JM_EXIT_OK || jm_interrupted)
            return rc;

        /* accuracy mode: the fixed seeded sample set against the fp64 reference;
         * the accuracy run issues exactly the samples that are checked, so that
         * accuracy.txt and effective_accuracy_sample_count agree */
        int n_acc = engine_rules(cfg) == JM_MLPERF_RULES_MLPERF ? 8 : 2;
        if (n_acc > wc->shape.batch_seqs)
            n_acc = wc->shape.batch_seqs;
        jm_scenario_settings a;
        requested_settings(cfg, sc, &wc->shape, &a);
        a.accuracy_mode = true;
        a.performance_sample_count = (uint64_t)n_acc;
        a.total_sample_count = (uint64_t)n_acc;
        rc = scenario_phase(ctx, wc, w, res, wi, "accuracy", "accuracy", &a, recs, err, err_len);
        if (rc != JM_EXIT_OK)
            return rc;
        /* the accuracy run is judged on accuracy alone, not on duration or throughput,
         * and is kept out of the statistics (its phase is "accuracy") */
        wr = &res->workloads[wi];
        jm_run_result *arun = &wr->runs[wr->n_runs - 1];
        jm_scenario_record *p = &recs->v[recs->n - 1];
        char aerr[512];
        if (jm_scenario_accuracy(w, wc->name, JM_MLPERF_QSL_RNG_SEED, n_acc, &p->accuracy, aerr,
                                 sizeof aerr) != 0) {
            snprintf(err, err_len, "accuracy run of %s: %s", wc->name, aerr);
            return JM_EXIT_SYSTEM;
        }
        p->has_accuracy = true;
        if (!p->accuracy.passed)
            jm_run_result_invalidate(arun, "accuracy: relative error %.3g exceeds %.3g",
                                     p->accuracy.rel_err, p->accuracy.tolerance);
        jm_log(ctx->log, "[%s] %s accuracy: %d samples, relative error %.2e (bound %.1e) %s\n",
               wc->name, jm_scenario_name(sc->kind), n_acc, p->accuracy.rel_err,
               p->accuracy.tolerance, p->accuracy.passed ? "PASS" : "FAIL");
    }
    return JM_EXIT_OK;
}

void jm_scenario_records_free(jm_scenario_records *recs)
{
    for (int i = 0; i < recs->n; i++)
        jm_scenario_result_free(&recs->v[i].result);
    free(recs->v);
    recs->v = NULL;
    recs->n = recs->cap = 0;
}
