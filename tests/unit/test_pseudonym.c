/*
 * test_pseudonym.c - keyed pseudonyms: HMAC-SHA256 against the RFC 4231 test
 * vectors, HKDF derivation (labels unlinkable, the same label the same),
 * key ids, key file rules, and the pseudonymise stage of the pipeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pseudonym.h"

static size_t unhex(const char *hex, unsigned char *out) {
  unsigned byte, count;
  if (sscanf(hex, "%2x*%u", &byte, &count) == 2) { /* "aa*131": 131 bytes of 0xaa */
    memset(out, (int)byte, count);
    return count;
  }
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (unsigned char)v;
  }
  return n;
}

/* RFC 4231 section 4: key, data, HMAC-SHA-256 (test case 5 is truncated to
 * 128 bits: its expected value is a prefix). */
static const struct {
  const char *key_hex, *data_hex, *mac_hex;
} rfc4231[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"aa*20", "dd*50", "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"0102030405060708090a0b0c0d0e0f10111213141516171819", "cd*50",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
     "a3b6167473100ee06e0c796c2955552b"},
    {"aa*131",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368"
     "204b6579204669727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"aa*131",
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a"
     "65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865"
     "206b6579206e6565647320746f20626520686173686564206265666f7265206265696e672075736564206279"
     "2074686520484d414320616c676f726974686d2e",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static void hmac_rfc4231(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
    unsigned char key[256], data[256];
    size_t klen = unhex(rfc4231[i].key_hex, key);
    size_t dlen = unhex(rfc4231[i].data_hex, data);
    thbx_pseudonymiser_t *p = NULL;
    thbx_error_t err;
    assert_int_equal(privacy_pseudonymiser_new_any_length(&p, key, klen, NULL, &err), THBX_OK);
    char hex[THBX_PSEUDONYM_HEX_LENGTH + 1];
    assert_int_equal(thbx_pseudonymise(p, (const char *)data, dlen, hex), THBX_OK);
    assert_int_equal(strlen(hex), 64);
    const char *want = rfc4231[i].mac_hex;
    if (strncmp(hex, want, strlen(want)) != 0)
      fail_msg("RFC 4231 test case %zu: got %s, want %s", i + 1, hex, want);
    thbx_pseudonymiser_free(p);
  }
}

static void rfc4231_case6_through_public_api(void **state) {
  (void)state;
  /* case 6's key is 131 bytes: the public call takes it */
  unsigned char key[256], data[256];
  size_t klen = unhex(rfc4231[5].key_hex, key);
  size_t dlen = unhex(rfc4231[5].data_hex, data);
  thbx_pseudonymiser_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymiser_new(&p, key, klen, NULL, &err), THBX_OK);
  char hex[THBX_PSEUDONYM_HEX_LENGTH + 1];
  assert_int_equal(thbx_pseudonymise(p, (const char *)data, dlen, hex), THBX_OK);
  assert_string_equal(hex, rfc4231[5].mac_hex);
  thbx_pseudonymiser_free(p);
  /* a short key is refused by the public call, saying why */
  assert_int_equal(thbx_pseudonymiser_new(&p, key, 31, NULL, &err), THBX_EINVAL);
  assert_null(p);
  assert_non_null(strstr(err.text, "at least 32"));
}

static thbx_pseudonymiser_t *make(const char *label) {
  unsigned char key[32];
  for (int i = 0; i < 32; i++)
    key[i] = (unsigned char)(i * 7 + 1);
  thbx_pseudonymiser_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymiser_new(&p, key, sizeof(key), label, &err), THBX_OK);
  return p;
}

static void pseudo(const thbx_pseudonymiser_t *p, const char *v, char *out) {
  assert_int_equal(thbx_pseudonymise(p, v, strlen(v), out), THBX_OK);
}

