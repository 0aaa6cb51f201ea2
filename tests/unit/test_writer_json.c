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

/* The escaping as the byte-by-byte loop did it, to check the word-at-a-time
 * scan against. */
static void escape_slowly(thbx_buf_t *b, const char *s, size_t len) {
  thbx_buf_putc(b, '"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      thbx_buf_printf(b, "\\%c", c);
    else if (c == '\n')
      thbx_buf_puts(b, "\\n");
    else if (c == '\t')
      thbx_buf_puts(b, "\\t");
    else if (c == '\r')
      thbx_buf_puts(b, "\\r");
    else if (c == '\b')
      thbx_buf_puts(b, "\\b");
    else if (c == '\f')
      thbx_buf_puts(b, "\\f");
    else if (c < 0x20)
      thbx_buf_printf(b, "\\u%04x", c);
    else
      thbx_buf_putc(b, (char)c);
  }
  thbx_buf_putc(b, '"');
}

static void escaping_at_every_place_of_a_word(void **state) {
  (void)state;
  /* each byte that needs a look, at every offset of strings of 0..40
   * bytes: a word test that missed one would copy it unescaped */
  const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\x7f', ' ', '~', '\0'};
  for (size_t len = 1; len <= 40; len++) {
    for (size_t at = 0; at < len; at++) {
      for (size_t k = 0; k < sizeof(specials); k++) {
        char s[48];
        memset(s, 'a', len);
        s[at] = specials[k];
        if (at + 2 < len)
          s[at + 2] = '\x1f'; /* a second one behind it */
        thbx_buf_t got, want;
        thbx_buf_init(&got);
        thbx_buf_init(&want);
        assert_int_equal(writer_json_string(&got, s, len), 0);
        escape_slowly(&want, s, len);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        thbx_buf_free(&got);
        thbx_buf_free(&want);
      }
    }
  }
}

static void invalid_utf8_is_found_past_the_first_words(void **state) {
  (void)state;
  /* a bad byte after plain ASCII words, and after a good multibyte
   * character (the check runs once, from the first byte >= 0x80) */
  const char *bad[] = {"abcdefghijklmnop\xFF", "abcdefgh\xC3\xA9ijklmnopq\xC3",
                       "abcdefghijklmnopqrstuvwx\xE2\x80",
                       "\xC3\xA9"
                       "abcdefghijklmnop\x80"};
  const char *good[] = {"abcdefghijklmnop\xC3\xA9", "abcdefgh\xF0\x9F\x98\x80ijklmnopqrstu"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    json_t *v = json_stringn_nocheck(bad[i], strlen(bad[i]));
    thbx_buf_t b;
    thbx_buf_init(&b);
    thbx_error_t err;
    assert_int_equal(writer_json_tree(&b, v, NULL, 0, 0, &err), THBX_EPARSE);
    assert_non_null(strstr(err.text, "UTF-8"));
    thbx_buf_free(&b);
    json_decref(v);
  }
  for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
    json_t *v = json_string(good[i]);
    thbx_buf_t b;
    thbx_buf_init(&b);
    thbx_error_t err;
    assert_int_equal(writer_json_tree(&b, v, NULL, 0, 0, &err), THBX_OK);
    assert_int_equal(b.len, strlen(good[i]) + 2);
    assert_memory_equal(b.data + 1, good[i], strlen(good[i]));
    thbx_buf_free(&b);
    json_decref(v);
  }
}

static void integers_as_printf_spells_them(void **state) {
  (void)state;
  long long samples[] = {0,
                         1,
                         -1,
                         9,
                         10,
                         -10,
                         99,
                         100,
                         123456789,
                         -987654321,
                         4294967296LL,
                         9223372036854775807LL,
                         -9223372036854775807LL - 1};
  for (size_t i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
    for (long long d = -1; d <= 1; d++) {
      long long x = samples[i];
      if ((d < 0 && x == -9223372036854775807LL - 1) || (d > 0 && x == 9223372036854775807LL))
        continue;
      x += d;
      char want[32];
      snprintf(want, sizeof(want), "%lld", x);
      thbx_buf_t b;
      thbx_buf_init(&b);
      json_t *n = json_integer(x);
      assert_int_equal(writer_json_number(&b, n), 0);
      assert_string_equal(b.data, want);
      json_decref(n);
      thbx_buf_free(&b);
    }
  }
}

