/*
 * cmd_convert.c - `thbx convert`. PLACEHOLDER until the convert issue lands.
 */
#include "cli.h"

int cmd_convert(int argc, char **argv) {
  (void)argc;
  (void)argv;
  cli_error("convert is not implemented yet");
  return EXIT_USAGE;
}
