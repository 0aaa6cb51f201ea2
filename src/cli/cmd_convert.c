/*
 * cmd_convert.c - `thbx convert`: read records from INPUT... in one format
 * and write them in another, through libthbx's reader and writer, one
 * record at a time. Options, messages, progress and the exit code live
 * here; everything else is in the library.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Usage: thbx convert -t FORMAT [OPTIONS] [INPUT...]\n"
    "\n"
    "Convert records between JSON, NDJSON, CSV and XML, one record at a time.\n"
    "INPUT is a file, or '-' (the default) for standard input; several inputs\n"
    "are read one after another into one output.\n"
    "\n"
    "Options:\n"
    "  -f, --from FORMAT        input format: json, ndjson, csv or xml (default: from\n"
    "                           the file extension, else sniffed from the first bytes)\n"
    "  -t, --to FORMAT          output format: json, ndjson, csv or xml (required)\n"
    "  -o, --output FILE        write to FILE (default: standard output); a regular\n"
    "                           file is written to a temporary file and renamed\n"
    "  -p, --profile NAME|FILE  profile directing the conversion (default " THBX_DEFAULT_PROFILE
    ");\n"
    "                           'none' converts generically\n"
    "  -c, --compact            JSON and XML without indentation\n"
    "      --delimiter C        CSV field delimiter ('tab' for a tab; default: ',' or,\n"
    "                           reading, ';' or a tab when the header line has more\n"
    "                           of them; a tab for a .tsv file)\n"
    "      --list-sep C         CSV separator of array items (default '|')\n"
    "      --columns A,B,C      CSV columns to write, in this order (default: every\n"
    "                           leaf path of the profile, in schema order)\n"
    "      --csv-safe           neutralise CSV cells starting with = + - @\n"
    "      --fail-fast          stop at the first record that cannot be converted\n"
    "                           (the output is then not committed)\n"
    ;
static const char help_tail[] =
    "  -q, --quiet              no progress display\n"
    "      --progress           progress on standard error even if it is not a terminal\n"
    "  -h, --help               show this help\n"
    "\n"
    "A record that cannot be converted is reported as FILE:LINE:COL: error: ...\n"
    "and skipped; conversion goes on with the next record.\n"
    "\n"
    "Examples:\n"
    "  thbx convert samples/events.xml -t json\n"
    "  thbx convert export.csv -t xml -o events.xml\n"
    "  thbx convert -f ndjson -t csv --columns record_id,person.sex < in.ndjson\n"
    "  cat a.json b.json | thbx convert -t ndjson -\n"
    "  thbx convert --profile none data.xml -t json\n"
    "\n"
    "Exit status: 0 all records converted, 1 some records could not be converted,\n"
    "2 usage error, unreadable input, unwritable output or broken profile.\n";

struct opts {
  thbx_format from, to;
  const char *output;
  const char *profile;
  int compact, csv_safe, fail_fast, quiet, progress;
  char delimiter, list_sep; /* delimiter 0: detected (reading), ',' or tab for .tsv (writing) */
  const char *columns;
  thbx_limits_t limits;
  struct cli_input in;
};

struct progress {
  int on;
  struct timespec start, last;
  long records;
  long long bytes_done; /* inputs finished */
};

static double seconds(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_show(struct progress *p, FILE *in, int final) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!final && seconds(&p->last, &now) < 1.0)
    return;
  p->last = now;
  double t = seconds(&p->start, &now);
  long long pos = in ? ftello(in) : 0;
  double mb = (double)(p->bytes_done + (pos > 0 ? pos : 0)) / 1e6;
  fprintf(stderr, "\rthbx: %ld records, %.1f MB, %.0f records/s, %.1f MB/s   %s", p->records, mb,
          t > 0 ? (double)p->records / t : 0.0, t > 0 ? mb / t : 0.0, final ? "\n" : "");
  fflush(stderr);
}

/* Report a record the writer refused, at the record's place in the input. */
static void report_write_error(thbx_error_t *err, const thbx_record_t *rec, thbx_format to) {
  char text[THBX_ERROR_TEXT_LENGTH];
  const char *path = err->instance_path;
  size_t plen = strlen(path);
  if (plen && strncmp(err->text, path, plen) == 0)
    path = ""; /* the text names the path already */
  snprintf(text, sizeof(text), "cannot be written as %.6s: %.180s%s%.280s", thbx_format_name(to),
           path, path[0] ? ": " : "", err->text);
  err->instance_path[0] = '\0';
  memcpy(err->text, text, sizeof(err->text));
  snprintf(err->source, sizeof(err->source), "%.200s", rec->source ? rec->source : "-");
  err->line = rec->line;
  err->column = rec->column;
  cli_report(err);
}

