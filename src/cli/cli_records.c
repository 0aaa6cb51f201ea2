/*
 * cli_records.c - reading and writing options and the pipeline runs shared by
 * `thbx pseudonymise` and `thbx anonymise` (see cli_records.h). Messages
 * and outcomes are convert's, so that the three commands fail alike.
 */
#define _GNU_SOURCE /* fopencookie */
#include "cli_records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_io_init(struct cli_io *io) {
  memset(io, 0, sizeof(*io));
  io->profile = THBX_DEFAULT_PROFILE;
  io->delimiter = ',';
  io->list_sep = '|';
  thbx_limits_default(&io->limits);
}

int cli_io_option(const char *command, int c, const char *arg, const char *opt, struct cli_io *io) {
  switch (c) {
  case ':': return cli_usage_error(command, "option '%s' needs a value", opt);
  case 'f':
  case 't': {
    thbx_format f = thbx_format_from_name(arg);
    if (f == THBX_FORMAT_AUTO)
      return cli_usage_error(command, "unknown format '%s' (json, ndjson, csv or xml)", arg);
    if (c == 'f')
      io->from = f;
    else
      io->to = f;
    return 0;
  }
  case 'o': io->output = arg; return 0;
  case 'p': io->profile = arg; return 0;
  case 'c': io->compact = 1; return 0;
  case 'q': io->quiet = 1; return 0;
  case CLI_IO_CSVSAFE: io->csv_safe = 1; return 0;
  case CLI_IO_FAILFAST: io->fail_fast = 1; return 0;
  case CLI_IO_COLUMNS: io->columns = arg; return 0;
  case CLI_IO_DELIM:
    if (cli_parse_char(command, "--delimiter", arg, &io->delimiter) != 0)
      return EXIT_USAGE;
    return 0;
  case CLI_IO_LISTSEP:
    if (cli_parse_char(command, "--list-sep", arg, &io->list_sep) != 0)
      return EXIT_USAGE;
    return 0;
  default: {
    int rc = cli_limit_option(command, c, arg, &io->limits);
    return rc == 1 ? cli_usage_error(command, "unknown option '%s'", opt) : rc;
  }
  }
}

int cli_io_check(const char *command, struct cli_io *io) {
  if ((io->columns || io->csv_safe) && io->to != THBX_FORMAT_CSV && io->to != THBX_FORMAT_AUTO)
    cli_warning("--columns and --csv-safe apply to CSV output only; ignored for %s",
                thbx_format_name(io->to));
  if (io->delimiter == io->list_sep)
    return cli_usage_error(command, "--delimiter and --list-sep must differ");
  return 0;
}

int cli_inputs_check(const char *command, int argc, char **argv, int first, const char *output) {
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
    if (output && strcmp(output, "-") != 0 && cli_same_file(output, argv[i]))
      return cli_usage_error(command, "--output would overwrite the input '%s'", argv[i]);
  }
  if (stdin_uses > 1)
    return cli_usage_error(command, "standard input '-' can be read only once");
  return 0;
}

void cli_io_writer_options(const struct cli_io *io, const thbx_profile_t *profile,
                           thbx_format format, thbx_writer_options_t *wo) {
  thbx_writer_options_default(wo);
  wo->format = format;
  wo->profile = profile;
  wo->compact = io->compact;
  wo->delimiter = io->delimiter;
  wo->list_separator = io->list_sep;
  wo->columns = format == THBX_FORMAT_CSV ? io->columns : NULL;
  wo->csv_safe = format == THBX_FORMAT_CSV && io->csv_safe;
}

FILE *cli_spool(FILE *src, const char *name) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !dir[0])
    dir = "/tmp";
  size_t n = strlen(dir) + 32;
  char *path = malloc(n);
  if (!path) {
    cli_error("out of memory");
    return NULL;
  }
  snprintf(path, n, "%s/thbx-stdin.XXXXXX", dir);
  int fd = mkstemp(path); /* 0600 */
  if (fd < 0) {
    cli_error("%s: cannot create a temporary file for %s: %s", dir, name, strerror(errno));
    free(path);
    return NULL;
  }
  /* gone from the directory at once: nothing is left behind, whatever happens */
  unlink(path);
  free(path);
  FILE *fp = fdopen(fd, "w+b");
  if (!fp) {
    close(fd);
    cli_error("%s: cannot keep a copy: %s", name, strerror(errno));
    return NULL;
  }
  char buf[65536];
  size_t got;
  while ((got = fread(buf, 1, sizeof(buf), src)) > 0) {
    if (fwrite(buf, 1, got, fp) != got) {
      cli_error("%s: cannot keep a copy in a temporary file: %s", name, strerror(errno));
      fclose(fp);
      return NULL;
    }
  }
  if (ferror(src)) {
    cli_error("%s: read error: %s", name, strerror(errno));
    fclose(fp);
    return NULL;
  }
  if (fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0) {
    cli_error("%s: cannot keep a copy in a temporary file: %s", name, strerror(errno));
    fclose(fp);
    return NULL;
  }
  return fp;
}

