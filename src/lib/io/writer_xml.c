/*
 * writer_xml.c - XML records: `<records xmlns="...">` with one `<record>`
 * per record. With a profile, the record is spelled by walking the shape:
 * properties in schema order, xml attributes and names, wrapped arrays,
 * booleans true/false, numbers in XSD lexical form (never an exponent).
 * Without one (generic), the inverse of the generic reader: "@name" keys are
 * attributes, "#text" is text, arrays are repeated elements.
 *
 * Formats straight into w->out (measured faster than xmlTextWriter and no
 * per-record allocation). A value XML 1.0 cannot carry (a control
 * character, U+FFFE/U+FFFF) or that the profile would read back as
 * something else fails the record with THBX_EPARSE; writer.c drops what was
 * appended for it.
 */
#include "writer.h"
#include "xml_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

struct xw {
  struct thbx_writer *w;
  thbx_buf_t *b;
  thbx_error_t *err;
  int indent;      /* 0: compact */
  thbx_buf_t path; /* JSON Pointer of the value being written, for messages */
  int int_only;    /* the scalar being written is where the profile allows integers only */
};

static int nomem(struct xw *x) { return thbx_error_set(x->err, THBX_ENOMEM, "out of memory"); }

static int fail(struct xw *x, const char *fmt, ...) THBX_PRINTF(2, 3);
static int fail(struct xw *x, const char *fmt, ...) {
  if (!x->err)
    return THBX_EPARSE;
  char msg[THBX_ERROR_TEXT_LENGTH - THBX_ERROR_PATH_LENGTH];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  thbx_strlcpy(x->err->instance_path, x->path.data ? x->path.data : "",
               sizeof(x->err->instance_path));
  if (x->path.len)
    snprintf(x->err->text, sizeof(x->err->text), "%.200s: %s", x->path.data, msg);
  else
    thbx_strlcpy(x->err->text, msg, sizeof(x->err->text));
  return THBX_EPARSE;
}

static int newline(struct xw *x, int level) {
  if (!x->indent)
    return 0;
  if (thbx_buf_reserve(x->b, (size_t)level * 2 + 1) != 0)
    return -1;
  x->b->data[x->b->len++] = '\n';
  memset(x->b->data + x->b->len, ' ', (size_t)level * 2);
  x->b->len += (size_t)level * 2;
  x->b->data[x->b->len] = '\0';
  return 0;
}

/* Escaped text (attr: for an attribute value). Returns THBX_OK, THBX_EPARSE
 * for a character XML 1.0 cannot carry, THBX_ENOMEM. */
static int put_text(struct xw *x, const char *s, size_t n, int attr) {
  thbx_buf_t *b = x->b;
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *rep = NULL;
    if (c < 0x20) {
      if (c == '\r')
        rep = "&#13;"; /* a raw CR would be read back as LF */
      else if (c == '\n')
        rep = attr ? "&#10;" : NULL; /* attribute values normalise blanks */
      else if (c == '\t')
        rep = attr ? "&#9;" : NULL;
      else
        return fail(x, "control character U+%04X cannot be written in XML", c);
    } else if (c == '&') {
      rep = "&amp;";
    } else if (c == '<') {
      rep = "&lt;";
    } else if (c == '>') {
      rep = "&gt;";
    } else if (c == '"' && attr) {
      rep = "&quot;";
    } else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
               ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
      return fail(x, "character U+FFF%c cannot be written in XML",
                  (unsigned char)s[i + 2] == 0xBE ? 'E' : 'F');
    }
    if (!rep)
      continue;
    if (thbx_buf_append(b, s + run, i - run) != 0 || thbx_buf_puts(b, rep) != 0)
      return nomem(x);
    run = i + 1;
  }
  if (thbx_buf_append(b, s + run, n - run) != 0)
    return nomem(x);
  return THBX_OK;
}

/* A double in XSD decimal form, exact (shortest round trip), no exponent;
 * always with a '.' so that it reads back as a real. */
