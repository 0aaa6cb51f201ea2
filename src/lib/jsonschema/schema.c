/*
 * schema.c - compiling a JSON Schema (draft 2020-12 or 7) into a graph of
 * checks (struct snode, schema_internal.h).
 *
 * Compilation first walks each document it meets (the schema, then every
 * document a $ref or $schema leads to) to learn its resources: the base URI
 * of every subschema ($id), anchors ($anchor, $dynamicAnchor, draft 7
 * "$id": "#name") and the draft and vocabularies in force. Then nodes are
 * built on demand from the root, one per schema object, memoised by the
 * JSON value, so $ref cycles become cycles in the graph. Every $ref is
 * resolved here; a $dynamicRef keeps its static target plus the anchor name,
 * which validation looks up through the dynamic scope. Nothing in the
 * compiled schema changes after compilation (thread-safe validation).
 */
#include "schema_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void thbx_schema_options_default(thbx_schema_options_t *options) {
  memset(options, 0, sizeof(*options));
  options->draft = THBX_DRAFT_AUTO;
  options->assert_formats = 0;
  options->regex_match_limit = 1000000;
  options->max_depth = 512;
  options->check_schema = 1;
}

/* ------------------------------------------------------------ bookkeeping */

static int push_ptr(void ***v, size_t *n, size_t *cap, void *p) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    void **nv = realloc(*v, c * sizeof(void *));
    if (!nv)
      return -1;
    *v = nv;
    *cap = c;
  }
  (*v)[(*n)++] = p;
  return 0;
}

static struct sresource *new_resource(thbx_schema_t *S, const char *uri, const json_t *root,
                                      int draft, unsigned vocab) {
  struct sresource *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->uri = strdup(uri);
  r->root = root;
  r->draft = draft;
  r->vocab = vocab;
  if (!r->uri || push_ptr((void ***)&S->resources, &S->nresources, &S->capresources, r) != 0) {
    free(r->uri);
    free(r);
    return NULL;
  }
  return r;
}

/* Register uri -> schema unless the URI is already known. */
static int put_uri(thbx_schema_t *S, const char *uri, const json_t *schema) {
  if (thbx_hmap_gets(&S->uris, uri))
    return 0;
  return thbx_hmap_puts(&S->uris, uri, (void *)schema);
}

/* ------------------------------------------------------------- drafts */

static int known_draft(const char *uri, int *draft) {
  char *u;
  const char *frag;
  u = schema_uri_split(uri, &frag);
  if (!u)
    return 0;
  int found = 1;
  if (strstr(u, "json-schema.org/draft-07/") || strstr(u, "json-schema.org/draft-06/") ||
      strstr(u, "json-schema.org/draft-04/"))
    *draft = THBX_DRAFT_7;
  else if (strstr(u, "json-schema.org/draft/2020-12/"))
    *draft = THBX_DRAFT_2020_12;
  else if (strstr(u, "json-schema.org/draft/2019-09/"))
    *draft = SCHEMA_DRAFT_2019_09;
  else
    found = 0;
  free(u);
  return found;
}

static json_t *load_document(thbx_schema_t *S, const char *uri, int draft, int *status,
                             thbx_error_t *err);

/* Draft and vocabularies named by a "$schema" value. */
static int schema_keyword(thbx_schema_t *S, const char *uri, int depth, int *draft, unsigned *vocab,
                          thbx_error_t *err) {
  *vocab = VOC_ALL;
  if (known_draft(uri, draft))
    return THBX_OK;
  if (depth > 4)
    return THBX_OK;
  /* a custom meta-schema: its $vocabulary says which keywords apply */
  const char *frag;
  char *u = schema_uri_split(uri, &frag);
  if (!u)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  const json_t *meta = thbx_hmap_gets(&S->uris, u);
  int status = THBX_OK;
  if (!meta)
    meta = load_document(S, u, *draft, &status, err);
  free(u);
  if (!meta)
    return status == THBX_ENOTFOUND
               ? thbx_error_set(err, THBX_ENOTFOUND, "unknown meta-schema '%s'", uri)
               : status;
  const char *metaschema = json_string_value(json_object_get(meta, "$schema"));
  if (metaschema) {
    unsigned v;
    schema_keyword(S, metaschema, depth + 1, draft, &v, err);
  }
  const json_t *vocabs = json_object_get(meta, "$vocabulary");
  if (json_is_object(vocabs)) {
    *vocab = VOC_CORE;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)vocabs, k, v) {
      const char *slash = strrchr(k, '/');
      const char *name = slash ? slash + 1 : k;
      if (strcmp(name, "applicator") == 0)
        *vocab |= VOC_APPLICATOR;
      else if (strcmp(name, "validation") == 0)
        *vocab |= VOC_VALIDATION;
      else if (strcmp(name, "unevaluated") == 0)
        *vocab |= VOC_UNEVALUATED;
      else if (strcmp(name, "format-assertion") == 0)
        *vocab |= VOC_FORMAT_ASSERT;
    }
  }
  return THBX_OK;
}

