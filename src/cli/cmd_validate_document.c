/*
 * cmd_validate_document.c - `thbx validate --document`: each FILE is one
 * JSON instance validated against --schema. PLACEHOLDER until the JSON
 * Schema engine issue lands.
 */
#include "cli.h"

int cmd_validate_document(int argc, char **argv) {
  (void)argc;
  (void)argv;
  cli_error("validate --document is not implemented yet");
  return EXIT_USAGE;
}
