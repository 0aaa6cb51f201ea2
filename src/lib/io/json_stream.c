/*
 * json_stream.c - yajl callbacks that build jansson records, shared by the
 * JSON reader (chunks of a whole document) and the NDJSON reader (lines).
 *
 * yajl tokenises and calls back; we build one record at a time, attaching
 * each value to the container on top of a small stack. A record that breaks
 * a rule (depth, size, duplicate key, ...) stops being built but is still
 * parsed to its end, so the stream goes on at the next record. Finished
 * records wait in a queue because yajl may finish several in one chunk.
 * Positions: inside a callback, yajl_get_bytes_consumed() is the offset just
 * after the current token in the chunk being parsed.
 */
#include "json_stream.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long long pos_now(struct jstream *js) {
  return js->chunk_abs + (long long)yajl_get_bytes_consumed(js->h);
}

static int in_view(const struct jstream *js, long long abs) {
  return js->base && abs >= js->base_abs;
}

void jstream_set_line(struct jstream *js, long long abs, long line) {
  js->nl_upto = abs;
  js->line_start = abs;
  js->col_abs = abs;
  js->col_chars = 0;
  js->line = line;
  js->scan_from = abs;
}

void jstream_locate(struct jstream *js, long long abs, long *line, long *col) {
  if (abs > js->nl_upto && in_view(js, js->nl_upto)) {
    const unsigned char *p = js->base + (js->nl_upto - js->base_abs);
    const unsigned char *end = js->base + (abs - js->base_abs);
    while (p < end) {
      const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
      if (!nl)
        break;
      js->line++;
      js->line_start = js->base_abs + (nl - js->base) + 1;
      p = nl + 1;
    }
    js->nl_upto = abs;
  }
  if (line)
    *line = js->line;
  if (!col)
    return;
  /* columns count characters, counted on from the last place asked on
   * this line (a one-line document is never counted again from its start) */
  if (js->col_abs < js->line_start || abs < js->col_abs) {
    js->col_abs = js->line_start;
    js->col_chars = 0;
  }
  if (in_view(js, js->col_abs)) {
    const unsigned char *p = js->base + (js->col_abs - js->base_abs);
    const unsigned char *end = js->base + (abs - js->base_abs);
    long n = 0;
    for (; p < end; p++)
      n += (*p & 0xC0) != 0x80;
    js->col_chars += n;
    js->col_abs = abs;
    *col = js->col_chars + 1;
  } else {
    *col = abs >= js->line_start ? (long)(abs - js->line_start) + 1 : 1; /* bytes: out of view */
  }
}

/* ------------------------------------------------------------ record state */

static void rec_fail(struct jstream *js, int status, long long at, const char *fmt, ...)
    THBX_PRINTF(4, 5);

static void rec_fail(struct jstream *js, int status, long long at, const char *fmt, ...) {
  if (js->cur.status != THBX_OK)
    return; /* the first error of a record is the one reported */
  js->cur.status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(js->cur.msg, sizeof(js->cur.msg), fmt, ap);
  va_end(ap);
  jstream_locate(js, at, &js->cur.eline, &js->cur.ecol);
  json_decref(js->cur.value);
  js->cur.value = NULL;
}

static int is_gap(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',';
}

/* A record starts at `at`, or (at < 0, a scalar) at the first byte after the
 * previous one that is not blank or a comma. */
static void rec_begin(struct jstream *js, long long at, long long end) {
  if (at < 0) {
    at = js->scan_from;
    if (in_view(js, at))
      while (at < end && is_gap(js->base[at - js->base_abs]))
        at++;
  }
  memset(&js->cur, 0, sizeof(js->cur));
  js->cur.status = THBX_OK;
  js->cur.start = at;
  jstream_locate(js, at, &js->cur.line, &js->cur.col);
  js->in_rec = 1;
  js->depth = 0;
  js->have_key = 0;
}

