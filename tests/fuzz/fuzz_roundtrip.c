/*
 * fuzz_roundtrip.c - libFuzzer harness for a writer and its reader: every
 * record read from the input (as NDJSON, generic) that the FUZZ_FORMAT
 * writer accepts must read back as the same JSON. Generic mode for JSON and
 * NDJSON (exact there); thb-event profile mode for CSV and XML, where the
 * writer must refuse what it cannot spell rather than change it.
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

/* json_equal() looks object keys up as C strings, so two objects with a key
 * holding "\u0000" never compare equal: compare with the key lengths. */
static int same(const json_t *a, const json_t *b) {
  if (json_typeof(a) != json_typeof(b))
    return 0;
  switch (json_typeof(a)) {
  case JSON_OBJECT: {
    if (json_object_size(a) != json_object_size(b))
      return 0;
    for (void *it = json_object_iter((json_t *)a); it;
         it = json_object_iter_next((json_t *)a, it)) {
      const json_t *bv =
          json_object_getn(b, json_object_iter_key(it), json_object_iter_key_len(it));
      if (!bv || !same(json_object_iter_value(it), bv))
        return 0;
    }
    return 1;
  }
  case JSON_ARRAY:
    if (json_array_size(a) != json_array_size(b))
      return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!same(json_array_get(a, i), json_array_get(b, i)))
        return 0;
    return 1;
  default: return json_equal((json_t *)a, (json_t *)b);
  }
}

static void check_one(const json_t *record, const thbx_profile_t *p) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (!out)
    return;
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = FUZZ_FORMAT;
  wo.profile = p;
  thbx_writer_t *w = NULL;
  thbx_error_t err;
  int wrote = 0;
  if (thbx_writer_open(&w, out, &wo, &err) == THBX_OK) {
    wrote = thbx_writer_write(w, record, &err) == THBX_OK;
    if (thbx_writer_finish(w, &err) != THBX_OK)
      wrote = 0;
    thbx_writer_free(w);
  }
  fclose(out);
  if (wrote) {
    FILE *in = fmemopen(buf, len ? len : 1, "rb");
    thbx_reader_options_t ro;
    thbx_reader_options_default(&ro);
    ro.format = FUZZ_FORMAT;
    ro.profile = p;
    thbx_reader_t *r = NULL;
    if (in && thbx_reader_open(&r, in, "roundtrip", &ro, &err) == THBX_OK) {
      thbx_record_t rec = {0};
      int rc = thbx_reader_next(r, &rec, &err);
      if (rc != THBX_OK) {
        fprintf(stderr, "written record does not read back: %s\n%.*s\n", err.text, (int)len, buf);
        abort();
      }
      if (!same(rec.value, record)) {
        char *a = json_dumps(record, JSON_COMPACT), *b = json_dumps(rec.value, JSON_COMPACT);
        fprintf(stderr, "round trip changed the record:\n%s\n%s\n", a, b);
        abort();
      }
      json_decref(rec.value);
      /* one record written, one read back: not two */
      thbx_record_t extra = {0};
      rc = thbx_reader_next(r, &extra, &err);
      if (rc != THBX_EOF) {
        fprintf(stderr, "one written record reads back as more (status %d): %.*s\n", rc, (int)len,
                buf);
        abort();
      }
      thbx_reader_free(r);
    }
    if (in)
      fclose(in);
  }
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  FILE *in = fmemopen((void *)data, size, "rb");
  if (!in)
    return 0;
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.format = THBX_FORMAT_NDJSON;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  const thbx_profile_t *p =
      (FUZZ_FORMAT == THBX_FORMAT_JSON || FUZZ_FORMAT == THBX_FORMAT_NDJSON) ? NULL : profile;
  if (thbx_reader_open(&r, in, "fuzz", &opt, &err) == THBX_OK) {
    for (int n = 0; n < 64; n++) {
      thbx_record_t rec = {0};
      int rc = thbx_reader_next(r, &rec, &err);
      if (rc == THBX_OK) {
        check_one(rec.value, p);
        json_decref(rec.value);
      } else if (rc != THBX_EPARSE && rc != THBX_ELIMIT) {
        break;
      }
    }
    thbx_reader_free(r);
  }
  fclose(in);
  return 0;
}
