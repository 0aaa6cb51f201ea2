/*
 * reader_ndjson.c - NDJSON (JSON Lines): one record per line.
 *
 * Each line is parsed on its own with yajl through json_stream.c (measured
 * about 2.5 times faster than json_loadb, see docs/performance.md), so a
 * broken line is one broken record and reading goes on at the next line.
 * Blank lines are skipped, CRLF is fine, the last line needs no newline. A
 * line longer than max_record_bytes is skipped without being kept in memory.
 */
#include "json_stream.h"
#include "reader.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)64 << 10)

struct ndjson_reader {
  struct jstream js;
  long line; /* number of the next line */
};

static int ndjson_open(struct thbx_reader *r, thbx_error_t *err) {
  struct ndjson_reader *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (jstream_init(&st->js, &r->opt.limits, 0, r->profile != NULL) != 0) {
    free(st);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  st->line = 1;
  r->state = st;
  return THBX_OK;
}

static int is_blank(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

/* Skip the rest of an over-long line without keeping it. */
static int skip_line(struct thbx_reader *r) {
  reader_input_t *in = &r->in;
  for (;;) {
    unsigned char *nl = memchr(in->buf + in->pos, '\n', in->len - in->pos);
    if (nl) {
      in->pos = (size_t)(nl - in->buf) + 1;
      return 0;
    }
    in->pos = in->len;
    long got = reader_input_fill(in, CHUNK);
    if (got < 0)
      return -1;
    if (got == 0)
      return 0;
  }
}

/* The column (in characters) of offset `at` of a line. */
static long utf8_column(const unsigned char *p, size_t at) {
  long col = 1;
  for (size_t i = 0; i < at; i++)
    col += (p[i] & 0xC0) != 0x80;
  return col;
}

/* Parse one line [p, p+n) at absolute offset abs; fills rec or err. */
static int parse_line(struct thbx_reader *r, struct ndjson_reader *st, const unsigned char *p,
                      size_t n, long long abs, long line, thbx_record_t *rec, thbx_error_t *err) {
  struct jstream *js = &st->js;
  char msg[JSTREAM_MSG];
  long long err_abs = abs;
  jstream_view(js, r->in.buf, r->in.offset);
  jstream_set_line(js, abs, line);
  /* the newline (or a blank for the last line) ends a number at the end */
  yajl_status s = jstream_feed(js, p, n, abs, &err_abs, msg, sizeof(msg));
  if (s == yajl_status_ok)
    s = jstream_feed(js, (const unsigned char *)" ", 1, abs + (long long)n, &err_abs, msg,
                     sizeof(msg));
  if (s != yajl_status_ok) {
    if (js->nomem)
      return reader_error(r, err, THBX_ENOMEM, line, 0, "out of memory");
    if (err_abs > abs + (long long)n)
      err_abs = abs + (long long)n;
    jstream_reset(js);
    return reader_error(r, err, THBX_EPARSE, line, (long)(err_abs - abs) + 1, "invalid JSON: %s",
                        msg);
  }
  if (js->in_rec) {
    jstream_reset(js);
    return reader_error(r, err, THBX_EPARSE, line, 1,
                        "incomplete JSON value (a record must be on one line)");
  }
  struct jrec jr, extra;
  if (!jstream_pop(js, &jr))
    return reader_error(r, err, THBX_EPARSE, line, 1, "no JSON value on the line");
  if (jstream_pop(js, &extra)) {
    json_decref(jr.value);
    json_decref(extra.value);
    long col = extra.col;
    jstream_reset(js);
    return reader_error(r, err, THBX_EPARSE, line, col, "more than one JSON value on the line");
  }
  if (jr.status != THBX_OK) {
    json_decref(jr.value);
    return reader_error(r, err, THBX_EPARSE, jr.eline, jr.ecol, "%s", jr.msg);
  }
  rec->value = jr.value;
  rec->line = jr.line;
  rec->column = jr.col;
  return THBX_OK;
}

static int ndjson_next(struct thbx_reader *r, thbx_record_t *rec, thbx_error_t *err) {
  struct ndjson_reader *st = r->state;
  reader_input_t *in = &r->in;
  size_t max = r->opt.limits.max_record_bytes;
  for (;;) {
    size_t scanned = 0;
    unsigned char *nl = NULL;
    for (;;) {
      size_t avail = in->len - in->pos;
      nl = memchr(in->buf + in->pos + scanned, '\n', avail - scanned);
      if (nl || in->eof)
        break;
      if (avail > max) {
        long line = st->line++;
        if (skip_line(r) != 0)
          return reader_error(r, err, THBX_EIO, line, 0, "read error: %s",
                              reader_input_strerror(in));
        return reader_error(r, err, THBX_EPARSE, line, 1,
                            "line is longer than the limit of %zu bytes", max);
      }
      scanned = avail;
      if (reader_input_fill(in, avail + CHUNK) < 0)
        return reader_error(r, err, THBX_EIO, st->line, 0, "read error: %s",
                            reader_input_strerror(in));
    }
    const unsigned char *p = in->buf + in->pos;
    size_t n = nl ? (size_t)(nl - p) : in->len - in->pos;
    if (!nl && n == 0)
      return THBX_EOF;
    long long abs = reader_input_tell(in);
    long line = st->line++;
    size_t next = in->pos + n + (nl ? 1 : 0);
    if (is_blank(p, n)) {
      in->pos = next;
      continue;
    }
    size_t text = n;
    if (text && p[text - 1] == '\r')
      text--;
    if (n > max) {
      in->pos = next;
      return reader_error(r, err, THBX_EPARSE, line, 1,
                          "line is longer than the limit of %zu bytes", max);
    }
    if (thbx_buf_append(&r->raw, (const char *)p, text) != 0)
      return reader_error(r, err, THBX_ENOMEM, line, 1, "out of memory");
    size_t bad = reader_utf8_bad(p, text);
    if (bad < text) {
      /* another encoding, not a broken line: the input is refused whole */
      char msg[THBX_ERROR_TEXT_LENGTH];
      reader_not_utf8(p, text, bad, msg, sizeof(msg));
      in->pos = next;
      return reader_error(r, err, THBX_EFATAL, line, utf8_column(p, bad), "%s", msg);
    }
    if (r->opt.defer_parse) {
      /* the pipeline's workers parse it (reader_ndjson_parse) */
      r->deferred_cr = n > text;
      rec->value = NULL;
      rec->line = line;
      rec->column = 1;
      in->pos = next;
      return THBX_OK;
    }
    int rc = parse_line(r, st, p, n, abs, line, rec, err);
    in->pos = next;
    return rc;
  }
}

static void ndjson_free(struct thbx_reader *r) {
  struct ndjson_reader *st = r->state;
  if (!st)
    return;
  jstream_free(&st->js);
  free(st);
  r->state = NULL;
}

/* ------------------------------------------------ parsing apart (-j N) */

/* Each thread's own parser, made at its first line and kept. */
struct tl_parser {
  struct jstream js;
  const thbx_limits_t *lim;
  int objects_only;
  long long abs; /* offsets grow from call to call, as the engine wants */
};

static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void tl_destroy(void *p) {
  struct tl_parser *t = p;
  jstream_free(&t->js);
  free(t);
}

static void tl_make_key(void) { pthread_key_create(&tl_key, tl_destroy); }

void reader_ndjson_parse_init(void) { pthread_once(&tl_once, tl_make_key); }

static struct tl_parser *tl_parser(const thbx_limits_t *lim, int objects_only) {
  pthread_once(&tl_once, tl_make_key);
  struct tl_parser *t = pthread_getspecific(tl_key);
  if (t && t->lim == lim && t->objects_only == objects_only)
    return t;
  if (t) {
    tl_destroy(t);
    pthread_setspecific(tl_key, NULL);
  }
  t = calloc(1, sizeof(*t));
  if (!t || jstream_init(&t->js, lim, 0, objects_only) != 0) {
    free(t);
    return NULL;
  }
  t->lim = lim;
  t->objects_only = objects_only;
  if (pthread_setspecific(tl_key, t) != 0) {
    tl_destroy(t);
    return NULL;
  }
  return t;
}

static int perr(thbx_error_t *err, int status, const char *source, long index, long line, long col,
                const char *fmt, const char *msg) {
  if (!err)
    return status;
  thbx_error_clear(err);
  thbx_error_at(err, source, line, col);
  err->record_index = index;
  snprintf(err->text, sizeof(err->text), fmt, msg);
  return status;
}

int reader_ndjson_parse(const thbx_limits_t *lim, int objects_only, const char *source, long index,
                        const char *raw, size_t len, int cr, long line, thbx_record_t *rec,
                        thbx_error_t *err) {
  memset(rec, 0, sizeof(*rec));
  rec->index = index;
  rec->source = source;
  struct tl_parser *t = tl_parser(lim, objects_only);
  if (!t)
    return perr(err, THBX_ENOMEM, source, index, line, 0, "%s", "out of memory");
  struct jstream *js = &t->js;
  long long abs = t->abs;
  size_t n = len + (cr ? 1 : 0);
  t->abs += (long long)n + 2;
  char msg[JSTREAM_MSG];
  long long err_abs = abs;
  jstream_view(js, (const unsigned char *)raw, abs);
  jstream_set_line(js, abs, line);
  yajl_status s =
      jstream_feed(js, (const unsigned char *)raw, len, abs, &err_abs, msg, sizeof(msg));
  if (s == yajl_status_ok && cr)
    s = jstream_feed(js, (const unsigned char *)"\r", 1, abs + (long long)len, &err_abs, msg,
                     sizeof(msg));
  if (s == yajl_status_ok)
    s = jstream_feed(js, (const unsigned char *)" ", 1, abs + (long long)n, &err_abs, msg,
                     sizeof(msg));
  if (s != yajl_status_ok) {
    if (js->nomem) {
      jstream_reset(js);
      return perr(err, THBX_ENOMEM, source, index, line, 0, "%s", "out of memory");
    }
    if (err_abs > abs + (long long)n)
      err_abs = abs + (long long)n;
    jstream_reset(js);
    return perr(err, THBX_EPARSE, source, index, line, (long)(err_abs - abs) + 1,
                "invalid JSON: %s", msg);
  }
  if (js->in_rec) {
    jstream_reset(js);
    return perr(err, THBX_EPARSE, source, index, line, 1, "%s",
                "incomplete JSON value (a record must be on one line)");
  }
  struct jrec jr, extra;
  if (!jstream_pop(js, &jr))
    return perr(err, THBX_EPARSE, source, index, line, 1, "%s", "no JSON value on the line");
  if (jstream_pop(js, &extra)) {
    json_decref(jr.value);
    json_decref(extra.value);
    long col = extra.col;
    jstream_reset(js);
    return perr(err, THBX_EPARSE, source, index, line, col, "%s",
                "more than one JSON value on the line");
  }
  if (jr.status != THBX_OK) {
    json_decref(jr.value);
    return perr(err, THBX_EPARSE, source, index, jr.eline, jr.ecol, "%s", jr.msg);
  }
  rec->value = jr.value;
  rec->line = jr.line;
  rec->column = jr.col;
  return THBX_OK;
}

int reader_deferred_cr(const thbx_reader_t *r) { return r ? r->deferred_cr : 0; }

const thbx_limits_t *reader_limits(const thbx_reader_t *r) { return &r->opt.limits; }

const struct reader_ops reader_ndjson_ops = {ndjson_open, ndjson_next, ndjson_free};
