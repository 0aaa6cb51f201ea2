/*
 * test_validator.c - the validate pipeline (thbx_validator_*) and its
 * dataset rules: dates, the id set (growth, no false duplicates, the first
 * place of a duplicate), accepted + rejected = input in every format with
 * the right framing, schemas that do not compile, inputs of two formats.
 * Inputs are samples/ and tests/data/validate/ (see its README.md).
 */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dataset_rules.h"
#include "stages.h"

/* The rule names and fields of the embedded profile's x-thbx annotation */
#define DATASET_RULE_UNIQUE_ID "unique-record-id"
#define DATASET_RULE_ASSISTANCE_DATES "assistance-dates"
#define DATASET_RULE_EVENT_DATE "event-date-not-future"

/* The dataset rules of the embedded profile (its x-thbx annotation). */
static const struct profile_rules *event_rules(void) {
  static thbx_profile_t *profile;
  if (!profile) {
    thbx_error_t err;
    assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  }
  return &profile->rules;
}

#define DATA THBX_SOURCE_DIR "/tests/data/validate/"

/* ------------------------------------------------------------ dataset rules */

static void dates(void **state) {
  (void)state;
  assert_true(dataset_rules_is_date("2024-02-29", 10));
  assert_true(dataset_rules_is_date("2000-02-29", 10));
  assert_false(dataset_rules_is_date("1900-02-29", 10));
  assert_false(dataset_rules_is_date("2023-02-29", 10));
  assert_false(dataset_rules_is_date("2024-13-01", 10));
  assert_false(dataset_rules_is_date("2024-04-31", 10));
  assert_false(dataset_rules_is_date("2024-00-10", 10));
  assert_false(dataset_rules_is_date("2024-1-010", 10));
  assert_false(dataset_rules_is_date("2024-01-01T", 11));
  assert_true(dataset_rules_is_date("2024-12-31", 10));
}

static void today(void **state) {
  (void)state;
  struct dataset_rules *r = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(dataset_rules_new(&r, event_rules(), "2024-02-30", &err), THBX_EINVAL);
  assert_null(r);
  assert_non_null(strstr(err.text, "2024-02-30"));
  assert_int_equal(dataset_rules_new(&r, event_rules(), NULL, &err), THBX_OK);
  const char *t = dataset_rules_today(r);
  assert_true(dataset_rules_is_date(t, strlen(t)));
  assert_true(strcmp(t, "2025-01-01") > 0);
  dataset_rules_free(r);
}

static size_t check(struct dataset_rules *r, const char *json, const char *source, long line,
                    const dataset_issue_t **out) {
  json_t *rec = json_loads(json, 0, NULL);
  assert_non_null(rec);
  size_t n = 99;
  thbx_error_t err;
  assert_int_equal(dataset_rules_check(r, rec, source, line, 1, out, &n, &err), THBX_OK);
  json_decref(rec);
  return n;
}