enum { RUN_OK, RUN_RECORDS_FAILED, RUN_STOP, RUN_FATAL };

/* Convert one input into the writer. */
static int convert_one(const struct opts *o, const thbx_profile_t *profile, const char *path,
                       thbx_writer_t *w, struct progress *pg, long *failed) {
  FILE *in = cli_open_input(path);
  if (!in)
    return RUN_FATAL;
  const char *source = path ? path : "-";
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = o->from;
  if (ro.format == THBX_FORMAT_AUTO && strcmp(source, "-") != 0)
    ro.format = thbx_format_from_path(source);
  ro.profile = profile;
  ro.delimiter = o->delimiter;
  ro.list_separator = o->list_sep;
  ro.limits = o->limits;
  cli_input_apply(&o->in, &ro);
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  int rc = thbx_reader_open(&r, in, source, &ro, &err);
  if (rc != THBX_OK) {
    if (rc == THBX_EFATAL) {
      /* unreadable input (e.g. a CSV header naming columns the profile does
       * not have): exit 2, and no output that looks complete */
      cli_report(&err);
      cli_close_input(in);
      return RUN_FATAL;
    }
    if (rc == THBX_EPARSE || rc == THBX_ELIMIT) {
      cli_report(&err); /* broken at its start: bad data */
      (*failed)++;
      cli_close_input(in);
      return o->fail_fast ? RUN_STOP : RUN_RECORDS_FAILED;
    }
    cli_report(&err);
    cli_close_input(in);
    return RUN_FATAL;
  }
  int result = RUN_OK;
  for (;;) {
    thbx_record_t rec;
    rc = thbx_reader_next(r, &rec, &err);
    if (rc == THBX_EOF)
      break;
    const thbx_error_t *cells = NULL;
    size_t ncells = 0;
    if (rc == THBX_OK && thbx_reader_cell_errors(r, &cells, &ncells) == THBX_OK && ncells) {
      /* CSV cells that are not of their type: the record is not converted
       * (as validate refuses it), every bad cell said */
      for (size_t i = 0; i < ncells; i++)
        cli_report(&cells[i]);
      json_decref(rec.value);
      (*failed)++;
      result = RUN_RECORDS_FAILED;
      if (o->fail_fast) {
        result = RUN_STOP;
        break;
      }
      continue;
    }
    if (rc == THBX_OK) {
      int wrc = thbx_writer_write(w, rec.value, &err);
      if (wrc != THBX_OK) {
        if (wrc != THBX_EPARSE) {
          cli_report(&err);
          json_decref(rec.value);
          result = RUN_FATAL;
          break;
        }
        report_write_error(&err, &rec, o->to);
        (*failed)++;
        result = RUN_RECORDS_FAILED;
      }
      json_decref(rec.value);
      pg->records++;
      if (pg->on && (pg->records & 1023) == 0)
        progress_show(pg, in, 0);
      if (wrc != THBX_OK && o->fail_fast) {
        result = RUN_STOP;
        break;
      }
      continue;
    }
    cli_report(&err);
    if (rc == THBX_EFATAL) {
      /* the rest of the input cannot be read (XML not well formed, a JSON
       * syntax error): unreadable input, exit 2, no partial output file */
      (*failed)++;
      result = RUN_FATAL;
      break;
    }
    if (rc == THBX_EPARSE || rc == THBX_ELIMIT) {
      (*failed)++;
      result = RUN_RECORDS_FAILED;
      if (o->fail_fast) {
        result = RUN_STOP;
        break;
      }
      continue;
    }
    result = RUN_FATAL; /* EIO, ENOMEM */
    break;
  }
  if (pg->on) {
    long long pos = ftello(in);
    if (pos > 0)
      pg->bytes_done += pos;
  }
  thbx_reader_free(r);
  cli_close_input(in);
  return result;
}