static void hkdf_labels(void **state) {
  (void)state;
  thbx_pseudonymiser_t *plain = make(NULL), *a = make("recipient-a"), *a2 = make("recipient-a"),
                       *b = make("recipient-b");
  char h0[65], ha[65], ha2[65], hb[65];
  /* many values: never equal across labels, always equal for one label */
  for (int i = 0; i < 200; i++) {
    char v[32];
    snprintf(v, sizeof(v), "person-%d", i);
    pseudo(plain, v, h0);
    pseudo(a, v, ha);
    pseudo(a2, v, ha2);
    pseudo(b, v, hb);
    assert_string_equal(ha, ha2);
    assert_string_not_equal(ha, hb);
    assert_string_not_equal(ha, h0);
    assert_string_not_equal(hb, h0);
    for (const char *c = ha; *c; c++)
      assert_true((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'));
  }
  /* the key id is that of the shared key, whatever the label; the derived
   * ids differ per label and match for the same label */
  assert_string_equal(thbx_pseudonymiser_key_id(plain), thbx_pseudonymiser_key_id(a));
  assert_string_equal(thbx_pseudonymiser_key_id(a), thbx_pseudonymiser_key_id(b));
  assert_null(thbx_pseudonymiser_derived_key_id(plain));
  assert_string_equal(thbx_pseudonymiser_derived_key_id(a), thbx_pseudonymiser_derived_key_id(a2));
  assert_string_not_equal(thbx_pseudonymiser_derived_key_id(a),
                          thbx_pseudonymiser_derived_key_id(b));
  assert_int_equal(strlen(thbx_pseudonymiser_key_id(a)), THBX_KEY_ID_LENGTH);
  /* an empty label is refused */
  unsigned char key[32] = {1};
  thbx_pseudonymiser_t *p = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymiser_new(&p, key, 32, "", &err), THBX_EINVAL);
  thbx_pseudonymiser_free(plain);
  thbx_pseudonymiser_free(a);
  thbx_pseudonymiser_free(a2);
  thbx_pseudonymiser_free(b);
}

static char dir[64];

static void write_key(const char *name, const void *data, size_t n, mode_t mode, char *path) {
  sprintf(path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, n), (ssize_t)n);
  close(fd);
  assert_int_equal(chmod(path, mode), 0);
}

static void key_files(void **state) {
  (void)state;
  strcpy(dir, "/tmp/thbx-keytest.XXXXXX");
  assert_non_null(mkdtemp(dir));
  char k32[33], path[128];
  memset(k32, 'k', 32);
  k32[32] = '\n';
  thbx_pseudonymiser_t *p = NULL, *q = NULL;
  thbx_error_t err;
  char h1[65], h2[65];

  /* one trailing newline is stripped: the same key as without it */
  write_key("nl", k32, 33, 0600, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_OK);
  write_key("raw", k32, 32, 0400, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&q, path, NULL, &err), THBX_OK);
  pseudo(p, "x", h1);
  pseudo(q, "x", h2);
  assert_string_equal(h1, h2);
  assert_string_equal(thbx_pseudonymiser_key_id(p), thbx_pseudonymiser_key_id(q));
  thbx_pseudonymiser_free(q);
  /* ... and only one: two newlines leave one, a different key */
  char k34[34];
  memcpy(k34, k32, 33);
  k34[33] = '\n';
  write_key("nl2", k34, 34, 0600, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&q, path, NULL, &err), THBX_OK);
  pseudo(q, "x", h2);
  assert_string_not_equal(h1, h2);
  thbx_pseudonymiser_free(q);
  thbx_pseudonymiser_free(p);

  /* 31 bytes, or 31 plus a newline: too short */
  write_key("short", k32, 31, 0600, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "31 bytes"));
  assert_null(p);
  char s31[32];
  memcpy(s31, k32, 31);
  s31[31] = '\n';
  write_key("short-nl", s31, 32, 0600, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "31 bytes"));

  /* readable by group, by others: refused, saying so */
  write_key("group", k32, 32, 0640, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "readable by its group"));
  assert_non_null(strstr(err.text, "0640"));
  write_key("others", k32, 32, 0604, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "readable by others"));
  write_key("world", k32, 32, 0644, path);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "group and others"));
  assert_string_equal(err.source, path);
  /* the message never shows the key */
  assert_null(strstr(err.text, "kkkk"));

  /* too long, a directory, missing */
  char *big = malloc(THBX_KEY_MAX_BYTES + 10);
  memset(big, 'b', THBX_KEY_MAX_BYTES + 10);
  write_key("big", big, THBX_KEY_MAX_BYTES + 10, 0600, path);
  free(big);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EINVAL);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, dir, NULL, &err), THBX_EINVAL);
  sprintf(path, "%s/missing", dir);
  assert_int_equal(thbx_pseudonymiser_from_key_file(&p, path, NULL, &err), THBX_EIO);
  assert_null(p);

  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static json_t *js(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, 0, &e);
  if (!v)
    fail_msg("bad test JSON: %s", e.text);
  return v;
}

