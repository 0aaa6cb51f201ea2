/*
 * writer.h - the inside of a writer (internal). writer.c dispatches to one
 * file per format: writer_json.c, writer_ndjson.c, writer_csv.c,
 * writer_xml.c. Writers format into r->out (a buffer) and flush it to the
 * stream in large writes; they never build the whole document in memory.
 */
#ifndef THBX_WRITER_H
#define THBX_WRITER_H

#include "internal.h"
#include "profile.h"

struct thbx_writer;

/* One output format. begin() is called lazily before the first record (or
 * at finish when there was none) to write a header/prolog; write() appends
 * one record to w->out or returns THBX_EPARSE having appended nothing;
 * end() writes the epilogue. writer.c flushes w->out to the stream. */
struct writer_ops {
  int (*open)(struct thbx_writer *w, thbx_error_t *err);
  int (*begin)(struct thbx_writer *w, thbx_error_t *err);
  int (*write)(struct thbx_writer *w, const json_t *record, thbx_error_t *err);
  int (*end)(struct thbx_writer *w, thbx_error_t *err);
  void (*free)(struct thbx_writer *w);
  /* optional, last so that positional initialisers need not name it:
   * append raw bytes of one input record (thbx_writer_write_raw) with the
   * format's separators; NULL appends them as they are */
  int (*write_raw)(struct thbx_writer *w, const char *data, size_t length, thbx_error_t *err);
};

struct thbx_writer {
  FILE *stream;
  thbx_writer_options_t opt;
  const struct thbx_profile *profile; /* NULL: generic */
  const struct thbx_shape *shape;     /* profile->shape or NULL */
  const struct writer_ops *ops;
  void *state;
  thbx_buf_t out; /* pending output; flushed by writer.c when large */
  long count;     /* records written */
  int begun, finished;
  struct writer_keys *keys; /* writer_json.c: property names as spelled */
};

extern const struct writer_ops writer_json_ops;
extern const struct writer_ops writer_ndjson_ops;
extern const struct writer_ops writer_csv_ops;
extern const struct writer_ops writer_xml_ops;

/* Spelling records apart from writing them, so that workers spell and one
 * thread writes (the pipeline's convert stage): writer_clone() makes a
 * private writer with w's options, never flushed; writer_spell() appends to
 * `out` the bytes the writer would write for `record` after its first record
 * (THBX_EPARSE: nothing appended); writer_put_spelled() writes such bytes
 * into the real writer w. A CSV writer choosing its columns from the first
 * record (generic, no --columns) must spell in input order. */
int writer_clone(const struct thbx_writer *w, struct thbx_writer **out, thbx_error_t *err);
int writer_spell(struct thbx_writer *clone, const json_t *record, thbx_buf_t *out,
                 thbx_error_t *err);
int writer_put_spelled(struct thbx_writer *w, const char *data, size_t length, thbx_error_t *err);
/* A record as JSON into b (writer_json_tree), the names of the schema's
 * properties spelled once per writer and kept in w->keys; freed by
 * writer_keys_free (thbx_writer_free). */
int writer_json_record(struct thbx_writer *w, thbx_buf_t *b, const json_t *record, int indent,
                       int level, thbx_error_t *err);
void writer_keys_free(struct writer_keys *keys);
/* Does spelling depend on the records before (CSV columns from the first)? */
int writer_spell_ordered(const struct thbx_writer *w);
int writer_csv_generic_auto(const struct thbx_writer *w);

/* Append a JSON string literal (quoted, escaped, UTF-8 kept) to b. */
int writer_json_string(thbx_buf_t *b, const char *s, size_t len);
/* Append a JSON number the way jansson would read it back identically:
 * integers as integers, reals with the shortest round-trip form ("1.5",
 * "1e+300"; never inf/nan). */
int writer_json_number(thbx_buf_t *b, const json_t *number);
/* Append any JSON value, compact, object keys in the value's own order. */
int writer_json_value(thbx_buf_t *b, const json_t *value);
/* Append a JSON value with object keys in the order of `shape` (the
 * profile's schema order; keys the schema does not know follow in the
 * value's order; NULL: the value's order), indented by 2 spaces per level
 * starting at `level` (indent 0: compact). THBX_OK, or THBX_EPARSE with err
 * filled if a string is not valid UTF-8. */
int writer_json_tree(thbx_buf_t *b, const json_t *value, const struct thbx_shape *shape, int indent,
                     int level, thbx_error_t *err);

#endif
