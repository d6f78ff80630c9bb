/* command_table.c - the subcommand table: a new subcommand is one file
 * (harness/cmd_NAME.c) plus one line here. */
#include "harness.h"

static const jm_command commands[] = {
    {"run", jm_cmd_run, "run a benchmark config and write results (default: configs/default.json)"},
    {"sysinfo", jm_cmd_sysinfo, "describe this machine (CPU, caches, memory, OS)"},
    {"meters", jm_cmd_meters, "list energy meters: available or why not"},
    {NULL, NULL, NULL},
};

const jm_command *jm_command_table(void)
{
    return commands;
}

const char *jm_version_string(void)
{
    return JM_VERSION " (git " JM_GIT_DESCRIBE ")";
}
