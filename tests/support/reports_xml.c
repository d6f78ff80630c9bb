/* reports_xml.c - the XML well-formedness checker of reports_xml.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports_xml.h"

typedef struct px {
    const char *s, *p;
    char *err;
    size_t err_len;
    jm_xml_doc *doc;
    size_t cap;
} px;

static int fail(px *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(px *x, const char *fmt, ...) {
    int line = 1;
    for (const char *q = x->s; q < x->p; q++)
        line += *q == '\n';
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(x->err, x->err_len, "line %d: %s (near '%.30s')", line, msg, x->p);
    return -1;
}

static bool name_start(int c) {
    return isalpha(c) || c == '_' || c == ':';
}

static bool name_char(int c) {
    return isalnum(c) || c == '_' || c == ':' || c == '-' || c == '.';
}

/* Decodes text up to a stop char into a malloc'd string; checks entities. */
static char *decode(px *x, char stop1, char stop2) {
    size_t cap = 64, n = 0;
    char *out = malloc(cap);
    while (out && *x->p && *x->p != stop1 && *x->p != stop2) {
        char c = *x->p;
        if (c == '<') {
            fail(x, "raw '<' in text or attribute");
            free(out);
            return NULL;
        }
        if (n + 8 >= cap) {
            char *no = realloc(out, cap *= 2);
            if (!no) {
                free(out);
                return NULL;
            }
            out = no;
        }
        if (c == '&') {
            const char *semi = strchr(x->p, ';');
            if (!semi || semi - x->p > 10) {
                fail(x, "'&' that does not start an entity");
                free(out);
                return NULL;
            }
            size_t len = (size_t)(semi - x->p) + 1;
            static const struct {
                const char *ent;
                char ch;
            } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            bool ok = false;
            for (size_t k = 0; k < 5; k++)
                if (strlen(ents[k].ent) == len && strncmp(x->p, ents[k].ent, len) == 0) {
                    out[n++] = ents[k].ch;
                    ok = true;
                }
            if (!ok && x->p[1] == '#') {
                char *end;
                long v = x->p[2] == 'x' ? strtol(x->p + 3, &end, 16) : strtol(x->p + 2, &end, 10);
                if (end == semi && v > 0 && v < 0x110000) {
                    ok = true;
                    out[n++] = v < 128 ? (char)v : '?'; /* non-ASCII: placeholder */
                }
            }
            if (!ok) {
                fail(x, "unknown entity '%.*s'", (int)len, x->p);
                free(out);
                return NULL;
            }
            x->p = semi + 1;
            continue;
        }
        out[n++] = c;
        x->p++;
    }
    if (out)
        out[n] = '\0';
    return out;
}

