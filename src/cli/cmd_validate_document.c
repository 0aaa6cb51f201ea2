/*
 * cmd_validate_document.c - `thbx validate --document`: each FILE is one
 * JSON instance (any JSON value, not a record stream) validated against the
 * JSON Schema given with --schema. This is what the JSON Schema Test Suite
 * runs through, and a plain JSON Schema validator for anyone else.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* A schema file without $id gets the file's own URI, and its directory is
 * mapped, so that a relative "$ref": "common.json" finds the file beside it
 * (and nothing above it: the registry refuses "..")). */
static int name_by_file(json_t *schema, const char *path, thbx_schema_registry_t *reg,
                        thbx_error_t *err) {
  if (!json_is_object(schema) || json_object_get(schema, "$id"))
    return THBX_OK;
  char *abs = realpath(path, NULL);
  if (!abs)
    return THBX_OK;
  if (strpbrk(abs, "#?% \\")) { /* not spelled as a URI path as it is: leave it */
    free(abs);
    return THBX_OK;
  }
  size_t n = strlen(abs);
  char *uri = malloc(n + 8), *prefix = malloc(n + 9);
  int rc = THBX_ENOMEM;
  if (uri && prefix) {
    snprintf(uri, n + 8, "file://%s", abs);
    char *slash = strrchr(abs, '/');
    slash[1] = '\0';
    snprintf(prefix, n + 9, "file://%s", abs);
    rc = thbx_schema_registry_map(reg, prefix, abs, err);
    if (rc == THBX_OK && json_object_set_new(schema, "$id", json_string(uri)) != 0)
      rc = THBX_ENOMEM;
  }
  free(uri);
  free(prefix);
  free(abs);
  return rc;
}

