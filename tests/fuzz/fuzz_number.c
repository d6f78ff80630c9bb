/* fuzz_number.c - base's number readers. Oracles: an accepted integer prints
 * back to a text that reads to the same value; the signed and unsigned
 * readers agree on non-negative values; an accepted double is finite. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[256], again[32];
    uint64_t u, u2;
    int64_t i, i2;
    double d;
    bool have_u = jm_parse_u64_n(text, size, UINT64_MAX, &u, err, sizeof err) == 0;
    bool have_i = jm_parse_i64_n(text, size, INT64_MIN, INT64_MAX, &i, err, sizeof err) == 0;
    if (have_u) {
        snprintf(again, sizeof again, "%" PRIu64, u);
        if (jm_parse_u64(again, UINT64_MAX, &u2, err, sizeof err) != 0 || u2 != u)
            jm_fuzz_fail("u64 %s does not read back", again);
        if (u <= INT64_MAX && (!have_i || (uint64_t)i != u))
            jm_fuzz_fail("u64 and i64 readers disagree on %" PRIu64, u);
    }
    if (have_i) {
        snprintf(again, sizeof again, "%" PRId64, i);
        if (jm_parse_i64(again, INT64_MIN, INT64_MAX, &i2, err, sizeof err) != 0 || i2 != i)
            jm_fuzz_fail("i64 %s does not read back", again);
    }
    if (jm_parse_f64_n(text, size, -HUGE_VAL, HUGE_VAL, &d, err, sizeof err) == 0) {
        if (!isfinite(d))
            jm_fuzz_fail("a non-finite double was accepted");
        if (have_i && d != (double)i)
            jm_fuzz_fail("integer and double readers disagree");
        uint64_t c;
        (void)jm_f64_to_u64(d, UINT64_MAX, &c, err, sizeof err);
        (void)jm_f64_to_i64(d, INT64_MIN, INT64_MAX, &i2, err, sizeof err);
    }
    return 0;
}
