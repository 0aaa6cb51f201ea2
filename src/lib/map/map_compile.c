/*
 * map_compile.c - a mapping CSV compiled once into struct thbx_mapping:
 * every row checked against the profile (the target is a leaf, the
 * crosswalk's target codes are in its code list, the date pattern reads
 * back, a source can fill the target's type) before any record is read.
 * Every fault is THBX_ESCHEMA at MAP.csv:LINE (or CROSSWALK.csv:LINE).
 */
#define _GNU_SOURCE
#include "map.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void thbx_mapping_options_default(thbx_mapping_options_t *o) { memset(o, 0, sizeof(*o)); }

static int row_error(thbx_error_t *err, const struct thbx_mapping *m, long line, const char *fmt,
                     ...) THBX_PRINTF(4, 5);
static int row_error(thbx_error_t *err, const struct thbx_mapping *m, long line, const char *fmt,
                     ...) {
  char text[THBX_ERROR_TEXT_LENGTH - 8];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  thbx_error_at(err, m->path, line, 0);
  return thbx_error_set(err, THBX_ESCHEMA, "%s", text);
}

/* The schema node of a leaf path (after $ref, an array's items), or NULL. */
static const json_t *resolve(const json_t *root, const json_t *n) {
  for (int i = 0; n && i < 16; i++) {
    const char *ref = json_string_value(json_object_get(n, "$ref"));
    if (!ref || strncmp(ref, "#/", 2) != 0)
      return n;
    const json_t *t = root;
    char seg[128];
    const char *p = ref + 2;
    while (t && *p) {
      size_t k = strcspn(p, "/");
      if (k >= sizeof(seg))
        return NULL;
      memcpy(seg, p, k);
      seg[k] = '\0';
      t = json_object_get(t, seg);
      p += k + (p[k] == '/');
    }
    n = t;
  }
  return n;
}

static const json_t *schema_leaf(const json_t *schema, const char *path, const json_t **outer) {
  const json_t *n = resolve(schema, schema);
  char seg[128];
  const char *p = path;
  while (n && *p) {
    size_t k = strcspn(p, ".");
    if (k >= sizeof(seg))
      return NULL;
    memcpy(seg, p, k);
    seg[k] = '\0';
    n = resolve(schema, json_object_get(json_object_get(n, "properties"), seg));
    p += k + (p[k] == '.');
  }
  *outer = n;
  if (n && json_is_object(json_object_get(n, "items")))
    n = resolve(schema, json_object_get(n, "items"));
  return n;
}

const json_t *map_schema_codes(const struct thbx_profile *profile, const char *path) {
  const json_t *outer = NULL;
  const json_t *n = schema_leaf(profile->schema, path, &outer);
  return n ? json_object_get(n, "enum") : NULL;
}

static char *trimdup(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  return strndup(s, n);
}

/* Split s on `sep` (a string) into trimmed copies; empty pieces kept only
 * when keep_empty. */
