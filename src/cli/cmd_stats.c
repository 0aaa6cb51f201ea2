/*
 * cmd_stats.c - `thbx stats`: counts grouped by 1 to 3 paths with small
 * cells suppressed (primary and secondary), as CSV, JSON, Markdown or
 * HTML, and the certificate of that suppression; `thbx stats --verify`
 * checks a certificate. A configuration of libthbx's pipeline: readers ->
 * the messages sink (unreadable records on stderr) -> the stats sink
 * (src/lib/privacy), which counts, suppresses and writes when the run is
 * complete. Options, messages and the exit code live here.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct opts {
  char *by[4];
  size_t nby;
  char *by_copy;
  const char *distinct, *output, *certificate, *verify, *published, *profile;
  long min_cell;
  int totals, quiet, jobs;
  int format;
  thbx_format from;
  char delimiter, list_sep;
  thbx_limits_t limits;
};

static int add_by(struct opts *o, const char *arg) {
  size_t len = o->by_copy ? strlen(o->by_copy) : 0;
  char *copy = realloc(o->by_copy, len + strlen(arg) + 2);
  if (!copy)
    return -1;
  if (len)
    copy[len++] = ',';
  strcpy(copy + len, arg);
  o->by_copy = copy;
  return 0;
}

static int split_by(struct opts *o) {
  o->nby = 0;
  for (char *p = o->by_copy, *save = NULL, *tok; (tok = strtok_r(p, ",", &save)); p = NULL) {
    if (o->nby == 3)
      return cli_usage_error("stats", "--by takes 1 to 3 paths");
    o->by[o->nby++] = tok;
  }
  if (o->nby == 0)
    return cli_usage_error("stats", "--by needs at least one path");
  return 0;
}

static int parse_options(int argc, char **argv, struct opts *o, int *first) {
  enum { OPT_DISTINCT = 256, OPT_TOTALS, OPT_CERT, OPT_VERIFY, OPT_DELIM, OPT_LISTSEP, OPT_PUB };
  static const struct option options[] = {{"by", required_argument, NULL, 'b'},
                                          {"distinct", required_argument, NULL, OPT_DISTINCT},
                                          {"min-cell", required_argument, NULL, 'k'},
                                          {"totals", no_argument, NULL, OPT_TOTALS},
                                          {"format", required_argument, NULL, 'F'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"certificate", required_argument, NULL, OPT_CERT},
                                          {"verify", required_argument, NULL, OPT_VERIFY},
                                          {"published", required_argument, NULL, OPT_PUB},
                                          {"from", required_argument, NULL, 'f'},
                                          {"profile", required_argument, NULL, 'p'},
                                          {"delimiter", required_argument, NULL, OPT_DELIM},
                                          {"list-sep", required_argument, NULL, OPT_LISTSEP},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"jobs", required_argument, NULL, 'j'},
                                          CLI_LIMIT_OPTIONS,
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  o->profile = THBX_DEFAULT_PROFILE;
  o->min_cell = 5;
  o->delimiter = ',';
  o->list_sep = '|';
  o->format = THBX_STATS_CSV;
  o->jobs = 1;
  thbx_limits_default(&o->limits);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":b:k:F:o:f:p:j:qh", options, NULL)) != -1) {
    switch (c) {
    case 'b':
      if (add_by(o, optarg) != 0) {
        cli_error("out of memory");
        return EXIT_USAGE;
      }
      break;
    case OPT_DISTINCT: o->distinct = optarg; break;
    case 'k': {
      char *end;
      errno = 0;
      long k = strtol(optarg, &end, 10);
      if (errno || *end || end == optarg || k < 1 || k > 1000000)
        return cli_usage_error("stats", "--min-cell wants a whole number from 1, not '%s'", optarg);
      o->min_cell = k;
      break;
    }
    case OPT_TOTALS: o->totals = 1; break;
    case 'F':
      o->format = thbx_stats_format_from_name(optarg);
      if (o->format < 0)
        return cli_usage_error("stats", "unknown format '%s' (csv, json, md or html)", optarg);
      break;
    case 'o': o->output = optarg; break;
    case OPT_CERT: o->certificate = optarg; break;
    case OPT_VERIFY: o->verify = optarg; break;
    case OPT_PUB: o->published = optarg; break;
    case 'f':
      o->from = thbx_format_from_name(optarg);
      if (o->from == THBX_FORMAT_AUTO)
        return cli_usage_error("stats", "unknown format '%s' (json, ndjson, csv or xml)", optarg);
      break;
    case 'p': o->profile = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'j':
      if (cli_parse_jobs("stats", optarg, &o->jobs) != 0)
        return EXIT_USAGE;
      break;
    case OPT_DELIM:
      if (cli_parse_char("stats", "--delimiter", optarg, &o->delimiter) != 0)
        return EXIT_USAGE;
      break;
    case OPT_LISTSEP:
      if (cli_parse_char("stats", "--list-sep", optarg, &o->list_sep) != 0)
        return EXIT_USAGE;
      break;
    case 'h': fputs(cli_help_stats, stdout); return -1;
    case ':': return cli_usage_error("stats", "option '%s' needs a value", argv[optind - 1]);
    default: {
      int lrc = cli_limit_option("stats", c, optarg, &o->limits);
      if (lrc == 1)
        return cli_usage_error("stats", "unknown option '%s'", argv[optind - 1]);
      if (lrc != 0)
        return lrc;
    }
    }
  }
  *first = optind;
  if (o->verify) {
    if (o->by_copy || o->distinct || o->certificate || optind < argc)
      return cli_usage_error("stats", "--verify takes a certificate (and --published) only");
    return 0;
  }
  if (o->published)
    return cli_usage_error("stats", "--published goes with --verify");
  if (!o->by_copy)
    return cli_usage_error("stats", "--by PATH[,PATH...] is required");
  if (o->delimiter == o->list_sep)
    return cli_usage_error("stats", "--delimiter and --list-sep must differ");
  return split_by(o);
}

/* The rows of a published table: the JSON output's cells, or the CSV
 * output read generically (one object per row). NULL and a message if it
 * cannot be read. */
