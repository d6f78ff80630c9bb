/* carbon.c - carbon accounting: CO2e of measured energy at a PUE and grid
 * intensity, the grid-intensity table of configs/grid-carbon.json, and the
 * training-footprint formula of Patterson et al. 2021 with its presets
 * (configs/paper-presets.json). Method and sources in docs/carbon.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base.h"
#include "reports_internal.h"

/* The regions shown in the HTML report: the same figures as the entries of
 * configs/grid-carbon.json with these ids (tests/reports/test_carbon.c keeps
 * them equal). Google Cloud region-carbon-info 2024 (Apache-2.0) and Ember
 * via Our World in Data 2024 (CC BY 4.0). */
#define JM__GOOGLE_SRC                                                                             \
    "Google Cloud region-carbon-info, data/yearly/2024.csv "                                       \
    "(github.com/GoogleCloudPlatform/region-carbon-info)"
#define JM__OWID_SRC                                                                               \
    "Ember, Yearly Electricity Data, via Our World in Data energy dataset, carbon_intensity_elec " \
    "(github.com/owid/energy-data)"

static const jm_grid_region report_regions[] = {
    {"europe-north2", "Stockholm (Google Cloud)", "cloud-region", 2.73, 100, 2024, JM__GOOGLE_SRC,
     "Apache-2.0"},
    {"europe-west9", "Paris (Google Cloud)", "cloud-region", 16.30, 96, 2024, JM__GOOGLE_SRC,
     "Apache-2.0"},
    {"us-central1", "Iowa (Google Cloud)", "cloud-region", 412.72, 87, 2024, JM__GOOGLE_SRC,
     "Apache-2.0"},
    {"asia-south1", "Mumbai (Google Cloud)", "cloud-region", 678.76, 9, 2024, JM__GOOGLE_SRC,
     "Apache-2.0"},
    {"FR", "France (national grid)", "country", 41.4, NAN, 2024, JM__OWID_SRC, "CC-BY-4.0"},
    {"PL", "Poland (national grid)", "country", 588.6, NAN, 2024, JM__OWID_SRC, "CC-BY-4.0"},
};

const jm_grid_region *jm_report_regions(int *n) {
    *n = (int)(sizeof(report_regions) / sizeof(report_regions[0]));
    return report_regions;
}

double jm_carbon_g(double energy_j, double pue, double g_per_kwh) {
    return energy_j / 3.6e6 * pue * g_per_kwh;
}

double jm_carbon_g_per_mtok(double mj_per_token, double pue, double g_per_kwh) {
    /* 1e6 tokens x mJ/token x 1e-3 J/mJ = mj_per_token x 1e3 J */
    return jm_carbon_g(mj_per_token * 1e3, pue, g_per_kwh);
}

int jm_training_footprint(const jm_training_preset *in, jm_footprint *out, char *err,
                          size_t err_len) {
    const struct {
        const char *name;
        double v;
    } f[] = {{"chips", in->chips},
             {"days", in->days},
             {"watts", in->watts_per_chip},
             {"pue", in->pue},
             {"intensity (kg CO2e/kWh)", in->kg_per_kwh}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (!isfinite(f[i].v) || f[i].v < 0) {
            snprintf(err, err_len, "%s%s%s: %s = %g, expected a finite number >= 0", in->name,
                     in->name[0] ? " " : "", "footprint", f[i].name, f[i].v);
            return JM_R_EINVAL;
        }
    }
    if (in->pue < 1.0) {
        snprintf(err, err_len, "%s%sfootprint: pue = %g, expected >= 1 (facility / IT energy)",
                 in->name, in->name[0] ? " " : "", in->pue);
        return JM_R_EINVAL;
    }
    out->hours = in->days * 24.0;
    out->mwh = out->hours * in->chips * in->watts_per_chip * in->pue / 1e6;
    out->tco2e = out->mwh * in->kg_per_kwh; /* kg/kWh == t/MWh */
    return JM_R_OK;
}

/* ---- JSON loading ---- */


static cJSON *load_json(const char *path, char *err, size_t err_len) {
    cJSON *j = NULL;
    char why[JM_R_TEXT_MAX];
    if (jm_json_load(path, &j, why, sizeof(why)) != 0)
        snprintf(err, err_len, "%s", why);
    return j;
}

static int get_num(const cJSON *o, const char *key, const char *path, const char *where,
                   bool required, double *out, char *err, size_t err_len) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j && !required) {
        *out = NAN;
        return 0;
    }
    if (!cJSON_IsNumber(j)) {
        snprintf(err, err_len, "%s: field %s.%s: %s, expected a number", path, where, key,
                 j ? "not a number" : "missing");
        return JM_R_EPARSE;
    }
    *out = j->valuedouble;
    return 0;
}

static int get_str(const cJSON *o, const char *key, const char *path, const char *where, char *out,
                   size_t out_len, char *err, size_t err_len) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(j)) {
        snprintf(err, err_len, "%s: field %s.%s: %s, expected a string", path, where, key,
                 j ? "not a string" : "missing");
        return JM_R_EPARSE;
    }
    snprintf(out, out_len, "%s", j->valuestring);
    return 0;
}

