/*
 * xsd_job.c - an XML record's XSD validation on any thread (see
 * xsd_job.h). libxml2 validates against one compiled schema from several
 * threads, each with its own validation context, kept per thread here.
 */
#include "xsd_job.h"
#include "xml_guard.h"
#include "xml_xsd.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS_PER_RECORD 1000

struct tl_ctxt {
  xmlSchemaPtr schema;
  xmlSchemaValidCtxtPtr v;
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void destroy(void *p) {
  struct tl_ctxt *t = p;
  if (t->v)
    xmlSchemaFreeValidCtxt(t->v);
  free(t);
}

static void make_key(void) { pthread_key_create(&key, destroy); }

static xmlSchemaValidCtxtPtr ctxt_for(xmlSchemaPtr schema) {
  pthread_once(&once, make_key);
  struct tl_ctxt *t = pthread_getspecific(key);
  if (t && t->schema == schema)
    return t->v;
  if (t) {
    destroy(t);
    pthread_setspecific(key, NULL);
  }
  t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->schema = schema;
  t->v = xmlSchemaNewValidCtxt(schema);
  if (!t->v || pthread_setspecific(key, t) != 0) {
    destroy(t);
    return NULL;
  }
  return t->v;
}

static void add(struct xsd_job *job, long line, long col, const char *text) {
  if (job->nerrors == job->caperrors) {
    size_t cap = job->caperrors ? job->caperrors * 2 : 8;
    thbx_error_t *p = realloc(job->errors, cap * sizeof(*p));
    if (!p) {
      job->nomem = 1;
      return;
    }
    job->errors = p;
    job->caperrors = cap;
  }
  thbx_error_t *x = &job->errors[job->nerrors++];
  thbx_error_clear(x);
  thbx_error_at(x, job->source, line, col);
  x->record_index = job->index;
  xml_clean_message(x->text, sizeof(x->text), text);
}

static void on_error(void *ctx, xmlErrorPtr e) {
  struct xsd_job *job = ctx;
  if (!e || e->level == XML_ERR_WARNING)
    return;
  if (e->message && strstr(e->message, "No precomputed value available"))
    return; /* libxml2's echo of the facet error just reported */
  if (job->nerrors >= MAX_ERRORS_PER_RECORD)
    return;
  xmlNodePtr node = e->node;
  if (node && node->type == XML_ATTRIBUTE_NODE)
    node = node->parent;
  size_t i = node ? xml_element_index(job->copy, node) : 0;
  long line = job->start_line, col = job->start_col;
  if (i < job->npos) {
    line = job->lines[i];
    col = job->cols[i];
  }
  add(job, line, col, e->message);
}

int xsd_job_run(struct xsd_job *job, const char *source) {
  job->source = source;
  xmlSchemaValidCtxtPtr v = ctxt_for(job->schema);
  if (!v)
    return THBX_ENOMEM;
  xmlSchemaSetValidStructuredErrors(v, on_error, job);
  struct xml_guard g = xml_guard_enter(1, NULL, NULL); /* silent; loads nothing */
  int r = xmlSchemaValidateDoc(v, job->doc);
  xml_guard_leave(g);
  xmlSchemaSetValidStructuredErrors(v, NULL, NULL);
  if (r > 0 && job->nerrors == 0)
    add(job, job->start_line, job->start_col, "the record is not valid against the XSD");
  return r < 0 || job->nomem ? THBX_ENOMEM : THBX_OK;
}

void xsd_job_free(struct xsd_job *job) {
  if (!job)
    return;
  if (job->doc)
    xmlFreeDoc(job->doc);
  free(job->lines);
  free(job->cols);
  free(job->errors);
  free(job);
}
