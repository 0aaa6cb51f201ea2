/*
 * test_stats.c - thbx stats: the counting sink driven directly through the
 * pipeline contract's sink ops, suppression on hand-made tables (two small
 * cells in one row, no margins, K = 1, determinism), witnesses checked here
 * by the test's own arithmetic, and the certificate checker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats_table.h"
#include "thbx.h"

/* ------------------------------------------------ the test's own checks */

/* Does the change keep every margin = sum of its children, and cells >= 0? */
static int change_ok(const stats_table_t *t, const stats_change_t *ch) {
  long long *d = calloc(t->ncells, sizeof(*d));
  for (size_t i = 0; i < ch->n; i++) {
    if (t->status[ch->cells[i]] == STATS_PUBLISHED)
      return free(d), 0;
    d[ch->cells[i]] = ch->delta[i];
  }
  int ok = 1;
  for (size_t c = 0; c < t->ncells && ok; c++) {
    if (t->count[c] + d[c] < 0)
      ok = 0;
    size_t co[3];
    stats_table_coords(t, c, co);
    for (int i = 0; i < t->ndims && ok; i++) {
      if (!t->totals || co[i] != t->n[i])
        continue;
      long long sum = 0;
      for (size_t v = 0; v < t->n[i]; v++) {
        size_t k[3] = {co[0], co[1], co[2]};
        k[i] = v;
        sum += d[stats_table_index(t, k)];
      }
      if (sum != d[c])
        ok = 0;
    }
  }
  free(d);
  return ok;
}

static long long moved(const stats_change_t *ch, size_t cell) {
  for (size_t i = 0; i < ch->n; i++)
    if (ch->cells[i] == cell)
      return ch->delta[i];
  return 0;
}

static void check_protection(const stats_table_t *t, const stats_suppression_t *s) {
  size_t prim = 0;
  for (size_t c = 0; c < t->ncells; c++) {
    if (t->count[c] > 0 && t->count[c] < t->k) {
      assert_int_equal(t->status[c], STATS_PRIMARY);
      prim++;
    }
  }
  assert_int_equal(s->nprotection, prim);
  for (size_t i = 0; i < s->nprotection; i++) {
    const stats_protection_t *p = &s->protection[i];
    assert_true(change_ok(t, &p->up));
    assert_true(change_ok(t, &p->down));
    long long up = moved(&p->up, p->cell), down = moved(&p->down, p->cell);
    assert_true(up > 0);
    assert_true(down < 0);
    assert_true(up - down >= t->k);
  }
}

static void table_1d(stats_table_t *t, const long long *v, size_t n, int totals, long k) {
  thbx_error_t err;
  assert_int_equal(stats_table_init(t, 1, &n, totals, k, &err), THBX_OK);
  for (size_t i = 0; i < n; i++)
    t->count[i] = v[i];
  stats_table_fill_margins(t);
}

/* 1, 2, 10, 10 with a total: suppressing 1 and 2 alone publishes their sum
 * (3) through the total; a third cell must go too. */
static void two_small_cells_in_one_row(void **state) {
  (void)state;
  stats_table_t t;
  stats_suppression_t s;
  thbx_error_t err;
  const long long v[] = {1, 2, 10, 10};
  table_1d(&t, v, 4, 1, 5);
  assert_int_equal(t.count[4], 23);
  assert_int_equal(stats_suppress(&t, &s, NULL, &err), THBX_OK);
  assert_int_equal(s.primary, 2);
  assert_int_equal(s.secondary, 1); /* one 10; the total stays published */
  assert_int_equal(t.status[4], STATS_PUBLISHED);
  check_protection(&t, &s);
  stats_suppression_clear(&s);
  stats_table_clear(&t);
}

/* a 2 x 2 table with margins and one small cell needs the whole rectangle */
static void rectangle(void **state) {
  (void)state;
  stats_table_t t;
  stats_suppression_t s;
  thbx_error_t err;
  size_t n[2] = {2, 2};
  assert_int_equal(stats_table_init(&t, 2, n, 1, 5, &err), THBX_OK);
  size_t c[2];
  long long v[2][2] = {{2, 9}, {8, 7}};
  for (size_t i = 0; i < 2; i++)
    for (size_t j = 0; j < 2; j++) {
      c[0] = i;
      c[1] = j;
      t.count[stats_table_index(&t, c)] = v[i][j];
    }
  stats_table_fill_margins(&t);
  c[0] = c[1] = 2;
  assert_int_equal(t.count[stats_table_index(&t, c)], 26);
  assert_int_equal(stats_suppress(&t, &s, NULL, &err), THBX_OK);
  assert_int_equal(s.primary, 1);
  assert_int_equal(s.secondary, 3);
  check_protection(&t, &s);
  stats_suppression_clear(&s);
  stats_table_clear(&t);
}

