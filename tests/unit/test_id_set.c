/*
 * test_id_set.c - the compact id set (core/id_set.c) of the dataset rules
 * and the merge:
 * every id is found again with the place it was first seen, through
 * growth, huge ids and ids that differ in one byte; and it stays compact.
 */
#include "id_set.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int add(struct id_set *s, const char *id, size_t len, long line, int *seen,
               struct id_place *first) {
  struct id_place at = {(size_t)(line % 7), line, line * 3 + 1, (size_t)(line % 5)};
  return id_set_add(s, id, len, &at, seen, first);
}

static void every_id_once_with_its_first_place(void **state) {
  (void)state;
  struct id_set s = {0};
  enum { N = 200000 };
  char id[32];
  int seen;
  struct id_place first;
  for (long i = 0; i < N; i++) {
    int n = snprintf(id, sizeof(id), "AL-TIRANA-2024-%07ld", i);
    assert_int_equal(add(&s, id, (size_t)n, i + 1, &seen, &first), 0);
    assert_int_equal(seen, 0);
  }
  assert_int_equal(s.n, N);
  for (long i = N - 1; i >= 0; i -= 7) {
    int n = snprintf(id, sizeof(id), "AL-TIRANA-2024-%07ld", i);
    assert_int_equal(add(&s, id, (size_t)n, 999999, &seen, &first), 0);
    assert_int_equal(seen, 1);
    assert_int_equal(first.line, i + 1);
    assert_int_equal(first.column, (i + 1) * 3 + 1);
    assert_int_equal(first.source, (size_t)((i + 1) % 7));
    assert_int_equal(first.group, (size_t)((i + 1) % 5));
  }
  assert_int_equal(s.n, N); /* nothing added by a duplicate */
  /* a prefix, a longer id, one byte more: all distinct */
  assert_int_equal(add(&s, "AL-TIRANA-2024-000000", 21, 1, &seen, &first), 0);
  assert_int_equal(seen, 0);
  assert_int_equal(add(&s, "AL-TIRANA-2024-00000001", 23, 1, &seen, &first), 0);
  assert_int_equal(seen, 0);
  /* compact: well under 64 bytes a 22-byte id with its place */
  size_t per = id_set_bytes(&s) / s.n;
  assert_true(per < 64);
  id_set_free(&s);
  assert_int_equal(s.n, 0);
}

static void huge_ids_and_bytes(void **state) {
  (void)state;
  struct id_set s = {0};
  size_t big = 3u << 20; /* larger than a block */
  char *h = malloc(big);
  assert_non_null(h);
  memset(h, 'x', big);
  int seen;
  struct id_place first;
  assert_int_equal(add(&s, h, big, 5, &seen, &first), 0);
  assert_int_equal(seen, 0);
  /* small ids after the huge one go to a new block and are found again */
  for (long i = 0; i < 5000; i++) {
    char id[16];
    int n = snprintf(id, sizeof(id), "%ld", i);
    assert_int_equal(add(&s, id, (size_t)n, i + 10, &seen, &first), 0);
    assert_int_equal(seen, 0);
  }
  h[big - 1] = 'y'; /* differs in its last byte only */
  assert_int_equal(add(&s, h, big, 6, &seen, &first), 0);
  assert_int_equal(seen, 0);
  h[big - 1] = 'x';
  assert_int_equal(add(&s, h, big, 7, &seen, &first), 0);
  assert_int_equal(seen, 1);
  assert_int_equal(first.line, 5);
  assert_int_equal(add(&s, "4999", 4, 1, &seen, &first), 0);
  assert_int_equal(seen, 1);
  assert_int_equal(first.line, 5009);
  /* NUL bytes and high bytes are id bytes like any other */
  assert_int_equal(add(&s, "a\0b", 3, 1, &seen, &first), 0);
  assert_int_equal(seen, 0);
  assert_int_equal(add(&s, "a\0c", 3, 2, &seen, &first), 0);
  assert_int_equal(seen, 0);
  assert_int_equal(add(&s, "a\0b", 3, 3, &seen, &first), 0);
  assert_int_equal(seen, 1);
  assert_int_equal(first.line, 1);
  free(h);
  id_set_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_id_once_with_its_first_place),
      cmocka_unit_test(huge_ids_and_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
