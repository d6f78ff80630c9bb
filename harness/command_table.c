/* command_table.c - the subcommand table: a new subcommand is one file
 * (harness/cmd_NAME.c) plus one line here. */
#include "harness.h"

static const jm_command commands[] = {
    {"run", jm_cmd_run, "run a benchmark config and write results (default: configs/default.json)"},
    {"measure", jm_cmd_measure, "the energy of any command: -- CMD [ARGS] [::: CMD2 ...] (perf stat for joules)"},
    {"sysinfo", jm_cmd_sysinfo, "describe this machine (CPU, caches, memory, OS)"},
    {"meters", jm_cmd_meters, "list energy meters: available or why not"},
    {"package", jm_cmd_package, "build an MLPerf submission tree (open division) from results"},
    {"check", jm_cmd_check, "validate an MLPerf submission tree and list every problem"},
    {"power", jm_cmd_power, "the MLPerf power metric of scenario folders of any power submission"},
    {"report", jm_cmd_report, "rebuild report.html and summary.csv of a results directory"},
    {"compare", jm_cmd_compare, "several results directories side by side (terminal, HTML)"},
    {"carbon", jm_cmd_carbon, "CO2e: paper training footprints, runs projected by grid region"},
    {"bench", jm_cmd_bench, "GFLOP/s of our GEMM vs OpenBLAS and of the default layers"},
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
