/*
 * cli_limits.c - the reader limits and CSV separators as command-line
 * options, shared by `thbx convert` and `thbx validate` so that both spell
 * them alike.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_size(const char *s, unsigned long long *out) {
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno)
    return -1;
  unsigned shift = 0;
  switch (*end) {
  case 'k':
  case 'K':
    shift = 10;
    end++;
    break;
  case 'm':
  case 'M':
    shift = 20;
    end++;
    break;
  case 'g':
  case 'G':
    shift = 30;
    end++;
    break;
  default: break;
  }
  if (*end == 'i' && shift)
    end++; /* KiB, MiB */
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end || (shift && v > (~0ULL >> shift)))
    return -1;
  *out = v << shift;
  return 0;
}

int cli_limit_option(const char *command, int option, const char *arg, thbx_limits_t *limits) {
  if (option < CLI_OPT_MAX_DEPTH || option > CLI_OPT_REGEX_LIMIT)
    return 1;
  unsigned long long n;
  static const char *const names[] = {"--max-depth", "--max-record-bytes", "--max-field-bytes",
                                      "--max-columns", "--regex-match-limit"};
  const char *name = names[option - CLI_OPT_MAX_DEPTH];
  if (cli_parse_size(arg, &n) != 0 || n == 0)
    return cli_usage_error(command, "%s needs a positive number, not '%s'", name, arg);
  switch (option) {
  case CLI_OPT_MAX_DEPTH:
    if (n > 100000)
      return cli_usage_error(command, "--max-depth needs a number from 1 to 100000, not '%s'", arg);
    limits->max_depth = (size_t)n;
    break;
  case CLI_OPT_MAX_RECORD: limits->max_record_bytes = (size_t)n; break;
  case CLI_OPT_MAX_FIELD: limits->max_field_bytes = (size_t)n; break;
  case CLI_OPT_MAX_COLUMNS: limits->max_columns = (size_t)n; break;
  default: limits->regex_match_limit = (unsigned long)n; break;
  }
  return 0;
}

int cli_parse_char(const char *command, const char *option, const char *arg, char *out) {
  if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0) {
    *out = '\t';
    return 0;
  }
  unsigned char c = (unsigned char)arg[0];
  if (c == '"')
    return cli_usage_error(command, "%s cannot be '\"': it is the CSV quote character", option);
  if (c == '\n' || c == '\r')
    return cli_usage_error(command, "%s cannot be a line end", option);
  if (!c || arg[1] || c >= 0x80)
    return cli_usage_error(command, "%s needs one ASCII character (or 'tab'), not '%s'", option,
                           arg);
  *out = (char)c;
  return 0;
}
