/* fuzz_mlperf_logs.c - LoadGen detail and summary logs as `check` reads them.
 * Oracle: a seed or count the log accepts as an integer reads back from the
 * event's own text exactly (two readers of one value agree). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "fuzz_util.h"
#include "reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = jm_fuzz_text(data, size);
    char err[1024];
    jm_mlperf_log log;
    if (jm_mlperf_log_parse(text, &log, err, sizeof err) == 0) {
        const cJSON *e;
        cJSON_ArrayForEach(e, log.entries)
        {
            uint64_t a, b;
            if (jm_mlperf_log_get_u64(&log, e->string, &a) == JM_R_OK &&
                (jm_json_u64(e, UINT64_MAX, &b, err, sizeof err) != 0 || a != b))
                jm_fuzz_fail("%s read two ways differs", e->string);
            int64_t ns;
            if (cJSON_IsString(e))
                (void)jm_time_stamp_parse(e->valuestring, NULL, &ns, err, sizeof err);
        }
        jm_mlperf_log_free(&log);
    }
    cJSON *s = NULL;
    if (jm_mlperf_summary_parse(text, &s, err, sizeof err) == 0)
        cJSON_Delete(s);
    free(text);
    return 0;
}
