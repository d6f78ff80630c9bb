/* clock.c - the one monotonic clock of joulemark: CLOCK_MONOTONIC in nanoseconds, used by every
 * layer for windows, samples and kernel phase times. */
#include <time.h>

#include "base.h"

uint64_t jm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}
