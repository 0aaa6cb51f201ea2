/*
 * test_schema.c - the JSON Schema engine through its public API: messages
 * and locations, exact decimal multipleOf, JSON equality, ECMA-262 regex
 * details, limits (regex match limit, $ref cycles), output structures, the
 * registry, and one compiled schema shared by several threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema_internal.h"
#include "thbx.h"

#include <math.h>
#include <stdint.h>

static json_t *js(const char *text) {
  json_error_t jerr;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
  if (!v)
    fail_msg("bad test JSON: %s: %s", text, jerr.text);
  return v;
}

static thbx_schema_t *compile_opts(const char *schema, const thbx_schema_options_t *opt) {
  json_t *s = js(schema);
  thbx_schema_t *out = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_schema_compile(s, NULL, opt, &out, &err);
  json_decref(s);
  if (rc != THBX_OK)
    fail_msg("compile %s: %s", schema, err.text);
  return out;
}

static thbx_schema_t *compile(const char *schema) { return compile_opts(schema, NULL); }

/* 1 valid, 0 invalid; *result kept when given (caller clears). */
static int check(const thbx_schema_t *s, const char *instance, thbx_validation_t *keep) {
  json_t *i = js(instance);
  thbx_validation_t r;
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_schema_validate(s, i, &r, &err);
  json_decref(i);
  if (rc != THBX_OK)
    fail_msg("validate %s: %s", instance, err.text);
  int valid = r.valid;
  if (keep)
    *keep = r;
  else
    thbx_validation_clear(&r);
  return valid;
}

static void messages_and_locations(void **state) {
  (void)state;
  thbx_schema_t *s =
      compile("{\"$id\":\"https://example.org/p\",\"type\":\"object\",\"required\":[\"id\"],"
              "\"properties\":{\"id\":true,\"person\":{\"$ref\":\"#/$defs/"
              "person\"},\"n\":{\"maximum\":600},"
              "\"t\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false,"
              "\"$defs\":{\"person\":{\"properties\":{\"sex\":{\"enum\":[\"female\",\"male\","
              "\"other\",\"unknown\"]}}}}}");
  thbx_validation_t r;
  assert_int_equal(check(s, "{\"person\":{\"sex\":\"F\"},\"n\":601,\"t\":1,\"x\":0}", &r), 0);
  assert_int_equal(r.count, 5);
  const char *want[][4] = {
      {"", "/required", "required", "required property 'id' is missing"},
      {"/person/sex", "/properties/person/$ref/properties/sex/enum", "enum",
       "must be one of female, male, other, unknown"},
      {"/n", "/properties/n/maximum", "maximum", "must be at most 600"},
      {"/t", "/properties/t/type", "type", "must be null or string, not integer"},
      {"", "/additionalProperties", "additionalProperties", "property 'x' is not allowed"},
  };
  for (size_t i = 0; i < 5; i++) {
    assert_string_equal(r.errors[i].instance_path, want[i][0]);
    assert_string_equal(r.errors[i].keyword_location, want[i][1]);
    assert_string_equal(r.errors[i].keyword, want[i][2]);
    assert_string_equal(r.errors[i].message, want[i][3]);
  }
  assert_string_equal(r.errors[1].absolute_location,
                      "https://example.org/p#/$defs/person/properties/sex/enum");
  /* basic output */
  json_t *out = thbx_validation_output(&r, "basic");
  assert_false(json_is_true(json_object_get(out, "valid")));
  json_t *e1 = json_array_get(json_object_get(out, "errors"), 1);
  assert_string_equal(json_string_value(json_object_get(e1, "instanceLocation")), "/person/sex");
  assert_string_equal(json_string_value(json_object_get(e1, "absoluteKeywordLocation")),
                      "https://example.org/p#/$defs/person/properties/sex/enum");
  json_decref(out);
  out = thbx_validation_output(&r, "flag");
  assert_int_equal(json_object_size(out), 1);
  json_decref(out);
  out = thbx_validation_output(&r, "detailed");
  assert_int_equal(json_array_size(json_object_get(out, "errors")), 4); /* 4 locations */
  json_decref(out);
  thbx_validation_clear(&r);
  assert_null(r.errors);
  assert_int_equal(check(s, "{\"id\":1,\"person\":{\"sex\":\"male\"},\"t\":null}", &r), 1);
  assert_int_equal(r.count, 0);
  thbx_validation_clear(&r);
  thbx_schema_free(s);
}

