/*
 * test_reader_xml.c - the XML reader: profile-directed and generic records,
 * locations, raw bytes, recovery after a broken record, fatal errors for
 * documents that are not well-formed, limits, streaming XSD errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>

#include "xml_test_util.h"

#define NS "urn:thbx:thb-event:1.0"
#define HEAD "<records xmlns=\"" NS "\">"
#define REC(id, sex)                                                                               \
  "<record id=\"" id "\"><schema_version>1.0</schema_version>"                                     \
  "<reporting_country>AL</reporting_country><reporting_body><type>police</type>"                   \
  "</reporting_body><event_type>referral</event_type><event_date>2024-03-15</event_date>"          \
  "<person><person_ref>abcdefgh12</person_ref><role>victim</role><sex>" sex "</sex>"               \
  "<age_group>18-20</age_group></person></record>"

static thbx_profile_t *profile;

static int setup(void **state) {
  (void)state;
  thbx_error_t err;
  return thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) == THBX_OK && profile ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  thbx_profile_free(profile);
  return 0;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    fclose(f);
    return NULL;
  }
  s[n] = '\0';
  fclose(f);
  if (len)
    *len = (size_t)n;
  return s;
}

static void empty_records_and_empty_input(void **state) {
  (void)state;
  struct xt_run t;
  assert_int_equal(xt_read("<?xml version=\"1.0\"?>\n"
                           "<records xmlns=\"" NS "\"/>\n",
                           profile, &t),
                   THBX_OK);
  assert_int_equal(t.records, 0);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  assert_int_equal(xt_read(HEAD "\n</records>", profile, &t), THBX_OK);
  assert_int_equal(t.records, 0);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  /* no bytes at all: no records, not an error */
  assert_int_equal(xt_read("", profile, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.records, 0);
  xt_free(&t);
  /* text but no element: broken */
  assert_int_equal(xt_read("hello", NULL, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EFATAL);
  xt_free(&t);
}

static void profile_record_types_and_order(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc =
      HEAD "\n  <record id=\"AL-1\">\n"
           "    <person><age_group>18-20</age_group><sex>female</sex>"
           "<minor_at_exploitation> true </minor_at_exploitation>"
           "<citizenship><country>AL</country><country>GR</country></citizenship>"
           "<person_ref>abcdefgh12</person_ref><role>victim</role></person>\n"
           "    <schema_version>1.0</schema_version>\n"
           "    <exploitation><forms/><start_year>+02019</start_year></exploitation>\n"
           "    <compensation><awarded_amount>1500.50</awarded_amount><claimed>false</claimed>"
           "</compensation>\n"
           "  </record>\n</records>\n";
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.records, 1);
  /* properties in schema order whatever the document order; types from the
   * profile: boolean, integer, real, arrays, empty wrapped array */
  assert_string_equal(
      xt_json(t.value[0]),
      "{\"record_id\":\"AL-1\",\"schema_version\":\"1.0\",\"person\":{\"person_ref\":"
      "\"abcdefgh12\",\"role\":\"victim\",\"sex\":\"female\",\"age_group\":\"18-20\","
      "\"minor_at_exploitation\":true,\"citizenship\":[\"AL\",\"GR\"]},\"exploitation\":"
      "{\"forms\":[],\"start_year\":2019},\"compensation\":{\"claimed\":false,"
      "\"awarded_amount\":1500.5}}");
  assert_true(
      json_is_real(json_object_get(json_object_get(t.value[0], "compensation"), "awarded_amount")));
  assert_int_equal(t.line[0], 2);
  assert_int_equal(t.column[0], 3);
  assert_int_equal(t.index[0], 0);
  xt_free(&t);
  /* 1 and 0 are xs:boolean's but not the profile XSD's (true|false): one
   * reading in every command, so the reader refuses them (issue 12) */
  const char *one = HEAD "<record><person><minor_at_exploitation>1</minor_at_exploitation>"
                         "</person></record>\n</records>\n";
  assert_int_equal(xt_read(one, profile, &t), THBX_OK);
  assert_int_equal(t.records, 0);
  assert_int_equal(t.errors, 1);
  assert_non_null(strstr(t.err[0].text, "is not a boolean (true or false)"));
  xt_free(&t);
}

