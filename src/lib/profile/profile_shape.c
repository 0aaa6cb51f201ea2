/*
 * profile_shape.c - the schema-directed shape of a record, compiled once
 * from the profile's JSON Schema when the profile is loaded.
 *
 * The CSV and XML readers and writers walk this tree instead of the schema:
 * every place data can be at, with its allowed types, its dotted CSV path,
 * its XML spelling, and (for objects) its properties in schema order. Only
 * the structure is taken from the schema: "properties", "items", "type"
 * (or the types of "enum"/"const" values) and "xml", followed through local
 * "$ref" (JSON Pointers "#/..." into the same document) and "allOf".
 * if/then/else, dependent*, anyOf/oneOf add rules, not shape: ignored here.
 *
 * A "$ref" cycle (a recursive schema) is cut where it closes: that node gets
 * no properties/items and becomes a leaf (a CSV cell holding compact JSON).
 * Non-local "$ref"s (another document) are not followed: the node allows
 * any type.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

/* Every node is allocated as a shape_node; the public struct comes first so
 * that a `struct thbx_shape *` from the tree can be cast back. */
struct shape_node {
  struct thbx_shape s;
  struct thbx_shape **by_name;        /* props sorted by name */
  struct thbx_shape **by_xml;         /* props sorted by (xml_name, xml_attribute) */
  struct thbx_shape **leaves_by_path; /* root only: leaves sorted by path */
  size_t name_len;                    /* strlen(s.name), 0 without a name */
};

#define SHAPE_MAX_DEPTH 64 /* nesting of the built tree */
#define SHAPE_MAX_HOPS 64  /* $ref/allOf hops while looking up one keyword */

struct build {
  const json_t *doc;                        /* the whole schema document */
  const json_t *stack[SHAPE_MAX_DEPTH + 1]; /* schemas being built (cycle check) */
  size_t depth;
  thbx_error_t *err;
  struct thbx_shape **leaves;
  size_t nleaves, capleaves;
};

/* ------------------------------------------------------------ $ref lookup */

/* Resolve a local reference "#" or "#/a/b" (RFC 6901 with URI-fragment
 * percent escapes). Returns NULL if it is not local or does not resolve. */
static const json_t *resolve_ref(const json_t *doc, const char *ref) {
  if (ref[0] != '#')
    return NULL;
  if (ref[1] != '\0' && ref[1] != '/')
    return NULL; /* "#anchor": not followed */
  char small[512];
  size_t n = strlen(ref + 1);
  char *p = n < sizeof(small) ? small : malloc(n + 1);
  if (!p)
    return NULL;
  size_t k = 0;
  for (const char *c = ref + 1; *c; c++) {
    int hi, lo;
    if (*c == '%' && (hi = thbx_hex_digit(c[1])) >= 0 && (lo = thbx_hex_digit(c[2])) >= 0) {
      p[k++] = (char)(hi * 16 + lo);
      c += 2;
    } else {
      p[k++] = *c;
    }
  }
  p[k] = '\0';
  const json_t *target = strlen(p) == k ? thbx_json_pointer_get(doc, p) : NULL;
  if (p != small)
    free(p);
  return target;
}

/* The value of `keyword` in `schema`, else in what its "$ref" points to,
 * else in its "allOf" members (depth first). *hops bounds the search. */
static const json_t *lookup(const struct build *b, const json_t *schema, const char *keyword,
                            int *hops) {
  if (!json_is_object(schema) || ++*hops > SHAPE_MAX_HOPS)
    return NULL;
  const json_t *v = json_object_get(schema, keyword);
  if (v)
    return v;
  const json_t *ref = json_object_get(schema, "$ref");
  if (json_is_string(ref)) {
    const json_t *target = resolve_ref(b->doc, json_string_value(ref));
    if (target && (v = lookup(b, target, keyword, hops)))
      return v;
  }
  const json_t *all = json_object_get(schema, "allOf");
  size_t i;
  const json_t *member;
  json_array_foreach(all, i, member) {
    if ((v = lookup(b, member, keyword, hops)))
      return v;
  }
  return NULL;
}

