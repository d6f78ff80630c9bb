/* cmd_carbon.c - `joulemark carbon`: CO2e accounting (docs/carbon.md).
 *   --chips N --days D --watts W --pue P --intensity KG_PER_KWH   the training
 *        footprint formula of Patterson et al. 2021 (MWh and tCO2e)
 *   --preset NAME|all        the same for the paper's Table 4 workloads
 *   --from RESULTS_DIR [--tokens N] [--region ID|--intensity KG] [--pue P]
 *        CO2e per million tokens and of the run from measured mJ/token, and a
 *        projection to N tokens, dense vs sparse, across grid regions
 *   --regions                the bundled grid-intensity table with sources */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "harness.h"

static void usage(FILE *out) {
    fprintf(
        out,
        "usage: joulemark carbon --chips N --days D --watts W --pue P --intensity KG [--json]\n"
        "       joulemark carbon --preset NAME|all [--presets FILE] [--json]\n"
        "       joulemark carbon --from RESULTS_DIR [--tokens N] [--region ID | --intensity KG]\n"
        "                        [--pue P] [--grid FILE] [--json]\n"
        "       joulemark carbon --regions [--grid FILE] [--json]\n\n"
        "Training footprint (Patterson et al. 2021): MWh = hours x chips x W per chip x PUE\n"
        "/ 1e6; tCO2e = MWh x net kgCO2e/kWh. Presets: the six workloads of the paper's\n"
        "Table 4 (configs/paper-presets.json). --from: CO2e = energy x PUE x grid intensity\n"
        "from a run's measured mJ/token, per million tokens, for the run, and projected to\n"
        "--tokens N, for every workload and the bundled regions (configs/grid-carbon.json)\n"
        "or the one given. --intensity is in kg CO2e per kWh; PUE defaults to 1.0 (energy\n"
        "as metered) unless the run's config has carbon.pue.\n");
}

static int parse_double(const char *opt, const char *text, double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < 0) {
        fprintf(stderr, "joulemark carbon: %s '%s': expected a non-negative number\n", opt, text);
        return -1;
    }
    *out = v;
    return 0;
}

static cJSON *footprint_json(const jm_training_preset *p, const jm_footprint *f) {
    cJSON *o = cJSON_CreateObject();
    if (p->name[0])
        cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddNumberToObject(o, "chips", p->chips);
    cJSON_AddNumberToObject(o, "days", p->days);
    cJSON_AddNumberToObject(o, "watts_per_chip", p->watts_per_chip);
    cJSON_AddNumberToObject(o, "pue", p->pue);
    cJSON_AddNumberToObject(o, "kg_per_kwh", p->kg_per_kwh);
    cJSON_AddNumberToObject(o, "hours", f->hours);
    cJSON_AddNumberToObject(o, "mwh", f->mwh);
    cJSON_AddNumberToObject(o, "tco2e", f->tco2e);
    if (isfinite(p->paper_mwh))
        cJSON_AddNumberToObject(o, "paper_mwh", p->paper_mwh);
    if (isfinite(p->paper_tco2e))
        cJSON_AddNumberToObject(o, "paper_tco2e", p->paper_tco2e);
    if (p->source[0])
        cJSON_AddStringToObject(o, "source", p->source);
    return o;
}

static void print_json(cJSON *j) {
    char *t = cJSON_Print(j);
    if (t)
        printf("%s\n", t);
    cJSON_free(t);
    cJSON_Delete(j);
}

static int do_formula(const jm_training_preset *in, bool json) {
    jm_footprint f;
    char err[256];
    if (jm_training_footprint(in, &f, err, sizeof err)) {
        fprintf(stderr, "joulemark carbon: %s\n", err);
        return JM_EXIT_USAGE;
    }
    if (json) {
        print_json(footprint_json(in, &f));
        return JM_EXIT_OK;
    }
    printf("%g chips x %g days (%g h) x %g W x PUE %g = %.4g MWh\n", in->chips, in->days, f.hours,
           in->watts_per_chip, in->pue, f.mwh);
    printf("%.4g MWh x %g kg CO2e/kWh = %.4g t CO2e\n", f.mwh, in->kg_per_kwh, f.tco2e);
    return JM_EXIT_OK;
}

