/*
 * fuzz_reader.c - libFuzzer harness for one reader (FUZZ_FORMAT): any input
 * must end in EOF or a fatal error after finitely many records, with no
 * crash, leak or undefined behaviour. The first byte picks the mode: bit 0
 * the thb-event-1.0 profile (else generic), bit 1 XSD validation (XML),
 * bit 2 tight limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thbx.h"

static thbx_profile_t *profile;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  thbx_error_t err;
  if (thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) != THBX_OK)
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  /* fmemopen cannot open 0 bytes: open one byte of our own and consume it
   * (not data[1], which is past the end of the input) */
  static char empty[1];
  FILE *in = size > 1 ? fmemopen((void *)(data + 1), size - 1, "rb") : fmemopen(empty, 1, "rb");
  if (!in)
    return 0;
  if (size == 1)
    fgetc(in);
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.format = FUZZ_FORMAT;
  opt.profile = (data[0] & 1) ? profile : NULL;
  opt.validate_xsd = (data[0] & 2) != 0;
  if (data[0] & 4) {
    /* tight limits, so that small inputs reach the over-limit paths (skip
     * an over-long line, a deep record, a huge cell, a wide row) */
    opt.limits.max_depth = 4;
    opt.limits.max_record_bytes = 512;
    opt.limits.max_field_bytes = 64;
    opt.limits.max_columns = 8;
  }
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  if (thbx_reader_open(&r, in, "fuzz", &opt, &err) == THBX_OK) {
    /* every call either returns a record, an error for one record, or ends;
     * each record or error consumes input, so there are at most about as
     * many calls as bytes: more means a reader that does not progress */
    for (size_t calls = 0;; calls++) {
      if (calls > size + 16) {
        fprintf(stderr, "reader returned %zu records/errors for %zu bytes\n", calls, size);
        abort();
      }
      thbx_record_t rec = {0};
      int rc = thbx_reader_next(r, &rec, &err);
      if (rc == THBX_OK) {
        if (!rec.value || rec.line < 1)
          abort();
        const thbx_error_t *xe;
        size_t n;
        thbx_reader_xsd_errors(r, &xe, &n);
        json_decref(rec.value);
        size_t raw_len;
        thbx_reader_raw(r, &raw_len);
      } else if (rc == THBX_EPARSE || rc == THBX_ELIMIT) {
        /* a broken record: its raw bytes (for the reject file) must be
         * readable, and the error must say where */
        size_t raw_len = 0;
        const char *raw = thbx_reader_raw(r, &raw_len);
        if (raw && raw_len > size) {
          fprintf(stderr, "raw record of %zu bytes from %zu bytes of input\n", raw_len, size);
          abort();
        }
        if (err.text[0] == '\0') {
          fprintf(stderr, "reader error %d without a message\n", rc);
          abort();
        }
      } else {
        break;
      }
    }
    thbx_reader_free(r);
  }
  fclose(in);
  return 0;
}
