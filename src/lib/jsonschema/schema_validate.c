/*
 * schema_validate.c - validating a JSON instance against a compiled schema.
 *
 * A recursive walk of the node graph (schema.c) beside the instance. The
 * instance path, the keyword path and the dynamic scope are linked lists of
 * frames on the C stack, so a valid instance costs no allocation; strings
 * are built only when an error is recorded. Subschemas whose errors do not
 * matter (inside anyOf, oneOf, not, if, contains) run "quiet" and stop at
 * the first failure. unevaluatedProperties/Items get the annotations they
 * need through an evaluation set (one mark per property or item) that only
 * nodes under such a keyword fill. Depth is bounded by max_depth, so a $ref
 * cycle that makes no progress in the instance ends with THBX_ELIMIT.
 */
#include "schema_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct path {
  const struct path *up;
  const char *key; /* NULL: index */
  size_t index;
};

struct scope {
  const struct scope *up;
  const struct sresource *res;
};

/* Which properties (in the object's iteration order) or items were evaluated. */
struct evset {
  size_t n;
  unsigned char *m;
  unsigned char inline_marks[64];
};

struct vctx {
  const thbx_schema_t *S;
  thbx_validation_t *out;
  size_t cap;
  int quiet;
  int status;
  thbx_error_t *err;
  size_t depth;
  unsigned long steps;
};

/* Subschema evaluations allowed in one validation: anyOf/oneOf over a deep
 * instance can be exponential in its depth; this bounds the time (about a
 * few seconds) far above what any real record needs. */
#define MAX_STEPS 50000000UL

/* ------------------------------------------------------------ evaluation */

static size_t inst_size(const json_t *inst) {
  if (json_is_object(inst))
    return json_object_size(inst);
  if (json_is_array(inst))
    return json_array_size(inst);
  return 0;
}

static int ev_init(struct evset *e, size_t n) {
  e->n = n;
  if (n <= sizeof(e->inline_marks)) {
    e->m = e->inline_marks;
    memset(e->m, 0, n);
    return 0;
  }
  e->m = calloc(n, 1);
  return e->m ? 0 : -1;
}

static void ev_free(struct evset *e) {
  if (e->m != e->inline_marks)
    free(e->m);
}

static void ev_merge(struct evset *dst, const struct evset *src) {
  if (!dst)
    return;
  for (size_t i = 0; i < dst->n && i < src->n; i++)
    dst->m[i] |= src->m[i];
}

static void ev_mark(struct evset *e, size_t i) {
  if (e && i < e->n)
    e->m[i] = 1;
}

/* --------------------------------------------------------------- errors */

static void put_path(thbx_buf_t *b, const struct path *p) {
  if (!p)
    return;
  put_path(b, p->up);
  if (p->key)
    thbx_buf_pointer_append(b, p->key);
  else
    thbx_buf_printf(b, "/%zu", p->index);
}

static char *path_string(const struct path *p, const char *last) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "");
  put_path(&b, p);
  if (last && *last)
    thbx_buf_pointer_append(&b, last);
  return b.data;
}

static void emit(struct vctx *c, const struct snode *n, const struct path *ip,
                 const struct path *kp, const char *keyword, const char *fmt, ...)
    THBX_PRINTF(6, 7);

static void emit(struct vctx *c, const struct snode *n, const struct path *ip,
                 const struct path *kp, const char *keyword, const char *fmt, ...) {
  if (c->quiet || c->status)
    return;
  if (c->out->count == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    thbx_validation_error_t *e = realloc(c->out->errors, cap * sizeof(*e));
    if (!e) {
      c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
      return;
    }
    c->out->errors = e;
    c->cap = cap;
  }
  thbx_validation_error_t *e = &c->out->errors[c->out->count];
  memset(e, 0, sizeof(*e));
  e->instance_path = path_string(ip, NULL);
  e->keyword_location = path_string(kp, keyword);
  thbx_buf_t abs;
  thbx_buf_init(&abs);
  thbx_buf_printf(&abs, "%s#%s", n->res->uri, n->pointer);
  if (keyword && *keyword)
    thbx_buf_pointer_append(&abs, keyword);
  e->absolute_location = abs.data;
  e->keyword = strdup(keyword ? keyword : "");
  thbx_buf_t msg;
  thbx_buf_init(&msg);
  va_list ap;
  va_start(ap, fmt);
  char tmp[1024];
  vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  thbx_buf_puts(&msg, tmp);
  e->message = msg.data;
  if (!e->instance_path || !e->keyword_location || !e->absolute_location || !e->keyword ||
      !e->message) {
    free(e->instance_path);
    free(e->keyword_location);
    free(e->absolute_location);
    free(e->keyword);
    free(e->message);
    c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
    return;
  }
  c->out->count++;
}

