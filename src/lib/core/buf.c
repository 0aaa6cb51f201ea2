/*
 * buf.c - the growable byte buffer every module uses for text it builds
 * (JSON Pointers, CSV fields, output lines), UTF-8 checking, and reading
 * a small file whole (schemas, XSDs).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void thbx_buf_init(thbx_buf_t *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void thbx_buf_free(thbx_buf_t *b) {
  free(b->data);
  thbx_buf_init(b);
}

int thbx_buf_reserve(thbx_buf_t *b, size_t extra) {
  if (extra > (size_t)-1 / 2 - b->len)
    return -1;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int thbx_buf_append(thbx_buf_t *b, const char *data, size_t len) {
  if (thbx_buf_reserve(b, len) != 0)
    return -1;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int thbx_buf_puts(thbx_buf_t *b, const char *s) { return thbx_buf_append(b, s, strlen(s)); }

int thbx_buf_putc(thbx_buf_t *b, char c) {
  if (b->len + 1 >= b->cap && thbx_buf_reserve(b, 1) != 0)
    return -1;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return 0;
}

int thbx_buf_printf(thbx_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || thbx_buf_reserve(b, (size_t)n) != 0) {
    va_end(ap2);
    return -1;
  }
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  b->len += (size_t)n;
  return 0;
}

int thbx_buf_pointer_append(thbx_buf_t *b, const char *s) {
  if (thbx_buf_putc(b, '/') != 0)
    return -1;
  for (; *s; s++) {
    int rc;
    if (*s == '~')
      rc = thbx_buf_append(b, "~0", 2);
    else if (*s == '/')
      rc = thbx_buf_append(b, "~1", 2);
    else
      rc = thbx_buf_putc(b, *s);
    if (rc != 0)
      return -1;
  }
  return 0;
}

int thbx_utf8_valid(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str, *end = s + len;
  while (s < end) {
    unsigned c = *s;
    if (c < 0x80) {
      s++;
      continue;
    }
    size_t n;
    unsigned cp, min;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if ((size_t)(end - s) <= n)
      return 0;
    for (size_t i = 1; i <= n; i++) {
      if ((s[i] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    s += n + 1;
  }
  return 1;
}

char *thbx_read_file(const char *path, size_t *length) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  thbx_buf_t b;
  thbx_buf_init(&b);
  char chunk[65536];
  size_t n;
  int bad = 0;
  while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
    if (thbx_buf_append(&b, chunk, n) != 0) {
      bad = 1;
      break;
    }
  bad |= ferror(fp);
  fclose(fp);
  if (!bad && !b.data)
    bad = thbx_buf_append(&b, "", 0) != 0;
  if (bad) {
    thbx_buf_free(&b);
    return NULL;
  }
  *length = b.len;
  return b.data;
}
