/*
 * cmd_validate.c - `thbx validate`: check datasets against the profile (or
 * --schema files) and the dataset rules, report in a format people or CI
 * read, and split the records into accepted and rejected files. A
 * configuration of libthbx's pipeline: the validator's stages (XSD, JSON
 * Schema, dataset rules), one sink per report, the accept/reject split. This
 * file parses options, opens files and chooses the exit code. `--document`
 * (single JSON documents) is cmd_validate_document.c.
 */
#include "cli.h"
#include "cli_map.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  OPT_DOCUMENT,
  OPT_MERGE,
  OPT_REPORT,
  OPT_ALLOW_EMPTY,
  OPT_PROGRESS,
  OPT_REDACT
};

static const struct option options[] = {{"from", required_argument, NULL, 'f'},
                                        {"profile", required_argument, NULL, 'p'},
                                        {"schema", required_argument, NULL, OPT_SCHEMA},
                                        {"format", required_argument, NULL, OPT_FORMAT},
                                        {"output", required_argument, NULL, 'o'},
                                        {"accept", required_argument, NULL, OPT_ACCEPT},
                                        {"reject", required_argument, NULL, OPT_REJECT},
                                        {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"redact", no_argument, NULL, OPT_REDACT},
                                        {"no-dataset-rules", no_argument, NULL, OPT_NO_RULES},
                                        {"no-formats", no_argument, NULL, OPT_NO_FORMATS},
                                        {"today", required_argument, NULL, OPT_TODAY},
                                        {"delimiter", required_argument, NULL, OPT_DELIMITER},
                                        {"list-sep", required_argument, NULL, OPT_LIST_SEP},
                                        CLI_LIMIT_OPTIONS,
                                        CLI_INPUT_OPTIONS,
                                        {"document", no_argument, NULL, OPT_DOCUMENT},
                                        {"merge", no_argument, NULL, OPT_MERGE},
                                        {"report", required_argument, NULL, OPT_REPORT},
                                        {"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
                                        {"progress", no_argument, NULL, OPT_PROGRESS},
                                        {"jobs", required_argument, NULL, 'j'},
                                        {"mapping", required_argument, NULL, 'm'},
                                        {"key-file", required_argument, NULL, CLI_OPT_KEY_FILE},
                                        {"derive", required_argument, NULL, CLI_OPT_DERIVE},
                                        {"xslt", required_argument, NULL, CLI_OPT_XSLT},
                                        {"param", required_argument, NULL, CLI_OPT_PARAM},
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

struct args {
  thbx_validator_options_t vo;
  thbx_report_options_t ro;
  thbx_format from;
  const char *output, *accept, *reject;
  const char **schemas;
  struct cli_input in; /* --encoding */
  size_t nschemas;
  /* --report FORMAT=FILE */
  const char **report_files;
  thbx_report_format *report_formats;
  size_t nreports;
  int allow_empty, progress, jobs;
  struct cli_map map; /* -m MAP.csv, --xslt: map a national format first */
};

static int parse(struct args *a, int argc, char **argv) {
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":f:p:o:j:m:qh", options, NULL)) != -1) {
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
    case 'j':
      if (cli_parse_jobs("validate", optarg, &a->jobs) != 0)
        return EXIT_USAGE;
      break;
    case OPT_ALLOW_EMPTY: a->allow_empty = 1; break;
    case OPT_PROGRESS: a->progress = 1; break;
    case OPT_REPORT: {
      const char *eq = strchr(optarg, '=');
      char name[16];
      int f = -1;
      if (eq && (size_t)(eq - optarg) < sizeof(name)) {
        memcpy(name, optarg, (size_t)(eq - optarg));
        name[eq - optarg] = '\0';
        f = thbx_report_format_from_name(name);
      }
      if (f < 0 || !eq[1])
        return cli_usage_error("validate",
                               "--report wants FORMAT=FILE with FORMAT one of text, json, "
                               "junit, sarif, github, html, not '%s'",
                               optarg);
      a->report_formats[a->nreports] = (thbx_report_format)f;
      a->report_files[a->nreports++] = eq + 1;
      break;
    }
    case OPT_ACCEPT: a->accept = optarg; break;
    case OPT_REJECT: a->reject = optarg; break;
    case OPT_MAX_ERRORS:
      if ((n = parse_count(optarg)) < 0 || n > LONG_MAX)
        return cli_usage_error("validate", "--max-errors needs a number, not '%s'", optarg);
      a->ro.max_errors = (long)n;
      break;
    case 'q': a->ro.quiet = 1; break;
    case OPT_REDACT: a->ro.redact = 1; break;
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
    case 'h': fputs(cli_help_validate, stdout); return -1;
    case ':': return cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
    default: {
      int mrc = cli_map_option("validate", c, optarg, &a->map);
      if (mrc != 1) {
        if (mrc != 0)
          return mrc;
        break;
      }
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
  size_t nouts = 3 + a->nreports;
  const char **outs = calloc(nouts, sizeof(*outs));
  if (!outs) {
    cli_error("out of memory");
    return EXIT_USAGE;
  }
  outs[0] = a->output, outs[1] = a->accept, outs[2] = a->reject;
  for (size_t i = 0; i < a->nreports; i++)
    outs[3 + i] = a->report_files[i];
  const char *names[] = {"--output", "--accept", "--reject"};
#define NAME(i) ((i) < 3 ? names[i] : "--report")
  for (size_t i = 0; i < nouts; i++) {
    if (!outs[i] || strcmp(outs[i], "-") == 0)
      continue;
    for (size_t j = i + 1; j < nouts; j++)
      if (outs[j] && cli_same_file(outs[i], outs[j])) {
        free(outs);
        return cli_usage_error("validate", "%s and %s name the same file", NAME(i), NAME(j));
      }
    for (int k = optind; k < argc; k++)
      if (strcmp(argv[k], "-") != 0 && cli_same_file(outs[i], argv[k])) {
        free(outs);
        return cli_usage_error("validate", "%s would overwrite the input '%s'", NAME(i), argv[k]);
      }
  }
#undef NAME
  int to_stdout = 0;
  for (size_t i = 0; i < nouts; i++)
    to_stdout +=
        i == 0 ? (!outs[0] || strcmp(outs[0], "-") == 0) : (outs[i] && strcmp(outs[i], "-") == 0);
  free(outs);
  if (to_stdout > 1)
    return cli_usage_error("validate",
                           "only one of the reports, --accept and --reject can go to stdout");
  return 0;
}

static int open_optional(cli_output_t *out, const char *path) {
  memset(out, 0, sizeof(*out));
  return path ? cli_output_open(out, path) : 0;
}

/* The format an --accept/--reject file's name asks for (AUTO: any). */
static thbx_format split_format(const char *path) {
  return path && strcmp(path, "-") != 0 ? thbx_format_from_path(path) : THBX_FORMAT_AUTO;
}

/* Exit 2 after reading began: a split file of that name from an earlier
 * run would look like this run's, so it goes (docs/validate.md). */
static void remove_stale(const char *path) {
  struct stat st;
  if (path && strcmp(path, "-") != 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
    unlink(path);
}

struct run {
  struct args *a;
  thbx_validator_t *v;
  thbx_pipeline_t *p;
  thbx_report_t **reports; /* [0] the main one, then --report */
  cli_output_t *outs;      /* their files */
  size_t nreports;
  cli_output_t acc, rej;
};

static void run_free(struct run *r, int abort_outputs) {
  thbx_pipeline_free(r->p);
  for (size_t i = 0; i < r->nreports; i++) {
    if (abort_outputs)
      cli_output_abort(&r->outs[i]);
    thbx_report_free(r->reports[i]);
  }
  if (abort_outputs) {
    cli_output_abort(&r->acc);
    cli_output_abort(&r->rej);
  }
  free(r->reports);
  free(r->outs);
  thbx_validator_free(r->v);
  cli_map_free(&r->a->map);
}

static int setup(struct run *r, thbx_error_t *err) {
  struct args *a = r->a;
  r->nreports = 1 + a->nreports;
  r->reports = calloc(r->nreports, sizeof(*r->reports));
  r->outs = calloc(r->nreports, sizeof(*r->outs));
  if (!r->reports || !r->outs) {
    cli_error("out of memory");
    r->nreports = 0;
    return -1;
  }
  for (size_t i = 0; i < r->nreports; i++)
    if (cli_output_open(&r->outs[i], i ? a->report_files[i - 1] : a->output) != 0)
      return -1;
  if (open_optional(&r->acc, a->accept) != 0 || open_optional(&r->rej, a->reject) != 0)
    return -1;
  if (thbx_validator_new(&r->v, &a->vo, err) != THBX_OK)
    goto report;
  for (size_t i = 0; i < r->nreports; i++) {
    thbx_report_options_t ro = a->ro;
    if (i)
      ro.format = a->report_formats[i - 1];
    if (thbx_report_open(&r->reports[i], r->outs[i].fp, &ro, err) != THBX_OK)
      goto report;
  }
  if (cli_map_setup(&a->map, thbx_validator_profile(r->v)) != 0)
    return -1;
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  po.profile = thbx_validator_profile(r->v);
  po.reader = a->vo.reader;
  cli_map_reader(&a->map, &po.reader); /* a national format: the mapping says how to read it */
  po.read_generic = a->map.map || a->map.nxslt;
  po.jobs = a->jobs;
  cli_alloc_jobs(a->jobs);
  po.interrupted = &cli_interrupted;
  if (thbx_pipeline_new(&r->p, &po, err) != THBX_OK)
    goto report;
  /* the mapping first, then the validation stages see the mapped records */
  if (cli_map_add_stages(&a->map, r->p) != 0)
    return -1;
  if (thbx_validator_configure(r->v, r->p, err) != THBX_OK)
    goto report;
  for (size_t i = 0; i < r->nreports; i++)
    if (thbx_pipeline_add_report(r->p, r->reports[i], err) != THBX_OK)
      goto report;
  if ((r->acc.fp || r->rej.fp) &&
      thbx_pipeline_add_split(r->p, r->acc.fp, split_format(a->accept), r->rej.fp,
                              split_format(a->reject), err) != THBX_OK)
    goto report;
  return 0;
report:
  cli_report(err);
  return -1;
}

/* An input that cannot be opened: the message is printed, every report says so too. */
static int unopenable(struct run *r, const char *path, int errnum) {
  /* the message is printed; the reports say so too, with the reason */
  char why[160];
  snprintf(why, sizeof(why), "cannot open the input: %s", cli_open_reason(errnum));
  thbx_error_t ferr;
  thbx_error_clear(&ferr);
  thbx_issue_t is = {0};
  is.kind = THBX_ISSUE_UNREADABLE;
  is.rule = "unreadable";
  is.source = path;
  is.message = why;
  for (size_t i = 0; i < r->nreports; i++) {
    if (thbx_report_file_begin(r->reports[i], path, &ferr) != THBX_OK ||
        thbx_report_add(r->reports[i], NULL, &is, 1, &ferr) != THBX_OK ||
        thbx_report_file_end(r->reports[i], &ferr) != THBX_OK ||
        thbx_report_input_end(r->reports[i], path, 0, 0, 0, &ferr) != THBX_OK) {
      cli_report(&ferr);
      return -1;
    }
  }
  return 0;
}

int cmd_validate(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strcmp(argv[i], "--document") == 0)
      return cmd_validate_document(argc, argv);
    if (strcmp(argv[i], "--merge") == 0)
      return cmd_validate_merge(argc, argv);
  }
  struct args a;
  memset(&a, 0, sizeof(a));
  thbx_validator_options_default(&a.vo);
  thbx_report_options_default(&a.ro);
  a.jobs = 1;
  a.schemas = calloc((size_t)argc + 1, sizeof(*a.schemas));
  a.report_files = calloc((size_t)argc + 1, sizeof(*a.report_files));
  a.report_formats = calloc((size_t)argc + 1, sizeof(*a.report_formats));
  if (!a.schemas || !a.report_files || !a.report_formats) {
    cli_error("out of memory");
    free(a.schemas);
    free(a.report_files);
    free(a.report_formats);
    return EXIT_USAGE;
  }
  int rc = parse(&a, argc, argv);
  if (rc == 0 && a.vo.profile) {
    /* an unknown profile name says which there are */
    thbx_profile_t *probe = NULL;
    thbx_error_t perr;
    if (cli_profile_load(a.vo.profile, &probe, &perr) != THBX_OK)
      rc = EXIT_USAGE;
    thbx_profile_free(probe);
  }
  if (rc != 0) {
    free(a.schemas);
    free(a.report_files);
    free(a.report_formats);
    return rc < 0 ? EXIT_VALID : rc;
  }
  a.vo.schemas = a.nschemas ? a.schemas : NULL;
  a.ro.dataset_rules = a.vo.dataset_rules;
  int chunked = a.ro.format == THBX_REPORT_CHUNK;
  for (size_t i = 0; i < a.nreports; i++)
    chunked |= a.report_formats[i] == THBX_REPORT_CHUNK;
  cli_input_apply(&a.in, &a.vo.reader);
  cli_signals_install();

  int status = EXIT_VALID, fatal = 0;
  thbx_error_t err;
  thbx_error_clear(&err);
  struct run r;
  memset(&r, 0, sizeof(r));
  r.a = &a;
  if (setup(&r, &err) != 0) {
    status = EXIT_USAGE;
    goto abort;
  }
  /* the text report on the terminal shows a file's error; stderr need not repeat it */
  int text_on_stdout = a.ro.format == THBX_REPORT_TEXT && r.outs[0].fp == stdout;
  cli_progress_t pg;
  cli_progress_start(&pg, a.progress || (!a.ro.quiet && cli_isatty(stderr) && !text_on_stdout),
                     a.progress);
  if (pg.on && cli_add_messages(r.p, &pg, 0, a.ro.redact, &err) != THBX_OK) {
    cli_report(&err);
    status = EXIT_USAGE;
    goto abort;
  }
  int interrupted = 0;
  for (int i = optind; i < argc && !interrupted; i++) {
    const char *path = argv[i];
    FILE *in = cli_open_input(path);
    if (!in) {
      if (unopenable(&r, path, errno) != 0) {
        status = EXIT_USAGE;
        goto abort;
      }
      fatal = 1;
      continue;
    }
    thbx_format f = a.from != THBX_FORMAT_AUTO ? a.from
                    : r.p && a.map.map && thbx_mapping_format(a.map.map) != THBX_FORMAT_AUTO
                        ? thbx_mapping_format(a.map.map)
                    : strcmp(path, "-") == 0 ? THBX_FORMAT_AUTO
                                             : thbx_format_from_path(path);
    thbx_reader_options_t mro;
    thbx_reader_options_default(&mro);
    mro.delimiter = a.vo.reader.delimiter;
    cli_map_reader(&a.map, &mro);
    mro.format = f != THBX_FORMAT_AUTO ? f : mro.format;
    if (cli_map_check_input(&a.map, strcmp(path, "-") == 0 ? NULL : path, &mro) != 0) {
      /* the mapping names a column this input lacks: before any record */
      cli_close_input(in);
      status = EXIT_USAGE;
      goto abort;
    }
    cli_note_terminal_input(in);
    cli_progress_input(&pg, in);
    thbx_error_clear(&err);
    thbx_pipeline_stats_t before, after;
    thbx_pipeline_get_stats(r.p, &before);
    /* a chunk report (--format chunk, --report chunk=FILE) says how many
     * lines the input had, for --merge (docs/scale.md) */
    long lines = 0;
    FILE *counted = chunked ? cli_count_lines(in, &lines) : NULL;
    if (chunked && !counted) {
      cli_error("out of memory");
      cli_close_input(in);
      status = EXIT_USAGE;
      goto abort;
    }
    rc = thbx_pipeline_run(r.p, counted ? counted : in, path, f, &err);
    thbx_pipeline_get_stats(r.p, &after);
    cli_progress_input(&pg, NULL);
    if (counted)
      fclose(counted); /* counts a last line without its newline */
    cli_close_input(in);
    for (size_t k = 0; chunked && k < r.nreports; k++) {
      thbx_error_t lerr;
      thbx_error_clear(&lerr);
      if (thbx_report_input_end(r.reports[k], path, lines, f == THBX_FORMAT_CSV,
                                rc == THBX_OK && !cli_interrupted, &lerr) != THBX_OK) {
        cli_report(&lerr);
        status = EXIT_USAGE;
        goto abort;
      }
    }
    if (cli_interrupted || rc == THBX_EINTR) {
      interrupted = 1;
    } else if (rc == THBX_EFATAL || rc == THBX_EIO || rc == THBX_ELIMIT || rc == THBX_EPARSE) {
      /* once: the text report on the terminal shows an issue of the input */
      if (!text_on_stdout || after.file_issues == before.file_issues)
        cli_report(&err);
      fatal = 1;
    } else if (rc != THBX_OK) {
      cli_report(&err);
      status = EXIT_USAGE;
      goto abort;
    }
  }
  cli_progress_end(&pg);
  if (interrupted) {
    status = cli_interrupt_exit();
    goto abort;
  }
  thbx_error_clear(&err);
  if (thbx_pipeline_finish(r.p, !fatal, &err) != THBX_OK) {
    cli_report(&err);
    status = EXIT_USAGE;
    goto abort;
  }
  for (size_t i = 0; i < r.nreports; i++)
    if (thbx_report_finish(r.reports[i], &err) != THBX_OK) {
      cli_report(&err);
      status = EXIT_USAGE;
      goto abort;
    }
  thbx_report_summary_t s;
  thbx_report_get_summary(r.reports[0], &s);
  status = fatal ? EXIT_USAGE : s.invalid > 0 || s.errors > 0 ? EXIT_INVALID : EXIT_VALID;
  if (!fatal && s.records == 0 && !a.allow_empty) {
    cli_error("no records: an empty submission is not a valid dataset (--allow-empty accepts "
              "it)");
    status = EXIT_INVALID;
  }
  for (size_t i = 0; i < r.nreports; i++)
    if (cli_output_commit(&r.outs[i]) != 0)
      status = EXIT_USAGE;
  if (fatal) {
    /* an input was not read to its end: accepted + rejected would not be
     * the input, so leave no such files behind, not even an earlier run's */
    if (r.acc.fp || r.rej.fp)
      cli_error("--accept/--reject files not written: an input could not be read to its end");
    cli_output_abort(&r.acc);
    cli_output_abort(&r.rej);
    remove_stale(a.accept);
    remove_stale(a.reject);
  } else if ((r.acc.fp && cli_output_commit(&r.acc) != 0) |
             (r.rej.fp && cli_output_commit(&r.rej) != 0)) {
    status = EXIT_USAGE;
  }
  run_free(&r, 0);
  free(a.schemas);
  free(a.report_files);
  free(a.report_formats);
  return status;
abort:
  run_free(&r, 1);
  if (status == EXIT_USAGE) {
    /* nothing of an earlier run stays looking current: no file was written */
    remove_stale(a.output);
    for (size_t i = 0; i < a.nreports; i++)
      remove_stale(a.report_files[i]);
    remove_stale(a.accept);
    remove_stale(a.reject);
  }
  free(a.schemas);
  free(a.report_files);
  free(a.report_formats);
  return status;
}