static void no_margins_and_k1(void **state) {
  (void)state;
  stats_table_t t;
  stats_suppression_t s;
  thbx_error_t err;
  const long long v[] = {1, 2, 10, 0};
  table_1d(&t, v, 4, 0, 5);
  assert_int_equal(stats_suppress(&t, &s, NULL, &err), THBX_OK);
  assert_int_equal(s.primary, 2);
  assert_int_equal(s.secondary, 0); /* nothing relates the cells */
  check_protection(&t, &s);
  stats_suppression_clear(&s);
  stats_table_clear(&t);
  table_1d(&t, v, 4, 1, 1);
  assert_int_equal(stats_suppress(&t, &s, NULL, &err), THBX_OK);
  assert_int_equal(s.primary + s.secondary, 0);
  stats_suppression_clear(&s);
  stats_table_clear(&t);
}

/* 3 dimensions, random counts (fixed seed): every primary cell protected by
 * witnesses this test checks itself, and the same result twice */
static void random_3d(void **state) {
  (void)state;
  unsigned seed = 7;
  for (int round = 0; round < 20; round++) {
    size_t n[3] = {2 + (size_t)(rand_r(&seed) % 3), 2 + (size_t)(rand_r(&seed) % 3),
                   2 + (size_t)(rand_r(&seed) % 2)};
    stats_table_t t, u;
    stats_suppression_t s, s2;
    thbx_error_t err;
    assert_int_equal(stats_table_init(&t, 3, n, 1, 5, &err), THBX_OK);
    assert_int_equal(stats_table_init(&u, 3, n, 1, 5, &err), THBX_OK);
    for (size_t c = 0; c < t.ncells; c++) {
      if (stats_table_is_margin(&t, c))
        continue;
      int r = rand_r(&seed) % 10;
      t.count[c] = r < 3 ? 0 : (r < 6 ? 1 + rand_r(&seed) % 4 : 5 + rand_r(&seed) % 20);
      u.count[c] = t.count[c];
    }
    stats_table_fill_margins(&t);
    stats_table_fill_margins(&u);
    assert_int_equal(stats_suppress(&t, &s, NULL, &err), THBX_OK);
    check_protection(&t, &s);
    assert_int_equal(stats_suppress(&u, &s2, NULL, &err), THBX_OK);
    assert_memory_equal(t.status, u.status, t.ncells);
    stats_suppression_clear(&s);
    stats_suppression_clear(&s2);
    stats_table_clear(&t);
    stats_table_clear(&u);
  }
}

/* ------------------------------------------------- the sink, directly */

static thbx_stats_t *new_stats(const char *const *by, size_t nby, const char *distinct, long k,
                               int totals, FILE *out, FILE *cert) {
  thbx_stats_options_t o;
  thbx_stats_options_default(&o);
  o.by = by;
  o.nby = nby;
  o.distinct = distinct;
  o.min_cell = k;
  o.totals = totals;
  o.out = out;
  o.certificate = cert;
  thbx_stats_t *s = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_OK);
  return s;
}

static void feed(const thbx_sink_ops_t *ops, void *state, const char *json,
                 unsigned long long seq) {
  thbx_item_t item;
  memset(&item, 0, sizeof(item));
  item.value = json_loads(json, 0, NULL);
  assert_non_null(item.value);
  item.source = "test";
  item.seq = seq;
  thbx_error_t err;
  assert_int_equal(ops->item(state, NULL, &item, &err), THBX_OK);
  json_decref(item.value);
}

