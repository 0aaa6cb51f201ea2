/*
 * test_xml_attacks.c - hostile XML (issue 7): every file of the shared
 * xml-attacks suite (defusedxml's xmltestdata) and generated variants
 * (entity bombs, external and parameter entities, XInclude, schemaLocation
 * hints, a DOCTYPE split across read boundaries, UTF-16, deep nesting) is
 * rejected or read without expansion, quickly, in every reader mode, and
 * nothing of a file named by the input ever appears in what the reader
 * returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <time.h>

#include "xml_test_util.h"

#define ATTACKS THBX_SUITES_DIR "/xml-attacks/xmltestdata"
#define TIME_BOUND 10.0 /* seconds per document and mode, ASan included */

static thbx_profile_t *profile;

static int setup(void **state) {
  (void)state;
  thbx_error_t err;
  return thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) == THBX_OK && profile ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  thbx_profile_free(profile);
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the reader returned for a document in one mode. */
struct outcome {
  int records, errors, last;
  int fatal_doctype; /* ended with the DOCTYPE message */
  thbx_buf_t all;    /* every value, raw record and message, concatenated */
  double seconds;
};

static void run_mode(const char *doc, size_t len, const thbx_profile_t *p, int xsd,
                     struct outcome *o) {
  memset(o, 0, sizeof(*o));
  thbx_buf_init(&o->all);
  double t0 = now();
  FILE *in = len ? fmemopen((void *)doc, len, "rb") : fopen("/dev/null", "rb");
  assert_non_null(in);
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.format = THBX_FORMAT_XML;
  opt.profile = p;
  opt.validate_xsd = xsd;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  o->last = thbx_reader_open(&r, in, "attack.xml", &opt, &err);
  if (o->last != THBX_OK)
    thbx_buf_puts(&o->all, err.text);
  int calls = 0;
  while (o->last == THBX_OK) {
    assert_true(++calls < 100000); /* every call consumes input */
    thbx_record_t rec;
    int rc = thbx_reader_next(r, &rec, &err);
    size_t rl;
    const char *raw = thbx_reader_raw(r, &rl);
    if (raw)
      thbx_buf_append(&o->all, raw, rl);
    const thbx_error_t *xe;
    size_t nx;
    thbx_reader_xsd_errors(r, &xe, &nx);
    for (size_t i = 0; i < nx; i++)
      thbx_buf_puts(&o->all, xe[i].text);
    if (rc == THBX_OK) {
      char *s = json_dumps(rec.value, JSON_ENCODE_ANY);
      thbx_buf_puts(&o->all, s);
      free(s);
      json_decref(rec.value);
      o->records++;
    } else if (rc == THBX_EPARSE || rc == THBX_ELIMIT) {
      thbx_buf_puts(&o->all, err.text);
      o->errors++;
    } else {
      if (rc != THBX_EOF)
        thbx_buf_puts(&o->all, err.text);
      o->fatal_doctype = rc == THBX_EFATAL && strstr(err.text, "DOCTYPE is not allowed") != NULL;
      o->last = rc;
    }
  }
  thbx_reader_free(r);
  fclose(in);
  o->seconds = now() - t0;
}

/* Strings that would show that a file was read or an entity expanded. */
static const char *const leaks[] = {"root:x:",
                                    "root:",
                                    "daemon:",
                                    "<note>",
                                    "Tove",
                                    "1234567890123456789012345678901234567890",
                                    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
                                    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
                                    NULL};

/* Run every mode over doc; check bounds and leaks. Returns how many modes
 * ended with the DOCTYPE refusal. */
static int check_all_modes(const char *name, const char *doc, size_t len) {
  const thbx_profile_t *profiles[] = {NULL, profile, profile};
  const int xsd[] = {0, 0, 1};
  int refused = 0;
  for (int m = 0; m < 3; m++) {
    struct outcome o;
    run_mode(doc, len, profiles[m], xsd[m], &o);
    if (o.seconds > TIME_BOUND)
      fail_msg("%s (mode %d): %.1f s", name, m, o.seconds);
    assert_true(o.last == THBX_EOF || o.last == THBX_EFATAL);
    for (int i = 0; leaks[i]; i++)
      if (o.all.data && strstr(o.all.data, leaks[i]))
        fail_msg("%s (mode %d): output contains \"%s\"", name, m, leaks[i]);
    refused += o.fatal_doctype;
    thbx_buf_free(&o.all);
  }
  return refused;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  thbx_buf_t b;
  thbx_buf_init(&b);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    thbx_buf_append(&b, chunk, n);
  fclose(f);
  if (!b.data)
    thbx_buf_append(&b, "", 0);
  *len = b.len;
  return b.data;
}

