/*
 * map_apply.c - the mapping stage, forward: one national record (a generic
 * value read by the readers: CSV header -> text, any JSON, or an XML record
 * element in item->raw) becomes one profile record. Runs on worker threads
 * over the read-only compiled mapping; everything per record is local.
 * Every value that cannot be mapped is a located issue (rule "map") naming
 * the mapping row; nothing is guessed and nothing is dropped in silence.
 */
#include "map.h"

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

/* One value taken from the source, with where it stood. */
struct val {
  char *s;
  long line;
  const struct map_source *src;
};

struct vals {
  struct val *v;
  size_t n, cap;
};

static int vals_push(struct vals *vs, const char *s, size_t len, long line,
                     const struct map_source *src) {
  if (vs->n == vs->cap) {
    size_t nc = vs->cap ? vs->cap * 2 : 8;
    struct val *p = realloc(vs->v, nc * sizeof(*p));
    if (!p)
      return -1;
    vs->v = p;
    vs->cap = nc;
  }
  char *c = strndup(s, len);
  if (!c)
    return -1;
  vs->v[vs->n++] = (struct val){c, line, src};
  return 0;
}

static void vals_clear(struct vals *vs) {
  for (size_t i = 0; i < vs->n; i++)
    free(vs->v[i].s);
  vs->n = 0;
}

struct ctx {
  const struct thbx_mapping *m;
  FILE *trace;
  thbx_item_t *item;
  xmlDocPtr doc;
  xmlXPathContextPtr xp;
  int xml_failed;
  thbx_buf_t buf;
};

int map_issue(thbx_item_t *item, const struct thbx_mapping *m, const struct map_row *row, long line,
              long column, const char *value, const char *fmt, ...) {
  char text[THBX_ERROR_TEXT_LENGTH];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  char msg[THBX_ERROR_TEXT_LENGTH + 300];
  char where[300] = "";
  if (row)
    snprintf(where, sizeof(where), "%.200s:%ld", m->path, row->line);
  snprintf(msg, sizeof(msg), "%s%s%s", where, where[0] ? ": " : "", text);
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  if (row) {
    const char *p = row->target;
    thbx_buf_putc(&ptr, '/');
    for (; *p; p++)
      thbx_buf_putc(&ptr, *p == '.' ? '/' : *p);
  }
  thbx_item_issue_t is;
  memset(&is, 0, sizeof(is));
  is.kind = THBX_ISSUE_UNREADABLE;
  is.rule = "map";
  is.line = line ? line : item->line;
  is.column = line ? column : item->column;
  is.instance_path = ptr.data ? ptr.data : "";
  is.schema_path = where;
  is.message = msg;
  is.value = (char *)value;
  int rc = thbx_item_add_issue(item, &is);
  thbx_buf_free(&ptr);
  return rc;
}

/* The value of a JSON Pointer (RFC 6901), borrowed, NULL if absent. */
static json_t *pointer_get(json_t *v, const char *p) {
  char seg[256];
  while (v && *p == '/') {
    p++;
    size_t n = 0;
    while (*p && *p != '/' && n + 1 < sizeof(seg)) {
      if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
        seg[n++] = p[1] == '0' ? '~' : '/';
        p += 2;
      } else {
        seg[n++] = *p++;
      }
    }
    seg[n] = '\0';
    if (json_is_object(v)) {
      v = json_object_get(v, seg);
    } else if (json_is_array(v)) {
      char *end;
      unsigned long ix = strtoul(seg, &end, 10);
      v = *end || !n ? NULL : json_array_get(v, ix);
    } else {
      v = NULL;
    }
  }
  return v;
}

