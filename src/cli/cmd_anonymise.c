/*
 * cmd_anonymise.c - `thbx anonymise`: a k-anonymous release of person-level
 * records. The work is libthbx's thbx_anonymiser_* (src/lib/privacy/); this
 * file parses options, reads every input twice (pass 1 counts, pass 2
 * writes: a named file is rewound, standard input and other streams are
 * spooled to a private temporary file that is unlinked at once), writes the
 * report and chooses the exit code.
 */
#include "cli_records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct input {
  const char *name;
  FILE *fp;
  int spooled;
};

/* Pass 2 says only what pass 1 could not know: records the output format
 * cannot carry (rule "write"). */
struct write_messages {
  long failed;
};

static int write_messages_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                               thbx_error_t *err) {
  (void)p;
  (void)err;
  struct write_messages *m = state;
  int any = 0;
  for (size_t i = 0; i < item->nissues; i++) {
    const thbx_item_issue_t *is = &item->issues[i];
    if (!is->rule || strcmp(is->rule, "write") != 0)
      continue;
    thbx_error_t e;
    thbx_error_clear(&e);
    snprintf(e.source, sizeof(e.source), "%.200s", item->source);
    e.line = is->line;
    e.column = is->column;
    snprintf(e.instance_path, sizeof(e.instance_path), "%s", is->instance_path);
    snprintf(e.text, sizeof(e.text), "%s", is->message);
    cli_report(&e);
    any = 1;
  }
  m->failed += any;
  return THBX_OK;
}

/* ---------------------------------------------------------------- report */

static long get_long(const json_t *o, const char *key) {
  return (long)json_integer_value(json_object_get(o, key));
}

static void print_distribution(const json_t *list, const char *name) {
  size_t i;
  const json_t *e;
  json_array_foreach(list, i, e) {
    if (i == 12) {
      fprintf(stderr, ", ... (%zu sizes in all; --report json lists them)", json_array_size(list));
      break;
    }
    fprintf(stderr, "%s%s %ld: %ld", i ? ", " : "", name, get_long(e, name), get_long(e, "groups"));
  }
}

static void text_report(const json_t *r) {
  const json_t *rec = json_object_get(r, "records");
  const char *counted = json_string_value(json_object_get(r, "counted"));
  int check = strcmp(json_string_value(json_object_get(r, "mode")), "check") == 0;
  if (check)
    fprintf(stderr, "thbx anonymise --check: k=%ld over %s; %ld records read\n", get_long(r, "k"),
            counted, get_long(rec, "read"));
  else
    fprintf(stderr, "thbx anonymise: k=%ld over %s; %ld records read, %ld written, %ld dropped\n",
            get_long(r, "k"), counted, get_long(rec, "read"), get_long(rec, "written"),
            get_long(rec, "dropped"));
  size_t i;
  const json_t *f;
  json_array_foreach(json_object_get(r, "fields"), i, f) {
    const char *path = json_string_value(json_object_get(f, "path"));
    if (check) {
      fprintf(stderr, "  %s\n", path);
      continue;
    }
    fprintf(stderr, "  %s: level %ld of %ld", path, get_long(f, "level"), get_long(f, "levels"));
    const char *h = json_string_value(json_object_get(f, "hierarchy"));
    if (h)
      fprintf(stderr, " (%s)", h);
    fprintf(stderr, ", %ld generalised, %ld suppressed (%s)\n", get_long(f, "generalised"),
            get_long(f, "suppressed"), json_string_value(json_object_get(f, "suppression")));
  }
  const json_t *g = json_object_get(r, "groups");
  fprintf(stderr, "  groups: %ld, %ld below k", get_long(g, "count"), get_long(g, "below_k"));
  if (get_long(g, "below_k"))
    fprintf(
        stderr, " (%ld %s in them)",
        get_long(g, json_object_get(g, "persons_below_k") ? "persons_below_k" : "records_below_k"),
        counted);
  fputs("; sizes: ", stderr);
  print_distribution(json_object_get(g, "sizes"), "size");
  fputc('\n', stderr);
  const json_t *l = json_object_get(r, "l_diversity");
  if (l) {
    fprintf(stderr, "  l-diversity of %s: smallest l %ld, %ld group%s with one value only; ",
            json_string_value(json_object_get(l, "path")), get_long(l, "min_l"),
            get_long(l, "groups_with_one_value"),
            get_long(l, "groups_with_one_value") == 1 ? "" : "s");
    print_distribution(json_object_get(l, "distribution"), "l");
    fputc('\n', stderr);
  }
}

