/* cmd_measure.c - `joulemark measure [OPTIONS] -- CMD [ARGS...] [::: [--name N]
 * [--work N] [--unit U] [--] CMD2 ...]`: the energy of external commands
 * with joulemark's meters, like `perf stat -r N` for energy: idle baseline,
 * then every command run --repeats times (several commands interleaved in
 * rounds and compared paired), through the same runner and measured windows
 * as `run` (measure_run.c), the same outputs (results.json, trace.csv,
 * summary.csv, report.html) and a perf-stat-like summary per command. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: joulemark measure [-o DIR] [--force] [--meter SPEC]... [--repeats N] [--idle-s S]\n"
            "                         [--timeout S] [--interval-ms MS] [--name NAME]\n"
            "                         [--work N [--unit UNIT]] -- CMD [ARGS...]\n"
            "                         [::: [--name NAME] [--work N] [--unit UNIT] [--] CMD2 [ARGS...]]...\n\n"
            "Measures the energy of commands with joulemark's meters: an idle baseline, then\n"
            "each command run N times (several commands, separated by :::, run interleaved in\n"
            "rounds and are compared paired). Writes results.json, trace.csv, summary.csv and\n"
            "report.html to DIR, each command's stdout/stderr to DIR/commands/NAME/runN.*.\n\n"
            "  -o, --output DIR    output directory (default: results/<UTC timestamp>/)\n"
            "  -f, --force         write into DIR even if it already holds files\n"
            "  -m, --meter SPEC    meter to use, repeatable (default: rapl, perf, msr, nvml,\n"
            "                      estimate); the estimate models the commands' processes\n"
            "  -r, --repeats N     runs of each command (default 5)\n"
            "  -i, --idle-s S      idle baseline before the runs (default 5; 0 = none)\n"
            "  -t, --timeout S     stop a run still going after S seconds (SIGTERM, then\n"
            "                      SIGKILL 2 s later); the run is kept, marked invalid\n"
            "      --interval-ms MS  sampling interval (default: each meter's own)\n"
            "      --min-samples N   fewer meter samples inside a run make it invalid (default 5)\n"
            "  -n, --name NAME     name of the command in the results (default: its program)\n"
            "  -w, --work N        units of work one run of the command does, for energy per\n"
            "                      unit (e.g. tokens generated); default 1 run\n"
            "  -u, --unit UNIT     the unit of --work (default: token)\n"
            "  -h, --help          this text\n\n"
            "exit codes: 0 ok, 1 a run is invalid (the command failed, timed out or was\n"
            "interrupted), 2 usage error, 3 meter/system/I-O error\n");
}

/* Options that belong to one command: --name, --work, --unit. */
static int command_option(jm_measure_command *cmd, int c, const char *value, bool *work_given)
{
    char *end;
    switch (c) {
    case 'n':
        if (!value[0] || strlen(value) >= sizeof cmd->name || strchr(value, '/')) {
            fprintf(stderr, "joulemark measure: --name '%s': expected 1-%zu characters without '/'\n",
                    value, sizeof cmd->name - 1);
            return -1;
        }
        snprintf(cmd->name, sizeof cmd->name, "%s", value);
        return 0;
    case 'w':
        errno = 0;
        cmd->work = strtod(value, &end);
        if (errno || end == value || *end || !(cmd->work >= 1) || cmd->work > 1e18) {
            fprintf(stderr, "joulemark measure: --work '%s': expected a number of units >= 1\n",
                    value);
            return -1;
        }
        *work_given = true;
        return 0;
    case 'u':
        if (!value[0] || strlen(value) >= sizeof cmd->unit) {
            fprintf(stderr, "joulemark measure: --unit '%s': expected 1-%zu characters\n", value,
                    sizeof cmd->unit - 1);
            return -1;
        }
        snprintf(cmd->unit, sizeof cmd->unit, "%s", value);
        return 0;
    }
    return -1;
}

