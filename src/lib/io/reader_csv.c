/*
 * reader_csv.c - CSV (RFC 4180) to records, row by row.
 *
 * A row is scanned in place in the reader's input buffer (quoted fields with
 * "" escapes are copied unescaped to a scratch buffer, everything else is a
 * slice of the input). When a row runs past the bytes in the buffer, more
 * input is read and the row is scanned again from its start; the buffer
 * only ever holds one row beyond what was read, bounded by
 * max_record_bytes. The header row names the columns: leaf paths of the
 * profile's shape ("person.sex"), or in generic mode (no profile) dotted
 * paths into nested objects whose values are all strings. An empty cell is
 * an absent property. See docs/convert.md, section CSV.
 */
#include "csv.h"
#include "reader.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ONES 0x0101010101010101ULL /* for the word-at-a-time count in locate_cells */
#define HIGHS 0x8080808080808080ULL

enum { ROW_DONE, ROW_MORE, ROW_EOF, ROW_IO, ROW_TOOBIG };

struct field {
  size_t off; /* content: in the row, or in scratch when in_scratch */
  size_t len;
  size_t start; /* offset of the field's first byte in the row */
  unsigned char in_scratch, quoted;
};

struct column {
  char *name;      /* the header cell, NUL-terminated */
  const char *key; /* last path segment, inside name */
  size_t keylen;
  int parent; /* object node */
  enum csv_kind kind;
  unsigned types, item_types;
  long rank; /* processing order: leaf index, then header position */
};

struct objnode {
  int parent;
  const char *key; /* inside a column's name */
  size_t keylen;
};

struct csv_reader {
  unsigned char stop_plain[256], stop_quoted[256];
  char delim, sep;
  /* the row just scanned */
  struct field *fields;
  size_t nfields, capfields;
  size_t rowlen;
  long rownl;            /* newlines inside the row, its line end included */
  const char *row_error; /* first problem found while scanning, or NULL */
  size_t row_error_at;   /* its offset in the row */
  int too_many_columns;
  thbx_buf_t scratch; /* unescaped quoted fields */
  thbx_buf_t items;   /* list item unescaping */
  /* columns from the header */
  int have_header;
  size_t ignored; /* empty header cells at the end, ignored */
  struct column *cols;
  size_t ncols;
  size_t *order;
  struct objnode *objs;
  size_t nobjs, capobjs;
  json_t **objval; /* per row: the objects made so far */
  long line;       /* physical line where the next row starts */
};

/* ------------------------------------------------------------ scanning */

static void row_problem(struct csv_reader *st, size_t at, const char *msg) {
  if (!st->row_error) {
    st->row_error = msg;
    st->row_error_at = at;
  }
}

static inline int add_field(struct csv_reader *st, const struct thbx_reader *r, size_t off,
                            size_t len, size_t start, int in_scratch, int quoted) {
  if (st->nfields >= r->opt.limits.max_columns) {
    if (!st->too_many_columns)
      row_problem(st, start, "too many columns");
    st->too_many_columns = 1;
    return 0;
  }
  if (st->nfields == st->capfields) {
    size_t cap = st->capfields ? st->capfields * 2 : 64;
    struct field *f = realloc(st->fields, cap * sizeof(*f));
    if (!f)
      return -1;
    st->fields = f;
    st->capfields = cap;
  }
  if (len > r->opt.limits.max_field_bytes)
    row_problem(st, start, "field longer than the limit");
  struct field *f = &st->fields[st->nfields++];
  f->off = off;
  f->len = len;
  f->start = start;
  f->in_scratch = (unsigned char)in_scratch;
  f->quoted = (unsigned char)quoted;
  return 0;
}

/* Scan one row at p[0..avail). ROW_MORE: the row goes on past avail (and
 * the input has more); ROW_DONE: st->fields/rowlen/rownl are set. -1: out
 * of memory. At eof the end of the bytes ends the row. */