static int split(const char *s, const char *sep, char ***out, size_t *n, int keep_empty) {
  *out = NULL;
  *n = 0;
  if (!*s)
    return 0;
  size_t cap = 4;
  char **v = malloc(cap * sizeof(*v));
  if (!v)
    return -1;
  const char *p = s;
  for (;;) {
    const char *q = strstr(p, sep);
    size_t k = q ? (size_t)(q - p) : strlen(p);
    char *piece = strndup(p, k);
    char *t = piece ? trimdup(piece) : NULL;
    free(piece);
    if (!t)
      return -1;
    if (*t || keep_empty) {
      if (*n == cap) {
        cap *= 2;
        char **nv = realloc(v, cap * sizeof(*v));
        if (!nv)
          return -1;
        v = nv;
      }
      v[(*n)++] = t;
    } else {
      free(t);
    }
    if (!q)
      break;
    p = q + strlen(sep);
  }
  *out = v;
  return 0;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void silent_xpath(void *ctx, xmlError *e) {
  (void)ctx;
  (void)e;
}

static int parse_source(struct thbx_mapping *m, struct map_row *r, const char *text,
                        thbx_error_t *err) {
  char **refs;
  size_t n;
  if (split(text, " + ", &refs, &n, 0) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  r->srcs = calloc(n ? n : 1, sizeof(*r->srcs));
  if (!r->srcs) {
    free_list(refs, n);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  int rc = THBX_OK;
  for (size_t i = 0; i < n && rc == THBX_OK; i++) {
    struct map_source *s = &r->srcs[r->nsrcs++];
    const char *t = refs[i];
    if (strncmp(t, "col:", 4) == 0) {
      s->kind = SRC_COL;
      t += 4;
    } else if (strncmp(t, "ptr:", 4) == 0) {
      s->kind = SRC_PTR;
      t += 4;
    } else if (strncmp(t, "xpath:", 6) == 0) {
      s->kind = SRC_XPATH;
      t += 6;
    } else if (m->format == THBX_FORMAT_XML) {
      s->kind = SRC_XPATH;
    } else if (t[0] == '/' && m->format != THBX_FORMAT_CSV) {
      s->kind = SRC_PTR;
    } else {
      s->kind = SRC_COL;
    }
    s->text = strdup(t);
    if (!s->text) {
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      break;
    }
    if (s->kind == SRC_COL) {
      if (split(t, "|", &s->names, &s->nnames, 0) != 0 || !s->nnames)
        rc = row_error(err, m, r->line, "source '%.80s' names no column", refs[i]);
    } else if (s->kind == SRC_PTR) {
      if (t[0] && t[0] != '/')
        rc = row_error(err, m, r->line,
                       "source 'ptr:%.80s' is not a JSON Pointer (RFC 6901: it starts with /)", t);
    } else {
      xmlXPathContextPtr xc = xmlXPathNewContext(NULL);
      if (xc)
        xc->error = silent_xpath; /* the library never prints */
      s->xpath = xc ? xmlXPathCtxtCompile(xc, (const xmlChar *)t) : NULL;
      xmlXPathFreeContext(xc);
      if (!s->xpath)
        rc = row_error(err, m, r->line, "source 'xpath:%.80s' is not an XPath 1.0 expression", t);
      m->has_xpath = 1;
    }
  }
  free_list(refs, n);
  return rc;
}

static const struct {
  const char *name;
  enum map_op op;
  int arg; /* 1: required, 0: none */
} ops[] = {{"trim", OP_TRIM, 0},     {"upper", OP_UPPER, 0},
           {"lower", OP_LOWER, 0},   {"prefix", OP_PREFIX, 1},
           {"suffix", OP_SUFFIX, 1}, {"concat", OP_CONCAT, 1},
           {"year", OP_YEAR, 0},     {"month", OP_MONTH, 0},
           {"flags", OP_FLAGS, 0},   {"pseudonymise", OP_PSEUDONYMISE, 0}};

static int parse_steps(struct thbx_mapping *m, struct map_row *r, const char *text,
                       thbx_error_t *err) {
  size_t cap = 4;
  r->steps = calloc(cap, sizeof(*r->steps));
  if (!r->steps)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  const char *p = text;
  for (;;) {
    while (*p == ' ' || *p == ';' || *p == '\t')
      p++;
    if (!*p)
      return THBX_OK;
    size_t k = strcspn(p, " ;(\t");
    char name[32];
    if (k == 0 || k >= sizeof(name))
      return row_error(err, m, r->line, "transform '%.40s' is not known", p);
    memcpy(name, p, k);
    name[k] = '\0';
    p += k;
    char *arg = NULL;
    if (*p == '(') {
      const char *close = strrchr(p, ')');
      const char *next = strchr(p, ')');
      /* the argument runs to the first ')' that ends a step */
      while (next && next[1] && next[1] != ';' && next[1] != ' ')
        next = strchr(next + 1, ')');
      if (!next)
        next = close;
      if (!next)
        return row_error(err, m, r->line, "transform %s( has no closing ')'", name);
      arg = strndup(p + 1, (size_t)(next - p - 1));
      if (!arg)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      p = next + 1;
    }
    size_t i = 0;
    while (i < sizeof(ops) / sizeof(ops[0]) && strcasecmp(ops[i].name, name) != 0)
      i++;
    if (i == sizeof(ops) / sizeof(ops[0])) {
      free(arg);
      return row_error(err, m, r->line,
                       "transform '%s' is not one of trim, upper, lower, prefix(TEXT), "
                       "suffix(TEXT), concat(SEPARATOR), year, month, flags, pseudonymise",
                       name);
    }
    if (ops[i].arg && !arg) {
      return row_error(err, m, r->line, "transform %s needs its argument: %s(...)", name, name);
    }
    if (!ops[i].arg && arg) {
      free(arg);
      return row_error(err, m, r->line, "transform %s takes no argument", name);
    }
    if (r->nsteps == cap) {
      cap *= 2;
      struct map_step *ns = realloc(r->steps, cap * sizeof(*ns));
      if (!ns) {
        free(arg);
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      }
      r->steps = ns;
    }
    r->steps[r->nsteps].op = ops[i].op;
    r->steps[r->nsteps].arg = arg;
    r->nsteps++;
  }
}

static int has_step(const struct map_row *r, enum map_op op) {
  for (size_t i = 0; i < r->nsteps; i++)
    if (r->steps[i].op == op)
      return 1;
  return 0;
}

static int in_codes(const json_t *codes, const char *c) {
  size_t i;
  const json_t *v;
  json_array_foreach(codes, i,
                     v) if (json_is_string(v) && strcmp(json_string_value(v), c) == 0) return 1;
  return 0;
}

static int get_crosswalk(struct thbx_mapping *m, struct map_row *r, const char *name,
                         thbx_error_t *err) {
  for (size_t i = 0; i < m->ncws; i++)
    if (strcmp(m->cws[i]->name, name) == 0) {
      r->cw = m->cws[i];
      return THBX_OK;
    }
  struct crosswalk **ncws = realloc(m->cws, (m->ncws + 1) * sizeof(*ncws));
  if (!ncws)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  m->cws = ncws;
  int rc = map_crosswalk_load(&r->cw, name, m->dir, err);
  if (rc != THBX_OK) {
    if (rc == THBX_ENOTFOUND || !err->line) {
      char text[THBX_ERROR_TEXT_LENGTH];
      snprintf(text, sizeof(text), "%s", err->text);
      thbx_error_at(err, m->path, r->line, 0);
      thbx_error_set(err, THBX_ESCHEMA, "%.400s", text);
    }
    return rc == THBX_ENOMEM ? rc : THBX_ESCHEMA;
  }
  m->cws[m->ncws++] = r->cw;
  return THBX_OK;
}

/* The crosswalk's target codes must be codes of the target field. */
static int check_targets(struct thbx_mapping *m, const struct map_row *r, thbx_error_t *err) {
  const struct crosswalk *cw = r->cw;
  if (!r->codes || has_step(r, OP_FLAGS))
    return THBX_OK;
  for (size_t i = 0; i < cw->nrows; i++) {
    const struct cw_row *c = &cw->rows[i];
    if (c->rel == REL_NOT_RELATED)
      continue;
    int ok = 1;
    if (r->is_array && strchr(c->tgt, '|')) {
      char *many = strdup(c->tgt), *save = NULL;
      for (char *p = many ? strtok_r(many, "|", &save) : NULL; p; p = strtok_r(NULL, "|", &save))
        ok &= in_codes(r->codes, p);
      free(many);
    } else {
      ok = in_codes(r->codes, c->tgt);
    }
    if (!ok) {
      thbx_error_at(err, cw->path, c->line, 0);
      return thbx_error_set(err, THBX_ESCHEMA,
                            "target code '%.60s' is not in the code list of %.80s "
                            "(mapping row %ld)",
                            c->tgt, r->target, r->line);
    }
  }
  if (cw->policy == UNMAPPED_FIXED && !in_codes(r->codes, cw->fixed)) {
    thbx_error_at(err, cw->path, cw->policy_line, 0);
    return thbx_error_set(err, THBX_ESCHEMA,
                          "the fixed code '%.60s' is not in the code list of %.80s", cw->fixed,
                          r->target);
  }
  return THBX_OK;
}

static int directive(struct thbx_mapping *m, const char *name, const char *value, long line,
                     thbx_error_t *err) {
  if (strcasecmp(name, "@format") == 0) {
    m->format = thbx_format_from_name(value);
    if (m->format == THBX_FORMAT_AUTO)
      return row_error(err, m, line, "@format '%.40s' is not csv, json, ndjson or xml", value);
  } else if (strcasecmp(name, "@delimiter") == 0) {
    if (strcasecmp(value, "tab") == 0)
      m->delimiter = '\t';
    else if (strlen(value) == 1 && value[0] != '"')
      m->delimiter = value[0];
    else
      return row_error(err, m, line, "@delimiter wants one character or 'tab', not '%.40s'", value);
  } else if (strcasecmp(name, "@encoding") == 0) {
    if (strcasecmp(value, "utf-8") != 0 && strcasecmp(value, "utf8") != 0)
      return row_error(err, m, line,
                       "@encoding %.40s: thbx reads UTF-8 only; convert the export first "
                       "(iconv -f %.40s -t UTF-8)",
                       value, value);
  } else if (strcasecmp(name, "@header") == 0) {
    if (strcmp(value, "1") != 0)
      return row_error(err, m, line, "@header: the header must be row 1 of the export");
  } else if (strcasecmp(name, "@record") == 0) {
    free(m->record_element);
    m->record_element = strdup(value);
  } else if (strcasecmp(name, "@root") == 0) {
    free(m->root_element);
    m->root_element = strdup(value);
  } else if (strcasecmp(name, "@records") == 0) {
    if (value[0] && value[0] != '/')
      return row_error(err, m, line, "@records wants a JSON Pointer (/cases), not '%.40s'", value);
    free(m->records_pointer);
    m->records_pointer = strdup(value);
  } else {
    return row_error(err, m, line,
                     "'%.40s' is not one of @format, @delimiter, @encoding, @header, @root, "
                     "@record, @records",
                     name);
  }
  return THBX_OK;
}

struct cols {
  int target, source, pattern, decimal, trues, falses, missing, separator, codes, unmapped, def,
      transform;
};

static int compile_row(struct thbx_mapping *m, const struct map_table *t, size_t i,
                       const struct cols *c, thbx_error_t *err) {
  struct map_row *r = &m->rows[m->nrows];
  memset(r, 0, sizeof(*r));
  r->line = t->lines[i];
  r->decimal = '.';
  m->nrows++;
  const char *target = map_table_cell(t, i, c->target);
  r->target = trimdup(target);
  if (!r->target)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  const struct thbx_shape *root = m->profile->shape;
  r->leaf = thbx_shape_leaf(root, r->target);
  if (!r->leaf)
    return row_error(err, m, r->line, "unknown target '%.100s': not a field of profile %.60s",
                     r->target, m->profile->name);
  for (size_t k = 0; k + 1 < m->nrows; k++)
    if (strcmp(m->rows[k].target, r->target) == 0)
      return row_error(err, m, r->line, "target %.100s is mapped twice (first on line %ld)",
                       r->target, m->rows[k].line);
  const json_t *outer = NULL;
  const json_t *node = schema_leaf(m->profile->schema, r->target, &outer);
  r->is_array = (r->leaf->types & THBX_TYPE_ARRAY) != 0;
  r->types =
      r->is_array ? (r->leaf->items ? r->leaf->items->types : THBX_TYPE_STRING) : r->leaf->types;
  if (r->types & (THBX_TYPE_OBJECT | THBX_TYPE_ARRAY) && r->types != THBX_TYPE_ANY)
    return row_error(err, m, r->line, "target %.100s holds objects: map its fields instead",
                     r->target);
  r->codes = node ? json_object_get(node, "enum") : NULL;
  if (r->codes) {
    r->code_set = json_object();
    size_t ci;
    const json_t *cv;
    json_array_foreach(r->codes, ci, cv) if (json_is_string(cv))
        json_object_set_new(r->code_set, json_string_value(cv), json_true());
  }
  const char *fmt = node ? json_string_value(json_object_get(node, "format")) : NULL;
  r->is_date = fmt && strcmp(fmt, "date") == 0;
  r->is_datetime = fmt && strcmp(fmt, "date-time") == 0;

  int rc;
  const char *src = map_table_cell(t, i, c->source);
  if (*src && (rc = parse_source(m, r, src, err)) != THBX_OK)
    return rc;
  if ((rc = parse_steps(m, r, map_table_cell(t, i, c->transform), err)) != THBX_OK)
    return rc;
  const char *pat = map_table_cell(t, i, c->pattern);
  if (*pat) {
    const char *why = map_date_pattern_check(pat);
    if (why)
      return row_error(err, m, r->line, "date pattern '%.60s' %s", pat, why);
    if (!r->is_date && !has_step(r, OP_YEAR) && !has_step(r, OP_MONTH))
      return row_error(err, m, r->line,
                       "a date pattern is given but %.100s is no date (use year or month to "
                       "take a part of a date)",
                       r->target);
    r->pattern = strdup(pat);
  }
  if (r->is_datetime)
    return row_error(err, m, r->line,
                     "%.100s is a date-time: map it from a source already in ISO 8601 form "
                     "(or leave it out)",
                     r->target);
  const char *dec = map_table_cell(t, i, c->decimal);
  if (*dec) {
    if (strlen(dec) != 1 || (dec[0] != ',' && dec[0] != '.'))
      return row_error(err, m, r->line, "decimal must be ',' or '.', not '%.20s'", dec);
    r->decimal = dec[0];
  }
  if (split(map_table_cell(t, i, c->trues), "|", &r->trues, &r->ntrues, 0) != 0 ||
      split(map_table_cell(t, i, c->falses), "|", &r->falses, &r->nfalses, 0) != 0 ||
      split(map_table_cell(t, i, c->missing), "|", &r->missing, &r->nmissing, 0) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  const char *sep = map_table_cell(t, i, c->separator);
  if (*sep) {
    if (!r->is_array)
      return row_error(err, m, r->line, "a list separator is given but %.100s is no list",
                       r->target);
    r->separator = strcasecmp(sep, "space") == 0 ? strdup(" ") : strdup(sep);
  }
  const char *codes = map_table_cell(t, i, c->codes);
  if (*codes && (rc = get_crosswalk(m, r, codes, err)) != THBX_OK)
    return rc;
  if (r->cw && (rc = check_targets(m, r, err)) != THBX_OK)
    return rc;
  const char *un = map_table_cell(t, i, c->unmapped);
  if (*un) {
    r->unmapped_set = 1;
    if (strcmp(un, "error") == 0)
      r->unmapped = UNMAPPED_ERROR;
    else if (strcmp(un, "keep") == 0)
      r->unmapped = UNMAPPED_KEEP;
    else if (strncmp(un, "fixed:", 6) == 0 && un[6]) {
      r->unmapped = UNMAPPED_FIXED;
      r->fixed = strdup(un + 6);
      if (r->codes && !in_codes(r->codes, r->fixed))
        return row_error(err, m, r->line, "unmapped fixed:%.60s is not in the code list of %.80s",
                         r->fixed, r->target);
    } else
      return row_error(err, m, r->line, "unmapped is error, keep or fixed:CODE, not '%.40s'", un);
    if (!r->cw)
      return row_error(err, m, r->line, "unmapped is given but the row has no codes crosswalk");
  } else if (r->cw) {
    r->unmapped = r->cw->policy;
    r->fixed = r->cw->fixed ? strdup(r->cw->fixed) : NULL;
  }
  const char *def = map_table_cell(t, i, c->def);
  if (*def) {
    r->def = strdup(def);
    if (r->codes && !r->is_array && !in_codes(r->codes, def))
      return row_error(err, m, r->line, "default '%.60s' is not in the code list of %.80s", def,
                       r->target);
  }
  /* can anything fill the target? */
  if (!r->nsrcs && !r->def)
    return row_error(err, m, r->line, "%.100s has neither a source nor a default", r->target);
  if (r->nsrcs > 1 && !has_step(r, OP_CONCAT) && !has_step(r, OP_FLAGS))
    return row_error(err, m, r->line,
                     "several sources need concat(SEPARATOR) or flags to say how they combine");
  if (has_step(r, OP_FLAGS)) {
    if (!r->is_array || !r->cw)
      return row_error(err, m, r->line,
                       "flags fills a list from flag columns: the target must be a list and "
                       "codes a crosswalk from each flag's source to its code");
    for (size_t k = 0; k < r->nsrcs; k++) {
      const char *nm = r->srcs[k].kind == SRC_COL ? r->srcs[k].names[0] : r->srcs[k].text;
      const struct cw_row *cr = map_crosswalk_find(r->cw, nm, '.');
      if (!cr)
        return row_error(err, m, r->line, "flag source '%.60s' is not in crosswalk %.80s", nm,
                         r->cw->name);
      if (r->codes && !in_codes(r->codes, cr->tgt))
        return row_error(err, m, r->line,
                         "code '%.60s' of flag %.60s is not in the code list of "
                         "%.80s",
                         cr->tgt, nm, r->target);
    }
    if (!r->ntrues)
      return row_error(err, m, r->line, "flags needs the true tokens of the flag columns");
  }
  if ((has_step(r, OP_YEAR) || has_step(r, OP_MONTH)) && !(r->types & (THBX_TYPE_INTEGER))) {
    if (!r->is_date)
      return row_error(err, m, r->line, "year and month give integers but %.100s is no integer",
                       r->target);
    if (!m->opt.reverse)
      return row_error(err, m, r->line,
                       "a year or month cannot fill the date %.100s (this row works in reverse "
                       "only: the year of the date is written back)",
                       r->target);
  }
  if ((r->types & THBX_TYPE_BOOLEAN) && !(r->types & THBX_TYPE_STRING) && !r->ntrues &&
      !r->nfalses) {
    /* no tokens: JSON's own spelling only */
    if (split("true", "|", &r->trues, &r->ntrues, 0) != 0 ||
        split("false", "|", &r->falses, &r->nfalses, 0) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (r->def) {
    /* the default is a regional value: compiled once, checked now */
    struct map_row plain = *r;
    plain.nsteps = 0;
    plain.pattern = NULL;
    plain.cw = NULL;
    const char *why = "cannot be a value of this field";
    if (r->is_array) {
      r->def_value = json_array();
      char *d = strdup(r->def), *save = NULL;
      for (char *p = d ? strtok_r(d, "|", &save) : NULL; p && r->def_value;
           p = strtok_r(NULL, "|", &save)) {
        json_t *x = map_typed(&plain, p, &why);
        if (!x) {
          json_decref(r->def_value);
          r->def_value = NULL;
        } else {
          json_array_append_new(r->def_value, x);
        }
      }
      free(d);
    } else {
      r->def_value = map_typed(&plain, r->def, &why);
    }
    if (!r->def_value)
      return row_error(err, m, r->line, "default '%.60s' %s (%.100s)", r->def, why, r->target);
  }
  if (has_step(r, OP_PSEUDONYMISE) && !m->has_key)
    return row_error(err, m, r->line, "pseudonymise needs a key: give --key-file KEY");
  return THBX_OK;
}

static int by_leaf(const void *a, const void *b, void *ctx) {
  const struct thbx_mapping *m = ctx;
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  long lx = m->rows[x].leaf->leaf_index, ly = m->rows[y].leaf->leaf_index;
  if (lx != ly)
    return lx < ly ? -1 : 1;
  return x < y ? -1 : x > y;
}

/* Reverse: the national columns, in the order the rows first name them. */
static int reverse_columns(struct thbx_mapping *m) {
  thbx_buf_t b;
  thbx_buf_init(&b);
  json_t *seen = json_object();
  if (!seen)
    return -1;
  for (size_t i = 0; i < m->nrows; i++) {
    struct map_row *r = &m->rows[i];
    int fresh = 0;
    for (size_t k = 0; k < r->nsrcs; k++) {
      const struct map_source *s = &r->srcs[k];
      if (s->kind != SRC_COL)
        continue;
      if (json_object_get(seen, s->names[0]))
        continue;
      fresh = 1;
      json_object_set_new(seen, s->names[0], json_true());
      if (b.len)
        thbx_buf_putc(&b, ',');
      /* a column name with a comma or quote cannot be in --columns */
      thbx_buf_puts(&b, s->names[0]);
    }
    if (r->nsrcs && !fresh && r->srcs[0].kind == SRC_COL)
      r->ledger_only = 1;
  }
  json_decref(seen);
  m->columns = b.data;
  return 0;
}

int thbx_mapping_load(thbx_mapping_t **out, const char *path, const thbx_profile_t *profile,
                      const thbx_mapping_options_t *options, thbx_error_t *err) {
  *out = NULL;
  thbx_error_clear(err);
  if (!profile)
    return thbx_error_set(err, THBX_EINVAL, "a mapping needs a profile");
  struct thbx_mapping *m = calloc(1, sizeof(*m));
  if (!m)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  m->profile = profile;
  if (options)
    m->opt = *options;
  m->path = strdup(path);
  char *tmp = strdup(path);
  m->dir = tmp ? strdup(dirname(tmp)) : NULL;
  free(tmp);
  int rc = THBX_OK;
  struct map_table t;
  memset(&t, 0, sizeof(t));
  if (!m->path || !m->dir) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto fail;
  }
  if (m->opt.key_file) {
    /* the same pseudonyms as `thbx pseudonymise` (src/lib/privacy/pseudonym.c) */
    rc = thbx_pseudonymiser_from_key_file(&m->pz, m->opt.key_file, m->opt.derive, err);
    if (rc != THBX_OK) {
      if (!err->source[0])
        thbx_error_at(err, m->opt.key_file, 0, 0);
      goto fail;
    }
    m->has_key = 1;
  }
  rc = map_table_read(&t, path, NULL, 0, ',', err);
  if (rc != THBX_OK) {
    if (rc == THBX_ENOTFOUND)
      rc = THBX_EIO;
    goto fail;
  }
  struct cols c = {map_table_column(&t, "target"),  map_table_column(&t, "source"),
                   map_table_column(&t, "pattern"), map_table_column(&t, "decimal"),
                   map_table_column(&t, "true"),    map_table_column(&t, "false"),
                   map_table_column(&t, "missing"), map_table_column(&t, "separator"),
                   map_table_column(&t, "codes"),   map_table_column(&t, "unmapped"),
                   map_table_column(&t, "default"), map_table_column(&t, "transform")};
  if (c.target < 0) {
    rc = row_error(err, m, t.nrows ? t.lines[0] : 1,
                   "the first row must be the header: target,source,pattern,decimal,true,false,"
                   "missing,separator,codes,unmapped,default,transform,note");
    goto fail;
  }
  for (size_t k = 0; t.nrows && k < t.ncells[0]; k++) {
    static const char *const known[] = {"target",  "source",    "pattern",   "decimal", "true",
                                        "false",   "missing",   "separator", "codes",   "unmapped",
                                        "default", "transform", "note"};
    int ok = 0;
    for (size_t j = 0; j < sizeof(known) / sizeof(known[0]) && !ok; j++)
      ok = map_table_column(&t, known[j]) == (int)k;
    if (!ok) {
      rc = row_error(err, m, t.lines[0], "column '%.60s' of the header is not known", t.rows[0][k]);
      goto fail;
    }
  }
  /* the input's description first: sources are read according to @format */
  for (size_t i = 1; i < t.nrows; i++) {
    const char *target = map_table_cell(&t, i, c.target);
    if (target[0] == '@' &&
        (rc = directive(m, target, map_table_cell(&t, i, c.source), t.lines[i], err)) != THBX_OK)
      goto fail;
  }
  m->rows = calloc(t.nrows ? t.nrows : 1, sizeof(*m->rows));
  m->order = calloc(t.nrows ? t.nrows : 1, sizeof(*m->order));
  if (!m->rows || !m->order) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 1; i < t.nrows; i++) {
    const char *target = map_table_cell(&t, i, c.target);
    if (target[0] == '@')
      continue;
    if (!target[0]) {
      rc = row_error(err, m, t.lines[i], "the row has no target");
      goto fail;
    }
    if ((rc = compile_row(m, &t, i, &c, err)) != THBX_OK)
      goto fail;
  }
  if (m->nrows == 0) {
    rc = row_error(err, m, t.nrows ? t.lines[0] : 1, "the mapping maps no target");
    goto fail;
  }
  for (size_t i = 0; i < m->nrows; i++)
    m->order[i] = i;
  qsort_r(m->order, m->nrows, sizeof(*m->order), by_leaf, m);
  if (reverse_columns(m) != 0) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto fail;
  }
  map_table_free(&t);
  thbx_error_clear(err);
  *out = m;
  return THBX_OK;
fail:
  map_table_free(&t);
  thbx_mapping_free(m);
  return rc;
}

static void free_row(struct map_row *r) {
  free(r->target);
  for (size_t k = 0; k < r->nsrcs; k++) {
    free(r->srcs[k].text);
    free_list(r->srcs[k].names, r->srcs[k].nnames);
    if (r->srcs[k].xpath)
      xmlXPathFreeCompExpr(r->srcs[k].xpath);
  }
  free(r->srcs);
  free(r->pattern);
  free_list(r->trues, r->ntrues);
  free_list(r->falses, r->nfalses);
  free_list(r->missing, r->nmissing);
  free(r->separator);
  free(r->def);
  json_decref(r->def_value);
  json_decref(r->code_set);
  for (size_t k = 0; k < r->nsteps; k++)
    free(r->steps[k].arg);
  free(r->steps);
  free(r->fixed);
}

void thbx_mapping_free(thbx_mapping_t *m) {
  if (!m)
    return;
  for (size_t i = 0; i < m->nrows; i++)
    free_row(&m->rows[i]);
  free(m->rows);
  free(m->order);
  for (size_t i = 0; i < m->ncws; i++)
    map_crosswalk_free(m->cws[i]);
  free(m->cws);
  free(m->path);
  free(m->dir);
  free(m->record_element);
  free(m->records_pointer);
  free(m->root_element);
  free(m->columns);
  thbx_pseudonymiser_free(m->pz);
  free(m);
}

void thbx_mapping_reader_options(const thbx_mapping_t *m, thbx_reader_options_t *ro) {
  if (m->opt.reverse)
    return;
  if (m->format != THBX_FORMAT_AUTO)
    ro->format = m->format;
  if (m->delimiter)
    ro->delimiter = m->delimiter;
  ro->profile = NULL; /* a national export is read generically */
  ro->record_element = m->record_element;
  ro->records_pointer = m->records_pointer;
}

thbx_format thbx_mapping_format(const thbx_mapping_t *m) { return m->format; }
void thbx_mapping_xml_names(const thbx_mapping_t *m, const char **root, const char **record) {
  *root = m->root_element;
  *record = m->record_element;
}
char thbx_mapping_delimiter(const thbx_mapping_t *m) { return m->delimiter; }
const char *thbx_mapping_columns(const thbx_mapping_t *m) {
  return m->columns && m->columns[0] ? m->columns : NULL;
}