/* "female, male, other, unknown": strings bare, other values as JSON. */
static void values_text(const json_t *values, char *buf, size_t size) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  for (size_t i = 0; i < json_array_size(values); i++) {
    if (b.len > 300) {
      thbx_buf_puts(&b, ", ...");
      break;
    }
    const json_t *v = json_array_get(values, i);
    if (i)
      thbx_buf_puts(&b, ", ");
    if (json_is_string(v))
      thbx_buf_puts(&b, json_string_value(v));
    else {
      char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
      if (s)
        thbx_buf_puts(&b, s);
      free(s);
    }
  }
  thbx_strlcpy(buf, b.data ? b.data : "", size);
  thbx_buf_free(&b);
}

static void value_text(const json_t *v, char *buf, size_t size) {
  if (json_is_number(v)) {
    schema_number_text(v, buf, size);
    return;
  }
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  thbx_strlcpy(buf, s ? s : "?", size);
  free(s);
}

static unsigned type_bits(const json_t *v) {
  unsigned t = thbx_type_of(v);
  if (t == THBX_TYPE_INTEGER || (t == THBX_TYPE_NUMBER && schema_number_is_integer(v)))
    return THBX_TYPE_INTEGER | THBX_TYPE_NUMBER;
  return t;
}

static void types_text(unsigned types, char *buf, size_t size) {
  /* in this order in messages */
  static const unsigned order[] = {THBX_TYPE_NULL,   THBX_TYPE_BOOLEAN, THBX_TYPE_OBJECT,
                                   THBX_TYPE_ARRAY,  THBX_TYPE_NUMBER,  THBX_TYPE_STRING,
                                   THBX_TYPE_INTEGER};
  buf[0] = '\0';
  int first = 1;
  for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
    if (!(types & order[i]))
      continue;
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", first ? "" : " or ", thbx_type_name(order[i]));
    first = 0;
  }
  if (first)
    thbx_strlcpy(buf, "nothing (empty type list)", size);
}

