/*
 * xsd_compile.c - a profile's XSD compiled once per process and kept with
 * the profile, whatever the number of inputs or readers (validating 300
 * small XML files compiled it 300 times before). Readers borrow the
 * compiled schema and make their own validation context from it; libxml2's
 * compiled schemas are read-only while validating.
 */
#include "profile.h"
#include "xml_text.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

static void parse_error(void *ctx, xmlErrorPtr e) {
  thbx_error_t *err = ctx;
  if (!e || e->level == XML_ERR_WARNING || !err || err->text[0])
    return;
  thbx_error_at(err, e->file, e->line, e->int2);
  char msg[THBX_ERROR_TEXT_LENGTH - 16];
  thbx_strlcpy(msg, e->message ? e->message : "unknown error", sizeof(msg));
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
    msg[--n] = '\0';
  if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
    msg[0] = (char)(msg[0] - 'A' + 'a');
  snprintf(err->text, sizeof(err->text), "profile XSD: %s", msg);
}

static void compile(struct thbx_profile *p) {
  thbx_error_t *err = &p->xsd_error;
  thbx_error_clear(err);
  thbx_xml_install_loader(); /* a profile's local includes may load, nothing else */
  xmlGenericErrorFunc gfunc = xmlGenericError;
  void *gctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(NULL, silent);
  /* An XSD read from a file is parsed with that file as its base URL, so
   * that its relative includes resolve beside it, not in the working
   * directory. */
  xmlDocPtr doc = NULL;
  xmlSchemaParserCtxtPtr pctxt = NULL;
  if (p->xsd_path) {
    doc = xmlReadMemory(p->xsd, (int)p->xsd_length, p->xsd_path, NULL, XML_PARSE_NONET);
    if (doc)
      pctxt = xmlSchemaNewDocParserCtxt(doc);
  } else {
    pctxt = xmlSchemaNewMemParserCtxt(p->xsd, (int)p->xsd_length);
  }
  xmlSchemaPtr schema = NULL;
  if (pctxt) {
    xmlSchemaSetParserStructuredErrors(pctxt, parse_error, err);
    schema = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
  }
  xmlSetGenericErrorFunc(gctx, gfunc);
  if (schema) {
    p->xsd_compiled = schema;
    p->xsd_doc = doc;
    p->xsd_state = 1;
    return;
  }
  if (doc)
    xmlFreeDoc(doc);
  p->xsd_state = -1;
  if (p->xsd_path && !doc) {
    thbx_error_clear(err);
    thbx_error_at(err, p->xsd_path, 0, 0);
    thbx_error_set(err, THBX_ESCHEMA, "profile XSD is not well-formed XML");
  } else if (!pctxt) {
    thbx_error_set(err, THBX_ENOMEM, "out of memory");
  } else if (!err->text[0]) {
    thbx_strlcpy(err->text, "profile XSD cannot be compiled", sizeof(err->text));
  }
}

int profile_xsd_schema(const struct thbx_profile *profile, void **out, thbx_error_t *err) {
  *out = NULL;
  struct thbx_profile *p = (struct thbx_profile *)profile; /* the cache only */
  if (!p || !p->xsd)
    return THBX_OK;
  pthread_mutex_lock(&compile_lock);
  if (p->xsd_state == 0)
    compile(p);
  int state = p->xsd_state;
  pthread_mutex_unlock(&compile_lock);
  if (state > 0) {
    *out = p->xsd_compiled;
    return THBX_OK;
  }
  if (err)
    *err = p->xsd_error;
  return strcmp(p->xsd_error.text, "out of memory") == 0 ? THBX_ENOMEM : THBX_ESCHEMA;
}

int profile_xsd_adopt(struct thbx_profile *p, void *schema) {
  profile_xsd_free(p);
  p->xsd_compiled = schema;
  p->xsd_state = schema ? 1 : 0;
  return THBX_OK;
}

void profile_xsd_free(struct thbx_profile *p) {
  if (p->xsd_compiled)
    xmlSchemaFree(p->xsd_compiled);
  if (p->xsd_doc)
    xmlFreeDoc(p->xsd_doc);
  p->xsd_compiled = NULL;
  p->xsd_doc = NULL;
  p->xsd_state = 0;
}
