/*
 * schema_format.c - the `format` checks: date, time and date-time (RFC 3339,
 * leap seconds only at 23:59:60 UTC), duration (RFC 3339 appendix A),
 * email and idn-email (RFC 5321 addresses), hostname and idn-hostname,
 * ipv4, ipv6, uri, uri-reference, iri, iri-reference, uri-template, uuid,
 * regex (ECMA-262 as schema_regex.c reads it), json-pointer and
 * relative-json-pointer. They assert only when the caller asks
 * (thbx_schema_options_t.assert_formats) or the meta-schema uses the
 * format-assertion vocabulary; otherwise `format` is an annotation.
 */
#include "schema_internal.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  enum schema_format f;
} format_names[] = {
    {"date", FMT_DATE},
    {"time", FMT_TIME},
    {"date-time", FMT_DATE_TIME},
    {"duration", FMT_DURATION},
    {"email", FMT_EMAIL},
    {"idn-email", FMT_IDN_EMAIL},
    {"hostname", FMT_HOSTNAME},
    {"idn-hostname", FMT_IDN_HOSTNAME},
    {"ipv4", FMT_IPV4},
    {"ipv6", FMT_IPV6},
    {"uri", FMT_URI},
    {"uri-reference", FMT_URI_REFERENCE},
    {"iri", FMT_IRI},
    {"iri-reference", FMT_IRI_REFERENCE},
    {"uri-template", FMT_URI_TEMPLATE},
    {"uuid", FMT_UUID},
    {"regex", FMT_REGEX},
    {"json-pointer", FMT_JSON_POINTER},
    {"relative-json-pointer", FMT_RELATIVE_JSON_POINTER},
};

enum schema_format schema_format_from_name(const char *name) {
  for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
    if (strcmp(format_names[i].name, name) == 0)
      return format_names[i].f;
  return FMT_UNKNOWN;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n digits at s as a number, -1 if not all digits */
static int digits(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* ------------------------------------------------------------ dates */

static int check_date(const char *s, size_t len) {
  if (len != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1)
    return 0;
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = mdays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    max = 29;
  return d <= max;
}

static int check_time(const char *s, size_t len) {
  if (len < 9 || s[2] != ':' || s[5] != ':')
    return 0;
  int h = digits(s, 2), mi = digits(s + 3, 2), se = digits(s + 6, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return 0;
  size_t i = 8;
  if (i < len && s[i] == '.') {
    i++;
    size_t start = i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == start)
      return 0;
  }
  if (i >= len)
    return 0;
  int offset = 0;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
    offset = 0;
  } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
    int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
      return 0;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
  } else
    return 0;
  if (se == 60) {
    int utc = ((h * 60 + mi - offset) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59)
      return 0;
  }
  return 1;
}

static int check_date_time(const char *s, size_t len) {
  if (len < 20 || (s[10] != 'T' && s[10] != 't'))
    return 0;
  return check_date(s, 10) && check_time(s + 11, len - 11);
}

static int check_duration(const char *s, size_t len) {
  if (len < 2 || s[0] != 'P')
    return 0;
  size_t i = 1;
  /* dur-week: nW alone */
  size_t j = i;
  while (j < len && is_digit(s[j]))
    j++;
  if (j > i && j + 1 == len && s[j] == 'W')
    return 1;
  static const char date_units[] = "YMD", time_units[] = "HMS";
  int seen = 0, in_time = 0, time_seen = 0;
  const char *units = date_units;
  size_t u = 0;
  while (i < len) {
    if (s[i] == 'T') {
      if (in_time)
        return 0;
      in_time = 1;
      units = time_units;
      u = 0;
      i++;
      continue;
    }
    size_t start = i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == start || i >= len)
      return 0;
    const char *p = strchr(units + u, s[i]);
    if (!p || !s[i])
      return 0;
    /* RFC 3339 appendix A: Y [M [D]], M [D], D; H [M [S]], M [S], S */
    if (u > 0 && (size_t)(p - units) != u)
      return 0;
    u = (size_t)(p - units) + 1;
    seen = 1;
    if (in_time)
      time_seen = 1;
    i++;
  }
  if (in_time && !time_seen)
    return 0;
  return seen;
}

