/* fuzz_json_strict.c - base's strict JSON reader. Oracles: what it accepts,
 * cJSON accepts too (it is a strict subset), and printing the tree and
 * reading it back gives the same text (write-then-read round trip). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j;
    char err[512];
    if (jm_json_parse((const char *)data, size, &j, err, sizeof err) != 0)
        return 0;
    cJSON *loose = cJSON_ParseWithLength((const char *)data, size);
    if (!loose)
        jm_fuzz_fail("strict reader accepted what cJSON refuses");
    cJSON_Delete(loose);
    char *once = cJSON_PrintUnformatted(j);
    if (!once)
        abort();
    cJSON *back;
    if (jm_json_parse(once, strlen(once), &back, err, sizeof err) != 0)
        jm_fuzz_fail("its own output is refused: %s", err);
    char *twice = cJSON_PrintUnformatted(back);
    if (!twice || strcmp(once, twice) != 0)
        jm_fuzz_fail("round trip changed the document");
    free(once);
    free(twice);
    cJSON_Delete(back);
    cJSON_Delete(j);
    return 0;
}
