/* cmd_bench.c - `joulemark bench`: GFLOP/s of our GEMM and of OpenBLAS on
 * square and FFN shapes at 1 and all threads, tokens/s, GFLOP/s and the MoE
 * routing+dispatch+combine share of the default layers, and (--sweep) the
 * same per batch size. Medians over repeats; text table or one JSON object.
 * A benchmark program, not a test: it measures and prints, asserts nothing. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

typedef struct bench_opts {
    bool json, quick, sweep, gemm_only;
    int threads;      /* "all threads" */
    int repeats;      /* samples per figure (median) */
    double sample_ms; /* minimum duration of one GEMM sample */
    double layer_ms;  /* minimum duration of one layer sample */
    int layer_seqs;   /* batch of the layer rows, in sequences of 256 */
    double peak_1, peak_all; /* FMA peak, GFLOP/s, at 1 and all threads */
} bench_opts;

/* share of the FMA peak of a team of `threads`, NAN when unknown */
static double peak_share(const bench_opts *o, double gflops, int threads) {
    const double peak = threads == 1 ? o->peak_1 : o->peak_all;
    return peak > 0.0 ? gflops / peak : NAN;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void cpu_model(char *buf, size_t len) {
    snprintf(buf, len, "unknown (no model name in /proc/cpuinfo)");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        const char *colon = strchr(line, ':');
        if (!colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        snprintf(buf, len, "%s", colon);
        buf[strcspn(buf, "\n")] = '\0';
        break;
    }
    fclose(f);
}

/* ------------------------------------------------------------- GEMM rows --- */

typedef struct gemm_row {
    int m, n, k, threads;
    double ours_gflops, openblas_gflops; /* openblas NAN when not built in */
} gemm_row;

static int gemm_call(bool openblas, const gemm_row *r, const float *a, const float *b, float *c,
                     char *err, size_t err_len) {
    const size_t m = (size_t)r->m, n = (size_t)r->n, k = (size_t)r->k;
    if (openblas)
        return jm_sgemm_openblas(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n,
                                 r->threads, err, err_len);
    return jm_sgemm(JM_NO_TRANS, JM_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n, NULL,
                    r->threads, err, err_len);
}

/* Calls per sample so that one sample lasts >= sample_ms (from a warm-up). */
static int calibrate(const bench_opts *o, bool openblas, const gemm_row *r, const float *a,
                     const float *b, float *c, int *inner, char *err, size_t err_len) {
    const uint64_t t0 = jm_now_ns();
    const int rc = gemm_call(openblas, r, a, b, c, err, err_len);
    const double one_ns = (double)(jm_now_ns() - t0) + 1.0;
    const double n = ceil(o->sample_ms * 1e6 / one_ns);
    *inner = n < 1.0 ? 1 : (n > 10000.0 ? 10000 : (int)n);
    return rc;
}

static int sample(bool openblas, const gemm_row *r, int inner, const float *a, const float *b,
                  float *c, double *gflops, char *err, size_t err_len) {
    const uint64_t t0 = jm_now_ns();
    int rc = 0;
    for (int i = 0; i < inner && !rc; ++i)
        rc = gemm_call(openblas, r, a, b, c, err, err_len);
    *gflops = 2.0 * r->m * (double)r->n * r->k * inner / (double)(jm_now_ns() - t0);
    return rc;
}

/* Median GFLOP/s over opts->repeats samples of >= sample_ms each; ours and
 * OpenBLAS samples alternate so that both see the same machine load. */
static int time_gemm_row(const bench_opts *o, gemm_row *r, const float *a, const float *b, float *c,
                         char *err, size_t err_len) {
    const bool blas = jm_gemm_openblas_available();
    int inner_ours = 1, inner_blas = 1;
    int rc = calibrate(o, false, r, a, b, c, &inner_ours, err, err_len);
    if (!rc && blas)
        rc = calibrate(o, true, r, a, b, c, &inner_blas, err, err_len);
    double ours[64], theirs[64];
    for (int s = 0; s < o->repeats && !rc; ++s) {
        rc = sample(false, r, inner_ours, a, b, c, &ours[s], err, err_len);
        if (!rc && blas)
            rc = sample(true, r, inner_blas, a, b, c, &theirs[s], err, err_len);
    }
    if (rc)
        return rc;
    r->ours_gflops = median(ours, o->repeats);
    r->openblas_gflops = blas ? median(theirs, o->repeats) : NAN;
    return 0;
}

static int bench_gemm(const bench_opts *o, gemm_row *rows, int *n_rows, char *err, size_t err_len) {
    static const int shapes[][3] = {{256, 256, 256},    {512, 512, 512},   {1024, 1024, 1024},
                                    {2048, 2048, 2048}, {512, 4096, 1024}, {512, 1024, 4096}};
    const int n_shapes = (int)(sizeof(shapes) / sizeof(shapes[0]));
    const size_t max_elems = 2048u * 2048u;
    float *a = malloc(max_elems * sizeof(float)), *b = malloc(max_elems * sizeof(float));
    float *c = malloc(max_elems * sizeof(float));
    int rc = 0;
    if (!a || !b || !c) {
        snprintf(err, err_len, "bench: cannot allocate 3 x %zu bytes for GEMM operands",
                 max_elems * sizeof(float));
        rc = -1;
    }
    if (!rc) {
        jm_fill_uniform(a, max_elems, 1, 1.0f);
        jm_fill_uniform(b, max_elems, 2, 1.0f);
    }
    *n_rows = 0;
    const int team[2] = {1, o->threads};
    for (int s = 0; s < n_shapes && !rc; ++s)
        for (int t = 0; t < (o->threads > 1 ? 2 : 1) && !rc; ++t) {
            gemm_row *r = &rows[(*n_rows)++];
            *r = (gemm_row){shapes[s][0], shapes[s][1], shapes[s][2], team[t], 0.0, NAN};
            rc = time_gemm_row(o, r, a, b, c, err, err_len);
        }
    free(a);
    free(b);
    free(c);
    return rc;
}

/* ------------------------------------------------------------ layer rows --- */

typedef struct layer_row {
    const char *name;
    int tokens, threads;
    double tokens_per_s, gflops, dispatch_share; /* share NAN for dense layers */
} layer_row;

static jm_workload_shape default_layer(jm_workload_kind kind, int d_ff, int threads, int seqs) {
    jm_workload_shape s = {.kind = kind,
                           .d_model = 512,
                           .n_heads = 8,
                           .d_ff = d_ff,
                           .seq_len = 256,
                           .batch_seqs = seqs,
                           .n_experts = 32,
                           .top_k = 1,
                           .capacity_factor = 1.25,
                           .threads = threads,
                           .seed = 1};
    return s;
}

typedef struct layer_def {
    const char *name;
    jm_workload_kind kind;
    int d_ff;
} layer_def;

static const layer_def layer_defs[] = {
    {"moe_32x2048_top1", JM_WORKLOAD_MOE, 2048},
    {"dense_param_matched_ff65536", JM_WORKLOAD_DENSE, 65536},
    {"dense_flop_matched_ff2048", JM_WORKLOAD_DENSE, 2048},
};
enum { N_LAYER_DEFS = sizeof(layer_defs) / sizeof(layer_defs[0]) };

/* One row per layer at batch `seqs`: a warm-up run of each, then repeats
 * rounds that take one sample of every layer (interleaved, so that a burst
 * of load on the machine hits all layers alike), medians per layer. A sample
 * repeats the layer until it lasts layer_ms, so that a layer of 0.1 s and one
 * of 3 s are both timed over a window longer than the machine's bursts. */
static int time_layers(const bench_opts *o, jm_workload *const *w, int seqs, layer_row *out,
                       char *err, size_t err_len) {
    double tps[N_LAYER_DEFS][64], share[N_LAYER_DEFS][64];
    jm_run_stats st;
    int rc = 0;
    for (int l = 0; l < N_LAYER_DEFS && !rc; ++l)
        rc = jm_workload_run(w[l], seqs, &st, err, err_len);
    for (int r = 0; r < o->repeats && !rc; ++r)
        for (int l = 0; l < N_LAYER_DEFS && !rc; ++l) {
            uint64_t tokens = 0, total_ns = 0, glue_ns = 0;
            do {
                rc = jm_workload_run(w[l], seqs, &st, err, err_len);
                tokens += st.tokens;
                total_ns += st.total_ns;
                glue_ns += st.router_ns + st.dispatch_ns + st.combine_ns;
            } while (!rc && (double)total_ns * 1e-6 < o->layer_ms);
            tps[l][r] = (double)tokens / ((double)total_ns * 1e-9);
            share[l][r] = (double)glue_ns / (double)total_ns;
        }
    for (int l = 0; l < N_LAYER_DEFS && !rc; ++l) {
        const jm_workload_shape *s = jm_workload_get_shape(w[l]);
        out[l].name = layer_defs[l].name;
        out[l].tokens = seqs * s->seq_len;
        out[l].threads = s->threads;
        out[l].tokens_per_s = median(tps[l], o->repeats);
        out[l].gflops = out[l].tokens_per_s * jm_workload_flops_per_token(s) * 1e-9;
        out[l].dispatch_share = s->kind == JM_WORKLOAD_MOE ? median(share[l], o->repeats) : NAN;
    }
    return rc;
}

/* rows: N_LAYER_DEFS for the default batch; with sweep also one row per
 * (batch size, layer) in sweep[], batch sizes from 1 sequence doubling up
 * to layer_seqs. */
static int bench_layers(const bench_opts *o, layer_row *rows, layer_row *sweep, int *n_sweep,
                        char *err, size_t err_len) {
    jm_workload *w[N_LAYER_DEFS] = {NULL};
    int rc = 0;
    *n_sweep = 0;
    for (int l = 0; l < N_LAYER_DEFS && !rc; ++l) {
        jm_workload_shape s =
            default_layer(layer_defs[l].kind, layer_defs[l].d_ff, o->threads, o->layer_seqs);
        rc = jm_workload_create(&s, &w[l], err, err_len);
    }
    if (!rc)
        rc = time_layers(o, w, o->layer_seqs, rows, err, err_len);
    for (int seqs = 1; o->sweep && !rc && seqs <= o->layer_seqs; seqs *= 2) {
        rc = time_layers(o, w, seqs, &sweep[*n_sweep], err, err_len);
        *n_sweep += N_LAYER_DEFS;
    }
    for (int l = 0; l < N_LAYER_DEFS; ++l)
        jm_workload_destroy(w[l]);
    return rc;
}

/* ---------------------------------------------------------------- output --- */

static cJSON *num_or_null(double v) {
    return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

static cJSON *layer_json(const bench_opts *b, const layer_row *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON_AddNumberToObject(o, "tokens", r->tokens);
    cJSON_AddNumberToObject(o, "threads", r->threads);
    cJSON_AddNumberToObject(o, "tokens_per_s", r->tokens_per_s);
    cJSON_AddNumberToObject(o, "gflops", r->gflops);
    cJSON_AddItemToObject(o, "peak_share", num_or_null(peak_share(b, r->gflops, r->threads)));
    cJSON_AddItemToObject(o, "dispatch_share", num_or_null(r->dispatch_share));
    return o;
}

static void print_json(const bench_opts *o, const char *cpu, const gemm_row *g, int n_g,
                       const layer_row *l, int n_l, const layer_row *sw, int n_sw) {
    cJSON *root = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(root, "machine");
    cJSON_AddStringToObject(m, "cpu_model", cpu);
    cJSON_AddNumberToObject(m, "threads", o->threads);
    cJSON_AddStringToObject(m, "kernel", jm_gemm_kernel_name());
    const char *core = jm_gemm_openblas_corename();
    cJSON_AddItemToObject(m, "openblas_core", core ? cJSON_CreateString(core) : cJSON_CreateNull());
    size_t kc, mc, nc;
    char source[64];
    jm_gemm_blocking_in_use(&kc, &mc, &nc, source, sizeof(source));
    cJSON *bl = cJSON_AddObjectToObject(m, "blocking");
    cJSON_AddNumberToObject(bl, "kc", (double)kc);
    cJSON_AddNumberToObject(bl, "mc", (double)mc);
    cJSON_AddNumberToObject(bl, "nc", (double)nc);
    cJSON_AddStringToObject(bl, "source", source);
    cJSON *pk = cJSON_AddObjectToObject(m, "fma_peak_gflops");
    cJSON_AddItemToObject(pk, "threads_1", num_or_null(o->peak_1));
    cJSON_AddItemToObject(pk, "threads_all", num_or_null(o->peak_all));
    cJSON_AddNumberToObject(root, "repeats", o->repeats);
    cJSON_AddBoolToObject(root, "quick", o->quick);
    cJSON *ga = cJSON_AddArrayToObject(root, "gemm");
    for (int i = 0; i < n_g; ++i) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "m", g[i].m);
        cJSON_AddNumberToObject(r, "n", g[i].n);
        cJSON_AddNumberToObject(r, "k", g[i].k);
        cJSON_AddNumberToObject(r, "threads", g[i].threads);
        cJSON_AddNumberToObject(r, "ours_gflops", g[i].ours_gflops);
        cJSON_AddItemToObject(r, "openblas_gflops", num_or_null(g[i].openblas_gflops));
        cJSON_AddItemToObject(r, "ratio", num_or_null(g[i].ours_gflops / g[i].openblas_gflops));
        cJSON_AddItemToObject(r, "ours_peak_share",
                              num_or_null(peak_share(o, g[i].ours_gflops, g[i].threads)));
        cJSON_AddItemToObject(r, "openblas_peak_share",
                              num_or_null(peak_share(o, g[i].openblas_gflops, g[i].threads)));
        cJSON_AddItemToArray(ga, r);
    }
    cJSON *la = cJSON_AddArrayToObject(root, "layers");
    for (int i = 0; i < n_l; ++i)
        cJSON_AddItemToArray(la, layer_json(o, &l[i]));
    if (o->sweep) {
        cJSON *sa = cJSON_AddArrayToObject(root, "sweep");
        for (int i = 0; i < n_sw; ++i)
            cJSON_AddItemToArray(sa, layer_json(o, &sw[i]));
    }
    char *text = cJSON_Print(root);
    if (text)
        printf("%s\n", text);
    free(text);
    cJSON_Delete(root);
}