static char *run_sink(const char *const *by, size_t nby, const char *distinct, long k, int totals,
                      const char *const *records, size_t nrec, int complete) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  thbx_stats_t *s = new_stats(by, nby, distinct, k, totals, out, NULL);
  const thbx_sink_ops_t *ops = thbx_stats_sink_ops();
  for (size_t i = 0; i < nrec; i++)
    feed(ops, s, records[i], i);
  /* an unreadable item and one with issues are not counted */
  thbx_item_t bad;
  memset(&bad, 0, sizeof(bad));
  bad.unreadable = 1;
  thbx_error_t err;
  assert_int_equal(ops->item(s, NULL, &bad, &err), THBX_OK);
  assert_int_equal(ops->finish(s, complete, &err), THBX_OK);
  ops->free(s);
  fclose(out);
  return buf;
}

static void sink_counts(void **state) {
  (void)state;
  const char *by[] = {"country", "forms"};
  const char *recs[] = {
      "{\"country\":\"AL\",\"forms\":[\"sexual\",\"labour\",\"sexual\"]}",
      "{\"country\":\"AL\",\"forms\":[\"labour\"]}",
      "{\"country\":\"RS\"}",
      "{\"country\":\"RS\",\"forms\":[]}",
  };
  char *csv = run_sink(by, 2, NULL, 1, 1, recs, 4, 1);
  assert_string_equal(csv, "country,forms,count,flag\r\n"
                           "AL,labour,2,\r\n"
                           "AL,sexual,1,\r\n"
                           "AL,_total,3,\r\n"
                           "RS,,2,\r\n" /* no value: the missing value, empty */
                           "RS,_total,2,\r\n"
                           "_total,labour,2,\r\n"
                           "_total,sexual,1,\r\n"
                           "_total,,2,\r\n"
                           "_total,_total,5,\r\n");
  free(csv);
  /* a run that stopped early writes nothing */
  csv = run_sink(by, 2, NULL, 1, 1, recs, 4, 0);
  assert_string_equal(csv, "");
  free(csv);
}

static void sink_distinct_and_dates(void **state) {
  (void)state;
  const char *by[] = {"d:year"};
  const char *recs[] = {
      "{\"d\":\"2024-03-01\",\"p\":\"x\"}",
      "{\"d\":\"2024-05-01\",\"p\":\"x\"}",
      "{\"d\":\"2024-05-01\",\"p\":\"y\"}",
      "{\"d\":\"2023-01-01\",\"p\":\"x\"}",
      "{\"d\":\"2023-01-01\"}", /* no person: not counted */
  };
  char *csv = run_sink(by, 1, "p", 1, 0, recs, 5, 1);
  assert_string_equal(csv, "d:year,count,flag\r\n2023,1,\r\n2024,2,\r\n");
  free(csv);
  const char *bym[] = {"d:month"};
  csv = run_sink(bym, 1, NULL, 1, 0, recs, 5, 1);
  assert_string_equal(csv, "d:month,count,flag\r\n2023-01,2,\r\n2024-03,1,\r\n2024-05,2,\r\n");
  free(csv);
}

static void sink_suppresses(void **state) {
  (void)state;
  const char *by[] = {"c"};
  const char *recs[] = {"{\"c\":\"a\"}", "{\"c\":\"b\"}", "{\"c\":\"b\"}", "{\"c\":\"d\"}",
                        "{\"c\":\"d\"}", "{\"c\":\"d\"}", "{\"c\":\"d\"}", "{\"c\":\"d\"}",
                        "{\"c\":\"e\"}", "{\"c\":\"e\"}", "{\"c\":\"e\"}", "{\"c\":\"e\"}",
                        "{\"c\":\"e\"}", "{\"c\":\"e\"}"};
  char *csv = run_sink(by, 1, NULL, 5, 1, recs, 14, 1);
  /* a=1 and b=2 are small; their sum would follow from the total, so d (the
   * smaller of the others) goes too: the same flag for all three */
  assert_string_equal(csv, "c,count,flag\r\na,,c\r\nb,,c\r\nd,,c\r\ne,6,\r\n_total,14,\r\n");
  free(csv);
}

static void options_refused(void **state) {
  (void)state;
  thbx_stats_options_t o;
  thbx_stats_t *s = NULL;
  thbx_error_t err;
  thbx_stats_options_default(&o);
  assert_int_equal(o.min_cell, 5);
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_EINVAL); /* no --by */
  const char *four[] = {"a", "b", "c", "d"};
  o.by = four;
  o.nby = 4;
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_EINVAL);
  const char *bad[] = {"a..b"};
  o.by = bad;
  o.nby = 1;
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_EINVAL);
  const char *twice[] = {"a", "a"};
  o.by = twice;
  o.nby = 2;
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_EINVAL);
  const char *obj[] = {"a"};
  o.by = obj;
  o.nby = 1;
  assert_int_equal(thbx_stats_new(&s, &o, &err), THBX_OK);
  json_t *rec = json_loads("{\"a\":{\"b\":1}}", 0, NULL);
  assert_int_equal(thbx_stats_add(s, rec, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "not a leaf"));
  json_decref(rec);
  thbx_stats_free(s);
  assert_int_equal(thbx_stats_format_from_name("html"), THBX_STATS_HTML);
  assert_int_equal(thbx_stats_format_from_name("pdf"), -1);
}

