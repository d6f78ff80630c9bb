/* reports_internal.h - helpers shared by the files of reports/ (private to
 * reports/; not part of the public API): a growable text buffer, number
 * formatting that keeps NaN/inf out of the outputs, and XML escaping. */
#ifndef JM_REPORTS_INTERNAL_H
#define JM_REPORTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "reports.h"

/* Growable NUL-terminated text. On allocation failure `failed` is set and
 * further appends are ignored; the writer checks it once before writing. */
typedef struct jm__buf {
    char *data;
    size_t len, cap;
    bool failed;
} jm__buf;

void jm__buf_init(jm__buf *b);
void jm__buf_free(jm__buf *b);
void jm__buf_puts(jm__buf *b, const char *s);
void jm__buf_printf(jm__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s escaped for XML/HTML text and attribute values (& < > " '). */
void jm__buf_xml(jm__buf *b, const char *s);
/* Appends s as a CSV field (quoted when it holds , " or a line break). */
void jm__buf_csv(jm__buf *b, const char *s);
/* Writes the buffer to path atomically; fails with JM_R_ENOMEM if b->failed. */
int jm__buf_write(const jm__buf *b, const char *path, char *err, size_t err_len);

/* cJSON_Print (formatted) or cJSON_PrintUnformatted of j with every byte
 * that is not valid UTF-8 replaced by U+FFFD (cJSON copies string bytes as
 * they are); free() the result. NULL when out of memory. */
char *jm__json_print(const cJSON *j, bool formatted);
/* cJSON number or null when not finite (JSON has no NaN). */
cJSON *jm__json_num(double v);
/* A jm_stat as an object {n, median, mean, min, max, stddev, ci_method, scale,
 * ci_coverage, ci_low, ci_high}. */
cJSON *jm__stat_to_json(const jm_stat *s);
/* Formats v with fmt, or "n/a" when not finite, into buf. */
const char *jm__fmt(char *buf, size_t len, const char *fmt, double v);

/* Phase of a trace mark label: its first word ("testing dense run 1" -> "testing"). */
void jm__mark_phase(const char *label, char *phase, size_t len);
/* Label of the mark in effect at t_ns ("" before the first mark). */
const char *jm__trace_label_at(const jm_trace *t, uint64_t t_ns);

/* Appends a zeroed comparison (NULL when out of memory). */
jm_comparison *jm__results_add_comparison(jm_results *r);

/* Rank k of the order-statistic interval [x(k), x(n-k+1)] of the median of
 * n values: the largest with coverage >= JM_CI_TARGET_COVERAGE, else 1 (for
 * n >= 2); 0 when n < 2. */
int jm__median_ci_rank(int n);
/* Exact coverage 1 - 2 P(B <= k-1), B ~ Bin(n, 1/2), of [x(k), x(n-k+1)]. */
double jm__median_ci_coverage(int n, int k);
/* "93.75% order-statistic CI 17.9-21.6x" (numbers with num_fmt, then unit),
 * or "no CI (n = 1)"; the coverage is truncated, never rounded up. */
const char *jm__fmt_ci(char *buf, size_t len, const jm_stat *s, const char *num_fmt,
                       const char *unit);
/* Coverage as a percentage truncated to 2 decimals without trailing zeros
 * ("93.75", "75", "96.87"), or "n/a". */
const char *jm__fmt_coverage(char *buf, size_t len, double coverage);
/* True when the run counts in summaries: valid and of the testing phase. */
bool jm__run_counts(const jm_run_result *run);
/* Workload by name, or NULL. */
const jm_workload_result *jm__find_workload(const jm_results *r, const char *name);
/* "name" or "name [Scenario]" for display (buf holds the latter). */
const char *jm__workload_label(const jm_workload_result *w, char *buf, size_t len);
/* A whole file, NUL-terminated (malloc'd; *len without the NUL when len is given).
 * NULL with "PATH: cannot open: ..." / "PATH: read error" in err. */
char *jm__read_file(const char *path, size_t *len, char *err, size_t err_len);

/* The writers of writer_table.c. */
int jm__write_results_json(const jm_results *r, const char *path, char *err, size_t err_len);
int jm__write_trace_csv(const jm_results *r, const char *path, char *err, size_t err_len);
int jm__write_summary_csv(const jm_results *r, const char *path, char *err, size_t err_len);
int jm__write_html(const jm_results *r, const char *path, char *err, size_t err_len);
/* Reads trace.csv (layout of jm__write_trace_csv) into r->trace, whose
 * columns and marks come from results.json. */
int jm__read_trace_csv(const char *path, jm_results *r, char *err, size_t err_len);

/* ---- SVG charts (svg_charts.c), appended to an HTML body ---- */
/* One bar of a bar chart: median with a whisker for the interval of the median. data_key is the JSON
 * path of the statistic in results.json ("workloads[0].summary.mj_per_token"):
 * the bar carries data-key="<data_key>.median" and data-value, the whisker
 * caps ".ci_low" / ".ci_high", so tests can check them against the JSON. */
typedef struct jm__bar {
    const char *label;
    const jm_stat *stat;
    char data_key[128];
    bool estimated;
} jm__bar;
/* Horizontal bar chart with CI whiskers; ref_line > 0 draws a dashed
 * reference line at that value (e.g. 1 = "no saving"). */
void jm__svg_bars(jm__buf *b, const char *id, const char *title, const char *unit,
                  const jm__bar *bars, int n, double ref_line, const char *ref_label);
/* Power over time per meter domain with the phases shaded. */
/* results_estimated: the figures are estimated; otherwise an estimated series
 * is labelled a side reading. */
void jm__svg_power(jm__buf *b, const char *id, const jm_trace *t, bool results_estimated);
/* Smallest "nice" number (1, 2, 2.5, 5 x 10^k) >= v (v > 0). */
double jm__nice_ceil(double v);

/* ---- HTML pieces shared by the report and the comparison page ---- */
void jm__html_head(jm__buf *b, const char *title);
void jm__html_tail(jm__buf *b);
/* <td> stating the interval's coverage and method ("93.75% order-statistic
 * (n = 5)"), with the exact coverage and its JSON path (key, or NULL). */
void jm__html_ci_td(jm__buf *b, const jm_stat *s, const char *key);
/* <td> holding a number shown with fmt, its exact value and JSON path. */
void jm__html_num_td(jm__buf *b, const char *fmt, double v, const char *key);

#endif /* JM_REPORTS_INTERNAL_H */
