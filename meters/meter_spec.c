/* meter_spec.c - parsing of meter specifications "NAME[:KEY=VALUE,...]" as
 * given on the command line (--meter) and in the config's meters array. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "meters.h"

static bool word_ok(const char *s, size_t n, bool allow_dash)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '_' || (allow_dash && c == '-')))
            return false;
    }
    return true;
}

int jm_meter_spec_parse(const char *text, jm_meter_spec *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (!text || !*text) {
        snprintf(err, err_len, "meter spec is empty: expected NAME[:KEY=VALUE,...], e.g. rapl");
        return JM_M_EOPTION;
    }
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    if (!word_ok(text, name_len, true) || name_len >= sizeof(out->name)) {
        snprintf(err, err_len,
                 "meter spec '%s': name '%.*s' is not valid: expected lower-case letters, "
                 "digits, '_' or '-' (at most %zu), e.g. rapl",
                 text, (int)name_len, text, sizeof(out->name) - 1);
        return JM_M_EOPTION;
    }
    memcpy(out->name, text, name_len);
    if (!colon)
        return JM_M_OK;
    const char *p = colon + 1;
    if (!*p) {
        snprintf(err, err_len, "meter spec '%s': nothing after ':': expected KEY=VALUE[,...]",
                 text);
        return JM_M_EOPTION;
    }
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t item_len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', item_len);
        if (!eq) {
            snprintf(err, err_len, "meter spec '%s': option '%.*s' has no '=': expected KEY=VALUE",
                     text, (int)item_len, p);
            return JM_M_EOPTION;
        }
        size_t key_len = (size_t)(eq - p), val_len = item_len - key_len - 1;
        if (!word_ok(p, key_len, false) || key_len >= sizeof(out->options[0].key)) {
            snprintf(err, err_len,
                     "meter spec '%s': option key '%.*s' is not valid: expected lower-case "
                     "letters, digits or '_'",
                     text, (int)key_len, p);
            return JM_M_EOPTION;
        }
        if (val_len == 0 || val_len >= sizeof(out->options[0].value)) {
            snprintf(err, err_len,
                     "meter spec '%s': option '%.*s' needs a value of 1 to %zu characters", text,
                     (int)key_len, p, sizeof(out->options[0].value) - 1);
            return JM_M_EOPTION;
        }
        char key[sizeof(out->options[0].key)];
        memcpy(key, p, key_len);
        key[key_len] = '\0';
        if (jm_meter_spec_get(out, key)) {
            snprintf(err, err_len, "meter spec '%s': option '%s' is given twice", text, key);
            return JM_M_EOPTION;
        }
        if (out->n_options >= JM_METER_MAX_OPTIONS) {
            snprintf(err, err_len, "meter spec '%s': more than %d options", text,
                     JM_METER_MAX_OPTIONS);
            return JM_M_EOPTION;
        }
        jm_meter_option *o = &out->options[out->n_options++];
        memcpy(o->key, key, key_len + 1);
        memcpy(o->value, eq + 1, val_len);
        o->value[val_len] = '\0';
        if (!comma)
            break;
        p = comma + 1;
        if (!*p) {
            snprintf(err, err_len, "meter spec '%s': trailing ',': expected KEY=VALUE after it",
                     text);
            return JM_M_EOPTION;
        }
    }
    return JM_M_OK;
}

const char *jm_meter_spec_get(const jm_meter_spec *spec, const char *key)
{
    for (int i = 0; i < spec->n_options; i++)
        if (strcmp(spec->options[i].key, key) == 0)
            return spec->options[i].value;
    return NULL;
}