static int put_double(thbx_buf_t *b, double d) {
  char tmp[40];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  /* tmp: [-]D[.DDD]e[+-]XX */
  char digits[24];
  size_t nd = 0;
  const char *p = tmp;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && nd < sizeof(digits))
      digits[nd++] = *p;
  int e = *p == 'e' ? atoi(p + 1) : 0;
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  if (neg && thbx_buf_putc(b, '-') != 0)
    return -1;
  if (e >= (int)nd - 1) {
    /* D...D000.0 */
    if (thbx_buf_append(b, digits, nd) != 0)
      return -1;
    for (int i = 0; i < e - ((int)nd - 1); i++)
      if (thbx_buf_putc(b, '0') != 0)
        return -1;
    return thbx_buf_puts(b, ".0");
  }
  if (e >= 0) {
    if (thbx_buf_append(b, digits, (size_t)e + 1) != 0 || thbx_buf_putc(b, '.') != 0 ||
        thbx_buf_append(b, digits + e + 1, nd - (size_t)e - 1) != 0)
      return -1;
    return 0;
  }
  if (thbx_buf_puts(b, "0.") != 0)
    return -1;
  for (int i = 0; i < -e - 1; i++)
    if (thbx_buf_putc(b, '0') != 0)
      return -1;
  return thbx_buf_append(b, digits, nd);
}

/* A scalar's text. */
static int put_scalar(struct xw *x, const json_t *v, int attr) {
  switch (json_typeof(v)) {
  case JSON_STRING: return put_text(x, json_string_value(v), json_string_length(v), attr);
  case JSON_INTEGER:
    return thbx_buf_printf(x->b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) == 0 ? THBX_OK
                                                                                      : nomem(x);
  case JSON_REAL:
    if (!isfinite(json_real_value(v)))
      return fail(x, "a number that is not finite cannot be written");
    if (x->int_only) /* 60.0 where only integers are: the integer 60 (docs/convert.md) */
      return thbx_buf_printf(x->b, "%.0f", json_real_value(v)) == 0 ? THBX_OK : nomem(x);
    return put_double(x->b, json_real_value(v)) == 0 ? THBX_OK : nomem(x);
  case JSON_TRUE: return thbx_buf_puts(x->b, "true") == 0 ? THBX_OK : nomem(x);
  case JSON_FALSE: return thbx_buf_puts(x->b, "false") == 0 ? THBX_OK : nomem(x);
  default: return THBX_OK;
  }
}

static int open_tag(struct xw *x, const char *name) {
  return thbx_buf_putc(x->b, '<') == 0 && thbx_buf_puts(x->b, name) == 0 ? THBX_OK : nomem(x);
}

static int close_tag(struct xw *x, const char *name) {
  return thbx_buf_puts(x->b, "</") == 0 && thbx_buf_puts(x->b, name) == 0 &&
                 thbx_buf_putc(x->b, '>') == 0
             ? THBX_OK
             : nomem(x);
}

static int put_attr(struct xw *x, const char *name, const json_t *v) {
  if (thbx_buf_putc(x->b, ' ') != 0 || thbx_buf_puts(x->b, name) != 0 ||
      thbx_buf_puts(x->b, "=\"") != 0)
    return nomem(x);
  int rc = put_scalar(x, v, 1);
  if (rc != THBX_OK)
    return rc;
  return thbx_buf_putc(x->b, '"') == 0 ? THBX_OK : nomem(x);
}

static size_t path_push(struct xw *x, const char *key) {
  size_t mark = x->path.len;
  if (thbx_buf_pointer_append(&x->path, key) != 0)
    return (size_t)-1;
  return mark;
}

static void path_pop(struct xw *x, size_t mark) {
  x->path.len = mark;
  if (x->path.data)
    x->path.data[mark] = '\0';
}

static size_t path_index(struct xw *x, size_t i) {
  size_t mark = x->path.len;
  if (thbx_buf_printf(&x->path, "/%zu", i) != 0)
    return (size_t)-1;
  return mark;
}

/* ------------------------------------------------------------ profile mode */

static const char *json_type_word(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a real number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  default: return "null";
  }
}

/* Would the reader, given this scalar's text and the shape's types, read
 * back the same value? (XML text carries no type; the profile gives it.)
 * The text is judged by the reader's own rules (xml_text.c). */
