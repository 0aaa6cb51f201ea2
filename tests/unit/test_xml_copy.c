/*
 * test_xml_copy.c - the one-block copy of a record under its document
 * element (xml/xml_copy.c) is libxml2's copy (xmlDocCopyNode) node for
 * node: types, names, texts, lines, attributes, namespace declarations and
 * which declaration each element and attribute is bound to; and it declines
 * what it cannot copy so (the xml: namespace, adjacent text nodes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "xml_copy.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

static int same_str(const xmlChar *a, const xmlChar *b) {
  return (!a && !b) || (a && b && strcmp((const char *)a, (const char *)b) == 0);
}

/* The declaration ns is bound to, as (element depth from top, position). */
static void where(xmlNodePtr from, xmlNsPtr ns, int *depth, int *pos) {
  *depth = *pos = -1;
  int d = 0;
  for (xmlNodePtr e = from; e && e->type == XML_ELEMENT_NODE; e = e->parent, d++) {
    int i = 0;
    for (xmlNsPtr n = e->nsDef; n; n = n->next, i++)
      if (n == ns) {
        *depth = d;
        *pos = i;
        return;
      }
  }
}

/* exact: b mirrors a's declarations (the original record and its one-block
 * copy); else the bindings only mean the same (libxml2's copy declares a
 * namespace bound outside the record again on the record's copy) */
static int exact;

static void same_ns(xmlNodePtr ea, xmlNsPtr a, xmlNodePtr eb, xmlNsPtr b) {
  assert_true((a == NULL) == (b == NULL));
  if (!a)
    return;
  assert_true(same_str(a->href, b->href));
  assert_true(same_str(a->prefix, b->prefix));
  int da, pa, db, pb;
  where(ea, a, &da, &pa);
  where(eb, b, &db, &pb);
  if (exact) {
    assert_int_equal(da, db);
    assert_int_equal(pa, pb);
  }
}

static void same_tree(xmlNodePtr a, xmlNodePtr b, int deep);

static void same_list(xmlNodePtr a, xmlNodePtr b) {
  for (; a || b; a = a->next, b = b->next) {
    assert_non_null(a);
    assert_non_null(b);
    same_tree(a, b, 1);
  }
}

/* b is the one-block copy: its bindings are declarations in the copy */
static void bound_in_copy(xmlNodePtr e, xmlNsPtr ns) {
  int d, p;
  where(e, ns, &d, &p);
  assert_true(!ns || d >= 0);
}

static void same_tree(xmlNodePtr a, xmlNodePtr b, int deep) {
  assert_int_equal(a->type, b->type);
  assert_true(same_str(a->name, b->name));
  assert_true(same_str(a->content, b->content));
  if (!exact || a->type == XML_ELEMENT_NODE) /* like libxml2's, lines of elements only */
    assert_int_equal(a->line, b->line);
  if (a->type != XML_ELEMENT_NODE)
    return;
  bound_in_copy(b, b->ns);
  xmlNsPtr na = exact ? a->nsDef : NULL, nb = exact ? b->nsDef : NULL;
  for (; na || nb; na = na->next, nb = nb->next) {
    assert_non_null(na);
    assert_non_null(nb);
    assert_true(same_str(na->href, nb->href));
    assert_true(same_str(na->prefix, nb->prefix));
  }
  same_ns(a, a->ns, b, b->ns);
  xmlAttrPtr pa = a->properties, pb = b->properties;
  for (; pa || pb; pa = pa->next, pb = pb->next) {
    assert_non_null(pa);
    assert_non_null(pb);
    assert_true(same_str(pa->name, pb->name));
    assert_int_equal(pa->atype, pb->atype);
    assert_ptr_equal(pa->parent, a);
    same_ns(a, pa->ns, b, pb->ns);
    bound_in_copy(b, pb->ns);
    same_list(pa->children, pb->children);
  }
  if (deep)
    same_list(a->children, b->children);
}

/* Every record (child element of the document element) of doc: the flat
 * copy is made (want 0) or declined (want 1), and equals libxml2's. */