/* ------------------------------------------------------------------ walk */

static int walk(thbx_schema_t *S, const json_t *s, const char *base, struct sresource *res,
                thbx_buf_t *ptr, int draft, int is_root, thbx_error_t *err);

static int walk_child(thbx_schema_t *S, const json_t *s, const char *base, struct sresource *res,
                      thbx_buf_t *ptr, int draft, const char *k1, const char *k2, long idx,
                      thbx_error_t *err) {
  size_t keep = ptr->len;
  thbx_buf_pointer_append(ptr, k1);
  if (k2)
    thbx_buf_pointer_append(ptr, k2);
  if (idx >= 0)
    thbx_buf_printf(ptr, "/%ld", idx);
  int rc = walk(S, s, base, res, ptr, draft, 0, err);
  ptr->len = keep;
  ptr->data[keep] = '\0';
  return rc;
}

static const char *const schema_keywords[] = {"additionalProperties",
                                              "propertyNames",
                                              "additionalItems",
                                              "contains",
                                              "not",
                                              "if",
                                              "then",
                                              "else",
                                              "unevaluatedProperties",
                                              "unevaluatedItems",
                                              "contentSchema",
                                              "items",
                                              NULL};
static const char *const map_keywords[] = {"properties",  "patternProperties", "$defs",
                                           "definitions", "dependentSchemas",  "dependencies",
                                           NULL};
static const char *const array_keywords[] = {"allOf",       "anyOf", "oneOf",
                                             "prefixItems", "items", NULL};

