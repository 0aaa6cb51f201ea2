/*
 * writer_json.c - JSON output: an array of records, indented by 2 spaces
 * like jq (or one line with compact), properties in the profile's schema
 * order. Also the JSON spelling helpers of writer.h that every writer uses
 * (strings, numbers, values).
 *
 * We format into the writer's buffer ourselves instead of json_dumpb: it
 * lets us order keys by the schema without copying the record, and it is
 * faster (docs/performance.md).
 */
#include "writer.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- scalars */

static const char hexdigits[] = "0123456789abcdef";

/* The writers append a few bytes at a time: the buffer's functions are
 * out of line (core/), these are not (they were 10% of NDJSON -> JSON). */
static inline int put(thbx_buf_t *b, const char *s, size_t n) {
  if (b->cap - b->len <= n && thbx_buf_reserve(b, n) != 0)
    return -1;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

static inline int putch(thbx_buf_t *b, char c) {
  if (b->cap - b->len <= 1 && thbx_buf_reserve(b, 1) != 0)
    return -1;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Nonzero if one of the 8 bytes of w needs a look: below 0x20, '"', '\\',
 * or (with high = HIGHS) 0x80 and above. Exact in the "none" case, which is
 * all that is used: a word that needs a look is then gone through byte by
 * byte. */
static inline uint64_t word_needs_look(uint64_t w, uint64_t high) {
  uint64_t ctl = (w - ONES * 0x20) & ~w;
  uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');
  return ((ctl | ((q - ONES) & ~q) | ((bs - ONES) & ~bs)) & HIGHS) | (w & high);
}

/* 1: escaped, 2: the first byte >= 0x80 starts the UTF-8 check */
static const unsigned char byte_look[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* A JSON string; check_utf8: refuse one that is not valid UTF-8 (-2) before
 * anything else is wrong with it. Words of 8 bytes that need no look are
 * skipped; the last bytes of a string of 8 or more as one word that
 * overlaps the one before; the bytes of a word that needs a look, and
 * strings shorter than 8, through byte_look. */
static int spell_string(thbx_buf_t *b, const char *s, size_t len, int check_utf8) {
  if (b->cap - b->len <= len + 2 && thbx_buf_reserve(b, len + 2) != 0)
    return -1;
  b->data[b->len++] = '"';
  uint64_t high = check_utf8 ? HIGHS : 0;
  size_t run = 0; /* start of the bytes not yet copied */
  size_t i = 0;
  while (i < len) {
    uint64_t w;
    size_t stop;
    if (len - i >= 8) {
      memcpy(&w, s + i, 8);
      if (!word_needs_look(w, high)) {
        i += 8;
        continue;
      }
      stop = i + 8;
    } else {
      if (len >= 8) {
        memcpy(&w, s + len - 8, 8);
        if (!word_needs_look(w, high))
          break; /* the rest is plain */
      }
      stop = len;
    }
    for (; i < stop; i++) {
      unsigned char c = (unsigned char)s[i];
      unsigned char look = byte_look[c];
      if (!look)
        continue;
      if (look == 2) {
        if (high) {
          /* the rest once, from the first byte of a multibyte sequence */
          if (!thbx_utf8_valid(s + i, len - i))
            return -2;
          high = 0;
        }
        continue;
      }
      if (put(b, s + run, i - run) != 0)
        return -1;
      char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
      size_t n = 2;
      switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\n': esc[1] = 'n'; break;
      case '\t': esc[1] = 't'; break;
      case '\r': esc[1] = 'r'; break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hexdigits[c >> 4];
        esc[5] = hexdigits[c & 15];
        n = 6;
      }
      if (put(b, esc, n) != 0)
        return -1;
      run = i + 1;
    }
  }
  if (put(b, s + run, len - run) != 0 || putch(b, '"') != 0)
    return -1;
  return 0;
}

int writer_json_string(thbx_buf_t *b, const char *s, size_t len) {
  return spell_string(b, s, len, 0);
}

/* "%lld" by hand: snprintf was most of the cost of an integer. */
static size_t format_integer(char *out, json_int_t v) {
  char tmp[24];
  size_t n = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t k = 0;
  if (v < 0)
    out[k++] = '-';
  while (n)
    out[k++] = tmp[--n];
  out[k] = '\0';
  return k;
}

/* Shortest "%.Ng" that reads back as the same double, always spelled as a
 * real (jansson reads "3" as an integer, so 3.0 stays "3.0"). */
static int format_real(char *out, size_t size, double d) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(out, size, "%.*g", prec, d);
    if (strtod(out, NULL) == d)
      break;
  }
  if (!strpbrk(out, ".eEn")) { /* n: nan/inf never get here, but stay safe */
    size_t n = strlen(out);
    if (n + 3 <= size)
      memcpy(out + n, ".0", 3);
  }
  return 0;
}

