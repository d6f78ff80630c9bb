/* utf8_escape.c - UTF-8 validation and the escaping every writer uses so
 * that no invalid byte reaches a JSON, HTML or terminal output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

size_t jm_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        len = 2, c = u[0] & 0x1Fu, min = 0x80;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        len = 3, c = u[0] & 0x0Fu, min = 0x800;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        len = 4, c = u[0] & 0x07u, min = 0x10000;
    else
        return 0; /* continuation byte, C0/C1 overlong lead, or F5-FF */
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0u) != 0x80u)
            return 0;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool jm_utf8_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = jm_utf8_decode(s + i, n - i, &cp);
        if (l == 0)
            return false;
        i += l;
    }
    return true;
}

/* The growing output of the escapers. */
typedef struct out {
    char *p;
    size_t len, cap;
    bool failed;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *q = realloc(o->p, cap);
        if (!q) {
            o->failed = true;
            return;
        }
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static char *finish(out *o)
{
    if (!o->failed && !o->p)
        put(o, "", 0);
    if (o->failed) {
        free(o->p);
        return NULL;
    }
    return o->p;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

typedef enum { MODE_UTF8, MODE_JSON, MODE_HTML } mode;

static char *escape(const char *s, mode m)
{
    out o = {0};
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = jm_utf8_decode(s + i, n - i, &cp);
        if (l == 0) {
            put(&o, m == MODE_JSON ? "\\ufffd" : replacement,
                m == MODE_JSON ? 6 : sizeof replacement - 1);
            i++;
            continue;
        }
        char tmp[8];
        const char *rep = NULL;
        if (m == MODE_JSON) {
            switch (cp) {
            case '"': rep = "\\\""; break;
            case '\\': rep = "\\\\"; break;
            case '\n': rep = "\\n"; break;
            case '\r': rep = "\\r"; break;
            case '\t': rep = "\\t"; break;
            default:
                if (cp < 0x20 || cp == 0x7F) {
                    snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
                    rep = tmp;
                }
            }
        } else if (m == MODE_HTML) {
            switch (cp) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default:
                if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F)
                    rep = replacement; /* not allowed in XML 1.0 text */
            }
        }
        if (rep)
            put(&o, rep, strlen(rep));
        else
            put(&o, s + i, l);
        i += l;
    }
    return finish(&o);
}

char *jm_utf8_sanitize(const char *s)
{
    return escape(s, MODE_UTF8);
}

char *jm_json_escape(const char *s)
{
    return escape(s, MODE_JSON);
}

char *jm_html_escape(const char *s)
{
    return escape(s, MODE_HTML);
}

void jm_quote_value(const char *text, size_t len, char *outbuf, size_t out_len)
{
    if (out_len == 0)
        return;
    size_t o = 0;
    const size_t shown_max = 40;
    size_t shown = len < shown_max ? len : shown_max;
    outbuf[o++] = '"';
    for (size_t i = 0; i < shown && o + 6 < out_len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\0')
            break;
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            outbuf[o++] = (char)c;
        } else {
            o += (size_t)snprintf(outbuf + o, out_len - o, "\\x%02X", c);
        }
    }
    if (o + 5 < out_len) {
        if (shown < len && text[shown] != '\0') {
            memcpy(outbuf + o, "...", 3);
            o += 3;
        }
        outbuf[o++] = '"';
    }
    outbuf[o < out_len ? o : out_len - 1] = '\0';
}
