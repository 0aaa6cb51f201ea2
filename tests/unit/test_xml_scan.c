/*
 * test_xml_scan.c - the XML byte scanner (xml/xml_scan.c) and its fast path
 * (runs of bytes that only move the column): fed in one piece, byte by byte
 * and split at every offset, it finds the same records, start tags and
 * positions; a document of one record is still seen as one (the fast path
 * must not skip the document element's name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "xml_scan.h"

#include <stdio.h>
#include <string.h>

/* What a scan found, in a comparable form. */
struct found {
  char text[65536];
};

static void describe(struct xml_scan *s, int rc, struct found *f) {
  size_t n = 0;
  n += (size_t)snprintf(f->text + n, sizeof(f->text) - n,
                        "rc=%d end=%ld:%ld root=%ld:%ld one=%d nonblank=%d depth=%ld recs=%zu\n",
                        rc, s->line, s->col, s->root_pos.line, s->root_pos.col, s->root_is_record,
                        s->nonblank, s->depth, s->qlen - s->qhead);
  for (long q = s->qseq0; xml_scan_rec(s, q); q++) {
    struct xml_rec *r = xml_scan_rec(s, q);
    size_t len;
    const char *b = xml_scan_bytes(s, r, &len);
    n += (size_t)snprintf(f->text + n, sizeof(f->text) - n, "rec %ld:%ld-%ld:%ld [%.*s]",
                          r->start.line, r->start.col, r->end.line, r->end.col, (int)len, b);
    for (size_t i = 0; i < r->npos; i++) {
      struct xml_pos p = xml_scan_elem_pos(s, r, i);
      n += (size_t)snprintf(f->text + n, sizeof(f->text) - n, " %ld:%ld", p.line, p.col);
    }
    n += (size_t)snprintf(f->text + n, sizeof(f->text) - n, "\n");
    assert_true(n < sizeof(f->text));
  }
}

/* Scan doc in pieces: split at `at` (0: one piece), or byte by byte (step 1). */
static void scan(const char *doc, size_t at, size_t step, struct found *f) {
  struct xml_scan s;
  xml_scan_init(&s, 1 << 20);
  s.record_name = "record";
  s.root_name = "records";
  size_t n = strlen(doc);
  int rc = 0;
  if (step) {
    for (size_t i = 0; i < n && rc == 0; i += step)
      rc = xml_scan_feed(&s, (const unsigned char *)doc + i, step < n - i ? step : n - i);
  } else {
    rc = xml_scan_feed(&s, (const unsigned char *)doc, at);
    if (rc == 0 && at < n)
      rc = xml_scan_feed(&s, (const unsigned char *)doc + at, n - at);
  }
  describe(&s, rc, f);
  xml_scan_free(&s);
}

static void same_at_every_split(const char *doc, const char *want) {
  static struct found whole, piece;
  scan(doc, strlen(doc), 0, &whole);
  if (want)
    assert_string_equal(whole.text, want);
  scan(doc, 0, 1, &piece);
  assert_string_equal(piece.text, whole.text);
  for (size_t at = 1; at < strlen(doc); at++) {
    scan(doc, at, 0, &piece);
    assert_string_equal(piece.text, whole.text);
  }
}

static void one_record_document(void **state) {
  (void)state;
  /* the document element is a record: the scanner must read its name */
  same_at_every_split("<record id=\"a\"><sex>female</sex></record>",
                      "rc=0 end=1:42 root=1:1 one=1 nonblank=1 depth=0 recs=1\n"
                      "rec 1:1-1:42 [<record id=\"a\"><sex>female</sex></record>] 1:1 1:16\n");
  same_at_every_split("<t:record xmlns:t=\"urn:x\"\n  id=\"a\"/>",
                      "rc=0 end=2:11 root=1:1 one=1 nonblank=1 depth=0 recs=1\n"
                      "rec 1:1-2:11 [<t:record xmlns:t=\"urn:x\"\n  id=\"a\"/>] 1:1\n");
  /* the root of records is not */
  same_at_every_split("<records><record/></records>",
                      "rc=0 end=1:29 root=1:1 one=0 nonblank=1 depth=0 recs=1\n"
                      "rec 1:10-1:19 [<record/>] 1:10\n");
}

