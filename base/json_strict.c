/* json_strict.c - the strict JSON reader: a scan of the raw text beside
 * cJSON 1.7.15, which itself accepts duplicate keys, leading zeros and 1e999
 * (as infinity) and rounds integers above 2^53. The scan refuses what cJSON
 * lets through and keeps each number's text so integers are read exactly. */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

#define JSON_DEPTH_MAX 256
#define JSON_NUMBER_TEXT_MAX 63 /* cJSON 1.7.15 reads at most 63 number bytes */
#define JSON_FILE_MAX ((size_t)256 << 20)

typedef struct span {
    size_t at, len;
} span;

typedef struct scan {
    const char *s;
    size_t len, pos;
    span *nums, *keys; /* in document order */
    size_t n_nums, cap_nums, n_keys, cap_keys;
    bool failed;
    size_t err_at;
    char *err;
    size_t err_len;
} scan;

static bool refuse(scan *sc, size_t at, const char *fmt, const char *what)
{
    if (!sc->failed) {
        sc->failed = true;
        sc->err_at = at;
        snprintf(sc->err, sc->err_len, fmt, what);
    }
    return false;
}

static void skip_ws(scan *sc)
{
    while (sc->pos < sc->len) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->pos++;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_u16(scan *sc, size_t at, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        int d = at + i < sc->len ? hex_digit(sc->s[at + i]) : -1;
        if (d < 0)
            return refuse(sc, at, "%s", "\\u is not followed by 4 hex digits");
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return true;
}

static bool scan_string(scan *sc)
{
    size_t start = sc->pos++; /* opening quote */
    while (sc->pos < sc->len) {
        unsigned char c = (unsigned char)sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return true;
        }
        if (c < 0x20)
            return refuse(sc, sc->pos, "%s", "control character inside a string (escape it)");
        if (c == '\\') {
            char e = sc->pos + 1 < sc->len ? sc->s[sc->pos + 1] : '\0';
            if (strchr("\"\\/bfnrt", e) && e != '\0') {
                sc->pos += 2;
                continue;
            }
            if (e != 'u')
                return refuse(sc, sc->pos, "%s", "invalid escape in a string");
            unsigned u;
            if (!read_u16(sc, sc->pos + 2, &u))
                return false;
            if (u == 0)
                return refuse(sc, sc->pos, "%s", "\\u0000 inside a string");
            if (u >= 0xDC00 && u <= 0xDFFF)
                return refuse(sc, sc->pos, "%s", "lone low surrogate escape");
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo;
                if (sc->pos + 7 >= sc->len || sc->s[sc->pos + 6] != '\\' ||
                    sc->s[sc->pos + 7] != 'u' || !read_u16(sc, sc->pos + 8, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return refuse(sc, sc->pos, "%s", "high surrogate escape without its pair");
                sc->pos += 6;
            }
            sc->pos += 6;
            continue;
        }
        uint32_t cp;
        size_t n = jm_utf8_decode(sc->s + sc->pos, sc->len - sc->pos, &cp);
        if (n == 0)
            return refuse(sc, sc->pos, "%s", "bytes that are not UTF-8 inside a string");
        sc->pos += n;
    }
    return refuse(sc, start, "%s", "string without its closing quote");
}

static bool remember(scan *sc, span **v, size_t *n, size_t *cap, size_t at, size_t len)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        span *p = realloc(*v, c * sizeof(*p));
        if (!p)
            return refuse(sc, at, "%s", "out of memory");
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = (span){at, len};
    return true;
}

