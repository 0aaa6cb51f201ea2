/*
 * test_hmap.c - the one hash map (core/hmap.h), the JSON type bits and the
 * JSON Pointer resolver (core/json_util.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h> /* after what it needs */

#include "hmap.h"
#include "json_util.h"

static void copied_keys_survive_the_caller(void **state) {
  (void)state;
  thbx_hmap_t m = THBX_HMAP_INIT;
  char key[32];
  static int values[5000];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof(key), "key-%d", i);
    assert_int_equal(thbx_hmap_puts(&m, key, &values[i]), 0);
  }
  assert_int_equal(m.n, 5000);
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof(key), "key-%d", i);
    assert_ptr_equal(thbx_hmap_gets(&m, key), &values[i]);
    uint64_t h = thbx_hash(key, strlen(key));
    assert_ptr_equal(thbx_hmap_get_hashed(&m, key, strlen(key), h), &values[i]);
  }
  assert_null(thbx_hmap_gets(&m, "key-5000"));
  /* a prefix is another key: lengths count, not NUL bytes */
  assert_ptr_equal(thbx_hmap_get(&m, "key-12", 5), &values[1]);
  assert_ptr_equal(thbx_hmap_get(&m, "key-12xyz", 6), &values[12]);
  /* put replaces */
  assert_int_equal(thbx_hmap_puts(&m, "key-7", &values[0]), 0);
  assert_ptr_equal(thbx_hmap_gets(&m, "key-7"), &values[0]);
  assert_int_equal(m.n, 5000);
  /* the load stays below 0.7 */
  assert_true(m.n * 10 <= m.cap * 7);
  size_t seen = 0, i = 0;
  const thbx_hmap_entry_t *e;
  while (thbx_hmap_next(&m, &i, &e))
    seen++;
  assert_int_equal(seen, 5000);
  thbx_hmap_free(&m);
  assert_null(thbx_hmap_gets(&m, "key-1"));
}

static void binary_keys_and_borrowed_keys(void **state) {
  (void)state;
  thbx_hmap_t m;
  thbx_hmap_init(&m, THBX_HMAP_BORROW);
  static const char a[] = {'a', '\0', 'b'}, b[] = {'a', '\0', 'c'};
  int x, y;
  assert_int_equal(thbx_hmap_put(&m, a, 3, &x), 0);
  assert_int_equal(thbx_hmap_put(&m, b, 3, &y), 0);
  assert_ptr_equal(thbx_hmap_get(&m, a, 3), &x);
  assert_ptr_equal(thbx_hmap_get(&m, b, 3), &y);
  assert_int_equal(thbx_hmap_has(&m, "a", 1), 0);
  assert_int_equal(thbx_hmap_put(&m, "", 0, NULL), 0);
  assert_int_equal(thbx_hmap_has(&m, "", 0), 1); /* present with a NULL value */
  thbx_hmap_free(&m);
}

static void pointer_keys(void **state) {
  (void)state;
  thbx_hmap_t m = THBX_HMAP_INIT;
  static int objs[1000];
  for (int i = 0; i < 1000; i++)
    assert_int_equal(thbx_hmap_put_ptr(&m, &objs[i], &objs[999 - i]), 0);
  for (int i = 0; i < 1000; i++)
    assert_ptr_equal(thbx_hmap_get_ptr(&m, &objs[i]), &objs[999 - i]);
  int other;
  assert_null(thbx_hmap_get_ptr(&m, &other));
  thbx_hmap_free(&m); /* keys are not freed: valgrind/ASan would say */
}

static void hash_spreads_last_characters(void **state) {
  (void)state;
  /* ids that differ in their last character fall in different low bits */
  unsigned seen = 0;
  char id[16];
  for (int i = 0; i < 8; i++) {
    snprintf(id, sizeof(id), "EV-00000%d", i);
    seen |= 1u << (thbx_hash(id, strlen(id)) & 15);
  }
  assert_true(__builtin_popcount(seen) >= 5);
}

static void type_bits(void **state) {
  (void)state;
  assert_int_equal(thbx_type_bit("integer"), THBX_TYPE_INTEGER);
  assert_int_equal(thbx_type_bit("object"), THBX_TYPE_OBJECT);
  assert_int_equal(thbx_type_bit("float"), 0);
  assert_string_equal(thbx_type_name(THBX_TYPE_NUMBER), "number");
  assert_string_equal(thbx_type_name(THBX_TYPE_ANY), "");
  json_t *v = json_real(1.0);
  assert_int_equal(thbx_type_of(v), THBX_TYPE_NUMBER);
  json_decref(v);
  v = json_integer(1);
  assert_int_equal(thbx_type_of(v), THBX_TYPE_INTEGER);
  json_decref(v);
}

static void json_pointer(void **state) {
  (void)state;
  json_t *doc = json_loads("{\"a\":{\"b/c\":[10,{\"~d\":true}]},\"\":1}", 0, NULL);
  assert_non_null(doc);
  assert_ptr_equal(thbx_json_pointer_get(doc, ""), doc);
  assert_int_equal(json_integer_value(thbx_json_pointer_get(doc, "/a/b~1c/0")), 10);
  assert_true(json_is_true(thbx_json_pointer_get(doc, "/a/b~1c/1/~0d")));
  assert_int_equal(json_integer_value(thbx_json_pointer_get(doc, "/")), 1);
  assert_null(thbx_json_pointer_get(doc, "/a/b~1c/01")); /* leading zero */
  assert_null(thbx_json_pointer_get(doc, "/a/b~1c/2"));
  assert_null(thbx_json_pointer_get(doc, "/a/b~2c")); /* broken escape */
  assert_null(thbx_json_pointer_get(doc, "a"));       /* not a pointer */
  assert_null(thbx_json_pointer_get(doc, "/a/b~1c/-1"));
  char longkey[600];
  memset(longkey, 'k', sizeof(longkey) - 1);
  longkey[sizeof(longkey) - 1] = '\0';
  json_object_set_new(doc, longkey, json_string("long"));
  char ptr[700];
  snprintf(ptr, sizeof(ptr), "/%s", longkey);
  assert_string_equal(json_string_value(thbx_json_pointer_get(doc, ptr)), "long");
  json_decref(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(copied_keys_survive_the_caller),
      cmocka_unit_test(binary_keys_and_borrowed_keys),
      cmocka_unit_test(pointer_keys),
      cmocka_unit_test(hash_spreads_last_characters),
      cmocka_unit_test(type_bits),
      cmocka_unit_test(json_pointer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
