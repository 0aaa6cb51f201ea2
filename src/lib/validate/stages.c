/*
 * stages.c - the validation stages of the pipeline:
 *   xsd          XML inputs checked against the profile's XSD (compiled once
 *                per process, xml/xsd_compile.c) record by record while
 *                they are read; the source attaches the errors to the item
 *   jsonschema   one compiled JSON Schema, stateless (any worker thread)
 *   dataset      the dataset rules (dataset_rules.c), ordered: they look
 *                across records in input order
 */
#include "stages.h"
#include "../pipeline/pipeline_internal.h"
#include "dataset_rules.h"
#include "issue_merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ xsd */

int thbx_pipeline_add_xsd(thbx_pipeline_t *p, thbx_error_t *err) {
  if (!p || p->started)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: the XSD stage cannot be added now");
  if (p->opt.profile && p->opt.profile->xsd) {
    /* compile now, so that a broken XSD is an error of the set-up */
    void *schema = NULL;
    int rc = profile_xsd_schema(p->opt.profile, &schema, err);
    if (rc != THBX_OK)
      return rc;
  }
  p->xsd = 1;
  return THBX_OK;
}

/* ------------------------------------------------------------ text */

/* Does s hold a C0 control character other than tab, line feed and carriage
 * return? Eight bytes at a time: a word with no byte below 0x20 (nearly
 * every word of real text) is passed over; only a word with one is looked
 * at byte by byte. A word with one of the bytes a string must not carry? Exact as a yes/no
 * ("some byte < 0x20": borrows only follow a true one), then byte by byte. */
static int word_has_control(const char *s) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t w;
  memcpy(&w, s, 8);
  if (((w - 0x20 * ones) & ~w & highs) == 0)
    return 0;
  for (size_t j = 0; j < 8; j++) {
    unsigned char c = (unsigned char)s[j];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return 1;
  }
  return 0;
}

int stages_text_has_control(const char *s, size_t n) {
  if (n < 8) {
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return 1;
    }
    return 0;
  }
  /* whole words, the last one overlapping the one before it */
  for (size_t i = 0; i + 8 < n; i += 8)
    if (word_has_control(s + i))
      return 1;
  return word_has_control(s + n - 8);
}

/* Is there any such string under v? The common answer (no) without building
 * a single path; bad_text below finds which one when there is. */
static int any_bad_text(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_STRING: return stages_text_has_control(json_string_value(v), json_string_length(v));
  case JSON_OBJECT:
    for (void *it = json_object_iter((json_t *)v); it;
         it = json_object_iter_next((json_t *)v, it)) {
      const json_t *m = json_object_iter_value(it);
      if ((json_is_string(m) || json_is_object(m) || json_is_array(m)) && any_bad_text(m))
        return 1;
    }
    return 0;
  case JSON_ARRAY: {
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
      if ((json_is_string(m) || json_is_object(m) || json_is_array(m)) && any_bad_text(m))
        return 1;
    }
    return 0;
  }
  default: return 0;
  }
}

/* The first string under v (depth first) with a C0 control character that
 * XML cannot carry; its pointer in path, the character in *bad. */
static const char *bad_text(const json_t *v, thbx_buf_t *path, unsigned char *bad) {
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        *bad = c;
        return s;
      }
    }
    return NULL;
  }
  size_t len = path->len;
  if (json_is_object(v)) {
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
      thbx_buf_pointer_append(path, k);
      if (bad_text(m, path, bad))
        return k;
      path->len = len;
      path->data[len] = '\0';
    }
  } else if (json_is_array(v)) {
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
      thbx_buf_printf(path, "/%zu", i);
      if (bad_text(m, path, bad))
        return "";
      path->len = len;
      path->data[len] = '\0';
    }
  }
  return NULL;
}

/* Could JSON text hold a string with such a character? In JSON a string
 * carries one only as the byte itself or as an escape (a backslash): text
 * with neither (the common case) cannot. Eight bytes at a time. */
