/* util.c - small helpers of the harness: edit distance for "did you mean"
 * suggestions, UTC time stamps, progress lines, removing a tree, the exit code of a run. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

int jm_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 255 || lb > 255)
        return 1 << 20;
    int prev[256], cur[256];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, (lb + 1) * sizeof(*cur));
    }
    return prev[lb];
}

const char *jm_nearest(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    int best_d = 1 << 20;
    for (const char *const *c = candidates; *c; c++) {
        int d = jm_edit_distance(word, *c);
        if (d < best_d) {
            best_d = d;
            best = *c;
        }
    }
    /* close enough: at most a third of the word's letters wrong (min 2) */
    int limit = (int)strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    return best_d <= limit ? best : NULL;
}

static void utc_format(char *buf, size_t len, const char *fmt)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (strftime(buf, len, fmt, &tm) == 0 && len > 0)
        buf[0] = '\0';
}

void jm_utc_iso(char *buf, size_t len)
{
    utc_format(buf, len, "%Y-%m-%dT%H:%M:%SZ");
}

void jm_utc_stamp(char *buf, size_t len)
{
    utc_format(buf, len, "%Y%m%dT%H%M%SZ");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int jm_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0; /* nothing there */
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void jm_log(FILE *log, const char *fmt, ...)
{
    if (!log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log, fmt, ap);
    va_end(ap);
    fflush(log);
}

int jm_dir_state(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return -1;
    DIR *d = opendir(dir);
    if (!d)
        return 1;
    struct dirent *e;
    int any = 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            any = 1;
            break;
        }
    closedir(d);
    return any;
}

int jm_prepare_output_dir(const char *dir, bool force, char *err, size_t err_len)
{
    int state = jm_dir_state(dir);
    if (state < 0) {
        snprintf(err, err_len, "output %s exists and is not a directory", dir);
        return JM_EXIT_USAGE;
    }
    if (state > 0 && !force) {
        snprintf(err, err_len,
                 "output directory %s already holds files; choose another with -o or pass "
                 "--force to overwrite",
                 dir);
        return JM_EXIT_USAGE;
    }
    if (state > 0) {
        /* --force: drop what an earlier run wrote, so that no stale file (an old
         * scenario's logs, say) mixes with this run's results */
        static const char *const ours[] = {"results.json", "trace.csv", "summary.csv",
                                           "report.html",  "mlperf",    "meters",
                                           "commands",     NULL};
        for (const char *const *o = ours; *o; o++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, *o);
            if (jm_remove_tree(path) != 0) {
                snprintf(err, err_len, "--force: cannot remove %s: %s", path, strerror(errno));
                return JM_EXIT_SYSTEM;
            }
        }
    }
    char merr[1024] = "";
    if (jm_mkdir_p(dir, merr, sizeof merr) != 0 || access(dir, W_OK) != 0) {
        snprintf(err, err_len, "cannot write to output directory %s: %s", dir,
                 merr[0] ? merr : strerror(errno));
        return JM_EXIT_SYSTEM;
    }
    return JM_EXIT_OK;
}

int jm_results_exit_code(const jm_results *res, const char *command)
{
    bool any_invalid = !res->complete;
    for (int w = 0; w < res->n_workloads; w++)
        for (int i = 0; i < res->workloads[w].n_runs; i++)
            any_invalid |= !res->workloads[w].runs[i].valid;
    if (!any_invalid)
        return JM_EXIT_OK;
    fprintf(stderr, "joulemark %s: %s\n", command,
            res->complete ? "at least one run is invalid (reasons above and in results.json)"
                          : res->incomplete_reason);
    return JM_EXIT_INVALID;
}
