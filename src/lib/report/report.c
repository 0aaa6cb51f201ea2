/*
 * report.c - the validation report core: counts records and errors per file
 * and in total, applies --max-errors and --quiet, and hands each record to
 * the chosen format (report_text.c, report_json.c, report_junit.c,
 * report_sarif.c, report_github.c, report_html.c). Also the helpers those
 * formats share: the spool, XML escaping, the summary line.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const format_names[] = {"text",   "json", "junit", "sarif",
                                           "github", "html", "chunk"};

int thbx_report_format_from_name(const char *name) {
  if (!name)
    return -1;
  for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
    if (strcasecmp(name, format_names[i]) == 0)
      return (int)i;
  return -1;
}

const char *thbx_report_format_name(thbx_report_format format) {
  if ((int)format < 0 || format > THBX_REPORT_CHUNK)
    return "unknown";
  return format_names[format];
}

const char *thbx_issue_kind_name(thbx_issue_kind kind) {
  switch (kind) {
  case THBX_ISSUE_SCHEMA: return "schema";
  case THBX_ISSUE_XSD: return "xsd";
  case THBX_ISSUE_UNREADABLE: return "unreadable";
  case THBX_ISSUE_DATASET: return "dataset";
  }
  return "unknown";
}

void thbx_report_options_default(thbx_report_options_t *options) {
  memset(options, 0, sizeof(*options));
  options->format = THBX_REPORT_TEXT;
  options->max_errors = -1;
  options->dataset_rules = 1;
}

static const struct report_ops *ops_for(thbx_report_format format) {
  switch (format) {
  case THBX_REPORT_TEXT: return &report_text_ops;
  case THBX_REPORT_JSON: return &report_json_ops;
  case THBX_REPORT_JUNIT: return &report_junit_ops;
  case THBX_REPORT_SARIF: return &report_sarif_ops;
  case THBX_REPORT_GITHUB: return &report_github_ops;
  case THBX_REPORT_HTML: return &report_html_ops;
  case THBX_REPORT_CHUNK: return &report_chunk_ops;
  }
  return NULL;
}

int thbx_report_open(thbx_report_t **out, FILE *stream, const thbx_report_options_t *options,
                     thbx_error_t *err) {
  if (!out || !stream)
    return thbx_error_set(err, THBX_EINVAL, "report: no output stream");
  *out = NULL;
  thbx_report_options_t defaults;
  if (!options) {
    thbx_report_options_default(&defaults);
    options = &defaults;
  }
  const struct report_ops *ops = ops_for(options->format);
  if (!ops)
    return thbx_error_set(err, THBX_EINVAL, "unknown report format %d", (int)options->format);
  struct thbx_report *r = calloc(1, sizeof(*r));
  if (!r)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  r->out = stream;
  r->options = *options;
  r->ops = ops;
  r->file_index = -1;
  int rc = ops->open ? ops->open(r, err) : THBX_OK;
  if (rc != THBX_OK) {
    thbx_report_free(r);
    return rc;
  }
  *out = r;
  return THBX_OK;
}

int thbx_report_file_begin(thbx_report_t *r, const char *source, thbx_error_t *err) {
  if (!r || r->finished)
    return thbx_error_set(err, THBX_EINVAL, "report: file_begin out of order");
  if (r->in_file) {
    int rc = thbx_report_file_end(r, err);
    if (rc != THBX_OK)
      return rc;
  }
  memset(&r->file, 0, sizeof(r->file));
  r->file.files = 1;
  r->file_source = source ? source : "-";
  r->file_index++;
  r->total.files++;
  r->in_file = 1;
  return r->ops->file_begin ? r->ops->file_begin(r, r->file_source, err) : THBX_OK;
}

thbx_report_format thbx_report_format_of(const thbx_report_t *r) { return r->options.format; }

int thbx_report_add(thbx_report_t *r, const thbx_report_record_t *record,
                    const thbx_issue_t *issues, size_t count, thbx_error_t *err) {
  if (!r || r->finished || (count && !issues))
    return thbx_error_set(err, THBX_EINVAL, "report: bad arguments to add");
  if (!r->in_file) {
    int rc = thbx_report_file_begin(r, record ? record->source : NULL, err);
    if (rc != THBX_OK)
      return rc;
  }
  if (record) {
    r->total.records++;
    r->file.records++;
    if (count == 0 && !record->unreadable) {
      r->total.valid++;
      r->file.valid++;
    } else {
      r->total.invalid++;
      r->file.invalid++;
      if (record->unreadable) {
        r->total.unreadable++;
        r->file.unreadable++;
      }
    }
  }
  size_t shown = 0;
  if (!r->options.quiet) {
    shown = count;
    if (r->options.max_errors >= 0) {
      long room = r->options.max_errors - r->total.reported;
      if (room < 0)
        room = 0;
      if ((long)shown > room)
        shown = (size_t)room;
    }
  }
  r->total.errors += (long)count;
  r->file.errors += (long)count;
  r->total.reported += (long)shown;
  r->file.reported += (long)shown;
  return r->ops->add ? r->ops->add(r, record, issues, count, shown, err) : THBX_OK;
}

int thbx_report_file_end(thbx_report_t *r, thbx_error_t *err) {
  if (!r || !r->in_file)
    return THBX_OK;
  r->in_file = 0;
  return r->ops->file_end ? r->ops->file_end(r, err) : THBX_OK;
}

int thbx_report_input_end(thbx_report_t *r, const char *source, long lines, int header_lines,
                          int complete, thbx_error_t *err) {
  if (!r || r->finished)
    return thbx_error_set(err, THBX_EINVAL, "report: input_end out of order");
  return r->ops->input_end
             ? r->ops->input_end(r, source ? source : "-", lines, header_lines, complete, err)
             : THBX_OK;
}

int thbx_report_finish(thbx_report_t *r, thbx_error_t *err) {
  if (!r || r->finished)
    return thbx_error_set(err, THBX_EINVAL, "report: finished twice");
  int rc = thbx_report_file_end(r, err);
  if (rc != THBX_OK)
    return rc;
  r->finished = 1;
  rc = r->ops->finish ? r->ops->finish(r, err) : THBX_OK;
  if (rc != THBX_OK)
    return rc;
  if (fflush(r->out) != 0 || ferror(r->out))
    return thbx_error_set(err, THBX_EIO, "cannot write the report");
  return THBX_OK;
}

void thbx_report_get_summary(const thbx_report_t *r, thbx_report_summary_t *summary) {
  if (!summary)
    return;
  if (!r) {
    memset(summary, 0, sizeof(*summary));
    return;
  }
  *summary = r->total;
}

void thbx_report_free(thbx_report_t *r) {
  if (!r)
    return;
  if (r->ops && r->ops->free)
    r->ops->free(r);
  free(r);
}

/* ------------------------------------------------------------ spool */

