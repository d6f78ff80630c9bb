/* results_model.c - lifetime of the result model: init, free, and the
 * add_* functions that grow its arrays (zero-filled new entries). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

void jm_results_init(jm_results *r) {
    memset(r, 0, sizeof(*r));
    r->schema_version = JM_RESULTS_SCHEMA_VERSION;
    r->complete = true;
}

static void trace_free(jm_trace *t) {
    free(t->columns);
    free(t->points);
    free(t->marks);
    memset(t, 0, sizeof(*t));
}

void jm_results_free(jm_results *r) {
    if (!r)
        return;
    for (int i = 0; i < r->n_workloads; i++) {
        cJSON_Delete(r->workloads[i].shape);
        free(r->workloads[i].runs);
    }
    free(r->workloads);
    free(r->meters);
    free(r->comparisons);
    cJSON_Delete(r->system);
    cJSON_Delete(r->config);
    trace_free(&r->trace);
    jm_results_init(r);
}

/* Grows *arr (n elements of size sz) by one zeroed element; NULL when out of memory. */
static void *grow(void **arr, int *n, size_t sz) {
    char *p = realloc(*arr, ((size_t)*n + 1) * sz);
    if (!p)
        return NULL;
    *arr = p;
    char *e = p + (size_t)*n * sz;
    memset(e, 0, sz);
    (*n)++;
    return e;
}

jm_workload_result *jm_results_add_workload(jm_results *r) {
    void *arr = r->workloads;
    jm_workload_result *w = grow(&arr, &r->n_workloads, sizeof(*w));
    r->workloads = arr;
    return w;
}

jm_run_result *jm_workload_result_add_run(jm_workload_result *w) {
    void *arr = w->runs;
    jm_run_result *run = grow(&arr, &w->n_runs, sizeof(*run));
    w->runs = arr;
    if (run) {
        run->index = w->n_runs;
        run->valid = true;
        run->flops = NAN;
        snprintf(run->phase, sizeof(run->phase), "testing");
    }
    return run;
}

jm_meter_result *jm_results_add_meter(jm_results *r) {
    void *arr = r->meters;
    jm_meter_result *m = grow(&arr, &r->n_meters, sizeof(*m));
    r->meters = arr;
    if (m)
        m->available = true;
    return m;
}

jm_comparison *jm__results_add_comparison(jm_results *r) {
    void *arr = r->comparisons;
    jm_comparison *c = grow(&arr, &r->n_comparisons, sizeof(*c));
    r->comparisons = arr;
    return c;
}

/* Trace arrays grow by doubling: the capacity is implicit (the next power of
 * two >= n), so the public struct needs no capacity field. */
static void *grow_pow2(void *arr, size_t n, size_t sz) {
    if (n != 0 && (n & (n - 1)) != 0)
        return arr; /* room left */
    size_t cap = n ? 2 * n : 16;
    return realloc(arr, cap * sz);
}

jm_trace_column *jm_trace_add_column(jm_trace *t, const char *meter, const char *domain,
                                     bool estimated) {
    jm_trace_column *p = grow_pow2(t->columns, (size_t)t->n_columns, sizeof(*p));
    if (!p)
        return NULL;
    t->columns = p;
    jm_trace_column *c = &p[t->n_columns++];
    memset(c, 0, sizeof(*c));
    snprintf(c->meter, sizeof(c->meter), "%s", meter);
    snprintf(c->domain, sizeof(c->domain), "%s", domain);
    c->estimated = estimated;
    return c;
}

jm_trace_point *jm_trace_add_point(jm_trace *t) {
    jm_trace_point *p = grow_pow2(t->points, t->n_points, sizeof(*p));
    if (!p)
        return NULL;
    t->points = p;
    jm_trace_point *pt = &p[t->n_points++];
    memset(pt, 0, sizeof(*pt));
    return pt;
}

jm_trace_mark *jm_trace_add_mark(jm_trace *t, uint64_t t_ns, const char *label) {
    jm_trace_mark *p = grow_pow2(t->marks, t->n_marks, sizeof(*p));
    if (!p)
        return NULL;
    t->marks = p;
    jm_trace_mark *m = &p[t->n_marks++];
    memset(m, 0, sizeof(*m));
    m->t_ns = t_ns;
    snprintf(m->label, sizeof(m->label), "%s", label);
    return m;
}
