/*
 * schema_number.c - numbers as JSON Schema sees them: JSON equality
 * (1 == 1.0), comparison of integers and reals without losing precision,
 * and multipleOf computed exactly on the decimal text of the numbers
 * (a double is first turned into its shortest round-trip decimal, so 0.07
 * is a multiple of 0.01 and 10.125 is not).
 *
 * jansson holds integers as 64-bit json_int_t and other numbers as doubles;
 * an integer literal beyond 64 bits fails to parse unless the caller decodes
 * with JSON_DECODE_INT_AS_REAL (then it is a double, see docs/jsonschema.md).
 */
#include "schema_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int schema_number_is_integer(const json_t *n) {
  if (json_is_integer(n))
    return 1;
  if (!json_is_real(n))
    return 0;
  double d = json_real_value(n);
  return isfinite(d) && floor(d) == d;
}

static int shortest_precision(double d) {
  char buf[40];
  for (int p = 1; p < 17; p++) {
    snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d)
      return p;
  }
  return 17;
}

void schema_number_text(const json_t *n, char *buf, size_t size) {
  if (json_is_integer(n)) {
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(n));
    return;
  }
  double d = json_number_value(n);
  if (schema_number_is_integer(n) && fabs(d) < 1e17) {
    snprintf(buf, size, "%.0f", d);
    return;
  }
  snprintf(buf, size, "%.*g", shortest_precision(d), d);
}

/* 10^k, exact in a double */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The shortest round-trip decimal of d > 0 without printing it, for the
 * usual d (few decimals, |d| * 10^k <= 2^40): for k = 0, 1, ... the
 * k-decimal rounding r / 10^k of d, kept at the first k where it reads back
 * as d. Exact: below 2^40, d * 10^k (rounded) lies within 2^-12 of the
 * integer nearest the exact product whenever that integer's decimal reads
 * back as d, so nearbyint finds the same digits as printf's correctly
 * rounded "%.*e", and r / 10^k (one correctly rounded division of exact
 * operands) is what strtod would read; the first such k is the shortest
 * precision. 0 when not found that way (then printf decides). */
static int decimal_fast(double d, uint64_t *mant, int *exp) {
  for (int k = 0; k < (int)(sizeof(exact_pow10) / sizeof(*exact_pow10)); k++) {
    double t = d * exact_pow10[k];
    if (!(t <= 0x1p40))
      return 0;
    double r = nearbyint(t);
    if (r / exact_pow10[k] == d) {
      *mant = (uint64_t)r;
      *exp = -k;
      return 1;
    }
  }
  return 0;
}

/* |n| as mantissa * 10^exp with the mantissa free of trailing zeros. */
void schema_number_decimal(const json_t *n, uint64_t *mant, int *exp) {
  if (json_is_integer(n)) {
    json_int_t i = json_integer_value(n);
    *mant = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    *exp = 0;
  } else if (json_real_value(n) == 0) {
    *mant = 0;
  } else if (decimal_fast(fabs(json_real_value(n)), mant, exp)) {
    /* the digits printf would give (see above) */
  } else {
    double d = fabs(json_real_value(n));
    int p = shortest_precision(d);
    char buf[48];
    snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
    uint64_t m = 0;
    char *s = buf;
    for (; *s && *s != 'e'; s++)
      if (*s >= '0' && *s <= '9')
        m = m * 10 + (uint64_t)(*s - '0');
    int e = *s == 'e' ? atoi(s + 1) : 0;
    *mant = m;
    *exp = e - (p - 1);
  }
  if (*mant == 0) {
    *exp = 0;
    return;
  }
  while (*mant % 10 == 0) {
    *mant /= 10;
    (*exp)++;
  }
}

/* 10^k mod m */
static uint64_t pow10_mod(long k, uint64_t m) {
  unsigned __int128 r = 1 % m, b = 10 % m;
  while (k > 0) {
    if (k & 1)
      r = r * b % m;
    b = b * b % m;
    k >>= 1;
  }
  return (uint64_t)r;
}

int schema_number_multiple(const json_t *instance, const json_t *divisor) {
  if (json_is_integer(instance) && json_is_integer(divisor)) {
    json_int_t b = json_integer_value(divisor);
    if (b == 0)
      return 0;
    if (b == -1)
      return 1;
    return json_integer_value(instance) % b == 0;
  }
  uint64_t ma, mb;
  int ea, eb;
  schema_number_decimal(instance, &ma, &ea);
  schema_number_decimal(divisor, &mb, &eb);
  if (mb == 0)
    return 0;
  if (ma == 0)
    return 1;
  if (eb > ea) {
    /* B = mb * 10^(eb-ea) must divide ma (< 2^64) */
    unsigned __int128 big = mb;
    for (int k = 0; k < eb - ea; k++) {
      big *= 10;
      if (big > ma)
        return 0;
    }
    return ma % (uint64_t)big == 0;
  }
  unsigned __int128 r = (unsigned __int128)(ma % mb) * pow10_mod(ea - eb, mb) % mb;
  return r == 0;
}

int schema_number_cmp(const json_t *a, const json_t *b) {
  if (json_is_integer(a) && json_is_integer(b)) {
    json_int_t x = json_integer_value(a), y = json_integer_value(b);
    return x < y ? -1 : x > y;
  }
  long double x =
      json_is_integer(a) ? (long double)json_integer_value(a) : (long double)json_real_value(a);
  long double y =
      json_is_integer(b) ? (long double)json_integer_value(b) : (long double)json_real_value(b);
  return x < y ? -1 : x > y;
}

int schema_json_equal(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b))
    return schema_number_cmp(a, b) == 0;
  if (json_typeof(a) != json_typeof(b))
    return 0;
  switch (json_typeof(a)) {
  case JSON_STRING:
    return json_string_length(a) == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
  case JSON_ARRAY: {
    size_t n = json_array_size(a);
    if (n != json_array_size(b))
      return 0;
    for (size_t i = 0; i < n; i++)
      if (!schema_json_equal(json_array_get(a, i), json_array_get(b, i)))
        return 0;
    return 1;
  }
  case JSON_OBJECT: {
    if (json_object_size(a) != json_object_size(b))
      return 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
      json_t *w = json_object_get(b, k);
      if (!w || !schema_json_equal(v, w))
        return 0;
    }
    return 1;
  }
  default: return 1; /* true, false, null: same type is same value */
  }
}

static uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static uint64_t hash_bytes(const char *s, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

uint64_t schema_json_hash(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_INTEGER:
  case JSON_REAL: {
    /* equal numbers hash equally: 1 and 1.0 through the same double */
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (d == 0)
      d = 0; /* -0.0 == 0 */
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    return mix(bits ^ 0x1234);
  }
  case JSON_STRING:
    return hash_bytes(json_string_value(v), json_string_length(v), 1469598103934665603ULL);
  case JSON_ARRAY: {
    uint64_t h = 0xabcdef;
    for (size_t i = 0; i < json_array_size(v); i++)
      h = mix(h * 31 + schema_json_hash(json_array_get(v, i)));
    return h;
  }
  case JSON_OBJECT: {
    uint64_t h = 0x5555; /* order-independent: a sum over the members */
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
      h += mix(hash_bytes(k, strlen(k), 1469598103934665603ULL) ^ schema_json_hash(m));
    }
    return mix(h);
  }
  case JSON_TRUE: return 1;
  case JSON_FALSE: return 2;
  default: return 3;
  }
}
