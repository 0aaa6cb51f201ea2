/*
 * test_privacy_pipeline.c - the privacy stages on the pipeline: the
 * pseudonymise stage feeding validate's accept/reject split, in all four
 * formats, leaves no original identifier in either file (the split writes
 * changed items from their values, not the input's bytes); an unreadable
 * item after a changing stage is not copied; what local suppression may do
 * with each field of the profile; the anonymiser's two passes on pipelines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privacy.h"

static thbx_pseudonymiser_t *make(void) {
  unsigned char key[32];
  for (int i = 0; i < 32; i++)
    key[i] = (unsigned char)(i * 13 + 5);
  thbx_pseudonymiser_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymiser_new(&p, key, sizeof(key), NULL, &err), THBX_OK);
  return p;
}

static char *slurp(FILE *fp, size_t *len) {
  fflush(fp);
  long n = ftell(fp);
  assert_true(n >= 0);
  char *buf = malloc((size_t)n + 1);
  rewind(fp);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  *len = (size_t)n;
  return buf;
}

/* The identifiers of the samples: person_ref, case_ref, reporting_body.name. */
static json_t *secrets(void) {
  json_t *list = json_array();
  FILE *fp = fopen("samples/events.ndjson", "rb");
  assert_non_null(fp);
  char line[65536];
  while (fgets(line, sizeof(line), fp)) {
    json_t *r = json_loads(line, 0, NULL);
    assert_non_null(r);
    const char *v[] = {
        json_string_value(json_object_get(json_object_get(r, "person"), "person_ref")),
        json_string_value(json_object_get(r, "case_ref")),
        json_string_value(json_object_get(json_object_get(r, "reporting_body"), "name"))};
    for (int i = 0; i < 3; i++)
      if (v[i])
        json_array_append_new(list, json_string(v[i]));
    json_decref(r);
  }
  fclose(fp);
  assert_true(json_array_size(list) > 40);
  return list;
}

static void no_secret(const char *text, const json_t *list, const char *what) {
  size_t i;
  json_t *s;
  json_array_foreach(list, i, s) {
    if (strstr(text, json_string_value(s)))
      fail_msg("%s holds the original '%s'", what, json_string_value(s));
  }
}

static void split_writes_values_after_pseudonymise(void **state) {
  (void)state;
  thbx_profile_t *profile = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  thbx_pseudonymiser_t *ps = make();
  json_t *list = secrets();
  static const char *const formats[] = {"json", "ndjson", "csv", "xml"};
  for (int f = 0; f < 4; f++) {
    char path[64];
    snprintf(path, sizeof(path), "samples/events.%s", formats[f]);
    const char *drops[] = {"reporting_body.name"};
    thbx_pseudonymise_options_t o = {
        .pseudonymiser = ps, .drops = drops, .ndrops = 1, .profile = profile};
    const thbx_stage_ops_t *ops;
    void *st;
    assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
    thbx_pipeline_options_t po;
    thbx_pipeline_options_default(&po);
    po.profile = profile;
    thbx_pipeline_t *p = NULL;
    assert_int_equal(thbx_pipeline_new(&p, &po, &err), THBX_OK);
    assert_int_equal(thbx_pipeline_add_stage(p, ops, st, &err), THBX_OK);
    /* a rule that rejects some records, so that both files get some */
    FILE *acc = tmpfile(), *rej = tmpfile();
    assert_int_equal(thbx_pipeline_add_split(p, acc, THBX_FORMAT_AUTO, rej, THBX_FORMAT_AUTO, &err),
                     THBX_OK);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    int rc = thbx_pipeline_run(p, in, path, THBX_FORMAT_AUTO, &err);
    if (rc != THBX_OK)
      fail_msg("%s: %s", path, err.text);
    fclose(in);
    assert_int_equal(thbx_pipeline_finish(p, 1, &err), THBX_OK);
    thbx_pipeline_free(p);
    size_t n;
    char *text = slurp(acc, &n);
    assert_true(n > 1000);
    no_secret(text, list, path);
    /* the accept file reads back: 30 records, pseudonymised */
    FILE *back = fmemopen(text, n, "rb");
    thbx_reader_options_t ro;
    thbx_reader_options_default(&ro);
    ro.profile = profile;
    thbx_reader_t *r = NULL;
    assert_int_equal(thbx_reader_open(&r, back, "accept", &ro, &err), THBX_OK);
    thbx_record_t rec;
    int count = 0;
    while ((rc = thbx_reader_next(r, &rec, &err)) == THBX_OK) {
      const char *ref =
          json_string_value(json_object_get(json_object_get(rec.value, "person"), "person_ref"));
      assert_non_null(ref);
      assert_int_equal(strlen(ref), 64);
      assert_null(json_object_get(json_object_get(rec.value, "reporting_body"), "name"));
      json_decref(rec.value);
      count++;
    }
    if (rc != THBX_EOF)
      fail_msg("%s: accept file: %s", path, err.text);
    assert_int_equal(count, 30);
    thbx_reader_free(r);
    fclose(back);
    free(text);
    text = slurp(rej, &n);
    no_secret(text, list, path);
    free(text);
    fclose(acc);
    fclose(rej);
  }
  json_decref(list);
  thbx_pseudonymiser_free(ps);
  thbx_profile_free(profile);
}

