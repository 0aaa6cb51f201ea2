/*
 * xml_copy.c - a record and its document element copied into one block
 * (see xml_copy.h). Two passes: the first sizes the block and declines what
 * libxml2's copy would not give node for node, the second lays the copy out.
 */
#include "xml_copy.h"

#include <libxml/parserInternals.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16
#define MAX_NS 32 /* namespace declarations in a copy; more: declined */

static size_t rounded(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static size_t str_size(const xmlChar *s) { return s ? rounded(strlen((const char *)s) + 1) : 0; }

/* libxml2's own names of text and comment nodes, kept as they are */
static int builtin_name(const xmlChar *s) {
  return s == xmlStringText || s == xmlStringTextNoenc || s == xmlStringComment;
}

static int is_leaf(xmlElementType t) {
  return t == XML_TEXT_NODE || t == XML_CDATA_SECTION_NODE || t == XML_COMMENT_NODE ||
         t == XML_PI_NODE;
}

/* ---------------------------------------------------------------- sizing */

static int size_leaf(xmlNodePtr x, size_t *n) {
  *n += rounded(sizeof(xmlNode)) + str_size(x->content) +
        (builtin_name(x->name) ? 0 : str_size(x->name));
  return 0;
}

/* Children of an element or an attribute. libxml2's copy merges adjacent
 * text nodes (xmlAddChild): declined. */
static int size_element(xmlNodePtr x, int deep, size_t *n);
static int size_children(xmlNodePtr first, int attr, size_t *n) {
  xmlElementType prev = XML_ELEMENT_NODE;
  for (xmlNodePtr c = first; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && prev == XML_TEXT_NODE)
      return 1;
    prev = c->type;
    if (attr                          ? c->type != XML_TEXT_NODE
        : c->type == XML_ELEMENT_NODE ? size_element(c, 1, n) != 0
                                      : !is_leaf(c->type) || size_leaf(c, n) != 0)
      return 1;
    if (attr)
      size_leaf(c, n);
  }
  return 0;
}

static int size_element(xmlNodePtr x, int deep, size_t *n) {
  *n += rounded(sizeof(xmlNode)) + str_size(x->name);
  for (xmlNsPtr d = x->nsDef; d; d = d->next) {
    if (d->type != XML_NAMESPACE_DECL)
      return 1;
    *n += rounded(sizeof(xmlNs)) + str_size(d->href) + str_size(d->prefix);
  }
  for (xmlAttrPtr a = x->properties; a; a = a->next) {
    if (a->type != XML_ATTRIBUTE_NODE)
      return 1;
    *n += rounded(sizeof(xmlAttr)) + str_size(a->name);
    if (size_children(a->children, 1, n) != 0)
      return 1;
  }
  return deep ? size_children(x->children, 0, n) : 0;
}

/* ------------------------------------------------------------- laying out */

struct fill {
  char *p; /* next free byte of the block */
  xmlDocPtr doc;
  xmlNsPtr from[MAX_NS], to[MAX_NS]; /* declarations copied so far */
  size_t nns;
};

static void *take(struct fill *f, size_t n) {
  void *r = f->p;
  f->p += rounded(n);
  memset(r, 0, n);
  return r;
}

static xmlChar *dup(struct fill *f, const xmlChar *s) {
  if (!s)
    return NULL;
  size_t n = strlen((const char *)s) + 1;
  xmlChar *d = (xmlChar *)f->p;
  f->p += rounded(n);
  memcpy(d, s, n);
  return d;
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

static xmlNodePtr leaf(struct fill *f, xmlNodePtr x, xmlNodePtr parent) {
  xmlNodePtr d = take(f, sizeof(xmlNode));
  d->type = x->type;
  d->name = builtin_name(x->name) ? x->name : dup(f, x->name);
  d->content = dup(f, x->content);
  d->parent = parent;
  d->doc = f->doc;
  append(parent, d);
  return d;
}

static int element(struct fill *f, xmlNodePtr x, xmlNodePtr parent, int deep, xmlNodePtr *out) {
  xmlNodePtr d = take(f, sizeof(xmlNode));
  d->type = XML_ELEMENT_NODE;
  d->name = dup(f, x->name);
  d->parent = parent;
  d->doc = f->doc;
  d->line = x->line;
  *out = d;
  xmlNsPtr *tail = &d->nsDef;
  for (xmlNsPtr ns = x->nsDef; ns; ns = ns->next) {
    if (f->nns == MAX_NS)
      return 1;
    xmlNsPtr c = take(f, sizeof(xmlNs));
    c->type = XML_NAMESPACE_DECL;
    c->href = dup(f, ns->href);
    c->prefix = dup(f, ns->prefix);
    f->from[f->nns] = ns;
    f->to[f->nns++] = c;
    *tail = c;
    tail = &c->next;
  }
  if (map_ns(f, x->ns, &d->ns) != 0)
    return 1;
  xmlAttrPtr prev = NULL;
  for (xmlAttrPtr a = x->properties; a; a = a->next) {
    xmlAttrPtr c = take(f, sizeof(xmlAttr));
    c->type = XML_ATTRIBUTE_NODE;
    c->name = dup(f, a->name);
    c->parent = d;
    c->doc = f->doc;
    c->prev = prev;
    if (map_ns(f, a->ns, &c->ns) != 0)
      return 1;
    for (xmlNodePtr t = a->children; t; t = t->next)
      leaf(f, t, (xmlNodePtr)c);
    if (prev)
      prev->next = c;
    else
      d->properties = c;
    prev = c;
  }
  if (parent->type != XML_DOCUMENT_NODE)
    append(parent, d);
  if (!deep)
    return 0;
  for (xmlNodePtr c = x->children; c; c = c->next) {
    xmlNodePtr k;
    if (c->type != XML_ELEMENT_NODE)
      leaf(f, c, d);
    else if (element(f, c, d, 1, &k) != 0)
      return 1;
  }
  return 0;
}

int xml_copy_record(struct xml_copy *c, xmlNodePtr root, xmlNodePtr node) {
  memset(c, 0, sizeof(*c));
  size_t n = 0;
  if (!root || root->type != XML_ELEMENT_NODE || node->type != XML_ELEMENT_NODE ||
      size_element(root, 0, &n) != 0 || size_element(node, 1, &n) != 0)
    return 1;
  struct fill f = {0};
  f.p = c->block = malloc(n ? n : 1);
  f.doc = c->doc = xmlNewDoc((const xmlChar *)"1.0");
  if (!c->block || !c->doc) {
    xml_copy_free(c);
    return -1;
  }
  xmlNodePtr top = NULL;
  int rc = element(&f, root, (xmlNodePtr)c->doc, 0, &top);
  c->doc->children = c->doc->last = top;
  if (rc == 0)
    rc = element(&f, node, top, 1, &c->node);
  if (rc != 0) {
    xml_copy_free(c);
    return 1;
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
  free(c->block);
  memset(c, 0, sizeof(*c));
}
