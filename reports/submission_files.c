/* submission_files.c - small file-system helpers of the submission tree
 * writer and checker: read, copy, list folders, load and write JSON. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"
#include "submission_internal.h"

int jm__sub_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

char *jm__sub_read(const char *path, size_t *len, char *err, size_t err_len)
{
    return jm__read_file(path, len, err, err_len);
}

int jm__sub_copy(const char *src, const char *dst, char *err, size_t err_len)
{
    size_t n;
    char *data = jm__sub_read(src, &n, err, err_len);
    if (!data)
        return JM_R_EIO;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", dst);
    int rc = jm_mkdir_p(dirname(dir), err, err_len);
    if (rc == JM_R_OK)
        rc = jm_write_file_atomic(dst, data, n, err, err_len);
    free(data);
    return rc;
}

bool jm__sub_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool jm__sub_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int jm__sub_list(const char *dir, bool want_dirs, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0, cap = 0;
    char **v = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (jm__sub_is_dir(path) != want_dirs)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = realloc(v, (size_t)cap * sizeof(*nv));
            if (!nv)
                break;
            v = nv;
        }
        v[n] = strdup(e->d_name);
        if (v[n])
            n++;
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof(*v), cmp_names);
    *names = v;
    return n;
}

void jm__sub_free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

cJSON *jm__sub_load_json(const char *path, char *err, size_t err_len)
{
    cJSON *j = NULL;
    if (jm_json_load(path, &j, err, err_len) != 0)
        return NULL;
    return j;
}

int jm__sub_write_json(const char *path, const cJSON *json, char *err, size_t err_len)
{
    char *text = jm__json_print(json, true);
    if (!text) {
        snprintf(err, err_len, "%s: out of memory formatting JSON", path);
        return JM_R_ENOMEM;
    }
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        snprintf(err, err_len, "%s: out of memory", path);
        return JM_R_ENOMEM;
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    int rc = jm_mkdir_p(dirname(dir), err, err_len);
    if (rc == JM_R_OK)
        rc = jm_write_file_atomic(path, withnl, n + 1, err, err_len);
    free(withnl);
    return rc;
}