static void multiple_of_is_exact_in_decimal(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"multipleOf\":0.01}");
  assert_int_equal(check(s, "0.07", NULL), 1);
  assert_int_equal(check(s, "20581.6", NULL), 1); /* a double division says no */
  assert_int_equal(check(s, "19.99", NULL), 1);
  assert_int_equal(check(s, "10.125", NULL), 0);
  assert_int_equal(check(s, "-3", NULL), 1);
  assert_int_equal(check(s, "1e-3", NULL), 0);
  thbx_schema_free(s);
  s = compile("{\"type\":\"integer\",\"multipleOf\":0.5}");
  assert_int_equal(check(s, "1e308", NULL), 1);
  assert_int_equal(check(s, "7", NULL), 1);
  thbx_schema_free(s);
  s = compile("{\"multipleOf\":3}");
  /* 2^53+1 is a multiple of 3 (as a double it would be 2^53, which is not) */
  assert_int_equal(check(s, "9007199254740993", NULL), 1);
  assert_int_equal(check(s, "9007199254740994", NULL), 0);
  assert_int_equal(check(s, "4.5", NULL), 0);
  thbx_schema_free(s);
}

static void equality_and_lengths(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"enum\":[1, [2], {\"a\":3.0}, \"x\"]}");
  assert_int_equal(check(s, "1.0", NULL), 1);
  assert_int_equal(check(s, "[2.0]", NULL), 1);
  assert_int_equal(check(s, "{\"a\":3}", NULL), 1);
  assert_int_equal(check(s, "true", NULL), 0);
  assert_int_equal(check(s, "\"x\"", NULL), 1);
  assert_int_equal(check(s, "\"y\"", NULL), 0);
  thbx_schema_free(s);
  s = compile("{\"maxLength\":2,\"minLength\":2}");
  assert_int_equal(check(s, "\"\\u00e9\\u20ac\"", NULL), 1); /* 2 code points, 5 bytes */
  assert_int_equal(check(s, "\"\\ud83d\\ude00\"", NULL), 0); /* 1 code point */
  thbx_schema_free(s);
  s = compile("{\"uniqueItems\":true}");
  assert_int_equal(check(s, "[1, 1.0]", NULL), 0);
  assert_int_equal(check(s, "[{\"a\":1,\"b\":2}, {\"b\":2,\"a\":1}]", NULL), 0);
  assert_int_equal(check(s, "[1, \"1\"]", NULL), 1);
  /* long arrays go by hashes: same answers, no quadratic time */
  json_t *big = json_array();
  for (int i = 0; i < 50000; i++)
    json_array_append_new(big, i % 2 ? json_integer(i) : json_pack("{s:i}", "k", i));
  thbx_validation_t r;
  thbx_error_t err;
  assert_int_equal(thbx_schema_validate(s, big, &r, &err), THBX_OK);
  assert_true(r.valid);
  thbx_validation_clear(&r);
  json_array_append_new(big, json_real(49999.0));
  assert_int_equal(thbx_schema_validate(s, big, &r, &err), THBX_OK);
  assert_false(r.valid);
  assert_string_equal(r.errors[0].message,
                      "must not contain duplicate items (items 49999 and 50000 are equal)");
  thbx_validation_clear(&r);
  json_decref(big);
  thbx_schema_free(s);
}

static void ecma_regex(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"pattern\":\"^abc$\"}");
  assert_int_equal(check(s, "\"abc\"", NULL), 1);
  assert_int_equal(check(s, "\"abc\\n\"", NULL), 0); /* $ is the very end */
  thbx_schema_free(s);
  s = compile("{\"pattern\":\"^\\\\d+$\"}");
  assert_int_equal(check(s, "\"042\"", NULL), 1);
  assert_int_equal(check(s, "\"\\u0661\"", NULL), 0); /* Arabic-Indic one: not ASCII */
  thbx_schema_free(s);
  s = compile("{\"pattern\":\"^\\\\s$\"}");
  assert_int_equal(check(s, "\"\\u00a0\"", NULL), 1);
  assert_int_equal(check(s, "\"\\ufeff\"", NULL), 1);
  thbx_schema_free(s);
  s = compile("{\"pattern\":\"^\\\\p{Letter}+$\"}");
  assert_int_equal(check(s, "\"\\u00e9t\\u00e9\"", NULL), 1);
  assert_int_equal(check(s, "\"a1\"", NULL), 0);
  thbx_schema_free(s);
  /* not ECMA-262: a broken schema */
  json_t *bad = js("{\"pattern\":\"\\\\Aabc\"}");
  thbx_schema_t *out = NULL;
  thbx_error_t err;
  assert_int_equal(thbx_schema_compile(bad, NULL, NULL, &out, &err), THBX_ESCHEMA);
  assert_null(out);
  assert_non_null(strstr(err.schema_path, "pattern"));
  json_decref(bad);
}

