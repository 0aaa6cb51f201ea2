/*
 * stats.c - `thbx stats`: counting records (or distinct persons) by 1 to 3
 * group-by paths, as an ordered sink of the pipeline (thbx.h).
 *
 * A group-by path is a dotted path of leaves ("person.sex"), or a date path
 * with a derivation ("event_date:year", "event_date:month"). A path that
 * reaches an array (a leaf array such as exploitation.forms, or an array of
 * objects on the way) takes every distinct value: the record counts once
 * per distinct value, and the output says so. A record without a value is
 * counted under the missing value (empty in CSV, null in JSON).
 *
 * --distinct PATH counts the distinct values of PATH per cell, exactly: the
 * set of (cell, value) pairs is kept in memory (one jansson hash entry per
 * distinct person and cell), so memory grows with the distinct persons, not
 * with the records. When finished, the table is built (stats_table.h),
 * suppressed (suppress.c) and written (stats_write.c).
 */
#include "stats_table.h"
#include "stats_write.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { DERIVE_NONE = 0, DERIVE_YEAR, DERIVE_MONTH };

struct path {
  char **seg;
  size_t nseg;
};

struct dim {
  char *label; /* as given: "event_date:year" */
  struct path path;
  int derive;
  json_t *index; /* value -> insertion index */
  char **values; /* by insertion index; NULL: the missing value */
  size_t nvalues, cap;
  long missing; /* insertion index of the missing value, -1 */
  int multi;    /* some record has several values */
};

/* the values of one record for one dimension (distinct, insertion indices) */
struct vals {
  size_t *idx;
  size_t n, cap;
};

struct thbx_stats {
  thbx_stats_options_t o;
  struct dim dims[STATS_MAX_DIMS];
  int nd;
  struct path distinct;
  char *distinct_label;
  json_t *cells;   /* "i,j,k" -> count */
  json_t *pairs;   /* "i,j,k\x1f" person -> null, with --distinct */
  json_t *persons; /* person -> first cell key, with --distinct */
  struct vals vals[STATS_MAX_DIMS];
  thbx_buf_t key, pair;
  int overlap;
  int finished;
  thbx_stats_summary_t summary;
};

int thbx_stats_format_from_name(const char *name) {
  static const char *const names[] = {"csv", "json", "md", "html"};
  for (int i = 0; name && i < 4; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  if (name && strcmp(name, "markdown") == 0)
    return THBX_STATS_MD;
  return -1;
}

void thbx_stats_options_default(thbx_stats_options_t *o) {
  memset(o, 0, sizeof(*o));
  o->min_cell = 5;
  o->format = THBX_STATS_CSV;
}

static void path_free(struct path *p) {
  for (size_t i = 0; i < p->nseg; i++)
    free(p->seg[i]);
  free(p->seg);
  memset(p, 0, sizeof(*p));
}

static int path_parse(struct path *p, const char *s, size_t len) {
  memset(p, 0, sizeof(*p));
  if (len == 0)
    return -1;
  size_t n = 1;
  for (size_t i = 0; i < len; i++)
    n += s[i] == '.';
  p->seg = calloc(n, sizeof(*p->seg));
  if (!p->seg)
    return -1;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != '.')
      continue;
    if (i == start)
      return -1; /* an empty segment: "a..b", ".a", "a." */
    p->seg[p->nseg] = strndup(s + start, i - start);
    if (!p->seg[p->nseg])
      return -1;
    p->nseg++;
    start = i + 1;
  }
  return 0;
}

void thbx_stats_free(thbx_stats_t *s) {
  if (!s)
    return;
  for (int i = 0; i < s->nd; i++) {
    struct dim *d = &s->dims[i];
    free(d->label);
    path_free(&d->path);
    json_decref(d->index);
    for (size_t v = 0; v < d->nvalues; v++)
      free(d->values[v]);
    free(d->values);
    free(s->vals[i].idx);
  }
  path_free(&s->distinct);
  free(s->distinct_label);
  json_decref(s->cells);
  json_decref(s->pairs);
  json_decref(s->persons);
  thbx_buf_free(&s->key);
  thbx_buf_free(&s->pair);
  free(s);
}