int report_spool_open(report_spool_t *spool, thbx_error_t *err) {
  spool->fp = tmpfile();
  if (!spool->fp)
    return thbx_error_set(err, THBX_EIO, "cannot create a temporary file for the report");
  return THBX_OK;
}

int report_spool_drain(report_spool_t *spool, FILE *out, thbx_error_t *err) {
  if (!spool->fp)
    return THBX_OK;
  if (fflush(spool->fp) != 0 || ferror(spool->fp) || fseek(spool->fp, 0, SEEK_SET) != 0)
    return thbx_error_set(err, THBX_EIO, "cannot read back the report's temporary file");
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), spool->fp)) > 0)
    if (fwrite(chunk, 1, n, out) != n)
      return thbx_error_set(err, THBX_EIO, "cannot write the report");
  if (ferror(spool->fp))
    return thbx_error_set(err, THBX_EIO, "cannot read back the report's temporary file");
  /* empty it for reuse */
  fclose(spool->fp);
  return report_spool_open(spool, err);
}

int report_spool_slurp(report_spool_t *spool, thbx_buf_t *buf, thbx_error_t *err) {
  if (!spool->fp)
    return THBX_OK;
  if (fflush(spool->fp) != 0 || fseek(spool->fp, 0, SEEK_SET) != 0)
    return thbx_error_set(err, THBX_EIO, "cannot read back the report's temporary file");
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), spool->fp)) > 0)
    if (thbx_buf_append(buf, chunk, n) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (ferror(spool->fp))
    return thbx_error_set(err, THBX_EIO, "cannot read back the report's temporary file");
  return THBX_OK;
}

void report_spool_close(report_spool_t *spool) {
  if (spool->fp)
    fclose(spool->fp);
  spool->fp = NULL;
}

/* ------------------------------------------------------------ helpers */

/* Length of the UTF-8 sequence at s (1 if it is not valid: such bytes
 * are dropped by the XML escaper). */
static size_t utf8_len(const unsigned char *s) {
  if (s[0] < 0x80)
    return 1;
  size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0)
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return thbx_utf8_valid((const char *)s, n) ? n : 0;
}

void report_xml_escape(FILE *fp, const char *s) {
  if (!s)
    return;
  /* what comes from the input may carry control and bidirectional
   * characters: make them visible first (a report viewed in a terminal or
   * a browser shows \x1B, \u202e instead of obeying them) */
  thbx_buf_t vis;
  thbx_buf_init(&vis);
  if (thbx_buf_puts(&vis, "") == 0 && thbx_display_text_buf(&vis, s) == 0)
    s = vis.data;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    switch (*p) {
    case '&':
      fputs("&amp;", fp);
      p++;
      continue;
    case '<':
      fputs("&lt;", fp);
      p++;
      continue;
    case '>':
      fputs("&gt;", fp);
      p++;
      continue;
    case '"':
      fputs("&quot;", fp);
      p++;
      continue;
    case '\'':
      fputs("&apos;", fp);
      p++;
      continue;
    case '\n':
      fputs("&#10;", fp);
      p++;
      continue;
    case '\r':
      fputs("&#13;", fp);
      p++;
      continue;
    case '\t':
      fputs("&#9;", fp);
      p++;
      continue;
    default: break;
    }
    if (*p < 0x20) { /* not allowed in XML 1.0 */
      p++;
      continue;
    }
    size_t n = utf8_len(p);
    if (n == 0) {
      fputs("\xEF\xBF\xBD", fp); /* U+FFFD for a broken byte */
      p++;
      continue;
    }
    fwrite(p, 1, n, fp);
    p += n;
  }
  thbx_buf_free(&vis);
}