static const json_t *get(const struct build *b, const json_t *schema, const char *keyword) {
  int hops = 0;
  return lookup(b, schema, keyword, &hops);
}

/* Is there a "$ref" that cannot be followed (another document, an anchor)? */
static int has_foreign_ref(const struct build *b, const json_t *schema) {
  const json_t *ref = json_object_get(schema, "$ref");
  return json_is_string(ref) && !resolve_ref(b->doc, json_string_value(ref));
}

/* The schema object a node is built from, for cycle detection: the end of
 * its "$ref" chain when it has nothing but a "$ref" (and annotations). */
static const json_t *identity(const struct build *b, const json_t *schema) {
  for (int i = 0; i < SHAPE_MAX_HOPS && json_is_object(schema); i++) {
    const json_t *ref = json_object_get(schema, "$ref");
    if (!json_is_string(ref) || json_object_get(schema, "properties") ||
        json_object_get(schema, "items"))
      return schema;
    const json_t *target = resolve_ref(b->doc, json_string_value(ref));
    if (!target)
      return schema;
    schema = target;
  }
  return schema;
}

/* ------------------------------------------------------------------ types */

static unsigned schema_types(const struct build *b, const json_t *schema) {
  if (json_is_true(schema))
    return THBX_TYPE_ANY;
  const json_t *type = get(b, schema, "type");
  unsigned bits = 0;
  if (json_is_string(type)) {
    bits = thbx_type_bit(json_string_value(type));
  } else if (json_is_array(type)) {
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t) {
      if (json_is_string(t))
        bits |= thbx_type_bit(json_string_value(t));
    }
  }
  if (bits)
    return bits;
  const json_t *cnst = get(b, schema, "const");
  if (cnst)
    return thbx_type_of(cnst);
  const json_t *en = get(b, schema, "enum");
  if (json_is_array(en) && json_array_size(en) > 0) {
    size_t i;
    const json_t *v;
    json_array_foreach(en, i, v) bits |= thbx_type_of(v);
    return bits;
  }
  if (get(b, schema, "properties"))
    return THBX_TYPE_OBJECT;
  if (get(b, schema, "items"))
    return THBX_TYPE_ARRAY;
  return THBX_TYPE_ANY;
}

/* ------------------------------------------------------------- the nodes */

static char *dup_str(const char *s) { return s ? strdup(s) : NULL; }

static const char *xml_string(const struct build *b, const json_t *schema, const char *key) {
  const json_t *xml = get(b, schema, "xml");
  return json_string_value(json_object_get(xml, key));
}

static int xml_flag(const struct build *b, const json_t *schema, const char *key) {
  const json_t *xml = get(b, schema, "xml");
  return json_is_true(json_object_get(xml, key));
}

static int add_leaf(struct build *b, struct thbx_shape *leaf) {
  if (b->nleaves == b->capleaves) {
    size_t cap = b->capleaves ? b->capleaves * 2 : 32;
    struct thbx_shape **n = realloc(b->leaves, cap * sizeof(*n));
    if (!n)
      return -1;
    b->leaves = n;
    b->capleaves = cap;
  }
  leaf->leaf_index = (long)b->nleaves;
  b->leaves[b->nleaves++] = leaf;
  return 0;
}

static int cmp_by_name(const void *a, const void *b) {
  return strcmp((*(struct thbx_shape *const *)a)->name, (*(struct thbx_shape *const *)b)->name);
}

static int cmp_by_xml(const void *a, const void *b) {
  const struct thbx_shape *x = *(struct thbx_shape *const *)a, *y = *(struct thbx_shape *const *)b;
  int c = strcmp(x->xml_name, y->xml_name);
  return c ? c : x->xml_attribute - y->xml_attribute;
}