static int integral(double d) { return isfinite(d) && d == floor(d) && fabs(d) < 9.0e15; }

static int representable(const struct thbx_shape *sh, const json_t *v) {
  unsigned t = sh->types;
  struct xml_text_value val;
  char num[32];
  switch (json_typeof(v)) {
  case JSON_STRING:
    return (t & THBX_TYPE_STRING) &&
           xml_text_classify(t, json_string_value(v), json_string_length(v), &val) ==
               XML_TEXT_STRING;
  case JSON_INTEGER:
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return xml_text_classify(t, num, strlen(num), &val) == XML_TEXT_INTEGER;
  case JSON_REAL:
    /* put_double's text always has a '.' and digits: a real wherever a
     * number is allowed; an integral one where only integers are is that
     * integer (JSON Schema's reading: 60.0 is the integer 60) */
    return (t & THBX_TYPE_NUMBER) != 0 || ((t & THBX_TYPE_INTEGER) && integral(json_real_value(v)));
  case JSON_TRUE: return xml_text_classify(t, "true", 4, &val) == XML_TEXT_TRUE;
  case JSON_FALSE: return xml_text_classify(t, "false", 5, &val) == XML_TEXT_FALSE;
  case JSON_NULL: return (t & THBX_TYPE_NULL) != 0;
  default: return 0;
  }
}

static int write_generic(struct xw *x, const char *name, const json_t *v, int level);
static int write_shaped(struct xw *x, const struct thbx_shape *sh, const char *name,
                        const json_t *v, int level);

/* Children (and attributes) of an object element; the start tag `<name` is
 * already written. */
static int write_object_body(struct xw *x, const struct thbx_shape *sh, const char *name,
                             const json_t *obj, int level) {
  int rc;
  /* every key must be known, unless the schema allows others */
  const char *key;
  const json_t *v;
  if (!sh->additional) {
    json_object_foreach((json_t *)obj, key, v) {
      const struct thbx_shape *p = thbx_shape_prop(sh, key, strlen(key));
      if (!p)
        return fail(x, "property '%s' is not in the profile", key);
    }
  }
  for (size_t i = 0; i < sh->nprops; i++) {
    const struct thbx_shape *p = sh->props[i];
    if (!p->xml_attribute || !(v = json_object_get(obj, p->name)))
      continue;
    size_t mark = path_push(x, p->name);
    if (mark == (size_t)-1)
      return nomem(x);
    if (json_is_object(v) || json_is_array(v) || json_is_null(v) || !representable(p, v))
      return fail(x, "%s cannot be written as attribute '%s' where the profile expects %s",
                  json_type_word(v), p->xml_name,
                  (p->types & THBX_TYPE_STRING) ? "a string" : "another type");
    x->int_only = (p->types & THBX_TYPE_INTEGER) && !(p->types & THBX_TYPE_NUMBER);
    rc = put_attr(x, p->xml_name, v);
    x->int_only = 0;
    if (rc != THBX_OK)
      return rc;
    path_pop(x, mark);
  }
  size_t before = x->b->len;
  if (thbx_buf_putc(x->b, '>') != 0)
    return nomem(x);
  size_t after_gt = x->b->len;
  for (size_t i = 0; i < sh->nprops; i++) {
    const struct thbx_shape *p = sh->props[i];
    if (p->xml_attribute || !(v = json_object_get(obj, p->name)))
      continue;
    size_t mark = path_push(x, p->name);
    if (mark == (size_t)-1)
      return nomem(x);
    if ((p->types & THBX_TYPE_ARRAY) && !p->xml_wrapped && json_is_array(v)) {
      if (json_array_size(v) == 0)
        return fail(x, "an empty array cannot be written as unwrapped XML elements");
      size_t j;
      const json_t *item;
      json_array_foreach(v, j, item) {
        size_t m2 = path_index(x, j);
        if (m2 == (size_t)-1)
          return nomem(x);
        if (newline(x, level + 1) != 0)
          return nomem(x);
        if ((rc = write_shaped(x, p->items, p->xml_name, item, level + 1)) != THBX_OK)
          return rc;
        path_pop(x, m2);
      }
    } else {
      if (newline(x, level + 1) != 0)
        return nomem(x);
      if ((rc = write_shaped(x, p, p->xml_name, v, level + 1)) != THBX_OK)
        return rc;
    }
    path_pop(x, mark);
  }
  if (sh->additional) {
    json_object_foreach((json_t *)obj, key, v) {
      if (thbx_shape_prop(sh, key, strlen(key)))
        continue;
      size_t mark = path_push(x, key);
      if (mark == (size_t)-1)
        return nomem(x);
      if ((rc = write_generic(x, key, v, level + 1)) != THBX_OK)
        return rc;
      path_pop(x, mark);
    }
  }
  if (x->b->len == after_gt) {
    /* no children: <name .../> */
    x->b->len = before;
    return thbx_buf_puts(x->b, "/>") == 0 ? THBX_OK : nomem(x);
  }
  if (newline(x, level) != 0)
    return nomem(x);
  return close_tag(x, name);
}

