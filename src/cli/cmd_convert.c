/*
 * cmd_convert.c - `thbx convert`: read records from INPUT... in one format
 * and write them in another. A configuration of libthbx's pipeline:
 * source -> convert stage -> writer sink (+ the messages sink that prints
 * what could not be converted). Options, messages, progress and the exit
 * code live here; everything else is in the library.
 */
#include "cli.h"
#include "cli_map.h"
#include "cli_records.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opts {
  thbx_format from, to;
  const char *output;
  const char *profile;
  int compact, csv_safe, no_header, fail_fast, quiet, progress, jobs, redact;
  char delimiter, list_sep; /* delimiter 0: detected (reading), ',' or tab for .tsv (writing) */
  const char *columns;
  thbx_limits_t limits;
  struct cli_input in;
  struct cli_map map; /* -m, --reverse, --xslt, ... (cli_map.c) */
  int delimiter_set;
};

static int parse_options(int argc, char **argv, struct opts *o, int *first_input) {
  enum {
    OPT_DELIM = 256,
    OPT_LISTSEP,
    OPT_COLUMNS,
    OPT_CSVSAFE,
    OPT_FAILFAST,
    OPT_PROGRESS,
    OPT_NOHEADER,
    OPT_REDACT
  };
  /* -j/--jobs */
  static const struct option options[] = {{"from", required_argument, NULL, 'f'},
                                          {"to", required_argument, NULL, 't'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"profile", required_argument, NULL, 'p'},
                                          {"compact", no_argument, NULL, 'c'},
                                          {"delimiter", required_argument, NULL, OPT_DELIM},
                                          {"list-sep", required_argument, NULL, OPT_LISTSEP},
                                          {"columns", required_argument, NULL, OPT_COLUMNS},
                                          {"csv-safe", no_argument, NULL, OPT_CSVSAFE},
                                          {"no-header", no_argument, NULL, OPT_NOHEADER},
                                          {"fail-fast", no_argument, NULL, OPT_FAILFAST},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"progress", no_argument, NULL, OPT_PROGRESS},
                                          {"redact", no_argument, NULL, OPT_REDACT},
                                          {"jobs", required_argument, NULL, 'j'},
                                          CLI_LIMIT_OPTIONS,
                                          CLI_INPUT_OPTIONS,
                                          CLI_MAP_OPTIONS,
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof(*o));
  o->profile = THBX_DEFAULT_PROFILE;
  o->list_sep = '|';
  o->jobs = 1;
  thbx_limits_default(&o->limits);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":f:t:o:p:j:m:cqh", options, NULL)) != -1) {
    switch (c) {
    case 'f':
    case 't': {
      thbx_format f = thbx_format_from_name(optarg);
      if (f == THBX_FORMAT_AUTO)
        return cli_usage_error("convert", "unknown format '%s' (json, ndjson, csv or xml)", optarg);
      if (c == 'f')
        o->from = f;
      else
        o->to = f;
      break;
    }
    case 'o': o->output = optarg; break;
    case 'j':
      if (cli_parse_jobs("convert", optarg, &o->jobs) != 0)
        return EXIT_USAGE;
      break;
    case 'p': o->profile = optarg; break;
    case 'c': o->compact = 1; break;
    case 'q': o->quiet = 1; break;
    case OPT_REDACT: o->redact = 1; break;
    case OPT_PROGRESS: o->progress = 1; break;
    case OPT_CSVSAFE: o->csv_safe = 1; break;
    case OPT_NOHEADER: o->no_header = 1; break;
    case OPT_FAILFAST: o->fail_fast = 1; break;
    case OPT_COLUMNS:
      if (!*optarg)
        return cli_usage_error("convert", "--columns wants column names (A,B,C), not ''");
      o->columns = optarg;
      break;
    case OPT_DELIM:
      if (cli_parse_char("convert", "--delimiter", optarg, &o->delimiter) != 0)
        return EXIT_USAGE;
      o->delimiter_set = 1;
      break;
    case OPT_LISTSEP:
      if (cli_parse_char("convert", "--list-sep", optarg, &o->list_sep) != 0)
        return EXIT_USAGE;
      break;
    case 'h': fputs(cli_help_convert, stdout); return -1;
    case ':': return cli_usage_error("convert", "option '%s' needs a value", argv[optind - 1]);
    case CLI_OPT_REGEX_LIMIT:
      return cli_usage_error("convert", "--regex-match-limit applies to validate only (convert "
                                        "checks no schema)");
    default: {
      int mrc = cli_map_option("convert", c, optarg, &o->map);
      if (mrc != 1) {
        if (mrc != 0)
          return mrc;
        break;
      }
      int lrc = cli_limit_option("convert", c, optarg, &o->limits);
      if (lrc == 1)
        lrc = cli_input_option("convert", c, optarg, &o->in);
      if (lrc == 1)
        return cli_usage_error("convert", "unknown option '%s'", argv[optind - 1]);
      if (lrc != 0)
        return lrc;
    }
    }
  }
  if (o->to == THBX_FORMAT_AUTO)
    return cli_usage_error("convert", "the output format is required: -t json|ndjson|csv|xml");
  if ((o->columns || o->csv_safe || o->no_header) && o->to != THBX_FORMAT_CSV)
    cli_warning("--columns, --csv-safe and --no-header apply to CSV output only; ignored for %s",
                thbx_format_name(o->to));
  if (o->delimiter == o->list_sep || (!o->delimiter && o->list_sep == ','))
    return cli_usage_error("convert", "--delimiter and --list-sep must differ");
  *first_input = optind;
  return 0;
}

