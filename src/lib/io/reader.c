/*
 * reader.c - opening a reader: the buffered input every format reads through,
 * limits, UTF-8 BOM, format sniffing, and dispatch to reader_<format>.c.
 *
 * Sniffing looks at bytes already in the input buffer and never consumes
 * them, so the format's own reader starts at the first byte of the input
 * (after a BOM).
 */
#include "reader.h"
#include "xsd_job.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_CHUNK ((size_t)64 << 10)
#define SNIFF_MAX ((size_t)1 << 20)

/* ------------------------------------------------------------ buffered input */

/* With an encoding: read raw bytes and convert them to UTF-8 into dst.
 * Returns the bytes made, 0 at the end of the input; in->error on a read
 * error or a byte sequence the encoding does not have (EILSEQ). */
static size_t input_convert(reader_input_t *in, unsigned char *dst, size_t cap) {
  if (!in->raw) {
    in->rawcap = INPUT_CHUNK;
    if (!(in->raw = malloc(in->rawcap))) {
      in->error = 1;
      in->err_no = ENOMEM;
      return 0;
    }
  }
  for (;;) {
    int raw_eof = 0;
    if (in->rawlen < in->rawcap) {
      size_t n = fread(in->raw + in->rawlen, 1, in->rawcap - in->rawlen, in->fp);
      if (n == 0 && ferror(in->fp)) {
        in->error = 1;
        in->err_no = errno ? errno : EIO;
        return 0;
      }
      in->rawlen += n;
      raw_eof = n == 0 && feof(in->fp);
    }
    char *ip = (char *)in->raw, *op = (char *)dst;
    size_t il = in->rawlen, ol = cap;
    size_t r = iconv((iconv_t)in->cd, &ip, &il, &op, &ol);
    int e = r == (size_t)-1 ? errno : 0;
    memmove(in->raw, ip, il);
    in->rawlen = il;
    size_t made = cap - ol;
    if (e == EILSEQ || (e == EINVAL && raw_eof)) {
      if (made)
        return made; /* the error comes with the next read */
      in->error = 1;
      in->err_no = EILSEQ;
      return 0;
    }
    if (made || (raw_eof && in->rawlen == 0))
      return made;
    if (raw_eof && e == 0)
      return 0;
    if (e == E2BIG) { /* no room for one character (cannot happen: 16 bytes are kept free) */
      in->error = 1;
      in->err_no = E2BIG;
      return 0;
    }
  }
}

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
  if (in->cd && need < want + 16)
    need = want + 16; /* room for a whole converted character */
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
    size_t n = in->cd ? input_convert(in, in->buf + in->len, in->cap - in->len)
                      : fread(in->buf + in->len, 1, in->cap - in->len, in->fp);
    if (in->error)
      return -1;
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