static int write_shaped(struct xw *x, const struct thbx_shape *sh, const char *name,
                        const json_t *v, int level) {
  if (!sh || sh->types == THBX_TYPE_ANY)
    return write_generic(x, name, v, level);
  int rc;
  if (json_is_null(v)) {
    if (!(sh->types & THBX_TYPE_NULL))
      return fail(x, "null where the profile does not allow it cannot be written");
    if ((rc = open_tag(x, name)) != THBX_OK)
      return rc;
    return thbx_buf_puts(x->b, " xsi:nil=\"true\" xmlns:xsi=\"" XSI_NS "\"/>") == 0 ? THBX_OK
                                                                                    : nomem(x);
  }
  if (json_is_object(v)) {
    if (!(sh->types & THBX_TYPE_OBJECT))
      return fail(x, "an object where the profile expects no object cannot be written");
    if ((rc = open_tag(x, name)) != THBX_OK)
      return rc;
    if (sh->nprops == 0) {
      /* a free-form object: spelled generically */
      if (thbx_buf_putc(x->b, '>') != 0)
        return nomem(x);
      const char *key;
      const json_t *m;
      size_t n = 0;
      json_object_foreach((json_t *)v, key, m) {
        size_t mark = path_push(x, key);
        if (mark == (size_t)-1)
          return nomem(x);
        if ((rc = write_generic(x, key, m, level + 1)) != THBX_OK)
          return rc;
        path_pop(x, mark);
        n++;
      }
      if (n && newline(x, level) != 0)
        return nomem(x);
      return close_tag(x, name);
    }
    return write_object_body(x, sh, name, v, level);
  }
  if (json_is_array(v)) {
    if (!(sh->types & THBX_TYPE_ARRAY))
      return fail(x, "an array where the profile expects no array cannot be written");
    if ((rc = open_tag(x, name)) != THBX_OK)
      return rc;
    if (json_array_size(v) == 0)
      return thbx_buf_puts(x->b, "/>") == 0 ? THBX_OK : nomem(x);
    if (thbx_buf_putc(x->b, '>') != 0)
      return nomem(x);
    const char *item = sh->items ? sh->items->xml_name : "item";
    size_t j;
    const json_t *it;
    json_array_foreach(v, j, it) {
      size_t mark = path_index(x, j);
      if (mark == (size_t)-1)
        return nomem(x);
      if (newline(x, level + 1) != 0)
        return nomem(x);
      if ((rc = write_shaped(x, sh->items, item, it, level + 1)) != THBX_OK)
        return rc;
      path_pop(x, mark);
    }
    if (newline(x, level) != 0)
      return nomem(x);
    return close_tag(x, name);
  }
  if (!representable(sh, v))
    return fail(x,
                "%s where the profile expects %s cannot be written in XML "
                "(it would read back as another value)",
                json_type_word(v),
                (sh->types & THBX_TYPE_STRING)    ? "a string"
                : (sh->types & THBX_TYPE_INTEGER) ? "an integer"
                : (sh->types & THBX_TYPE_NUMBER)  ? "a number"
                : (sh->types & THBX_TYPE_BOOLEAN) ? "a boolean"
                                                  : "another type");
  if ((rc = open_tag(x, name)) != THBX_OK)
    return rc;
  if (json_is_string(v) && json_string_length(v) == 0)
    return thbx_buf_puts(x->b, "/>") == 0 ? THBX_OK : nomem(x);
  if (thbx_buf_putc(x->b, '>') != 0)
    return nomem(x);
  x->int_only = (sh->types & THBX_TYPE_INTEGER) && !(sh->types & THBX_TYPE_NUMBER);
  rc = put_scalar(x, v, 0);
  x->int_only = 0;
  if (rc != THBX_OK)
    return rc;
  return close_tag(x, name);
}