static int push_scalar(struct vals *vs, const json_t *v, long line, const struct map_source *src) {
  char tmp[64];
  switch (json_typeof(v)) {
  case JSON_STRING: return vals_push(vs, json_string_value(v), json_string_length(v), line, src);
  case JSON_INTEGER:
    snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return vals_push(vs, tmp, strlen(tmp), line, src);
  case JSON_REAL:
    snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
    return vals_push(vs, tmp, strlen(tmp), line, src);
  case JSON_TRUE: return vals_push(vs, "true", 4, line, src);
  case JSON_FALSE: return vals_push(vs, "false", 5, line, src);
  default: return 0; /* null: missing */
  }
}

static void silent_xpath(void *ctx, xmlError *e);

static int parse_xml(struct ctx *c) {
  if (c->doc || c->xml_failed)
    return c->doc ? 0 : -1;
  thbx_item_t *it = c->item;
  if (!it->raw || it->format != THBX_FORMAT_XML) {
    c->xml_failed = 1;
    return -1;
  }
  c->doc = xmlReadMemory(it->raw, (int)it->raw_length, it->source, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!c->doc || !(c->xp = xmlXPathNewContext(c->doc))) {
    c->xml_failed = 1;
    return -1;
  }
  c->xp->node = xmlDocGetRootElement(c->doc);
  c->xp->error = silent_xpath; /* the library never prints */
  return 0;
}

/* Values of one source, pushed onto vs. 0, -1 out of memory, -2 not XML. */
static int source_values(struct ctx *c, const struct map_source *s, struct vals *vs) {
  thbx_item_t *it = c->item;
  if (s->kind == SRC_COL) {
    for (size_t k = 0; k < s->nnames; k++) {
      json_t *v = json_object_get(it->value, s->names[k]);
      if (!v)
        v = map_get_path(it->value, s->names[k]);
      if (v)
        return push_scalar(vs, v, it->line, s);
    }
    return 0;
  }
  if (s->kind == SRC_PTR) {
    json_t *v = pointer_get(it->value, s->text);
    if (!v)
      return 0;
    if (json_is_array(v)) {
      size_t i;
      json_t *e;
      json_array_foreach(v, i, e) if (push_scalar(vs, e, it->line, s) != 0) return -1;
      return 0;
    }
    return json_is_object(v) ? 0 : push_scalar(vs, v, it->line, s);
  }
  if (parse_xml(c) != 0)
    return -2;
  xmlXPathObjectPtr r = xmlXPathCompiledEval(s->xpath, c->xp);
  if (!r)
    return 0;
  int rc = 0;
  if (r->type == XPATH_NODESET) {
    for (int i = 0; r->nodesetval && i < r->nodesetval->nodeNr && rc == 0; i++) {
      xmlNodePtr n = r->nodesetval->nodeTab[i];
      xmlChar *t = xmlNodeGetContent(n);
      long line =
          it->line +
          (n->type == XML_ATTRIBUTE_NODE && n->parent ? xmlGetLineNo(n->parent) : xmlGetLineNo(n)) -
          1;
      rc = vals_push(vs, t ? (const char *)t : "", t ? strlen((const char *)t) : 0, line, s);
      xmlFree(t);
    }
  } else {
    xmlChar *t = xmlXPathCastToString(r);
    if (t && *t)
      rc = vals_push(vs, (const char *)t, strlen((const char *)t), it->line, s);
    xmlFree(t);
  }
  xmlXPathFreeObject(r);
  return rc;
}

static const char *src_label(const struct map_source *s, thbx_buf_t *b) {
  thbx_buf_reset(b);
  thbx_buf_printf(b, "%s:%s",
                  s->kind == SRC_COL   ? "col"
                  : s->kind == SRC_PTR ? "ptr"
                                       : "xpath",
                  s->text);
  return b->data;
}

static int is_missing(const struct map_row *r, const char *s) {
  return !*s || map_token_in(r->missing, r->nmissing, s);
}