static void rec_end(struct jstream *js, long long end) {
  js->cur.end = end;
  if (js->cur.status == THBX_OK && (size_t)(end - js->cur.start) > js->lim->max_record_bytes)
    rec_fail(js, THBX_ELIMIT, js->cur.start, "record is larger than the limit of %zu bytes",
             js->lim->max_record_bytes);
  if (js->qlen == js->qcap) {
    size_t cap = js->qcap ? js->qcap * 2 : 64;
    struct jrec *q = malloc(cap * sizeof(*q));
    if (!q) {
      js->nomem = 1;
      json_decref(js->cur.value);
      js->cur.value = NULL;
      js->in_rec = 0;
      return;
    }
    for (size_t i = 0; i < js->qlen; i++)
      q[i] = js->q[(js->qhead + i) % js->qcap];
    free(js->q);
    js->q = q;
    js->qcap = cap;
    js->qhead = 0;
  }
  js->q[(js->qhead + js->qlen) % js->qcap] = js->cur;
  js->qlen++;
  js->cur.value = NULL;
  js->in_rec = 0;
  js->scan_from = end;
}

/* A value after the document's array has closed: only blanks may follow
 * it. Stops the parse (the callback returns 0), reported as yajl did. */
static int after_array(struct jstream *js) {
  if (js->unwrap && js->top == 1 && js->level == 0 && !js->in_rec) {
    js->trailing = 1;
    return 1;
  }
  return 0;
}

/* Where a value starts: begin a record if none is open. */
static void value_begin(struct jstream *js, int is_object, long long at, long long end) {
  if (js->in_rec)
    return;
  if (js->top == 0)
    js->top = 2;
  rec_begin(js, at, end);
  if (js->objects_only && !is_object)
    rec_fail(js, THBX_EPARSE, js->cur.start, "record must be an object");
}

static long long string_at(struct jstream *js, long long end, size_t len);

/* Attach v (owned) where the parser is; on a duplicate key fail the record. */
static void add_value(struct jstream *js, json_t *v) {
  if (!v) {
    js->nomem = 1;
    return;
  }
  if (js->cur.status != THBX_OK) {
    json_decref(v);
    return;
  }
  if (js->depth == 0) {
    js->cur.value = v;
    return;
  }
  json_t *parent = js->stack[js->depth - 1];
  int rc;
  if (json_is_object(parent)) {
    /* a duplicate key replaces the value and leaves the size as it was: one
     * hash lookup instead of a lookup and an insertion */
    size_t size = json_object_size(parent);
    rc = json_object_setn_new_nocheck(parent, js->key.data, js->key.len, v);
    if (rc == 0 && json_object_size(parent) == size) {
      rec_fail(js, THBX_EPARSE, string_at(js, js->key_end, js->key.len), "duplicate key '%.100s'",
               js->key.data);
      return;
    }
  } else {
    rc = json_array_append_new(parent, v);
  }
  if (rc != 0)
    js->nomem = 1;
}

static void scalar_end(struct jstream *js, long long end) {
  if (js->in_rec && js->depth == 0)
    rec_end(js, end);
}

/* ---------------------------------------------------------------- strings */

static unsigned hex4(const unsigned char *p) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = p[i];
    v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

/* Where the string token ending at `end` (just after its closing quote)
 * starts, found backwards in the view; -1 if it is not in the view. */
static long long string_start(struct jstream *js, long long end) {
  long long lo = js->base_abs, q = end - 1;
  const unsigned char *b = js->base;
  if (!in_view(js, q) || b[q - lo] != '"')
    return -1;
  for (long long p = q - 1; p >= lo; p--) {
    if (b[p - lo] != '"')
      continue;
    long long k = p - 1;
    while (k >= lo && b[k - lo] == '\\')
      k--;
    if ((p - 1 - k) % 2 == 0)
      return p;
  }
  return -1;
}

