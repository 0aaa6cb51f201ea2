/*
 * test_report.c - every validation report format, fed the same records and
 * parsed back: JSON with jansson, JUnit and HTML with libxml2, SARIF against
 * the SARIF 2.1.0 JSON schema (tests/suites/sarif) with thbx's own engine,
 * GitHub workflow commands and text line by line. Also --max-errors,
 * --quiet, escaping of hostile names and messages, and an empty run.
 */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

/* ------------------------------------------------------------ the feed */

static const thbx_issue_t enum_issue = {THBX_ISSUE_SCHEMA,
                                        "enum",
                                        NULL,
                                        2,
                                        1,
                                        "/person/sex",
                                        "/properties/person/properties/sex/enum",
                                        "must be one of female, male, other, unknown",
                                        NULL,
                                        0,
                                        0};

/* Two files: a.ndjson (valid, 2 schema errors, unreadable, duplicate id)
 * and "in/b,1.xml" (an XSD error with a hostile id and message, then the
 * file cannot be read further). 5 records: 1 valid, 4 invalid (1
 * unreadable), 6 errors. */
static void feed(thbx_report_t *r, const char *bad_utf8) {
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_report_file_begin(r, "data/a.ndjson", &err), THBX_OK);
  thbx_report_record_t rec = {"data/a.ndjson", 1, 1, 0, "AL-1", 0};
  assert_int_equal(thbx_report_add(r, &rec, NULL, 0, &err), THBX_OK);

  thbx_issue_t two[2] = {enum_issue, enum_issue};
  two[1].rule = "required";
  two[1].instance_path = "";
  two[1].schema_path = "/required";
  two[1].message = bad_utf8 ? bad_utf8 : "missing property event_date";
  rec = (thbx_report_record_t){"data/a.ndjson", 2, 1, 1, "AL-2", 0};
  assert_int_equal(thbx_report_add(r, &rec, two, 2, &err), THBX_OK);

  thbx_issue_t unreadable = {THBX_ISSUE_UNREADABLE,
                             "unreadable",
                             NULL,
                             3,
                             7,
                             "",
                             "",
                             "invalid JSON: unexpected character",
                             NULL,
                             0,
                             0};
  rec = (thbx_report_record_t){"data/a.ndjson", 3, 7, 2, NULL, 1};
  assert_int_equal(thbx_report_add(r, &rec, &unreadable, 1, &err), THBX_OK);

  thbx_issue_t dup = {THBX_ISSUE_DATASET,
                      "unique-record-id",
                      NULL,
                      4,
                      1,
                      "/record_id",
                      "",
                      "record_id \"AL-1\" is not unique in the dataset",
                      "data/a.ndjson",
                      1,
                      1};
  rec = (thbx_report_record_t){"data/a.ndjson", 4, 1, 3, "AL-1", 0};
  assert_int_equal(thbx_report_add(r, &rec, &dup, 1, &err), THBX_OK);

  assert_int_equal(thbx_report_file_begin(r, "in/b,1.xml", &err), THBX_OK);
  thbx_issue_t xsd = {THBX_ISSUE_XSD,
                      "xsd",
                      NULL,
                      5,
                      10,
                      "",
                      "",
                      "100% wrong:\nelement 'sexx' <here> & \"there\"\x01",
                      NULL,
                      0,
                      0};
  rec = (thbx_report_record_t){"in/b,1.xml", 3, 3, 0, "AL-<&>\"'", 0};
  assert_int_equal(thbx_report_add(r, &rec, &xsd, 1, &err), THBX_OK);
  thbx_issue_t broken = {THBX_ISSUE_UNREADABLE,   "unreadable", NULL, 9, 1, NULL, NULL,
                         "premature end of data", NULL,         0,    0};
  assert_int_equal(thbx_report_add(r, NULL, &broken, 1, &err), THBX_OK);
}