static void limits(void **state) {
  (void)state;
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  opt.regex_match_limit = 10000;
  thbx_schema_t *s = compile_opts("{\"pattern\":\"^(a|aa)+$\"}", &opt);
  char inst[200];
  memset(inst, 'a', sizeof(inst));
  inst[0] = '"';
  inst[sizeof(inst) - 3] = '!';
  inst[sizeof(inst) - 2] = '"';
  inst[sizeof(inst) - 1] = '\0';
  json_t *i = js(inst);
  thbx_validation_t r;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_schema_validate(s, i, &r, &err), THBX_ELIMIT);
  assert_non_null(strstr(err.text, "limit"));
  assert_int_equal(r.count, 0);
  json_decref(i);
  thbx_schema_free(s);
  /* a $ref cycle that makes no progress ends at max_depth */
  s = compile("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},"
              "\"$ref\":\"#/$defs/a\"}");
  i = js("1");
  assert_int_equal(thbx_schema_validate(s, i, &r, &err), THBX_ELIMIT);
  assert_non_null(strstr(err.text, "depth"));
  json_decref(i);
  thbx_schema_free(s);
  /* recursion that consumes the instance is fine */
  s = compile("{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}");
  assert_int_equal(check(s, "[[[]],[]]", NULL), 1);
  assert_int_equal(check(s, "[[[1]]]", NULL), 0);
  thbx_schema_free(s);
}

static void formats_annotate_unless_asked(void **state) {
  (void)state;
  const char *schema = "{\"properties\":{\"d\":{\"format\":\"date\"},\"t\":{\"format\":"
                       "\"date-time\"},\"e\":{\"format\":\"email\"},\"u\":{\"format\":\"uuid\"}}}";
  thbx_schema_t *s = compile(schema);
  assert_int_equal(check(s, "{\"d\":\"2023-02-29\"}", NULL), 1);
  thbx_schema_free(s);
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  opt.assert_formats = 1;
  s = compile_opts(schema, &opt);
  assert_int_equal(check(s, "{\"d\":\"2023-02-29\"}", NULL), 0);
  assert_int_equal(check(s, "{\"d\":\"2024-02-29\"}", NULL), 1);
  assert_int_equal(check(s, "{\"t\":\"2024-02-29T23:59:60Z\"}", NULL), 1);
  assert_int_equal(check(s, "{\"t\":\"2024-02-29T22:59:60Z\"}", NULL), 0);
  assert_int_equal(check(s, "{\"t\":\"2024-02-29 10:00:00Z\"}", NULL), 0);
  assert_int_equal(check(s, "{\"e\":\"a.b@example.org\"}", NULL), 1);
  assert_int_equal(check(s, "{\"e\":\"a..b@example.org\"}", NULL), 0);
  assert_int_equal(check(s, "{\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\"}", NULL), 1);
  assert_int_equal(check(s, "{\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\"}", NULL), 0);
  assert_int_equal(check(s, "{\"d\":5}", NULL), 1); /* formats apply to strings only */
  thbx_schema_t *h = compile_opts("{\"properties\":{\"h\":{\"format\":\"hostname\"},"
                                  "\"i\":{\"format\":\"idn-hostname\"}}}",
                                  &opt);
  assert_int_equal(check(h, "{\"h\":\"xn--9n2bp8q.xn--9t4b11yi5a\"}", NULL), 1);
  assert_int_equal(check(h, "{\"h\":\"xn--X\"}", NULL), 0); /* bad Punycode */
  assert_int_equal(check(h, "{\"h\":\"example.\"}", NULL), 0);
  assert_int_equal(check(h, "{\"i\":\"\uc2e4\ub840.\ud14c\uc2a4\ud2b8\"}", NULL), 1);
  assert_int_equal(check(h, "{\"i\":\"a\u00b7l\"}", NULL), 0); /* MIDDLE DOT needs l.l */
  assert_int_equal(check(h, "{\"i\":\"l\u00b7l\"}", NULL), 1);
  assert_int_equal(check(h, "{\"i\":\"a\u05d0\"}", NULL), 0); /* Bidi rule */
  thbx_schema_free(h);
  thbx_validation_t r;
  assert_int_equal(check(s, "{\"d\":\"2023-13-01\"}", &r), 0);
  assert_string_equal(r.errors[0].message, "must be a valid date");
  thbx_validation_clear(&r);
  thbx_schema_free(s);
}

