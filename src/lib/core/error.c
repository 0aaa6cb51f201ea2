/*
 * error.c - status codes, their texts, and filling thbx_error_t.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const char *thbx_strerror(int status) {
  switch (status) {
  case THBX_OK: return "success";
  case THBX_EOF: return "end of input";
  case THBX_EINVAL: return "invalid argument";
  case THBX_ENOMEM: return "out of memory";
  case THBX_EIO: return "input/output error";
  case THBX_EPARSE: return "record cannot be read";
  case THBX_EFATAL: return "input cannot be read further";
  case THBX_ELIMIT: return "limit exceeded";
  case THBX_ESCHEMA: return "broken schema, profile or mapping";
  case THBX_EINVALID: return "invalid data";
  case THBX_ENOTFOUND: return "not found";
  case THBX_EINTR: return "interrupted";
  default: return "unknown error";
  }
}

const char *thbx_version(void) { return THBX_VERSION; }

void thbx_error_clear(thbx_error_t *err) {
  if (!err)
    return;
  memset(err, 0, sizeof(*err));
  err->record_index = -1;
}

int thbx_error_set(thbx_error_t *err, int status, const char *fmt, ...) {
  if (!err)
    return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->text, sizeof(err->text), fmt, ap);
  va_end(ap);
  return status;
}

void thbx_error_at(thbx_error_t *err, const char *source, long line, long column) {
  if (!err)
    return;
  if (source)
    thbx_strlcpy(err->source, source, sizeof(err->source));
  err->line = line;
  err->column = column;
}

void thbx_strlcpy(char *dst, const char *src, size_t size) {
  if (size == 0)
    return;
  size_t n = strlen(src);
  if (n >= size) {
    n = size - 1;
    /* back off to a character boundary */
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}
