/*
 * map_crosswalk.c - code crosswalks: CSV files of source_code, target_code,
 * relationship, label, note with FHIR ConceptMap relationships. Forward, a
 * source code (or a number, for LO..HI range rows) finds its row; many
 * source codes may share a target. Backward, a target code finds the row
 * marked `preferred` in its note, else its first `equivalent` row; a target
 * with neither cannot go back (the loss ledger lists it). A row with source
 * code `*` declares what happens to codes the crosswalk does not list: its
 * target code is used for them (`=` keeps the source code as it is).
 */
#include "map.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const rel_names[] = {"equivalent", "source-is-narrower-than-target",
                                        "source-is-broader-than-target", "related-to",
                                        "not-related-to"};

const char *map_rel_name(enum map_rel rel) { return rel_names[rel]; }

static int rel_parse(const char *s, enum map_rel *out) {
  if (!*s) {
    *out = REL_EQUIVALENT;
    return 0;
  }
  for (size_t i = 0; i < sizeof(rel_names) / sizeof(rel_names[0]); i++)
    if (strcmp(s, rel_names[i]) == 0) {
      *out = (enum map_rel)i;
      return 0;
    }
  /* FHIR R4 spellings */
  if (strcmp(s, "equal") == 0 || strcmp(s, "wider") == 0 || strcmp(s, "narrower") == 0) {
    *out = s[0] == 'e' ? REL_EQUIVALENT : s[0] == 'w' ? REL_NARROWER : REL_BROADER;
    return 0;
  }
  return -1;
}

