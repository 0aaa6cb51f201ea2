/*
 * main.c - the thbx program: finds the subcommand and hands it argv.
 * Everything that does work is in libthbx; the subcommands only parse
 * options, call the library, print and choose the exit code.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The commands; their summaries and help texts are generated from
 * docs/cmdline/COMMAND.opts (help.c), like the man pages. */
struct command {
  const char *name;
  int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"convert", cmd_convert},
    {"validate", cmd_validate},
    {"schema", cmd_schema},
    {"codes", cmd_codes},
    {"map", cmd_map},
    {"stats", cmd_stats},
    {"pseudonymise", cmd_pseudonymise},
    {"anonymise", cmd_anonymise},
    {NULL, NULL},
};

static void usage(FILE *fp) { fputs(cli_help_thbx, fp); }

/* thbx's version, then what the library is and runs with. */
static int version(void) {
  json_t *info = thbx_version_info();
  if (!info) {
    cli_error("out of memory");
    return EXIT_USAGE;
  }
  printf("thbx %s\n", THBX_VERSION);
  printf("libthbx %s\n", thbx_version());
  printf("profiles:");
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(info, "profiles"), i, p) printf(" %s", json_string_value(p));
  printf("\n");
  static const char *const libs[][2] = {{"libxml2", "libxml2"},   {"libxslt", "libxslt"},
                                        {"libexslt", "libexslt"}, {"jansson", "jansson"},
                                        {"yajl", "yajl"},         {"pcre2", "PCRE2"},
                                        {"openssl", "OpenSSL"}};
  for (size_t k = 0; k < sizeof(libs) / sizeof(libs[0]); k++)
    printf("%s %s\n", libs[k][1], json_string_value(json_object_get(info, libs[k][0])));
  json_decref(info);
  return fflush(stdout) == 0 ? EXIT_VALID : EXIT_USAGE;
}

static const struct command *find(const char *name) {
  for (const struct command *c = commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

int main(int argc, char **argv) {
  cli_alloc_install();
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
    return version();
  }
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    usage(stdout);
    return EXIT_VALID;
  }
  if (strcmp(name, "help") == 0) {
    if (argc < 3) {
      usage(stdout);
      return EXIT_VALID;
    }
    const struct command *c = find(argv[2]);
    if (!c)
      return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
    char *help_argv[] = {(char *)c->name, "--help", NULL};
    return c->run(2, help_argv);
  }
  if (name[0] == '-')
    return cli_usage_error(NULL, "unknown option '%s'", name);
  const struct command *c = find(name);
  if (!c)
    return cli_usage_error(NULL, "unknown command '%s'", name);
  return c->run(argc - 1, argv + 1);
}
