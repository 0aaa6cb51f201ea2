/*
 * test_writer_csv.c - the CSV writer (writer_csv.c): quoting, csv_safe,
 * arrays with the list separator and backslashes, refusals that write
 * nothing, generic mode, columns, and JSON -> CSV -> JSON round trips over
 * generated records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "csv_test_util.h"

#define SCHEMA THBX_SOURCE_DIR "/tests/data/csv/shape.schema.json"

static thbx_profile_t *profile;

static int setup(void **state) {
  (void)state;
  thbx_error_t err;
  return thbx_profile_load(SCHEMA, &profile, &err) == THBX_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  thbx_profile_free(profile);
  return 0;
}

struct written {
  char *text;
  size_t len;
  int status[16];
  char error[16][THBX_ERROR_TEXT_LENGTH];
  int open_status;
};

/* Write the JSON records in `records` (NULL-terminated texts). */
static void write_records(struct written *w, const thbx_profile_t *prof,
                          const thbx_writer_options_t *options, const char *const *records) {
  memset(w, 0, sizeof(*w));
  thbx_writer_options_t opt;
  if (options)
    opt = *options;
  else
    thbx_writer_options_default(&opt);
  opt.format = THBX_FORMAT_CSV;
  opt.profile = prof;
  FILE *fp = open_memstream(&w->text, &w->len);
  assert_non_null(fp);
  thbx_writer_t *wr = NULL;
  thbx_error_t err;
  w->open_status = thbx_writer_open(&wr, fp, &opt, &err);
  if (w->open_status == THBX_OK) {
    for (size_t i = 0; records[i]; i++) {
      json_t *v = json_loads(records[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
      assert_non_null(v);
      w->status[i] = thbx_writer_write(wr, v, &err);
      if (w->status[i] != THBX_OK)
        snprintf(w->error[i], sizeof(w->error[i]), "%s", err.text);
      json_decref(v);
    }
    assert_int_equal(thbx_writer_finish(wr, &err), THBX_OK);
    thbx_writer_free(wr);
  }
  fclose(fp);
}

static const char *const HEADER =
    "id,count,ratio,flag,sex,mixed,person.name,person.recruitment.relation,"
    "person.recruitment.online,tags,years,places,extra.note,tree.label,tree.child\n";

static void header_is_every_leaf(void **state) {
  (void)state;
  struct written w;
  const char *none[] = {NULL};
  write_records(&w, profile, NULL, none);
  assert_string_equal(w.text, HEADER); /* even with no record */
  free(w.text);
}

static void quoting_only_when_needed(void **state) {
  (void)state;
  thbx_writer_options_t opt;
  thbx_writer_options_default(&opt);
  opt.columns = "id,person.name";
  struct written w;
  const char *recs[] = {"{\"id\":\"plain\",\"person\":{\"name\":\"a,b\"}}",
                        "{\"id\":\"say \\\"hi\\\"\",\"person\":{\"name\":\"line\\nbreak\"}}",
                        "{\"id\":\" lead\",\"person\":{\"name\":\"cr\\rhere\"}}",
                        "{\"id\":\"trail \",\"person\":{\"name\":\"ünï;códe\"}}", NULL};
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "id,person.name\n"
                              "plain,\"a,b\"\n"
                              "\"say \"\"hi\"\"\",\"line\nbreak\"\n"
                              "\" lead\",\"cr\rhere\"\n"
                              "\"trail \",ünï;códe\n");
  free(w.text);
  opt.delimiter = ';';
  write_records(&w, profile, &opt, recs + 3);
  assert_string_equal(w.text, "id;person.name\n\"trail \";\"ünï;códe\"\n");
  free(w.text);
}

static void csv_safe_neutralises_formulas(void **state) {
  (void)state;
  thbx_writer_options_t opt;
  thbx_writer_options_default(&opt);
  opt.columns = "id,count";
  opt.csv_safe = 1;
  struct written w;
  const char *recs[] = {"{\"id\":\"=SUM(A1)\",\"count\":-3}",
                        "{\"id\":\"+1\"}",
                        "{\"id\":\"@x\"}",
                        "{\"id\":\"\\tx\"}",
                        "{\"id\":\"a=b\"}",
                        NULL};
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "id,count\n"
                              "\"'=SUM(A1)\",\"'-3\"\n"
                              "\"'+1\",\n"
                              "\"'@x\",\n"
                              "\"'\tx\",\n"
                              "a=b,\n");
  free(w.text);
}

static void arrays_with_separator_and_backslash(void **state) {
  (void)state;
  thbx_writer_options_t opt;
  thbx_writer_options_default(&opt);
  opt.columns = "id,tags,years";
  struct written w;
  const char *recs[] = {"{\"id\":\"A\",\"tags\":[\"a|b\",\"c\\\\d\",\"\\\\|\"],\"years\":[1,2]}",
                        "{\"id\":\"B\",\"tags\":[\"x,y\",\"\"]}", NULL};
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "id,tags,years\n"
                              "A,a\\|b|c\\\\d|\\\\\\|,1|2\n"
                              "B,\"x,y|\",\n");
  /* and back */
  struct outcomes out;
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  csv_read(&out, w.text, w.len, profile, &ro);
  assert_int_equal(out.n, 2);
  assert_true(json_same_text(out.o[0].value, recs[0]));
  assert_true(json_same_text(out.o[1].value, recs[1]));
  csv_outcomes_free(&out);
  free(w.text);
}

