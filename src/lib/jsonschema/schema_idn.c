/*
 * schema_idn.c - internationalised host names for the `hostname` (A-labels)
 * and `idn-hostname` formats: Punycode (RFC 3492) both ways, and the
 * IDNA2008 rules that can be checked without the full Unicode tables of
 * RFC 5892: code points by general category through PCRE2's Unicode
 * properties (letters, marks, digits: PVALID; symbols, punctuation,
 * upper case: DISALLOWED) with RFC 5892's exceptions, the CONTEXTJ and
 * CONTEXTO rules, no leading combining mark, no "--" in positions 3-4, and
 * the Bidi rule of RFC 5893 with bidi classes approximated by script.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "schema_internal.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ Punycode */

enum { PB = 36, PTMIN = 1, PTMAX = 26, PSKEW = 38, PDAMP = 700, PBIAS = 72, PN = 128 };

static uint32_t adapt(uint32_t delta, uint32_t numpoints, int first) {
  delta = first ? delta / PDAMP : delta / 2;
  delta += delta / numpoints;
  uint32_t k = 0;
  while (delta > ((PB - PTMIN) * PTMAX) / 2) {
    delta /= PB - PTMIN;
    k += PB;
  }
  return k + (PB - PTMIN + 1) * delta / (delta + PSKEW);
}

static int digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0' + 26;
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  return -1;
}

/* Decode s[0..len) into out (at most cap code points); count or -1. */
static long puny_decode(const char *s, size_t len, uint32_t *out, size_t cap) {
  size_t b = 0;
  for (size_t j = 0; j < len; j++)
    if (s[j] == '-')
      b = j;
  size_t n_out = 0;
  for (size_t j = 0; j < b; j++) {
    if ((unsigned char)s[j] >= 0x80 || n_out >= cap)
      return -1;
    out[n_out++] = (unsigned char)s[j];
  }
  uint32_t n = PN, bias = PBIAS, i = 0;
  for (size_t in = b > 0 ? b + 1 : 0; in < len;) {
    uint32_t oldi = i, w = 1;
    for (uint32_t k = PB;; k += PB) {
      if (in >= len)
        return -1;
      int d = digit_value(s[in++]);
      if (d < 0 || (uint32_t)d > (UINT32_MAX - i) / w)
        return -1;
      i += (uint32_t)d * w;
      uint32_t t = k <= bias ? PTMIN : k >= bias + PTMAX ? PTMAX : k - bias;
      if ((uint32_t)d < t)
        break;
      if (w > UINT32_MAX / (PB - t))
        return -1;
      w *= PB - t;
    }
    bias = adapt(i - oldi, (uint32_t)n_out + 1, oldi == 0);
    if (i / (n_out + 1) > UINT32_MAX - n)
      return -1;
    n += i / (uint32_t)(n_out + 1);
    i %= (uint32_t)(n_out + 1);
    if (n_out >= cap || n > 0x10FFFF)
      return -1;
    memmove(out + i + 1, out + i, (n_out - i) * sizeof(*out));
    out[i++] = n;
    n_out++;
  }
  return (long)n_out;
}

/* Encode code points into out (NUL-terminated); length or -1. */
static long puny_encode(const uint32_t *in, size_t n_in, char *out, size_t cap) {
  size_t o = 0, basic = 0;
  for (size_t j = 0; j < n_in; j++)
    if (in[j] < 0x80) {
      if (o + 1 >= cap)
        return -1;
      out[o++] = (char)in[j];
      basic++;
    }
  size_t h = basic;
  if (basic > 0) {
    if (o + 1 >= cap)
      return -1;
    out[o++] = '-';
  }
  uint32_t n = PN, bias = PBIAS, delta = 0;
  while (h < n_in) {
    uint32_t m = UINT32_MAX;
    for (size_t j = 0; j < n_in; j++)
      if (in[j] >= n && in[j] < m)
        m = in[j];
    if ((uint64_t)(m - n) * (h + 1) > UINT32_MAX - delta)
      return -1;
    delta += (m - n) * (uint32_t)(h + 1);
    n = m;
    for (size_t j = 0; j < n_in; j++) {
      if (in[j] < n)
        delta++;
      if (in[j] == n) {
        uint32_t q = delta;
        for (uint32_t k = PB;; k += PB) {
          uint32_t t = k <= bias ? PTMIN : k >= bias + PTMAX ? PTMAX : k - bias;
          if (q < t)
            break;
          uint32_t d = t + (q - t) % (PB - t);
          if (o + 1 >= cap)
            return -1;
          out[o++] = (char)(d < 26 ? 'a' + d : '0' + d - 26);
          q = (q - t) / (PB - t);
        }
        if (o + 1 >= cap)
          return -1;
        out[o++] = (char)(q < 26 ? 'a' + q : '0' + q - 26);
        bias = adapt(delta, (uint32_t)h + 1, h == basic);
        delta = 0;
        h++;
      }
    }
    delta++;
    n++;
  }
  out[o] = '\0';
  return (long)o;
}

