/*
 * xsd_issue.c - an XSD error of libxml2 as a data officer reads it: the
 * JSON Pointer of the offending element or attribute under the profile's
 * shape (so that it names the field as every other error does, and the
 * validator can tell when the JSON Schema saw the same fault), and the
 * message in plain words, without the {namespace}name notation and without
 * the value (which the report shows, or leaves out when redacted):
 *
 *   Element '{urn:thbx:thb-event:1.0}sex': [facet 'enumeration'] The value
 *   'F' is not an element of the set {'female', 'male'}.
 *     -> /person/sex  "is not one of the values the XSD allows: female, male"
 */
#include "xsd_issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t same_name_before(xmlNodePtr el) {
  size_t i = 0;
  for (xmlNodePtr p = el->prev; p; p = p->prev)
    if (p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, el->name))
      i++;
  return i;
}

int xsd_issue_pointer(const struct thbx_shape *root, xmlNodePtr record, xmlNodePtr node,
                      thbx_buf_t *out) {
  thbx_buf_reset(out);
  int rc = thbx_buf_puts(out, "");
  const xmlChar *attr = NULL;
  if (node && node->type == XML_ATTRIBUTE_NODE) {
    attr = node->name;
    node = node->parent;
  }
  /* the elements from the record (exclusive) down to node */
  xmlNodePtr chain[64];
  size_t depth = 0;
  for (xmlNodePtr p = node; p && p != record; p = p->parent) {
    if (p->type != XML_ELEMENT_NODE || depth == sizeof(chain) / sizeof(chain[0]))
      return -1; /* not inside the record */
    chain[depth++] = p;
  }
  const struct thbx_shape *sh = root;
  char num[32];
  while (depth > 0) {
    xmlNodePtr el = chain[--depth];
    if (sh && (sh->types & THBX_TYPE_ARRAY) && sh->xml_wrapped && sh->name) {
      /* an item element inside a wrapped array */
      snprintf(num, sizeof(num), "/%zu", same_name_before(el));
      rc |= thbx_buf_puts(out, num);
      sh = sh->items;
      continue;
    }
    const struct thbx_shape *child =
        sh ? thbx_shape_xml_child(sh, (const char *)el->name, 0) : NULL;
    if (!child) {
      rc |= thbx_buf_pointer_append(out, (const char *)el->name);
      sh = NULL;
      continue;
    }
    rc |= thbx_buf_pointer_append(out, child->name ? child->name : (const char *)el->name);
    if ((child->types & THBX_TYPE_ARRAY) && !child->xml_wrapped) {
      snprintf(num, sizeof(num), "/%zu", same_name_before(el));
      rc |= thbx_buf_puts(out, num);
      sh = child->items;
    } else {
      sh = child;
    }
  }
  if (attr) {
    const struct thbx_shape *a = sh ? thbx_shape_xml_child(sh, (const char *)attr, 1) : NULL;
    rc |= thbx_buf_pointer_append(out, a && a->name ? a->name : (const char *)attr);
  }
  return rc ? -1 : 0;
}

/* ------------------------------------------------------------ messages */

/* Copy s to b without "{namespace}" before names. */
static void put_plain(thbx_buf_t *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '{') {
      const char *close = memchr(s + i, '}', n - i);
      /* a namespace URI has a ':' and no blank; a set of values has blanks */
      if (close && memchr(s + i, ':', (size_t)(close - (s + i))) &&
          !memchr(s + i, ' ', (size_t)(close - (s + i)))) {
        i = (size_t)(close - s);
        continue;
      }
    }
    thbx_buf_putc(b, s[i]);
  }
}

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The text between `after` and `before` in s (after the first `after`),
 * namespaces removed, into b. 0 if not found. */
static int between(const char *s, const char *after, const char *before, thbx_buf_t *b) {
  const char *p = strstr(s, after);
  if (!p)
    return 0;
  p += strlen(after);
  const char *q = before ? strstr(p, before) : p + strlen(p);
  if (!q)
    return 0;
  thbx_buf_reset(b);
  thbx_buf_puts(b, "");
  put_plain(b, p, (size_t)(q - p));
  return 1;
}

