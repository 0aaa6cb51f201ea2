/*
 * test_reader_json.c - the JSON and NDJSON readers and the sniffing in
 * reader.c: every input is read to its end and the outcome of each call is
 * spelled as one line ("ok L:C <compact json>", "error L:C <text>",
 * "fatal L:C <text>"), compared with what the case expects.
 */
#define _GNU_SOURCE /* fopencookie */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

static thbx_profile_t *profile;

/* Read `len` bytes of `data` as `format` and return what happened. */
static char *run_opts(const char *data, size_t len, thbx_format format, int with_profile,
                      const thbx_limits_t *limits, thbx_format *sniffed, char **raws) {
  char *mem = malloc(len + 1);
  memcpy(mem, data, len);
  /* fmemopen cannot open 0 bytes: open 1 and consume it */
  FILE *in = fmemopen(mem, len ? len : 1, "rb");
  assert_non_null(in);
  if (!len)
    fgetc(in);
  thbx_reader_options_t opt;
  thbx_reader_options_default(&opt);
  opt.format = format;
  opt.profile = with_profile ? profile : NULL;
  if (limits)
    opt.limits = *limits;
  thbx_reader_t *r = NULL;
  thbx_error_t err;
  thbx_buf_t out, raw;
  thbx_buf_init(&out);
  thbx_buf_init(&raw);
  int rc = thbx_reader_open(&r, in, "t", &opt, &err);
  if (rc != THBX_OK) {
    thbx_buf_printf(&out, "open %d %s\n", rc, err.text);
  } else {
    if (sniffed)
      *sniffed = thbx_reader_format(r);
    for (int n = 0; n < 100000; n++) {
      thbx_record_t rec;
      rc = thbx_reader_next(r, &rec, &err);
      if (rc == THBX_EOF)
        break;
      size_t rl;
      const char *rp = thbx_reader_raw(r, &rl);
      thbx_buf_printf(&raw, "%.*s\n", (int)rl, rp ? rp : "");
      if (rc == THBX_OK) {
        char *s = json_dumps(rec.value, JSON_COMPACT | JSON_ENCODE_ANY);
        thbx_buf_printf(&out, "ok %ld:%ld #%ld %s\n", rec.line, rec.column, rec.index, s);
        free(s);
        json_decref(rec.value);
      } else {
        thbx_buf_printf(&out, "%s %ld:%ld %s\n", rc == THBX_EFATAL ? "fatal" : "error", err.line,
                        err.column, err.text);
        assert_string_equal(err.source, "t");
        if (rc != THBX_EPARSE && rc != THBX_ELIMIT)
          break;
      }
    }
    thbx_reader_free(r);
  }
  fclose(in);
  free(mem);
  if (raws)
    *raws = raw.data ? raw.data : strdup("");
  else
    thbx_buf_free(&raw);
  return out.data ? out.data : strdup("");
}

static char *run(const char *data, thbx_format format) {
  return run_opts(data, strlen(data), format, 0, NULL, NULL, NULL);
}

#define EXPECT(got_expr, want)                                                                     \
  do {                                                                                             \
    char *got_ = (got_expr);                                                                       \
    assert_string_equal(got_, want);                                                               \
    free(got_);                                                                                    \
  } while (0)

/* "error L:C text" lines: check the start of the text only */
static void expect_prefix(char *got, const char *want) {
  if (strncmp(got, want, strlen(want)) != 0)
    fail_msg("got:\n%s\nwant prefix:\n%s", got, want);
  free(got);
}

static void contains(char *got, const char *want) {
  if (!strstr(got, want))
    fail_msg("got:\n%s\nwant to contain:\n%s", got, want);
  free(got);
}

/* ----------------------------------------------------------------- JSON */

static void json_empty_inputs(void **state) {
  (void)state;
  EXPECT(run("", THBX_FORMAT_JSON), "");
  EXPECT(run("  \n\t ", THBX_FORMAT_JSON), "");
  EXPECT(run("[]", THBX_FORMAT_JSON), "");
  EXPECT(run(" [ \n ] \n", THBX_FORMAT_JSON), "");
  EXPECT(run("", THBX_FORMAT_NDJSON), "");
  EXPECT(run("\n\n  \r\n", THBX_FORMAT_NDJSON), "");
}