static void check_doc(const char *xml, int options, int want) {
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, options);
  assert_non_null(doc);
  xmlNodePtr root = xmlDocGetRootElement(doc);
  int records = 0;
  for (xmlNodePtr r = root->children; r; r = r->next) {
    if (r->type != XML_ELEMENT_NODE)
      continue;
    records++;
    struct xml_copy c;
    int rc = xml_copy_record(&c, root, r);
    assert_int_equal(rc, want);
    if (rc != 0) {
      assert_null(c.doc);
      continue;
    }
    xmlDocPtr ref = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr top = xmlDocCopyNode(root, ref, 2);
    xmlDocSetRootElement(ref, top);
    xmlAddChild(top, xmlDocCopyNode(r, ref, 1));
    exact = 0;
    same_tree(top, xmlDocGetRootElement(c.doc), 0);
    same_tree(top->children, c.node, 1);
    exact = 1;
    same_tree(root, xmlDocGetRootElement(c.doc), 0);
    same_tree(r, c.node, 1);
    assert_ptr_equal(c.node->parent, xmlDocGetRootElement(c.doc));
    assert_ptr_equal(c.node->doc, c.doc);
    xmlFreeDoc(ref);
    xml_copy_free(&c);
  }
  assert_true(records > 0);
  xmlFreeDoc(doc);
}

static void copies_like_libxml2(void **state) {
  (void)state;
  const char *xml =
      "<?xml version=\"1.0\"?>\n"
      "<t:records xmlns:t=\"urn:a\" xmlns=\"urn:a\" xmlns:x=\"urn:x\" x:v=\"1\" plain='p'>\n"
      "  <record id=\"r1\" x:k=\"&amp;&#233;\"><a>text &lt; more</a><!-- c --><b/>"
      "<?pi data?><c>one<![CDATA[<two>]]>three</c></record>\n"
      "  <t:record id=\"r2\" xmlns:y=\"urn:y\"><y:d y:at=\"q\">v</y:d>\n"
      "    <e xmlns=\"urn:other\"><f>in other</f></e>\n"
      "    <g xmlns:t=\"urn:t2\" t:at=\"shadowed\"><t:h/></g></t:record>\n"
      "  <record/>\n"
      "</t:records>\n";
  check_doc(xml, XML_PARSE_NOCDATA, 0);
  check_doc(xml, 0, 0); /* CDATA nodes of their own */
  check_doc("<records><record>\xc3\xa9t\xc3\xa9</record><record a=''/></records>", 0, 0);
  /* records over several chunks: many nodes, a text longer than a chunk */
  static char big[200000];
  size_t n = (size_t)snprintf(big, sizeof(big), "<records><record>");
  for (int i = 0; i < 900; i++)
    n += (size_t)snprintf(big + n, sizeof(big) - n, "<e%d k='%d'>v%d</e%d>", i % 7, i, i, i % 7);
  n += (size_t)snprintf(big + n, sizeof(big) - n, "<long>");
  for (int i = 0; i < 20000; i++)
    big[n++] = (char)('a' + i % 26);
  snprintf(big + n, sizeof(big) - n, "</long></record><record/></records>");
  check_doc(big, 0, 0);
}

static void declines(void **state) {
  (void)state;
  /* bound to the xml: namespace, outside the copy */
  check_doc("<records><record xml:lang=\"en\"/></records>", 0, 1);
  check_doc("<records><record><a xml:id=\"i\"/></record></records>", 0, 1);
  /* adjacent text nodes (libxml2's copy would merge them) */
  xmlDocPtr doc = xmlReadMemory("<records><record>a</record></records>", 37, "t.xml", NULL, 0);
  assert_non_null(doc);
  xmlNodePtr root = xmlDocGetRootElement(doc);
  xmlNodePtr rec = root->children;
  xmlNodePtr t2 = xmlNewText((const xmlChar *)"b");
  t2->parent = rec;
  t2->doc = doc;
  rec->children->next = t2; /* by hand: xmlAddChild would merge them */
  t2->prev = rec->children;
  rec->last = t2;
  struct xml_copy c;
  assert_int_equal(xml_copy_record(&c, root, rec), 1);
  xmlFreeDoc(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(copies_like_libxml2),
      cmocka_unit_test(declines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
