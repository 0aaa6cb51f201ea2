/*
 * reader_json.c - JSON documents: an array of records (read element by
 * element, never whole), a single record object, or a stream of values one
 * after another (concatenated JSON, what `jq '.[]'` prints), each a record.
 *
 * The input buffer is fed to yajl chunk by chunk (json_stream.c builds the
 * records). Bytes are consumed from the input only up to the start of the
 * record under construction, so a record's raw text is still in the buffer
 * when it is returned. A syntax error cannot be resynchronised in general
 * (the rest of the document may be one long string), so it is THBX_EFATAL
 * at the place of the error, after the records that were complete before it.
 */
#include "json_stream.h"
#include "reader.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)64 << 10)

/* A record over max_record_bytes is skipped to its end by this scanner, not
 * by yajl, which would keep the whole of a long token in its buffer. */
struct skip {
  int active;
  int kind; /* 0: object or array, 1: string, 2: other scalar */
  size_t depth;
  int in_str, esc;
};

/* records_pointer: before the records, the document is scanned (not parsed)
 * to the value the JSON Pointer names; parsing starts there, as if that
 * array were the document. Segments are object keys or array indices. */
struct seek {
  int active;
  char **segs;
  size_t nsegs;
  char *types; /* per open container: '{' or '[' */
  long *index; /* per open container: element index (arrays) */
  size_t depth, cap;
  size_t onpath; /* containers 1..onpath are on the pointer's path */
  int in_str, esc, is_key, expect_key, at_value, pending;
  thbx_buf_t key;
};

struct json_reader {
  struct seek seek;
  struct jstream js;
  struct skip skip;
  int skip_top;   /* where the skipped record was: 1 in the array, 2 alone */
  int after_skip; /* in the array after a skipped record: expect , or ] */
  long long fed;  /* absolute offset of the first byte not yet given to yajl */
  int ended;      /* input exhausted (or a syntax error): only the queue remains */
  int fatal;      /* an error to return once the queue is empty */
  long fatal_line, fatal_col;
  char fatal_msg[JSTREAM_MSG + 64];
};

static void seek_free(struct seek *k) {
  for (size_t i = 0; i < k->nsegs; i++)
    free(k->segs[i]);
  free(k->segs);
  free(k->types);
  free(k->index);
  thbx_buf_free(&k->key);
}

/* The pointer's segments, ~1 and ~0 decoded. 0 or -1 (out of memory). */
static int seek_init(struct seek *k, const char *ptr) {
  memset(k, 0, sizeof(*k));
  thbx_buf_init(&k->key);
  k->active = 1;
  k->at_value = 1;
  for (const char *p = ptr; *p == '/';) {
    p++;
    size_t n = strcspn(p, "/");
    char *seg = malloc(n + 1), **segs = realloc(k->segs, (k->nsegs + 1) * sizeof(*segs));
    if (!seg || !segs) {
      free(seg);
      if (segs)
        k->segs = segs;
      return -1;
    }
    k->segs = segs;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
      if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
        seg[j++] = p[i + 1] == '0' ? '~' : '/';
        i++;
      } else {
        seg[j++] = p[i];
      }
    }
    seg[j] = '\0';
    k->segs[k->nsegs++] = seg;
    p += n;
  }
  return 0;
}

/* Does the member now starting (key, or the index of an array element) at
 * the current depth continue the pointer's path? */
static int seek_member_matches(const struct seek *k, const char *key, size_t keylen) {
  if (k->depth == 0 || k->onpath != k->depth || k->depth > k->nsegs)
    return 0;
  const char *seg = k->segs[k->depth - 1];
  if (key)
    return strlen(seg) == keylen && memcmp(seg, key, keylen) == 0;
  char buf[32];
  snprintf(buf, sizeof(buf), "%ld", k->index[k->depth - 1]);
  return strcmp(seg, buf) == 0;
}

/* Scan [p, p+n): 1 and *at (the offset of the value's first byte) when the
 * value is found, 0 when more input is needed, -1 (out of memory), -2 (the
 * pointer names no array or object). */