static bool scan_number(scan *sc)
{
    size_t start = sc->pos, i = sc->pos;
    const char *s = sc->s;
    if (i < sc->len && s[i] == '-')
        i++;
    if (i >= sc->len || s[i] < '0' || s[i] > '9')
        return refuse(sc, start, "%s", "not a JSON value");
    if (s[i] == '0') {
        i++;
        if (i < sc->len && s[i] >= '0' && s[i] <= '9')
            return refuse(sc, start, "%s", "number with a leading zero");
    } else {
        while (i < sc->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < sc->len && s[i] == '.') {
        i++;
        if (i >= sc->len || s[i] < '0' || s[i] > '9')
            return refuse(sc, start, "%s", "number without digits after the '.'");
        while (i < sc->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    bool exponent = i < sc->len && (s[i] == 'e' || s[i] == 'E');
    if (exponent) {
        i++;
        if (i < sc->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= sc->len || s[i] < '0' || s[i] > '9')
            return refuse(sc, start, "%s", "number without exponent digits");
        while (i < sc->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i - start > JSON_NUMBER_TEXT_MAX)
        return refuse(sc, start, "%s", "number longer than 63 characters");
    /* at most 63 characters: only an exponent can take a number past a double */
    double v;
    char why[160];
    if (exponent &&
        jm_parse_f64_n(s + start, i - start, -HUGE_VAL, HUGE_VAL, &v, why, sizeof why) != 0)
        return refuse(sc, start, "number %s", why);
    if (!remember(sc, &sc->nums, &sc->n_nums, &sc->cap_nums, start, i - start))
        return false;
    sc->pos = i;
    return true;
}

static bool scan_literal(scan *sc, const char *word)
{
    size_t n = strlen(word);
    if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
        return refuse(sc, sc->pos, "%s", "not a JSON value");
    sc->pos += n;
    return true;
}

static bool scan_value(scan *sc, int depth);

static bool scan_container(scan *sc, int depth, char close)
{
    if (depth >= JSON_DEPTH_MAX)
        return refuse(sc, sc->pos, "%s", "nested deeper than 256 levels");
    sc->pos++;
    skip_ws(sc);
    if (sc->pos < sc->len && sc->s[sc->pos] == close) {
        sc->pos++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (close == '}') {
            if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
                return refuse(sc, sc->pos, "%s", "expected a \"key\"");
            size_t key_at = sc->pos;
            if (!scan_string(sc) ||
                !remember(sc, &sc->keys, &sc->n_keys, &sc->cap_keys, key_at, sc->pos - key_at))
                return false;
            skip_ws(sc);
            if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
                return refuse(sc, sc->pos, "%s", "expected ':' after the key");
            sc->pos++;
        }
        if (!scan_value(sc, depth + 1))
            return false;
        skip_ws(sc);
        if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
            sc->pos++;
            continue;
        }
        if (sc->pos < sc->len && sc->s[sc->pos] == close) {
            sc->pos++;
            return true;
        }
        return refuse(sc, sc->pos, "%s",
                      close == '}' ? "expected ',' or '}' in the object"
                                   : "expected ',' or ']' in the array");
    }
}

static bool scan_value(scan *sc, int depth)
{
    skip_ws(sc);
    if (sc->pos >= sc->len)
        return refuse(sc, sc->pos, "%s", "the text ends where a value was expected");
    switch (sc->s[sc->pos]) {
    case '{':
        return scan_container(sc, depth, '}');
    case '[':
        return scan_container(sc, depth, ']');
    case '"':
        return scan_string(sc);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    default:
        return scan_number(sc);
    }
}

typedef struct member {
    const char *key;
    size_t doc_index; /* index of its key among all keys, in document order */
} member;

static int cmp_members(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->doc_index > y->doc_index) - (x->doc_index < y->doc_index);
}

/* What the walk needs of the scan, and its place in the document. */
typedef struct walker {
    const char *text;
    const scan *sc;
    size_t next_num, next_key;
    size_t err_at;
    char *err;
    size_t err_len;
} walker;

static bool walk_fail(walker *w, size_t at, const char *msg)
{
    w->err_at = at;
    snprintf(w->err, w->err_len, "%s", msg);
    return false;
}

/* Whether a number's double may differ from its text as an integer: plain
 * digits beyond 15 (2^53 has 16). Others are read from the double. */
static bool needs_text(const char *t, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '.' || t[i] == 'e' || t[i] == 'E')
            return false;
        digits += t[i] != '-';
    }
    return digits > 15;
}

