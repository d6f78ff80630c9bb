/* cmd_compare.c - `joulemark compare DIR DIR... [-o FILE.html]`: several
 * results directories (machines, configs, backends) side by side in the
 * terminal and, with -o, as an HTML page. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#define MAX_SETS 32

static void usage(FILE *out) {
    fprintf(out, "usage: joulemark compare [-o FILE.html] RESULTS_DIR RESULTS_DIR...\n\n"
                 "Shows the summaries of several results directories side by side: per\n"
                 "workload tokens/s, W, mJ/token with its 95%% CI, tokens/J, mJ/token relative\n"
                 "to the first directory, energy source; then each run's dense-vs-sparse ratio.\n"
                 "  -o, --output FILE  also write the comparison as a self-contained HTML page\n");
}

int jm_cmd_compare(int argc, char **argv) {
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *output = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        case 'o':
            output = optarg;
            break;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (n < 2 || n > MAX_SETS) {
        fprintf(stderr, "joulemark compare: expected 2 to %d results directories, got %d\n\n",
                MAX_SETS, n);
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    jm_results *sets = calloc((size_t)n, sizeof *sets);
    const char **labels = calloc((size_t)n, sizeof *labels);
    if (!sets || !labels) {
        free(sets);
        free(labels);
        fprintf(stderr, "joulemark compare: out of memory\n");
        return JM_EXIT_SYSTEM;
    }
    int rc = JM_EXIT_OK, loaded = 0;
    char err[1024];
    for (int i = 0; i < n; i++, loaded++) {
        labels[i] = argv[optind + i];
        int lr = jm_results_load(labels[i], &sets[i], err, sizeof err);
        if (lr) {
            fprintf(stderr, "joulemark compare: %s\n", err);
            rc = lr == JM_R_EIO || lr == JM_R_ENOMEM ? JM_EXIT_SYSTEM : JM_EXIT_USAGE;
            break;
        }
    }
    if (rc == JM_EXIT_OK) {
        jm_compare_print(sets, labels, n, stdout, isatty(STDOUT_FILENO));
        if (output) {
            if (jm_compare_write_html(sets, labels, n, output, err, sizeof err)) {
                fprintf(stderr, "joulemark compare: %s\n", err);
                rc = JM_EXIT_SYSTEM;
            } else {
                fprintf(stderr, "wrote %s\n", output);
            }
        }
    }
    for (int i = 0; i < loaded; i++)
        jm_results_free(&sets[i]);
    free(sets);
    free(labels);
    return rc;
}
