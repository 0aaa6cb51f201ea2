/*
 * test_csv_cases.c - CSV reader cases as data files: tests/data/csv/cases/
 * NAME.csv is read (NAME starting with "p-": with the test profile
 * tests/data/csv/shape.schema.json; "g-": generic mode) and what comes out
 * must be NAME.out, one line per record or error:
 *
 *     LINE {compact JSON}     a record starting on LINE
 *     LINE:COL message        an error of one record
 *     F LINE:COL message      an error that stops the file
 *
 * Add a case by adding the two files.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "csv_test_util.h"
#include "internal.h"

#define CASES THBX_SOURCE_DIR "/tests/data/csv/cases"
#define SCHEMA THBX_SOURCE_DIR "/tests/data/csv/shape.schema.json"

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  char *s = NULL;
  size_t n = 0, cap = 0;
  int c;
  while ((c = fgetc(fp)) != EOF) {
    if (n + 1 >= cap) {
      cap = cap ? cap * 2 : 4096;
      s = realloc(s, cap);
      assert_non_null(s);
    }
    s[n++] = (char)c;
  }
  fclose(fp);
  if (!s)
    s = calloc(1, 1);
  s[n] = '\0';
  *len = n;
  return s;
}

static void describe(const struct outcomes *out, thbx_buf_t *b) {
  for (size_t i = 0; i < out->n; i++) {
    const struct outcome *o = &out->o[i];
    if (o->status == THBX_OK) {
      char *j = json_dumps(o->value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
      thbx_buf_printf(b, "%ld %s\n", o->line, j ? j : "?");
      free(j);
    } else {
      thbx_buf_printf(b, "%s%ld:%ld %s\n", o->status == THBX_EPARSE ? "" : "F ", o->line, o->column,
                      o->text);
    }
  }
}

static int run_case(const char *name, const thbx_profile_t *profile) {
  char path[1024];
  size_t len, want_len;
  snprintf(path, sizeof(path), CASES "/%s.csv", name);
  char *csv = slurp(path, &len);
  snprintf(path, sizeof(path), CASES "/%s.out", name);
  char *want = slurp(path, &want_len);
  if (!csv || !want) {
    fprintf(stderr, "%s: missing .csv or .out\n", name);
    free(csv);
    free(want);
    return 0;
  }
  struct outcomes out;
  csv_read(&out, csv, len, name[0] == 'p' ? profile : NULL, NULL);
  thbx_buf_t got;
  thbx_buf_init(&got);
  describe(&out, &got);
  int ok = got.data && strcmp(got.data, want) == 0;
  if (!ok)
    fprintf(stderr, "%s: got\n%swant\n%s", name, got.data ? got.data : "", want);
  thbx_buf_free(&got);
  csv_outcomes_free(&out);
  free(csv);
  free(want);
  return ok;
}

static void every_case(void **state) {
  (void)state;
  thbx_profile_t *profile = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(SCHEMA, &profile, &err), THBX_OK);
  DIR *d = opendir(CASES);
  assert_non_null(d);
  struct dirent *ent;
  int cases = 0, failed = 0;
  while ((ent = readdir(d)) != NULL) {
    size_t n = strlen(ent->d_name);
    if (n < 5 || strcmp(ent->d_name + n - 4, ".csv") != 0)
      continue;
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(n - 4), ent->d_name);
    cases++;
    failed += !run_case(name, profile);
  }
  closedir(d);
  thbx_profile_free(profile);
  assert_true(cases > 0);
  assert_int_equal(failed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(every_case)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
