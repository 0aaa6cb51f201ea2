/*
 * internal.h - helpers shared by the modules of libthbx (not installed).
 *
 * Error filling, a growable byte buffer and resource lookup live here so
 * that readers, writers and the schema engine do not each grow their own.
 */
#ifndef THBX_INTERNAL_H
#define THBX_INTERNAL_H

#include "thbx.h"

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define THBX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define THBX_PRINTF(a, b)
#endif

/* Fill err->text from a printf format and return `status`; err may be NULL.
 * Location fields are left as they are. */
int thbx_error_set(thbx_error_t *err, int status, const char *fmt, ...) THBX_PRINTF(3, 4);
/* thbx_error_clear for every reader of err (its strings empty, numbers 0,
 * record_index -1) without writing all of its 1.3 KB: for the calls made
 * once per record (the memset was 1.5% of converting NDJSON). NULL is ok. */
static inline void thbx_error_reset(thbx_error_t *err) {
  if (!err)
    return;
  err->source[0] = err->instance_path[0] = err->schema_path[0] = err->text[0] = '\0';
  err->line = err->column = 0;
  err->position = 0;
  err->record_index = -1;
}
/* Set source/line/column of err (source may be NULL: left as is). */
void thbx_error_at(thbx_error_t *err, const char *source, long line, long column);

/* A growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct thbx_buf {
  char *data;
  size_t len;
  size_t cap;
} thbx_buf_t;

void thbx_buf_init(thbx_buf_t *b);
void thbx_buf_free(thbx_buf_t *b);
/* Make room for `extra` more bytes (plus NUL). 0 or -1 on allocation failure. */
int thbx_buf_reserve(thbx_buf_t *b, size_t extra);
int thbx_buf_append(thbx_buf_t *b, const char *data, size_t len);
int thbx_buf_puts(thbx_buf_t *b, const char *s);
int thbx_buf_putc(thbx_buf_t *b, char c);
int thbx_buf_printf(thbx_buf_t *b, const char *fmt, ...) THBX_PRINTF(2, 3);
static inline void thbx_buf_reset(thbx_buf_t *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

/* Read a whole (small) file: schemas, XSDs. Returns a malloc'ed,
 * NUL-terminated copy and its length, or NULL (errno says why). */
char *thbx_read_file(const char *path, size_t *length);

/* Append `s` to a JSON Pointer in b, escaping ~ and / (RFC 6901). */
int thbx_buf_pointer_append(thbx_buf_t *b, const char *s);

/* Copy at most size-1 bytes and NUL-terminate (never splits a UTF-8 char). */
void thbx_strlcpy(char *dst, const char *src, size_t size);

/* The value of a hexadecimal digit, -1 if c is not one. */
static inline int thbx_hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Is [s, s+len) valid UTF-8 (no overlongs, no surrogates)? */
int thbx_utf8_valid(const char *s, size_t len);

/* display.c: append `text` to b with control, bidirectional and invisible
 * characters made visible (thbx_display_text), or a value spelled as
 * thbx_display_value does. 0 or -1 when out of memory. */
int thbx_display_text_buf(thbx_buf_t *b, const char *text);
int thbx_display_value_buf(thbx_buf_t *b, const char *value, size_t max_chars);
int thbx_display_issue_buf(thbx_buf_t *b, const char *message, const char *value, const char *hint,
                           int redact);
/* suggest.c: the indices (into out, at most max) of the candidates nearest
 * to `value` for a "did you mean ...?", best first; labels (may be NULL, or
 * hold NULLs) are other names of the candidates. Returns the count. */
size_t thbx_suggest(const char *value, const char *const *candidates, const char *const *labels,
                    size_t n, size_t *out, size_t max);
/* Is code point c one that display.c escapes (control, invisible, bidi)? */
int thbx_display_hidden(unsigned long c);

#endif
