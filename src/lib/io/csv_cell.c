/*
 * csv_cell.c - how one value is spelled in one CSV cell, both ways.
 *
 * The reader parses a cell with the column's types; the writer spells a
 * value and checks that the reader would give the same value back, so a
 * JSON -> CSV -> JSON round trip is exact or the record is refused.
 */
#include "csv.h"
#include "writer.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum csv_kind csv_leaf_kind(const struct thbx_shape *leaf) {
  if (!leaf)
    return CSV_GENERIC;
  unsigned t = leaf->types & ~(unsigned)THBX_TYPE_NULL;
  if (leaf->types == THBX_TYPE_STRING)
    return CSV_STRING;
  if (t == THBX_TYPE_ARRAY && leaf->items && leaf->items->types &&
      !(leaf->items->types & (THBX_TYPE_ARRAY | THBX_TYPE_OBJECT)))
    return CSV_LIST;
  if (t & (THBX_TYPE_ARRAY | THBX_TYPE_OBJECT))
    return CSV_JSON;
  return CSV_SCALAR;
}

/* --------------------------------------------------------------- reading */

/* JSON number grammar. *integral: no fraction, no exponent. */
static int number_syntax(const char *s, size_t len, int *integral) {
  size_t i = 0;
  *integral = 1;
  if (i < len && s[i] == '-')
    i++;
  if (i >= len)
    return 0;
  if (s[i] == '0') {
    i++;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  } else {
    return 0;
  }
  if (i < len && s[i] == '.') {
    *integral = 0;
    if (++i >= len || s[i] < '0' || s[i] > '9')
      return 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    *integral = 0;
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      i++;
    if (i >= len || s[i] < '0' || s[i] > '9')
      return 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++;
  }
  return i == len;
}

/* A number cell -> integer or real; NULL if it does not fit the types. */
static json_t *parse_number(unsigned types, const char *s, size_t len, int integral,
                            const char **why) {
  char tmp[400];
  if (len >= sizeof(tmp)) {
    *why = "a number of reasonable length";
    return NULL;
  }
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  if (integral) {
    errno = 0;
    long long v = strtoll(tmp, NULL, 10);
    if (errno == 0)
      return json_integer((json_int_t)v);
    if (!(types & THBX_TYPE_NUMBER)) {
      *why = "an integer in the 64-bit range";
      return NULL;
    }
  }
  double d = strtod(tmp, NULL);
  if (!isfinite(d)) {
    *why = "a finite number";
    return NULL;
  }
  if (types & THBX_TYPE_NUMBER)
    return json_real(d);
  /* an integer-only column: "1.0" or "1e2" is exact integer */
  if (d == floor(d) && fabs(d) <= 9007199254740992.0)
    return json_integer((json_int_t)d);
  *why = "an integer";
  return NULL;
}

static const char *expected(unsigned types) {
  if (types == THBX_TYPE_INTEGER)
    return "an integer";
  if ((types & ~(unsigned)THBX_TYPE_INTEGER) == THBX_TYPE_NUMBER)
    return "a number";
  if (types == THBX_TYPE_BOOLEAN)
    return "true or false";
  if (types == THBX_TYPE_NULL)
    return "null";
  if (types & THBX_TYPE_ARRAY)
    return "a JSON array";
  if (types & THBX_TYPE_OBJECT)
    return "a JSON object";
  return "a value of the column's type";
}

json_t *csv_scalar_parse(unsigned types, const char *s, size_t len, const char **why) {
  const char *dummy;
  if (!why)
    why = &dummy;
  *why = NULL;
  if (types & (THBX_TYPE_INTEGER | THBX_TYPE_NUMBER)) {
    int integral;
    if (len && number_syntax(s, len, &integral)) {
      json_t *v = parse_number(types, s, len, integral, why);
      if (v || !(types & THBX_TYPE_STRING))
        return v;
    }
  }
  if (types & THBX_TYPE_BOOLEAN) {
    if (len == 4 && memcmp(s, "true", 4) == 0)
      return json_true();
    if (len == 5 && memcmp(s, "false", 5) == 0)
      return json_false();
  }
  if ((types & THBX_TYPE_NULL) && len == 4 && memcmp(s, "null", 4) == 0)
    return json_null();
  if ((types & (THBX_TYPE_ARRAY | THBX_TYPE_OBJECT)) && len && (s[0] == '[' || s[0] == '{')) {
    json_t *v = json_loadb(s, len, JSON_DECODE_ANY, NULL);
    if (v && ((json_is_array(v) && (types & THBX_TYPE_ARRAY)) ||
              (json_is_object(v) && (types & THBX_TYPE_OBJECT))))
      return v;
    json_decref(v);
  }
  if (types & THBX_TYPE_STRING)
    return json_stringn_nocheck(s, len);
  if (!*why)
    *why = expected(types);
  return NULL;
}

json_t *csv_list_parse(unsigned item_types, const char *s, size_t len, char sep,
                       thbx_buf_t *scratch, const char **why) {
  json_t *arr = json_array();
  if (!arr) {
    *why = "memory";
    return NULL;
  }
  size_t i = 0;
  for (;;) {
    /* one item: up to an unescaped separator */
    size_t start = i;
    int escaped = 0;
    while (i < len && s[i] != sep) {
      if (s[i] == '\\' && i + 1 < len && (s[i + 1] == sep || s[i + 1] == '\\')) {
        escaped = 1;
        i++;
      }
      i++;
    }
    const char *item = s + start;
    size_t n = i - start;
    if (escaped) {
      thbx_buf_reset(scratch);
      if (thbx_buf_reserve(scratch, n) != 0) {
        json_decref(arr);
        *why = "memory";
        return NULL;
      }
      char *d = scratch->data;
      for (size_t k = start; k < i; k++) {
        if (s[k] == '\\' && k + 1 < i && (s[k + 1] == sep || s[k + 1] == '\\'))
          k++;
        *d++ = s[k];
      }
      scratch->len = (size_t)(d - scratch->data);
      scratch->data[scratch->len] = '\0';
      item = scratch->data;
      n = scratch->len;
    }
    json_t *v = csv_scalar_parse(item_types, item, n, why);
    if (!v || json_array_append_new(arr, v) != 0) {
      json_decref(arr);
      if (!*why)
        *why = "memory";
      return NULL;
    }
    if (i >= len)
      break;
    i++; /* the separator */
  }
  return arr;
}