static int reserved_label(const char *label) {
  return strcmp(label, "count") == 0 || strcmp(label, "flag") == 0 ||
         strcmp(label, "suppressed") == 0;
}

int thbx_stats_new(thbx_stats_t **out, const thbx_stats_options_t *o, thbx_error_t *err) {
  *out = NULL;
  if (!o || o->nby < 1 || o->nby > STATS_MAX_DIMS)
    return thbx_error_set(err, THBX_EINVAL, "stats groups by 1 to %d paths", STATS_MAX_DIMS);
  if (o->min_cell < 1)
    return thbx_error_set(err, THBX_EINVAL, "the minimum cell count must be at least 1");
  thbx_stats_t *s = calloc(1, sizeof(*s));
  if (!s)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  s->o = *o;
  if (!s->o.max_cells)
    s->o.max_cells = 100000;
  thbx_buf_init(&s->key);
  thbx_buf_init(&s->pair);
  s->cells = json_object();
  if (!s->cells)
    goto nomem;
  for (size_t i = 0; i < o->nby; i++) {
    struct dim *d = &s->dims[i];
    s->nd++;
    d->missing = -1;
    const char *label = o->by[i];
    if (!label || reserved_label(label)) {
      thbx_stats_free(s);
      return thbx_error_set(err, THBX_EINVAL, "'%s' cannot be a group-by path (a column name)",
                            label ? label : "");
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(o->by[j], label) == 0) {
        thbx_stats_free(s);
        return thbx_error_set(err, THBX_EINVAL, "group-by path '%s' is given twice", label);
      }
    const char *colon = strchr(label, ':');
    size_t plen = colon ? (size_t)(colon - label) : strlen(label);
    if (colon) {
      if (strcmp(colon + 1, "year") == 0)
        d->derive = DERIVE_YEAR;
      else if (strcmp(colon + 1, "month") == 0)
        d->derive = DERIVE_MONTH;
      else {
        thbx_stats_free(s);
        return thbx_error_set(err, THBX_EINVAL,
                              "unknown derived key '%s' (PATH:year or PATH:month)", label);
      }
    }
    d->label = strdup(label);
    d->index = json_object();
    if (!d->label || !d->index)
      goto nomem;
    if (path_parse(&d->path, label, plen) != 0) {
      thbx_stats_free(s);
      return thbx_error_set(err, THBX_EINVAL, "'%s' is not a dotted path", label);
    }
  }
  if (o->distinct) {
    s->distinct_label = strdup(o->distinct);
    s->pairs = json_object();
    s->persons = json_object();
    if (!s->distinct_label || !s->pairs || !s->persons)
      goto nomem;
    if (path_parse(&s->distinct, o->distinct, strlen(o->distinct)) != 0) {
      thbx_stats_free(s);
      return thbx_error_set(err, THBX_EINVAL, "'%s' is not a dotted path", o->distinct);
    }
  }
  *out = s;
  return THBX_OK;
nomem:
  thbx_stats_free(s);
  return thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

/* The text of a leaf value; 0 if it is null, -1 if it is an object. */
static int leaf_text(const json_t *v, char *buf, size_t size, const char **text) {
  switch (json_typeof(v)) {
  case JSON_STRING: *text = json_string_value(v); return 1;
  case JSON_INTEGER:
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    *text = buf;
    return 1;
  case JSON_REAL:
    snprintf(buf, size, "%.17g", json_real_value(v));
    *text = buf;
    return 1;
  case JSON_TRUE: *text = "true"; return 1;
  case JSON_FALSE: *text = "false"; return 1;
  case JSON_NULL: return 0;
  default: return -1;
  }
}

static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int add_value(struct dim *d, struct vals *vals, const char *text) {
  long idx;
  if (!text) {
    if (d->missing < 0)
      d->missing = (long)d->nvalues;
    idx = d->missing;
    if ((size_t)idx == d->nvalues) {
      if (d->nvalues == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char **v = realloc(d->values, cap * sizeof(*v));
        if (!v)
          return -1;
        d->values = v;
        d->cap = cap;
      }
      d->values[d->nvalues++] = NULL;
    }
  } else {
    json_t *j = json_object_get(d->index, text);
    if (j) {
      idx = (long)json_integer_value(j);
    } else {
      if (d->nvalues == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char **v = realloc(d->values, cap * sizeof(*v));
        if (!v)
          return -1;
        d->values = v;
        d->cap = cap;
      }
      idx = (long)d->nvalues;
      d->values[d->nvalues] = strdup(text);
      if (!d->values[d->nvalues] ||
          json_object_set_new(d->index, text, json_integer((json_int_t)idx)) != 0)
        return -1;
      d->nvalues++;
    }
  }
  for (size_t i = 0; i < vals->n; i++)
    if (vals->idx[i] == (size_t)idx)
      return 0;
  if (vals->n == vals->cap) {
    size_t cap = vals->cap ? vals->cap * 2 : 8;
    size_t *v = realloc(vals->idx, cap * sizeof(*v));
    if (!v)
      return -1;
    vals->idx = v;
    vals->cap = cap;
  }
  vals->idx[vals->n++] = (size_t)idx;
  return 0;
}

/* Collect the values of path segments [i..] of `v` into vals. */
static int collect(struct dim *d, struct vals *vals, const json_t *v, size_t i, thbx_error_t *err) {
  if (!v)
    return THBX_OK;
  if (json_is_array(v)) {
    size_t k;
    const json_t *e;
    json_array_foreach(v, k, e) {
      int rc = collect(d, vals, e, i, err);
      if (rc != THBX_OK)
        return rc;
    }
    return THBX_OK;
  }
  if (i < d->path.nseg)
    return json_is_object(v) ? collect(d, vals, json_object_get(v, d->path.seg[i]), i + 1, err)
                             : THBX_OK;
  char buf[64];
  const char *text = NULL;
  int lt = leaf_text(v, buf, sizeof(buf), &text);
  if (lt < 0)
    return thbx_error_set(err, THBX_EINVAL, "group-by path '%s' is an object, not a leaf",
                          d->label);
  if (lt == 0)
    return THBX_OK;
  if (d->derive) {
    size_t want = d->derive == DERIVE_YEAR ? 4 : 7;
    size_t len = strlen(text);
    if (len < want || !digits(text, 4) ||
        (d->derive == DERIVE_MONTH && (text[4] != '-' || !digits(text + 5, 2))))
      return THBX_OK; /* not a date: counted as missing */
    char part[8];
    memcpy(part, text, want);
    part[want] = '\0';
    return add_value(d, vals, part) == 0 ? THBX_OK
                                         : thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return add_value(d, vals, text) == 0 ? THBX_OK
                                       : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

static const json_t *walk(const struct path *p, const json_t *v) {
  for (size_t i = 0; v && i < p->nseg; i++)
    v = json_is_object(v) ? json_object_get(v, p->seg[i]) : NULL;
  return v;
}

static int count_cell(thbx_stats_t *s, const char *person) {
  if (person) {
    thbx_buf_reset(&s->pair);
    if (thbx_buf_append(&s->pair, s->key.data, s->key.len) != 0 ||
        thbx_buf_putc(&s->pair, '\x1f') != 0 || thbx_buf_puts(&s->pair, person) != 0)
      return -1;
    if (json_object_get(s->pairs, s->pair.data))
      return 0;
    if (json_object_set_new_nocheck(s->pairs, s->pair.data, json_null()) != 0)
      return -1;
    json_t *first = json_object_get(s->persons, person);
    if (!first) {
      if (json_object_set_new_nocheck(s->persons, person, json_string(s->key.data)) != 0)
        return -1;
    } else if (strcmp(json_string_value(first), s->key.data) != 0) {
      s->overlap = 1;
    }
  }
  json_t *c = json_object_get(s->cells, s->key.data);
  if (c)
    return json_integer_set(c, json_integer_value(c) + 1);
  return json_object_set_new_nocheck(s->cells, s->key.data, json_integer(1));
}

int thbx_stats_add(thbx_stats_t *s, const json_t *record, thbx_error_t *err) {
  if (s->finished)
    return thbx_error_set(err, THBX_EINVAL, "stats: the table is already finished");
  const char *person = NULL;
  char pbuf[64];
  if (s->distinct_label) {
    const json_t *pv = walk(&s->distinct, record);
    if (!pv || leaf_text(pv, pbuf, sizeof(pbuf), &person) != 1) {
      s->summary.skipped++;
      return THBX_OK;
    }
  }
  for (int i = 0; i < s->nd; i++) {
    s->vals[i].n = 0;
    int rc = collect(&s->dims[i], &s->vals[i], record, 0, err);
    if (rc != THBX_OK)
      return rc;
    if (s->vals[i].n == 0 && add_value(&s->dims[i], &s->vals[i], NULL) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (s->vals[i].n > 1)
      s->dims[i].multi = 1;
  }
  /* every combination of the record's values */
  size_t at[STATS_MAX_DIMS] = {0};
  for (;;) {
    thbx_buf_reset(&s->key);
    for (int i = 0; i < s->nd; i++)
      if (thbx_buf_printf(&s->key, "%s%zu", i ? "," : "", s->vals[i].idx[at[i]]) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (count_cell(s, person) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    int i = s->nd - 1;
    while (i >= 0 && ++at[i] == s->vals[i].n)
      at[i--] = 0;
    if (i < 0)
      break;
  }
  s->summary.records++;
  return THBX_OK;
}

static const struct dim *sort_dim;
static int by_value(const void *a, const void *b) {
  const char *x = sort_dim->values[*(const size_t *)a], *y = sort_dim->values[*(const size_t *)b];
  if (!x || !y)
    return x ? -1 : (y ? 1 : 0); /* the missing value last */
  return strcmp(x, y);
}

int thbx_stats_finish(thbx_stats_t *s, thbx_error_t *err) {
  if (s->finished)
    return thbx_error_set(err, THBX_EINVAL, "stats: the table is already finished");
  s->finished = 1;
  int rc = THBX_OK;
  size_t *order[STATS_MAX_DIMS] = {0}, *rank[STATS_MAX_DIMS] = {0};
  char **sorted[STATS_MAX_DIMS] = {0};
  const char *labels[STATS_MAX_DIMS];
  size_t n[STATS_MAX_DIMS];
  stats_table_t t;
  stats_suppression_t sup;
  memset(&t, 0, sizeof(t));
  memset(&sup, 0, sizeof(sup));
  size_t cells = 1;
  for (int i = 0; i < s->nd; i++) {
    struct dim *d = &s->dims[i];
    labels[i] = d->label;
    n[i] = d->nvalues;
    order[i] = malloc((d->nvalues + 1) * sizeof(size_t));
    rank[i] = malloc((d->nvalues + 1) * sizeof(size_t));
    sorted[i] = malloc((d->nvalues + 1) * sizeof(char *));
    if (!order[i] || !rank[i] || !sorted[i]) {
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      goto done;
    }
    for (size_t v = 0; v < d->nvalues; v++)
      order[i][v] = v;
    sort_dim = d; /* qsort has no context argument in C11 */
    qsort(order[i], d->nvalues, sizeof(size_t), by_value);
    for (size_t v = 0; v < d->nvalues; v++) {
      rank[i][order[i][v]] = v;
      sorted[i][v] = d->values[order[i][v]];
      if (s->o.totals && sorted[i][v] && strcmp(sorted[i][v], "_total") == 0) {
        rc = thbx_error_set(err, THBX_EINVAL, "'%s' has the value _total, which names the margins",
                            d->label);
        goto done;
      }
    }
    size_t m = d->nvalues + (s->o.totals ? 1 : 0);
    cells *= m ? m : 1;
    if (cells > s->o.max_cells) {
      rc = thbx_error_set(err, THBX_ELIMIT,
                          "the table has more than %zu cells (values per path multiplied)",
                          s->o.max_cells);
      goto done;
    }
  }
  if ((rc = stats_table_init(&t, s->nd, n, s->o.totals, s->o.min_cell, err)) != THBX_OK)
    goto done;
  const char *key;
  json_t *val;
  json_object_foreach(s->cells, key, val) {
    size_t c[STATS_MAX_DIMS];
    const char *p = key;
    for (int i = 0; i < s->nd; i++) {
      char *end;
      c[i] = rank[i][strtoul(p, &end, 10)];
      p = end + (*end == ',');
    }
    t.count[stats_table_index(&t, c)] = (long long)json_integer_value(val);
  }
  stats_table_fill_margins(&t);
  if ((rc = stats_suppress(&t, &sup, s->o.interrupted, err)) != THBX_OK)
    goto done;
  s->summary.primary = (long)sup.primary;
  s->summary.secondary = (long)sup.secondary;
  stats_meta_t meta;
  memset(&meta, 0, sizeof(meta));
  meta.distinct = s->distinct_label;
  meta.records = s->summary.records;
  meta.overlap = s->overlap;
  for (int i = 0; i < s->nd; i++) {
    meta.multi[i] = s->dims[i].multi;
    if (s->dims[i].multi)
      s->summary.multi_valued = 1;
  }
  long written = 0;
  rc = stats_write_table(s->o.out, s->o.format, &t, labels, (char *const *const *)sorted, &meta,
                         &written, err);
  s->summary.cells = written;
  if (rc == THBX_OK && s->o.certificate) {
    json_t *cert = stats_certificate_build(
        &t, &sup, labels, (char *const *const *)sorted,
        s->distinct_label ? "distinct values of the --distinct path" : "records");
    if (cert && s->distinct_label)
      json_object_set_new(cert, "distinct", json_string(s->distinct_label));
    if (!cert || json_dumpf(cert, s->o.certificate, JSON_INDENT(1)) != 0 ||
        fputc('\n', s->o.certificate) == EOF)
      rc = thbx_error_set(err, THBX_EIO, "cannot write the certificate");
    json_decref(cert);
  }
done:
  for (int i = 0; i < s->nd; i++) {
    free(order[i]);
    free(rank[i]);
    free(sorted[i]);
  }
  stats_suppression_clear(&sup);
  stats_table_clear(&t);
  return rc;
}

void thbx_stats_get_summary(const thbx_stats_t *s, thbx_stats_summary_t *summary) {
  *summary = s->summary;
}

int thbx_stats_verify(const json_t *cert, thbx_stats_verdict_t *v, thbx_error_t *err) {
  memset(v, 0, sizeof(*v));
  v->problems = json_array();
  if (!v->problems)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (!json_is_object(cert)) {
    json_array_append_new(v->problems, json_string("not a thbx stats certificate (not an object)"));
    return THBX_OK;
  }
  stats_verify_certificate(cert, v->problems, &v->cells, &v->primary, &v->protected_cells);
  return THBX_OK;
}

/* ------------------------------------------------------------------ sink */

static int sink_item(void *state, const thbx_pipeline_t *pipeline, const thbx_item_t *item,
                     thbx_error_t *err) {
  (void)pipeline;
  if (item->unreadable || !item->value || item->nissues > 0)
    return THBX_OK; /* the pipeline reports it; it is not counted */
  int rc = thbx_stats_add(state, item->value, err);
  if (rc != THBX_OK)
    thbx_error_at(err, item->source, item->line, item->column);
  return rc;
}

static int sink_finish(void *state, int complete, thbx_error_t *err) {
  if (!complete)
    return THBX_OK; /* a table of part of the input must not look complete */
  return thbx_stats_finish(state, err);
}

static void sink_free(void *state) { thbx_stats_free(state); }

static const thbx_sink_ops_t stats_sink = {
    .name = "stats", .item = sink_item, .finish = sink_finish, .free = sink_free};

const thbx_sink_ops_t *thbx_stats_sink_ops(void) { return &stats_sink; }