static int walk(thbx_schema_t *S, const json_t *s, const char *base, struct sresource *res,
                thbx_buf_t *ptr, int draft, int is_root, thbx_error_t *err) {
  if (thbx_hmap_get_ptr(&S->info, s))
    return THBX_OK;
  char *newbase = NULL;
  if (json_is_object(s)) {
    const char *id = json_string_value(json_object_get(s, "$id"));
    int has_ref = json_object_get(s, "$ref") != NULL;
    const char *meta = json_string_value(json_object_get(s, "$schema"));
    unsigned vocab = res ? res->vocab : VOC_ALL;
    if (meta && (is_root || id)) {
      int rc = schema_keyword(S, meta, 0, &draft, &vocab, err);
      if (rc != THBX_OK)
        return rc;
    }
    if (draft == THBX_DRAFT_7 && has_ref)
      id = NULL; /* draft 7: $ref ignores its siblings, $id included */
    if (id && draft == THBX_DRAFT_7 && id[0] == '#') {
      /* draft 7 plain-name fragment: an anchor */
      thbx_buf_t a;
      thbx_buf_init(&a);
      thbx_buf_printf(&a, "%s%s", res ? res->uri : base, id);
      put_uri(S, a.data, s);
      thbx_buf_free(&a);
      id = NULL;
    }
    if (id || is_root || !res) {
      newbase = schema_uri_resolve(base, id ? id : "");
      if (!newbase)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      char *hash = strchr(newbase, '#');
      if (hash)
        *hash = '\0';
      res = new_resource(S, newbase, s, draft, vocab);
      if (!res) {
        free(newbase);
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      }
      put_uri(S, newbase, s);
      base = res->uri;
      thbx_buf_reset(ptr);
    }
    free(newbase);
    draft = res->draft;
    const char *anchor = json_string_value(json_object_get(s, "$anchor"));
    const char *dyn = json_string_value(json_object_get(s, "$dynamicAnchor"));
    if (draft != THBX_DRAFT_7) {
      for (int i = 0; i < 2; i++) {
        const char *name = i ? dyn : anchor;
        if (!name)
          continue;
        thbx_buf_t a;
        thbx_buf_init(&a);
        thbx_buf_printf(&a, "%s#%s", res->uri, name);
        put_uri(S, a.data, s);
        thbx_buf_free(&a);
      }
      if (dyn && !thbx_hmap_gets(&res->dynamic, dyn)) {
        struct sdyn *d = calloc(1, sizeof(*d));
        if (!d || thbx_hmap_puts(&res->dynamic, dyn, d) != 0) {
          free(d);
          return thbx_error_set(err, THBX_ENOMEM, "out of memory");
        }
        d->schema = s;
      }
    }
  } else if (!res) {
    res = new_resource(S, base, s, draft, VOC_ALL);
    if (!res)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    put_uri(S, base, s);
    thbx_buf_reset(ptr);
  }
  struct sinfo *info = calloc(1, sizeof(*info));
  if (!info)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  info->res = res;
  info->pointer = strdup(ptr->data ? ptr->data : "");
  if (!info->pointer || thbx_hmap_put_ptr(&S->info, s, info) != 0) {
    free(info->pointer);
    free(info);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (!json_is_object(s))
    return THBX_OK;
  int rc = THBX_OK;
  for (const char *const *k = schema_keywords; *k && rc == THBX_OK; k++) {
    const json_t *c = json_object_get(s, *k);
    if (json_is_object(c) || json_is_boolean(c))
      rc = walk_child(S, c, base, res, ptr, draft, *k, NULL, -1, err);
  }
  for (const char *const *k = map_keywords; *k && rc == THBX_OK; k++) {
    const json_t *m = json_object_get(s, *k);
    if (!json_is_object(m))
      continue;
    const char *name;
    json_t *c;
    json_object_foreach((json_t *)m, name, c) {
      if ((json_is_object(c) || json_is_boolean(c)) && rc == THBX_OK)
        rc = walk_child(S, c, base, res, ptr, draft, *k, name, -1, err);
    }
  }
  for (const char *const *k = array_keywords; *k && rc == THBX_OK; k++) {
    const json_t *a = json_object_get(s, *k);
    if (!json_is_array(a))
      continue;
    for (size_t i = 0; i < json_array_size(a) && rc == THBX_OK; i++) {
      const json_t *c = json_array_get(a, i);
      if (json_is_object(c) || json_is_boolean(c))
        rc = walk_child(S, c, base, res, ptr, draft, *k, NULL, (long)i, err);
    }
  }
  return rc;
}

static int add_document(thbx_schema_t *S, json_t *doc, const char *uri, int draft,
                        thbx_error_t *err) {
  if (push_ptr((void ***)&S->docs, &S->ndocs, &S->capdocs, doc) != 0) {
    json_decref(doc);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  /* the retrieval URI names the document even when its $id says otherwise */
  if (put_uri(S, uri, doc) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  thbx_buf_puts(&ptr, "");
  int rc = walk(S, doc, uri, NULL, &ptr, draft, 1, err);
  thbx_buf_free(&ptr);
  return rc;
}

static json_t *load_document(thbx_schema_t *S, const char *uri, int draft, int *status,
                             thbx_error_t *err) {
  json_t *doc = schema_registry_load(S->registry, uri, status, err);
  if (!doc)
    return NULL;
  *status = add_document(S, doc, uri, draft, err);
  return *status == THBX_OK ? doc : NULL;
}

/* ---------------------------------------------------------------- resolve */

static const json_t *resolve(thbx_schema_t *S, struct sresource *res, const char *ref,
                             thbx_error_t *err, int *status) {
  *status = THBX_OK;
  char *abs = schema_uri_resolve(res->uri, ref);
  if (!abs) {
    *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  const char *frag;
  char *uri = schema_uri_split(abs, &frag);
  const json_t *doc = uri ? thbx_hmap_gets(&S->uris, uri) : NULL;
  if (uri && !doc) {
    doc = load_document(S, uri, res->draft, status, err);
    if (!doc && *status == THBX_ENOTFOUND)
      thbx_error_set(err, THBX_ENOTFOUND, "cannot resolve $ref '%s' (%s)", ref, abs);
  }
  const json_t *target = NULL;
  if (doc) {
    if (!frag || !*frag)
      target = doc;
    else if (frag[0] == '/') {
      char *p = strdup(frag);
      if (p) {
        schema_uri_unescape(p);
        target = thbx_json_pointer_get(doc, p);
        if (target && !thbx_hmap_get_ptr(&S->info, target)) {
          /* a schema somewhere no keyword says (e.g. under an unknown keyword) */
          struct sinfo *di = thbx_hmap_get_ptr(&S->info, doc);
          thbx_buf_t ptr;
          thbx_buf_init(&ptr);
          thbx_buf_puts(&ptr, p);
          *status = walk(S, target, di ? di->res->uri : uri, di ? di->res : res, &ptr,
                         di ? di->res->draft : res->draft, 0, err);
          thbx_buf_free(&ptr);
          if (*status != THBX_OK)
            target = NULL;
        }
      }
      free(p);
    } else {
      target = thbx_hmap_gets(&S->uris, abs);
    }
    if (!target && *status == THBX_OK)
      *status = thbx_error_set(err, THBX_ENOTFOUND, "cannot resolve $ref '%s' (%s)", ref, abs);
  } else if (*status == THBX_OK)
    *status = THBX_ENOTFOUND;
  free(uri);
  free(abs);
  return target;
}

/* ---------------------------------------------------------------- compile */

static struct snode *compile(thbx_schema_t *S, const json_t *s, thbx_error_t *err, int *status);

static void set_error_location(thbx_error_t *err, const struct snode *n, const char *keyword) {
  if (!err || err->schema_path[0])
    return;
  snprintf(err->schema_path, sizeof(err->schema_path), "%s#%s/%s", n->res->uri, n->pointer,
           keyword);
}

static long get_count(const json_t *s, const char *k) {
  const json_t *v = json_object_get(s, k);
  if (!json_is_number(v) || !schema_number_is_integer(v))
    return -1;
  double d = json_number_value(v);
  if (d < 0)
    return -1;
  if (d > 2e18)
    return 2000000000000000000L;
  return json_is_integer(v) ? (long)json_integer_value(v) : (long)d;
}

static const json_t *get_number(const json_t *s, const char *k) {
  const json_t *v = json_object_get(s, k);
  return json_is_number(v) ? v : NULL;
}

static struct snode *child(thbx_schema_t *S, const json_t *s, const char *k, thbx_error_t *err,
                           int *status) {
  const json_t *c = json_object_get(s, k);
  if (!c || *status != THBX_OK)
    return NULL;
  return compile(S, c, err, status);
}

static struct snode **child_array(thbx_schema_t *S, const json_t *a, size_t *count,
                                  thbx_error_t *err, int *status) {
  *count = 0;
  if (!json_is_array(a) || *status != THBX_OK)
    return NULL;
  size_t n = json_array_size(a);
  struct snode **v = calloc(n ? n : 1, sizeof(*v));
  if (!v) {
    *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < n && *status == THBX_OK; i++)
    v[i] = compile(S, json_array_get(a, i), err, status);
  *count = n;
  return v;
}

static int compile_ref(thbx_schema_t *S, struct snode *n, const json_t *s, thbx_error_t *err) {
  int status = THBX_OK;
  const char *ref = json_string_value(json_object_get(s, "$ref"));
  if (ref) {
    const json_t *t = resolve(S, n->res, ref, err, &status);
    if (!t) {
      set_error_location(err, n, "$ref");
      return status;
    }
    n->ref = compile(S, t, err, &status);
    if (status != THBX_OK)
      return status;
  }
  const char *dref = json_string_value(json_object_get(s, "$dynamicRef"));
  if (dref && n->res->draft == THBX_DRAFT_2020_12) {
    const json_t *t = resolve(S, n->res, dref, err, &status);
    if (!t) {
      set_error_location(err, n, "$dynamicRef");
      return status;
    }
    n->dynamic_ref = compile(S, t, err, &status);
    if (status != THBX_OK)
      return status;
    const char *hash = strchr(dref, '#');
    const char *anchor = json_string_value(json_object_get(t, "$dynamicAnchor"));
    if (hash && hash[1] && hash[1] != '/' && anchor && strcmp(anchor, hash + 1) == 0)
      n->dynamic_anchor = anchor;
  }
  return THBX_OK;
}

static int compile_object_keywords(thbx_schema_t *S, struct snode *n, const json_t *s,
                                   thbx_error_t *err, int *status) {
  const json_t *props = json_object_get(s, "properties");
  if (json_is_object(props)) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)props, k, v) {
      struct snode *c = compile(S, v, err, status);
      if (*status != THBX_OK)
        return *status;
      if (thbx_hmap_puts(&n->properties, k, c) != 0)
        return *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      n->nproperties++;
    }
  }
  const json_t *pp = json_object_get(s, "patternProperties");
  if (json_is_object(pp) && json_object_size(pp)) {
    n->pattern_props = calloc(json_object_size(pp), sizeof(*n->pattern_props));
    if (!n->pattern_props)
      return *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)pp, k, v) {
      struct spattern *p = &n->pattern_props[n->npattern_props];
      p->source = k;
      p->re = schema_regex_compile(k, err);
      if (!p->re) {
        set_error_location(err, n, "patternProperties");
        return *status = THBX_ESCHEMA;
      }
      n->npattern_props++;
      p->node = compile(S, v, err, status);
      if (*status != THBX_OK)
        return *status;
    }
  }
  n->additional_props = child(S, s, "additionalProperties", err, status);
  n->property_names = child(S, s, "propertyNames", err, status);
  /* dependentSchemas, and draft 7 dependencies with schema values */
  for (int pass = 0; pass < 2 && *status == THBX_OK; pass++) {
    const json_t *m = json_object_get(s, pass ? "dependencies" : "dependentSchemas");
    if (!json_is_object(m))
      continue;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v) {
      if (!json_is_object(v) && !json_is_boolean(v))
        continue;
      struct snamed *d = realloc(n->dependent_schemas, (n->ndependent_schemas + 1) * sizeof(*d));
      if (!d)
        return *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      n->dependent_schemas = d;
      d[n->ndependent_schemas].name = k;
      d[n->ndependent_schemas].node = compile(S, v, err, status);
      n->ndependent_schemas++;
      if (*status != THBX_OK)
        return *status;
    }
  }
  return *status;
}