static size_t utf8_length(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

/* ------------------------------------------------------------- validate */

static int validate_node(struct vctx *c, const struct snode *n, const json_t *inst,
                         const struct path *ip, const struct path *kp, const struct scope *sc,
                         struct evset *ev);
static inline int validate(struct vctx *c, const struct snode *n, const json_t *inst,
                           const struct path *ip, const struct path *kp, const struct scope *sc,
                           struct evset *ev);

/* Validate a child in place (same instance) under keyword path kp/k1[/k2 or index]. */
static int sub(struct vctx *c, const struct snode *n, const json_t *inst, const struct path *ip,
               const struct path *kp, const char *k1, const char *k2, long idx,
               const struct scope *sc, struct evset *ev) {
  struct path p1 = {kp, k1, 0};
  struct path p2 = {&p1, k2, idx >= 0 ? (size_t)idx : 0};
  return validate(c, n, inst, ip, (k2 || idx >= 0) ? &p2 : &p1, sc, ev);
}

/* Quiet, with a temporary evaluation set merged into ev on success. */
static int quiet_sub(struct vctx *c, const struct snode *n, const json_t *inst,
                     const struct path *ip, const struct path *kp, const char *k1, long idx,
                     const struct scope *sc, struct evset *ev) {
  struct evset t;
  struct evset *tp = NULL;
  if (ev) {
    if (ev_init(&t, ev->n) != 0) {
      c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
      return 0;
    }
    tp = &t;
  }
  c->quiet++;
  int ok = sub(c, n, inst, ip, kp, k1, NULL, idx, sc, tp);
  c->quiet--;
  if (tp) {
    if (ok)
      ev_merge(ev, tp);
    ev_free(tp);
  }
  return ok;
}

static const struct snode *dynamic_target(const struct snode *n, const struct scope *sc) {
  const struct snode *found = NULL;
  for (const struct scope *s = sc; s; s = s->up) {
    const struct sdyn *d = thbx_hmap_gets(&s->res->dynamic, n->dynamic_anchor);
    if (d && d->node)
      found = d->node; /* keep going: the outermost wins */
  }
  return found ? found : n->dynamic_ref;
}

/* Would emit record an error? Messages whose text costs work (numbers and
 * values spelled, code-list suggestions) are built only then: inside if,
 * anyOf, oneOf and not a failure is routine and its message never seen. */
#define LOUD(c) (!(c)->quiet && !(c)->status)

#define FAIL()                                                                                     \
  do {                                                                                             \
    ok = 0;                                                                                        \
    if (c->quiet || c->status)                                                                     \
      goto done;                                                                                   \
  } while (0)

static int validate_number(struct vctx *c, const struct snode *n, const json_t *inst,
                           const struct path *ip, const struct path *kp) {
  char num[64];
  int ok = 1;
  if (n->minimum && schema_number_cmp(inst, n->minimum) < 0) {
    if (LOUD(c)) {
      schema_number_text(n->minimum, num, sizeof(num));
      emit(c, n, ip, kp, "minimum", "must be at least %s", num);
    }
    FAIL();
  }
  if (n->maximum && schema_number_cmp(inst, n->maximum) > 0) {
    if (LOUD(c)) {
      schema_number_text(n->maximum, num, sizeof(num));
      emit(c, n, ip, kp, "maximum", "must be at most %s", num);
    }
    FAIL();
  }
  if (n->exclusive_minimum && schema_number_cmp(inst, n->exclusive_minimum) <= 0) {
    if (LOUD(c)) {
      schema_number_text(n->exclusive_minimum, num, sizeof(num));
      emit(c, n, ip, kp, "exclusiveMinimum", "must be greater than %s", num);
    }
    FAIL();
  }
  if (n->exclusive_maximum && schema_number_cmp(inst, n->exclusive_maximum) >= 0) {
    if (LOUD(c)) {
      schema_number_text(n->exclusive_maximum, num, sizeof(num));
      emit(c, n, ip, kp, "exclusiveMaximum", "must be less than %s", num);
    }
    FAIL();
  }
  if (n->multiple_of && !schema_number_multiple(inst, n->multiple_of)) {
    if (LOUD(c)) {
      schema_number_text(n->multiple_of, num, sizeof(num));
      emit(c, n, ip, kp, "multipleOf", "must be a multiple of %s", num);
    }
    FAIL();
  }
done:
  return ok;
}

/* s, len: the string's value and length (the caller has them). */
static int validate_string(struct vctx *c, const struct snode *n, const char *s, size_t len,
                           const struct path *ip, const struct path *kp) {
  int ok = 1;
  if (n->min_length >= 0 || n->max_length >= 0) {
    size_t cp = utf8_length(s, len);
    if (n->min_length >= 0 && cp < (size_t)n->min_length) {
      emit(c, n, ip, kp, "minLength", "must have at least %ld character%s", n->min_length,
           n->min_length == 1 ? "" : "s");
      FAIL();
    }
    if (n->max_length >= 0 && cp > (size_t)n->max_length) {
      emit(c, n, ip, kp, "maxLength", "must have at most %ld character%s", n->max_length,
           n->max_length == 1 ? "" : "s");
      FAIL();
    }
  }
  if (n->pattern) {
    int r = schema_regex_match(n->pattern, s, len, c->S->options.regex_match_limit, c->err);
    if (r < 0) {
      c->status = THBX_ELIMIT;
      return 0;
    }
    if (!r) {
      emit(c, n, ip, kp, "pattern", "must match the pattern '%s'", n->pattern_source);
      FAIL();
    }
  }
  if (n->format_assert && n->format != FMT_NONE && n->format != FMT_UNKNOWN &&
      !schema_format_check(n->format, s, len)) {
    emit(c, n, ip, kp, "format", "must be a valid %s", n->format_name);
    FAIL();
  }
  if ((n->content_base64 || n->content_json) &&
      !schema_content_check(s, len, n->content_base64, n->content_json)) {
    emit(c, n, ip, kp, n->content_json ? "contentMediaType" : "contentEncoding",
         n->content_json ? "must be %sJSON" : "must be %sbase64",
         n->content_json && n->content_base64 ? "base64-encoded " : "");
    FAIL();
  }
done:
  return ok;
}

struct hashed {
  uint64_t hash;
  size_t index;
};

static int cmp_hashed(const void *a, const void *b) {
  const struct hashed *x = a, *y = b;
  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Two equal items? 1 (and which), 0, -1 no memory. Pairwise for short
 * arrays, by sorted hashes for long ones (no quadratic blow-up). */
static int duplicate(const json_t *a, size_t size, size_t *di, size_t *dj) {
  if (size <= 16) {
    for (size_t i = 0; i < size; i++)
      for (size_t j = i + 1; j < size; j++)
        if (schema_json_equal(json_array_get(a, i), json_array_get(a, j))) {
          *di = i;
          *dj = j;
          return 1;
        }
    return 0;
  }
  struct hashed *h = malloc(size * sizeof(*h));
  if (!h)
    return -1;
  for (size_t i = 0; i < size; i++) {
    h[i].hash = schema_json_hash(json_array_get(a, i));
    h[i].index = i;
  }
  qsort(h, size, sizeof(*h), cmp_hashed);
  int found = 0;
  for (size_t i = 0; i < size && !found; i++)
    for (size_t j = i + 1; j < size && h[j].hash == h[i].hash && !found; j++)
      if (schema_json_equal(json_array_get(a, h[i].index), json_array_get(a, h[j].index))) {
        *di = h[i].index;
        *dj = h[j].index;
        found = 1;
      }
  free(h);
  return found;
}

static int validate_array(struct vctx *c, const struct snode *n, const json_t *inst,
                          const struct path *ip, const struct path *kp, const struct scope *sc,
                          struct evset *ev) {
  int ok = 1;
  size_t size = json_array_size(inst);
  if (n->min_items >= 0 && size < (size_t)n->min_items) {
    emit(c, n, ip, kp, "minItems", "must have at least %ld item%s", n->min_items,
         n->min_items == 1 ? "" : "s");
    FAIL();
  }
  if (n->max_items >= 0 && size > (size_t)n->max_items) {
    emit(c, n, ip, kp, "maxItems", "must have at most %ld item%s", n->max_items,
         n->max_items == 1 ? "" : "s");
    FAIL();
  }
  if (n->unique_items && size > 1) {
    size_t di = 0, dj = 0;
    int dup = duplicate(inst, size, &di, &dj);
    if (dup < 0) {
      c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
      return 0;
    }
    if (dup) {
      emit(c, n, ip, kp, "uniqueItems",
           "must not contain duplicate items (items %zu and %zu are equal)", di, dj);
      FAIL();
    }
  }
  for (size_t i = 0; i < size && i < n->nprefix_items; i++) {
    struct path ipi = {ip, NULL, i};
    const char *kw = n->res->draft == THBX_DRAFT_7 ? "items" : "prefixItems";
    (void)kw;
    if (!sub(c, n->prefix_items[i], json_array_get(inst, i), &ipi, kp, kw, NULL, (long)i, sc, NULL))
      FAIL();
    ev_mark(ev, i);
  }
  if (n->items) {
    const char *kw =
        n->res->draft == THBX_DRAFT_7 && n->nprefix_items ? "additionalItems" : "items";
    for (size_t i = n->nprefix_items; i < size; i++) {
      struct path ipi = {ip, NULL, i};
      if (n->items->boolean == 0) {
        emit(c, n, &ipi, kp, kw,
             "no item is allowed here (the array has %zu item%s, at most "
             "%zu allowed)",
             size, size == 1 ? "" : "s", n->nprefix_items);
        FAIL();
        break;
      }
      if (!sub(c, n->items, json_array_get(inst, i), &ipi, kp, kw, NULL, -1, sc, NULL))
        FAIL();
      ev_mark(ev, i);
    }
  }
  if (n->contains) {
    size_t matches = 0;
    size_t min = n->min_contains >= 0 ? (size_t)n->min_contains : 1;
    for (size_t i = 0; i < size; i++) {
      struct path ipi = {ip, NULL, i};
      c->quiet++;
      int m =
          sub(c, n->contains, json_array_get(inst, i), &ipi, kp, "contains", NULL, -1, sc, NULL);
      c->quiet--;
      if (c->status)
        return 0;
      if (m) {
        matches++;
        ev_mark(ev, i);
        if (!ev && n->max_contains < 0 && matches >= min)
          break;
      }
    }
    if (matches < min) {
      emit(c, n, ip, kp, n->min_contains >= 0 ? "minContains" : "contains",
           "must contain at least %zu item%s matching the contains schema", min,
           min == 1 ? "" : "s");
      FAIL();
    }
    if (n->max_contains >= 0 && matches > (size_t)n->max_contains) {
      emit(c, n, ip, kp, "maxContains",
           "must contain at most %ld item%s matching the contains schema", n->max_contains,
           n->max_contains == 1 ? "" : "s");
      FAIL();
    }
  }
done:
  return ok;
}

/* Members of an object looked up once (validate_object). */
struct member {
  const char *key;
  size_t key_len;
  json_t *val;
  const struct snode *node; /* its "properties" schema, NULL if none */
};
#define MEMBER_CACHE 32

static int validate_object(struct vctx *c, const struct snode *n, const json_t *inst,
                           const struct path *ip, const struct path *kp, const struct scope *sc,
                           struct evset *ev) {
  int ok = 1;
  size_t size = json_object_size(inst);
  if (n->min_props >= 0 && size < (size_t)n->min_props) {
    emit(c, n, ip, kp, "minProperties", "must have at least %ld propert%s", n->min_props,
         n->min_props == 1 ? "y" : "ies");
    FAIL();
  }
  if (n->max_props >= 0 && size > (size_t)n->max_props) {
    emit(c, n, ip, kp, "maxProperties", "must have at most %ld propert%s", n->max_props,
         n->max_props == 1 ? "y" : "ies");
    FAIL();
  }
  /* The instance's members with what "properties" and "required" say of
   * each, looked up once for both (required: counted, and the names in
   * order only when one is missing); NULL: looked up in the loop below. */
  struct member cache[MEMBER_CACHE];
  struct member *members = NULL;
  /* (quiet, the loop below mostly stops at an early member: then looking
   * them all up first costs more than it saves) */
  if (n->nproperties && n->nrequired_names && size <= MEMBER_CACHE && !c->quiet) {
    size_t i = 0, found = 0;
    for (void *it = json_object_iter((json_t *)inst); it && i < size;
         it = json_object_iter_next((json_t *)inst, it), i++) {
      const char *key = json_object_iter_key(it);
      size_t key_len = json_object_iter_key_len(it);
      const struct sfield *f =
          thbx_hmap_get_hashed(&n->fields, key, key_len, thbx_hash(key, key_len));
      cache[i].key = key;
      cache[i].key_len = key_len;
      cache[i].val = json_object_iter_value(it);
      cache[i].node = f ? f->node : NULL;
      found += f && f->required;
    }
    members = cache;
    if (found == n->nrequired_names)
      goto required_done;
  }
  if (n->required) {
    for (size_t i = 0; i < json_array_size(n->required); i++) {
      const char *name = json_string_value(json_array_get(n->required, i));
      if (name && !json_object_get(inst, name)) {
        emit(c, n, ip, kp, "required", "required property '%s' is missing", name);
        FAIL();
      }
    }
  }
required_done:
  for (size_t d = 0; d < n->ndependent_required; d++) {
    const struct sdepreq *dr = &n->dependent_required[d];
    if (!json_object_get(inst, dr->name))
      continue;
    for (size_t i = 0; i < json_array_size(dr->names); i++) {
      const char *name = json_string_value(json_array_get(dr->names, i));
      if (name && !json_object_get(inst, name)) {
        emit(c, n, ip, kp, n->res->draft == THBX_DRAFT_7 ? "dependencies" : "dependentRequired",
             "property '%s' is required when '%s' is present", name, dr->name);
        FAIL();
      }
    }
  }
  if (n->nproperties || n->npattern_props || n->additional_props || n->property_names) {
    size_t pos = 0;
    const char *key;
    size_t key_len;
    json_t *val;
    void *iter = members ? NULL : json_object_iter((json_t *)inst);
    for (size_t mi = 0; members ? mi < size : iter != NULL; mi++) {
      const struct snode *pn = NULL;
      if (members) {
        key = members[mi].key;
        key_len = members[mi].key_len;
        val = members[mi].val;
        pn = members[mi].node;
      } else {
        key = json_object_iter_key(iter);
        key_len = json_object_iter_key_len(iter);
        val = json_object_iter_value(iter);
        iter = json_object_iter_next((json_t *)inst, iter);
        if (n->nproperties)
          pn = thbx_hmap_get_hashed(&n->properties, key, key_len, thbx_hash(key, key_len));
      }
      struct path ipk = {ip, key, 0};
      int matched = 0;
      if (n->nproperties) {
        if (pn) {
          matched = 1;
          if (!sub(c, pn, val, &ipk, kp, "properties", key, -1, sc, NULL))
            FAIL();
        }
      }
      for (size_t i = 0; i < n->npattern_props; i++) {
        const struct spattern *p = &n->pattern_props[i];
        int r =
            schema_regex_match(p->re, key, strlen(key), c->S->options.regex_match_limit, c->err);
        if (r < 0) {
          c->status = THBX_ELIMIT;
          return 0;
        }
        if (r) {
          matched = 1;
          if (!sub(c, p->node, val, &ipk, kp, "patternProperties", p->source, -1, sc, NULL))
            FAIL();
        }
      }
      if (!matched && n->additional_props) {
        if (n->additional_props->boolean == 0) {
          emit(c, n, ip, kp, "additionalProperties", "property '%s' is not allowed", key);
          FAIL();
        } else if (!sub(c, n->additional_props, val, &ipk, kp, "additionalProperties", NULL, -1, sc,
                        NULL))
          FAIL();
        matched = 1;
      }
      if (matched)
        ev_mark(ev, pos);
      if (n->property_names) {
        json_t *name = json_string(key);
        if (!name) {
          c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
          return 0;
        }
        int r = sub(c, n->property_names, name, &ipk, kp, "propertyNames", NULL, -1, sc, NULL);
        json_decref(name);
        if (!r)
          FAIL();
      }
      pos++;
    }
  }
  for (size_t d = 0; d < n->ndependent_schemas; d++) {
    if (!json_object_get(inst, n->dependent_schemas[d].name))
      continue;
    if (!sub(c, n->dependent_schemas[d].node, inst, ip, kp,
             n->res->draft == THBX_DRAFT_7 ? "dependencies" : "dependentSchemas",
             n->dependent_schemas[d].name, -1, sc, ev))
      FAIL();
  }
done:
  return ok;
}

static int validate_unevaluated(struct vctx *c, const struct snode *n, const json_t *inst,
                                const struct path *ip, const struct path *kp,
                                const struct scope *sc, struct evset *mine) {
  int ok = 1;
  if (n->unevaluated_props && json_is_object(inst)) {
    size_t pos = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)inst, key, val) {
      if (!mine->m[pos]) {
        struct path ipk = {ip, key, 0};
        if (n->unevaluated_props->boolean == 0) {
          emit(c, n, ip, kp, "unevaluatedProperties", "property '%s' is not allowed", key);
          FAIL();
        } else if (!sub(c, n->unevaluated_props, val, &ipk, kp, "unevaluatedProperties", NULL, -1,
                        sc, NULL))
          FAIL();
        mine->m[pos] = 1;
      }
      pos++;
    }
  }
  if (n->unevaluated_items && json_is_array(inst)) {
    for (size_t i = 0; i < json_array_size(inst); i++) {
      if (mine->m[i])
        continue;
      struct path ipi = {ip, NULL, i};
      if (n->unevaluated_items->boolean == 0) {
        emit(c, n, &ipi, kp, "unevaluatedItems", "item %zu is not allowed here", i);
        FAIL();
      } else if (!sub(c, n->unevaluated_items, json_array_get(inst, i), &ipi, kp,
                      "unevaluatedItems", NULL, -1, sc, NULL))
        FAIL();
      mine->m[i] = 1;
    }
  }
done:
  return ok;
}

