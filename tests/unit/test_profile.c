/*
 * test_profile.c - the embedded thb-event 1.0 profile agrees with itself and
 * with the samples, checked without tools/gen_profile.py (so that a hand edit
 * of one generated file fails here):
 *   - every $defs enum of the JSON Schema equals its code list CSV, and so
 *     does every enumeration of the XSD (parsed with libxml2);
 *   - the XSD orders the children of every object as the JSON Schema does;
 *   - libxml2 accepts samples/events.xml against the embedded XSD and rejects
 *     every .xml file in samples/invalid;
 *   - every code used in samples/events.json is in its list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after setjmp.h, stdarg.h, stddef.h */

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "internal.h"

#define XS_NS "http://www.w3.org/2001/XMLSchema"

/* ------------------------------------------------------------- helpers */

static json_t *embedded_schema(void) {
  size_t len = 0;
  const char *text = thbx_resource("thb-event-1.0.schema.json", &len);
  assert_non_null(text);
  json_error_t jerr;
  json_t *schema = json_loadb(text, len, 0, &jerr);
  if (!schema)
    fail_msg("embedded schema: %d:%d: %s", jerr.line, jerr.column, jerr.text);
  return schema;
}

static xmlDocPtr embedded_xsd_doc(void) {
  size_t len = 0;
  const char *text = thbx_resource("thb-event-1.0.xsd", &len);
  assert_non_null(text);
  xmlDocPtr doc = xmlReadMemory(text, (int)len, "thb-event-1.0.xsd", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  return doc;
}

/* The codes (first column) of an embedded CSV code list, RFC 4180 with a
 * code,label header, as a JSON array of strings; NULL if there is no list. */
static json_t *csv_codes(const char *list) {
  char name[256];
  snprintf(name, sizeof(name), "codes/%s.csv", list);
  size_t len = 0;
  const char *p = thbx_resource(name, &len);
  if (!p)
    return NULL;
  const char *end = p + len;
  json_t *codes = json_array();
  thbx_buf_t cell;
  thbx_buf_init(&cell);
  int row = 0, col = 0;
  while (p < end) {
    thbx_buf_reset(&cell);
    if (*p == '"') { /* quoted: "" is a quote, anything else is literal */
      for (p++; p < end; p++) {
        if (*p == '"' && p + 1 < end && p[1] == '"')
          thbx_buf_putc(&cell, *p++);
        else if (*p == '"')
          break;
        else
          thbx_buf_putc(&cell, *p);
      }
      assert_true(p < end); /* unterminated quote */
      p++;
    } else {
      while (p < end && *p != ',' && *p != '\n' && *p != '\r')
        thbx_buf_putc(&cell, *p++);
    }
    const char *text = cell.data ? cell.data : "";
    if (row == 0)
      assert_string_equal(text, col == 0 ? "code" : "label");
    else if (col == 0)
      json_array_append_new(codes, json_string(text));
    else
      assert_true(strlen(text) > 0); /* every code has a label */
    if (p < end && *p == ',') {
      p++;
      col++;
      continue;
    }
    assert_int_equal(col, 1); /* exactly two columns */
    if (p < end && *p == '\r')
      p++;
    if (p < end && *p == '\n')
      p++;
    row++;
    col = 0;
  }
  thbx_buf_free(&cell);
  return codes;
}

static int json_array_has(const json_t *array, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
      return 1;
  }
  return 0;
}

static void assert_same_codes(const char *what, const char *list, const json_t *got,
                              const json_t *want) {
  if (!json_equal(got, want)) {
    char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
    print_error("%s for %s:\n  has      %s\n  CSV says %s\n", what, list, g, w);
    free(g);
    free(w);
    fail_msg("%s of code list %s differ from schemas/codes/%s.csv", what, list, list);
  }
}

static int is_xs(const xmlNode *n, const char *local) {
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST XS_NS) &&
         xmlStrEqual(n->name, BAD_CAST local);
}

static char *attr(const xmlNode *n, const char *name) {
  return (char *)xmlGetProp((xmlNodePtr)n, BAD_CAST name);
}

/* The named top-level xs:simpleType `name`, NULL if none. */
static xmlNodePtr xsd_simple_type(xmlDocPtr doc, const char *name) {
  for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
    if (!is_xs(n, "simpleType"))
      continue;
    char *v = attr(n, "name");
    int match = v && strcmp(v, name) == 0;
    xmlFree(v);
    if (match)
      return n;
  }
  return NULL;
}

