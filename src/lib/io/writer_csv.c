/*
 * writer_csv.c - records to CSV (RFC 4180), one row per record.
 *
 * Columns: the writer's `columns` option, else every leaf path of the
 * profile's shape in schema order, else (generic mode) the leaf paths of the
 * first record. A record is walked once against the shape; every value
 * lands in its column's cell, spelled by csv_cell.c, and a record that the
 * CSV cannot hold exactly (a property without a column, an empty string, an
 * empty array, an empty object...) is refused with THBX_EPARSE and nothing
 * written. Fields are quoted only when needed; rows end with LF.
 */
#include "csv.h"
#include "writer.h"

#include <stdlib.h>
#include <string.h>

struct wcol {
  char *path;
  enum csv_kind kind;
  unsigned types;
  const struct thbx_shape *items;
};

struct csv_writer {
  char delim, sep;
  unsigned char special[256]; /* bytes that make a field need quotes (and NUL) */
  int safe;
  struct wcol *cols;
  size_t ncols, capcols;
  long *leaf_col;   /* profile: leaf index -> column, -1 if not written */
  int all_leaves;   /* columns are every leaf: every property needs its column */
  int generic_auto; /* generic, no columns option: columns from the first record */
  int header_done;
  const json_t **cells;
  thbx_buf_t cell, scratch, path;
  thbx_hmap_t index; /* generic: path -> column */
};

static int is_branch(const struct thbx_shape *s) {
  return (s->types & THBX_TYPE_OBJECT) && s->nprops > 0;
}

/* --------------------------------------------------------------- fields */

enum { FIELD_QUOTE = 1, FIELD_NUL = 2 };

/* One pass over a field: does it need quotes, does it hold a NUL? */
static int scan_field(const struct csv_writer *st, const char *s, size_t n) {
  if (n == 0)
    return 0;
  int flags = 0;
  if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
    flags = FIELD_QUOTE;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n; i++) {
    if (st->special[u[i]]) {
      if (u[i] == 0)
        return flags | FIELD_NUL;
      flags = FIELD_QUOTE;
      if (memchr(u + i, 0, n - i))
        return flags | FIELD_NUL;
      break;
    }
  }
  return flags;
}

/* Append field s as RFC 4180 wants; -2 if it holds a NUL (nothing appended). */
static int put_field(struct csv_writer *st, thbx_buf_t *out, const char *s, size_t n) {
  int flags = scan_field(st, s, n);
  if (flags & FIELD_NUL)
    return -2;
  int risky =
      st->safe && n > 0 &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
  if (!risky && !flags)
    return thbx_buf_append(out, s, n);
  if (thbx_buf_reserve(out, n + 4) != 0 || thbx_buf_putc(out, '"') != 0)
    return -1;
  if (risky && thbx_buf_putc(out, '\'') != 0)
    return -1;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') {
      if (thbx_buf_append(out, s + start, i + 1 - start) != 0)
        return -1;
      start = i; /* the quote again: doubled */
    }
  }
  if (thbx_buf_append(out, s + start, n - start) != 0)
    return -1;
  return thbx_buf_putc(out, '"');
}

static int write_header(struct thbx_writer *w, struct csv_writer *st) {
  if (w->opt.no_header) {
    st->header_done = 1; /* the columns are chosen all the same */
    return 0;
  }
  int safe = st->safe;
  st->safe = 0; /* column names are not data */
  for (size_t i = 0; i < st->ncols; i++) {
    const char *p = st->cols[i].path;
    if ((i > 0 && thbx_buf_putc(&w->out, st->delim) != 0) ||
        put_field(st, &w->out, p, strlen(p)) != 0) {
      st->safe = safe;
      return -1;
    }
  }
  st->safe = safe;
  st->header_done = 1;
  return thbx_buf_putc(&w->out, '\n');
}

/* ---------------------------------------------------------------- errors */

static int refuse(thbx_error_t *err, const char *pointer, const char *key, const char *fmt,
                  const char *what) {
  if (!err)
    return THBX_EPARSE;
  thbx_error_clear(err);
  thbx_buf_t p;
  thbx_buf_init(&p);
  thbx_buf_puts(&p, pointer ? pointer : "");
  if (key)
    thbx_buf_pointer_append(&p, key);
  thbx_strlcpy(err->instance_path, p.data ? p.data : "", sizeof(err->instance_path));
  thbx_error_set(err, THBX_EPARSE, fmt, p.data && p.data[0] ? p.data : "/", what);
  thbx_buf_free(&p);
  return THBX_EPARSE;
}

