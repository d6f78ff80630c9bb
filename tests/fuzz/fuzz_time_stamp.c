/* fuzz_time_stamp.c - the PTDaemon/LoadGen time-stamp parser. Oracle: an
 * accepted stamp, written back from its nanoseconds with gmtime, reads back
 * to the same nanoseconds; reports' formatter (ms) agrees to the millisecond. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base.h"
#include "fuzz_util.h"
#include "reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = jm_fuzz_text(data, size);
    int64_t ns;
    char err[256];
    if (jm_time_stamp_parse(text, NULL, &ns, err, sizeof err) == 0) {
        int64_t sec = ns / 1000000000, frac = ns % 1000000000;
        if (frac < 0)
            frac += 1000000000, sec -= 1;
        time_t t = (time_t)sec;
        struct tm tm;
        if (!gmtime_r(&t, &tm))
            jm_fuzz_fail("accepted a stamp gmtime cannot show");
        char again[64], date[40];
        strftime(date, sizeof date, "%m-%d-%Y %H:%M:%S", &tm);
        snprintf(again, sizeof again, "%s.%09lld", date, (long long)frac);
        int64_t back;
        if (jm_time_stamp_parse(again, NULL, &back, err, sizeof err) != 0 || back != ns)
            jm_fuzz_fail("%s -> %lld -> %s does not read back", text, (long long)ns, again);
        char ms_text[64];
        jm_mlperf_format_power_time(ns, ms_text, sizeof ms_text);
        if (ns >= 0 && (jm_time_stamp_parse(ms_text, NULL, &back, err, sizeof err) != 0 ||
                        back != ns - ns % 1000000))
            jm_fuzz_fail("reports' formatter and the parser disagree on %s", text);
    }
    free(text);
    return 0;
}
