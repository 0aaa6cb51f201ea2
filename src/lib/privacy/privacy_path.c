/*
 * privacy_path.c - dotted field paths over records, and what the profile's
 * JSON Schema allows a privacy transformation to do with a field.
 *
 * Pseudonymisation and anonymisation name fields the way CSV headers do
 * ("person.age_group"). Anonymisation must keep every record valid against
 * the profile, so before it drops a field or replaces it with `unknown` it
 * asks the schema: is the field required, does a conditional rule (if/then,
 * dependentRequired, ...) read it, has its code list an `unknown`.
 */
#include "privacy.h"

#include <stdlib.h>
#include <string.h>

void privacy_path_clear(struct privacy_path *path) {
  if (!path)
    return;
  for (size_t i = 0; i < path->nparts; i++)
    free(path->parts[i]);
  free(path->parts);
  free(path->dotted);
  free(path->pointer);
  memset(path, 0, sizeof(*path));
}

int privacy_path_parse(struct privacy_path *path, const char *dotted, thbx_error_t *err) {
  memset(path, 0, sizeof(*path));
  size_t n = strlen(dotted);
  if (n == 0 || dotted[0] == '.' || dotted[n - 1] == '.' || strstr(dotted, ".."))
    return thbx_error_set(err, THBX_EINVAL,
                          "'%.200s' is not a field path (dotted, as in person.person_ref)", dotted);
  size_t parts = 1;
  for (const char *c = dotted; *c; c++)
    parts += *c == '.';
  path->dotted = strdup(dotted);
  path->parts = calloc(parts, sizeof(char *));
  thbx_buf_t ptr;
  thbx_buf_init(&ptr);
  if (!path->dotted || !path->parts)
    goto nomem;
  const char *start = dotted;
  for (size_t i = 0; i < parts; i++) {
    const char *dot = strchr(start, '.');
    size_t len = dot ? (size_t)(dot - start) : strlen(start);
    path->parts[i] = strndup(start, len);
    if (!path->parts[i])
      goto nomem;
    path->nparts++;
    if (thbx_buf_pointer_append(&ptr, path->parts[i]) != 0)
      goto nomem;
    start = dot ? dot + 1 : start + len;
  }
  path->pointer = ptr.data;
  return THBX_OK;
nomem:
  thbx_buf_free(&ptr);
  privacy_path_clear(path);
  return thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

json_t *privacy_path_get(json_t *root, const struct privacy_path *path, json_t **parent_out) {
  json_t *cur = root, *parent = NULL;
  for (size_t i = 0; i < path->nparts; i++) {
    if (!json_is_object(cur))
      return NULL;
    parent = cur;
    cur = json_object_get(cur, path->parts[i]);
    if (!cur)
      return NULL;
  }
  if (parent_out)
    *parent_out = parent;
  return cur;
}

static int drop_walk(json_t *obj, const struct privacy_path *path, size_t depth) {
  if (json_is_array(obj)) {
    int any = 0;
    size_t i;
    json_t *item;
    json_array_foreach(obj, i, item) any |= drop_walk(item, path, depth);
    return any;
  }
  if (!json_is_object(obj))
    return 0;
  const char *key = path->parts[depth];
  json_t *child = json_object_get(obj, key);
  if (!child)
    return 0;
  if (depth + 1 == path->nparts) {
    json_object_del(obj, key);
    return 1;
  }
  int any = drop_walk(child, path, depth + 1);
  if (any && json_is_object(child) && json_object_size(child) == 0)
    json_object_del(obj, key); /* an empty object says nothing and may be invalid */
  return any;
}

int privacy_path_drop(json_t *root, const struct privacy_path *path) {
  return drop_walk(root, path, 0);
}

const struct thbx_shape *privacy_shape_at(const thbx_profile_t *profile, const char *dotted) {
  if (!profile || !profile->shape)
    return NULL;
  const struct thbx_shape *cur = profile->shape;
  const char *start = dotted;
  while (cur) {
    const char *dot = strchr(start, '.');
    size_t len = dot ? (size_t)(dot - start) : strlen(start);
    if (!(cur->types & THBX_TYPE_OBJECT))
      return NULL;
    cur = thbx_shape_prop(cur, start, len);
    if (!dot)
      return cur;
    start = dot + 1;
  }
  return NULL;
}

/* ------------------------------------------------- schema facts of a field */

/* Follow a local "$ref": "#/..." (the profile's $defs); other refs are left. */
static const json_t *resolve(const json_t *root, const json_t *schema) {
  for (int hops = 0; hops < 16 && json_is_object(schema); hops++) {
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (!ref || strncmp(ref, "#/", 2) != 0)
      return schema;
    const json_t *cur = root;
    char *copy = strdup(ref + 2);
    if (!copy)
      return schema;
    for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok && cur;
         tok = strtok_r(NULL, "/", &save))
      cur = json_object_get(cur, tok);
    free(copy);
    if (!cur)
      return schema;
    /* a $ref beside other keywords: the keywords of the referencing schema
     * still apply, but enum and type live in the target for the profile */
    schema = cur;
  }
  return schema;
}