static void free_issues(thbx_item_t *item) {
  for (size_t i = 0; i < item->nissues; i++) {
    free(item->issues[i].rule);
    free(item->issues[i].instance_path);
    free(item->issues[i].schema_path);
    free(item->issues[i].message);
    free(item->issues[i].value);
    free(item->issues[i].related_source);
  }
  free(item->issues);
}

static void stage_replaces_and_drops(void **state) {
  (void)state;
  thbx_pseudonymiser_t *p = make(NULL);
  const char *drops[] = {"reporting_body.name", "exploitation.recruitment.relation"};
  thbx_pseudonymise_options_t o = {.pseudonymiser = p, .drops = drops, .ndrops = 2};
  const thbx_stage_ops_t *ops;
  void *st;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
  assert_int_equal(ops->kind, THBX_STAGE_STATELESS);
  assert_string_equal(ops->name, "pseudonymise");

  thbx_item_t item;
  memset(&item, 0, sizeof(item));
  item.value =
      js("{\"case_ref\":\"TIR-1\",\"person\":{\"person_ref\":\"anna-1990\",\"sex\":\"female\"},"
         "\"reporting_body\":{\"name\":\"Police Tirana\"},"
         "\"exploitation\":{\"forms\":[\"sexual\"],\"recruitment\":{\"relation\":\"family\"}}}");
  item.raw = "raw bytes";
  assert_int_equal(ops->apply(st, &item, &err), THBX_OK);
  assert_int_equal(item.nissues, 0);
  assert_int_equal(item.raw_stale, 1);
  char want[65];
  pseudo(p, "anna-1990", want);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(item.value, "person"), "person_ref")),
      want);
  pseudo(p, "TIR-1", want);
  assert_string_equal(json_string_value(json_object_get(item.value, "case_ref")), want);
  /* dropped, and the objects they left empty removed */
  assert_null(json_object_get(item.value, "reporting_body"));
  json_t *ex = json_object_get(item.value, "exploitation");
  assert_non_null(ex);
  assert_null(json_object_get(ex, "recruitment"));
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(item.value, "person"), "sex")), "female");
  char *text = json_dumps(item.value, 0);
  assert_null(strstr(text, "anna"));
  assert_null(strstr(text, "TIR-1"));
  assert_null(strstr(text, "Tirana"));
  free(text);
  json_decref(item.value);

  /* an unreadable item (no value) is still marked stale */
  memset(&item, 0, sizeof(item));
  assert_int_equal(ops->apply(st, &item, &err), THBX_OK);
  assert_int_equal(item.raw_stale, 1);
  ops->free(st);
  thbx_pseudonymiser_free(p);
}

static void stage_arrays_numbers_and_objects(void **state) {
  (void)state;
  thbx_pseudonymiser_t *p = make("r");
  const char *fields[] = {"ids", "n", "obj", "flag", "missing.deep"};
  thbx_pseudonymise_options_t o = {.pseudonymiser = p, .fields = fields, .nfields = 5};
  const thbx_stage_ops_t *ops;
  void *st;
  thbx_error_t err;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
  thbx_item_t item;
  memset(&item, 0, sizeof(item));
  item.value = js("{\"ids\":[\"a\",\"b\",null],\"n\":42,\"obj\":{\"secret\":\"x\"},\"flag\":true,"
                  "\"keep\":\"k\"}");
  assert_int_equal(ops->apply(st, &item, &err), THBX_OK);
  char ha[65], h42[65];
  pseudo(p, "a", ha);
  pseudo(p, "42", h42);
  json_t *ids = json_object_get(item.value, "ids");
  assert_string_equal(json_string_value(json_array_get(ids, 0)), ha);
  assert_true(json_is_null(json_array_get(ids, 2)));
  assert_string_equal(json_string_value(json_object_get(item.value, "n")), h42);
  /* an object and a boolean cannot be pseudonymised: removed, and issues */
  assert_null(json_object_get(item.value, "obj"));
  assert_null(json_object_get(item.value, "flag"));
  assert_int_equal(item.nissues, 2);
  assert_string_equal(item.issues[0].rule, "pseudonymise");
  assert_string_equal(item.issues[0].instance_path, "/obj");
  assert_null(item.issues[0].value);
  assert_string_equal(json_string_value(json_object_get(item.value, "keep")), "k");
  free_issues(&item);
  json_decref(item.value);
  ops->free(st);
  thbx_pseudonymiser_free(p);
}

