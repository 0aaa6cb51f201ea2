/*
 * cmd_map.c - `thbx map check MAP.csv [--sample INPUT] [--reverse]` lints a
 * mapping before its first run; `thbx map init --sample INPUT [-o MAP.csv]`
 * drafts one from a sample export. The work is in libthbx (map_check.c).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: thbx map check MAP.csv [--sample INPUT] [--reverse] [OPTIONS]\n"
    "       thbx map init --sample INPUT [-o MAP.csv] [OPTIONS]\n"
    "\n"
    "check: compile the mapping and its crosswalks against the profile and list\n"
    "what would go wrong: required targets neither mapped nor defaulted, and with\n"
    "--sample, the columns the sample lacks, the source codes no crosswalk row\n"
    "covers (with their counts), values that cannot be read, and date patterns\n"
    "the sample makes ambiguous. --reverse prints the loss ledger: what cannot go\n"
    "back to the national format one to one.\n"
    "\n"
    "init: draft a mapping from a sample export: one row per source column with\n"
    "the closest profile path, a date pattern where one fits unambiguously, and a\n"
    "crosswalk stub (source codes with their counts) for columns of codes.\n"
    "\n"
    "Options:\n"
    "  -s, --sample INPUT       a sample export\n"
    "  -f, --from FORMAT        the sample's format (default: from its extension)\n"
    "      --delimiter C        CSV delimiter of the sample (init; check takes the\n"
    "                           mapping's @delimiter)\n"
    "  -p, --profile NAME|FILE  the profile (default " THBX_DEFAULT_PROFILE ")\n"
    "      --reverse            check the mapping for --reverse (the loss ledger)\n"
    "      --key-file KEY       key of the pseudonymise transform\n"
    "  -o, --output FILE        init: write the draft here (crosswalk stubs beside it)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 nothing to fix, 1 findings at level error, 2 usage error or a\n"
    "mapping that does not compile (MAP.csv:LINE: error: ...).\n";

struct opts {
  const char *sample, *profile, *output, *key_file;
  thbx_format from;
  char delimiter;
  int reverse;
};

static int parse(int argc, char **argv, struct opts *o, const char *cmd) {
  enum { OPT_REVERSE = 256, OPT_KEY, OPT_DELIM };
  static const struct option options[] = {{"sample", required_argument, NULL, 's'},
                                          {"from", required_argument, NULL, 'f'},
                                          {"profile", required_argument, NULL, 'p'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"reverse", no_argument, NULL, OPT_REVERSE},
                                          {"key-file", required_argument, NULL, OPT_KEY},
                                          {"delimiter", required_argument, NULL, OPT_DELIM},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof(*o));
  o->profile = THBX_DEFAULT_PROFILE;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":s:f:p:o:h", options, NULL)) != -1) {
    switch (c) {
    case 's': o->sample = optarg; break;
    case 'p': o->profile = optarg; break;
    case 'o': o->output = optarg; break;
    case OPT_REVERSE: o->reverse = 1; break;
    case OPT_KEY: o->key_file = optarg; break;
    case OPT_DELIM:
      if (strcmp(optarg, "tab") == 0)
        o->delimiter = '\t';
      else if (strlen(optarg) == 1)
        o->delimiter = optarg[0];
      else
        return cli_usage_error(cmd, "--delimiter wants one character, not '%s'", optarg);
      break;
    case 'f':
      o->from = thbx_format_from_name(optarg);
      if (o->from == THBX_FORMAT_AUTO)
        return cli_usage_error(cmd, "unknown format '%s'", optarg);
      break;
    case 'h': fputs(help, stdout); return -1;
    case ':': return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  return 0;
}

static int map_check(int argc, char **argv) {
  struct opts o;
  int rc = parse(argc, argv, &o, "map check");
  if (rc)
    return rc < 0 ? EXIT_VALID : rc;
  if (optind + 1 != argc)
    return cli_usage_error("map check", "name one mapping: thbx map check MAP.csv");
  thbx_error_t err;
  thbx_profile_t *profile = NULL;
  if (thbx_profile_load(o.profile, &profile, &err) != THBX_OK || !profile) {
    if (!profile && err.text[0] == '\0')
      cli_error("a mapping needs a profile (not 'none')");
    else
      cli_report(&err);
    return EXIT_USAGE;
  }
  thbx_mapping_options_t mo;
  thbx_mapping_options_default(&mo);
  mo.reverse = o.reverse;
  mo.key_file = o.key_file;
  thbx_mapping_t *m = NULL;
  if (thbx_mapping_load(&m, argv[optind], profile, &mo, &err) != THBX_OK) {
    cli_report(&err);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  FILE *in = NULL;
  if (o.sample && !(in = cli_open_input(o.sample))) {
    thbx_mapping_free(m);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  json_t *findings = NULL;
  rc = thbx_mapping_check(m, in, o.sample ? o.sample : "-", &findings, &err);
  int code = EXIT_VALID;
  size_t i;
  json_t *e;
  json_array_foreach(findings, i, e) {
    const char *level = json_string_value(json_object_get(e, "level"));
    long line = (long)json_integer_value(json_object_get(e, "line"));
    const char *file = json_string_value(json_object_get(e, "file"));
    if (line > 0)
      printf("%s:%ld: %s: %s\n", file, line, level,
             json_string_value(json_object_get(e, "message")));
    else
      printf("%s: %s: %s\n", file, level, json_string_value(json_object_get(e, "message")));
    if (strcmp(level, "error") == 0)
      code = EXIT_INVALID;
  }
  json_decref(findings);
  if (rc != THBX_OK) {
    cli_report(&err);
    code = EXIT_USAGE;
  }
  if (in)
    cli_close_input(in);
  thbx_mapping_free(m);
  thbx_profile_free(profile);
  return code;
}

/* A crosswalk stub: each distinct source code with its count. */
static int write_stub(const char *dir, const char *name, json_t *codes) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  cli_output_t out;
  if (cli_output_open(&out, path) != 0)
    return -1;
  fputs("source_code,target_code,relationship,label,note\n", out.fp);
  const char *k;
  json_t *v;
  json_object_foreach(codes, k, v) {
    int quote = strpbrk(k, ",\"\r\n") != NULL;
    if (quote) {
      fputc('"', out.fp);
      for (const char *p = k; *p; p++) {
        if (*p == '"')
          fputc('"', out.fp);
        fputc(*p, out.fp);
      }
      fputc('"', out.fp);
    } else {
      fputs(k, out.fp);
    }
    fprintf(out.fp, ",,,,%lld in the sample\n", (long long)json_integer_value(v));
  }
  return cli_output_commit(&out);
}

