/* run_plan.c - `joulemark run --dry-run`: the plan of a validated config,
 * printed without running anything: workloads with their parameters, active
 * parameters, FLOPs per token and memory; the meters that would be used
 * (each opened to learn whether it is available, then closed) and which one
 * is primary; the run rules, scenarios, comparisons and the expected
 * duration. What would stop the run on this machine (no meter, no CUDA device,
 * too little memory) is reported as a warning: the config itself is valid. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

bool jm_meter_is_primary_choice(const jm_config *cfg, const jm_meter *m)
{
    return cfg->primary_meter[0] ? strcmp(cfg->primary_meter, m->spec.name) == 0
                                 : m->info.kind == JM_METER_MEASURED;
}

static const char *kind_name(jm_workload_kind k)
{
    switch (k) {
    case JM_WORKLOAD_GEMM:
        return "gemm";
    case JM_WORKLOAD_DENSE:
        return "dense";
    case JM_WORKLOAD_MOE:
        return "moe";
    }
    return "?";
}

/* "1.23 G" style count with an SI prefix. */
static void si(char *buf, size_t len, double v, const char *unit)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T", "P"};
    int i = 0;
    while (v >= 1000.0 && i < 5) {
        v /= 1000.0;
        i++;
    }
    snprintf(buf, len, "%.3g %s%s", v, prefix[i], unit);
}

static void print_shape(FILE *out, const jm_workload_shape *s)
{
    if (s->kind == JM_WORKLOAD_GEMM) {
        fprintf(out, "      m=%d n=%d k=%d (a token is a row of A)", s->m, s->n, s->k);
    } else {
        fprintf(out, "      d_model=%d n_heads=%d d_ff=%d seq_len=%d batch_seqs=%d", s->d_model,
                s->n_heads, s->d_ff, s->seq_len, s->batch_seqs);
        if (s->kind == JM_WORKLOAD_MOE) {
            fprintf(out, " n_experts=%d top_k=%d capacity_factor=", s->n_experts, s->top_k);
            if (s->capacity_factor > 0)
                fprintf(out, "%g", s->capacity_factor);
            else
                fprintf(out, "dropless");
        }
    }
    fprintf(out, "\n      backend=%s precision=%s seed=%llu\n", jm_backend_name(s->backend),
            jm_precision_name(s->precision), (unsigned long long)s->seed);
}

static int print_workloads(FILE *out, const jm_config *cfg, int threads)
{
    int warnings = 0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double machine_bytes = pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
    fprintf(out, "workloads (%d), %d thread%s each:\n", cfg->n_workloads, threads,
            threads == 1 ? "" : "s");
    for (int i = 0; i < cfg->n_workloads; i++) {
        const jm_workload_shape *s = &cfg->workloads[i].shape;
        char params[32], active[32], flops[32], bytes[32], mem[32];
        si(params, sizeof params, (double)jm_workload_params(s), "");
        si(active, sizeof active, (double)jm_workload_active_params(s), "");
        si(flops, sizeof flops, jm_workload_flops_per_token(s), "FLOP");
        si(bytes, sizeof bytes, jm_workload_bytes_per_token(s), "B");
        bool gpu = s->backend == JM_BACKEND_CUDA || s->backend == JM_BACKEND_CUBLAS;
        double mem_bytes = (double)(gpu ? jm_cuda_memory_bytes(s) : jm_workload_memory_bytes(s));
        si(mem, sizeof mem, mem_bytes, "B");
        fprintf(out, "  %s (%s)\n", cfg->workloads[i].name, kind_name(s->kind));
        print_shape(out, s);
        fprintf(out,
                "      parameters %s (%llu), active per token %s (%llu), %s per token, %s moved "
                "per token, memory %s (%s)\n",
                params, (unsigned long long)jm_workload_params(s), active,
                (unsigned long long)jm_workload_active_params(s), flops, bytes, mem,
                gpu ? "GPU device memory" : "host memory");
        if (gpu) {
            char reason[256];
            if (!jm_cuda_available(reason, sizeof reason)) {
                fprintf(out, "      WARNING: would fail here: backend %s needs a CUDA device (%s)\n",
                        jm_backend_name(s->backend), reason);
                warnings++;
            }
        } else if (s->backend == JM_BACKEND_OPENBLAS && !jm_gemm_openblas_available()) {
            fprintf(out, "      WARNING: would fail here: backend openblas is not built into this "
                         "joulemark\n");
            warnings++;
        } else if (machine_bytes > 0 && mem_bytes > 0.9 * machine_bytes) {
            char have[32];
            si(have, sizeof have, machine_bytes, "B");
            fprintf(out, "      WARNING: needs %s of this machine's %s of memory\n", mem, have);
            warnings++;
        }
    }
    return warnings;
}

