/*
 * cmd_validate.c - `thbx validate`: check datasets against the profile (or
 * --schema files) and the dataset rules, report in a format people or CI
 * read, and split the records into accepted and rejected files. The work is
 * libthbx's thbx_validator_* and thbx_report_*; this file parses options,
 * opens files and chooses the exit code. `--document` (single JSON
 * documents) is cmd_validate_document.c.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: thbx validate [OPTIONS] INPUT...\n"
    "       thbx validate --document --schema SCHEMA.json FILE...\n"
    "\n"
    "Validate every record of the inputs (JSON, NDJSON, CSV or XML; '-' is stdin)\n"
    "against the profile " THBX_DEFAULT_PROFILE " (XML also against its XSD, record by\n"
    "record) or the given schemas, then the dataset rules (unique record_id across\n"
    "all inputs, assistance end not before start, event_date not in the future).\n"
    "\n"
    "Options:\n"
    "  -f, --from FORMAT        input format: json, ndjson, csv, xml (default: from\n"
    "                           the file extension, else sniffed)\n"
    "  -p, --profile NAME|FILE  profile (default " THBX_DEFAULT_PROFILE "), 'none' for generic\n"
    "      --schema FILE        validate against FILE.json (JSON Schema, replaces the\n"
    "                           profile's) or FILE.xsd (replaces the profile's XSD for\n"
    "                           XML input); repeatable\n"
    "      --format FORMAT      report: text (default), json, junit, sarif, github, html\n"
    "  -o, --output FILE        write the report to FILE (default stdout)\n"
    "      --accept FILE        write the valid records to FILE, in the input format\n"
    "      --reject FILE        write the invalid and unreadable records to FILE\n"
    "      --max-errors N       report at most N errors (all are counted)\n"
    "  -q, --quiet              report only the summary\n"
    "      --no-dataset-rules   skip the dataset rules\n"
    "      --no-formats         do not assert JSON Schema 'format' (date, date-time)\n"
    "      --today DATE         the date event_date is compared with (YYYY-MM-DD;\n"
    "                           default: today in UTC+14)\n"
    "      --delimiter C        CSV field delimiter (default ','; 'tab' for TAB)\n"
    "      --list-sep C         CSV separator of array values (default '|')\n"
    ;
static const char help_tail[] =
    "      --document           validate single JSON documents (see above)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 every record valid, 1 some record invalid or unreadable,\n"
    "2 usage error, an input that cannot be opened or read to its end, or a\n"
    "broken schema.\n";

enum {
  OPT_SCHEMA = 256,
  OPT_FORMAT,
  OPT_ACCEPT,
  OPT_REJECT,
  OPT_MAX_ERRORS,
  OPT_NO_RULES,
  OPT_NO_FORMATS,
  OPT_TODAY,
  OPT_DELIMITER,
  OPT_LIST_SEP,
  OPT_DOCUMENT
};

static const struct option options[] = {
    {"from", required_argument, NULL, 'f'},
    {"profile", required_argument, NULL, 'p'},
    {"schema", required_argument, NULL, OPT_SCHEMA},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"accept", required_argument, NULL, OPT_ACCEPT},
    {"reject", required_argument, NULL, OPT_REJECT},
    {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
    {"quiet", no_argument, NULL, 'q'},
    {"no-dataset-rules", no_argument, NULL, OPT_NO_RULES},
    {"no-formats", no_argument, NULL, OPT_NO_FORMATS},
    {"today", required_argument, NULL, OPT_TODAY},
    {"delimiter", required_argument, NULL, OPT_DELIMITER},
    {"list-sep", required_argument, NULL, OPT_LIST_SEP},
    CLI_LIMIT_OPTIONS,
    CLI_INPUT_OPTIONS,
    {"document", no_argument, NULL, OPT_DOCUMENT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* A non-negative decimal number; -1 if it is not one. */
static long long parse_count(const char *s) {
  if (!s || !*s || *s == '-' || *s == '+')
    return -1;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > (unsigned long long)LLONG_MAX)
    return -1;
  return (long long)v;
}

/* Do two paths name one regular file (or one that does not exist yet)?
 * Devices such as /dev/null may be named twice. */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
  if (ha && !S_ISREG(sa.st_mode))
    return 0;
  if (strcmp(a, b) == 0)
    return 1;
  return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

struct args {
  thbx_validator_options_t vo;
  thbx_report_options_t ro;
  thbx_format from;
  const char *output, *accept, *reject;
  const char **schemas;
  size_t nschemas;
  struct cli_input in; /* --encoding */
};

