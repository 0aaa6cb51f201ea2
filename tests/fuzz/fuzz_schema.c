/*
 * fuzz_schema.c - libFuzzer harness for the JSON Schema compiler and
 * validator: the input is a JSON array [schema, instance, ...]; hostile
 * schemas (cycles, huge enums, catastrophic regexes, deep nesting) must be
 * refused or validated in bounded time, without crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "thbx.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_error_t jerr;
  json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
  if (!doc)
    return 0;
  if (!json_is_array(doc) || json_array_size(doc) < 1) {
    json_decref(doc);
    return 0;
  }
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  opt.assert_formats = 1;
  opt.regex_match_limit = 100000;
  thbx_schema_t *schema = NULL;
  thbx_error_t err;
  if (thbx_schema_compile(json_array_get(doc, 0), NULL, &opt, &schema, &err) == THBX_OK) {
    for (size_t i = 1; i < json_array_size(doc); i++) {
      thbx_validation_t result = {0};
      if (thbx_schema_validate(schema, json_array_get(doc, i), &result, &err) == THBX_OK) {
        json_t *out = thbx_validation_output(&result, "basic");
        json_decref(out);
      }
      thbx_validation_clear(&result);
    }
    thbx_schema_free(schema);
  }
  json_decref(doc);
  return 0;
}