/* Run a report of `format` over feed() and return what it wrote. */
static char *render(thbx_report_format format, long max_errors, int quiet, int empty,
                    const char *bad_utf8, thbx_report_summary_t *summary) {
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  assert_non_null(fp);
  thbx_report_options_t o;
  thbx_report_options_default(&o);
  o.format = format;
  o.max_errors = max_errors;
  o.quiet = quiet;
  thbx_report_t *r = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_report_open(&r, fp, &o, &err), THBX_OK);
  if (!empty)
    feed(r, bad_utf8);
  int rc = thbx_report_finish(r, &err);
  if (rc != THBX_OK)
    fail_msg("finish: %s", err.text);
  if (summary)
    thbx_report_get_summary(r, summary);
  thbx_report_free(r);
  fclose(fp);
  return text;
}

static char *render_all(thbx_report_format format) { return render(format, -1, 0, 0, NULL, NULL); }

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* ------------------------------------------------------------ core */

static void summary_counts(void **state) {
  (void)state;
  thbx_report_summary_t s;
  free(render(THBX_REPORT_TEXT, 2, 0, 0, NULL, &s));
  assert_int_equal(s.files, 2);
  assert_int_equal(s.records, 5);
  assert_int_equal(s.valid, 1);
  assert_int_equal(s.invalid, 4);
  assert_int_equal(s.unreadable, 1);
  assert_int_equal(s.errors, 6);
  assert_int_equal(s.reported, 2);
}

static void names(void **state) {
  (void)state;
  for (int f = THBX_REPORT_TEXT; f <= THBX_REPORT_HTML; f++)
    assert_int_equal(thbx_report_format_from_name(thbx_report_format_name(f)), f);
  assert_int_equal(thbx_report_format_from_name("xml"), -1);
  assert_int_equal(thbx_report_format_from_name(NULL), -1);
  assert_string_equal(thbx_issue_kind_name(THBX_ISSUE_DATASET), "dataset");
}

/* ------------------------------------------------------------ text */

static void text_lines(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_TEXT);
  assert_int_equal(count_lines(t), 9); /* 6 errors, a summary per file (issue 12), the total */
  assert_non_null(strstr(t, "data/a.ndjson:2:1: error: /person/sex: must be one of female, "
                            "male, other, unknown [record AL-2]\n"));
  assert_non_null(strstr(t, "data/a.ndjson:3:7: error: invalid JSON: unexpected character\n"));
  assert_non_null(strstr(t, "data/a.ndjson:4:1: error: /record_id: record_id \"AL-1\" is not "
                            "unique in the dataset (first at data/a.ndjson:1:1) [record AL-1]\n"));
  assert_non_null(strstr(t, "in/b,1.xml:9:1: error: premature end of data\n"));
  /* control characters of a message cannot break the line or reach the terminal */
  assert_non_null(strstr(t, "in/b,1.xml:5:10: error: 100% wrong:\\nelement 'sexx' <here> & "
                            "\"there\"\\x01 [record AL-<&>\"']\n"));
  /* one summary line per input before the total */
  assert_non_null(strstr(t, "\ndata/a.ndjson: 4 records: 1 valid, 3 invalid (1 unreadable), 4 "
                            "errors\nin/b,1.xml: 1 record: 0 valid, 1 invalid, 2 errors\n"));
  const char *last = strstr(t, "thbx validate: ");
  assert_non_null(last);
  assert_string_equal(last, "thbx validate: 2 files, 5 records: 1 valid, 4 invalid "
                            "(1 unreadable), 6 errors\n");
  free(t);
}

static void text_max_errors_and_quiet(void **state) {
  (void)state;
  char *t = render(THBX_REPORT_TEXT, 2, 0, 0, NULL, NULL);
  assert_int_equal(count_lines(t), 5); /* 2 errors, 2 files' summaries, the total */
  assert_non_null(strstr(t, "6 errors (2 shown)\n"));
  free(t);
  t = render(THBX_REPORT_TEXT, -1, 1, 0, NULL, NULL);
  assert_int_equal(count_lines(t), 1);
  assert_non_null(strstr(t, "(0 shown)"));
  free(t);
  t = render(THBX_REPORT_TEXT, 0, 0, 0, NULL, NULL);
  assert_int_equal(count_lines(t), 3); /* no error shown; the files' summaries and the total */
  free(t);
}