/* The keywords of an object schema n, after validate's checks. */
static int validate_node(struct vctx *c, const struct snode *n, const json_t *inst,
                         const struct path *ip, const struct path *kp, const struct scope *sc,
                         struct evset *ev) {
  c->depth++;
  struct scope here = {sc, n->res};
  if (!sc || sc->res != n->res)
    sc = &here;
  int ok = 1;
  struct evset mine;
  struct evset *cev = ev; /* where this node's in-place applicators record */
  int own = 0;
  if (n->needs_eval && (json_is_object(inst) || json_is_array(inst))) {
    if (ev_init(&mine, inst_size(inst)) != 0) {
      c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
      c->depth--;
      return 0;
    }
    own = 1;
    cev = &mine;
  }
  if (n->ref && !sub(c, n->ref, inst, ip, kp, "$ref", NULL, -1, sc, cev))
    FAIL();
  if (n->dynamic_ref) {
    const struct snode *t = n->dynamic_anchor ? dynamic_target(n, sc) : n->dynamic_ref;
    if (!sub(c, t, inst, ip, kp, "$dynamicRef", NULL, -1, sc, cev))
      FAIL();
  }
  unsigned tb = type_bits(inst);
  if (n->types && !(n->types & tb)) {
    if (LOUD(c)) {
      char want[128];
      types_text(n->types, want, sizeof(want));
      emit(c, n, ip, kp, "type", "must be %s, not %s", want, thbx_type_name(thbx_type_of(inst)));
    }
    FAIL();
  }
  if (n->has_const && !schema_json_equal(inst, n->const_value)) {
    if (LOUD(c)) {
      char v[256];
      value_text(n->const_value, v, sizeof(v));
      emit(c, n, ip, kp, "const", "must be %s", v);
    }
    FAIL();
  }
  if (n->enum_values) {
    int found = 0;
    const char *str = json_string_value(inst);
    size_t str_len = json_string_length(inst);
    /* the map holds the strings without a NUL (by their whole length);
     * any other value is looked for among enum_other's */
    if (str) {
      found = thbx_hmap_get_hashed(&n->enum_strings, str, str_len, thbx_hash(str, str_len)) != NULL;
      if (!found && n->enum_other && memchr(str, '\0', str_len))
        for (size_t i = 0, k = json_array_size(n->enum_values); i < k && !found; i++)
          found = schema_json_equal(inst, json_array_get(n->enum_values, i));
    } else if (n->enum_other) {
      for (size_t i = 0, k = json_array_size(n->enum_values); i < k && !found; i++)
        found = schema_json_equal(inst, json_array_get(n->enum_values, i));
    }
    if (!found && !LOUD(c)) {
      FAIL();
    } else if (!found && n->codes) {
      char msg[256];
      char *hint = NULL;
      schema_codes_message(n->codes, inst, msg, sizeof(msg), &hint);
      size_t before = c->out->count;
      emit(c, n, ip, kp, "enum", "%s", msg);
      if (c->out->count > before)
        c->out->errors[before].hint = hint;
      else
        free(hint);
      FAIL();
    } else if (!found) {
      char v[512];
      values_text(n->enum_values, v, sizeof(v));
      emit(c, n, ip, kp, "enum", "must be one of %s", v);
      FAIL();
    }
  }
  if (tb & THBX_TYPE_NUMBER) {
    if (!validate_number(c, n, inst, ip, kp))
      FAIL();
  } else if (tb & THBX_TYPE_STRING) {
    if (!validate_string(c, n, json_string_value(inst), json_string_length(inst), ip, kp))
      FAIL();
  } else if (tb & THBX_TYPE_ARRAY) {
    if (!validate_array(c, n, inst, ip, kp, sc, cev))
      FAIL();
  } else if (tb & THBX_TYPE_OBJECT) {
    if (!validate_object(c, n, inst, ip, kp, sc, cev))
      FAIL();
  }
  for (size_t i = 0; i < n->nall_of; i++)
    if (!sub(c, n->all_of[i], inst, ip, kp, "allOf", NULL, (long)i, sc, cev))
      FAIL();
  if (n->nany_of) {
    int any = 0;
    for (size_t i = 0; i < n->nany_of; i++) {
      if (quiet_sub(c, n->any_of[i], inst, ip, kp, "anyOf", (long)i, sc, cev)) {
        any = 1;
        if (!cev)
          break;
      }
      if (c->status)
        goto done;
    }
    if (!any) {
      emit(c, n, ip, kp, "anyOf", "must match at least one schema in anyOf");
      FAIL();
    }
  }
  if (n->none_of) {
    size_t count = 0, first = 0, second = 0;
    struct evset t;
    int have_t = 0;
    for (size_t i = 0; i < n->none_of; i++) {
      struct evset *tp = NULL;
      if (cev) {
        if (ev_init(&t, cev->n) != 0) {
          c->status = thbx_error_set(c->err, THBX_ENOMEM, "out of memory");
          goto done;
        }
        tp = &t;
      }
      c->quiet++;
      int m = sub(c, n->one_of[i], inst, ip, kp, "oneOf", NULL, (long)i, sc, tp);
      c->quiet--;
      if (m && tp && count == 0)
        ev_merge(cev, tp);
      if (tp)
        ev_free(tp);
      if (c->status)
        goto done;
      if (m) {
        if (count == 0)
          first = i;
        else if (count == 1)
          second = i;
        count++;
        if (count > 1)
          break;
      }
    }
    (void)have_t;
    if (count == 0) {
      emit(c, n, ip, kp, "oneOf", "must match exactly one schema in oneOf (matches none)");
      FAIL();
    } else if (count > 1) {
      emit(c, n, ip, kp, "oneOf", "must match exactly one schema in oneOf (matches %zu and %zu)",
           first, second);
      FAIL();
    }
  }
  if (n->not_) {
    c->quiet++;
    int m = sub(c, n->not_, inst, ip, kp, "not", NULL, -1, sc, NULL);
    c->quiet--;
    if (c->status)
      goto done;
    if (m) {
      emit(c, n, ip, kp, "not", "must not match the schema in not");
      FAIL();
    }
  }
  if (n->if_) {
    int m = quiet_sub(c, n->if_, inst, ip, kp, "if", -1, sc, cev);
    if (c->status)
      goto done;
    if (m && n->then_) {
      if (!sub(c, n->then_, inst, ip, kp, "then", NULL, -1, sc, cev))
        FAIL();
    } else if (!m && n->else_) {
      if (!sub(c, n->else_, inst, ip, kp, "else", NULL, -1, sc, cev))
        FAIL();
    }
  }
  if (own && !validate_unevaluated(c, n, inst, ip, kp, sc, &mine))
    FAIL();
done:
  if (own) {
    if (ok)
      ev_merge(ev, &mine);
    ev_free(&mine);
  }
  c->depth--;
  return ok;
}

