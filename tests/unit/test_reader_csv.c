/*
 * test_reader_csv.c - the CSV reader (reader_csv.c) through the public
 * reader API: RFC 4180 edge cases, line numbers, errors and recovery,
 * limits, typed cells via a profile, generic mode.
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
  if (thbx_profile_load(SCHEMA, &profile, &err) != THBX_OK) {
    fprintf(stderr, "%s\n", err.text);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  thbx_profile_free(profile);
  return 0;
}

#define READ(out, lit, prof) csv_read(out, lit, sizeof(lit) - 1, prof, NULL)

static void empty_file(void **state) {
  (void)state;
  struct outcomes out;
  csv_read(&out, "", 0, NULL, NULL);
  assert_int_equal(out.open_status, THBX_OK);
  assert_int_equal(out.n, 0);
  csv_read(&out, "", 0, profile, NULL);
  assert_int_equal(out.n, 0);
}

static void header_only(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "id,count\n", profile);
  assert_int_equal(out.n, 0);
  assert_int_equal(out.header_len, 9);
  assert_string_equal(out.header, "id,count\n");
  READ(&out, "id,count", profile); /* no line end either */
  assert_int_equal(out.n, 0);
  assert_string_equal(out.header, "id,count");
}

static void bom_is_not_part_of_the_first_column(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "\xEF\xBB\xBFid,count\nA,1\n", profile);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_OK);
  assert_true(json_same_text(out.o[0].value, "{\"id\":\"A\",\"count\":1}"));
  csv_outcomes_free(&out);
}

static void crlf_and_lf(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n", NULL);
  assert_int_equal(out.n, 2);
  assert_true(json_same_text(out.o[0].value, "{\"a\":\"1\",\"b\":\"2\"}"));
  assert_true(json_same_text(out.o[1].value, "{\"a\":\"3\",\"b\":\"x\\r\\ny\"}"));
  assert_int_equal(out.o[0].line, 2);
  assert_int_equal(out.o[1].line, 3);
  assert_int_equal(out.o[0].raw_len, 5);
  assert_string_equal(out.o[0].raw, "1,2\r\n"); /* raw keeps the line end */
  csv_outcomes_free(&out);
  /* a lone CR inside an unquoted field is data */
  READ(&out, "a\nx\ry\n", NULL);
  assert_int_equal(out.n, 1);
  assert_true(json_same_text(out.o[0].value, "{\"a\":\"x\\ry\"}"));
  csv_outcomes_free(&out);
}

static void last_line_without_newline(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "a,b\n1,2\n3,4", NULL);
  assert_int_equal(out.n, 2);
  assert_true(json_same_text(out.o[1].value, "{\"a\":\"3\",\"b\":\"4\"}"));
  assert_string_equal(out.o[1].raw, "3,4");
  assert_int_equal(out.o[1].index, 1);
  csv_outcomes_free(&out);
  READ(&out, "a,b\n1,\"2\"", NULL); /* ends on a closing quote */
  assert_int_equal(out.n, 1);
  assert_true(json_same_text(out.o[0].value, "{\"a\":\"1\",\"b\":\"2\"}"));
  csv_outcomes_free(&out);
}

static void quoted_newlines_and_line_numbers(void **state) {
  (void)state;
  struct outcomes out;
  /* row 1 spans lines 2-4; the bad integer is on line 4, after "é," */
  READ(&out,
       "id,count,person.name\n"
       "\"A\nB\",1,x\n"
       "C,2,\"p\nq\"\n"
       "\"D\n\"\"é\"\",\",12x,z\n"
       "E,3,w\n",
       profile);
  assert_int_equal(out.n, 4);
  assert_int_equal(out.o[0].status, THBX_OK);
  assert_int_equal(out.o[0].line, 2);
  assert_true(json_same_text(out.o[0].value, "{\"id\":\"A\\nB\",\"count\":1,"
                                             "\"person\":{\"name\":\"x\"}}"));
  assert_int_equal(out.o[1].line, 4);
  assert_int_equal(out.o[2].status, THBX_EPARSE);
  assert_int_equal(out.o[2].line, 7);
  assert_int_equal(out.o[2].column, 9); /* after ""é"","," on its line */
  assert_non_null(strstr(out.o[2].text, "\"12x\" is not an integer"));
  assert_non_null(strstr(out.o[2].text, "count"));
  assert_int_equal(out.o[3].status, THBX_OK);
  assert_int_equal(out.o[3].line, 8);
  assert_int_equal(out.o[3].index, 3);
  csv_outcomes_free(&out);
}

