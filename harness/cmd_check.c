/* cmd_check.c - `joulemark check DIR`: validates an MLPerf submission tree
 * written by `joulemark package` and lists every problem; exit 1 when any. */
#include <getopt.h>
#include <stdio.h>

#include "harness.h"

int jm_cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf("usage: joulemark check DIR\n\n"
                   "Checks the submission tree in DIR (the folder holding open/, or\n"
                   "open/<submitter>): required files and keys, names, LoadGen log keys,\n"
                   "durations, seeds and validity under the MLPerf rules, the accuracy hash,\n"
                   "and the power metric recomputed from the samples. Lists every problem;\n"
                   "exits 1 when there is any.\n");
            return JM_EXIT_OK;
        default:
            fprintf(stderr, "usage: joulemark check DIR\n");
            return JM_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "usage: joulemark check DIR\n");
        return JM_EXIT_USAGE;
    }
    jm_check_problems p;
    char err[1024];
    if (jm_submission_check(argv[optind], &p, err, sizeof(err)) != 0) {
        fprintf(stderr, "joulemark check: %s\n", err);
        return JM_EXIT_SYSTEM;
    }
    for (int i = 0; i < p.n; i++)
        printf("problem: %s\n", p.items[i]);
    if (p.n == 0)
        printf("%s: no problem found\n", argv[optind]);
    else
        printf("%d problem(s) found\n", p.n);
    int rc = p.n == 0 ? JM_EXIT_OK : JM_EXIT_INVALID;
    jm_check_problems_free(&p);
    return rc;
}
