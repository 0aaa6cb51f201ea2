/*
 * sink_split.c - the accept/reject split of `thbx validate` as a sink: the
 * raw bytes of every item go to the accept file (no issues) or the reject
 * file (issues, or unreadable), framed by the writers' own
 * thbx_writer_write_raw in the input's format, so accepted + rejected =
 * input. All inputs of a run must share one format (and, for CSV, one
 * header) when the files are used.
 *
 * An item a stage changed (raw_stale: mapping, pseudonymisation) is written
 * from its value in the same format instead, never from the input's bytes,
 * which hold what the stage replaced; for CSV in the columns of the input's
 * header. A changed item that has no value (unreadable) cannot be written
 * either way: the run fails like one whose record was too large to keep.
 */
#include "pipeline_internal.h"

#include <stdlib.h>
#include <string.h>

struct stream {
  FILE *fp;
  thbx_format want; /* the format the file's name asks for; AUTO: the input's */
  const char *name; /* "accept" / "reject" */
  thbx_writer_t *w;
};

struct split {
  const thbx_pipeline_t *p;
  struct stream s[2]; /* accept, reject */
  int fixed;
  int stale; /* a mapping run (read_generic): items are written from their values */
  thbx_format format;
  thbx_buf_t header;  /* the first CSV input's header */
  int header_checked; /* this input's header was compared */
  long lost_line, lost_col;
  int lost_stale;     /* the lost record is an unreadable one whose bytes must not be copied */
  thbx_buf_t columns; /* CSV: the header's column names as "a,b,c", for changed items */
};

/* The columns of a CSV header line (split at the input's delimiter, quotes
 * removed) as the writer's "a,b,c" columns option. */
