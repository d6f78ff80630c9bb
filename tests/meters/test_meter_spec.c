/* test_meter_spec.c - meter spec parsing, the registry and jm_meter_open's
 * name and option validation. */
#include <criterion/criterion.h>
#include <string.h>

#include "meters.h"

static char err[512];

Test(meter_spec, name_only)
{
    jm_meter_spec s;
    cr_assert_eq(jm_meter_spec_parse("rapl", &s, err, sizeof err), JM_M_OK);
    cr_assert_str_eq(s.name, "rapl");
    cr_assert_eq(s.n_options, 0);
    cr_assert_null(jm_meter_spec_get(&s, "root"));
}

Test(meter_spec, options)
{
    jm_meter_spec s;
    cr_assert_eq(jm_meter_spec_parse("ptd:host=127.0.0.1,port=8888,interval_ms=20", &s, err,
                                     sizeof err),
                 JM_M_OK, "%s", err);
    cr_assert_str_eq(s.name, "ptd");
    cr_assert_eq(s.n_options, 3);
    cr_assert_str_eq(jm_meter_spec_get(&s, "host"), "127.0.0.1");
    cr_assert_str_eq(jm_meter_spec_get(&s, "port"), "8888");
    cr_assert_str_eq(jm_meter_spec_get(&s, "interval_ms"), "20");
    cr_assert_eq(jm_meter_spec_parse("replay:file=/tmp/a=b.csv", &s, err, sizeof err), JM_M_OK);
    cr_assert_str_eq(jm_meter_spec_get(&s, "file"), "/tmp/a=b.csv");
}

static void expect_error(const char *text, const char *needle)
{
    jm_meter_spec s;
    err[0] = '\0';
    cr_assert_eq(jm_meter_spec_parse(text, &s, err, sizeof err), JM_M_EOPTION, "'%s' accepted",
                 text);
    cr_assert_not_null(strstr(err, needle), "'%s': message '%s' lacks '%s'", text, err, needle);
}

Test(meter_spec, errors_name_the_part)
{
    expect_error("", "empty");
    expect_error("Rapl", "name 'Rapl'");
    expect_error(":root=x", "name ''");
    expect_error("rapl:", "nothing after ':'");
    expect_error("rapl:root", "option 'root' has no '='");
    expect_error("rapl:root=", "option 'root' needs a value");
    expect_error("rapl:=x", "option key ''");
    expect_error("rapl:Root=x", "option key 'Root'");
    expect_error("rapl:root=a,root=b", "'root' is given twice");
    expect_error("rapl:root=a,", "trailing ','");
    expect_error("a234567890123456789012345678901234", "name 'a2345");
    expect_error("x:a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1,j=1,k=1,l=1,m=1,n=1,o=1,p=1,q=1",
                 "more than 16 options");
}

Test(meter_table, every_meter_is_findable_and_described)
{
    int n = 0;
    for (const jm_meter_ops *const *t = jm_meter_table(); *t; t++, n++) {
        cr_assert_eq(jm_meter_find((*t)->name), *t);
        cr_assert_not_null((*t)->summary);
        cr_assert_not_null((*t)->open);
        cr_assert_not_null((*t)->read);
        cr_assert_not_null((*t)->close);
    }
    cr_assert_geq(n, 2);
    cr_assert_not_null(jm_meter_find("rapl"));
    cr_assert_not_null(jm_meter_find("estimate"));
    cr_assert_null(jm_meter_find("nosuch"));
    cr_assert_str_eq(jm_meter_kind_name(JM_METER_ESTIMATED), "estimated");
    cr_assert_str_eq(jm_meter_kind_name(JM_METER_MEASURED), "measured");
}

/* Each meter declares its kind (the harness no longer decides it by name),
 * and an open meter reports the same kind as it declares. */
Test(meter_table, every_meter_declares_its_kind)
{
    cr_assert_eq(jm_meter_find("estimate")->kind, JM_METER_ESTIMATED);
    for (const char *const *name = (const char *const[]){"rapl", "perf", "msr", "nvml", "ptd",
                                                          "replay", NULL};
         *name; name++)
        cr_assert_eq(jm_meter_find(*name)->kind, JM_METER_MEASURED, "%s", *name);
    jm_meter_spec spec;
    char err[512];
    cr_assert_eq(jm_meter_spec_parse("estimate", &spec, err, sizeof err), JM_M_OK, "%s", err);
    jm_meter m;
    cr_assert_eq(jm_meter_open(&spec, &m, err, sizeof err), JM_M_OK, "%s", err);
    cr_assert_eq(m.info.kind, jm_meter_find("estimate")->kind);
    jm_meter_close(&m);
}

Test(meter_open, unknown_meter_and_option)
{
    jm_meter_spec s;
    jm_meter m;
    cr_assert_eq(jm_meter_spec_parse("rapel", &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "unknown meter 'rapel'"), "%s", err);
    cr_assert_not_null(strstr(err, "rapl"), "%s", err);
    cr_assert_eq(jm_meter_spec_parse("rapl:rot=/x", &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "unknown option 'rot'"), "%s", err);
    cr_assert_not_null(strstr(err, "root"), "%s", err);
    cr_assert_eq(jm_meter_spec_parse("estimate:interval_ms=0", &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_EOPTION);
    cr_assert_not_null(strstr(err, "interval_ms='0'"), "%s", err);
}

Test(meter_open, read_of_unavailable_meter_is_a_state_error)
{
    jm_meter_spec s;
    jm_meter m;
    jm_meter_sample smp;
    cr_assert_eq(jm_meter_spec_parse("rapl:root=/nonexistent/jm", &s, err, sizeof err), JM_M_OK);
    cr_assert_eq(jm_meter_open(&s, &m, err, sizeof err), JM_M_UNAVAILABLE);
    cr_assert_not(m.available);
    cr_assert_eq(jm_meter_read(&m, &smp, err, sizeof err), JM_M_ESTATE);
    jm_meter_close(&m);
}