int writer_json_number(thbx_buf_t *b, const json_t *number) {
  char tmp[40];
  if (json_is_integer(number)) {
    size_t n = format_integer(tmp, json_integer_value(number));
    return put(b, tmp, n);
  } else {
    double d = json_real_value(number);
    if (!isfinite(d))
      return -1;
    format_real(tmp, sizeof(tmp), d);
  }
  return thbx_buf_puts(b, tmp);
}

/* ------------------------------------------------------------------- trees */

struct tree {
  thbx_buf_t *b;
  int indent;
  thbx_error_t *err;
  int bad;               /* THBX_EPARSE: err says why */
  struct thbx_writer *w; /* its keys: property names as spelled; NULL: none */
};

/* The names of the schema's properties as spelled ("name", escaped), by
 * shape: a record spells the same few dozen names over and over (spelling
 * them was a third of spell_string). Open addressing on the shape's
 * address; once 3/4 full, names are spelled each time. One per writer, and
 * writers are per thread: no lock. */
#define KEYS 512

struct writer_keys {
  const struct thbx_shape *shape[KEYS];
  char *text[KEYS];
  size_t len[KEYS];
  size_t n;
};

static size_t keys_slot(const struct writer_keys *k, const struct thbx_shape *shape) {
  size_t h = (size_t)(((uint64_t)(uintptr_t)shape >> 4) * 0x9E3779B97F4A7C15ULL >> 55);
  while (k->shape[h] && k->shape[h] != shape)
    h = (h + 1) & (KEYS - 1);
  return h;
}

static void keys_put(struct thbx_writer *w, const struct thbx_shape *shape, const char *text,
                     size_t len) {
  if (!w->keys && !(w->keys = calloc(1, sizeof(*w->keys))))
    return;
  struct writer_keys *k = w->keys;
  if (k->n >= KEYS / 4 * 3)
    return;
  char *copy = malloc(len);
  if (!copy)
    return;
  memcpy(copy, text, len);
  size_t h = keys_slot(k, shape);
  k->shape[h] = shape;
  k->text[h] = copy;
  k->len[h] = len;
  k->n++;
}

void writer_keys_free(struct writer_keys *k) {
  if (!k)
    return;
  for (size_t i = 0; i < KEYS; i++)
    free(k->text[i]);
  free(k);
}

static int newline(struct tree *t, int level) {
  if (!t->indent)
    return 0;
  if (thbx_buf_reserve(t->b, 1 + (size_t)level * 2) != 0)
    return -1;
  t->b->data[t->b->len++] = '\n';
  memset(t->b->data + t->b->len, ' ', (size_t)level * 2);
  t->b->len += (size_t)level * 2;
  t->b->data[t->b->len] = '\0';
  return 0;
}

static int put_string(struct tree *t, const char *s, size_t len) {
  int rc = spell_string(t->b, s, len, 1);
  if (rc == -2)
    t->bad = thbx_error_set(t->err, THBX_EPARSE, "a string is not valid UTF-8");
  return rc == 0 ? 0 : -1;
}

static int tree(struct tree *t, const json_t *v, const struct thbx_shape *shape, int level);

