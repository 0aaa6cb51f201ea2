/*
 * verify.c - the independent check of a stats certificate
 * (certificate.c writes it). On purpose this file shares no code with the
 * producing side (suppress.c, stats_table.c): it derives the table's
 * shape and relations from the certificate itself and checks, with exact
 * integer arithmetic and no LP:
 *   - the true table obeys every relation (each margin = sum of its cells);
 *   - every cell with 0 < count < K is suppressed and has one protection;
 *   - each witness changes suppressed cells only, keeps every relation
 *     (so every published value stays as published) and every cell >= 0,
 *     the up witness raises the cell, the down witness lowers it, and
 *     together they span at least K.
 * One message per problem; the caller decides the exit code.
 */
#include "stats_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shape {
  int nd;
  int totals;
  long long len[3]; /* values per dimension */
  long long rad[3]; /* len + totals */
  long long step[3];
  long long cells;
};

static void problem(json_t *problems, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  json_array_append_new(problems, json_string(text));
}

static void coords_of(const struct shape *s, long long cell, long long *c) {
  for (int i = 0; i < s->nd; i++) {
    c[i] = cell / s->step[i];
    cell %= s->step[i];
  }
}

static const char *where(const struct shape *s, long long cell, char *buf, size_t size) {
  long long c[3];
  coords_of(s, cell, c);
  size_t off = (size_t)snprintf(buf, size, "cell %lld [", cell);
  for (int i = 0; i < s->nd && off < size; i++) {
    if (c[i] == s->len[i])
      off += (size_t)snprintf(buf + off, size - off, "%s_total", i ? "," : "");
    else
      off += (size_t)snprintf(buf + off, size - off, "%s%lld", i ? "," : "", c[i]);
  }
  if (off < size)
    snprintf(buf + off, size - off, "]");
  return buf;
}

/* Does vector v (indexed by cell) satisfy every margin relation?
 * Returns the first margin cell it breaks, or -1. */
static long long broken_relation(const struct shape *s, const long long *v) {
  if (!s->totals)
    return -1;
  for (long long cell = 0; cell < s->cells; cell++) {
    long long c[3];
    coords_of(s, cell, c);
    for (int i = 0; i < s->nd; i++) {
      if (c[i] != s->len[i] || s->len[i] == 0)
        continue;
      long long first = cell - s->len[i] * s->step[i], sum = 0;
      for (long long k = 0; k < s->len[i]; k++) {
        if (__builtin_add_overflow(sum, v[first + k * s->step[i]], &sum))
          return cell;
      }
      if (sum != v[cell])
        return cell;
    }
  }
  return -1;
}

static int get_int(const json_t *j, long long *out) {
  if (!json_is_integer(j))
    return -1;
  *out = (long long)json_integer_value(j);
  return 0;
}

/* Check one witness; returns the change of the protected cell via *moved. */
static int check_change(const struct shape *s, const long long *count, const unsigned char *supp,
                        const json_t *w, long long cell, const char *dir, long long *moved,
                        long long *scratch, json_t *problems) {
  char at[96];
  where(s, cell, at, sizeof(at));
  const json_t *cells = json_object_get(w, "cells"), *delta = json_object_get(w, "delta");
  if (!json_is_object(w) || !json_is_array(cells) || !json_is_array(delta) ||
      json_array_size(cells) != json_array_size(delta)) {
    problem(problems, "%s: the %s witness is missing or malformed", at, dir);
    return -1;
  }
  memset(scratch, 0, (size_t)s->cells * sizeof(*scratch));
  for (size_t i = 0; i < json_array_size(cells); i++) {
    long long c, d;
    if (get_int(json_array_get(cells, i), &c) != 0 || get_int(json_array_get(delta, i), &d) != 0 ||
        c < 0 || c >= s->cells) {
      problem(problems, "%s: the %s witness names no cell of the table", at, dir);
      return -1;
    }
    if (!supp[c]) {
      char other[96];
      problem(problems, "%s: the %s witness changes %s, which is published", at, dir,
              where(s, c, other, sizeof(other)));
      return -1;
    }
    if (scratch[c] != 0) {
      problem(problems, "%s: the %s witness names a cell twice", at, dir);
      return -1;
    }
    scratch[c] = d;
  }
  for (long long c = 0; c < s->cells; c++) {
    long long nv;
    if (__builtin_add_overflow(count[c], scratch[c], &nv) || nv < 0) {
      char other[96];
      problem(problems, "%s: the %s witness makes %s negative", at, dir,
              where(s, c, other, sizeof(other)));
      return -1;
    }
  }
  long long b = broken_relation(s, scratch);
  if (b >= 0) {
    char other[96];
    problem(problems, "%s: the %s witness changes the published margin %s", at, dir,
            where(s, b, other, sizeof(other)));
    return -1;
  }
  *moved = scratch[cell];
  return 0;
}