static void numbers_exact_and_refused(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc =
      HEAD "<record><compensation><awarded_amount>1E3</awarded_amount></compensation></record>\n"
           "<record><compensation><awarded_amount>12</awarded_amount></compensation></record>\n"
           "<record><compensation><awarded_amount>0.1</awarded_amount></compensation></record>\n"
           "<record><compensation><awarded_amount>INF</awarded_amount></compensation></record>\n"
           "<record><compensation><awarded_amount>1e999</awarded_amount></compensation></record>\n"
           "<record><exploitation><start_year>2019.0</start_year></exploitation></record>\n"
           "<record><exploitation><start_year>99999999999999999999</start_year></exploitation>"
           "</record>\n"
           "<record><exploitation><start_year>-9223372036854775808</start_year></exploitation>"
           "</record>\n"
           "<record><exploitation><transnational>yes</transnational></exploitation></record>\n"
           "</records>";
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.rc[0], THBX_OK);
  assert_string_equal(xt_json(t.value[0]), "{\"compensation\":{\"awarded_amount\":1000.0}}");
  assert_string_equal(xt_json(t.value[1]), "{\"compensation\":{\"awarded_amount\":12}}");
  assert_true(json_real_value(json_object_get(json_object_get(t.value[2], "compensation"),
                                              "awarded_amount")) == 0.1);
  assert_int_equal(t.rc[3], THBX_EPARSE); /* INF: JSON has no such number */
  assert_non_null(strstr(t.err[3].text, "out of range"));
  assert_int_equal(t.rc[4], THBX_EPARSE); /* overflows a double */
  assert_int_equal(t.rc[5], THBX_EPARSE); /* an integer field with a fraction */
  assert_non_null(strstr(t.err[5].text, "is not an integer"));
  assert_int_equal(t.err[5].line, 6);
  assert_int_equal(t.rc[6], THBX_EPARSE); /* beyond 64 bits */
  assert_int_equal(t.rc[7], THBX_OK);
  assert_true(json_integer_value(json_object_get(json_object_get(t.value[7], "exploitation"),
                                                 "start_year")) == INT64_MIN);
  assert_int_equal(t.rc[8], THBX_EPARSE);
  /* the value is the error's own (thbx_reader_error_value), not in its text (issue 12) */
  assert_non_null(strstr(t.err[8].text, "is not a boolean"));
  assert_null(strstr(t.err[8].text, "yes"));
  assert_string_equal(t.err[8].instance_path, "/exploitation/transnational");
  assert_int_equal(t.records, 4);
  assert_int_equal(t.errors, 5);
  xt_free(&t);
}

static void unknown_element_recovers_with_location(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc = HEAD "\n" REC(
      "AL-1", "female") "\n"
                        "<record id=\"AL-2\">\n  <person>\n    <nick>x</nick>\n  </person>\n"
                        "</record>\n" REC("AL-3", "male") "\n"
                                                          "<record id=\"AL-4\" colour=\"red\"/>\n"
                                                          "<other/>\n" REC(
                                                              "AL-6", "other") "\n</records>\n";
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.rc[0], THBX_OK);
  assert_int_equal(t.rc[1], THBX_EPARSE);
  assert_string_equal(t.err[1].source, "test.xml");
  assert_int_equal(t.err[1].line, 5);
  assert_int_equal(t.err[1].column, 5);
  assert_int_equal(t.err[1].record_index, 1);
  assert_non_null(strstr(t.err[1].text, "unknown element 'nick' in 'person'"));
  /* the broken record's raw bytes, for a reject file */
  assert_non_null(t.raw[1]);
  assert_string_equal(t.raw[1],
                      "<record id=\"AL-2\">\n  <person>\n    <nick>x</nick>\n  </person>\n"
                      "</record>");
  assert_int_equal(t.rc[2], THBX_OK);
  assert_string_equal(json_string_value(json_object_get(t.value[2], "record_id")), "AL-3");
  assert_int_equal(t.line[2], 8);
  assert_int_equal(t.rc[3], THBX_EPARSE);
  assert_non_null(strstr(t.err[3].text, "unknown attribute 'colour'"));
  assert_int_equal(t.rc[4], THBX_EPARSE);
  assert_non_null(strstr(t.err[4].text, "records are 'record' elements"));
  assert_int_equal(t.err[4].line, 10);
  assert_int_equal(t.rc[5], THBX_OK);
  assert_int_equal(t.index[5], 5);
  assert_int_equal(t.records, 3);
  assert_int_equal(t.errors, 3);
  xt_free(&t);
}