static int path_touches(const char *referenced, const char *field) {
  size_t n = strlen(field);
  return strncmp(referenced, field, n) == 0 && (referenced[n] == '\0' || referenced[n] == '.');
}

/* Does a conditional subschema at `prefix` read `field` or anything below it? */
static int reads_field(const json_t *root, const json_t *schema, const char *prefix,
                       const char *field, int depth);

static int reads_name(const char *prefix, const char *name, const char *field) {
  char buf[512];
  snprintf(buf, sizeof(buf), "%s%s%s", prefix, prefix[0] ? "." : "", name);
  return path_touches(buf, field);
}

static int reads_list(const json_t *root, const json_t *list, const char *prefix, const char *field,
                      int depth) {
  size_t i;
  const json_t *sub;
  json_array_foreach(list, i, sub) {
    if (reads_field(root, sub, prefix, field, depth + 1))
      return 1;
  }
  return 0;
}

static int reads_field(const json_t *root, const json_t *schema, const char *prefix,
                       const char *field, int depth) {
  if (depth > 32)
    return 1; /* conservative */
  schema = resolve(root, schema);
  if (!json_is_object(schema))
    return 0;
  const json_t *v;
  size_t i;
  const char *k;
  json_array_foreach(json_object_get(schema, "required"), i, v) {
    if (json_is_string(v) && reads_name(prefix, json_string_value(v), field))
      return 1;
  }
  json_object_foreach((json_t *)json_object_get(schema, "properties"), k, v) {
    if (reads_name(prefix, k, field))
      return 1; /* the rule looks at this property (or below it) */
    char below[512];
    snprintf(below, sizeof(below), "%s%s%s", prefix, prefix[0] ? "." : "", k);
    if (reads_field(root, v, below, field, depth + 1))
      return 1;
  }
  static const char *const arrays[] = {
      "items",        "prefixItems", "contains", "additionalProperties", "patternProperties",
      "propertyNames"};
  for (size_t s = 0; s < sizeof(arrays) / sizeof(arrays[0]); s++)
    if (json_object_get(schema, arrays[s]) && path_touches(prefix, field))
      return 1; /* conservative: it looks inside the field */
  json_object_foreach((json_t *)json_object_get(schema, "dependentRequired"), k, v) {
    if (reads_name(prefix, k, field))
      return 1;
    const json_t *name;
    size_t j;
    json_array_foreach(v, j, name) {
      if (json_is_string(name) && reads_name(prefix, json_string_value(name), field))
        return 1;
    }
  }
  json_object_foreach((json_t *)json_object_get(schema, "dependentSchemas"), k, v) {
    if (reads_name(prefix, k, field) || reads_field(root, v, prefix, field, depth + 1))
      return 1;
  }
  static const char *const single[] = {"if", "then", "else", "not"};
  for (size_t s = 0; s < sizeof(single) / sizeof(single[0]); s++) {
    const json_t *sub = json_object_get(schema, single[s]);
    if (sub && reads_field(root, sub, prefix, field, depth + 1))
      return 1;
  }
  static const char *const lists[] = {"allOf", "anyOf", "oneOf"};
  for (size_t s = 0; s < sizeof(lists) / sizeof(lists[0]); s++)
    if (reads_list(root, json_object_get(schema, lists[s]), prefix, field, depth))
      return 1;
  return 0;
}

/* The conditional keywords of one object schema (not its "properties" and
 * "required", which are plain structure). */
static int object_rules_read(const json_t *root, const json_t *object, const char *prefix,
                             const char *field) {
  static const char *const keys[] = {"if", "then", "else", "not", "allOf", "anyOf", "oneOf"};
  json_t *rules = json_object();
  if (!rules)
    return 1;
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    json_t *v = json_object_get(object, keys[i]);
    if (v)
      json_object_set(rules, keys[i], v);
  }
  json_t *dr = json_object_get(object, "dependentRequired");
  json_t *ds = json_object_get(object, "dependentSchemas");
  if (dr)
    json_object_set(rules, "dependentRequired", dr);
  if (ds)
    json_object_set(rules, "dependentSchemas", ds);
  int r = reads_field(root, rules, prefix, field, 0);
  json_decref(rules);
  return r;
}

static int enum_has_unknown(const json_t *schema) {
  const json_t *e = json_object_get(schema, "enum");
  size_t i;
  const json_t *v;
  json_array_foreach(e, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), "unknown") == 0)
      return 1;
  }
  return 0;
}

#define PRIVACY_MAX_PARTS 16