static int scan_row(struct csv_reader *st, const struct thbx_reader *r, const unsigned char *p,
                    size_t avail, int eof) {
  const char delim = st->delim;
  st->nfields = 0;
  st->rownl = 0;
  st->row_error = NULL;
  st->too_many_columns = 0;
  thbx_buf_reset(&st->scratch);
  size_t i = 0;
  for (;;) {
    size_t fstart = i, off, len;
    int in_scratch = 0, quoted = 0;
    if (i < avail && p[i] == '"') {
      quoted = 1;
      size_t cstart = ++i;
      int escaped = 0;
      for (;;) {
        while (i < avail && !st->stop_quoted[p[i]])
          i++;
        if (i >= avail) {
          if (!eof)
            return ROW_MORE;
          row_problem(st, fstart, "quoted field not closed at the end of the input");
          add_field(st, r, cstart, i - cstart, fstart, 0, 1);
          st->rowlen = i;
          return ROW_DONE;
        }
        unsigned char c = p[i];
        if (c == '\n') {
          st->rownl++;
          i++;
        } else if (c == '\0') {
          row_problem(st, i, "NUL byte in a field");
          i++;
        } else { /* '"' */
          if (i + 1 >= avail && !eof)
            return ROW_MORE;
          if (i + 1 < avail && p[i + 1] == '"') {
            escaped = 1;
            i += 2;
          } else {
            break;
          }
        }
      }
      size_t cend = i++;
      off = cstart;
      len = cend - cstart;
      if (escaped) {
        size_t at = st->scratch.len;
        if (thbx_buf_reserve(&st->scratch, len) != 0)
          return -1;
        char *d = st->scratch.data + at;
        for (size_t k = cstart; k < cend; k++) {
          *d++ = (char)p[k];
          if (p[k] == '"')
            k++;
        }
        st->scratch.len = (size_t)(d - st->scratch.data);
        st->scratch.data[st->scratch.len] = '\0';
        off = at;
        len = st->scratch.len - at;
        in_scratch = 1;
      }
      /* after the closing quote: a delimiter or the end of the row */
      if (i < avail && p[i] != (unsigned char)delim && p[i] != '\n') {
        if (p[i] == '\r' && i + 1 >= avail && !eof)
          return ROW_MORE;
        if (!(p[i] == '\r' && i + 1 < avail && p[i + 1] == '\n')) {
          row_problem(st, i, "unexpected character after a closing quote");
          goto plain; /* skip the rest of the field */
        }
      }
    } else {
    plain:
      for (;;) {
        while (i < avail && !st->stop_plain[p[i]])
          i++;
        if (i >= avail) {
          if (!eof)
            return ROW_MORE;
          break;
        }
        unsigned char c = p[i];
        if (c == (unsigned char)delim || c == '\n')
          break;
        if (c == '\r') {
          if (i + 1 >= avail && !eof)
            return ROW_MORE;
          if (i + 1 < avail && p[i + 1] == '\n')
            break;
        } else if (c == '\0') {
          row_problem(st, i, "NUL byte in a field");
        }
        i++; /* a lone CR is data */
      }
      if (!quoted) {
        off = fstart;
        len = i - fstart;
      }
    }
    if (add_field(st, r, off, len, fstart, in_scratch, quoted) != 0)
      return -1;
    if (i >= avail) {
      st->rowlen = i;
      return ROW_DONE;
    }
    if (p[i] == (unsigned char)delim) {
      i++;
      continue;
    }
    if (p[i] == '\r')
      i++;
    i++; /* '\n' */
    st->rownl++;
    st->rowlen = i;
    return ROW_DONE;
  }
}

/* Scan the next row, reading more input as needed. */
static int next_row(struct thbx_reader *r, struct csv_reader *st) {
  reader_input_t *in = &r->in;
  size_t maxrec = r->opt.limits.max_record_bytes;
  for (;;) {
    size_t avail = in->len - in->pos;
    if (avail == 0) {
      long n = reader_input_fill(in, 1);
      if (n < 0 || in->error)
        return ROW_IO;
      if (n == 0)
        return ROW_EOF;
      avail = (size_t)n;
    }
    int rc = scan_row(st, r, in->buf + in->pos, avail, in->eof);
    if (rc != ROW_MORE)
      return rc < 0 ? ROW_IO : rc;
    if (avail > maxrec)
      return ROW_TOOBIG;
    size_t want = avail < 65536 ? avail + 65536 : avail * 2;
    if (want > maxrec + 1)
      want = maxrec + 1;
    long n = reader_input_fill(in, want);
    if (n < 0 || in->error)
      return ROW_IO;
  }
}

