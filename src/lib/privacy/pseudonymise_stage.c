/*
 * pseudonymise_stage.c - the pipeline stage of `thbx pseudonymise`: listed
 * fields become their keyed pseudonyms, dropped fields disappear.
 *
 * Stateless: its state (paths, the pseudonymiser) is read-only after
 * creation, so any worker thread may run it on any item. It marks every item
 * raw_stale, changed or not, so that no sink copies the input's bytes (they
 * hold the identifiers). A value it cannot pseudonymise (an object, a
 * boolean) is removed from the record and reported as an issue of rule
 * "pseudonymise", so the item is rejected and the value cannot reach any
 * output, not even a reject file.
 */
#include "pseudonym.h"

#include "internal.h"
#include "privacy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pseudo_stage {
  const thbx_pseudonymiser_t *p;
  struct privacy_path *fields;
  size_t nfields;
  struct privacy_path *drops;
  size_t ndrops;
};

static void stage_free(void *state) {
  struct pseudo_stage *s = state;
  if (!s)
    return;
  for (size_t i = 0; i < s->nfields; i++)
    privacy_path_clear(&s->fields[i]);
  for (size_t i = 0; i < s->ndrops; i++)
    privacy_path_clear(&s->drops[i]);
  free(s->fields);
  free(s->drops);
  free(s);
}

/* Pseudonymise component `depth` of `path` below `obj`; arrays of objects on
 * the way are walked item by item. *bad is set when a value could not be
 * pseudonymised (it is removed then). */
static int pseudo_walk(const thbx_pseudonymiser_t *p, json_t *obj, const struct privacy_path *path,
                       size_t depth, int *bad) {
  if (json_is_array(obj)) {
    size_t i;
    json_t *item;
    json_array_foreach(obj, i, item) {
      int rc = pseudo_walk(p, item, path, depth, bad);
      if (rc != THBX_OK)
        return rc;
    }
    return THBX_OK;
  }
  if (!json_is_object(obj))
    return THBX_OK;
  const char *key = path->parts[depth];
  if (depth + 1 < path->nparts) {
    json_t *child = json_object_get(obj, key);
    return child ? pseudo_walk(p, child, path, depth + 1, bad) : THBX_OK;
  }
  int changed = 0;
  int rc = privacy_pseudonymise_json(p, obj, key, &changed);
  if (rc == THBX_EINVALID) {
    json_object_del(obj, key); /* never let it through, not even to a reject file */
    *bad = 1;
    return THBX_OK;
  }
  return rc;
}

static int stage_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  struct pseudo_stage *s = state;
  /* whatever happens below, the input's bytes must not be copied any more */
  item->raw_stale = 1;
  if (!item->value)
    return THBX_OK;
  for (size_t i = 0; i < s->nfields; i++) {
    int bad = 0;
    int rc = pseudo_walk(s->p, item->value, &s->fields[i], 0, &bad);
    if (rc != THBX_OK)
      return thbx_error_set(err, rc, "pseudonymise %s: %s", s->fields[i].dotted, thbx_strerror(rc));
    if (bad && thbx_item_issuef(item, THBX_ISSUE_SCHEMA, "pseudonymise", s->fields[i].pointer, NULL,
                                "cannot be pseudonymised: only a string, a number or an "
                                "array of them can; the value was removed") != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < s->ndrops; i++)
    privacy_path_drop(item->value, &s->drops[i]);
  return THBX_OK;
}

static const thbx_stage_ops_t stage_ops = {
    .name = "pseudonymise",
    .kind = THBX_STAGE_STATELESS,
    .skip_rejected = 0, /* a rejected item's identifiers must go as well */
    .apply = stage_apply,
    .finish = NULL,
    .free = stage_free,
};

static void warnf(const thbx_pseudonymise_options_t *o, const char *fmt, ...) THBX_PRINTF(2, 3);
static void warnf(const thbx_pseudonymise_options_t *o, const char *fmt, ...) {
  if (!o->warn)
    return;
  char text[THBX_ERROR_TEXT_LENGTH];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  o->warn(o->warn_ctx, text);
}

