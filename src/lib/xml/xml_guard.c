/*
 * xml_guard.c - the guarded entity loader and libxml2 error routing (see
 * xml_guard.h).
 */
#include "xml_guard.h"
#include "internal.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <string.h>

static _Thread_local int guard_depth;
static xmlExternalEntityLoader previous_loader;
static pthread_once_t loader_once = PTHREAD_ONCE_INIT;

static int is_local(const char *url) {
  if (!url)
    return 0;
  const char *colon = strchr(url, ':');
  const char *slash = strchr(url, '/');
  if (!colon || (slash && slash < colon))
    return 1; /* a relative or absolute path */
  return strncmp(url, "file:", 5) == 0;
}

/* Refuses everything while a refusing guard of this thread is entered and
 * anything that is not a local file at any time; otherwise defers to the
 * loader it replaced (local XSD includes of a profile). */
static xmlParserInputPtr guarded_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
  if (guard_depth > 0 || !is_local(url) || !previous_loader)
    return NULL;
  return previous_loader(url, id, ctxt);
}

static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

static void install_loader(void) {
  xmlInitParser();
  previous_loader = xmlGetExternalEntityLoader();
  xmlSetExternalEntityLoader(guarded_loader);
}

void thbx_xml_install_loader(void) { pthread_once(&loader_once, install_loader); }

struct xml_guard xml_guard_enter(int refuse, xmlStructuredErrorFunc errors, void *ctx) {
  thbx_xml_install_loader();
  struct xml_guard g = {xmlGenericError, xmlGenericErrorContext, xmlStructuredError,
                        xmlStructuredErrorContext, refuse};
  guard_depth += refuse;
  xmlSetGenericErrorFunc(NULL, silent);
  if (errors)
    xmlSetStructuredErrorFunc(ctx, errors);
  return g;
}

void xml_guard_leave(struct xml_guard g) {
  guard_depth -= g.refuse;
  xmlSetGenericErrorFunc(g.ctx, g.func);
  xmlSetStructuredErrorFunc(g.sctx, g.sfunc);
}

void xml_clean_message(char *dst, size_t size, const char *msg) {
  thbx_strlcpy(dst, msg ? msg : "unknown error", size);
  size_t n = strlen(dst);
  while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' ' || dst[n - 1] == '.'))
    dst[--n] = '\0';
  if (dst[0] >= 'A' && dst[0] <= 'Z' && !(dst[1] >= 'A' && dst[1] <= 'Z'))
    dst[0] = (char)(dst[0] - 'A' + 'a');
}
