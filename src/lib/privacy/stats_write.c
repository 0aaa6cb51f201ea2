/*
 * stats_write.c - the published table in CSV, JSON, Markdown or HTML.
 *
 * A suppressed cell looks the same whether it is small or protects a small
 * cell: CSV has an empty count and the flag "c" (Eurostat's confidential
 * flag), JSON "count": null, "suppressed": true, Markdown and HTML "c".
 * Every margin is written, and every interior cell that is not 0 or is
 * suppressed; a combination that is not written is 0 (the suppression
 * treats those zeros as published). HTML is one self-contained page: the
 * table and an inline SVG bar chart, no scripts, no external files.
 */
#include "stats_write.h"

#include "internal.h"

#include <string.h>

static int row_written(const stats_table_t *t, size_t cell) {
  return stats_table_is_margin(t, cell) || t->count[cell] != 0 ||
         t->status[cell] != STATS_PUBLISHED;
}

/* The value of dimension i at coordinate c: "_total", NULL (missing) or text. */
static const char *value_at(const stats_table_t *t, char *const *const *values, int i, size_t c,
                            int *total) {
  *total = t->totals && c == t->n[i];
  return *total ? "_total" : values[i][c];
}

static int notes(const stats_table_t *t, const char *const *labels, const stats_meta_t *m,
                 json_t *out) {
  char text[512];
  if (m->distinct) {
    snprintf(text, sizeof(text), "counts are distinct values of %.200s (persons), not records",
             m->distinct);
    json_array_append_new(out, json_string(text));
  }
  for (int i = 0; i < t->ndims; i++) {
    if (!m->multi[i])
      continue;
    snprintf(text, sizeof(text),
             "%.200s is array-valued: a record counts once per distinct value, so cells add up "
             "to more than the records%s",
             labels[i], t->totals ? "; margins are the sums of their cells" : "");
    json_array_append_new(out, json_string(text));
  }
  if (m->overlap) {
    snprintf(text, sizeof(text), "a person is counted in several cells%s",
             t->totals ? "; margins are the sums of their cells, not numbers of distinct persons"
                       : "");
    json_array_append_new(out, json_string(text));
  }
  if (t->k > 1) {
    snprintf(text, sizeof(text),
             "c: confidential; counts from 1 to %ld are suppressed, and further cells so that "
             "none of them can be derived from what is published",
             t->k - 1);
    json_array_append_new(out, json_string(text));
  }
  json_array_append_new(out, json_string("a combination that is not listed has the count 0"));
  return 0;
}

/* ------------------------------------------------------------------ CSV */

static void csv_field(FILE *out, const char *s) {
  if (!s)
    return;
  if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      fputc('"', out);
    fputc(*p, out);
  }
  fputc('"', out);
}