/* "'a', 'b', 'c'" -> "a, b, c", at most 12 values then "... (N values)". */
static void put_set(thbx_buf_t *out, const char *set) {
  size_t count = 0;
  for (const char *p = set; *p;) {
    const char *q = strchr(p, '\'');
    if (!q)
      break;
    const char *e = strchr(q + 1, '\'');
    if (!e)
      break;
    if (count < 12) {
      if (count)
        thbx_buf_puts(out, ", ");
      thbx_buf_append(out, q + 1, (size_t)(e - q - 1));
    }
    count++;
    p = e + 1;
  }
  if (count > 12)
    thbx_buf_printf(out, ", ... (%zu values)", count);
}

/* Replace every 'VALUE' in b by "the value" (a message names no value). */
static void hide_value(thbx_buf_t *b, const char *value) {
  if (!value || !b->data)
    return;
  size_t vn = strlen(value);
  thbx_buf_t o;
  thbx_buf_init(&o);
  thbx_buf_puts(&o, "");
  const char *p = b->data;
  while (*p) {
    if (*p == '\'' && strncmp(p + 1, value, vn) == 0 && p[1 + vn] == '\'') {
      thbx_buf_puts(&o, "the value");
      p += vn + 2;
    } else {
      thbx_buf_putc(&o, *p++);
    }
  }
  thbx_buf_free(b);
  *b = o;
}

