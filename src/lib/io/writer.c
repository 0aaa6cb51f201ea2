/*
 * writer.c - opening a writer and driving one format's writer_<format>.c:
 * lazy prolog, one record at a time into w->out, flushed to the stream in
 * large writes (>= 64 KiB), epilogue at finish.
 */
#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT ((size_t)64 << 10)

static const struct writer_ops *ops_for(thbx_format f) {
  switch (f) {
  case THBX_FORMAT_JSON: return &writer_json_ops;
  case THBX_FORMAT_NDJSON: return &writer_ndjson_ops;
  case THBX_FORMAT_CSV: return &writer_csv_ops;
  case THBX_FORMAT_XML: return &writer_xml_ops;
  default: return NULL;
  }
}

int thbx_writer_open(thbx_writer_t **out, FILE *stream, const thbx_writer_options_t *options,
                     thbx_error_t *err) {
  if (!out || !stream)
    return thbx_error_set(err, THBX_EINVAL, "no writer or output stream given");
  *out = NULL;
  thbx_error_clear(err);
  struct thbx_writer *w = calloc(1, sizeof(*w));
  if (!w)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (options)
    w->opt = *options;
  else
    thbx_writer_options_default(&w->opt);
  if (!w->opt.delimiter)
    w->opt.delimiter = ',';
  if (!w->opt.list_separator)
    w->opt.list_separator = '|';
  w->stream = stream;
  w->profile = w->opt.profile;
  w->shape = w->profile ? w->profile->shape : NULL;
  thbx_buf_init(&w->out);
  w->ops = ops_for(w->opt.format);
  if (!w->ops) {
    free(w);
    return thbx_error_set(err, THBX_EINVAL, "writing %s is not supported in this build",
                          thbx_format_name(options ? options->format : THBX_FORMAT_AUTO));
  }
  if (thbx_buf_reserve(&w->out, FLUSH_AT * 2) != 0) {
    free(w);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (w->ops->open) {
    int rc = w->ops->open(w, err);
    if (rc != THBX_OK) {
      w->ops = NULL; /* open failed: nothing of the format to free */
      thbx_writer_free(w);
      return rc;
    }
  }
  *out = w;
  return THBX_OK;
}

static int flush(struct thbx_writer *w, thbx_error_t *err) {
  if (w->out.len == 0)
    return THBX_OK;
  if (fwrite(w->out.data, 1, w->out.len, w->stream) != w->out.len)
    return thbx_error_set(err, THBX_EIO, "write error: %s", strerror(errno));
  thbx_buf_reset(&w->out);
  return THBX_OK;
}

static int begin(struct thbx_writer *w, thbx_error_t *err) {
  if (w->begun)
    return THBX_OK;
  w->begun = 1;
  return w->ops->begin ? w->ops->begin(w, err) : THBX_OK;
}

int thbx_writer_write(thbx_writer_t *w, const json_t *record, thbx_error_t *err) {
  if (!w || !record)
    return thbx_error_set(err, THBX_EINVAL, "no writer or record given");
  thbx_error_clear(err);
  if (w->finished)
    return thbx_error_set(err, THBX_EINVAL, "the writer is finished");
  int rc = begin(w, err);
  if (rc != THBX_OK)
    return rc;
  size_t mark = w->out.len;
  rc = w->ops->write(w, record, err);
  if (rc != THBX_OK) {
    w->out.len = mark; /* nothing of a refused record is written */
    if (w->out.data)
      w->out.data[mark] = '\0';
    return rc;
  }
  w->count++;
  return w->out.len >= FLUSH_AT ? flush(w, err) : THBX_OK;
}

int thbx_writer_write_raw(thbx_writer_t *w, const char *data, size_t length, thbx_error_t *err) {
  if (!w || (!data && length))
    return thbx_error_set(err, THBX_EINVAL, "no writer or data given");
  thbx_error_clear(err);
  int rc = begin(w, err);
  if (rc != THBX_OK)
    return rc;
  if (w->ops->write_raw)
    rc = w->ops->write_raw(w, data, length, err);
  else if (thbx_buf_append(&w->out, data, length) != 0)
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (rc != THBX_OK)
    return rc;
  w->count++;
  return w->out.len >= FLUSH_AT ? flush(w, err) : THBX_OK;
}

int thbx_writer_finish(thbx_writer_t *w, thbx_error_t *err) {
  if (!w)
    return thbx_error_set(err, THBX_EINVAL, "no writer given");
  thbx_error_clear(err);
  if (w->finished)
    return THBX_OK;
  int rc = begin(w, err);
  if (rc == THBX_OK && w->ops->end)
    rc = w->ops->end(w, err);
  w->finished = 1;
  if (rc == THBX_OK)
    rc = flush(w, err);
  if (rc == THBX_OK && fflush(w->stream) != 0)
    rc = thbx_error_set(err, THBX_EIO, "write error: %s", strerror(errno));
  return rc;
}

int thbx_writer_flush(thbx_writer_t *w, thbx_error_t *err) {
  if (!w)
    return thbx_error_set(err, THBX_EINVAL, "no writer given");
  int rc = flush(w, err);
  if (rc == THBX_OK && fflush(w->stream) != 0)
    rc = thbx_error_set(err, THBX_EIO, "write error: %s", strerror(errno));
  return rc;
}

/* ------------------------------------------------ spelling apart (-j N) */

int writer_clone(const struct thbx_writer *w, struct thbx_writer **out, thbx_error_t *err) {
  return thbx_writer_open(out, w->stream, &w->opt, err);
}

int writer_spell_ordered(const struct thbx_writer *w) {
  return w->opt.format == THBX_FORMAT_CSV && writer_csv_generic_auto(w);
}

int writer_spell(struct thbx_writer *c, const json_t *record, thbx_buf_t *out, thbx_error_t *err) {
  thbx_error_reset(err);
  if (!c->begun) {
    int rc = begin(c, err);
    if (rc != THBX_OK)
      return rc;
    thbx_buf_reset(&c->out); /* the prolog is the real writer's to write */
  }
  if (c->count == 0)
    c->count = 1; /* spell as a record after the first (JSON: a leading comma) */
  thbx_buf_reset(&c->out);
  int rc = c->ops->write(c, record, err);
  if (rc == THBX_OK && thbx_buf_append(out, c->out.data ? c->out.data : "", c->out.len) != 0)
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_reset(&c->out);
  return rc;
}

int writer_put_spelled(struct thbx_writer *w, const char *data, size_t length, thbx_error_t *err) {
  thbx_error_reset(err);
  if (w->finished)
    return thbx_error_set(err, THBX_EINVAL, "the writer is finished");
  int rc = begin(w, err);
  if (rc != THBX_OK)
    return rc;
  size_t mark = w->out.len;
  if (thbx_buf_append(&w->out, data, length) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  /* the first JSON record opens the array where later ones have a comma */
  if (w->count == 0 && w->opt.format == THBX_FORMAT_JSON && length && data[0] == ',')
    w->out.data[mark] = '[';
  w->count++;
  return w->out.len >= FLUSH_AT ? flush(w, err) : THBX_OK;
}

void thbx_writer_free(thbx_writer_t *w) {
  if (!w)
    return;
  if (w->ops && w->ops->free)
    w->ops->free(w);
  thbx_buf_free(&w->out);
  writer_keys_free(w->keys);
  free(w);
}