/* ------------------------------------------------------------ JSON */

static json_t *parse_json(const char *text) {
  json_error_t jerr;
  json_t *j = json_loads(text, 0, &jerr);
  if (!j)
    fail_msg("not JSON: %s at %d:%d in\n%s", jerr.text, jerr.line, jerr.column, text);
  return j;
}

static void json_report(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_JSON);
  json_t *j = parse_json(t);
  assert_true(json_is_false(json_object_get(j, "valid")));
  json_t *s = json_object_get(j, "summary");
  assert_int_equal(json_integer_value(json_object_get(s, "records")), 5);
  assert_int_equal(json_integer_value(json_object_get(s, "valid")), 1);
  assert_int_equal(json_integer_value(json_object_get(s, "invalid")), 4);
  assert_int_equal(json_integer_value(json_object_get(s, "unreadable")), 1);
  assert_int_equal(json_integer_value(json_object_get(s, "errors")), 6);
  json_t *errors = json_object_get(j, "errors");
  assert_int_equal(json_array_size(errors), 6);
  json_t *e = json_array_get(errors, 0);
  static const char *const keys[] = {"file",      "line",          "column",      "record_index",
                                     "record_id", "instance_path", "schema_path", "message"};
  for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
    if (!json_object_get(e, keys[i]))
      fail_msg("error object has no %s", keys[i]);
  assert_string_equal(json_string_value(json_object_get(e, "file")), "data/a.ndjson");
  assert_int_equal(json_integer_value(json_object_get(e, "line")), 2);
  assert_int_equal(json_integer_value(json_object_get(e, "record_index")), 1);
  assert_string_equal(json_string_value(json_object_get(e, "record_id")), "AL-2");
  assert_string_equal(json_string_value(json_object_get(e, "instance_path")), "/person/sex");
  assert_string_equal(json_string_value(json_object_get(e, "schema_path")),
                      "/properties/person/properties/sex/enum");
  e = json_array_get(errors, 2); /* unreadable: no record id */
  assert_true(json_is_null(json_object_get(e, "record_id")));
  assert_int_equal(json_integer_value(json_object_get(e, "column")), 7);
  e = json_array_get(errors, 3);
  assert_string_equal(json_string_value(json_object_get(e, "rule")), "unique-record-id");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "related"), "line")), 1);
  e = json_array_get(errors, 4); /* hostile strings survive as they were */
  assert_string_equal(json_string_value(json_object_get(e, "record_id")), "AL-<&>\"'");
  /* control characters are made visible in the JSON report too (issue 12) */
  assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "100% wrong:\\n"));
  e = json_array_get(errors, 5); /* file issue */
  assert_true(json_is_null(json_object_get(e, "record_index")));
  assert_string_equal(json_string_value(json_object_get(e, "file")), "in/b,1.xml");
  json_decref(j);
  free(t);
}

static void json_limits_empty_and_bad_utf8(void **state) {
  (void)state;
  char *t = render(THBX_REPORT_JSON, 2, 0, 0, NULL, NULL);
  json_t *j = parse_json(t);
  assert_int_equal(json_array_size(json_object_get(j, "errors")), 2);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "reported")),
                   2);
  json_decref(j);
  free(t);
  t = render(THBX_REPORT_JSON, -1, 0, 1, NULL, NULL);
  j = parse_json(t);
  assert_true(json_is_true(json_object_get(j, "valid")));
  assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
  json_decref(j);
  free(t);
  t = render(THBX_REPORT_JSON, -1, 0, 0, "bad \xC3\x28 byte", NULL);
  j = parse_json(t);
  assert_int_equal(json_array_size(json_object_get(j, "errors")), 6);
  json_decref(j);
  free(t);
}

/* ------------------------------------------------------------ JUnit */

