/*
 * report.h - the inside of a validation report (internal): the core in
 * report.c counts records and errors and applies --max-errors / --quiet;
 * one file per format (report_text.c, report_json.c, ...) spells it out.
 */
#ifndef THBX_REPORT_H
#define THBX_REPORT_H

#include "internal.h"

#include <stdio.h>

/* A spool: the body of a report kept aside until the totals are known, in a
 * temporary file so that memory stays bounded. */
typedef struct report_spool {
  FILE *fp;
} report_spool_t;

int report_spool_open(report_spool_t *spool, thbx_error_t *err);
/* Copy everything spooled to `out` and empty the spool. */
int report_spool_drain(report_spool_t *spool, FILE *out, thbx_error_t *err);
/* Read everything spooled into a buffer (for the HTML transformation). */
int report_spool_slurp(report_spool_t *spool, thbx_buf_t *buf, thbx_error_t *err);
void report_spool_close(report_spool_t *spool);

struct thbx_report;

/* One output format. `shown` of the `count` issues are to be written (the
 * rest exceed --max-errors or --quiet); they still count. */
struct report_ops {
  int (*open)(struct thbx_report *report, thbx_error_t *err);
  int (*file_begin)(struct thbx_report *report, const char *source, thbx_error_t *err);
  int (*add)(struct thbx_report *report, const thbx_report_record_t *record,
             const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err);
  int (*file_end)(struct thbx_report *report, thbx_error_t *err);
  int (*finish)(struct thbx_report *report, thbx_error_t *err);
  void (*free)(struct thbx_report *report);
};

struct thbx_report {
  FILE *out;
  thbx_report_options_t options;
  const struct report_ops *ops;
  void *state; /* the format's own */
  thbx_report_summary_t total;
  thbx_report_summary_t file; /* totals of the current file */
  const char *file_source;    /* borrowed from file_begin's caller */
  long file_index;            /* 0-based number of the current file */
  int in_file;
  int finished;
};

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_junit_ops;
extern const struct report_ops report_sarif_ops;
extern const struct report_ops report_github_ops;
extern const struct report_ops report_html_ops;

/* Helpers the formats share. */
/* "path" or "" for NULL. */
static inline const char *report_str(const char *s) { return s ? s : ""; }
/* Write `s` escaped for XML text and attribute values (drops characters XML
 * cannot carry). */
void report_xml_escape(FILE *fp, const char *s);
/* The summary as one human line, e.g. "3 records: 2 valid, 1 invalid, 2 errors". */
void report_summary_line(FILE *fp, const thbx_report_summary_t *s);
/* Field of an instance path: the path without array indices ("/person/citizenship/1"
 * -> "/person/citizenship"); "/" for the root. */
void report_field(thbx_buf_t *out, const char *instance_path);
/* An issue's message the way every format shows it as one line:
 * "/path: VALUE message; HINT [record ID]" (+ " (first at F:L:C)" for a
 * related place), the value spelled by thbx_display_value and left out with
 * the hint when the report redacts, everything from the input made visible
 * (thbx_display_text: no control or bidirectional character survives). */
int report_message(thbx_buf_t *out, const struct thbx_report *r, const thbx_report_record_t *record,
                   const thbx_issue_t *issue);
/* An issue's value (JSON text; other text is a string) as a JSON value for
 * the JSON and SARIF reports. New reference, NULL if value is NULL. */
json_t *report_value_json(const char *value);
/* json_dumps(v, flags) to fp with DEL, C1, invisible and bidirectional
 * characters \u-escaped too, so that the file holds no character that
 * drives a terminal. 0 or -1. */
int report_json_dump(const json_t *v, FILE *fp, size_t flags);
/* `s` made visible (thbx_display_text) in out; returns out->data, NULL when
 * out of memory. */
const char *report_visible(thbx_buf_t *out, const char *s);

#endif
