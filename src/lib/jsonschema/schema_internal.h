/*
 * schema_internal.h - the inside of the JSON Schema engine (not installed).
 *
 * A schema is compiled (schema.c) into a graph of `struct snode`, one per
 * schema object reached, with every $ref resolved to its node; validation
 * (schema_validate.c) walks that graph and never changes it, so one
 * compiled schema serves any number of threads. Helpers: URI resolution
 * (schema_util.c; hash maps are core/hmap.h), the registry (schema_registry.c),
 * regexes (schema_regex.c), exact decimal arithmetic (schema_number.c) and
 * format checks (schema_format.c).
 */
#ifndef THBX_SCHEMA_INTERNAL_H
#define THBX_SCHEMA_INTERNAL_H

#include "hmap.h"
#include "internal.h"
#include "json_util.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ URIs */

/* Resolve `ref` against `base` (RFC 3986 section 5.2). New string or NULL. */
char *schema_uri_resolve(const char *base, const char *ref);
/* Split at '#': returns a copy of the part before it; *fragment points into
 * `uri` after the '#', or NULL if there is none. */
char *schema_uri_split(const char *uri, const char **fragment);
/* Percent-decode a fragment in place. */
void schema_uri_unescape(char *s);

/* -------------------------------------------------------------- registry */

struct schema_prefix {
  char *prefix;
  char *dir;
};
struct thbx_schema_registry {
  struct schema_prefix *prefixes;
  size_t nprefixes;
  thbx_hmap_t docs; /* uri (no fragment) -> json_t * (owned reference) */
};

/* Find the document of `uri` (no fragment): registered, embedded meta-schema,
 * or a file under a mapped prefix. Returns a new reference, NULL if unknown
 * (err says why when a file exists but is broken: THBX_ESCHEMA). */
json_t *schema_registry_load(const thbx_schema_registry_t *reg, const char *uri, int *status,
                             thbx_error_t *err);

/* ----------------------------------------------------------------- regex */

struct sregex;
/* Compile an ECMA-262 pattern; NULL and err filled if it is not valid. */
struct sregex *schema_regex_compile(const char *pattern, thbx_error_t *err);
/* 1 match, 0 no match, -1 match limit hit or other failure (err filled). */
int schema_regex_match(const struct sregex *re, const char *s, size_t len,
                       unsigned long match_limit, thbx_error_t *err);
void schema_regex_free(struct sregex *re);
/* Is `pattern` a valid ECMA-262 regex (as far as we translate it)? */
int schema_regex_valid(const char *pattern);

/* --------------------------------------------------------------- numbers */

/* Is instance (a number) a multiple of divisor (a positive number), exactly
 * in decimal? 1 yes, 0 no. */
int schema_number_multiple(const json_t *instance, const json_t *divisor);
/* |n| as mant * 10^exp, mant without trailing zeros (0: exp 0), from the
 * shortest decimal that reads back as n (multipleOf works on it). */
void schema_number_decimal(const json_t *n, uint64_t *mant, int *exp);
/* Compare two JSON numbers: <0, 0, >0. */
int schema_number_cmp(const json_t *a, const json_t *b);
/* JSON equality: numbers by value (1 == 1.0), objects unordered. */
int schema_json_equal(const json_t *a, const json_t *b);
/* A hash that agrees with schema_json_equal (uniqueItems on long arrays). */
uint64_t schema_json_hash(const json_t *v);
/* Is the number integral (1, 1.0, 1e3)? */
int schema_number_is_integer(const json_t *n);
/* Shortest decimal text of a number into buf (at least 32 bytes). */
void schema_number_text(const json_t *n, char *buf, size_t size);

/* --------------------------------------------------------------- formats */

enum schema_format {
  FMT_NONE = 0,
  FMT_DATE,
  FMT_TIME,
  FMT_DATE_TIME,
  FMT_DURATION,
  FMT_EMAIL,
  FMT_IDN_EMAIL,
  FMT_HOSTNAME,
  FMT_IDN_HOSTNAME,
  FMT_IPV4,
  FMT_IPV6,
  FMT_URI,
  FMT_URI_REFERENCE,
  FMT_IRI,
  FMT_IRI_REFERENCE,
  FMT_URI_TEMPLATE,
  FMT_UUID,
  FMT_REGEX,
  FMT_JSON_POINTER,
  FMT_RELATIVE_JSON_POINTER,
  FMT_UNKNOWN
};
enum schema_format schema_format_from_name(const char *name);
/* Draft 7 content assertions: is the string valid base64 (RFC 4648), and
 * is the (decoded) content JSON? 1 yes, 0 no. */
int schema_content_check(const char *s, size_t len, int base64, int json);
/* hostname (idn 0: ASCII, A-labels checked) or idn-hostname (idn 1). */
int schema_idn_hostname(const char *s, size_t len, int idn);
/* Does the string satisfy the format? 1 yes, 0 no. */
int schema_format_check(enum schema_format f, const char *s, size_t len);

/* ----------------------------------------------------------------- nodes */

/* Internal draft value beside thbx_draft: 2019-09, met through $schema only
 * (as 2020-12, but "items" arrays are tuples and prefixItems is unknown). */
#define SCHEMA_DRAFT_2019_09 100

