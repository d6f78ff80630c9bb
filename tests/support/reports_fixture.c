/* reports_fixture.c - the result model fixture of reports_fixture.h. */
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports_fixture.h"

const double jm_rfix_dense_mj[6] = {10.0, 10.4, 9.8, 10.2, 10.1, 9.9};
const double jm_rfix_moe_mj[6] = {0.62, 0.60, 0.61, 0.64, 0.59, 0.63};

static void add_runs(jm_workload_result *w, const double *mj, bool estimated, uint64_t *t_ns) {
    const char *src = estimated ? "estimate:cpu (ESTIMATED)" : "rapl:package-0+dram-0 (measured)";
    /* one warm-up run that must not count */
    jm_run_result *run = jm_workload_result_add_run(w);
    snprintf(run->phase, sizeof(run->phase), "warmup");
    run->duration_s = JM_RFIX_DURATION_S;
    run->tokens = JM_RFIX_TOKENS;
    run->energy_j = 1000.0; /* absurd on purpose: would show up in any summary */
    run->energy_above_idle_j = 980.0;
    snprintf(run->energy_source, sizeof(run->energy_source), "%s", src);
    run->estimated = estimated;
    jm_run_result_derive(run);
    for (int i = 0; i < 7; i++) {
        run = jm_workload_result_add_run(w);
        run->t0_ns = *t_ns;
        run->t1_ns = *t_ns + (uint64_t)(JM_RFIX_DURATION_S * 1e9);
        *t_ns = run->t1_ns + 100000000ull;
        run->duration_s = JM_RFIX_DURATION_S;
        run->tokens = JM_RFIX_TOKENS;
        run->samples = 10;
        run->queries = 10;
        double e = i < 6 ? mj[i] * 1e-3 * JM_RFIX_TOKENS : 500.0;
        run->energy_j = e;
        run->energy_above_idle_j = e - JM_RFIX_IDLE_W * JM_RFIX_DURATION_S;
        snprintf(run->energy_source, sizeof(run->energy_source), "%s", src);
        run->estimated = estimated;
        run->n_domains = 2;
        const char *doms[2] = {"package-0", "dram-0"};
        for (int d = 0; d < 2; d++) {
            jm_domain_energy *de = &run->domains[d];
            snprintf(de->meter, sizeof(de->meter), "%s", estimated ? "estimate" : "rapl");
            snprintf(de->domain, sizeof(de->domain), "%s", doms[d]);
            de->estimated = estimated;
            de->energy_j = d == 0 ? 0.8 * e : 0.2 * e;
            de->idle_power_w = d == 0 ? 8.0 : 2.0;
            de->energy_above_idle_j = de->energy_j - de->idle_power_w * JM_RFIX_DURATION_S;
            de->n_samples = 40;
            de->max_gap_ms = 51.5;
        }
        run->latency_p50_ns = 2e8;
        run->latency_p90_ns = 2.1e8;
        run->latency_p99_ns = 2.3e8;
        jm_run_result_derive(run);
        if (i == 6) /* the 7th testing run is invalid: must not count */
            jm_run_result_invalidate(run, "only %d samples in the window, need %d", 3, 10);
    }
}

