/* test_html.c - report.html: well-formed (parsed by the independent checker
 * of support/reports_xml.c), self-contained, charts present, and every number
 * it shows equal to the one in results.json. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "reports.h"
#include "reports_fixture.h"
#include "reports_xml.h"

/* "workloads[0].summary.mj_per_token.median" in a cJSON tree */
static const cJSON *json_path(const cJSON *root, const char *path) {
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    const cJSON *cur = root;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
        char *br = strchr(tok, '[');
        if (br)
            *br = '\0';
        cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        while (br && cur) {
            int idx = atoi(br + 1);
            cur = cJSON_GetArrayItem(cur, idx);
            br = strchr(br + 1, '[');
        }
    }
    return cur;
}

typedef struct page {
    char dir[256];
    char *html;
    cJSON *json;
    jm_xml_doc doc;
    jm_results r;
} page;

static void page_open(page *p, bool estimated) {
    char err[256], path[400];
    cr_assert_eq(jm_rfix_tmpdir(p->dir, sizeof(p->dir)), 0);
    jm_rfix_build(&p->r, estimated);
    cr_assert_eq(jm_results_write_all(&p->r, p->dir, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/report.html", p->dir);
    p->html = jm_rfix_slurp(path);
    cr_assert_not_null(p->html);
    snprintf(path, sizeof(path), "%s/results.json", p->dir);
    char *text = jm_rfix_slurp(path);
    p->json = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(p->json);
    int rc = jm_xml_parse(p->html, &p->doc, err, sizeof(err));
    cr_assert_eq(rc, 0, "report.html is not well-formed: %s", err);
}

static void page_close(page *p) {
    jm_xml_free(&p->doc);
    cJSON_Delete(p->json);
    free(p->html);
    jm_results_free(&p->r);
    jm_rfix_rmdir(p->dir);
}

static const jm_xml_elem *by_id(const page *p, const char *id) {
    for (size_t i = 0; i < p->doc.n; i++) {
        const char *v = jm_xml_attr(&p->doc.elems[i], "id");
        if (v && strcmp(v, id) == 0)
            return &p->doc.elems[i];
    }
    return NULL;
}

Test(html, well_formed_and_self_contained) {
    page p;
    page_open(&p, false);
    cr_assert_str_eq(p.doc.elems[0].name, "html");
    cr_assert_null(strstr(p.html, "<script"), "no scripts");
    cr_assert_null(strstr(p.html, "src="), "no external resources");
    cr_assert_null(strstr(p.html, "href="), "no links out");
    cr_assert_null(strstr(p.html, "@import"));
    cr_assert_null(strstr(p.html, "nan"), "NaN leaked into the page");
    /* the only URLs are XML namespaces */
    for (const char *s = strstr(p.html, "http"); s; s = strstr(s + 1, "http"))
        cr_assert(strncmp(s, "http://www.w3.org/", 18) == 0, "%.40s", s);
    page_close(&p);
}

Test(html, charts_present) {
    page p;
    page_open(&p, false);
    const char *ids[] = {"chart-power",  "chart-mj-per-token", "chart-tokens-per-j",
                         "chart-ratio",  "summary-table",      "meters-table",
                         "system-table", "carbon-table",       "runs-table"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        cr_assert_not_null(by_id(&p, ids[i]), "missing #%s", ids[i]);
    cr_assert_str_eq(by_id(&p, "chart-power")->name, "svg");
    int polylines = 0, phases_testing = 0, phases_idle = 0, phases_warmup = 0, bars = 0,
        whiskers = 0;
    for (size_t i = 0; i < p.doc.n; i++) {
        const jm_xml_elem *e = &p.doc.elems[i];
        const char *cls = jm_xml_attr(e, "class");
        if (!cls)
            continue;
        if (strcmp(e->name, "polyline") == 0 && strcmp(cls, "series") == 0) {
            polylines++;
            cr_assert_eq(atoi(jm_xml_attr(e, "data-drawn")), 240); /* first sample: no power */
        }
        if (strcmp(cls, "phase phase-testing") == 0)
            phases_testing++;
        if (strcmp(cls, "phase phase-idle") == 0)
            phases_idle++;
        if (strcmp(cls, "phase phase-warmup") == 0)
            phases_warmup++;
        if (strncmp(cls, "bar-fill", 8) == 0)
            bars++;
        if (strcmp(cls, "whisker") == 0)
            whiskers++;
    }
    cr_assert_eq(polylines, 2);
    cr_assert_eq(phases_testing, 2);
    cr_assert_eq(phases_idle, 1);
    cr_assert_eq(phases_warmup, 1);
    cr_assert_eq(bars, 2 + 2 + 1); /* mJ/token, tokens/J, ratio */
    cr_assert_eq(whiskers, 5);
    page_close(&p);
}

Test(html, numbers_equal_results_json) {
    page p;
    page_open(&p, false);
    int checked = 0, texts = 0;
    for (size_t i = 0; i < p.doc.n; i++) {
        const jm_xml_elem *e = &p.doc.elems[i];
        const char *key = jm_xml_attr(e, "data-key");
        if (!key)
            continue;
        const char *val = jm_xml_attr(e, "data-value");
        cr_assert_not_null(val, "%s without data-value", key);
        const cJSON *j = json_path(p.json, key);
        cr_assert_not_null(j, "data-key %s is not in results.json", key);
        if (cJSON_IsNull(j)) {
            cr_assert_str_eq(val, "null", "%s", key);
            continue;
        }
        cr_assert(cJSON_IsNumber(j), "%s", key);
        double v = strtod(val, NULL), ref = j->valuedouble;
        cr_assert(fabs(v - ref) <= 1e-12 * fabs(ref), "%s: page %.17g, json %.17g", key, v, ref);
        checked++;
        /* the text shown is the same number, rounded for display */
        if (strcmp(e->name, "td") == 0 || strcmp(e->name, "span") == 0) {
            double shown = strtod(e->text, NULL);
            const char *cls = jm_xml_attr(e, "class");
            if (cls && strcmp(cls, "ci") == 0) /* "96.87% order-statistic (n = 6)" */
                shown /= 100.0;
            cr_assert(fabs(shown - ref) <= 5e-4 * fabs(ref) + 0.051, "%s: shows '%s', json %.17g",
                      key, e->text, ref);
            texts++;
        }
    }
    cr_assert_gt(checked, 100, "only %d numbers carried a data-key", checked);
    cr_assert_gt(texts, 80);
    page_close(&p);
}

Test(html, co2e_cells_follow_formula) {
    page p;
    page_open(&p, false);
    int n_reg;
    const jm_grid_region *reg = jm_report_regions(&n_reg);
    int cells = 0;
    for (size_t i = 0; i < p.doc.n; i++) {
        const jm_xml_elem *e = &p.doc.elems[i];
        const char *w = jm_xml_attr(e, "data-workload");
        if (!w)
            continue;
        char path[128];
        snprintf(path, sizeof(path), "workloads[%s].summary.mj_per_token.median", w);
        double mj = json_path(p.json, path)->valuedouble;
        const char *region = jm_xml_attr(e, "data-region");
        double gkwh = NAN;
        for (int k = 0; k < n_reg; k++)
            if (strcmp(reg[k].id, region) == 0)
                gkwh = reg[k].g_per_kwh;
        /* independent: 1e6 tokens x mJ -> J -> kWh -> g */
        double expect = 1e6 * mj * 1e-3 / 3.6e6 * gkwh;
        double v = strtod(jm_xml_attr(e, "data-value"), NULL);
        cr_assert(fabs(v - expect) <= 1e-12 * expect, "%s %s: %g vs %g", w, region, v, expect);
        cells++;
    }
    cr_assert_eq(cells, 2 * n_reg);
    page_close(&p);
}

Test(html, estimated_is_loud) {
    page p;
    page_open(&p, true);
    const jm_xml_elem *banner = by_id(&p, "estimated-banner");
    cr_assert_not_null(banner);
    cr_assert(strstr(banner->text, "ESTIMATED"));
    int kind_cells = 0;
    for (size_t i = 0; i < p.doc.n; i++) {
        const char *cls = jm_xml_attr(&p.doc.elems[i], "class");
        if (cls && strcmp(cls, "kind-estimated") == 0)
            kind_cells++;
    }
    /* meter row, 2 summary rows, comparison, 2 carbon rows, 16 run rows */
    cr_assert_geq(kind_cells, 1 + 2 + 1 + 2 + 16, "%d", kind_cells);
    page_close(&p);
    page_open(&p, false);
    cr_assert_null(by_id(&p, "estimated-banner"));
    cr_assert_null(strstr(p.html, "ESTIMATED"));
    page_close(&p);
}

Test(html, hostile_names_are_escaped) {
    jm_results r;
    jm_rfix_build(&r, false);
    snprintf(r.workloads[0].name, sizeof(r.workloads[0].name), "a<b>&\"c'");
    snprintf(r.trace.marks[3].label, sizeof(r.trace.marks[3].label), "testing <x> & y");
    snprintf(r.meters[0].reason, sizeof(r.meters[0].reason), "]]> <!-- & \x01");
    cJSON_AddStringToObject(r.system, "weird<key>", "v&l");
    char dir[256], path[400], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    cr_assert_eq(jm_writer_find("html")->write(&r, path, err, sizeof(err)), 0, "%s", err);
    char *html = jm_rfix_slurp(path);
    jm_xml_doc doc;
    cr_assert_eq(jm_xml_parse(html, &doc, err, sizeof(err)), 0, "%s", err);
    bool found = false;
    for (size_t i = 0; i < doc.n; i++)
        if (strcmp(doc.elems[i].text, "a<b>&\"c'") == 0)
            found = true;
    cr_assert(found, "the escaped name does not decode back");
    jm_xml_free(&doc);
    free(html);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

Test(html, empty_results_still_well_formed) {
    jm_results r;
    jm_results_init(&r);
    char dir[256], path[400], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    cr_assert_eq(jm_results_write_all(&r, dir, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    char *html = jm_rfix_slurp(path);
    jm_xml_doc doc;
    cr_assert_eq(jm_xml_parse(html, &doc, err, sizeof(err)), 0, "%s", err);
    cr_assert(strstr(html, "no trace samples were recorded"));
    jm_xml_free(&doc);
    free(html);
    jm_rfix_rmdir(dir);
}

/* The checker used above must itself reject what is not well-formed. */
Test(html, checker_rejects_bad_markup) {
    const char *bad[] = {
        "<a><b></a></b>", "<a>x & y</a>",   "<a t=1/>", "<a>1 < 2</a>", "<a t=\"1\" t=\"2\"/>",
        "<a>&nbsp;</a>",  "<a></a><b></b>", "<a>",      "text<a/>",     "<a t=\"<\"/>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        jm_xml_doc doc;
        char err[256];
        cr_assert_neq(jm_xml_parse(bad[i], &doc, err, sizeof(err)), 0, "accepted %s", bad[i]);
        jm_xml_free(&doc);
    }
    jm_xml_doc doc;
    char err[256];
    cr_assert_eq(jm_xml_parse("<!DOCTYPE html>\n<a x='1'><b>&amp;&#215;</b><c/></a>\n", &doc, err,
                              sizeof(err)),
                 0, "%s", err);
    cr_assert_eq(doc.n, 3);
    cr_assert_str_eq(doc.elems[1].text, "&?");
    jm_xml_free(&doc);
}

/* issue 12 class 4: bytes that are not UTF-8 in result strings used to be
 * copied into report.html and results.json; both stay valid UTF-8. */
Test(html, invalid_utf8_is_replaced_in_html_and_json) {
    jm_results r;
    jm_rfix_build(&r, false);
    snprintf(r.workloads[0].name, sizeof(r.workloads[0].name), "moe\xFF" "layer\xC3");
    snprintf(r.meters[0].reason, sizeof(r.meters[0].reason), "bad \xED\xA0\x80 surrogate");
    cJSON_AddStringToObject(r.system, "cpu\xFE", "v\x80");
    char dir[256], path[400], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    cr_assert_eq(jm_results_write_all(&r, dir, err, sizeof(err)), 0, "%s", err);
    const char *files[] = {"report.html", "results.json"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        char *text = jm_rfix_slurp(path);
        cr_assert_not_null(text);
        cr_expect(jm_utf8_valid(text), "%s holds bytes that are not UTF-8", files[i]);
        cr_expect(strstr(text, "moe\xEF\xBF\xBDlayer\xEF\xBF\xBD") != NULL, "%s", files[i]);
        free(text);
    }
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

/* Runs whose energy above idle is <= 0 leave the above-idle statistic: the
 * page says on how many runs it rests instead of implying all of them. */
Test(html, above_idle_figure_shows_its_real_n) {
    char dir[256], err[256], path[400];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    jm_results r;
    jm_rfix_build(&r, false);
    jm_workload_result *w = &r.workloads[0];
    int lowered = 0;
    for (int i = 0; i < w->n_runs && lowered < 2; i++)
        if (strcmp(w->runs[i].phase, "testing") == 0 && w->runs[i].valid) {
            w->runs[i].energy_above_idle_j = -0.5; /* at or below idle */
            jm_run_result_derive(&w->runs[i]);
            lowered++;
        }
    jm_results_summarize(&r);
    int valid = w->summary.valid_runs;
    cr_assert_eq(w->summary.mj_per_token_above_idle.n, valid - 2);
    cr_assert_eq(jm_results_write_all(&r, dir, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    char *html = jm_rfix_slurp(path);
    cr_assert_not_null(html);
    char want[128];
    snprintf(want, sizeof(want), "uses %d of %d valid runs", valid - 2, valid);
    cr_expect(strstr(html, want) != NULL, "report.html does not say '%s'", want);
    free(html);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}

/* Without an idle baseline the page says why the above-idle figures are empty. */
Test(html, missing_idle_baseline_is_stated) {
    char dir[256], err[256], path[400];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    jm_results r;
    jm_rfix_build(&r, false);
    snprintf(r.idle_reason, sizeof(r.idle_reason), "run_rules.idle_s is 0: no idle baseline");
    cr_assert_eq(jm_results_write_all(&r, dir, err, sizeof(err)), 0, "%s", err);
    snprintf(path, sizeof(path), "%s/report.html", dir);
    char *html = jm_rfix_slurp(path);
    cr_assert_not_null(html);
    cr_expect(strstr(html, "run_rules.idle_s is 0: no idle baseline") != NULL);
    free(html);
    snprintf(path, sizeof(path), "%s/results.json", dir);
    jm_results back;
    cr_assert_eq(jm_results_load(path, &back, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(back.idle_reason, r.idle_reason);
    jm_results_free(&back);
    jm_results_free(&r);
    jm_rfix_rmdir(dir);
}
