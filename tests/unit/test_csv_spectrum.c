/*
 * test_csv_spectrum.c - every case of csv-spectrum (tests/suites/csv-spectrum:
 * csvs/NAME.csv and the records it should give, json/NAME.json), read in
 * generic mode. thbx reads an empty cell as an absent property (the model's
 * rule), where csv-spectrum expects "": the expected records are compared
 * with their "" values dropped. Everything else must be equal: values, key
 * order, number of records.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "csv_test_util.h"

#define SPECTRUM THBX_SUITES_DIR "/csv-spectrum"

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, fp) != (size_t)n) {
    free(s);
    s = NULL;
  }
  fclose(fp);
  if (s) {
    s[n] = '\0';
    *len = (size_t)n;
  }
  return s;
}

static void drop_empty_strings(json_t *records) {
  size_t i;
  json_t *rec;
  json_array_foreach(records, i, rec) {
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(rec, tmp, key, v) {
      if (json_is_string(v) && json_string_length(v) == 0)
        json_object_del(rec, key);
    }
  }
}

static int check_case(const char *name) {
  char path[1024];
  snprintf(path, sizeof(path), SPECTRUM "/csvs/%s.csv", name);
  size_t len;
  char *csv = slurp(path, &len);
  if (!csv) {
    fprintf(stderr, "%s: cannot read\n", path);
    return 0;
  }
  snprintf(path, sizeof(path), SPECTRUM "/json/%s.json", name);
  json_error_t e;
  json_t *want = json_load_file(path, 0, &e);
  if (!json_is_array(want)) {
    fprintf(stderr, "%s: %s\n", path, e.text);
    free(csv);
    return 0;
  }
  drop_empty_strings(want);
  struct outcomes out;
  csv_read(&out, csv, len, NULL, NULL);
  int ok = out.open_status == THBX_OK && out.n == json_array_size(want);
  if (!ok)
    fprintf(stderr, "%s: %zu records, want %zu\n", name, out.n, json_array_size(want));
  for (size_t i = 0; ok && i < out.n; i++) {
    if (out.o[i].status != THBX_OK) {
      fprintf(stderr, "%s: record %zu: %s\n", name, i, out.o[i].text);
      ok = 0;
      break;
    }
    char *w = json_dumps(json_array_get(want, i), JSON_COMPACT);
    if (!json_same_text(out.o[i].value, w)) {
      fprintf(stderr, "%s: record %zu differs\n", name, i);
      ok = 0;
    }
    free(w);
  }
  csv_outcomes_free(&out);
  json_decref(want);
  free(csv);
  return ok;
}

static void every_case(void **state) {
  (void)state;
  DIR *d = opendir(SPECTRUM "/csvs");
  if (!d)
    fail_msg("%s: not found (tests/suites/csv-spectrum is vendored)", SPECTRUM);
  struct dirent *ent;
  int cases = 0, failed = 0;
  while ((ent = readdir(d)) != NULL) {
    size_t n = strlen(ent->d_name);
    if (n < 5 || strcmp(ent->d_name + n - 4, ".csv") != 0)
      continue;
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(n - 4), ent->d_name);
    cases++;
    if (!check_case(name)) {
      fprintf(stderr, "FAIL: %s\n", name);
      failed++;
    }
  }
  closedir(d);
  assert_true(cases >= 10); /* the suite is there, whole */
  assert_int_equal(failed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(every_case)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
