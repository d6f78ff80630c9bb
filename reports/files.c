/* files.c - files of the reports layer: atomic replace (tmp + fsync + rename),
 * creating directory paths, and reading a whole file. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports.h"
#include "reports_internal.h"

/* fsync the directory holding path so the rename itself is durable. */
static void sync_parent_dir(const char *path) {
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int jm_write_file_atomic(const char *path, const char *data, size_t len, char *err,
                         size_t err_len) {
    if (!path || !*path || (!data && len > 0)) {
        snprintf(err, err_len, "jm_write_file_atomic: empty path or no data");
        return JM_R_EINVAL;
    }
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(err, err_len, "%s: path too long", path);
        return JM_R_EINVAL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot create: %s", tmp, strerror(errno));
        return JM_R_EIO;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, err_len, "%s: write failed: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return JM_R_EIO;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0) {
        snprintf(err, err_len, "%s: fsync failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return JM_R_EIO;
    }
    if (close(fd) != 0) {
        snprintf(err, err_len, "%s: close failed: %s", tmp, strerror(errno));
        unlink(tmp);
        return JM_R_EIO;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: cannot rename from %s: %s", path, tmp, strerror(errno));
        unlink(tmp);
        return JM_R_EIO;
    }
    sync_parent_dir(path);
    return JM_R_OK;
}

int jm_mkdir_p(const char *path, char *err, size_t err_len) {
    if (!path || !*path) {
        snprintf(err, err_len, "jm_mkdir_p: empty path");
        return JM_R_EINVAL;
    }
    char buf[4096];
    int n = snprintf(buf, sizeof(buf), "%s", path);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        snprintf(err, err_len, "%s: path too long", path);
        return JM_R_EINVAL;
    }
    for (char *p = buf + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                snprintf(err, err_len, "%s: cannot create directory: %s", buf, strerror(errno));
                return JM_R_EIO;
            }
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
                snprintf(err, err_len, "%s: exists and is not a directory", buf);
                return JM_R_EIO;
            }
            *p = saved;
            if (end)
                break;
        }
    }
    return JM_R_OK;
}

char *jm__read_file(const char *path, size_t *len, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        snprintf(err, err_len, "%s: %s", path, buf ? "read error" : "out of memory reading the file");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
