/*
 * xml_to_json.h - one XML record subtree as a json_t (internal): walked
 * along the profile's shape (elements and attributes become the types the
 * schema gives them, by the rules of xml_text.h) or generically (everything
 * a string, attributes as "@name", repeated elements as arrays, mixed text
 * as "#text"). The XML reader calls it once per record; errors point at the
 * element, through the positions the byte scanner (xml_scan.h) noted.
 */
#ifndef THBX_XML_TO_JSON_H
#define THBX_XML_TO_JSON_H

#include "profile.h"
#include "xml_scan.h"

#include <libxml/tree.h>

struct xml_walk {
  /* set by the caller */
  const struct xml_scan *scan; /* start tag positions of ... */
  const struct xml_rec *rec;   /* ... this record */
  const char *source;          /* for errors */
  long record_index;
  const thbx_limits_t *limits;
  const char *ns;    /* the profile's namespace, NULL for none */
  thbx_buf_t *text;  /* scratch for element text */
  thbx_buf_t *key;   /* scratch for generic keys */
  thbx_error_t *err; /* may be NULL */
  /* optional: told where each value comes from (its JSON Pointer in the
   * record, the element or attribute name, the element's start tag) */
  int (*note)(void *ctx, const char *pointer, size_t len, const char *name, long line, long col);
  void *note_ctx;
  /* optional: told the offending text of a failure (reports show it, the
   * message names none), with note_ctx */
  void (*value)(void *ctx, const char *text, size_t len);
  thbx_buf_t *path; /* scratch for the pointer, with note */
  /* the walk's own */
  size_t elem; /* pre-order index of the element being converted */
  int status;  /* THBX_OK, or the first failure (err says where) */
};

/* The value of record element `node` under `shape` (NULL: generic). NULL
 * and w->status (THBX_EPARSE, THBX_ELIMIT, THBX_ENOMEM) when it cannot be
 * read; err then points at the element at fault. */
json_t *xml_to_json(struct xml_walk *w, xmlNodePtr node, const struct thbx_shape *shape);

#endif
