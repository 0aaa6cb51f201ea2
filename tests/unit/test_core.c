/*
 * test_core.c - the shared helpers: buffer, JSON Pointer escaping, UTF-8
 * check, format names, status texts, embedded resources, profile loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static void buf_grows_and_stays_terminated(void **state) {
  (void)state;
  thbx_buf_t b;
  thbx_buf_init(&b);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(thbx_buf_putc(&b, (char)('a' + i % 26)), 0);
  assert_int_equal(b.len, 10000);
  assert_int_equal(b.data[b.len], '\0');
  assert_int_equal(b.data[27], 'b');
  thbx_buf_reset(&b);
  assert_int_equal(thbx_buf_printf(&b, "%s-%d", "x", 42), 0);
  assert_string_equal(b.data, "x-42");
  thbx_buf_free(&b);
  assert_null(b.data);
}

static void pointer_escapes_tilde_and_slash(void **state) {
  (void)state;
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_pointer_append(&b, "person");
  thbx_buf_pointer_append(&b, "a/b~c");
  assert_string_equal(b.data, "/person/a~1b~0c");
  thbx_buf_free(&b);
}

static void utf8_check(void **state) {
  (void)state;
  assert_true(thbx_utf8_valid("Kombëtare Управа", strlen("Kombëtare Управа")));
  assert_false(thbx_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
  assert_false(thbx_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
  assert_false(thbx_utf8_valid("\xE2\x82", 2));         /* truncated */
  assert_false(thbx_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
  assert_true(thbx_utf8_valid("\xF0\x9F\x98\x80", 4));  /* emoji */
}

static void strlcpy_keeps_whole_characters(void **state) {
  (void)state;
  char small[4];
  thbx_strlcpy(small, "aëb", sizeof(small)); /* 'a' + 2-byte ë fits exactly */
  assert_string_equal(small, "aë");
  thbx_strlcpy(small, "abë", sizeof(small)); /* ë would be split: dropped */
  assert_string_equal(small, "ab");
}

static void format_names(void **state) {
  (void)state;
  assert_int_equal(thbx_format_from_name("ndjson"), THBX_FORMAT_NDJSON);
  assert_int_equal(thbx_format_from_name("XML"), THBX_FORMAT_XML);
  assert_int_equal(thbx_format_from_name("yaml"), THBX_FORMAT_AUTO);
  assert_int_equal(thbx_format_from_path("data/a.b/x.csv"), THBX_FORMAT_CSV);
  assert_int_equal(thbx_format_from_path("data/x.jsonl"), THBX_FORMAT_NDJSON);
  assert_int_equal(thbx_format_from_path("data.d/x"), THBX_FORMAT_AUTO);
  assert_string_equal(thbx_format_name(THBX_FORMAT_CSV), "csv");
}

static void status_texts(void **state) {
  (void)state;
  for (int s = THBX_OK; s <= THBX_ENOTFOUND; s++)
    assert_string_not_equal(thbx_strerror(s), "unknown error");
  assert_string_equal(thbx_strerror(9999), "unknown error");
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(err.record_index, -1);
  assert_int_equal(thbx_error_set(&err, THBX_EPARSE, "bad %s", "cell"), THBX_EPARSE);
  assert_string_equal(err.text, "bad cell");
}

static void embedded_profile_loads(void **state) {
  (void)state;
  thbx_profile_t *p = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &p, &err), THBX_OK);
  assert_non_null(p);
  assert_string_equal(thbx_profile_name(p), THBX_DEFAULT_PROFILE);
  assert_true(json_is_object(thbx_profile_schema(p)));
  size_t len = 0;
  assert_non_null(thbx_profile_xsd(p, &len));
  assert_true(len > 100);
  thbx_profile_free(p);

  assert_int_equal(thbx_profile_load("none", &p, &err), THBX_OK);
  assert_null(p);
  assert_int_not_equal(thbx_profile_load("/nonexistent/x.schema.json", &p, &err), THBX_OK);
  assert_null(p);
  assert_true(strlen(err.text) > 0);
}

static void resources_are_listed(void **state) {
  (void)state;
  size_t n = 0, codes = 0;
  for (const char *name; (name = thbx_resource_name(n)); n++) {
    size_t len;
    assert_non_null(thbx_resource(name, &len));
    if (strncmp(name, "codes/", 6) == 0)
      codes++;
  }
  assert_true(codes >= 17); /* every code list of the model */
  assert_null(thbx_resource("no/such/file", NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(buf_grows_and_stays_terminated),
      cmocka_unit_test(pointer_escapes_tilde_and_slash),
      cmocka_unit_test(utf8_check),
      cmocka_unit_test(strlcpy_keeps_whole_characters),
      cmocka_unit_test(format_names),
      cmocka_unit_test(status_texts),
      cmocka_unit_test(embedded_profile_loads),
      cmocka_unit_test(resources_are_listed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