static void registry_and_drafts(void **state) {
  (void)state;
  char dir[] = "/tmp/thbx-schema-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof(path), "%s/int.json", dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("{\"type\":\"integer\"}", fp);
  fclose(fp);
  thbx_schema_registry_t *reg = thbx_schema_registry_new();
  thbx_error_t err;
  assert_int_equal(thbx_schema_registry_map(reg, "https://example.org/r/", dir, &err), THBX_OK);
  json_t *other = js("{\"$id\":\"https://example.org/str\",\"type\":\"string\"}");
  assert_int_equal(thbx_schema_registry_add(reg, NULL, other, &err), THBX_OK);
  json_decref(other);
  json_t *sch = js("{\"properties\":{\"a\":{\"$ref\":\"https://example.org/r/int.json\"},"
                   "\"b\":{\"$ref\":\"https://example.org/str\"}}}");
  thbx_schema_t *s = NULL;
  assert_int_equal(thbx_schema_compile(sch, reg, NULL, &s, &err), THBX_OK);
  json_decref(sch);
  thbx_schema_registry_free(reg); /* the compiled schema does not need it */
  assert_int_equal(check(s, "{\"a\":1,\"b\":\"x\"}", NULL), 1);
  assert_int_equal(check(s, "{\"a\":1.5}", NULL), 0);
  assert_int_equal(check(s, "{\"b\":2}", NULL), 0);
  thbx_schema_free(s);
  unlink(path);
  rmdir(dir);
  /* unresolvable: never the network */
  sch = js("{\"$ref\":\"https://example.org/nowhere.json\"}");
  assert_int_equal(thbx_schema_compile(sch, NULL, NULL, &s, &err), THBX_ENOTFOUND);
  assert_non_null(strstr(err.text, "nowhere"));
  json_decref(sch);
  /* the meta-schemas are embedded: a schema validates against 2020-12's */
  s = compile("{\"$ref\":\"https://json-schema.org/draft/2020-12/schema\"}");
  assert_int_equal(check(s, "{\"type\":\"string\",\"minLength\":1}", NULL), 1);
  assert_int_equal(check(s, "{\"minLength\":-1}", NULL), 0);
  assert_int_equal(check(s, "{\"properties\":{\"a\":{\"type\":\"strin\"}}}", NULL), 0);
  thbx_schema_free(s);
  s = compile("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}");
  assert_int_equal(check(s, "{\"items\":[{}],\"additionalItems\":false}", NULL), 1);
  assert_int_equal(check(s, "{\"type\":7}", NULL), 0);
  thbx_schema_free(s);
  /* draft chosen by option: items array is a tuple in 7 */
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  opt.draft = THBX_DRAFT_7;
  s = compile_opts("{\"items\":[{\"type\":\"string\"}],\"additionalItems\":false}", &opt);
  assert_int_equal(check(s, "[\"a\"]", NULL), 1);
  assert_int_equal(check(s, "[\"a\", 1]", NULL), 0);
  thbx_schema_free(s);
  /* unknown keywords are annotations */
  s = compile("{\"x-whatever\":{\"type\":\"string\"},\"type\":\"integer\"}");
  assert_int_equal(check(s, "3", NULL), 1);
  thbx_schema_free(s);
}

static void unevaluated_and_dynamic(void **state) {
  (void)state;
  thbx_schema_t *s =
      compile("{\"allOf\":[{\"properties\":{\"a\":true}}],\"anyOf\":[{\"properties\":{\"b\":true},"
              "\"required\":[\"b\"]},{\"properties\":{\"c\":true},\"required\":[\"c\"]}],"
              "\"unevaluatedProperties\":false}");
  assert_int_equal(check(s, "{\"a\":1,\"b\":2}", NULL), 1);
  assert_int_equal(check(s, "{\"a\":1,\"c\":2}", NULL), 1);
  thbx_validation_t r;
  assert_int_equal(check(s, "{\"b\":1,\"d\":2}", &r), 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.errors[0].message, "property 'd' is not allowed");
  thbx_validation_clear(&r);
  thbx_schema_free(s);
  /* $dynamicRef: a generic list whose items the referring schema decides */
  s = compile("{\"$id\":\"https://example.org/strings\",\"$ref\":\"list\","
              "\"$defs\":{\"item\":{\"$dynamicAnchor\":\"item\",\"type\":\"string\"},"
              "\"list\":{\"$id\":\"list\",\"type\":\"array\",\"items\":{\"$dynamicRef\":"
              "\"#item\"},\"$defs\":{\"any\":{\"$dynamicAnchor\":\"item\"}}}}}");
  assert_int_equal(check(s, "[\"a\",\"b\"]", NULL), 1);
  assert_int_equal(check(s, "[\"a\",1]", NULL), 0);
  thbx_schema_free(s);
}

struct job {
  const thbx_schema_t *schema;
  json_t *good, *bad;
  int wrong;
};