static int compile_array_keywords(thbx_schema_t *S, struct snode *n, const json_t *s,
                                  thbx_error_t *err, int *status) {
  const json_t *items = json_object_get(s, "items");
  /* an array "items" is the draft 7 / 2019-09 tuple form (invalid in 2020-12) */
  if (n->res->draft == THBX_DRAFT_7 || json_is_array(items)) {
    if (json_is_array(items)) {
      n->prefix_items = child_array(S, items, &n->nprefix_items, err, status);
      n->items = child(S, s, "additionalItems", err, status);
    } else
      n->items = child(S, s, "items", err, status);
  } else {
    if (n->res->draft == THBX_DRAFT_2020_12)
      n->prefix_items =
          child_array(S, json_object_get(s, "prefixItems"), &n->nprefix_items, err, status);
    if (!json_is_array(items))
      n->items = child(S, s, "items", err, status);
  }
  n->contains = child(S, s, "contains", err, status);
  return *status;
}

static int compile_validation(thbx_schema_t *S, struct snode *n, const json_t *s,
                              thbx_error_t *err) {
  const json_t *type = json_object_get(s, "type");
  if (json_is_string(type))
    n->types = thbx_type_bit(json_string_value(type));
  else if (json_is_array(type)) {
    for (size_t i = 0; i < json_array_size(type); i++) {
      const char *t = json_string_value(json_array_get(type, i));
      if (t)
        n->types |= thbx_type_bit(t);
    }
    if (!n->types)
      n->types = 0x80; /* an empty list: nothing matches */
  }
  const json_t *c = json_object_get(s, "const");
  if (c) {
    n->has_const = 1;
    n->const_value = c;
  }
  const json_t *e = json_object_get(s, "enum");
  if (json_is_array(e)) {
    n->enum_values = e;
    for (size_t i = 0; i < json_array_size(e); i++) {
      const json_t *v = json_array_get(e, i);
      if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)) {
        if (thbx_hmap_puts(&n->enum_strings, json_string_value(v), (void *)v) != 0)
          return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      } else
        n->enum_other = 1;
    }
    int crc = schema_codes_compile(&n->codes, s, e, err);
    if (crc != THBX_OK)
      return crc;
  }
  n->minimum = get_number(s, "minimum");
  n->maximum = get_number(s, "maximum");
  n->exclusive_minimum = get_number(s, "exclusiveMinimum");
  n->exclusive_maximum = get_number(s, "exclusiveMaximum");
  n->multiple_of = get_number(s, "multipleOf");
  n->min_length = get_count(s, "minLength");
  n->max_length = get_count(s, "maxLength");
  n->min_items = get_count(s, "minItems");
  n->max_items = get_count(s, "maxItems");
  n->min_props = get_count(s, "minProperties");
  n->max_props = get_count(s, "maxProperties");
  if (n->res->draft != THBX_DRAFT_7) {
    n->min_contains = get_count(s, "minContains");
    n->max_contains = get_count(s, "maxContains");
  }
  n->unique_items = json_is_true(json_object_get(s, "uniqueItems"));
  const char *pattern = json_string_value(json_object_get(s, "pattern"));
  if (pattern) {
    n->pattern_source = pattern;
    n->pattern = schema_regex_compile(pattern, err);
    if (!n->pattern) {
      set_error_location(err, n, "pattern");
      return THBX_ESCHEMA;
    }
  }
  const json_t *req = json_object_get(s, "required");
  if (json_is_array(req) && json_array_size(req))
    n->required = req;
  for (int pass = 0; pass < 2; pass++) {
    const json_t *m = json_object_get(s, pass ? "dependencies" : "dependentRequired");
    if (!json_is_object(m))
      continue;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v) {
      if (!json_is_array(v))
        continue;
      struct sdepreq *d = realloc(n->dependent_required, (n->ndependent_required + 1) * sizeof(*d));
      if (!d)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      n->dependent_required = d;
      d[n->ndependent_required].name = k;
      d[n->ndependent_required].names = v;
      n->ndependent_required++;
    }
  }
  return THBX_OK;
}