static void refusals_write_nothing(void **state) {
  (void)state;
  struct written w;
  const char *recs[] = {
      "{\"id\":\"\"}",                       /* empty string: would be absent */
      "{\"id\":\"A\",\"tags\":[]}",          /* empty array */
      "{\"id\":\"A\",\"tags\":[\"\"]}",      /* an array whose cell is empty */
      "{\"id\":\"A\",\"nope\":1}",           /* no column for it */
      "{\"id\":\"A\",\"person\":{\"x\":1}}", /* nested object not in the shape */
      "{\"id\":\"A\",\"person\":{}}",        /* empty object */
      "{\"id\":\"A\",\"person\":\"p\"}",     /* not an object */
      "{\"id\":12}",                         /* a number in a string column */
      "{\"id\":\"A\",\"count\":1.5}",        /* a real in an integer column (an
                                                 integral 1.0 is the integer 1, issue 12) */
      "{\"id\":\"A\",\"mixed\":\"12\"}",     /* would read back as an integer */
      "{\"id\":\"A\",\"tags\":[[\"x\"]]}",   /* arrays in a list */
      "{\"id\":\"A\",\"flag\":null}",        /* null: not allowed, not spelled */
      "[1]",                                 /* not an object */
      "{\"id\":\"a\\u0000b\"}",              /* NUL: readers refuse it */
      "{\"id\":\"ok\",\"mixed\":\"x12\",\"ratio\":2.0,\"places\":[]}",
      NULL};
  write_records(&w, profile, NULL, recs);
  for (int i = 0; i < 14; i++) {
    if (w.status[i] != THBX_EPARSE)
      fail_msg("record %d: status %d", i, w.status[i]);
    assert_true(w.error[i][0] != '\0');
  }
  assert_int_equal(w.status[14], THBX_OK);
  assert_non_null(strstr(w.error[3], "/nope"));
  assert_non_null(strstr(w.error[4], "/person/x"));
  /* the header and the one good row, nothing of the others */
  size_t hl = strlen(HEADER);
  assert_memory_equal(w.text, HEADER, hl);
  assert_string_equal(w.text + hl, "ok,,2.0,,,x12,,,,,,[],,,\n");
  free(w.text);
}

static void generic_mode_columns_from_first_record(void **state) {
  (void)state;
  struct written w;
  const char *recs[] = {"{\"a\":\"1\",\"b\":{\"c\":2,\"d\":true},\"e\":[1,\"x\"]}",
                        "{\"b\":{\"d\":\"y\"},\"a\":\"3\"}", "{\"a\":\"1\",\"z\":\"new\"}",
                        "{\"a\":\"1\",\"b\":\"flat\"}", NULL};
  write_records(&w, NULL, NULL, recs);
  assert_string_equal(w.text, "a,b.c,b.d,e\n"
                              "1,2,true,\"[1,\"\"x\"\"]\"\n"
                              "3,,y,\n");
  assert_int_equal(w.status[2], THBX_EPARSE);
  assert_non_null(strstr(w.error[2], "z: not a column"));
  assert_int_equal(w.status[3], THBX_EPARSE);
  free(w.text);
  const char *none[] = {NULL};
  write_records(&w, NULL, NULL, none);
  assert_int_equal(w.len, 0); /* no record: no header to take */
  free(w.text);
}

static void columns_option(void **state) {
  (void)state;
  thbx_writer_options_t opt;
  thbx_writer_options_default(&opt);
  opt.columns = "count,id";
  struct written w;
  const char *recs[] = {"{\"id\":\"A\",\"count\":3,\"flag\":true,\"nope\":1}", "{\"count\":4}",
                        NULL};
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "count,id\n3,A\n4,\n");
  free(w.text);
  opt.columns = "id,person";
  write_records(&w, profile, &opt, recs);
  assert_int_equal(w.open_status, THBX_EINVAL);
  free(w.text);
  opt.columns = "id,id";
  write_records(&w, profile, &opt, recs);
  assert_int_equal(w.open_status, THBX_EINVAL);
  free(w.text);
  /* one column and an absent value: "" so that the row is not a blank line */
  opt.columns = "count";
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "count\n3\n4\n");
  free(w.text);
  opt.columns = "flag";
  write_records(&w, profile, &opt, recs);
  assert_string_equal(w.text, "flag\ntrue\n\"\"\n");
  struct outcomes out;
  csv_read(&out, w.text, w.len, profile, NULL);
  assert_int_equal(out.n, 2);
  assert_true(json_same_text(out.o[1].value, "{}"));
  csv_outcomes_free(&out);
  free(w.text);
}

/* ------------------------------------------------ generated round trips */