static xmlDocPtr parse_xml(const char *text) {
  xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "report.xml", NULL, XML_PARSE_NONET);
  if (!doc)
    fail_msg("not well-formed XML:\n%s", text);
  return doc;
}

static long xpath_number(xmlDocPtr doc, const char *expr) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
  assert_non_null(o);
  double d = xmlXPathCastToNumber(o);
  xmlXPathFreeObject(o);
  xmlXPathFreeContext(ctx);
  return (long)d;
}

static char *xpath_string(xmlDocPtr doc, const char *expr) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
  assert_non_null(o);
  xmlChar *s = xmlXPathCastToString(o);
  xmlXPathFreeObject(o);
  xmlXPathFreeContext(ctx);
  char *copy = strdup((const char *)s);
  xmlFree(s);
  return copy;
}

static void junit_report(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_JUNIT);
  xmlDocPtr doc = parse_xml(t);
  assert_int_equal(xpath_number(doc, "count(/testsuites/testsuite)"), 2);
  assert_int_equal(xpath_number(doc, "count(//testcase)"), 6);
  assert_int_equal(xpath_number(doc, "/testsuites/@tests"), 6);
  assert_int_equal(xpath_number(doc, "/testsuites/@failures"), 4);
  assert_int_equal(xpath_number(doc, "/testsuites/@errors"), 1);
  assert_int_equal(xpath_number(doc, "count(//testcase/failure)"), 4);
  assert_int_equal(xpath_number(doc, "count(//testcase/error)"), 1);
  /* the counts of each suite agree with its test cases */
  for (int i = 1; i <= 2; i++) {
    char expr[160];
    snprintf(expr, sizeof(expr),
             "/testsuites/testsuite[%d]/@tests - count(/testsuites/testsuite[%d]/testcase)", i, i);
    assert_int_equal(xpath_number(doc, expr), 0);
    snprintf(
        expr, sizeof(expr),
        "/testsuites/testsuite[%d]/@failures - count(/testsuites/testsuite[%d]/testcase/failure)",
        i, i);
    assert_int_equal(xpath_number(doc, expr), 0);
  }
  char *s = xpath_string(doc, "/testsuites/testsuite[1]/@name");
  assert_string_equal(s, "data/a.ndjson");
  free(s);
  s = xpath_string(doc, "/testsuites/testsuite[1]/testcase[2]/failure/@message");
  assert_string_equal(s, "/person/sex: must be one of female, male, other, unknown [record AL-2]");
  free(s);
  s = xpath_string(doc, "/testsuites/testsuite[1]/testcase[2]/failure");
  assert_non_null(strstr(s, "data/a.ndjson:2:1: error: missing property event_date [record AL-2]"));
  free(s);
  s = xpath_string(doc, "/testsuites/testsuite[2]/testcase[1]/@name");
  assert_non_null(strstr(s, "AL-<&>\"'"));
  free(s);
  s = xpath_string(doc, "/testsuites/testsuite[2]/testcase[1]/failure/@message");
  assert_non_null(strstr(s, "100% wrong:\\nelement 'sexx' <here> & \"there\""));
  free(s);
  xmlFreeDoc(doc);
  free(t);
}

static void junit_quiet_and_empty(void **state) {
  (void)state;
  char *t = render(THBX_REPORT_JUNIT, -1, 1, 0, NULL, NULL);
  xmlDocPtr doc = parse_xml(t);
  assert_int_equal(xpath_number(doc, "count(//testcase/failure)"), 4);
  char *s = xpath_string(doc, "/testsuites/testsuite[1]/testcase[2]/failure/@message");
  assert_non_null(strstr(s, "2 errors (not shown"));
  free(s);
  xmlFreeDoc(doc);
  free(t);
  t = render(THBX_REPORT_JUNIT, -1, 0, 1, NULL, NULL);
  doc = parse_xml(t);
  assert_int_equal(xpath_number(doc, "/testsuites/@tests"), 0);
  xmlFreeDoc(doc);
  free(t);
}

/* ------------------------------------------------------------ SARIF */