static void json_array_of_records(void **state) {
  (void)state;
  EXPECT(run("[{\"a\":1},\n  {\"b\":[true,false,null]}, {}]", THBX_FORMAT_JSON),
         "ok 1:2 #0 {\"a\":1}\n"
         "ok 2:3 #1 {\"b\":[true,false,null]}\n"
         "ok 2:28 #2 {}\n");
}

static void json_single_object(void **state) {
  (void)state;
  EXPECT(run("\n {\"a\":{\"b\":\"c\"}}\n", THBX_FORMAT_JSON), "ok 2:2 #0 {\"a\":{\"b\":\"c\"}}\n");
}

static void json_keeps_key_order_and_types(void **state) {
  (void)state;
  EXPECT(run("[{\"z\":1,\"a\":1.5,\"m\":-0.0,\"i\":9223372036854775807,"
             "\"big\":92233720368547758070,\"e\":1e-3}]",
             THBX_FORMAT_JSON),
         "ok 1:2 #0 {\"z\":1,\"a\":1.5,\"m\":-0.0,\"i\":9223372036854775807,"
         "\"big\":9.2233720368547758e19,\"e\":0.001}\n");
}

static void json_bom_and_crlf(void **state) {
  (void)state;
  EXPECT(run("\xEF\xBB\xBF[\r\n{\"a\":\"\xC3\xA9\"},\r\n{\"b\":2}\r\n]\r\n", THBX_FORMAT_JSON),
         "ok 2:1 #0 {\"a\":\"\xC3\xA9\"}\n"
         "ok 3:1 #1 {\"b\":2}\n");
}

static void json_raw_bytes_are_kept(void **state) {
  (void)state;
  char *raws = NULL;
  char *got =
      run_opts("[ {\"a\" : 1} ,\n{\"b\":\n2} ]", 24, THBX_FORMAT_JSON, 0, NULL, NULL, &raws);
  free(got);
  assert_string_equal(raws, "{\"a\" : 1}\n{\"b\":\n2}\n");
  free(raws);
}

static void json_per_record_errors_go_on(void **state) {
  (void)state;
  EXPECT(run("[{\"a\":1,\"a\":2},{\"n\":1e999999},{\"n\":-1e999999},{\"ok\":1}]", THBX_FORMAT_JSON),
         "error 1:9 duplicate key 'a'\n"
         "error 1:21 number 1e999999 is out of range\n"
         "error 1:36 number -1e999999 is out of range\n"
         "ok 1:47 #3 {\"ok\":1}\n");
}

static void json_depth_limit(void **state) {
  (void)state;
  thbx_limits_t lim;
  thbx_limits_default(&lim);
  lim.max_depth = 3;
  const char *in = "[{\"a\":{\"b\":[1]}},{\"a\":{\"b\":{\"c\":[]}}},{\"x\":1}]";
  EXPECT(run_opts(in, strlen(in), THBX_FORMAT_JSON, 0, &lim, NULL, NULL),
         "ok 1:2 #0 {\"a\":{\"b\":[1]}}\n"
         "error 1:33 nesting is deeper than the limit of 3 levels\n"
         "ok 1:39 #2 {\"x\":1}\n");
  /* 100000 levels: no stack overflow, one error, the stream goes on */
  size_t n = 100000;
  char *deep = malloc(2 * n + 32);
  size_t k = 0;
  k += (size_t)sprintf(deep, "[");
  memset(deep + k, '[', n);
  k += n;
  memset(deep + k, ']', n);
  k += n;
  k += (size_t)sprintf(deep + k, ",{\"y\":2}]");
  char *got = run_opts(deep, k, THBX_FORMAT_JSON, 0, NULL, NULL, NULL);
  free(deep);
  assert_string_equal(got, "error 1:66 nesting is deeper than the limit of 64 levels\n"
                           "ok 1:200003 #1 {\"y\":2}\n");
  free(got);
}