static jm_xml_elem *new_elem(px *x) {
    if (x->doc->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 256;
        jm_xml_elem *e = realloc(x->doc->elems, cap * sizeof(*e));
        if (!e)
            return NULL;
        x->doc->elems = e;
        x->cap = cap;
    }
    jm_xml_elem *e = &x->doc->elems[x->doc->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

static void skip_ws(px *x) {
    while (isspace((unsigned char)*x->p))
        x->p++;
}

int jm_xml_parse(const char *text, jm_xml_doc *doc, char *err, size_t err_len) {
    px x = {text, text, err, err_len, doc, 0};
    doc->n = 0;
    doc->elems = NULL;
    char stack[256][48];
    size_t stack_idx[256];
    int depth = 0, roots = 0;
    while (*x.p) {
        if (*x.p != '<') {
            if (depth == 0) {
                if (!isspace((unsigned char)*x.p))
                    return fail(&x, "text outside the root element");
                x.p++;
                continue;
            }
            char *t = decode(&x, '<', '<');
            if (!t)
                return -1;
            jm_xml_elem *parent = &doc->elems[stack_idx[depth - 1]];
            if (parent->text && parent->text[0] == '\0') {
                free(parent->text);
                parent->text = t;
            } else {
                free(t);
            }
            continue;
        }
        if (strncmp(x.p, "<!--", 4) == 0) {
            const char *e = strstr(x.p + 4, "-->");
            if (!e)
                return fail(&x, "unterminated comment");
            x.p = e + 3;
            continue;
        }
        if (strncmp(x.p, "<!DOCTYPE", 9) == 0) {
            if (roots || depth)
                return fail(&x, "DOCTYPE after the root element started");
            const char *e = strchr(x.p, '>');
            if (!e)
                return fail(&x, "unterminated DOCTYPE");
            x.p = e + 1;
            continue;
        }
        if (strncmp(x.p, "<?", 2) == 0) {
            const char *e = strstr(x.p, "?>");
            if (!e)
                return fail(&x, "unterminated processing instruction");
            x.p = e + 2;
            continue;
        }
        if (x.p[1] == '/') {
            x.p += 2;
            const char *n0 = x.p;
            while (name_char((unsigned char)*x.p))
                x.p++;
            size_t len = (size_t)(x.p - n0);
            skip_ws(&x);
            if (*x.p != '>')
                return fail(&x, "malformed end tag");
            if (depth == 0)
                return fail(&x, "end tag '</%.*s>' without a start tag", (int)len, n0);
            if (strlen(stack[depth - 1]) != len || strncmp(stack[depth - 1], n0, len) != 0)
                return fail(&x, "end tag '</%.*s>' does not match '<%s>'", (int)len, n0,
                            stack[depth - 1]);
            depth--;
            x.p++;
            continue;
        }
        x.p++;
        if (!name_start((unsigned char)*x.p))
            return fail(&x, "malformed start tag");
        if (depth == 0 && roots++)
            return fail(&x, "a second root element");
        jm_xml_elem *e = new_elem(&x);
        if (!e)
            return fail(&x, "out of memory");
        size_t ei = doc->n - 1;
        size_t k = 0;
        while (name_char((unsigned char)*x.p) && k + 1 < sizeof(e->name))
            e->name[k++] = *x.p++;
        if (name_char((unsigned char)*x.p))
            return fail(&x, "element name too long");
        e->depth = depth;
        e->text = calloc(1, 1);
        for (;;) {
            bool ws = isspace((unsigned char)*x.p);
            skip_ws(&x);
            if (*x.p == '>' || (x.p[0] == '/' && x.p[1] == '>'))
                break;
            if (!ws)
                return fail(&x, "attributes must be separated by white space");
            if (!name_start((unsigned char)*x.p))
                return fail(&x, "malformed attribute in <%s>", e->name);
            const char *a0 = x.p;
            while (name_char((unsigned char)*x.p))
                x.p++;
            size_t alen = (size_t)(x.p - a0);
            skip_ws(&x);
            if (*x.p != '=')
                return fail(&x, "attribute '%.*s' without a value", (int)alen, a0);
            x.p++;
            skip_ws(&x);
            char q = *x.p;
            if (q != '"' && q != '\'')
                return fail(&x, "attribute value not quoted");
            x.p++;
            if (e->n_attrs >= JM_XML_MAX_ATTRS)
                return fail(&x, "too many attributes");
            for (int i = 0; i < e->n_attrs; i++)
                if (strlen(e->attr_name[i]) == alen && strncmp(e->attr_name[i], a0, alen) == 0)
                    return fail(&x, "duplicate attribute '%.*s'", (int)alen, a0);
            char *val = decode(&x, q, q);
            if (!val)
                return -1;
            if (*x.p != q) {
                free(val);
                return fail(&x, "unterminated attribute value");
            }
            x.p++;
            e->attr_name[e->n_attrs] = strndup(a0, alen);
            e->attr_value[e->n_attrs++] = val;
        }
        if (*x.p == '/') {
            x.p += 2; /* empty element */
            continue;
        }
        x.p++;
        if (depth >= 256)
            return fail(&x, "nesting too deep");
        snprintf(stack[depth], sizeof(stack[depth]), "%s", e->name);
        stack_idx[depth] = ei;
        depth++;
    }
    if (depth)
        return fail(&x, "end of document inside <%s>", stack[depth - 1]);
    if (!roots)
        return fail(&x, "no root element");
    return 0;
}

void jm_xml_free(jm_xml_doc *doc) {
    for (size_t i = 0; i < doc->n; i++) {
        jm_xml_elem *e = &doc->elems[i];
        for (int k = 0; k < e->n_attrs; k++) {
            free(e->attr_name[k]);
            free(e->attr_value[k]);
        }
        free(e->text);
    }
    free(doc->elems);
    doc->elems = NULL;
    doc->n = 0;
}

const char *jm_xml_attr(const jm_xml_elem *e, const char *name) {
    for (int k = 0; k < e->n_attrs; k++)
        if (strcmp(e->attr_name[k], name) == 0)
            return e->attr_value[k];
    return NULL;
}