static void positions_through_runs(void **state) {
  (void)state;
  /* quotes holding '>' and '/', a '/' that is not the last of its tag, CR
   * LF and lone CR, multi-byte characters, blanks, comments, CDATA, PIs */
  const char *doc = "<?xml version=\"1.0\"?>\r\n"
                    "<records a='x>y' b=\"/\">\n"
                    "  <!-- a > b -- -->\n"
                    "  <record id=\"\xc3\xa9/>\" k = 'v' ><n>\xe2\x82\xac\xe2\x82\xac</n>"
                    "<e/ ><f x='1'/><g>\r<![CDATA[<no>]]></g></record>\r"
                    "  <record\n id='2'><?pi x?><n>a b\tc</n></record >\n"
                    "</records>\n";
  same_at_every_split(doc, "rc=0 end=9:1 root=2:1 one=0 nonblank=1 depth=0 recs=2\n"
                           "rec 4:3-5:30 [<record id=\"\xc3\xa9/>\" k = 'v' ><n>\xe2\x82\xac"
                           "\xe2\x82\xac</n><e/ ><f x='1'/><g>\r<![CDATA[<no>]]></g></record>]"
                           " 4:3 4:29 4:38 4:43 4:53\n"
                           "rec 6:3-7:39 [<record\n id='2'><?pi x?><n>a b\tc</n></record >] 6:3 "
                           "7:17\n");
  /* a start tag whose last non-blank is '/' after a run of blanks ends
   * there; text with only blanks between records stays blank */
  same_at_every_split("<records>  \t<record x='1'   /> \n</records>",
                      "rc=0 end=2:11 root=1:1 one=0 nonblank=1 depth=0 recs=1\n"
                      "rec 1:13-1:31 [<record x='1'   />] 1:13\n");
}

/* Start tags' positions by the simplest count there is (for documents with
 * no '<' but in tags), to check the scanner's eight-bytes-at-a-time runs. */
static void reference(const char *doc, char *out, size_t cap) {
  long line = 1, col = 1;
  int cr = 0;
  size_t n = 0;
  out[0] = '\0';
  for (const unsigned char *p = (const unsigned char *)doc; *p; p++) {
    if (*p == '<' && p[1] != '/' && p[1] != '?' && p[1] != '!')
      n += (size_t)snprintf(out + n, cap - n, " %ld:%ld", line, col);
    if (*p == '\n') {
      line += !cr;
      col = 1;
      cr = 0;
    } else if (*p == '\r') {
      line++;
      col = 1;
      cr = 1;
    } else {
      cr = 0;
      col += (*p & 0xC0) != 0x80;
    }
  }
  snprintf(out + n, cap - n, " end=%ld:%ld", line, col);
}

static void long_texts(void **state) {
  (void)state;
  static const char *bits[] = {"a",    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", " ",    "\t",
                               "\r\n", "\r",       "\n",           "0123456789",       "&amp;"};
  char doc[8192];
  size_t n = (size_t)snprintf(doc, sizeof(doc), "<records>x");
  unsigned seed = 7;
  for (int r = 0; r < 12; r++) {
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "\n  <record><a>");
    for (int k = 0; k < 40 + r * 7; k++) {
      seed = seed * 1103515245u + 12345u;
      n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s", bits[(seed >> 16) % 11]);
    }
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</a>%*s<b>t</b></record>", r % 9, "");
  }
  snprintf(doc + n, sizeof(doc) - n, "\n</records>\n");
  char want[4096], got[4096];
  reference(doc, want, sizeof(want));
  static struct found whole;
  scan(doc, strlen(doc), 0, &whole);
  /* the scanner's start tags, in order, and where it ended */
  size_t m = 0;
  got[0] = '\0';
  long line, col;
  assert_int_equal(sscanf(whole.text, "rc=0 end=%ld:%ld", &line, &col), 2);
  m += (size_t)snprintf(got + m, sizeof(got) - m, " 1:1");
  for (const char *q = strstr(whole.text, "] "); q; q = strstr(q + 1, "] ")) {
    const char *e = strchr(q, '\n');
    m += (size_t)snprintf(got + m, sizeof(got) - m, " %.*s", (int)(e - q - 2), q + 2);
  }
  snprintf(got + m, sizeof(got) - m, " end=%ld:%ld", line, col);
  assert_string_equal(got, want);
  same_at_every_split(doc, whole.text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_record_document),
      cmocka_unit_test(positions_through_runs),
      cmocka_unit_test(long_texts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
