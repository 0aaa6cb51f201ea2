/*
 * schema_regex.c - `pattern`, `patternProperties` and the "regex" format
 * through PCRE2, with ECMA-262 semantics as far as PCRE2 allows: UTF mode,
 * `$` only at the very end (not before a final newline), \d and \w ASCII,
 * \s with the Unicode spaces ECMA-262 lists, \v a vertical tab, \uHHHH and
 * \u{H...} escapes, `[]` / `[^]` classes, and escapes ECMA-262 does not
 * have (\a, \z, \Z, \A, \h, \Q ...) rejected.
 *
 * Every match runs under a match limit so that a catastrophic pattern fails
 * with an error instead of hanging. Match data and the match context are
 * per thread, so a compiled schema is shared by threads without locks.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "schema_internal.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The simplest patterns, matched without PCRE2: '^', items (one ASCII
 * character or a class of them, each with a count), '$', where no item
 * can give back to the items after it what it took (its characters are
 * none of theirs up to the first one that must match), so that taking as
 * many as allowed, item by item, is the only way to match. The profile's
 * record_id, date, currency and reference patterns are of this kind. */
#define SIMPLE_ITEMS 16
struct simple_item {
  uint64_t set[2]; /* the ASCII characters it takes */
  uint32_t min, max;
};
struct simple {
  size_t n;
  struct simple_item item[SIMPLE_ITEMS];
  uint16_t in[256]; /* bit i: item i takes the byte (the sets, for matching) */
};

struct sregex {
  pcre2_code *code;
  int jit;
  struct simple *simple; /* NULL: PCRE2 always */
};

/* Match limits below this go to PCRE2 even for a simple pattern: PCRE2
 * counts a few units for one of them, and a caller that sets a tiny limit
 * gets PCRE2's answer (an error) rather than ours. */
#define SIMPLE_MIN_LIMIT 1000UL

/* ECMA-262 WhiteSpace and LineTerminator, as the inside of a class. */
static const char ecma_space[] = "\\t\\n\\x0b\\f\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                                 "\\u202f\\u205f\\u3000\\ufeff";

