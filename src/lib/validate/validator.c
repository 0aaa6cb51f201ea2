/*
 * validator.c - the `thbx validate` pipeline for one run over many inputs:
 *
 *   reader (XML: XSD checked while reading, record by record)
 *     -> JSON Schema(s), compiled once, format assertions on
 *     -> dataset rules (dataset_rules.c)
 *     -> report (report.c), and the record's raw bytes to accept or reject
 *
 * A record that cannot be read is an issue of its own kind and goes to the
 * reject stream too, so accepted + rejected = input. The accept/reject
 * streams are framed in the format of the inputs (all inputs of a run must
 * share it when the streams are used): a JSON array with commas, NDJSON
 * lines, the CSV header once and the rows, an XML prolog and root around the
 * <record> subtrees.
 */
#include "dataset_rules.h"
#include "profile.h"
#include "xml_text.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

/* An accept or reject stream. */
struct sink {
  FILE *fp;
  const char *name; /* "accept" / "reject" for messages */
  int begun;
  long count;
};

struct thbx_validator {
  thbx_validator_options_t opt;
  thbx_profile_t *profile;
  thbx_schema_registry_t *registry;
  json_t **docs; /* the JSON Schema documents, kept for the compiled schemas */
  thbx_schema_t **schemas;
  thbx_validation_t *results; /* one per schema, reused */
  size_t nschemas;
  struct dataset_rules *rules;
  /* accept/reject */
  struct sink accept, reject;
  int stream_format_fixed;
  thbx_format stream_format;
  thbx_buf_t csv_header; /* the header of the first CSV input */
  const char *eol;       /* CSV line end of that header */
  char *xml_root;        /* start tag of the XML root written around records */
  char *xml_root_name;
  /* per-record scratch, reused */
  thbx_issue_t *issues;
  size_t nissues, capissues;
  thbx_error_t verr;
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
static int check_xsd(const char *path, const char *text, size_t len, thbx_error_t *err) {
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
    xmlSchemaFree(schema);
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
  int rc = check_xsd(path, text, len, err);
  if (rc != THBX_OK) {
    free(text);
    return rc;
  }
  if (!v->profile) {
    /* generic mode: a profile with no JSON Schema that carries only the XSD */
    v->profile = calloc(1, sizeof(*v->profile));
    if (!v->profile || !(v->profile->name = strdup("none"))) {
      free(text);
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
  }
  char *copy = strdup(path);
  if (!copy) {
    free(text);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  free(v->profile->xsd);
  free(v->profile->xsd_path);
  v->profile->xsd = text;
  v->profile->xsd_length = len;
  v->profile->xsd_path = copy;
  return THBX_OK;
}

/* ------------------------------------------------------- JSON Schema */

static int add_schema(struct thbx_validator *v, json_t *doc, const char *name, thbx_error_t *err) {
  json_t **docs = realloc(v->docs, (v->nschemas + 1) * sizeof(*docs));
  if (docs)
    v->docs = docs;
  thbx_schema_t **schemas = realloc(v->schemas, (v->nschemas + 1) * sizeof(*schemas));
  if (schemas)
    v->schemas = schemas;
  thbx_validation_t *results = realloc(v->results, (v->nschemas + 1) * sizeof(*results));
  if (results)
    v->results = results;
  if (!docs || !schemas || !results) {
    json_decref(doc);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_schema_options_t so;
  thbx_schema_options_default(&so);
  so.assert_formats = v->opt.assert_formats;
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
  memset(&v->results[v->nschemas], 0, sizeof(v->results[0]));
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
  return add_schema(v, doc, path, err);
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
  thbx_buf_init(&v->csv_header);
  v->accept = (struct sink){v->opt.accept, "accept", 0, 0};
  v->reject = (struct sink){v->opt.reject, "reject", 0, 0};
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
    rc = add_schema(v, json_incref(v->profile->schema), thbx_profile_name(v->profile), err);
    if (rc != THBX_OK)
      goto fail;
  }
  if (v->opt.dataset_rules) {
    rc = dataset_rules_new(&v->rules, v->opt.today, err);
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
  for (size_t i = 0; i < v->nschemas; i++) {
    thbx_validation_clear(&v->results[i]);
    thbx_schema_free(v->schemas[i]);
    json_decref(v->docs[i]);
  }
  free(v->results);
  free(v->schemas);
  free(v->docs);
  thbx_schema_registry_free(v->registry);
  thbx_profile_free(v->profile);
  dataset_rules_free(v->rules);
  thbx_buf_free(&v->csv_header);
  free(v->xml_root);
  free(v->xml_root_name);
  free(v->issues);
  free(v);
}

/* ------------------------------------------------------- accept / reject */

static int put(struct sink *s, const char *data, size_t len, thbx_error_t *err) {
  if (len && fwrite(data, 1, len, s->fp) != len)
    return thbx_error_set(err, THBX_EIO, "cannot write the %s file", s->name);
  return THBX_OK;
}

/* The XML root around the records: the profile's root element and
 * namespace, else <records>. */
static int xml_root(struct thbx_validator *v, thbx_error_t *err) {
  if (v->xml_root)
    return THBX_OK;
  const struct thbx_shape *shape = v->profile ? v->profile->shape : NULL;
  const char *name = shape && shape->xml_root ? shape->xml_root : "records";
  const char *ns = shape ? shape->xml_namespace : NULL;
  thbx_buf_t b;
  thbx_buf_init(&b);
  int bad = thbx_buf_printf(&b, "<%s", name);
  if (ns && *ns) {
    bad |= thbx_buf_puts(&b, " xmlns=\"");
    for (const char *p = ns; *p; p++)
      bad |= *p == '"'   ? thbx_buf_puts(&b, "&quot;")
             : *p == '&' ? thbx_buf_puts(&b, "&amp;")
             : *p == '<' ? thbx_buf_puts(&b, "&lt;")
                         : thbx_buf_putc(&b, *p);
    bad |= thbx_buf_putc(&b, '"');
  }
  bad |= thbx_buf_puts(&b, ">\n");
  v->xml_root_name = strdup(name);
  if (bad || !v->xml_root_name) {
    thbx_buf_free(&b);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  v->xml_root = b.data;
  return THBX_OK;
}

static int sink_begin(struct thbx_validator *v, struct sink *s, thbx_error_t *err) {
  if (s->begun)
    return THBX_OK;
  s->begun = 1;
  switch (v->stream_format) {
  case THBX_FORMAT_JSON: return put(s, "[", 1, err);
  case THBX_FORMAT_CSV: return put(s, v->csv_header.data, v->csv_header.len, err);
  case THBX_FORMAT_XML: {
    int rc = xml_root(v, err);
    if (rc != THBX_OK)
      return rc;
    static const char prolog[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    rc = put(s, prolog, sizeof(prolog) - 1, err);
    return rc != THBX_OK ? rc : put(s, v->xml_root, strlen(v->xml_root), err);
  }
  default: return THBX_OK;
  }
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* One record's raw bytes, framed for the stream's format. */
static int sink_write(struct thbx_validator *v, struct sink *s, const char *raw, size_t len,
                      thbx_error_t *err) {
  if (!s->fp)
    return THBX_OK;
  int rc = sink_begin(v, s, err);
  if (rc != THBX_OK)
    return rc;
  if (!raw)
    raw = "", len = 0;
  switch (v->stream_format) {
  case THBX_FORMAT_JSON:
    while (len && is_space(*raw))
      raw++, len--;
    while (len && is_space(raw[len - 1]))
      len--;
    rc = put(s, s->count ? ",\n" : "\n", s->count ? 2 : 1, err);
    if (rc == THBX_OK)
      rc = put(s, raw, len, err);
    break;
  case THBX_FORMAT_XML:
    while (len && is_space(*raw))
      raw++, len--;
    while (len && is_space(raw[len - 1]))
      len--;
    rc = put(s, raw, len, err);
    if (rc == THBX_OK)
      rc = put(s, "\n", 1, err);
    break;
  case THBX_FORMAT_CSV:
    rc = put(s, raw, len, err);
    if (rc == THBX_OK && (len == 0 || raw[len - 1] != '\n'))
      rc = put(s, v->eol, strlen(v->eol), err);
    break;
  default: /* NDJSON: the line as it was (CRLF kept), ended by a line end */
    rc = put(s, raw, len, err);
    if (rc == THBX_OK && (len == 0 || raw[len - 1] != '\n'))
      rc = put(s, "\n", 1, err);
    break;
  }
  if (rc == THBX_OK)
    s->count++;
  return rc;
}

static int sink_end(struct thbx_validator *v, struct sink *s, thbx_error_t *err) {
  if (!s->fp || !v->stream_format_fixed)
    return THBX_OK;
  int rc = sink_begin(v, s, err);
  if (rc != THBX_OK)
    return rc;
  switch (v->stream_format) {
  case THBX_FORMAT_JSON: rc = put(s, s->count ? "\n]\n" : "]\n", s->count ? 3 : 2, err); break;
  case THBX_FORMAT_XML:
    rc = put(s, "</", 2, err);
    if (rc == THBX_OK)
      rc = put(s, v->xml_root_name, strlen(v->xml_root_name), err);
    if (rc == THBX_OK)
      rc = put(s, ">\n", 2, err);
    break;
  default: break;
  }
  if (rc == THBX_OK && fflush(s->fp) != 0)
    rc = thbx_error_set(err, THBX_EIO, "cannot write the %s file", s->name);
  return rc;
}

/* Can the accept/reject streams take this input? The first input fixes the
 * format (and the CSV header). */
static int streams_take(struct thbx_validator *v, thbx_reader_t *reader, const char *source,
                        thbx_error_t *err) {
  if (!v->accept.fp && !v->reject.fp)
    return THBX_OK;
  thbx_format f = thbx_reader_format(reader);
  if (!v->stream_format_fixed) {
    v->stream_format_fixed = 1;
    v->stream_format = f;
    return THBX_OK;
  }
  if (f != v->stream_format) {
    thbx_error_at(err, source, 0, 0);
    return thbx_error_set(err, THBX_EINVAL,
                          "input is %s but the accept/reject files are %s: validate inputs of "
                          "one format together when using --accept/--reject",
                          thbx_format_name(f), thbx_format_name(v->stream_format));
  }
  return THBX_OK;
}

/* CSV: remember the first input's header; later inputs must have the same
 * columns (line ends aside). */
static int streams_header(struct thbx_validator *v, thbx_reader_t *reader, const char *source,
                          int *checked, thbx_error_t *err) {
  if (*checked || (!v->accept.fp && !v->reject.fp) || v->stream_format != THBX_FORMAT_CSV)
    return THBX_OK;
  size_t len = 0;
  const char *h = thbx_reader_header(reader, &len);
  if (!h)
    return THBX_OK; /* not read yet */
  *checked = 1;
  size_t core = len;
  while (core && (h[core - 1] == '\n' || h[core - 1] == '\r'))
    core--;
  if (!v->csv_header.data) {
    if (thbx_buf_append(&v->csv_header, h, core) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    v->eol = len - core >= 2 ? "\r\n" : "\n";
    if (thbx_buf_puts(&v->csv_header, v->eol) != 0)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return THBX_OK;
  }
  size_t have = v->csv_header.len - strlen(v->eol);
  if (have != core || memcmp(v->csv_header.data, h, core) != 0) {
    thbx_error_at(err, source, 1, 1);
    return thbx_error_set(err, THBX_EINVAL,
                          "the CSV header differs from the first input's: the accept/reject "
                          "files can take one header only");
  }
  return THBX_OK;
}

/* ------------------------------------------------------- one record */

static thbx_issue_t *issue_slot(struct thbx_validator *v) {
  if (v->nissues == v->capissues) {
    size_t cap = v->capissues ? v->capissues * 2 : 32;
    thbx_issue_t *p = realloc(v->issues, cap * sizeof(*p));
    if (!p)
      return NULL;
    v->issues = p;
    v->capissues = cap;
  }
  thbx_issue_t *is = &v->issues[v->nissues++];
  memset(is, 0, sizeof(*is));
  return is;
}

/* XSD errors of the record last read (XML input). */
static int add_xsd_issues(struct thbx_validator *v, thbx_reader_t *reader, const char *source,
                          thbx_error_t *err) {
  const thbx_error_t *xe = NULL;
  size_t n = 0;
  if (thbx_reader_xsd_errors(reader, &xe, &n) != THBX_OK || !xe)
    return THBX_OK;
  for (size_t i = 0; i < n; i++) {
    thbx_issue_t *is = issue_slot(v);
    if (!is)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    is->kind = THBX_ISSUE_XSD;
    is->rule = "xsd";
    is->source = xe[i].source[0] ? xe[i].source : source;
    is->line = xe[i].line;
    is->column = xe[i].column;
    is->instance_path = xe[i].instance_path;
    is->schema_path = xe[i].schema_path;
    is->message = xe[i].text;
  }
  return THBX_OK;
}

static void clear_results(struct thbx_validator *v) {
  for (size_t i = 0; i < v->nschemas; i++)
    thbx_validation_clear(&v->results[i]);
}

static int check_record(struct thbx_validator *v, const thbx_reader_t *reader,
                        const thbx_record_t *rec, dataset_issue_t dis[DATASET_MAX_ISSUES],
                        thbx_error_t *err) {
  for (size_t i = 0; i < v->nschemas; i++) {
    thbx_validation_t *res = &v->results[i];
    memset(res, 0, sizeof(*res));
    thbx_error_clear(&v->verr);
    int rc = thbx_schema_validate(v->schemas[i], rec->value, res, &v->verr);
    if (rc == THBX_ENOMEM)
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (rc != THBX_OK) {
      /* validation itself failed (a limit): the record is not shown valid */
      thbx_issue_t *is = issue_slot(v);
      if (!is)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      is->kind = THBX_ISSUE_SCHEMA;
      is->rule = rc == THBX_ELIMIT ? "limit" : "schema";
      is->line = rec->line;
      is->column = rec->column;
      is->instance_path = v->verr.instance_path;
      is->schema_path = v->verr.schema_path;
      is->message = v->verr.text[0] ? v->verr.text : thbx_strerror(rc);
      continue;
    }
    for (size_t j = 0; j < res->count; j++) {
      const thbx_validation_error_t *ve = &res->errors[j];
      thbx_issue_t *is = issue_slot(v);
      if (!is)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      is->kind = THBX_ISSUE_SCHEMA;
      is->rule = ve->keyword && *ve->keyword ? ve->keyword : "schema";
      is->line = rec->line;
      is->column = rec->column;
      /* at the field: its CSV cell, JSON value, XML element */
      thbx_reader_locate(reader, ve->instance_path, &is->line, &is->column, NULL);
      is->instance_path = ve->instance_path ? ve->instance_path : "";
      is->schema_path = ve->keyword_location ? ve->keyword_location : "";
      is->message = ve->message ? ve->message : "invalid";
    }
  }
  if (v->rules) {
    size_t n = 0;
    int rc = dataset_rules_check(v->rules, rec->value, rec->source, rec->line, rec->column, dis, &n,
                                 err);
    if (rc != THBX_OK)
      return rc;
    for (size_t i = 0; i < n; i++) {
      thbx_issue_t *is = issue_slot(v);
      if (!is)
        return thbx_error_set(err, THBX_ENOMEM, "out of memory");
      is->kind = THBX_ISSUE_DATASET;
      is->rule = dis[i].rule;
      is->line = rec->line;
      is->column = rec->column;
      is->instance_path = dis[i].instance_path;
      is->message = dis[i].message;
      is->related_source = dis[i].related_source;
      is->related_line = dis[i].related_line;
      is->related_column = dis[i].related_column;
    }
  }
  return THBX_OK;
}

/* ------------------------------------------------------- run */

static int file_issue(thbx_report_t *report, const char *source, const thbx_error_t *e,
                      thbx_error_t *err) {
  thbx_issue_t is = {0};
  is.kind = THBX_ISSUE_UNREADABLE;
  is.rule = "unreadable";
  is.source = e->source[0] ? e->source : source;
  is.line = e->line;
  is.column = e->column;
  is.message = e->text[0] ? e->text : "input cannot be read";
  return thbx_report_add(report, NULL, &is, 1, err);
}

int thbx_validator_run(thbx_validator_t *v, FILE *in, const char *source, thbx_format format,
                       thbx_report_t *report, thbx_error_t *err) {
  if (!v || !in || !report)
    return thbx_error_set(err, THBX_EINVAL, "validator: bad arguments to run");
  if (!source)
    source = "-";
  thbx_reader_options_t ro = v->opt.reader;
  if (format != THBX_FORMAT_AUTO)
    ro.format = format;
  ro.profile = v->profile && v->profile->schema ? v->profile : NULL;
  ro.validate_xsd = v->profile && v->profile->xsd != NULL;
  if (ro.validate_xsd && !ro.profile)
    ro.profile = v->profile; /* generic conversion, but the XSD of --schema */

  int rc = thbx_report_file_begin(report, source, err);
  if (rc != THBX_OK)
    return rc;
  thbx_reader_t *reader = NULL;
  thbx_error_t rerr;
  thbx_error_clear(&rerr);
  rc = thbx_reader_open(&reader, in, source, &ro, &rerr);
  if (rc != THBX_OK) {
    if (!rerr.source[0])
      thbx_strlcpy(rerr.source, source, sizeof(rerr.source));
    int rc2 = file_issue(report, source, &rerr, err);
    if (err && rc2 == THBX_OK)
      *err = rerr;
    thbx_report_file_end(report, NULL);
    return rc2 != THBX_OK ? rc2 : rc == THBX_ENOMEM ? rc : THBX_EFATAL;
  }
  rc = streams_take(v, reader, source, err);
  if (rc != THBX_OK) {
    thbx_reader_free(reader);
    return rc;
  }
  int header_checked = 0;
  /* the first record whose bytes the reader did not keep (over
   * max_record_bytes): it cannot go to the reject stream */
  long lost_line = -1, lost_col = 0;
  long count = 0; /* records read or failed in this input */
  dataset_issue_t dis[DATASET_MAX_ISSUES];
  for (;;) {
    thbx_record_t rec = {0};
    thbx_error_clear(&rerr);
    rc = thbx_reader_next(reader, &rec, &rerr);
    if (rc == THBX_EOF) {
      rc = THBX_OK;
      break;
    }
    /* EPARSE and ELIMIT: this record is lost, the stream goes on */
    int unreadable = rc == THBX_EPARSE || rc == THBX_ELIMIT;
    if (rc != THBX_OK && !unreadable) {
      /* the stream cannot go on: an issue of the whole file */
      if (!rerr.source[0])
        thbx_strlcpy(rerr.source, source, sizeof(rerr.source));
      int rc2 = file_issue(report, source, &rerr, err);
      if (rc2 != THBX_OK) {
        rc = rc2;
      } else {
        if (err)
          *err = rerr;
        rc = rc == THBX_ENOMEM || rc == THBX_EIO ? rc : THBX_EFATAL;
      }
      break;
    }
    if ((rc = streams_header(v, reader, source, &header_checked, err)) != THBX_OK) {
      json_decref(rec.value);
      break;
    }
    v->nissues = 0;
    count++;
    thbx_report_record_t rr = {0};
    rr.source = source;
    if (unreadable) {
      rr.line = rerr.line;
      rr.column = rerr.column;
      rr.index = rerr.record_index >= 0 ? rerr.record_index : count - 1;
      rr.unreadable = 1;
      thbx_issue_t *is = issue_slot(v);
      if (!is) {
        rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
        break;
      }
      is->kind = THBX_ISSUE_UNREADABLE;
      is->rule = rc == THBX_ELIMIT ? "limit" : "unreadable";
      is->source = rerr.source[0] ? rerr.source : source;
      is->line = rerr.line;
      is->column = rerr.column;
      is->instance_path = rerr.instance_path;
      is->message = rerr.text[0] ? rerr.text : "the record cannot be read";
      rc = add_xsd_issues(v, reader, source, err);
    } else {
      rr.line = rec.line;
      rr.column = rec.column;
      rr.index = rec.index;
      const json_t *id = json_is_object(rec.value) ? json_object_get(rec.value, "record_id") : NULL;
      rr.record_id = json_is_string(id) ? json_string_value(id) : NULL;
      rec.source = source;
      rc = add_xsd_issues(v, reader, source, err);
      if (rc == THBX_OK)
        rc = check_record(v, reader, &rec, dis, err);
    }
    if (rc == THBX_OK)
      rc = thbx_report_add(report, &rr, v->issues, v->nissues, err);
    clear_results(v);
    if (rc == THBX_OK) {
      size_t len = 0;
      const char *raw = thbx_reader_raw(reader, &len);
      struct sink *s = v->nissues || rr.unreadable ? &v->reject : &v->accept;
      if (rr.unreadable && (!raw || len == 0) && s->fp && lost_line < 0)
        lost_line = rr.line, lost_col = rr.column;
      rc = sink_write(v, s, raw, raw ? len : 0, err);
    }
    json_decref(rec.value);
    if (rc != THBX_OK)
      break;
  }
  /* a CSV input with a header and no rows still gives the streams a header */
  if (rc == THBX_OK)
    rc = streams_header(v, reader, source, &header_checked, err);
  thbx_reader_free(reader);
  int rc2 = thbx_report_file_end(report, rc == THBX_OK ? err : NULL);
  if (rc == THBX_OK && rc2 == THBX_OK && lost_line >= 0) {
    /* accepted + rejected would not be the input: fail like an input that
     * cannot be read to its end, so that no such files are written */
    thbx_error_clear(err);
    if (err)
      thbx_strlcpy(err->source, source, sizeof(err->source));
    thbx_error_at(err, NULL, lost_line, lost_col);
    return thbx_error_set(err, THBX_ELIMIT,
                          "a record over a size limit was not kept, so it cannot be copied to "
                          "the reject file");
  }
  return rc != THBX_OK ? rc : rc2;
}

int thbx_validator_finish(thbx_validator_t *v, thbx_error_t *err) {
  if (!v)
    return thbx_error_set(err, THBX_EINVAL, "validator: bad arguments to finish");
  int rc = sink_end(v, &v->accept, err);
  int rc2 = sink_end(v, &v->reject, err);
  return rc != THBX_OK ? rc : rc2;
}