static void wrong_field_count_then_recovery(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "a,b,c\n1,2\n3,4,5,6\n7,8,9\n", NULL);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[0].status, THBX_EPARSE);
  assert_int_equal(out.o[0].line, 2);
  assert_int_equal(out.o[0].column, 1);
  assert_string_equal(out.o[0].text, "row has 2 fields, the header has 3");
  assert_string_equal(out.o[0].raw, "1,2\n");
  assert_int_equal(out.o[1].status, THBX_EPARSE);
  assert_int_equal(out.o[1].line, 3);
  assert_int_equal(out.o[2].status, THBX_OK);
  assert_int_equal(out.o[2].line, 4);
  assert_int_equal(out.o[2].index, 2);
  csv_outcomes_free(&out);
}

static void unbalanced_quote(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "a,b\n1,2\n3,\"open\n4,5\n", NULL);
  assert_int_equal(out.n, 2);
  assert_int_equal(out.o[0].status, THBX_OK);
  assert_int_equal(out.o[1].status, THBX_EPARSE);
  assert_int_equal(out.o[1].line, 3);
  assert_int_equal(out.o[1].column, 3);
  assert_non_null(strstr(out.o[1].text, "not closed"));
  assert_string_equal(out.o[1].raw, "3,\"open\n4,5\n");
  csv_outcomes_free(&out);
  /* junk after a closing quote: that record only */
  READ(&out, "a,b\n\"x\"y,2\n3,4\n", NULL);
  assert_int_equal(out.n, 2);
  assert_int_equal(out.o[0].status, THBX_EPARSE);
  assert_int_equal(out.o[0].column, 4);
  assert_int_equal(out.o[1].status, THBX_OK);
  csv_outcomes_free(&out);
}

static char *repeat_columns(const char *head, size_t n, const char *tail, size_t *len) {
  size_t hl = strlen(head), tl = strlen(tail);
  char *s = malloc(hl + 2 * n + tl + 1);
  memcpy(s, head, hl);
  size_t k = hl;
  for (size_t i = 0; i < n; i++) {
    s[k++] = 'x';
    s[k++] = i + 1 < n ? ',' : '\n';
  }
  memcpy(s + k, tail, tl + 1);
  *len = k + tl;
  return s;
}

static void columns_over_the_limit(void **state) {
  (void)state;
  struct outcomes out;
  size_t len;
  /* a data row of 100k columns: that record fails, the next one reads */
  char *text = repeat_columns("a,b\n", 100000, "1,2\n", &len);
  csv_read(&out, text, len, NULL, NULL);
  assert_int_equal(out.n, 2);
  assert_int_equal(out.o[0].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[0].text, "more than 10000 columns"));
  assert_int_equal(out.o[0].line, 2);
  assert_int_equal(out.o[0].column, 20001); /* where column 10001 starts */
  assert_int_equal(out.o[1].status, THBX_OK);
  assert_int_equal(out.o[1].line, 3);
  csv_outcomes_free(&out);
  free(text);
  /* a header of 100k columns: the file cannot be read */
  text = repeat_columns("", 100000, "1\n", &len);
  csv_read(&out, text, len, NULL, NULL);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  free(text);
}

static void nul_byte(void **state) {
  (void)state;
  struct outcomes out;
  static const char text[] = "a,b\n1,x\0y\n\"q\0\",2\n3,4\n";
  csv_read(&out, text, sizeof(text) - 1, NULL, NULL);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[0].status, THBX_EPARSE);
  assert_int_equal(out.o[0].line, 2);
  assert_int_equal(out.o[0].column, 4);
  assert_non_null(strstr(out.o[0].text, "NUL"));
  assert_int_equal(out.o[1].status, THBX_EPARSE);
  assert_int_equal(out.o[2].status, THBX_OK);
  csv_outcomes_free(&out);
}

static void invalid_utf8(void **state) {
  (void)state;
  struct outcomes out;
  /* issue 12: not a broken record but an input in another encoding: the
   * whole input stops (THBX_EFATAL) at the bad byte, naming the encoding */
  READ(&out, "a,b\nok,\"bad\xC3\x28\"\nok,\xC3\xA9\n", NULL);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  assert_int_equal(out.o[0].line, 2);
  assert_int_equal(out.o[0].column, 8);
  assert_non_null(strstr(out.o[0].text, "not UTF-8"));
  assert_non_null(strstr(out.o[0].text, "--encoding"));
  csv_outcomes_free(&out);
  /* in the header: the whole file */
  READ(&out, "a,\xFF\n1,2\n", NULL);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
}

