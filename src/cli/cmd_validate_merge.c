/*
 * cmd_validate_merge.c - `thbx validate --merge CHUNK...`: one report, one
 * verdict and one exit status from the chunk reports (`thbx validate
 * --format chunk`) of a run split over processes or machines, as if one
 * run had read the chunks' inputs one after another (docs/scale.md). The
 * replay is libthbx's thbx_report_merge_*.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int cmd_validate_merge(int argc, char **argv) {
  enum { OPT_MERGE = 256, OPT_FORMAT, OPT_MAX_ERRORS, OPT_ALLOW_EMPTY, OPT_REDACT };
  static const struct option options[] = {{"merge", no_argument, NULL, OPT_MERGE},
                                          {"format", required_argument, NULL, OPT_FORMAT},
                                          {"output", required_argument, NULL, 'o'},
                                          {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
                                          {"redact", no_argument, NULL, OPT_REDACT},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  thbx_report_options_t ro;
  thbx_report_options_default(&ro);
  const char *output = NULL;
  int c, allow_empty = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
    switch (c) {
    case OPT_MERGE: break;
    case OPT_FORMAT: {
      int f = thbx_report_format_from_name(optarg);
      if (f < 0)
        return cli_usage_error("validate",
                               "unknown report format '%s' (text, json, junit, "
                               "sarif, github, html, chunk)",
                               optarg);
      ro.format = (thbx_report_format)f;
      break;
    }
    case 'o': output = optarg; break;
    case OPT_MAX_ERRORS: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (!*optarg || *end || n < 0)
        return cli_usage_error("validate", "--max-errors needs a number, not '%s'", optarg);
      ro.max_errors = n;
      break;
    }
    case 'q': ro.quiet = 1; break;
    case OPT_ALLOW_EMPTY: allow_empty = 1; break;
    case OPT_REDACT: ro.redact = 1; break;
    case 'h': fputs(cli_help_validate_merge, stdout); return EXIT_VALID;
    case ':': return cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error("validate",
                             "--merge takes --format, -o, --max-errors, -q, --redact and "
                             "--allow-empty, not '%s'",
                             argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return cli_usage_error("validate", "--merge needs the chunk reports to merge");
  for (int i = optind; i < argc; i++)
    if (output && strcmp(output, "-") != 0 && strcmp(output, argv[i]) == 0)
      return cli_usage_error("validate", "--output would overwrite the chunk report %s", argv[i]);

  int status = EXIT_USAGE;
  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_report_t *report = NULL;
  thbx_report_merge_t *merge = NULL;
  cli_output_t out;
  if (cli_output_open(&out, output) != 0)
    return EXIT_USAGE;
  if (thbx_report_open(&report, out.fp, &ro, &err) != THBX_OK ||
      thbx_report_merge_new(&merge, report, &err) != THBX_OK) {
    cli_report(&err);
    goto fail;
  }
  for (int i = optind; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      cli_error("--merge reads each chunk report twice: give files, not '-'");
      goto fail;
    }
    FILE *in = cli_open_input(argv[i]);
    if (!in)
      goto fail;
    int rc = thbx_report_merge_add(merge, in, argv[i], &err);
    cli_close_input(in);
    if (rc != THBX_OK) {
      cli_report(&err);
      goto fail; /* a torn chunk: no report that looks complete */
    }
  }
  if (thbx_report_merge_finish(merge, &err) != THBX_OK) {
    cli_report(&err);
    goto fail;
  }
  thbx_report_summary_t s;
  thbx_report_get_summary(report, &s);
  status = !thbx_report_merge_complete(merge) ? EXIT_USAGE
           : s.invalid > 0 || s.errors > 0    ? EXIT_INVALID
                                              : EXIT_VALID;
  if (status == EXIT_USAGE)
    cli_error("a chunk's input was not read to its end (its run exited 2)");
  if (status != EXIT_USAGE && s.records == 0 && !allow_empty) {
    /* as one run says it: each chunk may be empty, not the whole dataset */
    cli_error("no records: an empty submission is not a valid dataset (--allow-empty accepts "
              "it)");
    status = EXIT_INVALID;
  }
  if (cli_output_commit(&out) != 0)
    status = EXIT_USAGE;
  thbx_report_merge_free(merge);
  thbx_report_free(report);
  return status;
fail:
  cli_output_abort(&out);
  thbx_report_merge_free(merge);
  thbx_report_free(report);
  return EXIT_USAGE;
}
