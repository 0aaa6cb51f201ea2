/*
 * report_text.c - the text report, like a compiler's messages:
 *   FILE:LINE:COL: error: /person/sex: must be one of ... [record AL-2024-17]
 * one line per error as records arrive, then one summary line (with
 * several inputs, one summary line per input before it). Everything
 * from the input is made visible (report_message, thbx_display_text): control
 * characters as \n, \t, \xNN, bidirectional ones as \uXXXX, so that one
 * error stays one line and input cannot drive the terminal.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct text_state {
  thbx_buf_t line, file;
  thbx_buf_t files; /* "FILE: summary\n" per input, written at the end */
};

static int text_open(struct thbx_report *r, thbx_error_t *err) {
  struct text_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->line);
  thbx_buf_init(&st->files);
  thbx_buf_init(&st->file);
  r->state = st;
  return THBX_OK;
}

static void put_line(FILE *fp, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 0x20 && *p != 0x7f)
      fputc(*p, fp);
    else if (*p == '\n')
      fputs("\\n", fp);
    else if (*p == '\r')
      fputs("\\r", fp);
    else if (*p == '\t')
      fputs("\\t", fp);
    else
      fprintf(fp, "\\x%02X", *p);
  }
}

/* put_line, line by line */
static void put_line_keep_newlines(FILE *fp, char *s) {
  for (char *nl; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
    *nl = '\0';
    put_line(fp, s);
    fputc('\n', fp);
    *nl = '\n';
  }
}

static int text_add(struct thbx_report *r, const thbx_report_record_t *record,
                    const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct text_state *st = r->state;
  (void)count;
  for (size_t i = 0; i < shown; i++) {
    const thbx_issue_t *is = &issues[i];
    if (report_message(&st->line, r, record, is) != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    const char *file = report_visible(&st->file, is->source ? is->source : r->file_source);
    if (!file)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    fputs(file, r->out);
    if (is->line > 0) {
      fprintf(r->out, ":%ld", is->line);
      if (is->column > 0)
        fprintf(r->out, ":%ld", is->column);
    }
    fputs(": error: ", r->out);
    put_line(r->out, st->line.data);
    fputc('\n', r->out);
  }
  return ferror(r->out) ? thbx_error_set(err, THBX_EIO, "cannot write the report") : THBX_OK;
}

/* One summary line per input, kept until the end (the total follows). */
static int text_file_end(struct thbx_report *r, thbx_error_t *err) {
  struct text_state *st = r->state;
  const thbx_report_summary_t *f = &r->file;
  const char *name = report_visible(&st->file, r->file_source);
  if (!name)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (thbx_buf_printf(&st->files, "%s: %ld record%s: %ld valid, %ld invalid",
                      name, f->records, f->records == 1 ? "" : "s", f->valid,
                      f->invalid) != 0 ||
      (f->unreadable && thbx_buf_printf(&st->files, " (%ld unreadable)", f->unreadable) != 0) ||
      thbx_buf_printf(&st->files, ", %ld error%s\n", f->errors, f->errors == 1 ? "" : "s") != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static int text_finish(struct thbx_report *r, thbx_error_t *err) {
  (void)err;
  struct text_state *st = r->state;
  if (r->total.files > 1 && st->files.data && !r->options.quiet)
    put_line_keep_newlines(r->out, st->files.data);
  fputs("thbx validate: ", r->out);
  report_summary_line(r->out, &r->total);
  fputc('\n', r->out);
  return THBX_OK;
}

static void text_free(struct thbx_report *r) {
  struct text_state *st = r->state;
  if (!st)
    return;
  thbx_buf_free(&st->line);
  thbx_buf_free(&st->files);
  thbx_buf_free(&st->file);
  free(st);
}

const struct report_ops report_text_ops = {.open = text_open,
                                           .add = text_add,
                                           .file_end = text_file_end,
                                           .finish = text_finish,
                                           .free = text_free};
