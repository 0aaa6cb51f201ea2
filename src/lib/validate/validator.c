/*
 * validator.c - the `thbx validate` configuration of the pipeline: the
 * profile and schemas loaded and compiled once per process (the profile's
 * XSD or that of --schema FILE.xsd, the JSON Schemas), then
 *
 *   source -> xsd (XML input) -> jsonschema (each schema, stateless)
 *          -> dataset rules (ordered) -> report(s), accept/reject split
 *
 * thbx_validator_configure() adds those stages to a caller's pipeline (the
 * CLI adds its reports and split); thbx_validator_run()/finish() keep the
 * older one-call API as a thin wrapper over a pipeline of their own.
 */
#include "dataset_rules.h"
#include "profile.h"
#include "xml_text.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

struct thbx_validator {
  thbx_validator_options_t opt;
  thbx_profile_t *profile;
  thbx_schema_registry_t *registry;
  json_t **docs; /* the JSON Schema documents, kept for the compiled schemas */
  thbx_schema_t **schemas;
  size_t nschemas;
  /* the one-call API's own pipeline */
  thbx_pipeline_t *pipeline;
  thbx_report_t *report;
};

void thbx_validator_options_default(thbx_validator_options_t *o) {
  memset(o, 0, sizeof(*o));
  o->dataset_rules = 1;
  o->assert_formats = 1;
  thbx_reader_options_default(&o->reader);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ------------------------------------------------------- XSD checking */

static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

/* The first error libxml2 reports while parsing an XSD, with its place. */
static void xsd_parse_error(void *ctx, const xmlError *e) {
  thbx_error_t *err = ctx;
  if (err->text[0] || !e)
    return;
  thbx_error_at(err, e->file ? e->file : NULL, e->line, e->int2);
  char text[THBX_ERROR_TEXT_LENGTH];
  thbx_strlcpy(text, e->message ? e->message : "unknown error", sizeof(text));
  size_t n = strlen(text);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '.' || text[n - 1] == ' '))
    text[--n] = '\0';
  thbx_error_set(err, THBX_ESCHEMA, "broken XML Schema: %s", text);
}

/* Compile the XSD once here so that a broken one is reported when the
 * validator is made, with its file and line, not at the first XML input. */
static int check_xsd(const char *path, const char *text, size_t len, xmlSchemaPtr *out,
                     thbx_error_t *err) {
  thbx_error_t first;
  thbx_error_clear(&first);
  xmlSchemaParserCtxtPtr pctx =
      path ? xmlSchemaNewParserCtxt(path) : xmlSchemaNewMemParserCtxt(text, (int)len);
  if (!pctx)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  xmlSchemaSetParserStructuredErrors(pctx, (xmlStructuredErrorFunc)xsd_parse_error, &first);
  /* Nothing but local files may load (an include of http://... must not
   * reach the network), and the XML parser's own errors about the XSD file
   * (not well-formed) come here, not to stderr: a library never prints. */
  thbx_xml_install_loader();
  xmlGenericErrorFunc gfunc = xmlGenericError;
  void *gctx = xmlGenericErrorContext;
  xmlStructuredErrorFunc sfunc = xmlStructuredError;
  void *sctx = xmlStructuredErrorContext;
  xmlSetGenericErrorFunc(NULL, silent);
  xmlSetStructuredErrorFunc(&first, (xmlStructuredErrorFunc)xsd_parse_error);
  xmlSchemaPtr schema = xmlSchemaParse(pctx);
  xmlSetGenericErrorFunc(gctx, gfunc);
  xmlSetStructuredErrorFunc(sctx, sfunc);
  xmlSchemaFreeParserCtxt(pctx);
  if (schema) {
    *out = schema; /* kept with the profile: compiled once */
    return THBX_OK;
  }
  if (err) {
    *err = first;
    if (!err->source[0] && path)
      thbx_strlcpy(err->source, path, sizeof(err->source));
    if (!err->text[0])
      thbx_error_set(err, THBX_ESCHEMA, "broken XML Schema");
  }
  return THBX_ESCHEMA;
}

/* --schema FILE.xsd: replace the profile's XSD (the reader validates XML
 * input against profile->xsd). */