/* Opens each meter to learn whether it is available here, then closes it.
 * Returns JM_EXIT_USAGE for a bad spec (err filled), else the number of
 * warnings through *warnings. */
static int print_meters(FILE *out, const jm_config *cfg, int *warnings, char *err, size_t err_len)
{
    fprintf(out, "meters (in order; the primary one gives the energy figures):\n");
    int primary = -1, first_available = -1, n_available = 0;
    char names[JM_CFG_MAX_METERS][32];
    for (int i = 0; i < cfg->n_meters; i++) {
        jm_meter_spec spec;
        jm_meter m;
        char merr[JM_METER_REASON_MAX];
        if (jm_meter_spec_parse(cfg->meters[i], &spec, merr, sizeof merr) != JM_M_OK) {
            snprintf(err, err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        int rc = jm_meter_open(&spec, &m, merr, sizeof merr);
        if (rc == JM_M_EOPTION) {
            snprintf(err, err_len, "meter \"%s\": %s", cfg->meters[i], merr);
            return JM_EXIT_USAGE;
        }
        snprintf(names[i], sizeof names[i], "%s", spec.name);
        if (rc < 0 || !m.available) {
            fprintf(out, "  %-10s unavailable here: %s\n", cfg->meters[i],
                    rc < 0 ? merr : m.reason);
            if (rc >= 0)
                jm_meter_close(&m);
            continue;
        }
        n_available++;
        fprintf(out, "  %-10s available (%s), domains:", cfg->meters[i],
                m.info.kind == JM_METER_ESTIMATED ? "ESTIMATED" : "measured");
        for (int d = 0; d < m.info.n_domains; d++)
            fprintf(out, " %s", m.info.domains[d]);
        fprintf(out, "\n");
        if (m.info.model[0])
            fprintf(out, "             model: %s\n", m.info.model);
        if (first_available < 0)
            first_available = i;
        if (primary < 0 && jm_meter_is_primary_choice(cfg, &m))
            primary = i;
        jm_meter_close(&m);
    }
    if (n_available == 0) {
        fprintf(out, "  WARNING: would fail here: no meter of the list is available (add "
                     "\"estimate\" or pass --meter estimate)\n");
        (*warnings)++;
    } else if (primary < 0 && cfg->primary_meter[0]) {
        fprintf(out, "  primary: %s (primary_meter)\n", cfg->primary_meter);
        fprintf(out, "  WARNING: would fail here: primary_meter \"%s\" is unavailable\n",
                cfg->primary_meter);
        (*warnings)++;
    } else {
        /* no measured meter: the first available (an estimate) is primary */
        int p = primary >= 0 ? primary : first_available;
        fprintf(out, "  primary: %s%s\n", names[p],
                primary >= 0 ? (cfg->primary_meter[0] ? " (primary_meter)" : " (first measured)")
                             : " (no measured meter here: every figure would be ESTIMATED)");
    }
    return JM_EXIT_OK;
}

/* Seconds the runner spends at least: idle baseline, warm-up and testing runs
 * per workload, and per scenario a ranging and a testing run of the rules'
 * minimum duration (the accuracy run is short). */
static double print_rules(FILE *out, const jm_config *cfg)
{
    const jm_run_rules *r = &cfg->rules;
    fprintf(out,
            "run rules: %s: idle baseline %g s, warm-up %g s, %d testing run%s of at least %g s "
            "and %d batch%s each, at least %d meter samples per run, accuracy check %s, ",
            r->name, r->idle_s, r->warmup_s, r->repeats, r->repeats == 1 ? "" : "s",
            r->duration_s, r->min_batches, r->min_batches == 1 ? "" : "es", r->min_samples,
            r->verify ? "on" : "off");
    if (r->interval_ms)
        fprintf(out, "meters sampled every %u ms\n", r->interval_ms);
    else
        fprintf(out, "meters sampled at their own default intervals\n");
    double per_workload = r->warmup_s + r->repeats * r->duration_s;
    double scenario_s = 0;
    if (cfg->n_scenarios > 0) {
        jm_mlperf_rules er;
        char ignored[128];
        if (jm_mlperf_rules_from_name(r->name, &er, ignored, sizeof ignored) != 0)
            er = JM_MLPERF_RULES_QUICK;
        fprintf(out, "scenarios (each workload, %s rules: ranging, testing and accuracy runs):\n",
                jm_mlperf_rules_name(er));
        for (int i = 0; i < cfg->n_scenarios; i++) {
            const jm_scenario_config *sc = &cfg->scenarios[i];
            jm_scenario_settings s;
            jm_mlperf_rules_settings(er, sc->kind, &s);
            fprintf(out, "  %s: at least %g s per run", jm_scenario_name(sc->kind),
                    (double)s.min_duration_ms / 1000.0);
            if (sc->target_qps > 0)
                fprintf(out, ", target %g queries/s", sc->target_qps);
            if (sc->target_latency_ms > 0)
                fprintf(out, ", latency bound %g ms", sc->target_latency_ms);
            fprintf(out, "\n");
            scenario_s += 2.0 * (double)s.min_duration_ms / 1000.0;
        }
    }
    double total = r->idle_s + cfg->n_workloads * (per_workload + scenario_s);
    fprintf(out,
            "expected duration: at least %.0f s (%.1f min): idle %g s + %d workload%s x (warm-up "
            "%g s + %d x %g s",
            total, total / 60.0, r->idle_s, cfg->n_workloads, cfg->n_workloads == 1 ? "" : "s",
            r->warmup_s, r->repeats, r->duration_s);
    if (scenario_s > 0)
        fprintf(out, " + scenarios %g s", scenario_s);
    fprintf(out, "); creating workloads, accuracy checks and runs that need more than the minimum "
                 "to finish their batches add to it\n");
    return total;
}

int jm_run_print_plan(const jm_config *cfg, const char *config_path, const char *out_dir,
                      bool out_dir_refused, FILE *out, char *err, size_t err_len)
{
    fprintf(out, "plan of %s%s%s%s (dry run: nothing is run or written)\n", config_path,
            cfg->name[0] ? " (\"" : "", cfg->name, cfg->name[0] ? "\")" : "");
    if (cfg->description[0])
        fprintf(out, "  %s\n", cfg->description);
    jm_cache_sizes caches;
    jm_system_caches(&caches);
    int threads = cfg->rules.threads > 0 ? cfg->rules.threads : (caches.cores > 0 ? caches.cores : 1);
    int warnings = print_workloads(out, cfg, threads);
    int rc = print_meters(out, cfg, &warnings, err, err_len);
    if (rc != JM_EXIT_OK)
        return rc;
    print_rules(out, cfg);
    if (cfg->n_comparisons > 0) {
        fprintf(out, "comparisons (candidate vs baseline):");
        for (int i = 0; i < cfg->n_comparisons; i++)
            fprintf(out, "%s %s vs %s", i ? "," : "", cfg->comparisons[i].candidate,
                    cfg->comparisons[i].baseline);
        fprintf(out, "\n");
    }
    if (cfg->carbon_region[0] || cfg->carbon_pue > 0)
        fprintf(out, "carbon: region %s, PUE %g\n", cfg->carbon_region[0] ? cfg->carbon_region : "(none)",
                cfg->carbon_pue > 0 ? cfg->carbon_pue : 1.0);
    fprintf(out, "output: %s (results.json, trace.csv, summary.csv, report.html)\n", out_dir);
    if (out_dir_refused) {
        fprintf(out, "  WARNING: %s already holds files: the run would refuse it without --force\n",
                out_dir);
        warnings++;
    }
    if (warnings > 0)
        fprintf(out, "%d warning%s: the config is valid, but this machine cannot run all of it\n",
                warnings, warnings == 1 ? "" : "s");
    return JM_EXIT_OK;
}
