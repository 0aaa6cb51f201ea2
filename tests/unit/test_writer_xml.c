/*
 * test_writer_xml.c - the XML writer: the samples byte for byte, escaping,
 * numbers without exponent, values XML cannot carry, properties outside the
 * profile, generic mode, and JSON -> XML -> JSON round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <unistd.h>

#include "xml_test_util.h"

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

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  thbx_buf_t b;
  thbx_buf_init(&b);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    thbx_buf_append(&b, chunk, n);
  fclose(f);
  return b.data;
}

/* Write `records` and read them back with the same profile; the read-back
 * array (new reference). */
static json_t *round_trip(const json_t *records, const thbx_profile_t *p, int compact) {
  int bad;
  char *xml = xt_write(records, p, compact, &bad, NULL);
  assert_non_null(xml);
  assert_int_equal(bad, 0);
  int errors, last;
  json_t *out = xt_read_all(xml, p, &errors, &last);
  assert_int_equal(last, THBX_EOF);
  assert_int_equal(errors, 0);
  free(xml);
  return out;
}

static void samples_byte_for_byte(void **state) {
  (void)state;
  char *expected = slurp(THBX_SOURCE_DIR "/samples/events.xml");
  json_error_t jerr;
  json_t *records = json_load_file(THBX_SOURCE_DIR "/samples/events.json", 0, &jerr);
  assert_non_null(expected); /* the samples are part of the repository */
  assert_non_null(records);
  int bad;
  char *xml = xt_write(records, profile, 0, &bad, NULL);
  assert_int_equal(bad, 0);
  assert_string_equal(xml, expected);
  free(xml);
  /* compact: one line of records, same values back */
  json_t *back = round_trip(records, profile, 1);
  assert_true(json_equal(back, records));
  char *a = json_dumps(records, JSON_COMPACT), *b = json_dumps(back, JSON_COMPACT);
  assert_string_equal(a, b); /* same property order too */
  free(a);
  free(b);
  json_decref(back);
  json_decref(records);
  free(expected);
}

static void escaping_survives(void **state) {
  (void)state;
  json_error_t jerr;
  json_t *records = json_loads(
      "[{\"record_id\":\"AL-<&>\\\"'\\t\\n\\r x\",\"reporting_body\":{\"type\":\"ngo\","
      "\"name\":\"  a & b < c > d \\\"q\\\" 'a' ]]> \\r\\n\\r\\tend \\u00e9\\ud83d\\ude00 \"},"
      "\"case_ref\":\"\"}]",
      0, &jerr);
  assert_non_null(records);
  int bad;
  char *xml = xt_write(records, profile, 0, &bad, NULL);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(xml, "<record id=\"AL-&lt;&amp;&gt;&quot;'&#9;&#10;&#13; x\">"));
  assert_non_null(
      strstr(xml, "<name>  a &amp; b &lt; c &gt; d \"q\" 'a' ]]&gt; &#13;\n&#13;\tend"));
  assert_non_null(strstr(xml, "<case_ref/>"));
  free(xml);
  json_t *back = round_trip(records, profile, 0);
  assert_true(json_equal(back, records));
  json_decref(back);
  json_decref(records);
}

static void unrepresentable_values_fail_the_record(void **state) {
  (void)state;
  json_error_t jerr;
  json_t *records =
      json_loads("[{\"record_id\":\"AL-1\"},"
                 "{\"record_id\":\"AL-2\",\"case_ref\":\"a\\u0001b\"},"
                 "{\"record_id\":\"AL-3\",\"case_ref\":\"a\\uffffb\"},"
                 "{\"record_id\":\"AL-4\",\"nickname\":\"x\"},"
                 "{\"record_id\":\"AL-5\",\"exploitation\":{\"start_year\":\"2019\"}},"
                 "{\"record_id\":\"AL-6\",\"exploitation\":{\"start_year\":2019.5}},"
                 "{\"record_id\":\"AL-7\",\"person\":{\"sex\":[\"x\"]}},"
                 "{\"record_id\":\"AL-8\"}]",
                 0, &jerr);
  assert_non_null(records);
  thbx_error_t err;
  for (size_t i = 1; i < 7; i++) {
    json_t *one = json_array();
    json_array_append(one, json_array_get(records, i));
    int bad;
    char *xml = xt_write(one, profile, 0, &bad, &err);
    assert_int_equal(bad, 1);
    /* nothing of the refused record is written */
    assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<records xmlns=\"urn:thbx:thb-event:1.0\">\n</records>\n");
    free(xml);
    if (i == 1)
      assert_non_null(strstr(err.text, "/case_ref: control character U+0001"));
    if (i == 2)
      assert_non_null(strstr(err.text, "U+FFFF"));
    if (i == 3)
      assert_string_equal(err.text, "property 'nickname' is not in the profile");
    if (i == 4) {
      assert_non_null(strstr(err.text, "/exploitation/start_year: a string where the profile "
                                       "expects an integer"));
      assert_string_equal(err.instance_path, "/exploitation/start_year");
    }
    json_decref(one);
  }
  int bad;
  char *xml = xt_write(records, profile, 1, &bad, &err);
  assert_int_equal(bad, 6);
  assert_non_null(strstr(xml, "<record id=\"AL-1\"/><record id=\"AL-8\"/></records>"));
  free(xml);
  json_decref(records);
}

