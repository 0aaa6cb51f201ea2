/*
 * locator.c - where each field of a record came from, so that an error
 * found later (JSON Schema, XSD, a mapping) points at the field rather
 * than at the record: a CSV cell (line, column, and the CSV column's name),
 * a JSON member's value, an XML element.
 *
 * CSV and XML readers note an entry per value while they read a record
 * (instance path -> line, column, name); thbx_reader_locator() copies them
 * out for the record's item. JSON and NDJSON need no entries: the record's
 * own bytes are kept anyway, and thbx_locate_json() finds a path in them
 * when an error asks, so the happy path pays nothing.
 *
 * Columns count characters (UTF-8 sequences), 1-based, in every format; a
 * tab is one character (docs/convert.md).
 */
#include "reader.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct loc_entry {
  const char *pointer, *name;
  long line, col;
};

struct thbx_locator {
  long line, col; /* the record's start */
  struct loc_entry *e;
  size_t n;
  struct loc_names *names; /* CSV: what the entries point into */
  char *strings;           /* XML: what the entries point into */
};

/* ------------------------------------------------------------ building */

void reader_loc_reset(struct reader_loc *b) {
  b->n = 0;
  thbx_buf_reset(&b->strings);
}

void reader_loc_free(struct reader_loc *b) {
  free(b->e);
  thbx_buf_free(&b->strings);
  loc_names_release(b->names);
  memset(b, 0, sizeof(*b));
}

static int reserve(struct reader_loc *b) {
  if (b->n < b->cap)
    return 0;
  size_t cap = b->cap ? b->cap * 2 : 32;
  struct reader_loc_entry *e = realloc(b->e, cap * sizeof(*e));
  if (!e)
    return -1;
  b->e = e;
  b->cap = cap;
  return 0;
}

int reader_loc_column(struct reader_loc *b, size_t column, long line, long col) {
  if (reserve(b) != 0)
    return -1;
  b->e[b->n++] = (struct reader_loc_entry){(long)column, 0, 0, line, col};
  return 0;
}

int reader_loc_add(struct reader_loc *b, const char *pointer, size_t plen, const char *name,
                   long line, long col) {
  if (reserve(b) != 0)
    return -1;
  size_t p = b->strings.len;
  if (thbx_buf_append(&b->strings, pointer, plen) != 0 || thbx_buf_putc(&b->strings, '\0') != 0)
    return -1;
  size_t q = b->strings.len;
  if (thbx_buf_puts(&b->strings, name ? name : "") != 0 || thbx_buf_putc(&b->strings, '\0') != 0)
    return -1;
  b->e[b->n++] = (struct reader_loc_entry){-1, p, name ? q : (size_t)-1, line, col};
  return 0;
}

struct loc_names *loc_names_new(size_t n) {
  struct loc_names *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  atomic_init(&t->refs, 1);
  t->n = n;
  t->pointer = calloc(n ? n : 1, sizeof(char *));
  t->name = calloc(n ? n : 1, sizeof(char *));
  if (!t->pointer || !t->name) {
    loc_names_release(t);
    return NULL;
  }
  return t;
}

int loc_names_set(struct loc_names *t, size_t i, const char *dotted) {
  size_t n = strlen(dotted);
  t->name[i] = strdup(dotted);
  t->pointer[i] = malloc(2 * n + 2);
  if (!t->name[i] || !t->pointer[i])
    return -1;
  /* "person.sex" -> "/person/sex", escaping ~ and / (RFC 6901) */
  char *d = t->pointer[i];
  *d++ = '/';
  for (const char *s = dotted; *s; s++) {
    if (*s == '.') {
      *d++ = '/';
    } else if (*s == '~' || *s == '/') {
      *d++ = '~';
      *d++ = *s == '~' ? '0' : '1';
    } else {
      *d++ = *s;
    }
  }
  *d = '\0';
  return 0;
}

void loc_names_release(struct loc_names *t) {
  if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
    return;
  for (size_t i = 0; i < t->n; i++) {
    free(t->pointer[i]);
    free(t->name[i]);
  }
  free(t->pointer);
  free(t->name);
  free(t);
}

