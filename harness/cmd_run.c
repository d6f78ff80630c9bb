/* cmd_run.c - `joulemark run [CONFIG] [-o DIR] [--quick] [--force] [--meter SPEC]...`:
 * loads and validates the config, refuses to overwrite results, runs it,
 * writes every output file atomically and prints the summary. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: joulemark run [CONFIG] [-o DIR] [--quick] [--force] [--dry-run] [--meter SPEC]...\n"
            "                     [--rules default|quick|mlperf] [--scenario NAME[:qps=X,latency_ms=Y]]...\n\n"
            "Runs the workloads of CONFIG (default: configs/default.json) while the meters\n"
            "record energy, then writes results.json, trace.csv, summary.csv and report.html.\n\n"
            "  -o, --output DIR   output directory (default: results/<UTC timestamp>/)\n"
            "  -q, --quick        shorten every duration for a smoke run; results marked quick\n"
            "  -f, --force        write into DIR even if it already holds files\n"
            "  -n, --dry-run      validate and print the plan (workloads, meters, primary\n"
            "                     meter, run rules, expected duration); run nothing\n"
            "  -m, --meter SPEC   use this meter instead of the config's list; repeatable:\n"
            "                     NAME[:KEY=VALUE,...], e.g. rapl, rapl:root=/tmp/sys,\n"
            "                     estimate:tdp_w=120, ptd:host=127.0.0.1,port=8888\n"
            "  -r, --rules NAME   run rules: default, quick (as --quick) or mlperf (600 s\n"
            "                     scenario runs, ranging then testing, fixed seeds; adds\n"
            "                     Offline and SingleStream unless scenarios are given)\n"
            "  -s, --scenario S   also run every workload under this MLPerf scenario and write\n"
            "                     LoadGen logs under DIR/mlperf/; repeatable: Offline,\n"
            "                     SingleStream, MultiStream, Server:qps=2,latency_ms=5000\n"
            "  -h, --help         this text\n\n"
            "exit codes: 0 ok, 1 a run is invalid or the run was interrupted, 2 usage or\n"
            "config error, 3 meter/system/I-O error\n");
}

int jm_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"quick", no_argument, NULL, 'q'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"meter", required_argument, NULL, 'm'},
                                         {"rules", required_argument, NULL, 'r'},
                                         {"scenario", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out_dir = NULL;
    bool quick = false, force = false, dry_run = false;
    char *meters[JM_CFG_MAX_METERS];
    int n_meters = 0;
    char *scenarios[JM_SCENARIO_COUNT];
    int n_scenarios = 0;
    const char *rules = NULL;
    /* JM_GEMM_KERNEL, JM_GEMM_BLOCKING, JM_CACHE_MODEL (docs/kernels.md) */
    char ferr[256];
    if (jm_gemm_apply_env(ferr, sizeof ferr) != JM_K_OK) {
        fprintf(stderr, "joulemark run: %s\n", ferr);
        return JM_EXIT_USAGE;
    }
    int c;
    while ((c = getopt_long(argc, argv, "o:qfnm:r:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'q':
            quick = true;
            break;
        case 'f':
            force = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'm':
            if (n_meters >= JM_CFG_MAX_METERS) {
                fprintf(stderr, "joulemark run: at most %d --meter options\n", JM_CFG_MAX_METERS);
                return JM_EXIT_USAGE;
            }
            meters[n_meters++] = optarg;
            break;
        case 'r':
            rules = optarg;
            break;
        case 's':
            if (n_scenarios >= JM_SCENARIO_COUNT) {
                fprintf(stderr, "joulemark run: at most %d --scenario options\n", JM_SCENARIO_COUNT);
                return JM_EXIT_USAGE;
            }
            scenarios[n_scenarios++] = optarg;
            break;
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "joulemark run: expected at most one CONFIG, got '%s' and '%s'\n",
                argv[optind], argv[optind + 1]);
        return JM_EXIT_USAGE;
    }
    const char *config_path = optind < argc ? argv[optind] : jm_default_config_path();

    char err[2048];
    jm_config cfg;
    int lrc = dry_run ? jm_config_load_for_plan(config_path, &cfg, err, sizeof err)
                      : jm_config_load(config_path, &cfg, err, sizeof err);
    if (lrc != 0) {
        fprintf(stderr, "joulemark run: %s\n", err);
        return JM_EXIT_USAGE;
    }
    if (n_meters > 0 && jm_config_set_meters(&cfg, meters, n_meters, err, sizeof err) != 0) {
        fprintf(stderr, "joulemark run: %s\n", err);
        jm_config_free(&cfg);
        return JM_EXIT_USAGE;
    }
    if (n_scenarios > 0 && jm_config_set_scenarios(&cfg, scenarios, n_scenarios, err, sizeof err) != 0) {
        fprintf(stderr, "joulemark run: %s\n", err);
        jm_config_free(&cfg);
        return JM_EXIT_USAGE;
    }
    if (rules && jm_config_set_preset(&cfg, rules, err, sizeof err) != 0) {
        fprintf(stderr, "joulemark run: %s\n", err);
        jm_config_free(&cfg);
        return JM_EXIT_USAGE;
    }
    if (quick)
        jm_config_apply_quick(&cfg);

    char default_dir[JM_CFG_PATH_MAX + 64];
    if (!out_dir) {
        char stamp[32];
        jm_utc_stamp(stamp, sizeof stamp);
        snprintf(default_dir, sizeof default_dir, "%s/%s",
                 cfg.output_dir[0] ? cfg.output_dir : "results", stamp);
        out_dir = default_dir;
    }
    int state = jm_dir_state(out_dir);
    if (state < 0) {
        fprintf(stderr, "joulemark run: output %s exists and is not a directory\n", out_dir);
        jm_config_free(&cfg);
        return JM_EXIT_USAGE;
    }
    if (dry_run) {
        int prc = jm_run_print_plan(&cfg, config_path, out_dir, state > 0 && !force, stdout, err,
                                    sizeof err);
        if (prc != JM_EXIT_OK)
            fprintf(stderr, "joulemark run: %s\n", err);
        jm_config_free(&cfg);
        return prc;
    }
    int prc = jm_prepare_output_dir(out_dir, force, err, sizeof err);
    if (prc != JM_EXIT_OK) {
        fprintf(stderr, "joulemark run: %s\n", err);
        jm_config_free(&cfg);
        return prc;
    }

    jm_install_interrupt_handlers();
    jm_run_options opt = {.quick = quick, .progress_tty = isatty(STDERR_FILENO), .log = stderr};
    jm_results res;
    jm_results_init(&res);
    fprintf(stderr, "joulemark %s: %s -> %s (run rules: %s)\n", jm_version_string(),
            config_path, out_dir, cfg.rules.name);
    err[0] = '\0';
    jm_run_session *session = NULL;
    int rc = jm_runner_execute(&cfg, &opt, &res, &session, err, sizeof err);
    if (rc != JM_EXIT_OK)
        fprintf(stderr, "joulemark run: %s\n", err);
    /* MLPerf logs and the meters' own logs: warnings only, like before */
    jm_run_write_outputs(session, &res, out_dir, stderr);
    jm_run_session_free(session);

    int exit_code = rc;
    bool measured = res.n_workloads > 0;
    if (measured) {
        char werr[1024];
        if (jm_results_write_all(&res, out_dir, werr, sizeof werr) != 0) {
            fprintf(stderr, "joulemark run: writing results to %s failed: %s\n", out_dir, werr);
            exit_code = JM_EXIT_SYSTEM;
        } else {
            jm_results_print_summary(&res, stdout, isatty(STDOUT_FILENO));
            fprintf(stderr, "results written to %s/ (results.json, trace.csv, summary.csv, report.html)\n",
                    out_dir);
        }
        if (exit_code == JM_EXIT_OK)
            exit_code = jm_results_exit_code(&res, "run");
    } else {
        rmdir(out_dir); /* nothing was measured: leave no empty folder behind */
    }
    jm_results_free(&res);
    jm_config_free(&cfg);
    return exit_code;
}