static long long string_at(struct jstream *js, long long end, size_t len) {
  long long p = string_start(js, end);
  return p >= 0 ? p : end - (long long)len - 2;
}

/* yajl turns a lone high surrogate escape into '?' and pairs a high one with
 * any \u that follows; look at the raw token (ending at `end`, which is in
 * the view) and accept only proper pairs. */
static int raw_surrogates_ok(struct jstream *js, long long end) {
  long long lo = js->base_abs, q = end - 1;
  const unsigned char *b = js->base;
  long long p = string_start(js, end);
  if (p < 0)
    return 1; /* the start is no longer in the buffer: cannot check */
  for (long long i = p + 1; i < q; i++) {
    if (b[i - lo] != '\\')
      continue;
    if (i + 5 < q + 1 && b[i + 1 - lo] == 'u') {
      unsigned cp = hex4(b + (i + 2 - lo));
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return 0;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (i + 11 >= q || b[i + 6 - lo] != '\\' || b[i + 7 - lo] != 'u')
          return 0;
        unsigned lo2 = hex4(b + (i + 8 - lo));
        if (lo2 < 0xDC00 || lo2 > 0xDFFF)
          return 0;
        i += 6;
      }
      i += 5;
    } else {
      i++;
    }
  }
  return 1;
}

/* Whether a byte of the word is NUL, '?' or not ASCII, by the usual "has a
 * zero byte" trick (false alarms are possible, misses are not). */
static int word_needs_look(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t q = w ^ (ones * '?');
  return (((w - ones) & ~w) | ((q - ones) & ~q) | w) & highs ? 1 : 0;
}

/* Whether s has a byte check_string looks at, eight bytes at a time: most
 * strings are plain ASCII (byte by byte, this check was 13% of reading). */
static int needs_look(const unsigned char *s, size_t len) {
  uint64_t w;
  if (len < 8) {
    for (size_t i = 0; i < len; i++)
      if (s[i] == 0 || s[i] == '?' || s[i] >= 0x80)
        return 1;
    return 0;
  }
  for (size_t i = 0; i + 8 <= len; i += 8) {
    memcpy(&w, s + i, 8);
    if (word_needs_look(w))
      return 1;
  }
  memcpy(&w, s + len - 8, 8); /* the tail, overlapping */
  return word_needs_look(w);
}

static int check_string_bytes(struct jstream *js, const unsigned char *s, size_t len, long long end,
                              const char *what) {
  int suspicious = 0, ed = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    if (c == 0 && what[0] == 'k') {
      /* valid JSON, but jansson's key lookups and comparisons stop at NUL */
      rec_fail(js, THBX_EPARSE, string_at(js, end, len),
               "key contains \\u0000, which is not supported");
      return -1;
    }
    if (c == '?' || c >= 0xF0)
      suspicious = 1;
    else if (c == 0xED)
      ed = 1;
  }
  if ((ed && !thbx_utf8_valid((const char *)s, len)) ||
      (suspicious && !raw_surrogates_ok(js, end))) {
    rec_fail(js, THBX_EPARSE, string_at(js, end, len), "%s contains a lone UTF-16 surrogate escape",
             what);
    return -1;
  }
  return 0;
}

/* 0 if the decoded string s is acceptable, else fails the record. */
static inline int check_string(struct jstream *js, const unsigned char *s, size_t len,
                               long long end, const char *what) {
  return needs_look(s, len) ? check_string_bytes(js, s, len, end, what) : 0;
}

/* -------------------------------------------------------------- callbacks */

static int cb_null(void *ctx) {
  struct jstream *js = ctx;
  if (after_array(js))
    return 0;
  long long end = pos_now(js);
  js->last_event = end;
  value_begin(js, 0, -1, end);
  add_value(js, json_null());
  scalar_end(js, end);
  return !js->nomem;
}