static json_t *published_rows(const char *path) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr);
  if (doc) {
    json_t *cells = json_incref(json_object_get(doc, "cells"));
    json_decref(doc);
    if (!json_is_array(cells)) {
      json_decref(cells);
      cli_error("%s: a JSON publication of thbx stats has \"cells\"", path);
      return NULL;
    }
    return cells;
  }
  FILE *in = cli_open_input(path);
  if (!in)
    return NULL;
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = THBX_FORMAT_CSV;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  json_t *rows = json_array();
  if (!rows || thbx_reader_open(&r, in, path, &ro, &err) != THBX_OK) {
    cli_report(&err);
    json_decref(rows);
    cli_close_input(in);
    return NULL;
  }
  for (;;) {
    thbx_record_t rec;
    int rc = thbx_reader_next(r, &rec, &err);
    if (rc == THBX_EOF)
      break;
    if (rc != THBX_OK) {
      cli_report(&err);
      json_decref(rows);
      rows = NULL;
      break;
    }
    json_array_append_new(rows, rec.value);
  }
  thbx_reader_free(r);
  cli_close_input(in);
  return rows;
}

static int verify(const char *path, const char *published) {
  json_error_t jerr;
  json_t *cert =
      strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
  if (!cert) {
    if (jerr.line > 0)
      fprintf(stderr, "%s:%d:%d: error: %s\n", path, jerr.line, jerr.column, jerr.text);
    else
      fprintf(stderr, "%s: error: %s\n", path, jerr.text);
    return EXIT_USAGE;
  }
  thbx_stats_verdict_t v;
  thbx_error_t err;
  thbx_error_clear(&err);
  if (thbx_stats_verify(cert, &v, &err) != THBX_OK) {
    json_decref(cert);
    cli_report(&err);
    return EXIT_USAGE;
  }
  long long k = (long long)json_integer_value(json_object_get(cert, "min_cell"));
  size_t own = json_array_size(v.problems); /* the certificate's; then the table's */
  if (published) {
    json_t *rows = published_rows(published);
    if (!rows) {
      json_decref(cert);
      json_decref(v.problems);
      return EXIT_USAGE;
    }
    thbx_stats_verify_published(cert, rows, &v, &err);
    json_decref(rows);
  }
  json_decref(cert);
  size_t n = json_array_size(v.problems);
  for (size_t i = 0; i < n; i++) {
    if (i < own)
      fprintf(stderr, "%s: unprotected: %s\n", path,
              json_string_value(json_array_get(v.problems, i)));
    else
      fprintf(stderr, "%s: differs from %s: %s\n", published, path,
              json_string_value(json_array_get(v.problems, i)));
  }
  if (n == 0)
    printf("%s: verified: %ld cells, %ld small cells (below %lld), each protected by two "
           "witnesses%s%s\n",
           path, v.cells, v.primary, k, published ? "; the table is exactly " : "",
           published ? published : "");
  else
    printf("%s: NOT verified: %zu problems (%ld of %ld small cells protected)\n", path, n,
           v.protected_cells, v.primary);
  json_decref(v.problems);
  return n == 0 ? EXIT_VALID : EXIT_INVALID;
}

