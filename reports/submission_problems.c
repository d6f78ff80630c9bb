/* submission_problems.c - the list of problems the submission validator
 * collects (each a full sentence naming file, key, value and expectation). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "reports.h"

void jm_check_problem(jm_check_problems *p, const char *fmt, ...)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        char **items = realloc(p->items, (size_t)cap * sizeof(*items));
        if (!items)
            return;
        p->items = items;
        p->cap = cap;
    }
    char *msg = malloc(1024);
    if (!msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, 1024, fmt, ap);
    va_end(ap);
    p->items[p->n++] = msg;
}

void jm_check_problems_free(jm_check_problems *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = p->cap = 0;
}