static void rules(void **state) {
  (void)state;
  struct dataset_rules *r = NULL;
  thbx_error_t err;
  assert_int_equal(dataset_rules_new(&r, event_rules(), "2026-01-01", &err), THBX_OK);
  const dataset_issue_t *is = NULL;
  assert_int_equal(check(r, "{\"record_id\":\"AL-1\",\"event_date\":\"2026-01-01\"}", "a", 1, &is),
                   0);
  assert_int_equal(check(r, "{\"record_id\":\"AL-2\",\"event_date\":\"2026-01-02\"}", "a", 2, &is),
                   1);
  assert_string_equal(is[0].rule, DATASET_RULE_EVENT_DATE);
  assert_string_equal(is[0].instance_path, "/event_date");
  /* a duplicate in another source names the first place */
  assert_int_equal(check(r, "{\"record_id\":\"AL-1\"}", "b", 7, &is), 1);
  assert_string_equal(is[0].rule, DATASET_RULE_UNIQUE_ID);
  assert_string_equal(is[0].related_source, "a");
  assert_int_equal(is[0].related_line, 1);
  /* the id is the issue's value (shown by the report), not in the message */
  assert_null(strstr(is[0].message, "AL-1"));
  assert_string_equal(is[0].message, "is not unique in the dataset");
  /* all three at once */
  assert_int_equal(check(r,
                         "{\"record_id\":\"AL-2\",\"event_date\":\"2030-05-05\",\"assistance\":"
                         "{\"start_date\":\"2024-03-20\",\"end_date\":\"2024-03-19\"}}",
                         "b", 8, &is),
                   3);
  assert_string_equal(is[0].rule, DATASET_RULE_UNIQUE_ID);
  assert_int_equal(is[0].related_line, 2);
  assert_string_equal(is[1].rule, DATASET_RULE_ASSISTANCE_DATES);
  assert_string_equal(is[1].instance_path, "/assistance/end_date");
  assert_string_equal(is[1].message, "is before start_date"); /* no value (issue 12) */
  assert_string_equal(is[2].rule, DATASET_RULE_EVENT_DATE);
  /* same day, missing or non-date values and non-objects are the schema's business */
  assert_int_equal(check(r,
                         "{\"record_id\":\"AL-3\",\"event_date\":\"2026-02-30\",\"assistance\":"
                         "{\"start_date\":\"2024-03-20\",\"end_date\":\"2024-03-20\"}}",
                         "b", 9, &is),
                   0);
  assert_int_equal(
      check(r, "{\"record_id\":17,\"assistance\":{\"end_date\":\"2000-01-01\"}}", "b", 10, &is), 0);
  assert_int_equal(check(r, "[\"AL-1\"]", "b", 11, &is), 0);
  assert_int_equal(check(r, "{\"record_id\":\"\"}", "b", 12, &is), 0);
  assert_int_equal(check(r, "{\"record_id\":\"\"}", "b", 13, &is), 0);
  dataset_rules_free(r);
}

/* 200 000 ids: the table grows, no false duplicates, every repeat found */
static void many_ids(void **state) {
  (void)state;
  struct dataset_rules *r = NULL;
  thbx_error_t err;
  assert_int_equal(dataset_rules_new(&r, event_rules(), "2026-01-01", &err), THBX_OK);
  json_t *rec = json_object();
  const dataset_issue_t *is = NULL;
  char id[32];
  for (int pass = 0; pass < 2; pass++) {
    for (long i = 0; i < 200000; i++) {
      snprintf(id, sizeof(id), "AL-%07ld", i);
      json_object_set_new(rec, "record_id", json_string(id));
      size_t n = 0;
      assert_int_equal(
          dataset_rules_check(r, rec, pass ? "second" : "first", i + 1, 1, &is, &n, &err), THBX_OK);
      if (n != (size_t)pass)
        fail_msg("pass %d, id %s: %zu issues", pass, id, n);
      if (pass && (is[0].related_line != i + 1 || strcmp(is[0].related_source, "first") != 0))
        fail_msg("id %s: first seen at %s:%ld", id, is[0].related_source, is[0].related_line);
    }
  }
  json_decref(rec);
  dataset_rules_free(r);
}

/* ------------------------------------------------------------ the pipeline */

struct run {
  char *accept, *reject, *report;
  size_t accept_len, reject_len, report_len;
  thbx_report_summary_t summary;
  int rc; /* of the last thbx_validator_run */
};

/* Validate `files` (NULL-terminated) in one run with accept/reject streams
 * and a JSON report. */
