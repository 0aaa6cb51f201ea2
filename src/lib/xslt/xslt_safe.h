/*
 * xslt_safe.h - the one sandboxed libxslt set-up of libthbx (internal):
 * user stylesheets (--xslt, --xslt-out) and the HTML report's embedded one
 * are compiled and applied through these functions only.
 */
#ifndef THBX_XSLT_SAFE_H
#define THBX_XSLT_SAFE_H

#include "internal.h"

#include <libxslt/xsltInternals.h>

/* Deepest template recursion a stylesheet may reach. */
#define THBX_XSLT_MAX_DEPTH 200
/* Largest serialised result of one transformation (a record's size limit). */
#define THBX_XSLT_MAX_OUTPUT ((size_t)16 << 20)

/* Process-wide set-up, once (EXSLT, the global security prefs, the
 * document loader without network or DTD). Safe to call from any thread. */
void xslt_safe_init(void);
/* Parse an XML document for a transformation: no network, no DTD, no
 * entity expansion. NULL if it is not well formed. */
xmlDocPtr xslt_safe_parse(const char *data, size_t len, const char *name);
/* Apply under the per-transformation prefs; *result owned by the caller.
 * THBX_ESCHEMA with err->text naming what the stylesheet tried. */
int xslt_safe_transform(const thbx_xslt_t *x, xmlDocPtr doc, xmlDocPtr *result, thbx_error_t *err);
xsltStylesheetPtr xslt_safe_stylesheet(const thbx_xslt_t *x);

#endif