/* ------------------------------------------------------------- columns */

static int add_col(struct csv_writer *st, const char *path, size_t len,
                   const struct thbx_shape *leaf) {
  if (st->ncols == st->capcols) {
    size_t cap = st->capcols ? st->capcols * 2 : 32;
    struct wcol *c = realloc(st->cols, cap * sizeof(*c));
    const json_t **cells = realloc(st->cells, cap * sizeof(*cells));
    if (c)
      st->cols = c;
    if (cells)
      st->cells = cells;
    if (!c || !cells)
      return -1;
    st->capcols = cap;
  }
  struct wcol *c = &st->cols[st->ncols];
  c->path = malloc(len + 1);
  if (!c->path)
    return -1;
  memcpy(c->path, path, len);
  c->path[len] = '\0';
  c->kind = csv_leaf_kind(leaf);
  c->types = leaf ? leaf->types : THBX_TYPE_STRING;
  c->items = leaf ? leaf->items : NULL;
  st->ncols++;
  return 0;
}

static void free_cols(struct csv_writer *st) {
  for (size_t i = 0; i < st->ncols; i++)
    free(st->cols[i].path);
  st->ncols = 0;
  thbx_hmap_free(&st->index);
}

/* The columns option: "a,b,c". */
static int parse_columns(struct thbx_writer *w, struct csv_writer *st, thbx_error_t *err) {
  const char *s = w->opt.columns;
  for (;;) {
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    if (n == 0)
      return thbx_error_set(err, THBX_EINVAL, "--columns: empty column name");
    if (csv_index_get(&st->index, s, n) >= 0)
      return thbx_error_set(err, THBX_EINVAL, "--columns: %.*s appears twice", (int)n, s);
    const struct thbx_shape *leaf = NULL;
    if (w->shape) {
      char name[512];
      if (n >= sizeof(name))
        return thbx_error_set(err, THBX_EINVAL, "--columns: column name too long");
      memcpy(name, s, n);
      name[n] = '\0';
      leaf = thbx_shape_leaf(w->shape, name);
      if (!leaf)
        return thbx_error_set(err, THBX_EINVAL, "--columns: %s is not a leaf path of profile %s",
                              name, w->profile->name ? w->profile->name : "");
      st->leaf_col[leaf->leaf_index] = (long)st->ncols;
    }
    if (csv_index_put(&st->index, s, n, (int)st->ncols) != 0 || add_col(st, s, n, leaf) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (!comma)
      return THBX_OK;
    s = comma + 1;
  }
}

static void csv_free(struct thbx_writer *w);

static int open_state(struct thbx_writer *w, thbx_error_t *err) {
  char d = w->opt.delimiter, sep = w->opt.list_separator;
  if (d == '"' || d == '\r' || d == '\n' || d == '\0')
    return thbx_error_set(err, THBX_EINVAL, "the CSV delimiter cannot be a quote or a line end");
  if (sep == '\\' || sep == '\0' || sep == d || sep == '"' || sep == '\n' || sep == '\r')
    return thbx_error_set(err, THBX_EINVAL,
                          "the list separator cannot be a backslash, a quote, a line end or "
                          "the delimiter");
  struct csv_writer *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  w->state = st;
  st->delim = d;
  st->sep = sep;
  st->special[(unsigned char)d] = st->special['"'] = 1;
  st->special['\n'] = st->special['\r'] = st->special[0] = 1;
  st->safe = w->opt.csv_safe;
  thbx_buf_init(&st->cell);
  thbx_buf_init(&st->scratch);
  thbx_buf_init(&st->path);
  thbx_hmap_init(&st->index, 0);
  const struct thbx_shape *shape = w->shape;
  if (shape) {
    st->leaf_col = malloc((shape->nleaves ? shape->nleaves : 1) * sizeof(*st->leaf_col));
    if (!st->leaf_col)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    for (size_t i = 0; i < shape->nleaves; i++)
      st->leaf_col[i] = -1;
  }
  if (w->opt.columns && w->opt.columns[0])
    return parse_columns(w, st, err);
  if (!shape) {
    st->generic_auto = 1;
    return THBX_OK;
  }
  if (shape->nleaves == 0)
    return thbx_error_set(err, THBX_EINVAL, "profile %s has no CSV columns",
                          w->profile->name ? w->profile->name : "");
  st->all_leaves = 1;
  for (size_t i = 0; i < shape->nleaves; i++) {
    const struct thbx_shape *leaf = shape->leaves[i];
    st->leaf_col[i] = (long)i;
    if (add_col(st, leaf->path, strlen(leaf->path), leaf) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return THBX_OK;
}

/* writer.c does not call free() after a failed open: clean up here */
static int csv_open(struct thbx_writer *w, thbx_error_t *err) {
  int rc = open_state(w, err);
  if (rc != THBX_OK)
    csv_free(w);
  return rc;
}

/* The line end of the raw header: CRLF if it has one, else LF. */
static const char *raw_eol(const struct thbx_writer *w) {
  size_t n = w->opt.raw_header_length;
  const char *h = w->opt.raw_header;
  return h && n >= 2 && h[n - 1] == '\n' && h[n - 2] == '\r' ? "\r\n" : "\n";
}

static int csv_begin(struct thbx_writer *w, thbx_error_t *err) {
  struct csv_writer *st = w->state;
  if (w->opt.raw_header) {
    /* raw mode: the input's own header line, with its own line end */
    size_t n = w->opt.raw_header_length;
    const char *h = w->opt.raw_header;
    size_t core = n;
    while (core && (h[core - 1] == '\n' || h[core - 1] == '\r'))
      core--;
    st->header_done = 1;
    if (n == 0)
      return THBX_OK; /* no header was read: nothing to copy */
    if (thbx_buf_append(&w->out, h, core) != 0 || thbx_buf_puts(&w->out, raw_eol(w)) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    st->header_done = 1;
    return THBX_OK;
  }
  if (st->generic_auto)
    return THBX_OK; /* the header comes with the first record */
  if (write_header(w, st) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

/* ---------------------------------------------------------------- rows */

/* Profile mode: put every value of `obj` (at shape node `node`) in its
 * column's cell. */
static int collect(struct csv_writer *st, const struct thbx_shape *node, const json_t *obj,
                   thbx_error_t *err) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    const struct thbx_shape *child = thbx_shape_prop(node, key, strlen(key));
    if (!child) {
      if (!st->all_leaves)
        continue; /* the columns option chose what to write */
      return refuse(err, node->pointer, key, "%s: %s", "no CSV column for this property");
    }
    if (is_branch(child)) {
      if (!json_is_object(v)) {
        if (!st->all_leaves)
          continue;
        return refuse(err, child->pointer, NULL, "%s: %s",
                      "not an object where the profile has one");
      }
      if (json_object_size(v) == 0 && st->all_leaves)
        return refuse(err, child->pointer, NULL, "%s: %s",
                      "an empty object cannot be spelled in CSV");
      int rc = collect(st, child, v, err);
      if (rc != THBX_OK)
        return rc;
      continue;
    }
    long col = st->leaf_col[child->leaf_index];
    if (col >= 0)
      st->cells[col] = v;
  }
  return THBX_OK;
}

/* Generic mode: every leaf path of the record (objects with keys are
 * followed, anything else is a value). With `adding`, unknown paths become
 * columns (the first record); else they are refused. */
static int flatten(struct csv_writer *st, const json_t *obj, int adding, thbx_error_t *err) {
  const char *key;
  json_t *v;
  size_t mark = st->path.len;
  json_object_foreach((json_t *)obj, key, v) {
    st->path.len = mark;
    if (mark && thbx_buf_putc(&st->path, '.') != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (thbx_buf_puts(&st->path, key) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (json_is_object(v) && json_object_size(v) > 0) {
      int rc = flatten(st, v, adding, err);
      if (rc != THBX_OK)
        return rc;
      continue;
    }
    int col = csv_index_get(&st->index, st->path.data, st->path.len);
    if (adding && col < 0) {
      col = (int)st->ncols;
      if (csv_index_put(&st->index, st->path.data, st->path.len, col) != 0 ||
          add_col(st, st->path.data, st->path.len, NULL) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      st->cells[col] = NULL;
    }
    if (col < 0) {
      if (!st->generic_auto)
        continue; /* the columns option chose what to write */
      thbx_error_clear(err);
      return thbx_error_set(err, THBX_EPARSE,
                            "%s: not a column of the CSV header (taken from the first record)",
                            st->path.data);
    }
    if (st->cells[col]) {
      thbx_error_clear(err);
      return thbx_error_set(err, THBX_EPARSE, "%s: two values for one column", st->path.data);
    }
    st->cells[col] = v;
  }
  st->path.len = mark;
  if (st->path.data)
    st->path.data[mark] = '\0';
  return THBX_OK;
}

static int emit_row(struct thbx_writer *w, struct csv_writer *st, thbx_error_t *err) {
  thbx_buf_t *out = &w->out;
  size_t start = out->len;
  for (size_t i = 0; i < st->ncols; i++) {
    if (i > 0 && thbx_buf_putc(out, st->delim) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    const json_t *v = st->cells[i];
    if (!v)
      continue;
    const struct wcol *c = &st->cols[i];
    const char *s;
    size_t n;
    if (json_is_string(v) && (c->kind == CSV_STRING || c->kind == CSV_GENERIC)) {
      s = json_string_value(v); /* the common case: no copy */
      n = json_string_length(v);
    } else {
      const char *why = NULL;
      thbx_buf_reset(&st->cell);
      if (csv_cell_text(&st->cell, c->kind, c->types, c->items, v, st->sep, &st->scratch, &why) !=
          0) {
        if (!why)
          return thbx_error_set(err, THBX_ENOMEM, "out of memory");
        thbx_error_clear(err);
        return thbx_error_set(err, THBX_EPARSE, "%s: %s", c->path, why);
      }
      s = st->cell.data ? st->cell.data : "";
      n = st->cell.len;
    }
    if (n == 0 && c->kind != CSV_GENERIC) {
      thbx_error_clear(err);
      return thbx_error_set(err, THBX_EPARSE,
                            "%s: an empty %s cannot be spelled in CSV (an empty cell is absent)",
                            c->path, json_is_array(v) ? "array" : "string");
    }
    int rc = put_field(st, out, s, n);
    if (rc == -2) {
      thbx_error_clear(err);
      return thbx_error_set(err, THBX_EPARSE, "%s: a NUL character cannot be written in CSV",
                            c->path);
    }
    if (rc != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  /* a row of empty cells would be a blank line or a row of nothing but
   * delimiters, both of which readers skip: its first cell is written "" */
  if (out->len - start == (st->ncols ? st->ncols - 1 : 0)) {
    out->len = start;
    if (thbx_buf_puts(out, "\"\"") != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    for (size_t i = 1; i < st->ncols; i++)
      if (thbx_buf_putc(out, st->delim) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (thbx_buf_putc(out, '\n') != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static int csv_write(struct thbx_writer *w, const json_t *record, thbx_error_t *err) {
  struct csv_writer *st = w->state;
  if (!json_is_object(record)) {
    thbx_error_clear(err);
    return thbx_error_set(err, THBX_EPARSE, "a record must be an object to be a CSV row");
  }
  if (st->ncols)
    memset(st->cells, 0, st->ncols * sizeof(*st->cells));
  int rc;
  if (w->shape) {
    rc = collect(st, w->shape, record, err);
  } else {
    thbx_buf_reset(&st->path);
    int adding = st->generic_auto && !st->header_done;
    rc = flatten(st, record, adding, err);
    if (adding) {
      if (rc == THBX_OK && st->ncols == 0) {
        thbx_error_clear(err);
        rc = thbx_error_set(err, THBX_EPARSE, "an empty record gives no CSV columns");
      }
      if (rc != THBX_OK) {
        free_cols(st); /* the next record tries again */
        return rc;
      }
      if (write_header(w, st) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
  }
  if (rc != THBX_OK)
    return rc;
  return emit_row(w, st, err);
}

static int csv_end(struct thbx_writer *w, thbx_error_t *err) {
  (void)w;
  (void)err;
  return THBX_OK;
}

/* Raw rows from a CSV input (reject files): as they are, with a line end
 * (the raw header's, else LF) when they lack one. */
static int csv_write_raw(struct thbx_writer *w, const char *data, size_t length,
                         thbx_error_t *err) {
  if (thbx_buf_append(&w->out, data, length) != 0 ||
      ((length == 0 || data[length - 1] != '\n') && thbx_buf_puts(&w->out, raw_eol(w)) != 0))
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static void csv_free(struct thbx_writer *w) {
  struct csv_writer *st = w->state;
  if (!st)
    return;
  free_cols(st);
  free(st->cols);
  free(st->cells);
  free(st->leaf_col);
  thbx_buf_free(&st->cell);
  thbx_buf_free(&st->scratch);
  thbx_buf_free(&st->path);
  free(st);
  w->state = NULL;
}

const struct writer_ops writer_csv_ops = {csv_open, csv_begin, csv_write,
                                          csv_end,  csv_free,  csv_write_raw};

int writer_csv_generic_auto(const struct thbx_writer *w) {
  const struct csv_writer *st = w->state;
  return st && st->generic_auto && !w->opt.raw_header;
}
