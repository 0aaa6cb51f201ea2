/*
 * certificate.c - the certificate of a suppressed table, for the publisher
 * only: the true table (every count, margins too), which cells are
 * suppressed, and for each primary cell the two witnesses the final audit
 * found (suppress.c): integer changes of suppressed cells that keep every
 * published value and every cell >= 0, one moving the cell up, one down.
 * `thbx stats --verify` re-checks it with verify.c, which shares no code
 * with this file or with suppress.c. The layout is in docs/privacy-stats.md.
 */
#include "stats_table.h"

static json_t *change_json(const stats_change_t *ch) {
  json_t *o = json_object(), *cells = json_array(), *delta = json_array();
  if (!o || !cells || !delta) {
    json_decref(o);
    json_decref(cells);
    json_decref(delta);
    return NULL;
  }
  for (size_t i = 0; i < ch->n; i++) {
    json_array_append_new(cells, json_integer((json_int_t)ch->cells[i]));
    json_array_append_new(delta, json_integer((json_int_t)ch->delta[i]));
  }
  json_object_set_new(o, "cells", cells);
  json_object_set_new(o, "delta", delta);
  return o;
}

json_t *stats_certificate_build(const stats_table_t *t, const stats_suppression_t *s,
                                const char *const *labels, char *const *const *values,
                                const char *unit) {
  json_t *cert = json_object();
  if (!cert)
    return NULL;
  json_object_set_new(cert, "thbx_certificate", json_string("stats-suppression-1"));
  json_object_set_new(cert, "note",
                      json_string("for the publisher only: this file holds the true counts"));
  json_object_set_new(cert, "unit", json_string(unit));
  json_object_set_new(cert, "min_cell", json_integer(t->k));
  json_object_set_new(cert, "totals", json_boolean(t->totals));
  json_t *dims = json_array();
  for (int i = 0; i < t->ndims; i++) {
    json_t *d = json_object(), *vals = json_array();
    json_object_set_new(d, "path", json_string(labels[i]));
    for (size_t v = 0; v < t->n[i]; v++)
      json_array_append_new(vals, values[i][v] ? json_string(values[i][v]) : json_null());
    json_object_set_new(d, "values", vals);
    json_array_append_new(dims, d);
  }
  json_object_set_new(cert, "dimensions", dims);
  json_t *counts = json_array(), *supp = json_array();
  for (size_t c = 0; c < t->ncells; c++) {
    json_array_append_new(counts, json_integer((json_int_t)t->count[c]));
    if (t->status[c] != STATS_PUBLISHED)
      json_array_append_new(supp, json_integer((json_int_t)c));
  }
  json_object_set_new(cert, "counts", counts);
  json_object_set_new(cert, "suppressed", supp);
  json_t *prot = json_array();
  for (size_t i = 0; s && i < s->nprotection; i++) {
    const stats_protection_t *p = &s->protection[i];
    json_t *o = json_object(), *at = json_array();
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, p->cell, c);
    for (int d = 0; d < t->ndims; d++)
      json_array_append_new(at, json_integer((json_int_t)c[d]));
    json_object_set_new(o, "cell", json_integer((json_int_t)p->cell));
    json_object_set_new(o, "at", at);
    json_object_set_new(o, "count", json_integer((json_int_t)t->count[p->cell]));
    json_object_set_new(o, "up", change_json(&p->up));
    json_object_set_new(o, "down", change_json(&p->down));
    json_array_append_new(prot, o);
  }
  json_object_set_new(cert, "protection", prot);
  return cert;
}