/* What validate_node does for a leaf (schema.c), when its type and enum
 * hold: validate_string or validate_number; a type or enum that fails goes
 * to validate_node for its message. */
#if defined(__GNUC__)
#define VALIDATE_INLINE inline __attribute__((always_inline))
#else
#define VALIDATE_INLINE inline
#endif

static VALIDATE_INLINE int validate_leaf(struct vctx *c, const struct snode *n, const json_t *inst,
                                         const struct path *ip, const struct path *kp,
                                         const struct scope *sc, struct evset *ev) {
  if (json_is_string(inst)) {
    if (n->types && !(n->types & THBX_TYPE_STRING))
      return validate_node(c, n, inst, ip, kp, sc, ev);
    const char *str = json_string_value(inst);
    size_t len = json_string_length(inst);
    if (n->enum_values &&
        thbx_hmap_get_hashed(&n->enum_strings, str, len, thbx_hash(str, len)) == NULL)
      return validate_node(c, n, inst, ip, kp, sc, ev);
    return validate_string(c, n, str, len, ip, kp);
  }
  unsigned tb = type_bits(inst);
  if ((n->types && !(n->types & tb)) || n->enum_values)
    return validate_node(c, n, inst, ip, kp, sc, ev);
  if (tb & THBX_TYPE_NUMBER)
    return validate_number(c, n, inst, ip, kp);
  return 1;
}

