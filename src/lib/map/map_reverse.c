/*
 * map_reverse.c - the mapping read backwards (profile record -> national
 * record) and its loss ledger. A crosswalk goes back through its
 * `equivalent` (or `preferred`) rows; dates are written with the row's
 * pattern, numbers with its decimal char, booleans as its first true/false
 * token, absent values as its first missing token, lists joined with its
 * separator, flags as one column per code. What cannot go back one to one
 * is listed by thbx_mapping_ledger() (`thbx map check --reverse`).
 */
#include "map.h"

#include <stdlib.h>
#include <string.h>

static int has_op(const struct map_row *r, enum map_op op) {
  for (size_t i = 0; i < r->nsteps; i++)
    if (r->steps[i].op == op)
      return 1;
  return 0;
}

static const char *step_arg(const struct map_row *r, enum map_op op) {
  for (size_t i = 0; i < r->nsteps; i++)
    if (r->steps[i].op == op)
      return r->steps[i].arg;
  return NULL;
}

static int put_value(json_t *out, const struct map_source *s, json_t *v);

/* Set text at a national place: a column, a JSON Pointer or a simple XPath. */
static int put(json_t *out, const struct map_source *s, const char *text) {
  json_t *v = json_string(text);
  if (!v)
    return -1;
  return put_value(out, s, v);
}

/* Several values: a JSON array; for an XPath ending in an attribute
 * (a/b/@c), one element b per value, each with its attribute. Takes `texts`. */
static int put_array(json_t *out, const struct map_source *s, json_t *texts) {
  const char *at = s->kind == SRC_XPATH ? strrchr(s->text, '/') : NULL;
  if (at && at[1] == '@') {
    json_t *items = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(texts, i, t) json_array_append_new(items, json_pack("{sO}", at + 1, t));
    json_decref(texts);
    struct map_source parent = *s;
    char *ptext = strndup(s->text, (size_t)(at - s->text));
    if (!ptext) {
      json_decref(items);
      return -1;
    }
    parent.text = ptext;
    int rc = put_value(out, &parent, items);
    free(ptext);
    return rc;
  }
  return put_value(out, s, texts);
}

static int put_value(json_t *out, const struct map_source *s, json_t *v) {
  if (s->kind == SRC_COL)
    return json_object_set_new(out, s->names[0], v);
  const char *p = s->text;
  if (*p == '/')
    p++;
  json_t *obj = out;
  char seg[256];
  for (;;) {
    size_t n = strcspn(p, "/");
    if (n == 0 || n >= sizeof(seg)) {
      json_decref(v);
      return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      if (s->kind == SRC_PTR && p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
        seg[k++] = p[i + 1] == '0' ? '~' : '/';
        i++;
      } else {
        seg[k++] = p[i];
      }
    }
    seg[k] = '\0';
    if (!p[n])
      return json_object_set_new(obj, seg, v);
    json_t *next = map_child_object(obj, seg);
    if (!next) {
      json_decref(v);
      return -1;
    }
    obj = next;
    p += n + 1;
  }
}

/* Can the reverse write this source? A column, a pointer, or an XPath that
 * is a plain path of names (a/b/@c). */