static int cb_boolean(void *ctx, int v) {
  struct jstream *js = ctx;
  if (after_array(js))
    return 0;
  long long end = pos_now(js);
  js->last_event = end;
  value_begin(js, 0, -1, end);
  add_value(js, json_boolean(v));
  scalar_end(js, end);
  return !js->nomem;
}

static int cb_number(void *ctx, const char *s, size_t len) {
  struct jstream *js = ctx;
  if (after_array(js))
    return 0;
  long long end = pos_now(js);
  js->last_event = end;
  value_begin(js, 0, -1, end);
  if (js->cur.status == THBX_OK) {
    if (len > js->lim->max_field_bytes) {
      rec_fail(js, THBX_ELIMIT, js->cur.start, "number is longer than the limit of %zu bytes",
               js->lim->max_field_bytes);
    } else {
      char small[64], *p = len < sizeof(small) ? small : malloc(len + 1);
      if (!p) {
        js->nomem = 1;
        return 0;
      }
      memcpy(p, s, len);
      p[len] = '\0';
      int real = memchr(p, '.', len) || memchr(p, 'e', len) || memchr(p, 'E', len);
      json_t *v = NULL;
      if (!real) {
        errno = 0;
        long long i = strtoll(p, NULL, 10);
        if (errno == ERANGE)
          real = 1; /* too big for an integer: keep it as a real */
        else
          v = json_integer((json_int_t)i);
      }
      if (real) {
        double d = strtod(p, NULL);
        if (isinf(d) || isnan(d))
          rec_fail(js, THBX_EPARSE, end - (long long)len, "number %.40s%s is out of range", p,
                   len > 40 ? "..." : "");
        else
          v = json_real(d);
      }
      if (p != small)
        free(p);
      if (js->cur.status == THBX_OK)
        add_value(js, v);
    }
  }
  scalar_end(js, end);
  return !js->nomem;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len) {
  struct jstream *js = ctx;
  if (after_array(js))
    return 0;
  long long end = pos_now(js);
  js->last_event = end;
  value_begin(js, 0, -1, end);
  if (js->cur.status == THBX_OK) {
    if (len > js->lim->max_field_bytes)
      rec_fail(js, THBX_ELIMIT, string_at(js, end, len),
               "string is longer than the limit of %zu bytes", js->lim->max_field_bytes);
    else if (check_string(js, s, len, end, "string") == 0)
      add_value(js, json_stringn_nocheck((const char *)s, len));
  }
  scalar_end(js, end);
  return !js->nomem;
}

static int cb_key(void *ctx, const unsigned char *s, size_t len) {
  struct jstream *js = ctx;
  js->last_event = pos_now(js);
  if (js->cur.status != THBX_OK)
    return 1;
  if (len > js->lim->max_field_bytes) {
    rec_fail(js, THBX_ELIMIT, js->cur.start, "key is longer than the limit of %zu bytes",
             js->lim->max_field_bytes);
    return 1;
  }
  if (check_string(js, s, len, pos_now(js), "key") != 0)
    return 1;
  long long end = pos_now(js);
  js->last_event = end;
  js->key_end = end; /* where it starts is only looked for on an error */
  thbx_buf_reset(&js->key);
  if (thbx_buf_append(&js->key, (const char *)s, len) != 0) {
    js->nomem = 1;
    return 0;
  }
  return 1;
}

static int start_container(struct jstream *js, int is_map) {
  if (after_array(js))
    return 0;
  long long at = pos_now(js) - 1;
  js->last_event = at + 1;
  if (!js->in_rec && js->top == 0 && js->unwrap && !is_map) {
    js->top = 1; /* the document's array: its elements are the records */
    js->level = 1;
    js->scan_from = at + 1;
    return 1;
  }
  value_begin(js, is_map, at, at + 1);
  js->level++;
  if (js->cur.status == THBX_OK && js->depth >= js->lim->max_depth)
    rec_fail(js, THBX_ELIMIT, at, "nesting is deeper than the limit of %zu levels",
             js->lim->max_depth);
  if (js->cur.status == THBX_OK) {
    json_t *c = is_map ? json_object() : json_array();
    add_value(js, c);
    if (js->cur.status == THBX_OK && c)
      js->stack[js->depth] = c;
  }
  js->depth++;
  return !js->nomem;
}