static void json_huge_string(void **state) {
  (void)state;
  size_t n = 3 << 20;
  char *s = malloc(n + 64);
  size_t k = (size_t)sprintf(s, "[{\"s\":\"");
  memset(s + k, 'x', n);
  k += n;
  k += (size_t)sprintf(s + k, "\"},{\"t\":1}]");
  char *got = run_opts(s, k, THBX_FORMAT_JSON, 0, NULL, NULL, NULL);
  const char *start = "ok 1:2 #0 {\"s\":\"xxx";
  assert_int_equal(strncmp(got, start, strlen(start)), 0);
  assert_non_null(strstr(got, "ok 1:"));
  assert_non_null(strstr(got, "#1 {\"t\":1}\n"));
  free(got);
  thbx_limits_t lim;
  thbx_limits_default(&lim);
  lim.max_field_bytes = 1 << 20;
  got = run_opts(s, k, THBX_FORMAT_JSON, 0, &lim, NULL, NULL);
  /* found while the string is still being read: yajl would keep it all */
  assert_string_equal(got, "error 1:2 a value is longer than the field limit of 1048576 bytes\n"
                           "ok 1:3145739 #1 {\"t\":1}\n");
  free(got);
  /* a string over the limit that ends within one read is found at its end */
  const char *in = "[{\"a\":\"0123456789\"},{\"b\":1}]";
  lim.max_field_bytes = 8;
  got = run_opts(in, strlen(in), THBX_FORMAT_JSON, 0, &lim, NULL, NULL);
  assert_string_equal(got, "error 1:7 string is longer than the limit of 8 bytes\n"
                           "ok 1:21 #1 {\"b\":1}\n");
  free(got);
  /* a whole document that is one huge scalar */
  size_t big = 2 << 20;
  char *one = malloc(big + 2);
  one[0] = '"';
  memset(one + 1, 'z', big);
  one[big + 1] = '"';
  lim.max_field_bytes = 1 << 20;
  got = run_opts(one, big + 2, THBX_FORMAT_JSON, 0, &lim, NULL, NULL);
  assert_string_equal(got, "error 1:1 a value is longer than the field limit of 1048576 bytes\n");
  free(got);
  free(one);
  /* after a skipped single record the next value of the stream is read (here
   * `x`, not JSON: issue 12 reads values one after another, where before
   * only blanks could follow); in an array the next element is read, and an
   * unfinished array is still an error */
  thbx_buf_t d;
  thbx_buf_init(&d);
  for (int round = 0; round < 3; round++) {
    thbx_buf_reset(&d);
    thbx_buf_puts(&d, round == 0 ? "{\"s\":[\"" : "[{\"s\":[\"");
    for (size_t i = 0; i < 3 * big; i += 100) /* escaped quotes: the skipper must not end there */
      thbx_buf_puts(&d, "\\\"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
                        "qqqqqqqqqqqqqqqqqqqqqqqqq");
    thbx_buf_puts(&d, round == 0 ? "\"]} \n x" : round == 1 ? "\"]}\n, 7 ]" : "\"]} ,");
    got = run_opts(d.data, d.len, THBX_FORMAT_JSON, 0, &lim, NULL, NULL);
    /* the record fails while being read or at the end of its string,
     * depending on how much one read brings: both say "longer than" */
    assert_true(strncmp(got,
                        round ? "error 1:2 a value is longer than the field limit"
                              : "error 1:1 a value is longer than the field limit",
                        48) == 0);
    char *nl = strchr(got, '\n');
    assert_non_null(nl);
    assert_non_null(strstr(got, "longer than the") < nl ? strstr(got, "longer than the") : NULL);
    if (round == 0)
      assert_true(strncmp(nl + 1, "fatal 2:", 8) == 0 && strstr(nl, "invalid char in json text"));
    else if (round == 1)
      assert_string_equal(nl + 1, "ok 2:3 #1 7\n");
    else
      assert_true(strncmp(nl + 1, "fatal 1:", 8) == 0 && strstr(nl, "premature EOF"));
    free(got);
  }
  thbx_buf_free(&d);
  lim.max_field_bytes = 8 << 20;
  lim.max_record_bytes = 1 << 20; /* too large a record: skipped, not kept */
  got = run_opts(s, k, THBX_FORMAT_JSON, 0, &lim, NULL, NULL);
  assert_non_null(strstr(got, "error 1:2 record is larger than the limit of 1048576 bytes\n"));
  assert_non_null(strstr(got, "#1 {\"t\":1}\n"));
  free(got);
  free(s);
}