static void unreadable_changed_item_is_not_copied(void **state) {
  (void)state;
  thbx_pseudonymiser_t *ps = make();
  thbx_pseudonymise_options_t o = {.pseudonymiser = ps};
  const thbx_stage_ops_t *ops;
  void *st;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
  thbx_pipeline_options_t po;
  thbx_pipeline_options_default(&po);
  thbx_pipeline_t *p = NULL;
  assert_int_equal(thbx_pipeline_new(&p, &po, &err), THBX_OK);
  assert_int_equal(thbx_pipeline_add_stage(p, ops, st, &err), THBX_OK);
  FILE *acc = tmpfile(), *rej = tmpfile();
  assert_int_equal(thbx_pipeline_add_split(p, acc, THBX_FORMAT_AUTO, rej, THBX_FORMAT_AUTO, &err),
                   THBX_OK);
  char input[] =
      "{\"case_ref\":\"CASE-ONE\"}\n{\"case_ref\":\"CASE-SECRET\",\n{\"case_ref\":\"C3\"}\n";
  FILE *in = fmemopen(input, strlen(input), "rb");
  int rc = thbx_pipeline_run(p, in, "in.ndjson", THBX_FORMAT_NDJSON, &err);
  fclose(in);
  /* the run must not look complete: the broken line cannot be kept */
  assert_int_not_equal(rc, THBX_OK);
  assert_non_null(strstr(err.text, "must not be copied"));
  thbx_pipeline_finish(p, 0, &err);
  thbx_pipeline_free(p);
  size_t n;
  char *a = slurp(acc, &n), *r = slurp(rej, &n);
  assert_null(strstr(a, "CASE-"));
  assert_null(strstr(r, "CASE-"));
  free(a);
  free(r);
  fclose(acc);
  fclose(rej);
  thbx_pseudonymiser_free(ps);
}