/* ECMA-262 long General_Category names PCRE2 10.42 does not know. */
static const char *const category_names[][2] = {
    {"Letter", "L"},
    {"Cased_Letter", "L&"},
    {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Mark", "M"},
    {"Nonspacing_Mark", "Mn"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"},
    {"Close_Punctuation", "Pe"},
    {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"},
    {"Other_Punctuation", "Po"},
    {"Symbol", "S"},
    {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Surrogate", "Cs"},
    {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

/* \p{...} body at p (after the '{'): write PCRE2's name; returns chars used. */
static size_t property(const char *p, thbx_buf_t *out) {
  const char *close = strchr(p, '}');
  if (!close)
    return 0;
  size_t n = (size_t)(close - p);
  const char *name = p;
  const char *eq = memchr(p, '=', n);
  if (eq) {
    name = eq + 1;
  }
  size_t nlen = (size_t)(close - name);
  for (size_t i = 0; i < sizeof(category_names) / sizeof(category_names[0]); i++) {
    if (strlen(category_names[i][0]) == nlen && strncmp(category_names[i][0], name, nlen) == 0) {
      thbx_buf_puts(out, category_names[i][1]);
      return n;
    }
  }
  thbx_buf_append(out, name, nlen);
  return n;
}

/* Translate an ECMA-262 pattern to PCRE2 syntax. -1 if it uses an escape
 * that ECMA-262 (unicode mode) does not have. */
static int translate(const char *p, thbx_buf_t *out) {
  int in_class = 0;
  for (; *p; p++) {
    char c = *p;
    if (c == '\\') {
      char e = p[1];
      if (!e)
        return -1;
      p++;
      switch (e) {
      case 's':
        if (in_class)
          thbx_buf_puts(out, ecma_space);
        else {
          thbx_buf_putc(out, '[');
          thbx_buf_puts(out, ecma_space);
          thbx_buf_putc(out, ']');
        }
        continue;
      case 'S':
        if (in_class)
          thbx_buf_puts(out, "\\S"); /* approximation inside a class */
        else {
          thbx_buf_puts(out, "[^");
          thbx_buf_puts(out, ecma_space);
          thbx_buf_putc(out, ']');
        }
        continue;
      case 'v': thbx_buf_puts(out, "\\x0b"); continue;
      case 'p':
      case 'P':
        thbx_buf_putc(out, '\\');
        thbx_buf_putc(out, e);
        if (p[1] == '{') {
          thbx_buf_putc(out, '{');
          size_t used = property(p + 2, out);
          if (!used)
            return -1;
          p += 2 + used;
          thbx_buf_putc(out, '}');
        }
        continue;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'c':
      case 'x':
      case 'u':
      case 'k':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        thbx_buf_putc(out, '\\');
        thbx_buf_putc(out, e);
        continue;
      default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))
          return -1;
        thbx_buf_putc(out, '\\');
        thbx_buf_putc(out, e);
        continue;
      }
    }
    if (in_class) {
      if (c == ']')
        in_class = 0;
    } else if (c == '(' && p[1] == '?' && !strchr(":=!<", p[2] ? p[2] : 'x')) {
      return -1; /* (?i) (?P<n>) (?#...): not ECMA-262 */
    } else if (c == '(' && p[1] == '?' && p[2] == '<' && p[3] == 'P') {
      return -1;
    } else if (c == '[') {
      in_class = 1;
      thbx_buf_putc(out, c);
      if (p[1] == '^') {
        thbx_buf_putc(out, '^');
        p++;
      }
      if (p[1] == ']') {
        /* ECMA-262: [] matches nothing, [^] anything (PCRE2_ALLOW_EMPTY_CLASS) */
        thbx_buf_putc(out, ']');
        p++;
        in_class = 0;
      }
      continue;
    }
    thbx_buf_putc(out, c);
  }
  if (!out->data)
    thbx_buf_puts(out, "");
  return 0;
}

static pcre2_code *compile_code(const char *pattern, char *msg, size_t msgsize, int *code_out) {
  *code_out = 0;
  thbx_buf_t t;
  thbx_buf_init(&t);
  if (translate(pattern, &t) != 0) {
    thbx_buf_free(&t);
    snprintf(msg, msgsize, "escape not allowed in an ECMA-262 regex");
    return NULL;
  }
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  if (cc)
    pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)t.data, t.len,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX |
                                       PCRE2_ALLOW_EMPTY_CLASS | PCRE2_NEVER_BACKSLASH_C,
                                   &errcode, &erroff, cc);
  pcre2_compile_context_free(cc);
  if (!code) {
    *code_out = errcode;
    PCRE2_UCHAR buf[200];
    pcre2_get_error_message(errcode, buf, sizeof(buf));
    snprintf(msg, msgsize, "%s at offset %zu", (char *)buf, (size_t)erroff);
  }
  thbx_buf_free(&t);
  return code;
}

static void set_add(uint64_t set[2], unsigned c) { set[c >> 6] |= (uint64_t)1 << (c & 63); }

static int in_set(const uint64_t set[2], unsigned char c) {
  return c < 128 && (set[c >> 6] >> (c & 63) & 1);
}

/* A literal outside a class: printable ASCII that means nothing else. */
static int simple_literal(unsigned char c) {
  return c >= 0x20 && c < 0x7f && !strchr("\\^$.|?*+()[]{}", c);
}

/* A character inside a class ('-' and '^' are handled by the caller). */
static int simple_class_char(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '\\' && c != '[' && c != ']' && c != '-';
}

static const char *simple_count(const char *p, uint32_t *n) {
  uint32_t v = 0;
  int digits = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (++digits > 5)
      return NULL;
    v = v * 10 + (uint32_t)(*p - '0');
  }
  if (!digits || v > 65535)
    return NULL;
  *n = v;
  return p;
}

/* [...] at p (after the '['): the end after ']', NULL if not simple. */
static const char *simple_class(const char *p, uint64_t set[2]) {
  if (*p == '^' || *p == ']')
    return NULL;
  for (int first = 1; *p != ']'; first = 0) {
    unsigned char a = (unsigned char)*p;
    if (a == '-') { /* a literal '-' only first or last */
      if (!first && p[1] != ']')
        return NULL;
      set_add(set, a);
      p++;
      continue;
    }
    if (!simple_class_char(a))
      return NULL;
    if (p[1] == '-' && p[2] != ']') {
      unsigned char b = (unsigned char)p[2];
      if (!simple_class_char(b) || b < a)
        return NULL;
      for (unsigned c = a; c <= b; c++)
        set_add(set, c);
      p += 3;
      if (*p == '-' && p[1] != ']')
        return NULL;
    } else {
      set_add(set, a);
      p++;
    }
  }
  return p + 1;
}

/* Fill sp from an ECMA-262 pattern; 0 if the pattern is not that simple. */
static int simple_parse(const char *p, struct simple *sp) {
  memset(sp, 0, sizeof(*sp));
  if (*p++ != '^')
    return 0;
  while (*p != '$') {
    if (!*p || sp->n == SIMPLE_ITEMS)
      return 0;
    struct simple_item *it = &sp->item[sp->n++];
    if (*p == '[') {
      if (!(p = simple_class(p + 1, it->set)))
        return 0;
    } else if (simple_literal((unsigned char)*p)) {
      set_add(it->set, (unsigned char)*p++);
    } else {
      return 0;
    }
    it->min = it->max = 1;
    if (*p == '?' || *p == '*' || *p == '+') {
      it->min = *p == '+';
      it->max = *p == '?' ? 1 : UINT32_MAX;
      p++;
    } else if (*p == '{') {
      if (!(p = simple_count(p + 1, &it->min)))
        return 0;
      it->max = it->min;
      if (*p == ',') {
        p++;
        if (*p == '}')
          it->max = UINT32_MAX;
        else if (!(p = simple_count(p, &it->max)) || it->max < it->min)
          return 0;
      }
      if (*p++ != '}')
        return 0;
    }
    if (*p == '?' || *p == '+' || *p == '*' || *p == '{')
      return 0; /* lazy, possessive, or a second count */
  }
  if (p[1])
    return 0;
  for (size_t i = 0; i < sp->n; i++)
    for (unsigned c = 0; c < 128; c++)
      if (in_set(sp->item[i].set, (unsigned char)c))
        sp->in[c] |= (uint16_t)(1u << i);
  for (size_t i = 0; i < sp->n; i++) {
    const struct simple_item *a = &sp->item[i];
    if (a->min == a->max)
      continue;
    for (size_t j = i + 1; j < sp->n; j++) {
      const struct simple_item *b = &sp->item[j];
      if ((a->set[0] & b->set[0]) || (a->set[1] & b->set[1]))
        return 0;
      if (b->min > 0)
        break;
    }
  }
  return 1;
}

/* 1 if s matches; 0 if not (then s may be other than ASCII: see the caller). */
static int simple_match(const struct simple *sp, const char *s, size_t len) {
  size_t pos = 0;
  for (size_t i = 0; i < sp->n; i++) {
    const struct simple_item *it = &sp->item[i];
    uint16_t bit = (uint16_t)(1u << i);
    size_t end = len - pos > it->max ? pos + it->max : len, start = pos;
    while (pos < end && (sp->in[(unsigned char)s[pos]] & bit))
      pos++;
    if (pos - start < it->min)
      return 0;
  }
  return pos == len;
}

struct sregex *schema_regex_compile(const char *pattern, thbx_error_t *err) {
  char msg[256];
  int ec;
  pcre2_code *code = compile_code(pattern, msg, sizeof(msg), &ec);
  if (!code) {
    thbx_error_set(err, THBX_ESCHEMA, "invalid regex '%s': %s", pattern, msg);
    return NULL;
  }
  struct sregex *re = calloc(1, sizeof(*re));
  if (!re) {
    pcre2_code_free(code);
    thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  re->code = code;
  re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  struct simple sp;
  if (simple_parse(pattern, &sp)) {
    re->simple = malloc(sizeof(sp));
    if (re->simple)
      memcpy(re->simple, &sp, sizeof(sp)); /* else PCRE2 does it */
  }
  return re;
}

int schema_regex_valid(const char *pattern) {
  char msg[256];
  int ec;
  pcre2_code *code = compile_code(pattern, msg, sizeof(msg), &ec);
  if (!code) /* ES2018 allows variable-width lookbehind, PCRE2 10.42 does not */
    return ec == PCRE2_ERROR_LOOKBEHIND_NOT_FIXED_LENGTH;
  pcre2_code_free(code);
  return 1;
}

void schema_regex_free(struct sregex *re) {
  if (!re)
    return;
  pcre2_code_free(re->code);
  free(re->simple);
  free(re);
}

/* Per-thread match data (one pair of offsets is all a yes/no needs) and
 * match context carrying the limit, freed when the thread ends. */
struct tl_match {
  pcre2_match_data *data;
  pcre2_match_context *context;
};
static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;
static int tl_key_ok;

static void tl_free(void *p) {
  struct tl_match *m = p;
  pcre2_match_data_free(m->data);
  pcre2_match_context_free(m->context);
  free(m);
}

static void tl_init(void) { tl_key_ok = pthread_key_create(&tl_key, tl_free) == 0; }

static struct tl_match *tl_get(void) {
  pthread_once(&tl_once, tl_init);
  if (!tl_key_ok)
    return NULL;
  struct tl_match *m = pthread_getspecific(tl_key);
  if (m)
    return m;
  m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->data = pcre2_match_data_create(1, NULL);
  m->context = pcre2_match_context_create(NULL);
  if (!m->data || !m->context || pthread_setspecific(tl_key, m) != 0) {
    tl_free(m);
    return NULL;
  }
  return m;
}

/* Is s[0..len) plain ASCII (then it is valid UTF-8)? Eight bytes at a time. */
static int is_ascii(const char *s, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < len; i++)
    acc |= (unsigned char)s[i];
  return (acc & 0x8080808080808080ULL) == 0;
}

int schema_regex_match(const struct sregex *re, const char *s, size_t len,
                       unsigned long match_limit, thbx_error_t *err) {
  if (re->simple && (match_limit == 0 || match_limit >= SIMPLE_MIN_LIMIT)) {
    /* a match took only ASCII characters: the subject is valid UTF-8 and
     * PCRE2 agrees; no match on ASCII is no match for PCRE2 too; other
     * bytes go to PCRE2, which may find them invalid UTF-8 (an error) */
    if (simple_match(re->simple, s, len))
      return 1;
    if (is_ascii(s, len))
      return 0;
  }
  struct tl_match *m = tl_get();
  if (!m) {
    thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return -1;
  }
  pcre2_match_data *tl_data = m->data;
  pcre2_match_context *tl_context = m->context;
  pcre2_set_match_limit(tl_context, match_limit ? (uint32_t)match_limit : 1000000u);
  int rc;
  /* PCRE2 checks that the subject is valid UTF-8 before every match (a
   * third of a match of the profile's short patterns); an ASCII subject
   * needs no check and goes straight to the JIT code. Anything else (and
   * a pattern the JIT could not compile) takes the checked way. */
  if (re->jit && is_ascii(s, len))
    rc = pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, tl_data, tl_context);
  else
    rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, tl_data, tl_context);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
    rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_JIT, tl_data, tl_context);
  if (rc >= 0)
    return 1;
  if (rc == PCRE2_ERROR_NOMATCH)
    return 0;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) {
    thbx_error_set(err, THBX_ELIMIT, "regex match limit (%lu) exceeded", match_limit);
    return -1;
  }
  PCRE2_UCHAR buf[200];
  pcre2_get_error_message(rc, buf, sizeof(buf));
  thbx_error_set(err, THBX_EINVALID, "regex match failed: %s", (char *)buf);
  return -1;
}
