/*
 * xml_guard.h - libxml2 under guard (internal), for every part that hands
 * libxml2 anything: the XML reader, XSD compilation and validation, XSLT.
 *
 * libxml2's external entity loader and its error functions are process-wide
 * (error functions per thread). While a guard is entered with `refuse`,
 * nothing may be loaded on behalf of an input file; at any time nothing
 * that is not a local file (no network). The guard also silences libxml2's
 * generic error function (a library must not print) and routes structured
 * errors to the caller's handler meanwhile.
 */
#ifndef THBX_XML_GUARD_H
#define THBX_XML_GUARD_H

#include <libxml/xmlerror.h>
#include <stddef.h>

struct xml_guard {
  xmlGenericErrorFunc func;
  void *ctx;
  xmlStructuredErrorFunc sfunc;
  void *sctx;
  int refuse;
};

/* refuse: nothing may be loaded meanwhile. errors, ctx: the thread's
 * structured error handler meanwhile (NULL: left as it is). Installs the
 * guarded loader on first use. Guards nest; leave them in reverse order. */
struct xml_guard xml_guard_enter(int refuse, xmlStructuredErrorFunc errors, void *ctx);
void xml_guard_leave(struct xml_guard g);

/* Install (once per process) the guarded external entity loader, which never
 * loads anything that is not a local file, and refuses everything inside a
 * refusing guard. Call it before libxml2 parses anything that may refer to
 * other resources (an XSD's includes). */
void thbx_xml_install_loader(void);

/* A libxml2 message as ours: no trailing blanks, newline or period, a
 * lower-case start (unless it starts with an acronym). */
void xml_clean_message(char *dst, size_t size, const char *msg);

#endif