static void suppression_facts_of_the_profile(void **state) {
  (void)state;
  thbx_profile_t *profile = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  struct {
    const char *path;
    int want, conditional;
  } cases[] = {
      {"person.sex", PRIVACY_SUPPRESS_UNKNOWN, 0},
      {"person.age_group", PRIVACY_SUPPRESS_UNKNOWN, 0},
      {"person.citizenship", PRIVACY_SUPPRESS_DROP, 0},
      {"exploitation.start_year", PRIVACY_SUPPRESS_DROP, 0},
      {"exploitation.recruitment.relation", PRIVACY_SUPPRESS_DROP, 0},
      {"reporting_body.name", PRIVACY_SUPPRESS_DROP, 0},
      {"reporting_country", PRIVACY_SUPPRESS_NONE, 0},  /* required, no unknown */
      {"exploitation.forms", PRIVACY_SUPPRESS_NONE, 0}, /* required in exploitation */
      {"person.role", PRIVACY_SUPPRESS_NONE, 1},        /* the if/then reads it */
      {"event_type", PRIVACY_SUPPRESS_NONE, 1},
      {"compensation.currency", PRIVACY_SUPPRESS_NONE, 1}, /* dependentRequired */
      {"compensation.awarded_amount", PRIVACY_SUPPRESS_NONE, 1},
      {"person.nosuch", PRIVACY_SUPPRESS_NONE, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int cond = -1;
    const char *why = NULL;
    int got = privacy_suppression(profile, cases[i].path, &cond, &why);
    if (got != cases[i].want || cond != cases[i].conditional)
      fail_msg("%s: suppression %d conditional %d, want %d %d (%s)", cases[i].path, got, cond,
               cases[i].want, cases[i].conditional, why ? why : "");
    if (got == PRIVACY_SUPPRESS_NONE)
      assert_non_null(why);
  }
  thbx_profile_free(profile);
}

/* The anonymiser alone, without files: 3 groups, one below k. */
static void anonymiser_two_passes(void **state) {
  (void)state;
  thbx_error_t err;
  thbx_profile_t *profile = NULL;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  const char *quasi[] = {"person.sex", "person.age_group"};
  thbx_anonymise_options_t o;
  thbx_anonymise_options_default(&o);
  o.k = 3;
  o.quasi = quasi;
  o.nquasi = 2;
  o.profile = profile;
  o.max_suppress = 0;
  thbx_anonymiser_t *a = NULL;
  assert_int_equal(thbx_anonymiser_new(&a, &o, &err), THBX_OK);
  const char *recs[] = {
      "{\"person\":{\"sex\":\"female\",\"age_group\":\"18-20\"}}",
      "{\"person\":{\"sex\":\"female\",\"age_group\":\"18-20\"}}",
      "{\"person\":{\"sex\":\"female\",\"age_group\":\"18-20\"}}",
      "{\"person\":{\"sex\":\"male\",\"age_group\":\"9-17\"}}",
      "{\"person\":{\"sex\":\"male\",\"age_group\":\"30-38\"}}",
      "{\"person\":{\"sex\":\"male\",\"age_group\":\"48+\"}}",
      "{\"person\":{\"sex\":\"other\",\"age_group\":\"0-8\"}}",
  };
  size_t n = sizeof(recs) / sizeof(recs[0]);
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_loads(recs[i], 0, NULL);
    assert_int_equal(thbx_anonymiser_count(a, r, "t", (long)i + 1, &err), THBX_OK);
    json_decref(r);
  }
  assert_int_equal(thbx_anonymiser_small_groups(a), 4); /* the input: 4 groups below 3 */
  assert_int_equal(thbx_anonymiser_plan(a, &err), THBX_OK);
  int kept = 0, male_unknown = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_loads(recs[i], 0, NULL);
    int keep;
    assert_int_equal(thbx_anonymiser_apply(a, r, &keep, &err), THBX_OK);
    if (keep) {
      kept++;
      json_t *p = json_object_get(r, "person");
      if (strcmp(json_string_value(json_object_get(p, "sex")), "male") == 0 &&
          strcmp(json_string_value(json_object_get(p, "age_group")), "unknown") == 0)
        male_unknown++;
    }
    json_decref(r);
  }
  /* the three males share a group once their age is suppressed (the later
   * quasi-identifier goes first); the single 'other' cannot join anyone */
  assert_int_equal(male_unknown, 3);
  assert_int_equal(kept, 6);
  assert_int_equal(thbx_anonymiser_small_groups(a), 0);
  json_t *rep = thbx_anonymiser_report(a);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(rep, "records"), "dropped")),
                   1);
  json_t *f1 = json_array_get(json_object_get(rep, "fields"), 1);
  assert_int_equal(json_integer_value(json_object_get(f1, "suppressed")), 3);
  char *text = json_dumps(rep, 0);
  assert_null(strstr(text, "female")); /* counts, never values */
  assert_null(strstr(text, "18-20"));
  free(text);
  json_decref(rep);
  thbx_anonymiser_free(a);
  thbx_profile_free(profile);
}

