/*
 * schema_util.c - what the schema compiler needs around it: RFC 3986
 * reference resolution for $id / $ref.
 */
#include "schema_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ URIs */

struct uri {
  const char *scheme, *auth, *path, *query, *frag;
  size_t scheme_len, auth_len, path_len, query_len, frag_len;
  int has_scheme, has_auth, has_query, has_frag;
};

static void uri_parse(const char *s, struct uri *u) {
  memset(u, 0, sizeof(*u));
  const char *p = s;
  /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
  const char *q = p;
  if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')) {
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
           *q == '+' || *q == '-' || *q == '.')
      q++;
    if (*q == ':') {
      u->has_scheme = 1;
      u->scheme = p;
      u->scheme_len = (size_t)(q - p);
      p = q + 1;
    }
  }
  if (p[0] == '/' && p[1] == '/') {
    p += 2;
    u->has_auth = 1;
    u->auth = p;
    while (*p && *p != '/' && *p != '?' && *p != '#')
      p++;
    u->auth_len = (size_t)(p - u->auth);
  }
  u->path = p;
  while (*p && *p != '?' && *p != '#')
    p++;
  u->path_len = (size_t)(p - u->path);
  if (*p == '?') {
    u->has_query = 1;
    u->query = ++p;
    while (*p && *p != '#')
      p++;
    u->query_len = (size_t)(p - u->query);
  }
  if (*p == '#') {
    u->has_frag = 1;
    u->frag = p + 1;
    u->frag_len = strlen(p + 1);
  }
}

/* RFC 3986 5.2.4, on buf (NUL-terminated), result written to out. */
static void remove_dots(const char *in, thbx_buf_t *out) {
  thbx_buf_reset(out);
  while (*in) {
    if (strncmp(in, "../", 3) == 0)
      in += 3;
    else if (strncmp(in, "./", 2) == 0)
      in += 2;
    else if (strncmp(in, "/./", 3) == 0)
      in += 2;
    else if (strcmp(in, "/.") == 0)
      in = "/";
    else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
      in = in[3] ? in + 3 : "/";
      while (out->len > 0 && out->data[out->len - 1] != '/')
        out->len--;
      if (out->len > 0)
        out->len--;
      if (out->data)
        out->data[out->len] = '\0';
    } else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0)
      in += strlen(in);
    else {
      const char *e = in + 1;
      while (*e && *e != '/')
        e++;
      thbx_buf_append(out, in, (size_t)(e - in));
      in = e;
    }
  }
  if (!out->data)
    thbx_buf_puts(out, "");
}

char *schema_uri_resolve(const char *base, const char *ref) {
  struct uri b, r;
  uri_parse(base ? base : "", &b);
  uri_parse(ref, &r);
  thbx_buf_t out, path, tmp;
  thbx_buf_init(&out);
  thbx_buf_init(&path);
  thbx_buf_init(&tmp);
  const struct uri *auth_from, *query_from;
  if (r.has_scheme) {
    thbx_buf_append(&tmp, r.path, r.path_len);
    remove_dots(tmp.data, &path);
    auth_from = &r;
    query_from = &r;
    thbx_buf_append(&out, r.scheme, r.scheme_len);
    thbx_buf_putc(&out, ':');
  } else {
    if (b.has_scheme) {
      thbx_buf_append(&out, b.scheme, b.scheme_len);
      thbx_buf_putc(&out, ':');
    }
    if (r.has_auth) {
      thbx_buf_append(&tmp, r.path, r.path_len);
      remove_dots(tmp.data, &path);
      auth_from = &r;
      query_from = &r;
    } else {
      auth_from = &b;
      if (r.path_len == 0) {
        thbx_buf_append(&path, b.path, b.path_len);
        query_from = r.has_query ? &r : &b;
      } else {
        if (r.path[0] == '/') {
          thbx_buf_append(&tmp, r.path, r.path_len);
        } else if (b.has_auth && b.path_len == 0) {
          thbx_buf_putc(&tmp, '/');
          thbx_buf_append(&tmp, r.path, r.path_len);
        } else {
          size_t keep = b.path_len;
          while (keep > 0 && b.path[keep - 1] != '/')
            keep--;
          thbx_buf_append(&tmp, b.path, keep);
          thbx_buf_append(&tmp, r.path, r.path_len);
        }
        /* a relative path on a base without scheme or '/' stays relative */
        if (tmp.data && tmp.data[0] == '/')
          remove_dots(tmp.data, &path);
        else if (tmp.data) {
          thbx_buf_t t2;
          thbx_buf_init(&t2);
          thbx_buf_putc(&t2, '/');
          thbx_buf_puts(&t2, tmp.data);
          remove_dots(t2.data, &path);
          thbx_buf_free(&t2);
          if (path.len && path.data[0] == '/' && !auth_from->has_auth && !b.has_scheme) {
            memmove(path.data, path.data + 1, path.len);
            path.len--;
          }
        }
        query_from = &r;
      }
    }
  }
  if (auth_from->has_auth) {
    thbx_buf_puts(&out, "//");
    thbx_buf_append(&out, auth_from->auth, auth_from->auth_len);
  }
  if (path.data)
    thbx_buf_append(&out, path.data, path.len);
  if (query_from->has_query) {
    thbx_buf_putc(&out, '?');
    thbx_buf_append(&out, query_from->query, query_from->query_len);
  }
  if (r.has_frag && r.frag_len > 0) {
    thbx_buf_putc(&out, '#');
    thbx_buf_append(&out, r.frag, r.frag_len);
  }
  thbx_buf_free(&path);
  thbx_buf_free(&tmp);
  if (!out.data)
    thbx_buf_puts(&out, "");
  return out.data;
}

char *schema_uri_split(const char *uri, const char **fragment) {
  const char *h = strchr(uri, '#');
  size_t n = h ? (size_t)(h - uri) : strlen(uri);
  *fragment = h ? h + 1 : NULL;
  char *s = malloc(n + 1);
  if (!s)
    return NULL;
  memcpy(s, uri, n);
  s[n] = '\0';
  return s;
}

void schema_uri_unescape(char *s) {
  char *w = s;
  for (const char *r = s; *r; r++) {
    if (*r == '%' && thbx_hex_digit(r[1]) >= 0 && thbx_hex_digit(r[2]) >= 0) {
      *w++ = (char)(thbx_hex_digit(r[1]) * 16 + thbx_hex_digit(r[2]));
      r += 2;
    } else
      *w++ = *r;
  }
  *w = '\0';
}