static void *worker(void *arg) {
  struct job *j = arg;
  for (int k = 0; k < 2000; k++) {
    thbx_validation_t r;
    thbx_error_t err;
    if (thbx_schema_validate(j->schema, (k & 1) ? j->bad : j->good, &r, &err) != THBX_OK ||
        r.valid != !(k & 1) || ((k & 1) && r.count != 2))
      j->wrong++;
    thbx_validation_clear(&r);
  }
  return NULL;
}

static void threads_share_a_schema(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"properties\":{\"code\":{\"pattern\":\"^[A-Z]{2}-[0-9]+$\"},"
                             "\"n\":{\"minimum\":0}},\"unevaluatedProperties\":false}");
  json_t *good = js("{\"code\":\"AL-12\",\"n\":3}");
  json_t *bad = js("{\"code\":\"al-12\",\"n\":-1}");
  pthread_t t[4];
  struct job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (struct job){s, good, bad, 0};
    assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(jobs[i].wrong, 0);
  }
  json_decref(good);
  json_decref(bad);
  thbx_schema_free(s);
}

/* A schema that breaks its draft's meta-schema is refused with the place
 * in the schema; check_schema = 0 compiles it as it is; unknown keywords
 * stay allowed. */
static void broken_schemas_are_refused(void **state) {
  (void)state;
  static const struct {
    const char *schema, *where;
  } broken[] = {
      {"{\"type\": \"strin\"}", "/type"},
      {"{\"properties\": {\"a\": {\"minLength\": -1}}}", "/properties/a/minLength"},
      {"{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"required\": \"a\"}",
       "/required"},
      {"{\"enum\": 3}", "/enum"},
  };
  for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
    json_t *s = js(broken[i].schema);
    thbx_schema_t *out = NULL;
    thbx_error_t err;
    thbx_error_clear(&err);
    assert_int_equal(thbx_schema_compile(s, NULL, NULL, &out, &err), THBX_ESCHEMA);
    assert_null(out);
    assert_string_equal(err.schema_path, broken[i].where);
    assert_non_null(strstr(err.text, "not a valid draft"));
    json_decref(s);
  }
  thbx_schema_options_t o;
  thbx_schema_options_default(&o);
  assert_int_equal(o.check_schema, 1);
  o.check_schema = 0;
  thbx_schema_free(compile_opts("{\"type\": \"strin\"}", &o));
  thbx_schema_free(compile("{\"type\": \"string\", \"x-extension\": {\"type\": 1}}"));
}

/* The shortest round-trip decimal as printf and strtod find it: what
 * schema_number_decimal computed for every double before its fast path. */
static void decimal_by_printf(double d, uint64_t *mant, int *exp) {
  d = fabs(d);
  char buf[48];
  int p = 1;
  for (; p < 17; p++) {
    snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d)
      break;
  }
  snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
  uint64_t m = 0;
  char *s = buf;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9')
      m = m * 10 + (uint64_t)(*s - '0');
  int e = (*s == 'e' ? atoi(s + 1) : 0) - (p - 1);
  if (m == 0)
    e = 0;
  while (m && m % 10 == 0) {
    m /= 10;
    e++;
  }
  *mant = m;
  *exp = e;
}

static void check_decimal(double d) {
  json_t *n = json_real(d);
  assert_non_null(n);
  uint64_t m1, m2;
  int e1, e2;
  schema_number_decimal(n, &m1, &e1);
  decimal_by_printf(d, &m2, &e2);
  if (m1 != m2 || e1 != e2)
    fail_msg("%.17g: %llue%d, printf says %llue%d", d, (unsigned long long)m1, e1,
             (unsigned long long)m2, e2);
  json_decref(n);
}

/* multipleOf's decimals without printf give printf's digits: amounts with
 * a few decimals (and their neighbours one ulp away, which need 17
 * digits), halves, the edge of the fast way (2^40), tiny and huge numbers
 * and doubles of random bits. */
static void decimals_without_printf(void **state) {
  (void)state;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 40000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double cents = (double)(x % 100000000) / 100.0;
    check_decimal(cents);
    check_decimal(nextafter(cents, INFINITY));
    check_decimal(nextafter(cents, 0));
    check_decimal((double)(x % 1000000007) / 1000.0);
    check_decimal((double)(x % 99991) / (double)(1 + x % 97));
    check_decimal((double)(x % 2000001) + 0.5);
    check_decimal(ldexp((double)(x >> 11), -(int)(x % 80)));
    double bits;
    uint64_t b = x & ~(0x7ffULL << 52);
    b |= (uint64_t)(900 + x % 250) << 52; /* a finite exponent around 2^-123 .. 2^126 */
    memcpy(&bits, &b, sizeof(bits));
    check_decimal(bits);
  }
  const double edge[] = {0x1p40,
                         0x1p40 + 0.5,
                         109951162777.6,
                         1099511627.776,
                         1099511627.7761,
                         0.1,
                         0.3,
                         1e-7,
                         5e-324,
                         1.7976931348623157e308,
                         123456789012.345,
                         0.015,
                         10.125,
                         1e22,
                         9007199254740993.0,
                         -0.07,
                         -12.34};
  for (size_t i = 0; i < sizeof(edge) / sizeof(*edge); i++)
    check_decimal(edge[i]);
}