static void raw_bytes_are_the_input(void **state) {
  (void)state;
  struct xt_run t;
  const char *r1 = "<record id=\"AL-1\"><!-- c --><schema_version><![CDATA[1.0]]></schema_version>"
                   "<?pi x?></record>";
  char doc[1024];
  snprintf(doc, sizeof(doc), "%s\n  %s  <record\n id='AL-2'/></records>", HEAD, r1);
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.records, 2);
  assert_string_equal(t.raw[0], r1);
  assert_string_equal(t.raw[1], "<record\n id='AL-2'/>");
  assert_string_equal(xt_json(t.value[0]), "{\"record_id\":\"AL-1\",\"schema_version\":\"1.0\"}");
  assert_string_equal(xt_json(t.value[1]), "{\"record_id\":\"AL-2\"}");
  xt_free(&t);
}

static void bom_crlf_entities_cdata(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" HEAD "\r\n"
                    "<record id=\"AL-1\">\r\n<reporting_body><name>A &amp; B &lt;&#x1F600;&#233;"
                    "&quot;&apos;\r\nx<![CDATA[<&>]]></name></reporting_body>\r\n</record>\r\n"
                    "<record id=\"AL-2\"/>\r\n</records>\r\n";
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.records, 2);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(t.value[0], "reporting_body"), "name")),
      "A & B <\xF0\x9F\x98\x80\xC3\xA9\"'\nx<&>");
  assert_int_equal(t.line[0], 3);
  assert_int_equal(t.line[1], 7);
  assert_non_null(strstr(t.raw[0], "\r\n"));
  xt_free(&t);
}

/* A foreign document element is a fault of the document, said once (a
 * warning here, without the XSD; a document error with it): its children
 * are still read, each judged on its own. */
