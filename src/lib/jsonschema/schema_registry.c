/*
 * schema_registry.c - where $ref finds documents that are not inside the
 * schema being compiled: schemas registered by URI, the embedded
 * meta-schemas of drafts 2020-12 and 7, and files under a directory mapped
 * to a URI prefix (`--ref PREFIX=DIR`). Nothing here reaches the network.
 */
#include "schema_internal.h"

#include <stdlib.h>
#include <string.h>

thbx_schema_registry_t *thbx_schema_registry_new(void) {
  return calloc(1, sizeof(thbx_schema_registry_t));
}

void thbx_schema_registry_free(thbx_schema_registry_t *reg) {
  if (!reg)
    return;
  for (size_t i = 0; i < reg->nprefixes; i++) {
    free(reg->prefixes[i].prefix);
    free(reg->prefixes[i].dir);
  }
  free(reg->prefixes);
  for (size_t i = 0; i < reg->docs.cap; i++)
    if (reg->docs.e[i].key)
      json_decref(reg->docs.e[i].value);
  thbx_hmap_free(&reg->docs);
  free(reg);
}

int thbx_schema_registry_map(thbx_schema_registry_t *reg, const char *uri_prefix,
                             const char *directory, thbx_error_t *err) {
  if (!reg || !uri_prefix || !directory || !*uri_prefix)
    return thbx_error_set(err, THBX_EINVAL, "a URI prefix and a directory are needed");
  struct schema_prefix *p = realloc(reg->prefixes, (reg->nprefixes + 1) * sizeof(*p));
  if (!p)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  reg->prefixes = p;
  p[reg->nprefixes].prefix = strdup(uri_prefix);
  p[reg->nprefixes].dir = strdup(directory);
  if (!p[reg->nprefixes].prefix || !p[reg->nprefixes].dir) {
    free(p[reg->nprefixes].prefix);
    free(p[reg->nprefixes].dir);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  reg->nprefixes++;
  return THBX_OK;
}

/* The URI without fragment and without an empty trailing '#'. */
static char *normal_uri(const char *uri) {
  const char *frag;
  return schema_uri_split(uri, &frag);
}

int thbx_schema_registry_add(thbx_schema_registry_t *reg, const char *uri, const json_t *document,
                             thbx_error_t *err) {
  if (!reg || !document)
    return thbx_error_set(err, THBX_EINVAL, "no registry or document");
  if (!uri && json_is_object(document)) {
    uri = json_string_value(json_object_get(document, "$id"));
    if (!uri)
      uri = json_string_value(json_object_get(document, "id"));
  }
  if (!uri || !*uri)
    return thbx_error_set(err, THBX_EINVAL, "the schema has no $id to register it under");
  char *key = normal_uri(uri);
  if (!key)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  json_t *old = thbx_hmap_gets(&reg->docs, key);
  json_t *copy = json_deep_copy(document);
  if (!copy || thbx_hmap_puts(&reg->docs, key, copy) != 0) {
    json_decref(copy);
    free(key);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  json_decref(old);
  free(key);
  return THBX_OK;
}

/* Embedded meta-schemas by their URI. */
static const char *embedded_name(const char *uri, char *buf, size_t size) {
  static const char d2020[] = "https://json-schema.org/draft/2020-12/";
  if (strcmp(uri, "http://json-schema.org/draft-07/schema") == 0 ||
      strcmp(uri, "https://json-schema.org/draft-07/schema") == 0)
    return "meta/draft-07/schema.json";
  if (strncmp(uri, d2020, sizeof(d2020) - 1) == 0) {
    const char *rest = uri + sizeof(d2020) - 1;
    if (strcmp(rest, "schema") == 0)
      return "meta/draft2020-12/schema.json";
    if (strncmp(rest, "meta/", 5) == 0 && !strchr(rest + 5, '/') && strlen(rest) < 64) {
      snprintf(buf, size, "meta/draft2020-12/%s.json", rest);
      return buf;
    }
  }
  return NULL;
}

/* Is `rest` a safe relative path (no "..", no absolute path)? */
static int safe_rest(const char *rest) {
  if (rest[0] == '/' || strchr(rest, '\\'))
    return 0;
  const char *p = rest;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.')
      return 0;
    p += n;
    if (*p == '/')
      p++;
  }
  return 1;
}

json_t *schema_registry_load(const thbx_schema_registry_t *reg, const char *uri, int *status,
                             thbx_error_t *err) {
  *status = THBX_ENOTFOUND;
  if (reg) {
    json_t *doc = thbx_hmap_gets(&reg->docs, uri);
    if (doc) {
      *status = THBX_OK;
      return json_incref(doc);
    }
  }
  char buf[128];
  const char *name = embedded_name(uri, buf, sizeof(buf));
  if (name) {
    size_t len;
    const char *data = thbx_resource(name, &len);
    if (data) {
      json_error_t jerr;
      json_t *doc = json_loadb(data, len, 0, &jerr);
      if (doc) {
        *status = THBX_OK;
        return doc;
      }
    }
  }
  if (!reg)
    return NULL;
  /* longest matching prefix wins */
  const struct schema_prefix *best = NULL;
  for (size_t i = 0; i < reg->nprefixes; i++) {
    const struct schema_prefix *p = &reg->prefixes[i];
    size_t n = strlen(p->prefix);
    if (strncmp(uri, p->prefix, n) == 0 && (!best || n > strlen(best->prefix)))
      best = p;
  }
  if (!best)
    return NULL;
  const char *rest = uri + strlen(best->prefix);
  if (!safe_rest(rest) || strchr(rest, '?'))
    return NULL;
  thbx_buf_t path;
  thbx_buf_init(&path);
  thbx_buf_puts(&path, best->dir);
  if (path.len && path.data[path.len - 1] != '/' && *rest)
    thbx_buf_putc(&path, '/');
  thbx_buf_puts(&path, rest);
  if (!path.data)
    return NULL;
  schema_uri_unescape(path.data);
  FILE *fp = fopen(path.data, "rb");
  if (!fp) {
    thbx_buf_free(&path);
    return NULL;
  }
  json_error_t jerr;
  json_t *doc = json_loadf(fp, JSON_DECODE_ANY, &jerr);
  fclose(fp);
  if (!doc) {
    *status = thbx_error_set(err, THBX_ESCHEMA, "%s:%d:%d: %s", path.data, jerr.line, jerr.column,
                             jerr.text);
    thbx_buf_free(&path);
    return NULL;
  }
  thbx_buf_free(&path);
  *status = THBX_OK;
  return doc;
}
