/*
 * xml_to_json.c - an XML record subtree as a json_t (see xml_to_json.h).
 */
#include "xml_to_json.h"
#include "xml_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

static json_t *fail_at(struct xml_walk *w, int status, size_t index, const char *fmt, ...)
    THBX_PRINTF(4, 5);
static json_t *fail_at(struct xml_walk *w, int status, size_t index, const char *fmt, ...) {
  if (w->status != THBX_OK)
    return NULL;
  struct xml_pos p = xml_scan_elem_pos(w->scan, w->rec, index);
  w->status = status;
  if (w->err) {
    thbx_error_clear(w->err);
    thbx_error_at(w->err, w->source, p.line, p.col);
    w->err->record_index = w->record_index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err->text, sizeof(w->err->text), fmt, ap);
    va_end(ap);
  }
  return NULL;
}

/* ----------------------------------------------------------- locations */

static size_t path_push(struct xml_walk *w, const char *segment) {
  if (!w->note)
    return 0;
  size_t len = w->path->len;
  /* "/segment", escaped; most segments need no escape: one copy (byte by
   * byte, thbx_buf_pointer_append was 2% of reading XML) */
  size_t n = strcspn(segment, "~/");
  int rc = segment[n] ? thbx_buf_pointer_append(w->path, segment)
                      : thbx_buf_putc(w->path, '/') || thbx_buf_append(w->path, segment, n);
  if (rc != 0)
    w->status = w->status ? w->status : THBX_ENOMEM;
  return len;
}

static size_t path_push_index(struct xml_walk *w, size_t i) {
  if (!w->note)
    return 0;
  size_t len = w->path->len;
  /* "/i" by hand: thbx_buf_printf was 3% of reading XML */
  char d[24];
  size_t n = sizeof(d);
  do
    d[--n] = (char)('0' + i % 10);
  while ((i /= 10) != 0);
  d[--n] = '/';
  if (thbx_buf_append(w->path, d + n, sizeof(d) - n) != 0)
    w->status = w->status ? w->status : THBX_ENOMEM;
  return len;
}

static void path_pop(struct xml_walk *w, size_t len) {
  if (w->note) {
    w->path->len = len;
    if (w->path->data)
      w->path->data[len] = '\0';
  }
}

static void note(struct xml_walk *w, size_t index, const xmlChar *name) {
  if (!w->note)
    return;
  struct xml_pos p = xml_scan_elem_pos(w->scan, w->rec, index);
  if (w->note(w->note_ctx, w->path->data ? w->path->data : "", w->path->len, (const char *)name,
              p.line, p.col) != 0 &&
      w->status == THBX_OK)
    w->status = THBX_ENOMEM;
}

static json_t *nomem(struct xml_walk *w) {
  if (w->status == THBX_OK)
    w->status = thbx_error_set(w->err, THBX_ENOMEM, "out of memory");
  return NULL;
}

static json_t *str(struct xml_walk *w, const char *t, size_t n) {
  json_t *v = json_stringn_nocheck(t, n);
  return v ? v : nomem(w);
}

static json_t *num_or_nomem(struct xml_walk *w, json_t *v) { return v ? v : nomem(w); }

static int is_blank(const char *t, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
      return 0;
  return 1;
}

/* Text of el (its text children, or the attribute's value) into s->text.
 * Child elements are an error unless allow_elements. */
static int collect_text(struct xml_walk *w, xmlNodePtr node, size_t index, int allow_elements,
                        const char *what) {
  thbx_buf_t *t = w->text;
  thbx_buf_reset(t);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && thbx_buf_puts(t, (const char *)c->content) != 0) {
        nomem(w);
        return -1;
      }
      if (t->len > w->limits->max_field_bytes) {
        fail_at(w, THBX_ELIMIT, index, "%s '%s' is longer than max_field_bytes (%zu)", what,
                (const char *)node->name, w->limits->max_field_bytes);
        return -1;
      }
    } else if (c->type == XML_ELEMENT_NODE && !allow_elements) {
      fail_at(w, THBX_EPARSE, index, "element '%s' holds a value and cannot have child elements",
              (const char *)node->name);
      return -1;
    } else if (c->type == XML_ENTITY_REF_NODE) {
      fail_at(w, THBX_EPARSE, index, "entity references are not allowed");
      return -1;
    }
  }
  if (!t->data && thbx_buf_append(t, "", 0) != 0) {
    nomem(w);
    return -1;
  }
  return 0;
}