static int end_container(struct jstream *js) {
  long long end = pos_now(js);
  js->last_event = end;
  if (js->level > 0)
    js->level--;
  if (!js->in_rec)
    return 1; /* the document's array closes */
  js->depth--;
  if (js->depth == 0)
    rec_end(js, end);
  return !js->nomem;
}

static int cb_start_map(void *ctx) { return start_container(ctx, 1); }
static int cb_start_array(void *ctx) { return start_container(ctx, 0); }
static int cb_end(void *ctx) { return end_container(ctx); }

static const yajl_callbacks callbacks = {
    cb_null,      cb_boolean, NULL,   NULL,           cb_number, cb_string,
    cb_start_map, cb_key,     cb_end, cb_start_array, cb_end,
};

/* ---------------------------------------------------------------- driving */

static int make_handle(struct jstream *js) {
  js->h = yajl_alloc(&callbacks, NULL, js);
  if (!js->h)
    return -1;
  /* NDJSON: values on a line; JSON: a stream of values one after another
   * (what `jq '.[]'` prints), each a record, unless the first is an array */
  if (js->trailing_ok) /* @records: what follows the record array is not read */
    yajl_config(js->h, yajl_allow_trailing_garbage, 1);
  else
    yajl_config(js->h, yajl_allow_multiple_values, 1);
  return 0;
}

int jstream_init(struct jstream *js, const thbx_limits_t *lim, int unwrap, int objects_only) {
  memset(js, 0, sizeof(*js));
  js->lim = lim;
  js->unwrap = unwrap;
  js->objects_only = objects_only;
  js->line = 1;
  thbx_buf_init(&js->key);
  js->cap = lim->max_depth + 1;
  js->stack = malloc(js->cap * sizeof(*js->stack));
  if (!js->stack || thbx_buf_reserve(&js->key, 64) != 0 || make_handle(js) != 0) {
    jstream_free(js);
    return -1;
  }
  return 0;
}

static void drop_current(struct jstream *js) {
  json_decref(js->cur.value);
  js->cur.value = NULL;
  js->in_rec = 0;
  js->depth = 0;
}

void jstream_clear(struct jstream *js) {
  drop_current(js);
  for (size_t i = 0; i < js->qlen; i++)
    json_decref(js->q[(js->qhead + i) % js->qcap].value);
  js->qlen = 0;
  js->qhead = 0;
}

int jstream_reset(struct jstream *js) {
  jstream_clear(js);
  if (js->h)
    yajl_free(js->h);
  js->h = NULL;
  js->top = 0;
  js->level = 0;
  js->nomem = 0;
  js->trailing = 0;
  return make_handle(js);
}

void jstream_free(struct jstream *js) {
  jstream_clear(js);
  if (js->h)
    yajl_free(js->h);
  js->h = NULL;
  free(js->stack);
  js->stack = NULL;
  free(js->q);
  js->q = NULL;
  thbx_buf_free(&js->key);
}

/* yajl's message without its "parse error: " noise and trailing period. */
static void error_text(struct jstream *js, const unsigned char *p, size_t n, char *msg,
                       size_t size) {
  if (js->nomem) {
    snprintf(msg, size, "out of memory");
    return;
  }
  unsigned char *e = yajl_get_error(js->h, 0, p, n);
  const char *t = e ? (const char *)e : "syntax error";
  if (strncmp(t, "parse error: ", 13) == 0)
    t += 13;
  else if (strncmp(t, "lexical error: ", 15) == 0)
    t += 15;
  size_t len = strlen(t);
  while (len && (t[len - 1] == '\n' || t[len - 1] == ' ' || t[len - 1] == '.'))
    len--;
  snprintf(msg, size, "%.*s", (int)len, t);
  if (e)
    yajl_free_error(js->h, e);
}