/* The SARIF 2.1.0 JSON schema is draft-04; the keywords it uses mean the same
 * in draft 7, so compile it as draft 7 without its draft-04 "$schema"/"id". */
static thbx_schema_t *sarif_schema(void) {
  json_error_t jerr;
  json_t *doc = json_load_file(THBX_SUITES_DIR "/sarif/sarif-2.1.0-rtm.5.json", 0, &jerr);
  if (!doc)
    return NULL;
  json_object_del(doc, "$schema");
  json_object_del(doc, "id");
  thbx_schema_options_t o;
  thbx_schema_options_default(&o);
  o.draft = THBX_DRAFT_7;
  thbx_schema_t *schema = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_schema_compile(doc, NULL, &o, &schema, &err);
  json_decref(doc);
  if (rc != THBX_OK)
    fail_msg("the SARIF schema does not compile: %s", err.text);
  return schema;
}

static void assert_sarif_valid(const thbx_schema_t *schema, const json_t *log) {
  thbx_validation_t res = {0};
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_schema_validate(schema, log, &res, &err), THBX_OK);
  if (!res.valid) {
    char *text = json_dumps(log, JSON_INDENT(1));
    fail_msg("SARIF log is not valid: %s: %s\n%s", res.count ? res.errors[0].instance_path : "",
             res.count ? res.errors[0].message : "", text);
  }
  thbx_validation_clear(&res);
}

static void sarif_report(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_SARIF);
  json_t *j = parse_json(t);
  assert_string_equal(json_string_value(json_object_get(j, "version")), "2.1.0");
  json_t *run = json_array_get(json_object_get(j, "runs"), 0);
  json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
  assert_string_equal(json_string_value(json_object_get(driver, "name")), "thbx");
  json_t *rules = json_object_get(driver, "rules");
  json_t *results = json_object_get(run, "results");
  assert_int_equal(json_array_size(results), 6);
  /* one rule per keyword: enum, required, unreadable, unique-record-id, xsd */
  assert_int_equal(json_array_size(rules), 5);
  size_t i;
  json_t *res;
  json_array_foreach(results, i, res) {
    json_int_t index = json_integer_value(json_object_get(res, "ruleIndex"));
    json_t *rule = json_array_get(rules, (size_t)index);
    assert_non_null(rule);
    assert_string_equal(json_string_value(json_object_get(rule, "id")),
                        json_string_value(json_object_get(res, "ruleId")));
    json_t *phys =
        json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
    assert_non_null(json_object_get(json_object_get(phys, "artifactLocation"), "uri"));
    assert_true(json_integer_value(json_object_get(json_object_get(phys, "region"), "startLine")) >
                0);
  }
  res = json_array_get(results, 0);
  json_t *region = json_object_get(
      json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"),
      "region");
  assert_int_equal(json_integer_value(json_object_get(region, "startLine")), 2);
  assert_int_equal(json_integer_value(json_object_get(region, "startColumn")), 1);
  res = json_array_get(results, 5);
  json_t *uri = json_object_get(
      json_object_get(
          json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"),
          "artifactLocation"),
      "uri");
  assert_string_equal(json_string_value(uri), "in/b%2C1.xml");
  assert_non_null(json_object_get(json_array_get(results, 3), "relatedLocations"));

  thbx_schema_t *schema = sarif_schema();
  assert_non_null(schema);
  assert_sarif_valid(schema, j);
  json_decref(j);
  free(t);
  /* the empty run and a run with a message that is not UTF-8 are valid too */
  t = render(THBX_REPORT_SARIF, -1, 0, 1, NULL, NULL);
  j = parse_json(t);
  assert_int_equal(
      json_array_size(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results")),
      0);
  assert_sarif_valid(schema, j);
  json_decref(j);
  free(t);
  t = render(THBX_REPORT_SARIF, -1, 0, 0, "bad \xC3\x28 byte", NULL);
  j = parse_json(t);
  assert_sarif_valid(schema, j);
  json_decref(j);
  free(t);
  /* and the validator really checks: a result without a message is refused */
  json_t *broken = json_pack("{s:s,s:[{s:{s:{s:s}},s:[{s:s}]}]}", "version", "2.1.0", "runs",
                             "tool", "driver", "name", "thbx", "results", "ruleId", "x");
  thbx_validation_t vr = {0};
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_schema_validate(schema, broken, &vr, &err), THBX_OK);
  assert_false(vr.valid);
  thbx_validation_clear(&vr);
  json_decref(broken);
  thbx_schema_free(schema);
}

