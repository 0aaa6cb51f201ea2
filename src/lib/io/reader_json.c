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

struct json_reader {
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
  free(st);
  r->state = NULL;
}

const struct reader_ops reader_json_ops = {json_open, json_next, json_free};