static void wrong_root_or_namespace_is_one_document_fault(void **state) {
  (void)state;
  struct xt_run t;
  /* the root in another namespace: so are its records (the default namespace) */
  assert_int_equal(
      xt_read("<records xmlns=\"urn:other\">" REC("AL-1", "male") "</records>", profile, &t),
      THBX_OK);
  assert_int_equal(t.nwarn, 1);
  assert_non_null(strstr(t.warn[0].text, "namespace 'urn:other'"));
  assert_int_equal(t.warn[0].line, 1);
  assert_int_equal(t.warn[0].column, 1);
  assert_int_equal(t.rc[0], THBX_EPARSE);
  assert_non_null(strstr(t.err[0].text, "the record element 'record' is in namespace 'urn:other'"));
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  /* another name: its records are fine */
  assert_int_equal(xt_read("\n\n  <events xmlns=\"" NS "\">" REC("AL-1", "male")
                               REC("AL-2", "female") "</events>",
                           profile, &t),
                   THBX_OK);
  assert_int_equal(t.nwarn, 1);
  assert_non_null(strstr(t.warn[0].text, "'events', expected 'records'"));
  assert_int_equal(t.warn[0].line, 3);
  assert_int_equal(t.warn[0].column, 3);
  assert_int_equal(t.records, 2);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  /* a prefixed foreign root over records in the profile's namespace */
  assert_int_equal(xt_read("<x:data xmlns:x=\"urn:x\" xmlns=\"" NS
                           "\">" REC("AL-1", "male") "</x:data>",
                           profile, &t),
                   THBX_OK);
  assert_int_equal(t.nwarn, 1);
  assert_int_equal(t.records, 1);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  /* the profile's root: no warning */
  assert_int_equal(xt_read(HEAD REC("AL-1", "male") "</records>", profile, &t), THBX_OK);
  assert_int_equal(t.nwarn, 0);
  assert_int_equal(t.records, 1);
  xt_free(&t);
  /* a record element in another namespace: that record only */
  assert_int_equal(
      xt_read(HEAD "<x:record xmlns:x=\"urn:x\"/>" REC("AL-2", "male") "</records>", profile, &t),
      THBX_OK);
  assert_int_equal(t.rc[0], THBX_EPARSE);
  assert_int_equal(t.rc[1], THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
}

static void not_well_formed_is_fatal_with_line(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc = HEAD "\n" REC("AL-1", "female") "\n" REC(
      "AL-2", "male") "\n"
                      "<record id=\"AL-3\">\n<person><sex>x</person>\n</record>\n" REC(
                          "AL-4", "male") "\n</records>\n";
  assert_int_equal(xt_read(doc, profile, &t), THBX_OK);
  assert_int_equal(t.records, 2); /* the records before the break are whole */
  assert_int_equal(t.last, THBX_EFATAL);
  assert_int_equal(t.err[2].line, 5);
  assert_true(t.err[2].column > 0);
  assert_non_null(strstr(t.err[2].text, "mismatch"));
  xt_free(&t);
  /* the same with XSD validation: the broken record must not come out */
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.profile = profile;
  o.validate_xsd = 1;
  assert_int_equal(xt_read_opts(doc, strlen(doc), &o, &t), THBX_OK);
  assert_int_equal(t.records, 2);
  assert_int_equal(t.last, THBX_EFATAL);
  assert_int_equal(t.err[2].line, 5);
  assert_non_null(strstr(t.err[2].text, "mismatch"));
  xt_free(&t);
  /* truncated: the open record is not returned */
  const char *trunc = HEAD "\n" REC("AL-1", "female") "\n<record id=\"AL-2\"><schema_version>1";
  assert_int_equal(xt_read(trunc, profile, &t), THBX_OK);
  assert_int_equal(t.records, 1);
  assert_int_equal(t.last, THBX_EFATAL);
  xt_free(&t);
  /* an undeclared entity */
  assert_int_equal(xt_read("<records><r>&nbsp;</r></records>", NULL, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EFATAL);
  assert_int_equal(t.records, 0);
  xt_free(&t);
  /* a second document element */
  assert_int_equal(xt_read("<a><r/></a><b/>", NULL, &t), THBX_OK);
  assert_int_equal(t.records, 1);
  assert_int_equal(t.last, THBX_EFATAL);
  xt_free(&t);
}

static void doctype_is_refused(void **state) {
  (void)state;
  struct xt_run t;
  assert_int_equal(
      xt_read("<?xml version=\"1.0\"?>\n<!-- x -->\n<!DOCTYPE records>\n<records/>", NULL, &t),
      THBX_OK);
  assert_int_equal(t.last, THBX_EFATAL);
  assert_string_equal(t.err[0].text,
                      "DOCTYPE is not allowed (entity declarations can expand or read files)");
  assert_int_equal(t.err[0].line, 3);
  assert_int_equal(t.err[0].column, 1);
  xt_free(&t);
}

static void generic_mapping(void **state) {
  (void)state;
  struct xt_run t;
  const char *doc =
      "<root xmlns:p=\"urn:p\"><p:event kind=\"a\" "
      "p:src=\"b\"><name>x</name><tag>1</tag><tag>2</tag>"
      "<tag>3</tag><note lang=\"en\">hi</note><empty/>  tail  <sub><deep>d</deep></sub></p:event>"
      "<plain>just text</plain><e/></root>";
  assert_int_equal(xt_read(doc, NULL, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.records, 3);
  assert_string_equal(xt_json(t.value[0]),
                      "{\"@kind\":\"a\",\"@src\":\"b\",\"name\":\"x\",\"tag\":[\"1\",\"2\",\"3\"],"
                      "\"note\":{\"@lang\":\"en\",\"#text\":\"hi\"},\"empty\":\"\",\"sub\":"
                      "{\"deep\":\"d\"},\"#text\":\"tail\"}");
  assert_string_equal(xt_json(t.value[1]), "\"just text\"");
  assert_string_equal(xt_json(t.value[2]), "\"\"");
  xt_free(&t);
}

static char *nested(int depth, int *len) {
  size_t cap = (size_t)depth * 8 + 64;
  char *s = malloc(cap);
  size_t n = 0;
  n += (size_t)sprintf(s + n, "<r>");
  for (int i = 0; i < depth; i++)
    n += (size_t)sprintf(s + n, "<a>");
  for (int i = 0; i < depth; i++)
    n += (size_t)sprintf(s + n, "</a>");
  n += (size_t)sprintf(s + n, "<ok>1</ok></r>");
  *len = (int)n;
  return s;
}

static void depth_limit(void **state) {
  (void)state;
  struct xt_run t;
  int len;
  char *doc = nested(70, &len); /* 70 levels below the record element */
  assert_int_equal(xt_read(doc, NULL, &t), THBX_OK);
  assert_int_equal(t.rc[0], THBX_ELIMIT);
  assert_non_null(strstr(t.err[0].text, "max_depth"));
  assert_int_equal(t.err[0].line, 1);
  assert_true(t.err[0].column > 64 * 3);
  assert_int_equal(t.rc[1], THBX_OK); /* the next record is read */
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  free(doc);
  doc = nested(50, &len);
  assert_int_equal(xt_read(doc, NULL, &t), THBX_OK);
  assert_int_equal(t.records, 2);
  xt_free(&t);
  free(doc);
}

static void size_limits(void **state) {
  (void)state;
  struct xt_run t;
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.limits.max_record_bytes = 200;
  o.limits.max_field_bytes = 100;
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "<r><a>small</a><a>");
  for (int i = 0; i < 5000; i++)
    thbx_buf_puts(&b, "0123456789");
  thbx_buf_puts(&b, "</a>\n<a>");
  for (int i = 0; i < 15; i++)
    thbx_buf_puts(&b, "0123456789");
  thbx_buf_puts(&b, "</a><a>after</a></r>");
  assert_int_equal(xt_read_opts(b.data, b.len, &o, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.rc[0], THBX_OK);
  assert_string_equal(xt_json(t.value[0]), "\"small\"");
  assert_int_equal(t.rc[1], THBX_ELIMIT); /* 50000 bytes > max_record_bytes */
  assert_non_null(strstr(t.err[1].text, "max_record_bytes"));
  assert_int_equal(t.err[1].column, 16);
  assert_null(t.raw[1]);
  assert_int_equal(t.rc[2], THBX_ELIMIT); /* 150 bytes > max_field_bytes */
  assert_non_null(strstr(t.err[2].text, "max_field_bytes"));
  assert_int_equal(t.err[2].line, 2);
  assert_int_equal(t.rc[3], THBX_OK);
  assert_string_equal(xt_json(t.value[3]), "\"after\"");
  xt_free(&t);
  thbx_buf_free(&b);
}

static void huge_text_within_limits(void **state) {
  (void)state;
  struct xt_run t;
  size_t n = (size_t)6 << 20; /* 6 MiB of text in one element */
  char *doc = malloc(n + 64);
  size_t k = (size_t)sprintf(doc, "<r><a>");
  for (size_t i = 0; i < n; i++)
    doc[k++] = (char)('a' + i % 26);
  k += (size_t)sprintf(doc + k, "</a></r>");
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  assert_int_equal(xt_read_opts(doc, k, &o, &t), THBX_OK);
  assert_int_equal(t.records, 1);
  assert_int_equal(json_string_length(t.value[0]), n);
  assert_int_equal(strlen(t.raw[0]), n + 7);
  xt_free(&t);
  free(doc);
}

static void xsd_errors_with_lines(void **state) {
  (void)state;
  struct xt_run t;
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.profile = profile;
  o.validate_xsd = 1;
  const char *doc = HEAD "\n" REC("AL-1", "female") "\n" REC("AL-2", "femme") "\n" REC(
      "AL-3", "male") "\n" REC("AL-1", "male") "\n</records>\n";
  assert_int_equal(xt_read_opts(doc, strlen(doc), &o, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.records, 4);
  assert_int_equal(t.nxsd[0], 0);
  assert_int_equal(t.nxsd[1], 1);
  /* at the offending element's start tag */
  const char *line3 = strchr(strchr(doc, '\n') + 1, '\n') + 1;
  long sex_col = (long)(strstr(line3, "<sex>") - line3) + 1;
  assert_int_equal(t.xsd[1][0].line, 3);
  assert_int_equal(t.xsd[1][0].column, sex_col);
  assert_int_equal(t.xsd[1][0].record_index, 1);
  /* named by its field, in plain words, the value left to the report (issue 12) */
  assert_string_equal(t.xsd[1][0].instance_path, "/person/sex");
  assert_null(strstr(t.xsd[1][0].text, "femme"));
  assert_null(strstr(t.xsd[1][0].text, "{urn:"));
  assert_non_null(strstr(t.xsd[1][0].text, "is not one of the values the XSD allows: female"));
  assert_int_equal(t.nxsd[2], 0);
  /* the whole file on one line: errors still go to their record */
  char *one = strdup(doc);
  for (char *p = one; *p; p++)
    if (*p == '\n')
      *p = ' ';
  struct xt_run u;
  assert_int_equal(xt_read_opts(one, strlen(one), &o, &u), THBX_OK);
  assert_int_equal(u.records, 4);
  assert_int_equal(u.nxsd[0], 0);
  assert_int_equal(u.nxsd[1], 1);
  assert_int_equal(u.nxsd[2], 0);
  assert_int_equal(u.xsd[1][0].line, 1);
  assert_int_equal(u.xsd[1][0].column,
                   (long)(strstr(strstr(one, "femme") - 20, "<sex>") - one) + 1);
  xt_free(&u);
  free(one);
  xt_free(&t);
}

static void samples_read_as_the_json_samples(void **state) {
  (void)state;
  size_t len = 0;
  char *xml = slurp(THBX_SOURCE_DIR "/samples/events.xml", &len);
  assert_non_null(xml); /* the samples are part of the repository */
  json_error_t jerr;
  json_t *expected = json_load_file(THBX_SOURCE_DIR "/samples/events.json", 0, &jerr);
  assert_non_null(expected);
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.profile = profile;
  o.validate_xsd = 1;
  struct xt_run t;
  assert_int_equal(xt_read_opts(xml, len, &o, &t), THBX_OK);
  assert_int_equal(t.last, THBX_EOF);
  assert_int_equal(t.records, (int)json_array_size(expected));
  for (int i = 0; i < t.records; i++) {
    char *a = json_dumps(json_array_get(expected, (size_t)i), JSON_COMPACT);
    char *b = json_dumps(t.value[i], JSON_COMPACT);
    assert_string_equal(a, b); /* same values, types and property order */
    free(a);
    free(b);
    assert_int_equal(t.nxsd[i], 0);
  }
  xt_free(&t);
  json_decref(expected);
  free(xml);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_records_and_empty_input),
      cmocka_unit_test(profile_record_types_and_order),
      cmocka_unit_test(numbers_exact_and_refused),
      cmocka_unit_test(unknown_element_recovers_with_location),
      cmocka_unit_test(raw_bytes_are_the_input),
      cmocka_unit_test(bom_crlf_entities_cdata),
      cmocka_unit_test(wrong_root_or_namespace_is_one_document_fault),
      cmocka_unit_test(not_well_formed_is_fatal_with_line),
      cmocka_unit_test(doctype_is_refused),
      cmocka_unit_test(generic_mapping),
      cmocka_unit_test(depth_limit),
      cmocka_unit_test(size_limits),
      cmocka_unit_test(huge_text_within_limits),
      cmocka_unit_test(xsd_errors_with_lines),
      cmocka_unit_test(samples_read_as_the_json_samples),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
