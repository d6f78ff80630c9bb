/* test_carbon.c - carbon accounting: the footprint formula against the
 * published figures of Patterson et al. 2021 Table 4, the bundled config
 * files, CO2e of measured energy, and input errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "reports_fixture.h"

#define PRESETS JM_SOURCE_DIR "/configs/paper-presets.json"
#define GRID JM_SOURCE_DIR "/configs/grid-carbon.json"

/* Patterson et al. 2021, Table 4, as printed: inputs and results. */
static const struct {
    const char *name;
    double chips, days, watts, pue, kg, mwh, t;
} paper[] = {
    {"Evolved Transformer NAS", 200, 6.8, 208, 1.10, 0.431, 7.5, 3.2},
    {"T5", 512, 20, 310, 1.12, 0.545, 85.7, 46.7},
    {"Meena", 1024, 30, 289, 1.09, 0.415, 232, 96.4},
    {"GShard-600B", 1024, 3.1, 288, 1.09, 0.177, 24.1, 4.3},
    {"Switch Transformer", 1024, 27, 245, 1.10, 0.330, 179, 59.1},
    {"GPT-3", 10000, 14.8, 330, 1.10, 0.429, 1287, 552},
};

Test(carbon, formula_by_hand) {
    jm_training_preset p = {.name = "t5",
                            .chips = 512,
                            .days = 20,
                            .watts_per_chip = 310,
                            .pue = 1.12,
                            .kg_per_kwh = 0.545};
    jm_footprint f;
    char err[256];
    cr_assert_eq(jm_training_footprint(&p, &f, err, sizeof(err)), 0, "%s", err);
    cr_assert_float_eq(f.hours, 480.0, 1e-12);
    /* 512 x 480 h x 310 W x 1.12 = 85 327 872 Wh */
    cr_assert_float_eq(f.mwh, 85.327872, 1e-9);
    cr_assert_float_eq(f.tco2e, 85.327872 * 0.545, 1e-9);
}

