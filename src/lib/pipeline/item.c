/*
 * item.c - one record on its way through the pipeline (thbx_item_t): its
 * issues, and its id as the profile names it (the x-thbx annotation of the
 * profile's JSON Schema, profile.c).
 */
#include "pipeline_internal.h"
#include "profile.h"
#include "xsd_job.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, int *bad) {
  if (!s)
    return NULL;
  char *c = strdup(s);
  if (!c)
    *bad = 1;
  return c;
}

int thbx_item_add_issue(thbx_item_t *item, const thbx_item_issue_t *issue) {
  if (!item || !issue)
    return THBX_EINVAL;
  if (item->nissues == item->capissues) {
    size_t cap = item->capissues ? item->capissues * 2 : 4;
    thbx_item_issue_t *p = realloc(item->issues, cap * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    item->issues = p;
    item->capissues = cap;
  }
  thbx_item_issue_t *is = &item->issues[item->nissues];
  int bad = 0;
  *is = *issue;
  is->rule = dup_or_null(issue->rule ? issue->rule : "", &bad);
  is->instance_path = dup_or_null(issue->instance_path ? issue->instance_path : "", &bad);
  is->schema_path = dup_or_null(issue->schema_path ? issue->schema_path : "", &bad);
  is->message = dup_or_null(issue->message ? issue->message : "", &bad);
  is->value = dup_or_null(issue->value, &bad);
  is->related_source = dup_or_null(issue->related_source, &bad);
  is->hint = dup_or_null(issue->hint, &bad);
  if (bad) {
    free(is->rule);
    free(is->instance_path);
    free(is->schema_path);
    free(is->message);
    free(is->value);
    free(is->related_source);
    free(is->hint);
    return THBX_ENOMEM;
  }
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
  thbx_item_issue_t is = {0};
  is.kind = kind;
  is.rule = (char *)rule;
  is.line = item->line;
  is.column = item->column;
  is.instance_path = (char *)instance_path;
  is.message = text;
  is.value = (char *)value;
  return thbx_item_add_issue(item, &is);
}

int pipeline_issue(thbx_item_t *item, thbx_issue_kind kind, const char *rule, long line,
                   long column, const char *instance_path, const char *schema_path,
                   const char *message) {
  thbx_item_issue_t is = {0};
  is.kind = kind;
  is.rule = (char *)rule;
  is.line = line;
  is.column = column;
  is.instance_path = (char *)instance_path;
  is.schema_path = (char *)schema_path;
  is.message = (char *)message;
  return thbx_item_add_issue(item, &is);
}

void pipeline_item_free(struct pitem *it) {
  if (!it)
    return;
  thbx_item_t *item = &it->item;
  xsd_job_free(it->xsd);
  json_decref(item->value);
  free(item->raw);
  free(item->out);
  thbx_locator_free(item->locator);
  for (size_t i = 0; i < item->nissues; i++) {
    thbx_item_issue_t *is = &item->issues[i];
    free(is->rule);
    free(is->instance_path);
    free(is->schema_path);
    free(is->message);
    free(is->value);
    free(is->related_source);
    free(is->hint);
  }
  free(item->issues);
  free(it->doc);
  free(it);
}

const char *thbx_item_record_id(const thbx_pipeline_t *pipeline, const thbx_item_t *item) {
  if (!pipeline || !item || !item->value)
    return NULL;
  const json_t *id = profile_record_id(pipeline->opt.profile, item->value);
  return json_is_string(id) ? json_string_value(id) : NULL;
}
