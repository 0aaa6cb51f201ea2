/*
 * cli.h - what the thbx subcommands share: exit codes, messages, opening
 * inputs, and outputs written through a temporary file and renamed.
 */
#ifndef THBX_CLI_H
#define THBX_CLI_H

#include "help.h"
#include "thbx.h"

#include <stdio.h>
#include <time.h>

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* Each subcommand: argv[0] is the command name. Returns the exit code. */
int cmd_convert(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_codes(int argc, char **argv);
int cmd_map(int argc, char **argv); /* cmd_map.c: map check, map init */
int cmd_stats(int argc, char **argv);
int cmd_pseudonymise(int argc, char **argv);
int cmd_anonymise(int argc, char **argv);
/* `thbx validate --document` (cmd_validate_document.c); argv as for cmd_validate. */
int cmd_validate_document(int argc, char **argv);
/* `thbx validate --merge` (cmd_validate_merge.c); argv as for cmd_validate. */
int cmd_validate_merge(int argc, char **argv);

/* Set jansson's and libxml2's allocators to per-thread free lists
 * (cli_alloc.c); before any jansson value or libxml2 object exists. */
void cli_alloc_install(void);
/* Before a pipeline with `jobs` worker threads starts: jansson and libxml2
 * back on malloc unless jobs is 1 (cli_alloc.c says why). */
void cli_alloc_jobs(int jobs);

/* "thbx: error: ..." on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "thbx: warning: ..." on stderr. */
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Text from the input or the command line to stderr, made visible: no
 * control or bidirectional character reaches the terminal. */
void cli_put_visible(const char *s);
/* "FILE:LINE:COL: error: [/path: ]text" on stderr, from a library error. */
void cli_report(const thbx_error_t *err);
/* Usage error: message plus a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Load a profile; an unknown name says which profiles there are. The
 * message is printed on failure. */
int cli_profile_load(const char *name, thbx_profile_t **out, thbx_error_t *err);

/* Why an input cannot be opened, as reports say it: strerror's words in
 * lower case ("no such file or directory", "is a directory", "permission
 * denied"). Borrowed until the next call. */
const char *cli_open_reason(int errnum);
/* Open an input; "-" or NULL is stdin. NULL and a message on failure
 * (errno says why, EISDIR for a directory). */
FILE *cli_open_input(const char *path);
void cli_close_input(FILE *fp);

/* An output: stdout for "-"/NULL, a regular file through temp + rename,
 * anything else (/dev/null, a pipe) written directly. */
typedef struct cli_output {
  FILE *fp;
  char *path; /* final path, NULL for stdout */
  char *tmp;  /* temporary path when renaming, else NULL */
} cli_output_t;

int cli_output_open(cli_output_t *out, const char *path);
/* Flush, close and rename into place. 0 on success (message printed on failure). */
int cli_output_commit(cli_output_t *out);
/* Close and remove the temporary file, leaving no partial output. */
void cli_output_abort(cli_output_t *out);

/* The reader limits as options (cli_limits.c), for getopt_long tables:
 * put CLI_LIMIT_OPTIONS among the `struct option` entries, "Include: limits"
 * in the command's docs/cmdline/COMMAND.opts, and pass each option to
 * cli_limit_option(). */
enum {
  CLI_OPT_MAX_DEPTH = 0x1000,
  CLI_OPT_MAX_RECORD,
  CLI_OPT_MAX_FIELD,
  CLI_OPT_MAX_COLUMNS,
  CLI_OPT_REGEX_LIMIT
};
#define CLI_LIMIT_OPTIONS                                                                          \
  {"max-depth", required_argument, NULL, CLI_OPT_MAX_DEPTH},                                       \
      {"max-record-bytes", required_argument, NULL, CLI_OPT_MAX_RECORD},                           \
      {"max-record-size", required_argument, NULL, CLI_OPT_MAX_RECORD},                            \
      {"max-field-bytes", required_argument, NULL, CLI_OPT_MAX_FIELD},                             \
      {"max-field-size", required_argument, NULL, CLI_OPT_MAX_FIELD},                              \
      {"max-columns", required_argument, NULL, CLI_OPT_MAX_COLUMNS}, {                             \
    "regex-match-limit", required_argument, NULL, CLI_OPT_REGEX_LIMIT                              \
  }
/* 1: not a limit option; 0: stored in *limits; EXIT_USAGE: bad value (said). */
int cli_limit_option(const char *command, int option, const char *arg, thbx_limits_t *limits);
/* A size: digits with an optional K, M or G suffix (powers of 1024). 0 or -1. */
int cli_parse_size(const char *s, unsigned long long *out);

/* A stream reading `in` that counts its lines into *lines (a last line
 * without a newline counts); closing it leaves `in` open. NULL on failure. */
FILE *cli_count_lines(FILE *in, long *lines);
/* A CSV separator option (--delimiter, --list-sep): one ASCII character,
 * "tab" or "\t". 0 and *out set, or EXIT_USAGE with the reason said. */
int cli_parse_char(const char *command, const char *option, const char *arg, char *out);

/* How inputs are read (cli_input.c), for both commands: put
 * CLI_INPUT_OPTIONS among the options (docs/cmdline/input.opts documents them), pass
 * each option to cli_input_option() and the result to cli_input_apply(). */
enum { CLI_OPT_ENCODING = 0x1100 };
#define CLI_INPUT_OPTIONS                                                                          \
  { "encoding", required_argument, NULL, CLI_OPT_ENCODING }
struct cli_input {
  const char *encoding; /* NULL: UTF-8 */
};
/* 1: not an input option; 0: stored in *in; EXIT_USAGE: bad value (said). */
int cli_input_option(const char *command, int option, const char *arg, struct cli_input *in);
/* Set the encoding and a warning printer (FILE:LINE:COL: warning: ...). */
void cli_input_apply(const struct cli_input *in, thbx_reader_options_t *options);

/* Is the stream a terminal? */
int cli_isatty(FILE *fp);

/* cli_run.c: what convert and validate share around the pipeline. */
/* Set by SIGINT/SIGTERM (the signal number) once cli_signals_install() ran;
 * the pipeline stops at the next record. A second signal removes the
 * registered temporary files and exits at once. */
extern volatile int cli_interrupted;
void cli_signals_install(void);
int cli_interrupt_exit(void); /* 130 for SIGINT, 143 for SIGTERM */
void cli_temp_register(char *path);
void cli_temp_unregister(const char *path);
/* -j N: 0..256 into *jobs, else a usage error (EXIT_USAGE). */
int cli_parse_jobs(const char *command, const char *arg, int *jobs);
/* Do two paths name one regular file (or one that does not exist yet)? */
int cli_same_file(const char *a, const char *b);

typedef struct cli_progress {
  int on;
  struct timespec start, last;
  long records;
  long long bytes_done; /* inputs finished */
  FILE *in;             /* the input being read */
} cli_progress_t;
void cli_progress_start(cli_progress_t *pg, int on, int forced);
void cli_progress_input(cli_progress_t *pg, FILE *in);
void cli_progress_show(cli_progress_t *pg, int final);
void cli_progress_end(cli_progress_t *pg);
/* A sink printing every issue of every rejected item as FILE:LINE:COL:
 * error: ... on stderr (print 0: only counts for the progress display). */
int cli_add_messages(thbx_pipeline_t *p, cli_progress_t *pg, int print, int redact,
                     thbx_error_t *err);
/* Say so when records are read from a terminal. */
void cli_note_terminal_input(FILE *in);

#endif