static int warnings;
static void count_warning(void *ctx, const char *text) {
  (void)ctx;
  (void)text;
  warnings++;
}

static void stage_checks_paths_against_profile(void **state) {
  (void)state;
  thbx_profile_t *profile = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err), THBX_OK);
  thbx_pseudonymiser_t *p = make(NULL);
  const thbx_stage_ops_t *ops;
  void *st = NULL;
  const char *bad[] = {"person.nosuch"};
  thbx_pseudonymise_options_t o = {
      .pseudonymiser = p, .fields = bad, .nfields = 1, .profile = profile, .warn = count_warning};
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_EINVAL);
  assert_non_null(strstr(err.text, "not a field of the profile"));
  assert_null(st);
  const char *obj[] = {"person"};
  o.fields = obj;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_EINVAL);
  const char *badpath[] = {"person..sex"};
  o.fields = badpath;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_EINVAL);
  /* the defaults fit the profile: no warning */
  warnings = 0;
  o.fields = NULL;
  o.nfields = 0;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
  assert_int_equal(warnings, 0);
  ops->free(st);
  /* a code list field does not take a pseudonym; a required field dropped */
  const char *sex[] = {"person.sex"};
  const char *drops[] = {"reporting_body.type", "reporting_body.name"};
  o.fields = sex;
  o.nfields = 1;
  o.drops = drops;
  o.ndrops = 2;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_OK);
  assert_int_equal(warnings, 2);
  ops->free(st);
  const char *nodrop[] = {"nosuch"};
  o.drops = nodrop;
  o.ndrops = 1;
  assert_int_equal(thbx_pseudonymise_stage_new(&o, &ops, &st, &err), THBX_EINVAL);
  thbx_pseudonymiser_free(p);
  thbx_profile_free(profile);
}

/* One pseudonymiser, many threads at once: every thread gets what one
 * thread alone gets (the shared keyed context is only read). */
#define THREADS 8
#define VALUES 2000
static thbx_pseudonymiser_t *shared;
static char expected[VALUES][65];

static void *worker(void *arg) {
  long bad = 0;
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < VALUES; i++) {
      char v[32], hex[65];
      snprintf(v, sizeof(v), "person-%d", i);
      if (thbx_pseudonymise(shared, v, strlen(v), hex) != THBX_OK || strcmp(hex, expected[i]))
        bad++;
    }
  *(long *)arg = bad;
  return NULL;
}

static void threads_share_one_pseudonymiser(void **state) {
  (void)state;
  shared = make("threads");
  for (int i = 0; i < VALUES; i++) {
    char v[32];
    snprintf(v, sizeof(v), "person-%d", i);
    pseudo(shared, v, expected[i]);
  }
  pthread_t t[THREADS];
  long bad[THREADS];
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, worker, &bad[i]), 0);
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(bad[i], 0);
  }
  thbx_pseudonymiser_free(shared);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hmac_rfc4231),
      cmocka_unit_test(rfc4231_case6_through_public_api),
      cmocka_unit_test(hkdf_labels),
      cmocka_unit_test(key_files),
      cmocka_unit_test(stage_replaces_and_drops),
      cmocka_unit_test(stage_arrays_numbers_and_objects),
      cmocka_unit_test(stage_checks_paths_against_profile),
      cmocka_unit_test(threads_share_one_pseudonymiser),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
