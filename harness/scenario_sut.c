/* scenario_sut.c - the scenario engine's SUT over a joulemark workload: runs
 * a query's samples through jm_workload_run in chunks of at most batch_seqs
 * sequences and sums the per-call statistics. */
#include <stdio.h>

#include "harness.h"

static void add_stats(jm_run_stats *t, const jm_run_stats *s)
{
    t->tokens += s->tokens;
    t->routed_assignments += s->routed_assignments;
    t->computed_assignments += s->computed_assignments;
    t->dropped_assignments += s->dropped_assignments;
    t->flops += s->flops;
    t->attention_ns += s->attention_ns;
    t->router_ns += s->router_ns;
    t->dispatch_ns += s->dispatch_ns;
    t->experts_ns += s->experts_ns;
    t->combine_ns += s->combine_ns;
    t->ffn_ns += s->ffn_ns;
    t->total_ns += s->total_ns;
}

int jm_workload_sut_issue(void *ctx, int n_samples, char *err, size_t err_len)
{
    jm_workload_sut *ws = ctx;
    int batch = jm_workload_get_shape(ws->w)->batch_seqs;
    if (batch < 1) {
        snprintf(err, err_len, "workload SUT: batch_seqs %d, expected >= 1", batch);
        return -1;
    }
    for (int left = n_samples; left > 0;) {
        int n = left < batch ? left : batch;
        jm_run_stats st = {0};
        if (jm_workload_run(ws->w, n, &st, err, err_len) != 0)
            return -1;
        add_stats(&ws->total, &st);
        ws->calls++;
        left -= n;
    }
    return 0;
}