static int member(struct tree *t, int *first, const char *key, size_t klen, const json_t *v,
                  const struct thbx_shape *shape, int level) {
  if (!*first && putch(t->b, ',') != 0)
    return -1;
  *first = 0;
  if (newline(t, level + 1) != 0)
    return -1;
  /* with a shape, key is its property's name */
  struct writer_keys *k = shape && t->w ? t->w->keys : NULL;
  size_t h = k ? keys_slot(k, shape) : 0;
  if (k && k->shape[h]) {
    if (put(t->b, k->text[h], k->len[h]) != 0)
      return -1;
  } else {
    size_t mark = t->b->len;
    if (put_string(t, key, klen) != 0)
      return -1;
    if (shape && t->w)
      keys_put(t->w, shape, t->b->data + mark, t->b->len - mark);
  }
  if (put(t->b, t->indent ? ": " : ":", t->indent ? 2 : 1) != 0)
    return -1;
  return tree(t, v, shape, level + 1);
}

/* An object's members in schema order, those the schema does not name
 * after them in the record's order: each member's place from the shape
 * (a binary search) and a sort of the few members, instead of a hash
 * lookup for every property the schema names (most are absent). */
#define SORT_MAX 64

struct placed {
  size_t order; /* index in shape->props; nprops + record order if unnamed */
  const char *key;
  size_t klen;
  const json_t *value;
  const struct thbx_shape *shape;
};

static size_t prop_index(const struct thbx_shape *shape, const struct thbx_shape *p) {
  for (size_t i = 0; i < shape->nprops; i++)
    if (shape->props[i] == p)
      return i;
  return shape->nprops; /* not reached: p is one of them */
}

/* key (klen bytes, maybe with NULs) is the name of a property */
static inline int name_is(const char *name, const char *key, size_t klen) {
  for (size_t i = 0; i < klen; i++)
    if (name[i] != key[i] || !name[i])
      return 0;
  return name[klen] == '\0';
}

static int members_sorted(struct tree *t, const json_t *v, const struct thbx_shape *shape,
                          int level, int *first) {
  struct placed m[SORT_MAX];
  size_t n = 0;
  /* records mostly come in schema order already (thbx wrote them, or the
   * CSV columns are the schema's leaves): look for each key from the last
   * one's place on, and search only once that fails */
  size_t cursor = 0;
  int in_order = 1;
  for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
    struct placed x;
    x.key = json_object_iter_key(it);
    x.klen = json_object_iter_key_len(it);
    x.value = json_object_iter_value(it);
    x.shape = NULL;
    if (in_order) {
      size_t j = cursor;
      while (j < shape->nprops && !name_is(shape->props[j]->name, x.key, x.klen))
        j++;
      if (j < shape->nprops) {
        x.shape = shape->props[j];
        x.order = j;
        cursor = j + 1;
      } else {
        in_order = 0;
      }
    }
    if (!x.shape) {
      x.shape = thbx_shape_prop(shape, x.key, x.klen);
      x.order = x.shape ? prop_index(shape, x.shape) : shape->nprops + n;
    }
    size_t j = n++;
    for (; j > 0 && m[j - 1].order > x.order; j--)
      m[j] = m[j - 1];
    m[j] = x;
  }
  for (size_t i = 0; i < n; i++)
    if (member(t, first, m[i].key, m[i].klen, m[i].value, m[i].shape, level) != 0)
      return -1;
  return 0;
}

static int object(struct tree *t, const json_t *v, const struct thbx_shape *shape, int level) {
  if (json_object_size(v) == 0)
    return put(t->b, "{}", 2);
  if (putch(t->b, '{') != 0)
    return -1;
  int first = 1;
  if (shape && shape->nprops && json_object_size(v) <= SORT_MAX) {
    if (members_sorted(t, v, shape, level, &first) != 0)
      return -1;
  } else if (shape && shape->nprops) {
    size_t seen = 0;
    for (size_t i = 0; i < shape->nprops; i++) {
      const struct thbx_shape *p = shape->props[i];
      const json_t *child = json_object_get(v, p->name);
      if (!child)
        continue;
      seen++;
      if (member(t, &first, p->name, strlen(p->name), child, p, level) != 0)
        return -1;
    }
    if (seen < json_object_size(v)) {
      /* properties the schema does not name, in the record's order */
      for (void *it = json_object_iter((json_t *)v); it;
           it = json_object_iter_next((json_t *)v, it)) {
        const char *k = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        if (thbx_shape_prop(shape, k, klen))
          continue;
        if (member(t, &first, k, klen, json_object_iter_value(it), NULL, level) != 0)
          return -1;
      }
    }
  } else {
    for (void *it = json_object_iter((json_t *)v); it;
         it = json_object_iter_next((json_t *)v, it)) {
      if (member(t, &first, json_object_iter_key(it), json_object_iter_key_len(it),
                 json_object_iter_value(it), NULL, level) != 0)
        return -1;
    }
  }
  if (newline(t, level) != 0)
    return -1;
  return putch(t->b, '}');
}