static int cmp_by_path(const void *a, const void *b) {
  return strcmp((*(struct thbx_shape *const *)a)->path, (*(struct thbx_shape *const *)b)->path);
}

static struct thbx_shape *build_node(struct build *b, const json_t *schema,
                                     struct thbx_shape *parent, const char *name, int is_items,
                                     int collect_leaves);

static int build_props(struct build *b, struct shape_node *node, const json_t *schema,
                       int collect_leaves) {
  struct thbx_shape *s = &node->s;
  const json_t *props = get(b, schema, "properties");
  const json_t *ap = get(b, schema, "additionalProperties");
  const json_t *up = get(b, schema, "unevaluatedProperties");
  s->additional = !(json_is_false(ap) || json_is_false(up));
  if (!json_is_object(props) || json_object_size(props) == 0)
    return THBX_OK;
  size_t n = json_object_size(props);
  s->props = calloc(n, sizeof(*s->props));
  node->by_name = calloc(n, sizeof(*node->by_name));
  node->by_xml = calloc(n, sizeof(*node->by_xml));
  if (!s->props || !node->by_name || !node->by_xml)
    return thbx_error_set(b->err, THBX_ENOMEM, "out of memory");
  const char *key;
  const json_t *sub;
  json_object_foreach((json_t *)props, key, sub) {
    struct thbx_shape *child = build_node(b, sub, s, key, 0, collect_leaves);
    if (!child)
      return THBX_ESCHEMA; /* err filled */
    s->props[s->nprops++] = child;
  }
  memcpy(node->by_name, s->props, n * sizeof(*s->props));
  memcpy(node->by_xml, s->props, n * sizeof(*s->props));
  qsort(node->by_name, n, sizeof(*node->by_name), cmp_by_name);
  qsort(node->by_xml, n, sizeof(*node->by_xml), cmp_by_xml);
  for (size_t i = 1; i < n; i++) {
    /* XML could not tell the two apart: refuse rather than misread */
    if (cmp_by_xml(&node->by_xml[i - 1], &node->by_xml[i]) == 0)
      return thbx_error_set(
          b->err, THBX_ESCHEMA, "properties '%s' and '%s' at %s have the same XML %s name '%s'",
          node->by_xml[i - 1]->name, node->by_xml[i]->name, s->pointer[0] ? s->pointer : "the root",
          node->by_xml[i]->xml_attribute ? "attribute" : "element", node->by_xml[i]->xml_name);
  }
  return THBX_OK;
}

static int set_paths(struct thbx_shape *s, const struct thbx_shape *parent, const char *name) {
  if (!parent) {
    s->path = strdup("");
    s->pointer = strdup("");
    return s->path && s->pointer ? 0 : -1;
  }
  if (!name) { /* array items share the array's path and pointer */
    s->path = strdup(parent->path);
    s->pointer = strdup(parent->pointer);
    return s->path && s->pointer ? 0 : -1;
  }
  thbx_buf_t p;
  thbx_buf_init(&p);
  if (parent->path[0])
    thbx_buf_puts(&p, parent->path), thbx_buf_putc(&p, '.');
  if (thbx_buf_puts(&p, name) != 0) {
    thbx_buf_free(&p);
    return -1;
  }
  s->path = p.data;
  thbx_buf_init(&p);
  if (thbx_buf_puts(&p, parent->pointer) != 0 || thbx_buf_pointer_append(&p, name) != 0) {
    thbx_buf_free(&p);
    return -1;
  }
  s->pointer = p.data;
  return 0;
}

/* Build the node for `schema` (a property `name` of parent, the items of
 * parent when is_items, or the root). Returns NULL with b->err filled. */