static void huge_field_and_huge_row(void **state) {
  (void)state;
  struct outcomes out;
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.limits.max_field_bytes = 1000;
  opt.limits.max_record_bytes = 300000;
  size_t big = 1u << 20; /* 1 MiB quoted field spanning many buffer refills */
  const char *head = "a,b\n1,2\n3,\"";
  const char *tail = "\"\n5,6\n";
  size_t hl = strlen(head), tl = strlen(tail);
  char *text = malloc(hl + big + tl + 1);
  memcpy(text, head, hl);
  for (size_t i = 0; i < big; i++)
    text[hl + i] = (i % 100 == 99) ? '\n' : (i % 7 == 0 ? ',' : 'x');
  memcpy(text + hl + big, tail, tl + 1);
  size_t len = hl + big + tl;
  csv_read(&out, text, len, NULL, &opt);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[1].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[1].text, "row longer than 300000 bytes"));
  assert_int_equal(out.o[1].line, 3);
  assert_int_equal(out.o[2].status, THBX_OK);
  assert_int_equal(out.o[2].line, 3 + (long)(big / 100) + 1);
  assert_true(json_same_text(out.o[2].value, "{\"a\":\"5\",\"b\":\"6\"}"));
  csv_outcomes_free(&out);
  /* within the record limit, over the field limit */
  opt.limits.max_record_bytes = 0; /* default 16 MiB */
  csv_read(&out, text, len, NULL, &opt);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[1].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[1].text, "field longer than 1000 bytes"));
  assert_int_equal(out.o[2].status, THBX_OK);
  csv_outcomes_free(&out);
  /* and with default limits, the huge field is read whole */
  csv_read(&out, text, len, NULL, NULL);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[1].status, THBX_OK);
  assert_int_equal(json_string_length(json_object_get(out.o[1].value, "b")), big);
  csv_outcomes_free(&out);
  free(text);
}

static void escapes_in_arrays(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out,
       "id,tags,years\n"
       "A,a\\|b|c\\\\d|e\\x,1950|2024\n"
       "B,only,7\n"
       "C,|x,1|y\n",
       profile);
  assert_int_equal(out.n, 3);
  assert_true(json_same_text(out.o[0].value,
                             "{\"id\":\"A\",\"tags\":[\"a|b\",\"c\\\\d\",\"e\\\\x\"],"
                             "\"years\":[1950,2024]}"));
  assert_true(json_same_text(out.o[1].value, "{\"id\":\"B\",\"tags\":[\"only\"],\"years\":[7]}"));
  assert_int_equal(out.o[2].status, THBX_EPARSE);
  assert_int_equal(out.o[2].column, 6);
  assert_non_null(strstr(out.o[2].text, "years"));
  csv_outcomes_free(&out);
  /* another list separator; scalar cells keep backslashes literally */
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.list_separator = ';';
  opt.delimiter = '\t';
  static const char tsv[] = "id\ttags\n\\|\\;\ta|b;c\\;d\n";
  csv_read(&out, tsv, sizeof(tsv) - 1, profile, &opt);
  assert_int_equal(out.n, 1);
  assert_true(json_same_text(out.o[0].value, "{\"id\":\"\\\\|\\\\;\",\"tags\":[\"a|b\",\"c;d\"]}"));
  csv_outcomes_free(&out);
}

static void typed_cells(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out,
       "ratio,count,flag,mixed,id,places\n"
       "1.5,1.0,true,12,A,\"[{\"\"name\"\":\"\"x\"\"}]\"\n"
       "2,1e2,false,x12,B,\n"
       "-0.25,-3,TRUE,,C,\n"
       ",1.5,,,D,\n"
       "1e999,,,,E,\n",
       profile);
  assert_int_equal(out.n, 5);
  /* property order is schema order whatever the column order */
  assert_true(json_same_text(out.o[0].value,
                             "{\"id\":\"A\",\"count\":1,\"ratio\":1.5,\"flag\":true,"
                             "\"mixed\":12,\"places\":[{\"name\":\"x\"}]}"));
  assert_true(json_is_integer(json_object_get(out.o[1].value, "ratio")));
  assert_true(json_same_text(out.o[1].value, "{\"id\":\"B\",\"count\":100,\"ratio\":2,"
                                             "\"flag\":false,\"mixed\":\"x12\"}"));
  assert_int_equal(out.o[2].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[2].text, "\"TRUE\" is not true or false"));
  assert_int_equal(out.o[2].column, 10);
  assert_int_equal(out.o[3].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[3].text, "is not an integer"));
  assert_int_equal(out.o[4].status, THBX_EPARSE);
  assert_non_null(strstr(out.o[4].text, "finite"));
  csv_outcomes_free(&out);
}

