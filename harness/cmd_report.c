/* cmd_report.c - `joulemark report RESULTS_DIR [-o FILE]`: reloads a results
 * directory (results.json + trace.csv), rewrites its report.html and
 * summary.csv (or the HTML to FILE) and prints the summary table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void usage(FILE *out) {
    fprintf(out, "usage: joulemark report [-o FILE.html] [--quiet] RESULTS_DIR\n\n"
                 "Rebuilds the self-contained HTML report (report.html) and summary.csv of a\n"
                 "results directory written by `joulemark run`, and prints the summary table.\n"
                 "  -o, --output FILE  write the HTML to FILE instead (summary.csv is then\n"
                 "                     not rewritten)\n"
                 "  -q, --quiet        do not print the summary table\n");
}

int jm_cmd_report(int argc, char **argv) {
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    const char *output = NULL;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "ho:q", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        case 'o':
            output = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "joulemark report: expected one RESULTS_DIR\n\n");
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    jm_results r;
    char err[1024];
    int rc = jm_results_load(dir, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "joulemark report: %s\n", err);
        return rc == JM_R_EIO || rc == JM_R_ENOMEM ? JM_EXIT_SYSTEM : JM_EXIT_USAGE;
    }
    const char *formats[] = {"html", "summary-csv"};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        const jm_writer_ops *w = jm_writer_find(formats[i]);
        if (output && strcmp(formats[i], "html") != 0)
            continue;
        char path[4096];
        if (output && strcmp(formats[i], "html") == 0)
            snprintf(path, sizeof path, "%s", output);
        else if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, w->filename) >= sizeof path) {
            fprintf(stderr, "joulemark report: %s/%s: path too long\n", dir, w->filename);
            jm_results_free(&r);
            return JM_EXIT_USAGE;
        }
        rc = w->write(&r, path, err, sizeof err);
        if (rc) {
            fprintf(stderr, "joulemark report: %s\n", err);
            jm_results_free(&r);
            return JM_EXIT_SYSTEM;
        }
        fprintf(stderr, "wrote %s\n", path);
    }
    if (!quiet)
        jm_results_print_summary(&r, stdout, isatty(STDOUT_FILENO));
    jm_results_free(&r);
    return JM_EXIT_OK;
}
