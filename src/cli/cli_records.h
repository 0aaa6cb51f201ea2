/*
 * cli_records.h - what `thbx pseudonymise` and `thbx anonymise` share with
 * `thbx convert`: the reading and writing options, spelled alike, checking
 * the inputs before anything is written, running one input through a
 * pipeline with convert's messages and outcomes, and a private copy of a
 * stream that must be read twice.
 */
#ifndef THBX_CLI_RECORDS_H
#define THBX_CLI_RECORDS_H

#include "cli.h"

#include <getopt.h>

struct cli_io {
  thbx_format from, to; /* to AUTO: the format of the first input */
  const char *output;
  const char *profile;
  int compact, csv_safe, fail_fast, quiet;
  char delimiter, list_sep;
  const char *columns;
  thbx_limits_t limits;
};

enum { CLI_IO_DELIM = 0x1100, CLI_IO_LISTSEP, CLI_IO_COLUMNS, CLI_IO_CSVSAFE, CLI_IO_FAILFAST };
#define CLI_IO_SHORT "f:t:o:p:cq"
#define CLI_IO_OPTIONS                                                                             \
  {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},                    \
      {"output", required_argument, NULL, 'o'}, {"profile", required_argument, NULL, 'p'},         \
      {"compact", no_argument, NULL, 'c'}, {"quiet", no_argument, NULL, 'q'},                      \
      {"delimiter", required_argument, NULL, CLI_IO_DELIM},                                        \
      {"list-sep", required_argument, NULL, CLI_IO_LISTSEP},                                       \
      {"columns", required_argument, NULL, CLI_IO_COLUMNS},                                        \
      {"csv-safe", no_argument, NULL, CLI_IO_CSVSAFE},                                             \
      {"fail-fast", no_argument, NULL, CLI_IO_FAILFAST}, CLI_LIMIT_OPTIONS

void cli_io_init(struct cli_io *io);
/* An option getopt_long returned that the command does not take itself: an
 * I/O or limit option (stored: 0), or a usage error, said (`opt` is the
 * option as given, argv[optind - 1]): a bad value, a missing value (':'),
 * an unknown option. Nonzero: EXIT_USAGE. */
int cli_io_option(const char *command, int c, const char *arg, const char *opt, struct cli_io *io);
/* After parsing: consistency checks (said). 0 or EXIT_USAGE. */
int cli_io_check(const char *command, struct cli_io *io);
/* Every named input must exist and be readable, '-' at most once, and none
 * may be the file `output` (NULL or "-": standard output), whose rewriting
 * would lose the records that could not be read. 0 or EXIT_USAGE (said). */
int cli_inputs_check(const char *command, int argc, char **argv, int first, const char *output);

/* Writer options (format must be known by then). */
void cli_io_writer_options(const struct cli_io *io, const thbx_profile_t *profile,
                           thbx_format format, thbx_writer_options_t *wo);

/* Outcome of reading one input, worst last (as in convert). */
enum { CLI_RUN_OK, CLI_RUN_RECORDS_FAILED, CLI_RUN_STOP, CLI_RUN_FATAL, CLI_RUN_INTERRUPTED };

/* Pipeline options from the I/O options (profile, reader options, fail-fast,
 * interrupts). */
void cli_io_pipeline_options(const struct cli_io *io, const thbx_profile_t *profile, int jobs,
                             thbx_pipeline_options_t *po);
/* Run one input through the pipeline, as convert does: a record that
 * cannot be read is counted in *failed by the pipeline's statistics (the
 * messages sink says it); an input broken at its start is said here and
 * counted; `report` 0 says nothing (a second pass). */
int cli_pipeline_input(const struct cli_io *io, thbx_pipeline_t *p, FILE *in, const char *source,
                       int report, long *failed);
/* The output format when -t is not given: -f, else the first input's
 * extension; THBX_FORMAT_AUTO when it must be sniffed (standard input). */
thbx_format cli_default_format(const struct cli_io *io, const char *first_input);
/* Sniff a stream's format from its first character that is not white
 * space: '<' xml, '[' json, '{' ndjson, anything else csv (nothing: json).
 * The bytes read (at most cap) are left in buf[0..*len). */
thbx_format cli_sniff_format(FILE *fp, char *buf, size_t cap, size_t *len);
/* A stream giving buf[0..len) first, then the rest of `in` (not closed by
 * it): what was sniffed is read again, so that line numbers and cells stay
 * as they are. NULL and a message on failure. */
FILE *cli_replay(FILE *in, const char *buf, size_t len);

/* A stream (standard input, a pipe) copied to a private temporary file
 * (0600 in $TMPDIR or /tmp, unlinked at once, so it is gone whatever
 * happens), positioned at its start; for commands that read their input
 * twice. `src` is not closed. NULL and a message on failure. */
FILE *cli_spool(FILE *src, const char *name);

#endif
