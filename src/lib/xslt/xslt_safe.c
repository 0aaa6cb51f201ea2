/*
 * xslt_safe.c - compile and apply XSLT 1.0 (libxslt, EXSLT) in a sandbox.
 *
 * libxslt allows everything by default, and checks xsl:import/xsl:include
 * against the global security prefs only, so the prefs are set both
 * globally (once, here) and on every transformation context: no file
 * written, no directory created, nothing read or written over the network;
 * a transformation may read files (document()) only below its stylesheet's
 * directory, and the embedded report stylesheet none at all. exsl:document
 * and xsl:document need write rights and so fail. Documents are parsed
 * without network, DTD or entity expansion. Template recursion is bounded
 * (THBX_XSLT_MAX_DEPTH) and so is the serialised output. Any message
 * libxslt raises during a transformation fails it, with that message.
 */
#include "xslt_safe.h"
#include "xml_text.h"

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxml/uri.h>
#include <libxslt/documents.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct thbx_xslt {
  char *name;
  char *dir; /* real path of the stylesheet's directory, NULL if embedded */
  xsltStylesheetPtr style;
  char **params; /* NAME, VALUE, ..., NULL */
};

static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

/* A local path from a URI or file name, NULL for anything with another
 * scheme (http:, ftp:, ...). Malloc'ed. */
static char *local_path(const char *uri) {
  if (!uri)
    return NULL;
  if (strncmp(uri, "file://", 7) == 0) {
    xmlURIPtr u = xmlParseURI(uri);
    char *p = u && u->path ? strdup(u->path) : NULL;
    xmlFreeURI(u);
    return p;
  }
  const char *colon = strchr(uri, ':');
  const char *slash = strchr(uri, '/');
  if (colon && (!slash || colon < slash))
    return NULL; /* a scheme */
  return strdup(uri);
}

/* Is `path` below directory `dir`? */
static int below(const char *dir, const char *path) {
  char real[PATH_MAX];
  if (!dir || !realpath(path, real))
    return 0;
  size_t n = strlen(dir);
  return strncmp(real, dir, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* Global prefs (imports while compiling): local files only. */
static int check_read_global(xsltSecurityPrefsPtr sec, xsltTransformContextPtr ctxt,
                             const char *value) {
  (void)sec;
  (void)ctxt;
  char *p = local_path(value);
  free(p);
  return p != NULL;
}

/* Per transformation: below the stylesheet's directory only. */
static int check_read_ctxt(xsltSecurityPrefsPtr sec, xsltTransformContextPtr ctxt,
                           const char *value) {
  (void)sec;
  const struct thbx_xslt *x = ctxt ? ctxt->_private : NULL;
  char *p = local_path(value);
  int ok = p && x && below(x->dir, p);
  free(p);
  return ok;
}

static xsltSecurityPrefsPtr make_prefs(xsltSecurityCheck read_check) {
  xsltSecurityPrefsPtr prefs = xsltNewSecurityPrefs();
  if (!prefs)
    return NULL;
  if (xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid) ||
      xsltSetSecurityPrefs(prefs, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid) ||
      xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid) ||
      xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid) ||
      xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_FILE, read_check)) {
    xsltFreeSecurityPrefs(prefs);
    return NULL;
  }
  return prefs;
}

static xsltSecurityPrefsPtr ctxt_prefs; /* shared by every transformation, never changed */

/* Documents (imports, document()) without network or DTD; only local files. */
static xmlDocPtr safe_loader(const xmlChar *uri, xmlDictPtr dict, int options, void *ctxt,
                             xsltLoadType type) {
  (void)dict;
  (void)options;
  (void)ctxt;
  (void)type;
  char *p = local_path((const char *)uri);
  if (!p)
    return NULL;
  xmlDocPtr d = xmlReadFile(p, NULL, parse_options);
  free(p);
  return d;
}

static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

static void init_once(void) {
  thbx_xml_install_loader();
  exsltRegisterAll();
  xsltSecurityPrefsPtr global = make_prefs(check_read_global);
  if (global)
    xsltSetDefaultSecurityPrefs(global);
  ctxt_prefs = make_prefs(check_read_ctxt);
  xsltSetLoaderFunc(safe_loader);
  xsltMaxDepth = THBX_XSLT_MAX_DEPTH;
  xsltSetGenericErrorFunc(NULL, silent);
}

void xslt_safe_init(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, init_once);
}

xmlDocPtr xslt_safe_parse(const char *data, size_t len, const char *name) {
  if (len > INT_MAX)
    return NULL;
  return xmlReadMemory(data, (int)len, name, NULL, parse_options);
}

/* What the stylesheet's messages said, for the error. */
struct capture {
  char text[400];
  int count;
};

/* libxslt says where on one line and why on the next: keep both, joined. */
static void capture_error(void *ctx, const char *msg, ...) {
  struct capture *c = ctx;
  c->count++;
  char part[400];
  va_list ap;
  va_start(ap, msg);
  vsnprintf(part, sizeof(part), msg, ap);
  va_end(ap);
  size_t n = strlen(c->text);
  for (const char *p = part; *p && n + 3 < sizeof(c->text); p++) {
    char ch = *p == '\n' ? ' ' : *p;
    if (ch == ' ' && (n == 0 || c->text[n - 1] == ' '))
      continue;
    c->text[n++] = ch;
  }
  while (n && c->text[n - 1] == ' ')
    n--;
  if (n && n + 2 < sizeof(c->text) && c->text[n - 1] != ':') {
    c->text[n++] = ';';
    c->text[n++] = ' ';
  }
  c->text[n] = '\0';
}