static int seek_scan(struct seek *k, const unsigned char *p, size_t n, size_t *at) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (k->in_str) {
      if (k->is_key && thbx_buf_putc(&k->key, (char)c) != 0)
        return -1;
      if (k->esc)
        k->esc = 0;
      else if (c == '\\')
        k->esc = 1;
      else if (c == '"') {
        k->in_str = 0;
        if (k->is_key) {
          k->key.len--; /* the closing quote */
          /* a key with an escape never matches (keys to seek are plain) */
          k->pending = !memchr(k->key.data, '\\', k->key.len) &&
                       seek_member_matches(k, k->key.data, k->key.len);
          k->is_key = 0;
        }
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      continue;
    if (k->at_value) {
      k->at_value = 0;
      int target = k->pending && k->depth == k->nsegs;
      if (k->depth == 0 && k->nsegs == 0)
        target = 1;
      if (target) {
        *at = i;
        if (c != '[' && c != '{')
          return -2;
        *at = i;
        k->active = 0;
        return 1;
      }
      int on = k->pending || (k->depth == 0);
      if (c == '[' || c == '{') {
        if (k->depth == k->cap) {
          size_t nc = k->cap ? k->cap * 2 : 16;
          char *t = realloc(k->types, nc);
          long *x = t ? realloc(k->index, nc * sizeof(*x)) : NULL;
          if (t)
            k->types = t;
          if (!x)
            return -1;
          k->index = x;
          k->cap = nc;
        }
        if (on && k->onpath == k->depth)
          k->onpath = k->depth + 1;
        k->types[k->depth] = (char)c;
        k->index[k->depth] = 0;
        k->depth++;
        k->pending = 0;
        if (c == '{')
          k->expect_key = 1;
        else {
          k->at_value = 1;
          k->pending = seek_member_matches(k, NULL, 0);
        }
        continue;
      }
      k->pending = 0;
      if (c == '"') {
        k->in_str = 1;
        continue;
      }
      continue; /* a scalar: its other bytes are skipped below */
    }
    if (k->expect_key && c == '"') {
      k->expect_key = 0;
      k->in_str = 1;
      k->is_key = 1;
      thbx_buf_reset(&k->key);
      continue;
    }
    if (c == '"') {
      k->in_str = 1;
      continue;
    }
    if (c == ':') {
      k->at_value = 1;
      continue;
    }
    if (c == ',') {
      if (k->depth && k->types[k->depth - 1] == '{') {
        k->expect_key = 1;
      } else if (k->depth) {
        k->index[k->depth - 1]++;
        k->at_value = 1;
        k->pending = seek_member_matches(k, NULL, 0);
      }
      continue;
    }
    if (c == '}' || c == ']') {
      if (k->depth) {
        k->depth--;
        if (k->onpath > k->depth)
          k->onpath = k->depth;
      }
      k->expect_key = 0;
      if (k->depth == 0) {
        *at = i;
        return -2; /* the document ended without the value */
      }
      continue;
    }
    if (c == '}' && k->expect_key)
      continue;
    /* the rest of a number, true, false or null */
  }
  return 0;
}