void xsd_issue_message(char *dst, size_t size, const char *msg, const char *value) {
  thbx_buf_t name, attr, a, b, out;
  thbx_buf_init(&name);
  thbx_buf_init(&attr);
  thbx_buf_init(&a);
  thbx_buf_init(&b);
  thbx_buf_init(&out);
  thbx_buf_puts(&out, "");
  if (!msg)
    msg = "not valid against the XSD";
  /* "Element 'x'[, attribute 'y']: rest" */
  const char *rest = msg;
  if (starts(msg, "Element '")) {
    const char *q = strstr(msg + 9, "'");
    if (q) {
      thbx_buf_puts(&name, "");
      put_plain(&name, msg + 9, (size_t)(q - (msg + 9)));
      rest = q + 1;
      if (starts(rest, ", attribute '")) {
        const char *q2 = strchr(rest + 13, '\'');
        if (q2) {
          thbx_buf_puts(&attr, "");
          put_plain(&attr, rest + 13, (size_t)(q2 - (rest + 13)));
          rest = q2 + 1;
        }
      }
      if (starts(rest, ": "))
        rest += 2;
    }
  }
  const char *el = name.data ? name.data : "?";
  if (strstr(rest, "[facet 'enumeration']") && between(rest, "set {", "}", &a)) {
    thbx_buf_puts(&out, "is not one of the values the XSD allows: ");
    put_set(&out, a.data);
  } else if (strstr(rest, "[facet 'pattern']") && between(rest, "by the pattern '", "'.", &a)) {
    thbx_buf_printf(&out, "does not match the XSD pattern '%s'", a.data);
  } else if (strstr(rest, "[facet 'minLength']") && between(rest, "has a length of '", "'", &a) &&
             between(rest, "minimum length of '", "'", &b)) {
    thbx_buf_printf(&out, "has %s characters, the XSD wants at least %s", a.data, b.data);
  } else if (strstr(rest, "[facet 'maxLength']") && between(rest, "has a length of '", "'", &a) &&
             between(rest, "maximum length of '", "'", &b)) {
    thbx_buf_printf(&out, "has %s characters, the XSD allows at most %s", a.data, b.data);
  } else if (strstr(rest, "[facet 'minInclusive']") &&
             between(rest, "minimum value allowed ('", "')", &a)) {
    thbx_buf_printf(&out, "is less than %s, the XSD's minimum", a.data);
  } else if (strstr(rest, "[facet 'maxInclusive']") &&
             between(rest, "maximum value allowed ('", "')", &a)) {
    thbx_buf_printf(&out, "is greater than %s, the XSD's maximum", a.data);
  } else if (strstr(rest, "is not a valid value of the atomic type '") &&
             between(rest, "atomic type '", "'", &a)) {
    thbx_buf_printf(&out, "is not a valid %s", a.data);
  } else if (strstr(rest, "is not a valid value of the local atomic type") ||
             strstr(rest, "is not a valid value of the local union type")) {
    thbx_buf_puts(&out, "is not a valid value of its XSD type");
  } else if (starts(rest, "This element is not expected.")) {
    thbx_buf_printf(&out, "element '%s' is not expected here", el);
    if (between(rest, "Expected is one of ( ", " )", &a))
      thbx_buf_printf(&out, "; expected one of: %s", a.data);
    else if (between(rest, "Expected is ( ", " )", &a))
      thbx_buf_printf(&out, "; expected: %s", a.data);
  } else if (starts(rest, "Missing child element(s).")) {
    thbx_buf_printf(&out, "element '%s' lacks a child element", el);
    if (between(rest, "Expected is one of ( ", " )", &a))
      thbx_buf_printf(&out, ": one of %s", a.data);
    else if (between(rest, "Expected is ( ", " )", &a))
      thbx_buf_printf(&out, ": %s", a.data);
  } else if (starts(rest, "The attribute '") && strstr(rest, "is not allowed") &&
             between(rest, "The attribute '", "'", &a)) {
    thbx_buf_printf(&out, "attribute '%s' is not allowed on element '%s'", a.data, el);
  } else if (starts(rest, "The attribute '") && strstr(rest, "is required but missing") &&
             between(rest, "The attribute '", "'", &a)) {
    thbx_buf_printf(&out, "element '%s' lacks the attribute '%s'", el, a.data);
  } else if (strstr(rest, "No matching global declaration available for the validation root")) {
    thbx_buf_printf(&out, "the document element '%s' is not one the XSD declares", el);
  } else if (strstr(rest, "Character content other than whitespace is not allowed")) {
    thbx_buf_printf(&out, "element '%s' cannot hold text, only elements", el);
  } else if (strstr(rest, "Element content is not allowed")) {
    thbx_buf_printf(&out, "element '%s' holds elements where the XSD expects a value", el);
  } else {
    /* anything else: libxml2's words, without namespaces and the value */
    if (name.data) {
      thbx_buf_printf(&out, "element '%s'", el);
      if (attr.data)
        thbx_buf_printf(&out, ", attribute '%s'", attr.data);
      thbx_buf_puts(&out, ": ");
    }
    size_t at = out.len;
    put_plain(&out, rest, strlen(rest));
    if (out.data && out.data[at] >= 'A' && out.data[at] <= 'Z' &&
        !(out.data[at + 1] >= 'A' && out.data[at + 1] <= 'Z'))
      out.data[at] = (char)(out.data[at] - 'A' + 'a');
  }
  hide_value(&out, value);
  /* no trailing period or newline */
  size_t n = out.len;
  while (n > 0 && (out.data[n - 1] == '\n' || out.data[n - 1] == ' ' || out.data[n - 1] == '.'))
    out.data[--n] = '\0';
  thbx_strlcpy(dst, out.data ? out.data : "not valid against the XSD", size);
  thbx_buf_free(&name);
  thbx_buf_free(&attr);
  thbx_buf_free(&a);
  thbx_buf_free(&b);
  thbx_buf_free(&out);
}

char *xsd_issue_value(xmlNodePtr node) {
  if (!node)
    return NULL;
  if (node->type == XML_ELEMENT_NODE)
    for (xmlNodePtr c = node->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE)
        return NULL; /* not a value */
  xmlChar *t = xmlNodeGetContent(node);
  if (!t)
    return NULL;
  char *copy = strdup((const char *)t);
  xmlFree(t);
  return copy;
}
