/*
 * cmd_codes.c - `thbx codes`: print the code lists compiled into libthbx.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

int cmd_codes(int argc, char **argv) {
  static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    if (c == 'h') {
      fputs(cli_help_codes, stdout);
      return EXIT_VALID;
    }
    return cli_usage_error("codes", "unknown option '%s'", argv[optind - 1]);
  }
  if (argc - optind > 1)
    return cli_usage_error("codes", "too many arguments");
  if (optind == argc) {
    for (size_t i = 0; thbx_resource_name(i); i++) {
      const char *name = thbx_resource_name(i);
      size_t n = strlen(name);
      if (strncmp(name, "codes/", 6) == 0 && n > 10 && strcmp(name + n - 4, ".csv") == 0)
        printf("%.*s\n", (int)(n - 10), name + 6);
    }
    return EXIT_VALID;
  }
  char res[256];
  snprintf(res, sizeof(res), "codes/%s.csv", argv[optind]);
  size_t len;
  const char *text = strchr(argv[optind], '/') ? NULL : thbx_resource(res, &len);
  if (!text) {
    cli_error("no code list '%s' (see 'thbx codes')", argv[optind]);
    return EXIT_USAGE;
  }
  fwrite(text, 1, len, stdout);
  return fflush(stdout) == 0 ? EXIT_VALID : EXIT_USAGE;
}