/* ------------------------------------------------------------ GitHub */

static void github_report(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_GITHUB);
  assert_int_equal(count_lines(t), 7);
  assert_true(strncmp(t,
                      "::error file=data/a.ndjson,line=2,col=1,title=thbx enum::/person/sex: "
                      "must be one of female, male, other, unknown [record AL-2]\n",
                      strlen("::error file=data/a.ndjson,line=2,col=1,title=thbx enum::")) == 0);
  /* property values escape , and :, messages % CR LF */
  assert_non_null(strstr(t, "::error file=in/b%2C1.xml,line=5,col=10,title=thbx xsd::100%25 "
                            "wrong:\\nelement 'sexx'"));
  assert_non_null(strstr(t, "::error file=in/b%2C1.xml,line=9,col=1,title=thbx unreadable::"
                            "premature end of data\n"));
  /* every line but the summary is a workflow command */
  int commands = 0;
  for (const char *p = t; *p; p = strchr(p, '\n') + 1)
    commands += strncmp(p, "::error file=", 13) == 0;
  assert_int_equal(commands, 6);
  assert_non_null(strstr(t, "\nthbx validate: 2 files, 5 records"));
  free(t);
}

/* ------------------------------------------------------------ HTML */

static void html_report(void **state) {
  (void)state;
  char *t = render_all(THBX_REPORT_HTML);
  htmlDocPtr doc = htmlReadMemory(t, (int)strlen(t), "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  assert_non_null(doc);
  char *s = xpath_string(doc, "normalize-space(//*[@id='summary-records'])");
  assert_string_equal(s, "5");
  free(s);
  s = xpath_string(doc, "normalize-space(//*[@id='summary-invalid'])");
  assert_string_equal(s, "4");
  free(s);
  s = xpath_string(doc, "normalize-space(//*[@id='verdict'])");
  /* one of the two inputs could not be read: the dataset was not checked (issue 12) */
  assert_string_equal(s, "NOT CHECKED: 1 of 2 inputs could not be read, so the dataset could "
                         "not be checked (4 of the 5 records read are invalid)");
  free(s);
  /* errors grouped by rule and by field, with links to the records */
  assert_int_equal(xpath_number(doc, "count(//table[@id='by-rule']/tr) - 1"), 5);
  assert_int_equal(xpath_number(doc, "count(//table[@id='by-field']//code[.='/person/sex'])"), 1);
  s = xpath_string(doc, "//table[@id='by-rule']/tr[td/code='enum']/td[4]/a/@href");
  assert_string_equal(s, "#r1-2");
  free(s);
  assert_int_equal(xpath_number(doc, "count(//div[@id='r1-2'])"), 1);
  s = xpath_string(doc, "normalize-space(//div[@id='r2-1']/h3)");
  assert_non_null(strstr(s, "AL-<&>\"'"));
  free(s);
  xmlFreeDoc(doc);
  free(t);
  t = render(THBX_REPORT_HTML, -1, 0, 1, NULL, NULL);
  assert_non_null(strstr(t, "VALID: all 0 records are valid"));
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(summary_counts), cmocka_unit_test(names),
      cmocka_unit_test(text_lines),     cmocka_unit_test(text_max_errors_and_quiet),
      cmocka_unit_test(json_report),    cmocka_unit_test(json_limits_empty_and_bad_utf8),
      cmocka_unit_test(junit_report),   cmocka_unit_test(junit_quiet_and_empty),
      cmocka_unit_test(sarif_report),   cmocka_unit_test(github_report),
      cmocka_unit_test(html_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