static unsigned long rng = 12345;
static unsigned rnd(unsigned n) {
  rng = rng * 6364136223846793005UL + 1442695040888963407UL;
  return (unsigned)((rng >> 33) % n);
}

static json_t *random_string(void) {
  static const char *const parts[] = {"a", "Zß",   "|", "\\", ",",  "\"",   "\n", "\r\n", " ",
                                      "ё", "🙂", "=", "x",  "12", "true", "'",  ";",    "\t"};
  char buf[128];
  size_t n = 0, k = 1 + rnd(6);
  for (size_t i = 0; i < k; i++) {
    const char *p = parts[rnd(sizeof(parts) / sizeof(*parts))];
    size_t l = strlen(p);
    memcpy(buf + n, p, l);
    n += l;
  }
  buf[n] = '\0';
  return json_string(buf);
}

static json_t *random_record(void) {
  json_t *r = json_object();
  json_object_set_new(r, "id", random_string());
  if (rnd(2))
    json_object_set_new(r, "count", json_integer((json_int_t)rnd(100000) - 50000));
  if (rnd(2))
    json_object_set_new(r, "ratio",
                        rnd(2) ? json_real((double)rnd(100000) / 7.0) : json_integer(rnd(10)));
  if (rnd(2))
    json_object_set_new(r, "flag", json_boolean(rnd(2)));
  if (rnd(2))
    json_object_set_new(r, "mixed", rnd(2) ? json_integer(rnd(50)) : json_string("m-x"));
  if (rnd(2)) {
    json_t *p = json_object();
    json_object_set_new(p, "name", random_string());
    if (rnd(2)) {
      json_t *rec = json_object();
      json_object_set_new(rec, "relation", random_string());
      json_object_set_new(rec, "online", json_boolean(rnd(2)));
      json_object_set_new(p, "recruitment", rec);
    }
    json_object_set_new(r, "person", p);
  }
  if (rnd(2)) {
    json_t *a = json_array();
    for (unsigned i = 0, n = 1 + rnd(4); i < n; i++)
      json_array_append_new(a, random_string());
    json_object_set_new(r, "tags", a);
  }
  if (rnd(2)) {
    json_t *a = json_array();
    for (unsigned i = 0, n = 1 + rnd(4); i < n; i++)
      json_array_append_new(a, json_integer(rnd(3000)));
    json_object_set_new(r, "years", a);
  }
  if (rnd(3) == 0) {
    json_t *a = json_array(), *o = json_object();
    json_object_set_new(o, "name", random_string());
    json_array_append_new(a, o);
    json_object_set_new(r, "places", a);
  }
  return r;
}

static void generated_round_trip(void **state) {
  (void)state;
  enum { N = 500 };
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  thbx_writer_options_t opt;
  thbx_writer_options_default(&opt);
  opt.format = THBX_FORMAT_CSV;
  opt.profile = profile;
  thbx_writer_t *wr;
  thbx_error_t err;
  assert_int_equal(thbx_writer_open(&wr, fp, &opt, &err), THBX_OK);
  json_t *records[N];
  for (int i = 0; i < N; i++) {
    records[i] = random_record();
    if (thbx_writer_write(wr, records[i], &err) != THBX_OK)
      fail_msg("record %d refused: %s", i, err.text);
  }
  assert_int_equal(thbx_writer_finish(wr, &err), THBX_OK);
  thbx_writer_free(wr);
  fclose(fp);
  /* read back in chunks of at most 64 outcomes: reuse a reader directly */
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = THBX_FORMAT_CSV;
  ro.profile = profile;
  fp = fmemopen(text, len, "rb");
  thbx_reader_t *r;
  assert_int_equal(thbx_reader_open(&r, fp, "gen.csv", &ro, &err), THBX_OK);
  for (int i = 0; i < N; i++) {
    thbx_record_t rec;
    int rc = thbx_reader_next(r, &rec, &err);
    if (rc != THBX_OK)
      fail_msg("record %d: %s (%ld:%ld)", i, err.text, err.line, err.column);
    /* same values, same types, same (schema) order */
    char *a = json_dumps(rec.value, JSON_COMPACT), *b = json_dumps(records[i], JSON_COMPACT);
    if (strcmp(a, b) != 0)
      fail_msg("record %d differs:\n%s\n%s", i, a, b);
    free(a);
    free(b);
    json_decref(rec.value);
    json_decref(records[i]);
  }
  thbx_record_t rec;
  assert_int_equal(thbx_reader_next(r, &rec, &err), THBX_EOF);
  thbx_reader_free(r);
  fclose(fp);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(header_is_every_leaf),
      cmocka_unit_test(quoting_only_when_needed),
      cmocka_unit_test(csv_safe_neutralises_formulas),
      cmocka_unit_test(arrays_with_separator_and_backslash),
      cmocka_unit_test(refusals_write_nothing),
      cmocka_unit_test(generic_mode_columns_from_first_record),
      cmocka_unit_test(columns_option),
      cmocka_unit_test(generated_round_trip),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