/* --------------------------------------------------------------- writing */

/* Would csv_scalar_parse(types) read text s back as something other than
 * the string s? (Strings are tried last, so: would another type take it?) */
static int string_is_ambiguous(unsigned types, const char *s, size_t len) {
  const char *why;
  json_t *v = csv_scalar_parse(types & ~(unsigned)THBX_TYPE_STRING, s, len, &why);
  int amb = v != NULL;
  json_decref(v);
  return amb;
}

/* A scalar's text, checked to read back as the same value under `types`. */
static int scalar_text(thbx_buf_t *out, unsigned types, const json_t *v, const char **why) {
  switch (json_typeof(v)) {
  case JSON_STRING: {
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!(types & THBX_TYPE_STRING)) {
      *why = "a string where the schema does not allow one";
      return -1;
    }
    if (types != THBX_TYPE_STRING && string_is_ambiguous(types, s, len)) {
      *why = "a string that would read back as another type";
      return -1;
    }
    return thbx_buf_append(out, s, len);
  }
  case JSON_INTEGER:
    if (!(types & (THBX_TYPE_INTEGER | THBX_TYPE_NUMBER))) {
      *why = "a number where the schema does not allow one";
      return -1;
    }
    return thbx_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  case JSON_REAL: {
    double d = json_real_value(v);
    if (!(types & THBX_TYPE_NUMBER) && (types & THBX_TYPE_INTEGER) && isfinite(d) &&
        d == floor(d) && fabs(d) < 9.0e15) /* 60.0 where only integers are: 60 */
      return thbx_buf_printf(out, "%.0f", d);
    if (!(types & THBX_TYPE_NUMBER)) {
      *why = "a real number where the schema says integer";
      return -1;
    }
    size_t start = out->len;
    if (writer_json_number(out, v) != 0)
      return -1;
    /* it must read back as a real, not an integer */
    if (!memchr(out->data + start, '.', out->len - start) &&
        !memchr(out->data + start, 'e', out->len - start) &&
        !memchr(out->data + start, 'E', out->len - start))
      return thbx_buf_puts(out, ".0");
    return 0;
  }
  case JSON_TRUE:
  case JSON_FALSE:
    if (!(types & THBX_TYPE_BOOLEAN)) {
      *why = "a boolean where the schema does not allow one";
      return -1;
    }
    return thbx_buf_puts(out, json_is_true(v) ? "true" : "false");
  case JSON_NULL:
    if (!(types & THBX_TYPE_NULL)) {
      *why = "null where the schema does not allow it";
      return -1;
    }
    return thbx_buf_puts(out, "null");
  case JSON_ARRAY:
  case JSON_OBJECT:
    if (!(types & (json_is_array(v) ? THBX_TYPE_ARRAY : THBX_TYPE_OBJECT))) {
      *why = json_is_array(v) ? "an array where the schema does not allow one"
                              : "an object the profile has no columns for";
      return -1;
    }
    return writer_json_value(out, v);
  }
  return -1;
}

int csv_cell_text(thbx_buf_t *out, enum csv_kind kind, unsigned types,
                  const struct thbx_shape *items, const json_t *value, char sep,
                  thbx_buf_t *scratch, const char **why) {
  *why = NULL;
  switch (kind) {
  case CSV_STRING:
    if (!json_is_string(value)) {
      *why = "not a string where the schema says string";
      return -1;
    }
    return thbx_buf_append(out, json_string_value(value), json_string_length(value));
  case CSV_GENERIC:
    /* documented as lossy: types become strings on the way back */
    if (json_is_string(value))
      return thbx_buf_append(out, json_string_value(value), json_string_length(value));
    if (json_is_null(value))
      return 0;
    if (json_is_number(value))
      return writer_json_number(out, value);
    if (json_is_boolean(value))
      return thbx_buf_puts(out, json_is_true(value) ? "true" : "false");
    return writer_json_value(out, value);
  case CSV_SCALAR:
  case CSV_JSON: return scalar_text(out, types, value, why);
  case CSV_LIST: {
    if (!json_is_array(value)) {
      *why = "not an array where the schema says array";
      return -1;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(value, i, item) {
      if (i > 0 && thbx_buf_putc(out, sep) != 0)
        return -1;
      thbx_buf_reset(scratch);
      if (scalar_text(scratch, items->types, item, why) != 0)
        return -1;
      /* escape the separator and the backslash */
      const char *s = scratch->data ? scratch->data : "";
      size_t n = scratch->len, start = 0;
      for (size_t k = 0; k < n; k++) {
        if (s[k] == sep || s[k] == '\\') {
          if (thbx_buf_append(out, s + start, k - start) != 0 || thbx_buf_putc(out, '\\') != 0)
            return -1;
          start = k;
        }
      }
      if (thbx_buf_append(out, s + start, n - start) != 0)
        return -1;
    }
    return 0;
  }
  }
  return -1;
}
