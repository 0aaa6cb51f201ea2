/*
 * json_util.c - JSON type bits and the JSON Pointer resolver (json_util.h).
 */
#include "json_util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  unsigned bit;
} type_names[] = {{"null", THBX_TYPE_NULL},       {"boolean", THBX_TYPE_BOOLEAN},
                  {"integer", THBX_TYPE_INTEGER}, {"number", THBX_TYPE_NUMBER},
                  {"string", THBX_TYPE_STRING},   {"array", THBX_TYPE_ARRAY},
                  {"object", THBX_TYPE_OBJECT}};

unsigned thbx_type_bit(const char *name) {
  for (size_t i = 0; i < sizeof(type_names) / sizeof(*type_names); i++)
    if (strcmp(type_names[i].name, name) == 0)
      return type_names[i].bit;
  return 0;
}

const char *thbx_type_name(unsigned bit) {
  for (size_t i = 0; i < sizeof(type_names) / sizeof(*type_names); i++)
    if (type_names[i].bit == bit)
      return type_names[i].name;
  return "";
}

unsigned thbx_type_of(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_NULL: return THBX_TYPE_NULL;
  case JSON_TRUE:
  case JSON_FALSE: return THBX_TYPE_BOOLEAN;
  case JSON_INTEGER: return THBX_TYPE_INTEGER;
  case JSON_REAL: return THBX_TYPE_NUMBER;
  case JSON_STRING: return THBX_TYPE_STRING;
  case JSON_ARRAY: return THBX_TYPE_ARRAY;
  case JSON_OBJECT: return THBX_TYPE_OBJECT;
  }
  return 0;
}

/* An array index token: "0" or digits without a leading zero. -1 if not. */
static long array_index(const char *t, size_t n) {
  if (n == 0 || n > 18 || (n > 1 && t[0] == '0'))
    return -1;
  long i = 0;
  for (size_t k = 0; k < n; k++) {
    if (t[k] < '0' || t[k] > '9')
      return -1;
    i = i * 10 + (t[k] - '0');
  }
  return i;
}

const json_t *thbx_json_pointer_get(const json_t *root, const char *p) {
  const json_t *cur = root;
  char small[256];
  while (cur && *p == '/') {
    p++;
    size_t end = strcspn(p, "/");
    /* the unescaped token: never longer than the escaped one */
    char *tok = end < sizeof(small) ? small : malloc(end + 1);
    if (!tok)
      return NULL;
    size_t n = 0;
    int bad = 0;
    for (size_t k = 0; k < end; k++) {
      char c = p[k];
      if (c == '~') {
        if (k + 1 < end && (p[k + 1] == '0' || p[k + 1] == '1'))
          c = p[++k] == '0' ? '~' : '/';
        else
          bad = 1;
      }
      tok[n++] = c;
    }
    tok[n] = '\0';
    p += end;
    if (bad)
      cur = NULL;
    else if (json_is_object(cur))
      cur = json_object_getn(cur, tok, n);
    else if (json_is_array(cur)) {
      long i = array_index(tok, n);
      cur = i >= 0 ? json_array_get(cur, (size_t)i) : NULL;
    } else
      cur = NULL;
    if (tok != small)
      free(tok);
  }
  return *p ? NULL : cur;
}
