/* test_files.c - atomic file writing and directory creation. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports.h"
#include "reports_fixture.h"

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

Test(files, atomic_write_replaces_and_leaves_no_tmp) {
    char dir[256], path[300], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    cr_assert_eq(jm_write_file_atomic(path, "first\n", 6, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(jm_write_file_atomic(path, "second", 6, err, sizeof(err)), 0, "%s", err);
    char *text = jm_rfix_slurp(path);
    cr_assert_str_eq(text, "second");
    free(text);
    cr_assert_eq(count_entries(dir), 1);
    cr_assert_eq(jm_write_file_atomic(path, "", 0, err, sizeof(err)), 0, "%s", err);
    text = jm_rfix_slurp(path);
    cr_assert_str_eq(text, "");
    free(text);
    jm_rfix_rmdir(dir);
}

Test(files, atomic_write_errors_name_the_path) {
    char err[256] = "";
    cr_assert_eq(jm_write_file_atomic("/nonexistent-dir-jm/x.json", "x", 1, err, sizeof(err)),
                 JM_R_EIO);
    cr_assert(strstr(err, "/nonexistent-dir-jm/x.json"), "%s", err);
    cr_assert_eq(jm_write_file_atomic("", "x", 1, err, sizeof(err)), JM_R_EINVAL);
}

Test(files, mkdir_p_nested_and_existing) {
    char dir[256], path[400], err[256];
    cr_assert_eq(jm_rfix_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/a/b/c", dir);
    cr_assert_eq(jm_mkdir_p(path, err, sizeof(err)), 0, "%s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(jm_mkdir_p(path, err, sizeof(err)), 0, "existing: %s", err);
    /* a file in the way */
    snprintf(path, sizeof(path), "%s/file", dir);
    cr_assert_eq(jm_rfix_write(path, "x"), 0);
    snprintf(path, sizeof(path), "%s/file/sub", dir);
    cr_assert_neq(jm_mkdir_p(path, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/file"), "%s", err);
    jm_rfix_rmdir(dir);
}