static void unknown_column_is_fatal(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "id,cuont\nA,1\n", profile);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  assert_int_equal(out.o[0].line, 1);
  assert_int_equal(out.o[0].column, 4);
  assert_non_null(strstr(out.o[0].text, "cuont"));
  READ(&out, "id,person\nA,1\n", profile); /* an object, not a leaf */
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  READ(&out, "id,id\nA,B\n", profile);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  assert_non_null(strstr(out.o[0].text, "twice"));
  /* below an object that allows other properties: a string */
  READ(&out, "extra.other,id,extra.note\n5,A,n\n", profile);
  assert_int_equal(out.n, 1);
  assert_int_equal(out.o[0].status, THBX_OK);
  assert_true(
      json_same_text(out.o[0].value, "{\"id\":\"A\",\"extra\":{\"note\":\"n\",\"other\":\"5\"}}"));
  csv_outcomes_free(&out);
}

static void generic_mode(void **state) {
  (void)state;
  struct outcomes out;
  /* ",,," is no record: skipped with a warning (issue 12; it was {}) */
  READ(&out, "a,b.c,b.d.e,x..y\n1,2,3,4\n,,5,\n,,,\n", NULL);
  assert_int_equal(out.n, 2);
  assert_true(json_same_text(
      out.o[0].value, "{\"a\":\"1\",\"b\":{\"c\":\"2\",\"d\":{\"e\":\"3\"}},\"x..y\":\"4\"}"));
  assert_true(json_same_text(out.o[1].value, "{\"b\":{\"d\":{\"e\":\"5\"}}}"));
  csv_outcomes_free(&out);
  READ(&out, "a,a.b\n1,2\n", NULL);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  READ(&out, "a.b,a\n1,2\n", NULL);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  READ(&out, "a,,c\n1,2,3\n", NULL);
  assert_int_equal(out.o[0].status, THBX_EFATAL);
  assert_non_null(strstr(out.o[0].text, "column 2 has no name"));
}

static void blank_lines_are_skipped(void **state) {
  (void)state;
  struct outcomes out;
  READ(&out, "\na\n\n1\r\n\r\n\"\"\n2\n\n", NULL);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.o[0].line, 4);
  assert_true(json_same_text(out.o[1].value, "{}")); /* "" is a row of one empty cell */
  assert_int_equal(out.o[2].line, 7);
  csv_outcomes_free(&out);
}

static void bad_options(void **state) {
  (void)state;
  struct outcomes out;
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.delimiter = '"';
  csv_read(&out, "a\n1\n", 4, NULL, &opt);
  assert_int_equal(out.open_status, THBX_EINVAL);
  opt.delimiter = ',';
  opt.list_separator = ',';
  csv_read(&out, "a\n1\n", 4, NULL, &opt);
  assert_int_equal(out.open_status, THBX_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_file),
      cmocka_unit_test(header_only),
      cmocka_unit_test(bom_is_not_part_of_the_first_column),
      cmocka_unit_test(crlf_and_lf),
      cmocka_unit_test(last_line_without_newline),
      cmocka_unit_test(quoted_newlines_and_line_numbers),
      cmocka_unit_test(wrong_field_count_then_recovery),
      cmocka_unit_test(unbalanced_quote),
      cmocka_unit_test(columns_over_the_limit),
      cmocka_unit_test(nul_byte),
      cmocka_unit_test(invalid_utf8),
      cmocka_unit_test(huge_field_and_huge_row),
      cmocka_unit_test(escapes_in_arrays),
      cmocka_unit_test(typed_cells),
      cmocka_unit_test(unknown_column_is_fatal),
      cmocka_unit_test(generic_mode),
      cmocka_unit_test(blank_lines_are_skipped),
      cmocka_unit_test(bad_options),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
