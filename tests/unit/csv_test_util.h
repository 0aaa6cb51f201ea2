/*
 * csv_test_util.h - reading a CSV text through the public reader into a
 * list of outcomes (records or errors), for the CSV unit tests.
 */
#ifndef CSV_TEST_UTIL_H
#define CSV_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thbx.h"

#define CSV_MAX_OUTCOMES 64

struct outcome {
  int status;        /* THBX_OK, THBX_EPARSE, THBX_EFATAL... */
  json_t *value;     /* OK: the record */
  long line, column; /* OK: record's; else the error's */
  long index;
  char text[THBX_ERROR_TEXT_LENGTH];
  char raw[256]; /* raw bytes (truncated) */
  size_t raw_len;
};

struct outcomes {
  struct outcome o[CSV_MAX_OUTCOMES];
  size_t n;
  int open_status;
  char header[256];
  size_t header_len;
};

/* Read `len` bytes of `text` (CSV) with the given profile (NULL: generic)
 * and options (NULL: defaults); stops at EOF or a fatal error. */
static inline void csv_read(struct outcomes *out, const char *text, size_t len,
                            const thbx_profile_t *profile, const thbx_reader_options_t *options) {
  memset(out, 0, sizeof(*out));
  thbx_reader_options_t opt;
  if (options)
    opt = *options;
  else
    thbx_reader_options_default(&opt);
  opt.format = THBX_FORMAT_CSV;
  opt.profile = profile;
  FILE *fp = fmemopen((void *)text, len, "rb");
  if (!fp && len == 0)
    fp = fopen("/dev/null", "rb");
  if (!fp) {
    out->open_status = -1;
    return;
  }
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  out->open_status = thbx_reader_open(&r, fp, "t.csv", &opt, &err);
  if (out->open_status != THBX_OK) {
    fclose(fp);
    return;
  }
  while (out->n < CSV_MAX_OUTCOMES) {
    thbx_record_t rec;
    int rc = thbx_reader_next(r, &rec, &err);
    if (rc == THBX_EOF)
      break;
    struct outcome *o = &out->o[out->n++];
    o->status = rc;
    const thbx_error_t *cells = NULL;
    size_t ncells = 0;
    if (rc == THBX_OK && thbx_reader_cell_errors(r, &cells, &ncells) == THBX_OK && ncells) {
      /* cells not of their type (issue 12): the record comes back with them
       * as strings and a cell error each; an outcome per bad cell here, as
       * a converter reports them */
      json_decref(rec.value);
      for (size_t i = 0; i < ncells; i++) {
        if (i > 0) {
          if (out->n >= CSV_MAX_OUTCOMES)
            break;
          o = &out->o[out->n++];
        }
        o->status = THBX_EPARSE;
        o->line = cells[i].line;
        o->column = cells[i].column;
        o->index = rec.index;
        /* the value as reports show it, before the message (issue 12) */
        const char *cv = thbx_reader_cell_value(r, i);
        char shown[128] = "";
        if (cv && thbx_display_value(shown, sizeof(shown) - 1, cv, 0) < sizeof(shown) - 1)
          strcat(shown, " ");
        snprintf(o->text, sizeof(o->text), "%s%s", shown, cells[i].text);
      }
    } else if (rc == THBX_OK) {
      o->value = rec.value;
      o->line = rec.line;
      o->column = rec.column;
      o->index = rec.index;
    } else {
      o->line = err.line;
      o->column = err.column;
      o->index = err.record_index;
      /* the value as reports show it, before the message (issue 12) */
      const char *value = thbx_reader_error_value(r);
      char shown[128] = "";
      if (value && thbx_display_value(shown, sizeof(shown) - 1, value, 0) < sizeof(shown) - 1)
        strcat(shown, " ");
      snprintf(o->text, sizeof(o->text), "%s%s", shown, err.text);
    }
    size_t n;
    const char *raw = thbx_reader_raw(r, &n);
    if (raw) {
      o->raw_len = n;
      memcpy(o->raw, raw, n < sizeof(o->raw) - 1 ? n : sizeof(o->raw) - 1);
    }
    if (rc != THBX_OK && rc != THBX_EPARSE)
      break;
  }
  size_t hn;
  const char *h = thbx_reader_header(r, &hn);
  if (h) {
    out->header_len = hn;
    memcpy(out->header, h, hn < sizeof(out->header) - 1 ? hn : sizeof(out->header) - 1);
  }
  thbx_reader_free(r);
  fclose(fp);
}

static inline void csv_outcomes_free(struct outcomes *out) {
  for (size_t i = 0; i < out->n; i++)
    json_decref(out->o[i].value);
  out->n = 0;
}

/* Is `value` equal to the JSON text `expected`? */
static inline int json_equals_text(const json_t *value, const char *expected) {
  json_error_t e;
  json_t *want = json_loads(expected, JSON_DECODE_ANY, &e);
  if (!want) {
    fprintf(stderr, "bad expected JSON: %s\n", expected);
    return 0;
  }
  int same = json_equal(value, want);
  if (!same) {
    char *got = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    fprintf(stderr, "got:  %s\nwant: %s\n", got ? got : "(null)", expected);
    free(got);
  }
  json_decref(want);
  return same;
}

/* Same, and the same key order at every level (json_equal ignores order). */
static inline int json_same_text(const json_t *value, const char *expected) {
  char *got = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  json_t *want = json_loads(expected, JSON_DECODE_ANY, NULL);
  char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  int same = got && w && strcmp(got, w) == 0;
  if (!same)
    fprintf(stderr, "got:  %s\nwant: %s\n", got ? got : "(null)", w ? w : expected);
  free(got);
  free(w);
  json_decref(want);
  return same;
}

#endif
