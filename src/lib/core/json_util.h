/*
 * json_util.h - what every part of libthbx needs around jansson (internal):
 * the one set of JSON type bits (a profile's shape, the JSON Schema engine,
 * CSV and XML spellings) and the one JSON Pointer resolver (RFC 6901).
 */
#ifndef THBX_JSON_UTIL_H
#define THBX_JSON_UTIL_H

#include "thbx.h"

#include <jansson.h>
#include <stddef.h>

/* JSON types as bits, for "type" keywords and the types a place allows. */
enum {
  THBX_TYPE_NULL = 1 << 0,
  THBX_TYPE_BOOLEAN = 1 << 1,
  THBX_TYPE_INTEGER = 1 << 2,
  THBX_TYPE_NUMBER = 1 << 3, /* as a schema type: includes integers */
  THBX_TYPE_STRING = 1 << 4,
  THBX_TYPE_ARRAY = 1 << 5,
  THBX_TYPE_OBJECT = 1 << 6,
  THBX_TYPE_ANY = 0x7f
};

/* "null", "boolean", "integer", "number", "string", "array", "object" ->
 * its bit; 0 for any other name. */
unsigned thbx_type_bit(const char *name);
/* The name of one bit ("integer"), "" if it is not one of them. */
const char *thbx_type_name(unsigned bit);
/* The bit of a value as jansson holds it: JSON_INTEGER is THBX_TYPE_INTEGER,
 * JSON_REAL THBX_TYPE_NUMBER (whatever its value). */
unsigned thbx_type_of(const json_t *v);

/* thbx_json_pointer_get() is public (thbx.h). */

#endif