/* A pattern is matched without PCRE2's UTF-8 check only when the subject is
 * ASCII: a string of invalid UTF-8 (a json_t built without the check),
 * wherever its bad byte stands, still fails validation with PCRE2's error
 * instead of reaching the JIT code unchecked; the ASCII and UTF-8
 * neighbours of it match as before. */
static void regex_subject_not_utf8(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"pattern\":\"^[a-z\\u00e9]+$\"}");
  char buf[32];
  for (size_t len = 1; len < sizeof(buf); len++) {
    for (size_t at = 0; at < len; at++) {
      memset(buf, 'a', len);
      buf[at] = (char)0xff;
      json_t *v = json_stringn_nocheck(buf, len);
      thbx_validation_t res;
      thbx_error_t err;
      err.text[0] = '\0';
      int rc = thbx_schema_validate(s, v, &res, &err);
      if (rc != THBX_ELIMIT || !strstr(err.text, "regex match failed"))
        fail_msg("length %zu, 0xff at %zu: status %d, '%s'", len, at, rc, err.text);
      thbx_validation_clear(&res);
      json_decref(v);
    }
  }
  assert_int_equal(check(s, "\"abcdefghijklmnopq\"", NULL), 1);
  assert_int_equal(check(s, "\"abcdefgh\\u00e9t\\u00e9\"", NULL), 1);
  assert_int_equal(check(s, "\"abcdefghZ\"", NULL), 0);
  thbx_schema_free(s);
}

/* Patterns simple enough to be matched without PCRE2 (schema_regex.c)
 * give PCRE2's answers: each pattern against every string of up to six
 * characters from an alphabet around it, plus longer ones, once on the
 * simple way (default limit) and once forced through PCRE2 (a match limit
 * below the simple way's floor). Among them patterns that look simple but
 * where an item would have to give back characters (those must go to
 * PCRE2), negated and odd classes, counts and anchors. */
static void simple_patterns_agree_with_pcre2(void **state) {
  (void)state;
  static const char *const patterns[] = {"^[A-Z]{2}-[A-Za-z0-9._-]{1,4}$",
                                         "^[0-9]{2}-[0-9]{2}$",
                                         "^[A-Za-z0-9._:-]{2,5}$",
                                         "^[A-Z]{3}$",
                                         "^a{0,2}b{0,2}a$",
                                         "^a*b?a$",
                                         "^a+$",
                                         "^[ab]*b$",
                                         "^[a-c]{1,3}[d-]*$",
                                         "^ab?c{2,}$",
                                         "^[-a]+$",
                                         "^[a-]?b$",
                                         "^[^a]+$",
                                         "^a|b$",
                                         "^(a)$",
                                         "^a.$",
                                         "^a{,2}$",
                                         "^a{2,1}$",
                                         "^[a-c-e]$",
                                         "^a{1}{2}$",
                                         "^a*?$",
                                         "^a++$",
                                         "^$",
                                         "^[.]b$",
                                         "^a$b",
                                         "a{2}$",
                                         "^a{2}",
                                         "^[$^]+$",
                                         "^a\\-b$",
                                         "^[a-a]b{0}$",
                                         "^a{3,}b$",
                                         "^ {2}x$"};
  static const char alphabet[] = "abcdeAB-0.:_ x";
  thbx_error_t err;
  for (size_t p = 0; p < sizeof(patterns) / sizeof(*patterns); p++) {
    struct sregex *re = schema_regex_compile(patterns[p], &err);
    if (!re)
      continue;       /* not a regex at all: nothing to compare */
    char s[16] = {0}; /* the JIT looks past the end: defined bytes for valgrind */
    size_t na = sizeof(alphabet) - 1;
    for (size_t len = 0; len <= 6; len++) {
      size_t total = 1;
      for (size_t i = 0; i < len; i++)
        total *= len <= 4 ? na : 5;
      for (size_t k = 0; k < total; k++) {
        size_t x = k;
        for (size_t i = 0; i < len; i++) {
          s[i] = len <= 4 ? alphabet[x % na] : "aAb-0"[x % 5];
          x /= len <= 4 ? na : 5;
        }
        int fast = schema_regex_match(re, s, len, 0, &err);
        int pcre = schema_regex_match(re, s, len, 500, &err);
        if (fast != pcre)
          fail_msg("%s on '%.*s': %d, PCRE2 %d", patterns[p], (int)len, s, fast, pcre);
      }
    }
    const char *longer[] = {"AB-abcdefghijklmnopqrstuvwxyz",
                            "aaaaaaaaaaaaaaaaaaaab",
                            "\xc3\xa9",
                            "a\xc3\xa9",
                            "aa\0",
                            "AB-a\xff"};
    for (size_t i = 0; i < sizeof(longer) / sizeof(*longer); i++) {
      size_t len = i == 4 ? 3 : strlen(longer[i]);
      int fast = schema_regex_match(re, longer[i], len, 0, &err);
      int pcre = schema_regex_match(re, longer[i], len, 500, &err);
      if (fast != pcre)
        fail_msg("%s on '%s': %d, PCRE2 %d", patterns[p], longer[i], fast, pcre);
    }
    schema_regex_free(re);
  }
}

