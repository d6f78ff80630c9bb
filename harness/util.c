/* util.c - small helpers of the harness: edit distance for "did you mean"
 * suggestions, UTC time stamps, progress lines and removing a tree. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
