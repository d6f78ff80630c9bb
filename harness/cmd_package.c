/* cmd_package.c - `joulemark package RESULTS_DIR... --out DIR --submitter NAME
 * --system NAME [--system-file USER.json] [--map BENCHMARK=MODEL]... [--force]`:
 * builds an MLPerf inference submission tree (open division) from results
 * directories of `joulemark run --rules mlperf`. See docs/submission.md. */
#include <getopt.h>
#include <stdio.h>

#include "harness.h"

static const char usage[] =
    "usage: joulemark package RESULTS_DIR... --out DIR --submitter NAME --system NAME\n"
    "                         [--system-file USER.json] [--map BENCHMARK=MODEL]... [--force]\n";

int jm_cmd_package(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"submitter", required_argument, NULL, 's'},
                                         {"system", required_argument, NULL, 'y'},
                                         {"system-file", required_argument, NULL, 'f'},
                                         {"map", required_argument, NULL, 'm'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    jm_submission_opts o = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out_dir = optarg;
            break;
        case 's':
            o.submitter = optarg;
            break;
        case 'y':
            o.system = optarg;
            break;
        case 'f':
            o.system_file = optarg;
            break;
        case 'm':
            if (o.n_maps == JM_SUBMISSION_MAX_INPUTS) {
                fprintf(stderr, "joulemark package: at most %d --map options\n",
                        JM_SUBMISSION_MAX_INPUTS);
                return JM_EXIT_USAGE;
            }
            o.maps[o.n_maps++] = optarg;
            break;
        case 'F':
            o.force = true;
            break;
        case 'h':
            printf("%s\nBuilds DIR/open/<submitter>/ (systems, code, measurements, results,\n"
                   "model_mapping.json) from results directories that hold MLPerf logs\n"
                   "(mlperf/<benchmark>/<scenario>/). System keys the recorded system\n"
                   "description cannot give come from --system-file. See docs/submission.md.\n",
                   usage);
            return JM_EXIT_OK;
        default:
            fprintf(stderr, "%s", usage);
            return JM_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o.n_results_dirs == JM_SUBMISSION_MAX_INPUTS) {
            fprintf(stderr, "joulemark package: at most %d results directories\n",
                    JM_SUBMISSION_MAX_INPUTS);
            return JM_EXIT_USAGE;
        }
        o.results_dirs[o.n_results_dirs++] = argv[i];
    }
    const char *missing = o.n_results_dirs == 0 ? "RESULTS_DIR"
                          : !o.out_dir          ? "--out DIR"
                          : !o.submitter        ? "--submitter NAME"
                          : !o.system           ? "--system NAME"
                                                : NULL;
    if (missing) {
        fprintf(stderr, "joulemark package: %s is required\n%s", missing, usage);
        return JM_EXIT_USAGE;
    }
    char err[2048];
    if (jm_submission_name_check("--submitter", o.submitter, err, sizeof(err)) != 0 ||
        jm_submission_name_check("--system", o.system, err, sizeof(err)) != 0) {
        fprintf(stderr, "joulemark package: %s\n", err);
        return JM_EXIT_USAGE;
    }
    int n = 0;
    int rc = jm_submission_build(&o, &n, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "joulemark package: %s\n", err);
        return rc == JM_R_EIO || rc == JM_R_ENOMEM ? JM_EXIT_SYSTEM : JM_EXIT_USAGE;
    }
    printf("packaged %d benchmark/scenario result(s) into %s/open/%s\n", n, o.out_dir,
           o.submitter);
    printf("check it with: joulemark check %s\n", o.out_dir);
    return JM_EXIT_OK;
}
