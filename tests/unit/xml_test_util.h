/*
 * xml_test_util.h - helpers for the XML reader/writer tests: run the reader
 * over a string and keep what it returned, write records into a string.
 */
#ifndef XML_TEST_UTIL_H
#define XML_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "writer.h"

#define XT_MAX 64

/* What one run of the reader gave, call by call. */
struct xt_run {
  int n;                 /* calls made (including the final EOF / fatal) */
  int rc[XT_MAX];        /* status of each call */
  json_t *value[XT_MAX]; /* the record (owned), NULL if none */
  thbx_error_t err[XT_MAX];
  long line[XT_MAX], column[XT_MAX], index[XT_MAX];
  char *raw[XT_MAX]; /* raw bytes of the record, NUL-terminated, or NULL */
  size_t nxsd[XT_MAX];
  thbx_error_t xsd[XT_MAX][4]; /* the first XSD errors of each call */
  int records, errors;         /* OK calls; EPARSE/ELIMIT calls */
  int last;                    /* status that ended the run */
  int nwarn;                   /* the reader's warnings */
  thbx_error_t warn[4];        /* the first of them */
};

static inline void xt_warning(void *ctx, const thbx_error_t *w) {
  struct xt_run *t = ctx;
  if (t->nwarn < 4)
    t->warn[t->nwarn] = *w;
  t->nwarn++;
}

static inline void xt_free(struct xt_run *t) {
  for (int i = 0; i < t->n; i++) {
    json_decref(t->value[i]);
    free(t->raw[i]);
  }
  memset(t, 0, sizeof(*t));
}

/* Read `len` bytes of `doc` as XML. Returns the status of opening. */
static inline int xt_read_opts(const char *doc, size_t len, const thbx_reader_options_t *opt,
                               struct xt_run *t) {
  memset(t, 0, sizeof(*t));
  FILE *in = len ? fmemopen((void *)doc, len, "rb") : fopen("/dev/null", "rb");
  if (!in)
    return -1;
  thbx_reader_options_t o = *opt;
  o.format = THBX_FORMAT_XML;
  if (!o.warning) {
    o.warning = xt_warning;
    o.warning_ctx = t;
  }
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  int rc = thbx_reader_open(&r, in, "test.xml", &o, &err);
  if (rc != THBX_OK) {
    t->err[0] = err;
    fclose(in);
    return rc;
  }
  for (;;) {
    if (t->n == XT_MAX) {
      t->last = -1;
      break;
    }
    int i = t->n++;
    thbx_record_t rec;
    rc = thbx_reader_next(r, &rec, &t->err[i]);
    t->rc[i] = rc;
    t->value[i] = rc == THBX_OK ? rec.value : NULL;
    t->line[i] = rec.line;
    t->column[i] = rec.column;
    t->index[i] = rec.index;
    size_t rl;
    const char *raw = thbx_reader_raw(r, &rl);
    if (raw) {
      t->raw[i] = malloc(rl + 1);
      memcpy(t->raw[i], raw, rl);
      t->raw[i][rl] = '\0';
    }
    const thbx_error_t *xe;
    size_t nx;
    thbx_reader_xsd_errors(r, &xe, &nx);
    t->nxsd[i] = nx;
    for (size_t k = 0; k < nx && k < 4; k++)
      t->xsd[i][k] = xe[k];
    if (rc == THBX_OK)
      t->records++;
    else if (rc == THBX_EPARSE || rc == THBX_ELIMIT)
      t->errors++;
    else {
      t->last = rc;
      break;
    }
  }
  thbx_reader_free(r);
  fclose(in);
  return THBX_OK;
}

static inline int xt_read(const char *doc, const thbx_profile_t *profile, struct xt_run *t) {
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.profile = profile;
  return xt_read_opts(doc, strlen(doc), &o, t);
}

/* Every record of an XML document into an array (new reference); the count
 * of per-record errors in *errors, the final status in *last. */
static inline json_t *xt_read_all(const char *doc, const thbx_profile_t *profile, int *errors,
                                  int *last) {
  json_t *out = json_array();
  size_t len = strlen(doc);
  FILE *in = len ? fmemopen((void *)doc, len, "rb") : fopen("/dev/null", "rb");
  thbx_reader_options_t o;
  thbx_reader_options_default(&o);
  o.format = THBX_FORMAT_XML;
  o.profile = profile;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  *errors = 0;
  *last = thbx_reader_open(&r, in, "test.xml", &o, &err);
  while (*last == THBX_OK) {
    thbx_record_t rec;
    int rc = thbx_reader_next(r, &rec, &err);
    if (rc == THBX_OK)
      json_array_append_new(out, rec.value);
    else if (rc == THBX_EPARSE || rc == THBX_ELIMIT)
      (*errors)++;
    else
      *last = rc;
  }
  thbx_reader_free(r);
  fclose(in);
  return out;
}

/* Compact JSON text of a value (static buffer, for assertions). */
static inline const char *xt_json(const json_t *v) {
  static char buf[8192];
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
  free(s);
  return buf;
}

/* Write records (an array) as XML into a malloc'ed string; *bad counts the
 * records refused (their error in *last_err). */
static inline char *xt_write(const json_t *records, const thbx_profile_t *profile, int compact,
                             int *bad, thbx_error_t *last_err) {
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = open_memstream(&out, &outlen);
  thbx_writer_options_t o;
  thbx_writer_options_default(&o);
  o.format = THBX_FORMAT_XML;
  o.profile = profile;
  o.compact = compact;
  thbx_writer_t *w = NULL;
  thbx_error_t err;
  *bad = 0;
  if (thbx_writer_open(&w, f, &o, &err) != THBX_OK) {
    fclose(f);
    free(out);
    return NULL;
  }
  size_t i;
  const json_t *rec;
  json_array_foreach(records, i, rec) {
    if (thbx_writer_write(w, rec, &err) != THBX_OK) {
      (*bad)++;
      if (last_err)
        *last_err = err;
    }
  }
  thbx_writer_finish(w, &err);
  thbx_writer_free(w);
  fclose(f);
  return out;
}

#endif
