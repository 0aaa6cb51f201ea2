/*
 * report_text.c - the text report, like a compiler's messages:
 *   FILE:LINE:COL: error: /person/sex: must be one of ... [record AL-2024-17]
 * one line per error as records arrive, then one summary line. Everything
 * from the input is made visible (report_message, thbx_display_text): control
 * characters as \n, \t, \xNN, bidirectional ones as \uXXXX, so that one
 * error stays one line and input cannot drive the terminal.
 */
#include "report.h"

#include <stdlib.h>

struct text_state {
  thbx_buf_t line, file;
};

static int text_open(struct thbx_report *r, thbx_error_t *err) {
  struct text_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->line);
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

static int text_finish(struct thbx_report *r, thbx_error_t *err) {
  (void)err;
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
  thbx_buf_free(&st->file);
  free(st);
}

const struct report_ops report_text_ops = {
    .open = text_open, .add = text_add, .finish = text_finish, .free = text_free};