static int use_xsd(struct thbx_validator *v, const char *path, thbx_error_t *err) {
  size_t len;
  char *text = thbx_read_file(path, &len);
  if (!text) {
    thbx_error_at(err, path, 0, 0);
    return thbx_error_set(err, THBX_ENOTFOUND, "cannot read the XML Schema");
  }
  xmlSchemaPtr compiled = NULL;
  int rc = check_xsd(path, text, len, &compiled, err);
  if (rc != THBX_OK) {
    free(text);
    return rc;
  }
  if (!v->profile) {
    /* generic mode: a profile with no JSON Schema that carries only the XSD */
    v->profile = calloc(1, sizeof(*v->profile));
    if (!v->profile || !(v->profile->name = strdup("none"))) {
      xmlSchemaFree(compiled);
      free(text);
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
  }
  char *copy = strdup(path);
  if (!copy) {
    xmlSchemaFree(compiled);
    free(text);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  free(v->profile->xsd);
  free(v->profile->xsd_path);
  v->profile->xsd = text;
  v->profile->xsd_length = len;
  v->profile->xsd_path = copy;
  return profile_xsd_adopt(v->profile, compiled);
}

/* ------------------------------------------------------- JSON Schema */

/* `trusted`: the built-in profile's schema, which the tests check against its
 * meta-schema (unit/test_profile); checking it again costs a third of a
 * short run's start. */
static int add_schema(struct thbx_validator *v, json_t *doc, const char *name, int trusted,
                      thbx_error_t *err) {
  json_t **docs = realloc(v->docs, (v->nschemas + 1) * sizeof(*docs));
  if (docs)
    v->docs = docs;
  thbx_schema_t **schemas = realloc(v->schemas, (v->nschemas + 1) * sizeof(*schemas));
  if (schemas)
    v->schemas = schemas;
  if (!docs || !schemas) {
    json_decref(doc);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_schema_options_t so;
  thbx_schema_options_default(&so);
  so.assert_formats = v->opt.assert_formats;
  if (trusted)
    so.check_schema = 0;
  if (v->opt.reader.limits.regex_match_limit)
    so.regex_match_limit = v->opt.reader.limits.regex_match_limit;
  thbx_schema_t *schema = NULL;
  thbx_error_t cerr;
  thbx_error_clear(&cerr);
  int rc = thbx_schema_compile(doc, v->registry, &so, &schema, &cerr);
  if (rc != THBX_OK) {
    json_decref(doc);
    if (err) {
      *err = cerr;
      if (!err->source[0])
        thbx_strlcpy(err->source, name, sizeof(err->source));
      /* say where in the schema: the keyword that does not compile */
      if (err->schema_path[0] && !strstr(err->text, err->schema_path)) {
        char text[THBX_ERROR_TEXT_LENGTH];
        thbx_strlcpy(text, err->text, sizeof(text));
        thbx_error_set(err, rc, "%s (at %s)", text, err->schema_path);
      }
    }
    return rc == THBX_ENOMEM || rc == THBX_ENOTFOUND ? rc : THBX_ESCHEMA;
  }
  v->docs[v->nschemas] = doc;
  v->schemas[v->nschemas] = schema;
  v->nschemas++;
  return THBX_OK;
}

static int use_json_schema(struct thbx_validator *v, const char *path, thbx_error_t *err) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!doc) {
    thbx_error_at(err, path, jerr.line, jerr.column);
    return thbx_error_set(err, jerr.line > 0 ? THBX_ESCHEMA : THBX_ENOTFOUND,
                          "cannot read the JSON Schema: %s", jerr.text);
  }
  return add_schema(v, doc, path, 0, err);
}

/* ------------------------------------------------------- new / free */

int thbx_validator_new(thbx_validator_t **out, const thbx_validator_options_t *options,
                       thbx_error_t *err) {
  if (!out)
    return thbx_error_set(err, THBX_EINVAL, "validator: no output handle");
  *out = NULL;
  struct thbx_validator *v = calloc(1, sizeof(*v));
  if (!v)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (options)
    v->opt = *options;
  else
    thbx_validator_options_default(&v->opt);
  const char *profile = v->opt.profile ? v->opt.profile : THBX_DEFAULT_PROFILE;
  int rc = thbx_profile_load(profile, &v->profile, err);
  if (rc != THBX_OK)
    goto fail;
  v->registry = thbx_schema_registry_new();
  if (!v->registry) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto fail;
  }
  int json_schemas = 0;
  for (const char *const *s = v->opt.schemas; s && *s; s++) {
    if (ends_with(*s, ".xsd")) {
      rc = use_xsd(v, *s, err);
    } else {
      rc = use_json_schema(v, *s, err);
      json_schemas++;
    }
    if (rc != THBX_OK)
      goto fail;
  }
  if (!json_schemas && v->profile && v->profile->schema) {
    rc = add_schema(v, json_incref(v->profile->schema), thbx_profile_name(v->profile),
                    v->profile->embedded, err);
    if (rc != THBX_OK)
      goto fail;
  }
  if (v->opt.dataset_rules) {
    /* a bad --today is an error of the set-up, before any input */
    struct dataset_rules *rules = NULL;
    rc = dataset_rules_new(&rules, NULL, v->opt.today, err);
    dataset_rules_free(rules);
    if (rc != THBX_OK)
      goto fail;
  }
  *out = v;
  return THBX_OK;
fail:
  thbx_validator_free(v);
  return rc;
}