/* Consume a row too long to hold, up to its end outside quotes. */
static int skip_row(struct thbx_reader *r, struct csv_reader *st) {
  reader_input_t *in = &r->in;
  int inq = 0;
  for (;;) {
    if (in->pos == in->len) {
      long n = reader_input_fill(in, 1);
      if (n < 0 || in->error)
        return ROW_IO;
      if (n == 0)
        return ROW_DONE;
    }
    const unsigned char *p = in->buf + in->pos;
    size_t avail = in->len - in->pos;
    for (size_t i = 0; i < avail; i++) {
      if (p[i] == '"') {
        inq = !inq;
      } else if (p[i] == '\n') {
        st->line++;
        if (!inq) {
          in->pos += i + 1;
          return ROW_DONE;
        }
      }
    }
    in->pos += avail;
  }
}

/* Line and column (in characters) of offset `at` of the current row. */
static void row_position(const struct csv_reader *st, const unsigned char *p, size_t at, long *line,
                         long *column) {
  long l = st->line;
  size_t ls = 0;
  for (size_t k = 0; k < at; k++)
    if (p[k] == '\n')
      l++, ls = k + 1;
  long c = 1;
  for (size_t k = ls; k < at; k++)
    if ((p[k] & 0xC0) != 0x80)
      c++;
  *line = l;
  *column = c;
}

static const char *field_text(const struct csv_reader *st, const unsigned char *p,
                              const struct field *f) {
  return f->in_scratch ? st->scratch.data + f->off : (const char *)p + f->off;
}

/* ------------------------------------------------------------- header */

/* A header cell for a message: whole, or cut at a word boundary (a
 * delimiter, blank, dot or dash) before 60 bytes, with "...": messages
 * about a header are never cut mid-word by the size of the error text. */
static const char *shown(char *buf, size_t size, const char *name) {
  size_t n = strlen(name), max = size - 4 < 60 ? size - 4 : 60;
  if (n <= max)
    return name;
  size_t cut = max;
  while (cut > 20 && !strchr(",; \t.-_", name[cut]))
    cut--;
  if (cut <= 20)
    for (cut = max; cut > 0 && (name[cut] & 0xC0) == 0x80; cut--)
      ;
  memcpy(buf, name, cut);
  memcpy(buf + cut, "...", 4);
  return buf;
}

static int header_error(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                        size_t at, thbx_error_t *err, const char *fmt, const char *name,
                        size_t index) {
  long line, column;
  char buf[80];
  row_position(st, p, at, &line, &column);
  return reader_error(r, err, THBX_EFATAL, line, column, fmt, index,
                      name ? shown(buf, sizeof(buf), name) : "");
}

/* Edit distance of a and b, at most `cap` (a bound is all a suggestion needs). */
static size_t distance(const char *a, const char *b, size_t cap) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 200 || lb > 200)
    return cap;
  size_t row[201];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0], best = row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t v = diag + (a[i - 1] != b[j - 1]);
      if (row[j - 1] + 1 < v)
        v = row[j - 1] + 1;
      if (up + 1 < v)
        v = up + 1;
      row[j] = v;
      diag = up;
      if (v < best)
        best = v;
    }
    if (best >= cap)
      return cap;
  }
  return row[lb] < cap ? row[lb] : cap;
}

/* The profile column nearest to an unknown name: its last segment alone
 * ("sex" for "person.sex"), or a few typing errors away. NULL if none. */
static const char *nearest_column(const struct thbx_shape *root, const char *name) {
  const char *best = NULL;
  size_t bestd = strlen(name) / 3 + 1;
  if (bestd > 4)
    bestd = 4;
  for (size_t i = 0; i < root->nleaves; i++) {
    const char *path = root->leaves[i]->path;
    const char *last = strrchr(path, '.');
    if (last && strcmp(last + 1, name) == 0)
      return path;
    size_t d = distance(name, path, bestd);
    if (d < bestd) {
      bestd = d;
      best = path;
    }
  }
  return best;
}

/* One error for every header cell that names no field of the profile,
 * each with the nearest profile column; whole names only, then a count. */
