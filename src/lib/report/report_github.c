/*
 * report_github.c - GitHub Actions workflow commands, one per error:
 *   ::error file=F,line=L,col=C,title=thbx RULE::message
 * which the Actions runner turns into annotations on the pull request diff.
 * Data is escaped as the runner requires (% CR LF), property values also
 * : and ,. A plain summary line closes the output.
 */
#include "report.h"

#include <stdlib.h>

struct github_state {
  thbx_buf_t line, file;
};

static void put_escaped(FILE *fp, const char *s, int property) {
  for (; s && *s; s++) {
    switch (*s) {
    case '%': fputs("%25", fp); break;
    case '\r': fputs("%0D", fp); break;
    case '\n': fputs("%0A", fp); break;
    case ':':
      if (property)
        fputs("%3A", fp);
      else
        fputc(':', fp);
      break;
    case ',':
      if (property)
        fputs("%2C", fp);
      else
        fputc(',', fp);
      break;
    default: fputc(*s, fp);
    }
  }
}

static int github_open(struct thbx_report *r, thbx_error_t *err) {
  struct github_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->line);
  thbx_buf_init(&st->file);
  r->state = st;
  return THBX_OK;
}

static int github_add(struct thbx_report *r, const thbx_report_record_t *record,
                      const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct github_state *st = r->state;
  (void)count;
  for (size_t i = 0; i < shown; i++) {
    const thbx_issue_t *is = &issues[i];
    if (report_message(&st->line, r, record, is) != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    fputs("::error file=", r->out);
    const char *file = report_visible(&st->file, is->source ? is->source : r->file_source);
    if (!file)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    put_escaped(r->out, file, 1);
    if (is->line > 0) {
      fprintf(r->out, ",line=%ld", is->line);
      if (is->column > 0)
        fprintf(r->out, ",col=%ld", is->column);
    }
    fputs(",title=", r->out);
    put_escaped(r->out, "thbx ", 1);
    put_escaped(r->out, is->rule && *is->rule ? is->rule : thbx_issue_kind_name(is->kind), 1);
    fputs("::", r->out);
    put_escaped(r->out, st->line.data, 0);
    fputc('\n', r->out);
  }
  return ferror(r->out) ? thbx_error_set(err, THBX_EIO, "cannot write the report") : THBX_OK;
}

static int github_finish(struct thbx_report *r, thbx_error_t *err) {
  (void)err;
  fputs("thbx validate: ", r->out);
  report_summary_line(r->out, &r->total);
  fputc('\n', r->out);
  return THBX_OK;
}

static void github_free(struct thbx_report *r) {
  struct github_state *st = r->state;
  if (!st)
    return;
  thbx_buf_free(&st->line);
  thbx_buf_free(&st->file);
  free(st);
}

const struct report_ops report_github_ops = {
    .open = github_open, .add = github_add, .finish = github_finish, .free = github_free};