static int parse(struct args *a, int argc, char **argv) {
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":f:p:o:qh", options, NULL)) != -1) {
    long long n;
    switch (c) {
    case 'f':
      a->from = thbx_format_from_name(optarg);
      if (a->from == THBX_FORMAT_AUTO)
        return cli_usage_error("validate", "unknown input format '%s' (json, ndjson, csv, xml)",
                               optarg);
      break;
    case 'p': a->vo.profile = optarg; break;
    case OPT_SCHEMA: a->schemas[a->nschemas++] = optarg; break;
    case OPT_FORMAT: {
      int f = thbx_report_format_from_name(optarg);
      if (f < 0)
        return cli_usage_error("validate",
                               "unknown report format '%s' (text, json, junit, sarif, github, "
                               "html)",
                               optarg);
      a->ro.format = (thbx_report_format)f;
      break;
    }
    case 'o': a->output = optarg; break;
    case OPT_ACCEPT: a->accept = optarg; break;
    case OPT_REJECT: a->reject = optarg; break;
    case OPT_MAX_ERRORS:
      if ((n = parse_count(optarg)) < 0 || n > LONG_MAX)
        return cli_usage_error("validate", "--max-errors needs a number, not '%s'", optarg);
      a->ro.max_errors = (long)n;
      break;
    case 'q': a->ro.quiet = 1; break;
    case OPT_NO_RULES: a->vo.dataset_rules = 0; break;
    case OPT_NO_FORMATS: a->vo.assert_formats = 0; break;
    case OPT_TODAY: a->vo.today = optarg; break;
    case OPT_DELIMITER:
      if (cli_parse_char("validate", "--delimiter", optarg, &a->vo.reader.delimiter) != 0)
        return EXIT_USAGE;
      break;
    case OPT_LIST_SEP:
      if (cli_parse_char("validate", "--list-sep", optarg, &a->vo.reader.list_separator) != 0)
        return EXIT_USAGE;
      break;
    case 'h':
      fputs(help, stdout);
      fputs(cli_limits_help, stdout);
      fputs(cli_input_help, stdout);
      fputs(help_tail, stdout);
      return -1;
    case ':': return cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
    default: {
      int lrc = cli_limit_option("validate", c, optarg, &a->vo.reader.limits);
      if (lrc == 1)
        lrc = cli_input_option("validate", c, optarg, &a->in);
      if (lrc == 1)
        return cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
      if (lrc != 0)
        return lrc;
    }
    }
  }
  if (optind >= argc)
    return cli_usage_error("validate", "no input (give files, or '-' for stdin)");
  if (a->vo.profile && strcmp(a->vo.profile, "none") == 0 && a->nschemas == 0)
    return cli_usage_error("validate", "--profile none validates nothing: give --schema FILE");
  int stdin_inputs = 0;
  for (int i = optind; i < argc; i++)
    stdin_inputs += strcmp(argv[i], "-") == 0;
  if (stdin_inputs > 1)
    return cli_usage_error("validate", "stdin ('-') can be read once only");
  /* two outputs on one file, or an output over an input, would lose records */
  const char *outs[] = {a->output, a->accept, a->reject};
  const char *names[] = {"--output", "--accept", "--reject"};
  for (int i = 0; i < 3; i++) {
    if (!outs[i] || strcmp(outs[i], "-") == 0)
      continue;
    for (int j = i + 1; j < 3; j++)
      if (outs[j] && same_file(outs[i], outs[j]))
        return cli_usage_error("validate", "%s and %s name the same file", names[i], names[j]);
    for (int k = optind; k < argc; k++)
      if (strcmp(argv[k], "-") != 0 && same_file(outs[i], argv[k]))
        return cli_usage_error("validate", "%s would overwrite the input %s", names[i], argv[k]);
  }
  int to_stdout = (!a->output || strcmp(a->output, "-") == 0) +
                  (a->accept && strcmp(a->accept, "-") == 0) +
                  (a->reject && strcmp(a->reject, "-") == 0);
  if (to_stdout > 1)
    return cli_usage_error("validate",
                           "only one of the report, --accept and --reject can go to stdout");
  return 0;
}

static int open_optional(cli_output_t *out, const char *path) {
  memset(out, 0, sizeof(*out));
  return path ? cli_output_open(out, path) : 0;
}