/* Text transforms, in the order written. Returns a malloc'ed string. */
static char *text_steps(const struct thbx_mapping *m, const struct map_row *r, const char *in) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  if (thbx_buf_puts(&b, in) != 0)
    return NULL;
  for (size_t i = 0; i < r->nsteps; i++) {
    const struct map_step *st = &r->steps[i];
    switch (st->op) {
    case OP_TRIM: {
      size_t a = 0, n = b.len;
      while (a < n && (b.data[a] == ' ' || b.data[a] == '\t'))
        a++;
      while (n > a && (b.data[n - 1] == ' ' || b.data[n - 1] == '\t'))
        n--;
      memmove(b.data, b.data + a, n - a);
      b.len = n - a;
      b.data[b.len] = '\0';
      break;
    }
    case OP_UPPER:
    case OP_LOWER:
      for (size_t k = 0; k < b.len; k++) { /* ASCII only: codes, not names */
        char ch = b.data[k];
        if (st->op == OP_UPPER && ch >= 'a' && ch <= 'z')
          b.data[k] = (char)(ch - 32);
        if (st->op == OP_LOWER && ch >= 'A' && ch <= 'Z')
          b.data[k] = (char)(ch + 32);
      }
      break;
    case OP_PREFIX: {
      thbx_buf_t t;
      thbx_buf_init(&t);
      thbx_buf_puts(&t, st->arg);
      thbx_buf_append(&t, b.data, b.len);
      thbx_buf_free(&b);
      b = t;
      break;
    }
    case OP_SUFFIX: thbx_buf_puts(&b, st->arg); break;
    case OP_PSEUDONYMISE: {
      char hex[65];
      if (map_hmac_hex(m->key, m->keylen, b.data, b.len, hex) != 0) {
        thbx_buf_free(&b);
        return NULL;
      }
      thbx_buf_reset(&b);
      thbx_buf_puts(&b, hex);
      break;
    }
    default: break;
    }
  }
  if (!b.data)
    thbx_buf_puts(&b, "");
  return b.data;
}

static int has_op(const struct map_row *r, enum map_op op) {
  for (size_t i = 0; i < r->nsteps; i++)
    if (r->steps[i].op == op)
      return 1;
  return 0;
}

/* One regional value from the text `s` (after the crosswalk). NULL and *why. */
static json_t *typed(const struct map_row *r, const char *s, const char **why) {
  if (has_op(r, OP_YEAR) || has_op(r, OP_MONTH)) {
    int y, mo, d;
    if (map_date_parse(r->pattern, s, &y, &mo, &d) != 0) {
      *why = "is not a date of the row's pattern";
      return NULL;
    }
    return json_integer(has_op(r, OP_YEAR) ? y : mo);
  }
  if (r->is_date) {
    int y, mo, d;
    if (map_date_parse(r->pattern, s, &y, &mo, &d) != 0) {
      *why = r->pattern ? "is not a date of the row's pattern" : "is not a date YYYY-MM-DD";
      return NULL;
    }
    char iso[16];
    snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, mo, d);
    return json_string(iso);
  }
  if ((r->types & THBX_TYPE_BOOLEAN) && !(r->types & THBX_TYPE_STRING)) {
    if (map_token_in(r->trues, r->ntrues, s))
      return json_true();
    if (map_token_in(r->falses, r->nfalses, s))
      return json_false();
    *why = "is not one of the row's true or false tokens";
    return NULL;
  }
  if ((r->types & (THBX_TYPE_INTEGER | THBX_TYPE_NUMBER)) && !(r->types & THBX_TYPE_STRING)) {
    double v;
    if (map_number_parse(s, r->decimal, &v) != 0) {
      *why = r->decimal == ',' ? "is not a number (decimal comma)" : "is not a number";
      return NULL;
    }
    if (!(r->types & THBX_TYPE_NUMBER) || v == (double)(json_int_t)v) {
      if (v != (double)(json_int_t)v || v > 9e15 || v < -9e15) {
        *why = "is not an integer";
        return NULL;
      }
      return json_integer((json_int_t)v);
    }
    return json_real(v);
  }
  if (r->codes && !r->cw) {
    size_t i;
    const json_t *c;
    json_array_foreach(r->codes, i,
                       c) if (strcmp(json_string_value(c), s) == 0) return json_string(s);
    *why = "is not in the code list (give the row a codes crosswalk)";
    return NULL;
  }
  json_t *v = json_string(s);
  if (!v)
    *why = "is not UTF-8";
  return v;
}