/* ------------------------------------------------------------ generic mode */

/* An XML name without a colon (no namespaces in generic output). */
static int is_xml_name(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  if (!*p)
    return 0;
  if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || *p >= 0x80))
    return 0;
  for (p++; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '_' || *p == '-' || *p == '.' || *p >= 0x80))
      return 0;
  /* names starting with "xml" (any case) are reserved */
  if ((s[0] == 'x' || s[0] == 'X') && (s[1] == 'm' || s[1] == 'M') && (s[2] == 'l' || s[2] == 'L'))
    return 0;
  return 1;
}

static int write_generic(struct xw *x, const char *name, const json_t *v, int level) {
  int rc;
  if (!is_xml_name(name))
    return fail(x, "key '%s' is not an XML element name", name);
  if (json_is_array(v)) {
    size_t j;
    const json_t *it;
    json_array_foreach(v, j, it) {
      if (json_is_array(it))
        return fail(x, "an array inside an array cannot be written as generic XML");
      size_t mark = path_index(x, j);
      if (mark == (size_t)-1)
        return nomem(x);
      if ((rc = write_generic(x, name, it, level)) != THBX_OK)
        return rc;
      path_pop(x, mark);
    }
    return THBX_OK;
  }
  if (newline(x, level) != 0)
    return nomem(x);
  if ((rc = open_tag(x, name)) != THBX_OK)
    return rc;
  if (!json_is_object(v)) {
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
      return thbx_buf_puts(x->b, "/>") == 0 ? THBX_OK : nomem(x);
    if (thbx_buf_putc(x->b, '>') != 0)
      return nomem(x);
    if ((rc = put_scalar(x, v, 0)) != THBX_OK)
      return rc;
    return close_tag(x, name);
  }
  const char *key;
  const json_t *m;
  json_object_foreach((json_t *)v, key, m) {
    if (key[0] != '@')
      continue;
    size_t mark = path_push(x, key);
    if (mark == (size_t)-1)
      return nomem(x);
    if (!is_xml_name(key + 1))
      return fail(x, "key '%s' is not an XML attribute name", key);
    if (json_is_object(m) || json_is_array(m))
      return fail(x, "attribute '%s' must be a string, number, boolean or null", key);
    if (json_is_null(m)) {
      if (thbx_buf_printf(x->b, " %s=\"\"", key + 1) != 0)
        return nomem(x);
    } else if ((rc = put_attr(x, key + 1, m)) != THBX_OK) {
      return rc;
    }
    path_pop(x, mark);
  }
  size_t before = x->b->len;
  if (thbx_buf_putc(x->b, '>') != 0)
    return nomem(x);
  size_t after_gt = x->b->len;
  int children = 0;
  const json_t *text = NULL;
  json_object_foreach((json_t *)v, key, m) {
    if (key[0] == '@')
      continue;
    if (strcmp(key, "#text") == 0) {
      text = m;
      continue;
    }
    size_t mark = path_push(x, key);
    if (mark == (size_t)-1)
      return nomem(x);
    if ((rc = write_generic(x, key, m, level + 1)) != THBX_OK)
      return rc;
    path_pop(x, mark);
    children = 1;
  }
  if (text) {
    size_t mark = path_push(x, "#text");
    if (mark == (size_t)-1)
      return nomem(x);
    if (json_is_object(text) || json_is_array(text))
      return fail(x, "\"#text\" must be a string, number, boolean or null");
    if (children && newline(x, level + 1) != 0)
      return nomem(x);
    if ((rc = put_scalar(x, text, 0)) != THBX_OK)
      return rc;
    path_pop(x, mark);
  }
  if (x->b->len == after_gt) {
    x->b->len = before;
    return thbx_buf_puts(x->b, "/>") == 0 ? THBX_OK : nomem(x);
  }
  if (children && newline(x, level) != 0)
    return nomem(x);
  return close_tag(x, name);
}