int cmd_validate(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strcmp(argv[i], "--document") == 0)
      return cmd_validate_document(argc, argv);
  }
  struct args a;
  memset(&a, 0, sizeof(a));
  thbx_validator_options_default(&a.vo);
  thbx_report_options_default(&a.ro);
  a.schemas = calloc((size_t)argc + 1, sizeof(*a.schemas));
  if (!a.schemas) {
    cli_error("out of memory");
    return EXIT_USAGE;
  }
  int rc = parse(&a, argc, argv);
  if (rc != 0) {
    free(a.schemas);
    return rc < 0 ? EXIT_VALID : rc;
  }
  a.vo.schemas = a.nschemas ? a.schemas : NULL;
  cli_input_apply(&a.in, &a.vo.reader);

  int status = EXIT_VALID, fatal = 0;
  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_validator_t *v = NULL;
  thbx_report_t *report = NULL;
  cli_output_t out, acc, rej;
  memset(&out, 0, sizeof(out));
  memset(&acc, 0, sizeof(acc));
  memset(&rej, 0, sizeof(rej));
  if (cli_output_open(&out, a.output) != 0 || open_optional(&acc, a.accept) != 0 ||
      open_optional(&rej, a.reject) != 0) {
    status = EXIT_USAGE;
    goto abort;
  }
  a.vo.accept = acc.fp;
  a.vo.reject = rej.fp;
  if (thbx_validator_new(&v, &a.vo, &err) != THBX_OK) {
    cli_report(&err);
    status = EXIT_USAGE;
    goto abort;
  }
  if (thbx_report_open(&report, out.fp, &a.ro, &err) != THBX_OK) {
    cli_report(&err);
    status = EXIT_USAGE;
    goto abort;
  }
  for (int i = optind; i < argc; i++) {
    const char *path = argv[i];
    FILE *in = cli_open_input(path);
    if (!in) {
      /* the message is printed; the report says so too */
      thbx_error_t ferr;
      thbx_error_clear(&ferr);
      thbx_issue_t is = {THBX_ISSUE_UNREADABLE,   "unreadable", path, 0, 0, NULL, NULL,
                         "cannot open the input", NULL,         0,    0};
      if (thbx_report_file_begin(report, path, &ferr) != THBX_OK ||
          thbx_report_add(report, NULL, &is, 1, &ferr) != THBX_OK) {
        cli_report(&ferr);
        status = EXIT_USAGE;
        goto abort;
      }
      fatal = 1;
      continue;
    }
    thbx_format f = a.from != THBX_FORMAT_AUTO ? a.from
                    : strcmp(path, "-") == 0   ? THBX_FORMAT_AUTO
                                               : thbx_format_from_path(path);
    thbx_error_clear(&err);
    rc = thbx_validator_run(v, in, path, f, report, &err);
    cli_close_input(in);
    if (rc == THBX_EFATAL || rc == THBX_EIO || rc == THBX_ELIMIT) {
      cli_report(&err);
      fatal = 1;
    } else if (rc != THBX_OK) {
      cli_report(&err);
      status = EXIT_USAGE;
      goto abort;
    }
  }
  thbx_error_clear(&err);
  if (thbx_validator_finish(v, &err) != THBX_OK || thbx_report_finish(report, &err) != THBX_OK) {
    cli_report(&err);
    status = EXIT_USAGE;
    goto abort;
  }
  thbx_report_summary_t s;
  thbx_report_get_summary(report, &s);
  status = fatal ? EXIT_USAGE : s.invalid > 0 || s.errors > 0 ? EXIT_INVALID : EXIT_VALID;
  if (cli_output_commit(&out) != 0)
    status = EXIT_USAGE;
  if (fatal) {
    /* an input was not read to its end: accepted + rejected would not be
     * the input, so leave no such files behind */
    if (acc.fp || rej.fp)
      cli_error("--accept/--reject files not written: an input could not be read to its end");
    cli_output_abort(&acc);
    cli_output_abort(&rej);
  } else if ((acc.fp && cli_output_commit(&acc) != 0) | (rej.fp && cli_output_commit(&rej) != 0)) {
    status = EXIT_USAGE;
  }
  thbx_report_free(report);
  thbx_validator_free(v);
  free(a.schemas);
  return status;
abort:
  cli_output_abort(&out);
  cli_output_abort(&acc);
  cli_output_abort(&rej);
  thbx_report_free(report);
  thbx_validator_free(v);
  free(a.schemas);
  return status;
}