static void numbers_in_decimal_form(void **state) {
  (void)state;
  const double values[] = {1500.5, 1500.0,        0.1,    1e300,
                           1e-7,   123456789.125, 5e-324, 1.7976931348623157e308,
                           0.0,    2.5e15,        1e22,   0.30000000000000004};
  const char *expect[] = {"1500.5",
                          "1500.0",
                          "0.1",
                          NULL,
                          "0.0000001",
                          "123456789.125",
                          NULL,
                          NULL,
                          "0.0",
                          "2500000000000000.0",
                          "10000000000000000000000.0",
                          "0.30000000000000004"};
  json_t *records = json_array();
  for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
    json_t *r = json_pack("{s:s, s:{s:f}}", "record_id", "AL-1", "compensation", "awarded_amount",
                          values[i]);
    json_array_append_new(records, r);
  }
  json_array_append_new(records, json_pack("{s:s, s:{s:I}}", "record_id", "AL-2", "compensation",
                                           "awarded_amount", (json_int_t)1500));
  int bad;
  char *xml = xt_write(records, profile, 1, &bad, NULL);
  assert_int_equal(bad, 0);
  /* XSD decimal: digits, one '.', no exponent */
  for (const char *p = strstr(xml, "<awarded_amount>"); p; p = strstr(p + 1, "<awarded_amount>")) {
    const char *v = p + strlen("<awarded_amount>");
    size_t n = strspn(v, "0123456789.-");
    assert_int_equal(v[n], '<');
  }
  for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
    if (!expect[i])
      continue;
    char want[128];
    snprintf(want, sizeof(want), "<awarded_amount>%s</awarded_amount>", expect[i]);
    assert_non_null(strstr(xml, want));
  }
  assert_non_null(strstr(xml, "<awarded_amount>1500</awarded_amount>"));
  free(xml);
  /* exact: every double comes back bit for bit, reals stay reals */
  srand(7);
  for (int i = 0; i < 300; i++) {
    double d = ldexp((double)rand() / RAND_MAX, rand() % 200 - 100) * (rand() % 1000);
    json_array_append_new(records, json_pack("{s:s, s:{s:f}}", "record_id", "AL-3", "compensation",
                                             "awarded_amount", d));
  }
  json_t *back = round_trip(records, profile, 1);
  assert_int_equal(json_array_size(back), json_array_size(records));
  for (size_t i = 0; i < json_array_size(records); i++) {
    const json_t *a = json_object_get(json_object_get(json_array_get(records, i), "compensation"),
                                      "awarded_amount");
    const json_t *b =
        json_object_get(json_object_get(json_array_get(back, i), "compensation"), "awarded_amount");
    assert_int_equal(json_typeof(a), json_typeof(b));
    assert_true(json_number_value(a) == json_number_value(b));
  }
  json_decref(back);
  json_decref(records);
}