int stats_verify_certificate(const json_t *cert, json_t *problems, long *ncells, long *nprimary,
                             long *nprotected) {
  *ncells = *nprimary = *nprotected = 0;
  struct shape s;
  memset(&s, 0, sizeof(s));
  const json_t *kind = json_object_get(cert, "thbx_certificate");
  if (!json_is_string(kind) || strcmp(json_string_value(kind), "stats-suppression-1") != 0) {
    problem(problems, "not a thbx stats certificate (thbx_certificate is not stats-suppression-1)");
    return 0;
  }
  long long k;
  if (get_int(json_object_get(cert, "min_cell"), &k) != 0 || k < 1) {
    problem(problems, "min_cell is not a positive integer");
    return 0;
  }
  const json_t *tot = json_object_get(cert, "totals"), *dims = json_object_get(cert, "dimensions");
  if (!json_is_boolean(tot) || !json_is_array(dims) || json_array_size(dims) < 1 ||
      json_array_size(dims) > 3) {
    problem(problems, "totals or dimensions (1 to 3) are missing or malformed");
    return 0;
  }
  s.totals = json_is_true(tot);
  s.nd = (int)json_array_size(dims);
  s.cells = 1;
  for (int i = 0; i < s.nd; i++) {
    const json_t *vals = json_object_get(json_array_get(dims, (size_t)i), "values");
    if (!json_is_array(vals)) {
      problem(problems, "dimension %d has no values", i + 1);
      return 0;
    }
    s.len[i] = (long long)json_array_size(vals);
    s.rad[i] = s.len[i] + s.totals;
    if (s.rad[i] < 1)
      s.rad[i] = 1;
    if (s.rad[i] > 10000000 / s.cells) {
      problem(problems, "the table is too large to check");
      return 0;
    }
    s.cells *= s.rad[i];
  }
  for (int i = s.nd - 1, st = 1; i >= 0; i--) {
    s.step[i] = st;
    st *= (int)s.rad[i];
  }
  const json_t *counts = json_object_get(cert, "counts"),
               *supp = json_object_get(cert, "suppressed");
  const json_t *prot = json_object_get(cert, "protection");
  if (!json_is_array(counts) || (long long)json_array_size(counts) != s.cells ||
      !json_is_array(supp) || !json_is_array(prot)) {
    problem(problems, "counts (one per cell), suppressed or protection are missing or malformed");
    return 0;
  }
  *ncells = (long)s.cells;
  long long *count = calloc((size_t)s.cells, sizeof(*count));
  long long *scratch = calloc((size_t)s.cells, sizeof(*scratch));
  unsigned char *sup = calloc((size_t)s.cells, 1), *seen = calloc((size_t)s.cells, 1);
  if (!count || !scratch || !sup || !seen) {
    problem(problems, "out of memory");
    goto done;
  }
  for (long long c = 0; c < s.cells; c++) {
    if (get_int(json_array_get(counts, (size_t)c), &count[c]) != 0 || count[c] < 0) {
      problem(problems, "count of cell %lld is not a non-negative integer", c);
      goto done;
    }
  }
  for (size_t i = 0; i < json_array_size(supp); i++) {
    long long c;
    if (get_int(json_array_get(supp, i), &c) != 0 || c < 0 || c >= s.cells || sup[c]) {
      problem(problems, "suppressed names a cell that is not in the table, or twice");
      goto done;
    }
    sup[c] = 1;
  }
  char at[96];
  long long b = broken_relation(&s, count);
  if (b >= 0)
    problem(problems, "the true table breaks its own margin at %s", where(&s, b, at, sizeof(at)));
  for (size_t i = 0; i < json_array_size(prot); i++) {
    const json_t *p = json_array_get(prot, i);
    long long cell, cnt;
    if (get_int(json_object_get(p, "cell"), &cell) != 0 || cell < 0 || cell >= s.cells) {
      problem(problems, "protection %zu names no cell of the table", i + 1);
      continue;
    }
    where(&s, cell, at, sizeof(at));
    if (seen[cell]) {
      problem(problems, "%s is protected twice", at);
      continue;
    }
    seen[cell] = 1;
    if (!(count[cell] > 0 && count[cell] < k)) {
      problem(problems, "%s has a protection but is not a small cell", at);
      continue;
    }
    if (get_int(json_object_get(p, "count"), &cnt) != 0 || cnt != count[cell]) {
      problem(problems, "%s: its protection gives another count than the table", at);
      continue;
    }
    if (!sup[cell])
      continue; /* reported below */
    long long up = 0, down = 0;
    if (check_change(&s, count, sup, json_object_get(p, "up"), cell, "up", &up, scratch,
                     problems) != 0 ||
        check_change(&s, count, sup, json_object_get(p, "down"), cell, "down", &down, scratch,
                     problems) != 0)
      continue;
    if (up <= 0) {
      problem(problems, "%s: the up witness does not raise the cell", at);
      continue;
    }
    if (down >= 0) {
      problem(problems, "%s: the down witness does not lower the cell", at);
      continue;
    }
    if (up - down < k) {
      problem(problems, "%s: the witnesses span %lld, less than min_cell %lld", at, up - down, k);
      continue;
    }
    (*nprotected)++;
    seen[cell] = 2;
  }
  for (long long c = 0; c < s.cells; c++) {
    if (!(count[c] > 0 && count[c] < k))
      continue;
    (*nprimary)++;
    where(&s, c, at, sizeof(at));
    if (!sup[c])
      problem(problems, "%s is small (%lld < %lld) and published", at, count[c], k);
    else if (!seen[c])
      problem(problems, "%s is small and has no protection", at);
  }
done:
  free(count);
  free(scratch);
  free(sup);
  free(seen);
  return 0;
}
