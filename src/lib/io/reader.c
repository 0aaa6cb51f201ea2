/*
 * reader.c - opening a reader: the buffered input every format reads through,
 * limits, UTF-8 BOM, format sniffing, and dispatch to reader_<format>.c.
 *
 * Sniffing looks at bytes already in the input buffer and never consumes
 * them, so the format's own reader starts at the first byte of the input
 * (after a BOM).
 */
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_CHUNK ((size_t)64 << 10)
#define SNIFF_MAX ((size_t)1 << 20)

/* ------------------------------------------------------------ buffered input */

long reader_input_fill(reader_input_t *in, size_t want) {
  size_t avail = in->len - in->pos;
  if (avail >= want)
    return (long)avail;
  if (in->error)
    return -1; /* the stream is broken: never mistake it for its end */
  if (in->eof)
    return (long)avail;
  if (in->pos > 0) {
    if (avail)
      memmove(in->buf, in->buf + in->pos, avail);
    in->offset += (long long)in->pos;
    in->len = avail;
    in->pos = 0;
  }
  size_t need = want < INPUT_CHUNK ? INPUT_CHUNK : want;
  if (in->cap < need) {
    size_t cap = in->cap ? in->cap : INPUT_CHUNK;
    while (cap < need)
      cap *= 2;
    unsigned char *p = realloc(in->buf, cap);
    if (!p) {
      in->error = 1;
      in->err_no = ENOMEM;
      return -1;
    }
    in->buf = p;
    in->cap = cap;
  }
  while (in->len < want) {
    size_t n = fread(in->buf + in->len, 1, in->cap - in->len, in->fp);
    if (n == 0) {
      if (ferror(in->fp)) {
        in->error = 1;
        in->err_no = errno ? errno : EIO;
        return -1;
      }
      in->eof = 1;
      break;
    }
    in->len += n;
  }
  return (long)in->len;
}

long reader_input_read(reader_input_t *in, void *dst, size_t n) {
  if (in->pos == in->len) {
    long got = reader_input_fill(in, 1);
    if (got <= 0)
      return got;
  }
  size_t avail = in->len - in->pos;
  if (n > avail)
    n = avail;
  memcpy(dst, in->buf + in->pos, n);
  in->pos += n;
  return (long)n;
}

/* ------------------------------------------------------------------ errors */

int reader_error(struct thbx_reader *r, thbx_error_t *err, int status, long line, long column,
                 const char *fmt, ...) {
  if (!err)
    return status;
  thbx_error_clear(err);
  thbx_error_at(err, r->source, line, column);
  err->record_index = r->index;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->text, sizeof(err->text), fmt, ap);
  va_end(ap);
  return status;
}

void reader_warning(struct thbx_reader *r, long line, long column, const char *fmt, ...) {
  if (!r->opt.warning)
    return;
  thbx_error_t w;
  thbx_error_clear(&w);
  thbx_error_at(&w, r->source, line, column);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w.text, sizeof(w.text), fmt, ap);
  va_end(ap);
  r->opt.warning(r->opt.warning_ctx, &w);
}

int reader_add_xsd_error(struct thbx_reader *r, const thbx_error_t *e) {
  if (r->nxsd == r->capxsd) {
    size_t cap = r->capxsd ? r->capxsd * 2 : 8;
    thbx_error_t *p = realloc(r->xsd_errors, cap * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    r->xsd_errors = p;
    r->capxsd = cap;
  }
  r->xsd_errors[r->nxsd++] = *e;
  return THBX_OK;
}

/* ----------------------------------------------------------------- sniffing */

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Scan the complete JSON value starting at s[0] ('{'). Returns the index just
 * after it, or 0 if it does not end within n bytes. */
static size_t json_value_end(const unsigned char *s, size_t n) {
  size_t depth = 0;
  int in_string = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
      continue;
    }
    if (c == '"')
      in_string = 1;
    else if (c == '{' || c == '[')
      depth++;
    else if ((c == '}' || c == ']') && depth > 0 && --depth == 0)
      return i + 1;
  }
  return 0;
}