/* ------------------------------------------------------------------- ops */

static const char *record_name(const struct thbx_writer *w) {
  return w->shape && w->shape->xml_name ? w->shape->xml_name : "record";
}

/* The document element: the profile's, else the generic one asked for. */
static const char *root_name(const struct thbx_writer *w) {
  if (w->shape)
    return w->shape->xml_root ? w->shape->xml_root : "records";
  return w->opt.xml_root ? w->opt.xml_root : "records";
}

static int xml_begin(struct thbx_writer *w, thbx_error_t *err) {
  thbx_buf_t *b = &w->out;
  const char *root = root_name(w);
  int rc = thbx_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s", root);
  if (rc == 0 && w->shape && w->shape->xml_namespace) {
    struct xw x = {w, b, err, 0, {0}, 0};
    rc = thbx_buf_puts(b, " xmlns=\"");
    if (rc == 0 && put_text(&x, w->shape->xml_namespace, strlen(w->shape->xml_namespace), 1))
      rc = -1;
    if (rc == 0)
      rc = thbx_buf_putc(b, '"');
  }
  if (rc == 0)
    rc = thbx_buf_putc(b, '>');
  return rc == 0 ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

static int xml_open(struct thbx_writer *w, thbx_error_t *err) {
  thbx_buf_t *path = calloc(1, sizeof(*path));
  if (!path || thbx_buf_append(path, "", 0) != 0) {
    free(path);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  w->state = path; /* the JSON Pointer buffer, reused for every record */
  return THBX_OK;
}

static void xml_free(struct thbx_writer *w) {
  thbx_buf_t *path = w->state;
  if (path)
    thbx_buf_free(path);
  free(path);
  w->state = NULL;
}

static int xml_write(struct thbx_writer *w, const json_t *record, thbx_error_t *err) {
  thbx_buf_t *path = w->state;
  thbx_buf_reset(path);
  struct xw x = {w, &w->out, err, w->opt.compact ? 0 : 1, *path, 0};
  int rc;
  if (w->shape) {
    if (!json_is_object(record))
      rc = fail(&x, "a record must be an object, not %s", json_type_word(record));
    else
      rc = newline(&x, 1) == 0 ? write_shaped(&x, w->shape, record_name(w), record, 1) : nomem(&x);
  } else if (json_is_array(record)) {
    rc = fail(&x, "an array cannot be written as one generic XML record");
  } else {
    rc = write_generic(&x, w->opt.xml_record ? w->opt.xml_record : "record", record, 1);
  }
  *path = x.path; /* it may have grown */
  return rc;
}

static int xml_end(struct thbx_writer *w, thbx_error_t *err) {
  const char *root = root_name(w);
  int rc = thbx_buf_printf(&w->out, "%s</%s>\n", w->opt.compact ? "" : "\n", root);
  return rc == 0 ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

/* A record's raw bytes from an XML input (reject/accept files): trimmed of
 * surrounding blanks, on a line of its own (not re-indented: the bytes are
 * the record element as it stood in the input). The bytes must not rely on
 * prefixes declared on the input's document element (the reader adds the
 * declarations they take from their ancestors). */
static int xml_write_raw(struct thbx_writer *w, const char *data, size_t length,
                         thbx_error_t *err) {
  while (length && (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n'))
    data++, length--;
  while (length && (data[length - 1] == ' ' || data[length - 1] == '\t' ||
                    data[length - 1] == '\r' || data[length - 1] == '\n'))
    length--;
  int rc = w->opt.compact ? 0 : thbx_buf_putc(&w->out, '\n');
  if (rc == 0)
    rc = thbx_buf_append(&w->out, data, length);
  return rc == 0 ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

const struct writer_ops writer_xml_ops = {
    .open = xml_open,
    .begin = xml_begin,
    .write = xml_write,
    .end = xml_end,
    .free = xml_free,
    .write_raw = xml_write_raw,
};
