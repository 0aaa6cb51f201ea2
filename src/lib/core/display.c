/*
 * display.c - how thbx shows text that came from the input: the offending
 * value of an error ("\"AL\\u00a0\"", cut with its length) and any message,
 * file name or record id, with the characters that could hide a fault or
 * drive a terminal made visible. Every report format and the CLI's own
 * messages go through here (docs/validate.md, "How values are shown").
 *
 * Values are spelled like JSON strings so that people and programs read
 * them alike: in double quotes, \" and \\ escaped, TAB LF CR as \t \n \r,
 * every other control character (C0, DEL, C1) and every invisible or
 * look-alike space or format character (no-break space, BOM, zero-width
 * and bidirectional controls, ...) as \uXXXX (\UXXXXXXXX beyond the BMP),
 * a byte that is not UTF-8 as \xNN. A value longer than max_chars
 * characters is cut: its first characters, "…", and "(N characters)".
 * Numbers, booleans and null are shown as JSON; objects and arrays as
 * compact JSON, cut the same way.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 character at s (n bytes left): its code point and
 * length, or length 0 if the bytes are not UTF-8. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp) {
  if (n == 0)
    return 0;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
  if (len == 0 || len > n || !thbx_utf8_valid((const char *)s, len))
    return 0;
  unsigned long c = s[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; i++)
    c = (c << 6) | (s[i] & 0x3F);
  *cp = c;
  return len;
}

int thbx_display_hidden(unsigned long c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
    return 1; /* C0, DEL, C1 */
  switch (c) {
  case 0x00A0: /* no-break space */
  case 0x00AD: /* soft hyphen */
  case 0x034F: /* combining grapheme joiner */
  case 0x061C: /* Arabic letter mark */
  case 0x115F:
  case 0x1160: /* Hangul fillers */
  case 0x1680: /* Ogham space mark */
  case 0x180E: /* Mongolian vowel separator */
  case 0x202F: /* narrow no-break space */
  case 0x205F: /* medium mathematical space */
  case 0x3000: /* ideographic space */
  case 0x3164: /* Hangul filler */
  case 0xFEFF: /* byte order mark, zero-width no-break space */
  case 0xFFA0: /* halfwidth Hangul filler */ return 1;
  default: break;
  }
  return (c >= 0x2000 && c <= 0x200F) || /* spaces, zero-width, LRM, RLM */
         (c >= 0x2028 && c <= 0x202E) || /* line/paragraph separators, bidi embeddings */
         (c >= 0x2060 && c <= 0x206F) || /* word joiner, invisible operators, bidi isolates */
         (c >= 0xFE00 && c <= 0xFE0F) || /* variation selectors */
         (c >= 0xFFF9 && c <= 0xFFFB) || /* interlinear annotation */
         (c >= 0xE0000 && c <= 0xE0FFF); /* tags, variation selectors supplement */
}

static int put_hidden(thbx_buf_t *b, unsigned long c, int value) {
  if (value) {
    switch (c) {
    case '\t': return thbx_buf_puts(b, "\\t");
    case '\n': return thbx_buf_puts(b, "\\n");
    case '\r': return thbx_buf_puts(b, "\\r");
    default: break;
    }
  }
  if (c > 0xFFFF)
    return thbx_buf_printf(b, "\\U%08lX", c);
  return thbx_buf_printf(b, "\\u%04lx", c);
}

/* Append the characters of [s, s+n) to b, made visible; in a value also
 * escape " and \. Stops after max characters (0: no limit); the number of
 * characters written goes to *shown. */
