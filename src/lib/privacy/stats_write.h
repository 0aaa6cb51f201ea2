/*
 * stats_write.h - writing a suppressed statistics table as CSV, JSON,
 * Markdown or HTML (stats_write.c). Not installed.
 */
#ifndef THBX_STATS_WRITE_H
#define THBX_STATS_WRITE_H

#include "stats_table.h"

#include <stdio.h>

typedef struct stats_meta {
  const char *distinct;      /* the --distinct path, NULL: records */
  long records;              /* records counted */
  int multi[STATS_MAX_DIMS]; /* dimension i had records with several values */
  int overlap;               /* with distinct: a person counted in several cells */
} stats_meta_t;

/* Write the table: every margin, and every interior cell whose count is not
 * 0 or which is suppressed (a cell not written is 0). *written counts rows. */
int stats_write_table(FILE *out, thbx_stats_format format, const stats_table_t *t,
                      const char *const *labels, char *const *const *values,
                      const stats_meta_t *meta, long *written, thbx_error_t *err);

#endif