/* Is the node nothing but a $ref and perhaps a type (annotations aside)?
 * Compared with a node that has only those, so that any other keyword set,
 * now or added later, makes the answer no. Validation passes straight
 * through such nodes. */
/* A node with no keyword, as compiled (no bound: -1), with n's place, type
 * and format annotation: what ref_only() and leaf() compare n with, after
 * copying the keywords they allow. */
static void bare_node(struct snode *t, const struct snode *n) {
  memset(t, 0, sizeof(*t));
  t->res = n->res;
  t->pointer = n->pointer;
  t->boolean = -1;
  t->types = n->types;
  t->min_length = t->max_length = t->min_items = t->max_items = -1;
  t->min_props = t->max_props = t->min_contains = t->max_contains = -1;
  t->format = n->format; /* an annotation unless format_assert */
  t->format_name = n->format_name;
}

static int ref_only(const struct snode *n) {
  if (n->boolean != -1 || !n->ref)
    return 0;
  struct snode t;
  bare_node(&t, n); /* the type is checked after the $ref (schema_validate.c) */
  t.ref = n->ref;
  return memcmp(&t, n, sizeof(t)) == 0;
}

/* Is the node a leaf: a type, string keywords (lengths, pattern, format,
 * content), number keywords (bounds, multipleOf) and an enum of strings
 * without a NUL, nothing else? Compared with a node holding only those,
 * like ref_only. Validation then runs validate_string or validate_number
 * straight away (schema_validate.c). */
