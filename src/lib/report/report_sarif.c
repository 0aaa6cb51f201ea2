/*
 * report_sarif.c - a SARIF 2.1.0 log (the OASIS static analysis results
 * format that code scanning services import): one run of the tool "thbx",
 * one rule per schema keyword / dataset rule met, one result per error with
 * its physical location (artifact URI, start line and column) and the
 * instance path as logical location. Results are spooled so that the tool
 * and its rules can come first.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct sarif_state {
  report_spool_t spool;
  long written;
  char **rules; /* rule ids in order of first use */
  thbx_issue_kind *kinds;
  size_t nrules, caprules;
  thbx_buf_t text, uri, vis;
  const struct thbx_report *report;
  /* inputs that could not be read (to their end): the invocation did not
   * succeed, and each one is a toolExecutionNotification */
  json_t *notifications;
};

static int sarif_open(struct thbx_report *r, thbx_error_t *err) {
  struct sarif_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->text);
  thbx_buf_init(&st->uri);
  thbx_buf_init(&st->vis);
  st->report = r;
  st->notifications = json_array();
  r->state = st;
  if (!st->notifications)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return report_spool_open(&st->spool, err);
}

/* Index of the rule, added on first use; -1 when out of memory. */
static long rule_index(struct sarif_state *st, const char *id, thbx_issue_kind kind) {
  for (size_t i = 0; i < st->nrules; i++)
    if (strcmp(st->rules[i], id) == 0)
      return (long)i;
  if (st->nrules == st->caprules) {
    size_t cap = st->caprules ? st->caprules * 2 : 16;
    char **rules = realloc(st->rules, cap * sizeof(*rules));
    if (!rules)
      return -1;
    st->rules = rules;
    thbx_issue_kind *kinds = realloc(st->kinds, cap * sizeof(*kinds));
    if (!kinds)
      return -1;
    st->kinds = kinds;
    st->caprules = cap;
  }
  char *copy = strdup(id);
  if (!copy)
    return -1;
  st->rules[st->nrules] = copy;
  st->kinds[st->nrules] = kind;
  return (long)st->nrules++;
}

/* A relative URI reference for a file name: percent-encode all but
 * unreserved characters and '/'. */
static const char *file_uri(thbx_buf_t *b, const char *path) {
  static const char hex[] = "0123456789ABCDEF";
  thbx_buf_reset(b);
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        strchr("-._~/", *p)) {
      thbx_buf_putc(b, (char)*p);
    } else {
      thbx_buf_putc(b, '%');
      thbx_buf_putc(b, hex[*p >> 4]);
      thbx_buf_putc(b, hex[*p & 15]);
    }
  }
  return b->data ? b->data : "";
}

static json_t *physical_location(thbx_buf_t *uri, const char *file, long line, long column) {
  json_t *region = NULL;
  if (line > 0) {
    region = json_pack("{s:I}", "startLine", (json_int_t)line);
    if (region && column > 0)
      json_object_set_new(region, "startColumn", json_integer(column));
  }
  json_t *loc = json_pack("{s:{s:s}}", "artifactLocation", "uri", file_uri(uri, file));
  if (loc && region)
    json_object_set_new(loc, "region", region);
  else
    json_decref(region);
  return loc;
}

static json_t *result_object(struct sarif_state *st, const thbx_report_record_t *rec,
                             const thbx_issue_t *is, const char *file, long index) {
  const char *rule = is->rule && *is->rule ? is->rule : thbx_issue_kind_name(is->kind);
  if (report_message(&st->text, st->report, rec, is) != THBX_OK)
    return NULL;
  json_t *res = json_pack("{s:s,s:I,s:s,s:{s:s}}", "ruleId", rule, "ruleIndex", (json_int_t)index,
                          "level", "error", "message", "text", st->text.data);
  if (!res)
    return NULL;
  json_t *loc = json_object();
  json_t *phys = physical_location(&st->uri, is->source ? is->source : file, is->line, is->column);
  json_object_set_new(loc, "physicalLocation", phys);
  if (is->instance_path && is->instance_path[0])
    json_object_set_new(loc, "logicalLocations",
                        json_pack("[{s:s,s:s}]", "fullyQualifiedName",
                                  report_visible(&st->vis, is->instance_path), "kind", "member"));
  json_object_set_new(res, "locations", json_pack("[o]", loc));
  if (is->related_source) {
    json_t *rel = json_object();
    json_object_set_new(rel, "id", json_integer(1));
    json_object_set_new(
        rel, "physicalLocation",
        physical_location(&st->uri, is->related_source, is->related_line, is->related_column));
    json_object_set_new(rel, "message", json_pack("{s:s}", "text", "first occurrence"));
    json_object_set_new(res, "relatedLocations", json_pack("[o]", rel));
  }
  json_t *props = json_object();
  json_object_set_new(props, "kind", json_string(thbx_issue_kind_name(is->kind)));
  if (is->schema_path && is->schema_path[0])
    json_object_set_new(props, "schemaPath", json_string(is->schema_path));
  if (rec) {
    json_object_set_new(props, "recordIndex", json_integer(rec->index));
    if (rec->record_id)
      json_object_set_new(props, "recordId", json_string(report_visible(&st->vis, rec->record_id)));
  }
  if (is->value && !st->report->options.redact)
    json_object_set_new(props, "value", report_value_json(is->value));
  if (is->hint && !st->report->options.redact)
    json_object_set_new(props, "hint", json_string(report_visible(&st->vis, is->hint)));
  json_object_set_new(res, "properties", props);
  return res;
}

