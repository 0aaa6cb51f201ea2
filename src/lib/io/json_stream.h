/*
 * json_stream.h - yajl's streaming parser building jansson records (internal).
 *
 * The JSON reader feeds the whole input in chunks (a top-level array's
 * elements are the records); the NDJSON reader feeds one line at a time. The
 * engine builds each record as a json_t, enforces the limits (depth, string
 * length, record size), rejects duplicate keys, lone surrogates and
 * numbers that overflow, and queues finished records with their byte range
 * and line/column. The bytes of a record under construction must stay in the
 * caller's buffer (jstream_view) so that the engine can count lines and look
 * at raw string tokens.
 */
#ifndef THBX_JSON_STREAM_H
#define THBX_JSON_STREAM_H

#include "internal.h"

#include <yajl/yajl_parse.h>

#define JSTREAM_MSG 200

/* A finished record: value, or status != THBX_OK with a message at eline:ecol. */
struct jrec {
  json_t *value;
  int status;           /* THBX_OK, THBX_EPARSE or THBX_ELIMIT */
  long long start, end; /* absolute byte range in the input */
  long line, col;       /* where it starts */
  long eline, ecol;     /* where the error is */
  int raw_lost;         /* too large: its bytes were not kept */
  char msg[JSTREAM_MSG];
};

struct jstream {
  yajl_handle h;
  const thbx_limits_t *lim;
  int objects_only; /* profile mode: a record must be an object */
  int unwrap;       /* JSON: the elements of a top-level array are the records */
  int trailing_ok;  /* records at a JSON Pointer: yajl stops after the record array
                       (what follows it in the document is not parsed) */

  /* the caller's buffer: base[0] is at absolute offset base_abs */
  const unsigned char *base;
  long long base_abs;
  long long chunk_abs; /* absolute offset of the chunk being parsed */

  /* line counting, lazily up to nl_upto */
  long long nl_upto, line_start;
  long line;
  long long col_abs; /* columns (characters) are counted up to here ... */
  long col_chars;    /* ... and there are this many from line_start */

  int top;      /* 0 nothing yet, 1 inside the top-level array, 2 a single value */
  size_t level; /* yajl nesting, the unwrapped array included */
  json_t **stack;
  size_t depth, cap; /* open containers of the current record */
  size_t skip;       /* levels open while skipping a broken record */
  int in_rec;
  long long scan_from; /* where the search for the next record's start begins */
  struct jrec cur;
  thbx_buf_t key;
  long long key_end;    /* just after the last key's closing quote */
  long long last_event; /* where the last yajl callback was */
  int have_key;

  struct jrec *q;
  size_t qhead, qlen, qcap;
  int nomem;
  int trailing; /* a value after the document's array */
};

int jstream_init(struct jstream *js, const thbx_limits_t *lim, int unwrap, int objects_only);
void jstream_free(struct jstream *js);
/* Start over after a syntax error (NDJSON: at the next line). */
int jstream_reset(struct jstream *js);
/* Tell the engine where the caller's buffer is now. */
static inline void jstream_view(struct jstream *js, const unsigned char *base, long long abs) {
  js->base = base;
  js->base_abs = abs;
}
/* Line numbering: the byte at `abs` starts line `line`. */
void jstream_set_line(struct jstream *js, long long abs, long line);
/* Line and column of an absolute offset >= every offset asked before. */
void jstream_locate(struct jstream *js, long long abs, long *line, long *col);
/* Parse bytes [abs, abs+n) (inside the view). yajl's status; on error,
 * *err_abs is where it stopped and msg says why. */
yajl_status jstream_feed(struct jstream *js, const unsigned char *p, size_t n, long long abs,
                         long long *err_abs, char *msg, size_t msgsize);
/* End of input. */
yajl_status jstream_finish(struct jstream *js, char *msg, size_t msgsize);
/* Pop the oldest finished record into *out; 0 if none. */
int jstream_pop(struct jstream *js, struct jrec *out);
/* The first byte that must stay in the caller's buffer. */
long long jstream_keep_from(struct jstream *js, long long fed_to);
/* Fail the record under construction as too large (msg NULL: the record
 * limit; else "msg of <field limit> bytes") and stop keeping its bytes. */
void jstream_abandon_current(struct jstream *js, int status, const char *msg);
/* The caller skipped the (abandoned) record under construction to its end
 * at `end` without yajl, whose token buffer would grow with it: queue the
 * record's error and start a fresh parser at the top level. */
void jstream_skipped(struct jstream *js, long long end);
/* Free the values of queued records and of the record under construction. */
void jstream_clear(struct jstream *js);

#endif