static void collect_enumerations(xmlNodePtr n, json_t *out) {
  for (; n; n = n->next) {
    if (is_xs(n, "enumeration")) {
      char *v = attr(n, "value");
      json_array_append_new(out, json_string(v ? v : ""));
      xmlFree(v);
    }
    if (n->type == XML_ELEMENT_NODE)
      collect_enumerations(n->children, out);
  }
}

/* ----------------------------------------------- code lists vs schemas */

static void json_schema_enums_equal_code_lists(void **state) {
  (void)state;
  json_t *schema = embedded_schema();
  json_t *defs = json_object_get(schema, "$defs");
  assert_true(json_is_object(defs));
  const char *list;
  json_t *def;
  size_t ndefs = 0;
  json_object_foreach(defs, list, def) {
    json_t *codes = csv_codes(list);
    if (!codes)
      fail_msg("$defs/%s has no code list codes/%s.csv", list, list);
    assert_string_equal(json_string_value(json_object_get(def, "type")), "string");
    assert_same_codes("JSON Schema $defs enum", list, json_object_get(def, "enum"), codes);
    json_decref(codes);
    ndefs++;
  }
  /* and every embedded code list is a $defs entry */
  size_t nlists = 0;
  for (size_t i = 0; thbx_resource_name(i); i++) {
    const char *name = thbx_resource_name(i);
    size_t n = strlen(name);
    if (strncmp(name, "codes/", 6) != 0 || n < 10 || strcmp(name + n - 4, ".csv") != 0)
      continue;
    char key[128];
    snprintf(key, sizeof(key), "%.*s", (int)(n - 10), name + 6);
    if (!json_object_get(defs, key))
      fail_msg("code list %s has no $defs/%s", name, key);
    nlists++;
  }
  assert_int_equal(ndefs, nlists);
  assert_true(nlists >= 18);
  json_decref(schema);
}

static void xsd_enumerations_equal_code_lists(void **state) {
  (void)state;
  json_t *schema = embedded_schema();
  xmlDocPtr doc = embedded_xsd_doc();
  const char *list;
  json_t *def;
  json_object_foreach(json_object_get(schema, "$defs"), list, def) {
    xmlNodePtr type = xsd_simple_type(doc, list);
    if (!type)
      fail_msg("the XSD has no simpleType %s", list);
    json_t *got = json_array();
    collect_enumerations(type->children, got);
    json_t *codes = csv_codes(list);
    assert_non_null(codes);
    assert_same_codes("XSD enumerations", list, got, codes);
    json_decref(got);
    json_decref(codes);
  }
  xmlFreeDoc(doc);
  json_decref(schema);
}

static void countries_have_xk_and_iso_codes(void **state) {
  (void)state;
  json_t *codes = csv_codes("countries");
  assert_non_null(codes);
  assert_true(json_array_size(codes) >= 249);
  const char *must[] = {"AL", "BA", "ME", "MK", "RS", "XK", "HR", "SI", "BG", "RO", "GR", NULL};
  for (int i = 0; must[i]; i++)
    if (!json_array_has(codes, must[i]))
      fail_msg("countries has no %s", must[i]);
  assert_false(json_array_has(codes, "EL")); /* Eurostat spelling, not ISO */
  assert_false(json_array_has(codes, "UK"));
  json_decref(codes);
}

/* ------------------------------------------------ XSD structure vs JSON */

/* Resolve a property schema's "$ref": "#/$defs/x" (one level is enough here). */
static const json_t *deref(const json_t *root, const json_t *s) {
  const char *ref = json_string_value(json_object_get(s, "$ref"));
  if (ref && strncmp(ref, "#/$defs/", 8) == 0)
    return json_object_get(json_object_get(root, "$defs"), ref + 8);
  return s;
}

/* Names of the xs:element children of a content model, in order, not going
 * into nested element declarations; a repeated name (currency in the
 * compensation choice) is listed once. */
static void xsd_child_names(xmlNodePtr n, json_t *out) {
  for (; n; n = n->next) {
    if (is_xs(n, "element")) {
      char *name = attr(n, "name");
      if (name && !json_array_has(out, name))
        json_array_append_new(out, json_string(name));
      xmlFree(name);
    } else if (is_xs(n, "sequence") || is_xs(n, "choice") || is_xs(n, "complexType")) {
      xsd_child_names(n->children, out);
    }
  }
}

