/*
 * anonymise_hierarchy.c - generalisation hierarchies for k-anonymity, in
 * ARX's CSV form: one row per value, the value then its generalisations
 * from level 1 up ("18-20,18-29,adult,*"); "*" is the value suppressed.
 *
 * Every level value is checked against the field's subschema of the
 * profile when the hierarchy is read, so that a generalised record stays
 * valid: a hierarchy that would make "18-29" of an age group the code list
 * does not have is refused with its file and line, before any data is read.
 */
#include "anonymise.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *anon_key(const json_t *v) {
  if (!v)
    return strdup("null");
  return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

char *anon_value_text(const json_t *v) {
  if (json_is_string(v))
    return strndup(json_string_value(v), json_string_length(v));
  if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v))
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  return NULL;
}

json_t *anon_suppressed_form(const struct anon_qi *q) {
  if (q->suppress != PRIVACY_SUPPRESS_UNKNOWN)
    return NULL;
  json_t *u = json_string("unknown");
  if (!q->is_array)
    return u;
  json_t *arr = json_array();
  json_array_append_new(arr, u);
  return arr;
}

/* Is `v` already what suppression would leave? (No row needed then.) */
static int is_suppressed_form(const struct anon_qi *q, const json_t *v) {
  if (!v || json_is_null(v))
    return 1;
  if (q->suppress != PRIVACY_SUPPRESS_UNKNOWN)
    return 0;
  if (json_is_string(v))
    return strcmp(json_string_value(v), "unknown") == 0;
  return json_is_array(v) && json_array_size(v) == 1 && json_is_string(json_array_get(v, 0)) &&
         strcmp(json_string_value(json_array_get(v, 0)), "unknown") == 0;
}

/* One scalar to `level`: new reference; NULL means suppressed ("*"). */
static json_t *gen_scalar(const struct anon_qi *q, const json_t *v, int level, int *missing,
                          int *star) {
  char *text = anon_value_text(v);
  json_t *row = text ? json_object_get(q->hier, text) : NULL;
  free(text);
  if (!row) {
    if (!(json_is_string(v) && q->suppress == PRIVACY_SUPPRESS_UNKNOWN &&
          strcmp(json_string_value(v), "unknown") == 0))
      *missing = 1;
    return json_incref((json_t *)v);
  }
  json_t *g = json_array_get(row, (size_t)level - 1);
  if (!g || json_is_null(g)) {
    *star = 1;
    return NULL;
  }
  return json_incref(g);
}

json_t *anon_generalise(const struct anon_qi *q, const json_t *v, int level, int *missing) {
  *missing = 0;
  if (!v)
    return NULL;
  if (level == 0 || !q->hier || json_is_null(v))
    return json_incref((json_t *)v);
  if (!json_is_array(v)) {
    int star = 0;
    json_t *g = gen_scalar(q, v, level, missing, &star);
    return star ? anon_suppressed_form(q) : g;
  }
  if (is_suppressed_form(q, v))
    return json_incref((json_t *)v);
  json_t *out = json_array();
  if (!out)
    return NULL;
  size_t i;
  json_t *item;
  json_array_foreach(v, i, item) {
    int star = 0;
    json_t *g = gen_scalar(q, item, level, missing, &star);
    if (star) {
      /* one item suppressed: the array says nothing reliable any more */
      json_decref(out);
      return anon_suppressed_form(q);
    }
    int dup = 0;
    size_t j;
    json_t *seen;
    json_array_foreach(out, j, seen) dup |= json_equal(seen, g);
    if (dup)
      json_decref(g); /* generalised items may coincide: keep them unique */
    else
      json_array_append_new(out, g);
  }
  return out;
}

/* ------------------------------------------------------------ CSV reading */

/* Split one CSV line (RFC 4180 quotes) into cells; NULL on a bad quote. */
static json_t *csv_cells(const char *line, size_t len, char delim) {
  json_t *cells = json_array();
  thbx_buf_t cell;
  thbx_buf_init(&cell);
  size_t i = 0;
  for (;;) {
    thbx_buf_reset(&cell);
    thbx_buf_puts(&cell, "");
    if (i < len && line[i] == '"') {
      i++;
      for (;;) {
        if (i >= len)
          goto bad;
        if (line[i] == '"') {
          if (i + 1 < len && line[i + 1] == '"') {
            thbx_buf_putc(&cell, '"');
            i += 2;
            continue;
          }
          i++;
          break;
        }
        thbx_buf_putc(&cell, line[i++]);
      }
      if (i < len && line[i] != delim)
        goto bad;
    } else {
      while (i < len && line[i] != delim)
        thbx_buf_putc(&cell, line[i++]);
    }
    json_array_append_new(cells, json_stringn_nocheck(cell.data, cell.len));
    if (i >= len)
      break;
    i++; /* the delimiter */
  }
  thbx_buf_free(&cell);
  return cells;
bad:
  thbx_buf_free(&cell);
  json_decref(cells);
  return NULL;
}