static void print_text(const bench_opts *o, const char *cpu, const gemm_row *g, int n_g,
                       const layer_row *l, int n_l, const layer_row *sw, int n_sw) {
    const char *core = jm_gemm_openblas_corename();
    printf("joulemark bench%s: medians of %d repeats\n", o->quick ? " (quick)" : "", o->repeats);
    size_t kc, mc, nc;
    char source[64];
    jm_gemm_blocking_in_use(&kc, &mc, &nc, source, sizeof(source));
    printf("machine: %s; all threads = %d; our kernel %s; OpenBLAS %s%s\n", cpu, o->threads,
           jm_gemm_kernel_name(), core ? "core " : "not built in", core ? core : "");
    printf("blocking: kc %zu, mc %zu, nc %zu (%s)\n", kc, mc, nc, source);
    printf("FMA peak (register-only loop in %s's vector ISA, best 10 ms round): 1 thread %.1f "
           "GFLOP/s",
           jm_gemm_kernel_name(), o->peak_1);
    if (o->threads > 1)
        printf(", %d threads %.1f GFLOP/s", o->threads, o->peak_all);
    printf("\n\n");
    printf("GEMM C = A B, fp32, GFLOP/s\n");
    printf("%6s %6s %6s %7s %10s %10s %14s %12s\n", "m", "n", "k", "threads", "ours", "openblas",
           "ours/openblas", "% of peak");
    for (int i = 0; i < n_g; ++i) {
        printf("%6d %6d %6d %7d %10.1f ", g[i].m, g[i].n, g[i].k, g[i].threads, g[i].ours_gflops);
        const double po = 100.0 * peak_share(o, g[i].ours_gflops, g[i].threads);
        const double pb = 100.0 * peak_share(o, g[i].openblas_gflops, g[i].threads);
        if (isnan(g[i].openblas_gflops))
            printf("%10s %14s %5.0f%% / -\n", "-", "-", po);
        else
            printf("%10.1f %14.2f %5.0f%% / %.0f%%\n", g[i].openblas_gflops,
                   g[i].ours_gflops / g[i].openblas_gflops, po, pb);
    }
    printf("(%% of peak: ours / OpenBLAS, of the FMA peak of the same thread count)\n");
    for (int i = 0; i < n_g; ++i)
        if (peak_share(o, g[i].ours_gflops, g[i].threads) > 1.0 ||
            peak_share(o, g[i].openblas_gflops, g[i].threads) > 1.0) {
            printf("note: a share above 100%% means that the peak was measured while other "
                   "processes took\n      the cores; rerun on a quieter machine\n");
            break;
        }
    if (n_l)
        printf("\nLayers (d_model 512, 8 heads, seq_len 256, %d tokens, %d threads)\n",
           n_l ? l[0].tokens : 0, o->threads);
    if (n_l)
        printf("%-30s %12s %10s %10s %16s\n", "layer", "tokens/s", "GFLOP/s", "% of peak",
               "dispatch share");
    for (int i = 0; i < n_l; ++i) {
        printf("%-30s %12.0f %10.1f %9.0f%% ", l[i].name, l[i].tokens_per_s, l[i].gflops,
               100.0 * peak_share(o, l[i].gflops, l[i].threads));
        if (isnan(l[i].dispatch_share))
            printf("%16s\n", "-");
        else
            printf("%15.1f%%\n", 100.0 * l[i].dispatch_share);
    }
    /* layer_defs: 0 MoE, 2 FLOP-matched dense (equal FLOPs per token) */
    if (n_l == N_LAYER_DEFS && l[0].gflops > 0.0 && l[2].gflops > 0.0) {
        const double r = l[2].gflops / l[0].gflops;
        if (r > 1.15 || r < 1.0 / 1.15)
            printf("warning: the FLOP-matched dense layer runs at %.2fx the MoE layer's GFLOP/s "
                   "(more than 15%% apart):\n         a saving between them is partly a "
                   "kernel-efficiency difference\n",
                   r);
    }
    if (o->sweep) {
        printf("\nBatch-size sweep (%d threads)\n", o->threads);
        printf("%-30s %8s %12s %10s %16s\n", "layer", "tokens", "tokens/s", "GFLOP/s",
               "dispatch share");
        for (int i = 0; i < n_sw; ++i) {
            printf("%-30s %8d %12.0f %10.1f ", sw[i].name, sw[i].tokens, sw[i].tokens_per_s,
                   sw[i].gflops);
            if (isnan(sw[i].dispatch_share))
                printf("%16s\n", "-");
            else
                printf("%15.1f%%\n", 100.0 * sw[i].dispatch_share);
        }
    }
    if (core && strcmp(core, "Prescott") == 0)
        printf("\nnote: OpenBLAS did not recognise this CPU and runs its generic %s kernels;\n"
               "      OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) selects tuned ones.\n",
               core);
}