/* The captured text without its trailing separator. */
static const char *captured(struct capture *c, const char *none) {
  size_t n = strlen(c->text);
  while (n && (c->text[n - 1] == ' ' || c->text[n - 1] == ';'))
    c->text[--n] = '\0';
  return n ? c->text : none;
}

int thbx_xslt_load(thbx_xslt_t **out, const char *path, const char *text, size_t length,
                   const char *const *params, thbx_error_t *err) {
  *out = NULL;
  xslt_safe_init();
  if (!ctxt_prefs)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  struct thbx_xslt *x = calloc(1, sizeof(*x));
  if (!x)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  x->name = strdup(path);
  size_t np = 0;
  while (params && params[np])
    np++;
  x->params = calloc(np + 1, sizeof(char *));
  for (size_t i = 0; x->params && i < np; i++)
    x->params[i] = strdup(params[i]);
  thbx_error_at(err, path, 0, 0);
  xmlDocPtr doc;
  if (text) {
    doc = xslt_safe_parse(text, length, path);
  } else {
    char real[PATH_MAX];
    if (realpath(path, real)) {
      char *slash = strrchr(real, '/');
      if (slash)
        *slash = '\0';
      x->dir = strdup(real[0] ? real : "/");
    }
    doc = xmlReadFile(path, NULL, parse_options);
  }
  if (!doc) {
    const xmlError *e = xmlGetLastError();
    if (e && e->line)
      thbx_error_at(err, path, e->line, e->int2);
    thbx_xslt_free(x);
    return thbx_error_set(err, THBX_ESCHEMA, "the stylesheet is not well-formed XML%s%.200s",
                          e && e->message ? ": " : "", e && e->message ? e->message : "");
  }
  if (doc->intSubset) {
    xmlFreeDoc(doc);
    thbx_xslt_free(x);
    return thbx_error_set(err, THBX_ESCHEMA, "the stylesheet has a DOCTYPE (refused)");
  }
  struct capture cap = {"", 0};
  xsltSetGenericErrorFunc(&cap, capture_error);
  x->style = xsltParseStylesheetDoc(doc);
  xsltSetGenericErrorFunc(NULL, silent);
  if (!x->style || x->style->errors) {
    if (!x->style)
      xmlFreeDoc(doc);
    thbx_xslt_free(x);
    return thbx_error_set(err, THBX_ESCHEMA, "the stylesheet is refused: %s",
                          captured(&cap, "not a valid XSLT 1.0 stylesheet"));
  }
  *out = x;
  return THBX_OK;
}

void thbx_xslt_free(thbx_xslt_t *x) {
  if (!x)
    return;
  if (x->style)
    xsltFreeStylesheet(x->style);
  for (size_t i = 0; x->params && x->params[i]; i++)
    free(x->params[i]);
  free(x->params);
  free(x->name);
  free(x->dir);
  free(x);
}

xsltStylesheetPtr xslt_safe_stylesheet(const thbx_xslt_t *x) { return x->style; }

int xslt_safe_transform(const thbx_xslt_t *x, xmlDocPtr doc, xmlDocPtr *result, thbx_error_t *err) {
  *result = NULL;
  xsltTransformContextPtr ctxt = xsltNewTransformContext(x->style, doc);
  if (!ctxt)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  ctxt->_private = (void *)x;
  ctxt->maxTemplateDepth = THBX_XSLT_MAX_DEPTH;
  struct capture cap = {"", 0};
  xsltSetTransformErrorFunc(ctxt, &cap, capture_error);
  int rc = THBX_OK;
  if (xsltSetCtxtSecurityPrefs(ctxt_prefs, ctxt) != 0 ||
      (x->params[0] && xsltQuoteUserParams(ctxt, (const char **)x->params) != 0)) {
    rc = thbx_error_set(err, THBX_ESCHEMA, "%s: the parameters are refused", x->name);
    goto done;
  }
  xmlDocPtr res = xsltApplyStylesheetUser(x->style, doc, NULL, NULL, NULL, ctxt);
  if (!res || ctxt->state != XSLT_STATE_OK || cap.count) {
    if (res)
      xmlFreeDoc(res);
    thbx_error_at(err, x->name, 0, 0);
    rc = thbx_error_set(err, THBX_ESCHEMA, "the stylesheet failed: %s",
                        captured(&cap, "the transformation stopped"));
    goto done;
  }
  *result = res;
done:
  xsltFreeTransformContext(ctxt);
  return rc;
}

int thbx_xslt_apply(const thbx_xslt_t *x, const char *data, size_t length, char **result,
                    size_t *result_length, thbx_error_t *err) {
  *result = NULL;
  *result_length = 0;
  xmlDocPtr doc = xslt_safe_parse(data, length, "record.xml");
  if (!doc)
    return thbx_error_set(err, THBX_EPARSE, "the record is not well-formed XML");
  xmlDocPtr res = NULL;
  int rc = xslt_safe_transform(x, doc, &res, err);
  xmlFreeDoc(doc);
  if (rc != THBX_OK)
    return rc;
  xmlChar *buf = NULL;
  int len = 0;
  if (xsltSaveResultToString(&buf, &len, res, x->style) != 0) {
    xmlFreeDoc(res);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  xmlFreeDoc(res);
  if ((size_t)len > THBX_XSLT_MAX_OUTPUT) {
    xmlFree(buf);
    thbx_error_at(err, x->name, 0, 0);
    return thbx_error_set(err, THBX_ESCHEMA, "the stylesheet's output is larger than %zu MiB",
                          THBX_XSLT_MAX_OUTPUT >> 20);
  }
  *result = malloc((size_t)len + 1);
  if (!*result) {
    xmlFree(buf);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (len)
    memcpy(*result, buf, (size_t)len);
  (*result)[len] = '\0';
  *result_length = (size_t)len;
  xmlFree(buf);
  return THBX_OK;
}