static void empty_document_and_indentation(void **state) {
  (void)state;
  json_t *none = json_array();
  int bad;
  char *xml = xt_write(none, profile, 0, &bad, NULL);
  struct xt_run t;
  assert_int_equal(xt_read(xml, profile, &t), THBX_OK);
  assert_int_equal(t.records, 0);
  assert_int_equal(t.last, THBX_EOF);
  xt_free(&t);
  free(xml);
  json_error_t jerr;
  json_t *one = json_loads("[{\"record_id\":\"AL-1\",\"person\":{\"sex\":\"male\",\"citizenship\":"
                           "[\"AL\",\"XK\"],\"vulnerabilities\":[]}}]",
                           0, &jerr);
  xml = xt_write(one, profile, 0, &bad, NULL);
  assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<records xmlns=\"urn:thbx:thb-event:1.0\">\n"
                           "  <record id=\"AL-1\">\n"
                           "    <person>\n"
                           "      <sex>male</sex>\n"
                           "      <citizenship>\n"
                           "        <country>AL</country>\n"
                           "        <country>XK</country>\n"
                           "      </citizenship>\n"
                           "      <vulnerabilities/>\n"
                           "    </person>\n"
                           "  </record>\n"
                           "</records>\n");
  free(xml);
  json_t *back = round_trip(one, profile, 0);
  assert_true(json_equal(back, one));
  json_decref(back);
  json_decref(one);
  json_decref(none);
}

static void generic_inverse_of_the_reader(void **state) {
  (void)state;
  json_error_t jerr;
  json_t *records = json_loads(
      "[{\"@kind\":\"a\",\"name\":\"x & y\",\"tag\":[\"1\",\"2\"],\"note\":{\"@lang\":\"en\","
      "\"#text\":\" hi \"},\"empty\":\"\",\"sub\":{\"deep\":\"d\"}},\"just text\","
      "{\"n\":5,\"b\":true,\"r\":1.5}]",
      0, &jerr);
  assert_non_null(records);
  int bad;
  char *xml = xt_write(records, NULL, 0, &bad, NULL);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(xml, "<records>\n  <record kind=\"a\">\n    <name>x &amp; y</name>\n"
                              "    <tag>1</tag>\n    <tag>2</tag>\n"
                              "    <note lang=\"en\"> hi </note>\n    <empty/>\n"));
  struct xt_run t;
  assert_int_equal(xt_read(xml, NULL, &t), THBX_OK);
  assert_int_equal(t.records, 3);
  assert_true(json_equal(t.value[0], json_array_get(records, 0)));
  assert_true(json_equal(t.value[1], json_array_get(records, 1)));
  /* generic XML has no types: numbers and booleans come back as strings */
  assert_string_equal(xt_json(t.value[2]), "{\"n\":\"5\",\"b\":\"true\",\"r\":\"1.5\"}");
  xt_free(&t);
  free(xml);
  json_decref(records);
  /* keys that are not XML names */
  const char *bad_records[] = {"[{\"a b\":1}]", "[{\"1a\":1}]",    "[{\"p:x\":1}]",
                               "[{\"@\":1}]",   "[{\"x\":[[1]]}]", "[[1,2]]"};
  for (size_t i = 0; i < sizeof(bad_records) / sizeof(*bad_records); i++) {
    json_t *r = json_loads(bad_records[i], 0, &jerr);
    thbx_error_t err;
    xml = xt_write(r, NULL, 1, &bad, &err);
    assert_int_equal(bad, 1);
    assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<records></records>\n");
    free(xml);
    json_decref(r);
  }
}

/* Raw bytes of records read from XML, written back as they stood (reject
 * files): a well-formed document that reads back as the same records. */