static void every_vendored_attack_file(void **state) {
  (void)state;
  DIR *d = opendir(ATTACKS);
  if (!d)
    fail_msg("%s: not found (tests/suites/xml-attacks is vendored)", ATTACKS);
  int files = 0, with_doctype = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", ATTACKS, e->d_name);
    size_t len;
    char *doc = slurp(path, &len);
    assert_non_null(doc);
    int refused = check_all_modes(e->d_name, doc, len);
    if (strstr(doc, "<!DOCTYPE")) {
      /* every document with a DOCTYPE is refused, in every mode */
      if (refused != 3)
        fail_msg("%s: DOCTYPE not refused in every mode", e->d_name);
      with_doctype++;
    } else {
      assert_int_equal(refused, 0);
    }
    free(doc);
    files++;
  }
  closedir(d);
  assert_true(files >= 10);
  assert_true(with_doctype >= 8);
}

static void external_entities_never_resolve(void **state) {
  (void)state;
  const char *docs[] = {
      "<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<records><r>&e;</r></records>",
      "<!DOCTYPE r [<!ENTITY e SYSTEM \"/etc/passwd\">]><records><r>&e;</r></records>",
      "<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><records/>",
      "<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><records><r/></records>",
      "<?xml version=\"1.0\"?><!-- -->\n<?pi?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "
      "\"" ATTACKS "/simple.xml\">]><records><r>&e;</r></records>",
      /* entity declarations outside a DOCTYPE are refused the same way */
      "<records><!ENTITY e SYSTEM \"file:///etc/passwd\"><r>&e;</r></records>",
  };
  for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
    char name[32];
    snprintf(name, sizeof(name), "external %zu", i);
    assert_int_equal(check_all_modes(name, docs[i], strlen(docs[i])), 3);
  }
}

static void xinclude_and_schema_location_are_inert(void **state) {
  (void)state;
  const char *doc = "<records xmlns=\"urn:thbx:thb-event:1.0\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                    "xsi:schemaLocation=\"urn:thbx:thb-event:1.0 file:///etc/passwd\">"
                    "<record id=\"AL-1\" xsi:noNamespaceSchemaLocation=\"http://192.0.2.1/x.xsd\"/>"
                    "<record xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
                    "<xi:include href=\"/etc/passwd\" parse=\"text\"/></record></records>";
  assert_int_equal(check_all_modes("xinclude", doc, strlen(doc)), 0);
  struct outcome o;
  run_mode(doc, strlen(doc), NULL, 0, &o);
  assert_int_equal(o.records, 2); /* generic: the include is just an element */
  assert_non_null(strstr(o.all.data, "\"@href\": \"/etc/passwd\""));
  thbx_buf_free(&o.all);
  run_mode(doc, strlen(doc), profile, 0, &o);
  assert_int_equal(o.records, 1);
  assert_int_equal(o.errors, 1); /* not in the profile's namespace */
  thbx_buf_free(&o.all);
}

static void entity_bombs_are_refused_quickly(void **state) {
  (void)state;
  thbx_buf_t b;
  thbx_buf_init(&b);
  /* billion laughs, 10 levels of 10 */
  thbx_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY l0 \"lol\">\n");
  for (int i = 1; i <= 10; i++) {
    thbx_buf_printf(&b, "<!ENTITY l%d \"", i);
    for (int k = 0; k < 10; k++)
      thbx_buf_printf(&b, "&l%d;", i - 1);
    thbx_buf_puts(&b, "\">\n");
  }
  thbx_buf_puts(&b, "]>\n<records><r>&l10;</r></records>\n");
  assert_int_equal(check_all_modes("billion laughs", b.data, b.len), 3);
  /* quadratic blowup: a 200 kB entity referenced 20000 times */
  thbx_buf_reset(&b);
  thbx_buf_puts(&b, "<!DOCTYPE q [<!ENTITY a \"");
  for (int i = 0; i < 200000; i++)
    thbx_buf_putc(&b, 'B');
  thbx_buf_puts(&b, "\">]><records><r>");
  for (int i = 0; i < 20000; i++)
    thbx_buf_puts(&b, "&a;");
  thbx_buf_puts(&b, "</r></records>");
  assert_int_equal(check_all_modes("quadratic", b.data, b.len), 3);
  thbx_buf_free(&b);
}