static int unknown_columns(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                           const size_t *unknown, size_t n, thbx_error_t *err) {
  thbx_buf_t m, item;
  thbx_buf_init(&m);
  thbx_buf_init(&item);
  char buf[80];
  if (n > 1)
    thbx_buf_printf(&m, "%zu columns are not fields of the profile: ", n);
  for (size_t k = 0; k < n; k++) {
    const char *name = st->cols[unknown[k]].name;
    const char *near = nearest_column(r->shape, name);
    thbx_buf_reset(&item);
    if (n == 1)
      thbx_buf_printf(&item, "column %zu: \"%s\" is not a field of the profile", unknown[k] + 1,
                      shown(buf, sizeof(buf), name));
    else
      thbx_buf_printf(&item, "%s\"%s\"", k ? ", " : "", shown(buf, sizeof(buf), name));
    if (near)
      thbx_buf_printf(&item, " (did you mean \"%s\"?)", near);
    if (k > 0 && m.len + item.len > THBX_ERROR_TEXT_LENGTH - 100) {
      thbx_buf_printf(&m, " and %zu more", n - k);
      break;
    }
    thbx_buf_puts(&m, item.data ? item.data : "");
  }
  if (st->delim == ',' && strchr(st->cols[unknown[0]].name, ';'))
    thbx_buf_puts(&m, " (the header has ';' between names: give --delimiter ';')");
  long line, column;
  row_position(st, p, st->fields[unknown[0]].start, &line, &column);
  int rc = m.data ? reader_error(r, err, THBX_EFATAL, line, column, "%s", m.data)
                  : reader_error(r, err, THBX_ENOMEM, line, column, "out of memory");
  thbx_buf_free(&m);
  thbx_buf_free(&item);
  return rc;
}

static int new_obj(struct csv_reader *st, int parent, const char *key, size_t keylen) {
  if (st->nobjs == st->capobjs) {
    size_t cap = st->capobjs ? st->capobjs * 2 : 16;
    struct objnode *o = realloc(st->objs, cap * sizeof(*o));
    if (!o)
      return -1;
    st->objs = o;
    st->capobjs = cap;
  }
  st->objs[st->nobjs].parent = parent;
  st->objs[st->nobjs].key = key;
  st->objs[st->nobjs].keylen = keylen;
  return (int)st->nobjs++;
}

static int is_branch(const struct thbx_shape *s) {
  return (s->types & THBX_TYPE_OBJECT) && s->nprops > 0;
}

/* Profile mode: may `name` (no leaf) be an additional property, that is, is
 * it a path below an object of the shape that allows other properties? */
static int additional_path(const struct thbx_shape *root, const char *name) {
  const struct thbx_shape *node = root;
  const char *seg = name;
  for (;;) {
    const char *dot = strchr(seg, '.');
    size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
    if (n == 0)
      return 0;
    const struct thbx_shape *child = thbx_shape_prop(node, seg, n);
    if (!child)
      return node->additional;
    if (!dot || !is_branch(child))
      return 0; /* names an object of the shape, or goes below a leaf */
    node = child;
    seg = dot + 1;
  }
}

static int cmp_rank(const void *a, const void *b, void *cols) {
  const struct column *c = cols;
  long x = c[*(const size_t *)a].rank, y = c[*(const size_t *)b].rank;
  return x < y ? -1 : x > y;
}