enum { RUN_OK, RUN_RECORDS_FAILED, RUN_STOP, RUN_FATAL, RUN_INTERRUPTED };

/* Convert one input through the pipeline. */
static int convert_one(const struct opts *o, thbx_pipeline_t *p, const char *path,
                       cli_progress_t *pg, long *failed) {
  FILE *in = cli_open_input(path);
  if (!in)
    return RUN_FATAL;
  const char *source = path ? path : "-";
  thbx_format f = o->from;
  thbx_reader_options_t mro;
  thbx_reader_options_default(&mro);
  mro.delimiter = o->delimiter;
  cli_map_reader(&o->map, &mro); /* a national format: the mapping says how it is read */
  if (f == THBX_FORMAT_AUTO)
    f = mro.format;
  if (f == THBX_FORMAT_AUTO && strcmp(source, "-") != 0)
    f = thbx_format_from_path(source);
  mro.format = f;
  if (cli_map_check_input(&o->map, path, &mro) != 0) {
    cli_close_input(in);
    return RUN_FATAL;
  }
  cli_note_terminal_input(in);
  cli_progress_input(pg, in);
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_pipeline_run(p, in, source, f, &err);
  cli_progress_input(pg, NULL);
  cli_close_input(in);
  if (cli_interrupted || rc == THBX_EINTR)
    return RUN_INTERRUPTED;
  switch (rc) {
  case THBX_OK: return thbx_pipeline_stopped(p) ? RUN_STOP : RUN_OK;
  case THBX_EPARSE:
  case THBX_ELIMIT:
    /* broken at its start: bad data */
    cli_report(&err);
    (*failed)++;
    return o->fail_fast ? RUN_STOP : RUN_RECORDS_FAILED;
  case THBX_EFATAL:
    /* the rest of the input cannot be read (XML not well formed, a JSON
     * syntax error, a CSV header naming columns the profile does not have):
     * unreadable input, exit 2, no partial output file */
    cli_report(&err);
    (*failed)++;
    return RUN_FATAL;
  default: cli_report(&err); return RUN_FATAL; /* EIO, ENOMEM */
  }
}