static int do_presets(const char *which, const char *file, bool json) {
    char path[PATH_MAX];
    if (file)
        snprintf(path, sizeof path, "%s", file);
    else
        jm_config_find("paper-presets.json", path, sizeof path);
    jm_training_preset *p = NULL;
    int n = 0;
    char err[1024];
    if (jm_training_presets_load(path, &p, &n, err, sizeof err)) {
        fprintf(stderr, "joulemark carbon: %s\n", err);
        return JM_EXIT_USAGE;
    }
    bool all = strcmp(which, "all") == 0;
    int shown = 0;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (!json && all)
        printf("%-28s %7s %6s %6s %5s %9s %10s %10s %10s %10s\n", "workload (Patterson 2021)",
               "chips", "days", "W", "PUE", "kgCO2/kWh", "MWh", "paper MWh", "tCO2e", "paper t");
    for (int i = 0; i < n; i++) {
        if (!all && strcasecmp(p[i].name, which) != 0)
            continue;
        jm_footprint f;
        if (jm_training_footprint(&p[i], &f, err, sizeof err))
            continue; /* validated on load */
        shown++;
        if (json)
            cJSON_AddItemToArray(arr, footprint_json(&p[i], &f));
        else if (all)
            printf("%-28s %7g %6g %6g %5g %9g %10.4g %10.4g %10.4g %10.4g\n", p[i].name, p[i].chips,
                   p[i].days, p[i].watts_per_chip, p[i].pue, p[i].kg_per_kwh, f.mwh, p[i].paper_mwh,
                   f.tco2e, p[i].paper_tco2e);
        else {
            printf("%s (%s)\n", p[i].name, p[i].source);
            do_formula(&p[i], false);
            printf("published: %.4g MWh, %.4g t CO2e\n", p[i].paper_mwh, p[i].paper_tco2e);
        }
    }
    if (shown == 0) {
        fprintf(stderr, "joulemark carbon: no preset '%s' in %s; presets:", which, path);
        for (int i = 0; i < n; i++)
            fprintf(stderr, " '%s'", p[i].name);
        fprintf(stderr, ", or 'all'\n");
        cJSON_Delete(arr);
        free(p);
        return JM_EXIT_USAGE;
    }
    if (json)
        print_json(arr);
    else if (all)
        printf("\nMWh and tCO2e computed from the inputs as printed in the paper; the paper "
               "computed from unrounded inputs, hence differences of up to ~2%%.\n");
    free(p);
    return JM_EXIT_OK;
}

static int do_regions(const char *grid_file, bool json) {
    char path[PATH_MAX];
    if (grid_file)
        snprintf(path, sizeof path, "%s", grid_file);
    else
        jm_config_find("grid-carbon.json", path, sizeof path);
    jm_grid_table t;
    char err[1024];
    if (jm_grid_table_load(path, &t, err, sizeof err)) {
        fprintf(stderr, "joulemark carbon: %s\n", err);
        return JM_EXIT_USAGE;
    }
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (!json)
        printf("%-26s %-34s %10s %5s %5s  %s\n", "region", "name", "gCO2e/kWh", "CFE%", "year",
               "source (license)");
    for (int i = 0; i < t.n; i++) {
        const jm_grid_region *g = &t.regions[i];
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", g->id);
            cJSON_AddStringToObject(o, "name", g->name);
            cJSON_AddStringToObject(o, "kind", g->kind);
            cJSON_AddNumberToObject(o, "g_per_kwh", g->g_per_kwh);
            if (isfinite(g->cfe_pct))
                cJSON_AddNumberToObject(o, "cfe_pct", g->cfe_pct);
            cJSON_AddNumberToObject(o, "year", g->year);
            cJSON_AddStringToObject(o, "source", g->source);
            cJSON_AddStringToObject(o, "license", g->license);
            cJSON_AddItemToArray(arr, o);
        } else {
            char cfe[16] = "-";
            if (isfinite(g->cfe_pct))
                snprintf(cfe, sizeof cfe, "%.0f", g->cfe_pct);
            printf("%-26s %-34s %10.2f %5s %5d  %s (%s)\n", g->id, g->name, g->g_per_kwh, cfe,
                   g->year, g->source, g->license);
        }
    }
    if (json)
        print_json(arr);
    jm_grid_table_free(&t);
    return JM_EXIT_OK;
}

