/*
 * report_html.c - the HTML report: the validation report is written as XML
 * (<report><summary/><file/>...<record><error/></record></report>) and
 * turned into a page by the embedded stylesheet xslt/report-html.xsl with
 * libxslt, under security preferences that forbid reading or writing files
 * and the network. The page is built in memory: bound it with max_errors.
 */
#include "report.h"

#include "xslt_safe.h"
#include <libxml/parser.h>

#include <libxslt/transform.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <stdlib.h>

struct html_state {
  report_spool_t spool; /* <file> and <record> elements */
  thbx_buf_t field, value;
  long unchecked;   /* inputs that could not be read (to their end) */
  long file_unread; /* the current one could not */
};

static int html_open(struct thbx_report *r, thbx_error_t *err) {
  struct html_state *st = calloc(1, sizeof(*st));
  if (!st)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_buf_init(&st->field);
  thbx_buf_init(&st->value);
  r->state = st;
  return report_spool_open(&st->spool, err);
}

static void attr(FILE *fp, const char *name, const char *value) {
  fprintf(fp, " %s=\"", name);
  report_xml_escape(fp, value);
  fputc('"', fp);
}

static void attr_long(FILE *fp, const char *name, long value) {
  if (value > 0)
    fprintf(fp, " %s=\"%ld\"", name, value);
}

static int html_add(struct thbx_report *r, const thbx_report_record_t *record,
                    const thbx_issue_t *issues, size_t count, size_t shown, thbx_error_t *err) {
  struct html_state *st = r->state;
  FILE *fp = st->spool.fp;
  for (size_t i = 0; !record && i < count; i++)
    if (issues[i].kind == THBX_ISSUE_UNREADABLE && !st->file_unread) {
      st->file_unread = 1;
      st->unchecked++;
    }
  if (shown == 0)
    return THBX_OK;
  fputs("<record", fp);
  if (record) {
    fprintf(fp, " anchor=\"r%ld-%ld\"", r->file_index + 1, record->index + 1);
    attr(fp, "file", r->file_source);
    attr_long(fp, "line", record->line);
    fprintf(fp, " index=\"%ld\"", record->index);
    if (record->record_id)
      attr(fp, "id", record->record_id);
    if (record->unreadable)
      fputs(" unreadable=\"true\"", fp);
  } else {
    fprintf(fp, " anchor=\"f%ld\"", r->file_index + 1);
    attr(fp, "file", r->file_source);
  }
  fputs(">\n", fp);
  for (size_t i = 0; i < shown; i++) {
    const thbx_issue_t *is = &issues[i];
    report_field(&st->field, is->instance_path);
    fputs("  <error", fp);
    attr(fp, "rule", is->rule && *is->rule ? is->rule : thbx_issue_kind_name(is->kind));
    attr(fp, "kind", thbx_issue_kind_name(is->kind));
    attr(fp, "file", is->source ? is->source : r->file_source);
    attr_long(fp, "line", is->line);
    attr_long(fp, "column", is->column);
    attr(fp, "instance-path", report_str(is->instance_path));
    attr(fp, "field", st->field.data ? st->field.data : "/");
    attr(fp, "schema-path", report_str(is->schema_path));
    if (is->value && !r->options.redact) {
      thbx_buf_reset(&st->value);
      if (thbx_buf_puts(&st->value, "") != 0 ||
          thbx_display_value_buf(&st->value, is->value, THBX_DISPLAY_MAX_CHARS) != 0)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      attr(fp, "value", st->value.data);
    }
    if (is->hint && !r->options.redact)
      attr(fp, "hint", is->hint);
    fputc('>', fp);
    report_xml_escape(fp, report_str(is->message));
    if (is->related_source) {
      fputs(" (first at ", fp);
      report_xml_escape(fp, is->related_source);
      if (is->related_line > 0)
        fprintf(fp, ":%ld", is->related_line);
      fputc(')', fp);
    }
    fputs("</error>\n", fp);
  }
  fputs("</record>\n", fp);
  return ferror(fp) ? thbx_error_set(err, THBX_EIO, "cannot write the report") : THBX_OK;
}