/* ------------------------------------------------------------ hosts */

static int check_ipv4(const char *s, size_t len) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    int v = 0;
    while (i < len && is_digit(s[i]) && i - start < 3)
      v = v * 10 + (s[i++] - '0');
    if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
      return 0;
    parts++;
    if (parts < 4) {
      if (i >= len || s[i] != '.')
        return 0;
      i++;
    }
  }
  return i == len;
}

static int check_ipv6(const char *s, size_t len) {
  char buf[64];
  unsigned char out[16];
  if (len == 0 || len >= sizeof(buf))
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
      return 0;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

/* LDH host names with A-labels checked, or IDN host names (schema_idn.c). */
static int check_hostname(const char *s, size_t len, int idn) {
  return schema_idn_hostname(s, len, idn);
}

static int check_email(const char *s, size_t len, int idn) {
  const char *at = NULL;
  for (size_t i = len; i > 0; i--)
    if (s[i - 1] == '@') {
      at = s + i - 1;
      break;
    }
  if (!at || at == s)
    return 0;
  size_t llen = (size_t)(at - s);
  const char *d = at + 1;
  size_t dlen = len - llen - 1;
  if (llen > 64 || dlen == 0)
    return 0;
  if (s[0] == '"') {
    if (llen < 2 || s[llen - 1] != '"')
      return 0;
    for (size_t i = 1; i + 1 < llen; i++) {
      if (s[i] == '\\') {
        i++;
        continue;
      }
      if (s[i] == '"')
        return 0;
    }
  } else {
    static const char special[] = "!#$%&'*+-/=?^_`{|}~";
    if (s[0] == '.' || s[llen - 1] == '.')
      return 0;
    for (size_t i = 0; i < llen; i++) {
      unsigned char ch = (unsigned char)s[i];
      if (ch == '.') {
        if (s[i + 1] == '.')
          return 0;
        continue;
      }
      if (!(is_alpha((char)ch) || is_digit((char)ch) || strchr(special, ch) || (idn && ch >= 0x80)))
        return 0;
    }
  }
  if (d[0] == '[') {
    if (d[dlen - 1] != ']')
      return 0;
    if (dlen > 7 && strncmp(d + 1, "IPv6:", 5) == 0)
      return check_ipv6(d + 6, dlen - 7);
    return check_ipv4(d + 1, dlen - 2);
  }
  return check_hostname(d, dlen, idn);
}

/* ------------------------------------------------------------ URIs */

static int uri_char(unsigned char c, int iri) {
  static const char allowed[] = "-._~:/?#[]@!$&'()*+,;=";
  return is_alpha((char)c) || is_digit((char)c) || (c && strchr(allowed, c)) || (iri && c >= 0x80);
}

static int check_uri_chars(const char *s, size_t len, int iri) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
        return 0;
      i += 2;
    } else if (!uri_char(c, iri))
      return 0;
  }
  /* '#' at most once, and '[' ']' only in the authority (IP literal) */
  const char *h = memchr(s, '#', len);
  if (h && memchr(h + 1, '#', len - (size_t)(h - s) - 1))
    return 0;
  return 1;
}