static void trim(const char **t, size_t *n) {
  while (*n > 0 && ((*t)[0] == ' ' || (*t)[0] == '\t' || (*t)[0] == '\n' || (*t)[0] == '\r')) {
    (*t)++;
    (*n)--;
  }
  while (*n > 0 && ((*t)[*n - 1] == ' ' || (*t)[*n - 1] == '\t' || (*t)[*n - 1] == '\n' ||
                    (*t)[*n - 1] == '\r'))
    (*n)--;
}

static const char *type_word(unsigned types) {
  if (types & THBX_TYPE_INTEGER)
    return "an integer";
  if (types & THBX_TYPE_NUMBER)
    return "a number";
  if (types & THBX_TYPE_BOOLEAN)
    return "a boolean (true or false)";
  return "a value";
}

/* The text in s->text as a value of shape sh. */
static json_t *scalar(struct xml_walk *w, const struct thbx_shape *sh, size_t index,
                      const char *what, const char *name) {
  const char *raw = w->text->data;
  size_t rawlen = w->text->len;
  unsigned types = sh ? sh->types : THBX_TYPE_STRING;
  unsigned others = types & (THBX_TYPE_BOOLEAN | THBX_TYPE_INTEGER | THBX_TYPE_NUMBER);
  if ((types & THBX_TYPE_STRING) && !others)
    return str(w, raw, rawlen);
  if (!others && !(types & THBX_TYPE_STRING)) {
    if (types & THBX_TYPE_NULL && rawlen == 0)
      return json_null();
    return fail_at(w, THBX_EPARSE, index, "%s '%s' holds text where the profile expects %s", what,
                   name,
                   (types & THBX_TYPE_OBJECT)  ? "an object"
                   : (types & THBX_TYPE_ARRAY) ? "an array"
                                               : "no value");
  }
  struct xml_text_value v;
  enum xml_text_kind kind = xml_text_classify(types, raw, rawlen, &v);
  switch (kind) {
  case XML_TEXT_STRING: return str(w, raw, rawlen);
  case XML_TEXT_TRUE: return json_true();
  case XML_TEXT_FALSE: return json_false();
  case XML_TEXT_INTEGER: return num_or_nomem(w, json_integer(v.i));
  case XML_TEXT_REAL: return num_or_nomem(w, json_real(v.d));
  default: break;
  }
  const char *t = raw;
  size_t n = rawlen;
  trim(&t, &n);
  if (w->status != THBX_OK)
    return NULL;
  /* the text is the value, the message names none (issue 12) */
  if (w->value)
    w->value(w->note_ctx, t, n);
  if (kind == XML_TEXT_RANGE)
    fail_at(w, THBX_EPARSE, index, "is out of range (%s '%s')", what, name);
  else
    fail_at(w, THBX_EPARSE, index, "is not %s (%s '%s')", type_word(types), what, name);
  if (w->err && sh && sh->pointer && w->status == THBX_EPARSE)
    thbx_strlcpy(w->err->instance_path, sh->pointer, sizeof(w->err->instance_path));
  return NULL;
}

static int ns_ok(struct xml_walk *w, xmlNodePtr el) {
  const char *href = el->ns ? (const char *)el->ns->href : NULL;
  if (!w->ns)
    return href == NULL;
  return href && strcmp(href, w->ns) == 0;
}

static int is_nil(xmlNodePtr el) {
  for (xmlAttrPtr a = el->properties; a; a = a->next)
    if (a->ns && strcmp((const char *)a->ns->href, XSI_NS) == 0 &&
        strcmp((const char *)a->name, "nil") == 0 && a->children && a->children->content) {
      const char *v = (const char *)a->children->content;
      return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    }
  return 0;
}