static int html_file_end(struct thbx_report *r, thbx_error_t *err) {
  struct html_state *st = r->state;
  FILE *fp = st->spool.fp;
  const thbx_report_summary_t *s = &r->file;
  int unread = (int)st->file_unread;
  st->file_unread = 0;
  fputs("<file", fp);
  attr(fp, "name", r->file_source);
  fprintf(fp,
          " records=\"%ld\" valid=\"%ld\" invalid=\"%ld\" unreadable=\"%ld\" errors=\"%ld\"%s/>\n",
          s->records, s->valid, s->invalid, s->unreadable, s->errors,
          unread ? " checked=\"false\"" : "");
  return ferror(fp) ? thbx_error_set(err, THBX_EIO, "cannot write the report") : THBX_OK;
}

/* The embedded stylesheet, compiled through the one sandboxed set-up
 * (xslt_safe.c) that user stylesheets get too. */
static thbx_xslt_t *load_stylesheet(thbx_error_t *err) {
  size_t len = 0;
  const char *text = thbx_resource("xslt/report-html.xsl", &len);
  if (!text) {
    thbx_error_set(err, THBX_ENOTFOUND, "xslt/report-html.xsl is not embedded");
    return NULL;
  }
  thbx_xslt_t *x = NULL;
  if (thbx_xslt_load(&x, "xslt/report-html.xsl", text, len, NULL, err) != THBX_OK)
    return NULL;
  return x;
}

static int html_finish(struct thbx_report *r, thbx_error_t *err) {
  struct html_state *st = r->state;
  const thbx_report_summary_t *s = &r->total;
  thbx_buf_t xml;
  thbx_buf_init(&xml);
  int rc = THBX_OK;
  xmlDocPtr doc = NULL, result = NULL;
  thbx_xslt_t *style = NULL;

  if (thbx_buf_printf(&xml,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<report tool=\"thbx\" version=\"%s\" valid=\"%s\">\n"
                      "<summary files=\"%ld\" records=\"%ld\" valid=\"%ld\" invalid=\"%ld\" "
                      "unreadable=\"%ld\" errors=\"%ld\" reported=\"%ld\" unchecked=\"%ld\"/>\n",
                      thbx_version(),
                      s->invalid == 0 && s->errors == 0 && st->unchecked == 0 ? "true" : "false",
                      s->files, s->records, s->valid, s->invalid, s->unreadable, s->errors,
                      s->reported, st->unchecked) != 0) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = report_spool_slurp(&st->spool, &xml, err)) != THBX_OK)
    goto done;
  if (thbx_buf_puts(&xml, "</report>\n") != 0) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto done;
  }
  doc = xmlReadMemory(xml.data, (int)xml.len, "report.xml", "UTF-8",
                      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  /* (the intermediate XML is thbx's own, so XML_PARSE_HUGE is safe here) */
  if (!doc) {
    rc = thbx_error_set(err, THBX_EINVAL, "html report: the intermediate XML is not well-formed");
    goto done;
  }
  style = load_stylesheet(err);
  if (!style) {
    rc = THBX_ESCHEMA;
    goto done;
  }
  if (xslt_safe_transform(style, doc, &result, err) != THBX_OK) {
    rc = thbx_error_set(err, THBX_ESCHEMA, "html report: the transformation failed");
    goto done;
  }
  if (xsltSaveResultToFile(r->out, result, xslt_safe_stylesheet(style)) < 0)
    rc = thbx_error_set(err, THBX_EIO, "cannot write the report");
done:
  if (result)
    xmlFreeDoc(result);
  thbx_xslt_free(style);
  if (doc)
    xmlFreeDoc(doc);
  thbx_buf_free(&xml);
  return rc;
}

static void html_free(struct thbx_report *r) {
  struct html_state *st = r->state;
  if (!st)
    return;
  report_spool_close(&st->spool);
  thbx_buf_free(&st->field);
  thbx_buf_free(&st->value);
  free(st);
}

const struct report_ops report_html_ops = {.open = html_open,
                                           .add = html_add,
                                           .file_end = html_file_end,
                                           .finish = html_finish,
                                           .free = html_free};
