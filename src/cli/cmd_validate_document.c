/*
 * cmd_validate_document.c - `thbx validate --document`: each FILE is one
 * JSON instance (any JSON value, not a record stream) validated against the
 * JSON Schema given with --schema. This is what the JSON Schema Test Suite
 * runs through, and a plain JSON Schema validator for anyone else.
 */
#include "cli.h"

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

/* The whole of stdin ("-"), NUL-terminated; NULL on a read error. */
static char *read_stdin(size_t *len) {
  size_t cap = 65536, n = 0;
  char *b = malloc(cap);
  while (b) {
    n += fread(b + n, 1, cap - n, stdin);
    if (n < cap)
      break;
    char *nb = realloc(b, cap *= 2);
    if (!nb)
      free(b);
    b = nb;
  }
  if (b && ferror(stdin)) {
    free(b);
    b = NULL;
  }
  *len = n;
  return b;
}

static json_t *load_json(const char *path, json_error_t *jerr) {
  size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
  if (strcmp(path, "-") == 0) {
    size_t len;
    char *text = read_stdin(&len);
    if (!text) {
      memset(jerr, 0, sizeof(*jerr));
      jerr->line = -1;
      snprintf(jerr->text, sizeof(jerr->text), "cannot read standard input");
      return NULL;
    }
    json_t *doc = json_loadb(text, len, flags, jerr);
    if (!doc && strstr(jerr->text, "too big"))
      doc = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, jerr);
    free(text);
    return doc;
  }
  json_t *doc = json_load_file(path, flags, jerr);
  if (!doc && strstr(jerr->text, "too big"))
    /* beyond 64-bit integers: take them as doubles rather than refuse */
    doc = json_load_file(path, flags | JSON_DECODE_INT_AS_REAL, jerr);
  return doc;
}

/* A JSON file that cannot be loaded: FILE:LINE:COL when jansson knows the
 * place, just FILE when it does not (it cannot be opened: line -1). */
static void load_error(const char *path, const json_error_t *jerr) {
  if (jerr->line > 0)
    cli_error("%s:%d:%d: %s", path, jerr->line, jerr->column > 0 ? jerr->column : 1, jerr->text);
  else
    cli_error("%s: %s", path, jerr->text);
}

int cmd_validate_document(int argc, char **argv) {
  enum { OPT_DOCUMENT = 256, OPT_DRAFT, OPT_SCHEMA, OPT_REF, OPT_FORMATS };
  static const struct option options[] = {{"document", no_argument, NULL, OPT_DOCUMENT},
                                          {"draft", required_argument, NULL, OPT_DRAFT},
                                          {"schema", required_argument, NULL, OPT_SCHEMA},
                                          {"ref", required_argument, NULL, OPT_REF},
                                          {"formats", no_argument, NULL, OPT_FORMATS},
                                          {"quiet", no_argument, NULL, 'q'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
  thbx_schema_options_t opt;
  thbx_schema_options_default(&opt);
  const char **schemas = calloc((size_t)argc + 1, sizeof(char *));
  size_t nschemas = 0;
  int quiet = 0, c, rc = EXIT_USAGE;
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
    json_t *s = load_json(schemas[i], &jerr);
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
    json_t *doc = load_json(file, &jerr);
    if (!doc) {
      load_error(file, &jerr);
      rc = EXIT_USAGE;
      continue;
    }
    thbx_validation_t result;
    thbx_error_t verr;
    thbx_error_clear(&verr);
    int vrc = thbx_schema_validate(compiled, doc, &result, &verr);
    json_decref(doc);
    if (vrc != THBX_OK) {
      fprintf(stderr, "%s: error: %s\n", file, verr.text);
      rc = EXIT_USAGE;
      continue;
    }
    if (!result.valid) {
      if (rc == EXIT_VALID)
        rc = EXIT_INVALID;
      for (size_t k = 0; k < result.count && !quiet; k++) {
        const thbx_validation_error_t *e = &result.errors[k];
        fprintf(stderr, "%s: error: %s%s%s (%s)\n", file, e->instance_path,
                e->instance_path[0] ? ": " : "", e->message,
                e->keyword_location[0] ? e->keyword_location : "#");
      }
    }
    thbx_validation_clear(&result);
  }
done:
  thbx_schema_free(compiled);
  json_decref(main_schema);
  thbx_schema_registry_free(reg);
  free(schemas);
  return rc;
}