/* Up to this many nodes that are a $ref and at most a "type" are passed
 * through in one call (a property or item whose schema is a $ref to a
 * definition, often with its type beside it). */
#define REF_CHAIN 4

static VALIDATE_INLINE int validate(struct vctx *c, const struct snode *n, const json_t *inst,
                                    const struct path *ip, const struct path *kp,
                                    const struct scope *sc, struct evset *ev) {
  /* Each such node counts a step and a level as if validated by itself,
   * pushes its scope and "$ref" onto the keyword path, applies its target
   * to the same instance with the same evaluation set, and then checks its
   * type: what validate_node does for it, without the call and the
   * keywords it does not have. */
  const struct snode *chain[REF_CHAIN];
  struct path refs[REF_CHAIN];
  struct scope scopes[REF_CHAIN];
  size_t k = 0;
  int ok;
  for (;;) {
    if (c->status) {
      ok = 0;
      break;
    }
    if (n->boolean >= 0) {
      ok = n->boolean;
      if (!ok)
        emit(c, n, ip, kp, "", "no value is allowed here (false schema)");
      break;
    }
    if (++c->steps > MAX_STEPS) {
      c->status =
          thbx_error_set(c->err, THBX_ELIMIT,
                         "validation step limit (%lu subschema evaluations) exceeded", MAX_STEPS);
      ok = 0;
      break;
    }
    if (c->depth >= c->S->options.max_depth) {
      c->status = thbx_error_set(c->err, THBX_ELIMIT,
                                 "validation depth limit (%zu) exceeded (a $ref cycle?)",
                                 c->S->options.max_depth);
      ok = 0;
      break;
    }
    if (n->leaf) {
      ok = validate_leaf(c, n, inst, ip, kp, sc, ev);
      break;
    }
    if (!n->ref_only || k == REF_CHAIN) {
      ok = validate_node(c, n, inst, ip, kp, sc, ev);
      break;
    }
    c->depth++;
    chain[k] = n;
    scopes[k].up = sc;
    scopes[k].res = n->res;
    if (!sc || sc->res != n->res)
      sc = &scopes[k];
    refs[k].up = kp;
    refs[k].key = "$ref";
    refs[k].index = 0;
    kp = &refs[k];
    n = n->ref;
    k++;
  }
  /* back out, innermost first: each node's type after its $ref */
  while (k > 0) {
    k--;
    c->depth--;
    const struct snode *m = chain[k];
    if (!ok && (c->quiet || c->status))
      continue;
    if (m->types && !(m->types & type_bits(inst))) {
      if (LOUD(c)) {
        char want[128];
        types_text(m->types, want, sizeof(want));
        emit(c, m, ip, refs[k].up, "type", "must be %s, not %s", want,
             thbx_type_name(thbx_type_of(inst)));
      }
      ok = 0;
    }
  }
  return ok;
}