static void report(const thbx_anonymiser_t *a, int json) {
  json_t *r = thbx_anonymiser_report(a);
  if (!r) {
    cli_error("out of memory");
    return;
  }
  if (json) {
    json_dumpf(r, stderr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stderr);
  } else {
    text_report(r);
  }
  json_decref(r);
}

/* ---------------------------------------------------------------- inputs */

static int open_inputs(struct input *in, int n) {
  for (int i = 0; i < n; i++) {
    const char *name = in[i].name;
    FILE *fp = cli_open_input(name);
    if (!fp)
      return -1;
    struct stat st;
    if (fp == stdin || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
      /* not a file that can be read twice: keep a private copy */
      FILE *copy = cli_spool(fp, name);
      cli_close_input(fp);
      fp = copy;
      if (!fp)
        return -1;
      in[i].spooled = 1;
    }
    in[i].fp = fp;
  }
  return 0;
}

static void close_inputs(struct input *in, int n) {
  for (int i = 0; i < n; i++)
    if (in[i].fp && in[i].fp != stdin)
      fclose(in[i].fp);
}

/* One pass over every input through a pipeline made for it. */
static int pass(const struct cli_io *io, const thbx_profile_t *profile, thbx_anonymiser_t *a,
                struct input *in, int n, thbx_writer_t *w, long *failed) {
  thbx_pipeline_options_t po;
  cli_io_pipeline_options(io, profile, 1, &po);
  thbx_pipeline_t *p = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  struct write_messages *wm = NULL;
  int rc = thbx_pipeline_new(&p, &po, &err);
  if (rc == THBX_OK && !w) {
    rc = thbx_anonymiser_add_counter(p, a, &err);
    if (rc == THBX_OK)
      rc = cli_add_messages(p, NULL, 1, 1, &err); /* redacted: a value may be an identifier */
  } else if (rc == THBX_OK) {
    rc = thbx_anonymiser_add_stage(p, a, &err);
    if (rc == THBX_OK)
      rc = thbx_pipeline_add_writer(p, w, &err);
    wm = calloc(1, sizeof(*wm));
    if (rc == THBX_OK && !wm) {
      rc = THBX_ENOMEM;
      snprintf(err.text, sizeof(err.text), "out of memory");
    }
    if (rc == THBX_OK) {
      thbx_sink_ops_t ops = {0};
      ops.name = "write-messages";
      ops.item = write_messages_item;
      rc = thbx_pipeline_add_sink(p, &ops, wm, &err);
    }
  }
  if (rc != THBX_OK) {
    cli_report(&err);
    thbx_pipeline_free(p);
    free(wm);
    return CLI_RUN_FATAL;
  }
  int result = CLI_RUN_OK;
  for (int i = 0; i < n && result != CLI_RUN_STOP && result < CLI_RUN_FATAL; i++) {
    if (fseek(in[i].fp, 0, SEEK_SET) != 0) {
      cli_error("%s: cannot read it a second time: %s", in[i].name, strerror(errno));
      result = CLI_RUN_FATAL;
      break;
    }
    int rrc = cli_pipeline_input(io, p, in[i].fp, in[i].name, !w, failed);
    if (rrc > result)
      result = rrc;
  }
  int complete = result == CLI_RUN_OK || result == CLI_RUN_RECORDS_FAILED;
  if (thbx_pipeline_finish(p, complete, &err) != THBX_OK && complete) {
    if (!err.source[0])
      snprintf(err.source, sizeof(err.source), "%.200s", io->output ? io->output : "stdout");
    cli_report(&err);
    result = CLI_RUN_FATAL;
  }
  if (!w) {
    thbx_pipeline_stats_t stats;
    thbx_pipeline_get_stats(p, &stats);
    *failed += stats.rejected;
  } else {
    *failed += wm->failed;
  }
  thbx_pipeline_free(p);
  free(wm);
  return result;
}