static void json_invalid_utf8_and_surrogates(void **state) {
  (void)state;
  EXPECT(run("[{\"a\":\"\xFF\"},{\"b\":1}]", THBX_FORMAT_JSON),
         "fatal 1:8 the input is not UTF-8 (byte 0xFF); it looks like windows-1250: read it "
         "with --encoding windows-1250 (or convert it to UTF-8)\n");
  contains(run("[{\"a\":\"\\ud800\"},{\"b\":\"\\udc00\"},{\"c\":\"\\ud800\\u0041\"},"
               "{\"ok\":\"\\ud83d\\ude00?\"}]",
               THBX_FORMAT_JSON),
           "error 1:7 string contains a lone UTF-16 surrogate escape\n"
           "error 1:22 string contains a lone UTF-16 surrogate escape\n"
           "error 1:37 string contains a lone UTF-16 surrogate escape\n"
           "ok 1:53 #3 {\"ok\":\"\xF0\x9F\x98\x80?\"}\n");
}

/* check_string looks at eight bytes at a time: a lone surrogate (which yajl
 * turns into '?'), a 4-byte sequence or a NUL in a key must be found at any
 * offset of a string of any length, and plain strings must pass. */
static void json_string_checks_at_every_offset(void **state) {
  (void)state;
  for (int len = 0; len <= 20; len++) {
    for (int at = 0; at <= len; at++) {
      char pad1[32], pad2[32], line[256];
      memset(pad1, 'x', (size_t)at);
      pad1[at] = '\0';
      memset(pad2, 'y', (size_t)(len - at));
      pad2[len - at] = '\0';
      snprintf(line, sizeof(line), "{\"s\":\"%s\\ud800%s\"}\n", pad1, pad2);
      char *got = run(line, THBX_FORMAT_NDJSON);
      if (!strstr(got, "string contains a lone UTF-16 surrogate escape"))
        fail_msg("no surrogate error for %s: %s", line, got);
      free(got);
      snprintf(line, sizeof(line), "{\"%s\\u0000%s\":1}\n", pad1, pad2);
      got = run(line, THBX_FORMAT_NDJSON);
      if (!strstr(got, "key contains \\u0000"))
        fail_msg("no NUL error for %s: %s", line, got);
      free(got);
      snprintf(line, sizeof(line), "{\"s\":\"%s\\ud83d\\ude00%s\",\"%s%s\":\"%s?%s\"}\n", pad1,
               pad2, pad1, pad2, pad1, pad2);
      got = run(line, THBX_FORMAT_NDJSON);
      if (strncmp(got, "ok ", 3) != 0)
        fail_msg("refused %s: %s", line, got);
      free(got);
    }
  }
}

static void json_escaped_nul_is_kept(void **state) {
  (void)state;
  EXPECT(run("[{\"a\":\"x\\u0000y\"}]", THBX_FORMAT_JSON), "ok 1:2 #0 {\"a\":\"x\\u0000y\"}\n");
  /* in a key it is refused: jansson's lookups and json_equal stop at NUL */
  EXPECT(run("[{\"a\\u0000b\":1},{\"c\":2}]", THBX_FORMAT_JSON),
         "error 1:3 key contains \\u0000, which is not supported\n"
         "ok 1:17 #1 {\"c\":2}\n");
}

static void json_raw_nul_and_truncation_are_fatal(void **state) {
  (void)state;
  expect_prefix(run_opts("[{\"a\":1},{\"b\":\"x\0\"}]", 20, THBX_FORMAT_JSON, 0, NULL, NULL, NULL),
                "ok 1:2 #0 {\"a\":1}\nfatal 1:");
  EXPECT(run("[{\"a\":1},{\"b\":2", THBX_FORMAT_JSON),
         "ok 1:2 #0 {\"a\":1}\n"
         "fatal 1:10 truncated record: the input ends inside it (premature EOF)\n");
  expect_prefix(run("[", THBX_FORMAT_JSON), "fatal 1:2 invalid JSON");
  expect_prefix(run("[{\"a\":1}] x", THBX_FORMAT_JSON), "ok 1:2 #0 {\"a\":1}\nfatal 1:");
  expect_prefix(run("tru", THBX_FORMAT_JSON), "fatal ");
}