static int writable(const struct map_source *s) {
  if (s->kind != SRC_XPATH)
    return 1;
  for (const char *p = s->text; *p; p++)
    if (!(*p == '/' || *p == '@' || *p == '_' || *p == '-' || *p == '.' ||
          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
      return 0;
  return s->text[0] && s->text[0] != '/';
}

/* One regional scalar -> national text, appended to b. 0, or -1 with *why. */
static int back_text(const struct map_row *r, const json_t *v, thbx_buf_t *b, const char **why) {
  char tmp[64];
  const char *s = NULL;
  if (json_is_true(v) || json_is_false(v)) {
    char *const *tok = json_is_true(v) ? r->trues : r->falses;
    size_t nt = json_is_true(v) ? r->ntrues : r->nfalses;
    s = nt ? tok[0] : json_is_true(v) ? "true" : "false";
    return thbx_buf_puts(b, s);
  }
  if (json_is_integer(v) || json_is_real(v)) {
    if (json_is_integer(v))
      snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
      snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
    for (char *p = tmp; *p; p++)
      if (*p == '.')
        *p = r->decimal;
    return thbx_buf_puts(b, tmp);
  }
  if (!json_is_string(v)) {
    *why = "is not a scalar";
    return -1;
  }
  s = json_string_value(v);
  if (r->is_date) {
    int y, m, d;
    if (map_date_parse(NULL, s, &y, &m, &d) != 0) {
      *why = "is not a date YYYY-MM-DD";
      return -1;
    }
    if (has_op(r, OP_YEAR) || has_op(r, OP_MONTH))
      return thbx_buf_printf(b, "%d", has_op(r, OP_YEAR) ? y : m);
    return map_date_format(r->pattern, y, m, d, b);
  }
  if (r->cw && !has_op(r, OP_FLAGS)) {
    const struct cw_row *cr = map_crosswalk_back(r->cw, s);
    if (cr)
      s = cr->src;
    else if (r->unmapped != UNMAPPED_KEEP) {
      *why = "has no equivalent (or preferred) row in the crosswalk to go back by";
      return -1;
    }
  }
  const char *pre = step_arg(r, OP_PREFIX), *suf = step_arg(r, OP_SUFFIX);
  size_t n = strlen(s);
  if (pre && strncmp(s, pre, strlen(pre)) == 0) {
    s += strlen(pre);
    n -= strlen(pre);
  }
  if (suf && n >= strlen(suf) && strcmp(s + n - strlen(suf), suf) == 0)
    n -= strlen(suf);
  return thbx_buf_append(b, s, n);
}

static int reverse_row(const struct thbx_mapping *m, const struct map_row *r, thbx_item_t *item,
                       json_t *out, thbx_error_t *err) {
  if (!r->nsrcs || r->ledger_only)
    return THBX_OK;
  if ((has_op(r, OP_YEAR) || has_op(r, OP_MONTH)) && !r->is_date)
    return THBX_OK; /* a year alone does not give the date back (the ledger says so) */
  for (size_t k = 0; k < r->nsrcs; k++)
    if (!writable(&r->srcs[k]))
      return THBX_OK;
  const json_t *v = map_get_path(item->value, r->target);
  const char *missing = r->nmissing ? r->missing[0] : NULL;
  if (has_op(r, OP_FLAGS)) {
    for (size_t k = 0; k < r->nsrcs; k++) {
      const struct map_source *s = &r->srcs[k];
      const struct cw_row *cr =
          map_crosswalk_find(r->cw, s->kind == SRC_COL ? s->names[0] : s->text, '.');
      const char *t = missing;
      if (json_is_array(v)) {
        int on = 0;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) on |=
            cr && json_is_string(e) && strcmp(json_string_value(e), cr->tgt) == 0;
        t = on ? r->trues[0] : r->nfalses ? r->falses[0] : NULL;
      }
      if (t && put(out, s, t) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
    return THBX_OK;
  }
  if (!v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)) {
    if (missing && put(out, &r->srcs[0], missing) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return THBX_OK;
  }
  thbx_buf_t b;
  thbx_buf_init(&b);
  const char *why = NULL;
  int bad = 0;
  if (json_is_array(v) && !r->separator && r->nsrcs == 1 && r->srcs[0].kind != SRC_COL) {
    /* a JSON array or repeated XML elements: one national value per item */
    json_t *texts = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      thbx_buf_reset(&b);
      if (back_text(r, e, &b, &why) != 0) {
        bad = 1;
        break;
      }
      json_t *t = json_string(b.data ? b.data : "");
      int dup = 0;
      size_t j;
      json_t *f;
      json_array_foreach(texts, j, f) dup |= json_equal(f, t);
      if (dup)
        json_decref(t);
      else
        json_array_append_new(texts, t);
    }
    if (!bad) {
      int prc = put_array(out, &r->srcs[0], texts);
      thbx_buf_free(&b);
      return prc == 0 ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
    json_decref(texts);
  } else if (json_is_array(v)) {
    size_t i;
    json_t *e;
    if (json_array_size(v) > 1 && !r->separator) {
      why = "is a list of several values and the row has no separator to join them";
      bad = 1;
    }
    json_array_foreach(v, i, e) {
      if (bad)
        break;
      if (i && thbx_buf_puts(&b, r->separator) != 0)
        bad = 1;
      if (back_text(r, e, &b, &why) != 0)
        bad = 1;
    }
  } else {
    bad = back_text(r, v, &b, &why) != 0;
  }
  if (bad) {
    char *shown = json_is_string(v) ? strdup(json_string_value(v))
                                    : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    map_issue(item, m, r, 0, 0, shown, "value %s", why ? why : "cannot be written back");
    free(shown);
    thbx_buf_free(&b);
    return THBX_OK;
  }
  const char *text = b.data ? b.data : "";
  if (r->nsrcs > 1) {
    /* concat(SEP) splits back when the parts are as many as the sources */
    const char *sep = step_arg(r, OP_CONCAT);
    size_t parts = 1;
    for (const char *p = text; sep && *sep && (p = strstr(p, sep)); p += strlen(sep))
      parts++;
    if (!sep || !*sep || parts != r->nsrcs) {
      map_issue(item, m, r, 0, 0, NULL,
                "value cannot be split back into its %zu sources by concat's separator", r->nsrcs);
    } else {
      const char *p = text;
      for (size_t k = 0; k < r->nsrcs; k++) {
        const char *q = k + 1 < r->nsrcs ? strstr(p, sep) : p + strlen(p);
        char *piece = strndup(p, (size_t)(q - p));
        if (!piece || put(out, &r->srcs[k], piece) != 0) {
          free(piece);
          thbx_buf_free(&b);
          return thbx_error_set(err, THBX_ENOMEM, "out of memory");
        }
        free(piece);
        p = q + strlen(sep);
      }
    }
  } else if (put(out, &r->srcs[0], text) != 0) {
    thbx_buf_free(&b);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_buf_free(&b);
  return THBX_OK;
}

int map_reverse_apply(const struct thbx_mapping *m, thbx_item_t *item, thbx_error_t *err) {
  if (!item->value || item->unreadable)
    return THBX_OK;
  json_t *out = json_object();
  if (!out)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < m->nrows; i++) {
    int rc = reverse_row(m, &m->rows[i], item, out, err);
    if (rc != THBX_OK) {
      json_decref(out);
      return rc;
    }
  }
  json_decref(item->value);
  item->value = out;
  item->raw_stale = 1;
  return THBX_OK;
}

static void ledger_add(json_t *a, const struct map_row *r, const char *fmt, ...) THBX_PRINTF(3, 4);
static void ledger_add(json_t *a, const struct map_row *r, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  json_array_append_new(a, json_pack("{s:I,s:s,s:s}", "line", (json_int_t)r->line, "target",
                                     r->target, "what", text));
}

json_t *thbx_mapping_ledger(const thbx_mapping_t *m) {
  json_t *a = json_array();
  if (!a)
    return NULL;
  for (size_t i = 0; i < m->nrows; i++) {
    const struct map_row *r = &m->rows[i];
    if (!r->nsrcs) {
      ledger_add(a, r, "a constant (%s): nothing is written back", r->def);
      continue;
    }
    if (r->ledger_only) {
      ledger_add(a, r, "its source is written back by an earlier row: this row is not");
      continue;
    }
    int plain = 1;
    for (size_t k = 0; k < r->nsrcs; k++)
      plain &= writable(&r->srcs[k]);
    if (!plain) {
      ledger_add(a, r, "the XPath source is not a plain path: nothing is written back");
      continue;
    }
    if ((has_op(r, OP_YEAR) || has_op(r, OP_MONTH)) && r->is_date)
      ledger_add(a, r, "only the %s of the date is written back",
                 has_op(r, OP_YEAR) ? "year" : "month");
    else if (has_op(r, OP_YEAR) || has_op(r, OP_MONTH))
      ledger_add(a, r, "the %s of a date: the date is not written back",
                 has_op(r, OP_YEAR) ? "year" : "month");
    if (has_op(r, OP_PSEUDONYMISE))
      ledger_add(a, r, "pseudonymised: the pseudonym goes back, never the original value");
    if (has_op(r, OP_TRIM) || has_op(r, OP_UPPER) || has_op(r, OP_LOWER))
      ledger_add(a, r, "trim/upper/lower: blanks and letter case are not restored");
    if (r->nsrcs > 1 && !has_op(r, OP_FLAGS)) {
      const char *sep = step_arg(r, OP_CONCAT);
      ledger_add(a, r, "%zu sources concatenated: split back %s", r->nsrcs,
                 sep && *sep ? "on the separator (fails if a part holds it)" : "impossible");
    }
    if (r->nmissing > 1)
      ledger_add(a, r, "missing tokens %s... all come back as '%s'", r->missing[1], r->missing[0]);
    if (r->ntrues > 1 || r->nfalses > 1)
      ledger_add(a, r, "several true/false tokens: they come back as '%s' / '%s'",
                 r->ntrues ? r->trues[0] : "true", r->nfalses ? r->falses[0] : "false");
    if (r->def && r->nsrcs)
      ledger_add(a, r, "absent values were defaulted to '%s': they come back as that value",
                 r->def);
    if (r->unmapped == UNMAPPED_FIXED && r->fixed)
      ledger_add(a, r, "codes not in the crosswalk became '%s' and cannot go back", r->fixed);
    const struct crosswalk *cw = r->cw;
    if (!cw || has_op(r, OP_FLAGS))
      continue;
    for (size_t k = 0; k < cw->nrows; k++) {
      const struct cw_row *c = &cw->rows[k];
      const struct cw_row *back = c->rel == REL_NOT_RELATED ? NULL : map_crosswalk_back(cw, c->tgt);
      if (c->is_range)
        ledger_add(a, r, "%s:%ld: range %s -> %s: the number is not written back", cw->path,
                   c->line, c->src, c->tgt);
      else if (c->rel == REL_NOT_RELATED)
        ledger_add(a, r, "%s:%ld: code %s has no target", cw->path, c->line, c->src);
      else if (!back)
        ledger_add(a, r, "%s:%ld: target %s has no equivalent or preferred row: it cannot go back",
                   cw->path, c->line, c->tgt);
      else if (back != c)
        ledger_add(a, r, "%s:%ld: %s -> %s comes back as %s (%s)", cw->path, c->line, c->src,
                   c->tgt, back->src, map_rel_name(c->rel));
    }
    if (r->codes) {
      size_t j;
      const json_t *code;
      json_array_foreach(r->codes, j, code) {
        if (!map_crosswalk_back(cw, json_string_value(code)) && r->unmapped != UNMAPPED_KEEP)
          ledger_add(a, r, "profile code %s has no row to go back by in %s",
                     json_string_value(code), cw->name);
      }
    }
  }
  return a;
}