static int header_columns(struct split *sp, thbx_error_t *err) {
  char delim = sp->p->opt.reader.delimiter;
  if (!delim)
    delim = ',';
  const char *h = sp->header.data ? sp->header.data : "";
  size_t n = sp->header.len;
  while (n && (h[n - 1] == '\n' || h[n - 1] == '\r'))
    n--;
  thbx_buf_reset(&sp->columns);
  int quoted = 0;
  for (size_t i = 0; i < n; i++) {
    char c = h[i];
    if (c == '"') {
      if (quoted && i + 1 < n && h[i + 1] == '"') {
        if (thbx_buf_putc(&sp->columns, '"') != 0)
          goto nomem;
        i++;
      } else {
        quoted = !quoted;
      }
      continue;
    }
    if (!quoted && c == delim)
      c = ',';
    if (thbx_buf_putc(&sp->columns, c) != 0)
      goto nomem;
  }
  if (thbx_buf_puts(&sp->columns, "") != 0)
    goto nomem;
  return THBX_OK;
nomem:
  return thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

static int open_writer(struct split *sp, struct stream *s, thbx_error_t *err) {
  if (s->w)
    return THBX_OK;
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = sp->format;
  wo.profile = thbx_pipeline_profile(sp->p);
  if (sp->stale) {
    /* mapped records: written, not copied (their input bytes hold the
     * untransformed values), in the format the file's name asks for */
    wo.format = s->want != THBX_FORMAT_AUTO ? s->want : sp->format;
  } else if (sp->format == THBX_FORMAT_CSV) {
    wo.raw_header = sp->header.data ? sp->header.data : "";
    wo.raw_header_length = sp->header.len;
    wo.delimiter = sp->p->opt.reader.delimiter;
    wo.list_separator = sp->p->opt.reader.list_separator;
    if (sp->header.len) {
      int rc = header_columns(sp, err);
      if (rc != THBX_OK)
        return rc;
      wo.columns = sp->columns.data;
    }
  }
  return thbx_writer_open(&s->w, s->fp, &wo, err);
}

static int split_file_begin(void *state, const char *source, thbx_format f, thbx_error_t *err) {
  struct split *sp = state;
  sp->header_checked = 0;
  sp->lost_line = -1;
  sp->lost_col = 0;
  if ((!sp->s[0].fp && !sp->s[1].fp) || f == THBX_FORMAT_AUTO)
    return THBX_OK;
  if (!sp->fixed) {
    for (int i = 0; i < 2 && !sp->stale; i++) {
      if (sp->s[i].fp && sp->s[i].want != THBX_FORMAT_AUTO && sp->s[i].want != f) {
        thbx_error_at(err, source, 0, 0);
        return thbx_error_set(err, THBX_EINVAL,
                              "input is %s but the %s file is named as %s: the %s file is "
                              "written in the input's format",
                              thbx_format_name(f), sp->s[i].name, thbx_format_name(sp->s[i].want),
                              sp->s[i].name);
      }
    }
    sp->fixed = 1;
    sp->format = f;
    return THBX_OK;
  }
  if (f != sp->format && !sp->stale) {
    thbx_error_at(err, source, 0, 0);
    return thbx_error_set(err, THBX_EINVAL,
                          "input is %s but the accept/reject files are %s: validate inputs of "
                          "one format together when using --accept/--reject",
                          thbx_format_name(f), thbx_format_name(sp->format));
  }
  return THBX_OK;
}

/* CSV: remember the first input's header; later inputs must have the same
 * columns (line ends aside). */
static int check_header(struct split *sp, const char *source, thbx_error_t *err) {
  if (sp->header_checked || sp->stale || sp->format != THBX_FORMAT_CSV ||
      (!sp->s[0].fp && !sp->s[1].fp))
    return THBX_OK;
  size_t len = 0;
  const char *h = thbx_pipeline_csv_header(sp->p, &len);
  if (!h)
    return THBX_OK;
  sp->header_checked = 1;
  size_t core = len;
  while (core && (h[core - 1] == '\n' || h[core - 1] == '\r'))
    core--;
  if (!sp->header.data) {
    if (thbx_buf_append(&sp->header, h, len) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return THBX_OK;
  }
  size_t have = sp->header.len;
  while (have && (sp->header.data[have - 1] == '\n' || sp->header.data[have - 1] == '\r'))
    have--;
  if (have != core || memcmp(sp->header.data, h, core) != 0) {
    thbx_error_at(err, source, 1, 1);
    return thbx_error_set(err, THBX_EINVAL,
                          "the CSV header differs from the first input's: the accept/reject "
                          "files can take one header only");
  }
  return THBX_OK;
}

static int split_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                      thbx_error_t *err) {
  (void)p;
  struct split *sp = state;
  if (!sp->fixed)
    return THBX_OK;
  int rc = check_header(sp, item->source, err);
  if (rc != THBX_OK)
    return rc;
  struct stream *s = &sp->s[item->nissues || item->unreadable ? 1 : 0];
  if (!s->fp)
    return THBX_OK;
  if (item->raw_stale && !item->value) {
    /* changed by a stage, but nothing to write but the input's bytes */
    if (sp->lost_line < 0) {
      sp->lost_line = item->line;
      sp->lost_col = item->column;
      sp->lost_stale = 1;
    }
    return THBX_OK;
  }
  if (item->unreadable && (!item->raw || item->raw_length == 0) && sp->lost_line < 0) {
    sp->lost_line = item->line;
    sp->lost_col = item->column;
  }
  if ((rc = open_writer(sp, s, err)) != THBX_OK)
    return rc;
  if (sp->stale || item->raw_stale) {
    /* never the input's bytes once a stage changed values */
    if (!item->value)
      return THBX_OK; /* unreadable: the report locates it */
    rc = thbx_writer_write(s->w, item->value, err);
    if (rc == THBX_EPARSE)
      return THBX_OK; /* a partly mapped record the format cannot carry */
    if (rc != THBX_OK)
      thbx_error_set(err, rc, "cannot write the %s file", s->name);
    return rc;
  }
  rc = thbx_writer_write_raw(s->w, item->raw ? item->raw : "", item->raw ? item->raw_length : 0,
                             err);
  if (rc != THBX_OK)
    thbx_error_set(err, rc, "cannot write the %s file", s->name);
  return rc;
}

static int split_file_end(void *state, const char *source, thbx_error_t *err) {
  struct split *sp = state;
  if (!sp->fixed)
    return THBX_OK;
  int rc = check_header(sp, source, err);
  if (rc != THBX_OK || sp->lost_line < 0)
    return rc;
  /* accepted + rejected would not be the input: fail like an input that
   * cannot be read to its end, so that no such files are written */
  thbx_error_clear(err);
  if (err)
    thbx_strlcpy(err->source, source, sizeof(err->source));
  thbx_error_at(err, NULL, sp->lost_line, sp->lost_col);
  if (sp->lost_stale)
    return thbx_error_set(err, THBX_EFATAL,
                          "an unreadable record cannot go to the reject file: its input bytes "
                          "must not be copied once a stage changes values");
  return thbx_error_set(err, THBX_ELIMIT,
                        "a record over a size limit was not kept, so it cannot be copied to "
                        "the reject file");
}

static int split_finish(void *state, int complete, thbx_error_t *err) {
  struct split *sp = state;
  if (!complete || !sp->fixed)
    return THBX_OK;
  for (int i = 0; i < 2; i++) {
    struct stream *s = &sp->s[i];
    if (!s->fp)
      continue;
    int rc = open_writer(sp, s, err);
    if (rc == THBX_OK)
      rc = thbx_writer_finish(s->w, err);
    if (rc != THBX_OK)
      return thbx_error_set(err, rc == THBX_ENOMEM ? rc : THBX_EIO, "cannot write the %s file",
                            s->name);
  }
  return THBX_OK;
}

static void split_free(void *state) {
  struct split *sp = state;
  if (!sp)
    return;
  thbx_writer_free(sp->s[0].w);
  thbx_writer_free(sp->s[1].w);
  thbx_buf_free(&sp->header);
  thbx_buf_free(&sp->columns);
  free(sp);
}

int thbx_pipeline_add_split(thbx_pipeline_t *p, FILE *accept, thbx_format accept_format,
                            FILE *reject, thbx_format reject_format, thbx_error_t *err) {
  if (!p)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: none given");
  struct split *sp = calloc(1, sizeof(*sp));
  if (!sp)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  sp->p = p;
  sp->stale = p->opt.read_generic;
  sp->s[0] = (struct stream){accept, accept_format, "accept", NULL};
  sp->s[1] = (struct stream){reject, reject_format, "reject", NULL};
  thbx_buf_init(&sp->header);
  thbx_buf_init(&sp->columns);
  sp->lost_line = -1;
  thbx_sink_ops_t ops = {0};
  ops.name = "split";
  ops.file_begin = split_file_begin;
  ops.item = split_item;
  ops.file_end = split_file_end;
  ops.finish = split_finish;
  ops.free = split_free;
  return thbx_pipeline_add_sink(p, &ops, sp, err);
}
