/*
 * anonymise.h - the inside of the anonymiser (internal), shared by
 * anonymise.c (counting, the plan, applying it), anonymise_hierarchy.c
 * (ARX-style hierarchies, generalising one value) and anonymise_report.c.
 *
 * Groups are kept in jansson objects used as hash tables: the key is the
 * compact JSON of the quasi-identifiers' values in order (null for absent),
 * the value the index of the group in a C array.
 */
#ifndef THBX_ANONYMISE_H
#define THBX_ANONYMISE_H

#include "privacy.h"

#define ANON_MAX_QUASI 16
#define ANON_MAX_NODES 100000

struct anon_qi {
  struct privacy_path path;
  int suppress;          /* PRIVACY_SUPPRESS_* */
  const char *why;       /* when PRIVACY_SUPPRESS_NONE */
  int conditional;       /* a rule of the profile reads it */
  int is_array;          /* the profile says it is an array of scalars */
  unsigned types;        /* SHAPE_* of the value (of its items for an array) */
  thbx_schema_t *schema; /* the field's subschema, NULL in generic mode */
  /* hierarchy */
  char *hier_file;
  json_t *hier; /* value text -> array of level values (json null: suppressed) */
  int levels;   /* levels above 0 */
  long missing; /* records whose value has no row */
  char missing_source[THBX_ERROR_SOURCE_LENGTH];
  long missing_line;
  /* plan and pass 2 */
  int level;
  long generalised, suppressed;
};

/* A group of records sharing quasi-identifier values. */
struct anon_group {
  json_t *values; /* array of the values (json null for absent) */
  long records;
  json_t *persons; /* object used as a set, with `distinct` */
  json_t *sens;    /* object used as a set, with `sensitive` */
};

struct anon_table {
  json_t *index; /* key -> json integer index into groups */
  struct anon_group *groups;
  size_t n, cap;
};

struct thbx_anonymiser {
  long k;
  double max_suppress;
  const thbx_profile_t *profile;
  struct anon_qi *qi;
  size_t nq;
  struct privacy_path distinct, sensitive;
  int has_distinct, has_sensitive;
  struct anon_table base; /* the input, pass 1 */
  long read;
  /* plan */
  int planned;
  long plan_suppressed; /* records in groups below k at the chosen levels */
  json_t *decision;     /* generalised key -> json integer: mask (0 keep), -1 drop */
  long plan_drop_records;
  /* pass 2 */
  int applied;
  struct anon_table out;
  long written, dropped;
};

/* The text a hierarchy row is looked up by: a string as it is, a number or
 * a boolean as JSON spells it. NULL for other values. malloc'ed. */
char *anon_value_text(const json_t *v);
/* The value local suppression leaves: "unknown" (["unknown"] for an array)
 * or NULL (absent). New reference. */
json_t *anon_suppressed_form(const struct anon_qi *q);
/* Generalise `v` (borrowed, NULL absent) to `level`: new reference, NULL
 * for absent. *missing is set when the value has no row (it is returned
 * unchanged then). */
json_t *anon_generalise(const struct anon_qi *q, const json_t *v, int level, int *missing);

/* Tables: add `values` (stolen) with a person key and a sensitive key. */
int anon_table_add(struct anon_table *t, json_t *values, const char *person, const char *sens);
/* Size of group i: records, or persons with distinct. */
long anon_group_size(const struct thbx_anonymiser *a, const struct anon_group *g);
void anon_table_free(struct anon_table *t);

/* Compact JSON of a value, for keys ("null" for NULL). malloc'ed. */
char *anon_key(const json_t *v);

#endif
