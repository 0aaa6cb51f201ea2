/*
 * runner.c - runs the official JSON Schema Test Suite through libthbx.
 *
 *   jsonschema_runner [-v] [--min-pass N] SUITE_TESTS_DIR REMOTES_DIR DRAFT KIND
 *
 * DRAFT is "2020-12" or "7"; KIND is "required" (the top directory), "optional"
 * (optional/) or "format" (optional/format/, with
 * format assertion on). http://localhost:1234/ is mapped to REMOTES_DIR.
 * Prints "N passed, N failed" and exits non-zero if a required test fails,
 * or if fewer than N tests pass (--min-pass: guards optional results
 * against regressions).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thbx.h"

static int verbose;
static long passed, failed, errors;

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *load(const char *path) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (!doc) /* big integers: jansson only takes them as reals */
    doc = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
  if (!doc)
    fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
  return doc;
}

static void run_file(const char *path, const char *remotes, thbx_draft draft, int formats) {
  json_t *doc = load(path);
  if (!doc) {
    errors++;
    return;
  }
  size_t gi;
  json_t *group;
  json_array_foreach(doc, gi, group) {
    const char *gdesc = json_string_value(json_object_get(group, "description"));
    json_t *tests = json_object_get(group, "tests");
    thbx_schema_registry_t *reg = thbx_schema_registry_new();
    thbx_error_t err;
    thbx_error_clear(&err);
    thbx_schema_registry_map(reg, "http://localhost:1234/", remotes, &err);
    thbx_schema_options_t opt;
    thbx_schema_options_default(&opt);
    opt.draft = draft;
    opt.assert_formats = formats;
    thbx_schema_t *schema = NULL;
    int rc = thbx_schema_compile(json_object_get(group, "schema"), reg, &opt, &schema, &err);
    size_t ti;
    json_t *test;
    json_array_foreach(tests, ti, test) {
      const char *tdesc = json_string_value(json_object_get(test, "description"));
      int want = json_is_true(json_object_get(test, "valid"));
      int got = -1;
      char why[1200] = "";
      if (rc != THBX_OK) {
        snprintf(why, sizeof(why), "compile: %s (%s)", err.text, err.schema_path);
      } else {
        thbx_validation_t result;
        thbx_error_t verr;
        thbx_error_clear(&verr);
        int vrc = thbx_schema_validate(schema, json_object_get(test, "data"), &result, &verr);
        if (vrc == THBX_OK)
          got = result.valid;
        else
          snprintf(why, sizeof(why), "validate: %s", verr.text);
        if (vrc == THBX_OK && !result.valid && result.count)
          snprintf(why, sizeof(why), "%s: %s", result.errors[0].keyword_location,
                   result.errors[0].message);
        thbx_validation_clear(&result);
      }
      if (got == want) {
        passed++;
      } else {
        failed++;
        if (verbose)
          printf("FAIL %s | %s | %s: expected %s, got %s %s\n", path, gdesc, tdesc,
                 want ? "valid" : "invalid",
                 got < 0 ? "error"
                 : got   ? "valid"
                         : "invalid",
                 why);
      }
    }
    thbx_schema_free(schema);
    thbx_schema_registry_free(reg);
  }
  json_decref(doc);
}

int main(int argc, char **argv) {
  long min_pass = -1;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-v") == 0)
      verbose = 1;
    else if (strcmp(argv[i], "--min-pass") == 0 && i + 1 < argc)
      min_pass = atol(argv[++i]);
  }
  if (argc - i != 4) {
    fprintf(stderr, "usage: %s [-v] [--min-pass N] TESTS_DIR REMOTES_DIR DRAFT KIND\n", argv[0]);
    return 2;
  }
  const char *dir = argv[i], *remotes = argv[i + 1], *dname = argv[i + 2], *kind = argv[i + 3];
  thbx_draft draft = strcmp(dname, "7") == 0 ? THBX_DRAFT_7 : THBX_DRAFT_2020_12;
  char sub[4096];
  int formats = strcmp(kind, "format") == 0;
  snprintf(sub, sizeof(sub), "%s%s", dir,
           strcmp(kind, "required") == 0 ? ""
           : formats                     ? "/optional/format"
                                         : "/optional");
  DIR *d = opendir(sub);
  if (!d) {
    fprintf(stderr, "cannot open %s\n", sub);
    return 2;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
      names = realloc(names, (n + 1) * sizeof(*names));
      names[n++] = strdup(de->d_name);
    }
  }
  closedir(d);
  qsort(names, n, sizeof(*names), cmp);
  for (size_t k = 0; k < n; k++) {
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", sub, names[k]);
    run_file(path, remotes, draft, formats);
    free(names[k]);
  }
  free(names);
  printf("draft%s %s: %ld passed, %ld failed\n", dname, kind, passed, failed);
  if (errors)
    return 1;
  if (strcmp(kind, "required") == 0 && failed)
    return 1;
  if (min_pass >= 0 && passed < min_pass) {
    printf("fewer than %ld passed\n", min_pass);
    return 1;
  }
  return 0;
}