/* After ":::": [--name N] [--work N] [--unit U] [--] CMD ARGS... up to the
 * next ":::". Returns the index after the command, or -1. */
static int parse_next_command(int argc, char **argv, int i, jm_measure_command *cmd,
                              bool *work_given, bool *unit_given)
{
    static const struct {
        const char *name;
        int c;
    } keys[] = {{"--name", 'n'}, {"--work", 'w'}, {"--unit", 'u'}, {"-n", 'n'}, {"-w", 'w'}, {"-u", 'u'}};
    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
        int at = i, c = 0;
        const char *value = NULL;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !c; k++) {
            size_t n = strlen(keys[k].name);
            if (strcmp(argv[i], keys[k].name) == 0) {
                c = keys[k].c;
                value = i + 1 < argc ? argv[i + 1] : NULL;
                i += 2;
            } else if (strncmp(argv[i], keys[k].name, n) == 0 && argv[i][n] == '=') {
                c = keys[k].c;
                value = argv[i] + n + 1;
                i += 1;
            }
        }
        if (!c || !value) {
            fprintf(stderr, "joulemark measure: after ':::' expected --name, --work, --unit or "
                            "the command, got '%s'%s\n",
                    argv[at], c ? " without a value" : "");
            return -1;
        }
        if (c == 'u')
            *unit_given = true;
        if (command_option(cmd, c, value, work_given) != 0)
            return -1;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    cmd->argv = argv + i;
    while (i < argc && strcmp(argv[i], ":::") != 0)
        i++;
    cmd->argc = (int)(argv + i - cmd->argv);
    return i;
}

/* Defaults and checks once every command is parsed; argv[i] of ":::" is
 * replaced by NULL so each command's argv is NULL-terminated. */
static int finish_commands(jm_measure_plan *plan, const bool *work_given, const bool *unit_given)
{
    for (int c = 0; c < plan->n_commands; c++) {
        jm_measure_command *cmd = &plan->commands[c];
        if (cmd->argc == 0) {
            fprintf(stderr, "joulemark measure: command %d is empty: expected -- CMD [ARGS...]\n",
                    c + 1);
            return -1;
        }
        cmd->argv[cmd->argc] = NULL;
        if (unit_given[c] && !work_given[c]) {
            fprintf(stderr, "joulemark measure: --unit %s without --work: expected --work N "
                            "--unit %s\n",
                    cmd->unit, cmd->unit);
            return -1;
        }
        if (!work_given[c]) {
            cmd->work = 1;
            snprintf(cmd->unit, sizeof cmd->unit, "run");
        } else if (!unit_given[c]) {
            snprintf(cmd->unit, sizeof cmd->unit, "token");
        }
        if (!cmd->name[0]) {
            char prog[JM_CFG_PATH_MAX];
            snprintf(prog, sizeof prog, "%s", cmd->argv[0]);
            snprintf(cmd->name, sizeof cmd->name, "%.*s", (int)sizeof cmd->name - 4,
                     basename(prog));
        }
        /* unique names: a repeated program becomes NAME-2, NAME-3, ... */
        for (int d = 0; d < c; d++)
            if (strcmp(plan->commands[d].name, cmd->name) == 0) {
                char base[JM_CFG_NAME_MAX - 8];
                snprintf(base, sizeof base, "%.*s", (int)sizeof base - 1, cmd->name);
                snprintf(cmd->name, sizeof cmd->name, "%s-%d", base, (c + 1) % 100);
                d = -1;
            }
    }
    return 0;
}

static int add_meter(jm_config *cfg, const char *spec)
{
    if (cfg->n_meters >= JM_CFG_MAX_METERS) {
        fprintf(stderr, "joulemark measure: at most %d --meter options\n", JM_CFG_MAX_METERS);
        return -1;
    }
    /* the estimate models the commands' processes, not joulemark's own */
    bool estimate = strncmp(spec, "estimate", 8) == 0 && (spec[8] == '\0' || spec[8] == ':');
    bool has_target = strstr(spec, "target=") != NULL;
    snprintf(cfg->meters[cfg->n_meters++], sizeof cfg->meters[0], "%s%s%s", spec,
             estimate && !has_target ? (spec[8] ? "," : ":") : "",
             estimate && !has_target ? "target=children" : "");
    return 0;
}