static void validate(const char *const *files, const char *const *schemas, struct run *out) {
  memset(out, 0, sizeof(*out));
  FILE *acc = open_memstream(&out->accept, &out->accept_len);
  FILE *rej = open_memstream(&out->reject, &out->reject_len);
  FILE *rep = open_memstream(&out->report, &out->report_len);
  thbx_validator_options_t vo;
  thbx_validator_options_default(&vo);
  vo.today = "2026-01-01";
  vo.accept = acc;
  vo.reject = rej;
  vo.schemas = schemas;
  thbx_validator_t *v = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_validator_new(&v, &vo, &err);
  if (rc != THBX_OK)
    fail_msg("validator_new: %s: %s", err.source, err.text);
  thbx_report_options_t ro;
  thbx_report_options_default(&ro);
  ro.format = THBX_REPORT_JSON;
  thbx_report_t *report = NULL;
  assert_int_equal(thbx_report_open(&report, rep, &ro, &err), THBX_OK);
  for (const char *const *f = files; *f; f++) {
    FILE *in = fopen(*f, "rb");
    assert_non_null(in);
    out->rc = thbx_validator_run(v, in, *f, THBX_FORMAT_AUTO, report, &err);
    fclose(in);
    if (out->rc != THBX_OK)
      break;
  }
  if (out->rc == THBX_OK)
    assert_int_equal(thbx_validator_finish(v, &err), THBX_OK);
  assert_int_equal(thbx_report_finish(report, &err), THBX_OK);
  thbx_report_get_summary(report, &out->summary);
  thbx_report_free(report);
  thbx_validator_free(v);
  fclose(acc);
  fclose(rej);
  fclose(rep);
}

static void run_free(struct run *r) {
  free(r->accept);
  free(r->reject);
  free(r->report);
}

static int count_char(const char *s, char c) {
  int n = 0;
  for (; *s; s++)
    n += *s == c;
  return n;
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
    fwrite(chunk, 1, n, m);
  fclose(fp);
  fclose(m);
  return buf;
}

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted (text is modified). */
static size_t sorted_lines(char *text, char **lines, size_t max) {
  size_t n = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < max;
       l = strtok_r(NULL, "\n", &save))
    lines[n++] = l;
  qsort(lines, n, sizeof(*lines), cmp_lines);
  return n;
}

static void samples_valid(void **state) {
  (void)state;
  const char *formats[] = {"json", "ndjson", "csv", "xml"};
  for (size_t i = 0; i < 4; i++) {
    char path[512];
    snprintf(path, sizeof(path), THBX_SOURCE_DIR "/samples/events.%s", formats[i]);
    const char *files[] = {path, NULL};
    struct run r;
    validate(files, NULL, &r);
    assert_int_equal(r.rc, THBX_OK);
    if (r.summary.records != 30 || r.summary.valid != 30)
      fail_msg("%s: %ld records, %ld valid:\n%s", path, r.summary.records, r.summary.valid,
               r.report);
    assert_int_equal(r.summary.errors, 0);
    run_free(&r);
  }
}

static void ndjson_nothing_lost(void **state) {
  (void)state;
  const char *files[] = {DATA "mixed.ndjson", NULL};
  struct run r;
  validate(files, NULL, &r);
  assert_int_equal(r.rc, THBX_OK);
  assert_int_equal(r.summary.records, 7);
  assert_int_equal(r.summary.valid, 2);
  assert_int_equal(r.summary.invalid, 5);
  assert_int_equal(r.summary.unreadable, 1);
  assert_int_equal(count_char(r.accept, '\n'), 2);
  assert_int_equal(count_char(r.reject, '\n'), 5);
  /* the same lines, byte for byte */
  char *input = slurp(DATA "mixed.ndjson");
  char *both = malloc(r.accept_len + r.reject_len + 1);
  memcpy(both, r.accept, r.accept_len);
  memcpy(both + r.accept_len, r.reject, r.reject_len + 1);
  char *a[16], *b[16];
  size_t na = sorted_lines(input, a, 16), nb = sorted_lines(both, b, 16);
  assert_int_equal(na, 7);
  assert_int_equal(nb, 7);
  for (size_t i = 0; i < na; i++)
    assert_string_equal(a[i], b[i]);
  free(input);
  free(both);
  /* the JSON report agrees */
  json_t *rep = json_loads(r.report, 0, NULL);
  assert_non_null(rep);
  json_t *errors = json_object_get(rep, "errors");
  assert_int_equal(json_array_size(errors), 5);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 1), "line")), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "kind")),
                      "unreadable");
  json_decref(rep);
  run_free(&r);
}

