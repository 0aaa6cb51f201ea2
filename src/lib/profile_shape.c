/*
 * profile_shape.c - the schema-directed shape of a record, compiled once
 * from the profile's JSON Schema. PLACEHOLDER until the convert issue lands.
 */
#include "profile.h"

int thbx_shape_build(struct thbx_profile *profile, thbx_error_t *err) {
  (void)profile;
  (void)err;
  return THBX_OK;
}

void thbx_shape_free(struct thbx_shape *shape) { (void)shape; }
