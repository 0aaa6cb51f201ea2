/*
 * xml_xsd.c - per-record XSD validation with located errors (xml_xsd.h).
 */
#include "xml_xsd.h"
#include "xml_guard.h"
#include "xsd_issue.h"

#include <stdlib.h>

#include <libxml/valid.h>
#include <string.h>

/* Pre-order index of element `target` in the tree under `top` (0: top). */
static size_t element_index(xmlNodePtr top, xmlNodePtr target) {
  size_t i = 0;
  xmlNodePtr n = top;
  while (n) {
    if (n == target)
      return i;
    if (n->type == XML_ELEMENT_NODE)
      i++;
    if (n->children && n->type == XML_ELEMENT_NODE) {
      n = n->children;
      continue;
    }
    while (n != top && !n->next)
      n = n->parent;
    if (n == top)
      break;
    n = n->next;
  }
  return 0;
}

static void add(struct xml_xsd_check *c, struct xml_pos p, const char *message, int clean) {
  thbx_error_t x;
  thbx_error_clear(&x);
  thbx_error_at(&x, c->source, p.line, p.col);
  x.record_index = c->record_index;
  if (clean)
    xml_clean_message(x.text, sizeof(x.text), message);
  else
    thbx_strlcpy(x.text, message, sizeof(x.text));
  if (c->add(c->ctx, &x) != THBX_OK)
    c->status = THBX_ENOMEM;
  else
    c->count++;
}

static void on_xsd_error(void *ctx, xmlErrorPtr e) {
  struct xml_xsd_check *c = ctx;
  if (!e || e->level == XML_ERR_WARNING || !c->copy)
    return;
  if (e->message && strstr(e->message, "No precomputed value available"))
    return; /* libxml2's echo of the facet error just reported */
  if (c->count >= c->max_errors)
    return;
  xmlNodePtr node = e->node;
  xmlNodePtr target = node; /* the attribute itself, for its field */
  if (node && node->type == XML_ATTRIBUTE_NODE)
    node = node->parent;
  thbx_error_t x;
  thbx_error_clear(&x);
  /* plain words, the value left out (xsd_issue.c) */
  char *value = xsd_issue_value(target);
  xsd_issue_message(x.text, sizeof(x.text), e->message, value);
  free(value);
  if (!node || node == c->copy->parent || node->type == XML_DOCUMENT_NODE) {
    /* a fault of the document element, which every record's check sees
     * again: reported once, at the root, and not held against the record */
    thbx_error_at(&x, c->source, c->root.line, c->root.col);
    if (c->add_document && c->add_document(c->ctx, &x) != THBX_OK)
      c->status = THBX_ENOMEM;
    c->doc_raised++;
    return;
  }
  struct xml_pos p = xml_scan_elem_pos(c->scan, c->rec, element_index(c->copy, node));
  thbx_error_at(&x, c->source, p.line, p.col);
  x.record_index = c->record_index;
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  if (xsd_issue_pointer(c->shape, c->copy, target, &ptr) == 0 && ptr.data)
    thbx_strlcpy(x.instance_path, ptr.data, sizeof(x.instance_path));
  thbx_buf_free(&ptr);
  if (c->add(c->ctx, &x) != THBX_OK)
    c->status = THBX_ENOMEM;
  else
    c->count++;
}

/* Validate the record where it is: for the time of the validation the
 * document element's only child is the record, so the validator sees what
 * it would see in a copy (the document element with its attributes and
 * namespaces, and the one record) without the copy: copying and freeing it
 * was 13% of validating XML (callgrind, issue 15). IDs the validator
 * registers (xs:ID attributes) are dropped afterwards, as a copy would have
 * dropped them, so that each record is checked on its own. */
static int validate_in_place(struct xml_xsd_check *c, xmlNodePtr root, xmlNodePtr node) {
  xmlDocPtr doc = node->doc;
  void *ids = doc->ids, *refs = doc->refs;
  xmlNodePtr first = root->children, last = root->last, prev = node->prev, next = node->next;
  root->children = root->last = node;
  node->prev = node->next = NULL;
  c->copy = node;
  xmlSchemaSetValidStructuredErrors(c->vctxt, on_xsd_error, c);
  int v = xmlSchemaValidateDoc(c->vctxt, doc);
  c->copy = NULL;
  root->children = first;
  root->last = last;
  node->prev = prev;
  node->next = next;
  if (!ids && doc->ids) {
    xmlFreeIDTable(doc->ids);
    doc->ids = NULL;
  }
  if (!refs && doc->refs) {
    xmlFreeRefTable(doc->refs);
    doc->refs = NULL;
  }
  if (v > 0 && c->count == 0 && c->doc_raised == 0)
    add(c, c->rec->start, "the record is not valid against the XSD", 0);
  return v < 0 || c->status != THBX_OK ? THBX_ENOMEM : THBX_OK;
}

int xml_xsd_validate_record(struct xml_xsd_check *c, xmlNodePtr node) {
  c->count = 0;
  c->status = THBX_OK;
  c->doc_raised = 0;
  xmlNodePtr root = node->parent;
  if (!root || root->type != XML_ELEMENT_NODE)
    return THBX_OK;
  if (node->doc && root->parent == (xmlNodePtr)node->doc && !node->doc->ids && !node->doc->refs)
    return validate_in_place(c, root, node);
  xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
  if (!doc)
    return THBX_ENOMEM;
  int rc = THBX_ENOMEM;
  xmlNodePtr top = xmlDocCopyNode(root, doc, 2); /* attributes and namespaces */
  if (!top)
    goto done;
  xmlDocSetRootElement(doc, top);
  xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
  if (!copy)
    goto done;
  xmlAddChild(top, copy);
  c->copy = copy;
  xmlSchemaSetValidStructuredErrors(c->vctxt, on_xsd_error, c);
  int v = xmlSchemaValidateDoc(c->vctxt, doc);
  c->copy = NULL;
  if (v > 0 && c->count == 0 && c->doc_raised == 0) /* invalid, yet nothing reported: say so */
    add(c, c->rec->start, "the record is not valid against the XSD", 0);
  rc = v < 0 || c->status != THBX_OK ? THBX_ENOMEM : THBX_OK;
done:
  xmlFreeDoc(doc);
  return rc;
}