static xmlNodePtr xsd_child_element(xmlNodePtr n, const char *name) {
  for (; n; n = n->next) {
    if (is_xs(n, "element")) {
      char *v = attr(n, "name");
      int match = v && strcmp(v, name) == 0;
      xmlFree(v);
      if (match)
        return n;
    } else if (is_xs(n, "sequence") || is_xs(n, "choice") || is_xs(n, "complexType")) {
      xmlNodePtr found = xsd_child_element(n->children, name);
      if (found)
        return found;
    }
  }
  return NULL;
}

static void compare_object(const json_t *root, const json_t *object, xmlNodePtr element,
                           const char *path) {
  json_t *want = json_array();
  const char *name;
  json_t *prop;
  json_object_foreach(json_object_get(object, "properties"), name, prop) {
    json_t *xml = json_object_get(prop, "xml");
    if (json_is_true(json_object_get(xml, "attribute")))
      continue;
    json_array_append_new(want, json_string(name));
  }
  json_t *got = json_array();
  xsd_child_names(element->children, got);
  if (!json_equal(got, want)) {
    char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
    fail_msg("XSD children of '%s' are %s, the JSON Schema's properties %s", path, g, w);
  }
  json_decref(got);
  json_decref(want);
  json_object_foreach(json_object_get(object, "properties"), name, prop) {
    const json_t *s = deref(root, prop);
    const char *type = json_string_value(json_object_get(prop, "type"));
    if (!type)
      fail_msg("property %s.%s has no \"type\"", path, name);
    if (!json_equal(json_object_get(s, "type"), json_object_get(prop, "type")))
      fail_msg("property %s.%s: its type and its $ref's type differ", path, name);
    if (strcmp(type, "object") == 0) {
      assert_true(json_is_false(json_object_get(prop, "additionalProperties")));
      xmlNodePtr child = xsd_child_element(element->children, name);
      if (!child)
        fail_msg("XSD has no element %s in %s", name, path);
      char sub[256];
      snprintf(sub, sizeof(sub), "%s.%s", path, name);
      compare_object(root, prop, child, sub);
    }
    if (strcmp(type, "array") == 0) {
      /* wrapped, with the item element the xml annotation names */
      const char *item = json_string_value(
          json_object_get(json_object_get(json_object_get(prop, "items"), "xml"), "name"));
      assert_non_null(item);
      assert_true(json_is_true(json_object_get(json_object_get(prop, "xml"), "wrapped")));
      xmlNodePtr child = xsd_child_element(element->children, name);
      assert_non_null(child);
      json_t *items = json_array();
      xsd_child_names(child->children, items);
      assert_int_equal(json_array_size(items), 1);
      assert_string_equal(json_string_value(json_array_get(items, 0)), item);
      json_decref(items);
    }
  }
}

static void xsd_orders_children_as_the_json_schema(void **state) {
  (void)state;
  json_t *schema = embedded_schema();
  xmlDocPtr doc = embedded_xsd_doc();
  assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
  json_t *xml = json_object_get(schema, "xml");
  assert_string_equal(json_string_value(json_object_get(xml, "name")), "record");
  assert_string_equal(json_string_value(json_object_get(xml, "namespace")),
                      "urn:thbx:thb-event:1.0");
  assert_string_equal(json_string_value(json_object_get(xml, "x-root")), "records");
  xmlNodePtr record = NULL;
  for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
    char *name = is_xs(n, "element") ? attr(n, "name") : NULL;
    if (name && strcmp(name, "record") == 0)
      record = n;
    xmlFree(name);
  }
  assert_non_null(record);
  compare_object(schema, schema, record, "record");
  xmlFreeDoc(doc);
  json_decref(schema);
}

/* -------------------------------------------------- samples against XSD */

static int xsd_errors;
static void count_error(void *ctx, const xmlError *error) {
  (void)ctx;
  (void)error;
  xsd_errors++;
}

/* 0 valid, > 0 invalid; fails the test on an internal error or a file that
 * is not well-formed (an invalid sample must break a schema rule, not XML). */