/* "required" is counted from the same lookups as "properties": the names
 * missing are still reported one by one in the order of "required", a name with a NUL ends there
 * (json_object_get), and an object too large for the lookups kept on the stack is checked the old
 * way. Messages and order as without the counting. */
static void required_counted_with_properties(void **state) {
  (void)state;
  thbx_schema_t *s = compile("{\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{}},"
                             "\"required\":[\"c\",\"a\"]}");
  assert_int_equal(check(s, "{\"a\":1,\"c\":2}", NULL), 1);
  assert_int_equal(check(s, "{\"c\":2,\"a\":1,\"b\":null}", NULL), 1);
  thbx_validation_t r;
  assert_int_equal(check(s, "{\"b\":1,\"a\":\"x\"}", &r), 0);
  assert_int_equal(r.count, 2);
  assert_string_equal(r.errors[0].message, "required property 'c' is missing");
  assert_string_equal(r.errors[1].instance_path, "/a");
  thbx_validation_clear(&r);
  assert_int_equal(check(s, "{\"c\":1,\"b\":1}", &r), 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.errors[0].message, "required property 'a' is missing");
  thbx_validation_clear(&r);
  assert_int_equal(check(s, "{\"b\":1}", &r), 0);
  assert_int_equal(r.count, 2);
  assert_string_equal(r.errors[0].message, "required property 'c' is missing");
  assert_string_equal(r.errors[1].message, "required property 'a' is missing");
  thbx_validation_clear(&r);
  /* a key with a NUL inside is not the name before the NUL, nor the reverse */
  json_t *o = json_object();
  json_object_setn_new(o, "a\0", 2, json_integer(1));
  json_object_set_new(o, "c", json_integer(1));
  thbx_error_t err;
  assert_int_equal(thbx_schema_validate(s, o, &r, &err), THBX_OK);
  assert_false(r.valid);
  thbx_validation_clear(&r);
  json_decref(o);
  thbx_schema_free(s);
  /* 40 members: more than are looked up on the stack */
  s = compile("{\"properties\":{\"k1\":{\"type\":\"string\"}},\"required\":[\"k39\",\"z\"]}");
  char big[1024] = "{";
  for (int i = 0; i < 40; i++)
    snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s\"k%d\":%d", i ? "," : "", i, i);
  strcat(big, "}");
  assert_int_equal(check(s, big, &r), 0);
  assert_int_equal(r.count, 2);
  assert_string_equal(r.errors[0].message, "required property 'z' is missing");
  assert_string_equal(r.errors[1].instance_path, "/k1");
  thbx_validation_clear(&r);
  thbx_schema_free(s);
}

/* A leaf (a type, string and number keywords, an enum of strings) is
 * validated without the general walk; any other keyword beside them keeps
 * the general walk (else its check would be skipped), and so do a type
 * that fails, an enum with other values or that fails, and a $ref node. */
