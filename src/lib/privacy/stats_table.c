/*
 * stats_table.c - shape, numbering and margins of a statistics table
 * (stats_table.h). Shared by counting, suppression and the writers; the
 * certificate checker (verify.c) has its own code on purpose.
 */
#include "stats_table.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

int stats_table_init(stats_table_t *t, int ndims, const size_t *n, int totals, long k,
                     thbx_error_t *err) {
  memset(t, 0, sizeof(*t));
  if (ndims < 1 || ndims > STATS_MAX_DIMS)
    return thbx_error_set(err, THBX_EINVAL, "a table has 1 to %d dimensions", STATS_MAX_DIMS);
  t->ndims = ndims;
  t->totals = totals ? 1 : 0;
  t->k = k;
  size_t cells = 1;
  for (int i = 0; i < ndims; i++) {
    t->n[i] = n[i];
    t->m[i] = n[i] + (size_t)t->totals;
    if (t->m[i] == 0)
      t->m[i] = 1;
    if (cells > ((size_t)-1) / 2 / t->m[i])
      return thbx_error_set(err, THBX_ELIMIT, "the table is too large");
    cells *= t->m[i];
  }
  size_t stride = 1;
  for (int i = ndims - 1; i >= 0; i--) {
    t->stride[i] = stride;
    stride *= t->m[i];
  }
  t->ncells = cells;
  t->count = calloc(cells, sizeof(*t->count));
  t->status = calloc(cells, 1);
  if (!t->count || !t->status) {
    stats_table_clear(t);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  return THBX_OK;
}

void stats_table_clear(stats_table_t *t) {
  free(t->count);
  free(t->status);
  memset(t, 0, sizeof(*t));
}

void stats_table_coords(const stats_table_t *t, size_t cell, size_t *coord) {
  for (int i = 0; i < t->ndims; i++) {
    coord[i] = cell / t->stride[i];
    cell %= t->stride[i];
  }
}

size_t stats_table_index(const stats_table_t *t, const size_t *coord) {
  size_t cell = 0;
  for (int i = 0; i < t->ndims; i++)
    cell += coord[i] * t->stride[i];
  return cell;
}

int stats_table_is_margin(const stats_table_t *t, size_t cell) {
  if (!t->totals)
    return 0;
  size_t c[STATS_MAX_DIMS];
  stats_table_coords(t, cell, c);
  for (int i = 0; i < t->ndims; i++)
    if (c[i] == t->n[i])
      return 1;
  return 0;
}

void stats_table_fill_margins(stats_table_t *t) {
  if (!t->totals)
    return;
  for (size_t cell = 0; cell < t->ncells; cell++)
    if (stats_table_is_margin(t, cell))
      t->count[cell] = 0;
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (stats_table_is_margin(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS], a[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    /* add the cell to each of its 2^d - 1 margins */
    for (unsigned mask = 1; mask < (1u << t->ndims); mask++) {
      for (int i = 0; i < t->ndims; i++)
        a[i] = (mask & (1u << i)) ? t->n[i] : c[i];
      t->count[stats_table_index(t, a)] += t->count[cell];
    }
  }
}
