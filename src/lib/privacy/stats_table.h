/*
 * stats_table.h - the table `thbx stats` publishes, as the suppression,
 * certificate and output writers see it (not installed).
 *
 * A table has 1 to 3 dimensions; dimension i has n[i] values and, with
 * margins, one more index n[i] meaning "_total". Cells (interior cells and
 * margins alike) are numbered in row-major order over the radices m[i] =
 * n[i] + totals. A margin equals the sum of its children along each of its
 * _total coordinates: those are the relations everything published obeys.
 */
#ifndef THBX_STATS_TABLE_H
#define THBX_STATS_TABLE_H

#include "thbx.h"

#include <stddef.h>

#define STATS_MAX_DIMS 3

enum { STATS_PUBLISHED = 0, STATS_PRIMARY = 1, STATS_SECONDARY = 2 };

typedef struct stats_table {
  int ndims;
  int totals;
  size_t n[STATS_MAX_DIMS];      /* values of each dimension */
  size_t m[STATS_MAX_DIMS];      /* n[i] + totals */
  size_t stride[STATS_MAX_DIMS]; /* index step of one coordinate of dimension i */
  size_t ncells;
  long long *count;      /* true counts */
  unsigned char *status; /* STATS_PUBLISHED, STATS_PRIMARY, STATS_SECONDARY */
  long k;                /* primary rule: 0 < count < k */
} stats_table_t;

/* One witness: an integer change of suppressed cells (sparse). */
typedef struct stats_change {
  size_t n;
  size_t *cells;
  long long *delta;
} stats_change_t;

/* The protection of one primary cell: one change moving it up, one down. */
typedef struct stats_protection {
  size_t cell;
  stats_change_t up, down;
} stats_protection_t;

typedef struct stats_suppression {
  size_t primary, secondary;
  stats_protection_t *protection; /* one per primary cell, in cell order */
  size_t nprotection;
  int reduced; /* the removal pass ran (small enough tables) */
} stats_suppression_t;

/* Allocate a table of the given shape, every count 0. */
int stats_table_init(stats_table_t *t, int ndims, const size_t *n, int totals, long k,
                     thbx_error_t *err);
void stats_table_clear(stats_table_t *t);
/* Coordinates of a cell (coord[i] == n[i] is _total). */
void stats_table_coords(const stats_table_t *t, size_t cell, size_t *coord);
size_t stats_table_index(const stats_table_t *t, const size_t *coord);
/* Is the cell a margin (some coordinate _total)? */
int stats_table_is_margin(const stats_table_t *t, size_t cell);
/* Fill every margin with the sum of its interior cells. */
void stats_table_fill_margins(stats_table_t *t);

/* Primary and secondary suppression of t->status, and the witnesses of each
 * primary cell (suppress.c, with GLPK). Deterministic. THBX_EINTR when
 * *interrupted (optional) is set between two cells. */
int stats_suppress(stats_table_t *t, stats_suppression_t *out, volatile int *interrupted,
                   thbx_error_t *err);
void stats_suppression_clear(stats_suppression_t *s);

/* The certificate (certificate.c): the true table, what is suppressed and
 * the witnesses, as a JSON value (new reference). `labels` are the
 * dimensions' paths, `values[i][v]` the value strings (NULL: missing). */
json_t *stats_certificate_build(const stats_table_t *t, const stats_suppression_t *s,
                                const char *const *labels, char *const *const *values,
                                const char *unit);

/* The independent check of a certificate (verify.c): appends one message
 * per problem to `problems` (a JSON array). Counts what it checked. */
int stats_verify_certificate(const json_t *cert, json_t *problems, long *cells, long *primary,
                             long *protected_cells);

#endif