const char *reader_input_strerror(const reader_input_t *in) {
  if (in->err_no == EILSEQ)
    return "a byte sequence that is not in the input's encoding";
  return strerror(in->err_no ? in->err_no : EIO);
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

int reader_add_cell_error(struct thbx_reader *r, const thbx_error_t *e) {
  if (r->ncell == r->capcell) {
    size_t cap = r->capcell ? r->capcell * 2 : 8;
    thbx_error_t *p = realloc(r->cell_errors, cap * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    r->cell_errors = p;
    char **v = realloc(r->cell_values, cap * sizeof(*v));
    if (!v)
      return THBX_ENOMEM;
    r->cell_values = v;
    r->capcell = cap;
  }
  r->cell_values[r->ncell] = r->err_value; /* taken */
  r->err_value = NULL;
  r->cell_errors[r->ncell++] = *e;
  return THBX_OK;
}

const char *thbx_reader_cell_value(const thbx_reader_t *r, size_t i) {
  return r && i < r->ncell ? r->cell_values[i] : NULL;
}

static void clear_cells(struct thbx_reader *r) {
  for (size_t i = 0; i < r->ncell; i++)
    free(r->cell_values[i]);
  r->ncell = 0;
}

int thbx_reader_cell_errors(const thbx_reader_t *r, const thbx_error_t **errors, size_t *count) {
  if (errors)
    *errors = r ? r->cell_errors : NULL;
  if (count)
    *count = r ? r->ncell : 0;
  return THBX_OK;
}

void reader_set_xsd_job(thbx_reader_t *r, void *job) {
  xsd_job_free(r->xsd_job);
  r->xsd_job = job;
}

void *reader_take_xsd_job(thbx_reader_t *r) {
  void *job = r->xsd_job;
  r->xsd_job = NULL;
  return job;
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

/* ------------------------------------------------------------ encodings */

size_t reader_utf8_bad(const unsigned char *p, size_t n) {
  /* most text is mostly ASCII: skip 8 bytes at a time to the first byte
   * with the high bit set, and check from there */
  size_t at = 0;
  for (;;) {
    for (; at + 8 <= n; at += 8) {
      uint64_t w;
      memcpy(&w, p + at, 8);
      if (w & 0x8080808080808080ULL)
        break;
    }
    while (at < n && p[at] < 0x80)
      at++;
    if (at == n)
      return n;
    unsigned char c = p[at];
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (c < 0xC0 || at + len > n || !thbx_utf8_valid((const char *)p + at, len))
      return at;
    at += len;
  }
}

void reader_not_utf8(const unsigned char *p, size_t n, size_t bad, char *buf, size_t size) {
  /* Not UTF-8: one of the region's legacy encodings. UTF-16 has NUL bytes
   * beside ASCII; Cyrillic (windows-1251) has its letters 0xC0-0xFF in runs
   * (whole words); Central European text (windows-1250, iso-8859-2) has
   * single accented letters between ASCII ones, and windows-1250 alone uses
   * 0x80-0x9F (š ž ť ...). */
  size_t nul = 0, high = 0, runs = 0, c1 = 0, mid = 0;
  for (size_t i = 0; i < n; i++) {
    if (!p[i])
      nul++;
    if (p[i] >= 0x80) {
      high++;
      c1 += p[i] < 0xA0;
      mid += p[i] >= 0xA0 && p[i] < 0xC0;
      runs += i > 0 && p[i - 1] >= 0xC0 && p[i] >= 0xC0;
    }
  }
  const char *enc = "windows-1250";
  if (nul * 8 > n || (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))))
    enc = "UTF-16";
  else if (high && runs * 2 > high)
    enc = "windows-1251";
  else if (high && !c1 && mid)
    enc = "iso-8859-2"; /* š ž ą ś ź ľ ť there, where windows-1250 has them at 0x8A-0x9F */
  snprintf(buf, size,
           "the input is not UTF-8 (byte 0x%02X); it looks like %s: read it with --encoding %s "
           "(or convert it to UTF-8)",
           bad < n ? p[bad] : 0, enc, enc);
}

void reader_error_value(struct thbx_reader *r, const char *s, size_t n) {
  free(r->err_value);
  r->err_value = malloc(n + 1); /* the bytes as they stand (also not UTF-8) */
  if (r->err_value) {
    memcpy(r->err_value, s, n);
    r->err_value[n] = '\0';
  }
}

const char *thbx_reader_error_value(const thbx_reader_t *r) { return r ? r->err_value : NULL; }

int reader_add_document_error(struct thbx_reader *r, const thbx_error_t *e) {
  for (size_t i = 0; i < r->ndoc; i++)
    if (strcmp(r->doc_errors[i].text, e->text) == 0)
      return THBX_OK;
  if (r->ndoc == r->capdoc) {
    size_t cap = r->capdoc ? r->capdoc * 2 : 4;
    thbx_error_t *p = realloc(r->doc_errors, cap * sizeof(*p));
    if (!p)
      return THBX_ENOMEM;
    r->doc_errors = p;
    r->capdoc = cap;
  }
  r->doc_errors[r->ndoc++] = *e;
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
  if (r->opt.encoding && r->opt.encoding[0]) {
    iconv_t cd = iconv_open("UTF-8", r->opt.encoding);
    if (cd == (iconv_t)-1) {
      int rc = thbx_error_set(err, THBX_EINVAL, "unknown encoding '%s' (iconv -l lists them)",
                              r->opt.encoding);
      thbx_reader_free(r);
      return rc;
    }
    r->in.cd = cd;
  }

  long avail = reader_input_fill(&r->in, 3);
  if (avail < 0) {
    int rc = r->in.err_no == EILSEQ ? THBX_EFATAL : THBX_EIO;
    thbx_error_set(err, rc, "cannot read: %s", reader_input_strerror(&r->in));
    thbx_reader_free(r);
    return rc;
  }
  if (avail >= 3 && memcmp(r->in.buf + r->in.pos, "\xEF\xBB\xBF", 3) == 0)
    r->in.pos += 3;
  const unsigned char *b = r->in.buf + r->in.pos;
  if (!r->in.cd && avail >= 2 &&
      ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) &&
      r->opt.format != THBX_FORMAT_XML && (r->opt.format != THBX_FORMAT_AUTO || b[2] != '<')) {
    /* a UTF-16 byte order mark: refused whole, naming the option */
    int rc = thbx_error_set(err, THBX_EFATAL,
                            "the input is UTF-16 (it starts with a byte order mark): read it with "
                            "--encoding UTF-16 (or convert it to UTF-8)");
    thbx_error_at(err, r->source, 1, 1);
    thbx_reader_free(r);
    return rc;
  }

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
  if (r->in.cd && r->format == THBX_FORMAT_XML) {
    int rc = thbx_error_set(err, THBX_EINVAL,
                            "an XML document names its own encoding in its XML declaration: "
                            "--encoding is for CSV, JSON and NDJSON");
    thbx_reader_free(r);
    return rc;
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
  clear_cells(r);
  reader_loc_reset(&r->loc);
  free(r->err_value);
  r->err_value = NULL;
  xsd_job_free(r->xsd_job);
  r->xsd_job = NULL;
  rec->index = r->index;
  int rc = r->ops->next(r, rec, err);
  rec->source = r->source;
  switch (rc) {
  case THBX_OK:
    rec->index = r->index++;
    r->rec_line = rec->line;
    r->rec_col = rec->column;
    break;
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

int thbx_reader_document_errors(const thbx_reader_t *r, const thbx_error_t **errors,
                                size_t *count) {
  if (errors)
    *errors = r ? r->doc_errors : NULL;
  if (count)
    *count = r ? r->ndoc : 0;
  return THBX_OK;
}

void thbx_reader_free(thbx_reader_t *r) {
  if (!r)
    return;
  if (r->ops && r->ops->free)
    r->ops->free(r);
  free(r->in.buf);
  free(r->in.raw);
  if (r->in.cd)
    iconv_close((iconv_t)r->in.cd);
  free(r->source);
  thbx_buf_free(&r->raw);
  thbx_buf_free(&r->header);
  free(r->xsd_errors);
  clear_cells(r);
  free(r->cell_errors);
  free(r->cell_values);
  reader_loc_free(&r->loc);
  free(r->doc_errors);
  free(r->err_value);
  xsd_job_free(r->xsd_job);
  free(r);
}
