/* meter_table.c - the registry of built-in meters: a new meter is one file
 * plus one line here. Order is the order `joulemark meters` lists them. */
#include <string.h>

#include "meters_internal.h"

static const jm_meter_ops *const meter_table[] = {
    &jm__meter_rapl,
    &jm__meter_perf,
    &jm__meter_msr,
    &jm__meter_nvml,
    &jm__meter_ptd,
    &jm__meter_replay,
    &jm__meter_estimate,
    NULL,
};

const jm_meter_ops *const *jm_meter_table(void)
{
    return meter_table;
}

const jm_meter_ops *jm_meter_find(const char *name)
{
    for (const jm_meter_ops *const *m = meter_table; *m; m++)
        if (strcmp((*m)->name, name) == 0)
            return *m;
    return NULL;
}