static int write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "wb");
  if (!fp)
    return -1;
  fputs(text, fp);
  return fclose(fp);
}

/* ARX-style hierarchy files: ';' or ',', quotes, a header row, '*'; and
 * what is refused, with its line. */
static void hierarchy_files(void **state) {
  (void)state;
  thbx_error_t err;
  thbx_profile_t *profile = NULL;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  const char *quasi[] = {"exploitation.start_year", "person.age_group", "event_date"};
  thbx_anonymise_options_t o;
  thbx_anonymise_options_default(&o);
  o.k = 2;
  o.quasi = quasi;
  o.nquasi = 3;
  o.profile = profile;
  char dir[] = "/tmp/thbx-hier.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  struct {
    const char *field, *text;
    int want;
    const char *message;
  } cases[] = {
      {"exploitation.start_year", "value;five;all\r\n2022;2020;*\r\n2023;2020;*\r\n", THBX_OK,
       NULL},
      {"exploitation.start_year", "\"2022\",\"2020\"\n", THBX_OK, NULL},
      {"exploitation.start_year", "2022,twenty\n", THBX_ESCHEMA, "'twenty' (level 1)"},
      {"exploitation.start_year", "2022,1900\n", THBX_ESCHEMA, "not a valid value"},
      {"exploitation.start_year", "2022,2020\n2022,2020\n", THBX_ESCHEMA, "has a row already"},
      {"exploitation.start_year", "2022,\"2020\n", THBX_ESCHEMA, "quoted cell"},
      {"exploitation.start_year", "2022\n", THBX_ESCHEMA, "at least one level"},
      {"exploitation.start_year", "", THBX_ESCHEMA, "no rows"},
      {"person.age_group", "18-20,*\n9-17,unknown\n", THBX_OK, NULL},
      {"person.age_group", "18-20,adult\n", THBX_ESCHEMA, "'adult'"},
      {"event_date", "2024-03-14,2024-03-01\n", THBX_OK, NULL},
      {"event_date", "2024-03-14,2024-03\n", THBX_ESCHEMA, "'2024-03'"},
      {"event_date", "2024-03-14,*\n", THBX_ESCHEMA, "neither 'unknown' nor dropped"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    thbx_anonymiser_t *a = NULL;
    assert_int_equal(thbx_anonymiser_new(&a, &o, &err), THBX_OK);
    snprintf(path, sizeof(path), "%s/h%zu.csv", dir, i);
    assert_int_equal(write_file(path, cases[i].text), 0);
    int rc = thbx_anonymiser_add_hierarchy(a, cases[i].field, path, &err);
    if (rc != cases[i].want)
      fail_msg("case %zu: %d, want %d: %s", i, rc, cases[i].want, err.text);
    if (cases[i].message && !strstr(err.text, cases[i].message))
      fail_msg("case %zu: message '%s' lacks '%s'", i, err.text, cases[i].message);
    if (rc != THBX_OK)
      assert_string_equal(err.source, path);
    thbx_anonymiser_free(a);
    unlink(path);
  }
  /* a field a rule reads cannot have a hierarchy at all */
  const char *role[] = {"person.role"};
  o.quasi = role;
  o.nquasi = 1;
  thbx_anonymiser_t *a = NULL;
  assert_int_equal(thbx_anonymiser_new(&a, &o, &err), THBX_OK);
  snprintf(path, sizeof(path), "%s/role.csv", dir);
  assert_int_equal(write_file(path, "victim,suspect\n"), 0);
  assert_int_equal(thbx_anonymiser_add_hierarchy(a, "person.role", path, &err), THBX_EINVAL);
  unlink(path);
  thbx_anonymiser_free(a);
  rmdir(dir);
  thbx_profile_free(profile);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(split_writes_values_after_pseudonymise),
      cmocka_unit_test(unreadable_changed_item_is_not_copied),
      cmocka_unit_test(suppression_facts_of_the_profile),
      cmocka_unit_test(anonymiser_two_passes),
      cmocka_unit_test(hierarchy_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