/* The members of an object in schema order, then the unnamed ones in the
 * record's order: a few members are placed and sorted, many (more than the
 * sort holds) are looked up property by property; both give one order. */
static void schema_order_of_few_and_many_members(void **state) {
  (void)state;
  for (int many = 0; many < 2; many++) {
    thbx_buf_t in, want;
    thbx_buf_init(&in);
    thbx_buf_init(&want);
    int nunknown = many ? 80 : 6;
    thbx_buf_puts(&in, "{");
    for (int i = 0; i < nunknown; i++) {
      thbx_buf_printf(&in, "\"u%02d\":%d,", nunknown - i, i);
      if (i == 2)
        thbx_buf_puts(&in, "\"person\":{\"zz\":0,\"sex\":\"male\",\"a\":1,\"role\":\"victim\"},");
      if (i == 4)
        thbx_buf_puts(&in, "\"event_type\":\"referral\",");
    }
    thbx_buf_puts(&in, "\"record_id\":\"X-1\"}");
    thbx_buf_puts(&want, "{\"record_id\":\"X-1\",\"event_type\":\"referral\",\"person\":"
                         "{\"role\":\"victim\",\"sex\":\"male\",\"zz\":0,\"a\":1}");
    for (int i = 0; i < nunknown; i++)
      thbx_buf_printf(&want, ",\"u%02d\":%d", nunknown - i, i);
    thbx_buf_puts(&want, "}\n");
    EXPECT(write_all(in.data, THBX_FORMAT_NDJSON, 0, 1, NULL), want.data);
    thbx_buf_free(&in);
    thbx_buf_free(&want);
  }
}

/* The names of the schema's properties are spelled once per writer and
 * then copied (writer_keys): later records are spelled as the first one. */
static void property_names_spelled_once_read_the_same(void **state) {
  (void)state;
  const char *rec = "{\"person\":{\"sex\":\"female\",\"role\":\"victim\",\"age_group\":\"0-8\"},"
                    "\"record_id\":\"AL-1\",\"reporting_body\":{\"type\":\"ngo\",\"name\":\"x\"},"
                    "\"event_type\":\"referral\",\"zz\":{\"sex\":1}}";
  const char *want =
      "{\"record_id\":\"AL-1\",\"reporting_body\":{\"type\":\"ngo\",\"name\":\"x\"},"
      "\"event_type\":\"referral\",\"person\":{\"role\":\"victim\",\"sex\":\"female\","
      "\"age_group\":\"0-8\"},\"zz\":{\"sex\":1}}\n";
  thbx_buf_t in, all;
  thbx_buf_init(&in);
  thbx_buf_init(&all);
  for (int i = 0; i < 3; i++) {
    thbx_buf_printf(&in, "%s\n", rec);
    thbx_buf_puts(&all, want);
  }
  EXPECT(write_all(in.data, THBX_FORMAT_NDJSON, 0, 1, NULL), all.data);
  /* indented: the same names, with the layout around them */
  char *one = write_all(rec, THBX_FORMAT_JSON, 0, 1, NULL);
  char *three = write_all(in.data, THBX_FORMAT_JSON, 0, 1, NULL);
  size_t n = strlen(one) - 3; /* without "\n]\n" */
  assert_memory_equal(three, one, n);
  assert_non_null(strstr(three + n, one + 2)); /* the third record, spelled as the first */
  free(one);
  free(three);
  thbx_buf_free(&in);
  thbx_buf_free(&all);
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
      cmocka_unit_test(escaping_at_every_place_of_a_word),
      cmocka_unit_test(invalid_utf8_is_found_past_the_first_words),
      cmocka_unit_test(integers_as_printf_spells_them),
      cmocka_unit_test(schema_order_of_few_and_many_members),
      cmocka_unit_test(property_names_spelled_once_read_the_same),
      cmocka_unit_test(raw_records),
      cmocka_unit_test(large_output_is_flushed_in_pieces),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  thbx_profile_free(profile);
  return rc;
}
