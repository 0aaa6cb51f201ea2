/*
 * report_chunk.c - the "chunk" report: a run over one chunk of a split
 * dataset (GNU parallel, xargs -P, Spark, Hadoop Streaming) recorded call
 * by call, one JSON object per line, so that thbx_report_merge_*()
 * (report_merge.c) can replay every chunk into one report of any format,
 * with the verdict and counts of a single run:
 *   {"thbx_chunk": 1, "thbx": VERSION, "dataset_rules": bool}
 *   {"file": SOURCE}                                    file_begin
 *   {"record": {...} | null, "issues": [{...}, ...]}    add (every issue,
 *                                                       the record's id
 *                                                       with its place,
 *                                                       with its value and
 *                                                       hint unless --redact,
 *                                                       --max-errors and
 *                                                       --quiet apply at
 *                                                       the merge)
 *   {"end": SOURCE}                                     file_end
 *   {"input": SOURCE, "lines": N, "header_lines": H, "complete": bool}
 *                                                       thbx_report_input_end
 *   {"summary": {...}}                                  finish (a chunk
 *                                                       without it is torn)
 * Every record is listed, valid ones too: the merge needs each record_id
 * to apply unique-record-id across chunks.
 */
#include "report.h"

#include <stdlib.h>

static int put(struct thbx_report *r, json_t *o, thbx_error_t *err) {
  if (!o)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  int rc = json_dumpf(o, r->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
  json_decref(o);
  if (rc != 0 || fputc('\n', r->out) == EOF)
    return thbx_error_set(err, THBX_EIO, "cannot write the chunk report");
  return THBX_OK;
}

/* A string that may not be valid UTF-8 (a message quoting broken input). */
static json_t *text(const char *s) {
  json_t *j = json_string(s ? s : "");
  return j ? j : json_string("(not valid UTF-8)");
}

static int chunk_open(struct thbx_report *r, thbx_error_t *err) {
  return put(r,
             json_pack("{s:i, s:s, s:b}", "thbx_chunk", 1, "thbx", THBX_VERSION, "dataset_rules",
                       r->options.dataset_rules),
             err);
}

static int chunk_file_begin(struct thbx_report *r, const char *source, thbx_error_t *err) {
  return put(r, json_pack("{s:o}", "file", text(source)), err);
}

/* `redact`: the run was --redact: no value or hint reaches the chunk either. */
static json_t *issue_object(const thbx_issue_t *is, int redact) {
  json_t *o =
      json_pack("{s:s, s:o, s:I, s:I, s:o, s:o, s:o}", "kind", thbx_issue_kind_name(is->kind),
                "rule", text(is->rule), "line", (json_int_t)is->line, "column",
                (json_int_t)is->column, "instance_path", text(is->instance_path), "schema_path",
                text(is->schema_path), "message", text(is->message));
  if (!o)
    return NULL;
  if (is->source && json_object_set_new(o, "file", text(is->source)) != 0)
    goto fail;
  if (!redact && is->value && json_object_set_new(o, "value", text(is->value)) != 0)
    goto fail;
  if (!redact && is->hint && json_object_set_new(o, "hint", text(is->hint)) != 0)
    goto fail;
  if (is->related_source &&
      json_object_set_new(o, "related",
                          json_pack("{s:o, s:I, s:I}", "file", text(is->related_source), "line",
                                    (json_int_t)is->related_line, "column",
                                    (json_int_t)is->related_column)) != 0)
    goto fail;
  return o;
fail:
  json_decref(o);
  return NULL;
}

/* Printable ASCII without '"' and '\\': JSON text as it is. */
static int plain(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"' || *s == '\\')
      return 0;
  return 1;
}

static int chunk_add(struct thbx_report *r, const thbx_report_record_t *rec,
                     const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  (void)shown;
  if (count == 0 && rec && rec->source && plain(rec->source) &&
      (!rec->record_id || plain(rec->record_id))) {
    /* most records: valid, plain names. The same bytes jansson writes
     * (report_merge.c reads this shape without a JSON parser) */
    char at[64] = "";
    if (rec->id_line > 0)
      snprintf(at, sizeof(at), ",\"id_line\":%ld,\"id_column\":%ld", rec->id_line, rec->id_column);
    int n = fprintf(r->out,
                    "{\"record\":{\"file\":\"%s\",\"line\":%ld,\"column\":%ld,\"index\":%ld,"
                    "\"id\":%s%s%s%s,\"unreadable\":%s},\"issues\":[]}\n",
                    rec->source, rec->line, rec->column, rec->index, rec->record_id ? "\"" : "",
                    rec->record_id ? rec->record_id : "null", rec->record_id ? "\"" : "", at,
                    rec->unreadable ? "true" : "false");
    return n < 0 ? thbx_error_set(err, THBX_EIO, "cannot write the chunk report") : THBX_OK;
  }
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++)
    if (json_array_append_new(list, issue_object(&issues[i], r->options.redact)) != 0) {
      json_decref(list);
      list = NULL;
    }
  json_t *record = json_null();
  if (rec) {
    record = json_pack(
        "{s:o, s:I, s:I, s:I, s:o, s:b}", "file", text(rec->source), "line", (json_int_t)rec->line,
        "column", (json_int_t)rec->column, "index", (json_int_t)rec->index, "id",
        rec->record_id ? text(rec->record_id) : json_null(), "unreadable", rec->unreadable);
    if (record && rec->id_line > 0 &&
        (json_object_set_new(record, "id_line", json_integer(rec->id_line)) != 0 ||
         json_object_set_new(record, "id_column", json_integer(rec->id_column)) != 0)) {
      json_decref(record);
      record = NULL;
    }
  }
  if (!list || !record) {
    json_decref(list);
    json_decref(record);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return put(r, json_pack("{s:o, s:o}", "record", record, "issues", list), err);
}

static int chunk_file_end(struct thbx_report *r, thbx_error_t *err) {
  return put(r, json_pack("{s:o}", "end", text(r->file_source)), err);
}

static int chunk_input_end(struct thbx_report *r, const char *source, long lines, int header_lines,
                           int complete, thbx_error_t *err) {
  return put(r,
             json_pack("{s:o, s:I, s:i, s:b}", "input", text(source), "lines", (json_int_t)lines,
                       "header_lines", header_lines, "complete", complete),
             err);
}

static int chunk_finish(struct thbx_report *r, thbx_error_t *err) {
  const thbx_report_summary_t *s = &r->total;
  return put(r,
             json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "summary", "files",
                       (json_int_t)s->files, "records", (json_int_t)s->records, "valid",
                       (json_int_t)s->valid, "invalid", (json_int_t)s->invalid, "unreadable",
                       (json_int_t)s->unreadable, "errors", (json_int_t)s->errors),
             err);
}

const struct report_ops report_chunk_ops = {.open = chunk_open,
                                            .file_begin = chunk_file_begin,
                                            .add = chunk_add,
                                            .file_end = chunk_file_end,
                                            .input_end = chunk_input_end,
                                            .finish = chunk_finish};