/* Pre-order walk: gives each number its text (in document order, as the scan
 * met them) and refuses an object that repeats a key, at the repeat. */
static bool walk(cJSON *node, walker *w)
{
    if (cJSON_IsNumber(node)) {
        if (w->next_num >= w->sc->n_nums)
            return walk_fail(w, 0, "cJSON and the strict scan disagree on the numbers");
        const span *sp = &w->sc->nums[w->next_num++];
        if (!needs_text(w->text + sp->at, sp->len))
            return true; /* the double holds it exactly */
        char *raw = malloc(sp->len + 1);
        if (!raw)
            return walk_fail(w, sp->at, "out of memory");
        memcpy(raw, w->text + sp->at, sp->len);
        raw[sp->len] = '\0';
        node->valuestring = raw; /* unused by cJSON for numbers; freed by cJSON_Delete */
        return true;
    }
    bool object = cJSON_IsObject(node);
    size_t n = 0;
    for (cJSON *c = node->child; c; c = c->next)
        n++;
    member small[16];
    member *m = !object || n < 2 ? NULL : n <= 16 ? small : malloc(n * sizeof(*m));
    if (object && n > 1 && !m)
        return walk_fail(w, 0, "out of memory");
    size_t k = 0;
    for (cJSON *c = node->child; c; c = c->next) {
        if (object) {
            if (w->next_key >= w->sc->n_keys) {
                if (m != small)
                    free(m);
                return walk_fail(w, 0, "cJSON and the strict scan disagree on the keys");
            }
            if (m)
                m[k++] = (member){c->string ? c->string : "", w->next_key};
            w->next_key++;
        }
        if (!walk(c, w)) {
            if (m != small)
                free(m);
            return false;
        }
    }
    if (m) {
        qsort(m, n, sizeof(*m), cmp_members);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(m[i - 1].key, m[i].key) == 0) {
                char q[64], msg[128];
                jm_quote_value(m[i].key, strlen(m[i].key), q, sizeof q);
                snprintf(msg, sizeof msg, "duplicate key %s in one object", q);
                size_t at = w->sc->keys[m[i].doc_index].at;
                if (m != small)
                    free(m);
                return walk_fail(w, at, msg);
            }
        }
        if (m != small)
            free(m);
    }
    return true;
}