static int leaf(const struct snode *n) {
  if (n->boolean != -1 || n->enum_other)
    return 0;
  struct snode t;
  bare_node(&t, n);
  t.enum_values = n->enum_values;
  t.enum_strings = n->enum_strings;
  t.codes = n->codes;
  t.min_length = n->min_length;
  t.max_length = n->max_length;
  t.pattern_source = n->pattern_source;
  t.pattern = n->pattern;
  t.format_assert = n->format_assert;
  t.content_base64 = n->content_base64;
  t.content_json = n->content_json;
  t.minimum = n->minimum;
  t.maximum = n->maximum;
  t.exclusive_minimum = n->exclusive_minimum;
  t.exclusive_maximum = n->exclusive_maximum;
  t.multiple_of = n->multiple_of;
  return memcmp(&t, n, sizeof(t)) == 0;
}

static struct snode *compile_node(thbx_schema_t *S, const json_t *s, thbx_error_t *err,
                                  int *status);

/* One map for "properties" and "required", so validation finds both with
 * one lookup per member (schema_validate.c counts the required ones found).
 * Names keep json_object_get's meaning: a required name ends at a NUL. */
static int build_fields(struct snode *n) {
  if (!n->nproperties || !n->required)
    return 0;
  n->field_store = calloc(n->properties.n + json_array_size(n->required), sizeof(*n->field_store));
  if (!n->field_store)
    return -1;
  thbx_hmap_init(&n->fields, THBX_HMAP_BORROW);
  size_t used = 0;
  for (size_t i = 0; i < n->properties.cap; i++) {
    const thbx_hmap_entry_t *e = &n->properties.e[i];
    if (!e->key)
      continue;
    struct sfield *f = &n->field_store[used++];
    f->node = e->value;
    if (thbx_hmap_put_hashed(&n->fields, e->key, e->len, e->hash, f) != 0)
      return -1;
  }
  for (size_t i = 0; i < json_array_size(n->required); i++) {
    const char *name = json_string_value(json_array_get(n->required, i));
    if (!name)
      continue;
    size_t len = strlen(name);
    uint64_t h = thbx_hash(name, len);
    struct sfield *f = thbx_hmap_get_hashed(&n->fields, name, len, h);
    if (!f) {
      f = &n->field_store[used++];
      if (thbx_hmap_put_hashed(&n->fields, name, len, h, f) != 0)
        return -1;
    }
    if (!f->required) {
      f->required = 1;
      n->nrequired_names++;
    }
  }
  return 0;
}

