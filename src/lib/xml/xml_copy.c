/*
 * xml_copy.c - a record and its document element copied into one block
 * (see xml_copy.h), in one pass: into chunks of CHUNK bytes (one or two for
 * a record), declining what libxml2's copy would not give node for node.
 */
#include "xml_copy.h"

#include <libxml/parserInternals.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16
#define MAX_NS 32 /* namespace declarations in a copy; more: declined */

static size_t rounded(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

/* libxml2's own names of text and comment nodes, kept as they are */
static int builtin_name(const xmlChar *s) {
  return s == xmlStringText || s == xmlStringTextNoenc || s == xmlStringComment;
}

static int is_leaf(xmlElementType t) {
  return t == XML_TEXT_NODE || t == XML_CDATA_SECTION_NODE || t == XML_COMMENT_NODE ||
         t == XML_PI_NODE;
}

/* ------------------------------------------------------------- laying out */

#define CHUNK 8192 /* a record of the profile is some 4-8 KiB of copy */

struct chunk {
  struct chunk *next;
  max_align_t data[];
};

struct fill {
  struct xml_copy *c;
  char *p, *end; /* free bytes of the newest chunk */
  xmlDocPtr doc;
  xmlNsPtr from[MAX_NS], to[MAX_NS]; /* declarations copied so far */
  size_t nns;
  int nomem;
};

static void *take(struct fill *f, size_t n) {
  n = rounded(n);
  if ((size_t)(f->end - f->p) < n) {
    size_t size = n > CHUNK ? n : CHUNK;
    struct chunk *k = malloc(sizeof(*k) + size);
    if (!k) {
      f->nomem = 1;
      return NULL;
    }
    k->next = f->c->block;
    f->c->block = k;
    f->p = (char *)k->data;
    f->end = f->p + size;
  }
  void *r = f->p;
  f->p += n;
  return r;
}

static void *take_zero(struct fill *f, size_t n) {
  void *r = take(f, n);
  if (r)
    memset(r, 0, n);
  return r;
}

/* 0 (*out NULL for s NULL) or -1 */
static int dup(struct fill *f, const xmlChar *s, xmlChar **out) {
  *out = NULL;
  if (!s)
    return 0;
  size_t n = strlen((const char *)s) + 1;
  if (!(*out = take(f, n)))
    return -1;
  memcpy(*out, s, n);
  return 0;
}

/* The copy of declaration ns (1: not copied, bound outside the copy). */
static int map_ns(const struct fill *f, xmlNsPtr ns, xmlNsPtr *out) {
  *out = NULL;
  if (!ns)
    return 0;
  for (size_t i = 0; i < f->nns; i++)
    if (f->from[i] == ns) {
      *out = f->to[i];
      return 0;
    }
  return 1;
}

static void append(xmlNodePtr parent, xmlNodePtr k) {
  k->prev = parent->last;
  if (parent->last)
    parent->last->next = k;
  else
    parent->children = k;
  parent->last = k;
}

/* Returns 0, 1 (declined) or -1 (out of memory) as the functions below. */
static int leaf(struct fill *f, xmlNodePtr x, xmlNodePtr parent) {
  xmlNodePtr d = take_zero(f, sizeof(xmlNode));
  if (!d)
    return -1;
  d->type = x->type;
  d->parent = parent;
  d->doc = f->doc;
  append(parent, d);
  if (builtin_name(x->name))
    d->name = x->name;
  else if (dup(f, x->name, (xmlChar **)&d->name) != 0)
    return -1;
  return dup(f, x->content, &d->content);
}

/* The children of an attribute or (deep) an element. libxml2's copy
 * merges adjacent text nodes (xmlAddChild): declined. */
static int element(struct fill *f, xmlNodePtr x, xmlNodePtr parent, int deep, xmlNodePtr *out);
static int children(struct fill *f, xmlNodePtr first, xmlNodePtr parent, int attr) {
  xmlElementType prev = XML_ELEMENT_NODE;
  for (xmlNodePtr c = first; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && prev == XML_TEXT_NODE)
      return 1;
    prev = c->type;
    int rc;
    if (attr ? c->type != XML_TEXT_NODE : c->type != XML_ELEMENT_NODE && !is_leaf(c->type))
      return 1;
    if (c->type == XML_ELEMENT_NODE) {
      xmlNodePtr k;
      rc = element(f, c, parent, 1, &k);
    } else {
      rc = leaf(f, c, parent);
    }
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int element(struct fill *f, xmlNodePtr x, xmlNodePtr parent, int deep, xmlNodePtr *out) {
  xmlNodePtr d = *out = take_zero(f, sizeof(xmlNode));
  if (!d)
    return -1;
  d->type = XML_ELEMENT_NODE;
  d->parent = parent;
  d->doc = f->doc;
  d->line = x->line;
  if (parent->type != XML_DOCUMENT_NODE)
    append(parent, d);
  if (dup(f, x->name, (xmlChar **)&d->name) != 0)
    return -1;
  xmlNsPtr *tail = &d->nsDef;
  for (xmlNsPtr ns = x->nsDef; ns; ns = ns->next) {
    if (f->nns == MAX_NS || ns->type != XML_NAMESPACE_DECL)
      return 1;
    xmlNsPtr c = take_zero(f, sizeof(xmlNs));
    if (!c || dup(f, ns->href, (xmlChar **)&c->href) != 0 ||
        dup(f, ns->prefix, (xmlChar **)&c->prefix) != 0)
      return -1;
    c->type = XML_NAMESPACE_DECL;
    f->from[f->nns] = ns;
    f->to[f->nns++] = c;
    *tail = c;
    tail = &c->next;
  }
  if (map_ns(f, x->ns, &d->ns) != 0)
    return 1;
  xmlAttrPtr prev = NULL;
  for (xmlAttrPtr a = x->properties; a; a = a->next) {
    if (a->type != XML_ATTRIBUTE_NODE)
      return 1;
    xmlAttrPtr c = take_zero(f, sizeof(xmlAttr));
    if (!c)
      return -1;
    c->type = XML_ATTRIBUTE_NODE;
    c->parent = d;
    c->doc = f->doc;
    c->prev = prev;
    if (prev)
      prev->next = c;
    else
      d->properties = c;
    prev = c;
    if (dup(f, a->name, (xmlChar **)&c->name) != 0)
      return -1;
    if (map_ns(f, a->ns, &c->ns) != 0)
      return 1;
    int rc = children(f, a->children, (xmlNodePtr)c, 1);
    if (rc != 0)
      return rc;
  }
  return deep ? children(f, x->children, d, 0) : 0;
}

int xml_copy_record(struct xml_copy *c, xmlNodePtr root, xmlNodePtr node) {
  memset(c, 0, sizeof(*c));
  if (!root || root->type != XML_ELEMENT_NODE || node->type != XML_ELEMENT_NODE)
    return 1;
  struct fill f = {.c = c};
  f.doc = c->doc = xmlNewDoc((const xmlChar *)"1.0");
  if (!c->doc)
    return -1;
  xmlNodePtr top = NULL;
  int rc = element(&f, root, (xmlNodePtr)c->doc, 0, &top);
  c->doc->children = c->doc->last = top;
  if (rc == 0)
    rc = element(&f, node, top, 1, &c->node);
  if (rc != 0) {
    xml_copy_free(c);
    return rc;
  }
  return 0;
}

void xml_copy_free(struct xml_copy *c) {
  if (c->doc) {
    /* the nodes are the block's: libxml2 frees the document alone (and the
     * ID tables the validator made) */
    c->doc->children = c->doc->last = NULL;
    xmlFreeDoc(c->doc);
  }
  for (struct chunk *k = c->block, *next; k; k = next) {
    next = k->next;
    free(k);
  }
  memset(c, 0, sizeof(*c));
}