/* Does a pseudonym fit the field of the profile? */
static int pseudonym_fits(const thbx_profile_t *profile, const char *dotted,
                          const struct thbx_shape *shape) {
  thbx_schema_t *schema = NULL;
  if (privacy_field_schema(profile, dotted, &schema, NULL) != THBX_OK)
    return 1; /* cannot tell: say nothing */
  json_t *hex = json_string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  json_t *probe = hex;
  if (shape->types & THBX_TYPE_ARRAY) {
    probe = json_array();
    json_array_append(probe, hex);
  }
  int fits = privacy_field_valid(schema, probe);
  if (probe != hex)
    json_decref(probe);
  json_decref(hex);
  thbx_schema_free(schema);
  return fits;
}

static int check_paths(const thbx_pseudonymise_options_t *o, const char *const *fields,
                       size_t nfields, thbx_error_t *err) {
  const thbx_profile_t *profile = o->profile;
  for (size_t i = 0; i < nfields; i++) {
    const struct thbx_shape *shape = privacy_shape_at(profile, fields[i]);
    if (!shape)
      return thbx_error_set(err, THBX_EINVAL, "field %.200s: not a field of the profile %.100s",
                            fields[i], profile->name);
    unsigned scalar = shape->types & (THBX_TYPE_STRING | THBX_TYPE_NUMBER | THBX_TYPE_INTEGER);
    if (shape->types & THBX_TYPE_ARRAY && shape->items)
      scalar = shape->items->types & (THBX_TYPE_STRING | THBX_TYPE_NUMBER | THBX_TYPE_INTEGER);
    if (!scalar)
      return thbx_error_set(err, THBX_EINVAL,
                            "field %.200s: only a string or a number can be pseudonymised",
                            fields[i]);
    if (!pseudonym_fits(profile, fields[i], shape))
      warnf(o,
            "%.200s: a pseudonym (64 hex digits) is not a valid value of it in the profile "
            "%.100s; the output will not validate",
            fields[i], profile->name);
  }
  for (size_t i = 0; i < o->ndrops; i++) {
    if (!privacy_shape_at(profile, o->drops[i]))
      return thbx_error_set(err, THBX_EINVAL, "drop %.200s: not a field of the profile %.100s",
                            o->drops[i], profile->name);
    int conditional;
    const char *why = NULL;
    if (privacy_suppression(profile, o->drops[i], &conditional, &why) == PRIVACY_SUPPRESS_NONE &&
        why && strstr(why, "requires"))
      warnf(o, "%.200s: the profile requires it; the output will not validate", o->drops[i]);
  }
  return THBX_OK;
}

int thbx_pseudonymise_stage_new(const thbx_pseudonymise_options_t *options,
                                const thbx_stage_ops_t **ops, void **state, thbx_error_t *err) {
  static const char *const default_fields[] = {"person.person_ref", "case_ref"};
  *state = NULL;
  *ops = &stage_ops;
  if (!options || !options->pseudonymiser)
    return thbx_error_set(err, THBX_EINVAL, "no pseudonymiser");
  const char *const *fields = options->fields;
  size_t nfields = options->nfields;
  if (!fields || !nfields) {
    fields = default_fields;
    nfields = 2;
  }
  size_t ndrops = options->drops ? options->ndrops : 0;
  struct pseudo_stage *s = calloc(1, sizeof(*s));
  if (!s)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  s->p = options->pseudonymiser;
  s->fields = calloc(nfields, sizeof(*s->fields));
  s->drops = calloc(ndrops ? ndrops : 1, sizeof(*s->drops));
  if (!s->fields || !s->drops) {
    stage_free(s);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  int rc = THBX_OK;
  for (size_t i = 0; i < nfields && rc == THBX_OK; i++) {
    rc = privacy_path_parse(&s->fields[i], fields[i], err);
    if (rc == THBX_OK)
      s->nfields++;
  }
  for (size_t i = 0; i < ndrops && rc == THBX_OK; i++) {
    rc = privacy_path_parse(&s->drops[i], options->drops[i], err);
    if (rc == THBX_OK)
      s->ndrops++;
  }
  if (rc == THBX_OK && options->profile)
    rc = check_paths(options, fields, nfields, err);
  if (rc != THBX_OK) {
    stage_free(s);
    return rc;
  }
  *state = s;
  return THBX_OK;
}
