/*
 * privacy.h - what the privacy module's files share (internal): dotted
 * field paths over a record and the facts of the profile they need
 * (is a path a field, may it be dropped, has its code list `unknown`).
 */
#ifndef THBX_PRIVACY_H
#define THBX_PRIVACY_H

#include "internal.h"
#include "profile.h"

/* A dotted field path, "person.person_ref", split into its parts. */
struct privacy_path {
  char *dotted;  /* as given */
  char *pointer; /* the JSON Pointer "/person/person_ref" (for issues) */
  char **parts;
  size_t nparts;
};

/* Parse `dotted` (non-empty parts; no leading, trailing or double dot).
 * THBX_EINVAL with a message otherwise; *path is left cleared then. */
int privacy_path_parse(struct privacy_path *path, const char *dotted, thbx_error_t *err);
void privacy_path_clear(struct privacy_path *path);
/* The value at `path` (borrowed), NULL if absent; `parent_out` (may be NULL)
 * gets the object holding it. Objects only: an array on the way is NULL. */
json_t *privacy_path_get(json_t *root, const struct privacy_path *path, json_t **parent_out);
/* Remove the value at `path` (arrays of objects on the way walked item by
 * item); an object left empty by it is removed as well, up to the root.
 * Returns 1 if anything was removed. */
int privacy_path_drop(json_t *root, const struct privacy_path *path);

/* The profile's shape node at a dotted path (leaf or object), NULL if none. */
const struct thbx_shape *privacy_shape_at(const thbx_profile_t *profile, const char *dotted);

/* What local suppression may do with a field so that the record stays valid
 * against the profile: replace it by the code list's "unknown", drop it
 * (optional, named by no rule of its ancestors), or neither. */
enum privacy_suppress {
  PRIVACY_SUPPRESS_NONE = 0,
  PRIVACY_SUPPRESS_UNKNOWN,
  PRIVACY_SUPPRESS_DROP
};
/* For a leaf path of the profile; *why gets a reason when NONE (static text).
 * `conditional` is set when a conditional rule of the schema (if/then, the
 * dependent* keywords, allOf/anyOf/oneOf/not) names the field: its value
 * cannot then be changed without possibly breaking the record. */
int privacy_suppression(const thbx_profile_t *profile, const char *dotted, int *conditional,
                        const char **why);

/* A compiled check of one field's values against the profile: the field's
 * subschema (through the whole profile, so that its $ref resolve). Values
 * are checked as the field's value (an array field takes an array). */
int privacy_field_schema(const thbx_profile_t *profile, const char *dotted, thbx_schema_t **out,
                         thbx_error_t *err);
/* 1 if `value` is valid there, 0 if not (or the check failed). */
int privacy_field_valid(const thbx_schema_t *schema, const json_t *value);

#endif