void thbx_validator_free(thbx_validator_t *v) {
  if (!v)
    return;
  thbx_pipeline_free(v->pipeline); /* before the schemas its stages borrow */
  for (size_t i = 0; i < v->nschemas; i++) {
    thbx_schema_free(v->schemas[i]);
    json_decref(v->docs[i]);
  }
  free(v->schemas);
  free(v->docs);
  thbx_schema_registry_free(v->registry);
  thbx_profile_free(v->profile);
  free(v);
}

const thbx_profile_t *thbx_validator_profile(const thbx_validator_t *v) {
  return v ? v->profile : NULL;
}

int thbx_validator_configure(thbx_validator_t *v, thbx_pipeline_t *p, thbx_error_t *err) {
  if (!v || !p)
    return thbx_error_set(err, THBX_EINVAL, "validator: bad arguments to configure");
  if (thbx_pipeline_profile(p) != v->profile)
    return thbx_error_set(err, THBX_EINVAL,
                          "validator: the pipeline must be made with the validator's profile");
  int rc = thbx_pipeline_add_xsd(p, err);
  for (size_t i = 0; rc == THBX_OK && i < v->nschemas; i++)
    rc = thbx_pipeline_add_jsonschema(p, v->schemas[i], err);
  if (rc == THBX_OK)
    rc = thbx_pipeline_add_text_check(p, err); /* what every format can carry */
  if (rc == THBX_OK && v->opt.dataset_rules)
    rc = thbx_pipeline_add_dataset_rules(p, v->opt.today, err);
  return rc;
}

/* ------------------------------------------------------- one-call API */

int thbx_validator_run(thbx_validator_t *v, FILE *in, const char *source, thbx_format format,
                       thbx_report_t *report, thbx_error_t *err) {
  if (!v || !in || !report)
    return thbx_error_set(err, THBX_EINVAL, "validator: bad arguments to run");
  if (!v->pipeline) {
    thbx_pipeline_options_t po;
    thbx_pipeline_options_default(&po);
    po.profile = v->profile;
    po.reader = v->opt.reader;
    int rc = thbx_pipeline_new(&v->pipeline, &po, err);
    if (rc == THBX_OK)
      rc = thbx_validator_configure(v, v->pipeline, err);
    if (rc == THBX_OK)
      rc = thbx_pipeline_add_report(v->pipeline, report, err);
    if (rc == THBX_OK && (v->opt.accept || v->opt.reject))
      rc = thbx_pipeline_add_split(v->pipeline, v->opt.accept, THBX_FORMAT_AUTO, v->opt.reject,
                                   THBX_FORMAT_AUTO, err);
    if (rc != THBX_OK) {
      thbx_pipeline_free(v->pipeline);
      v->pipeline = NULL;
      return rc;
    }
    v->report = report;
  } else if (report != v->report) {
    return thbx_error_set(err, THBX_EINVAL, "validator: every run must use the same report");
  }
  int rc = thbx_pipeline_run(v->pipeline, in, source, format, err);
  /* as before the pipeline: an input that cannot be opened is EFATAL */
  if (rc == THBX_EPARSE)
    rc = THBX_EFATAL;
  return rc;
}

int thbx_validator_finish(thbx_validator_t *v, thbx_error_t *err) {
  if (!v)
    return thbx_error_set(err, THBX_EINVAL, "validator: bad arguments to finish");
  return v->pipeline ? thbx_pipeline_finish(v->pipeline, 1, err) : THBX_OK;
}