static void json_profile_mode_wants_objects(void **state) {
  (void)state;
  const char *in = "[1,\"x\",[2],{\"a\":1}]";
  EXPECT(run_opts(in, strlen(in), THBX_FORMAT_JSON, 1, NULL, NULL, NULL),
         "error 1:2 record must be an object\n"
         "error 1:4 record must be an object\n"
         "error 1:8 record must be an object\n"
         "ok 1:12 #3 {\"a\":1}\n");
  EXPECT(run(in, THBX_FORMAT_JSON),
         "ok 1:2 #0 1\nok 1:4 #1 \"x\"\nok 1:8 #2 [2]\nok 1:12 #3 {\"a\":1}\n");
}

static void json_records_across_chunks(void **state) {
  (void)state;
  /* 5000 records of ~100 bytes: several 64 KiB chunks, tokens split */
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "[\n");
  for (int i = 0; i < 5000; i++)
    thbx_buf_printf(&b, "%s{\"i\":%d,\"pad\":\"%090d\",\"r\":%d.25}", i ? ",\n" : "", i, i, i);
  thbx_buf_puts(&b, "\n]\n");
  char *raws = NULL;
  char *got = run_opts(b.data, b.len, THBX_FORMAT_JSON, 0, NULL, NULL, &raws);
  int lines = 0;
  for (char *p = got; (p = strchr(p, '\n')); p++)
    lines++;
  assert_int_equal(lines, 5000);
  assert_non_null(strstr(got, "ok 5001:1 #4999 {\"i\":4999,"));
  assert_null(strstr(got, "error"));
  assert_non_null(strstr(raws, "{\"i\":2500,\"pad\":\"000"));
  free(raws);
  free(got);
  thbx_buf_free(&b);
}

/* --------------------------------------------------------------- NDJSON */

static void ndjson_lines(void **state) {
  (void)state;
  EXPECT(run("{\"a\":1}\r\n\n  {\"b\":2}\n{\"c\":3}", THBX_FORMAT_NDJSON), "ok 1:1 #0 {\"a\":1}\n"
                                                                           "ok 3:3 #1 {\"b\":2}\n"
                                                                           "ok 4:1 #2 {\"c\":3}\n");
  EXPECT(run("7\n[1]\n", THBX_FORMAT_NDJSON), "ok 1:1 #0 7\nok 2:1 #1 [1]\n");
}

static void ndjson_errors_resync_at_next_line(void **state) {
  (void)state;
  EXPECT(run("{\"a\":1}\n{\"a\":\n{\"b\":2} {\"c\":3}\n{x}\n{\"d\":1,\"d\":2}\n{\"ok\":1}\n",
             THBX_FORMAT_NDJSON),
         "ok 1:1 #0 {\"a\":1}\n"
         "error 2:1 incomplete JSON value (a record must be on one line)\n"
         "error 3:9 more than one JSON value on the line\n"
         "error 4:2 invalid JSON: invalid char in json text\n"
         "error 5:8 duplicate key 'd'\n"
         "ok 6:1 #5 {\"ok\":1}\n");
  /* the column is the offending byte, not the one after it */
  EXPECT(run("{\"a\":x}\n{\"a\":1,}\n{\"a\":1}}\n{\"a\":\"\x01\"}\n", THBX_FORMAT_NDJSON),
         "error 1:6 invalid JSON: invalid char in json text\n"
         "error 2:8 invalid JSON: invalid object key (must be a string)\n"
         "error 3:8 invalid JSON: unallowed token at this point in JSON text\n"
         "error 4:7 invalid JSON: invalid character inside string\n");
  EXPECT(run("{\"a\":\"abc", THBX_FORMAT_NDJSON),
         "error 1:1 incomplete JSON value (a record must be on one line)\n");
}

static void ndjson_profile_mode_wants_objects(void **state) {
  (void)state;
  const char *in = "[1]\n{\"a\":1}\n";
  EXPECT(run_opts(in, strlen(in), THBX_FORMAT_NDJSON, 1, NULL, NULL, NULL),
         "error 1:1 record must be an object\nok 2:1 #1 {\"a\":1}\n");
}

