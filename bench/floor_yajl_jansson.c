/*
 * floor_yajl_jansson.c - the floor of reading NDJSON into records: yajl
 * tokenises the input and its callbacks build the same jansson json_t
 * records thbx's reader builds (objects, arrays, strings, integers, reals),
 * each record is released when it is complete, and nothing else happens (no
 * limits, no duplicate keys, no locations, no raw bytes kept).
 *
 *   floor_yajl_jansson [--tokens] [FILE.ndjson]     (default: standard input)
 *
 * --tokens: yajl alone, with callbacks that build nothing.
 * Prints "records: N" and the CPU seconds of the loop. bench/all.sh compares
 * thbx's reading with it (issue 15: within 1.5x of this floor).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#define MAX_DEPTH 128

struct floor {
  json_t *stack[MAX_DEPTH];
  int depth;
  char key[4096];
  size_t key_len;
  long records;
  int failed;
};

static void done(struct floor *f, json_t *v) {
  f->records++;
  json_decref(v);
}

static int add(struct floor *f, json_t *v) {
  if (!v)
    return 0;
  if (f->depth == 0) {
    done(f, v);
    return 1;
  }
  json_t *parent = f->stack[f->depth - 1];
  if (json_is_object(parent))
    return json_object_setn_new_nocheck(parent, f->key, f->key_len, v) == 0;
  return json_array_append_new(parent, v) == 0;
}

static int cb_null(void *ctx) { return add(ctx, json_null()); }
static int cb_boolean(void *ctx, int b) { return add(ctx, json_boolean(b)); }

static int cb_number(void *ctx, const char *s, size_t len) {
  char small[64];
  if (len >= sizeof(small))
    return add(ctx, json_real(0)); /* not in generated records */
  memcpy(small, s, len);
  small[len] = '\0';
  if (!memchr(small, '.', len) && !memchr(small, 'e', len) && !memchr(small, 'E', len)) {
    errno = 0;
    long long i = strtoll(small, NULL, 10);
    if (errno != ERANGE)
      return add(ctx, json_integer((json_int_t)i));
  }
  return add(ctx, json_real(strtod(small, NULL)));
}

static int cb_string(void *ctx, const unsigned char *s, size_t len) {
  return add(ctx, json_stringn_nocheck((const char *)s, len));
}

static int cb_key(void *ctx, const unsigned char *s, size_t len) {
  struct floor *f = ctx;
  if (len >= sizeof(f->key))
    return 0;
  memcpy(f->key, s, len);
  f->key[len] = '\0';
  f->key_len = len;
  return 1;
}

static int start(struct floor *f, json_t *c) {
  if (!c || f->depth >= MAX_DEPTH)
    return 0;
  /* a record is owned by the stack until it closes; an inner container by
   * its parent (the stack only borrows it) */
  if (f->depth > 0 && !add(f, c))
    return 0;
  f->stack[f->depth++] = c;
  return 1;
}

static int cb_start_map(void *ctx) { return start(ctx, json_object()); }
static int cb_start_array(void *ctx) { return start(ctx, json_array()); }

static int cb_end(void *ctx) {
  struct floor *f = ctx;
  json_t *c = f->stack[--f->depth];
  if (f->depth == 0)
    done(f, c);
  return 1;
}

static const yajl_callbacks build = {
    cb_null,      cb_boolean, NULL,   NULL,           cb_number, cb_string,
    cb_start_map, cb_key,     cb_end, cb_start_array, cb_end,
};

/* --tokens: yajl alone; a record ends when the outermost container closes. */
static int t_scalar(void *ctx) { return 1; }
static int t_bool(void *ctx, int b) { return 1; }
static int t_text(void *ctx, const char *s, size_t len) { return 1; }
static int t_utext(void *ctx, const unsigned char *s, size_t len) { return 1; }
static int t_open(void *ctx) {
  ((struct floor *)ctx)->depth++;
  return 1;
}
static int t_close(void *ctx) {
  struct floor *f = ctx;
  if (--f->depth == 0)
    f->records++;
  return 1;
}

static const yajl_callbacks tokens = {
    t_scalar, t_bool, NULL, NULL, t_text, t_utext, t_open, t_utext, t_close, t_open, t_close,
};

static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int only_tokens = 0, i = 1;
  if (i < argc && strcmp(argv[i], "--tokens") == 0) {
    only_tokens = 1;
    i++;
  }
  FILE *in = stdin;
  if (i < argc && strcmp(argv[i], "-") != 0 && !(in = fopen(argv[i], "rb"))) {
    perror(argv[i]);
    return 2;
  }
  static struct floor f;
  yajl_handle h = yajl_alloc(only_tokens ? &tokens : &build, NULL, &f);
  if (!h)
    return 2;
  yajl_config(h, yajl_allow_multiple_values, 1);
  static unsigned char buf[64 << 10];
  double c0 = cpu();
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
    if (yajl_parse(h, buf, n) != yajl_status_ok) {
      unsigned char *e = yajl_get_error(h, 0, buf, n);
      fprintf(stderr, "%s", e);
      yajl_free_error(h, e);
      return 1;
    }
  }
  if (yajl_complete_parse(h) != yajl_status_ok)
    return 1;
  double c1 = cpu();
  yajl_free(h);
  printf("records: %ld\ncpu_seconds: %.3f\n", f.records, c1 - c0);
  return 0;
}