/* The whole of `f`, NUL-terminated; NULL on a read error (errno set). */
static char *read_all(FILE *f, size_t *len) {
  size_t cap = 65536, n = 0;
  char *b = malloc(cap + 1);
  while (b) {
    n += fread(b + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *nb = realloc(b, (cap *= 2) + 1);
    if (!nb)
      free(b);
    b = nb;
  }
  if (b && ferror(f)) {
    free(b);
    b = NULL;
  }
  if (b)
    b[n] = '\0';
  *len = n;
  return b;
}

/* The document: its text in *text (kept to locate errors) and its value.
 * NULL with jerr set when it cannot be read or parsed (line -1: no place). */
static json_t *load_json(const char *path, char **text, size_t *len, json_error_t *jerr) {
  size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
  int is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  *text = NULL;
  if (f) {
    *text = read_all(f, len);
    if (!is_stdin)
      fclose(f);
  }
  if (!*text) {
    memset(jerr, 0, sizeof(*jerr));
    jerr->line = -1;
    if (is_stdin)
      snprintf(jerr->text, sizeof(jerr->text), "cannot read standard input");
    else
      snprintf(jerr->text, sizeof(jerr->text), "unable to open %s: %s", path, strerror(errno));
    return NULL;
  }
  json_t *doc = json_loadb(*text, *len, flags, jerr);
  if (!doc && strstr(jerr->text, "too big"))
    /* beyond 64-bit integers: take them as doubles rather than refuse */
    doc = json_loadb(*text, *len, flags | JSON_DECODE_INT_AS_REAL, jerr);
  if (!doc) {
    free(*text);
    *text = NULL;
  }
  return doc;
}

/* Schema files are read whole too, their text not kept. */
static json_t *load_schema(const char *path, json_error_t *jerr) {
  char *text;
  size_t len;
  json_t *s = load_json(path, &text, &len, jerr);
  free(text);
  return s;
}

/* A JSON file that cannot be loaded: FILE:LINE:COL when jansson knows the
 * place, just FILE when it does not (it cannot be opened: line -1). */
static void load_error(const char *path, const json_error_t *jerr) {
  if (jerr->line > 0)
    cli_error("%s:%d:%d: %s", path, jerr->line, jerr->column > 0 ? jerr->column : 1, jerr->text);
  else
    cli_error("%s: %s", path, jerr->text);
}

/* Errors past this many in one document are not located (each is a scan of
 * the document's text): they name the file alone. */
enum { MAX_LOCATED = 1000 };

/* One error: FILE:LINE:COL: error: /path: "VALUE" message; hint (keyword
 * location), the value and hint left out with --redact; everything from
 * the document made visible. */
static void print_error(const char *file, const char *text, size_t len, const json_t *doc,
                        const thbx_validation_error_t *e, size_t k, int redact) {
  long line = 0, col = 0;
  if (k < MAX_LOCATED && !thbx_locate_json(text, len, 1, 1, e->instance_path, &line, &col))
    line = col = 0;
  char *value = NULL;
  if (!redact) {
    const json_t *v = thbx_json_pointer_get(doc, e->instance_path);
    /* a container's compact JSON says little and may be long: scalars only */
    if (v && !json_is_object(v) && !json_is_array(v))
      value = thbx_value_text(v);
  }
  char msg[2048];
  thbx_display_issue(msg, sizeof(msg), e->message, value, e->hint, redact);
  free(value);
  char where[64] = "";
  if (line > 0)
    snprintf(where, sizeof(where), ":%ld:%ld", line, col);
  cli_put_visible(file);
  fprintf(stderr, "%s: error: ", where);
  if (e->instance_path[0]) {
    cli_put_visible(e->instance_path);
    fputs(": ", stderr);
  }
  fprintf(stderr, "%s (", msg);
  cli_put_visible(e->keyword_location[0] ? e->keyword_location : "#");
  fputs(")\n", stderr);
}

int cmd_validate_document(int argc, char **argv) {
  enum { OPT_DOCUMENT = 256, OPT_DRAFT, OPT_SCHEMA, OPT_REF, OPT_FORMATS, OPT_REDACT };
  static const struct option options[] = {{"document", no_argument, NULL, OPT_DOCUMENT},
                                          {"draft", required_argument, NULL, OPT_DRAFT},
                                          {"schema", required_argument, NULL, OPT_SCHEMA},
                                          {"ref", required_argument, NULL, OPT_REF},
                                          {"formats", no_argument, NULL, OPT_FORMATS},
                                          {"redact", no_argument, NULL, OPT_REDACT},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  const char **schemas = calloc((size_t)argc + 1, sizeof(char *));
  size_t nschemas = 0;
  int quiet = 0, redact = 0, c, rc = EXIT_USAGE;
  thbx_error_t err;
  thbx_error_clear(&err);
  thbx_schema_registry_t *reg = thbx_schema_registry_new();
  json_t *main_schema = NULL;
  thbx_schema_t *compiled = NULL;
  if (!schemas || !reg) {
    cli_error("out of memory");
    goto done;
  }
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":qh", options, NULL)) != -1) {
    switch (c) {
    case OPT_DOCUMENT: break;
    case OPT_DRAFT:
      if (strcmp(optarg, "2020-12") == 0)
        opt.draft = THBX_DRAFT_2020_12;
      else if (strcmp(optarg, "7") == 0 || strcmp(optarg, "07") == 0)
        opt.draft = THBX_DRAFT_7;
      else {
        rc = cli_usage_error("validate", "--draft must be 2020-12 or 7, not '%s'", optarg);
        goto done;
      }
      break;
    case OPT_SCHEMA: schemas[nschemas++] = optarg; break;
    case OPT_REF: {
      char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg || !eq[1]) {
        rc = cli_usage_error("validate", "--ref wants PREFIX=DIR, not '%s'", optarg);
        goto done;
      }
      *eq = '\0';
      if (thbx_schema_registry_map(reg, optarg, eq + 1, &err) != THBX_OK) {
        cli_report(&err);
        goto done;
      }
      *eq = '=';
      break;
    }
    case OPT_FORMATS: opt.assert_formats = 1; break;
    case OPT_REDACT: redact = 1; break;
    case 'q': quiet = 1; break;
    case 'h':
      fputs(cli_help_validate_document, stdout);
      rc = EXIT_VALID;
      goto done;
    case ':':
      rc = cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
      goto done;
    default: rc = cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]); goto done;
    }
  }
  if (nschemas == 0) {
    rc = cli_usage_error("validate", "--document needs --schema FILE");
    goto done;
  }
  if (optind >= argc) {
    rc = cli_usage_error("validate", "no FILE to validate");
    goto done;
  }
  for (size_t i = 0; i < nschemas; i++) {
    json_error_t jerr;
    json_t *s = load_schema(schemas[i], &jerr);
    if (!s) {
      load_error(schemas[i], &jerr);
      goto done;
    }
    if (name_by_file(s, schemas[i], reg, &err) != THBX_OK ||
        (json_is_object(s) && json_is_string(json_object_get(s, "$id")) &&
         thbx_schema_registry_add(reg, NULL, s, &err) != THBX_OK)) {
      json_decref(s);
      snprintf(err.source, sizeof(err.source), "%s", schemas[i]);
      cli_report(&err);
      goto done;
    }
    if (i == 0)
      main_schema = s;
    else
      json_decref(s);
  }
  if (thbx_schema_compile(main_schema, reg, &opt, &compiled, &err) != THBX_OK) {
    cli_error("%s: %s%s%s", schemas[0], err.text, err.schema_path[0] ? " at " : "",
              err.schema_path);
    goto done;
  }
  rc = EXIT_VALID;
  for (int i = optind; i < argc; i++) {
    const char *file = argv[i];
    json_error_t jerr;
    char *text;
    size_t len;
    json_t *doc = load_json(file, &text, &len, &jerr);
    if (!doc) {
      load_error(file, &jerr);
      rc = EXIT_USAGE;
      continue;
    }
    thbx_validation_t result;
    thbx_error_t verr;
    thbx_error_clear(&verr);
    int vrc = thbx_schema_validate(compiled, doc, &result, &verr);
    if (vrc != THBX_OK) {
      cli_error("%s: %s", file, verr.text);
      rc = EXIT_USAGE;
    } else if (!result.valid) {
      if (rc == EXIT_VALID)
        rc = EXIT_INVALID;
      for (size_t k = 0; k < result.count && !quiet; k++)
        print_error(file, text, len, doc, &result.errors[k], k, redact);
    }
    json_decref(doc);
    free(text);
    if (vrc != THBX_OK)
      continue;
    thbx_validation_clear(&result);
  }
done:
  thbx_schema_free(compiled);
  json_decref(main_schema);
  thbx_schema_registry_free(reg);
  free(schemas);
  return rc;
}
