/*
 * test_writer_json.c - the JSON and NDJSON writers and the JSON spelling
 * helpers of writer.h: layout like jq, schema order, numbers that read back
 * identically, escaping, refusing what cannot be spelled, raw records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writer.h"

static thbx_profile_t *profile;

/* Write the records of `ndjson` (one per line, parsed by jansson) and
 * return the output. */
static char *write_all(const char *ndjson, thbx_format format, int compact, int with_profile,
                       int *failures) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = format;
  wo.compact = compact;
  wo.profile = with_profile ? profile : NULL;
  thbx_writer_t *w = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_writer_open(&w, out, &wo, &err), THBX_OK);
  int failed = 0;
  const char *p = ndjson;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    json_error_t jerr;
    json_t *v = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
      fail_msg("bad test input: %s", jerr.text);
    if (thbx_writer_write(w, v, &err) != THBX_OK)
      failed++;
    json_decref(v);
    p += n + (nl ? 1 : 0);
  }
  assert_int_equal(thbx_writer_finish(w, &err), THBX_OK);
  thbx_writer_free(w);
  fclose(out);
  if (failures)
    *failures = failed;
  return buf;
}

#define EXPECT(got_expr, want)                                                                     \
  do {                                                                                             \
    char *got_ = (got_expr);                                                                       \
    assert_string_equal(got_, want);                                                               \
    free(got_);                                                                                    \
  } while (0)

static void empty_document(void **state) {
  (void)state;
  EXPECT(write_all("", THBX_FORMAT_JSON, 0, 0, NULL), "[]\n");
  EXPECT(write_all("", THBX_FORMAT_JSON, 1, 0, NULL), "[]\n");
  EXPECT(write_all("", THBX_FORMAT_NDJSON, 0, 0, NULL), "");
}

static void indented_like_jq(void **state) {
  (void)state;
  EXPECT(write_all("{\"a\":1,\"b\":[1,[],{}],\"c\":{\"d\":null,\"e\":true}}\n{}", THBX_FORMAT_JSON,
                   0, 0, NULL),
         "[\n"
         "  {\n"
         "    \"a\": 1,\n"
         "    \"b\": [\n"
         "      1,\n"
         "      [],\n"
         "      {}\n"
         "    ],\n"
         "    \"c\": {\n"
         "      \"d\": null,\n"
         "      \"e\": true\n"
         "    }\n"
         "  },\n"
         "  {}\n"
         "]\n");
}

static void compact_and_ndjson(void **state) {
  (void)state;
  const char *in = "{\"a\":1,\"b\":[false,\"x\"]}\n[1,2]\n\"s\"";
  EXPECT(write_all(in, THBX_FORMAT_JSON, 1, 0, NULL),
         "[{\"a\":1,\"b\":[false,\"x\"]},[1,2],\"s\"]\n");
  EXPECT(write_all(in, THBX_FORMAT_NDJSON, 0, 0, NULL),
         "{\"a\":1,\"b\":[false,\"x\"]}\n[1,2]\n\"s\"\n");
}

static void strings_escape_only_what_json_requires(void **state) {
  (void)state;
  thbx_buf_t b;
  thbx_buf_init(&b);
  const char s[] = "q\"b\\s/\n\t\r\b\f\x01\x1f\x7f\xC3\xA9\xE2\x80\xA8\xF0\x9F\x98\x80\0z";
  assert_int_equal(writer_json_string(&b, s, sizeof(s) - 1), 0);
  assert_string_equal(b.data, "\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\xC3\xA9\xE2\x80\xA8"
                              "\xF0\x9F\x98\x80\\u0000z\"");
  /* and jansson reads it back to the same bytes */
  json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  assert_non_null(v);
  assert_int_equal(json_string_length(v), sizeof(s) - 1);
  assert_memory_equal(json_string_value(v), s, sizeof(s) - 1);
  json_decref(v);
  thbx_buf_free(&b);
}

static void number_text(double d, char *out, size_t size) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  json_t *n = json_real(d);
  assert_int_equal(writer_json_number(&b, n), 0);
  snprintf(out, size, "%s", b.data);
  json_decref(n);
  thbx_buf_free(&b);
}

static void numbers_read_back_identically(void **state) {
  (void)state;
  char t[64];
  number_text(1.5, t, sizeof(t));
  assert_string_equal(t, "1.5");
  number_text(3.0, t, sizeof(t));
  assert_string_equal(t, "3.0"); /* stays a real */
  number_text(0.1, t, sizeof(t));
  assert_string_equal(t, "0.1");
  number_text(1e300, t, sizeof(t));
  assert_string_equal(t, "1e+300");
  number_text(-2.5e-7, t, sizeof(t));
  assert_string_equal(t, "-2.5e-07");
  number_text(0.1 + 0.2, t, sizeof(t));
  assert_string_equal(t, "0.30000000000000004");
  double samples[] = {DBL_MAX, DBL_MIN, 5e-324, 1.0 / 3, 123456.789, -0.0, 1e16, 2.0 / 3e10};
  for (size_t i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
    number_text(samples[i], t, sizeof(t));
    json_t *v = json_loads(t, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == samples[i]);
    assert_int_equal(signbit(json_real_value(v)), signbit(samples[i]));
    json_decref(v);
  }
  thbx_buf_t b;
  thbx_buf_init(&b);
  json_t *big = json_integer(-9223372036854775807LL - 1);
  assert_int_equal(writer_json_number(&b, big), 0);
  assert_string_equal(b.data, "-9223372036854775808");
  json_decref(big);
  thbx_buf_free(&b);
}

