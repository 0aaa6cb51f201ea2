/*
 * writer_ndjson.c - NDJSON output: one compact record per line, properties
 * in the profile's schema order (writer_json.c does the spelling).
 */
#include "writer.h"

static int ndjson_write(struct thbx_writer *w, const json_t *record, thbx_error_t *err) {
  int rc = writer_json_record(w, &w->out, record, 0, 0, err);
  if (rc == THBX_OK && thbx_buf_putc(&w->out, '\n') != 0)
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return rc;
}

/* A raw input line (its line end may have been stripped): one line. */
static int ndjson_write_raw(struct thbx_writer *w, const char *data, size_t length,
                            thbx_error_t *err) {
  if (thbx_buf_append(&w->out, data, length) != 0 ||
      ((length == 0 || data[length - 1] != '\n') && thbx_buf_putc(&w->out, '\n') != 0))
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

const struct writer_ops writer_ndjson_ops = {
    NULL, NULL, ndjson_write, NULL, NULL, ndjson_write_raw,
};
