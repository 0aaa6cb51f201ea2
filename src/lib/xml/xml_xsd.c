/*
 * xml_xsd.c - per-record XSD validation with located errors (xml_xsd.h).
 */
#include "xml_xsd.h"
#include "xml_guard.h"
#include "xsd_issue.h"

#include <libxml/valid.h>
#include <stdlib.h>
#include <string.h>

/* Pre-order index of element `target` in the tree under `top` (0: top). */
size_t xml_element_index(xmlNodePtr top, xmlNodePtr target) {
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

static thbx_error_t *add(struct xml_xsd_check *c, struct xml_pos p, const char *text) {
  static _Thread_local thbx_error_t x;
  thbx_error_clear(&x);
  thbx_error_at(&x, c->source, p.line, p.col);
  x.record_index = c->record_index;
  thbx_strlcpy(x.text, text, sizeof(x.text));
  return &x;
}

static void push(struct xml_xsd_check *c, const thbx_error_t *x) {
  if (c->add(c->ctx, x) != THBX_OK)
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
  /* plain words, the value left out (xsd_issue.c) */
  char text[THBX_ERROR_TEXT_LENGTH];
  char *value = xsd_issue_value(target);
  xsd_issue_message(text, sizeof(text), e->message, value);
  free(value);
  if (!node || node == c->copy->parent || node->type == XML_DOCUMENT_NODE) {
    /* a fault of the document element, not of this record */
    thbx_error_t *x = add(c, c->root, text);
    x->record_index = -1;
    if (c->add_document && c->add_document(c->ctx, x) != THBX_OK)
      c->status = THBX_ENOMEM;
    c->doc_raised++;
    return;
  }
  thbx_error_t *x =
      add(c, xml_scan_elem_pos(c->scan, c->rec, xml_element_index(c->copy, node)), text);
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  if (xsd_issue_pointer(c->shape, c->copy, target, &ptr) == 0 && ptr.data)
    thbx_strlcpy(x->instance_path, ptr.data, sizeof(x->instance_path));
  thbx_buf_free(&ptr);
  push(c, x);
}

/* Validate the record where it stands: for the time of the validation the
 * document element's only child is the record, so the validator sees what
 * it would see in a copy (the document element with its attributes and
 * namespaces, and the one record) without making it: copying and freeing
 * the copy was 13% of validating XML (callgrind, issue 15). IDs and IDREFs
 * the validator registers (xs:ID, xs:IDREF) are dropped afterwards, as they
 * would have been with the copy, so that each record is checked on its own
 * (test t0440-xsd-per-record). */
static int validate_in_place(struct xml_xsd_check *c, xmlNodePtr root, xmlNodePtr node) {
  xmlDocPtr doc = node->doc;
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
  if (doc->ids) {
    xmlFreeIDTable(doc->ids);
    doc->ids = NULL;
  }
  if (doc->refs) {
    xmlFreeRefTable(doc->refs);
    doc->refs = NULL;
  }
  return v;
}

int xml_xsd_validate_record(struct xml_xsd_check *c, xmlNodePtr node) {
  c->count = 0;
  c->doc_raised = 0;
  c->status = THBX_OK;
  xmlNodePtr root = node->parent;
  int alone = c->alone || !root || root->type != XML_ELEMENT_NODE; /* a document of one record */
  if (!alone && node->doc && root->parent == (xmlNodePtr)node->doc && !node->doc->ids &&
      !node->doc->refs) {
    /* the document has no IDs of its own (the parser registers xml:id):
     * none but this record's can be dropped after */
    int v = validate_in_place(c, root, node);
    if (v > 0 && c->count == 0 && c->doc_raised == 0) /* invalid, yet nothing said: say so */
      push(c, add(c, c->rec->start, "the record is not valid against the XSD"));
    return v < 0 || c->status != THBX_OK ? THBX_ENOMEM : THBX_OK;
  }
  xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
  if (!doc)
    return THBX_ENOMEM;
  int rc = THBX_ENOMEM;
  xmlNodePtr top = alone ? NULL : xmlDocCopyNode(root, doc, 2); /* attributes, namespaces */
  if (!top && !alone)
    goto done;
  if (top)
    xmlDocSetRootElement(doc, top);
  xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
  if (!copy)
    goto done;
  if (top)
    xmlAddChild(top, copy);
  else
    xmlDocSetRootElement(doc, copy);
  c->copy = copy;
  xmlSchemaSetValidStructuredErrors(c->vctxt, on_xsd_error, c);
  int v = xmlSchemaValidateDoc(c->vctxt, doc);
  c->copy = NULL;
  if (v > 0 && c->count == 0 && c->doc_raised == 0) /* invalid, yet nothing said: say so */
    push(c, add(c, c->rec->start, "the record is not valid against the XSD"));
  rc = v < 0 || c->status != THBX_OK ? THBX_ENOMEM : THBX_OK;
done:
  xmlFreeDoc(doc);
  return rc;
}