static void xml_framing(void **state) {
  (void)state;
  const char *files[] = {DATA "mixed.xml", NULL};
  struct run r;
  validate(files, NULL, &r);
  assert_int_equal(r.summary.records, 4);
  assert_int_equal(r.summary.valid, 2);
  const char *docs[] = {r.accept, r.reject};
  size_t lens[] = {r.accept_len, r.reject_len};
  for (int i = 0; i < 2; i++) {
    xmlDocPtr doc = xmlReadMemory(docs[i], (int)lens[i], "out.xml", NULL, XML_PARSE_NONET);
    if (!doc)
      fail_msg("not well-formed:\n%s", docs[i]);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "records");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, "urn:thbx:thb-event:1.0");
    int n = 0;
    for (xmlNodePtr c = root->children; c; c = c->next)
      n += c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "record") == 0;
    assert_int_equal(n, 2);
    xmlFreeDoc(doc);
  }
  run_free(&r);
}

static void json_and_csv_framing(void **state) {
  (void)state;
  const char *files[] = {DATA "mixed.json", NULL};
  struct run r;
  validate(files, NULL, &r);
  json_t *a = json_loads(r.accept, 0, NULL), *j = json_loads(r.reject, 0, NULL);
  assert_non_null(a);
  assert_non_null(j);
  assert_int_equal(json_array_size(a), 2);
  assert_int_equal(json_array_size(j), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "record_id")),
                      "AL-TIRANA-2024-0002");
  json_decref(a);
  json_decref(j);
  run_free(&r);

  const char *csv[] = {DATA "mixed.csv", NULL};
  validate(csv, NULL, &r);
  assert_int_equal(r.summary.records, 5);
  char *input = slurp(DATA "mixed.csv");
  size_t header = strcspn(input, "\n") + 1;
  assert_memory_equal(r.accept, input, header);
  assert_memory_equal(r.reject, input, header);
  /* the rows as they were, quoted newlines included: 2 rows on 3 lines, and
   * 3 rows on 1 + 3 + 1 lines */
  assert_int_equal(count_char(r.accept, '\n'), 1 + 3);
  assert_int_equal(count_char(r.reject, '\n'), 1 + 5);
  assert_non_null(strstr(r.reject, "\"Qendra \"\"Tjetër\nVizion\"\",\nElbasan\""));
  free(input);
  run_free(&r);
}

static void two_formats_refused(void **state) {
  (void)state;
  const char *files[] = {DATA "mixed.ndjson", DATA "mixed.csv", NULL};
  struct run r;
  validate(files, NULL, &r);
  assert_int_equal(r.rc, THBX_EINVAL);
  run_free(&r);
  /* two inputs of one format share the streams, and the id set */
  const char *two[] = {THBX_SOURCE_DIR "/samples/events.ndjson",
                       THBX_SOURCE_DIR "/samples/events.ndjson", NULL};
  validate(two, NULL, &r);
  assert_int_equal(r.rc, THBX_OK);
  assert_int_equal(r.summary.files, 2);
  assert_int_equal(r.summary.valid, 30);
  assert_int_equal(r.summary.invalid, 30);
  assert_int_equal(count_char(r.accept, '\n'), 30);
  assert_int_equal(count_char(r.reject, '\n'), 30);
  run_free(&r);
}