static void trace_row(struct ctx *c, const struct map_row *r, json_t *cwlines) {
  FILE *f = c->trace;
  json_t *o = json_pack("{s:s,s:I,s:I,s:s,s:s,s:I}", "source", c->item->source, "record",
                        (json_int_t)c->item->index, "line", (json_int_t)c->item->line, "target",
                        r->target, "mapping", c->m->path, "row", (json_int_t)r->line);
  if (!o)
    return;
  json_t *from = json_array();
  for (size_t k = 0; k < r->nsrcs; k++)
    json_array_append_new(from, json_string(src_label(&r->srcs[k], &c->buf)));
  json_object_set_new(o, "from", from);
  if (r->cw && cwlines) {
    json_object_set_new(o, "crosswalk", json_string(r->cw->path));
    json_object_set(o, "crosswalk_rows", cwlines);
  }
  if (!r->nsrcs || json_array_size(from) == 0)
    json_object_set_new(o, "constant", json_true());
  else if (!cwlines)
    json_object_set_new(o, "default", json_true()); /* no source value: the row's default */
  char *line = json_dumps(o, JSON_COMPACT);
  if (line) {
    fputs(line, f);
    fputc('\n', f);
    free(line);
  }
  json_decref(o);
}

/* Map one row into out. THBX_OK (issues added to the item as needed) or
 * ENOMEM / ESCHEMA. */