void jm_grid_table_free(jm_grid_table *t) {
    free(t->regions);
    t->regions = NULL;
    t->n = 0;
}

int jm_grid_table_load(const char *path, jm_grid_table *t, char *err, size_t err_len) {
    t->n = 0;
    t->regions = NULL;
    cJSON *root = load_json(path, err, err_len);
    if (!root)
        return JM_R_EPARSE;
    int rc = 0;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "regions");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        snprintf(err, err_len, "%s: field regions: expected a non-empty array", path);
        cJSON_Delete(root);
        return JM_R_EPARSE;
    }
    int n = cJSON_GetArraySize(arr);
    t->regions = calloc((size_t)n, sizeof(*t->regions));
    if (!t->regions) {
        cJSON_Delete(root);
        snprintf(err, err_len, "%s: out of memory", path);
        return JM_R_ENOMEM;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        char where[64];
        snprintf(where, sizeof(where), "regions[%d]", t->n);
        jm_grid_region *g = &t->regions[t->n];
        double year = 0;
        if ((rc = get_str(e, "id", path, where, g->id, sizeof(g->id), err, err_len)) ||
            (rc = get_str(e, "name", path, where, g->name, sizeof(g->name), err, err_len)) ||
            (rc = get_str(e, "kind", path, where, g->kind, sizeof(g->kind), err, err_len)) ||
            (rc = get_num(e, "g_per_kwh", path, where, true, &g->g_per_kwh, err, err_len)) ||
            (rc = get_num(e, "cfe_pct", path, where, false, &g->cfe_pct, err, err_len)) ||
            (rc = get_num(e, "year", path, where, true, &year, err, err_len)) ||
            (rc = get_str(e, "source", path, where, g->source, sizeof(g->source), err, err_len)) ||
            (rc = get_str(e, "license", path, where, g->license, sizeof(g->license), err, err_len)))
            break;
        if (!(g->g_per_kwh >= 0) || year < 1990 || year > 2100) {
            snprintf(err, err_len,
                     "%s: field %s: g_per_kwh %g / year %g, expected >= 0 and a year 1990-2100",
                     path, where, g->g_per_kwh, year);
            rc = JM_R_EPARSE;
            break;
        }
        g->year = (int)year;
        t->n++;
    }
    cJSON_Delete(root);
    if (rc)
        jm_grid_table_free(t);
    return rc;
}

const jm_grid_region *jm_grid_table_find(const jm_grid_table *t, const char *id) {
    for (int i = 0; i < t->n; i++)
        if (strcasecmp(t->regions[i].id, id) == 0)
            return &t->regions[i];
    return NULL;
}

int jm_training_presets_load(const char *path, jm_training_preset **out, int *n, char *err,
                             size_t err_len) {
    *out = NULL;
    *n = 0;
    cJSON *root = load_json(path, err, err_len);
    if (!root)
        return JM_R_EPARSE;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "presets");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        snprintf(err, err_len, "%s: field presets: expected a non-empty array", path);
        cJSON_Delete(root);
        return JM_R_EPARSE;
    }
    jm_training_preset *p = calloc((size_t)cJSON_GetArraySize(arr), sizeof(*p));
    if (!p) {
        cJSON_Delete(root);
        snprintf(err, err_len, "%s: out of memory", path);
        return JM_R_ENOMEM;
    }
    int rc = 0, k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        char where[64];
        snprintf(where, sizeof(where), "presets[%d]", k);
        jm_training_preset *q = &p[k];
        if ((rc = get_str(e, "name", path, where, q->name, sizeof(q->name), err, err_len)) ||
            (rc = get_num(e, "chips", path, where, true, &q->chips, err, err_len)) ||
            (rc = get_num(e, "days", path, where, true, &q->days, err, err_len)) ||
            (rc = get_num(e, "watts_per_chip", path, where, true, &q->watts_per_chip, err,
                          err_len)) ||
            (rc = get_num(e, "pue", path, where, true, &q->pue, err, err_len)) ||
            (rc = get_num(e, "kg_per_kwh", path, where, true, &q->kg_per_kwh, err, err_len)) ||
            (rc = get_num(e, "paper_mwh", path, where, false, &q->paper_mwh, err, err_len)) ||
            (rc = get_num(e, "paper_tco2e", path, where, false, &q->paper_tco2e, err, err_len)) ||
            (rc = get_str(e, "source", path, where, q->source, sizeof(q->source), err, err_len)))
            break;
        jm_footprint fp;
        char inner[256];
        if (jm_training_footprint(q, &fp, inner, sizeof(inner)) != 0) {
            snprintf(err, err_len, "%s: field %s: %s", path, where, inner);
            rc = JM_R_EPARSE;
            break;
        }
        k++;
    }
    cJSON_Delete(root);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    *n = k;
    return 0;
}
