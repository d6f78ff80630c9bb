/* run_trace.c - copies the sampler's points and phase marks into the
 * result model's trace (one column per meter domain, points sorted by time),
 * so that reports/ can write trace.csv and plots without knowing meters/. */
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

/* Sampler labels "begin:testing:moe-layer:run2" / "end:..." become the
 * trace's phase labels "testing moe-layer run 2" / "end" (reports.h). */
static void trace_label(const char *in, char *out, size_t len)
{
    if (strncmp(in, "end:", 4) == 0 || strcmp(in, "end") == 0) {
        snprintf(out, len, "end");
        return;
    }
    if (strncmp(in, "begin:", 6) == 0)
        in += 6;
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = in; *p && used + 2 < len; p++) {
        if (*p == ':') {
            out[used++] = ' ';
            if (strncmp(p + 1, "run", 3) == 0) {
                used += (size_t)snprintf(out + used, len - used, "run ");
                p += 3;
            }
        } else {
            out[used++] = *p;
        }
        out[used] = '\0';
    }
}

static int cmp_point(const void *a, const void *b)
{
    const jm_trace_point *x = a, *y = b;
    if (x->t_ns != y->t_ns)
        return x->t_ns < y->t_ns ? -1 : 1;
    return x->meter_index - y->meter_index;
}

int jm_runner_build_trace(jm_results *res, jm_sampler *s, const jm_meter *active, int n_active,
                          const int *active_to_result)
{
    jm_trace *t = &res->trace;
    int n_cols = 0;
    size_t n_points = 0;
    for (int a = 0; a < n_active; a++) {
        n_cols += active[a].info.n_domains;
        n_points += jm_sampler_count(s, a);
    }
    t->columns = calloc((size_t)(n_cols ? n_cols : 1), sizeof(*t->columns));
    t->points = calloc(n_points ? n_points : 1, sizeof(*t->points));
    size_t n_marks = jm_sampler_mark_count(s);
    t->marks = calloc(n_marks ? n_marks : 1, sizeof(*t->marks));
    if (!t->columns || !t->points || !t->marks) {
        free(t->columns);
        free(t->points);
        free(t->marks);
        memset(t, 0, sizeof(*t));
        return -1;
    }
    int col = 0;
    size_t p = 0;
    uint64_t origin = UINT64_MAX;
    for (int a = 0; a < n_active; a++) {
        const jm_meter *m = &active[a];
        int first = col;
        int nd = m->info.n_domains < JM_R_MAX_DOMAINS ? m->info.n_domains : JM_R_MAX_DOMAINS;
        for (int d = 0; d < nd; d++, col++) {
            snprintf(t->columns[col].meter, sizeof t->columns[col].meter, "%s", m->spec.name);
            snprintf(t->columns[col].domain, sizeof t->columns[col].domain, "%s", m->info.domains[d]);
            t->columns[col].estimated = m->info.kind == JM_METER_ESTIMATED;
        }
        const jm_sampler_point *pts = jm_sampler_points(s, a);
        size_t n = jm_sampler_count(s, a);
        for (size_t i = 0; i < n; i++, p++) {
            jm_trace_point *tp = &t->points[p];
            tp->t_ns = pts[i].t_ns;
            tp->meter_index = active_to_result[a];
            tp->first_column = first;
            tp->n = nd;
            memcpy(tp->energy_j, pts[i].energy_j, sizeof(double) * (size_t)nd);
            memcpy(tp->power_w, pts[i].power_w, sizeof(double) * (size_t)nd);
            if (tp->t_ns < origin)
                origin = tp->t_ns;
        }
    }
    t->n_columns = col;
    t->n_points = p;
    qsort(t->points, t->n_points, sizeof(*t->points), cmp_point);
    const jm_mark *marks = jm_sampler_marks(s);
    for (size_t i = 0; i < n_marks; i++) {
        t->marks[i].t_ns = marks[i].t_ns;
        trace_label(marks[i].label, t->marks[i].label, sizeof t->marks[i].label);
        if (marks[i].t_ns < origin)
            origin = marks[i].t_ns;
    }
    t->n_marks = n_marks;
    t->t_origin_ns = origin == UINT64_MAX ? 0 : origin;
    return 0;
}