/* -------------------------------------------------------- code points */

static long utf8_decode(const char *s, size_t len, uint32_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = (unsigned char)s[i];
    uint32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c;
      extra = 0;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      extra = 3;
    } else
      return -1;
    for (int k = 1; k <= extra; k++) {
      if (i + (size_t)k >= len || ((unsigned char)s[i + k] & 0xC0) != 0x80)
        return -1;
      cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
    }
    i += (size_t)extra + 1;
    if (n >= cap)
      return -1;
    out[n++] = cp;
  }
  return (long)n;
}

static size_t utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Unicode classes through PCRE2 properties, compiled once per process. */
enum {
  C_PVALID, /* letters (not upper/title case), marks, decimal digits */
  C_MARK,   /* \p{M}: no label starts with one */
  C_GREEK,
  C_HEBREW,
  C_ARABIC,
  C_KANA_HAN, /* Hiragana, Katakana, Han */
  C_LETTER,   /* \p{L} */
  C_NSM,      /* \p{Mn} */
  C_COUNT
};
static const char *const class_patterns[C_COUNT] = {
    "^[\\p{Ll}\\p{Lo}\\p{Lm}\\p{Mn}\\p{Mc}\\p{Nd}]$",
    "^\\p{M}$",
    "^\\p{Greek}$",
    "^\\p{Hebrew}$",
    "^\\p{Arabic}$",
    "^[\\p{Hiragana}\\p{Katakana}\\p{Han}]$",
    "^\\p{L}$",
    "^\\p{Mn}$",
};
static pcre2_code *classes[C_COUNT];
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static void classes_init(void) {
  for (int i = 0; i < C_COUNT; i++) {
    int ec;
    PCRE2_SIZE off;
    classes[i] = pcre2_compile((PCRE2_SPTR)class_patterns[i], PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP, &ec, &off, NULL);
  }
}

static int is(int cls, uint32_t cp) {
  pthread_once(&classes_once, classes_init);
  if (!classes[cls])
    return 0;
  char buf[4];
  size_t n = utf8_encode(cp, buf);
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  if (!md)
    return 0;
  int rc = pcre2_match(classes[cls], (PCRE2_SPTR)buf, n, 0, 0, md, NULL);
  pcre2_match_data_free(md);
  return rc >= 0;
}

static int is_virama(uint32_t cp) {
  static const uint32_t v[] = {
      0x94D,  0x9CD,  0xA4D,  0xACD,  0xB4D,  0xBCD,  0xC4D,  0xCCD,  0xD3B,  0xD3C,  0xD4D,
      0xDCA,  0xE3A,  0xEBA,  0xF84,  0x1039, 0x103A, 0x1714, 0x1734, 0x17D2, 0x1A60, 0x1B44,
      0x1BAA, 0x1BAB, 0x1BF2, 0x1BF3, 0x2D7F, 0xA806, 0xA8C4, 0xA953, 0xA9C0, 0xAAF6, 0xABED};
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
    if (v[i] == cp)
      return 1;
  return 0;
}

/* Bidi class, approximated by script: 'R' (Hebrew), 'A' (Arabic letters,
 * AL), 'N' (Arabic-Indic digits, AN), 'E' (European digits, EN), 'M'
 * (non-spacing marks), 'L' (other letters), 'O' (other). */