static int check_authority(const char *s, size_t len) {
  /* the authority of "scheme://authority/..." must be host-like */
  const char *a = NULL;
  for (size_t i = 0; i + 2 < len; i++) {
    if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
      a = s + i + 3;
      break;
    }
    if (s[i] == '/' || s[i] == '?' || s[i] == '#')
      break;
  }
  if (!a) {
    for (size_t i = 0; i < len; i++)
      if (s[i] == '[' || s[i] == ']')
        return 0;
    return 1;
  }
  const char *end = a;
  while (end < s + len && *end != '/' && *end != '?' && *end != '#')
    end++;
  const char *host = a;
  int ats = 0;
  for (const char *p = a; p < end; p++)
    if (*p == '@') {
      host = p + 1;
      ats++;
    }
  if (ats > 1)
    return 0;
  for (const char *p = a; p < host; p++)
    if (*p == '[' || *p == ']')
      return 0;
  /* no brackets after the authority (path, query, fragment) */
  for (const char *p = end; p < s + len; p++)
    if (*p == '[' || *p == ']')
      return 0;
  if (host < end && *host == '[') {
    const char *close = memchr(host, ']', (size_t)(end - host));
    if (!close)
      return 0;
    if (host[1] == 'v' || host[1] == 'V') {
      /* IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */
      const char *p = host + 2;
      while (p < close && is_hex(*p))
        p++;
      if (p == host + 2 || p >= close || *p != '.' || p + 1 >= close)
        return 0;
    } else if (!check_ipv6(host + 1, (size_t)(close - host - 1)))
      return 0;
    host = close + 1;
    if (host < end && *host != ':')
      return 0;
  } else {
    for (const char *p = host; p < end; p++)
      if (*p == '[' || *p == ']')
        return 0;
  }
  const char *colon = memchr(host, ':', (size_t)(end - host));
  if (colon)
    for (const char *p = colon + 1; p < end; p++)
      if (!is_digit(*p))
        return 0;
  return 1;
}