static void raw_records_make_a_document(void **state) {
  (void)state;
  const char *doc = "<?xml version=\"1.0\"?>\n<records xmlns=\"urn:thbx:thb-event:1.0\">\n"
                    "<record id=\"AL-1\"><case_ref>a&amp;b</case_ref></record>"
                    "<record id='AL-2'>\r\n <!-- c --><person><sex>male</sex></person></record>\n"
                    "<record id=\"AL-3\"><nick/></record>\n</records>\n";
  for (int compact = 0; compact < 2; compact++) {
    FILE *in = fmemopen((void *)doc, strlen(doc), "rb");
    thbx_reader_options_t ro;
    thbx_reader_options_default(&ro);
    ro.format = THBX_FORMAT_XML;
    ro.profile = profile;
    thbx_reader_t *r;
    thbx_error_t err;
    assert_int_equal(thbx_reader_open(&r, in, "in.xml", &ro, &err), THBX_OK);
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    thbx_writer_options_t wo;
    thbx_writer_options_default(&wo);
    wo.format = THBX_FORMAT_XML;
    wo.profile = profile;
    wo.compact = compact;
    thbx_writer_t *w;
    assert_int_equal(thbx_writer_open(&w, f, &wo, &err), THBX_OK);
    json_t *expected = json_array();
    int n = 0;
    for (;;) {
      thbx_record_t rec;
      int rc = thbx_reader_next(r, &rec, &err);
      if (rc == THBX_EOF)
        break;
      size_t len;
      const char *raw = thbx_reader_raw(r, &len);
      assert_non_null(raw);
      assert_int_equal(thbx_writer_write_raw(w, raw, len, &err), THBX_OK);
      if (rc == THBX_OK)
        json_array_append_new(expected, rec.value);
      n++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(thbx_writer_finish(w, &err), THBX_OK);
    thbx_writer_free(w);
    thbx_reader_free(r);
    fclose(in);
    fclose(f);
    int errors, last;
    json_t *back = xt_read_all(out, profile, &errors, &last);
    assert_int_equal(last, THBX_EOF);
    assert_int_equal(errors, 1); /* AL-3 is as broken as it was */
    assert_true(json_equal(back, expected));
    assert_int_equal(json_array_size(back), 2);
    json_decref(back);
    json_decref(expected);
    free(out);
  }
}

/* Nothing is per field: another profile (unwrapped arrays, nullable and
 * multi-typed values, no namespace, other names) works the same way. */
static void another_profile(void **state) {
  (void)state;
  const char *schema =
      "{\"xml\":{\"name\":\"item\",\"x-root\":\"items\"},\"type\":\"object\","
      "\"additionalProperties\":false,\"properties\":{"
      "\"code\":{\"type\":\"string\",\"xml\":{\"name\":\"c\",\"attribute\":true}},"
      "\"n\":{\"type\":\"integer\",\"xml\":{\"attribute\":true}},"
      "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
      "\"note\":{\"type\":[\"string\",\"null\"]},"
      "\"v\":{\"type\":[\"integer\",\"boolean\"]},"
      "\"ratio\":{\"type\":\"number\"},"
      "\"list\":{\"type\":\"array\",\"xml\":{\"wrapped\":true},\"items\":{\"type\":"
      "\"object\",\"xml\":{\"name\":\"e\"},\"properties\":{\"a\":{\"type\":\"boolean\"}}}}}}";
  char path[] = "/tmp/thbx-xml-profile-XXXXXX.json";
  int fd = mkstemps(path, 5);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, schema, strlen(schema)), (ssize_t)strlen(schema));
  close(fd);
  thbx_profile_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(path, &p, &err), THBX_OK);
  unlink(path);
  json_error_t jerr;
  json_t *records =
      json_loads("[{\"code\":\"x\",\"n\":-3,\"tags\":[\"a\",\"b\"],\"note\":null,\"v\":true,"
                 "\"ratio\":2.5,\"list\":[{\"a\":false},{}]},"
                 "{\"code\":\"y\",\"note\":\"n\",\"v\":7,\"tags\":[\"only\"],\"list\":[]},"
                 "{\"v\":1},{\"v\":0},{\"v\":false}]",
                 0, &jerr);
  assert_non_null(records);
  int bad;
  char *xml = xt_write(records, p, 1, &bad, &err);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(xml, "<items><item c=\"x\" n=\"-3\"><tags>a</tags><tags>b</tags>"
                              "<note xsi:nil=\"true\""));
  assert_non_null(strstr(xml, "<list><e><a>false</a></e><e/></list>"));
  free(xml);
  json_t *back = round_trip(records, p, 0);
  assert_true(json_equal(back, records));
  json_decref(back);
  json_decref(records);
  /* a string that would read back as an integer or boolean is refused */
  records = json_loads("[{\"v\":\"7\"}]", 0, &jerr);
  xml = xt_write(records, p, 1, &bad, &err);
  assert_int_equal(bad, 1);
  free(xml);
  json_decref(records);
  thbx_profile_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(samples_byte_for_byte),
      cmocka_unit_test(escaping_survives),
      cmocka_unit_test(unrepresentable_values_fail_the_record),
      cmocka_unit_test(numbers_in_decimal_form),
      cmocka_unit_test(empty_document_and_indentation),
      cmocka_unit_test(generic_inverse_of_the_reader),
      cmocka_unit_test(raw_records_make_a_document),
      cmocka_unit_test(another_profile),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
