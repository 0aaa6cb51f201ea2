/*
 * profile_rules.c - the x-thbx annotation of a profile's JSON Schema: which
 * field is a record's id, which dates must be in order and which not in the
 * future. The dataset rules (validate/dataset_rules.c) read their fields
 * from here, so that the library names no field of any one profile and a
 * custom profile gets the rules by annotating its schema:
 *
 *   "x-thbx": {
 *     "id": {"rule": "unique-record-id", "field": "/record_id"},
 *     "date-order": [{"rule": "assistance-dates", "start": "/a/start", "end": "/a/end"}],
 *     "not-future": [{"rule": "event-date-not-future", "field": "/event_date"}]
 *   }
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

static int bad(thbx_error_t *err, const char *what) {
  return thbx_error_set(err, THBX_ESCHEMA, "profile annotation x-thbx: %s", what);
}

static int pointer_ok(const json_t *v) {
  return json_is_string(v) && json_string_value(v)[0] == '/';
}

static char *dup_str(const json_t *v, const char *dflt) {
  return strdup(json_is_string(v) ? json_string_value(v) : dflt);
}

static int load_dates(const json_t *list, int order, struct profile_date_rule **out, size_t *n,
                      thbx_error_t *err) {
  if (!list)
    return THBX_OK;
  if (!json_is_array(list))
    return bad(err, order ? "date-order must be an array" : "not-future must be an array");
  size_t count = json_array_size(list);
  if (!count)
    return THBX_OK;
  *out = calloc(count, sizeof(**out));
  if (!*out)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < count; i++) {
    const json_t *e = json_array_get(list, i);
    const json_t *field = json_object_get(e, order ? "start" : "field");
    const json_t *end = order ? json_object_get(e, "end") : NULL;
    if (!json_is_object(e) || !pointer_ok(field) || (order && !pointer_ok(end)))
      return bad(err, order ? "a date-order entry needs start and end, JSON Pointers"
                            : "a not-future entry needs field, a JSON Pointer");
    struct profile_date_rule *r = &(*out)[i];
    (*n)++;
    r->rule = dup_str(json_object_get(e, "rule"), order ? "date-order" : "date-not-future");
    r->field = dup_str(field, "");
    r->end = order ? dup_str(end, "") : NULL;
    if (!r->rule || !r->field || (order && !r->end))
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return THBX_OK;
}

int profile_rules_load(struct thbx_profile *p, thbx_error_t *err) {
  const json_t *x = json_object_get(p->schema, "x-thbx");
  if (!x)
    return THBX_OK;
  if (!json_is_object(x))
    return bad(err, "must be an object");
  const json_t *id = json_object_get(x, "id");
  if (id) {
    const json_t *field = json_object_get(id, "field");
    if (!json_is_object(id) || !pointer_ok(field))
      return bad(err, "id needs field, a JSON Pointer");
    p->rules.id_rule = dup_str(json_object_get(id, "rule"), "unique-id");
    p->rules.id_field = dup_str(field, "");
    if (!p->rules.id_rule || !p->rules.id_field)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  int rc = load_dates(json_object_get(x, "date-order"), 1, &p->rules.order, &p->rules.norder, err);
  if (rc == THBX_OK)
    rc = load_dates(json_object_get(x, "not-future"), 0, &p->rules.future, &p->rules.nfuture, err);
  return rc;
}

static void free_dates(struct profile_date_rule *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].rule);
    free(r[i].field);
    free(r[i].end);
  }
  free(r);
}

void profile_rules_free(struct profile_rules *r) {
  free(r->id_rule);
  free(r->id_field);
  free_dates(r->order, r->norder);
  free_dates(r->future, r->nfuture);
  memset(r, 0, sizeof(*r));
}

const json_t *profile_record_id(const struct thbx_profile *p, const json_t *record) {
  if (!p || !p->rules.id_field)
    return NULL;
  return (p->rules.id_field ? thbx_json_pointer_get(record, p->rules.id_field) : NULL);
}

const char *profile_pointer_name(const char *pointer) {
  const char *slash = pointer ? strrchr(pointer, '/') : NULL;
  return slash ? slash + 1 : pointer ? pointer : "";
}
