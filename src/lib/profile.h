/*
 * profile.h - the inside of a profile (internal). The converter's compiled
 * shape of the schema hangs off it (see profile_shape.c when present).
 */
#ifndef THBX_PROFILE_H
#define THBX_PROFILE_H

#include "internal.h"

struct thbx_shape; /* compiled, schema-directed shape of a record */

struct thbx_profile {
  char *name;
  json_t *schema;
  char *xsd; /* NUL-terminated, may be NULL */
  size_t xsd_length;
  char *xsd_path; /* where the XSD came from (for includes), may be NULL */
  struct thbx_shape *shape; /* built on load */
};

/* Compile profile->schema into profile->shape (profile_shape.c). */
int thbx_shape_build(struct thbx_profile *profile, thbx_error_t *err);
void thbx_shape_free(struct thbx_shape *shape);

#endif