void cli_io_pipeline_options(const struct cli_io *io, const thbx_profile_t *profile, int jobs,
                             thbx_pipeline_options_t *po) {
  thbx_pipeline_options_default(po);
  po->profile = profile;
  po->reader.delimiter = io->delimiter;
  po->reader.list_separator = io->list_sep;
  po->reader.limits = io->limits;
  po->jobs = jobs;
  cli_alloc_jobs(jobs);
  po->fail_fast = io->fail_fast;
  po->interrupted = &cli_interrupted;
}

int cli_pipeline_input(const struct cli_io *io, thbx_pipeline_t *p, FILE *in, const char *source,
                       int report, long *failed) {
  thbx_format f = io->from;
  if (f == THBX_FORMAT_AUTO && strcmp(source, "-") != 0)
    f = thbx_format_from_path(source);
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_pipeline_run(p, in, source, f, &err);
  if (cli_interrupted || rc == THBX_EINTR)
    return CLI_RUN_INTERRUPTED;
  switch (rc) {
  case THBX_OK: return thbx_pipeline_stopped(p) ? CLI_RUN_STOP : CLI_RUN_OK;
  case THBX_EPARSE:
  case THBX_ELIMIT:
    if (report) {
      cli_report(&err); /* broken at its start: bad data */
      (*failed)++;
    }
    return io->fail_fast ? CLI_RUN_STOP : CLI_RUN_RECORDS_FAILED;
  case THBX_EFATAL:
    if (report) {
      cli_report(&err);
      (*failed)++;
    }
    return CLI_RUN_FATAL;
  default:
    if (report)
      cli_report(&err);
    return CLI_RUN_FATAL; /* EIO, ENOMEM */
  }
}

thbx_format cli_default_format(const struct cli_io *io, const char *first_input) {
  if (io->to != THBX_FORMAT_AUTO)
    return io->to;
  if (io->from != THBX_FORMAT_AUTO)
    return io->from;
  if (first_input && strcmp(first_input, "-") != 0) {
    thbx_format f = thbx_format_from_path(first_input);
    if (f != THBX_FORMAT_AUTO)
      return f;
  }
  return THBX_FORMAT_AUTO;
}

thbx_format cli_sniff_format(FILE *fp, char *buf, size_t cap, size_t *len) {
  *len = 0;
  int c = EOF;
  while (*len < cap && (c = getc(fp)) != EOF) {
    buf[(*len)++] = (char)c;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      break;
  }
  switch (c) {
  case EOF: return THBX_FORMAT_JSON;
  case '<': return THBX_FORMAT_XML;
  case '[': return THBX_FORMAT_JSON;
  case '{': return THBX_FORMAT_NDJSON;
  default: return THBX_FORMAT_CSV;
  }
}

/* A stream that gives the bytes sniffed first, then the rest of `in`. */
struct replay {
  FILE *in;
  size_t len, pos;
  char buf[];
};

static ssize_t replay_read(void *cookie, char *out, size_t n) {
  struct replay *r = cookie;
  if (r->pos < r->len) {
    size_t k = r->len - r->pos < n ? r->len - r->pos : n;
    memcpy(out, r->buf + r->pos, k);
    r->pos += k;
    return (ssize_t)k;
  }
  size_t got = fread(out, 1, n, r->in);
  return got == 0 && ferror(r->in) ? -1 : (ssize_t)got;
}

static int replay_close(void *cookie) {
  free(cookie);
  return 0;
}

FILE *cli_replay(FILE *in, const char *buf, size_t len) {
  struct replay *r = malloc(sizeof(*r) + len + 1);
  if (!r) {
    cli_error("out of memory");
    return NULL;
  }
  r->in = in;
  r->len = len;
  r->pos = 0;
  memcpy(r->buf, buf, len);
  cookie_io_functions_t io = {.read = replay_read, .close = replay_close};
  FILE *fp = fopencookie(r, "rb", io);
  if (!fp) {
    free(r);
    cli_error("out of memory");
  }
  return fp;
}
