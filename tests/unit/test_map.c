/*
 * test_map.c - the mapping stage against the pipeline contract: apply() on
 * items built by hand (forward, reverse, record errors as located issues
 * naming the row, raw_stale), the same results from several threads at
 * once over one compiled mapping, and compile errors at MAP.csv:LINE.
 */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

#define POLICE THBX_SOURCE_DIR "/samples/national/police-rs/police.map.csv"

static thbx_profile_t *profile;

static int setup(void **state) {
  (void)state;
  thbx_error_t err;
  return thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) == THBX_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  thbx_profile_free(profile);
  return 0;
}

static thbx_mapping_t *load(const char *path, int reverse) {
  thbx_mapping_options_t mo;
  thbx_mapping_options_default(&mo);
  mo.reverse = reverse;
  thbx_mapping_t *m = NULL;
  thbx_error_t err;
  int rc = thbx_mapping_load(&m, path, profile, &mo, &err);
  if (rc != THBX_OK)
    print_error("%s:%ld: %s\n", err.source, err.line, err.text);
  assert_int_equal(rc, THBX_OK);
  return m;
}

static void item_init(thbx_item_t *it, json_t *value, long line) {
  memset(it, 0, sizeof(*it));
  it->value = value;
  it->raw = strdup("raw bytes of the national record");
  it->raw_length = strlen(it->raw);
  it->source = "export.csv";
  it->line = line;
  it->column = 1;
  it->format = THBX_FORMAT_CSV;
}

static void item_clear(thbx_item_t *it) {
  for (size_t i = 0; i < it->nissues; i++) {
    free(it->issues[i].rule);
    free(it->issues[i].instance_path);
    free(it->issues[i].schema_path);
    free(it->issues[i].message);
    free(it->issues[i].value);
    free(it->issues[i].related_source);
  }
  free(it->issues);
  free(it->raw);
  free(it->out);
  json_decref(it->value);
}

static json_t *police_row(const char *sex, const char *age) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Redni broj", "2024-0001",
                   "Broj predmeta", "KT-117-24", "Vrsta događaja", "IDENTIFIKACIJA",
                   "Datum događaja", "14.03.2024.", "Šifra lica", "RS-L-000101", "Uloga", "ŽRTVA",
                   "Pol", sex, "Starost", age, "Državljanstvo", "SRB, BIH", "Oblik eksploatacije",
                   "seksualna/radna", "Transnacionalno", "DA");
}

static void forward(void **state) {
  (void)state;
  thbx_mapping_t *m = load(POLICE, 0);
  const thbx_stage_ops_t *ops = thbx_mapping_stage_ops(m);
  assert_string_equal(ops->name, "map");
  assert_int_equal(ops->kind, THBX_STAGE_STATELESS);
  thbx_item_t it;
  item_init(&it, police_row("Ž", "19"), 2);
  thbx_error_t err;
  assert_int_equal(ops->apply(m, &it, &err), THBX_OK);
  assert_int_equal(it.nissues, 0);
  assert_true(it.raw_stale);
  json_t *want = json_pack(
      "{s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:[s,s]},s:{s:[s,s],s:b}}",
      "record_id", "RS-MUP-2024-0001", "schema_version", "1.0", "reporting_country", "RS",
      "reporting_body", "type", "police", "name",
      "Ministarstvo unutrašnjih poslova - Služba za suzbijanje trgovine ljudima", "event_type",
      "identification", "event_date", "2024-03-14", "case_ref", "KT-117-24", "person", "person_ref",
      "RS-L-000101", "role", "victim", "sex", "female", "age_group", "18-20", "citizenship", "RS",
      "BA", "exploitation", "forms", "sexual", "forced_labour", "transnational", 1);
  assert_true(json_equal(it.value, want));
  json_decref(want);
  item_clear(&it);
  thbx_mapping_free(m);
}