static struct snode *compile(thbx_schema_t *S, const json_t *s, thbx_error_t *err, int *status) {
  struct snode *n = thbx_hmap_get_ptr(&S->nodes, s);
  if (n)
    return n;
  n = compile_node(S, s, err, status);
  if (n && *status == THBX_OK) {
    n->ref_only = ref_only(n);
    n->leaf = leaf(n);
    if (build_fields(n) != 0)
      *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return n;
}

static struct snode *compile_node(thbx_schema_t *S, const json_t *s, thbx_error_t *err,
                                  int *status) {
  struct snode *n;
  struct sinfo *info = thbx_hmap_get_ptr(&S->info, s);
  if (!info) {
    *status = thbx_error_set(err, THBX_ESCHEMA, "internal error: schema not indexed");
    return NULL;
  }
  n = calloc(1, sizeof(*n));
  if (!n || thbx_hmap_put_ptr(&S->nodes, s, n) != 0) {
    free(n);
    *status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  n->res = info->res;
  n->res->used = 1;
  n->pointer = info->pointer;
  n->min_length = n->max_length = n->min_items = n->max_items = -1;
  n->min_props = n->max_props = n->min_contains = n->max_contains = -1;
  if (json_is_boolean(s)) {
    n->boolean = json_is_true(s);
    return n;
  }
  n->boolean = -1;
  if (!json_is_object(s)) {
    *status = thbx_error_set(err, THBX_ESCHEMA, "a schema must be an object or a boolean");
    set_error_location(err, n, "");
    return n;
  }
  int draft = n->res->draft;
  unsigned vocab = n->res->vocab;
  if ((*status = compile_ref(S, n, s, err)) != THBX_OK)
    return n;
  if (draft == THBX_DRAFT_7 && n->ref)
    return n; /* draft 7: $ref ignores its siblings */
  if (vocab & VOC_APPLICATOR) {
    n->all_of = child_array(S, json_object_get(s, "allOf"), &n->nall_of, err, status);
    n->any_of = child_array(S, json_object_get(s, "anyOf"), &n->nany_of, err, status);
    n->one_of = child_array(S, json_object_get(s, "oneOf"), &n->none_of, err, status);
    n->not_ = child(S, s, "not", err, status);
    n->if_ = child(S, s, "if", err, status);
    if (n->if_) {
      n->then_ = child(S, s, "then", err, status);
      n->else_ = child(S, s, "else", err, status);
    }
    if (*status == THBX_OK)
      compile_object_keywords(S, n, s, err, status);
    if (*status == THBX_OK)
      compile_array_keywords(S, n, s, err, status);
    if (*status != THBX_OK)
      return n;
  }
  if (draft != THBX_DRAFT_7 && (vocab & VOC_UNEVALUATED)) {
    n->unevaluated_props = child(S, s, "unevaluatedProperties", err, status);
    n->unevaluated_items = child(S, s, "unevaluatedItems", err, status);
    n->needs_eval = n->unevaluated_props || n->unevaluated_items;
    if (*status != THBX_OK)
      return n;
  }
  if (vocab & VOC_VALIDATION) {
    if ((*status = compile_validation(S, n, s, err)) != THBX_OK)
      return n;
  }
  if (draft == THBX_DRAFT_7) {
    const char *enc = json_string_value(json_object_get(s, "contentEncoding"));
    const char *media = json_string_value(json_object_get(s, "contentMediaType"));
    n->content_base64 = enc && strcmp(enc, "base64") == 0;
    n->content_json = media && strcmp(media, "application/json") == 0;
  }
  const char *format = json_string_value(json_object_get(s, "format"));
  if (format) {
    n->format_name = format;
    n->format = schema_format_from_name(format);
    n->format_assert = S->options.assert_formats || (vocab & VOC_FORMAT_ASSERT);
  }
  return n;
}

/* Compile every $dynamicAnchor of the resources in use, so validation can
 * jump to any of them. Compiling may bring in more resources: repeat. */
static int compile_dynamic_anchors(thbx_schema_t *S, thbx_error_t *err) {
  int again = 1;
  while (again) {
    again = 0;
    for (size_t i = 0; i < S->nresources; i++) {
      struct sresource *r = S->resources[i];
      if (!r->used)
        continue;
      for (size_t k = 0; k < r->dynamic.cap; k++) {
        struct sdyn *d = r->dynamic.e[k].key ? r->dynamic.e[k].value : NULL;
        if (!d || d->node)
          continue;
        int status = THBX_OK;
        d->node = compile(S, d->schema, err, &status);
        if (status != THBX_OK)
          return status;
        again = 1;
      }
    }
  }
  return THBX_OK;
}

static void free_node(struct snode *n) {
  thbx_hmap_free(&n->properties);
  thbx_hmap_free(&n->fields);
  free(n->field_store);
  thbx_hmap_free(&n->enum_strings);
  schema_codes_free(n->codes);
  for (size_t i = 0; i < n->npattern_props; i++)
    schema_regex_free(n->pattern_props[i].re);
  free(n->pattern_props);
  free(n->dependent_schemas);
  free(n->dependent_required);
  free(n->prefix_items);
  free(n->all_of);
  free(n->any_of);
  free(n->one_of);
  schema_regex_free(n->pattern);
  free(n);
}

void thbx_schema_free(thbx_schema_t *S) {
  if (!S)
    return;
  for (size_t i = 0; i < S->nodes.cap; i++)
    if (S->nodes.e[i].key)
      free_node(S->nodes.e[i].value);
  thbx_hmap_free(&S->nodes);
  for (size_t i = 0; i < S->info.cap; i++)
    if (S->info.e[i].key) {
      struct sinfo *info = S->info.e[i].value;
      free(info->pointer);
      free(info);
    }
  thbx_hmap_free(&S->info);
  for (size_t i = 0; i < S->nresources; i++) {
    struct sresource *r = S->resources[i];
    for (size_t k = 0; k < r->dynamic.cap; k++)
      if (r->dynamic.e[k].key)
        free(r->dynamic.e[k].value);
    thbx_hmap_free(&r->dynamic);
    free(r->uri);
    free(r);
  }
  free(S->resources);
  thbx_hmap_free(&S->uris);
  for (size_t i = 0; i < S->ndocs; i++)
    json_decref(S->docs[i]);
  free(S->docs);
  json_decref(S->document);
  free(S);
}

/* ------------------------------------------------ checking the schema */

/* The embedded meta-schemas, compiled once per process (read-only after). */
static thbx_schema_t *meta_compiled[2];
static pthread_once_t meta_once = PTHREAD_ONCE_INIT;

static void meta_init(void) {
  static const char *const names[2] = {"meta/draft2020-12/schema.json",
                                       "meta/draft-07/schema.json"};
  static const thbx_draft drafts[2] = {THBX_DRAFT_2020_12, THBX_DRAFT_7};
  for (int i = 0; i < 2; i++) {
    size_t len;
    const char *text = thbx_resource(names[i], &len);
    json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (!doc)
      continue;
    thbx_schema_options_t o;
    thbx_schema_options_default(&o);
    o.draft = drafts[i];
    o.check_schema = 0;
    thbx_schema_compile(doc, NULL, &o, &meta_compiled[i], NULL);
    json_decref(doc);
  }
}

static int is_combinator(const char *keyword) {
  static const char *const k[] = {"anyOf", "oneOf", "allOf", "$ref", "$dynamicRef", NULL};
  for (int i = 0; keyword && k[i]; i++)
    if (strcmp(keyword, k[i]) == 0)
      return 1;
  return 0;
}

/* Validate `schema` against the meta-schema of its draft: the standard
 * $schema URIs of 2020-12 and draft-07, or none (then `draft`). Other
 * $schema values (custom meta-schemas, older drafts) are not checked. */
static int check_against_meta(const json_t *schema, int draft, thbx_error_t *err) {
  if (!json_is_object(schema))
    return THBX_OK;
  const char *uri = json_string_value(json_object_get(schema, "$schema"));
  int which;
  if (!uri)
    which = draft == THBX_DRAFT_7 ? 1 : 0;
  else if (strstr(uri, "json-schema.org/draft/2020-12/schema"))
    which = 0;
  else if (strstr(uri, "json-schema.org/draft-07/schema"))
    which = 1;
  else
    return THBX_OK;
  pthread_once(&meta_once, meta_init);
  if (!meta_compiled[which])
    return thbx_error_set(err, THBX_ESCHEMA, "the embedded meta-schema cannot be compiled");
  thbx_validation_t v = {0};
  thbx_error_t verr;
  thbx_error_clear(&verr);
  int rc = thbx_schema_validate(meta_compiled[which], schema, &v, &verr);
  if (rc != THBX_OK) {
    thbx_validation_clear(&v);
    return thbx_error_set(err, THBX_ESCHEMA,
                          "the schema cannot be checked against its meta-schema: %s", verr.text);
  }
  if (!v.valid) {
    /* the most specific error: the one deepest in the schema */
    const thbx_validation_error_t *e = &v.errors[0];
    for (size_t i = 1; i < v.count; i++) {
      size_t a = strlen(v.errors[i].instance_path), b = strlen(e->instance_path);
      if (a > b || (a == b && is_combinator(e->keyword) && !is_combinator(v.errors[i].keyword)))
        e = &v.errors[i];
    }
    if (err)
      thbx_strlcpy(err->schema_path, e->instance_path, sizeof(err->schema_path));
    rc = thbx_error_set(err, THBX_ESCHEMA, "not a valid draft %s schema: %s: %s",
                        which ? "7" : "2020-12", e->instance_path[0] ? e->instance_path : "/",
                        e->message);
  }
  thbx_validation_clear(&v);
  return rc;
}

int thbx_schema_compile(const json_t *schema, thbx_schema_registry_t *registry,
                        const thbx_schema_options_t *options, thbx_schema_t **out,
                        thbx_error_t *err) {
  if (!out)
    return thbx_error_set(err, THBX_EINVAL, "no output pointer");
  *out = NULL;
  if (!schema || (!json_is_object(schema) && !json_is_boolean(schema)))
    return thbx_error_set(err, THBX_ESCHEMA, "a schema must be an object or a boolean");
  thbx_schema_t *S = calloc(1, sizeof(*S));
  if (!S)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (options)
    S->options = *options;
  else
    thbx_schema_options_default(&S->options);
  if (!S->options.max_depth)
    S->options.max_depth = 512;
  if (!S->options.regex_match_limit)
    S->options.regex_match_limit = 1000000;
  if (S->options.check_schema) {
    int crc = check_against_meta(
        schema, S->options.draft == THBX_DRAFT_7 ? THBX_DRAFT_7 : THBX_DRAFT_2020_12, err);
    if (crc != THBX_OK) {
      free(S);
      return crc;
    }
  }
  S->registry = registry;
  /* own a copy: the caller may change or free its schema afterwards */
  S->document = json_deep_copy(schema);
  if (!S->document) {
    free(S);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  int draft = S->options.draft == THBX_DRAFT_7 ? THBX_DRAFT_7 : THBX_DRAFT_2020_12;
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  thbx_buf_puts(&ptr, "");
  if (err)
    err->schema_path[0] = '\0';
  int status = walk(S, S->document, "", NULL, &ptr, draft, 1, err);
  thbx_buf_free(&ptr);
  if (status == THBX_OK)
    S->root = compile(S, S->document, err, &status);
  if (status == THBX_OK)
    status = compile_dynamic_anchors(S, err);
  S->registry = NULL;
  if (status != THBX_OK) {
    thbx_schema_free(S);
    return status;
  }
  *out = S;
  return THBX_OK;
}