/* After a first `{...}` on one line: does another value follow on a new
 * line? Then NDJSON. A first value over several lines is JSON: one record,
 * or a stream of values one after another (what `jq '.[]'` prints). Looks
 * ahead in the buffer, reading more as needed, up to SNIFF_MAX. */
static thbx_format sniff_object(reader_input_t *in) {
  size_t want = INPUT_CHUNK;
  for (;;) {
    long avail = reader_input_fill(in, want);
    if (avail < 0)
      return THBX_FORMAT_JSON; /* the JSON reader reports the error */
    const unsigned char *s = in->buf + in->pos;
    size_t n = (size_t)avail, i = 0;
    while (i < n && is_ws(s[i]))
      i++;
    size_t end = json_value_end(s + i, n - i);
    if (end) {
      size_t j = i + end;
      int newline = 0;
      while (j < n && is_ws(s[j]))
        newline |= s[j++] == '\n';
      if (j < n)
        return newline && !memchr(s + i, '\n', end) ? THBX_FORMAT_NDJSON : THBX_FORMAT_JSON;
      if (in->eof || n >= SNIFF_MAX)
        return THBX_FORMAT_JSON; /* one object alone, or only blanks after it */
    } else if (in->eof || n >= SNIFF_MAX) {
      return THBX_FORMAT_JSON; /* a huge first value: an object document */
    }
    want = n * 2 > SNIFF_MAX ? SNIFF_MAX : n * 2;
    if (want <= n)
      return THBX_FORMAT_JSON;
  }
}

static thbx_format sniff(reader_input_t *in) {
  size_t want = 4096;
  for (;;) {
    long avail = reader_input_fill(in, want);
    if (avail <= 0)
      return THBX_FORMAT_JSON; /* empty: no records whatever we say */
    const unsigned char *s = in->buf + in->pos;
    size_t i = 0, n = (size_t)avail;
    while (i < n && is_ws(s[i]))
      i++;
    if (i < n) {
      switch (s[i]) {
      case '<': return THBX_FORMAT_XML;
      case '[': return THBX_FORMAT_JSON;
      case '{': return sniff_object(in);
      default: return THBX_FORMAT_CSV;
      }
    }
    if (in->eof || n >= SNIFF_MAX)
      return THBX_FORMAT_JSON; /* only blanks */
    want = n * 2;
  }
}

/* ------------------------------------------------------------------ readers */

static const struct reader_ops *ops_for(thbx_format f) {
  switch (f) {
  case THBX_FORMAT_JSON: return &reader_json_ops;
  case THBX_FORMAT_NDJSON: return &reader_ndjson_ops;
  case THBX_FORMAT_CSV: return &reader_csv_ops;
  case THBX_FORMAT_XML: return &reader_xml_ops;
  default: return NULL;
  }
}

static void fill_limits(thbx_limits_t *l) {
  thbx_limits_t d;
  thbx_limits_default(&d);
  if (!l->max_depth)
    l->max_depth = d.max_depth;
  if (!l->max_record_bytes)
    l->max_record_bytes = d.max_record_bytes;
  if (!l->max_field_bytes)
    l->max_field_bytes = d.max_field_bytes;
  if (!l->max_columns)
    l->max_columns = d.max_columns;
  if (!l->regex_match_limit)
    l->regex_match_limit = d.regex_match_limit;
}

