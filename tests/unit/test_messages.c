/*
 * test_messages.c - messages that show and point at the fault (issue 12):
 * how values are shown (thbx_display_value), text made safe to print
 * (thbx_display_text), "did you mean" (thbx_suggest), code-list enum
 * messages, XSD messages in plain words, one error per fault, and reports
 * that carry the value, or leave it out when redacted.
 */
/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "issue_merge.h"
#include "xsd_issue.h"

static char *shown(const char *value) {
  static char out[512];
  thbx_display_value(out, sizeof(out), value, 0);
  return out;
}

static void values_are_quoted_with_invisible_characters_visible(void **state) {
  (void)state;
  assert_string_equal(shown("AL "), "\"AL \"");
  assert_string_equal(shown("AL\xC2\xA0"), "\"AL\\u00a0\"");
  assert_string_equal(shown("\xEF\xBB\xBF"
                            "AL"),
                      "\"\\ufeffAL\"");
  assert_string_equal(shown("a\tb\nc\rd"), "\"a\\tb\\nc\\rd\"");
  assert_string_equal(shown("\x1b[31mred\x07"), "\"\\u001b[31mred\\u0007\"");
  assert_string_equal(shown("x\xE2\x80\xAEy\xE2\x81\xA6z\xE2\x80\x8B"),
                      "\"x\\u202ey\\u2066z\\u200b\"");
  assert_string_equal(shown("C1 \xC2\x85 DEL \x7F"), "\"C1 \\u0085 DEL \\u007f\"");
  assert_string_equal(shown("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
  assert_string_equal(shown("Tiranë"), "\"Tiranë\""); /* letters stay letters */
  assert_string_equal(shown("bad \xFF"), "\"bad \\xFF\"");
  /* the text as it stands: a number's digits, quoted like any value */
  assert_string_equal(shown("12.5"), "\"12.5\"");
  assert_string_equal(shown("1200,75"), "\"1200,75\"");
}

static void long_values_are_cut_with_their_length(void **state) {
  (void)state;
  char value[1300];
  for (int i = 0; i < 1200; i++)
    value[i] = 'a' + i % 26;
  value[1200] = '\0';
  const char *s = shown(value);
  assert_non_null(strstr(s, "\xE2\x80\xA6\" (1200 characters)"));
  assert_true(strlen(s) < 80);
  /* characters, not bytes */
  char cyr[800] = "";
  for (int i = 0; i < 100; i++)
    strcat(cyr, "ж");
  assert_non_null(strstr(shown(cyr), "(100 characters)"));
  /* a value of exactly the limit is whole */
  char exact[80] = "", quoted[90];
  for (int i = 0; i < THBX_DISPLAY_MAX_CHARS; i++)
    strcat(exact, "b");
  snprintf(quoted, sizeof(quoted), "\"%s\"", exact);
  assert_string_equal(shown(exact), quoted);
  /* snprintf-like: the whole length is returned, the output truncated */
  char small[8];
  size_t n = thbx_display_value(small, sizeof(small), "abcdefghij", 0);
  assert_int_equal(n, 12);
  assert_int_equal(strlen(small), 7);
}

static void text_is_made_safe_to_print(void **state) {
  (void)state;
  char out[256];
  thbx_display_text(out, sizeof(out), "a\x1b[2Jb\x07\r\n\tc");
  assert_string_equal(out, "a\\x1B[2Jb\\x07\\r\\n\\tc");
  thbx_display_text(out, sizeof(out), "x\xE2\x80\xAEy\xC2\x9B");
  assert_string_equal(out, "x\\u202ey\\u009b");
  thbx_display_text(out, sizeof(out), "bad \xFF byte");
  assert_string_equal(out, "bad \\xFF byte");
  thbx_display_text(out, sizeof(out), "plain 'text' with \\ and \"quotes\"");
  assert_string_equal(out, "plain 'text' with \\ and \"quotes\"");
}

static void issue_text_puts_the_value_where_it_reads(void **state) {
  (void)state;
  char out[256];
  thbx_display_issue(out, sizeof(out), "is not a code of sex", "F", "did you mean female?", 0);
  assert_string_equal(out, "\"F\" is not a code of sex; did you mean female?");
  thbx_display_issue(out, sizeof(out), "map.csv:11: col:pol: code is not in crosswalk pol.csv", "X",
                     NULL, 0);
  assert_string_equal(out, "map.csv:11: col:pol: code is not in crosswalk pol.csv (value \"X\")");
  thbx_display_issue(out, sizeof(out), "is not a code of sex", "F", "did you mean female?", 1);
  assert_string_equal(out, "is not a code of sex");
  thbx_display_issue(out, sizeof(out), "must be a valid date", NULL, NULL, 0);
  assert_string_equal(out, "must be a valid date");
  thbx_display_issue(out, sizeof(out), "isolated \x1b[2J", "v", NULL, 0);
  assert_string_equal(out, "isolated \\x1B[2J (value \"v\")"); /* "isolated" is no "is " */
}

static size_t suggest(const char *value, const char *const *codes, const char *const *labels,
                      size_t n, size_t *idx) {
  return thbx_suggest(value, codes, labels, n, idx, 3);
}

static void nearest_codes(void **state) {
  (void)state;
  static const char *const sex[] = {"female", "male", "other", "unknown"};
  static const char *const cc[] = {"AD", "AL", "AM", "DE"};
  static const char *const cl[] = {"Andorra", "Albania", "Armenia", "Germany"};
  size_t idx[3];
  assert_int_equal(suggest("F", sex, NULL, 4, idx), 1);
  assert_string_equal(sex[idx[0]], "female");
  assert_int_equal(suggest("Female", sex, NULL, 4, idx), 1);
  assert_string_equal(sex[idx[0]], "female");
  assert_int_equal(suggest("femle", sex, NULL, 4, idx), 1);
  assert_string_equal(sex[idx[0]], "female");
  assert_int_equal(suggest("AL ", cc, cl, 4, idx), 1);
  assert_string_equal(cc[idx[0]], "AL");
  assert_int_equal(suggest("AL\xC2\xA0", cc, cl, 4, idx), 1); /* no-break space */
  assert_string_equal(cc[idx[0]], "AL");
  assert_int_equal(suggest("\xEF\xBB\xBF"
                           "al",
                           cc, cl, 4, idx),
                   1); /* BOM */
  assert_string_equal(cc[idx[0]], "AL");
  assert_int_equal(suggest("Albania", cc, cl, 4, idx), 1);
  assert_string_equal(cc[idx[0]], "AL");
  assert_int_equal(suggest("germany", cc, cl, 4, idx), 1);
  assert_string_equal(cc[idx[0]], "DE");
  assert_int_equal(suggest("zzzzzz", sex, NULL, 4, idx), 0);
  assert_int_equal(suggest("", sex, NULL, 4, idx), 0);
}

static void code_list_enum_names_the_list(void **state) {
  (void)state;
  thbx_profile_t *profile = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  thbx_schema_t *schema = NULL;
  assert_int_equal(thbx_schema_compile(thbx_profile_schema(profile), NULL, NULL, &schema, &err),
                   THBX_OK);
  json_t *rec = json_pack("{s:s,s:{s:s}}", "reporting_country", "Albania", "person", "sex", "F");
  thbx_validation_t res;
  assert_int_equal(thbx_schema_validate(schema, rec, &res, &err), THBX_OK);
  int sex = 0, country = 0;
  for (size_t i = 0; i < res.count; i++) {
    const thbx_validation_error_t *e = &res.errors[i];
    if (strcmp(e->instance_path, "/person/sex") == 0) {
      sex = 1;
      assert_string_equal(e->message, "is not a code of sex (see `thbx codes sex`)");
      assert_string_equal(e->hint, "did you mean female?");
    }
    if (strcmp(e->instance_path, "/reporting_country") == 0) {
      country = 1;
      /* never a dump of 250 countries; the label finds the code */
      assert_null(strstr(e->message, "AD, AE"));
      assert_string_equal(e->message, "is not a code of countries (see `thbx codes countries`)");
      assert_string_equal(e->hint, "did you mean AL (Albania)?");
    }
    assert_null(strstr(e->message, "Albania"));
  }
  assert_true(sex && country);
  thbx_validation_clear(&res);
  json_decref(rec);
  /* an enum that is not a code list keeps its message */
  json_t *plain = json_pack("{s:[s,s]}", "enum", "a", "b");
  thbx_schema_t *ps = NULL;
  assert_int_equal(thbx_schema_compile(plain, NULL, NULL, &ps, &err), THBX_OK);
  json_t *c = json_string("c");
  assert_int_equal(thbx_schema_validate(ps, c, &res, &err), THBX_OK);
  assert_int_equal(res.count, 1);
  assert_string_equal(res.errors[0].message, "must be one of a, b");
  assert_null(res.errors[0].hint);
  thbx_validation_clear(&res);
  json_decref(c);
  thbx_schema_free(ps);
  json_decref(plain);
  thbx_schema_free(schema);
  thbx_profile_free(profile);
}

static void xsd_messages_in_plain_words(void **state) {
  (void)state;
  char out[512];
  xsd_issue_message(out, sizeof(out),
                    "Element '{urn:thbx:thb-event:1.0}sex': [facet 'enumeration'] The value 'F' "
                    "is not an element of the set {'female', 'male', 'other', 'unknown'}.\n",
                    "F");
  assert_string_equal(out, "is not one of the values the XSD allows: female, male, other, unknown");
  xsd_issue_message(out, sizeof(out),
                    "Element '{urn:thbx:thb-event:1.0}foo': This element is not expected. "
                    "Expected is ( {urn:thbx:thb-event:1.0}sex ).\n",
                    NULL);
  assert_string_equal(out, "element 'foo' is not expected here; expected: sex");
  xsd_issue_message(out, sizeof(out),
                    "Element '{urn:thbx:thb-event:1.0}records', attribute 'foo': The attribute "
                    "'foo' is not allowed.\n",
                    "bar");
  assert_string_equal(out, "attribute 'foo' is not allowed on element 'records'");
  xsd_issue_message(out, sizeof(out),
                    "Element '{urn:x:y}age': 'abc' is not a valid value of the atomic type "
                    "'xs:integer'.\n",
                    "abc");
  assert_string_equal(out, "is not a valid xs:integer");
  /* an unknown message: no namespace, no value */
  xsd_issue_message(out, sizeof(out), "Element '{urn:x:y}v': Something odd about 'SECRET'.\n",
                    "SECRET");
  assert_null(strstr(out, "{urn"));
  assert_null(strstr(out, "SECRET"));
}

static thbx_item_issue_t mk(thbx_issue_kind kind, const char *rule, long line, const char *path,
                            const char *msg) {
  thbx_item_issue_t is = {0};
  is.kind = kind;
  is.rule = strdup(rule);
  is.line = line;
  is.column = 3;
  is.instance_path = strdup(path);
  is.schema_path = strdup("");
  is.message = strdup(msg);
  return is;
}

static void one_fault_one_error(void **state) {
  (void)state;
  thbx_item_t item = {0};
  item.line = 65;
  item.column = 3;
  item.nissues = 4;
  item.issues = calloc(4, sizeof(*item.issues));
  item.issues[0] = mk(THBX_ISSUE_XSD, "xsd", 78, "/person/sex", "is not one of ...");
  item.issues[0].column = 7;
  item.issues[1] = mk(THBX_ISSUE_XSD, "xsd", 80, "/person/age_group", "is not one of ...");
  item.issues[2] = mk(THBX_ISSUE_SCHEMA, "enum", 65, "/person/sex", "is not a code of sex");
  item.issues[3] = mk(THBX_ISSUE_SCHEMA, "required", 65, "", "required property 'x'");
  issue_merge_xsd(&item);
  assert_int_equal(item.nissues, 3);
  /* the XSD-only fault stays; the shared one is the JSON Schema's, at the element */
  assert_string_equal(item.issues[0].instance_path, "/person/age_group");
  assert_int_equal(item.issues[1].kind, THBX_ISSUE_SCHEMA);
  assert_string_equal(item.issues[1].instance_path, "/person/sex");
  assert_int_equal(item.issues[1].line, 78);
  assert_int_equal(item.issues[1].column, 7);
  for (size_t i = 0; i < item.nissues; i++) {
    free(item.issues[i].rule);
    free(item.issues[i].instance_path);
    free(item.issues[i].schema_path);
    free(item.issues[i].message);
  }
  free(item.issues);
}

static void issue_values_from_the_record(void **state) {
  (void)state;
  json_t *rec = json_pack("{s:s,s:{s:s,s:[s,s]},s:i}", "id", "AL-1", "person", "sex", "F", "tags",
                          "a", "b", "n", 12);
  char *v = issue_value_at(rec, "/person/sex", "enum");
  assert_string_equal(v, "F");
  free(v);
  v = issue_value_at(rec, "/person/tags/1", "enum");
  assert_string_equal(v, "b");
  free(v);
  v = issue_value_at(rec, "/n", "maximum");
  assert_string_equal(v, "12");
  free(v);
  assert_null(issue_value_at(rec, "/person", "required")); /* the object is not the fault */
  v = issue_value_at(rec, "/person/tags", "type");
  assert_string_equal(v, "[\"a\",\"b\"]");
  free(v);
  assert_null(issue_value_at(rec, "/nope", "enum"));
  json_decref(rec);
}

/* A report with one record error carrying a value, in every format. */
static char *report_text(thbx_report_format format, int redact) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  thbx_report_options_t ro;
  thbx_report_options_default(&ro);
  ro.format = format;
  ro.redact = redact;
  thbx_report_t *r = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_report_open(&r, fp, &ro, &err), THBX_OK);
  thbx_issue_t is = {0};
  is.kind = THBX_ISSUE_SCHEMA;
  is.rule = "enum";
  is.source = "a.ndjson";
  is.line = 2;
  is.column = 1;
  is.instance_path = "/reporting_country";
  is.message = "is not a code of countries";
  is.value = "Zq9\x1b[31m";
  is.hint = "did you mean Zz?";
  thbx_report_record_t rec = {"a.ndjson", 2, 1, 1, "AL-2", 0};
  assert_int_equal(thbx_report_file_begin(r, "a.ndjson", &err), THBX_OK);
  assert_int_equal(thbx_report_add(r, &rec, &is, 1, &err), THBX_OK);
  assert_int_equal(thbx_report_finish(r, &err), THBX_OK);
  thbx_report_free(r);
  fclose(fp);
  return buf;
}

