/* run_describe.c - what a result says about its own run: the config as
 * written and as used (after defaults, presets, --quick and --meter), and
 * each workload's name, kind, parameter and FLOP counts and shape. */
#include <stdio.h>

#include "run_internal.h"

/* The config as used, plus the effective values after defaults, --quick and
 * --meter, so a result can be reproduced. */
cJSON *jm_run_config_as_used(const jm_config *cfg)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "path", cfg->path);
    cJSON_AddItemToObject(c, "as_written", cfg->json ? cJSON_Duplicate(cfg->json, 1) : cJSON_CreateNull());
    cJSON *eff = cJSON_CreateObject();
    const jm_run_rules *r = &cfg->rules;
    cJSON *rules = cJSON_CreateObject();
    cJSON_AddStringToObject(rules, "preset", r->name);
    cJSON_AddNumberToObject(rules, "idle_s", r->idle_s);
    cJSON_AddNumberToObject(rules, "warmup_s", r->warmup_s);
    cJSON_AddNumberToObject(rules, "duration_s", r->duration_s);
    cJSON_AddNumberToObject(rules, "repeats", r->repeats);
    cJSON_AddNumberToObject(rules, "min_batches", r->min_batches);
    cJSON_AddNumberToObject(rules, "threads", r->threads);
    cJSON_AddNumberToObject(rules, "min_samples", r->min_samples);
    cJSON_AddBoolToObject(rules, "verify", r->verify);
    cJSON_AddNumberToObject(rules, "interval_ms", r->interval_ms);
    cJSON_AddItemToObject(eff, "run_rules", rules);
    cJSON *meters = cJSON_CreateArray();
    for (int i = 0; i < cfg->n_meters; i++)
        cJSON_AddItemToArray(meters, cJSON_CreateString(cfg->meters[i]));
    cJSON_AddItemToObject(eff, "meters", meters);
    cJSON_AddStringToObject(eff, "primary_meter", cfg->primary_meter);
    cJSON *cmp = cJSON_CreateArray();
    for (int i = 0; i < cfg->n_comparisons; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "baseline", cfg->comparisons[i].baseline);
        cJSON_AddStringToObject(o, "candidate", cfg->comparisons[i].candidate);
        cJSON_AddItemToArray(cmp, o);
    }
    cJSON_AddItemToObject(eff, "comparisons", cmp);
    if (cfg->carbon_pue > 0 || cfg->carbon_region[0]) {
        cJSON *carbon = cJSON_AddObjectToObject(eff, "carbon");
        if (cfg->carbon_pue > 0)
            cJSON_AddNumberToObject(carbon, "pue", cfg->carbon_pue);
        if (cfg->carbon_region[0])
            cJSON_AddStringToObject(carbon, "region", cfg->carbon_region);
    }
    cJSON_AddItemToObject(c, "effective", eff);
    return c;
}

void jm_run_workload_header(const jm_workload_config *wc, jm_workload_result *wr)
{
    const jm_workload_shape *s = &wc->shape;
    snprintf(wr->name, sizeof wr->name, "%s", wc->name);
    static const char *const kinds[] = {"gemm", "dense", "moe"};
    snprintf(wr->kind, sizeof wr->kind, "%s", kinds[s->kind]);
    wr->params = jm_workload_params(s);
    wr->active_params = jm_workload_active_params(s);
    wr->flops_per_token = jm_workload_flops_per_token(s);
    wr->bytes_per_token = jm_workload_bytes_per_token(s);
    cJSON *shape = cJSON_CreateObject();
    cJSON_AddStringToObject(shape, "type", kinds[s->kind]);
    if (s->kind == JM_WORKLOAD_GEMM) {
        cJSON_AddNumberToObject(shape, "m", s->m);
        cJSON_AddNumberToObject(shape, "n", s->n);
        cJSON_AddNumberToObject(shape, "k", s->k);
    } else {
        cJSON_AddNumberToObject(shape, "d_model", s->d_model);
        cJSON_AddNumberToObject(shape, "n_heads", s->n_heads);
        cJSON_AddNumberToObject(shape, "d_ff", s->d_ff);
        cJSON_AddNumberToObject(shape, "seq_len", s->seq_len);
        cJSON_AddNumberToObject(shape, "batch_seqs", s->batch_seqs);
        cJSON_AddNumberToObject(shape, "tokens_per_batch", (double)s->seq_len * s->batch_seqs);
        if (s->kind == JM_WORKLOAD_MOE) {
            cJSON_AddNumberToObject(shape, "n_experts", s->n_experts);
            cJSON_AddNumberToObject(shape, "top_k", s->top_k);
            cJSON_AddNumberToObject(shape, "capacity_factor", s->capacity_factor);
        }
    }
    cJSON_AddStringToObject(shape, "backend", jm_backend_name(s->backend));
    cJSON_AddStringToObject(shape, "precision", jm_precision_name(s->precision));
    cJSON_AddNumberToObject(shape, "threads", s->threads);
    cJSON_AddNumberToObject(shape, "seed", (double)s->seed);
    wr->shape = shape;
}
