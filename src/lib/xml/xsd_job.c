/*
 * xsd_job.c - an XML record's XSD validation on any thread (see
 * xsd_job.h). libxml2 validates against one compiled schema from several
 * threads, each with its own validation context, kept per thread here.
 */
#include "xsd_job.h"

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

/* Pre-order index of element `target` in the tree under `top` (0: top). */
static size_t element_index(xmlNodePtr top, xmlNodePtr target) {
  size_t i = 0;
  xmlNodePtr n = top;
  while (n) {
    if (n == target)
      return i;
    if (n->type == XML_ELEMENT_NODE)
      i++;
    if (n->children && n->type == XML_ELEMENT_NODE) {
      n = n->children;
      continue;
    }
    while (n != top && !n->next)
      n = n->parent;
    if (n == top)
      break;
    n = n->next;
  }
  return 0;
}

static void clean_message(char *dst, size_t size, const char *msg) {
  thbx_strlcpy(dst, msg ? msg : "unknown error", size);
  size_t n = strlen(dst);
  while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' ' || dst[n - 1] == '.'))
    dst[--n] = '\0';
  if (dst[0] >= 'A' && dst[0] <= 'Z' && !(dst[1] >= 'A' && dst[1] <= 'Z'))
    dst[0] = (char)(dst[0] - 'A' + 'a');
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
  clean_message(x->text, sizeof(x->text), text);
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
  size_t i = node ? element_index(job->copy, node) : 0;
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
  xmlGenericErrorFunc gfunc = xmlGenericError;
  void *gctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(NULL, silent);
  int r = xmlSchemaValidateDoc(v, job->doc);
  xmlSetGenericErrorFunc(gctx, gfunc);
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