static int put_visible(thbx_buf_t *b, const char *s, size_t n, int value, size_t max,
                       size_t *shown) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  size_t count = 0;
  int rc = 0;
  while (p < end && (max == 0 || count < max)) {
    unsigned long c = 0;
    size_t len = utf8_next(p, (size_t)(end - p), &c);
    if (len == 0) {
      rc |= thbx_buf_printf(b, "\\x%02X", *p);
      p++;
    } else {
      if (thbx_display_hidden(c)) {
        if (!value && c == '\t')
          rc |= thbx_buf_puts(b, "\\t");
        else if (!value && c == '\n')
          rc |= thbx_buf_puts(b, "\\n");
        else if (!value && c == '\r')
          rc |= thbx_buf_puts(b, "\\r");
        else if (!value && c < 0x80)
          rc |= thbx_buf_printf(b, "\\x%02lX", c);
        else
          rc |= put_hidden(b, c, value);
      } else if (value == 1 && (c == '"' || c == '\\')) {
        rc |= thbx_buf_putc(b, '\\');
        rc |= thbx_buf_putc(b, (char)c);
      } else {
        rc |= thbx_buf_append(b, (const char *)p, len);
      }
      p += len;
    }
    count++;
  }
  if (shown)
    *shown = count;
  return rc;
}

/* Number of characters (a byte that is not UTF-8 counts as one). */
static size_t char_count(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  size_t count = 0;
  while (p < end) {
    unsigned long c;
    size_t len = utf8_next(p, (size_t)(end - p), &c);
    p += len ? len : 1;
    count++;
  }
  return count;
}

int thbx_display_text_buf(thbx_buf_t *out, const char *text) {
  if (!text)
    return 0;
  return put_visible(out, text, strlen(text), 0, 0, NULL);
}

/* A string of n bytes, quoted (quote: 1) or bare JSON text (quote: 0). */
static int put_cut(thbx_buf_t *out, const char *s, size_t n, int quote, size_t max_chars) {
  size_t total = char_count(s, n);
  int cut = max_chars > 0 && total > max_chars;
  /* a cut value shows about two thirds of the room, the rest is for the
   * length that says how long it is */
  size_t keep = cut ? (max_chars * 2) / 3 : 0;
  if (cut && keep == 0)
    keep = 1;
  int rc = 0;
  if (quote)
    rc |= thbx_buf_putc(out, '"');
  /* a string's characters are escaped as in JSON; JSON text (quote 0)
   * already has its quotes and backslashes escaped */
  rc |= put_visible(out, s, n, quote ? 1 : 2, keep, NULL);
  if (cut)
    rc |= thbx_buf_puts(out, "\xE2\x80\xA6"); /* … */
  if (quote)
    rc |= thbx_buf_putc(out, '"');
  if (cut)
    rc |= thbx_buf_printf(out, " (%zu characters)", total);
  return rc;
}

int thbx_display_value_buf(thbx_buf_t *out, const char *value, size_t max_chars) {
  if (!value)
    return 0;
  size_t n = strlen(value);
  /* JSON text: a string is shown by its characters, other values as they
   * are; what is not JSON text is the text of a string */
  json_error_t jerr;
  json_t *v = n ? json_loadb(value, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
  int rc;
  if (v && json_is_string(v)) {
    rc = put_cut(out, json_string_value(v), json_string_length(v), 1, max_chars);
  } else if (v) {
    char *compact = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    rc = compact ? put_cut(out, compact, strlen(compact), 0, max_chars) : -1;
    free(compact);
  } else {
    rc = put_cut(out, value, n, 1, max_chars);
  }
  json_decref(v);
  return rc;
}

static size_t copy_out(char *out, size_t size, thbx_buf_t *b) {
  size_t len = b->len;
  if (out && size) {
    size_t n = len < size - 1 ? len : size - 1;
    if (n)
      memcpy(out, b->data, n);
    out[n] = '\0';
  }
  thbx_buf_free(b);
  return len;
}

size_t thbx_display_value(char *out, size_t size, const char *value, size_t max_chars) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "");
  thbx_display_value_buf(&b, value, max_chars ? max_chars : THBX_DISPLAY_MAX_CHARS);
  return copy_out(out, size, &b);
}

size_t thbx_display_text(char *out, size_t size, const char *text) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "");
  thbx_display_text_buf(&b, text);
  return copy_out(out, size, &b);
}

char *thbx_value_json(const json_t *value) {
  if (!value)
    return NULL;
  return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}