/* Is `prefix` the pointer `path` or one of its ancestors? */
static int is_prefix(const char *prefix, const char *path) {
  size_t n = strlen(prefix);
  return strncmp(prefix, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ------------------------------------------------------------ public */

thbx_locator_t *thbx_reader_locator(const thbx_reader_t *r) {
  if (!r || !r->loc.n)
    return NULL;
  const struct reader_loc *b = &r->loc;
  thbx_locator_t *l = calloc(1, sizeof(*l));
  if (!l)
    return NULL;
  l->line = r->rec_line;
  l->col = r->rec_col;
  l->e = malloc(b->n * sizeof(*l->e));
  if (b->strings.len && (l->strings = malloc(b->strings.len)) != NULL)
    memcpy(l->strings, b->strings.data, b->strings.len);
  if (!l->e || (b->strings.len && !l->strings)) {
    thbx_locator_free(l);
    return NULL;
  }
  for (size_t i = 0; i < b->n; i++) {
    const struct reader_loc_entry *s = &b->e[i];
    struct loc_entry *d = &l->e[l->n];
    if (s->column >= 0) {
      if (!b->names || (size_t)s->column >= b->names->n)
        continue;
      d->pointer = b->names->pointer[s->column];
      d->name = b->names->name[s->column];
    } else {
      d->pointer = l->strings + s->pointer;
      d->name = s->name == (size_t)-1 ? NULL : l->strings + s->name;
    }
    d->line = s->line;
    d->col = s->col;
    l->n++;
  }
  if (b->names) {
    atomic_fetch_add(&b->names->refs, 1);
    l->names = b->names;
  }
  return l;
}

void thbx_locator_free(thbx_locator_t *l) {
  if (!l)
    return;
  loc_names_release(l->names);
  free(l->strings);
  free(l->e);
  free(l);
}

int thbx_locator_find(const thbx_locator_t *l, const char *path, long *line, long *column,
                      const char **field) {
  if (!l || !path)
    return 0;
  const struct loc_entry *best = NULL;
  size_t bestlen = 0;
  for (size_t i = 0; i < l->n; i++) {
    const struct loc_entry *e = &l->e[i];
    size_t n = strlen(e->pointer);
    if (is_prefix(e->pointer, path) && (!best || n > bestlen)) {
      best = e;
      bestlen = n;
    }
  }
  int inside = 0;
  if (!best) {
    /* an object's error (a required member missing): its first member's
     * place, but not its name (the error is not that member's) */
    for (size_t i = 0; i < l->n && !best; i++)
      if (*path && is_prefix(path, l->e[i].pointer))
        best = &l->e[i];
    inside = 1;
  }
  if (!best)
    return 0;
  if (line)
    *line = best->line;
  if (column)
    *column = best->col;
  if (field)
    *field = inside ? NULL : best->name;
  return 1;
}

int thbx_reader_locate(const thbx_reader_t *r, const char *path, long *line, long *column,
                       const char **field) {
  if (!r || !path)
    return 0;
  if (r->format == THBX_FORMAT_JSON || r->format == THBX_FORMAT_NDJSON) {
    if (field)
      *field = NULL;
    return r->raw.data &&
           thbx_locate_json(r->raw.data, r->raw.len, r->rec_line, r->rec_col, path, line, column);
  }
  /* a locator over the reader's entries, without copying them */
  const struct reader_loc *b = &r->loc;
  const struct reader_loc_entry *best = NULL;
  size_t bestlen = 0;
  int pass = 0;
  for (; pass < 2 && !best; pass++)
    for (size_t i = 0; i < b->n; i++) {
      const struct reader_loc_entry *e = &b->e[i];
      const char *p =
          e->column >= 0
              ? (b->names && (size_t)e->column < b->names->n ? b->names->pointer[e->column] : NULL)
              : b->strings.data + e->pointer;
      if (!p)
        continue;
      size_t n = strlen(p);
      if (pass == 0 && is_prefix(p, path) && (!best || n > bestlen)) {
        best = e;
        bestlen = n;
      } else if (pass == 1 && *path && is_prefix(path, p)) {
        best = e;
        break;
      }
    }
  if (!best)
    return 0;
  if (line)
    *line = best->line;
  if (column)
    *column = best->col;
  if (field && pass > 1)
    *field = NULL; /* found inside the object: not that member's error */
  else if (field)
    *field = best->column >= 0          ? b->names->name[best->column]
             : best->name == (size_t)-1 ? NULL
                                        : b->strings.data + best->name;
  return 1;
}

/* ------------------------------------------------------------ JSON text */

struct jscan {
  const char *p, *end;
  long line, col;
};

static void adv(struct jscan *s) {
  unsigned char c = (unsigned char)*s->p++;
  if (c == '\n') {
    s->line++;
    s->col = 1;
  } else if ((c & 0xC0) != 0x80) {
    s->col++;
  }
}

static void ws(struct jscan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    adv(s);
}

/* Skip a string token (at its quote). */
static void skip_string(struct jscan *s) {
  adv(s);
  while (s->p < s->end && *s->p != '"') {
    if (*s->p == '\\' && s->p + 1 < s->end)
      adv(s);
    adv(s);
  }
  if (s->p < s->end)
    adv(s);
}

static void skip_value(struct jscan *s) {
  ws(s);
  if (s->p >= s->end)
    return;
  if (*s->p == '"') {
    skip_string(s);
    return;
  }
  if (*s->p == '{' || *s->p == '[') {
    int depth = 0;
    while (s->p < s->end) {
      char c = *s->p;
      if (c == '"') {
        skip_string(s);
        continue;
      }
      adv(s);
      if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        return;
    }
    return;
  }
  while (s->p < s->end && !strchr(",}] \t\r\n", *s->p))
    adv(s);
}

static int hexv(char c) { return thbx_hex_digit(c); }

/* Does the string token at s->p equal the (unescaped) pointer token [t, t+n)?
 * Moves past the token. */
static int key_equals(struct jscan *s, const char *t, size_t n) {
  /* most keys have no escape: compared where they stand, nothing copied
   * (a key holds no newline, so only the column moves) */
  const char *q = s->p + 1;
  while (q < s->end && *q != '"' && *q != '\\')
    q++;
  if (q < s->end && *q == '"') {
    int eq = (size_t)(q - (s->p + 1)) == n && (n == 0 || memcmp(s->p + 1, t, n) == 0);
    while (s->p <= q)
      adv(s);
    return eq;
  }
  thbx_buf_t k;
  thbx_buf_init(&k);
  adv(s);
  while (s->p < s->end && *s->p != '"') {
    char c = *s->p;
    if (c == '\\' && s->p + 1 < s->end) {
      adv(s);
      char e = *s->p;
      adv(s);
      unsigned v = 0;
      switch (e) {
      case 'n': thbx_buf_putc(&k, '\n'); break;
      case 't': thbx_buf_putc(&k, '\t'); break;
      case 'r': thbx_buf_putc(&k, '\r'); break;
      case 'b': thbx_buf_putc(&k, '\b'); break;
      case 'f': thbx_buf_putc(&k, '\f'); break;
      case 'u':
        for (int i = 0; i < 4 && s->p < s->end; i++) {
          int h = hexv(*s->p);
          v = v * 16 + (unsigned)(h < 0 ? 0 : h);
          adv(s);
        }
        if (v < 0x80) {
          thbx_buf_putc(&k, (char)v);
        } else if (v < 0x800) {
          thbx_buf_putc(&k, (char)(0xC0 | (v >> 6)));
          thbx_buf_putc(&k, (char)(0x80 | (v & 0x3F)));
        } else {
          thbx_buf_putc(&k, (char)(0xE0 | (v >> 12)));
          thbx_buf_putc(&k, (char)(0x80 | ((v >> 6) & 0x3F)));
          thbx_buf_putc(&k, (char)(0x80 | (v & 0x3F)));
        }
        break;
      default: thbx_buf_putc(&k, e); break;
      }
      continue;
    }
    thbx_buf_putc(&k, c);
    adv(s);
  }
  if (s->p < s->end)
    adv(s);
  int eq = k.len == n && (n == 0 || memcmp(k.data, t, n) == 0);
  thbx_buf_free(&k);
  return eq;
}

int thbx_locate_json(const char *text, size_t length, long line, long column, const char *path,
                     long *out_line, long *out_column) {
  if (!text || !path)
    return 0;
  struct jscan s = {text, text + length, line > 0 ? line : 1, column > 0 ? column : 1};
  char tok[512];
  ws(&s);
  while (*path == '/') {
    path++;
    size_t n = 0;
    while (*path && *path != '/' && n + 1 < sizeof(tok)) {
      char c = *path++;
      if (c == '~' && (*path == '0' || *path == '1'))
        c = *path++ == '0' ? '~' : '/';
      tok[n++] = c;
    }
    tok[n] = '\0';
    if (s.p >= s.end)
      return 0;
    if (*s.p == '{') {
      adv(&s);
      int found = 0;
      for (;;) {
        ws(&s);
        if (s.p >= s.end || *s.p != '"')
          return 0;
        found = key_equals(&s, tok, n);
        ws(&s);
        if (s.p >= s.end || *s.p != ':')
          return 0;
        adv(&s);
        ws(&s);
        if (found)
          break;
        skip_value(&s);
        ws(&s);
        if (s.p >= s.end || *s.p != ',')
          return 0;
        adv(&s);
      }
    } else if (*s.p == '[') {
      char *endp;
      long idx = strtol(tok, &endp, 10);
      if (!n || *endp || idx < 0)
        return 0;
      adv(&s);
      ws(&s);
      for (long i = 0; i < idx; i++) {
        skip_value(&s);
        ws(&s);
        if (s.p >= s.end || *s.p != ',')
          return 0;
        adv(&s);
        ws(&s);
      }
    } else {
      return 0;
    }
  }
  if (*path)
    return 0;
  if (out_line)
    *out_line = s.line;
  if (out_column)
    *out_column = s.col;
  return 1;
}

int thbx_item_locate(const thbx_item_t *item, const char *path, long *line, long *column,
                     const char **field) {
  if (!item || !path)
    return 0;
  if (item->locator)
    return thbx_locator_find(item->locator, path, line, column, field);
  if ((item->format == THBX_FORMAT_JSON || item->format == THBX_FORMAT_NDJSON) && item->raw) {
    if (field)
      *field = NULL;
    return thbx_locate_json(item->raw, item->raw_length, item->line, item->column, path, line,
                            column);
  }
  return 0;
}