void report_summary_line(FILE *fp, const thbx_report_summary_t *s) {
  fprintf(fp, "%ld file%s, %ld record%s: %ld valid, %ld invalid", s->files,
          s->files == 1 ? "" : "s", s->records, s->records == 1 ? "" : "s", s->valid, s->invalid);
  if (s->unreadable)
    fprintf(fp, " (%ld unreadable)", s->unreadable);
  fprintf(fp, ", %ld error%s", s->errors, s->errors == 1 ? "" : "s");
  if (s->reported < s->errors)
    fprintf(fp, " (%ld shown)", s->reported);
}

void report_field(thbx_buf_t *out, const char *path) {
  thbx_buf_reset(out);
  if (!path || !*path) {
    thbx_buf_puts(out, "/");
    return;
  }
  const char *p = path;
  while (*p == '/') {
    const char *seg = p + 1;
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    int digits = n > 0;
    for (size_t i = 0; i < n; i++)
      if (seg[i] < '0' || seg[i] > '9')
        digits = 0;
    if (!digits) {
      thbx_buf_putc(out, '/');
      thbx_buf_append(out, seg, n);
    }
    p = seg + n;
  }
  if (out->len == 0)
    thbx_buf_puts(out, "/");
}

int report_message(thbx_buf_t *out, const struct thbx_report *r, const thbx_report_record_t *record,
                   const thbx_issue_t *issue) {
  thbx_buf_reset(out);
  int rc = thbx_buf_puts(out, "");
  int redact = r && r->options.redact;
  if (issue->instance_path && issue->instance_path[0]) {
    rc |= thbx_display_text_buf(out, issue->instance_path);
    rc |= thbx_buf_puts(out, ": ");
  }
  rc |= thbx_display_issue_buf(out, issue->message, issue->value, issue->hint, redact);
  if (issue->related_source) {
    rc |= thbx_buf_puts(out, " (first at ");
    rc |= thbx_display_text_buf(out, issue->related_source);
    if (issue->related_line > 0)
      rc |= thbx_buf_printf(out, ":%ld", issue->related_line);
    if (issue->related_column > 0)
      rc |= thbx_buf_printf(out, ":%ld", issue->related_column);
    rc |= thbx_buf_putc(out, ')');
  }
  if (record && record->record_id && record->record_id[0]) {
    rc |= thbx_buf_puts(out, " [record ");
    rc |= thbx_display_text_buf(out, record->record_id);
    rc |= thbx_buf_putc(out, ']');
  }
  return rc ? THBX_ENOMEM : THBX_OK;
}

const char *report_visible(thbx_buf_t *out, const char *s) {
  thbx_buf_reset(out);
  if (thbx_buf_puts(out, "") != 0 || thbx_display_text_buf(out, s ? s : "") != 0)
    return NULL;
  return out->data;
}

json_t *report_value_json(const char *value) {
  if (!value)
    return NULL;
  json_t *v = json_string(value); /* the text as it stands */
  if (v)
    return v;
  thbx_buf_t b; /* not UTF-8 either: its visible spelling */
  thbx_buf_init(&b);
  if (thbx_buf_puts(&b, "") == 0 && thbx_display_text_buf(&b, value) == 0)
    v = json_string(b.data);
  thbx_buf_free(&b);
  return v;
}

int report_json_dump(const json_t *v, FILE *fp, size_t flags) {
  char *text = json_dumps(v, flags);
  if (!text)
    return -1;
  /* jansson escapes C0 controls; DEL, C1, invisible and bidirectional
   * characters would reach a terminal that shows the file raw: \u-escape
   * them too (they can only stand inside JSON strings) */
  for (const unsigned char *p = (const unsigned char *)text; *p;) {
    size_t n = *p < 0x80 ? 1 : utf8_len(p);
    unsigned long c = *p;
    if (n > 1) {
      c = p[0] & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
      for (size_t i = 1; i < n; i++)
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (n == 0) { /* jansson writes UTF-8 only */
      fputc(*p++, fp);
      continue;
    }
    if (c >= 0x7F && thbx_display_hidden(c)) {
      if (c > 0xFFFF) {
        unsigned long u = c - 0x10000;
        fprintf(fp, "\\u%04lx\\u%04lx", 0xD800 + (u >> 10), 0xDC00 + (u & 0x3FF));
      } else {
        fprintf(fp, "\\u%04lx", c);
      }
    } else {
      fwrite(p, 1, n, fp);
    }
    p += n;
  }
  free(text);
  return ferror(fp) ? -1 : 0;
}