static char bidi(uint32_t cp) {
  if (cp >= '0' && cp <= '9')
    return 'E';
  if (cp >= 0x6F0 && cp <= 0x6F9)
    return 'E';
  if (cp >= 0x660 && cp <= 0x669)
    return 'N';
  if (cp == '-')
    return 'O';
  if (is(C_NSM, cp))
    return 'M';
  if (is(C_HEBREW, cp))
    return 'R';
  if (is(C_ARABIC, cp))
    return 'A';
  if (cp < 0x80 || is(C_LETTER, cp))
    return 'L';
  return 'O';
}

/* IDNA2008 validity of one U-label (code points). */
static int ulabel_ok(const uint32_t *cp, size_t n) {
  if (n == 0)
    return 0;
  if (cp[0] == '-' || cp[n - 1] == '-')
    return 0;
  if (n >= 4 && cp[2] == '-' && cp[3] == '-')
    return 0;
  if (is(C_MARK, cp[0]))
    return 0;
  int arabic_indic = 0, extended = 0, kana_han = 0, katakana_dot = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = cp[i];
    if (c < 0x80) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
        return 0;
      continue;
    }
    switch (c) {
    case 0x00DF:
    case 0x03C2:
    case 0x06FD:
    case 0x06FE:
    case 0x0F0B:
    case 0x3007: continue; /* PVALID exceptions */
    case 0x0640:
    case 0x07FA:
    case 0x302E:
    case 0x302F:
    case 0x3031:
    case 0x3032:
    case 0x3033:
    case 0x3034:
    case 0x3035:
    case 0x303B: return 0; /* DISALLOWED exceptions */
    case 0x00B7:           /* MIDDLE DOT: between two 'l' */
      if (i == 0 || i + 1 >= n || cp[i - 1] != 'l' || cp[i + 1] != 'l')
        return 0;
      continue;
    case 0x0375: /* Greek KERAIA: followed by Greek */
      if (i + 1 >= n || !is(C_GREEK, cp[i + 1]))
        return 0;
      continue;
    case 0x05F3:
    case 0x05F4: /* Hebrew GERESH, GERSHAYIM: after Hebrew */
      if (i == 0 || !is(C_HEBREW, cp[i - 1]))
        return 0;
      continue;
    case 0x30FB: katakana_dot = 1; continue;
    case 0x200D: /* ZERO WIDTH JOINER: after a virama */
      if (i == 0 || !is_virama(cp[i - 1]))
        return 0;
      continue;
    case 0x200C: /* ZERO WIDTH NON-JOINER: after a virama, or between joining letters */
      if (i > 0 && is_virama(cp[i - 1]))
        continue;
      if (i == 0 || i + 1 >= n || !is(C_ARABIC, cp[i - 1]) || !is(C_ARABIC, cp[i + 1]))
        return 0;
      continue;
    default: break;
    }
    if (c >= 0x660 && c <= 0x669) {
      arabic_indic = 1;
      continue;
    }
    if (c >= 0x6F0 && c <= 0x6F9) {
      extended = 1;
      continue;
    }
    if (is(C_KANA_HAN, c))
      kana_han = 1;
    if (!is(C_PVALID, c))
      return 0;
  }
  if (arabic_indic && extended)
    return 0;
  if (katakana_dot && !kana_han)
    return 0;
  return 1;
}

/* RFC 5893: the Bidi rule for one label of a domain name with RTL labels. */
static int bidi_ok(const uint32_t *cp, size_t n) {
  char first = bidi(cp[0]);
  if (first != 'L' && first != 'R' && first != 'A')
    return 0;
  int rtl = first != 'L', en = 0, an = 0;
  size_t last = n;
  while (last > 0 && bidi(cp[last - 1]) == 'M')
    last--;
  if (last == 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char b = bidi(cp[i]);
    if (rtl) {
      if (b == 'L')
        return 0;
      en |= b == 'E';
      an |= b == 'N';
    } else if (b == 'R' || b == 'A' || b == 'N')
      return 0;
  }
  char end = bidi(cp[last - 1]);
  if (rtl)
    return !(en && an) && (end == 'R' || end == 'A' || end == 'E' || end == 'N');
  return end == 'L' || end == 'E';
}