static int parse_double(const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "joulemark measure: %s '%s': expected a number from %g to %g\n", opt, text,
                lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* perf-stat-like lines of one command, from the summary the result model
 * computed (medians and their intervals over the valid runs). */
static void print_command(FILE *out, const jm_results *res, const jm_workload_result *wr,
                          const jm_measure_command *cmd)
{
    const jm_run_summary *s = &wr->summary;
    const char *source = "";
    bool estimated = false;
    for (int i = 0; i < wr->n_runs; i++)
        if (wr->runs[i].energy_source[0]) {
            source = wr->runs[i].energy_source;
            estimated = wr->runs[i].estimated;
        }
    fprintf(out, "\n Energy of '%s'", cmd->name);
    for (int i = 0; i < cmd->argc && i < 8; i++)
        fprintf(out, "%s%s", i ? " " : " (", cmd->argv[i]);
    fprintf(out, "%s: %d of %d runs valid\n", cmd->argc > 8 ? " ...)" : ")", s->valid_runs,
            wr->n_runs);
    fprintf(out, " energy source: %s%s\n\n", source[0] ? source : "none",
            estimated ? "  <-- ESTIMATED, not measured" : "");
    if (s->valid_runs == 0) {
        fprintf(out, " no valid run: no figure (reasons in the log above and in results.json)\n");
        return;
    }
    const char *tag = estimated ? "  ESTIMATED" : "";
    char ci[96];
#define LINE(value, unit, what, stat, fmt, scale, est)                                              \
    do {                                                                                           \
        if (!isnan(value)) {                                                                       \
            snprintf(ci, sizeof ci, "[" fmt " .. " fmt "] %.0f%%", (stat).ci_low * (scale),         \
                     (stat).ci_high * (scale), (stat).ci_coverage * 100.0);                         \
            fprintf(out, " %14.6g %-4s %-26s %-32s%s\n", (value) * (scale), unit, what,             \
                    (stat).n >= 2 ? ci : "", est ? tag : "");                                      \
        }                                                                                          \
    } while (0)
    LINE(s->duration_s.median, "s", "time elapsed", s->duration_s, "%.4g", 1.0, false);
    LINE(s->energy_j.median, "J", "energy", s->energy_j, "%.4g", 1.0, true);
    LINE(s->energy_above_idle_j.median, "J", "energy above idle", s->energy_above_idle_j, "%.4g",
         1.0, true);
    LINE(s->avg_power_w.median, "W", "average power", s->avg_power_w, "%.4g", 1.0, true);
    char per[64];
    snprintf(per, sizeof per, "per %s (%g per run)", cmd->unit, cmd->work);
    LINE(s->mj_per_token.median, "J", per, s->mj_per_token, "%.4g", 1e-3, true);
    snprintf(per, sizeof per, "per %s above idle", cmd->unit);
    LINE(s->mj_per_token_above_idle.median, "J", per, s->mj_per_token_above_idle, "%.4g", 1e-3,
         true);
#undef LINE
    /* per meter domain: the median over the valid runs (the same statistic) */
    for (int d = 0; wr->n_runs > 0 && d < wr->runs[0].n_domains; d++) {
        double v[512];
        int n = 0;
        for (int i = 0; i < wr->n_runs && n < 512; i++)
            if (wr->runs[i].valid && d < wr->runs[i].n_domains)
                v[n++] = wr->runs[i].domains[d].energy_j;
        jm_stat st;
        jm_stat_compute(v, n, &st);
        char what[2 * JM_R_NAME_MAX + 2];
        snprintf(what, sizeof what, "%s:%s", wr->runs[0].domains[d].meter,
                 wr->runs[0].domains[d].domain);
        fprintf(out, " %14.6g %-4s %-59s%s\n", st.median, "J", what,
                wr->runs[0].domains[d].estimated ? "  ESTIMATED" : "");
    }
    (void)res;
}

static void print_comparisons(FILE *out, const jm_results *res)
{
    for (int i = 0; i < res->n_comparisons; i++) {
        const jm_comparison *c = &res->comparisons[i];
        const jm_stat *s = &c->energy_per_token_ratio;
        fprintf(out, "\n %s vs %s: energy per unit, %s / %s = %.4gx", c->candidate, c->baseline,
                c->baseline, c->candidate, s->median);
        if (s->n >= 2)
            fprintf(out, " [%.4g .. %.4g, %.0f%%, %d paired runs]", s->ci_low, s->ci_high,
                    s->ci_coverage * 100.0, s->n);
        fprintf(out, "%s\n", c->estimated ? "  ESTIMATED" : "");
    }
}

int jm_cmd_measure(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"meter", required_argument, NULL, 'm'},
                                         {"repeats", required_argument, NULL, 'r'},
                                         {"idle-s", required_argument, NULL, 'i'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"interval-ms", required_argument, NULL, 'I'},
                                         {"min-samples", required_argument, NULL, 'S'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"work", required_argument, NULL, 'w'},
                                         {"unit", required_argument, NULL, 'u'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static jm_measure_plan plan;
    static jm_config cfg;
    memset(&plan, 0, sizeof plan);
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.name, sizeof cfg.name, "measure");
    snprintf(cfg.rules.name, sizeof cfg.rules.name, "default");
    cfg.rules.idle_s = 5;
    cfg.rules.repeats = 5;
    cfg.rules.min_samples = 5;
    cfg.rules.min_batches = 1;
    plan.repeats = 5;
    const char *out_dir = NULL;
    bool force = false;
    bool work_given[JM_MEASURE_MAX_COMMANDS] = {false}, unit_given[JM_MEASURE_MAX_COMMANDS] = {false};
    int c;
    double v;
    /* "+": stop at the first non-option (the command) as well as at "--" */
    while ((c = getopt_long(argc, argv, "+o:fm:r:i:t:n:w:u:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'f':
            force = true;
            break;
        case 'm':
            if (add_meter(&cfg, optarg) != 0)
                return JM_EXIT_USAGE;
            break;
        case 'r':
            if (parse_double("--repeats", optarg, 1, 10000, &v) != 0 || v != floor(v))
                return JM_EXIT_USAGE;
            plan.repeats = cfg.rules.repeats = (int)v;
            break;
        case 'i':
            if (parse_double("--idle-s", optarg, 0, 86400, &cfg.rules.idle_s) != 0)
                return JM_EXIT_USAGE;
            break;
        case 't':
            if (parse_double("--timeout", optarg, 0.001, 1e7, &plan.timeout_s) != 0)
                return JM_EXIT_USAGE;
            break;
        case 'I':
            if (parse_double("--interval-ms", optarg, 1, 60000, &v) != 0)
                return JM_EXIT_USAGE;
            cfg.rules.interval_ms = (unsigned)v;
            break;
        case 'S':
            if (parse_double("--min-samples", optarg, 0, 1e6, &v) != 0)
                return JM_EXIT_USAGE;
            cfg.rules.min_samples = (int)v;
            break;
        case 'n':
        case 'w':
        case 'u':
            if (c == 'u')
                unit_given[0] = true;
            if (command_option(&plan.commands[0], c, optarg, &work_given[0]) != 0)
                return JM_EXIT_USAGE;
            break;
        case 'h':
            usage(stdout);
            return JM_EXIT_OK;
        default:
            usage(stderr);
            return JM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "joulemark measure: no command: expected -- CMD [ARGS...]\n");
        usage(stderr);
        return JM_EXIT_USAGE;
    }
    /* the first command, then one per ":::" */
    int i = optind;
    jm_measure_command *cmd = &plan.commands[0];
    cmd->argv = argv + i;
    while (i < argc && strcmp(argv[i], ":::") != 0)
        i++;
    cmd->argc = (int)(argv + i - cmd->argv);
    plan.n_commands = 1;
    while (i < argc) { /* argv[i] is ":::" */
        if (plan.n_commands == JM_MEASURE_MAX_COMMANDS) {
            fprintf(stderr, "joulemark measure: at most %d commands\n", JM_MEASURE_MAX_COMMANDS);
            return JM_EXIT_USAGE;
        }
        int k = plan.n_commands++;
        argv[i] = NULL; /* ends the previous command's argv */
        i = parse_next_command(argc, argv, i + 1, &plan.commands[k], &work_given[k],
                               &unit_given[k]);
        if (i < 0)
            return JM_EXIT_USAGE;
    }
    if (finish_commands(&plan, work_given, unit_given) != 0)
        return JM_EXIT_USAGE;
    if (cfg.n_meters == 0) {
        static const char *const defaults[] = {"rapl", "perf", "msr", "nvml", "estimate", NULL};
        for (const char *const *d = defaults; *d; d++)
            add_meter(&cfg, *d);
    }
    for (int k = 1; k < plan.n_commands && k <= JM_CFG_MAX_COMPARISONS; k++) {
        jm_comparison_config *cc = &cfg.comparisons[cfg.n_comparisons++];
        snprintf(cc->baseline, sizeof cc->baseline, "%s", plan.commands[0].name);
        snprintf(cc->candidate, sizeof cc->candidate, "%s", plan.commands[k].name);
    }

    char default_dir[JM_CFG_PATH_MAX + 64];
    if (!out_dir) {
        char stamp[32];
        jm_utc_stamp(stamp, sizeof stamp);
        snprintf(default_dir, sizeof default_dir, "results/%s", stamp);
        out_dir = default_dir;
    }
    char err[2048] = "";
    int prc = jm_prepare_output_dir(out_dir, force, err, sizeof err);
    if (prc != JM_EXIT_OK) {
        fprintf(stderr, "joulemark measure: %s\n", err);
        return prc;
    }
    plan.out_dir = out_dir;
    cpu_set_t affinity;
    CPU_ZERO(&affinity);
    if (sched_getaffinity(0, sizeof affinity, &affinity) == 0)
        plan.affinity = &affinity;

    jm_install_interrupt_handlers();
    jm_run_options opt = {.quick = false, .progress_tty = isatty(STDERR_FILENO), .log = stderr};
    jm_results res;
    jm_results_init(&res);
    fprintf(stderr, "joulemark %s: measure %d command%s x %d runs -> %s\n", jm_version_string(),
            plan.n_commands, plan.n_commands == 1 ? "" : "s", plan.repeats, out_dir);
    jm_run_session *session = NULL;
    int rc = jm_runner_execute_body(&cfg, &opt, &res, &session, jm_measure_body, &plan, err,
                                    sizeof err);
    if (rc != JM_EXIT_OK)
        fprintf(stderr, "joulemark measure: %s\n", err);
    jm_run_write_outputs(session, &res, out_dir, stderr);
    jm_run_session_free(session);

    int exit_code = rc;
    if (res.n_workloads > 0) {
        char werr[1024];
        if (jm_results_write_all(&res, out_dir, werr, sizeof werr) != 0) {
            fprintf(stderr, "joulemark measure: writing results to %s failed: %s\n", out_dir, werr);
            exit_code = JM_EXIT_SYSTEM;
        } else {
            for (int k = 0; k < plan.n_commands && k < res.n_workloads; k++)
                print_command(stdout, &res, &res.workloads[k], &plan.commands[k]);
            print_comparisons(stdout, &res);
            fprintf(stderr, "results written to %s/ (results.json, trace.csv, summary.csv, "
                            "report.html, commands/)\n",
                    out_dir);
        }
        if (exit_code == JM_EXIT_OK)
            exit_code = jm_results_exit_code(&res, "measure");
    }
    jm_results_free(&res);
    return exit_code;
}
