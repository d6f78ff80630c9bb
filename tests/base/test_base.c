/* test_base.c - base/: the checked number reader, the PTDaemon/LoadGen time
 * stamp parser, UTF-8 validation and the JSON/HTML escapers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

static char err[256];

Test(number, reads_decimal_numbers_and_refuses_the_rest)
{
    double v;
    cr_expect_eq(jm_parse_f64("12.5", 0, 100, &v, err, sizeof err), 0, "%s", err);
    cr_expect_eq(v, 12.5);
    cr_expect_eq(jm_parse_f64("-1e-3", -1, 1, &v, err, sizeof err), 0, "%s", err);
    cr_expect_eq(jm_parse_f64(".5", 0, 1, &v, err, sizeof err), 0, "%s", err);
    const char *bad[] = {"", " 1", "1 ", "0x10", "inf", "nan", "-inf", "1e", "1e+", ".",
                         "+", "1,5", "12abc", "1e999", "-1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_neq(jm_parse_f64(bad[i], -INFINITY, INFINITY, &v, err, sizeof err), 0, "%s",
                      bad[i]);
    cr_expect_neq(jm_parse_f64("1e18", 0, 1e6, &v, err, sizeof err), 0);
    cr_expect(strstr(err, "outside") != NULL, "%s", err);
    cr_expect_neq(jm_parse_f64_n("2.5x", 4, 0, 10, &v, err, sizeof err), 0);
    cr_expect_eq(jm_parse_f64_n("2.5x", 3, 0, 10, &v, err, sizeof err), 0, "%s", err);
}

Test(number, integers_are_exact_in_64_bits)
{
    uint64_t u;
    int64_t i;
    /* a LoadGen seed above 2^53: a double would round it */
    cr_assert_eq(jm_parse_u64("13281865557512327830", UINT64_MAX, &u, err, sizeof err), 0, "%s",
                 err);
    cr_expect_eq(u, UINT64_C(13281865557512327830));
    cr_expect_eq(jm_parse_u64("18446744073709551615", UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_parse_u64("18446744073709551616", UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_parse_u64("-1", UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect(strstr(err, "negative") != NULL, "%s", err);
    cr_expect_neq(jm_parse_u64("12.0", UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_parse_u64("1e3", UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_parse_u64("11", 10, &u, err, sizeof err), 0);
    cr_expect_eq(jm_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &i, err, sizeof err),
                 0, "%s", err);
    cr_expect_eq(i, INT64_MIN);
    cr_expect_neq(jm_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &i, err, sizeof err),
                  0);
    cr_expect_neq(jm_parse_i64("-5", 0, 10, &i, err, sizeof err), 0);
}

Test(number, double_to_integer_casts_are_checked)
{
    uint64_t u;
    int64_t i;
    cr_expect_eq(jm_f64_to_u64(3e9, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_eq(u, 3000000000u);
    cr_expect_neq(jm_f64_to_u64(1e300, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_u64(18446744073709551616.0, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_u64(-1, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_u64(1.5, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_u64(NAN, UINT64_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_u64(4294967298.0, UINT32_MAX, &u, err, sizeof err), 0);
    cr_expect_neq(jm_f64_to_i64(9223372036854775808.0, INT64_MIN, INT64_MAX, &i, err, sizeof err),
                  0);
    cr_expect_eq(jm_f64_to_i64(-9223372036854775808.0, INT64_MIN, INT64_MAX, &i, err, sizeof err),
                 0);
    cr_expect_eq(i, INT64_MIN);
    int64_t r;
    cr_expect(!jm_add_i64(INT64_MAX, 1, &r));
    cr_expect(!jm_sub_i64(INT64_MIN, 1, &r));
    cr_expect(!jm_mul_i64(INT64_MAX / 2, 3, &r));
    cr_expect(jm_mul_i64(-3, 4, &r) && r == -12);
}

Test(time_stamp, reads_ptdaemon_and_loadgen_stamps)
{
    int64_t ns;
    cr_assert_eq(jm_time_stamp_parse("02-18-2023 17:06:02.246", NULL, &ns, err, sizeof err), 0,
                 "%s", err);
    cr_expect_eq(ns, INT64_C(1676739962246000000));
    cr_expect_eq(jm_time_stamp_parse("01-01-1970 00:00:01", NULL, &ns, err, sizeof err), 0);
    cr_expect_eq(ns, 1000000000);
    cr_expect_eq(jm_time_stamp_parse("12-31-1969 23:59:59.5", NULL, &ns, err, sizeof err), 0);
    cr_expect_eq(ns, -500000000);
    cr_expect_eq(jm_time_stamp_parse("02-29-2024 00:00:00.123456789", NULL, &ns, err, sizeof err),
                 0, "%s", err);
    cr_expect_eq(ns % 1000000000, 123456789);
    const char *end;
    cr_expect_eq(jm_time_stamp_parse("02-18-2023 17:06:02.246,Watts", &end, &ns, err, sizeof err),
                 0);
    cr_expect_str_eq(end, ",Watts");
}

Test(time_stamp, refuses_malformed_and_unrepresentable_stamps)
{
    int64_t ns;
    const char *bad[] = {"2023-02-18 17:06:02", "13-18-2023 17:06:02.1", "02-30-2023 00:00:00",
                         "02-29-2023 00:00:00", "2-18-2023 17:06:02", "02-18-2023 24:00:00",
                         "02-18-2023 17:06:60", "02-18-2023 17:06:02.", "02-18-2023 17:06:02x",
                         "02-18-2023 17:06:02.1234567890", "02-18-23 17:06:02", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_neq(jm_time_stamp_parse(bad[i], NULL, &ns, err, sizeof err), 0, "%s", bad[i]);
    cr_expect_neq(jm_time_stamp_parse("01-01-2300 00:00:00.000", NULL, &ns, err, sizeof err), 0);
    cr_expect(strstr(err, "year 2300") != NULL && strstr(err, "1678-2261") != NULL, "%s", err);
    cr_expect_neq(jm_time_stamp_parse("01-01-0001 00:00:00", NULL, &ns, err, sizeof err), 0);
    cr_expect_neq(jm_time_stamp_parse("12-31-9999 23:59:59.999999999", NULL, &ns, err, sizeof err),
                  0);
    /* the edges of the accepted years are exact */
    cr_expect_eq(jm_time_stamp_parse("12-31-2261 23:59:59.999999999", NULL, &ns, err, sizeof err),
                 0);
    cr_expect_eq(ns, INT64_C(9214646399999999999));
    cr_expect_eq(jm_time_stamp_parse("01-01-1678 00:00:00", NULL, &ns, err, sizeof err), 0);
    cr_expect_eq(ns, INT64_C(-9214560000000000000));
}

Test(utf8, validates_and_replaces_invalid_bytes)
{
    cr_expect(jm_utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    const char *bad[] = {"\xC3", "\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                         "\xFF", "a\xE2\x82"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect(!jm_utf8_valid(bad[i]), "case %zu", i);
    char *s = jm_utf8_sanitize("a\xFF" "b\xC3");
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    cr_expect(jm_utf8_valid(s));
    free(s);
}

Test(escape, json_and_html)
{
    char *j = jm_json_escape("a\"b\\c\n\x01\xFF\xC3\xA9");
    cr_assert_not_null(j);
    cr_expect_str_eq(j, "a\\\"b\\\\c\\n\\u0001\\ufffd\xC3\xA9");
    free(j);
    char *h = jm_html_escape("<a href='x'>&\"\x02\xFE</a>");
    cr_assert_not_null(h);
    cr_expect_str_eq(h, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\xEF\xBF\xBD\xEF\xBF\xBD&lt;/a&gt;");
    free(h);
    char q[64];
    jm_quote_value("a\x01\"b", 4, q, sizeof q);
    cr_expect_str_eq(q, "\"a\\x01\\x22b\"");
}