int privacy_suppression(const thbx_profile_t *profile, const char *dotted, int *conditional,
                        const char **why) {
  *conditional = 0;
  *why = NULL;
  if (!profile) {
    *why = "no profile says whether it may be dropped";
    return PRIVACY_SUPPRESS_NONE;
  }
  struct privacy_path path;
  if (privacy_path_parse(&path, dotted, NULL) != THBX_OK || path.nparts > PRIVACY_MAX_PARTS) {
    privacy_path_clear(&path);
    *why = "not a field of the profile";
    return PRIVACY_SUPPRESS_NONE;
  }
  const json_t *root = profile->schema;
  const json_t *object[PRIVACY_MAX_PARTS]; /* the object schema holding part s */
  char prefix[PRIVACY_MAX_PARTS][512];     /* dotted path of that object */
  int required[PRIVACY_MAX_PARTS], keeps_required[PRIVACY_MAX_PARTS];
  const json_t *cur = root;
  int result = PRIVACY_SUPPRESS_NONE;
  for (size_t s = 0; s < path.nparts; s++) {
    cur = resolve(root, cur);
    const json_t *next = json_object_get(json_object_get(cur, "properties"), path.parts[s]);
    if (!json_is_object(cur) || !next) {
      *why = "not a field of the profile";
      goto done;
    }
    object[s] = cur;
    if (s == 0) {
      prefix[0][0] = '\0';
    } else {
      char joined[sizeof(prefix[0])]; /* rows of one array: no snprintf from one into another */
      snprintf(joined, sizeof(joined), "%s%s%s", prefix[s - 1], s > 1 ? "." : "",
               path.parts[s - 1]);
      memcpy(prefix[s], joined, sizeof(joined));
    }
    const json_t *req = json_object_get(cur, "required");
    required[s] = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(req, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), path.parts[s]) == 0)
        required[s] = 1;
    }
    /* an object with a required property never becomes empty by a drop of
     * an optional one */
    keeps_required[s] = json_array_size(req) > 0;
    cur = next;
  }
  for (size_t s = 0; s < path.nparts; s++)
    if (object_rules_read(root, object[s], prefix[s], dotted))
      *conditional = 1;
  if (*conditional) {
    *why = "a rule of the profile depends on its value";
    goto done;
  }
  const json_t *leaf = resolve(root, cur);
  const json_t *items = json_object_get(leaf, "items");
  if (enum_has_unknown(leaf) || (items && enum_has_unknown(resolve(root, items)))) {
    result = PRIVACY_SUPPRESS_UNKNOWN;
    goto done;
  }
  /* dropping the leaf may empty its parent, which is then removed too: each
   * object that may be removed must be optional and read by no rule */
  for (size_t s = path.nparts; s-- > 0;) {
    if (required[s]) {
      *why = s + 1 == path.nparts ? "the profile requires it and it has no 'unknown' code"
                                  : "dropping it may empty an object the profile requires";
      goto done;
    }
    if (keeps_required[s] || s == 0)
      break;
    /* object[s] (at prefix[s]) may be emptied and removed */
    for (size_t t = 0; t < s; t++)
      if (object_rules_read(root, object[t], prefix[t], prefix[s])) {
        *why = "dropping it may empty an object a rule of the profile depends on";
        goto done;
      }
  }
  result = PRIVACY_SUPPRESS_DROP;
done:
  privacy_path_clear(&path);
  return result;
}

int privacy_field_schema(const thbx_profile_t *profile, const char *dotted, thbx_schema_t **out,
                         thbx_error_t *err) {
  *out = NULL;
  struct privacy_path path;
  int rc = privacy_path_parse(&path, dotted, err);
  if (rc != THBX_OK)
    return rc;
  thbx_buf_t ref;
  thbx_buf_init(&ref);
  json_t *wrapper = json_object();
  rc = THBX_ENOMEM;
  if (!wrapper || thbx_buf_putc(&ref, '#') != 0)
    goto done;
  for (size_t i = 0; i < path.nparts; i++)
    if (thbx_buf_puts(&ref, "/properties") != 0 || thbx_buf_pointer_append(&ref, path.parts[i]))
      goto done;
  /* the profile's definitions and properties (which apply to objects only,
   * so they say nothing about a field's value), and a $ref to the field */
  static const char *const keep[] = {"$schema", "$id", "$defs", "definitions", "properties"};
  for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
    json_t *v = json_object_get(profile->schema, keep[i]);
    if (v && json_object_set(wrapper, keep[i], v) != 0)
      goto done;
  }
  if (json_object_set_new(wrapper, "$ref", json_string(ref.data)) != 0)
    goto done;
  thbx_schema_options_t so;
  thbx_schema_options_default(&so);
  so.assert_formats = 1;
  so.check_schema = 0; /* the profile was checked when it was loaded */
  rc = thbx_schema_compile(wrapper, NULL, &so, out, err);
done:
  if (rc == THBX_ENOMEM)
    thbx_error_set(err, rc, "out of memory");
  json_decref(wrapper);
  thbx_buf_free(&ref);
  privacy_path_clear(&path);
  return rc;
}

int privacy_field_valid(const thbx_schema_t *schema, const json_t *value) {
  thbx_validation_t result;
  memset(&result, 0, sizeof(result));
  if (thbx_schema_validate(schema, value, &result, NULL) != THBX_OK)
    return 0;
  int valid = result.valid;
  thbx_validation_clear(&result);
  return valid;
}