static int parse_options(int argc, char **argv, struct opts *o, int *first_input) {
  enum {
    OPT_DELIM = 256,
    OPT_LISTSEP,
    OPT_COLUMNS,
    OPT_CSVSAFE,
    OPT_FAILFAST,
    OPT_PROGRESS
  };
  static const struct option options[] = {{"from", required_argument, NULL, 'f'},
                                          {"to", required_argument, NULL, 't'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"profile", required_argument, NULL, 'p'},
                                          {"compact", no_argument, NULL, 'c'},
                                          {"delimiter", required_argument, NULL, OPT_DELIM},
                                          {"list-sep", required_argument, NULL, OPT_LISTSEP},
                                          {"columns", required_argument, NULL, OPT_COLUMNS},
                                          {"csv-safe", no_argument, NULL, OPT_CSVSAFE},
                                          {"fail-fast", no_argument, NULL, OPT_FAILFAST},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"progress", no_argument, NULL, OPT_PROGRESS},
                                          CLI_LIMIT_OPTIONS,
                                          CLI_INPUT_OPTIONS,
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof(*o));
  o->profile = THBX_DEFAULT_PROFILE;
  o->list_sep = '|';
  thbx_limits_default(&o->limits);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":f:t:o:p:cqh", options, NULL)) != -1) {
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
    case 'p': o->profile = optarg; break;
    case 'c': o->compact = 1; break;
    case 'q': o->quiet = 1; break;
    case OPT_PROGRESS: o->progress = 1; break;
    case OPT_CSVSAFE: o->csv_safe = 1; break;
    case OPT_FAILFAST: o->fail_fast = 1; break;
    case OPT_COLUMNS: o->columns = optarg; break;
    case OPT_DELIM:
      if (cli_parse_char("convert", "--delimiter", optarg, &o->delimiter) != 0)
        return EXIT_USAGE;
      break;
    case OPT_LISTSEP:
      if (cli_parse_char("convert", "--list-sep", optarg, &o->list_sep) != 0)
        return EXIT_USAGE;
      break;
    case 'h':
      fputs(help, stdout);
      fputs(cli_limits_help, stdout);
      fputs(cli_input_help, stdout);
      fputs(help_tail, stdout);
      return -1;
    case ':': return cli_usage_error("convert", "option '%s' needs a value", argv[optind - 1]);
    default: {
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
  if ((o->columns || o->csv_safe) && o->to != THBX_FORMAT_CSV)
    cli_warning("--columns and --csv-safe apply to CSV output only; ignored for %s",
                thbx_format_name(o->to));
  if (o->delimiter == o->list_sep || (!o->delimiter && o->list_sep == ','))
    return cli_usage_error("convert", "--delimiter and --list-sep must differ");
  *first_input = optind;
  return 0;
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
  int stdin_uses = 0;
  for (int i = first; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      stdin_uses++;
      continue;
    }
    struct stat st;
    if (stat(argv[i], &st) != 0 || access(argv[i], R_OK) != 0) {
      cli_error("%s: %s", argv[i], strerror(errno));
      return EXIT_USAGE;
    }
    if (S_ISDIR(st.st_mode)) {
      cli_error("%s: is a directory", argv[i]);
      return EXIT_USAGE;
    }
  }
  if (stdin_uses > 1)
    return cli_usage_error("convert", "standard input '-' can be read only once");

  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_profile_t *profile = NULL;
  if (thbx_profile_load(o.profile, &profile, &err) != THBX_OK) {
    cli_report(&err);
    return EXIT_USAGE;
  }
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
  thbx_writer_t *w = NULL;
  if (thbx_writer_open(&w, out.fp, &wo, &err) != THBX_OK) {
    cli_report(&err);
    cli_output_abort(&out);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }

  struct progress pg = {0};
  pg.on = !o.quiet && (o.progress || cli_isatty(stderr));
  clock_gettime(CLOCK_MONOTONIC, &pg.start);
  pg.last = pg.start;
  if (pg.on && !o.progress) {
    /* a terminal: only worth it when the input is large; the first display
     * waits a second anyway, so small inputs never show it */
    pg.last.tv_sec += 1;
  }
  long failed = 0;
  int result = RUN_OK;
  if (first == argc) {
    result = convert_one(&o, profile, NULL, w, &pg, &failed);
  } else {
    for (int i = first; i < argc && result != RUN_STOP && result != RUN_FATAL; i++) {
      int rc =
          convert_one(&o, profile, strcmp(argv[i], "-") == 0 ? NULL : argv[i], w, &pg, &failed);
      if (rc > result)
        result = rc;
    }
  }
  if (pg.on && pg.records > 0)
    progress_show(&pg, NULL, 1);

  int code = failed ? EXIT_INVALID : EXIT_VALID;
  if (result == RUN_FATAL && !out.tmp) {
    /* standard output or a pipe: what converted before the input broke is
     * written out (a file given with -o is never committed half done) */
    code = EXIT_USAGE;
    thbx_writer_finish(w, &err);
    thbx_writer_free(w);
    if (cli_output_commit(&out) != 0)
      code = EXIT_USAGE;
  } else if (result == RUN_FATAL || result == RUN_STOP) {
    if (result == RUN_FATAL)
      code = EXIT_USAGE;
    thbx_writer_free(w);
    cli_output_abort(&out);
  } else {
    int frc = thbx_writer_finish(w, &err);
    thbx_writer_free(w);
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
  thbx_profile_free(profile);
  return code;
}
