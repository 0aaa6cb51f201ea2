/*
 * test_pipeline.c - the pipeline contract (include/thbx.h): stages and
 * sinks of one's own, input order for ordered stages and sinks with any
 * number of jobs, fail-fast, interrupts, a stage added after the writer
 * running before it, and the writer sink's unfinished document when a run
 * stops early.
 */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

/* 600 NDJSON lines; every 7th torn, every 11th has "bad": true */
static char *make_input(size_t *len) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  for (int i = 0; i < 600; i++) {
    if (i % 7 == 3)
      thbx_buf_printf(&b, "{\"n\": %d,\n", i);
    else
      thbx_buf_printf(&b, "{\"n\": %d, \"bad\": %s}\n", i, i % 11 == 5 ? "true" : "false");
  }
  *len = b.len;
  return b.data;
}

/* stateless: an issue for "bad", and a field added */
static int mark_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  (void)state;
  (void)err;
  if (!item->value)
    return THBX_OK;
  if (json_is_true(json_object_get(item->value, "bad")))
    return thbx_item_issuef(item, THBX_ISSUE_SCHEMA, "bad", "/bad", NULL, "bad is %s", "true");
  json_object_set_new(item->value, "seen", json_true());
  return THBX_OK;
}

/* ordered: sees seq 0, 1, 2, ... */
struct order {
  unsigned long long next;
  int wrong;
};

static int order_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  (void)err;
  struct order *o = state;
  if (item->seq != o->next)
    o->wrong = 1;
  o->next = item->seq + 1;
  return THBX_OK;
}

/* sink: a line per item */
static int log_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                    thbx_error_t *err) {
  (void)p;
  (void)err;
  thbx_buf_t *b = state;
  thbx_buf_printf(b, "%llu %ld:%ld %s %zu", item->seq, item->line, item->column,
                  item->unreadable ? "U" : "R", item->nissues);
  for (size_t i = 0; i < item->nissues; i++)
    thbx_buf_printf(b, " [%s %s]", item->issues[i].rule, item->issues[i].message);
  thbx_buf_putc(b, '\n');
  return THBX_OK;
}

static char *run(int jobs, int fail_fast, thbx_pipeline_stats_t *stats, int *order_wrong) {
  size_t len;
  char *input = make_input(&len);
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  po.jobs = jobs;
  po.fail_fast = fail_fast;
  thbx_pipeline_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pipeline_new(&p, &po, &err), THBX_OK);
  thbx_stage_ops_t mark = {"mark", THBX_STAGE_STATELESS, 0, mark_apply, NULL, NULL};
  struct order order = {0, 0};
  thbx_stage_ops_t ord = {"order", THBX_STAGE_ORDERED, 0, order_apply, NULL, NULL};
  thbx_buf_t log;
  thbx_buf_init(&log);
  thbx_buf_append(&log, "", 0);
  thbx_sink_ops_t sink = {0};
  sink.name = "log";
  sink.item = log_item;
  assert_int_equal(thbx_pipeline_add_stage(p, &mark, NULL, &err), THBX_OK);
  assert_int_equal(thbx_pipeline_add_stage(p, &ord, &order, &err), THBX_OK);
  assert_int_equal(thbx_pipeline_add_sink(p, &sink, &log, &err), THBX_OK);
  for (int k = 0; k < 2; k++) { /* two inputs: seq goes on across them */
    FILE *in = fmemopen(input, len, "rb");
    assert_int_equal(
        thbx_pipeline_run(p, in, k ? "b.ndjson" : "a.ndjson", THBX_FORMAT_NDJSON, &err), THBX_OK);
    fclose(in);
  }
  assert_int_equal(thbx_pipeline_finish(p, 1, &err), THBX_OK);
  thbx_pipeline_get_stats(p, stats);
  *order_wrong = order.wrong;
  thbx_pipeline_free(p);
  free(input);
  return log.data;
}

static void same_for_every_jobs(void **state) {
  (void)state;
  thbx_pipeline_stats_t s1, sn;
  int wrong = 0;
  char *one = run(1, 0, &s1, &wrong);
  assert_false(wrong);
  assert_int_equal(s1.records, 1200);
  assert_int_equal(s1.files, 2);
  assert_true(s1.unreadable > 100 && s1.rejected > s1.unreadable);
  for (int jobs = 2; jobs <= 5; jobs += 3) {
    char *many = run(jobs, 0, &sn, &wrong);
    assert_false(wrong);
    assert_string_equal(one, many);
    assert_memory_equal(&s1, &sn, sizeof(s1));
    free(many);
  }
  free(one);
}

