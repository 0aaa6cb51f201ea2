/*
 * cli_run.c - what convert and validate share around the pipeline: -j N,
 * interrupts (SIGINT/SIGTERM remove the temporary files and exit 130/143),
 * the messages sink that prints each rejected record's issues on stderr,
 * the progress display, and the check that no output is one of the inputs.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ interrupts */

volatile int cli_interrupted;

/* Temporary files of open outputs, removed by a second signal at once. */
#define MAX_TEMPS 16
static char *volatile temps[MAX_TEMPS];

void cli_temp_register(char *path) {
  for (int i = 0; i < MAX_TEMPS; i++)
    if (!temps[i]) {
      temps[i] = path;
      return;
    }
}

void cli_temp_unregister(const char *path) {
  for (int i = 0; i < MAX_TEMPS; i++)
    if (temps[i] == path)
      temps[i] = NULL;
}

static void on_signal(int sig) {
  if (cli_interrupted) {
    /* a second signal: the run does not stop fast enough; leave nothing */
    for (int i = 0; i < MAX_TEMPS; i++)
      if (temps[i])
        unlink(temps[i]);
    _exit(128 + sig);
  }
  cli_interrupted = sig;
}

void cli_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns, the run stops */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupt_exit(void) { return 128 + cli_interrupted; }

/* ------------------------------------------------------------ options */

int cli_parse_jobs(const char *command, const char *arg, int *jobs) {
  char *end;
  errno = 0;
  long n = strtol(arg, &end, 10);
  if (!*arg || *end || errno || n < 0 || n > 256)
    return cli_usage_error(command, "--jobs wants a number of threads from 0 to 256, not '%s'",
                           arg);
  *jobs = (int)n;
  return 0;
}

int cli_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
  if (ha && !S_ISREG(sa.st_mode))
    return 0;
  if (strcmp(a, b) == 0)
    return 1;
  return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* ------------------------------------------------------------ progress */

static double seconds(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress_start(cli_progress_t *pg, int on, int forced) {
  memset(pg, 0, sizeof(*pg));
  pg->on = on;
  clock_gettime(CLOCK_MONOTONIC, &pg->start);
  pg->last = pg->start;
  /* a terminal: only worth it when the input is large; the first display
   * waits a second anyway, so small inputs never show it */
  if (on && !forced)
    pg->last.tv_sec += 1;
}

void cli_progress_show(cli_progress_t *pg, int final) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!final && seconds(&pg->last, &now) < 1.0)
    return;
  pg->last = now;
  double t = seconds(&pg->start, &now);
  long long pos = pg->in ? ftello(pg->in) : 0;
  double mb = (double)(pg->bytes_done + (pos > 0 ? pos : 0)) / 1e6;
  fprintf(stderr, "\rthbx: %ld records, %.1f MB, %.0f records/s, %.1f MB/s   %s", pg->records, mb,
          t > 0 ? (double)pg->records / t : 0.0, t > 0 ? mb / t : 0.0, final ? "\n" : "");
  fflush(stderr);
}

void cli_progress_input(cli_progress_t *pg, FILE *in) {
  if (pg->in && pg->on) {
    long long pos = ftello(pg->in);
    if (pos > 0)
      pg->bytes_done += pos;
  }
  pg->in = in;
}

void cli_progress_end(cli_progress_t *pg) {
  cli_progress_input(pg, NULL);
  if (pg->on && pg->records > 0)
    cli_progress_show(pg, 1);
}

/* ------------------------------------------------------------ messages sink */

struct messages {
  cli_progress_t *pg;
  int print;  /* print each issue of a rejected record */
  int redact; /* without the offending values and hints */
};

static int messages_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                         thbx_error_t *err) {
  (void)p;
  (void)err;
  struct messages *m = state;
  for (size_t i = 0; m->print && i < item->nissues; i++) {
    const thbx_item_issue_t *is = &item->issues[i];
    thbx_error_t e;
    thbx_error_clear(&e);
    snprintf(e.source, sizeof(e.source), "%.200s", item->source);
    e.line = is->line;
    e.column = is->column;
    snprintf(e.instance_path, sizeof(e.instance_path), "%s", is->instance_path);
    /* "VALUE message; hint", as the reports spell it (thbx_display_value) */
    size_t at = 0;
    if (is->value && !m->redact) {
      at = thbx_display_value(e.text, sizeof(e.text) - 1, is->value, 0);
      if (at >= sizeof(e.text) - 2)
        at = sizeof(e.text) - 2;
      e.text[at++] = ' ';
      e.text[at] = '\0';
    }
    if (is->hint && !m->redact)
      snprintf(e.text + at, sizeof(e.text) - at, "%s; %s", is->message, is->hint);
    else
      snprintf(e.text + at, sizeof(e.text) - at, "%s", is->message);
    cli_report(&e);
  }
  cli_progress_t *pg = m->pg;
  if (pg) {
    pg->records++;
    if (pg->on && (pg->records & 1023) == 0)
      cli_progress_show(pg, 0);
  }
  return THBX_OK;
}

int cli_add_messages(thbx_pipeline_t *p, cli_progress_t *pg, int print, int redact,
                     thbx_error_t *err) {
  struct messages *m = calloc(1, sizeof(*m));
  if (!m)
    return THBX_ENOMEM;
  m->pg = pg;
  m->print = print;
  m->redact = redact;
  thbx_sink_ops_t ops = {0};
  ops.name = "messages";
  ops.item = messages_item;
  ops.free = free;
  return thbx_pipeline_add_sink(p, &ops, m, err);
}

void cli_note_terminal_input(FILE *in) {
  if (in == stdin && isatty(fileno(stdin)))
    fprintf(stderr, "thbx: reading records from the terminal (Ctrl-D to end)\n");
}
