/*
 * xsd_job.h - one XML record's XSD validation, taken out of the reader so
 * that -j N runs it on a worker (internal). The reader copies the record
 * under a copy of its document element (as it validates it itself) and the
 * places of its start tags; xsd_job_run() validates the copy on any thread,
 * with that thread's own validation context, and gives the same errors at
 * the same places as the reader would.
 */
#ifndef THBX_XSD_JOB_H
#define THBX_XSD_JOB_H

#include "internal.h"

struct xsd_job {
  void *doc;          /* xmlDocPtr: the document element's copy with the record's */
  void *copy;         /* xmlNodePtr: the record's copy in doc */
  void *block;        /* the copy's nodes when laid out in one block (xml_copy.h), else NULL */
  void *schema;       /* xmlSchemaPtr, borrowed from the profile */
  long *lines, *cols; /* places of the record's start tags, pre-order */
  size_t npos;
  long start_line, start_col; /* the record's start tag */
  long index;                 /* the record's number in its source */
  const void *shape;          /* struct thbx_shape *: to name an error's field */
  long root_line, root_col;   /* the document element's start tag */
  /* while running */
  thbx_error_t *errors;
  size_t nerrors, caperrors;
  const char *source;
  int nomem;
  /* faults of the document element (every record's check sees them again;
   * the pipeline reports each once per input) */
  thbx_error_t *doc_errors;
  size_t ndoc, capdoc;
};

/* Validate; the errors (located, record_index set) are in job->errors.
 * THBX_OK or THBX_ENOMEM. */
int xsd_job_run(struct xsd_job *job, const char *source);
void xsd_job_free(struct xsd_job *job);
/* Make the per-thread state's key now (the pipeline calls it before it
 * starts its workers, so that they find it made). */
void xsd_job_init(void);

#endif