/* The run's "carbon" settings: results.json keeps them under
 * config.effective.carbon (harness/runner.c). */
static const cJSON *config_carbon(const jm_results *r) {
    const cJSON *eff = r->config ? cJSON_GetObjectItemCaseSensitive(r->config, "effective") : NULL;
    return eff ? cJSON_GetObjectItemCaseSensitive(eff, "carbon") : NULL;
}

/* carbon.pue from the run's config, when present */
static double config_pue(const jm_results *r) {
    const cJSON *c = config_carbon(r);
    const cJSON *p = c ? cJSON_GetObjectItemCaseSensitive(c, "pue") : NULL;
    return cJSON_IsNumber(p) && p->valuedouble >= 1.0 ? p->valuedouble : NAN;
}

static const char *config_region(const jm_results *r) {
    const cJSON *c = config_carbon(r);
    const cJSON *g = c ? cJSON_GetObjectItemCaseSensitive(c, "region") : NULL;
    return cJSON_IsString(g) ? g->valuestring : NULL;
}

/* Energy of every run of the workload (warm-up and ranging included): what
 * the benchmark run itself drew. */
static double workload_run_energy(const jm_workload_result *w) {
    double e = 0;
    for (int i = 0; i < w->n_runs; i++)
        if (isfinite(w->runs[i].energy_j))
            e += w->runs[i].energy_j;
    return e;
}

/* Many regions: one line per region, g CO2e per million tokens of every
 * workload (and kg CO2e for --tokens), so the "where" lever is one column. */
static void print_region_matrix(const jm_results *r, const jm_grid_region *regions, int n,
                                double pue, double tokens) {
    printf("%-24s %9s", "region", "g/kWh");
    for (int i = 0; i < r->n_workloads; i++) {
        char h[80];
        snprintf(h, sizeof h, "%.20s g/Mtok", r->workloads[i].name);
        printf(" %18s", h);
        if (tokens > 0) {
            snprintf(h, sizeof h, "%.20s kg", r->workloads[i].name);
            printf(" %16s", h);
        }
    }
    printf("\n");
    for (int g = 0; g < n; g++) {
        printf("%-24s %9.2f", regions[g].id, regions[g].g_per_kwh);
        for (int i = 0; i < r->n_workloads; i++) {
            double mj = r->workloads[i].summary.mj_per_token.median;
            printf(" %18.4g", jm_carbon_g_per_mtok(mj, pue, regions[g].g_per_kwh));
            if (tokens > 0)
                printf(" %16.4g", jm_carbon_g(tokens * mj * 1e-3, pue, regions[g].g_per_kwh) / 1e3);
        }
        printf("\n");
    }
    printf("\nSources: configs/grid-carbon.json (`joulemark carbon --regions`); one region in "
           "detail with --region ID.\n");
    if (tokens > 0)
        printf("Model choice and location multiply: compare the dense column in the dirtiest "
               "region with the sparse column in the cleanest.\n");
}

typedef struct from_opts {
    const char *dir, *region, *grid_file;
    double tokens, pue, kg_per_kwh;
    bool json;
} from_opts;