static int validate_file(xmlSchemaPtr xsd, const char *path) {
  xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
  if (!doc)
    fail_msg("%s: not well-formed XML", path);
  xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(xsd);
  assert_non_null(v);
  xsd_errors = 0;
  xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)count_error, NULL);
  int rc = xmlSchemaValidateDoc(v, doc);
  xmlSchemaFreeValidCtxt(v);
  xmlFreeDoc(doc);
  if (rc < 0)
    fail_msg("%s: libxml2 could not validate (internal error %d)", path, rc);
  return rc;
}

static xmlSchemaPtr embedded_xsd(void) {
  size_t len = 0;
  const char *text = thbx_resource("thb-event-1.0.xsd", &len);
  assert_non_null(text);
  xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(text, (int)len);
  assert_non_null(pc);
  xmlSchemaPtr xsd = xmlSchemaParse(pc);
  xmlSchemaFreeParserCtxt(pc);
  assert_non_null(xsd);
  return xsd;
}

static void xsd_accepts_samples_and_rejects_invalid(void **state) {
  (void)state;
  xmlSchemaPtr xsd = embedded_xsd();
  int rc = validate_file(xsd, THBX_SOURCE_DIR "/samples/events.xml");
  if (rc != 0)
    fail_msg("samples/events.xml: %d XSD errors (run xmllint --schema)", xsd_errors);

  DIR *dir = opendir(THBX_SOURCE_DIR "/samples/invalid");
  assert_non_null(dir);
  int rejected = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
      continue;
    char path[1024];
    snprintf(path, sizeof(path), "%s/samples/invalid/%s", THBX_SOURCE_DIR, e->d_name);
    if (validate_file(xsd, path) == 0)
      fail_msg("samples/invalid/%s breaks a rule but the XSD accepts it", e->d_name);
    /* its JSON twin exists: the same record, the same broken rule */
    char twin[1024];
    snprintf(twin, sizeof(twin), "%.*s.json", (int)(strlen(path) - 4), path);
    FILE *fp = fopen(twin, "r");
    if (!fp)
      fail_msg("samples/invalid/%s has no .json twin", e->d_name);
    fclose(fp);
    rejected++;
  }
  closedir(dir);
  assert_true(rejected >= 15);
  xmlSchemaFree(xsd);
}

static void xsd_rejects_duplicate_record_ids(void **state) {
  (void)state;
  xmlSchemaPtr xsd = embedded_xsd();
  /* the first record of the samples twice: only the duplicated id is wrong */
  xmlDocPtr doc = xmlReadFile(THBX_SOURCE_DIR "/samples/events.xml", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  xmlNodePtr root = xmlDocGetRootElement(doc), first = root->children;
  while (first && first->type != XML_ELEMENT_NODE)
    first = first->next;
  assert_non_null(first);
  xmlAddChild(root, xmlCopyNode(first, 1));
  xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(xsd);
  xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)count_error, NULL);
  assert_true(xmlSchemaValidateDoc(v, doc) > 0);
  xmlSchemaFreeValidCtxt(v);
  xmlFreeDoc(doc);
  xmlSchemaFree(xsd);
}

/* ------------------------------------------------- codes used in samples */

static void check_codes(const json_t *root, const json_t *schema, const json_t *value,
                        const char *path, int *checked) {
  const json_t *s = deref(root, schema);
  if (json_is_object(value)) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)value, key, v) {
      json_t *prop = json_object_get(json_object_get(schema, "properties"), key);
      if (!prop)
        fail_msg("%s: property '%s' is not in the schema", path, key);
      char sub[256];
      snprintf(sub, sizeof(sub), "%s/%s", path, key);
      check_codes(root, prop, v, sub, checked);
    }
  } else if (json_is_array(value)) {
    size_t i;
    json_t *v;
    json_array_foreach(value, i, v) {
      check_codes(root, json_object_get(schema, "items"), v, path, checked);
    }
  } else if (s != schema) { /* a code: its list from the $ref */
    const char *list = json_string_value(json_object_get(schema, "$ref")) + 8;
    json_t *codes = csv_codes(list);
    assert_non_null(codes);
    if (!json_is_string(value) || !json_array_has(codes, json_string_value(value)))
      fail_msg("%s: '%s' is not in code list %s", path,
               json_is_string(value) ? json_string_value(value) : "(not a string)", list);
    json_decref(codes);
    (*checked)++;
  }
}

