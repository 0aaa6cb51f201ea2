/*
 * profile.c - loading a profile: the embedded thb-event-1.0 or a JSON Schema
 * file (with an .xsd of the same stem beside it), "none" for generic mode.
 */
#include "profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const embedded_profiles[] = {THBX_DEFAULT_PROFILE, NULL};

const char *thbx_profile_embedded_name(size_t i) {
  return i < sizeof(embedded_profiles) / sizeof(*embedded_profiles) ? embedded_profiles[i] : NULL;
}

static int load_embedded(struct thbx_profile *p, const char *name, thbx_error_t *err) {
  char res[128];
  snprintf(res, sizeof(res), "%s.schema.json", name);
  size_t len;
  const char *text = thbx_resource(res, &len);
  if (!text)
    return thbx_error_set(err, THBX_ENOTFOUND, "no embedded profile '%s'", name);
  json_error_t jerr;
  p->schema = json_loadb(text, len, 0, &jerr);
  if (!p->schema)
    return thbx_error_set(err, THBX_ESCHEMA, "embedded profile %s: %s", name, jerr.text);
  snprintf(res, sizeof(res), "%s.xsd", name);
  const char *xsd = thbx_resource(res, &len);
  if (xsd) {
    p->xsd = malloc(len + 1);
    if (!p->xsd)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    memcpy(p->xsd, xsd, len + 1);
    p->xsd_length = len;
  }
  return THBX_OK;
}

static int load_file(struct thbx_profile *p, const char *path, thbx_error_t *err) {
  json_error_t jerr;
  p->schema = json_load_file(path, 0, &jerr);
  if (!p->schema) {
    thbx_error_at(err, path, jerr.line, jerr.column);
    return thbx_error_set(err, THBX_ESCHEMA, "cannot read profile schema: %s", jerr.text);
  }
  /* stem: "dir/x.schema.json" -> "dir/x"; the XSD is "dir/x.xsd" */
  size_t n = strlen(path);
  const char *suffixes[] = {".schema.json", ".json", NULL};
  size_t stem = n;
  for (int i = 0; suffixes[i]; i++) {
    size_t s = strlen(suffixes[i]);
    if (n > s && strcmp(path + n - s, suffixes[i]) == 0) {
      stem = n - s;
      break;
    }
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  p->name = strndup(base, stem - (size_t)(base - path));
  p->xsd_path = malloc(stem + 5);
  if (!p->name || !p->xsd_path)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  memcpy(p->xsd_path, path, stem);
  memcpy(p->xsd_path + stem, ".xsd", 5);
  size_t len;
  p->xsd = thbx_read_file(p->xsd_path, &len);
  if (p->xsd)
    p->xsd_length = len;
  else {
    free(p->xsd_path);
    p->xsd_path = NULL;
  }
  return THBX_OK;
}

int thbx_profile_load(const char *name, thbx_profile_t **out, thbx_error_t *err) {
  *out = NULL;
  if (!name || strcmp(name, "none") == 0)
    return THBX_OK;
  struct thbx_profile *p = calloc(1, sizeof(*p));
  if (!p)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  int embedded = 0;
  for (size_t i = 0; embedded_profiles[i]; i++)
    if (strcmp(embedded_profiles[i], name) == 0)
      embedded = 1;
  int rc;
  if (embedded) {
    p->embedded = 1;
    p->name = strdup(name);
    rc = p->name ? load_embedded(p, name, err) : thbx_error_set(err, THBX_ENOMEM, "out of memory");
  } else {
    rc = load_file(p, name, err);
  }
  if (rc == THBX_OK)
    rc = thbx_shape_build(p, err);
  if (rc == THBX_OK)
    rc = profile_rules_load(p, err);
  if (rc != THBX_OK) {
    thbx_profile_free(p);
    return rc;
  }
  *out = p;
  return THBX_OK;
}

void thbx_profile_free(thbx_profile_t *p) {
  if (!p)
    return;
  thbx_shape_free(p->shape);
  profile_rules_free(&p->rules);
  profile_xsd_free(p);
  json_decref(p->schema);
  free(p->xsd);
  free(p->xsd_path);
  free(p->name);
  free(p);
}

const char *thbx_profile_name(const thbx_profile_t *p) { return p ? p->name : "none"; }
const json_t *thbx_profile_schema(const thbx_profile_t *p) { return p ? p->schema : NULL; }
const char *thbx_profile_xsd(const thbx_profile_t *p, size_t *length) {
  if (!p || !p->xsd)
    return NULL;
  if (length)
    *length = p->xsd_length;
  return p->xsd;
}