static int do_from(const from_opts *o) {
    jm_results r;
    char err[1024], path[PATH_MAX];
    int lr = jm_results_load(o->dir, &r, err, sizeof err);
    if (lr) {
        fprintf(stderr, "joulemark carbon: %s\n", err);
        return lr == JM_R_EIO ? JM_EXIT_SYSTEM : JM_EXIT_USAGE;
    }
    double pue = isfinite(o->pue) ? o->pue : config_pue(&r);
    const char *pue_src = isfinite(o->pue) ? "--pue" : "config carbon.pue";
    if (!isfinite(pue)) {
        pue = 1.0;
        pue_src = "default: energy as metered";
    }
    /* the regions: one from --intensity, one from --region / config, or the table */
    jm_grid_table t = {0, NULL};
    jm_grid_region custom;
    const jm_grid_region *regions = NULL;
    int n_regions = 0;
    const char *region = o->region ? o->region : config_region(&r);
    if (isfinite(o->kg_per_kwh)) {
        memset(&custom, 0, sizeof custom);
        snprintf(custom.id, sizeof custom.id, "custom");
        snprintf(custom.name, sizeof custom.name, "--intensity %g kg/kWh", o->kg_per_kwh);
        custom.g_per_kwh = o->kg_per_kwh * 1000.0;
        custom.cfe_pct = NAN;
        snprintf(custom.source, sizeof custom.source, "command line");
        regions = &custom;
        n_regions = 1;
    } else {
        if (o->grid_file)
            snprintf(path, sizeof path, "%s", o->grid_file);
        else
            jm_config_find("grid-carbon.json", path, sizeof path);
        if (jm_grid_table_load(path, &t, err, sizeof err)) {
            fprintf(stderr, "joulemark carbon: %s\n", err);
            jm_results_free(&r);
            return JM_EXIT_USAGE;
        }
        if (region) {
            regions = jm_grid_table_find(&t, region);
            if (!regions) {
                fprintf(stderr,
                        "joulemark carbon: region '%s' is not in %s (see `joulemark "
                        "carbon --regions`)\n",
                        region, path);
                jm_grid_table_free(&t);
                jm_results_free(&r);
                return JM_EXIT_USAGE;
            }
            n_regions = 1;
        } else {
            regions = t.regions;
            n_regions = t.n;
        }
    }
    cJSON *root = o->json ? cJSON_CreateObject() : NULL;
    if (root) {
        cJSON_AddStringToObject(root, "results", o->dir);
        cJSON_AddNumberToObject(root, "pue", pue);
        cJSON_AddStringToObject(root, "pue_source", pue_src);
        if (o->tokens > 0)
            cJSON_AddNumberToObject(root, "tokens", o->tokens);
        cJSON_AddBoolToObject(root, "estimated", r.estimated);
    } else {
        printf("CO2e from %s (PUE %g, %s)%s\n", o->dir, pue, pue_src,
               r.estimated
                   ? "\n*** ESTIMATED energy: no hardware meter; CO2e is an estimate too ***"
                   : "");
        printf("CO2e = energy x PUE x grid intensity; g/Mtok from the median mJ/token; "
               "run = all runs of the workload%s\n\n",
               o->tokens > 0 ? "; projection to --tokens" : "");
    }
    cJSON *jreg = root ? cJSON_AddArrayToObject(root, "regions") : NULL;
    if (!root && n_regions > 1) {
        print_region_matrix(&r, regions, n_regions, pue, o->tokens);
        n_regions = 0; /* printed */
    }
    for (int g = 0; g < n_regions; g++) {
        const jm_grid_region *reg = &regions[g];
        cJSON *jr = NULL, *jw = NULL;
        if (root) {
            jr = cJSON_CreateObject();
            cJSON_AddStringToObject(jr, "id", reg->id);
            cJSON_AddStringToObject(jr, "name", reg->name);
            cJSON_AddNumberToObject(jr, "g_per_kwh", reg->g_per_kwh);
            jw = cJSON_AddArrayToObject(jr, "workloads");
            cJSON_AddItemToArray(jreg, jr);
        } else {
            printf("%s (%s): %.4g g CO2e/kWh", reg->id, reg->name, reg->g_per_kwh);
            if (reg->year)
                printf(", %d, %s", reg->year, reg->source);
            printf("\n  %-20s %12s %14s %12s %12s", "workload", "mJ/token", "g CO2e/Mtok", "run J",
                   "run g CO2e");
            if (o->tokens > 0)
                printf(" %14s %14s", "proj. kWh", "proj. kg CO2e");
            printf("\n");
        }
        for (int i = 0; i < r.n_workloads; i++) {
            const jm_workload_result *w = &r.workloads[i];
            double mj = w->summary.mj_per_token.median;
            double g_mtok = jm_carbon_g_per_mtok(mj, pue, reg->g_per_kwh);
            double run_j = workload_run_energy(w);
            double run_g = jm_carbon_g(run_j, pue, reg->g_per_kwh);
            double proj_kwh = o->tokens * mj * 1e-3 / 3.6e6 * pue;
            double proj_kg = jm_carbon_g(o->tokens * mj * 1e-3, pue, reg->g_per_kwh) / 1000.0;
            if (root) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "name", w->name);
                if (isfinite(mj)) {
                    cJSON_AddNumberToObject(x, "mj_per_token", mj);
                    cJSON_AddNumberToObject(x, "g_co2e_per_million_tokens", g_mtok);
                    if (o->tokens > 0) {
                        cJSON_AddNumberToObject(x, "projected_kwh", proj_kwh);
                        cJSON_AddNumberToObject(x, "projected_kg_co2e", proj_kg);
                    }
                } else {
                    cJSON_AddNullToObject(x, "mj_per_token");
                }
                cJSON_AddNumberToObject(x, "run_energy_j", run_j);
                cJSON_AddNumberToObject(x, "run_g_co2e", run_g);
                cJSON_AddItemToArray(jw, x);
            } else {
                printf("  %-20s %12.4g %14.4g %12.4g %12.4g", w->name, mj, g_mtok, run_j, run_g);
                if (o->tokens > 0)
                    printf(" %14.4g %14.4g", proj_kwh, proj_kg);
                printf("\n");
            }
        }
        if (!root && o->tokens > 0)
            for (int k = 0; k < r.n_comparisons; k++) {
                const jm_comparison *c = &r.comparisons[k];
                const jm_workload_result *b = NULL, *d = NULL;
                for (int i = 0; i < r.n_workloads; i++) {
                    if (strcmp(r.workloads[i].name, c->baseline) == 0)
                        b = &r.workloads[i];
                    if (strcmp(r.workloads[i].name, c->candidate) == 0)
                        d = &r.workloads[i];
                }
                if (!b || !d)
                    continue;
                double kb = jm_carbon_g(o->tokens * b->summary.mj_per_token.median * 1e-3, pue,
                                        reg->g_per_kwh) /
                            1000.0;
                double kd = jm_carbon_g(o->tokens * d->summary.mj_per_token.median * 1e-3, pue,
                                        reg->g_per_kwh) /
                            1000.0;
                printf("  %s instead of %s saves %.4g kg CO2e over %.4g tokens here (ratio "
                       "%.3gx)\n",
                       c->candidate, c->baseline, kb - kd, o->tokens,
                       c->energy_per_token_ratio.median);
            }
        if (!root)
            printf("\n");
    }
    if (root)
        print_json(root);
    jm_grid_table_free(&t);
    jm_results_free(&r);
    return JM_EXIT_OK;
}