static void usage(FILE *out) {
    fprintf(out, "usage: joulemark bench [--json] [--threads N] [--quick] [--sweep] [--gemm-only]\n"
                 "                       [--kernel V] [--blocking KC,MC,NC] [--cache-model NAME]\n\n"
                 "Measures our GEMM against OpenBLAS (when built in) on 256^3..2048^3 and the FFN\n"
                 "shapes 512x4096x1024 and 512x1024x4096 at 1 and all threads, and tokens/s,\n"
                 "GFLOP/s and the MoE routing+dispatch+combine share of the default layers.\n\n"
                 "  --json        print one JSON object instead of tables\n"
                 "  --threads N   the \"all threads\" team (default: the cores hwloc reports)\n"
                 "  --quick       fewer repeats and a 1024-token layer batch (a smoke run)\n"
                 "  --sweep       also time the layers per batch size (256 tokens doubling)\n"
                 "  --gemm-only   only the GEMM rows\n"
                 "  --kernel V    our micro-kernel: avx512, avx2, portable or auto\n"
                 "                (default: JM_GEMM_KERNEL, else the best the CPU has)\n"
                 "  --blocking KC,MC,NC  force the GEMM blocking (default: JM_GEMM_BLOCKING,\n"
                 "                else the cache model)\n"
                 "  --cache-model NAME  the blocking of a simulated CPU: zen2, zen3, zen4,\n"
                 "                haswell, skylakex, sapphirerapids, host (default:\n"
                 "                JM_CACHE_MODEL, else host). OpenBLAS follows\n"
                 "                OPENBLAS_CORETYPE (e.g. Haswell, Zen, SkylakeX)\n"
                 "  --help        this text\n\n"
                 "exit codes: 0 ok, 2 usage error, 3 a kernel failed (allocation, backend)\n");
}

