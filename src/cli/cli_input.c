/*
 * cli_input.c - how inputs are read, as options shared by `thbx convert`
 * and `thbx validate` (beside the limits of cli_limits.c): --encoding, and
 * the reader's warnings printed as FILE:LINE:COL: warning: ...
 */
#include "cli.h"

#include <iconv.h>
#include <stdio.h>
#include <string.h>

int cli_input_option(const char *command, int option, const char *arg, struct cli_input *in) {
  if (option != CLI_OPT_ENCODING)
    return 1;
  iconv_t cd = iconv_open("UTF-8", arg);
  if (cd == (iconv_t)-1)
    return cli_usage_error(command, "--encoding: unknown encoding '%s' (`iconv -l` lists them)",
                           arg);
  iconv_close(cd);
  in->encoding = arg;
  return 0;
}

/* FILE:LINE:COL: warning: TEXT, made visible: the source name and the text
 * may hold bytes of the input (a header cell, a namespace). */
static void print_warning(void *ctx, const thbx_error_t *w) {
  (void)ctx;
  char place[64] = "";
  if (w->line > 0 && w->column > 0)
    snprintf(place, sizeof(place), ":%ld:%ld", w->line, w->column);
  else if (w->line > 0)
    snprintf(place, sizeof(place), ":%ld", w->line);
  cli_put_visible(w->source);
  fprintf(stderr, "%s: warning: ", place);
  cli_put_visible(w->text);
  fputc('\n', stderr);
}

void cli_input_apply(const struct cli_input *in, thbx_reader_options_t *options) {
  options->encoding = in->encoding;
  options->warning = print_warning;
  options->warning_ctx = NULL;
}
