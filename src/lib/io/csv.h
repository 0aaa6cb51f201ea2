/*
 * csv.h - the CSV spelling of values (internal), shared by reader_csv.c and
 * writer_csv.c so that what one writes the other reads back identically.
 * Implemented in csv_cell.c. See docs/convert.md, section CSV.
 */
#ifndef THBX_CSV_H
#define THBX_CSV_H

#include "hmap.h"
#include "internal.h"

#include "profile.h"
#include <stdint.h>

/* How a column's cells are spelled. */
enum csv_kind {
  CSV_STRING, /* the leaf is a string and only a string: the cell as it is */
  CSV_SCALAR, /* other scalars, or several types: see csv_scalar_parse */
  CSV_LIST,   /* an array of scalars: items joined with the list separator */
  CSV_JSON,   /* arrays of objects, free-form objects: compact JSON text */
  CSV_GENERIC /* no profile: every cell a string */
};

enum csv_kind csv_leaf_kind(const struct thbx_shape *leaf);

/* A cell's text -> a value of one of the `types` (THBX_TYPE_* bits). Tried in
 * this order, the first that fits wins: number (integer syntax -> integer,
 * else real; an integer-only column takes "1.0"/"1e2" when exact), boolean
 * true/false, null, JSON array/object text, string. NULL if none fits; *why
 * then says what was expected ("an integer"). `len` > 0. */
json_t *csv_scalar_parse(unsigned types, const char *s, size_t len, const char **why);

/* An array cell: items split on `sep` (with "\<sep>" and "\\" escapes),
 * each parsed with csv_scalar_parse(item_types). `scratch` is reused. */
json_t *csv_list_parse(unsigned item_types, const char *s, size_t len, char sep,
                       thbx_buf_t *scratch, const char **why);

/* The cell text of one value for a column of `kind`/`types` (items: the
 * array's items shape for CSV_LIST), appended to out. Fails (-1, *why set,
 * out may hold a partial text: the caller truncates) when reading the text
 * back would not give the same value. An empty text is not a failure here:
 * the caller refuses it (an empty cell reads back as absent). */
int csv_cell_text(thbx_buf_t *out, enum csv_kind kind, unsigned types,
                  const struct thbx_shape *items, const json_t *value, char sep,
                  thbx_buf_t *scratch, const char **why);

/* Column paths -> column numbers, in the one hash map (values stored + 1,
 * so that column 0 is not NULL). */
static inline int csv_index_get(const thbx_hmap_t *ix, const char *key, size_t len) {
  void *v = thbx_hmap_get(ix, key, len);
  return v ? (int)((intptr_t)v - 1) : -1;
}
/* 0, or -1 out of memory. */
static inline int csv_index_put(thbx_hmap_t *ix, const char *key, size_t len, int value) {
  return thbx_hmap_put(ix, key, len, (void *)(intptr_t)(value + 1));
}

#endif
