/* main.c - entry point of `joulemark`: global options and subcommand dispatch.
 * The only place (with the jm_cmd_* functions) that prints and picks the exit code. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void print_usage(FILE *out)
{
    fprintf(out, "usage: joulemark [--help] [--version] COMMAND [ARGS]\n\n"
                 "MLPerf-style energy benchmark: dense vs sparse mixture-of-experts layers,\n"
                 "energy per token from hardware meters (or a labelled estimate).\n\n"
                 "commands:\n");
    for (const jm_command *c = jm_command_table(); c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n`joulemark COMMAND --help` describes a command.\n\n"
                 "exit codes: 0 ok, 1 run invalid or check failed, 2 usage/config error,\n"
                 "            3 meter/system/I-O error\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    /* Only parse options before the subcommand ("+" stops at the first non-option). */
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_usage(stdout);
            return JM_EXIT_OK;
        case 'V':
            printf("joulemark %s\n", jm_version_string());
            return JM_EXIT_OK;
        default:
            fprintf(stderr, "joulemark: unknown option '%s'\n\n", argv[optind - 1]);
            print_usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_usage(stderr);
        return JM_EXIT_USAGE;
    }
    const char *name = argv[optind];
    const char *names[64];
    int n_names = 0;
    for (const jm_command *cmd = jm_command_table(); cmd->name; cmd++) {
        if (strcmp(cmd->name, name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* glibc: 0 fully re-initialises getopt for the subcommand */
            opterr = 1;
            return cmd->fn(sub_argc, sub_argv);
        }
        if (n_names < 63)
            names[n_names++] = cmd->name;
    }
    names[n_names] = NULL;
    const char *near = jm_nearest(name, names);
    fprintf(stderr, "joulemark: unknown command '%s'", name);
    if (near)
        fprintf(stderr, " (did you mean '%s'?)", near);
    fprintf(stderr, "\n\n");
    print_usage(stderr);
    return JM_EXIT_USAGE;
}