static void line_col(const char *text, size_t len, size_t at, size_t *line, size_t *col)
{
    *line = 1, *col = 1;
    for (size_t i = 0; i < at && i < len; i++) {
        if (text[i] == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

int jm_json_parse(const char *text, size_t len, struct cJSON **out, char *err, size_t err_len)
{
    *out = NULL;
    char why[256] = "";
    scan sc = {.s = text, .len = text ? len : 0, .err = why, .err_len = sizeof why};
    if (scan_value(&sc, 0)) {
        skip_ws(&sc);
        if (sc.pos < sc.len)
            refuse(&sc, sc.pos, "%s", "text after the JSON value");
    }
    if (sc.failed) {
        size_t line, col;
        line_col(text, sc.len, sc.err_at, &line, &col);
        snprintf(err, err_len, "line %zu, column %zu: %s", line, col, why);
        free(sc.nums);
        free(sc.keys);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    walker w = {.text = text, .sc = &sc, .err = why, .err_len = sizeof why};
    bool ok = root && walk(root, &w);
    free(sc.nums);
    free(sc.keys);
    if (!ok) {
        size_t line, col;
        line_col(text, len, w.err_at, &line, &col);
        snprintf(err, err_len, "line %zu, column %zu: %s", line, col,
                 root ? why : "cJSON could not parse the text (out of memory?)");
        cJSON_Delete(root);
        return -1;
    }
    *out = root;
    return 0;
}

int jm_json_load(const char *path, struct cJSON **out, char *err, size_t err_len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= JSON_FILE_MAX) {
                snprintf(err, err_len, "%s: larger than %zu MiB", path, JSON_FILE_MAX >> 20);
                free(text);
                fclose(f);
                return -1;
            }
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(text, cap + 1);
            if (!p) {
                snprintf(err, err_len, "%s: out of memory", path);
                free(text);
                fclose(f);
                return -1;
            }
            text = p;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool io_error = ferror(f);
    fclose(f);
    if (io_error) {
        snprintf(err, err_len, "%s: read error", path);
        free(text);
        return -1;
    }
    text[len] = '\0';
    char why[320];
    int rc = jm_json_parse(text, len, out, why, sizeof why);
    free(text);
    if (rc != 0)
        snprintf(err, err_len, "%s: malformed JSON: %s", path, why);
    return rc;
}

const char *jm_json_kind(const struct cJSON *node)
{
    if (!node)
        return "missing";
    if (cJSON_IsNull(node))
        return "null";
    if (cJSON_IsBool(node))
        return "a boolean";
    if (cJSON_IsNumber(node))
        return "a number";
    if (cJSON_IsString(node))
        return "a string";
    if (cJSON_IsArray(node))
        return "an array";
    if (cJSON_IsObject(node))
        return "an object";
    return "not a JSON value";
}

/* The number's text when it still describes its value (a program may have
 * changed valuedouble since the parse), else NULL. */
static const char *number_text(const cJSON *node)
{
    const char *raw = node->valuestring;
    if (!raw)
        return NULL;
    double v;
    char why[8];
    if (jm_parse_f64(raw, -HUGE_VAL, HUGE_VAL, &v, why, sizeof why) != 0 || v != node->valuedouble)
        return NULL;
    return raw;
}

static bool integer_form(const char *raw)
{
    return !strpbrk(raw, ".eE");
}

#define EXACT_DOUBLE_INT 9007199254740992.0 /* 2^53 */

int jm_json_u64(const struct cJSON *node, uint64_t max, uint64_t *out, char *err, size_t err_len)
{
    if (!cJSON_IsNumber(node)) {
        snprintf(err, err_len, "is %s, expected an unsigned integer", jm_json_kind(node));
        return -1;
    }
    const char *raw = number_text(node);
    if (raw && integer_form(raw))
        return jm_parse_u64(raw, max, out, err, err_len);
    if (fabs(node->valuedouble) > EXACT_DOUBLE_INT) {
        snprintf(err, err_len, "%s is not exact (write integers above 2^53 as plain digits)",
                 raw ? raw : "the number");
        return -1;
    }
    return jm_f64_to_u64(node->valuedouble, max, out, err, err_len);
}

int jm_json_i64(const struct cJSON *node, int64_t min, int64_t max, int64_t *out, char *err,
                size_t err_len)
{
    if (!cJSON_IsNumber(node)) {
        snprintf(err, err_len, "is %s, expected an integer", jm_json_kind(node));
        return -1;
    }
    const char *raw = number_text(node);
    if (raw && integer_form(raw))
        return jm_parse_i64(raw, min, max, out, err, err_len);
    if (fabs(node->valuedouble) > EXACT_DOUBLE_INT) {
        snprintf(err, err_len, "%s is not exact (write integers above 2^53 as plain digits)",
                 raw ? raw : "the number");
        return -1;
    }
    return jm_f64_to_i64(node->valuedouble, min, max, out, err, err_len);
}

int jm_json_f64(const struct cJSON *node, double min, double max, double *out, char *err,
                size_t err_len)
{
    if (!cJSON_IsNumber(node)) {
        snprintf(err, err_len, "is %s, expected a number", jm_json_kind(node));
        return -1;
    }
    if (jm_check_f64(node->valuedouble, min, max, err, err_len) != 0)
        return -1;
    *out = node->valuedouble;
    return 0;
}