static void doctype_split_across_reads(void **state) {
  (void)state;
  /* libxml2 pulls input in blocks: put "<!DOCTYPE" across every offset
   * around the usual block sizes */
  const size_t bounds[] = {512, 4000, 4096, 65536};
  for (size_t k = 0; k < sizeof(bounds) / sizeof(*bounds); k++) {
    for (size_t shift = 0; shift < 12; shift++) {
      size_t at = bounds[k] - 10 + shift; /* offset of '<' of <!DOCTYPE */
      thbx_buf_t b;
      thbx_buf_init(&b);
      thbx_buf_puts(&b, "<!--");
      while (b.len < at - 3)
        thbx_buf_putc(&b, 'c');
      thbx_buf_puts(&b, "-->");
      assert_int_equal(b.len, at);
      thbx_buf_puts(&b, "<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                        "<records><r>&e;</r></records>");
      char name[64];
      snprintf(name, sizeof(name), "split at %zu", at);
      assert_int_equal(check_all_modes(name, b.data, b.len), 3);
      thbx_buf_free(&b);
    }
  }
}

static void utf16_is_refused(void **state) {
  (void)state;
  const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r [<!ENTITY e SYSTEM "
                      "\"file:///etc/passwd\">]><records><r>&e;</r></records>";
  size_t n = strlen(ascii);
  char *le = malloc(2 * n + 2);
  le[0] = (char)0xFF;
  le[1] = (char)0xFE;
  for (size_t i = 0; i < n; i++) {
    le[2 + 2 * i] = ascii[i];
    le[3 + 2 * i] = 0;
  }
  check_all_modes("utf-16le", le, 2 * n + 2);
  struct outcome o;
  run_mode(le, 2 * n + 2, NULL, 0, &o);
  assert_int_equal(o.last, THBX_EFATAL);
  assert_int_equal(o.records, 0);
  thbx_buf_free(&o.all);
  /* without a BOM */
  check_all_modes("utf-16le no bom", le + 2, 2 * n);
  run_mode(le + 2, 2 * n, NULL, 0, &o);
  assert_int_equal(o.last, THBX_EFATAL);
  thbx_buf_free(&o.all);
  free(le);
}

static void deep_and_wide_documents(void **state) {
  (void)state;
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "<records><r>");
  for (int i = 0; i < 100000; i++)
    thbx_buf_puts(&b, "<a>");
  assert_int_equal(check_all_modes("deep", b.data, b.len), 0);
  struct outcome o;
  run_mode(b.data, b.len, NULL, 0, &o);
  assert_int_equal(o.last, THBX_EFATAL); /* libxml2's own depth limit, or truncated */
  thbx_buf_free(&o.all);
  /* 100000 attributes on one element: libxml2 compares them pairwise, so
   * the reader refuses elements with more than 1000 */
  thbx_buf_reset(&b);
  thbx_buf_puts(&b, "<records><r");
  for (int i = 0; i < 100000; i++)
    thbx_buf_printf(&b, " a%d=\"x\"", i);
  thbx_buf_puts(&b, "/><r>ok</r></records>");
  assert_int_equal(check_all_modes("wide", b.data, b.len), 0);
  run_mode(b.data, b.len, NULL, 0, &o);
  assert_int_equal(o.last, THBX_EFATAL);
  assert_non_null(strstr(o.all.data, "more than 1000 attributes"));
  assert_true(o.seconds < 2.0);
  thbx_buf_free(&o.all);
  /* 1000 are fine */
  thbx_buf_reset(&b);
  thbx_buf_puts(&b, "<records><r");
  for (int i = 0; i < 1000; i++)
    thbx_buf_printf(&b, " a%d=\"x\"", i);
  thbx_buf_puts(&b, "/><r>ok</r></records>");
  run_mode(b.data, b.len, NULL, 0, &o);
  assert_int_equal(o.last, THBX_EOF);
  assert_int_equal(o.records, 2);
  thbx_buf_free(&o.all);
  thbx_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_vendored_attack_file),
      cmocka_unit_test(external_entities_never_resolve),
      cmocka_unit_test(xinclude_and_schema_location_are_inert),
      cmocka_unit_test(entity_bombs_are_refused_quickly),
      cmocka_unit_test(doctype_split_across_reads),
      cmocka_unit_test(utf16_is_refused),
      cmocka_unit_test(deep_and_wide_documents),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
