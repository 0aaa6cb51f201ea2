/*
 * test_version.c - thbx_version_info(): thbx's version, the embedded
 * profiles and a version of every library it runs with, as `thbx --version`
 * prints them (issue 16).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "thbx.h"

static void test_info_names_everything(void **state) {
  (void)state;
  json_t *info = thbx_version_info();
  assert_non_null(info);
  assert_string_equal(json_string_value(json_object_get(info, "thbx")), THBX_VERSION);
  assert_string_equal(thbx_version(), THBX_VERSION);
  const json_t *profiles = json_object_get(info, "profiles");
  assert_true(json_is_array(profiles));
  int found = 0;
  for (size_t i = 0; i < json_array_size(profiles); i++)
    found |= strcmp(json_string_value(json_array_get(profiles, i)), THBX_DEFAULT_PROFILE) == 0;
  assert_true(found);
  static const char *const libs[] = {"libxml2", "libxslt", "libexslt", "jansson",
                                     "yajl",    "pcre2",   "openssl"};
  for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
    const char *v = json_string_value(json_object_get(info, libs[i]));
    assert_non_null(v);
    /* a dotted version: digits first, at least one dot, no spaces */
    assert_true(v[0] >= '0' && v[0] <= '9');
    assert_non_null(strchr(v, '.'));
    assert_null(strchr(v, ' '));
  }
  /* the run-time jansson is the one loaded */
  assert_string_equal(json_string_value(json_object_get(info, "jansson")), jansson_version_str());
  json_decref(info);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_info_names_everything)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