static void reports_carry_the_value_or_redact_it(void **state) {
  (void)state;
  for (int f = THBX_REPORT_TEXT; f <= THBX_REPORT_HTML; f++) {
    char *t = report_text((thbx_report_format)f, 0);
    assert_non_null(strstr(t, "Zq9"));
    assert_null(strchr(t, '\x1b')); /* the ESC never reaches the report raw */
    if (f != THBX_REPORT_JSON)      /* JSON: the exact value in "value", escaped by JSON */
      assert_non_null(strstr(t, "did you mean Zz?"));
    free(t);
    t = report_text((thbx_report_format)f, 1);
    assert_null(strstr(t, "Zq9"));
    assert_null(strstr(t, "did you mean"));
    assert_non_null(strstr(t, "is not a code of countries"));
    free(t);
  }
  char *t = report_text(THBX_REPORT_TEXT, 0);
  assert_non_null(strstr(t, "a.ndjson:2:1: error: /reporting_country: \"Zq9\\u001b[31m\" is not a "
                            "code of countries; did you mean Zz? [record AL-2]\n"));
  free(t);
  t = report_text(THBX_REPORT_JSON, 0);
  json_error_t jerr;
  json_t *j = json_loads(t, 0, &jerr);
  assert_non_null(j);
  json_t *e = json_array_get(json_object_get(j, "errors"), 0);
  assert_string_equal(json_string_value(json_object_get(e, "value")), "Zq9\x1b[31m");
  assert_string_equal(json_string_value(json_object_get(e, "hint")), "did you mean Zz?");
  json_decref(j);
  free(t);
  t = report_text(THBX_REPORT_SARIF, 0);
  j = json_loads(t, 0, &jerr);
  assert_non_null(j);
  json_t *res =
      json_array_get(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results"), 0);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(res, "properties"), "value")),
      "Zq9\x1b[31m");
  assert_non_null(
      strstr(json_string_value(json_object_get(json_object_get(res, "message"), "text")),
             "\"Zq9\\u001b[31m\""));
  json_decref(j);
  free(t);
}

