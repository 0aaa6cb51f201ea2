/*
 * schema_codes.c - enums that are code lists. The profile generator marks
 * the enum of each code list with `"x-thbx-codes": "sex"` (the list's name,
 * schemas/codes/sex.csv); such an enum's error names the list and the
 * nearest codes instead of listing them all:
 *
 *   "F"  is not a code of sex (see `thbx codes sex`); did you mean female?
 *
 * (the value and the "did you mean" hint are the issue's own members, so
 * that a redacted report can leave them out). The labels of the embedded
 * list (codes/NAME.csv) are read once at compile time so that "Albania"
 * suggests AL. Enums without the annotation keep "must be one of ...".
 */
#include "schema_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct schema_codes {
  char *name;
  int listed; /* codes/NAME.csv is embedded: `thbx codes NAME` shows it */
  size_t n;
  const char **codes; /* borrowed from the enum */
  char **labels;      /* parallel to codes, NULL where unknown */
};

void schema_codes_free(struct schema_codes *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->n; i++)
    free(c->labels[i]);
  free(c->labels);
  free(c->codes);
  free(c->name);
  free(c);
}

/* One CSV field at *p (RFC 4180 quotes), into b; *p moves past it and its
 * delimiter. Returns 1 if the line goes on after it. */
static int csv_field(const char **p, const char *end, thbx_buf_t *b) {
  thbx_buf_reset(b);
  thbx_buf_puts(b, "");
  const char *s = *p;
  if (s < end && *s == '"') {
    s++;
    while (s < end) {
      if (*s == '"' && s + 1 < end && s[1] == '"') {
        thbx_buf_putc(b, '"');
        s += 2;
      } else if (*s == '"') {
        s++;
        break;
      } else {
        thbx_buf_putc(b, *s++);
      }
    }
  } else {
    while (s < end && *s != ',' && *s != '\n' && *s != '\r')
      thbx_buf_putc(b, *s++);
  }
  int more = s < end && *s == ',';
  if (more)
    s++;
  *p = s;
  return more;
}

/* Labels of the codes from the embedded codes/NAME.csv (code,label). */
static void read_labels(struct schema_codes *c) {
  char res[160];
  snprintf(res, sizeof(res), "codes/%s.csv", c->name);
  size_t len = 0;
  const char *text = strchr(c->name, '/') ? NULL : thbx_resource(res, &len);
  if (!text)
    return;
  c->listed = 1;
  const char *p = text, *end = text + len;
  thbx_buf_t code, label;
  thbx_buf_init(&code);
  thbx_buf_init(&label);
  int header = 1;
  while (p < end) {
    int more = csv_field(&p, end, &code);
    if (more)
      csv_field(&p, end, &label);
    else
      thbx_buf_reset(&label);
    while (p < end && *p != '\n') /* further columns */
      p++;
    if (p < end)
      p++;
    if (header) {
      header = 0;
      continue;
    }
    for (size_t i = 0; i < c->n && code.data; i++)
      if (!c->labels[i] && strcmp(c->codes[i], code.data) == 0 && label.data && label.data[0])
        c->labels[i] = strdup(label.data);
  }
  thbx_buf_free(&code);
  thbx_buf_free(&label);
}

int schema_codes_compile(struct schema_codes **out, const json_t *schema, const json_t *values,
                         thbx_error_t *err) {
  *out = NULL;
  const json_t *name = json_object_get(schema, "x-thbx-codes");
  if (!json_is_string(name) || !json_is_array(values) || json_array_size(values) == 0)
    return THBX_OK;
  size_t n = json_array_size(values);
  for (size_t i = 0; i < n; i++)
    if (!json_is_string(json_array_get(values, i)))
      return THBX_OK; /* a code list is strings */
  struct schema_codes *c = calloc(1, sizeof(*c));
  if (!c)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  c->name = strdup(json_string_value(name));
  c->codes = calloc(n, sizeof(*c->codes));
  c->labels = calloc(n, sizeof(*c->labels));
  if (!c->name || !c->codes || !c->labels) {
    schema_codes_free(c);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  c->n = n;
  for (size_t i = 0; i < n; i++)
    c->codes[i] = json_string_value(json_array_get(values, i));
  read_labels(c);
  *out = c;
  return THBX_OK;
}

#define MAX_SUGGESTIONS 3

void schema_codes_message(const struct schema_codes *c, const json_t *inst, char *msg,
                          size_t msg_size, char **hint) {
  *hint = NULL;
  if (c->listed)
    snprintf(msg, msg_size, "is not a code of %s (see `thbx codes %s`)", c->name, c->name);
  else
    snprintf(msg, msg_size, "is not a code of %s", c->name);
  if (!json_is_string(inst))
    return;
  size_t idx[MAX_SUGGESTIONS];
  size_t k = thbx_suggest(json_string_value(inst), c->codes, (const char *const *)c->labels, c->n,
                          idx, MAX_SUGGESTIONS);
  if (k == 0)
    return;
  thbx_buf_t b;
  thbx_buf_init(&b);
  int rc = thbx_buf_puts(&b, "did you mean ");
  for (size_t i = 0; i < k; i++) {
    if (i)
      rc |= thbx_buf_puts(&b, i + 1 == k ? " or " : ", ");
    rc |= thbx_buf_puts(&b, c->codes[idx[i]]);
    const char *label = c->labels[idx[i]];
    if (label && strcasecmp(label, c->codes[idx[i]]) != 0)
      rc |= thbx_buf_printf(&b, " (%s)", label);
  }
  rc |= thbx_buf_putc(&b, '?');
  if (rc) {
    thbx_buf_free(&b);
    return;
  }
  *hint = b.data;
}