static int map_init(int argc, char **argv) {
  struct opts o;
  int rc = parse(argc, argv, &o, "map init");
  if (rc)
    return rc < 0 ? EXIT_VALID : rc;
  if (!o.sample || optind != argc)
    return cli_usage_error("map init", "give the sample: thbx map init --sample INPUT");
  thbx_error_t err;
  thbx_profile_t *profile = NULL;
  if (thbx_profile_load(o.profile, &profile, &err) != THBX_OK) {
    cli_report(&err);
    return EXIT_USAGE;
  }
  FILE *in = cli_open_input(o.sample);
  if (!in) {
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = o.from ? o.from : thbx_format_from_path(o.sample);
  if (o.delimiter)
    ro.delimiter = o.delimiter;
  cli_output_t out;
  if (cli_output_open(&out, o.output) != 0) {
    cli_close_input(in);
    thbx_profile_free(profile);
    return EXIT_USAGE;
  }
  json_t *stubs = NULL;
  rc = thbx_mapping_draft(in, o.sample, &ro, profile, out.fp, &stubs, &err);
  cli_close_input(in);
  int code = EXIT_VALID;
  if (rc != THBX_OK) {
    cli_report(&err);
    cli_output_abort(&out);
    code = EXIT_USAGE;
  } else {
    const char *k;
    json_t *v;
    if (!o.output) {
      /* no file to put stubs beside: as comment rows (the mapping reader
       * skips rows starting with #) */
      json_object_foreach(stubs, k, v) {
        printf("# crosswalk stub %s: source_code,count\n", k);
        const char *c;
        json_t *n;
        json_object_foreach(v, c, n) printf("# %s,%lld\n", c, (long long)json_integer_value(n));
      }
    }
    if (cli_output_commit(&out) != 0)
      code = EXIT_USAGE;
    if (o.output && code == EXIT_VALID) {
      char *tmp = strdup(o.output);
      const char *dir = tmp ? dirname(tmp) : ".";
      json_object_foreach(stubs, k, v) if (write_stub(dir, k, v) != 0) code = EXIT_USAGE;
      free(tmp);
    }
  }
  json_decref(stubs);
  thbx_profile_free(profile);
  return code;
}

int cmd_map(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_VALID;
  }
  if (strcmp(argv[1], "check") == 0)
    return map_check(argc - 1, argv + 1);
  if (strcmp(argv[1], "init") == 0)
    return map_init(argc - 1, argv + 1);
  return cli_usage_error("map", "unknown subcommand '%s' (check or init)", argv[1]);
}