void jm_rfix_build(jm_results *r, bool estimated) {
    jm_results_init(r);
    snprintf(r->joulemark_version, sizeof(r->joulemark_version), "0.1.0");
    snprintf(r->git_describe, sizeof(r->git_describe), "v0.1.0-3-gabc1234");
    snprintf(r->started_utc, sizeof(r->started_utc), "2026-11-27T14:00:00Z");
    snprintf(r->finished_utc, sizeof(r->finished_utc), "2026-11-27T14:03:00Z");
    snprintf(r->config_path, sizeof(r->config_path), "configs/default.json");
    snprintf(r->run_rules, sizeof(r->run_rules), "default");
    r->system =
        cJSON_Parse("{\"cpu\":{\"model\":\"Intel Xeon <test> & co\",\"cores\":2,"
                    "\"pus\":2},\"memory_bytes\":25769803776,\"os\":\"Debian 12\","
                    "\"virtualization\":\"kvm\",\"caches\":[{\"level\":1,\"bytes\":49152}]}");
    r->config = cJSON_Parse("{\"workloads\":[{\"name\":\"dense-layer\"},{\"name\":\"moe-layer\"}],"
                            "\"run_rules\":{\"repeats\":7}}");
    r->idle_duration_s = 5.0;
    r->sampler_cpu_ns = 12000000;
    r->sampler_overhead_pct = 0.3;

    jm_meter_result *m = jm_results_add_meter(r);
    snprintf(m->name, sizeof(m->name), "rapl");
    snprintf(m->spec, sizeof(m->spec), "rapl");
    m->available = !estimated;
    if (estimated)
        snprintf(m->reason, sizeof(m->reason), "no /sys/class/powercap/intel-rapl (VM)");
    snprintf(m->source, sizeof(m->source), "/sys/class/powercap/intel-rapl:0");
    m->n_domains = 2;
    snprintf(m->domains[0], JM_R_NAME_MAX, "package-0");
    snprintf(m->domains[1], JM_R_NAME_MAX, "dram-0");
    m->idle_power_w[0] = 8.0;
    m->idle_power_w[1] = 2.0;
    m->resolution_j = 6.1e-5;
    m->update_period_ms = 1;
    m->interval_ms = 50;
    if (estimated) {
        m = jm_results_add_meter(r);
        snprintf(m->name, sizeof(m->name), "estimate");
        snprintf(m->spec, sizeof(m->spec), "estimate:tdp=65");
        m->estimated = true;
        m->available = true;
        snprintf(m->model, sizeof(m->model), "P = 10 W + (65 W - 10 W) x utilisation");
        m->n_domains = 2;
        snprintf(m->domains[0], JM_R_NAME_MAX, "package-0");
        snprintf(m->domains[1], JM_R_NAME_MAX, "dram-0");
        m->idle_power_w[0] = 8.0;
        m->idle_power_w[1] = 2.0;
        m->interval_ms = 50;
    }

    uint64_t t = 1000000000000ull;
    jm_workload_result *w = jm_results_add_workload(r);
    snprintf(w->name, sizeof(w->name), "dense-layer");
    snprintf(w->kind, sizeof(w->kind), "dense");
    w->shape = cJSON_Parse("{\"d_model\":512,\"d_ff\":65536,\"seq\":256,\"batch\":16}");
    w->params = 68159488;
    w->active_params = 68159488;
    w->flops_per_token = 136318976.0;
    w->bytes_per_token = 4096;
    w->accuracy_rel_err = 2.5e-6;
    w->accuracy_tolerance = 1e-4;
    w->accuracy_ok = true;
    uint64_t t_dense = t + 5000000000ull;
    add_runs(w, jm_rfix_dense_mj, estimated, &t_dense);

    w = jm_results_add_workload(r);
    snprintf(w->name, sizeof(w->name), "moe-layer");
    snprintf(w->kind, sizeof(w->kind), "moe");
    w->shape = cJSON_Parse("{\"d_model\":512,\"experts\":32,\"d_ff\":2048,\"top_k\":1}");
    w->params = 68175872;
    w->active_params = 3162112;
    w->flops_per_token = 6324224.0;
    w->bytes_per_token = 4096;
    w->accuracy_rel_err = 3.1e-6;
    w->accuracy_tolerance = 1e-4;
    w->accuracy_ok = true;
    add_runs(w, jm_rfix_moe_mj, estimated, &t_dense);

    /* trace: 2 columns sampled every 50 ms for 12 s, with marks */
    jm_trace *tr = &r->trace;
    const char *meter = estimated ? "estimate" : "rapl";
    jm_trace_add_column(tr, meter, "package-0", estimated);
    jm_trace_add_column(tr, meter, "dram-0", estimated);
    tr->t_origin_ns = t;
    double e0 = 0, e1 = 0;
    for (int i = 0; i <= 240; i++) {
        jm_trace_point *p = jm_trace_add_point(tr);
        p->t_ns = t + (uint64_t)i * 50000000ull;
        p->meter_index = estimated ? 1 : 0;
        p->first_column = 0;
        p->n = 2;
        double pw = i < 40 ? 8.0 : 8.0 + 30.0 * (0.5 + 0.5 * sin(i * 0.1));
        e0 += pw * 0.05;
        e1 += 2.0 * 0.05;
        p->energy_j[0] = e0;
        p->energy_j[1] = e1;
        p->power_w[0] = i ? pw : NAN; /* first sample: power unknown */
        p->power_w[1] = i ? 2.0 : NAN;
    }
    jm_trace_add_mark(tr, t, "idle");
    jm_trace_add_mark(tr, t + 2000000000ull, "end");
    jm_trace_add_mark(tr, t + 2100000000ull, "warmup dense-layer");
    jm_trace_add_mark(tr, t + 4000000000ull, "testing dense-layer run 1");
    jm_trace_add_mark(tr, t + 8000000000ull, "testing moe-layer run 1");
    jm_trace_add_mark(tr, t + 11000000000ull, "end");

    jm_results_summarize(r);
    char err[256];
    jm_results_compare(r, "dense-layer", "moe-layer", err, sizeof(err));
}

int jm_rfix_tmpdir(char *dir, size_t len) {
    snprintf(dir, len, "/tmp/jm_reports_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void jm_rfix_rmdir(const char *dir) {
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *jm_rfix_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int jm_rfix_write(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}