/* ------------------------------------------------------------ host names */

#define MAX_LABEL_CP 256

/* `idn`: U-labels allowed and the ideographic full stops separate labels. */
int schema_idn_hostname(const char *s, size_t len, int idn) {
  uint32_t all[1024];
  long n = utf8_decode(s, len, all, sizeof(all) / sizeof(all[0]));
  if (n <= 0)
    return 0;
  uint32_t labels_cp[64][64];
  size_t labels_n[64], nlabels = 0, total = 0;
  int any_rtl = 0;
  size_t start = 0;
  for (long i = 0; i <= n; i++) {
    int sep = i == n || all[i] == '.' ||
              (idn && (all[i] == 0x3002 || all[i] == 0xFF0E || all[i] == 0xFF61));
    if (!sep)
      continue;
    size_t ln = (size_t)i - start;
    const uint32_t *lab = all + start;
    start = (size_t)i + 1;
    if (ln == 0 || nlabels >= 64)
      return 0;
    int ascii = 1;
    for (size_t k = 0; k < ln; k++)
      if (lab[k] >= 0x80)
        ascii = 0;
    if (!ascii && !idn)
      return 0;
    uint32_t u[MAX_LABEL_CP];
    size_t un;
    size_t alen; /* length of the A-label (or ASCII label) in octets */
    if (ascii) {
      char a[MAX_LABEL_CP];
      if (ln >= sizeof(a))
        return 0;
      for (size_t k = 0; k < ln; k++)
        a[k] = (char)lab[k];
      alen = ln;
      for (size_t k = 0; k < ln; k++) {
        char c = a[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
          return 0;
      }
      if (a[0] == '-' || a[ln - 1] == '-')
        return 0;
      if (ln >= 4 && (a[0] == 'x' || a[0] == 'X') && (a[1] == 'n' || a[1] == 'N') && a[2] == '-' &&
          a[3] == '-') {
        long d = puny_decode(a + 4, ln - 4, u, MAX_LABEL_CP);
        if (d <= 0)
          return 0;
        un = (size_t)d;
        int only_ascii = 1;
        for (size_t k = 0; k < un; k++)
          if (u[k] >= 0x80)
            only_ascii = 0;
        if (only_ascii)
          return 0;
        char re[MAX_LABEL_CP];
        long rl = puny_encode(u, un, re, sizeof(re));
        if (rl < 0 || (size_t)rl != ln - 4)
          return 0;
        for (size_t k = 0; k < (size_t)rl; k++) {
          char c = a[4 + k];
          if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
          if (c != re[k])
            return 0;
        }
        if (!ulabel_ok(u, un))
          return 0;
      } else {
        if (ln >= 4 && a[2] == '-' && a[3] == '-')
          return 0; /* reserved for other ACE prefixes */
        un = ln;
        memcpy(u, lab, ln * sizeof(*u));
      }
    } else {
      if (ln > MAX_LABEL_CP)
        return 0;
      memcpy(u, lab, ln * sizeof(*u));
      un = ln;
      if (!ulabel_ok(u, un))
        return 0;
      char re[MAX_LABEL_CP];
      long rl = puny_encode(u, un, re, sizeof(re));
      if (rl < 0)
        return 0;
      alen = (size_t)rl + 4;
    }
    if (alen > 63)
      return 0;
    total += alen + (nlabels ? 1 : 0);
    for (size_t k = 0; k < un; k++) {
      char b = bidi(u[k]);
      if (b == 'R' || b == 'A' || b == 'N')
        any_rtl = 1;
    }
    size_t keep = un < 64 ? un : 64;
    memcpy(labels_cp[nlabels], u, keep * sizeof(*u));
    labels_n[nlabels++] = keep;
  }
  if (total > 253)
    return 0;
  if (any_rtl)
    for (size_t k = 0; k < nlabels; k++)
      if (!bidi_ok(labels_cp[k], labels_n[k]))
        return 0;
  return 1;
}