/* "LO..HI", "LO..", "..HI" with numbers: 1 and the bounds, else 0. */
static int range_parse(const char *s, struct cw_row *r) {
  const char *dots = strstr(s, "..");
  if (!dots)
    return 0;
  char lo[64], hi[64];
  size_t nl = (size_t)(dots - s), nh = strlen(dots + 2);
  if (nl >= sizeof(lo) || nh >= sizeof(hi) || (nl == 0 && nh == 0))
    return 0;
  memcpy(lo, s, nl);
  lo[nl] = '\0';
  memcpy(hi, dots + 2, nh + 1);
  if (nl && map_number_parse(lo, '.', &r->lo) != 0)
    return 0;
  if (nh && map_number_parse(hi, '.', &r->hi) != 0)
    return 0;
  r->lo_set = nl > 0;
  r->hi_set = nh > 0;
  r->is_range = 1;
  return 1;
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int map_crosswalk_load(struct crosswalk **out, const char *name, const char *dir,
                       thbx_error_t *err) {
  *out = NULL;
  struct crosswalk *cw = calloc(1, sizeof(*cw));
  if (!cw)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  cw->name = strdup(name);
  cw->fwd = json_object();
  cw->rev = json_object();
  thbx_buf_t p;
  thbx_buf_init(&p);
  if (name[0] == '/' || strcmp(dir, ".") == 0)
    thbx_buf_puts(&p, name);
  else
    thbx_buf_printf(&p, "%s/%s", dir, name);
  const char *text = NULL;
  size_t len = 0;
  if (!p.data || !cw->name || !cw->fwd || !cw->rev) {
    thbx_buf_free(&p);
    map_crosswalk_free(cw);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  if (!file_exists(p.data) && !strchr(name, '/')) {
    /* a shipped crosswalk, by name (with or without .csv) */
    thbx_buf_t r;
    thbx_buf_init(&r);
    size_t n = strlen(name);
    thbx_buf_printf(&r, "crosswalks/%s%s", name,
                    n > 4 && strcmp(name + n - 4, ".csv") == 0 ? "" : ".csv");
    text = r.data ? thbx_resource(r.data, &len) : NULL;
    if (text) {
      thbx_buf_free(&p);
      p = r;
    } else {
      thbx_buf_free(&r);
    }
  }
  cw->path = strdup(p.data);
  thbx_buf_free(&p);
  struct map_table t;
  int rc = map_table_read(&t, cw->path ? cw->path : name, text, len, ',', err);
  if (rc != THBX_OK) {
    if (rc == THBX_ENOTFOUND)
      thbx_error_set(err, rc, "no crosswalk '%.100s' beside the mapping nor shipped with thbx",
                     name);
    map_crosswalk_free(cw);
    return rc == THBX_ENOTFOUND || rc == THBX_ENOMEM ? rc : THBX_ESCHEMA;
  }
  int csrc = map_table_column(&t, "source_code"), ctgt = map_table_column(&t, "target_code");
  int crel = map_table_column(&t, "relationship"), cnote = map_table_column(&t, "note");
  if (csrc < 0 || ctgt < 0) {
    thbx_error_at(err, t.path, t.nrows ? t.lines[0] : 1, 0);
    rc = thbx_error_set(err, THBX_ESCHEMA,
                        "a crosswalk's header must name source_code and target_code "
                        "(then relationship, label, note)");
    goto fail;
  }
  cw->rows = calloc(t.nrows ? t.nrows : 1, sizeof(*cw->rows));
  if (!cw->rows) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 1; i < t.nrows; i++) {
    const char *s = map_table_cell(&t, i, csrc), *g = map_table_cell(&t, i, ctgt);
    long line = t.lines[i];
    thbx_error_at(err, t.path, line, 0);
    if (strcmp(s, "*") == 0) {
      if (!*g) {
        rc = thbx_error_set(err, THBX_ESCHEMA,
                            "the '*' row needs a target_code (a fixed code, or '=' to "
                            "keep codes that are not listed)");
        goto fail;
      }
      cw->policy = strcmp(g, "=") == 0 ? UNMAPPED_KEEP : UNMAPPED_FIXED;
      free(cw->fixed);
      cw->fixed = strdup(g);
      cw->policy_line = line;
      continue;
    }
    struct cw_row *r = &cw->rows[cw->nrows];
    if (rel_parse(map_table_cell(&t, i, crel), &r->rel) != 0) {
      rc = thbx_error_set(err, THBX_ESCHEMA,
                          "relationship '%.60s' is not one of equivalent, "
                          "source-is-narrower-than-target, source-is-broader-than-target, "
                          "related-to, not-related-to",
                          map_table_cell(&t, i, crel));
      goto fail;
    }
    if (r->rel != REL_NOT_RELATED && !*g) {
      rc = thbx_error_set(err, THBX_ESCHEMA,
                          "source code '%.60s' has no target_code (relationship "
                          "not-related-to says it has none on purpose)",
                          s);
      goto fail;
    }
    if (json_object_get(cw->fwd, s)) {
      json_int_t first = json_integer_value(json_object_get(cw->fwd, s));
      rc = thbx_error_set(err, THBX_ESCHEMA,
                          "source code '%.60s' is listed twice (first on line %ld)", s,
                          cw->rows[first].line);
      goto fail;
    }
    r->src = strdup(s);
    r->tgt = strdup(g);
    r->line = line;
    r->preferred = strstr(map_table_cell(&t, i, cnote), "preferred") != NULL;
    if (!r->src || !r->tgt) {
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      goto fail;
    }
    if (range_parse(s, r))
      cw->has_ranges = 1;
    json_object_set_new(cw->fwd, s, json_integer((json_int_t)cw->nrows));
    cw->nrows++;
  }
  /* the reverse: preferred rows first, then the first equivalent one */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < cw->nrows; i++) {
      struct cw_row *r = &cw->rows[i];
      if (r->is_range || r->rel == REL_NOT_RELATED || json_object_get(cw->rev, r->tgt))
        continue;
      if (pass == 0 ? r->preferred : r->rel == REL_EQUIVALENT)
        json_object_set_new(cw->rev, r->tgt, json_integer((json_int_t)i));
    }
  map_table_free(&t);
  thbx_error_at(err, "", 0, 0);
  *out = cw;
  return THBX_OK;
fail:
  map_table_free(&t);
  map_crosswalk_free(cw);
  return rc;
}

void map_crosswalk_free(struct crosswalk *cw) {
  if (!cw)
    return;
  for (size_t i = 0; i < cw->nrows; i++) {
    free(cw->rows[i].src);
    free(cw->rows[i].tgt);
  }
  free(cw->rows);
  json_decref(cw->fwd);
  json_decref(cw->rev);
  free(cw->name);
  free(cw->path);
  free(cw->fixed);
  free(cw);
}

const struct cw_row *map_crosswalk_find(const struct crosswalk *cw, const char *code, char dec) {
  json_t *ix = json_object_get(cw->fwd, code);
  if (ix)
    return &cw->rows[json_integer_value(ix)];
  if (!cw->has_ranges)
    return NULL;
  double v;
  if (map_number_parse(code, dec, &v) != 0)
    return NULL;
  for (size_t i = 0; i < cw->nrows; i++) {
    const struct cw_row *r = &cw->rows[i];
    if (r->is_range && (!r->lo_set || v >= r->lo) && (!r->hi_set || v <= r->hi))
      return r;
  }
  return NULL;
}

const struct cw_row *map_crosswalk_back(const struct crosswalk *cw, const char *code) {
  json_t *ix = json_object_get(cw->rev, code);
  return ix ? &cw->rows[json_integer_value(ix)] : NULL;
}