int jm_cmd_bench(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},  {"threads", required_argument, NULL, 't'},
        {"quick", no_argument, NULL, 'q'}, {"sweep", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},  {"gemm-only", no_argument, NULL, 'g'},
        {"kernel", required_argument, NULL, 'K'}, {"blocking", required_argument, NULL, 'B'},
        {"cache-model", required_argument, NULL, 'C'}, {NULL, 0, NULL, 0}};
    char ferr[256] = "";
    if (jm_gemm_apply_env(ferr, sizeof(ferr)) != JM_K_OK) {
        fprintf(stderr, "joulemark bench: %s\n", ferr);
        return JM_EXIT_USAGE;
    }
    bench_opts o = {.repeats = 5, .sample_ms = 50.0, .layer_ms = 500.0, .layer_seqs = 16};
    int c;
    while ((c = getopt_long(argc, argv, "jt:qshgK:B:C:", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            o.gemm_only = true;
            break;
        case 'K':
        case 'B':
        case 'C': {
            size_t kc = 0, mc = 0, nc = 0;
            int frc = c == 'K'   ? jm_gemm_force_kernel(optarg, ferr, sizeof(ferr))
                      : c == 'C' ? jm_gemm_set_cache_model(optarg, ferr, sizeof(ferr))
                                 : jm_gemm_parse_blocking(optarg, &kc, &mc, &nc, ferr, sizeof(ferr));
            if (!frc && c == 'B')
                frc = jm_gemm_force_blocking(kc, mc, nc, ferr, sizeof(ferr));
            if (frc) {
                fprintf(stderr, "joulemark bench: --%s: %s\n",
                        c == 'K' ? "kernel" : (c == 'B' ? "blocking" : "cache-model"), ferr);
                return JM_EXIT_USAGE;
            }
            break;
        }
        case 'j':
            o.json = true;
            break;
        case 'q':
            o.quick = true;
            break;
        case 's':
            o.sweep = true;
            break;
        case 't': {
            char *end = NULL;
            const long v = strtol(optarg, &end, 10);
            if (!end || *end || v < 1 || v > 1024) {
                fprintf(stderr,
                        "joulemark bench: --threads: '%s' is not a thread count "
                        "(expected 1..1024)\n",
                        optarg);
                return JM_EXIT_USAGE;
            }
            o.threads = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "joulemark bench: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    if (o.quick) {
        o.repeats = 3;
        o.sample_ms = 10.0;
        o.layer_ms = 0.0;
        o.layer_seqs = 4;
    }
    if (o.threads == 0) {
        jm_cache_sizes cs;
        jm_system_caches(&cs);
        o.threads = cs.cores > 0 ? cs.cores : omp_get_num_procs();
    }
    char reason[256] = "";
    if (jm_pin_omp_threads(o.threads, reason, sizeof(reason)) != 0 && !o.json)
        fprintf(stderr, "joulemark bench: threads not pinned: %s\n", reason);
    /* the yardstick of kernel efficiency, once, ~0.2 s per team size */
    o.peak_1 = jm_fma_peak_gflops(NULL, 1, 0.2, NULL, 0);
    o.peak_all = o.threads > 1 ? jm_fma_peak_gflops(NULL, o.threads, 0.2, NULL, 0) : o.peak_1;
    char cpu[256];
    cpu_model(cpu, sizeof(cpu));
    gemm_row gemm[16];
    layer_row layers[N_LAYER_DEFS];
    layer_row sweep[N_LAYER_DEFS * 16];
    int n_gemm = 0, n_sweep = 0;
    char err[512] = "";
    int rc = bench_gemm(&o, gemm, &n_gemm, err, sizeof(err));
    if (!rc && !o.gemm_only)
        rc = bench_layers(&o, layers, sweep, &n_sweep, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "joulemark bench: %s\n", err);
        return JM_EXIT_SYSTEM;
    }
    if (o.json)
        print_json(&o, cpu, gemm, n_gemm, layers, o.gemm_only ? 0 : N_LAYER_DEFS, sweep, n_sweep);
    else
        print_text(&o, cpu, gemm, n_gemm, layers, o.gemm_only ? 0 : N_LAYER_DEFS, sweep, n_sweep);
    return JM_EXIT_OK;
}