/* A small insertion/merge-free sort with context (qsort_r is not C11). */
static void sort_order(size_t *v, size_t n, struct column *cols) {
  /* columns are mostly in order already: insertion sort is near linear */
  for (size_t i = 1; i < n; i++) {
    size_t x = v[i], j = i;
    while (j > 0 && cmp_rank(&v[j - 1], &x, cols) > 0) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
}

static int setup_columns(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                         thbx_error_t *err) {
  thbx_hmap_t names = THBX_HMAP_INIT, prefixes = THBX_HMAP_INIT;
  int rc = THBX_OK;
  size_t n = st->nfields;
  /* empty cells at the end of the header (Excel writes them): ignored, with
   * a warning; rows may then have those (empty) cells too */
  while (n > 1 && st->fields[n - 1].len == 0 && !st->fields[n - 1].quoted) {
    long line, column;
    row_position(st, p, st->fields[n - 1].start, &line, &column);
    reader_warning(r, line, column, "column %zu of the header has no name: ignored", n);
    n--;
  }
  st->ignored = st->nfields - n;
  size_t *unknown = calloc(n ? n : 1, sizeof(*unknown)), nunknown = 0;
  if (!unknown)
    goto nomem;
  st->cols = calloc(n ? n : 1, sizeof(*st->cols));
  st->order = calloc(n ? n : 1, sizeof(*st->order));
  if (!st->cols || !st->order || new_obj(st, -1, NULL, 0) != 0)
    goto nomem;
  for (size_t i = 0; i < n; i++) {
    const struct field *f = &st->fields[i];
    struct column *c = &st->cols[i];
    st->ncols = i + 1;
    c->name = malloc(f->len + 1);
    if (!c->name)
      goto nomem;
    memcpy(c->name, field_text(st, p, f), f->len);
    c->name[f->len] = '\0';
    c->rank = (long)i;
    st->order[i] = i;
    if (f->len == 0) {
      rc = header_error(r, st, p, f->start, err, "column %zu has no name%s", NULL, i + 1);
      goto done;
    }
    if (!thbx_utf8_valid(c->name, f->len)) {
      rc = header_error(r, st, p, f->start, err, "column %zu: invalid UTF-8 in its name%s", NULL,
                        i + 1);
      goto done;
    }
    if (strlen(c->name) != f->len) {
      rc = header_error(r, st, p, f->start, err, "column %zu: NUL byte in its name%s", NULL, i + 1);
      goto done;
    }
    if (csv_index_get(&names, c->name, f->len) >= 0) {
      rc =
          header_error(r, st, p, f->start, err, "column %zu: \"%s\" appears twice", c->name, i + 1);
      goto done;
    }
    if (csv_index_put(&names, c->name, f->len, (int)i) != 0)
      goto nomem;
    /* what the cells are */
    c->kind = CSV_GENERIC;
    c->types = THBX_TYPE_STRING;
    if (r->shape) {
      const struct thbx_shape *leaf = thbx_shape_leaf(r->shape, c->name);
      if (leaf) {
        c->kind = csv_leaf_kind(leaf);
        c->types = leaf->types;
        c->item_types = leaf->items ? leaf->items->types : 0;
        c->rank = leaf->leaf_index;
      } else if (additional_path(r->shape, c->name)) {
        c->rank = (long)r->shape->nleaves + (long)i; /* strings, after the leaves */
      } else {
        unknown[nunknown++] = i; /* all are listed at once, after the loop */
        c->parent = 0;
        c->key = c->name;
        c->keylen = f->len;
        continue;
      }
    }
    /* the objects along the dotted path; generic names with an empty
     * segment ("a..b", ".x", "x.") are one key as they are */
    int parent = 0;
    const char *seg = c->name;
    int literal = !r->shape && (c->name[0] == '.' || c->name[f->len - 1] == '.' ||
                                strstr(c->name, "..") != NULL);
    const char *dot;
    while (!literal && (dot = strchr(seg, '.')) != NULL) {
      size_t plen = (size_t)(dot - c->name);
      if (csv_index_get(&names, c->name, plen) >= 0) {
        rc = header_error(r, st, p, f->start, err,
                          "column %zu: \"%s\" goes below another column's value", c->name, i + 1);
        goto done;
      }
      int id = csv_index_get(&prefixes, c->name, plen);
      if (id < 0) {
        id = new_obj(st, parent, seg, (size_t)(dot - seg));
        if (id < 0 || csv_index_put(&prefixes, c->name, plen, id) != 0)
          goto nomem;
      }
      parent = id;
      seg = dot + 1;
    }
    if (csv_index_get(&prefixes, c->name, f->len) >= 0) {
      rc = header_error(r, st, p, f->start, err,
                        "column %zu: \"%s\" is an object of another column", c->name, i + 1);
      goto done;
    }
    c->parent = parent;
    c->key = seg;
    c->keylen = (size_t)(c->name + f->len - seg);
  }
  if (nunknown) {
    rc = unknown_columns(r, st, p, unknown, nunknown, err);
    goto done;
  }
  loc_names_release(r->loc.names);
  if (!(r->loc.names = loc_names_new(n)))
    goto nomem;
  for (size_t i = 0; i < n; i++)
    if (loc_names_set(r->loc.names, i, st->cols[i].name) != 0)
      goto nomem;
  sort_order(st->order, n, st->cols);
  st->objval = calloc(st->nobjs, sizeof(*st->objval));
  if (!st->objval)
    goto nomem;
  goto done;
nomem:
  rc = reader_error(r, err, THBX_ENOMEM, st->line, 0, "out of memory");
done:
  thbx_hmap_free(&names);
  thbx_hmap_free(&prefixes);
  free(unknown);
  return rc;
}

/* --------------------------------------------------------------- rows */

static json_t *obj_for(struct csv_reader *st, int id) {
  if (st->objval[id])
    return st->objval[id];
  json_t *parent = obj_for(st, st->objs[id].parent);
  if (!parent)
    return NULL;
  json_t *o = json_object();
  if (!o || json_object_setn_new_nocheck(parent, st->objs[id].key, st->objs[id].keylen, o) != 0)
    return NULL;
  return st->objval[id] = o;
}

static int cell_error(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                      const struct field *f, const struct column *c, const char *why,
                      thbx_error_t *err) {
  long line, column;
  row_position(st, p, f->start, &line, &column);
  /* the cell is the value, the message names none (issue 12) */
  reader_error_value(r, field_text(st, p, f), f->len);
  int rc = reader_error(r, err, THBX_EPARSE, line, column, "is not %s (column \"%s\")",
                        why ? why : "readable", c->name);
  if (err) { /* the field: the column's dotted path as a JSON Pointer */
    thbx_buf_t ptr;
    thbx_buf_init(&ptr);
    for (const char *seg = c->name; seg;) {
      const char *dot = strchr(seg, '.');
      size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
      char part[THBX_ERROR_PATH_LENGTH];
      snprintf(part, sizeof(part), "%.*s", (int)n, seg);
      thbx_buf_pointer_append(&ptr, part);
      seg = dot ? dot + 1 : NULL;
    }
    if (ptr.data)
      thbx_strlcpy(err->instance_path, ptr.data, sizeof(err->instance_path));
    thbx_buf_free(&ptr);
  }
  return rc;
}

/* Note where each non-empty cell of the row is (line, column in characters),
 * in one pass over the row, for the record's locator. */
static int locate_cells(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p) {
  long line = st->line, col = 1;
  size_t at = 0;
  for (size_t i = 0; i < st->ncols && i < st->nfields; i++) {
    const struct field *f = &st->fields[i];
    /* eight bytes at a time while no line end is among them: a column per
     * byte that is not a UTF-8 continuation byte (10xxxxxx) */
    while (at + 8 <= f->start) {
      uint64_t w, nl;
      memcpy(&w, p + at, 8);
      nl = w ^ (ONES * '\n');
      if (((nl - ONES) & ~nl & HIGHS) != 0)
        break;
      col += 8 - __builtin_popcountll(w & ~(w << 1) & HIGHS);
      at += 8;
    }
    for (; at < f->start; at++) {
      if (p[at] == '\n')
        line++, col = 1;
      else if ((p[at] & 0xC0) != 0x80)
        col++;
    }
    if (f->len && reader_loc_column(&r->loc, i, line, col) != 0)
      return -1;
  }
  return 0;
}

/* A cell that does not parse as its type: kept as a string (so that the
 * JSON Schema says what is wrong, at the cell) and noted as a cell error. */
static int bad_cell(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                    const struct field *f, const struct column *c, size_t i, const char *why) {
  thbx_error_t e;
  cell_error(r, st, p, f, c, why, &e);
  if (r->loc.names && i < r->loc.names->n)
    thbx_strlcpy(e.instance_path, r->loc.names->pointer[i], sizeof(e.instance_path));
  return reader_add_cell_error(r, &e);
}

static int row_to_record(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                         json_t **out, thbx_error_t *err) {
  json_t *root = json_object();
  if (!root)
    return reader_error(r, err, THBX_ENOMEM, st->line, 1, "out of memory");
  if (locate_cells(r, st, p) != 0) {
    json_decref(root);
    return reader_error(r, err, THBX_ENOMEM, st->line, 1, "out of memory");
  }
  memset(st->objval, 0, st->nobjs * sizeof(*st->objval));
  st->objval[0] = root;
  for (size_t k = 0; k < st->ncols; k++) {
    size_t i = st->order[k];
    const struct field *f = &st->fields[i];
    if (f->len == 0)
      continue;
    const struct column *c = &st->cols[i];
    const char *s = field_text(st, p, f);
    const char *why = NULL;
    json_t *v;
    switch (c->kind) {
    case CSV_STRING:
    case CSV_GENERIC: v = json_stringn_nocheck(s, f->len); break;
    case CSV_LIST: v = csv_list_parse(c->item_types, s, f->len, st->sep, &st->items, &why); break;
    default: v = csv_scalar_parse(c->types, s, f->len, &why); break;
    }
    if (!v) {
      if (bad_cell(r, st, p, f, c, i, why) != THBX_OK || !(v = json_stringn_nocheck(s, f->len))) {
        json_decref(root);
        return reader_error(r, err, THBX_ENOMEM, st->line, 1, "out of memory");
      }
    }
    json_t *parent = obj_for(st, c->parent);
    if (!parent || json_object_setn_new_nocheck(parent, c->key, c->keylen, v) != 0) {
      json_decref(root);
      return reader_error(r, err, THBX_ENOMEM, st->line, 1, "out of memory");
    }
  }
  *out = root;
  return THBX_OK;
}

/* The first problem of the scanned row, or of its text (UTF-8). */
static int row_check(struct thbx_reader *r, struct csv_reader *st, const unsigned char *p,
                     int status, thbx_error_t *err) {
  long line, column;
  if (st->row_error) {
    row_position(st, p, st->row_error_at, &line, &column);
    if (st->too_many_columns)
      return reader_error(r, err, status, line, column, "row has more than %zu columns",
                          r->opt.limits.max_columns);
    if (strcmp(st->row_error, "field longer than the limit") == 0)
      return reader_error(r, err, status, line, column, "field longer than %zu bytes",
                          r->opt.limits.max_field_bytes);
    return reader_error(r, err, status, line, column, "%s", st->row_error);
  }
  if (st->rowlen > r->opt.limits.max_record_bytes)
    return reader_error(r, err, status, st->line, 1, "row longer than %zu bytes",
                        r->opt.limits.max_record_bytes);
  if (reader_utf8_bad(p, st->rowlen) < st->rowlen) {
    /* not a broken record but an input in another encoding: refused whole
     * (THBX_EFATAL), with the encoding it looks like */
    size_t at = reader_utf8_bad(p, st->rowlen);
    row_position(st, p, at, &line, &column);
    char msg[THBX_ERROR_TEXT_LENGTH];
    reader_not_utf8(p, st->rowlen, at, msg, sizeof(msg));
    return reader_error(r, err, THBX_EFATAL, line, column, "%s", msg);
  }
  return THBX_OK;
}

/* ------------------------------------------------------ the delimiter */

static void set_delimiter(struct csv_reader *st, char d) {
  st->delim = d;
  st->stop_plain[(unsigned char)d] = 1;
}

/* No delimiter given: ',' unless the header line (outside quotes) has more
 * ';' (what Excel writes where the decimal separator is a comma) or tabs. */
static int detect_delimiter(struct thbx_reader *r, struct csv_reader *st) {
  reader_input_t *in = &r->in;
  size_t want = 4096;
  size_t commas = 0, semis = 0, tabs = 0;
  for (;;) {
    long n = reader_input_fill(in, want);
    if (n < 0)
      return -1;
    const unsigned char *p = in->buf + in->pos;
    int inq = 0, ended = 0;
    commas = semis = tabs = 0;
    for (long i = 0; i < n && !ended; i++) {
      if (p[i] == '"')
        inq = !inq;
      else if (!inq && p[i] == '\n')
        ended = 1;
      else if (!inq)
        commas += p[i] == ',', semis += p[i] == ';', tabs += p[i] == '\t';
    }
    if (ended || in->eof || (size_t)n >= 65536)
      break;
    want = (size_t)n * 2;
  }
  char d = ',';
  if (semis > commas && semis >= tabs)
    d = ';';
  else if (tabs > commas && tabs > semis)
    d = '\t';
  set_delimiter(st, d);
  if (r->opt.list_separator == d)
    return 1;
  return 0;
}

/* A row of empty, unquoted cells only (",,,"): what spreadsheets leave. */
static int only_delimiters(const struct csv_reader *st) {
  if (st->nfields < 2)
    return 0;
  for (size_t i = 0; i < st->nfields; i++)
    if (st->fields[i].len || st->fields[i].quoted)
      return 0;
  return 1;
}

static int csv_next(struct thbx_reader *r, thbx_record_t *rec, thbx_error_t *err) {
  struct csv_reader *st = r->state;
  reader_input_t *in = &r->in;
  if (!st->delim) {
    int d = detect_delimiter(r, st);
    if (d < 0)
      return reader_error(r, err, THBX_EIO, 1, 0, "cannot read: %s", reader_input_strerror(in));
    if (d > 0)
      return reader_error(r, err, THBX_EFATAL, 1, 1,
                          "the header is separated by '%c', which is also the list separator: "
                          "give --delimiter and --list-sep",
                          st->delim);
  }
  for (;;) {
    int rc = next_row(r, st);
    if (rc == ROW_EOF)
      return THBX_EOF;
    if (rc == ROW_IO)
      return reader_error(r, err, in->err_no == ENOMEM ? THBX_ENOMEM : THBX_EIO, st->line, 0,
                          "cannot read: %s", reader_input_strerror(in));
    if (rc == ROW_TOOBIG) {
      long line = st->line;
      int status = st->have_header ? THBX_EPARSE : THBX_EFATAL;
      if (skip_row(r, st) == ROW_IO)
        return reader_error(r, err, THBX_EIO, st->line, 0, "cannot read: %s",
                            reader_input_strerror(in));
      return reader_error(r, err, status, line, 1, "row longer than %zu bytes",
                          r->opt.limits.max_record_bytes);
    }
    const unsigned char *p = in->buf + in->pos;
    long line = st->line;
    /* blank lines are no rows */
    if (st->nfields == 1 && st->fields[0].len == 0 && !st->fields[0].quoted && !st->row_error) {
      in->pos += st->rowlen;
      st->line += st->rownl;
      continue;
    }
    if (!st->have_header) {
      if (thbx_buf_append(&r->header, (const char *)p, st->rowlen) != 0)
        return reader_error(r, err, THBX_ENOMEM, line, 0, "out of memory");
      rc = row_check(r, st, p, THBX_EFATAL, err);
      if (rc == THBX_OK)
        rc = setup_columns(r, st, p, err);
      in->pos += st->rowlen;
      st->line += st->rownl;
      if (rc != THBX_OK)
        return rc;
      st->have_header = 1;
      continue;
    }
    if (thbx_buf_append(&r->raw, (const char *)p, st->rowlen) != 0)
      return reader_error(r, err, THBX_ENOMEM, line, 0, "out of memory");
    rec->line = line;
    rec->column = 1;
    rc = row_check(r, st, p, THBX_EPARSE, err);
    if (rc == THBX_OK && only_delimiters(st)) {
      /* not a record: skipped, with a warning (never an empty {} record) */
      thbx_buf_reset(&r->raw);
      in->pos += st->rowlen;
      st->line += st->rownl;
      reader_warning(r, line, 1, "a row of nothing but delimiters: skipped");
      continue;
    }
    if (rc == THBX_OK && st->nfields > st->ncols && st->nfields <= st->ncols + st->ignored) {
      for (size_t i = st->ncols; i < st->nfields && rc == THBX_OK; i++)
        if (st->fields[i].len || st->fields[i].quoted) {
          long l, c;
          row_position(st, p, st->fields[i].start, &l, &c);
          rc = reader_error(r, err, THBX_EPARSE, l, c,
                            "a value in column %zu, which has no name in the header", i + 1);
        }
    } else if (rc == THBX_OK && st->nfields != st->ncols) {
      rc = reader_error(r, err, THBX_EPARSE, line, 1, "row has %zu field%s, the header has %zu",
                        st->nfields, st->nfields == 1 ? "" : "s", st->ncols);
    }
    json_t *value = NULL;
    if (rc == THBX_OK)
      rc = row_to_record(r, st, p, &value, err);
    in->pos += st->rowlen;
    st->line += st->rownl;
    if (rc != THBX_OK)
      return rc;
    rec->value = value;
    return THBX_OK;
  }
}

/* ------------------------------------------------------------ open/free */

static int csv_open(struct thbx_reader *r, thbx_error_t *err) {
  char d = r->opt.delimiter, sep = r->opt.list_separator;
  if (d == '"' || d == '\r' || d == '\n')
    return thbx_error_set(err, THBX_EINVAL, "the CSV delimiter cannot be a quote or a line end");
  if (sep == '\\' || sep == '\0' || sep == d)
    return thbx_error_set(err, THBX_EINVAL,
                          "the list separator cannot be a backslash or the delimiter");
  struct csv_reader *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  st->sep = sep;
  st->line = 1;
  if (d)
    set_delimiter(st, d);
  st->stop_plain['\n'] = st->stop_plain['\r'] = st->stop_plain[0] = 1;
  st->stop_quoted['"'] = st->stop_quoted['\n'] = st->stop_quoted[0] = 1;
  thbx_buf_init(&st->scratch);
  thbx_buf_init(&st->items);
  r->state = st;
  return THBX_OK;
}

static void csv_free(struct thbx_reader *r) {
  struct csv_reader *st = r->state;
  if (!st)
    return;
  for (size_t i = 0; i < st->ncols; i++)
    free(st->cols[i].name);
  free(st->cols);
  free(st->order);
  free(st->objs);
  free(st->objval);
  free(st->fields);
  thbx_buf_free(&st->scratch);
  thbx_buf_free(&st->items);
  free(st);
  r->state = NULL;
}

const struct reader_ops reader_csv_ops = {csv_open, csv_next, csv_free};