static void ndjson_long_line_is_skipped(void **state) {
  (void)state;
  thbx_limits_t lim;
  thbx_limits_default(&lim);
  lim.max_record_bytes = 1000;
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "{\"a\":1}\n{\"s\":\"");
  for (int i = 0; i < 200000; i++)
    thbx_buf_putc(&b, 'y');
  thbx_buf_puts(&b, "\"}\n{\"b\":2}\n");
  char *raws = NULL;
  char *got = run_opts(b.data, b.len, THBX_FORMAT_NDJSON, 0, &lim, NULL, &raws);
  assert_string_equal(got, "ok 1:1 #0 {\"a\":1}\n"
                           "error 2:1 line is longer than the limit of 1000 bytes\n"
                           "ok 3:1 #2 {\"b\":2}\n");
  assert_string_equal(raws, "{\"a\":1}\n\n{\"b\":2}\n");
  free(raws);
  free(got);
  thbx_buf_free(&b);
}

/* ------------------------------------------------------------- sniffing */

static thbx_format sniff(const char *s) {
  thbx_format f = THBX_FORMAT_AUTO;
  free(run_opts(s, strlen(s), THBX_FORMAT_AUTO, 0, NULL, &f, NULL));
  return f;
}

static void sniffing(void **state) {
  (void)state;
  assert_int_equal(sniff("<records/>"), THBX_FORMAT_XML);
  assert_int_equal(sniff("\xEF\xBB\xBF  <?xml version='1.0'?><r/>"), THBX_FORMAT_XML);
  assert_int_equal(sniff("\n[{\"a\":1}]"), THBX_FORMAT_JSON);
  assert_int_equal(sniff("{\"a\":1}"), THBX_FORMAT_JSON);
  assert_int_equal(sniff("{\"a\":1}\n\n"), THBX_FORMAT_JSON);
  assert_int_equal(sniff("{\n  \"a\":{\"b\":\"}\\\"{\"}\n}\n"), THBX_FORMAT_JSON);
  assert_int_equal(sniff("{\"a\":1}\n{\"a\":2}\n"), THBX_FORMAT_NDJSON);
  assert_int_equal(sniff("{\"a\":\"}\"}\r\n{\"a\":2}"), THBX_FORMAT_NDJSON);
  assert_int_equal(sniff("record_id,person.sex\nX,female\n"), THBX_FORMAT_CSV);
  assert_int_equal(sniff(""), THBX_FORMAT_JSON);
  /* a first object larger than one read still finds the second line */
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_buf_puts(&b, "{\"s\":\"");
  for (int i = 0; i < 300000; i++)
    thbx_buf_putc(&b, 'q');
  thbx_buf_puts(&b, "\"}\n{\"t\":1}\n");
  assert_int_equal(sniff(b.data), THBX_FORMAT_NDJSON);
  thbx_buf_free(&b);
}

static void input_fill_and_read(void **state) {
  (void)state;
  char data[200000];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (char)('a' + i % 26);
  FILE *fp = fmemopen(data, sizeof(data), "rb");
  reader_input_t in = {0};
  in.fp = fp;
  assert_int_equal(reader_input_fill(&in, 10), 65536);
  in.pos = 65530;
  long n = reader_input_fill(&in, 100000); /* moves the 6 unread bytes to the front */
  assert_true(n >= 100000);
  assert_int_equal(in.offset, 65530);
  assert_int_equal(in.buf[0], data[65530]);
  char dst[300000];
  long total = 0, got;
  while ((got = reader_input_read(&in, dst + total, 7777)) > 0)
    total += got;
  assert_int_equal(got, 0);
  assert_int_equal(total, (long)sizeof(data) - 65530);
  assert_memory_equal(dst, data + 65530, (size_t)total);
  assert_int_equal(reader_input_tell(&in), (long long)sizeof(data));
  free(in.buf);
  fclose(fp);
}

/* A read error is THBX_EIO, never taken for the end of the input: a
 * directory opened as a file fails in fread (EISDIR). */