static int map_row_apply(struct ctx *c, const struct map_row *r, json_t *out, thbx_error_t *err) {
  struct vals vs = {0};
  thbx_item_t *it = c->item;
  int rc = THBX_OK;
  json_t *result = r->is_array ? json_array() : NULL;
  json_t *cwlines = json_array();
  int issues = 0, defaulted = 0;
  for (size_t k = 0; k < r->nsrcs; k++) {
    size_t before = vs.n;
    int src = source_values(c, &r->srcs[k], &vs);
    if (src == -1) {
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      goto done;
    }
    if (src == -2) {
      map_issue(it, c->m, r, 0, 0, NULL, "%s: the record is not XML that an XPath can read",
                src_label(&r->srcs[k], &c->buf));
      issues++;
      goto done;
    }
    if (has_op(r, OP_FLAGS) && vs.n == before) /* one slot per flag column */
      vals_push(&vs, "", 0, it->line, &r->srcs[k]);
  }
  if (has_op(r, OP_FLAGS)) {
    for (size_t i = 0; i < vs.n; i++) {
      const struct val *v = &vs.v[i];
      if (is_missing(r, v->s) || map_token_in(r->falses, r->nfalses, v->s))
        continue;
      if (!map_token_in(r->trues, r->ntrues, v->s)) {
        map_issue(it, c->m, r, v->line, 0, v->s, "%s: flag is not one of the true or false tokens",
                  src_label(v->src, &c->buf));
        issues++;
        continue;
      }
      const char *nm = v->src->kind == SRC_COL ? v->src->names[0] : v->src->text;
      const struct cw_row *cr = map_crosswalk_find(r->cw, nm, '.');
      size_t j;
      json_t *e;
      int dup = 0;
      json_array_foreach(result, j, e) dup |= strcmp(json_string_value(e), cr->tgt) == 0;
      if (!dup)
        json_array_append_new(result, json_string(cr->tgt));
      json_array_append_new(cwlines, json_integer(cr->line));
    }
    goto store;
  }
  if (has_op(r, OP_CONCAT) && r->nsrcs > 1) {
    thbx_buf_t b;
    thbx_buf_init(&b);
    const char *sep = "";
    for (size_t i = 0; i < r->nsteps; i++)
      if (r->steps[i].op == OP_CONCAT)
        sep = r->steps[i].arg;
    int whole = vs.n == r->nsrcs;
    for (size_t i = 0; i < vs.n && whole; i++) {
      if (is_missing(r, vs.v[i].s)) {
        whole = 0; /* a part missing: the whole is missing, never a shorter value */
        break;
      }
      if (i)
        thbx_buf_puts(&b, sep);
      thbx_buf_puts(&b, vs.v[i].s);
    }
    if (!whole)
      thbx_buf_reset(&b);
    long line = vs.n ? vs.v[0].line : it->line;
    const struct map_source *s0 = vs.n ? vs.v[0].src : &r->srcs[0];
    vals_clear(&vs);
    if (b.len)
      vals_push(&vs, b.data, b.len, line, s0);
    thbx_buf_free(&b);
  }
  for (size_t i = 0; i < vs.n; i++) {
    const struct val *v = &vs.v[i];
    if (is_missing(r, v->s))
      continue;
    char *t = text_steps(c->m, r, v->s);
    if (!t) {
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      goto done;
    }
    if (is_missing(r, t)) {
      free(t);
      continue;
    }
    /* a multi-valued cell */
    char **parts = &t;
    size_t nparts = 1;
    char **split = NULL;
    if (r->separator) {
      size_t cap = 4;
      split = malloc(cap * sizeof(*split));
      nparts = 0;
      char *p = t;
      size_t sl = strlen(r->separator);
      for (;;) {
        char *q = strstr(p, r->separator);
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && (*p == ' ')) {
          p++;
          n--;
        }
        while (n && p[n - 1] == ' ')
          n--;
        if (n) {
          if (nparts == cap) {
            cap *= 2;
            split = realloc(split, cap * sizeof(*split));
          }
          if (split)
            split[nparts++] = strndup(p, n);
        }
        if (!q)
          break;
        p = q + sl;
      }
      parts = split;
    }
    for (size_t pi = 0; parts && pi < nparts; pi++) {
      const char *code = parts[pi];
      if (is_missing(r, code))
        continue;
      if (r->cw) {
        const struct cw_row *cr = map_crosswalk_find(r->cw, code, r->decimal);
        if (cr && cr->rel == REL_NOT_RELATED)
          cr = NULL;
        if (cr && r->is_array && strchr(cr->tgt, '|')) {
          /* one source code, several target codes ("Both" -> sexual|forced_labour) */
          json_array_append_new(cwlines, json_integer(cr->line));
          char *many = strdup(cr->tgt), *save = NULL;
          for (char *p = many ? strtok_r(many, "|", &save) : NULL; p;
               p = strtok_r(NULL, "|", &save)) {
            const char *why2 = "cannot be mapped";
            json_t *x = typed(r, p, &why2);
            size_t j;
            json_t *e;
            int dup = 0;
            json_array_foreach(result, j, e) dup |= x && json_equal(e, x);
            if (x && !dup)
              json_array_append_new(result, x);
            else
              json_decref(x);
          }
          free(many);
          continue;
        }
        if (cr) {
          code = cr->tgt;
          json_array_append_new(cwlines, json_integer(cr->line));
        } else if (r->unmapped == UNMAPPED_FIXED) {
          code = r->fixed;
        } else if (r->unmapped == UNMAPPED_ERROR) {
          map_issue(it, c->m, r, v->line, 0, parts[pi], "%s: code is not in crosswalk %s",
                    src_label(v->src, &c->buf), r->cw->name);
          issues++;
          continue;
        }
      }
      const char *why = "cannot be mapped";
      json_t *x = typed(r, code, &why);
      if (!x) {
        map_issue(it, c->m, r, v->line, 0, parts[pi], "%s: value %s", src_label(v->src, &c->buf),
                  why);
        issues++;
        continue;
      }
      if (r->is_array) {
        size_t j;
        json_t *e;
        int dup = 0;
        json_array_foreach(result, j, e) dup |= json_equal(e, x);
        if (dup)
          json_decref(x);
        else
          json_array_append_new(result, x);
      } else if (result) {
        json_decref(x);
        map_issue(it, c->m, r, v->line, 0, NULL, "%s: several values for a single-valued target",
                  src_label(v->src, &c->buf));
        issues++;
      } else {
        result = x;
      }
    }
    if (split) {
      for (size_t pi = 0; pi < nparts; pi++)
        free(split[pi]);
      free(split);
    }
    free(t);
  }
