/*
 * map_item_fallback.c - thbx_item_add_issue for builds without the pipeline
 * (src/lib/pipeline/ defines the real one; these weak definitions give way
 * to it). Delete this file once the pipeline is merged.
 */
#include "internal.h"

#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

__attribute__((weak)) int thbx_item_add_issue(thbx_item_t *item, const thbx_item_issue_t *is) {
  if (item->nissues == item->capissues) {
    size_t nc = item->capissues ? item->capissues * 2 : 4;
    thbx_item_issue_t *p = realloc(item->issues, nc * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    item->issues = p;
    item->capissues = nc;
  }
  thbx_item_issue_t *d = &item->issues[item->nissues];
  *d = *is;
  d->rule = dup0(is->rule ? is->rule : "");
  d->instance_path = dup0(is->instance_path ? is->instance_path : "");
  d->schema_path = dup0(is->schema_path ? is->schema_path : "");
  d->message = dup0(is->message ? is->message : "");
  d->value = dup0(is->value);
  d->related_source = dup0(is->related_source);
  item->nissues++;
  return THBX_OK;
}

__attribute__((weak)) int thbx_item_issuef(thbx_item_t *item, thbx_issue_kind kind,
                                           const char *rule, const char *instance_path,
                                           const char *value, const char *fmt, ...) {
  char text[THBX_ERROR_TEXT_LENGTH];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  thbx_item_issue_t is;
  memset(&is, 0, sizeof(is));
  is.kind = kind;
  is.rule = (char *)rule;
  is.line = item->line;
  is.column = item->column;
  is.instance_path = (char *)(instance_path ? instance_path : "");
  is.schema_path = "";
  is.message = text;
  is.value = (char *)value;
  return thbx_item_add_issue(item, &is);
}