static void fail_fast_stops_at_the_same_item(void **state) {
  (void)state;
  thbx_pipeline_stats_t s1, s4;
  int wrong = 0;
  char *one = run(1, 1, &s1, &wrong);
  char *four = run(4, 1, &s4, &wrong);
  assert_string_equal(one, four);
  assert_int_equal(s1.records, 4); /* lines 1-3 good, the 4th torn */
  assert_int_equal(s1.rejected, 1);
  free(one);
  free(four);
}

static int set_flag(void *state, thbx_item_t *item, thbx_error_t *err) {
  (void)item;
  (void)err;
  *(volatile int *)state = 1;
  return THBX_OK;
}

static void interrupted(void **state) {
  (void)state;
  size_t len;
  char *input = make_input(&len);
  volatile int flag = 0;
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  po.interrupted = &flag;
  thbx_pipeline_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pipeline_new(&p, &po, &err), THBX_OK);
  thbx_stage_ops_t st = {"flag", THBX_STAGE_ORDERED, 0, set_flag, NULL, NULL};
  assert_int_equal(thbx_pipeline_add_stage(p, &st, (void *)&flag, &err), THBX_OK);
  FILE *in = fmemopen(input, len, "rb");
  assert_int_equal(thbx_pipeline_run(p, in, "a", THBX_FORMAT_NDJSON, &err), THBX_EINTR);
  fclose(in);
  thbx_pipeline_stats_t s;
  thbx_pipeline_get_stats(p, &s);
  assert_int_equal(s.records, 1);
  thbx_pipeline_free(p);
  free(input);
}

static int rename_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  (void)state;
  (void)err;
  if (item->value)
    json_object_set_new(item->value, "n", json_string("changed"));
  item->raw_stale = 1;
  return THBX_OK;
}

/* a stage added after the writer runs before it; a run stopped early
 * leaves the document unfinished */
static void writer_last(void **state) {
  (void)state;
  for (int complete = 0; complete < 2; complete++) {
    char *buf = NULL;
    size_t blen = 0;
    FILE *out = open_memstream(&buf, &blen);
    thbx_writer_options_t wo;
    thbx_writer_options_default(&wo);
    wo.format = THBX_FORMAT_JSON;
    wo.compact = 1;
    thbx_writer_t *w = NULL;
    thbx_error_t err;
    assert_int_equal(thbx_writer_open(&w, out, &wo, &err), THBX_OK);
    thbx_pipeline_options_t po;
    thbx_pipeline_options_default(&po);
    po.jobs = 3;
    thbx_pipeline_t *p = NULL;
    assert_int_equal(thbx_pipeline_new(&p, &po, &err), THBX_OK);
    assert_int_equal(thbx_pipeline_add_writer(p, w, &err), THBX_OK);
    thbx_stage_ops_t st = {"rename", THBX_STAGE_STATELESS, 0, rename_apply, NULL, NULL};
    assert_int_equal(thbx_pipeline_add_stage(p, &st, NULL, &err), THBX_OK);
    const char *text = "{\"n\":1}\n{\"n\":2}\n";
    FILE *in = fmemopen((void *)text, strlen(text), "rb");
    assert_int_equal(thbx_pipeline_run(p, in, "a", THBX_FORMAT_NDJSON, &err), THBX_OK);
    fclose(in);
    assert_int_equal(thbx_pipeline_finish(p, complete, &err), THBX_OK);
    thbx_pipeline_free(p);
    thbx_writer_free(w);
    fclose(out);
    assert_string_equal(buf, complete ? "[{\"n\":\"changed\"},{\"n\":\"changed\"}]\n"
                                      : "[{\"n\":\"changed\"},{\"n\":\"changed\"}");
    free(buf);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_for_every_jobs),
      cmocka_unit_test(fail_fast_stops_at_the_same_item),
      cmocka_unit_test(interrupted),
      cmocka_unit_test(writer_last),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