static int array(struct tree *t, const json_t *v, const struct thbx_shape *shape, int level) {
  size_t n = json_array_size(v);
  if (n == 0)
    return put(t->b, "[]", 2);
  const struct thbx_shape *items = shape ? shape->items : NULL;
  if (putch(t->b, '[') != 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (i && putch(t->b, ',') != 0)
      return -1;
    if (newline(t, level + 1) != 0 || tree(t, json_array_get(v, i), items, level + 1) != 0)
      return -1;
  }
  if (newline(t, level) != 0)
    return -1;
  return putch(t->b, ']');
}

static int tree(struct tree *t, const json_t *v, const struct thbx_shape *shape, int level) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return object(t, v, shape, level);
  case JSON_ARRAY: return array(t, v, shape, level);
  case JSON_STRING: return put_string(t, json_string_value(v), json_string_length(v));
  case JSON_INTEGER:
  case JSON_REAL:
    if (writer_json_number(t->b, v) != 0) {
      t->bad = thbx_error_set(t->err, THBX_EPARSE, "a number is not finite");
      return -1;
    }
    return 0;
  case JSON_TRUE: return put(t->b, "true", 4);
  case JSON_FALSE: return put(t->b, "false", 5);
  case JSON_NULL: return put(t->b, "null", 4);
  }
  return -1;
}

static int spell_tree(struct thbx_writer *w, thbx_buf_t *b, const json_t *value,
                      const struct thbx_shape *shape, int indent, int level, thbx_error_t *err) {
  struct tree t = {b, indent, err, 0, w};
  if (tree(&t, value, shape, level) == 0)
    return THBX_OK;
  return t.bad ? t.bad : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

int writer_json_tree(thbx_buf_t *b, const json_t *value, const struct thbx_shape *shape, int indent,
                     int level, thbx_error_t *err) {
  return spell_tree(NULL, b, value, shape, indent, level, err);
}

int writer_json_record(struct thbx_writer *w, thbx_buf_t *b, const json_t *record, int indent,
                       int level, thbx_error_t *err) {
  return spell_tree(w, b, record, w->shape, indent, level, err);
}

int writer_json_value(thbx_buf_t *b, const json_t *value) {
  return writer_json_tree(b, value, NULL, 0, 0, NULL) == THBX_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ writer */

static int json_write(struct thbx_writer *w, const json_t *record, thbx_error_t *err) {
  int indent = !w->opt.compact;
  size_t mark = w->out.len;
  const char *sep = w->count == 0 ? (indent ? "[\n  " : "[") : (indent ? ",\n  " : ",");
  if (thbx_buf_puts(&w->out, sep) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  int rc = writer_json_record(w, &w->out, record, indent, 1, err);
  if (rc != THBX_OK)
    w->out.len = mark;
  return rc;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int json_write_raw(struct thbx_writer *w, const char *data, size_t length,
                          thbx_error_t *err) {
  while (length && is_blank(*data))
    data++, length--;
  while (length && is_blank(data[length - 1]))
    length--;
  const char *sep = w->count == 0 ? (w->opt.compact ? "[" : "[\n") : (w->opt.compact ? "," : ",\n");
  if (thbx_buf_puts(&w->out, sep) != 0 || thbx_buf_append(&w->out, data, length) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static int json_end(struct thbx_writer *w, thbx_error_t *err) {
  const char *tail = w->count == 0 ? "[]\n" : (w->opt.compact ? "]\n" : "\n]\n");
  if (thbx_buf_puts(&w->out, tail) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

const struct writer_ops writer_json_ops = {
    NULL, NULL, json_write, json_end, NULL, json_write_raw,
};
