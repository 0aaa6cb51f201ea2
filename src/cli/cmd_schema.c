/*
 * cmd_schema.c - `thbx schema`: print an embedded profile's JSON Schema or
 * XSD, or list the embedded profiles.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

int cmd_schema(int argc, char **argv) {
  enum { OPT_JSON = 256, OPT_XSD };
  static const struct option options[] = {{"json", no_argument, NULL, OPT_JSON},
                                          {"xsd", no_argument, NULL, OPT_XSD},
                                          {"list", no_argument, NULL, 'l'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  int xsd = 0, list = 0, c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":lh", options, NULL)) != -1) {
    switch (c) {
    case OPT_JSON: xsd = 0; break;
    case OPT_XSD: xsd = 1; break;
    case 'l': list = 1; break;
    case 'h': fputs(cli_help_schema, stdout); return EXIT_VALID;
    default: return cli_usage_error("schema", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (list) {
    for (size_t i = 0; thbx_profile_embedded_name(i); i++)
      printf("%s\n", thbx_profile_embedded_name(i));
    return EXIT_VALID;
  }
  if (argc - optind > 1)
    return cli_usage_error("schema", "too many arguments");
  const char *name = optind < argc ? argv[optind] : THBX_DEFAULT_PROFILE;
  char res[256];
  snprintf(res, sizeof(res), "%s%s", name, xsd ? ".xsd" : ".schema.json");
  size_t len;
  const char *text = NULL;
  for (size_t i = 0; thbx_profile_embedded_name(i); i++)
    if (strcmp(thbx_profile_embedded_name(i), name) == 0)
      text = thbx_resource(res, &len);
  if (!text) {
    cli_error("no embedded profile '%s' (see 'thbx schema --list')", name);
    return EXIT_USAGE;
  }
  fwrite(text, 1, len, stdout);
  return fflush(stdout) == 0 ? EXIT_VALID : EXIT_USAGE;
}
