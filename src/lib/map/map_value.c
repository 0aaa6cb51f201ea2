/*
 * map_value.c - how values are written in national exports: dates after a
 * strptime pattern, numbers with a decimal comma, tokens, and the keyed
 * pseudonym of the `pseudonymise` transform. Pure functions, safe on any
 * thread.
 */
#define _XOPEN_SOURCE 700
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int days_in(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return d[m - 1];
}

int map_date_parse(const char *pattern, const char *s, int *y, int *m, int *d) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_mday = 1;
  tm.tm_year = -1900 - 1; /* unset */
  const char *end = strptime(s, pattern ? pattern : "%Y-%m-%d", &tm);
  if (!end || *end)
    return -1;
  if (tm.tm_year == -1901)
    return -1;
  *y = tm.tm_year + 1900;
  *m = tm.tm_mon + 1;
  *d = tm.tm_mday;
  if (*y < 1 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in(*y, *m))
    return -1;
  return 0;
}

const char *map_date_pattern_check(const char *pattern) {
  int year = strstr(pattern, "%Y") || strstr(pattern, "%y");
  int month = strstr(pattern, "%m") || strstr(pattern, "%b") || strstr(pattern, "%B");
  int day = strstr(pattern, "%d") || strstr(pattern, "%e");
  if (!year)
    return "names no year (%Y)";
  if (!month || !day)
    return "names no month (%m) or no day (%d)";
  for (const char *p = pattern; *p; p++) {
    if (*p != '%')
      continue;
    p++;
    if (!*p || !strchr("dmYybBeHMS%T", *p))
      return "uses a directive other than %d %e %m %b %B %Y %y %H %M %S %T %%";
  }
  /* what the pattern writes, it must read back */
  thbx_buf_t b;
  thbx_buf_init(&b);
  int y, m, d;
  int ok = map_date_format(pattern, 2024, 11, 23, &b) == 0 &&
           map_date_parse(pattern, b.data, &y, &m, &d) == 0 && y == 2024 && m == 11 && d == 23;
  thbx_buf_free(&b);
  return ok ? NULL : "does not read back the dates it writes";
}

int map_date_format(const char *pattern, int y, int m, int d, thbx_buf_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  char tmp[128];
  size_t n = strftime(tmp, sizeof(tmp), pattern ? pattern : "%Y-%m-%d", &tm);
  if (n == 0)
    return -1;
  return thbx_buf_append(out, tmp, n);
}

int map_number_parse(const char *s, char dec, double *v) {
  char tmp[128];
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' '))
    n--;
  while (n && *s == ' ') {
    s++;
    n--;
  }
  if (n == 0 || n >= sizeof(tmp))
    return -1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == dec)
      c = '.';
    else if (c == '.' && dec != '.')
      return -1; /* "1.5" where the decimal char is ',' is not a number here */
    if (!((c >= '0' && c <= '9') || c == '.' || ((c == '-' || c == '+') && i == 0)))
      return -1;
    tmp[i] = c;
  }
  tmp[n] = '\0';
  char *end;
  errno = 0;
  *v = strtod(tmp, &end);
  return *end || errno || !isfinite(*v) ? -1 : 0;
}

int map_token_in(char *const *tokens, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(tokens[i], s) == 0)
      return 1;
  return 0;
}

json_t *map_child_object(json_t *obj, const char *name) {
  json_t *next = json_object_get(obj, name);
  if (!next) {
    next = json_object();
    if (!next || json_object_set_new(obj, name, next) != 0)
      return NULL;
  }
  return json_is_object(next) ? next : NULL;
}

int map_set_path(json_t *root, const char *path, json_t *v) {
  json_t *obj = root;
  const char *seg = path;
  const char *dot;
  char name[256];
  while ((dot = strchr(seg, '.')) != NULL) {
    size_t n = (size_t)(dot - seg);
    if (n >= sizeof(name)) {
      json_decref(v);
      return -1;
    }
    memcpy(name, seg, n);
    name[n] = '\0';
    json_t *next = map_child_object(obj, name);
    if (!next) {
      json_decref(v);
      return -1;
    }
    obj = next;
    seg = dot + 1;
  }
  return json_object_set_new(obj, seg, v);
}

json_t *map_get_path(const json_t *root, const char *path) {
  const json_t *obj = root;
  const char *seg = path;
  const char *dot;
  char name[256];
  while (obj && (dot = strchr(seg, '.')) != NULL) {
    size_t n = (size_t)(dot - seg);
    if (n >= sizeof(name))
      return NULL;
    memcpy(name, seg, n);
    name[n] = '\0';
    obj = json_object_get(obj, name);
    seg = dot + 1;
  }
  return obj && json_is_object(obj) ? json_object_get(obj, seg) : NULL;
}
