/* A program of an integrator, built against the installed thbx.h through
 * pkg-config by tests/cli/t0950-package.sh: prints the library's version
 * info and converts the NDJSON on stdin to CSV on stdout with the embedded
 * profile. */
#include <thbx.h>

#include <stdio.h>

int main(void) {
  json_t *info = thbx_version_info();
  if (!info)
    return 2;
  fprintf(stderr, "libthbx %s, libxml2 %s\n", json_string_value(json_object_get(info, "thbx")),
          json_string_value(json_object_get(info, "libxml2")));
  json_decref(info);
  thbx_error_t err;
  thbx_profile_t *profile = NULL;
  if (thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) != THBX_OK)
    return 2;
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = THBX_FORMAT_NDJSON;
  ro.profile = profile;
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = THBX_FORMAT_CSV;
  wo.profile = profile;
  thbx_reader_t *r = NULL;
  thbx_writer_t *w = NULL;
  if (thbx_reader_open(&r, stdin, "-", &ro, &err) != THBX_OK ||
      thbx_writer_open(&w, stdout, &wo, &err) != THBX_OK) {
    fprintf(stderr, "%s\n", err.text);
    return 2;
  }
  thbx_record_t rec;
  int rc;
  while ((rc = thbx_reader_next(r, &rec, &err)) == THBX_OK) {
    rc = thbx_writer_write(w, rec.value, &err);
    json_decref(rec.value);
    if (rc != THBX_OK)
      break;
  }
  if (rc != THBX_EOF || thbx_writer_finish(w, &err) != THBX_OK) {
    fprintf(stderr, "%s\n", err.text);
    return 1;
  }
  thbx_writer_free(w);
  thbx_reader_free(r);
  thbx_profile_free(profile);
  return 0;
}
