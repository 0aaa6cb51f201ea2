/*
 * report_json.c - the JSON report:
 *   {"valid": bool, "summary": {...}, "errors": [{"file", "line", "column",
 *    "record_index", "record_id", "instance_path", "schema_path", "message",
 *    "kind", "rule", "value", "hint"}, ...]}
 * ("value" and "hint" only when the error has them and the report does not
 * redact). Strings from the input are made visible (report_visible) except
 * "value", the exact value as JSON; the file holds no raw control or
 * bidirectional character (report_json_dump).
 * Errors are spooled (one per line) until the totals are known, so that
 * "valid" and "summary" can come first.
 */
#include "report.h"

#include <stdlib.h>

struct json_state {
  report_spool_t spool;
  long written;
  thbx_buf_t vis;
};

static int json_open(struct thbx_report *r, thbx_error_t *err) {
  struct json_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  r->state = st;
  return report_spool_open(&st->spool, err);
}

static json_t *int_or_null(long v) { return v > 0 ? json_integer(v) : json_null(); }

/* s made visible, as a JSON string (NULL: out of memory or not UTF-8) */
static json_t *vis(struct json_state *st, const char *s) {
  const char *v = report_visible(&st->vis, s ? s : "");
  return v ? json_string(v) : NULL;
}

static json_t *vis_or_null(struct json_state *st, const char *s) {
  return s ? vis(st, s) : json_null();
}

static json_t *error_object(const struct thbx_report *r, const thbx_report_record_t *rec,
                            const thbx_issue_t *is, const char *file) {
  struct json_state *st = r->state;
  json_t *o = json_object();
  if (!o)
    return NULL;
  int rc = 0;
  rc |= json_object_set_new(o, "file", vis(st, is->source ? is->source : file));
  rc |= json_object_set_new(o, "line", int_or_null(is->line));
  rc |= json_object_set_new(o, "column", int_or_null(is->column));
  rc |= json_object_set_new(o, "record_index", rec ? json_integer(rec->index) : json_null());
  rc |= json_object_set_new(o, "record_id", vis_or_null(st, rec ? rec->record_id : NULL));
  rc |= json_object_set_new(o, "instance_path", vis(st, report_str(is->instance_path)));
  rc |= json_object_set_new(o, "schema_path", vis(st, report_str(is->schema_path)));
  rc |= json_object_set_new(o, "message", vis(st, report_str(is->message)));
  rc |= json_object_set_new(o, "kind", json_string(thbx_issue_kind_name(is->kind)));
  rc |= json_object_set_new(o, "rule", json_string(report_str(is->rule)));
  if (is->value && !r->options.redact)
    rc |= json_object_set_new(o, "value", report_value_json(is->value));
  if (is->hint && !r->options.redact)
    rc |= json_object_set_new(o, "hint", vis(st, is->hint));
  if (is->related_source) {
    json_t *rel = json_object();
    rc |= json_object_set_new(o, "related", rel);
    if (rel) {
      rc |= json_object_set_new(rel, "file", vis(st, is->related_source));
      rc |= json_object_set_new(rel, "line", int_or_null(is->related_line));
      rc |= json_object_set_new(rel, "column", int_or_null(is->related_column));
    }
  }
  if (rc) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static int json_add(struct thbx_report *r, const thbx_report_record_t *record,
                    const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct json_state *st = r->state;
  (void)count;
  for (size_t i = 0; i < shown; i++) {
    /* json_string() refuses invalid UTF-8; a message quoting a broken
     * input must still be reported, so fall back to a plain text */
    json_t *o = error_object(r, record, &issues[i], r->file_source);
    if (!o) {
      thbx_issue_t copy = issues[i];
      copy.message = "(message is not valid UTF-8)";
      copy.instance_path = "";
      copy.value = copy.hint = NULL;
      o = error_object(r, record, &copy, "(file name is not valid UTF-8)");
    }
    if (!o)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    fputs(st->written++ ? ",\n    " : "\n    ", st->spool.fp);
    int rc = report_json_dump(o, st->spool.fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (rc != 0)
      return thbx_error_set(err, THBX_EIO, "cannot write the report");
  }
  return THBX_OK;
}

static int json_finish(struct thbx_report *r, thbx_error_t *err) {
  struct json_state *st = r->state;
  const thbx_report_summary_t *s = &r->total;
  fprintf(r->out,
          "{\n  \"valid\": %s,\n  \"summary\": {\"files\": %ld, \"records\": %ld, \"valid\": %ld, "
          "\"invalid\": %ld, \"unreadable\": %ld, \"errors\": %ld, \"reported\": %ld},\n"
          "  \"errors\": [",
          s->invalid == 0 && s->errors == 0 ? "true" : "false", s->files, s->records, s->valid,
          s->invalid, s->unreadable, s->errors, s->reported);
  int rc = report_spool_drain(&st->spool, r->out, err);
  if (rc != THBX_OK)
    return rc;
  fputs(st->written ? "\n  ]\n}\n" : "]\n}\n", r->out);
  return THBX_OK;
}

static void json_free(struct thbx_report *r) {
  struct json_state *st = r->state;
  if (!st)
    return;
  report_spool_close(&st->spool);
  thbx_buf_free(&st->vis);
  free(st);
}

const struct report_ops report_json_ops = {
    .open = json_open, .add = json_add, .finish = json_finish, .free = json_free};
