/*
 * cli_lines.c - an input stream that counts its lines as the library reads
 * it (glibc's fopencookie), for `thbx validate --format chunk`: a merge of
 * chunks of standard input numbers the lines of each chunk after those of
 * the chunks before it.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct line_counter {
  FILE *in;
  long *lines;
  int last; /* the last byte read, -1 before any */
};

static ssize_t counter_read(void *cookie, char *buf, size_t size) {
  struct line_counter *c = cookie;
  size_t n = fread(buf, 1, size, c->in);
  if (n == 0 && ferror(c->in))
    return -1;
  for (const char *p = buf, *end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
    (*c->lines)++;
  if (n > 0)
    c->last = (unsigned char)buf[n - 1];
  return (ssize_t)n;
}

static int counter_close(void *cookie) {
  struct line_counter *c = cookie;
  if (c->last >= 0 && c->last != '\n')
    (*c->lines)++; /* a last line without its newline is a line */
  free(c);
  return 0;
}

FILE *cli_count_lines(FILE *in, long *lines) {
  struct line_counter *c = malloc(sizeof(*c));
  if (!c)
    return NULL;
  *lines = 0;
  c->in = in;
  c->lines = lines;
  c->last = -1;
  cookie_io_functions_t io = {.read = counter_read, .close = counter_close};
  FILE *fp = fopencookie(c, "r", io);
  if (!fp)
    free(c);
  return fp;
}