enum { RUN_OK, RUN_FAILED, RUN_FATAL, RUN_INTERRUPTED };

/* Count one input: the pipeline reads it into the stats sink. */
static int count_one(const struct opts *o, thbx_pipeline_t *p, const char *path, long *failed) {
  FILE *in = cli_open_input(path);
  if (!in)
    return RUN_FATAL;
  const char *source = path ? path : "-";
  thbx_format f = o->from;
  if (f == THBX_FORMAT_AUTO && strcmp(source, "-") != 0)
    f = thbx_format_from_path(source);
  cli_note_terminal_input(in);
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_pipeline_run(p, in, source, f, &err);
  cli_close_input(in);
  if (cli_interrupted || rc == THBX_EINTR)
    return RUN_INTERRUPTED;
  switch (rc) {
  case THBX_OK: return RUN_OK;
  case THBX_EPARSE:
  case THBX_ELIMIT:
    cli_report(&err); /* broken at its start: bad data */
    (*failed)++;
    return RUN_FAILED;
  default:
    /* EFATAL: the rest of the input cannot be read; EINVAL: a group-by
     * path names an object; EIO, ENOMEM */
    cli_report(&err);
    return RUN_FATAL;
  }
}

static void summary(const struct opts *o, const thbx_stats_t *stats) {
  thbx_stats_summary_t sm;
  thbx_stats_get_summary(stats, &sm);
  if (sm.multi_valued)
    fprintf(stderr, "thbx: note: an array-valued path counts a record once per distinct value: "
                    "cells add up to more than the records\n");
  if (sm.overlap)
    fprintf(stderr, "thbx: note: a person is counted in several cells%s\n",
            o->totals ? "; margins are the sums of their cells" : "");
  if (sm.skipped)
    fprintf(stderr, "thbx: note: %ld records without a value of %s are not counted\n", sm.skipped,
            o->distinct);
  if (o->quiet)
    return;
  fprintf(stderr,
          "thbx: %ld records counted, %ld cells written, %ld suppressed (%ld below %ld, %ld to "
          "protect them)\n",
          sm.records, sm.cells, sm.primary + sm.secondary, sm.primary, o->min_cell, sm.secondary);
}