static void other_schemas(void **state) {
  (void)state;
  char path[] = "/tmp/thbx-test-schema-XXXXXX.json";
  int fd = mkstemps(path, 5);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "w");
  fputs("{\"properties\": {\"record_id\": {\"maxLength\": 18}}}", fp);
  fclose(fp);
  const char *schemas[] = {path, NULL};
  const char *files[] = {THBX_SOURCE_DIR "/samples/events.ndjson", NULL};
  struct run r;
  validate(files, schemas, &r);
  /* the profile's schema no longer applies; ids of 19+ characters are too long */
  assert_true(r.summary.invalid > 0);
  assert_true(r.summary.valid > 0);
  assert_non_null(strstr(r.report, "\"rule\":\"maxLength\""));
  run_free(&r);

  /* a schema that is not JSON: which file, which line */
  fp = fopen(path, "w");
  fputs("{\"type\": \"object\",\n \"properties\": \n", fp);
  fclose(fp);
  thbx_validator_options_t vo;
  thbx_validator_options_default(&vo);
  vo.schemas = schemas;
  thbx_validator_t *v = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_validator_new(&v, &vo, &err), THBX_ESCHEMA);
  assert_null(v);
  assert_string_equal(err.source, path);
  assert_int_equal(err.line, 3);
  /* a schema that does not compile: which keyword */
  fp = fopen(path, "w");
  fputs("{\"properties\": {\"a\": {\"pattern\": \"((\"}}}", fp);
  fclose(fp);
  thbx_error_clear(&err);
  assert_int_equal(thbx_validator_new(&v, &vo, &err), THBX_ESCHEMA);
  assert_non_null(strstr(err.text, "/properties/a/pattern"));
  unlink(path);
  /* a profile that does not exist */
  vo.schemas = NULL;
  vo.profile = "/nonexistent/x.schema.json";
  assert_true(thbx_validator_new(&v, &vo, &err) != THBX_OK);
  assert_null(v);
  /* a broken XSD: file and line */
  char xsd[] = "/tmp/thbx-test-xsd-XXXXXX.xsd";
  fd = mkstemps(xsd, 4);
  fp = fdopen(fd, "w");
  fputs("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
        "<xs:element name=\"a\" type=\"nosuch\"/>\n</xs:schema>\n",
        fp);
  fclose(fp);
  const char *xsds[] = {xsd, NULL};
  vo.profile = NULL;
  vo.schemas = xsds;
  thbx_error_clear(&err);
  assert_int_equal(thbx_validator_new(&v, &vo, &err), THBX_ESCHEMA);
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.source, "thbx-test-xsd-"));
  unlink(xsd);
}

/* ------------------------------------------------------------ text check */

/* The word-at-a-time scan of the text stage finds every C0 control
 * character but tab, line feed and carriage return, at any place in a word
 * and in the tail, beside bytes of UTF-8 sequences (0x80-0xFF) and beside
 * the allowed ones; a scan that passed over words by a wrong test misses
 * some of these. */
static void text_control(void **state) {
  (void)state;
  char s[40];
  for (size_t n = 1; n <= sizeof(s); n++) {
    for (size_t at = 0; at < n; at++) {
      for (int c = 0; c < 0x100; c++) {
        for (size_t i = 0; i < n; i++)
          s[i] = (char)(i % 3 == 0 ? 0xC3 : i % 3 == 1 ? 0xA9 : '\t');
        s[at] = (char)c;
        int want = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
        if (stages_text_has_control(s, n) != want)
          fail_msg("length %zu, byte 0x%02x at %zu: %d", n, c, at, !want);
      }
    }
  }
  assert_false(stages_text_has_control("", 0));
  assert_false(stages_text_has_control(" \x7f\xff\x20\x80\x9f\xa0 ~!", 10));
  assert_true(stages_text_has_control("abcdefgh\x1f", 9));
  assert_true(stages_text_has_control("abcdefghijklmno\x01", 16));
  /* the length given, not a NUL, ends the string: a NUL inside is found */
  assert_true(stages_text_has_control("abc\0def", 7));
  assert_false(stages_text_has_control("abc\x01", 3));
  /* JSON text: a backslash anywhere (it may escape a control character)
   * or a control byte anywhere, at every place of a word and in the tail */
  for (size_t n = 1; n <= sizeof(s); n++) {
    for (size_t at = 0; at < n; at++) {
      memset(s, 'a', n);
      assert_false(stages_json_may_carry_control(s, n));
      s[at] = '\\';
      assert_true(stages_json_may_carry_control(s, n));
      s[at] = '\x1f';
      assert_true(stages_json_may_carry_control(s, n));
      s[at] = '\t';
      assert_false(stages_json_may_carry_control(s, n));
      s[at] = (char)0xd0;
      assert_false(stages_json_may_carry_control(s, n));
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dates),
      cmocka_unit_test(text_control),
      cmocka_unit_test(today),
      cmocka_unit_test(rules),
      cmocka_unit_test(many_ids),
      cmocka_unit_test(samples_valid),
      cmocka_unit_test(ndjson_nothing_lost),
      cmocka_unit_test(xml_framing),
      cmocka_unit_test(json_and_csv_framing),
      cmocka_unit_test(two_formats_refused),
      cmocka_unit_test(other_schemas),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