int jm_cmd_carbon(int argc, char **argv) {
    enum {
        O_CHIPS = 256,
        O_DAYS,
        O_WATTS,
        O_PUE,
        O_INTENSITY,
        O_PRESET,
        O_PRESETS,
        O_FROM,
        O_TOKENS,
        O_REGION,
        O_GRID,
        O_REGIONS,
        O_JSON
    };
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"chips", required_argument, NULL, O_CHIPS},
                                         {"days", required_argument, NULL, O_DAYS},
                                         {"watts", required_argument, NULL, O_WATTS},
                                         {"pue", required_argument, NULL, O_PUE},
                                         {"intensity", required_argument, NULL, O_INTENSITY},
                                         {"preset", required_argument, NULL, O_PRESET},
                                         {"presets", required_argument, NULL, O_PRESETS},
                                         {"from", required_argument, NULL, O_FROM},
                                         {"tokens", required_argument, NULL, O_TOKENS},
                                         {"region", required_argument, NULL, O_REGION},
                                         {"grid", required_argument, NULL, O_GRID},
                                         {"regions", no_argument, NULL, O_REGIONS},
                                         {"json", no_argument, NULL, O_JSON},
                                         {NULL, 0, NULL, 0}};
    jm_training_preset in;
    memset(&in, 0, sizeof in);
    in.chips = in.days = in.watts_per_chip = in.pue = in.kg_per_kwh = NAN;
    in.paper_mwh = in.paper_tco2e = NAN;
    from_opts fo = {NULL, NULL, NULL, 0, NAN, NAN, false};
    const char *preset = NULL, *presets_file = NULL;
    bool regions = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *target = NULL;
        switch (c) {
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        case O_CHIPS:
            target = &in.chips;
            break;
        case O_DAYS:
            target = &in.days;
            break;
        case O_WATTS:
            target = &in.watts_per_chip;
            break;
        case O_PUE:
            target = &in.pue;
            break;
        case O_INTENSITY:
            target = &in.kg_per_kwh;
            break;
        case O_TOKENS:
            target = &fo.tokens;
            break;
        case O_PRESET:
            preset = optarg;
            break;
        case O_PRESETS:
            presets_file = optarg;
            break;
        case O_FROM:
            fo.dir = optarg;
            break;
        case O_REGION:
            fo.region = optarg;
            break;
        case O_GRID:
            fo.grid_file = optarg;
            break;
        case O_REGIONS:
            regions = true;
            break;
        case O_JSON:
            fo.json = true;
            break;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
        if (target) {
            char name[32] = "option";
            for (const struct option *o = opts; o->name; o++)
                if (o->val == c)
                    snprintf(name, sizeof name, "--%s", o->name);
            if (parse_double(name, optarg, target))
                return JM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulemark carbon: unexpected argument '%s'\n\n", argv[optind]);
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    int modes = (preset != NULL) + (fo.dir != NULL) + regions;
    if (modes > 1) {
        fprintf(stderr, "joulemark carbon: --preset, --from and --regions exclude each other\n");
        return JM_EXIT_USAGE;
    }
    if (preset)
        return do_presets(preset, presets_file, fo.json);
    if (regions)
        return do_regions(fo.grid_file, fo.json);
    if (fo.dir) {
        if (fo.region && isfinite(in.kg_per_kwh)) {
            fprintf(stderr, "joulemark carbon: give --region or --intensity, not both\n");
            return JM_EXIT_USAGE;
        }
        if (isfinite(in.pue) && in.pue < 1.0) {
            fprintf(stderr, "joulemark carbon: --pue %g: expected >= 1\n", in.pue);
            return JM_EXIT_USAGE;
        }
        fo.pue = in.pue;
        fo.kg_per_kwh = in.kg_per_kwh;
        return do_from(&fo);
    }
    const struct {
        const char *name;
        double v;
    } need[] = {{"--chips", in.chips},
                {"--days", in.days},
                {"--watts", in.watts_per_chip},
                {"--pue", in.pue},
                {"--intensity", in.kg_per_kwh}};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!isfinite(need[i].v)) {
            fprintf(stderr,
                    "joulemark carbon: missing %s (the formula needs --chips, --days, "
                    "--watts, --pue and --intensity; or use --preset or --from)\n\n",
                    need[i].name);
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    return do_formula(&in, fo.json);
}
