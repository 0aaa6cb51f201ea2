/*
 * cmd_validate.c - `thbx validate`. PLACEHOLDER until the validate issue
 * lands; `--document` (single JSON documents against a JSON Schema) is
 * handled by cmd_validate_document.c.
 */
#include "cli.h"

#include <string.h>

int cmd_validate(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--document") == 0)
      return cmd_validate_document(argc, argv);
  cli_error("validate is not implemented yet");
  return EXIT_USAGE;
}