/* --quasi a,b,c (repeatable) into list. */
static int add_quasi(const char **list, size_t *n, size_t cap, char *arg) {
  for (char *save = NULL, *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (*n == cap)
      return cli_usage_error("anonymise", "too many quasi-identifiers");
    list[(*n)++] = tok;
  }
  return 0;
}

int cmd_anonymise(int argc, char **argv) {
  enum {
    OPT_QUASI = 256,
    OPT_HIER,
    OPT_DISTINCT,
    OPT_SENSITIVE,
    OPT_CHECK,
    OPT_REPORT,
    OPT_MAXSUP
  };
  static const struct option options[] = {{"quasi", required_argument, NULL, OPT_QUASI},
                                          {"hierarchy", required_argument, NULL, OPT_HIER},
                                          {"distinct", required_argument, NULL, OPT_DISTINCT},
                                          {"sensitive", required_argument, NULL, OPT_SENSITIVE},
                                          {"check", no_argument, NULL, OPT_CHECK},
                                          {"report", required_argument, NULL, OPT_REPORT},
                                          {"max-suppress", required_argument, NULL, OPT_MAXSUP},
                                          CLI_IO_OPTIONS,
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  struct cli_io io;
  cli_io_init(&io);
  thbx_anonymise_options_t ao;
  thbx_anonymise_options_default(&ao);
  ao.k = 0;
  const char *quasi[64];
  size_t nquasi = 0;
  char **hier = calloc((size_t)argc + 1, sizeof(char *));
  size_t nhier = 0;
  int check = 0, json = 0, code = EXIT_USAGE;
  thbx_profile_t *profile = NULL;
  thbx_anonymiser_t *a = NULL;
  thbx_writer_t *w = NULL;
  struct input *inputs = NULL;
  int ninputs = 0;
  if (!hier) {
    cli_error("out of memory");
    return EXIT_USAGE;
  }
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":k:" CLI_IO_SHORT "h", options, NULL)) != -1) {
    switch (c) {
    case 'k': {
      char *end;
      errno = 0;
      long k = strtol(optarg, &end, 10);
      if (!*optarg || *end || errno || k < 2 || k > 1000000) {
        cli_usage_error("anonymise", "-k needs a whole number from 2 to 1000000, not '%s'", optarg);
        goto done;
      }
      ao.k = k;
      break;
    }
    case OPT_QUASI:
      if (add_quasi(quasi, &nquasi, sizeof(quasi) / sizeof(quasi[0]), optarg) != 0)
        goto done;
      break;
    case OPT_HIER:
      if (!strchr(optarg, '=') || optarg[0] == '=' || !strchr(optarg, '=')[1]) {
        cli_usage_error("anonymise", "--hierarchy wants PATH=FILE.csv, not '%s'", optarg);
        goto done;
      }
      hier[nhier++] = optarg;
      break;
    case OPT_DISTINCT: ao.distinct = optarg; break;
    case OPT_SENSITIVE: ao.sensitive = optarg; break;
    case OPT_CHECK: check = 1; break;
    case OPT_REPORT:
      if (strcmp(optarg, "json") == 0)
        json = 1;
      else if (strcmp(optarg, "text") != 0) {
        cli_usage_error("anonymise", "--report wants text or json, not '%s'", optarg);
        goto done;
      }
      break;
    case OPT_MAXSUP: {
      char *end;
      double pct = strtod(optarg, &end);
      if (!*optarg || *end || pct < 0 || pct > 100) {
        cli_usage_error("anonymise", "--max-suppress needs a percentage from 0 to 100, not '%s'",
                        optarg);
        goto done;
      }
      ao.max_suppress = pct / 100.0;
      break;
    }
    case 'h':
      fputs(cli_help_anonymise, stdout);
      code = EXIT_VALID;
      goto done;
    default:
      if (cli_io_option("anonymise", c, optarg, argv[optind - 1], &io) != 0)
        goto done;
    }
  }
  if (ao.k == 0) {
    cli_usage_error("anonymise", "k is required: -k K");
    goto done;
  }
  if (nquasi == 0) {
    cli_usage_error("anonymise", "the quasi-identifiers are required: --quasi PATH[,PATH...]");
    goto done;
  }
  if (check && (io.output || io.to != THBX_FORMAT_AUTO)) {
    cli_usage_error("anonymise", "--check writes no records: -o and -t do not go with it");
    goto done;
  }
  if (check && nhier)
    cli_warning("--check looks at the input as it is; --hierarchy is not used");
  if (cli_io_check("anonymise", &io) != 0)
    goto done;
  int first = optind;
  if (cli_inputs_check("anonymise", argc, argv, first, io.output) != 0)
    goto done;

  thbx_error_t err;
  thbx_error_clear(&err);
  if (thbx_profile_load(io.profile, &profile, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  ao.quasi = quasi;
  ao.nquasi = nquasi;
  ao.profile = profile;
  if (thbx_anonymiser_new(&a, &ao, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  for (size_t i = 0; i < nhier && !check; i++) {
    char *eq = strchr(hier[i], '=');
    *eq = '\0';
    if (thbx_anonymiser_add_hierarchy(a, hier[i], eq + 1, &err) != THBX_OK) {
      cli_report(&err);
      goto done;
    }
  }

  ninputs = first < argc ? argc - first : 1;
  inputs = calloc((size_t)ninputs, sizeof(*inputs));
  if (!inputs) {
    cli_error("out of memory");
    goto done;
  }
  for (int i = 0; i < ninputs; i++)
    inputs[i].name = first < argc ? argv[first + i] : "-";
  thbx_format to = check ? THBX_FORMAT_JSON : cli_default_format(&io, inputs[0].name);
  if (open_inputs(inputs, ninputs) != 0)
    goto done;
  if (to == THBX_FORMAT_AUTO) {
    /* every input can be read again: sniff the first, then rewind */
    char sniffed[4096];
    size_t n;
    to = cli_sniff_format(inputs[0].fp, sniffed, sizeof(sniffed), &n);
  }

  cli_signals_install();
  long failed = 0;
  int result = pass(&io, profile, a, inputs, ninputs, NULL, &failed);
  if (result == CLI_RUN_INTERRUPTED) {
    code = cli_interrupt_exit();
    goto done;
  }
  if (result == CLI_RUN_FATAL)
    goto done; /* nothing written: exit 2 */
  if (result == CLI_RUN_STOP) {
    code = EXIT_INVALID;
    goto done;
  }
  if (check) {
    if (json || !io.quiet)
      report(a, json);
    code = failed || thbx_anonymiser_small_groups(a) ? EXIT_INVALID : EXIT_VALID;
    goto done;
  }
  if (thbx_anonymiser_plan(a, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  cli_output_t out;
  if (cli_output_open(&out, io.output) != 0)
    goto done;
  thbx_writer_options_t wo;
  cli_io_writer_options(&io, profile, to, &wo);
  if (thbx_writer_open(&w, out.fp, &wo, &err) != THBX_OK) {
    cli_report(&err);
    cli_output_abort(&out);
    goto done;
  }
  result = pass(&io, profile, a, inputs, ninputs, w, &failed);
  if ((result == CLI_RUN_OK || result == CLI_RUN_RECORDS_FAILED) &&
      thbx_anonymiser_small_groups(a)) {
    /* never publish what the recount finds below k (an input changed
     * between the passes, or a fault): nothing is committed */
    cli_error("the output would have groups below k; nothing written");
    result = CLI_RUN_FATAL;
  }
  if (result != CLI_RUN_OK && result != CLI_RUN_RECORDS_FAILED) {
    code = result == CLI_RUN_INTERRUPTED ? cli_interrupt_exit()
           : result == CLI_RUN_FATAL     ? EXIT_USAGE
                                         : EXIT_INVALID;
    cli_output_abort(&out);
    goto done;
  }
  code = failed ? EXIT_INVALID : EXIT_VALID;
  if (cli_output_commit(&out) != 0)
    code = EXIT_USAGE;
  else if (json || !io.quiet)
    report(a, json);
done:
  thbx_writer_free(w);
  if (inputs)
    close_inputs(inputs, ninputs);
  free(inputs);
  thbx_anonymiser_free(a);
  thbx_profile_free(profile);
  free(hier);
  return code;
}