yajl_status jstream_feed(struct jstream *js, const unsigned char *p, size_t n, long long abs,
                         long long *err_abs, char *msg, size_t msgsize) {
  js->chunk_abs = abs;
  yajl_status st = yajl_parse(js->h, p, n);
  if (st != yajl_status_ok) {
    error_text(js, p, n, msg, msgsize);
    if (js->trailing)
      snprintf(msg, msgsize, "trailing garbage");
    if (err_abs) {
      /* yajl's offset is just after the offending byte or token, except
       * for errors inside a string and comments, where it is at the
       * offending byte: point at the byte in both cases */
      size_t used = yajl_get_bytes_consumed(js->h);
      if (used && !strstr(msg, "inside a string") && !strstr(msg, "inside string") &&
          !strstr(msg, "comment"))
        used--;
      *err_abs = abs + (long long)used;
    }
    return yajl_status_error;
  }
  long long now = abs + (long long)n;
  if (js->in_rec && !js->cur.raw_lost && (size_t)(now - js->cur.start) > js->lim->max_record_bytes)
    jstream_abandon_current(js, THBX_ELIMIT, NULL);
  if (js->unwrap) {
    /* no event for more than max_field_bytes: one token that long is being
     * read, and yajl keeps all of it in its buffer; stop here. */
    size_t max = js->lim->max_field_bytes + 64;
    if (js->in_rec && !js->cur.raw_lost && (size_t)(now - js->last_event) > max) {
      jstream_abandon_current(js, THBX_ELIMIT, "a value is longer than the field limit");
    } else if (!js->in_rec && (size_t)(now - js->scan_from) > max &&
               (js->top != 1 || js->level == 1)) {
      /* a scalar record (generic mode), or a whole document that is one */
      if (js->top == 0)
        js->top = 2;
      rec_begin(js, -1, now);
      jstream_abandon_current(js, THBX_ELIMIT, "a value is longer than the field limit");
    }
  }
  return st;
}

yajl_status jstream_finish(struct jstream *js, char *msg, size_t msgsize) {
  yajl_status st = yajl_complete_parse(js->h);
  if (st != yajl_status_ok) {
    error_text(js, NULL, 0, msg, msgsize);
    return yajl_status_error;
  }
  return st;
}

void jstream_abandon_current(struct jstream *js, int status, const char *msg) {
  if (msg)
    rec_fail(js, status, js->cur.start, "%s of %zu bytes", msg, js->lim->max_field_bytes);
  else
    rec_fail(js, status, js->cur.start, "record is larger than the limit of %zu bytes",
             js->lim->max_record_bytes);
  js->cur.raw_lost = 1;
}

void jstream_skipped(struct jstream *js, long long end) {
  if (js->in_rec)
    rec_end(js, end);
  if (js->h)
    yajl_free(js->h);
  js->h = NULL;
  js->top = 0;
  js->level = 0;
  js->depth = 0;
  if (make_handle(js) != 0)
    js->nomem = 1;
}

int jstream_pop(struct jstream *js, struct jrec *out) {
  if (js->qlen == 0)
    return 0;
  *out = js->q[js->qhead];
  js->qhead = (js->qhead + 1) % js->qcap;
  js->qlen--;
  return 1;
}

long long jstream_keep_from(struct jstream *js, long long fed_to) {
  if (js->in_rec)
    return js->cur.raw_lost ? fed_to : js->cur.start;
  /* between records only blanks and commas (or a partial token) remain */
  long long at = js->scan_from;
  if (in_view(js, at))
    while (at < fed_to && is_gap(js->base[at - js->base_abs]))
      at++;
  js->scan_from = at;
  return at;
}