int thbx_reader_open(thbx_reader_t **out, FILE *in, const char *source,
                     const thbx_reader_options_t *options, thbx_error_t *err) {
  if (!out || !in)
    return thbx_error_set(err, THBX_EINVAL, "no reader or input stream given");
  *out = NULL;
  thbx_error_clear(err);
  struct thbx_reader *r = calloc(1, sizeof(*r));
  if (!r)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (options)
    r->opt = *options;
  else
    thbx_reader_options_default(&r->opt);
  fill_limits(&r->opt.limits);
  if (!r->opt.delimiter && thbx_path_is_tsv(source))
    r->opt.delimiter = '\t';
  /* still 0: the CSV reader detects it from the header line */
  if (!r->opt.list_separator)
    r->opt.list_separator = '|';
  r->in.fp = in;
  r->source = strdup(source ? source : "-");
  thbx_buf_init(&r->raw);
  thbx_buf_init(&r->header);
  if (!r->source) {
    free(r);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  r->profile = r->opt.profile;
  r->shape = r->profile ? r->profile->shape : NULL;
  thbx_error_at(err, r->source, 0, 0);

  long avail = reader_input_fill(&r->in, 3);
  if (avail < 0) {
    thbx_error_set(err, THBX_EIO, "cannot read: %s", strerror(r->in.err_no));
    thbx_reader_free(r);
    return THBX_EIO;
  }
  if (avail >= 3 && memcmp(r->in.buf + r->in.pos, "\xEF\xBB\xBF", 3) == 0)
    r->in.pos += 3;

  r->format = r->opt.format;
  if (r->format == THBX_FORMAT_AUTO)
    r->format = sniff(&r->in);
  else if (r->format == THBX_FORMAT_JSON && sniff(&r->in) == THBX_FORMAT_NDJSON)
    r->format = THBX_FORMAT_NDJSON; /* NDJSON in a file named .json: read line by line */
  if (r->in.error) {
    thbx_error_set(err, THBX_EIO, "cannot read: %s", strerror(r->in.err_no));
    thbx_reader_free(r);
    return THBX_EIO;
  }
  r->opt.format = r->format;
  r->ops = ops_for(r->format);
  if (!r->ops) {
    int rc = thbx_error_set(err, THBX_EINVAL, "reading %s is not supported in this build",
                            thbx_format_name(r->format));
    thbx_reader_free(r);
    return rc;
  }
  int rc = r->ops->open(r, err);
  if (rc != THBX_OK) {
    if (err && !err->source[0])
      thbx_error_at(err, r->source, err->line, err->column);
    thbx_reader_free(r);
    return rc;
  }
  *out = r;
  return THBX_OK;
}

int thbx_reader_next(thbx_reader_t *r, thbx_record_t *rec, thbx_error_t *err) {
  if (!r || !rec)
    return thbx_error_set(err, THBX_EINVAL, "no reader or record given");
  memset(rec, 0, sizeof(*rec));
  thbx_error_clear(err);
  if (r->done)
    return THBX_EOF;
  thbx_buf_reset(&r->raw);
  r->nxsd = 0;
  rec->index = r->index;
  int rc = r->ops->next(r, rec, err);
  rec->source = r->source;
  switch (rc) {
  case THBX_OK: rec->index = r->index++; break;
  case THBX_EPARSE:
  case THBX_ELIMIT:
    if (err) {
      if (!err->source[0])
        thbx_strlcpy(err->source, r->source, sizeof(err->source));
      err->record_index = r->index;
    }
    r->index++;
    break;
  default:
    if (rc != THBX_EOF && err && !err->source[0])
      thbx_strlcpy(err->source, r->source, sizeof(err->source));
    r->done = 1;
    break;
  }
  return rc;
}

const char *thbx_reader_raw(const thbx_reader_t *r, size_t *length) {
  if (length)
    *length = r && r->raw.data ? r->raw.len : 0;
  return r && r->raw.data && r->raw.len ? r->raw.data : NULL;
}

thbx_format thbx_reader_format(const thbx_reader_t *r) { return r ? r->format : THBX_FORMAT_AUTO; }

const char *thbx_reader_header(const thbx_reader_t *r, size_t *length) {
  if (length)
    *length = r && r->header.data ? r->header.len : 0;
  return r && r->header.data && r->header.len ? r->header.data : NULL;
}

int thbx_reader_xsd_errors(const thbx_reader_t *r, const thbx_error_t **errors, size_t *count) {
  if (errors)
    *errors = r ? r->xsd_errors : NULL;
  if (count)
    *count = r ? r->nxsd : 0;
  return THBX_OK;
}

void thbx_reader_free(thbx_reader_t *r) {
  if (!r)
    return;
  if (r->ops && r->ops->free)
    r->ops->free(r);
  free(r->in.buf);
  free(r->source);
  thbx_buf_free(&r->raw);
  thbx_buf_free(&r->header);
  free(r->xsd_errors);
  free(r);
}
