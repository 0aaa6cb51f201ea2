/*
 * fuzz_reader.c - libFuzzer harness for one reader (FUZZ_FORMAT): any input
 * must end in EOF or a fatal error after finitely many records, with no
 * crash, leak or undefined behaviour. The first byte picks the profile
 * (odd: thb-event-1.0, even: generic) so both code paths are fuzzed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
  FILE *in = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
  if (!in)
    return 0;
  if (size == 1)
    fgetc(in); /* fmemopen cannot open 0 bytes: consume the 1 */
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.format = FUZZ_FORMAT;
  opt.profile = (data[0] & 1) ? profile : NULL;
  opt.validate_xsd = (data[0] & 2) != 0;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  if (thbx_reader_open(&r, in, "fuzz", &opt, &err) == THBX_OK) {
    /* every call either returns a record, an error for one record, or ends;
     * a reader that returns errors forever without consuming input hangs
     * here and libFuzzer reports the timeout */
    for (;;) {
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
      } else if (rc != THBX_EPARSE && rc != THBX_ELIMIT) {
        break;
      }
    }
    thbx_reader_free(r);
  }
  fclose(in);
  return 0;
}