int cmd_convert(int argc, char **argv) {
  struct opts o;
  int first = 0;
  int prc = parse_options(argc, argv, &o, &first);
  if (prc == -1)
    return EXIT_VALID; /* --help */
  if (prc != 0)
    return prc;
  /* every named input must be readable before anything is written */
  if (cli_inputs_check("convert", argc, argv, first, o.output) != 0)
    return EXIT_USAGE;

  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_profile_t *profile = NULL;
  if (cli_profile_load(o.profile, &profile, &err) != THBX_OK)
    return EXIT_USAGE;
  int mrc = cli_map_setup(&o.map, profile);
  if (mrc != 0) {
    cli_map_free(&o.map);
    thbx_profile_free(profile);
    return mrc;
  }
  if (o.map.out_xslt && o.to != THBX_FORMAT_XML) {
    cli_map_free(&o.map);
    thbx_profile_free(profile);
    return cli_usage_error("convert", "--xslt-out applies to XML output (-t xml)");
  }
  cli_signals_install();
  cli_output_t out;
  if (cli_output_open(&out, o.output) != 0) {
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = o.to;
  wo.profile = profile;
  wo.compact = o.compact;
  wo.delimiter = o.delimiter ? o.delimiter : thbx_path_is_tsv(o.output) ? '\t' : ',';
  wo.list_separator = o.list_sep;
  wo.columns = o.columns;
  wo.csv_safe = o.csv_safe;
  wo.no_header = o.no_header;
  if (o.map.map && o.map.reverse) {
    /* the national format: spelled generically, in the mapping's columns */
    wo.profile = NULL;
    if (!wo.columns)
      wo.columns = thbx_mapping_columns(o.map.map);
    if (!o.delimiter_set && thbx_mapping_delimiter(o.map.map))
      wo.delimiter = thbx_mapping_delimiter(o.map.map);
    thbx_mapping_xml_names(o.map.map, &wo.xml_root, &wo.xml_record);
  }
  thbx_writer_t *w = NULL;
  thbx_pipeline_t *p = NULL;
  if (thbx_writer_open(&w, out.fp, &wo, &err) != THBX_OK) {
    cli_report(&err);
    cli_output_abort(&out);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  cli_progress_t pg;
  cli_progress_start(&pg, !o.quiet && (o.progress || cli_isatty(stderr)), o.progress);
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  po.profile = profile;
  po.reader.delimiter = o.delimiter;
  cli_map_reader(&o.map, &po.reader);
  if (!o.delimiter_set && o.map.map && !o.map.reverse && thbx_mapping_delimiter(o.map.map))
    po.reader.delimiter = thbx_mapping_delimiter(o.map.map);
  po.read_generic = (o.map.map && !o.map.reverse) || o.map.nxslt;
  po.reader.list_separator = o.list_sep;
  po.reader.limits = o.limits;
  cli_input_apply(&o.in, &po.reader);
  po.jobs = o.jobs;
  cli_alloc_jobs(o.jobs);
  po.fail_fast = o.fail_fast;
  po.interrupted = &cli_interrupted;
  int prc2 = thbx_pipeline_new(&p, &po, &err);
  if (prc2 == THBX_OK && o.map.out_xslt) {
    if (cli_map_add_stages(&o.map, p) != 0)
      prc2 = THBX_EINVAL;
    else
      prc2 = thbx_pipeline_add_xslt_writer(p, w, o.map.out_xslt, &err);
  } else if (prc2 == THBX_OK) {
    prc2 = thbx_pipeline_add_writer(p, w, &err);
    /* stages added after the writer run before its spelling stage */
    if (prc2 == THBX_OK && cli_map_add_stages(&o.map, p) != 0)
      prc2 = THBX_EINVAL;
  }
  if (prc2 != THBX_OK || cli_add_messages(p, &pg, 1, o.redact, &err) != THBX_OK) {
    if (prc2 != THBX_EINVAL)
      cli_report(&err);
    cli_map_free(&o.map);
    thbx_pipeline_free(p);
    thbx_writer_free(w);
    cli_output_abort(&out);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }

  long failed = 0;
  int result = RUN_OK;
  if (first == argc) {
    result = convert_one(&o, p, NULL, &pg, &failed);
  } else {
    for (int i = first; i < argc && result != RUN_STOP && result < RUN_FATAL; i++) {
      int rc = convert_one(&o, p, strcmp(argv[i], "-") == 0 ? NULL : argv[i], &pg, &failed);
      if (rc > result)
        result = rc;
    }
  }
  cli_progress_end(&pg);
  thbx_pipeline_stats_t stats;
  thbx_pipeline_get_stats(p, &stats);
  failed += stats.rejected;

  int code = failed ? EXIT_INVALID : EXIT_VALID;
  if (result == RUN_INTERRUPTED) {
    thbx_pipeline_finish(p, 0, &err);
    cli_output_abort(&out);
    code = cli_interrupt_exit();
  } else if ((result == RUN_FATAL || result == RUN_STOP) && !out.tmp) {
    /* standard output or a pipe: what converted before the input broke is
     * written out, visibly unfinished (a file given with -o is never
     * committed half done) */
    if (result == RUN_FATAL)
      code = EXIT_USAGE;
    thbx_pipeline_finish(p, 0, &err);
    if (cli_output_commit(&out) != 0)
      code = EXIT_USAGE;
  } else if (result == RUN_FATAL || result == RUN_STOP) {
    if (result == RUN_FATAL)
      code = EXIT_USAGE;
    cli_output_abort(&out);
  } else {
    int frc = thbx_pipeline_finish(p, 1, &err);
    if (frc != THBX_OK) {
      if (!err.source[0])
        snprintf(err.source, sizeof(err.source), "%.200s", o.output ? o.output : "stdout");
      cli_report(&err);
      cli_output_abort(&out);
      code = EXIT_USAGE;
    } else if (cli_output_commit(&out) != 0) {
      code = EXIT_USAGE;
    }
  }
  thbx_pipeline_free(p);
  thbx_writer_free(w);
  if (cli_map_finish(&o.map, code == EXIT_VALID || code == EXIT_INVALID) != 0)
    code = EXIT_USAGE;
  cli_map_free(&o.map);
  thbx_profile_free(profile);
  return code;
}
