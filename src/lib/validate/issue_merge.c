/*
 * issue_merge.c - the issues of one record as a data officer reads them:
 *
 *  - each issue gets the offending value (issue_value_at): the value at its
 *    instance path, as JSON text, when that value is the fault (a scalar,
 *    or a container for type/enum/const); reports show it unless redacted;
 *  - one fault, one error (issue_merge_xsd): an XML fault that both the XSD
 *    and the JSON Schema (or the converter) see is reported once, by the
 *    JSON Schema's words (which name code lists and suggest codes) at the
 *    XSD's place (the offending element, not the record's start tag).
 *
 * The validator (and the pipeline's validation stage) call these after the
 * checks of a record and before the report.
 */
#include "issue_merge.h"

#include <stdlib.h>
#include <string.h>

/* The value at JSON Pointer `p` in `root` (RFC 6901), NULL if none. */
static const json_t *pointer_get(const json_t *root, const char *p) {
  const json_t *v = root;
  while (v && p && *p == '/') {
    const char *seg = ++p;
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    char key[THBX_ERROR_PATH_LENGTH];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof(key); i++) {
      if (seg[i] == '~' && i + 1 < n && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
        key[k++] = seg[i + 1] == '0' ? '~' : '/';
        i++;
      } else {
        key[k++] = seg[i];
      }
    }
    key[k] = '\0';
    if (json_is_object(v)) {
      v = json_object_get(v, key);
    } else if (json_is_array(v)) {
      char *e;
      unsigned long idx = strtoul(key, &e, 10);
      v = (*key && !*e && (key[0] != '0' || !key[1])) ? json_array_get(v, idx) : NULL;
    } else {
      v = NULL;
    }
    p = seg + n;
  }
  return v;
}

/* Keywords whose fault is the container itself, not one of its values:
 * the value is shown for them even when it is an object or array. */
static int container_is_fault(const char *rule) {
  return rule &&
         (strcmp(rule, "type") == 0 || strcmp(rule, "enum") == 0 || strcmp(rule, "const") == 0);
}

char *issue_value_at(const json_t *record, const char *pointer, const char *rule) {
  if (!record || !pointer)
    return NULL;
  const json_t *v = pointer_get(record, pointer);
  if (!v)
    return NULL;
  if ((json_is_object(v) || json_is_array(v)) && !container_is_fault(rule))
    return NULL;
  return thbx_value_json(v);
}

/* Is the XSD fault at path `xp` the fault a non-XSD issue reports at `p`
 * with `rule`? The same field; or an element the XSD does not expect and
 * the JSON Schema's "property is not allowed" on its parent. */
static int same_fault(const char *xp, const char *xmsg, const char *p, const char *rule) {
  if (!xp || !p)
    return 0;
  /* the record itself: only a missing child both see alike (other faults
   * of the record's element are not told apart by their path) */
  if (!xp[0] && !p[0])
    return rule && strcmp(rule, "required") == 0 && xmsg && strstr(xmsg, "lacks a child");
  if (strcmp(xp, p) == 0)
    return 1;
  size_t n = strlen(p);
  if (rule &&
      (strcmp(rule, "additionalProperties") == 0 || strcmp(rule, "unevaluatedProperties") == 0) &&
      strncmp(xp, p, n) == 0 && xp[n] == '/' && !strchr(xp + n + 1, '/'))
    return 1;
  return 0;
}

static void issue_free(thbx_item_issue_t *is) {
  free(is->rule);
  free(is->instance_path);
  free(is->schema_path);
  free(is->message);
  free(is->value);
  free(is->related_source);
  free(is->hint);
}

void issue_merge_xsd(thbx_item_t *item) {
  size_t n = item->nissues;
  if (n < 2)
    return;
  unsigned char *drop = calloc(n, 1);
  if (!drop)
    return; /* out of memory: both are reported, nothing is lost */
  thbx_item_issue_t *issues = item->issues;
  for (size_t i = 0; i < n; i++) {
    thbx_item_issue_t *x = &issues[i];
    if (x->kind != THBX_ISSUE_XSD || !x->instance_path)
      continue;
    for (size_t j = 0; j < n; j++) {
      thbx_item_issue_t *o = &issues[j];
      if (o->kind == THBX_ISSUE_XSD || o->kind == THBX_ISSUE_DATASET || drop[j] ||
          !same_fault(x->instance_path, x->message, o->instance_path, o->rule))
        continue;
      /* the other issue is placed at the record's start: give it the
       * element's place, which the XSD knows */
      if (x->line > 0 && (o->line <= 0 || (o->line == item->line && o->column == item->column))) {
        o->line = x->line;
        o->column = x->column;
      }
      if (!o->value && x->value) {
        o->value = x->value;
        x->value = NULL;
      }
      drop[i] = 1;
      break;
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    if (drop[i])
      issue_free(&issues[i]);
    else
      issues[out++] = issues[i];
  }
  item->nissues = out;
  free(drop);
}