static json_t *generic_value(struct xml_walk *w, xmlNodePtr el, size_t index, size_t depth);
static json_t *shaped_value(struct xml_walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth);

static int add_repeated(json_t *obj, const char *key, json_t *v) {
  json_t *old = json_object_get(obj, key);
  if (!old)
    return json_object_set_new(obj, key, v);
  if (json_is_array(old))
    return json_array_append_new(old, v);
  json_t *arr = json_array();
  if (!arr || json_array_append(arr, old) != 0 || json_array_append_new(arr, v) != 0) {
    json_decref(arr);
    return -1;
  }
  return json_object_set_new(obj, key, arr);
}

/* Generic: attributes -> "@name", child elements -> properties (repeated ->
 * arrays), own text -> "#text" (or the value itself for a bare leaf). */
static json_t *generic_value(struct xml_walk *w, xmlNodePtr el, size_t index, size_t depth) {
  if (depth > w->limits->max_depth)
    return fail_at(w, THBX_ELIMIT, index, "element '%s' nests deeper than max_depth (%zu)",
                   (const char *)el->name, w->limits->max_depth);
  note(w, index, el->name);
  int has_elems = 0;
  for (xmlNodePtr c = el->children; c && !has_elems; c = c->next)
    has_elems = c->type == XML_ELEMENT_NODE;
  if (!has_elems && !el->properties) {
    if (collect_text(w, el, index, 0, "element") != 0)
      return NULL;
    return str(w, w->text->data, w->text->len);
  }
  json_t *obj = json_object();
  if (!obj)
    return nomem(w);
  thbx_buf_t *key = w->key;
  for (xmlAttrPtr a = el->properties; a; a = a->next) {
    if (collect_text(w, (xmlNodePtr)a, index, 0, "attribute") != 0)
      goto fail;
    json_t *v = json_stringn_nocheck(w->text->data, w->text->len);
    thbx_buf_reset(key);
    if (!v || thbx_buf_putc(key, '@') != 0 || thbx_buf_puts(key, (const char *)a->name) != 0 ||
        add_repeated(obj, key->data, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    size_t mark = path_push(w, (const char *)c->name);
    json_t *v = generic_value(w, c, ci, depth + 1);
    path_pop(w, mark);
    if (!v)
      goto fail;
    if (add_repeated(obj, (const char *)c->name, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  if (collect_text(w, el, index, 1, "element") != 0)
    goto fail;
  const char *t = w->text->data;
  size_t n = w->text->len;
  if (has_elems)
    trim(&t, &n);
  if (n > 0) {
    json_t *v = json_stringn_nocheck(t, n);
    if (!v || add_repeated(obj, "#text", v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  return obj;
fail:
  json_decref(obj);
  return NULL;
}

static size_t prop_index(const struct thbx_shape *sh, const struct thbx_shape *p) {
  for (size_t i = 0; i < sh->nprops; i++)
    if (sh->props[i] == p)
      return i;
  return sh->nprops;
}

/* An element whose shape is an object with known properties. */
static json_t *shaped_object(struct xml_walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                             size_t index, size_t depth) {
  json_t *stack[64];
  json_t **slots = stack;
  json_t *extra = NULL;
  json_t *obj = NULL;
  if (sh->nprops > 64) {
    slots = calloc(sh->nprops, sizeof(*slots));
    if (!slots)
      return nomem(w);
  } else {
    memset(stack, 0, sizeof(stack));
  }
  const char *ename = (const char *)el->name;
  for (xmlAttrPtr a = el->properties; a; a = a->next) {
    if (a->ns && strcmp((const char *)a->ns->href, XSI_NS) == 0)
      continue; /* xsi:schemaLocation, xsi:nil, ... */
    const struct thbx_shape *p = a->ns ? NULL : thbx_shape_xml_child(sh, (const char *)a->name, 1);
    if (!p && !sh->additional) {
      fail_at(w, THBX_EPARSE, index, "unknown attribute '%s' on element '%s'",
              (const char *)a->name, ename);
      goto fail;
    }
    if (collect_text(w, (xmlNodePtr)a, index, 0, "attribute") != 0)
      goto fail;
    size_t mark = path_push(w, p ? p->name : (const char *)a->name);
    note(w, index, a->name);
    path_pop(w, mark);
    json_t *v = scalar(w, p, index, "attribute", (const char *)a->name);
    if (!v)
      goto fail;
    if (p) {
      size_t i = prop_index(sh, p);
      json_decref(slots[i]);
      slots[i] = v;
    } else {
      if ((!extra && !(extra = json_object())) ||
          json_object_set_new(extra, (const char *)a->name, v) != 0) {
        json_decref(v);
        nomem(w);
        goto fail;
      }
    }
  }
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && !is_blank((const char *)c->content, strlen((const char *)c->content))) {
        fail_at(w, THBX_EPARSE, index, "element '%s' cannot hold text, only child elements", ename);
        goto fail;
      }
      continue;
    }
    if (c->type == XML_ENTITY_REF_NODE) {
      fail_at(w, THBX_EPARSE, index, "entity references are not allowed");
      goto fail;
    }
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    const char *cname = (const char *)c->name;
    const struct thbx_shape *p = ns_ok(w, c) ? thbx_shape_xml_child(sh, cname, 0) : NULL;
    if (!p) {
      if (!sh->additional || !ns_ok(w, c)) {
        if (!ns_ok(w, c))
          fail_at(w, THBX_EPARSE, ci, "element '%s' in %s%s%s is not in the profile's namespace",
                  cname, c->ns ? "namespace '" : "no namespace",
                  c->ns ? (const char *)c->ns->href : "", c->ns ? "'" : "");
        else
          fail_at(w, THBX_EPARSE, ci, "unknown element '%s' in '%s'", cname, ename);
        goto fail;
      }
      size_t mark = path_push(w, cname);
      json_t *v = generic_value(w, c, ci, depth + 1);
      path_pop(w, mark);
      if (!v)
        goto fail;
      if ((!extra && !(extra = json_object())) || add_repeated(extra, cname, v) != 0) {
        json_decref(v);
        nomem(w);
        goto fail;
      }
      continue;
    }
    size_t i = prop_index(sh, p);
    if ((p->types & THBX_TYPE_ARRAY) && !p->xml_wrapped) {
      /* unwrapped array: each repetition is one item */
      if (!slots[i] && !(slots[i] = json_array())) {
        nomem(w);
        goto fail;
      }
      size_t mark = path_push(w, p->name);
      path_push_index(w, json_array_size(slots[i]));
      json_t *v = shaped_value(w, c, p->items, ci, depth + 1);
      path_pop(w, mark);
      if (!v || json_array_append_new(slots[i], v) != 0) {
        if (v)
          nomem(w);
        goto fail;
      }
      continue;
    }
    if (slots[i]) {
      fail_at(w, THBX_EPARSE, ci, "element '%s' appears more than once in '%s'", cname, ename);
      goto fail;
    }
    size_t mark = path_push(w, p->name);
    slots[i] = shaped_value(w, c, p, ci, depth + 1);
    path_pop(w, mark);
    if (!slots[i])
      goto fail;
  }
  obj = json_object();
  if (!obj) {
    nomem(w);
    goto fail;
  }
  for (size_t i = 0; i < sh->nprops; i++) {
    if (slots[i] && json_object_set_new_nocheck(obj, sh->props[i]->name, slots[i]) != 0) {
      slots[i] = NULL;
      nomem(w);
      goto fail;
    }
    slots[i] = NULL;
  }
  if (extra && json_object_update(obj, extra) != 0) {
    nomem(w);
    goto fail;
  }
  json_decref(extra);
  if (slots != stack)
    free(slots);
  return obj;
fail:
  for (size_t i = 0; i < sh->nprops; i++)
    json_decref(slots[i]);
  if (slots != stack)
    free(slots);
  json_decref(extra);
  json_decref(obj);
  return NULL;
}

static json_t *shaped_array(struct xml_walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth) {
  json_t *arr = json_array();
  if (!arr)
    return nomem(w);
  const char *item = sh->items ? sh->items->xml_name : "item";
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && !is_blank((const char *)c->content, strlen((const char *)c->content))) {
        fail_at(w, THBX_EPARSE, index, "element '%s' cannot hold text, only '%s' elements",
                (const char *)el->name, item);
        goto fail;
      }
      continue;
    }
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    if (!ns_ok(w, c) || strcmp((const char *)c->name, item) != 0) {
      fail_at(w, THBX_EPARSE, ci, "unexpected element '%s' in '%s': items are '%s' elements",
              (const char *)c->name, (const char *)el->name, item);
      goto fail;
    }
    size_t mark = path_push_index(w, json_array_size(arr));
    json_t *v = sh->items ? shaped_value(w, c, sh->items, ci, depth + 1)
                          : generic_value(w, c, ci, depth + 1);
    path_pop(w, mark);
    if (!v)
      goto fail;
    if (json_array_append_new(arr, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  return arr;
fail:
  json_decref(arr);
  return NULL;
}

static int has_element_children(xmlNodePtr el) {
  for (xmlNodePtr c = el->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return 1;
  return 0;
}

static json_t *shaped_value(struct xml_walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth) {
  if (depth > w->limits->max_depth)
    return fail_at(w, THBX_ELIMIT, index, "element '%s' nests deeper than max_depth (%zu)",
                   (const char *)el->name, w->limits->max_depth);
  if (!sh || sh->types == THBX_TYPE_ANY)
    return generic_value(w, el, index, depth);
  note(w, index, el->name);
  if ((sh->types & THBX_TYPE_NULL) && is_nil(el))
    return json_null();
  int complex = has_element_children(el) || el->properties;
  if ((sh->types & THBX_TYPE_OBJECT) && sh->nprops > 0 &&
      (complex || !(sh->types & ~THBX_TYPE_OBJECT)))
    return shaped_object(w, el, sh, index, depth);
  if ((sh->types & THBX_TYPE_OBJECT) && (complex || !(sh->types & ~THBX_TYPE_OBJECT)))
    return generic_value(w, el, index, depth); /* a free-form object */
  if ((sh->types & THBX_TYPE_ARRAY) && (complex || !(sh->types & ~THBX_TYPE_ARRAY)))
    return shaped_array(w, el, sh, index, depth);
  for (xmlAttrPtr a = el->properties; a; a = a->next)
    if (!a->ns || strcmp((const char *)a->ns->href, XSI_NS) != 0)
      return fail_at(w, THBX_EPARSE, index, "unknown attribute '%s' on element '%s'",
                     (const char *)a->name, (const char *)el->name);
  if (collect_text(w, el, index, 0, "element") != 0)
    return NULL;
  return scalar(w, sh, index, "element", (const char *)el->name);
}

json_t *xml_to_json(struct xml_walk *w, xmlNodePtr node, const struct thbx_shape *shape) {
  w->elem = 0;
  w->status = THBX_OK;
  if (w->note)
    thbx_buf_reset(w->path);
  if (!shape)
    return generic_value(w, node, 0, 1);
  const char *want = shape->xml_name ? shape->xml_name : "record";
  if (strcmp((const char *)node->name, want) != 0) {
    xmlNodePtr up = node->parent;
    const char *in = up && up->type == XML_ELEMENT_NODE
                         ? (const char *)up->name
                         : (shape->xml_root ? shape->xml_root : "records");
    return fail_at(w, THBX_EPARSE, 0, "unexpected element '%s' in '%s': records are '%s' elements",
                   (const char *)node->name, in, want);
  }
  if (!ns_ok(w, node)) {
    const char *href = node->ns ? (const char *)node->ns->href : NULL;
    return fail_at(w, THBX_EPARSE, 0, "the record element '%s' is in %s%s%s, expected %s%s%s", want,
                   href ? "namespace '" : "no namespace", href ? href : "", href ? "'" : "",
                   w->ns ? "namespace '" : "no namespace", w->ns ? w->ns : "", w->ns ? "'" : "");
  }
  return shaped_value(w, node, shape, 0, 1);
}
