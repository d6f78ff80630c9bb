/* results_json_write.c - the result model as results.json (schema of
 * docs/results.md): every figure's unit is in its key name, and each run,
 * summary and comparison says which meter its energy came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

static cJSON *strings_array(const char (*items)[JM_R_TEXT_MAX], int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    return a;
}

static cJSON *kind_string(bool estimated) {
    return cJSON_CreateString(estimated ? "estimated" : "measured");
}

static cJSON *meter_json(const jm_meter_result *m) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "spec", m->spec);
    cJSON_AddItemToObject(o, "kind", kind_string(m->estimated));
    cJSON_AddBoolToObject(o, "primary", m->primary);
    cJSON_AddBoolToObject(o, "available", m->available);
    cJSON_AddStringToObject(o, "reason", m->reason);
    cJSON_AddStringToObject(o, "source", m->source);
    cJSON_AddStringToObject(o, "model", m->model);
    cJSON *doms = cJSON_AddArrayToObject(o, "domains");
    for (int i = 0; i < m->n_domains && i < JM_R_MAX_DOMAINS; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", m->domains[i]);
        cJSON_AddStringToObject(d, "type", m->domain_type[i]);
        cJSON_AddBoolToObject(d, "summed", m->domain_summed[i]);
        cJSON_AddStringToObject(d, "why", m->domain_why[i]);
        cJSON_AddItemToObject(d, "idle_power_w", jm__json_num(m->idle_power_w[i]));
        cJSON_AddItemToArray(doms, d);
    }
    cJSON_AddItemToObject(o, "resolution_j", jm__json_num(m->resolution_j));
    cJSON_AddNumberToObject(o, "update_period_ms", m->update_period_ms);
    cJSON_AddNumberToObject(o, "interval_ms", m->interval_ms);
    cJSON_AddBoolToObject(o, "failed", m->failed);
    cJSON_AddStringToObject(o, "failure", m->failure);
    return o;
}

static cJSON *run_json(const jm_run_result *run) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", run->index);
    cJSON_AddStringToObject(o, "phase", run->phase);
    cJSON_AddNumberToObject(o, "round", run->round);
    cJSON_AddNumberToObject(o, "t0_ns", (double)run->t0_ns);
    cJSON_AddNumberToObject(o, "t1_ns", (double)run->t1_ns);
    cJSON_AddItemToObject(o, "duration_s", jm__json_num(run->duration_s));
    cJSON_AddNumberToObject(o, "tokens", (double)run->tokens);
    cJSON_AddNumberToObject(o, "samples", (double)run->samples);
    cJSON_AddNumberToObject(o, "queries", (double)run->queries);
    cJSON_AddNumberToObject(o, "assignments", (double)run->assignments);
    cJSON_AddNumberToObject(o, "dropped_assignments", (double)run->dropped_assignments);
    cJSON_AddItemToObject(o, "tokens_processed", jm__json_num(run->tokens_processed));
    cJSON_AddItemToObject(o, "flops", jm__json_num(run->flops));
    cJSON_AddItemToObject(o, "energy_j", jm__json_num(run->energy_j));
    cJSON_AddItemToObject(o, "energy_above_idle_j", jm__json_num(run->energy_above_idle_j));
    cJSON_AddItemToObject(o, "avg_power_w", jm__json_num(run->avg_power_w));
    cJSON_AddItemToObject(o, "tokens_per_s", jm__json_num(run->tokens_per_s));
    cJSON_AddItemToObject(o, "tokens_per_j", jm__json_num(run->tokens_per_j));
    cJSON_AddItemToObject(o, "mj_per_token", jm__json_num(run->mj_per_token));
    cJSON_AddItemToObject(o, "tokens_per_j_above_idle", jm__json_num(run->tokens_per_j_above_idle));
    cJSON_AddItemToObject(o, "mj_per_token_above_idle", jm__json_num(run->mj_per_token_above_idle));
    cJSON_AddStringToObject(o, "energy_source", run->energy_source);
    cJSON_AddItemToObject(o, "energy_kind", kind_string(run->estimated));
    cJSON *doms = cJSON_AddArrayToObject(o, "domains");
    for (int i = 0; i < run->n_domains && i < JM_R_MAX_DOMAINS; i++) {
        const jm_domain_energy *d = &run->domains[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "meter", d->meter);
        cJSON_AddStringToObject(e, "domain", d->domain);
        cJSON_AddItemToObject(e, "kind", kind_string(d->estimated));
        cJSON_AddItemToObject(e, "energy_j", jm__json_num(d->energy_j));
        cJSON_AddItemToObject(e, "idle_power_w", jm__json_num(d->idle_power_w));
        cJSON_AddItemToObject(e, "energy_above_idle_j", jm__json_num(d->energy_above_idle_j));
        cJSON_AddNumberToObject(e, "n_samples", (double)d->n_samples);
        cJSON_AddItemToObject(e, "max_gap_ms", jm__json_num(d->max_gap_ms));
        cJSON_AddItemToArray(doms, e);
    }
    if (run->counters) {
        cJSON *hc = cJSON_AddObjectToObject(o, "counters");
        cJSON_AddItemToObject(hc, "cycles", jm__json_num(run->cycles));
        cJSON_AddItemToObject(hc, "instructions", jm__json_num(run->instructions));
        cJSON_AddItemToObject(hc, "fp_ops", jm__json_num(run->fp_ops));
        cJSON_AddItemToObject(hc, "instructions_per_j", jm__json_num(run->instructions_per_j));
        cJSON_AddItemToObject(hc, "gflops", jm__json_num(run->counter_gflops));
    } else {
        cJSON_AddNullToObject(o, "counters");
    }
    cJSON_AddItemToObject(o, "latency_p50_ns", jm__json_num(run->latency_p50_ns));
    cJSON_AddItemToObject(o, "latency_p90_ns", jm__json_num(run->latency_p90_ns));
    cJSON_AddItemToObject(o, "latency_p99_ns", jm__json_num(run->latency_p99_ns));
    cJSON_AddBoolToObject(o, "valid", run->valid);
    cJSON_AddItemToObject(o, "invalid_reasons",
                          strings_array(run->invalid_reasons, run->n_invalid_reasons));
    return o;
}

static cJSON *summary_json(const jm_workload_result *w) {
    const jm_run_summary *s = &w->summary;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "valid_runs", s->valid_runs);
    const char *src = "";
    bool est = false;
    for (int i = 0; i < w->n_runs; i++) {
        if (w->runs[i].estimated)
            est = true;
        if (!src[0] && jm__run_counts(&w->runs[i]))
            src = w->runs[i].energy_source;
    }
    cJSON_AddStringToObject(o, "energy_source", src);
    cJSON_AddItemToObject(o, "energy_kind", kind_string(est));
    cJSON_AddItemToObject(o, "duration_s", jm__stat_to_json(&s->duration_s));
    cJSON_AddItemToObject(o, "energy_j", jm__stat_to_json(&s->energy_j));
    cJSON_AddItemToObject(o, "energy_above_idle_j", jm__stat_to_json(&s->energy_above_idle_j));
    cJSON_AddItemToObject(o, "avg_power_w", jm__stat_to_json(&s->avg_power_w));
    cJSON_AddItemToObject(o, "tokens_per_s", jm__stat_to_json(&s->tokens_per_s));
    cJSON_AddItemToObject(o, "tokens_per_j", jm__stat_to_json(&s->tokens_per_j));
    cJSON_AddItemToObject(o, "mj_per_token", jm__stat_to_json(&s->mj_per_token));
    cJSON_AddItemToObject(o, "mj_per_token_above_idle",
                          jm__stat_to_json(&s->mj_per_token_above_idle));
    cJSON_AddItemToObject(o, "gflops", jm__json_num(s->gflops));
    cJSON_AddItemToObject(o, "peak_share", jm__json_num(s->peak_share));
    return o;
}

static cJSON *workload_json(const jm_workload_result *w) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", w->name);
    cJSON_AddStringToObject(o, "kind", w->kind);
    cJSON_AddItemToObject(o, "shape",
                          w->shape ? cJSON_Duplicate(w->shape, true) : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "params", (double)w->params);
    cJSON_AddNumberToObject(o, "active_params", (double)w->active_params);
    cJSON_AddItemToObject(o, "flops_per_token", jm__json_num(w->flops_per_token));
    cJSON_AddItemToObject(o, "bytes_per_token", jm__json_num(w->bytes_per_token));
    cJSON *acc = cJSON_AddObjectToObject(o, "accuracy");
    cJSON_AddItemToObject(acc, "rel_err", jm__json_num(w->accuracy_rel_err));
    cJSON_AddItemToObject(acc, "tolerance", jm__json_num(w->accuracy_tolerance));
    cJSON_AddBoolToObject(acc, "ok", w->accuracy_ok);
    cJSON_AddStringToObject(o, "scenario", w->scenario);
    cJSON_AddItemToObject(o, "fma_peak_gflops",
                          w->fma_peak_gflops > 0 ? cJSON_CreateNumber(w->fma_peak_gflops)
                                                 : cJSON_CreateNull());
    cJSON *runs = cJSON_AddArrayToObject(o, "runs");
    for (int i = 0; i < w->n_runs; i++)
        cJSON_AddItemToArray(runs, run_json(&w->runs[i]));
    cJSON_AddItemToObject(o, "summary", summary_json(w));
    return o;
}

static cJSON *comparison_json(const jm_comparison *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "baseline", c->baseline);
    cJSON_AddStringToObject(o, "candidate", c->candidate);
    cJSON_AddItemToObject(o, "params_ratio", jm__json_num(c->params_ratio));
    cJSON_AddItemToObject(o, "active_params_ratio", jm__json_num(c->active_params_ratio));
    cJSON_AddItemToObject(o, "flops_ratio", jm__json_num(c->flops_ratio));
    cJSON_AddItemToObject(o, "energy_per_token_ratio",
                          jm__stat_to_json(&c->energy_per_token_ratio));
    cJSON_AddItemToObject(o, "energy_per_token_ratio_above_idle",
                          jm__stat_to_json(&c->energy_per_token_ratio_above_idle));
    cJSON_AddStringToObject(o, "energy_source", c->energy_source);
    cJSON_AddItemToObject(o, "energy_kind", kind_string(c->estimated));
    cJSON_AddBoolToObject(o, "estimated", c->estimated);
    cJSON_AddStringToObject(o, "pairing", c->pairing);
    cJSON_AddItemToObject(o, "gflops_ratio", jm__json_num(c->gflops_ratio));
    cJSON_AddBoolToObject(o, "kernel_efficiency_differs", c->efficiency_differs);
    return o;
}

static cJSON *trace_json(const jm_trace *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", "trace.csv");
    cJSON_AddNumberToObject(o, "t_origin_ns", (double)t->t_origin_ns);
    cJSON_AddNumberToObject(o, "n_points", (double)t->n_points);
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (int i = 0; i < t->n_columns; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "meter", t->columns[i].meter);
        cJSON_AddStringToObject(c, "domain", t->columns[i].domain);
        cJSON_AddItemToObject(c, "kind", kind_string(t->columns[i].estimated));
        cJSON_AddItemToArray(cols, c);
    }
    cJSON *marks = cJSON_AddArrayToObject(o, "marks");
    for (size_t i = 0; i < t->n_marks; i++) {
        cJSON *m = cJSON_CreateObject();
        double t_s = ((double)t->marks[i].t_ns - (double)t->t_origin_ns) * 1e-9;
        cJSON_AddNumberToObject(m, "t_s", t_s);
        cJSON_AddNumberToObject(m, "t_ns", (double)t->marks[i].t_ns);
        cJSON_AddStringToObject(m, "label", t->marks[i].label);
        cJSON_AddItemToArray(marks, m);
    }
    return o;
}

cJSON *jm_results_to_json(const jm_results *r) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "schema_version", r->schema_version);
    cJSON_AddStringToObject(o, "joulemark_version", r->joulemark_version);
    cJSON_AddStringToObject(o, "git_describe", r->git_describe);
    cJSON_AddStringToObject(o, "started_utc", r->started_utc);
    cJSON_AddStringToObject(o, "finished_utc", r->finished_utc);
    cJSON_AddStringToObject(o, "config_path", r->config_path);
    cJSON_AddStringToObject(o, "run_rules", r->run_rules);
    cJSON_AddBoolToObject(o, "quick", r->quick);
    cJSON_AddBoolToObject(o, "complete", r->complete);
    cJSON_AddStringToObject(o, "incomplete_reason", r->incomplete_reason);
    cJSON_AddBoolToObject(o, "estimated", r->estimated);
    cJSON_AddItemToObject(o, "system",
                          r->system ? cJSON_Duplicate(r->system, true) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "config",
                          r->config ? cJSON_Duplicate(r->config, true) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "idle_duration_s", jm__json_num(r->idle_duration_s));
    if (r->idle_reason[0])
        cJSON_AddStringToObject(o, "idle_reason", r->idle_reason);
    else
        cJSON_AddNullToObject(o, "idle_reason");
    cJSON_AddNumberToObject(o, "sampler_cpu_ns", (double)r->sampler_cpu_ns);
    cJSON_AddItemToObject(o, "sampler_overhead_pct", jm__json_num(r->sampler_overhead_pct));
    if (r->fma_peak_gflops > 0) {
        cJSON *pk = cJSON_AddObjectToObject(o, "fma_peak");
        cJSON_AddStringToObject(pk, "kernel", r->fma_peak_kernel);
        cJSON_AddNumberToObject(pk, "threads", r->fma_peak_threads);
        cJSON_AddNumberToObject(pk, "gflops", r->fma_peak_gflops);
        cJSON_AddItemToObject(pk, "gflops_1_thread", jm__json_num(r->fma_peak_gflops_1));
    } else {
        cJSON_AddNullToObject(o, "fma_peak");
    }
    cJSON *hc = cJSON_AddObjectToObject(o, "hardware_counters");
    cJSON_AddBoolToObject(hc, "available", r->counters_available);
    cJSON_AddStringToObject(hc, "reason", r->counters_reason);
    cJSON *meters = cJSON_AddArrayToObject(o, "meters");
    for (int i = 0; i < r->n_meters; i++)
        cJSON_AddItemToArray(meters, meter_json(&r->meters[i]));
    cJSON *wls = cJSON_AddArrayToObject(o, "workloads");
    for (int i = 0; i < r->n_workloads; i++)
        cJSON_AddItemToArray(wls, workload_json(&r->workloads[i]));
    cJSON *cmps = cJSON_AddArrayToObject(o, "comparisons");
    for (int i = 0; i < r->n_comparisons; i++)
        cJSON_AddItemToArray(cmps, comparison_json(&r->comparisons[i]));
    cJSON_AddItemToObject(o, "trace", trace_json(&r->trace));
    return o;
}

int jm__write_results_json(const jm_results *r, const char *path, char *err, size_t err_len) {
    cJSON *j = jm_results_to_json(r);
    char *text = j ? jm__json_print(j, true) : NULL;
    cJSON_Delete(j);
    if (!text) {
        snprintf(err, err_len, "%s: out of memory while building results.json", path);
        return JM_R_ENOMEM;
    }
    size_t len = strlen(text);
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        snprintf(err, err_len, "%s: out of memory", path);
        return JM_R_ENOMEM;
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    int rc = jm_write_file_atomic(path, withnl, len + 1, err, err_len);
    free(withnl);
    return rc;
}
