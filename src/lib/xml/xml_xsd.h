/*
 * xml_xsd.h - one XML record validated against an XSD (internal), with
 * every error located at its element through the byte scanner's positions.
 *
 * Per record rather than streaming: libxml2's streaming validator (a SAX
 * plug) hides parse errors from the reader and leaks when a parse error
 * stops it; and constraints across records (unique record ids) are dataset
 * rules of thbx validate anyway.
 */
#ifndef THBX_XML_XSD_H
#define THBX_XML_XSD_H

#include "profile.h"
#include "xml_scan.h"

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

struct xml_xsd_check {
  xmlSchemaValidCtxtPtr vctxt;
  const struct xml_scan *scan; /* start tag positions of ... */
  const struct xml_rec *rec;   /* ... this record */
  const char *source;
  long record_index;
  size_t max_errors; /* errors past this many are dropped */
  /* called for each error; returns THBX_OK or THBX_ENOMEM */
  int (*add)(void *ctx, const thbx_error_t *error);
  /* called for a fault of the document element, which every record's check
   * sees again (reported once by the caller, not held against the record) */
  int (*add_document)(void *ctx, const thbx_error_t *error);
  void *ctx;
  const struct thbx_shape *shape; /* to name an error's field (NULL: none) */
  struct xml_pos root;            /* the document element's start tag */
  int alone;         /* validate the record as a document of its own (under a foreign root) */
  size_t doc_raised; /* document faults met in this check */
  /* the check's own */
  size_t count;    /* errors added */
  int status;      /* THBX_ENOMEM if add failed */
  xmlNodePtr copy; /* the record being validated (or its copy) */
};

/* Pre-order index of element `target` in the tree under `top` (0: top), for
 * the scanner's positions of start tags (also xsd_job.c). */
size_t xml_element_index(xmlNodePtr top, xmlNodePtr target);

/* Validate record element `node` (its parent is the document element, or it
 * is the document element: a document of one record, validated alone, as
 * it also is with c->alone) as if it were alone under the document element
 * (its name, namespaces and attributes): in place, the element's other
 * children set aside for the time of it and the IDs it registered dropped
 * after; or, where the document has IDs of its own, as a copy under a copy
 * of the document element; so that the record is checked in its context
 * and errors are this record's. Call inside a refusing xml_guard. THBX_OK
 * (c->count says how many errors) or THBX_ENOMEM. */
int xml_xsd_validate_record(struct xml_xsd_check *c, xmlNodePtr node);

#endif
