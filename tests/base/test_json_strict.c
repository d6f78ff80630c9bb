/* test_json_strict.c - base's strict JSON reader: what cJSON 1.7.15 accepts
 * and the reader refuses (duplicate keys, leading zeros, 1e999, control
 * characters, bad UTF-8), and integers read exactly above 2^53. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "base.h"

static char err[320];

static int parse(const char *text, cJSON **out)
{
    return jm_json_parse(text, strlen(text), out, err, sizeof err);
}

Test(json_strict, refuses_what_cjson_lets_through)
{
    const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"a\": 1, \"a\": \"x\"}", "duplicate key \"a\""},
        {"{\"o\": {\"k\": 1, \"j\": 2, \"k\": 3}}", "duplicate key \"k\""},
        {"{\"n\": 00012}", "leading zero"},
        {"{\"n\": -012}", "leading zero"},
        {"{\"n\": 1e999}", "too large"},
        {"[-1e400]", "too large"},
        {"[1.]", "after the '.'"},
        {"[.5]", "not a JSON value"},
        {"[+1]", "not a JSON value"},
        {"[1e]", "exponent"},
        {"[NaN]", "not a JSON value"},
        {"[Infinity]", "not a JSON value"},
        {"[0x10]", "expected ','"},
        {"[\"a\tb\"]", "control character"},
        {"[\"\\x41\"]", "invalid escape"},
        {"[\"\\u0000\"]", "\\u0000"},
        {"[\"\\udc00\"]", "surrogate"},
        {"[\"\\ud800x\"]", "surrogate"},
        {"[\"\xFF\"]", "not UTF-8"},
        {"{\"a\": 1} x", "text after"},
        {"{\"a\": 1,}", "expected a \"key\""},
        {"[1,]", "not a JSON value"},
        {"", "ends where a value"},
        {"{\"a\" 1}", "expected ':'"},
        {"[tru]", "not a JSON value"},
        {"[\"abc", "closing quote"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *j = (cJSON *)1;
        cr_expect_neq(parse(bad[i].text, &j), 0, "accepted: %s", bad[i].text);
        cr_expect_null(j);
        cr_expect(strstr(err, bad[i].why) != NULL, "%s -> %s", bad[i].text, err);
        cr_expect(strstr(err, "line 1, column ") != NULL, "%s", err);
    }
    /* cJSON alone accepts the first three (the reason the scan exists) */
    cJSON *loose = cJSON_Parse("{\"a\": 1, \"a\": \"x\", \"n\": 00012, \"i\": 1e999}");
    cr_expect_not_null(loose);
    cJSON_Delete(loose);
}

Test(json_strict, nesting_is_bounded)
{
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1199] = '\0';
    deep[1198] = ']';
    cJSON *j;
    cr_expect_neq(jm_json_parse(deep, 1200 - 1, &j, err, sizeof err), 0);
    cr_expect(strstr(err, "256") != NULL, "%s", err);
}

Test(json_strict, accepts_json_and_reports_the_line)
{
    cJSON *j;
    cr_assert_eq(parse("{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \xC3\xA9\", \"a\": [1, -0.5e3, true, "
                       "null, {}], \"e\": []}",
                       &j),
                 0, "%s", err);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "s")->valuestring,
                     "caf\xC3\xA9 \xF0\x9F\x98\x80 \xC3\xA9");
    cJSON_Delete(j);
    cr_expect_neq(parse("{\n  \"a\": 1,\n  \"b\": 01\n}", &j), 0);
    cr_expect(strstr(err, "line 3, column 8") != NULL, "%s", err);
}

Test(json_strict, integers_are_exact_above_2_pow_53)
{
    cJSON *j;
    cr_assert_eq(parse("{\"seed\": 14771362308971278857, \"neg\": -9223372036854775807, "
                       "\"f\": 12.0, \"e\": 1e3, \"big_e\": 1e17, \"half\": 2.5, \"s\": \"7\", "
                       "\"z\": null}",
                       &j),
                 0, "%s", err);
    uint64_t u;
    int64_t i;
    double d;
    cr_assert_eq(jm_json_u64(cJSON_GetObjectItem(j, "seed"), UINT64_MAX, &u, err, sizeof err), 0,
                 "%s", err);
    cr_expect_eq(u, UINT64_C(14771362308971278857));
    cr_expect_eq(jm_json_i64(cJSON_GetObjectItem(j, "neg"), INT64_MIN, INT64_MAX, &i, err,
                             sizeof err),
                 0);
    cr_expect_eq(i, -INT64_C(9223372036854775807));
    cr_expect_eq(jm_json_u64(cJSON_GetObjectItem(j, "f"), 100, &u, err, sizeof err), 0);
    cr_expect_eq(u, 12);
    cr_expect_eq(jm_json_u64(cJSON_GetObjectItem(j, "e"), 10000, &u, err, sizeof err), 0);
    cr_expect_eq(u, 1000);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "big_e"), UINT64_MAX, &u, err, sizeof err),
                  0);
    cr_expect(strstr(err, "not exact") != NULL, "%s", err);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "half"), 100, &u, err, sizeof err), 0);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "s"), 100, &u, err, sizeof err), 0);
    cr_expect(strstr(err, "is a string") != NULL, "%s", err);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "z"), 100, &u, err, sizeof err), 0);
    cr_expect(strstr(err, "is null") != NULL, "%s", err);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "nokey"), 100, &u, err, sizeof err), 0);
    cr_expect(strstr(err, "is missing") != NULL, "%s", err);
    cr_expect_neq(jm_json_u64(cJSON_GetObjectItem(j, "neg"), UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_eq(jm_json_f64(cJSON_GetObjectItem(j, "half"), 0, 3, &d, err, sizeof err), 0);
    cr_expect_eq(d, 2.5);
    cr_expect_neq(jm_json_f64(cJSON_GetObjectItem(j, "half"), 0, 2, &d, err, sizeof err), 0);
    /* a number changed by the program after the parse is read from its double */
    cJSON_SetNumberValue(cJSON_GetObjectItem(j, "seed"), 5);
    cr_expect_eq(jm_json_u64(cJSON_GetObjectItem(j, "seed"), UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_eq(u, 5);
    /* copies keep the text */
    cJSON *copy = cJSON_Duplicate(j, true);
    cr_expect_eq(jm_json_i64(cJSON_GetObjectItem(copy, "neg"), INT64_MIN, INT64_MAX, &i, err,
                             sizeof err),
                 0);
    cr_expect_eq(i, -INT64_C(9223372036854775807));
    cJSON_Delete(copy);
    cJSON_Delete(j);
}

Test(json_strict, load_names_the_file)
{
    cJSON *j;
    cr_expect_neq(jm_json_load("/nonexistent/x.json", &j, err, sizeof err), 0);
    cr_expect(strstr(err, "/nonexistent/x.json: ") == err, "%s", err);
}