void thbx_validation_clear(thbx_validation_t *result) {
  if (!result)
    return;
  for (size_t i = 0; i < result->count; i++) {
    thbx_validation_error_t *e = &result->errors[i];
    free(e->instance_path);
    free(e->keyword_location);
    free(e->absolute_location);
    free(e->keyword);
    free(e->message);
    free(e->hint);
  }
  free(result->errors);
  result->errors = NULL;
  result->count = 0;
  result->valid = 0;
}

int thbx_schema_validate(const thbx_schema_t *schema, const json_t *instance,
                         thbx_validation_t *result, thbx_error_t *err) {
  if (!schema || !instance || !result)
    return thbx_error_set(err, THBX_EINVAL, "no schema, instance or result");
  memset(result, 0, sizeof(*result));
  struct vctx c = {0};
  c.S = schema;
  c.out = result;
  c.err = err;
  int ok = validate(&c, schema->root, instance, NULL, NULL, NULL, NULL);
  if (c.status) {
    thbx_validation_clear(result);
    return c.status;
  }
  result->valid = ok;
  if (!ok && result->count == 0) {
    /* failed without a recorded leaf: cannot happen, but never say "valid" */
    struct vctx c2 = c;
    emit(&c2, schema->root, NULL, NULL, "", "the instance is not valid");
  }
  return THBX_OK;
}