static void record_errors(void **state) {
  (void)state;
  thbx_mapping_t *m = load(POLICE, 0);
  thbx_item_t it;
  item_init(&it, police_row("X", "abc"), 7);
  thbx_error_t err;
  assert_int_equal(thbx_mapping_apply(m, &it, &err), THBX_OK);
  assert_int_equal(it.nissues, 2);
  /* each names the row, the source, the value apart from the message */
  assert_string_equal(it.issues[0].rule, "map");
  assert_string_equal(it.issues[0].instance_path, "/person/sex");
  assert_int_equal(it.issues[0].line, 7);
  assert_non_null(strstr(it.issues[0].message, "police.map.csv:15: col:Pol"));
  assert_null(strstr(it.issues[0].message, "\"X\""));
  assert_string_equal(it.issues[0].value, "X");
  assert_string_equal(it.issues[1].instance_path, "/person/age_group");
  assert_string_equal(it.issues[1].value, "abc");
  item_clear(&it);
  /* an unreadable item is left alone */
  item_init(&it, NULL, 3);
  it.unreadable = 1;
  assert_int_equal(thbx_mapping_apply(m, &it, &err), THBX_OK);
  assert_int_equal(it.nissues, 0);
  assert_null(it.value);
  item_clear(&it);
  thbx_mapping_free(m);
}

static void reverse(void **state) {
  (void)state;
  thbx_mapping_t *m = load(POLICE, 1);
  thbx_item_t it;
  item_init(&it, police_row("Ž", "19"), 2);
  thbx_error_t err;
  thbx_mapping_t *fwd = load(POLICE, 0);
  assert_int_equal(thbx_mapping_apply(fwd, &it, &err), THBX_OK);
  assert_int_equal(thbx_mapping_apply(m, &it, &err), THBX_OK);
  assert_int_equal(it.nissues, 0);
  assert_string_equal(json_string_value(json_object_get(it.value, "Redni broj")), "2024-0001");
  assert_string_equal(json_string_value(json_object_get(it.value, "Datum događaja")),
                      "14.03.2024.");
  assert_string_equal(json_string_value(json_object_get(it.value, "Starost")), "18-20");
  assert_string_equal(json_string_value(json_object_get(it.value, "Državljanstvo")), "SRB,BIH");
  assert_string_equal(json_string_value(json_object_get(it.value, "Maloletno lice")), "N/P");
  assert_string_equal(thbx_mapping_columns(m),
                      "Redni broj,Vrsta događaja,Datum događaja,Broj predmeta,Šifra lica,Uloga,"
                      "Pol,Starost,Maloletno lice,Državljanstvo,Oblik eksploatacije,"
                      "Sredstva kontrole,Zemlje eksploatacije,Transnacionalno,Godina početka");
  item_clear(&it);
  json_t *ledger = thbx_mapping_ledger(m);
  assert_true(json_array_size(ledger) > 10);
  json_decref(ledger);
  thbx_mapping_free(fwd);
  thbx_mapping_free(m);
}

/* several threads apply one compiled mapping at once: each gets what one
 * thread alone gets */
struct job {
  const thbx_mapping_t *m;
  int failures;
};

static void *worker(void *arg) {
  struct job *j = arg;
  static const char *const sexes[] = {"Ž", "M", "N", "X"};
  static const char *const ages[] = {"4", "19", "48", "N/P", "-3"};
  for (int i = 0; i < 400; i++) {
    thbx_item_t it;
    item_init(&it, police_row(sexes[i % 4], ages[i % 5]), i + 2);
    thbx_error_t err;
    if (thbx_mapping_apply(j->m, &it, &err) != THBX_OK)
      j->failures++;
    size_t want = (i % 4 == 3) + (i % 5 == 4);
    const char *sex =
        json_string_value(json_object_get(json_object_get(it.value, "person"), "sex"));
    static const char *const mapped[] = {"female", "male", "unknown"};
    if (it.nissues != want || (i % 4 != 3 && (!sex || strcmp(sex, mapped[i % 4]) != 0)))
      j->failures++;
    item_clear(&it);
  }
  return NULL;
}

static void threads(void **state) {
  (void)state;
  thbx_mapping_t *m = load(POLICE, 0);
  pthread_t t[4];
  struct job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (struct job){m, 0};
    assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(jobs[i].failures, 0);
  }
  thbx_mapping_free(m);
}

static void compile_errors(void **state) {
  (void)state;
  char path[] = "/tmp/thbx-map-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "w");
  fputs("target,source,default\nrecord_id,col:id,\nperson.sexx,col:pol,\n", fp);
  fclose(fp);
  thbx_mapping_options_t mo;
  thbx_mapping_options_default(&mo);
  thbx_mapping_t *m = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_mapping_load(&m, path, profile, &mo, &err), THBX_ESCHEMA);
  assert_null(m);
  assert_string_equal(err.source, path);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.text, "unknown target 'person.sexx'"));
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(forward), cmocka_unit_test(record_errors),  cmocka_unit_test(reverse),
      cmocka_unit_test(threads), cmocka_unit_test(compile_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
