/*
 * report_junit.c - the JUnit XML report that CI test reporters read: one
 * <testsuite> per input file, one <testcase> per record, a <failure> per
 * invalid record (its errors in the body, one text line each), an <error>
 * testcase for a file that cannot be read to its end. Test cases are
 * spooled per file until the suite's counts are known, suites until the
 * totals are.
 */
#include "report.h"

#include <stdlib.h>

struct junit_state {
  report_spool_t cases;  /* test cases of the current file */
  report_spool_t suites; /* finished test suites */
  long file_failures, file_errors;
  long file_documents; /* test cases of faults of the document (failures) */
  long total_failures, total_errors, total_tests;
  thbx_buf_t line;
};

static int junit_open(struct thbx_report *r, thbx_error_t *err) {
  struct junit_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->line);
  r->state = st;
  int rc = report_spool_open(&st->cases, err);
  return rc != THBX_OK ? rc : report_spool_open(&st->suites, err);
}

static int junit_file_begin(struct thbx_report *r, const char *source, thbx_error_t *err) {
  struct junit_state *st = r->state;
  (void)source;
  (void)err;
  st->file_failures = st->file_errors = st->file_documents = 0;
  return THBX_OK;
}

static void put_location(FILE *fp, const thbx_issue_t *is, const char *file) {
  report_xml_escape(fp, is->source ? is->source : file);
  if (is->line > 0) {
    fprintf(fp, ":%ld", is->line);
    if (is->column > 0)
      fprintf(fp, ":%ld", is->column);
  }
}

static int junit_add(struct thbx_report *r, const thbx_report_record_t *record,
                     const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct junit_state *st = r->state;
  FILE *fp = st->cases.fp;
  int document = !record && count > 0 && issues[0].kind != THBX_ISSUE_UNREADABLE;
  fputs("    <testcase classname=\"", fp);
  report_xml_escape(fp, r->file_source);
  if (record) {
    fprintf(fp, "\" name=\"record %ld", record->index + 1);
    if (record->record_id && record->record_id[0]) {
      fputs(" (", fp);
      report_xml_escape(fp, record->record_id);
      fputc(')', fp);
    }
    fprintf(fp, " line %ld\" file=\"", record->line);
    report_xml_escape(fp, r->file_source);
    fprintf(fp, "\" line=\"%ld\"", record->line);
  } else {
    /* the input cannot be read (an error: the test could not run), or a
     * fault of the document (a failure of its own test case) */
    fputs(document ? "\" name=\"document\" file=\"" : "\" name=\"file\" file=\"", fp);
    report_xml_escape(fp, r->file_source);
    fputc('"', fp);
    if (document && issues[0].line > 0)
      fprintf(fp, " line=\"%ld\"", issues[0].line);
  }
  st->total_tests++;
  if (count == 0 && !(record && record->unreadable)) {
    fputs(" time=\"0\"/>\n", fp);
    return THBX_OK;
  }
  const char *element = record || document ? "failure" : "error";
  if (record || document) {
    st->file_failures++;
    st->total_failures++;
    st->file_documents += document;
  } else {
    st->file_errors++;
    st->total_errors++;
  }
  fprintf(fp, " time=\"0\">\n      <%s message=\"", element);
  if (count > 0 && shown > 0) {
    if (report_message(&st->line, r, record, &issues[0]) != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    report_xml_escape(fp, st->line.data);
  } else {
    fprintf(fp, "%zu error%s (not shown: --max-errors or --quiet)", count, count == 1 ? "" : "s");
  }
  fputs("\" type=\"", fp);
  report_xml_escape(fp, count ? report_str(issues[0].rule) : "unreadable");
  fputs("\">", fp);
  for (size_t i = 0; i < shown; i++) {
    if (report_message(&st->line, r, record, &issues[i]) != THBX_OK)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    put_location(fp, &issues[i], r->file_source);
    fputs(": error: ", fp);
    report_xml_escape(fp, st->line.data);
    fputs("&#10;", fp);
  }
  if (shown < count)
    fprintf(fp, "(%zu more not shown)", count - shown);
  fprintf(fp, "</%s>\n    </testcase>\n", element);
  return ferror(fp) ? thbx_error_set(err, THBX_EIO, "cannot write the report") : THBX_OK;
}

static int junit_file_end(struct thbx_report *r, thbx_error_t *err) {
  struct junit_state *st = r->state;
  FILE *fp = st->suites.fp;
  fputs("  <testsuite name=\"", fp);
  report_xml_escape(fp, r->file_source);
  fprintf(fp, "\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"0\" time=\"0\">\n",
          r->file.records + st->file_errors + st->file_documents, st->file_failures,
          st->file_errors);
  int rc = report_spool_drain(&st->cases, fp, err);
  if (rc != THBX_OK)
    return rc;
  fputs("  </testsuite>\n", fp);
  return THBX_OK;
}

static int junit_finish(struct thbx_report *r, thbx_error_t *err) {
  struct junit_state *st = r->state;
  fprintf(r->out,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<testsuites name=\"thbx validate\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" "
          "time=\"0\">\n",
          st->total_tests, st->total_failures, st->total_errors);
  int rc = report_spool_drain(&st->suites, r->out, err);
  if (rc != THBX_OK)
    return rc;
  fputs("</testsuites>\n", r->out);
  return THBX_OK;
}

static void junit_free(struct thbx_report *r) {
  struct junit_state *st = r->state;
  if (!st)
    return;
  report_spool_close(&st->cases);
  report_spool_close(&st->suites);
  thbx_buf_free(&st->line);
  free(st);
}

const struct report_ops report_junit_ops = {.open = junit_open,
                                            .file_begin = junit_file_begin,
                                            .add = junit_add,
                                            .file_end = junit_file_end,
                                            .finish = junit_finish,
                                            .free = junit_free};
