/*
 * xml_text.c - the lexical rules of XML text under a profile's types:
 * booleans (true and false; not xs:boolean's 1 and 0, which the profiles'
 * XSD refuses), xs:integer
 * (exact 64-bit), xs:decimal and xs:double forms (a real; never inf or nan).
 * Shared by the XML reader and writer (see xml_text.h).
 */
#include "xml_text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* xs:integer -> *out; 0 ok, 1 not an integer, 2 out of range. */
static int parse_integer(const char *t, size_t n, json_int_t *out) {
  size_t i = 0;
  int neg = 0;
  if (i < n && (t[i] == '+' || t[i] == '-'))
    neg = t[i++] == '-';
  if (i == n)
    return 1;
  unsigned long long v = 0;
  unsigned long long lim =
      neg ? (unsigned long long)LLONG_MAX + 1ULL : (unsigned long long)LLONG_MAX;
  int over = 0;
  for (; i < n; i++) {
    if (t[i] < '0' || t[i] > '9')
      return 1;
    unsigned d = (unsigned)(t[i] - '0');
    if (v > (lim - d) / 10)
      over = 1;
    else
      v = v * 10 + d;
  }
  if (over)
    return 2;
  *out = neg ? (json_int_t)(0 - v) : (json_int_t)v;
  return 0;
}

/* xs:decimal, or xs:double with an exponent -> *out; 0 ok, 1 not a number,
 * 2 not representable in JSON (INF, NaN, overflow). */
static int parse_decimal(const char *t, size_t n, double *out) {
  size_t i = 0, digits = 0;
  if (i < n && (t[i] == '+' || t[i] == '-'))
    i++;
  while (i < n && t[i] >= '0' && t[i] <= '9')
    i++, digits++;
  if (i < n && t[i] == '.') {
    i++;
    while (i < n && t[i] >= '0' && t[i] <= '9')
      i++, digits++;
  }
  if (digits == 0) {
    if ((n == 3 && (memcmp(t, "INF", 3) == 0 || memcmp(t, "NaN", 3) == 0)) ||
        (n == 4 && (memcmp(t, "-INF", 4) == 0 || memcmp(t, "+INF", 4) == 0)))
      return 2;
    return 1;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    i++;
    if (i < n && (t[i] == '+' || t[i] == '-'))
      i++;
    size_t ed = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9')
      i++, ed++;
    if (ed == 0)
      return 1;
  }
  if (i != n)
    return 1;
  char stack[64];
  char *copy = n < sizeof(stack) ? stack : malloc(n + 1);
  if (!copy)
    return 2;
  memcpy(copy, t, n);
  copy[n] = '\0';
  errno = 0;
  double d = strtod(copy, NULL);
  int range = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
  if (copy != stack)
    free(copy);
  if (range || !isfinite(d))
    return 2;
  *out = d;
  return 0;
}

enum xml_text_kind xml_text_classify(unsigned types, const char *t, size_t n,
                                     struct xml_text_value *value) {
  unsigned others = types & (THBX_TYPE_BOOLEAN | THBX_TYPE_INTEGER | THBX_TYPE_NUMBER);
  if (!others)
    return (types & THBX_TYPE_STRING) ? XML_TEXT_STRING : XML_TEXT_BAD;
  while (n > 0 && blank(t[0]))
    t++, n--;
  while (n > 0 && blank(t[n - 1]))
    n--;
  if (types & THBX_TYPE_BOOLEAN) {
    /* true and false only: xs:boolean also has 1 and 0, but the profiles'
     * XSD (t:Boolean) refuses them, so convert refuses them too; one reading
     * of the data in every command (docs/convert.md) */
    if (n == 4 && memcmp(t, "true", 4) == 0)
      return XML_TEXT_TRUE;
    if (n == 5 && memcmp(t, "false", 5) == 0)
      return XML_TEXT_FALSE;
  }
  int range = 0;
  if (types & (THBX_TYPE_INTEGER | THBX_TYPE_NUMBER)) {
    int rc = parse_integer(t, n, &value->i);
    if (rc == 0)
      return XML_TEXT_INTEGER;
    range |= rc == 2;
  }
  if (types & THBX_TYPE_NUMBER) {
    /* also an integer beyond 64 bits: a real, as JSON has it */
    int rc = parse_decimal(t, n, &value->d);
    if (rc == 0)
      return XML_TEXT_REAL;
    range |= rc == 2;
  }
  if (types & THBX_TYPE_STRING)
    return XML_TEXT_STRING;
  return range ? XML_TEXT_RANGE : XML_TEXT_BAD;
}
