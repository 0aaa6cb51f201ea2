/*
 * bench_validate.c - the JSON Schema engine's side of bench/bench_validate_ajv.sh:
 * compile a schema once, then read an NDJSON file record by record with
 * libthbx's reader (generic, no profile) and validate each record.
 *
 *   bench_validate [--formats] [--read-only] SCHEMA.json FILE.ndjson
 *
 * Prints records, valid, invalid, and the seconds spent (compile, read +
 * validate: wall clock and CPU time of the process) on stdout as
 * "key: value" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thbx.h"

static double clock_seconds(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char **argv) {
  int formats = 0, read_only = 0, i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--formats") == 0)
      formats = 1;
    else if (strcmp(argv[i], "--read-only") == 0)
      read_only = 1;
  }
  if (argc - i != 2) {
    fprintf(stderr, "usage: %s [--formats] [--read-only] SCHEMA.json FILE.ndjson\n", argv[0]);
    return 2;
  }
  json_error_t jerr;
  json_t *sdoc = json_load_file(argv[i], 0, &jerr);
  if (!sdoc) {
    fprintf(stderr, "%s:%d: %s\n", argv[i], jerr.line, jerr.text);
    return 2;
  }
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  opt.assert_formats = formats;
  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_schema_t *schema = NULL;
  double t0 = now();
  if (thbx_schema_compile(sdoc, NULL, &opt, &schema, &err) != THBX_OK) {
    fprintf(stderr, "%s: %s\n", argv[i], err.text);
    return 2;
  }
  double t1 = now(), c1 = cpu();
  FILE *in = fopen(argv[i + 1], "rb");
  if (!in) {
    perror(argv[i + 1]);
    return 2;
  }
  thbx_reader_options_t ropt;
  thbx_reader_options_default(&ropt);
  ropt.format = THBX_FORMAT_NDJSON;
  thbx_reader_t *reader = NULL;
  if (thbx_reader_open(&reader, in, argv[i + 1], &ropt, &err) != THBX_OK) {
    fprintf(stderr, "%s\n", err.text);
    return 2;
  }
  long records = 0, valid = 0, invalid = 0, broken = 0;
  thbx_record_t rec;
  int rc;
  while ((rc = thbx_reader_next(reader, &rec, &err)) != THBX_EOF) {
    if (rc == THBX_EPARSE) {
      broken++;
      continue;
    }
    if (rc != THBX_OK) {
      fprintf(stderr, "%s\n", err.text);
      return 2;
    }
    records++;
    if (!read_only) {
      thbx_validation_t result;
      if (thbx_schema_validate(schema, rec.value, &result, &err) != THBX_OK) {
        fprintf(stderr, "record %ld: %s\n", records, err.text);
        return 2;
      }
      if (result.valid)
        valid++;
      else
        invalid++;
      thbx_validation_clear(&result);
    }
    json_decref(rec.value);
  }
  double t2 = now(), c2 = cpu();
  printf("records: %ld\nvalid: %ld\ninvalid: %ld\nunreadable: %ld\n", records, valid, invalid,
         broken);
  printf("compile_seconds: %.4f\nseconds: %.3f\ncpu_seconds: %.3f\nrecords_per_second: %.0f\n",
         t1 - t0, t2 - t1, c2 - c1, records / (t2 - t1));
  thbx_reader_free(reader);
  fclose(in);
  thbx_schema_free(schema);
  json_decref(sdoc);
  return 0;
}
