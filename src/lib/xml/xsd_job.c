/*
 * xsd_job.c - an XML record's XSD validation on any thread (see
 * xsd_job.h). libxml2 validates against one compiled schema from several
 * threads, each with its own validation context, kept per thread here.
 */
#include "xsd_job.h"
#include "xml_copy.h"
#include "xml_xsd.h"
#include "xsd_issue.h"

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

void xsd_job_init(void) { pthread_once(&once, make_key); }

static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

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

static thbx_error_t *slot(struct xsd_job *job, thbx_error_t **list, size_t *n, size_t *cap) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    thbx_error_t *p = realloc(*list, c * sizeof(*p));
    if (!p) {
      job->nomem = 1;
      return NULL;
    }
    *list = p;
    *cap = c;
  }
  thbx_error_t *x = &(*list)[(*n)++];
  thbx_error_clear(x);
  return x;
}

/* text: already in plain words (xsd_issue_message) */
static thbx_error_t *add(struct xsd_job *job, long line, long col, const char *text) {
  thbx_error_t *x = slot(job, &job->errors, &job->nerrors, &job->caperrors);
  if (!x)
    return NULL;
  thbx_error_at(x, job->source, line, col);
  x->record_index = job->index;
  thbx_strlcpy(x->text, text, sizeof(x->text));
  return x;
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
  xmlNodePtr target = node; /* the attribute itself, for its field */
  if (node && node->type == XML_ATTRIBUTE_NODE)
    node = node->parent;
  /* plain words, the value left out (xsd_issue.c), as the reader does */
  char text[THBX_ERROR_TEXT_LENGTH];
  char *value = xsd_issue_value(target);
  xsd_issue_message(text, sizeof(text), e->message, value);
  free(value);
  xmlNodePtr copy = job->copy;
  if (!node || node == copy->parent || node->type == XML_DOCUMENT_NODE) {
    /* a fault of the document element, not of this record */
    thbx_error_t *x = slot(job, &job->doc_errors, &job->ndoc, &job->capdoc);
    if (x) {
      thbx_error_at(x, job->source, job->root_line, job->root_col);
      thbx_strlcpy(x->text, text, sizeof(x->text));
    }
    return;
  }
  size_t i = xml_element_index(job->copy, node);
  long line = job->start_line, col = job->start_col;
  if (i < job->npos) {
    line = job->lines[i];
    col = job->cols[i];
  }
  thbx_error_t *x = add(job, line, col, text);
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  if (x && xsd_issue_pointer(job->shape, copy, target, &ptr) == 0 && ptr.data)
    thbx_strlcpy(x->instance_path, ptr.data, sizeof(x->instance_path));
  thbx_buf_free(&ptr);
}

int xsd_job_run(struct xsd_job *job, const char *source) {
  job->source = source;
  xmlSchemaValidCtxtPtr v = ctxt_for(job->schema);
  if (!v)
    return THBX_ENOMEM;
  xmlSchemaSetValidStructuredErrors(v, on_error, job);
  xmlGenericErrorFunc gfunc = xmlGenericError;
  void *gctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(NULL, silent);
  int r = xmlSchemaValidateDoc(v, job->doc);
  xmlSetGenericErrorFunc(gctx, gfunc);
  xmlSchemaSetValidStructuredErrors(v, NULL, NULL);
  if (r > 0 && job->nerrors == 0 && job->ndoc == 0)
    add(job, job->start_line, job->start_col, "the record is not valid against the XSD");
  return r < 0 || job->nomem ? THBX_ENOMEM : THBX_OK;
}

void xsd_job_free(struct xsd_job *job) {
  if (!job)
    return;
  if (job->block) {
    struct xml_copy c = {.doc = job->doc, .node = job->copy, .block = job->block};
    xml_copy_free(&c);
  } else if (job->doc) {
    xmlFreeDoc(job->doc);
  }
  free(job->lines);
  free(job->cols);
  free(job->errors);
  free(job->doc_errors);
  free(job);
}
