/*
 * item_compat.c - TEMPORARY: thbx_item_add_issue / thbx_item_issuef of the
 * pipeline contract (thbx.h), until branch `pipeline` lands with the real
 * ones (src/lib/pipeline/). Delete this file when merging it.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int thbx_item_add_issue(thbx_item_t *item, const thbx_item_issue_t *issue) {
  if (item->nissues == item->capissues) {
    size_t cap = item->capissues ? item->capissues * 2 : 4;
    thbx_item_issue_t *p = realloc(item->issues, cap * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    item->issues = p;
    item->capissues = cap;
  }
  thbx_item_issue_t *d = &item->issues[item->nissues];
  *d = *issue;
  d->rule = dup_or_null(issue->rule);
  d->instance_path = strdup(issue->instance_path ? issue->instance_path : "");
  d->schema_path = strdup(issue->schema_path ? issue->schema_path : "");
  d->message = strdup(issue->message ? issue->message : "");
  d->value = dup_or_null(issue->value);
  d->related_source = dup_or_null(issue->related_source);
  item->nissues++;
  return THBX_OK;
}

int thbx_item_issuef(thbx_item_t *item, thbx_issue_kind kind, const char *rule,
                     const char *instance_path, const char *value, const char *fmt, ...) {
  char text[THBX_ERROR_TEXT_LENGTH];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  thbx_item_issue_t issue = {0};
  issue.kind = kind;
  issue.rule = (char *)rule;
  issue.line = item->line;
  issue.column = item->column;
  issue.instance_path = (char *)instance_path;
  issue.message = text;
  issue.value = (char *)value;
  return thbx_item_add_issue(item, &issue);
}