int stages_json_may_carry_control(const char *s, size_t n) {
  if (memchr(s, '\\', n))
    return 1;
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (((w - 0x20 * ones) & ~w & highs) && stages_text_has_control(s + i, 8))
      return 1;
  }
  return stages_text_has_control(s + i, n - i);
}

static int text_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  (void)state;
  if (!item->value)
    return THBX_OK;
  /* a JSON or NDJSON record is the parse of its raw bytes (the reader's
   * UTF-8) unless a stage changed it (raw_stale): look at those first */
  if ((item->format == THBX_FORMAT_JSON || item->format == THBX_FORMAT_NDJSON) && item->raw &&
      !item->raw_stale && !stages_json_may_carry_control(item->raw, item->raw_length))
    return THBX_OK;
  if (!any_bad_text(item->value))
    return THBX_OK;
  thbx_buf_t path;
  thbx_buf_init(&path);
  if (thbx_buf_reserve(&path, 64) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  unsigned char c = 0;
  int rc = THBX_OK;
  int seen = 0; /* one fault, one error: the field has an issue already */
  if (bad_text(item->value, &path, &c))
    for (size_t i = 0; i < item->nissues && !seen; i++)
      seen = item->issues[i].instance_path && strcmp(item->issues[i].instance_path, path.data) == 0;
  if (c && !seen) {
    long line = item->line, column = item->column;
    thbx_item_locate(item, path.data, &line, &column, NULL);
    char msg[160];
    snprintf(msg, sizeof(msg),
             "control character U+%04X in a string: XML cannot carry it (only tab, line feed "
             "and carriage return)",
             c);
    if (pipeline_issue(item, THBX_ISSUE_SCHEMA, "text", line, column, path.data, "", msg) !=
        THBX_OK)
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_buf_free(&path);
  return rc;
}

int thbx_pipeline_add_text_check(thbx_pipeline_t *p, thbx_error_t *err) {
  thbx_stage_ops_t ops = {0};
  ops.name = "text";
  ops.kind = THBX_STAGE_STATELESS;
  ops.apply = text_apply;
  return thbx_pipeline_add_stage(p, &ops, NULL, err);
}

/* ------------------------------------------------------------ jsonschema */

static int js_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  const thbx_schema_t *schema = state;
  if (!item->value)
    return THBX_OK;
  thbx_validation_t res;
  memset(&res, 0, sizeof(res));
  /* the engine fills only text; clearing all 1.3 kB per record was 1% of
   * a run, so just the members read below are set */
  thbx_error_t verr;
  verr.text[0] = verr.instance_path[0] = verr.schema_path[0] = '\0';
  int rc = thbx_schema_validate(schema, item->value, &res, &verr);
  if (rc == THBX_ENOMEM) {
    thbx_validation_clear(&res);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (rc != THBX_OK) {
    /* validation itself failed (a limit): the record is not shown valid */
    thbx_validation_clear(&res);
    if (pipeline_issue(item, THBX_ISSUE_SCHEMA, rc == THBX_ELIMIT ? "limit" : "schema", item->line,
                       item->column, verr.instance_path, verr.schema_path,
                       verr.text[0] ? verr.text : thbx_strerror(rc)) != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return THBX_OK;
  }
  char msg[THBX_ERROR_TEXT_LENGTH];
  for (size_t j = 0; j < res.count; j++) {
    const thbx_validation_error_t *ve = &res.errors[j];
    const char *rule = ve->keyword && *ve->keyword ? ve->keyword : "schema";
    thbx_item_issue_t is = {0};
    is.kind = THBX_ISSUE_SCHEMA;
    is.rule = (char *)rule;
    /* at the field: its CSV cell (named by its column), JSON value, XML element */
    is.line = item->line;
    is.column = item->column;
    const char *field = NULL;
    is.instance_path = ve->instance_path ? ve->instance_path : "";
    is.schema_path = ve->keyword_location ? ve->keyword_location : "";
    is.message = ve->message ? ve->message : "invalid";
    if (ve->instance_path && *ve->instance_path &&
        thbx_item_locate(item, ve->instance_path, &is.line, &is.column, &field) && field &&
        item->format == THBX_FORMAT_CSV) {
      snprintf(msg, sizeof(msg), "%s (column \"%s\")", is.message, field);
      is.message = msg;
    }
    is.hint = ve->hint;
    /* the offending value (shown by reports unless redacted) */
    is.value = issue_value_at(item->value, is.instance_path, rule);
    int arc = thbx_item_add_issue(item, &is);
    free(is.value);
    if (arc != THBX_OK) {
      thbx_validation_clear(&res);
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
  }
  thbx_validation_clear(&res);
  return THBX_OK;
}

int thbx_pipeline_add_jsonschema(thbx_pipeline_t *p, const thbx_schema_t *schema,
                                 thbx_error_t *err) {
  if (!schema)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: no schema given");
  thbx_stage_ops_t ops = {0};
  ops.name = "jsonschema";
  ops.kind = THBX_STAGE_STATELESS;
  ops.apply = js_apply;
  return thbx_pipeline_add_stage(p, &ops, (void *)schema, err);
}

/* ------------------------------------------------------------ dataset rules */

struct dataset_stage {
  struct dataset_rules *rules;
  const char *id_field; /* the profile's (borrowed), NULL if none */
};

static int ds_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  struct dataset_stage *ds = state;
  if (!item->value)
    return THBX_OK;
  const dataset_issue_t *dis = NULL;
  size_t n = 0;
  /* where the id stands, kept for "first seen at" (a JSON record is
   * scanned up to its id field, the locator of a CSV or XML one looked up) */
  long id_line = item->line, id_column = item->column;
  if (ds->id_field)
    thbx_item_locate(item, ds->id_field, &id_line, &id_column, NULL);
  int rc =
      dataset_rules_check(ds->rules, item->value, item->source, id_line, id_column, &dis, &n, err);
  if (rc != THBX_OK)
    return rc;
  for (size_t i = 0; i < n; i++) {
    thbx_item_issue_t is = {0};
    is.kind = THBX_ISSUE_DATASET;
    is.rule = (char *)dis[i].rule;
    is.line = item->line;
    is.column = item->column;
    /* at the field, not the record's start */
    thbx_item_locate(item, dis[i].instance_path, &is.line, &is.column, NULL);
    is.message = (char *)dis[i].message;
    is.instance_path = (char *)dis[i].instance_path;
    is.related_source = (char *)dis[i].related_source;
    is.related_line = dis[i].related_line;
    is.related_column = dis[i].related_column;
    is.value = issue_value_at(item->value, dis[i].instance_path, dis[i].rule);
    int arc = thbx_item_add_issue(item, &is);
    free(is.value);
    if (arc != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return THBX_OK;
}

static void ds_free(void *state) {
  struct dataset_stage *ds = state;
  if (ds)
    dataset_rules_free(ds->rules);
  free(ds);
}

int thbx_pipeline_add_dataset_rules(thbx_pipeline_t *p, const char *today, thbx_error_t *err) {
  if (!p)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: none given");
  struct dataset_stage *ds = calloc(1, sizeof(*ds));
  if (!ds)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  const struct thbx_profile *profile = p->opt.profile;
  int rc = dataset_rules_new(&ds->rules, profile ? &profile->rules : NULL, today, err);
  ds->id_field = profile ? profile->rules.id_field : NULL;
  if (rc != THBX_OK) {
    free(ds);
    return rc;
  }
  thbx_stage_ops_t ops = {0};
  ops.name = "dataset";
  ops.kind = THBX_STAGE_ORDERED;
  ops.apply = ds_apply;
  ops.free = ds_free;
  return thbx_pipeline_add_stage(p, &ops, ds, err);
}