static void schema_order_with_a_profile(void **state) {
  (void)state;
  const char *rec = "{\"zz_unknown\":1,\"person\":{\"sex\":\"female\",\"role\":\"victim\"},"
                    "\"event_type\":\"identification\",\"record_id\":\"AL-1\"}";
  EXPECT(write_all(rec, THBX_FORMAT_NDJSON, 0, 0, NULL), /* generic: record order */
         "{\"zz_unknown\":1,\"person\":{\"sex\":\"female\",\"role\":\"victim\"},"
         "\"event_type\":\"identification\",\"record_id\":\"AL-1\"}\n");
  assert_non_null(profile->shape);
  EXPECT(write_all(rec, THBX_FORMAT_NDJSON, 0, 1, NULL),
         "{\"record_id\":\"AL-1\",\"event_type\":\"identification\","
         "\"person\":{\"role\":\"victim\",\"sex\":\"female\"},\"zz_unknown\":1}\n");
}

static void invalid_utf8_is_refused(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  thbx_writer_t *w = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_writer_open(&w, out, &wo, &err), THBX_OK);
  json_t *good = json_pack("{s:i}", "a", 1);
  json_t *bad = json_object();
  json_object_set_new(bad, "s", json_stringn_nocheck("\xFF\xFE", 2));
  assert_int_equal(thbx_writer_write(w, good, &err), THBX_OK);
  assert_int_equal(thbx_writer_write(w, bad, &err), THBX_EPARSE);
  assert_non_null(strstr(err.text, "UTF-8"));
  assert_int_equal(thbx_writer_write(w, good, &err), THBX_OK);
  assert_int_equal(thbx_writer_finish(w, &err), THBX_OK);
  thbx_writer_free(w);
  fclose(out);
  assert_string_equal(buf, "[\n  {\n    \"a\": 1\n  },\n  {\n    \"a\": 1\n  }\n]\n");
  free(buf);
  json_decref(good);
  json_decref(bad);
}

static void raw_records(void **state) {
  (void)state;
  for (int f = 0; f < 2; f++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    thbx_writer_options_t wo;
    thbx_writer_options_default(&wo);
    wo.format = f ? THBX_FORMAT_NDJSON : THBX_FORMAT_JSON;
    thbx_writer_t *w = NULL;
    thbx_error_t err;
    assert_int_equal(thbx_writer_open(&w, out, &wo, &err), THBX_OK);
    assert_int_equal(thbx_writer_write_raw(w, "{\"a\" : 1}", 9, &err), THBX_OK);
    assert_int_equal(thbx_writer_write_raw(w, "{\"b\":\n2}", 8, &err), THBX_OK);
    assert_int_equal(thbx_writer_finish(w, &err), THBX_OK);
    thbx_writer_free(w);
    fclose(out);
    assert_string_equal(buf,
                        f ? "{\"a\" : 1}\n{\"b\":\n2}\n" : "[\n{\"a\" : 1},\n{\"b\":\n2}\n]\n");
    free(buf);
  }
}

static void large_output_is_flushed_in_pieces(void **state) {
  (void)state;
  /* more than the 64 KiB flush threshold, and every record arrives */
  thbx_buf_t in;
  thbx_buf_init(&in);
  for (int i = 0; i < 3000; i++)
    thbx_buf_printf(&in, "{\"i\":%d,\"s\":\"%060d\"}\n", i, i);
  char *out = write_all(in.data, THBX_FORMAT_NDJSON, 0, 0, NULL);
  assert_int_equal(strlen(out), in.len);
  assert_string_equal(out, in.data);
  free(out);
  thbx_buf_free(&in);
}

int main(void) {
  thbx_error_t err;
  if (thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) != THBX_OK) {
    fprintf(stderr, "cannot load the profile: %s\n", err.text);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_document),
      cmocka_unit_test(indented_like_jq),
      cmocka_unit_test(compact_and_ndjson),
      cmocka_unit_test(strings_escape_only_what_json_requires),
      cmocka_unit_test(numbers_read_back_identically),
      cmocka_unit_test(schema_order_with_a_profile),
      cmocka_unit_test(invalid_utf8_is_refused),
      cmocka_unit_test(raw_records),
      cmocka_unit_test(large_output_is_flushed_in_pieces),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  thbx_profile_free(profile);
  return rc;
}