store:
  if (issues)
    goto done;
  if (!result || (r->is_array && json_array_size(result) == 0)) {
    json_decref(result);
    result = NULL;
    if (r->def) {
      defaulted = 1;
      const char *why = "cannot be mapped";
      if (r->is_array) {
        result = json_array();
        char *d = strdup(r->def), *save = NULL;
        for (char *p = d ? strtok_r(d, "|", &save) : NULL; p; p = strtok_r(NULL, "|", &save)) {
          json_t *x = typed(r, p, &why);
          if (x)
            json_array_append_new(result, x);
        }
        free(d);
      } else {
        struct map_row plain = *r;
        plain.nsteps = 0; /* a default is a regional value already */
        plain.pattern = NULL;
        result = typed(&plain, r->def, &why);
      }
    }
  }
  if (result && map_set_path(out, r->target, result) != 0) {
    result = NULL;
    map_issue(it, c->m, r, 0, 0, NULL, "the target cannot be set (another row fills its parent)");
    goto done;
  }
  if (result && c->trace)
    trace_row(c, r, defaulted ? NULL : cwlines);
  result = NULL;
done:
  json_decref(result);
  json_decref(cwlines);
  vals_clear(&vs);
  free(vs.v);
  return rc;
}

static void silent_xpath(void *ctx, xmlError *e) {
  (void)ctx;
  (void)e;
}

int thbx_mapping_apply(const thbx_mapping_t *m, thbx_item_t *item, thbx_error_t *err) {
  return map_forward(m, item, m->opt.trace, err);
}

int map_forward(const struct thbx_mapping *m, thbx_item_t *item, FILE *trace, thbx_error_t *err) {
  if (m->opt.reverse)
    return map_reverse_apply(m, item, err);
  if (!item->value || item->unreadable)
    return THBX_OK;
  struct ctx c = {m, trace, item, NULL, NULL, 0, {0}};
  thbx_buf_init(&c.buf);
  json_t *out = json_object();
  if (!out)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  int rc = THBX_OK;
  for (size_t i = 0; i < m->nrows && rc == THBX_OK; i++)
    rc = map_row_apply(&c, &m->rows[m->order[i]], out, err);
  if (c.xp)
    xmlXPathFreeContext(c.xp);
  if (c.doc)
    xmlFreeDoc(c.doc);
  thbx_buf_free(&c.buf);
  if (rc != THBX_OK) {
    json_decref(out);
    return rc;
  }
  json_decref(item->value);
  item->value = out;
  item->raw_stale = 1;
  return THBX_OK;
}

static int stage_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  return thbx_mapping_apply(state, item, err);
}

static const thbx_stage_ops_t stage_stateless = {"map", THBX_STAGE_STATELESS, 1, stage_apply, NULL,
                                                 NULL};
static const thbx_stage_ops_t stage_ordered = {"map", THBX_STAGE_ORDERED, 1, stage_apply, NULL,
                                               NULL};

const thbx_stage_ops_t *thbx_mapping_stage_ops(const thbx_mapping_t *m) {
  return m->opt.trace ? &stage_ordered : &stage_stateless;
}
