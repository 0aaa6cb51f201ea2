/*
 * csv.h - the CSV spelling of values (internal), shared by reader_csv.c and
 * writer_csv.c so that what one writes the other reads back identically.
 * Implemented in csv_cell.c. See docs/convert.md, section CSV.
 */
#ifndef THBX_CSV_H
#define THBX_CSV_H

#include "internal.h"
#include "profile.h"

/* How a column's cells are spelled. */
enum csv_kind {
  CSV_STRING, /* the leaf is a string and only a string: the cell as it is */
  CSV_SCALAR, /* other scalars, or several types: see csv_scalar_parse */
  CSV_LIST,   /* an array of scalars: items joined with the list separator */
  CSV_JSON,   /* arrays of objects, free-form objects: compact JSON text */
  CSV_GENERIC /* no profile: every cell a string */
};

enum csv_kind csv_leaf_kind(const struct thbx_shape *leaf);

/* A cell's text -> a value of one of the `types` (SHAPE_* bits). Tried in
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

/* A small string -> int map (open addressing), for column paths. */
struct csv_index {
  struct csv_index_slot {
    char *key; /* owned */
    size_t len;
    int value;
  } * slots;
  size_t cap, count;
};
void csv_index_init(struct csv_index *ix);
void csv_index_free(struct csv_index *ix);
/* Value of key, or -1. */
int csv_index_get(const struct csv_index *ix, const char *key, size_t len);
/* Insert (key must not be there). 0, or -1 out of memory. */
int csv_index_put(struct csv_index *ix, const char *key, size_t len, int value);

#endif