int cmd_stats(int argc, char **argv) {
  struct opts o;
  memset(&o, 0, sizeof(o));
  int first = 0;
  int prc = parse_options(argc, argv, &o, &first);
  if (prc != 0) {
    free(o.by_copy);
    return prc == -1 ? EXIT_VALID : prc;
  }
  if (o.verify)
    return verify(o.verify, o.published);
  int stdin_uses = 0;
  for (int i = first; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      stdin_uses++;
      continue;
    }
    struct stat st;
    if (stat(argv[i], &st) != 0 || access(argv[i], R_OK) != 0 || S_ISDIR(st.st_mode)) {
      cli_error("%s: %s", argv[i], S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
      free(o.by_copy);
      return EXIT_USAGE;
    }
  }
  if (stdin_uses > 1) {
    free(o.by_copy);
    return cli_usage_error("stats", "standard input '-' can be read only once");
  }
  int code = EXIT_USAGE;
  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_profile_t *profile = NULL;
  thbx_stats_t *stats = NULL;
  thbx_pipeline_t *p = NULL;
  cli_output_t out, cert;
  memset(&out, 0, sizeof(out));
  memset(&cert, 0, sizeof(cert));
  if (cli_profile_load(o.profile, &profile, &err) != THBX_OK)
    goto done;
  if (cli_output_open(&out, o.output) != 0)
    goto done;
  if (o.certificate) {
    if (cli_output_open(&cert, o.certificate) != 0)
      goto done;
    if (cert.tmp)
      fchmod(fileno(cert.fp), 0600); /* the true counts: for the publisher only */
  }
  thbx_stats_options_t so;
  thbx_stats_options_default(&so);
  so.by = (const char *const *)o.by;
  so.nby = o.nby;
  so.distinct = o.distinct;
  so.min_cell = o.min_cell;
  so.totals = o.totals;
  so.format = (thbx_stats_format)o.format;
  so.out = out.fp;
  so.certificate = o.certificate ? cert.fp : NULL;
  so.interrupted = &cli_interrupted;
  if (thbx_stats_new(&stats, &so, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  cli_signals_install();
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  po.profile = profile;
  po.reader.delimiter = o.delimiter;
  po.reader.list_separator = o.list_sep;
  po.reader.limits = o.limits;
  po.jobs = o.jobs;
  cli_alloc_jobs(o.jobs);
  po.interrupted = &cli_interrupted;
  if (thbx_pipeline_new(&p, &po, &err) != THBX_OK ||
      cli_add_messages(p, NULL, 1, 0, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  /* the pipeline owns the counting from here; `stats` stays readable until
   * the pipeline is freed */
  thbx_stats_t *counting = stats;
  stats = NULL;
  if (thbx_pipeline_add_sink(p, thbx_stats_sink_ops(), counting, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  long failed = 0;
  int result = RUN_OK;
  if (first == argc)
    result = count_one(&o, p, NULL, &failed);
  for (int i = first; i < argc && result < RUN_FATAL; i++) {
    int rc = count_one(&o, p, strcmp(argv[i], "-") == 0 ? NULL : argv[i], &failed);
    if (rc > result)
      result = rc;
  }
  thbx_pipeline_stats_t ps;
  thbx_pipeline_get_stats(p, &ps);
  failed += ps.rejected;
  if (result >= RUN_FATAL) {
    thbx_pipeline_finish(p, 0, &err); /* the sink writes nothing */
    if (result == RUN_INTERRUPTED)
      code = cli_interrupt_exit();
    goto done;
  }
  if (thbx_pipeline_finish(p, 1, &err) != THBX_OK) {
    if (cli_interrupted)
      code = cli_interrupt_exit();
    else
      cli_report(&err);
    goto done;
  }
  if (cli_output_commit(&out) != 0)
    goto done;
  if (o.certificate && cli_output_commit(&cert) != 0)
    goto done;
  summary(&o, counting);
  if (failed)
    cli_warning("%ld records could not be read and are not counted", failed);
  code = failed ? EXIT_INVALID : EXIT_VALID;
done:
  if (code != EXIT_VALID && code != EXIT_INVALID) {
    if (out.fp)
      cli_output_abort(&out);
    if (cert.fp)
      cli_output_abort(&cert);
  }
  thbx_pipeline_free(p);
  thbx_stats_free(stats);
  thbx_profile_free(profile);
  free(o.by_copy);
  return code;
}
