/*
 * sink_report.c - a validation report (thbx_report_t, report/) as a
 * pipeline sink: one report record per item with the item's issues, one
 * report file per input, and the issues of a whole input (it cannot be
 * opened, reading stopped). Several reports may hang off one pipeline
 * (validate --report FORMAT=FILE, repeatable): one pass, every report.
 * The report is borrowed: its owner finishes and frees it.
 */
#include "pipeline_internal.h"
#include "profile.h"

#include <stdlib.h>
#include <string.h>

struct report_sink {
  thbx_report_t *report;
  thbx_issue_t *issues;
  size_t cap;
};

static int rs_file_begin(void *state, const char *source, thbx_format f, thbx_error_t *err) {
  (void)f;
  struct report_sink *rs = state;
  return thbx_report_file_begin(rs->report, source, err);
}

static int rs_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                   thbx_error_t *err) {
  struct report_sink *rs = state;
  if (item->nissues > rs->cap) {
    size_t cap = item->nissues * 2;
    thbx_issue_t *is = realloc(rs->issues, cap * sizeof(*is));
    if (!is)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    rs->issues = is;
    rs->cap = cap;
  }
  for (size_t i = 0; i < item->nissues; i++) {
    const thbx_item_issue_t *s = &item->issues[i];
    thbx_issue_t *d = &rs->issues[i];
    memset(d, 0, sizeof(*d));
    d->kind = s->kind;
    d->rule = s->rule;
    d->source = item->source;
    d->line = s->line;
    d->column = s->column;
    d->instance_path = s->instance_path;
    d->schema_path = s->schema_path;
    d->message = s->message;
    d->related_source = s->related_source;
    d->related_line = s->related_line;
    d->related_column = s->related_column;
    d->value = s->value;
    d->hint = s->hint;
  }
  thbx_report_record_t rr = {0};
  rr.source = item->source;
  rr.line = item->line;
  rr.column = item->column;
  rr.index = item->index;
  rr.unreadable = item->unreadable;
  rr.record_id = item->unreadable ? NULL : thbx_item_record_id(p, item);
  /* a chunk report keeps where the id stands, for a merge to point a
   * duplicate there as one run does (dataset rules, validate/stages.c) */
  const char *idf = p->opt.profile ? p->opt.profile->rules.id_field : NULL;
  if (rr.record_id && idf && thbx_report_format_of(rs->report) == THBX_REPORT_CHUNK &&
      !thbx_item_locate(item, idf, &rr.id_line, &rr.id_column, NULL))
    rr.id_line = rr.id_column = 0;
  return thbx_report_add(rs->report, &rr, rs->issues, item->nissues, err);
}

static int rs_file_issue(void *state, const char *source, const thbx_error_t *e,
                         thbx_error_t *err) {
  struct report_sink *rs = state;
  thbx_issue_t is = {0};
  is.kind = THBX_ISSUE_UNREADABLE;
  is.rule = "unreadable";
  is.source = e->source[0] ? e->source : source;
  is.line = e->line;
  is.column = e->column;
  is.message = e->text[0] ? e->text : "input cannot be read";
  return thbx_report_add(rs->report, NULL, &is, 1, err);
}

/* A fault of the document rather than of a record: once, at its line. */
static int rs_document_issue(void *state, const char *source, const thbx_item_issue_t *s,
                             thbx_error_t *err) {
  struct report_sink *rs = state;
  thbx_issue_t is = {0};
  is.kind = s->kind;
  is.rule = s->rule;
  is.source = source;
  is.line = s->line;
  is.column = s->column;
  is.instance_path = s->instance_path;
  is.schema_path = s->schema_path;
  is.message = s->message;
  is.value = s->value;
  is.hint = s->hint;
  return thbx_report_add(rs->report, NULL, &is, 1, err);
}

static int rs_file_end(void *state, const char *source, thbx_error_t *err) {
  (void)source;
  struct report_sink *rs = state;
  return thbx_report_file_end(rs->report, err);
}

static void rs_free(void *state) {
  struct report_sink *rs = state;
  if (rs)
    free(rs->issues);
  free(rs);
}

int thbx_pipeline_add_report(thbx_pipeline_t *p, thbx_report_t *report, thbx_error_t *err) {
  if (!p || !report)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: no report given");
  struct report_sink *rs = calloc(1, sizeof(*rs));
  if (!rs)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  rs->report = report;
  thbx_sink_ops_t ops = {0};
  ops.name = "report";
  ops.file_begin = rs_file_begin;
  ops.item = rs_item;
  ops.file_issue = rs_file_issue;
  ops.document_issue = rs_document_issue;
  ops.file_end = rs_file_end;
  ops.free = rs_free;
  return thbx_pipeline_add_sink(p, &ops, rs, err);
}