static void read_error_is_eio(void **state) {
  (void)state;
  for (int f = THBX_FORMAT_AUTO; f <= THBX_FORMAT_NDJSON; f++) {
    FILE *fp = fopen(".", "rb");
    if (!fp)
      skip();
    thbx_reader_options_t opt;
    thbx_reader_options_default(&opt);
    opt.format = (thbx_format)f;
    thbx_reader_t *r = NULL;
    thbx_error_t err;
    assert_int_equal(thbx_reader_open(&r, fp, "dir", &opt, &err), THBX_EIO);
    assert_null(r);
    assert_non_null(strstr(err.text, "directory"));
    fclose(fp);
  }
}

/* A stream that gives `data` and then fails. */
struct failing {
  const char *data;
  size_t pos, len;
};

static ssize_t failing_read(void *cookie, char *buf, size_t size) {
  struct failing *f = cookie;
  if (f->pos == f->len) {
    errno = EIO;
    return -1;
  }
  size_t n = f->len - f->pos < size ? f->len - f->pos : size;
  memcpy(buf, f->data + f->pos, n);
  f->pos += n;
  return (ssize_t)n;
}

static void read_error_midway_is_eio(void **state) {
  (void)state;
  const char *inputs[] = {"[{\"a\":1},\n{\"b\":", "{\"a\":1}\n{\"b\"", "[{\"a\":1}"};
  thbx_format formats[] = {THBX_FORMAT_JSON, THBX_FORMAT_NDJSON, THBX_FORMAT_JSON};
  for (int i = 0; i < 3; i++) {
    struct failing f = {inputs[i], 0, strlen(inputs[i])};
    cookie_io_functions_t io = {failing_read, NULL, NULL, NULL};
    FILE *fp = fopencookie(&f, "rb", io);
    assert_non_null(fp);
    setvbuf(fp, NULL, _IONBF, 0);
    thbx_reader_options_t opt;
    thbx_reader_options_default(&opt);
    opt.format = formats[i];
    thbx_reader_t *r = NULL;
    thbx_error_t err;
    int rc = thbx_reader_open(&r, fp, "cookie", &opt, &err);
    if (rc == THBX_OK) {
      thbx_record_t rec;
      int n = 0;
      while ((rc = thbx_reader_next(r, &rec, &err)) == THBX_OK) {
        json_decref(rec.value);
        n++;
      }
      assert_true(n <= 1);
      thbx_reader_free(r);
    }
    assert_int_equal(rc, THBX_EIO); /* not EOF, not a truncated record */
    fclose(fp);
  }
}

int main(void) {
  thbx_error_t err;
  if (thbx_profile_load(THBX_DEFAULT_PROFILE, &profile, &err) != THBX_OK) {
    fprintf(stderr, "cannot load the profile: %s\n", err.text);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(json_empty_inputs),
      cmocka_unit_test(json_array_of_records),
      cmocka_unit_test(json_single_object),
      cmocka_unit_test(json_keeps_key_order_and_types),
      cmocka_unit_test(json_bom_and_crlf),
      cmocka_unit_test(json_raw_bytes_are_kept),
      cmocka_unit_test(json_per_record_errors_go_on),
      cmocka_unit_test(json_depth_limit),
      cmocka_unit_test(json_huge_string),
      cmocka_unit_test(json_invalid_utf8_and_surrogates),
      cmocka_unit_test(json_string_checks_at_every_offset),
      cmocka_unit_test(json_escaped_nul_is_kept),
      cmocka_unit_test(json_raw_nul_and_truncation_are_fatal),
      cmocka_unit_test(json_profile_mode_wants_objects),
      cmocka_unit_test(json_records_across_chunks),
      cmocka_unit_test(ndjson_lines),
      cmocka_unit_test(ndjson_errors_resync_at_next_line),
      cmocka_unit_test(ndjson_profile_mode_wants_objects),
      cmocka_unit_test(ndjson_long_line_is_skipped),
      cmocka_unit_test(sniffing),
      cmocka_unit_test(input_fill_and_read),
      cmocka_unit_test(read_error_is_eio),
      cmocka_unit_test(read_error_midway_is_eio),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  thbx_profile_free(profile);
  return rc;
}