/* Vocabularies in force in a resource (2020-12 $vocabulary of its meta-schema). */
enum {
  VOC_CORE = 1 << 0,
  VOC_APPLICATOR = 1 << 1,
  VOC_VALIDATION = 1 << 2,
  VOC_UNEVALUATED = 1 << 3,
  VOC_FORMAT_ASSERT = 1 << 4,
  VOC_ALL = VOC_CORE | VOC_APPLICATOR | VOC_VALIDATION | VOC_UNEVALUATED
};

struct snode;

/* A schema resource: a document root or a subschema with its own $id. */
struct sresource {
  char *uri; /* base URI, no fragment */
  const json_t *root;
  int draft; /* THBX_DRAFT_2020_12 or THBX_DRAFT_7 */
  unsigned vocab;
  thbx_hmap_t dynamic; /* $dynamicAnchor name -> struct sdyn * */
  int used;            /* a node of this resource was compiled */
};

struct sdyn {
  const json_t *schema;
  struct snode *node; /* filled when compiled */
};

/* Where a subschema sits: its resource and its pointer from the resource root. */
struct sinfo {
  struct sresource *res;
  char *pointer;
};

struct snamed {
  const char *name; /* borrowed from the schema document */
  struct snode *node;
};

struct sdepreq {
  const char *name;
  const json_t *names; /* array of strings */
};

struct spattern {
  const char *source;
  struct sregex *re;
  struct snode *node;
};

/* A member name the object keywords of a node know (fields below). */
struct sfield {
  struct snode *node; /* its "properties" schema, NULL if none */
  int required;       /* named in "required" */
};

struct snode {
  struct sresource *res;
  const char *pointer; /* from the resource root (borrowed from its sinfo) */
  int boolean;         /* -1: an object schema, else the boolean schema's value */
  unsigned types;      /* T_* bits; 0 when "type" is absent */
  int has_const;
  const json_t *const_value;
  const json_t *enum_values;
  thbx_hmap_t enum_strings;   /* the string values of enum, for hashed lookup */
  int enum_other;             /* enum also has values that are not strings */
  struct schema_codes *codes; /* the enum is a code list (x-thbx-codes), else NULL */
  const json_t *minimum, *maximum, *exclusive_minimum, *exclusive_maximum, *multiple_of;
  long min_length, max_length, min_items, max_items, min_props, max_props;
  long min_contains, max_contains;
  int unique_items;
  const char *pattern_source;
  struct sregex *pattern;
  enum schema_format format;
  const char *format_name;
  int format_assert;
  int content_base64;                 /* draft 7 contentEncoding "base64" (asserted) */
  int content_json;                   /* draft 7 contentMediaType "application/json" */
  const json_t *required;             /* array of strings */
  struct sdepreq *dependent_required; /* dependentRequired and array dependencies */
  size_t ndependent_required;
  thbx_hmap_t properties; /* name -> struct snode * */
  size_t nproperties;
  struct spattern *pattern_props;
  size_t npattern_props;
  struct snamed *dependent_schemas;
  size_t ndependent_schemas;
  struct snode *additional_props, *property_names, *unevaluated_props;
  struct snode **prefix_items;
  size_t nprefix_items;
  struct snode *items, *contains, *unevaluated_items;
  struct snode **all_of, **any_of, **one_of;
  size_t nall_of, nany_of, none_of;
  struct snode *not_, *if_, *then_, *else_;
  struct snode *ref;
  struct snode *dynamic_ref;  /* the static target */
  const char *dynamic_anchor; /* set when the reference is dynamic */
  int needs_eval;             /* unevaluated* here: collect annotations */
  thbx_hmap_t fields;         /* properties and required names -> struct sfield (in field_store) */
  struct sfield *field_store;
  size_t nrequired_names; /* distinct strings in required, when fields is built */
  int leaf;               /* only type, string and number keywords (schema.c's leaf) */
  int ref_only;           /* only $ref and type (set last, by schema.c's ref_only) */
};

struct thbx_schema {
  thbx_schema_options_t options;
  json_t *document; /* the compiled schema (own reference) */
  struct snode *root;
  thbx_hmap_t uris;  /* "uri" and "uri#anchor" -> const json_t * */
  thbx_hmap_t info;  /* const json_t * -> struct sinfo * */
  thbx_hmap_t nodes; /* const json_t * -> struct snode * */
  struct sresource **resources;
  size_t nresources, capresources;
  json_t **docs; /* documents loaded for $ref (own references) */
  size_t ndocs, capdocs;
  const thbx_schema_registry_t *registry; /* during compilation only */
  thbx_schema_registry_t *own_registry;
};

/* schema_codes.c: an enum that is a code list ("x-thbx-codes": NAME beside
 * it). *out is NULL when it is not one. */
struct schema_codes;
int schema_codes_compile(struct schema_codes **out, const json_t *schema, const json_t *values,
                         thbx_error_t *err);
void schema_codes_free(struct schema_codes *codes);
/* The enum error of a code list: msg "is not a code of sex (see `thbx codes
 * sex`)", *hint "did you mean female?" (malloc'ed) or NULL. */
void schema_codes_message(const struct schema_codes *codes, const json_t *inst, char *msg,
                          size_t msg_size, char **hint);

#endif
