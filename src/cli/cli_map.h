/*
 * cli_map.h - the options convert and validate share for national formats
 * (-m/--mapping, --reverse, --trace, --xslt, --param, --xslt-out,
 * --key-file) and the stages they set up.
 */
#ifndef THBX_CLI_MAP_H
#define THBX_CLI_MAP_H

#include "cli.h"

enum {
  CLI_OPT_MAPPING = 0x1100,
  CLI_OPT_REVERSE,
  CLI_OPT_TRACE,
  CLI_OPT_XSLT,
  CLI_OPT_PARAM,
  CLI_OPT_XSLT_OUT,
  CLI_OPT_KEY_FILE
};
#define CLI_MAP_OPTIONS                                                                            \
  {"mapping", required_argument, NULL, 'm'}, {"reverse", no_argument, NULL, CLI_OPT_REVERSE},      \
      {"trace", required_argument, NULL, CLI_OPT_TRACE},                                           \
      {"xslt", required_argument, NULL, CLI_OPT_XSLT},                                             \
      {"param", required_argument, NULL, CLI_OPT_PARAM},                                           \
      {"xslt-out", required_argument, NULL, CLI_OPT_XSLT_OUT},                                     \
      {"key-file", required_argument, NULL, CLI_OPT_KEY_FILE}
extern const char cli_map_help[];

struct cli_map {
  const char *mapping, *trace_path, *key_file;
  int reverse, redact;
  const char *xslt[16];
  size_t nxslt;
  const char *xslt_out;
  const char *params[34]; /* NAME, VALUE, ..., NULL */
  size_t nparams;
  /* set up by cli_map_setup */
  thbx_mapping_t *map;
  thbx_xslt_t *xslts[16];
  thbx_xslt_t *out_xslt;
  thbx_xslt_stage_t *xstage;
  cli_output_t trace;
  int trace_open;
};

/* 1: not one of these options; 0: stored; EXIT_USAGE: bad value (said). */
int cli_map_option(const char *command, int option, const char *arg, struct cli_map *m);
/* Compile the mapping and stylesheets (exit 2 before any record is read). */
int cli_map_setup(struct cli_map *m, const thbx_profile_t *profile);
int cli_map_active(const struct cli_map *m);
/* Input's reader options from the mapping. */
void cli_map_reader(const struct cli_map *m, thbx_reader_options_t *ro);
/* Before reading a CSV file: its header names every column of the mapping. */
int cli_map_check_input(const struct cli_map *m, const char *path, const thbx_reader_options_t *ro);
/* Add the --xslt and mapping stages (before the writer); the mapping is
 * the stage's state and is freed by cli_map_free after the pipeline. */
int cli_map_add_stages(struct cli_map *m, thbx_pipeline_t *p);
/* Commit (ok) or remove the trace file. */
int cli_map_finish(struct cli_map *m, int ok);
void cli_map_free(struct cli_map *m);

#endif
