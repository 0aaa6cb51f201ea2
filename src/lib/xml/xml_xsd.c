/*
 * xml_xsd.c - per-record XSD validation with located errors (xml_xsd.h).
 */
#include "xml_xsd.h"
#include "xml_guard.h"

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
  if (node && node->type == XML_ATTRIBUTE_NODE)
    node = node->parent;
  add(c, xml_scan_elem_pos(c->scan, c->rec, node ? xml_element_index(c->copy, node) : 0), e->message,
      1);
}

int xml_xsd_validate_record(struct xml_xsd_check *c, xmlNodePtr node) {
  c->count = 0;
  c->status = THBX_OK;
  xmlNodePtr root = node->parent;
  int alone = !root || root->type != XML_ELEMENT_NODE; /* a document of one record */
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
  if (v > 0 && c->count == 0) /* invalid, yet nothing reported (a libxml2 corner): say so */
    add(c, c->rec->start, "the record is not valid against the XSD", 0);
  rc = v < 0 || c->status != THBX_OK ? THBX_ENOMEM : THBX_OK;
done:
  xmlFreeDoc(doc);
  return rc;
}
