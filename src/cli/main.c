/*
 * main.c - the thbx program: finds the subcommand and hands it argv.
 * Everything that does work is in libthbx; the subcommands only parse
 * options, call the library, print and choose the exit code.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
    {"convert", cmd_convert, "convert records between JSON, NDJSON, CSV and XML"},
    {"validate", cmd_validate, "validate datasets against the profile or a schema"},
    {"schema", cmd_schema, "print an embedded profile schema (JSON Schema or XSD)"},
    {"codes", cmd_codes, "print the code lists of the profile"},
    {"map", cmd_map, "check or draft a mapping of a national format (map check, map init)"},
    {"stats", cmd_stats, "count records by 1 to 3 paths, small cells suppressed"},
    {"pseudonymise", cmd_pseudonymise, "replace identifiers by keyed pseudonyms, drop fields"},
    {"anonymise", cmd_anonymise, "make a k-anonymous release of person-level records"},
    {NULL, NULL, NULL},
};

static void usage(FILE *fp) {
  fputs("Usage: thbx [--version] [--help] COMMAND [ARGS]\n"
        "\n"
        "Convert and validate harmonised records about trafficking in human beings.\n"
        "\n"
        "Commands:\n",
        fp);
  for (const struct command *c = commands; c->name; c++)
    fprintf(fp, "  %-13s %s\n", c->name, c->summary);
  fputs("  help          show the help of a command\n"
        "\n"
        "Run 'thbx COMMAND --help' or 'thbx help COMMAND' for a command's options.\n"
        "Exit status: 0 success/valid, 1 invalid data found, 2 usage, I/O or schema error.\n",
        fp);
}

static const struct command *find(const char *name) {
  for (const struct command *c = commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
    printf("thbx %s (libthbx %s)\n", THBX_VERSION, thbx_version());
    return EXIT_VALID;
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
