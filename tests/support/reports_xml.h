/* reports_xml.h - a small, strict XML well-formedness checker for the report
 * tests (independent of the writer): tags nest and match, one root element,
 * attributes quoted and unique, only the XML entities and character
 * references, no raw '<' or '&' in text. It also lists the elements with
 * their attributes and first text, so tests can read numbers back. */
#ifndef JM_REPORTS_XML_H
#define JM_REPORTS_XML_H

#include <stddef.h>

#define JM_XML_MAX_ATTRS 24

typedef struct jm_xml_elem {
    char name[48];
    int depth;
    int n_attrs;
    char *attr_name[JM_XML_MAX_ATTRS];
    char *attr_value[JM_XML_MAX_ATTRS]; /* entities decoded */
    char *text;                         /* text right after the start tag, decoded ("" if none) */
} jm_xml_elem;

typedef struct jm_xml_doc {
    size_t n;
    jm_xml_elem *elems; /* in document order */
} jm_xml_doc;

/* Parses text; 0 when well-formed (doc filled), -1 with err naming the line. */
int jm_xml_parse(const char *text, jm_xml_doc *doc, char *err, size_t err_len);
void jm_xml_free(jm_xml_doc *doc);
/* Attribute value or NULL. */
const char *jm_xml_attr(const jm_xml_elem *e, const char *name);

#endif /* JM_REPORTS_XML_H */