static void string_leaves_and_ref_nodes(void **state) {
  (void)state;
  static const struct {
    const char *schema, *instance;
    int valid;
  } cases[] = {
      {"{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}", "\"a\"", 1},
      {"{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}", "\"c\"", 0},
      {"{\"type\":\"string\",\"enum\":[\"a\"],\"not\":{\"const\":\"a\"}}", "\"a\"", 0},
      {"{\"type\":\"string\",\"enum\":[\"a\"],\"allOf\":[{\"maxLength\":0}]}", "\"a\"", 0},
      {"{\"type\":\"string\",\"pattern\":\"^a$\",\"const\":\"b\"}", "\"a\"", 0},
      {"{\"type\":\"string\",\"maxLength\":3,\"if\":{\"const\":\"ab\"},\"then\":false}", "\"ab\"",
       0},
      {"{\"type\":\"integer\",\"enum\":[\"a\"]}", "\"a\"", 0},
      {"{\"enum\":[\"a\",1]}", "1", 1},
      {"{\"enum\":[\"a\",1]}", "\"a\"", 1},
      {"{\"type\":\"string\",\"enum\":[\"a\"],\"minLength\":2}", "\"a\"", 0},
      {"{\"type\":\"string\",\"pattern\":\"^[a-z]+$\",\"format\":\"date\"}", "\"abc\"", 1},
      {"{\"type\":\"integer\",\"minimum\":3}", "2", 0},
      {"{\"type\":\"integer\",\"minimum\":3}", "3.0", 1},
      {"{\"type\":\"integer\",\"minimum\":3}", "3.5", 0},
      {"{\"type\":\"number\",\"multipleOf\":0.01}", "0.015", 0},
      {"{\"type\":\"boolean\"}", "1", 0},
      {"{\"type\":\"boolean\"}", "false", 1},
      {"{\"minimum\":3}", "\"a\"", 1},
      {"{\"maxLength\":1}", "12345", 1},
      {"{\"enum\":[\"a\"]}", "1", 0},
      {"{\"enum\":[\"a\"]}", "null", 0},
      {"{\"type\":\"integer\",\"minimum\":1,\"not\":{\"const\":2}}", "2", 0},
      {"{\"type\":[\"integer\",\"null\"],\"maximum\":1}", "null", 1},
      {"{\"type\":\"object\",\"maximum\":1}", "{\"a\":5}", 1},
      {"{\"type\":\"object\",\"maxProperties\":0}", "{\"a\":5}", 0},
      {"{\"$defs\":{\"d\":{\"enum\":[\"x\"]}},\"properties\":{\"p\":{\"type\":\"string\","
       "\"$ref\":\"#/$defs/d\"}}}",
       "{\"p\":\"x\"}", 1},
      {"{\"$defs\":{\"d\":{\"enum\":[\"x\",1]}},\"properties\":{\"p\":{\"type\":\"string\","
       "\"$ref\":\"#/$defs/d\"}}}",
       "{\"p\":1}", 0},
      {"{\"$defs\":{\"d\":{\"enum\":[\"x\"]}},\"properties\":{\"p\":{\"type\":\"string\","
       "\"minLength\":2,\"$ref\":\"#/$defs/d\"}}}",
       "{\"p\":\"x\"}", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
    thbx_schema_t *s = compile(cases[i].schema);
    if (check(s, cases[i].instance, NULL) != cases[i].valid)
      fail_msg("%s on %s: not %s", cases[i].schema, cases[i].instance,
               cases[i].valid ? "valid" : "invalid");
    thbx_schema_free(s);
  }
  /* a type error of a $ref node and of its target, innermost first */
  thbx_schema_t *s = compile("{\"$defs\":{\"d\":{\"type\":\"integer\"}},\"properties\":{\"p\":{"
                             "\"type\":\"string\",\"$ref\":\"#/$defs/d\"}}}");
  thbx_validation_t r;
  assert_int_equal(check(s, "{\"p\":true}", &r), 0);
  assert_int_equal(r.count, 2);
  assert_string_equal(r.errors[0].keyword_location, "/properties/p/$ref/type");
  assert_string_equal(r.errors[0].message, "must be integer, not boolean");
  assert_string_equal(r.errors[1].keyword_location, "/properties/p/type");
  assert_string_equal(r.errors[1].message, "must be string, not boolean");
  thbx_validation_clear(&r);
  thbx_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(messages_and_locations),
      cmocka_unit_test(multiple_of_is_exact_in_decimal),
      cmocka_unit_test(decimals_without_printf),
      cmocka_unit_test(equality_and_lengths),
      cmocka_unit_test(required_counted_with_properties),
      cmocka_unit_test(string_leaves_and_ref_nodes),
      cmocka_unit_test(ecma_regex),
      cmocka_unit_test(regex_subject_not_utf8),
      cmocka_unit_test(simple_patterns_agree_with_pcre2),
      cmocka_unit_test(limits),
      cmocka_unit_test(formats_annotate_unless_asked),
      cmocka_unit_test(registry_and_drafts),
      cmocka_unit_test(unevaluated_and_dynamic),
      cmocka_unit_test(threads_share_a_schema),
      cmocka_unit_test(broken_schemas_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
