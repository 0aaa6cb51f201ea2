/*
 * format.c - names of the record formats and guessing one from a path,
 * and the default options and limits shared by readers and writers.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

static const char *const names[] = {"auto", "json", "ndjson", "csv", "xml"};

thbx_format thbx_format_from_name(const char *name) {
  if (!name)
    return THBX_FORMAT_AUTO;
  for (int f = THBX_FORMAT_JSON; f <= THBX_FORMAT_XML; f++)
    if (strcasecmp(name, names[f]) == 0)
      return (thbx_format)f;
  if (strcasecmp(name, "jsonl") == 0)
    return THBX_FORMAT_NDJSON;
  return THBX_FORMAT_AUTO;
}

const char *thbx_format_name(thbx_format format) {
  if ((int)format < 0 || format > THBX_FORMAT_XML)
    return "auto";
  return names[format];
}

thbx_format thbx_format_from_path(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (!dot || strchr(dot, '/'))
    return THBX_FORMAT_AUTO;
  if (strcasecmp(dot + 1, "tsv") == 0)
    return THBX_FORMAT_CSV; /* tab-separated: see thbx_path_is_tsv */
  return thbx_format_from_name(dot + 1);
}

int thbx_path_is_tsv(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  return dot && !strchr(dot, '/') && strcasecmp(dot + 1, "tsv") == 0;
}

void thbx_limits_default(thbx_limits_t *limits) {
  limits->max_depth = 64;
  limits->max_record_bytes = (size_t)16 << 20;
  limits->max_field_bytes = (size_t)8 << 20;
  limits->max_columns = 10000;
  limits->regex_match_limit = 1000000;
}

void thbx_reader_options_default(thbx_reader_options_t *options) {
  memset(options, 0, sizeof(*options));
  options->format = THBX_FORMAT_AUTO;
  options->delimiter = 0; /* detected */
  options->list_separator = '|';
  thbx_limits_default(&options->limits);
}

void thbx_writer_options_default(thbx_writer_options_t *options) {
  memset(options, 0, sizeof(*options));
  options->format = THBX_FORMAT_JSON;
  options->delimiter = ',';
  options->list_separator = '|';
}
