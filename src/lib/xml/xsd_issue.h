/*
 * xsd_issue.h - XSD errors in plain words, placed at their field
 * (xsd_issue.c; internal).
 */
#ifndef THBX_XSD_ISSUE_H
#define THBX_XSD_ISSUE_H

#include "profile.h"

#include <libxml/tree.h>

/* The JSON Pointer of `node` (an element or attribute inside `record`)
 * under the profile's shape `root` (NULL: XML names): "/person/sex",
 * "/exploitation/forms/1", "/record_id" for the record's id attribute. 0, or
 * -1 when node is not inside record or out of memory. */
int xsd_issue_pointer(const struct thbx_shape *root, xmlNodePtr record, xmlNodePtr node,
                      thbx_buf_t *out);

/* libxml2's XSD message `msg` in plain words into dst: no {namespace}
 * notation, no trailing period, and no 'value' (value: the offending text,
 * may be NULL), e.g. "is not one of the values the XSD allows: female, male". */
void xsd_issue_message(char *dst, size_t size, const char *msg, const char *value);

/* The text of an attribute, or of an element without child elements
 * (malloc'ed), else NULL. */
char *xsd_issue_value(xmlNodePtr node);

#endif
