/* svg_charts.c - the inline SVG charts of the HTML report, drawn as text:
 * horizontal bars with whiskers for the interval of the median, and power over time per meter domain
 * with the benchmark phases shaded. Every figure drawn also carries its exact
 * value (data-value) and its results.json path (data-key) for tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports_internal.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
#define PALETTE_N ((int)(sizeof(palette) / sizeof(palette[0])))

/* Axis of 5 or fewer "nice" steps covering [0, v]: returns the axis maximum
 * (a whole number of steps) and the step. */
static double nice_axis(double v, double *step) {
    *step = jm__nice_ceil((v > 0 && isfinite(v) ? v : 1.0) / 5.0);
    double steps = ceil(v / *step - 1e-9);
    if (steps < 1)
        steps = 1;
    return steps * *step;
}

double jm__nice_ceil(double v) {
    if (!(v > 0) || !isfinite(v))
        return 1.0;
    double e = pow(10.0, floor(log10(v)));
    const double steps[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (steps[i] * e >= v * (1 - 1e-12))
            return steps[i] * e;
    return 10.0 * e;
}

static void num_attr(jm__buf *b, const char *key, const char *suffix, double v) {
    jm__buf_puts(b, " data-key=\"");
    jm__buf_xml(b, key);
    jm__buf_puts(b, suffix);
    if (isfinite(v))
        jm__buf_printf(b, "\" data-value=\"%.17g\"", v);
    else
        jm__buf_puts(b, "\" data-value=\"null\"");
}

void jm__svg_bars(jm__buf *b, const char *id, const char *title, const char *unit,
                  const jm__bar *bars, int n, double ref_line, const char *ref_label) {
    const double W = 900, left = 320, right = 90, top = 44, row = 34, axis = 40;
    const double H = top + row * (n > 0 ? n : 1) + axis;
    double vmax = ref_line > 0 ? ref_line : 0;
    for (int i = 0; i < n; i++) {
        const jm_stat *s = bars[i].stat;
        if (isfinite(s->median) && s->median > vmax)
            vmax = s->median;
        if (isfinite(s->ci_high) && s->ci_high > vmax)
            vmax = s->ci_high;
    }
    double xstep, xmax = nice_axis(vmax, &xstep);
    double plot_w = W - left - right;
    jm__buf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart bars\" "
                   "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
                   id, W, H, W, H);
    jm__buf_puts(b, "<title>");
    jm__buf_xml(b, title);
    jm__buf_puts(b, "</title>\n<text class=\"chart-title\" x=\"10\" y=\"20\">");
    jm__buf_xml(b, title);
    jm__buf_puts(b, " (");
    jm__buf_xml(b, unit);
    jm__buf_puts(b, ", median with the interval of the median)</text>\n");
    /* axis and ticks */
    double y_axis = top + row * (n > 0 ? n : 1);
    jm__buf_printf(b,
                   "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#333\"/>\n",
                   left, y_axis, left + plot_w, y_axis);
    for (int k = 0; k * xstep <= xmax * (1 + 1e-9); k++) {
        double v = k * xstep, x = left + plot_w * v / xmax;
        jm__buf_printf(b,
                       "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"#ddd\"/>\n<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"middle\">%.4g</text>\n",
                       x, top - 4, x, y_axis, x, y_axis + 16, v);
    }
    jm__buf_printf(b, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                   left + plot_w / 2, y_axis + 34);
    jm__buf_xml(b, unit);
    jm__buf_puts(b, "</text>\n");
    if (n == 0)
        jm__buf_printf(b, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\">no data</text>\n", left,
                       top + row / 2);
    for (int i = 0; i < n; i++) {
        const jm_stat *s = bars[i].stat;
        double y = top + row * i + 6, h = row - 12;
        const char *color = palette[i % PALETTE_N];
        jm__buf_puts(b, "<g class=\"bar\">\n<text class=\"bar-label\" x=\"");
        jm__buf_printf(b, "%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + h / 2 + 4);
        jm__buf_xml(b, bars[i].label);
        if (bars[i].estimated)
            jm__buf_puts(b, " (ESTIMATED)");
        jm__buf_puts(b, "</text>\n");
        double wbar = isfinite(s->median) ? plot_w * s->median / xmax : 0;
        jm__buf_printf(b,
                       "<rect class=\"bar-fill%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
                       "height=\"%.1f\" fill=\"%s\"%s",
                       bars[i].estimated ? " estimated" : "", left, y, wbar > 0 ? wbar : 0, h,
                       color, bars[i].estimated ? " fill-opacity=\"0.45\"" : "");
        num_attr(b, bars[i].data_key, ".median", s->median);
        char ci[96];
        jm__buf_printf(b, "><title>median %.6g %s (n = %d", s->median, unit, s->n);
        jm__buf_puts(b, "; ");
        jm__buf_xml(b, jm__fmt_ci(ci, sizeof(ci), s, "%.4g", ""));
        jm__buf_puts(b, ")</title></rect>\n");
        if (isfinite(s->ci_low) && isfinite(s->ci_high)) {
            double x0 = left + plot_w * s->ci_low / xmax;
            double x1 = left + plot_w * s->ci_high / xmax;
            double yc = y + h / 2;
            jm__buf_printf(b,
                           "<line class=\"whisker\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
                           "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"/>\n",
                           x0, yc, x1, yc);
            jm__buf_printf(b,
                           "<line class=\"whisker-cap\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
                           "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"",
                           x0, y + 3, x0, y + h - 3);
            num_attr(b, bars[i].data_key, ".ci_low", s->ci_low);
            jm__buf_puts(b, "/>\n");
            jm__buf_printf(b,
                           "<line class=\"whisker-cap\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
                           "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"",
                           x1, y + 3, x1, y + h - 3);
            num_attr(b, bars[i].data_key, ".ci_high", s->ci_high);
            jm__buf_puts(b, "/>\n");
        }
        char v[32];
        double xl = left + (wbar > 0 ? wbar : 0) + 6;
        if (isfinite(s->ci_high))
            xl = fmax(xl, left + plot_w * s->ci_high / xmax + 6);
        jm__buf_printf(b, "<text class=\"bar-value\" x=\"%.1f\" y=\"%.1f\">%s</text>\n</g>\n", xl,
                       y + h / 2 + 4, jm__fmt(v, sizeof(v), "%.4g", s->median));
    }
    if (ref_line > 0) {
        double x = left + plot_w * ref_line / xmax;
        jm__buf_printf(b,
                       "<line class=\"ref-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n<text class=\"ref-label\" "
                       "x=\"%.1f\" y=\"%.1f\">",
                       x, top - 6, x, y_axis, x + 3, top - 8);
        jm__buf_xml(b, ref_label ? ref_label : "");
        jm__buf_puts(b, "</text>\n");
    }
    jm__buf_puts(b, "</svg>\n");
}

static const char *phase_color(const char *phase) {
    if (strcmp(phase, "idle") == 0)
        return "#bbbbbb";
    if (strcmp(phase, "warmup") == 0 || strcmp(phase, "warm-up") == 0)
        return "#f2d16b";
    if (strcmp(phase, "ranging") == 0)
        return "#f4a259";
    if (strcmp(phase, "testing") == 0)
        return "#8fd18f";
    return NULL; /* "end" and unknown phases are not shaded */
}

/* Power of column k at point i: the given power, or dE/dt from the previous
 * point of the same meter. */
static double point_power(const jm_trace *t, size_t i, int k, size_t *prev_of_meter) {
    const jm_trace_point *p = &t->points[i];
    if (isfinite(p->power_w[k]))
        return p->power_w[k];
    size_t j = prev_of_meter[i];
    if (j == (size_t)-1)
        return NAN;
    const jm_trace_point *q = &t->points[j];
    double dt = ((double)p->t_ns - (double)q->t_ns) * 1e-9;
    if (dt <= 0 || q->first_column != p->first_column || k >= q->n)
        return NAN;
    return (p->energy_j[k] - q->energy_j[k]) / dt;
}

void jm__svg_power(jm__buf *b, const char *id, const jm_trace *t, bool results_estimated) {
    const double W = 760, left = 60, right = 20, top = 30, bottom = 48;
    const double legend_rows = (t->n_columns + 2) / 3;
    const double H = 300 + bottom + 16 * legend_rows;
    const double pw = W - left - right, ph = 300 - top;
    /* previous point of the same meter (same first column) for dE/dt */
    size_t *prev = t->n_points ? malloc(t->n_points * sizeof(*prev)) : NULL;
    size_t last[JM_R_MAX_DOMAINS * 4];
    int n_last = (int)(sizeof(last) / sizeof(last[0]));
    for (int i = 0; i < n_last; i++)
        last[i] = (size_t)-1;
    double tmax = 0, pmax = 0;
    for (size_t i = 0; prev && i < t->n_points; i++) {
        int fc = t->points[i].first_column;
        prev[i] = (fc >= 0 && fc < n_last) ? last[fc] : (size_t)-1;
        if (fc >= 0 && fc < n_last)
            last[fc] = i;
    }
    for (size_t i = 0; prev && i < t->n_points; i++) {
        double ts = ((double)t->points[i].t_ns - (double)t->t_origin_ns) * 1e-9;
        tmax = fmax(tmax, ts);
        for (int k = 0; k < t->points[i].n && k < JM_R_MAX_DOMAINS; k++) {
            double p = point_power(t, i, k, prev);
            if (isfinite(p))
                pmax = fmax(pmax, p);
        }
    }
    for (size_t i = 0; i < t->n_marks; i++)
        tmax = fmax(tmax, ((double)t->marks[i].t_ns - (double)t->t_origin_ns) * 1e-9);
    double xstep, ystep;
    double xmax = nice_axis(tmax > 0 ? tmax : 1, &xstep),
           ymax = nice_axis(pmax > 0 ? pmax : 1, &ystep);
    jm__buf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart power\" "
                   "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                   "data-points=\"%zu\">\n<title>Power over time per meter domain</title>\n"
                   "<text class=\"chart-title\" x=\"10\" y=\"18\">Power over time per meter "
                   "domain (W; shaded: idle, warm-up, ranging, testing)</text>\n",
                   id, W, H, W, H, t->n_points);
    /* phase shading */
    for (size_t i = 0; i < t->n_marks; i++) {
        char phase[32];
        jm__mark_phase(t->marks[i].label, phase, sizeof(phase));
        const char *color = phase_color(phase);
        if (!color)
            continue;
        double t0 = ((double)t->marks[i].t_ns - (double)t->t_origin_ns) * 1e-9;
        double t1 = i + 1 < t->n_marks
                        ? ((double)t->marks[i + 1].t_ns - (double)t->t_origin_ns) * 1e-9
                        : tmax;
        if (t1 <= t0)
            continue;
        /* phase is one of the known names (phase_color matched it): no escaping needed */
        jm__buf_printf(b,
                       "<rect class=\"phase phase-%s\" data-phase=\"%s\" x=\"%.2f\" y=\"%.1f\" "
                       "width=\"%.2f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.35\">"
                       "<title>",
                       phase, phase, left + pw * t0 / xmax, top, pw * (t1 - t0) / xmax, ph, color);
        jm__buf_xml(b, t->marks[i].label);
        jm__buf_printf(b, " (%.3f s to %.3f s)</title></rect>\n", t0, t1);
    }
    /* axes and ticks */
    jm__buf_printf(b,
                   "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#333\"/>\n<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                   "y2=\"%.1f\" stroke=\"#333\"/>\n",
                   left, top + ph, left + pw, top + ph, left, top, left, top + ph);
    for (int k = 0; k * xstep <= xmax * (1 + 1e-9); k++)
        jm__buf_printf(b,
                       "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g"
                       "</text>\n",
                       left + pw * k * xstep / xmax, top + ph + 16, k * xstep);
    for (int k = 0; k * ystep <= ymax * (1 + 1e-9); k++)
        jm__buf_printf(b,
                       "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"#eee\"/>\n<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"end\">%.4g</text>\n",
                       left, top + ph - ph * k * ystep / ymax, left + pw,
                       top + ph - ph * k * ystep / ymax, left - 6,
                       top + ph - ph * k * ystep / ymax + 4, k * ystep);
    jm__buf_printf(b,
                   "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time "
                   "(s)</text>\n<text class=\"axis-label\" x=\"14\" y=\"%.1f\" "
                   "transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">power (W)</text>\n",
                   left + pw / 2, top + ph + 36, top + ph / 2, top + ph / 2);
    if (t->n_points == 0)
        jm__buf_printf(b,
                       "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\">no trace samples were "
                       "recorded</text>\n",
                       left + 20, top + ph / 2);
    /* one polyline per column; long traces are thinned to ~1500 points per line */
    for (int c = 0; prev && c < t->n_columns; c++) {
        size_t count = 0;
        for (size_t i = 0; i < t->n_points; i++) {
            const jm_trace_point *p = &t->points[i];
            if (c >= p->first_column && c < p->first_column + p->n)
                count++;
        }
        size_t stride = count > 1500 ? (count + 1499) / 1500 : 1, seen = 0, drawn = 0;
        const char *color = palette[c % PALETTE_N];
        jm__buf_printf(b, "<polyline class=\"series\" data-column=\"%d\" data-meter=\"", c);
        jm__buf_xml(b, t->columns[c].meter);
        jm__buf_puts(b, "\" data-domain=\"");
        jm__buf_xml(b, t->columns[c].domain);
        jm__buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"", color,
                       t->columns[c].estimated ? " stroke-dasharray=\"6 3\"" : "");
        for (size_t i = 0; i < t->n_points; i++) {
            const jm_trace_point *p = &t->points[i];
            if (c < p->first_column || c >= p->first_column + p->n)
                continue;
            if (seen++ % stride)
                continue;
            double pwr = point_power(t, i, c - p->first_column, prev);
            if (!isfinite(pwr))
                continue;
            double ts = ((double)p->t_ns - (double)t->t_origin_ns) * 1e-9;
            jm__buf_printf(b, "%s%.2f,%.2f", drawn++ ? " " : "", left + pw * ts / xmax,
                           top + ph - ph * fmin(fmax(pwr, 0), ymax) / ymax);
        }
        jm__buf_printf(b, "\" data-drawn=\"%zu\"/>\n", drawn);
    }
    /* legend */
    for (int c = 0; c < t->n_columns; c++) {
        double x = left + 10 + (c % 3) * 230;
        double ly = top + ph + bottom + 10 + (c / 3) * 16;
        jm__buf_printf(b,
                       "<g class=\"legend\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                       "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.1f\" "
                       "y=\"%.1f\">",
                       x, ly - 4, x + 18, ly - 4, palette[c % PALETTE_N], x + 22, ly);
        jm__buf_xml(b, t->columns[c].meter);
        jm__buf_puts(b, ":");
        jm__buf_xml(b, t->columns[c].domain);
        jm__buf_puts(b, !t->columns[c].estimated ? " (measured)"
                        : results_estimated    ? " (ESTIMATED)"
                                               : " (estimate: side reading)");
        jm__buf_puts(b, "</text></g>\n");
    }
    jm__buf_puts(b, "</svg>\n");
    free(prev);
}