static int check_uri(const char *s, size_t len, int iri, int reference) {
  if (!check_uri_chars(s, len, iri))
    return 0;
  size_t i = 0;
  if (len && is_alpha(s[0])) {
    while (i < len &&
           (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
      i++;
  }
  int has_scheme = i > 0 && i < len && s[i] == ':';
  if (!has_scheme && !reference)
    return 0;
  if (!has_scheme) {
    /* a relative reference: no ':' before the first '/' */
    for (size_t k = 0; k < len && s[k] != '/' && s[k] != '?' && s[k] != '#'; k++)
      if (s[k] == ':')
        return 0;
    if (len >= 2 && s[0] == '/' && s[1] == '/') {
      char buf[2048];
      if (len + 2 >= sizeof(buf))
        return 0;
      memcpy(buf, "x:", 2);
      memcpy(buf + 2, s, len);
      return check_authority(buf, len + 2);
    }
    for (size_t k = 0; k < len; k++)
      if (s[k] == '[' || s[k] == ']')
        return 0;
    return 1;
  }
  for (size_t k = 0; k < len; k++)
    if (s[k] == '\\')
      return 0;
  return check_authority(s, len);
}

/* RFC 6570: literals and {[op]varspec,...} expressions */
static int check_uri_template(const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c == '{') {
      i++;
      if (i < len && strchr("+#./;?&", s[i]))
        i++;
      for (;;) {
        /* varname: varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct */
        size_t start = i;
        int dot_ok = 0;
        while (i < len) {
          if (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_') {
            i++;
            dot_ok = 1;
          } else if (s[i] == '%' && i + 2 < len && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            i += 3;
            dot_ok = 1;
          } else if (s[i] == '.' && dot_ok && i + 1 < len && s[i + 1] != '.' && s[i + 1] != '}' &&
                     s[i + 1] != ',') {
            i++;
            dot_ok = 0;
          } else
            break;
        }
        if (i == start)
          return 0;
        if (i < len && s[i] == ':') {
          i++;
          size_t d = i;
          while (i < len && is_digit(s[i]))
            i++;
          if (i == d || i - d > 4 || s[d] == '0')
            return 0;
        } else if (i < len && s[i] == '*')
          i++;
        if (i < len && s[i] == ',') {
          i++;
          continue;
        }
        if (i < len && s[i] == '}') {
          i++;
          break;
        }
        return 0;
      }
      continue;
    }
    if (c == '%') {
      if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
        return 0;
      i += 3;
      continue;
    }
    if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`|}", c))
      return 0;
    i++;
  }
  return 1;
}

static int check_uuid(const char *s, size_t len) {
  if (len != 36)
    return 0;
  for (size_t i = 0; i < len; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return 0;
    } else if (!is_hex(s[i]))
      return 0;
  }
  return 1;
}

static int check_json_pointer(const char *s, size_t len) {
  if (len == 0)
    return 1;
  if (s[0] != '/')
    return 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '~' && (i + 1 >= len || (s[i + 1] != '0' && s[i + 1] != '1')))
      return 0;
  return 1;
}

static int check_relative_json_pointer(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && is_digit(s[i]))
    i++;
  if (i == 0 || (i > 1 && s[0] == '0'))
    return 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    size_t j = ++i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == j || (i - j > 1 && s[j] == '0'))
      return 0;
  }
  if (i == len)
    return 1;
  if (s[i] == '#' && i + 1 == len)
    return 1;
  return check_json_pointer(s + i, len - i);
}

int schema_format_check(enum schema_format f, const char *s, size_t len) {
  switch (f) {
  case FMT_DATE: return check_date(s, len);
  case FMT_TIME: return check_time(s, len);
  case FMT_DATE_TIME: return check_date_time(s, len);
  case FMT_DURATION: return check_duration(s, len);
  case FMT_EMAIL: return check_email(s, len, 0);
  case FMT_IDN_EMAIL: return check_email(s, len, 1);
  case FMT_HOSTNAME: return check_hostname(s, len, 0);
  case FMT_IDN_HOSTNAME: return check_hostname(s, len, 1);
  case FMT_IPV4: return check_ipv4(s, len);
  case FMT_IPV6: return check_ipv6(s, len);
  case FMT_URI: return check_uri(s, len, 0, 0);
  case FMT_URI_REFERENCE: return check_uri(s, len, 0, 1);
  case FMT_IRI: return check_uri(s, len, 1, 0);
  case FMT_IRI_REFERENCE: return check_uri(s, len, 1, 1);
  case FMT_URI_TEMPLATE: return check_uri_template(s, len);
  case FMT_UUID: return check_uuid(s, len);
  case FMT_REGEX: return strlen(s) == len && schema_regex_valid(s);
  case FMT_JSON_POINTER: return check_json_pointer(s, len);
  case FMT_RELATIVE_JSON_POINTER: return check_relative_json_pointer(s, len);
  default: return 1;
  }
}

/* ---------------------------------------------------------- content */

static int b64val(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int schema_content_check(const char *s, size_t len, int base64, int json) {
  if (!base64) {
    if (!json)
      return 1;
    json_error_t jerr;
    json_t *v = json_loadb(s, len, JSON_DECODE_ANY, &jerr);
    json_decref(v);
    return v != NULL;
  }
  if (len % 4)
    return 0;
  char *out = malloc(len / 4 * 3 + 1);
  if (!out)
    return 0;
  size_t o = 0;
  int ok = 1;
  for (size_t i = 0; i < len && ok; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      unsigned char c = (unsigned char)s[i + k];
      v[k] = c == '=' && i + 4 == len && k >= 2 ? 0 : b64val(c);
      if (v[k] < 0)
        ok = 0;
    }
    if (!ok)
      break;
    if (s[i + 2] == '=' && s[i + 3] != '=')
      ok = 0;
    unsigned long w = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) |
                      ((unsigned long)v[2] << 6) | (unsigned long)v[3];
    out[o++] = (char)(w >> 16);
    if (s[i + 2] != '=')
      out[o++] = (char)(w >> 8);
    if (s[i + 3] != '=')
      out[o++] = (char)w;
  }
  if (ok && json) {
    json_error_t jerr;
    json_t *v = json_loadb(out, o, JSON_DECODE_ANY, &jerr);
    ok = v != NULL;
    json_decref(v);
  }
  free(out);
  return ok;
}