static void write_csv(FILE *out, const stats_table_t *t, const char *const *labels,
                      char *const *const *values, long *written) {
  for (int i = 0; i < t->ndims; i++) {
    csv_field(out, labels[i]);
    fputc(',', out);
  }
  fputs("count,flag\r\n", out);
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (!row_written(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    for (int i = 0; i < t->ndims; i++) {
      int total;
      csv_field(out, value_at(t, values, i, c[i], &total));
      fputc(',', out);
    }
    if (t->status[cell] != STATS_PUBLISHED)
      fputs(",c\r\n", out);
    else
      fprintf(out, "%lld,\r\n", t->count[cell]);
    (*written)++;
  }
}

/* ----------------------------------------------------------------- JSON */

static int write_json(FILE *out, const stats_table_t *t, const char *const *labels,
                      char *const *const *values, const stats_meta_t *m, long *written) {
  json_t *doc = json_object(), *by = json_array(), *cells = json_array(), *nt = json_array();
  if (!doc || !by || !cells || !nt) {
    json_decref(doc);
    json_decref(by);
    json_decref(cells);
    json_decref(nt);
    return -1;
  }
  for (int i = 0; i < t->ndims; i++)
    json_array_append_new(by, json_string(labels[i]));
  json_object_set_new(doc, "by", by);
  json_object_set_new(doc, "unit", json_string(m->distinct ? "persons" : "records"));
  json_object_set_new(doc, "distinct", m->distinct ? json_string(m->distinct) : json_null());
  json_object_set_new(doc, "min_cell", json_integer(t->k));
  json_object_set_new(doc, "totals", json_boolean(t->totals));
  notes(t, labels, m, nt);
  json_object_set_new(doc, "notes", nt);
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (!row_written(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    json_t *o = json_object();
    for (int i = 0; i < t->ndims; i++) {
      int total;
      const char *v = value_at(t, values, i, c[i], &total);
      json_object_set_new(o, labels[i], v ? json_string(v) : json_null());
    }
    int supp = t->status[cell] != STATS_PUBLISHED;
    json_object_set_new(o, "count", supp ? json_null() : json_integer((json_int_t)t->count[cell]));
    json_object_set_new(o, "suppressed", json_boolean(supp));
    json_array_append_new(cells, o);
    (*written)++;
  }
  json_object_set_new(doc, "cells", cells);
  int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', out);
  json_decref(doc);
  return rc;
}

/* ------------------------------------------------------------- Markdown */

static void md_text(FILE *out, const char *s) {
  if (!s) {
    fputs("(missing)", out);
    return;
  }
  for (const char *p = s; *p; p++) {
    if (*p == '|' || *p == '\\' || *p == '*' || *p == '`' || *p == '<' || *p == '[' || *p == ']')
      fputc('\\', out);
    if (*p == '\n' || *p == '\r')
      fputc(' ', out);
    else
      fputc(*p, out);
  }
}

static void write_md(FILE *out, const stats_table_t *t, const char *const *labels,
                     char *const *const *values, const stats_meta_t *m, long *written) {
  fprintf(out, "Counts of %s by ", m->distinct ? "persons" : "records");
  for (int i = 0; i < t->ndims; i++) {
    fputs(i ? ", " : "", out);
    md_text(out, labels[i]);
  }
  fputs("\n\n|", out);
  for (int i = 0; i < t->ndims; i++) {
    fputc(' ', out);
    md_text(out, labels[i]);
    fputs(" |", out);
  }
  fputs(" count |\n|", out);
  for (int i = 0; i < t->ndims; i++)
    fputs("---|", out);
  fputs("---:|\n", out);
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (!row_written(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    fputc('|', out);
    for (int i = 0; i < t->ndims; i++) {
      int total;
      const char *v = value_at(t, values, i, c[i], &total);
      fputc(' ', out);
      if (total)
        fputs("**total**", out);
      else
        md_text(out, v);
      fputs(" |", out);
    }
    if (t->status[cell] != STATS_PUBLISHED)
      fputs(" c |\n", out);
    else
      fprintf(out, " %lld |\n", t->count[cell]);
    (*written)++;
  }
  json_t *nt = json_array();
  if (nt) {
    notes(t, labels, m, nt);
    fputc('\n', out);
    size_t i;
    json_t *v;
    json_array_foreach(nt, i, v) {
      fputs("- ", out);
      md_text(out, json_string_value(v));
      fputc('\n', out);
    }
    json_decref(nt);
  }
}

/* ----------------------------------------------------------------- HTML */

static void html_text(FILE *out, const char *s) {
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default: fputc(*p, out);
    }
  }
}

static void html_label(FILE *out, const stats_table_t *t, char *const *const *values,
                       const size_t *c, const char *sep) {
  for (int i = 0; i < t->ndims; i++) {
    int total;
    const char *v = value_at(t, values, i, c[i], &total);
    fputs(i ? sep : "", out);
    html_text(out, total ? "total" : (v ? v : "(missing)"));
  }
}

#define HTML_MAX_BARS 200

static void html_chart(FILE *out, const stats_table_t *t, char *const *const *values) {
  long long max = 1;
  size_t bars = 0;
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (stats_table_is_margin(t, cell) || !row_written(t, cell))
      continue;
    if (t->status[cell] == STATS_PUBLISHED && t->count[cell] > max)
      max = t->count[cell];
    bars++;
  }
  if (bars == 0)
    return;
  size_t shown = bars > HTML_MAX_BARS ? HTML_MAX_BARS : bars;
  const int row = 18, label_w = 260, bar_w = 400;
  fprintf(out,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%zu\" "
          "viewBox=\"0 0 %d %zu\" aria-label=\"bar chart of the counts\">\n",
          label_w + bar_w + 60, shown * row + 4, label_w + bar_w + 60, shown * row + 4);
  size_t k = 0;
  for (size_t cell = 0; cell < t->ncells && k < shown; cell++) {
    if (stats_table_is_margin(t, cell) || !row_written(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    size_t y = k * row + 2;
    fprintf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\" font-size=\"12\">", label_w - 6,
            y + 13);
    html_label(out, t, values, c, " / ");
    fputs("</text>\n", out);
    if (t->status[cell] != STATS_PUBLISHED) {
      fprintf(out, "<text x=\"%d\" y=\"%zu\" font-size=\"12\" fill=\"#666\">c</text>\n", label_w,
              y + 13);
    } else {
      long w = (long)((double)t->count[cell] / (double)max * bar_w);
      fprintf(out,
              "<rect x=\"%d\" y=\"%zu\" width=\"%ld\" height=\"%d\" fill=\"#3b6ea5\"/>"
              "<text x=\"%ld\" y=\"%zu\" font-size=\"12\">%lld</text>\n",
              label_w, y, w, row - 4, label_w + w + 4, y + 13, t->count[cell]);
    }
    k++;
  }
  fputs("</svg>\n", out);
  if (shown < bars)
    fprintf(out, "<p>The chart shows the first %zu of %zu cells.</p>\n", shown, bars);
}

static void write_html(FILE *out, const stats_table_t *t, const char *const *labels,
                       char *const *const *values, const stats_meta_t *m, long *written) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>thbx stats</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #bbb;padding:2px 8px}td.n{text-align:right}"
        "tr.total td{font-weight:bold}\n</style>\n</head>\n<body>\n<h1>Counts of ",
        out);
  fputs(m->distinct ? "persons" : "records", out);
  fputs(" by ", out);
  for (int i = 0; i < t->ndims; i++) {
    fputs(i ? ", " : "", out);
    html_text(out, labels[i]);
  }
  fputs("</h1>\n<table>\n<thead><tr>", out);
  for (int i = 0; i < t->ndims; i++) {
    fputs("<th>", out);
    html_text(out, labels[i]);
    fputs("</th>", out);
  }
  fputs("<th>count</th></tr></thead>\n<tbody>\n", out);
  for (size_t cell = 0; cell < t->ncells; cell++) {
    if (!row_written(t, cell))
      continue;
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    fputs(stats_table_is_margin(t, cell) ? "<tr class=\"total\">" : "<tr>", out);
    for (int i = 0; i < t->ndims; i++) {
      fputs("<td>", out);
      int total;
      const char *v = value_at(t, values, i, c[i], &total);
      html_text(out, total ? "total" : (v ? v : "(missing)"));
      fputs("</td>", out);
    }
    if (t->status[cell] != STATS_PUBLISHED)
      fputs("<td class=\"n\">c</td></tr>\n", out);
    else
      fprintf(out, "<td class=\"n\">%lld</td></tr>\n", t->count[cell]);
    (*written)++;
  }
  fputs("</tbody>\n</table>\n", out);
  html_chart(out, t, values);
  json_t *nt = json_array();
  if (nt) {
    notes(t, labels, m, nt);
    fputs("<ul>\n", out);
    size_t i;
    json_t *v;
    json_array_foreach(nt, i, v) {
      fputs("<li>", out);
      html_text(out, json_string_value(v));
      fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
    json_decref(nt);
  }
  fputs("</body>\n</html>\n", out);
}

int stats_write_table(FILE *out, thbx_stats_format format, const stats_table_t *t,
                      const char *const *labels, char *const *const *values,
                      const stats_meta_t *meta, long *written, thbx_error_t *err) {
  *written = 0;
  int rc = 0;
  switch (format) {
  case THBX_STATS_CSV: write_csv(out, t, labels, values, written); break;
  case THBX_STATS_JSON: rc = write_json(out, t, labels, values, meta, written); break;
  case THBX_STATS_MD: write_md(out, t, labels, values, meta, written); break;
  case THBX_STATS_HTML: write_html(out, t, labels, values, meta, written); break;
  default: return thbx_error_set(err, THBX_EINVAL, "unknown statistics format");
  }
  if (rc != 0 || ferror(out))
    return thbx_error_set(err, THBX_EIO, "cannot write the table");
  return THBX_OK;
}