/* ----------------------------------------------------- the certificate */

static json_t *certificate_of(const char *const *recs, size_t n) {
  const char *by[] = {"r", "c"};
  char *buf = NULL, *cbuf = NULL;
  size_t len = 0, clen = 0;
  FILE *out = open_memstream(&buf, &len), *cert = open_memstream(&cbuf, &clen);
  thbx_stats_t *s = new_stats(by, 2, NULL, 5, 1, out, cert);
  thbx_error_t err;
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_loads(recs[i], 0, NULL);
    assert_int_equal(thbx_stats_add(s, v, &err), THBX_OK);
    json_decref(v);
  }
  assert_int_equal(thbx_stats_finish(s, &err), THBX_OK);
  thbx_stats_free(s);
  fclose(out);
  fclose(cert);
  json_t *j = json_loads(cbuf, 0, NULL);
  assert_non_null(j);
  free(buf);
  free(cbuf);
  return j;
}

static size_t problems(const json_t *cert) {
  thbx_stats_verdict_t v;
  thbx_error_t err;
  assert_int_equal(thbx_stats_verify(cert, &v, &err), THBX_OK);
  size_t n = json_array_size(v.problems);
  json_decref(v.problems);
  return n;
}

static void certificate_checked(void **state) {
  (void)state;
  const char *recs[64];
  size_t n = 0;
  /* r1: c1 x2, c2 x9; r2: c1 x8, c2 x7 */
  const struct {
    const char *rec;
    int times;
  } plan[] = {{"{\"r\":\"r1\",\"c\":\"c1\"}", 2},
              {"{\"r\":\"r1\",\"c\":\"c2\"}", 9},
              {"{\"r\":\"r2\",\"c\":\"c1\"}", 8},
              {"{\"r\":\"r2\",\"c\":\"c2\"}", 7}};
  for (size_t i = 0; i < 4; i++)
    for (int k = 0; k < plan[i].times; k++)
      recs[n++] = plan[i].rec;
  json_t *cert = certificate_of(recs, n);
  assert_int_equal(problems(cert), 0);
  /* tampering: a published count, a witness's delta, a dropped witness */
  json_t *bad = json_deep_copy(cert);
  json_t *counts = json_object_get(bad, "counts");
  json_array_set_new(counts, 8, json_integer(json_integer_value(json_array_get(counts, 8)) + 1));
  assert_true(problems(bad) > 0);
  json_decref(bad);
  bad = json_deep_copy(cert);
  json_t *delta = json_object_get(
      json_object_get(json_array_get(json_object_get(bad, "protection"), 0), "up"), "delta");
  json_array_set_new(delta, 0, json_integer(json_integer_value(json_array_get(delta, 0)) + 1));
  assert_true(problems(bad) > 0);
  json_decref(bad);
  bad = json_deep_copy(cert);
  json_object_del(json_array_get(json_object_get(bad, "protection"), 0), "down");
  assert_true(problems(bad) > 0);
  json_decref(bad);
  bad = json_deep_copy(cert);
  json_array_clear(json_object_get(bad, "protection"));
  assert_true(problems(bad) > 0);
  json_decref(bad);
  /* not a certificate at all */
  json_t *other = json_loads("{\"a\":1}", 0, NULL);
  assert_true(problems(other) > 0);
  json_decref(other);
  json_decref(cert);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_small_cells_in_one_row),
      cmocka_unit_test(rectangle),
      cmocka_unit_test(no_margins_and_k1),
      cmocka_unit_test(random_3d),
      cmocka_unit_test(sink_counts),
      cmocka_unit_test(sink_distinct_and_dates),
      cmocka_unit_test(sink_suppresses),
      cmocka_unit_test(options_refused),
      cmocka_unit_test(certificate_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
