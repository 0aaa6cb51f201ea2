/*
 * profile.h - the inside of a profile (internal). The converter's compiled
 * shape of the schema hangs off it (see profile_shape.c when present).
 */
#ifndef THBX_PROFILE_H
#define THBX_PROFILE_H

#include "internal.h"
#include "json_util.h"

/* The compiled, schema-directed shape of a record (profile_shape.c): one
 * node per schema location that data can be at, with $ref resolved. Readers
 * and writers of CSV and XML walk it; nothing in them is per field. */

struct thbx_shape {
  unsigned types;    /* THBX_TYPE_* bits the schema allows here ("type", or ANY) */
  char *name;        /* property name; NULL for the root and array items */
  char *path;        /* dotted path from the root, "person.sex" (CSV column);
                        "" for the root; an array's items share its path */
  char *pointer;     /* JSON Pointer into the instance without array indices */
  char *xml_name;    /* XML element/attribute name: xml.name, else `name`,
                        else (items) the parent's xml item name, else "item" */
  int xml_attribute; /* xml.attribute: spelled as an attribute of the parent */
  int xml_wrapped;   /* arrays: xml.wrapped (item elements inside the array's) */
  struct thbx_shape *parent;
  /* THBX_TYPE_OBJECT: properties in schema order, and whether others are allowed */
  struct thbx_shape **props;
  size_t nprops;
  int additional; /* additionalProperties not false */
  /* THBX_TYPE_ARRAY: the items' shape (NULL: any) */
  struct thbx_shape *items;
  /* root only */
  char *xml_namespace;        /* xml.namespace of the root schema, may be NULL */
  char *xml_root;             /* the document element ("records"): xml.x-root */
  struct thbx_shape **leaves; /* every leaf in schema order: scalars and arrays of
                                 scalars (one CSV column each) */
  size_t nleaves;
  /* added by the CSV part: index of this node in the root's leaves, -1 if it
   * is not a leaf (branches, array items, the root) */
  long leaf_index;
};

/* Property `name` (len bytes) of an object shape, NULL if none. */
const struct thbx_shape *thbx_shape_prop(const struct thbx_shape *object, const char *name,
                                         size_t len);
/* Child of an object shape by its XML name (element or attribute), NULL if none. */
const struct thbx_shape *thbx_shape_xml_child(const struct thbx_shape *object, const char *xml_name,
                                              int attribute);
/* The leaf with dotted path `path`, NULL if none. */
const struct thbx_shape *thbx_shape_leaf(const struct thbx_shape *root, const char *path);

/* The dataset rules a profile names in the x-thbx annotation of its JSON
 * Schema (docs/validate.md): JSON Pointers into a record and rule names. */
struct profile_date_rule {
  char *rule;
  char *field; /* not-future: the date; date-order: the start */
  char *end;   /* date-order: the end, which must not be before start */
};

struct profile_rules {
  char *id_rule; /* NULL: no id field */
  char *id_field;
  struct profile_date_rule *order, *future;
  size_t norder, nfuture;
};

struct thbx_profile {
  char *name;
  int embedded;               /* built in: its schema was checked against the meta-schema
                                 when thbx was built (tests), not at every start */
  struct profile_rules rules; /* from x-thbx; empty if the schema has none */
  /* the XSD compiled once per process (profile_xsd.c), an xmlSchemaPtr */
  void *xsd_compiled;
  void *xsd_doc; /* the XSD document the compiled schema was parsed from */
  int xsd_state; /* 0 not tried, 1 compiled, -1 failed (xsd_error says why) */
  thbx_error_t xsd_error;
  json_t *schema;
  char *xsd; /* NUL-terminated, may be NULL */
  size_t xsd_length;
  char *xsd_path;           /* where the XSD came from (for includes), may be NULL */
  struct thbx_shape *shape; /* built on load */
};

/* Read the x-thbx annotation of profile->schema into profile->rules
 * (THBX_ESCHEMA when it is malformed). */
int profile_rules_load(struct thbx_profile *profile, thbx_error_t *err);
void profile_rules_free(struct profile_rules *rules);
/* The record's id as the profile names it (x-thbx id), NULL if none. */
const json_t *profile_record_id(const struct thbx_profile *profile, const json_t *record);
/* The last token of a pointer, for messages ("/assistance/end_date" -> "end_date"). */
const char *profile_pointer_name(const char *pointer);

/* The profile's XSD compiled (an xmlSchemaPtr, borrowed; *out NULL when the
 * profile has none), compiled at the first call of the process and kept
 * (xml/xsd_compile.c). Thread-safe. THBX_ESCHEMA: err says where. */
int profile_xsd_schema(const struct thbx_profile *profile, void **out, thbx_error_t *err);
/* Keep an XSD compiled elsewhere (validate --schema FILE.xsd) as the
 * profile's (owned from here). */
int profile_xsd_adopt(struct thbx_profile *profile, void *schema);
void profile_xsd_free(struct thbx_profile *profile);

/* Compile profile->schema into profile->shape (profile_shape.c). */
int thbx_shape_build(struct thbx_profile *profile, thbx_error_t *err);
void thbx_shape_free(struct thbx_shape *shape);

#endif