/* --------------------------------------------------------------- output */

static json_t *error_unit(const thbx_validation_error_t *e) {
  return json_pack("{s:s, s:s, s:s, s:s}", "keywordLocation", e->keyword_location,
                   "absoluteKeywordLocation", e->absolute_location, "instanceLocation",
                   e->instance_path, "error", e->message);
}

json_t *thbx_validation_output(const thbx_validation_t *result, const char *structure) {
  if (!result)
    return NULL;
  if (!structure)
    structure = "basic";
  json_t *out = json_object();
  if (!out)
    return NULL;
  json_object_set_new(out, "valid", json_boolean(result->valid));
  if (strcmp(structure, "flag") == 0 || result->valid)
    return out;
  json_t *errors = json_array();
  if (strcmp(structure, "detailed") == 0) {
    /* one unit per instance location, holding the errors found there */
    json_object_set_new(out, "keywordLocation", json_string(""));
    json_object_set_new(out, "instanceLocation", json_string(""));
    for (size_t i = 0; i < result->count; i++) {
      const thbx_validation_error_t *e = &result->errors[i];
      json_t *group = NULL;
      size_t k;
      json_t *g;
      json_array_foreach(errors, k, g) {
        if (strcmp(json_string_value(json_object_get(g, "instanceLocation")), e->instance_path) ==
            0)
          group = g;
      }
      if (!group) {
        group = json_pack("{s:b, s:s, s:s, s:[]}", "valid", 0, "keywordLocation", "",
                          "instanceLocation", e->instance_path, "errors");
        json_array_append_new(errors, group);
      }
      json_t *unit = error_unit(e);
      json_object_set_new(unit, "valid", json_false());
      json_array_append_new(json_object_get(group, "errors"), unit);
    }
  } else {
    for (size_t i = 0; i < result->count; i++)
      json_array_append_new(errors, error_unit(&result->errors[i]));
  }
  json_object_set_new(out, "errors", errors);
  return out;
}