static int json_open(struct thbx_reader *r, thbx_error_t *err) {
  struct json_reader *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (jstream_init(&st->js, &r->opt.limits, 1, r->profile != NULL) != 0) {
    free(st);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  r->state = st;
  st->fed = reader_input_tell(&r->in);
  jstream_view(&st->js, r->in.buf, r->in.offset);
  jstream_set_line(&st->js, st->fed, 1);
  if (r->opt.records_pointer && r->opt.records_pointer[0]) {
    st->js.trailing_ok = 1;
    if (seek_init(&st->seek, r->opt.records_pointer) != 0 || jstream_reset(&st->js) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return THBX_OK;
}

static void set_fatal(struct json_reader *st, long long at, const char *what, const char *msg);

/* Seeking the records_pointer's array: consume input up to it. */
static int feed_seeking(struct thbx_reader *r, struct json_reader *st, const unsigned char *p,
                        size_t n, thbx_error_t *err) {
  size_t at = 0;
  int rc = seek_scan(&st->seek, p, n, &at);
  if (rc == -1)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (rc == -2) {
    set_fatal(st, st->fed + (long long)at, "records",
              "the JSON Pointer of the records names no array or object of the document");
    snprintf(st->fatal_msg, sizeof(st->fatal_msg),
             "the JSON Pointer %.100s names no array or object of the document",
             r->opt.records_pointer);
    return THBX_OK;
  }
  st->fed += rc == 1 ? (long long)at : (long long)n;
  return THBX_OK;
}

static int deliver(struct thbx_reader *r, struct jrec *jr, thbx_record_t *rec, thbx_error_t *err) {
  if (!jr->raw_lost && jr->start >= r->in.offset && jr->end >= jr->start &&
      thbx_buf_append(&r->raw, (const char *)r->in.buf + (jr->start - r->in.offset),
                      (size_t)(jr->end - jr->start)) != 0) {
    json_decref(jr->value);
    return reader_error(r, err, THBX_ENOMEM, jr->line, jr->col, "out of memory");
  }
  if (jr->status != THBX_OK) {
    json_decref(jr->value);
    /* every per-record failure is THBX_EPARSE for callers; the text says
     * which limit when it is one */
    return reader_error(r, err, THBX_EPARSE, jr->eline, jr->ecol, "%s", jr->msg);
  }
  rec->value = jr->value;
  rec->line = jr->line;
  rec->column = jr->col;
  return THBX_OK;
}

static void set_fatal(struct json_reader *st, long long at, const char *what, const char *msg) {
  st->fatal = 1;
  st->ended = 1;
  jstream_locate(&st->js, at, &st->fatal_line, &st->fatal_col);
  snprintf(st->fatal_msg, sizeof(st->fatal_msg), "%s: %s", what, msg);
}

static int blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Bytes of [p, p+n) up to and including the end of the skipped record, or
 * -1 if it goes on. */
static long skip_scan(struct skip *k, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (k->in_str) {
      if (k->esc)
        k->esc = 0;
      else if (c == '\\')
        k->esc = 1;
      else if (c == '"') {
        k->in_str = 0;
        if (k->kind == 1)
          return (long)i + 1;
      }
      continue;
    }
    if (k->kind == 2) {
      if (c == ',' || c == ']' || c == '}' || blank(c))
        return (long)i;
      continue;
    }
    if (c == '"')
      k->in_str = 1;
    else if (c == '{' || c == '[')
      k->depth++;
    else if ((c == '}' || c == ']') && k->depth && --k->depth == 0)
      return (long)i + 1;
  }
  return -1;
}

/* The record under construction was abandoned as too large: skip it. */
static void skip_start(struct thbx_reader *r, struct json_reader *st) {
  struct skip *k = &st->skip;
  reader_input_t *in = &r->in;
  memset(k, 0, sizeof(*k));
  k->active = 1;
  st->skip_top = st->js.top;
  long long from = st->js.cur.start;
  const unsigned char *p = in->buf + (from - in->offset);
  k->kind = *p == '{' || *p == '[' ? 0 : *p == '"' ? 1 : 2;
  if (k->kind == 1) {
    k->in_str = 1;
    from++;
  }
  /* the bytes yajl has seen are still in the buffer: bring the scanner up to
   * the same place (the record cannot have ended there: yajl would say) */
  skip_scan(k, in->buf + (from - in->offset), (size_t)(st->fed - from));
}

/* After skipping: in the document's array, a fresh parser is given the
 * array's "[" again and the input resumes after the comma. */
static int resume(struct json_reader *st, const unsigned char *p, size_t n, long long abs) {
  size_t i = 0;
  while (i < n && blank(p[i]))
    i++;
  if (i == n) {
    st->fed = abs + (long long)n;
    return 0; /* more input needed */
  }
  char msg[JSTREAM_MSG];
  long long q = abs + (long long)i;
  if (p[i] == ',') {
    st->fed = q + 1;
    jstream_feed(&st->js, (const unsigned char *)"[", 1, q, NULL, msg, sizeof(msg));
  } else if (p[i] == ']') {
    st->fed = q;
    jstream_feed(&st->js, (const unsigned char *)"[", 1, q - 1, NULL, msg, sizeof(msg));
  } else {
    set_fatal(st, q, "invalid JSON", "expected ',' or ']' after a record");
  }
  st->after_skip = 0;
  return 0;
}

/* Input while skipping a record, or after it. */
static int feed_skipping(struct json_reader *st, const unsigned char *p, size_t n, long long abs) {
  struct jstream *js = &st->js;
  if (st->skip.active) {
    long e = skip_scan(&st->skip, p, n);
    if (e < 0) {
      st->fed = abs + (long long)n;
      return 0;
    }
    long long end = abs + e;
    jstream_locate(js, end, NULL, NULL);
    jstream_skipped(js, end);
    st->fed = end;
    st->skip.active = 0;
    if (st->skip_top == 1)
      st->after_skip = 1; /* else a stream of values: the next one is read as usual */
    return 0;
  }
  return resume(st, p, n, abs); /* after a record skipped in the array */
}

/* Give yajl the next chunk of input. */
static int feed_more(struct thbx_reader *r, struct json_reader *st, thbx_error_t *err) {
  reader_input_t *in = &r->in;
  long long keep = jstream_keep_from(&st->js, st->fed);
  jstream_locate(&st->js, keep, NULL, NULL); /* count lines before dropping bytes */
  in->pos = (size_t)(keep - in->offset);
  long avail = reader_input_fill(in, (in->len - in->pos) + CHUNK);
  if (avail < 0) {
    long line, col;
    jstream_locate(&st->js, st->fed, &line, &col);
    return reader_error(r, err, THBX_EIO, line, col, "read error: %s", reader_input_strerror(in));
  }
  jstream_view(&st->js, in->buf, in->offset);
  size_t from = (size_t)(st->fed - in->offset);
  char msg[JSTREAM_MSG];
  if (st->seek.active) {
    if (from >= in->len) {
      st->ended = 1;
      st->fatal = 1;
      jstream_locate(&st->js, st->fed, &st->fatal_line, &st->fatal_col);
      snprintf(st->fatal_msg, sizeof(st->fatal_msg),
               "the document ends before the records at the JSON Pointer %.100s",
               r->opt.records_pointer);
      return THBX_OK;
    }
    jstream_locate(&st->js, st->fed, NULL, NULL);
    return feed_seeking(r, st, in->buf + from, in->len - from, err);
  }
  int skipping = st->skip.active || st->after_skip;
  if (from >= in->len && skipping) {
    st->ended = 1;
    if (st->skip.active)
      snprintf(st->fatal_msg, sizeof(st->fatal_msg),
               "truncated record: the input ends inside it (it was being skipped as too large)");
    else if (st->after_skip)
      snprintf(st->fatal_msg, sizeof(st->fatal_msg), "invalid JSON: premature EOF");
    if (st->skip.active || st->after_skip) {
      st->fatal = 1;
      jstream_locate(&st->js, st->fed, &st->fatal_line, &st->fatal_col);
    }
    return THBX_OK;
  }
  if (skipping) {
    jstream_locate(&st->js, st->fed, NULL, NULL);
    return feed_skipping(st, in->buf + from, in->len - from, st->fed);
  }
  if (from >= in->len) { /* end of input */
    st->ended = 1;
    if (st->js.top == 0 && !st->js.in_rec) {
      /* nothing but blanks (or nothing at all): no records, no error; a
       * partial token (e.g. `tru`) is still an error */
      int blank = 1;
      for (size_t i = in->pos; i < in->len && blank; i++)
        blank = in->buf[i] == ' ' || in->buf[i] == '\t' || in->buf[i] == '\r' || in->buf[i] == '\n';
      if (blank)
        return THBX_OK;
    }
    if (jstream_finish(&st->js, msg, sizeof(msg)) != yajl_status_ok) {
      long long at = st->js.in_rec ? st->js.cur.start : st->fed;
      set_fatal(st, at, st->js.in_rec ? "truncated record" : "invalid JSON", msg);
      if (st->js.in_rec)
        snprintf(st->fatal_msg, sizeof(st->fatal_msg),
                 "truncated record: the input ends inside it (%s)", msg);
    }
    return THBX_OK;
  }
  size_t n = in->len - from;
  long long err_abs = 0;
  yajl_status s = jstream_feed(&st->js, in->buf + from, n, st->fed, &err_abs, msg, sizeof(msg));
  st->fed += (long long)n;
  if (s != yajl_status_ok) {
    if (st->js.nomem)
      return reader_error(r, err, THBX_ENOMEM, 0, 0, "out of memory");
    size_t bad = strstr(msg, "UTF8") ? reader_utf8_bad(in->buf + from, n) : n;
    if (bad < n) {
      /* another encoding, not a syntax error: say which it looks like */
      set_fatal(st, st->fed - (long long)n + (long long)bad, "", "");
      reader_not_utf8(in->buf + from, n, bad, st->fatal_msg, sizeof(st->fatal_msg));
      return THBX_OK;
    }
    set_fatal(st, err_abs, "invalid JSON", msg);
    size_t len = strlen(st->fatal_msg);
    snprintf(st->fatal_msg + len, sizeof(st->fatal_msg) - len,
             " (reading stops at a JSON syntax error)");
  } else if (st->js.in_rec && st->js.cur.raw_lost) {
    skip_start(r, st);
  }
  return THBX_OK;
}

static int json_next(struct thbx_reader *r, thbx_record_t *rec, thbx_error_t *err) {
  struct json_reader *st = r->state;
  for (;;) {
    struct jrec jr;
    if (jstream_pop(&st->js, &jr))
      return deliver(r, &jr, rec, err);
    if (st->fatal) {
      st->fatal = 0;
      jstream_clear(&st->js);
      return reader_error(r, err, THBX_EFATAL, st->fatal_line, st->fatal_col, "%s", st->fatal_msg);
    }
    if (st->ended)
      return THBX_EOF;
    int rc = feed_more(r, st, err);
    if (rc != THBX_OK)
      return rc;
  }
}

static void json_free(struct thbx_reader *r) {
  struct json_reader *st = r->state;
  if (!st)
    return;
  jstream_free(&st->js);
  seek_free(&st->seek);
  free(st);
  r->state = NULL;
}

const struct reader_ops reader_json_ops = {json_open, json_next, json_free};