Test(carbon, presets_match_paper_within_rounding) {
    jm_training_preset *p = NULL;
    int n = 0;
    char err[512];
    cr_assert_eq(jm_training_presets_load(PRESETS, &p, &n, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(n, 6);
    for (int i = 0; i < 6; i++) {
        cr_assert_str_eq(p[i].name, paper[i].name);
        cr_assert_float_eq(p[i].chips, paper[i].chips, 0);
        cr_assert_float_eq(p[i].days, paper[i].days, 0);
        cr_assert_float_eq(p[i].watts_per_chip, paper[i].watts, 0);
        cr_assert_float_eq(p[i].pue, paper[i].pue, 0);
        cr_assert_float_eq(p[i].kg_per_kwh, paper[i].kg, 0);
        cr_assert_float_eq(p[i].paper_mwh, paper[i].mwh, 0);
        cr_assert_float_eq(p[i].paper_tco2e, paper[i].t, 0);
        jm_footprint f;
        cr_assert_eq(jm_training_footprint(&p[i], &f, err, sizeof(err)), 0);
        /* the paper computed from unrounded inputs: within 2% (GShard: 23.9 vs 24.1 MWh,
         * 4.23 vs 4.3 t; T5: 85.3 vs 85.7 MWh) */
        cr_assert(fabs(f.mwh - paper[i].mwh) <= 0.02 * paper[i].mwh, "%s: %.4g MWh vs %.4g",
                  p[i].name, f.mwh, paper[i].mwh);
        cr_assert(fabs(f.tco2e - paper[i].t) <= 0.02 * paper[i].t, "%s: %.4g t vs %.4g", p[i].name,
                  f.tco2e, paper[i].t);
        /* the paper's own MWh x intensity reproduces its tCO2e to its rounding */
        cr_assert(fabs(paper[i].mwh * paper[i].kg - paper[i].t) <= 0.05 + 0.005 * paper[i].t, "%s",
                  p[i].name);
    }
    free(p);
}

Test(carbon, footprint_rejects_bad_inputs) {
    jm_training_preset p = {
        .name = "x", .chips = -1, .days = 1, .watts_per_chip = 1, .pue = 1.1, .kg_per_kwh = 0.4};
    jm_footprint f;
    char err[256];
    cr_assert_eq(jm_training_footprint(&p, &f, err, sizeof(err)), JM_R_EINVAL);
    cr_assert(strstr(err, "chips = -1"), "%s", err);
    p.chips = 1;
    p.pue = 0.9;
    cr_assert_eq(jm_training_footprint(&p, &f, err, sizeof(err)), JM_R_EINVAL);
    cr_assert(strstr(err, "pue"), "%s", err);
    p.pue = 1.0;
    p.days = NAN;
    cr_assert_eq(jm_training_footprint(&p, &f, err, sizeof(err)), JM_R_EINVAL);
}

Test(carbon, co2e_of_energy) {
    /* 3.6 MJ = 1 kWh; at PUE 1.5 and 400 g/kWh: 600 g */
    cr_assert_float_eq(jm_carbon_g(3.6e6, 1.5, 400), 600.0, 1e-9);
    /* 1 mJ/token x 1e6 tokens = 1 kJ = 1/3600 kWh */
    cr_assert_float_eq(jm_carbon_g_per_mtok(1.0, 1.0, 3600.0), 1.0, 1e-12);
}

Test(carbon, grid_table_loads_with_sources) {
    jm_grid_table t;
    char err[512];
    cr_assert_eq(jm_grid_table_load(GRID, &t, err, sizeof(err)), 0, "%s", err);
    cr_assert_gt(t.n, 20);
    for (int i = 0; i < t.n; i++) {
        cr_assert(t.regions[i].source[0] && t.regions[i].license[0], "%s", t.regions[i].id);
        cr_assert(t.regions[i].year >= 2019, "%s", t.regions[i].id);
        cr_assert(t.regions[i].g_per_kwh > 0 && t.regions[i].g_per_kwh < 1200, "%s",
                  t.regions[i].id);
    }
    const jm_grid_region *g = jm_grid_table_find(&t, "US-CENTRAL1");
    cr_assert_not_null(g);
    cr_assert_float_eq(g->g_per_kwh, 412.72, 1e-9);
    cr_assert_null(jm_grid_table_find(&t, "mars-1"));
    /* the report's built-in regions are the same entries */
    int n;
    const jm_grid_region *rep = jm_report_regions(&n);
    cr_assert_geq(n, 4);
    for (int i = 0; i < n; i++) {
        const jm_grid_region *c = jm_grid_table_find(&t, rep[i].id);
        cr_assert_not_null(c, "report region %s not in grid-carbon.json", rep[i].id);
        cr_assert_float_eq(c->g_per_kwh, rep[i].g_per_kwh, 1e-12, "%s", rep[i].id);
        cr_assert_eq(c->year, rep[i].year, "%s", rep[i].id);
        cr_assert_str_eq(c->name, rep[i].name);
        cr_assert_str_eq(c->source, rep[i].source);
        cr_assert_str_eq(c->license, rep[i].license);
        if (isfinite(rep[i].cfe_pct))
            cr_assert_float_eq(c->cfe_pct, rep[i].cfe_pct, 1e-12, "%s", rep[i].id);
    }
    jm_grid_table_free(&t);
}

Test(carbon, config_errors_name_file_and_field) {
    char dir[256], path[400], err[512];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/grid.json", dir);
    jm_grid_table t;
    cr_assert_eq(jm_rfix_write(path,
                               "{\"regions\":[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"country\","
                               "\"g_per_kwh\":\"lots\",\"year\":2024,\"source\":\"s\","
                               "\"license\":\"l\"}]}"),
                 0);
    cr_assert_neq(jm_grid_table_load(path, &t, err, sizeof(err)), 0);
    cr_assert(strstr(err, path) && strstr(err, "regions[0].g_per_kwh"), "%s", err);
    cr_assert_eq(jm_rfix_write(path, "{\"regions\": [ }"), 0);
    cr_assert_neq(jm_grid_table_load(path, &t, err, sizeof(err)), 0);
    cr_assert(strstr(err, "malformed JSON"), "%s", err);
    jm_training_preset *p;
    int n;
    cr_assert_eq(jm_rfix_write(path, "{\"presets\":[{\"name\":\"x\",\"chips\":1,\"days\":1,"
                                     "\"watts_per_chip\":-5,\"pue\":1.1,\"kg_per_kwh\":0.4,"
                                     "\"source\":\"s\"}]}"),
                 0);
    cr_assert_neq(jm_training_presets_load(path, &p, &n, err, sizeof(err)), 0);
    cr_assert(strstr(err, "presets[0]") && strstr(err, "watts"), "%s", err);
    cr_assert_eq(jm_rfix_write(path, "{\"presets\":[{\"name\":\"x\"}]}"), 0);
    cr_assert_neq(jm_training_presets_load(path, &p, &n, err, sizeof(err)), 0);
    cr_assert(strstr(err, "presets[0].chips: missing"), "%s", err);
    cr_assert_neq(jm_grid_table_load("/nonexistent/grid.json", &t, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent/grid.json"), "%s", err);
    jm_rfix_rmdir(dir);
}