static void an_unread_input_is_not_a_successful_run(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  thbx_report_options_t ro;
  thbx_report_options_default(&ro);
  ro.format = THBX_REPORT_SARIF;
  thbx_report_t *r = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_report_open(&r, fp, &ro, &err), THBX_OK);
  thbx_issue_t is = {0};
  is.kind = THBX_ISSUE_UNREADABLE;
  is.rule = "unreadable";
  is.source = "gone.ndjson";
  is.message = "cannot open the input: no such file or directory";
  assert_int_equal(thbx_report_file_begin(r, "gone.ndjson", &err), THBX_OK);
  assert_int_equal(thbx_report_add(r, NULL, &is, 1, &err), THBX_OK);
  assert_int_equal(thbx_report_finish(r, &err), THBX_OK);
  thbx_report_free(r);
  fclose(fp);
  json_error_t jerr;
  json_t *j = json_loads(buf, 0, &jerr);
  assert_non_null(j);
  json_t *inv = json_array_get(
      json_object_get(json_array_get(json_object_get(j, "runs"), 0), "invocations"), 0);
  assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
  json_t *n = json_array_get(json_object_get(inv, "toolExecutionNotifications"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(json_object_get(n, "message"), "text")),
                         "no such file or directory"));
  json_decref(j);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(values_are_quoted_with_invisible_characters_visible),
      cmocka_unit_test(long_values_are_cut_with_their_length),
      cmocka_unit_test(text_is_made_safe_to_print),
      cmocka_unit_test(issue_text_puts_the_value_where_it_reads),
      cmocka_unit_test(nearest_codes),
      cmocka_unit_test(code_list_enum_names_the_list),
      cmocka_unit_test(xsd_messages_in_plain_words),
      cmocka_unit_test(one_fault_one_error),
      cmocka_unit_test(issue_values_from_the_record),
      cmocka_unit_test(reports_carry_the_value_or_redact_it),
      cmocka_unit_test(an_unread_input_is_not_a_successful_run),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
