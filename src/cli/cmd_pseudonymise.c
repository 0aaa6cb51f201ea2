/*
 * cmd_pseudonymise.c - `thbx pseudonymise`: replace identifying fields by
 * keyed pseudonyms (HMAC-SHA256 under a key file, optionally derived for one
 * recipient with HKDF) and drop fields, streaming, in any of the four
 * formats. The work is libthbx's pseudonymiser and its pipeline stage
 * (src/lib/privacy/); this file parses options, checks the key file and the
 * paths, prints the key id and drives reader -> stage -> writer with
 * convert's messages and exit codes.
 */
#include "cli_records.h"

#include <stdlib.h>
#include <string.h>

static void warn(void *ctx, const char *text) {
  (void)ctx;
  cli_warning("%s", text);
}

int cmd_pseudonymise(int argc, char **argv) {
  enum { OPT_FIELD = 256, OPT_DROP, OPT_DERIVE, OPT_JOBS };
  static const struct option options[] = {{"key-file", required_argument, NULL, 'k'},
                                          {"field", required_argument, NULL, OPT_FIELD},
                                          {"drop", required_argument, NULL, OPT_DROP},
                                          {"derive", required_argument, NULL, OPT_DERIVE},
                                          {"jobs", required_argument, NULL, 'j'},
                                          CLI_IO_OPTIONS,
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  struct cli_io io;
  cli_io_init(&io);
  const char *key_file = NULL, *derive = NULL;
  const char **fields = calloc((size_t)argc + 2, sizeof(char *));
  const char **drops = calloc((size_t)argc + 1, sizeof(char *));
  size_t nfields = 0, ndrops = 0;
  int code = EXIT_USAGE, jobs = 1;
  thbx_profile_t *profile = NULL;
  thbx_pipeline_t *p = NULL;
  thbx_writer_t *w = NULL;
  thbx_pseudonymiser_t *ps = NULL;
  void *stage = NULL;
  const thbx_stage_ops_t *stage_ops = NULL;
  FILE *replay = NULL;
  if (!fields || !drops) {
    cli_error("out of memory");
    goto done;
  }
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":k:j:" CLI_IO_SHORT "h", options, NULL)) != -1) {
    switch (c) {
    case 'k': key_file = optarg; break;
    case OPT_FIELD: fields[nfields++] = optarg; break;
    case OPT_DROP: drops[ndrops++] = optarg; break;
    case OPT_DERIVE: derive = optarg; break;
    case 'j':
      if (cli_parse_jobs("pseudonymise", optarg, &jobs) != 0)
        goto done;
      break;
    case 'h':
      fputs(cli_help_pseudonymise, stdout);
      code = EXIT_VALID;
      goto done;
    default:
      if (cli_io_option("pseudonymise", c, optarg, argv[optind - 1], &io) != 0)
        goto done;
    }
  }
  if (!key_file) {
    cli_usage_error("pseudonymise", "the key is required: --key-file KEY");
    goto done;
  }
  if (derive && !derive[0]) {
    cli_usage_error("pseudonymise", "--derive needs a non-empty label");
    goto done;
  }
  if (cli_io_check("pseudonymise", &io) != 0)
    goto done;
  int first = optind;
  if (cli_inputs_check("pseudonymise", argc, argv, first, io.output) != 0)
    goto done;

  thbx_error_t err;
  thbx_error_clear(&err);
  if (thbx_pseudonymiser_from_key_file(&ps, key_file, derive, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  if (thbx_profile_load(io.profile, &profile, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  thbx_pseudonymise_options_t po = {.pseudonymiser = ps,
                                    .fields = fields,
                                    .nfields = nfields,
                                    .drops = drops,
                                    .ndrops = ndrops,
                                    .profile = profile,
                                    .warn = warn};
  if (thbx_pseudonymise_stage_new(&po, &stage_ops, &stage, &err) != THBX_OK) {
    cli_report(&err);
    goto done;
  }
  if (io.quiet)
    ; /* no key id either */
  else if (derive)
    fprintf(stderr, "thbx: key id %s; derived for '%s': key id %s\n", thbx_pseudonymiser_key_id(ps),
            derive, thbx_pseudonymiser_derived_key_id(ps));
  else
    fprintf(stderr, "thbx: key id %s\n", thbx_pseudonymiser_key_id(ps));

  cli_signals_install();
  thbx_format to = cli_default_format(&io, first < argc ? argv[first] : "-");
  if (to == THBX_FORMAT_AUTO) {
    char sniffed[4096];
    size_t n = 0;
    if (first < argc && strcmp(argv[first], "-") != 0) {
      FILE *fp = cli_open_input(argv[first]);
      if (!fp)
        goto done;
      to = cli_sniff_format(fp, sniffed, sizeof(sniffed), &n);
      cli_close_input(fp);
    } else {
      to = cli_sniff_format(stdin, sniffed, sizeof(sniffed), &n);
      if (!(replay = cli_replay(stdin, sniffed, n)))
        goto done;
    }
  }
  cli_output_t out;
  if (cli_output_open(&out, io.output) != 0)
    goto done;
  thbx_writer_options_t wo;
  cli_io_writer_options(&io, profile, to, &wo);
  thbx_pipeline_options_t plo;
  cli_io_pipeline_options(&io, profile, jobs, &plo);
  if (thbx_writer_open(&w, out.fp, &wo, &err) != THBX_OK ||
      thbx_pipeline_new(&p, &plo, &err) != THBX_OK) {
    cli_report(&err);
    cli_output_abort(&out);
    goto done;
  }
  /* the pipeline owns the stage from here, also when adding fails */
  int arc = thbx_pipeline_add_stage(p, stage_ops, stage, &err);
  stage = NULL;
  if (arc != THBX_OK || thbx_pipeline_add_writer(p, w, &err) != THBX_OK ||
      cli_add_messages(p, NULL, 1, 1, &err) !=
          THBX_OK) { /* redacted: a value may be an identifier */
    cli_report(&err);
    cli_output_abort(&out);
    goto done;
  }
  long failed = 0;
  int result = CLI_RUN_OK;
  for (int i = first; i <= argc && result != CLI_RUN_STOP && result < CLI_RUN_FATAL; i++) {
    if (i == argc && first != argc)
      break;
    const char *path = i < argc ? argv[i] : "-";
    FILE *in = replay && strcmp(path, "-") == 0 ? replay : cli_open_input(path);
    if (!in) {
      result = CLI_RUN_FATAL;
      break;
    }
    cli_note_terminal_input(in);
    int rc = cli_pipeline_input(&io, p, in, path, 1, &failed);
    if (in != replay)
      cli_close_input(in);
    if (rc > result)
      result = rc;
  }
  thbx_pipeline_stats_t stats;
  thbx_pipeline_get_stats(p, &stats);
  failed += stats.rejected;
  code = failed ? EXIT_INVALID : EXIT_VALID;
  if (result == CLI_RUN_INTERRUPTED) {
    thbx_pipeline_finish(p, 0, &err);
    cli_output_abort(&out);
    code = cli_interrupt_exit();
  } else if ((result == CLI_RUN_FATAL || result == CLI_RUN_STOP) && !out.tmp) {
    /* standard output or a pipe: what was written before the input broke
     * stays, visibly unfinished (a file given with -o is never committed
     * half done) */
    if (result == CLI_RUN_FATAL)
      code = EXIT_USAGE;
    thbx_pipeline_finish(p, 0, &err);
    if (cli_output_commit(&out) != 0)
      code = EXIT_USAGE;
  } else if (result == CLI_RUN_FATAL || result == CLI_RUN_STOP) {
    if (result == CLI_RUN_FATAL)
      code = EXIT_USAGE;
    cli_output_abort(&out);
  } else if (thbx_pipeline_finish(p, 1, &err) != THBX_OK) {
    if (!err.source[0])
      snprintf(err.source, sizeof(err.source), "%.200s", io.output ? io.output : "stdout");
    cli_report(&err);
    cli_output_abort(&out);
    code = EXIT_USAGE;
  } else if (cli_output_commit(&out) != 0) {
    code = EXIT_USAGE;
  }
done:
  if (replay)
    fclose(replay);
  if (stage)
    stage_ops->free(stage);
  thbx_pipeline_free(p);
  thbx_writer_free(w);
  thbx_pseudonymiser_free(ps);
  thbx_profile_free(profile);
  free(fields);
  free(drops);
  return code;
}