/* A cell as a value of the field's type. NULL if it cannot be. */
static json_t *typed(const struct anon_qi *q, const char *text) {
  if (!q->types || (q->types & THBX_TYPE_STRING))
    return json_string(text);
  char *end;
  if (q->types & THBX_TYPE_INTEGER) {
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (*text && !*end && !errno)
      return json_integer(n);
  }
  if (q->types & THBX_TYPE_NUMBER) {
    errno = 0;
    double d = strtod(text, &end);
    if (*text && !*end && !errno)
      return json_real(d);
  }
  if (q->types & THBX_TYPE_BOOLEAN) {
    if (strcmp(text, "true") == 0)
      return json_true();
    if (strcmp(text, "false") == 0)
      return json_false();
  }
  return NULL;
}

static int valid_for_field(const struct anon_qi *q, json_t *v) {
  if (!q->schema)
    return 1;
  if (!q->is_array)
    return privacy_field_valid(q->schema, v);
  json_t *arr = json_array();
  json_array_append(arr, v);
  int ok = privacy_field_valid(q->schema, arr);
  json_decref(arr);
  return ok;
}

int thbx_anonymiser_add_hierarchy(thbx_anonymiser_t *a, const char *path, const char *file,
                                  thbx_error_t *err) {
  struct anon_qi *q = NULL;
  for (size_t i = 0; i < a->nq; i++)
    if (strcmp(a->qi[i].path.dotted, path) == 0)
      q = &a->qi[i];
  if (!q)
    return thbx_error_set(err, THBX_EINVAL,
                          "hierarchy for %.200s: it is not one of the quasi-identifiers", path);
  if (q->hier)
    return thbx_error_set(err, THBX_EINVAL, "two hierarchies for %.200s", path);
  if (q->conditional)
    return thbx_error_set(err, THBX_EINVAL,
                          "hierarchy for %.200s: a rule of the profile depends on its value, "
                          "so it cannot be generalised",
                          path);
  size_t len = 0;
  char *text = thbx_read_file(file, &len);
  if (!text) {
    int e = errno;
    thbx_error_at(err, file, 0, 0);
    return thbx_error_set(err, THBX_EIO, "cannot read the hierarchy: %s", strerror(e));
  }
  json_t *hier = json_object();
  int rc = THBX_OK, width = -1;
  long lineno = 0;
  const char *first_nl = memchr(text, '\n', len);
  size_t first_len = first_nl ? (size_t)(first_nl - text) : len;
  char delim = memchr(text, ',', first_len) || !memchr(text, ';', first_len) ? ',' : ';';
  for (size_t pos = 0; pos < len && rc == THBX_OK;) {
    const char *line = text + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t ll = nl ? (size_t)(nl - line) : len - pos;
    pos += ll + (nl ? 1 : 0);
    lineno++;
    if (ll && line[ll - 1] == '\r')
      ll--;
    if (ll == 0)
      continue;
    thbx_error_at(err, file, lineno, 0);
    if (!thbx_utf8_valid(line, ll)) {
      rc = thbx_error_set(err, THBX_ESCHEMA, "not UTF-8");
      break;
    }
    json_t *cells = csv_cells(line, ll, delim);
    if (!cells) {
      rc = thbx_error_set(err, THBX_ESCHEMA, "a quoted cell is not closed properly");
      break;
    }
    const char *value = json_string_value(json_array_get(cells, 0));
    if (lineno == 1 && strcmp(value, "value") == 0) {
      json_decref(cells); /* a header row */
      continue;
    }
    int n = (int)json_array_size(cells);
    if (n < 2)
      rc = thbx_error_set(err, THBX_ESCHEMA, "a row needs the value and at least one level");
    else if (width >= 0 && n != width)
      rc = thbx_error_set(err, THBX_ESCHEMA, "%d cells, but the rows above have %d", n, width);
    else if (json_object_get(hier, value))
      rc = thbx_error_set(err, THBX_ESCHEMA, "'%.100s' has a row already", value);
    json_t *row = json_array();
    for (int i = 1; i < n && rc == THBX_OK; i++) {
      const char *cell = json_string_value(json_array_get(cells, (size_t)i));
      if (strcmp(cell, "*") == 0) {
        if (q->suppress == PRIVACY_SUPPRESS_NONE)
          rc = thbx_error_set(err, THBX_ESCHEMA,
                              "'*' (suppressed), but %.200s can be neither 'unknown' nor "
                              "dropped: %s",
                              path, q->why ? q->why : "");
        json_array_append_new(row, json_null());
        continue;
      }
      json_t *v = typed(q, cell);
      if (!v || !valid_for_field(q, v))
        rc = thbx_error_set(err, THBX_ESCHEMA,
                            "'%.100s' (level %d) is not a valid value of %.200s in the profile; "
                            "the output would not validate",
                            cell, i, path);
      json_array_append_new(row, v ? v : json_null());
    }
    if (rc == THBX_OK)
      json_object_set_new(hier, value, row);
    else
      json_decref(row);
    if (width < 0)
      width = n;
    json_decref(cells);
  }
  free(text);
  if (rc == THBX_OK && width < 0) {
    thbx_error_at(err, file, 0, 0);
    rc = thbx_error_set(err, THBX_ESCHEMA, "the hierarchy has no rows");
  }
  if (rc != THBX_OK) {
    json_decref(hier);
    return rc;
  }
  q->hier = hier;
  q->levels = width - 1;
  q->hier_file = strdup(file);
  thbx_error_clear(err);
  return THBX_OK;
}
