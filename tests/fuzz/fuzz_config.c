/* fuzz_config.c - the config reader (harness/config.c over base's strict
 * JSON). Oracle: an accepted config is strict JSON (two readers of one
 * format agree: the config reader accepts nothing the strict reader refuses). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "fuzz_util.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = jm_fuzz_text(data, size);
    jm_config cfg;
    char err[2048];
    if (jm_config_parse(text, "fuzz.json", &cfg, err, sizeof err) == 0) {
        cJSON *j;
        if (jm_json_parse(text, strlen(text), &j, err, sizeof err) != 0)
            jm_fuzz_fail("config accepted text the strict reader refuses: %s", err);
        cJSON_Delete(j);
        jm_config_free(&cfg);
    } else if (!strstr(err, "fuzz.json")) {
        jm_fuzz_fail("config error does not name its file: %s", err);
    }
    free(text);
    return 0;
}