static struct thbx_shape *build_node(struct build *b, const json_t *schema,
                                     struct thbx_shape *parent, const char *name, int is_items,
                                     int collect_leaves) {
  struct shape_node *node = calloc(1, sizeof(*node));
  if (!node) {
    thbx_error_set(b->err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  struct thbx_shape *s = &node->s;
  s->parent = parent;
  s->leaf_index = -1;
  s->name = dup_str(name);
  node->name_len = name ? strlen(name) : 0;
  if ((name && !s->name) || set_paths(s, parent, name) != 0)
    goto nomem;
  if (!json_is_object(schema) && !json_is_boolean(schema)) {
    thbx_error_set(b->err, THBX_ESCHEMA, "schema at %s is not an object or boolean",
                   s->pointer[0] ? s->pointer : "the root");
    goto fail;
  }
  if (json_is_object(schema)) {
    const json_t *ref = json_object_get(schema, "$ref");
    if (json_is_string(ref) && json_string_value(ref)[0] == '#' &&
        !resolve_ref(b->doc, json_string_value(ref))) {
      thbx_error_set(b->err, THBX_ESCHEMA, "$ref \"%s\" at %s does not resolve",
                     json_string_value(ref), s->pointer[0] ? s->pointer : "the root");
      goto fail;
    }
  }
  s->types = has_foreign_ref(b, schema) ? THBX_TYPE_ANY : schema_types(b, schema);

  /* XML spelling */
  const char *xml_name = xml_string(b, schema, "name");
  if (!xml_name)
    xml_name = name ? name : (is_items ? "item" : "record");
  s->xml_name = strdup(xml_name);
  if (!s->xml_name)
    goto nomem;
  s->xml_attribute = xml_flag(b, schema, "attribute");
  s->xml_wrapped = xml_flag(b, schema, "wrapped");
  if (!parent) {
    const char *ns = xml_string(b, schema, "namespace");
    const char *root = xml_string(b, schema, "x-root");
    s->xml_namespace = dup_str(ns);
    s->xml_root = strdup(root ? root : "records");
    if ((ns && !s->xml_namespace) || !s->xml_root)
      goto nomem;
  }

  /* a cycle through $ref closes here: keep the types, stop descending */
  const json_t *id = identity(b, schema);
  int cyclic = 0;
  for (size_t i = 0; i < b->depth; i++)
    if (b->stack[i] == id)
      cyclic = 1;
  if (!cyclic && b->depth >= SHAPE_MAX_DEPTH) {
    thbx_error_set(b->err, THBX_ESCHEMA, "schema nests deeper than %d levels at %s",
                   SHAPE_MAX_DEPTH, s->pointer);
    goto fail;
  }
  if (cyclic || !json_is_object(schema)) {
    if (collect_leaves && parent && add_leaf(b, s) != 0)
      goto nomem;
    return s;
  }
  b->stack[b->depth++] = id;
  int rc = THBX_OK;
  if (s->types & THBX_TYPE_OBJECT)
    rc = build_props(b, node, schema, collect_leaves && (s->types & THBX_TYPE_OBJECT));
  else
    s->additional = 1;
  /* an object with known properties is a branch; anything else is a leaf
   * (scalars, arrays, free-form objects): one CSV column */
  int branch = (s->types & THBX_TYPE_OBJECT) && s->nprops > 0;
  if (rc == THBX_OK && !branch && collect_leaves && parent && add_leaf(b, s) != 0)
    rc = THBX_ENOMEM;
  if (rc == THBX_OK && (s->types & THBX_TYPE_ARRAY)) {
    const json_t *items = get(b, schema, "items");
    if (json_is_object(items) || json_is_true(items)) {
      /* items of arrays are never CSV columns of their own */
      s->items = build_node(b, items, s, NULL, 1, 0);
      if (!s->items)
        rc = THBX_ESCHEMA;
      /* OpenAPI: an unwrapped array's elements are named by its items'
       * xml.name when they have one (the array's own name is then unused) */
      const char *iname = json_is_object(items) ? xml_string(b, items, "name") : NULL;
      if (rc == THBX_OK && !s->xml_wrapped && iname && parent) {
        char *n = strdup(iname);
        if (!n)
          rc = THBX_ENOMEM;
        else {
          free(s->xml_name);
          s->xml_name = n;
        }
      }
    }
  }
  b->depth--;
  if (rc == THBX_ENOMEM)
    goto nomem;
  if (rc != THBX_OK)
    goto fail;
  return s;
nomem:
  thbx_error_set(b->err, THBX_ENOMEM, "out of memory");
fail:
  thbx_shape_free(s);
  return NULL;
}

int thbx_shape_build(struct thbx_profile *profile, thbx_error_t *err) {
  if (!profile || !profile->schema)
    return thbx_error_set(err, THBX_EINVAL, "no schema to build a shape from");
  struct build b;
  memset(&b, 0, sizeof(b));
  b.doc = profile->schema;
  b.err = err;
  struct thbx_shape *root = build_node(&b, profile->schema, NULL, NULL, 0, 1);
  if (!root) {
    free(b.leaves);
    return THBX_ESCHEMA;
  }
  struct shape_node *rn = (struct shape_node *)root;
  root->leaves = b.leaves;
  root->nleaves = b.nleaves;
  if (b.nleaves) {
    rn->leaves_by_path = malloc(b.nleaves * sizeof(*rn->leaves_by_path));
    if (!rn->leaves_by_path) {
      thbx_shape_free(root);
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
    memcpy(rn->leaves_by_path, b.leaves, b.nleaves * sizeof(*b.leaves));
    qsort(rn->leaves_by_path, b.nleaves, sizeof(*b.leaves), cmp_by_path);
  }
  thbx_shape_free(profile->shape);
  profile->shape = root;
  return THBX_OK;
}

void thbx_shape_free(struct thbx_shape *s) {
  if (!s)
    return;
  struct shape_node *node = (struct shape_node *)s;
  for (size_t i = 0; i < s->nprops; i++)
    thbx_shape_free(s->props[i]);
  thbx_shape_free(s->items);
  free(s->props);
  free(node->by_name);
  free(node->by_xml);
  free(node->leaves_by_path);
  free(s->leaves);
  free(s->name);
  free(s->path);
  free(s->pointer);
  free(s->xml_name);
  free(s->xml_namespace);
  free(s->xml_root);
  free(node);
}

/* ---------------------------------------------------------------- lookups */

const struct thbx_shape *thbx_shape_prop(const struct thbx_shape *object, const char *name,
                                         size_t len) {
  if (!object || object->nprops == 0)
    return NULL;
  struct thbx_shape *const *v = ((const struct shape_node *)object)->by_name;
  size_t lo = 0, hi = object->nprops;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const struct shape_node *k = (const struct shape_node *)v[mid];
    /* the order of strcmp, without looking for NULs */
    int c = memcmp(k->s.name, name, k->name_len < len ? k->name_len : len);
    if (c == 0)
      c = (k->name_len > len) - (k->name_len < len);
    if (c == 0)
      return v[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const struct thbx_shape *thbx_shape_xml_child(const struct thbx_shape *object, const char *xml_name,
                                              int attribute) {
  if (!object || object->nprops == 0 || !xml_name)
    return NULL;
  struct thbx_shape *const *v = ((const struct shape_node *)object)->by_xml;
  attribute = attribute ? 1 : 0;
  size_t lo = 0, hi = object->nprops;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(v[mid]->xml_name, xml_name);
    if (c == 0)
      c = (v[mid]->xml_attribute ? 1 : 0) - attribute;
    if (c == 0)
      return v[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const struct thbx_shape *thbx_shape_leaf(const struct thbx_shape *root, const char *path) {
  if (!root || root->nleaves == 0 || !path)
    return NULL;
  struct thbx_shape *const *v = ((const struct shape_node *)root)->leaves_by_path;
  if (!v)
    return NULL;
  size_t lo = 0, hi = root->nleaves;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(v[mid]->path, path);
    if (c == 0)
      return v[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}