/* An input that cannot be read (to its end): a toolExecutionNotification,
 * whatever --max-errors and --quiet say (the run did not do its job). */
static int notify(struct sarif_state *st, const thbx_issue_t *is, const char *file) {
  if (report_message(&st->text, st->report, NULL, is) != THBX_OK)
    return -1;
  json_t *n = json_pack("{s:s,s:{s:s},s:{s:s}}", "level", "error", "message", "text", st->text.data,
                        "descriptor", "id", "unreadable");
  if (!n)
    return -1;
  json_t *phys = physical_location(&st->uri, is->source ? is->source : file, is->line, is->column);
  if (phys)
    json_object_set_new(n, "locations", json_pack("[{s:o}]", "physicalLocation", phys));
  return json_array_append_new(st->notifications, n);
}

static int sarif_add(struct thbx_report *r, const thbx_report_record_t *record,
                     const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct sarif_state *st = r->state;
  for (size_t i = 0; !record && i < count; i++)
    if (issues[i].kind == THBX_ISSUE_UNREADABLE && notify(st, &issues[i], r->file_source) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < shown; i++) {
    const thbx_issue_t *is = &issues[i];
    long index =
        rule_index(st, is->rule && *is->rule ? is->rule : thbx_issue_kind_name(is->kind), is->kind);
    if (index < 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    json_t *res = result_object(st, record, is, r->file_source, index);
    if (!res) { /* invalid UTF-8 in a message or name: still report the place */
      thbx_issue_t copy = *is;
      copy.message = "(message is not valid UTF-8)";
      copy.instance_path = "";
      copy.related_source = NULL;
      copy.value = copy.hint = NULL;
      thbx_report_record_t rec = {0};
      if (record) {
        rec = *record;
        rec.record_id = NULL;
      }
      res = result_object(st, record ? &rec : NULL, &copy, r->file_source, index);
    }
    if (!res)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    fputs(st->written++ ? ",\n        " : "\n        ", st->spool.fp);
    int rc = report_json_dump(res, st->spool.fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(res);
    if (rc != 0)
      return thbx_error_set(err, THBX_EIO, "cannot write the report");
  }
  return THBX_OK;
}

static const char *rule_description(thbx_issue_kind kind) {
  switch (kind) {
  case THBX_ISSUE_SCHEMA: return "JSON Schema keyword";
  case THBX_ISSUE_XSD: return "XML Schema of the profile";
  case THBX_ISSUE_UNREADABLE: return "the record cannot be read or converted";
  case THBX_ISSUE_DATASET: return "dataset rule of thbx validate";
  }
  return "rule";
}

static int sarif_finish(struct thbx_report *r, thbx_error_t *err) {
  struct sarif_state *st = r->state;
  json_t *rules = json_array();
  if (!rules)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < st->nrules; i++) {
    thbx_buf_reset(&st->text);
    thbx_buf_printf(&st->text, "%s: %s", rule_description(st->kinds[i]), st->rules[i]);
    json_array_append_new(rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s}}", "id", st->rules[i], "name",
                                           st->rules[i], "shortDescription", "text",
                                           st->text.data ? st->text.data : "", "properties", "kind",
                                           thbx_issue_kind_name(st->kinds[i])));
  }
  char *rules_text = json_dumps(rules, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(rules);
  if (!rules_text)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  /* indent the rules array to sit inside the driver */
  fputs("{\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
        "        \"driver\": {\n          \"name\": \"thbx\",\n",
        r->out);
  fprintf(r->out, "          \"version\": \"%s\",\n          \"rules\": ", thbx_version());
  for (const char *p = rules_text; *p; p++) {
    fputc(*p, r->out);
    if (*p == '\n')
      fputs("          ", r->out);
  }
  free(rules_text);
  const thbx_report_summary_t *s = &r->total;
  size_t nnotes = json_array_size(st->notifications);
  fprintf(r->out,
          "\n        }\n      },\n"
          "      \"invocations\": [{\"executionSuccessful\": %s, ",
          nnotes ? "false" : "true");
  if (nnotes) {
    fputs("\"toolExecutionNotifications\": ", r->out);
    if (report_json_dump(st->notifications, r->out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
      return thbx_error_set(err, THBX_EIO, "cannot write the report");
    fputs(", ", r->out);
  }
  fprintf(r->out,
          "\"properties\": "
          "{\"files\": %ld, \"records\": %ld, \"valid\": %ld, \"invalid\": %ld, "
          "\"unreadable\": %ld, \"errors\": %ld, \"reported\": %ld, \"unreadableInputs\": %zu, "
          "\"redacted\": %s}}],\n"
          "      \"results\": [",
          s->files, s->records, s->valid, s->invalid, s->unreadable, s->errors, s->reported, nnotes,
          r->options.redact ? "true" : "false");
  int rc = report_spool_drain(&st->spool, r->out, err);
  if (rc != THBX_OK)
    return rc;
  fputs(st->written ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n", r->out);
  return THBX_OK;
}

static void sarif_free(struct thbx_report *r) {
  struct sarif_state *st = r->state;
  if (!st)
    return;
  report_spool_close(&st->spool);
  for (size_t i = 0; i < st->nrules; i++)
    free(st->rules[i]);
  free(st->rules);
  free(st->kinds);
  thbx_buf_free(&st->text);
  thbx_buf_free(&st->uri);
  thbx_buf_free(&st->vis);
  json_decref(st->notifications);
  free(st);
}

const struct report_ops report_sarif_ops = {
    .open = sarif_open, .add = sarif_add, .finish = sarif_finish, .free = sarif_free};