static void samples_use_only_listed_codes(void **state) {
  (void)state;
  json_t *schema = embedded_schema();
  json_error_t jerr;
  json_t *records = json_load_file(THBX_SOURCE_DIR "/samples/events.json", 0, &jerr);
  if (!records)
    fail_msg("samples/events.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
  assert_true(json_array_size(records) >= 24);
  json_t *events = json_array(), *roles = json_array(), *countries = json_array();
  int checked = 0;
  size_t i;
  json_t *r;
  json_array_foreach(records, i, r) {
    char path[64];
    snprintf(path, sizeof(path), "samples/events.json[%zu]", i);
    check_codes(schema, schema, r, path, &checked);
    json_t *ev = json_object_get(r, "event_type");
    json_t *role = json_object_get(json_object_get(r, "person"), "role");
    json_t *c = json_object_get(r, "reporting_country");
    if (!json_array_has(events, json_string_value(ev)))
      json_array_append(events, ev);
    if (!json_array_has(roles, json_string_value(role)))
      json_array_append(roles, role);
    if (!json_array_has(countries, json_string_value(c)))
      json_array_append(countries, c);
  }
  assert_true(checked > 200);
  /* the samples cover every event type and every role, in many countries */
  json_t *all_events = csv_codes("event_types"), *all_roles = csv_codes("person_roles");
  assert_int_equal(json_array_size(events), json_array_size(all_events));
  assert_int_equal(json_array_size(roles), json_array_size(all_roles));
  assert_true(json_array_size(countries) >= 10);
  json_decref(all_events);
  json_decref(all_roles);
  json_decref(events);
  json_decref(roles);
  json_decref(countries);
  json_decref(records);
  json_decref(schema);
}

static void code_list_parser_can_fail(void **state) {
  (void)state;
  /* the helpers above must be able to tell lists apart, or every test passes */
  json_t *sex = csv_codes("sex"), *roles = csv_codes("person_roles");
  assert_non_null(sex);
  assert_int_equal(json_array_size(sex), 4);
  assert_string_equal(json_string_value(json_array_get(sex, 0)), "female");
  assert_false(json_equal(sex, roles));
  assert_null(csv_codes("nosuch"));
  json_t *ages = csv_codes("age_groups");
  assert_true(json_array_has(ages, "48+"));
  json_decref(ages);
  json_decref(sex);
  json_decref(roles);
}

/* Every built-in profile's schema is a valid schema of its draft: checked
 * here against the meta-schema, because thbx does not check it at every
 * start (validate/validator.c, add_schema's `trusted`). */
static void embedded_profiles_pass_their_meta_schema(void **state) {
  (void)state;
  size_t n = 0;
  for (const char *name; (name = thbx_profile_embedded_name(n)) != NULL; n++) {
    thbx_profile_t *p = NULL;
    thbx_error_t err;
    assert_int_equal(thbx_profile_load(name, &p, &err), THBX_OK);
    thbx_schema_options_t so;
    thbx_schema_options_default(&so);
    so.check_schema = 1;
    thbx_schema_registry_t *reg = thbx_schema_registry_new();
    thbx_schema_t *compiled = NULL;
    if (thbx_schema_compile(thbx_profile_schema(p), reg, &so, &compiled, &err) != THBX_OK)
      fail_msg("%s: %s", name, err.text);
    thbx_schema_free(compiled);
    thbx_schema_registry_free(reg);
    thbx_profile_free(p);
  }
  assert_true(n >= 1);
  /* and the check can fail: a schema that is not one */
  json_t *bad = json_pack("{s:s}", "type", "no-such-type");
  thbx_schema_options_t so;
  thbx_schema_options_default(&so);
  so.check_schema = 1;
  thbx_schema_t *compiled = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_schema_compile(bad, NULL, &so, &compiled, &err), THBX_ESCHEMA);
  json_decref(bad);
}

int main(void) {
  xmlInitParser();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(code_list_parser_can_fail),
      cmocka_unit_test(embedded_profiles_pass_their_meta_schema),
      cmocka_unit_test(json_schema_enums_equal_code_lists),
      cmocka_unit_test(xsd_enumerations_equal_code_lists),
      cmocka_unit_test(countries_have_xk_and_iso_codes),
      cmocka_unit_test(xsd_orders_children_as_the_json_schema),
      cmocka_unit_test(xsd_accepts_samples_and_rejects_invalid),
      cmocka_unit_test(xsd_rejects_duplicate_record_ids),
      cmocka_unit_test(samples_use_only_listed_codes),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  xmlCleanupParser();
  return rc;
}
