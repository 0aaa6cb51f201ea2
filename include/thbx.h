/*
 * thbx.h - public API of libthbx, the library behind the `thbx` tool.
 *
 * libthbx reads, converts and validates harmonised records about trafficking
 * in human beings. Records are jansson values (json_t *) plus where they came
 * from. The library never prints and never exits: every function returns a
 * thbx_status code and, where it can fail on input, fills a thbx_error_t.
 *
 * Ownership: a function returning a pointer documents whether the caller owns
 * it. "borrowed" means valid until the owning handle is freed or advanced.
 */
#ifndef THBX_H
#define THBX_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define THBX_VERSION "0.2.0"

/* Every public function is declared THBX_EXPORT: libthbx.so is built with
 * hidden visibility, so that only these are exported (tests/cmake/exports.cmake
 * checks it); the library's internal functions stay inside. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define THBX_EXPORT __attribute__((visibility("default")))
#else
#define THBX_EXPORT
#endif

/* ---------------------------------------------------------------- errors */

typedef enum thbx_status {
  THBX_OK = 0,
  THBX_EOF,       /* no more records (not an error) */
  THBX_EINVAL,    /* invalid argument from the caller */
  THBX_ENOMEM,    /* out of memory */
  THBX_EIO,       /* read/write error; fatal for the stream */
  THBX_EPARSE,    /* this record cannot be read/converted; the stream goes on */
  THBX_EFATAL,    /* input is broken beyond resynchronisation; the stream stops */
  THBX_ELIMIT,    /* a configured limit (depth, size, ...) was exceeded */
  THBX_ESCHEMA,   /* a schema, profile or mapping is broken */
  THBX_EINVALID,  /* data does not validate */
  THBX_ENOTFOUND, /* a named resource (profile, code list, $ref) is unknown */
  THBX_EINTR      /* the run was interrupted (a signal): outputs are incomplete */
} thbx_status;

#define THBX_ERROR_TEXT_LENGTH 512
#define THBX_ERROR_SOURCE_LENGTH 256
#define THBX_ERROR_PATH_LENGTH 256

/* Like jansson's json_error_t, plus instance and schema paths. line/column are
 * 1-based; 0 means unknown. position is a byte offset into the source. */
typedef struct thbx_error {
  char source[THBX_ERROR_SOURCE_LENGTH];
  long line;
  long column;
  long long position;
  long record_index; /* 0-based index of the record in its source, -1 if none */
  char instance_path[THBX_ERROR_PATH_LENGTH]; /* JSON Pointer, "" if none */
  char schema_path[THBX_ERROR_PATH_LENGTH];   /* JSON Pointer into the schema */
  char text[THBX_ERROR_TEXT_LENGTH];          /* lower-case, no trailing period */
} thbx_error_t;

/* Text of a status code ("out of memory", ...). Never NULL. */
THBX_EXPORT const char *thbx_strerror(int status);

/* Clear *err (all strings empty, numbers 0, record_index -1). NULL is ok. */
THBX_EXPORT void thbx_error_clear(thbx_error_t *err);

/* Version of the library, e.g. "0.2.0" (semantic versioning: CHANGELOG.md). */
THBX_EXPORT const char *thbx_version(void);

/* What this library is and runs with, for `thbx --version` and bug reports:
 * a new JSON object (the caller owns it; NULL if out of memory) with
 *   "thbx": THBX_VERSION, "profiles": [the embedded profile names],
 *   "libxml2", "libxslt", "libexslt", "jansson", "yajl", "pcre2", "openssl":
 * the versions of the libraries as loaded at run time ("2.9.14", "10.42",
 * "3.0.11", ...), which may be newer than the ones thbx was built with. */
THBX_EXPORT json_t *thbx_version_info(void);

/* ------------------------------------------------------- showing values
 *
 * How thbx shows text from the input in messages and reports, so that a
 * fault can be seen and input cannot drive a terminal (docs/validate.md,
 * "How values are shown"). Both write at most size bytes to out (always
 * NUL-terminated when size > 0) and return the length of the whole spelling,
 * as snprintf does. */

/* Values are cut after this many characters unless told otherwise. */
#define THBX_DISPLAY_MAX_CHARS 60

/* A value as an error shows it: `value` is its text as it stands in the
 * input ("AL ", "12", a JSON object as its compact JSON). It is shown in
 * double quotes with \" \\ \t \n \r, every other control character and
 * every invisible or bidirectional character (no-break space, BOM, zero-width
 * space, U+202E, ...) as \uXXXX, a byte that is not UTF-8 as \xNN; over
 * max_chars characters (0: THBX_DISPLAY_MAX_CHARS) it is cut: its first
 * characters, "\u2026" and " (1200 characters)". */
THBX_EXPORT size_t thbx_display_value(char *out, size_t size, const char *value, size_t max_chars);

/* A message, file name or record id made safe to print: TAB LF CR as \t \n
 * \r, other C0 controls and DEL as \xNN, C1 controls, invisible and
 * bidirectional characters as \uXXXX, bytes that are not UTF-8 as \xNN. */
THBX_EXPORT size_t thbx_display_text(char *out, size_t size, const char *text);

/* An issue's message with its value and hint, as every report and message
 * shows them: "VALUE message; hint" when the message is a predicate about
 * the value (it starts with "is ", "must ", "has ", "does ", "cannot ",
 * "should ", "are ", "may ": `"F" is not a code of sex; did you mean
 * female?`), else "message (value VALUE); hint"; with redact the message
 * alone. Everything is made visible (thbx_display_text/_value). */
THBX_EXPORT size_t thbx_display_issue(char *out, size_t size, const char *message,
                                      const char *value, const char *hint, int redact);

/* The text of `value` for an issue's value member: a string's characters,
 * another value's compact JSON ("12.5", "true"). Free it with free(). NULL
 * if value is NULL or out of memory. */
THBX_EXPORT char *thbx_value_text(const json_t *value);

/* Follow a JSON Pointer ("" or "/a/b~1c/0", ~0 and ~1 escapes, no
 * percent-decoding) from root. NULL when a token is missing, an array index
 * is not a decimal number without leading zeros, or an escape is broken.
 * Borrowed. */
THBX_EXPORT const json_t *thbx_json_pointer_get(const json_t *root, const char *pointer);

/* ------------------------------------------------------ embedded resources */

/* Files compiled into the library: the profile schemas and code lists under
 * their repository path below schemas/ (e.g. "thb-event-1.0.schema.json",
 * "thb-event-1.0.xsd", "codes/sex.csv"), the JSON Schema meta-schemas and the
 * XSLT under "xslt/...". Returns borrowed, NUL-terminated data, or NULL. */
THBX_EXPORT const char *thbx_resource(const char *name, size_t *length);

/* Name of the i-th embedded resource, NULL past the end. */
THBX_EXPORT const char *thbx_resource_name(size_t i);

/* --------------------------------------------------------------- profiles */

/* A profile: a JSON Schema (structure and types, xml annotations), the
 * equivalent XSD and code lists. The default "thb-event-1.0" is embedded. */
typedef struct thbx_profile thbx_profile_t;

#define THBX_DEFAULT_PROFILE "thb-event-1.0"

/* Load a profile: an embedded name ("thb-event-1.0"), a path to a JSON Schema
 * file (an .xsd beside it with the same stem is used if present), or "none"
 * for generic conversion (then *out is set to NULL and THBX_OK returned). */
THBX_EXPORT int thbx_profile_load(const char *name_or_file, thbx_profile_t **out,
                                  thbx_error_t *err);
THBX_EXPORT void thbx_profile_free(thbx_profile_t *profile);

/* Name ("thb-event-1.0" or the file's stem). Borrowed. */
THBX_EXPORT const char *thbx_profile_name(const thbx_profile_t *profile);
/* The profile's JSON Schema. Borrowed. */
THBX_EXPORT const json_t *thbx_profile_schema(const thbx_profile_t *profile);
/* The XSD text, or NULL if the profile has none. Borrowed. */
THBX_EXPORT const char *thbx_profile_xsd(const thbx_profile_t *profile, size_t *length);

/* Names of the embedded profiles, NULL past the end. */
THBX_EXPORT const char *thbx_profile_embedded_name(size_t i);

/* --------------------------------------------------------- formats, records */

typedef enum thbx_format {
  THBX_FORMAT_AUTO = 0,
  THBX_FORMAT_JSON,
  THBX_FORMAT_NDJSON,
  THBX_FORMAT_CSV,
  THBX_FORMAT_XML
} thbx_format;

/* "json", "ndjson", "csv", "xml" -> format; THBX_FORMAT_AUTO if unknown. */
THBX_EXPORT thbx_format thbx_format_from_name(const char *name);
THBX_EXPORT const char *thbx_format_name(thbx_format format);
/* From a file name's extension (.json .ndjson .jsonl .csv .tsv .xml), else
 * AUTO. A .tsv file is CSV separated by tabs (thbx_path_is_tsv). */
THBX_EXPORT thbx_format thbx_format_from_path(const char *path);
/* Does the path end in .tsv (any case)? */
THBX_EXPORT int thbx_path_is_tsv(const char *path);

/* One record: the value (owned by the record holder) and where it came from. */
typedef struct thbx_record {
  json_t *value;      /* a JSON object (or any value in generic mode) */
  const char *source; /* file name or "-" (borrowed from the reader) */
  long line;          /* 1-based line where the record starts */
  long column;        /* 1-based column where the record starts */
  long index;         /* 0-based record number in its source */
} thbx_record_t;

/* Limits applied by readers. Zero means the default given here. */
typedef struct thbx_limits {
  size_t max_depth;                /* nesting depth of a record, default 64 */
  size_t max_record_bytes;         /* size of one record's text, default 16 MiB */
  size_t max_field_bytes;          /* length of one string/cell, default 8 MiB */
  size_t max_columns;              /* CSV columns, default 10000 */
  unsigned long regex_match_limit; /* PCRE2 match limit, default 1000000 */
} thbx_limits_t;

/* Fill *limits with the defaults. */
THBX_EXPORT void thbx_limits_default(thbx_limits_t *limits);

/* ---------------------------------------------------------------- readers */

typedef struct thbx_reader thbx_reader_t;

/* Told of what a reader skips or ignores without failing (an empty header
 * cell at the end of a CSV header, a CSV row of nothing but delimiters):
 * `warning` says what and where (source, line, column, text). */
typedef void (*thbx_warning_fn)(void *ctx, const thbx_error_t *warning);

typedef struct thbx_reader_options {
  thbx_format format;            /* AUTO: sniff from the first bytes. JSON: also a
                                    stream of values one after another; NDJSON
                                    content is read as NDJSON */
  const thbx_profile_t *profile; /* NULL: generic conversion */
  char delimiter;                /* CSV field delimiter; 0 (default): ',' unless the
                                    header line has more ';' (or tabs), '\t' for a
                                    source named *.tsv */
  char list_separator;           /* CSV array separator, default '|' */
  int validate_xsd;              /* XML: validate against the profile's XSD while
                                    reading (see thbx_reader_xsd_errors) */
  thbx_limits_t limits;
  const char *encoding;    /* the input's character encoding for iconv
                              ("windows-1250", "UTF-16", ...); NULL: UTF-8,
                              and invalid UTF-8 stops the input (THBX_EFATAL,
                              the text names the likely encoding) */
  thbx_warning_fn warning; /* optional: warnings go here */
  void *warning_ctx;
  /* national inputs (mappings): the name of the record elements of an XML
   * input (the document element's children; NULL: any name), and the JSON
   * Pointer of the record array of a JSON input (NULL or "": the document
   * itself is the array or the one record) */
  const char *record_element;
  const char *records_pointer;
  int defer_parse; /* NDJSON: next() only delimits each line (its bytes
                      by thbx_reader_raw, record->value NULL); the
                      pipeline's workers parse them (-j N) */
  int defer_xsd;   /* XML with validate_xsd: the XSD validation of each
                      record is left to the pipeline's workers (-j N);
                      thbx_reader_xsd_errors then gives none */
} thbx_reader_options_t;

THBX_EXPORT void thbx_reader_options_default(thbx_reader_options_t *options);

/* Open a reader on a stream. `source` names it in errors ("-" for stdin).
 * The reader does not close `in`. */
THBX_EXPORT int thbx_reader_open(thbx_reader_t **out, FILE *in, const char *source,
                                 const thbx_reader_options_t *options, thbx_error_t *err);

/* Next record. THBX_OK: *record is filled and the caller owns record->value
 * (json_decref it). THBX_EOF: no more. THBX_EPARSE: this record is broken,
 * err says where and why, call again for the next one. THBX_EFATAL/THBX_EIO:
 * the stream cannot go on. */
THBX_EXPORT int thbx_reader_next(thbx_reader_t *reader, thbx_record_t *record, thbx_error_t *err);

/* Raw bytes of the record last returned (or last failed), as it stood in the
 * input (for reject files). Borrowed until the next call. NULL if unknown. */
THBX_EXPORT const char *thbx_reader_raw(const thbx_reader_t *reader, size_t *length);

/* The offending value of the record error last returned (THBX_EPARSE: a CSV
 * cell or XML text that is not of its field's type) as it stands, NULL if
 * none; the error's text names no value (a report shows it, or not when
 * redacted). Borrowed until the next call. */
THBX_EXPORT const char *thbx_reader_error_value(const thbx_reader_t *reader);

/* The format actually read (after sniffing). */
THBX_EXPORT thbx_format thbx_reader_format(const thbx_reader_t *reader);

/* For CSV: the header line as read (for reject files). NULL otherwise. */
THBX_EXPORT const char *thbx_reader_header(const thbx_reader_t *reader, size_t *length);

/* With validate_xsd: the XSD errors of the record last returned (count 0 if
 * it is valid), each with line/column. Borrowed until the next call. */
THBX_EXPORT int thbx_reader_xsd_errors(const thbx_reader_t *reader, const thbx_error_t **errors,
                                       size_t *count);

/* CSV: the cells of the record last returned that do not parse as their
 * type (Excel's TRUE, 1200,75, 12.5 for an integer), each with its line,
 * column (in characters), instance_path and text. The record is still
 * returned, THBX_OK, with such cells kept as strings, so that a JSON Schema
 * reports each at its field; a converter refuses the record (every bad cell
 * said). count 0: none. Borrowed until the next call. */
THBX_EXPORT int thbx_reader_cell_errors(const thbx_reader_t *reader, const thbx_error_t **errors,
                                        size_t *count);
/* The value of the i-th cell error, as thbx_reader_error_value gives one. */
THBX_EXPORT const char *thbx_reader_cell_value(const thbx_reader_t *reader, size_t i);

/* Where each field of a record came from, so that errors found later point
 * at the field: a CSV cell (its line, column and CSV column name), an XML
 * element. Columns count characters, 1-based, in every format. */
typedef struct thbx_locator thbx_locator_t; /* declared before thbx_item_t uses it */

/* A locator for the record last returned (the caller frees it), NULL when
 * out of memory or when the format needs none: JSON and NDJSON fields are
 * found in the record's raw bytes (thbx_locate_json). */
THBX_EXPORT thbx_locator_t *thbx_reader_locator(const thbx_reader_t *reader);
THBX_EXPORT void thbx_locator_free(thbx_locator_t *locator);
/* Line and column of the value at `instance_path` (a JSON Pointer), or of
 * its nearest enclosing value that has a place (an array item: its CSV cell;
 * an object missing a member: its first member). *field: the CSV column
 * ("person.sex") or XML element name, NULL if none. 1 found (outputs set),
 * 0 not (outputs untouched). Any argument but locator may be NULL. */
THBX_EXPORT int thbx_locator_find(const thbx_locator_t *locator, const char *instance_path,
                                  long *line, long *column, const char **field);
/* The same for the record last returned by the reader (valid until the
 * next call), without making a locator. */
THBX_EXPORT int thbx_reader_locate(const thbx_reader_t *reader, const char *instance_path,
                                   long *line, long *column, const char **field);
/* The same in a record's JSON text (`line`/`column`: where text[0] is): the
 * place of the value at instance_path. 1 found, 0 not. */
THBX_EXPORT int thbx_locate_json(const char *text, size_t length, long line, long column,
                                 const char *instance_path, long *out_line, long *out_column);

/* With validate_xsd: the faults of the document rather than of a record
 * found so far (an attribute the XSD does not allow on the root element, a
 * root it does not declare), each once, at the root's line; the records are
 * judged without them. The list only grows while reading: report the ones
 * past the count seen last. Borrowed until thbx_reader_free. */
THBX_EXPORT int thbx_reader_document_errors(const thbx_reader_t *reader,
                                            const thbx_error_t **errors, size_t *count);

THBX_EXPORT void thbx_reader_free(thbx_reader_t *reader);

/* ---------------------------------------------------------------- writers */

typedef struct thbx_writer thbx_writer_t;

typedef struct thbx_writer_options {
  thbx_format format;
  const thbx_profile_t *profile; /* NULL: generic */
  int compact;                   /* JSON/XML without indentation */
  char delimiter;                /* CSV, default ',' */
  char list_separator;           /* CSV, default '|' */
  const char *columns;           /* CSV: "a,b,c" to choose columns, NULL all */
  int csv_safe;                  /* neutralise cells starting with = + - @ */
  /* generic XML (no profile): the document and record element names
   * (NULL: "records", "record"), e.g. a national format written by a
   * reverse mapping */
  const char *xml_root, *xml_record;
  /* CSV raw mode (accept/reject files): this header line as it stood in the
   * input instead of the profile's columns, and its line end for rows that
   * lack one. NULL: the usual header. */
  const char *raw_header;
  size_t raw_header_length;
  int no_header; /* CSV: no header row (chunks concatenated after
                    one header give the same bytes as one run) */
} thbx_writer_options_t;

THBX_EXPORT void thbx_writer_options_default(thbx_writer_options_t *options);

/* Open a writer on a stream it does not close. */
THBX_EXPORT int thbx_writer_open(thbx_writer_t **out, FILE *stream,
                                 const thbx_writer_options_t *options, thbx_error_t *err);
/* Write one record (borrowed). THBX_EPARSE if it cannot be spelled in the
 * format (nothing is written then). */
THBX_EXPORT int thbx_writer_write(thbx_writer_t *writer, const json_t *record, thbx_error_t *err);
/* Finish the document (closing brackets/tags) and flush. */
THBX_EXPORT int thbx_writer_finish(thbx_writer_t *writer, thbx_error_t *err);
THBX_EXPORT void thbx_writer_free(thbx_writer_t *writer);

/* Write raw bytes (e.g. from thbx_reader_raw) as they are, for reject files
 * written in the input's format, framed as the format wants: JSON array
 * commas (the bytes trimmed of surrounding blanks), NDJSON and CSV line ends,
 * XML elements one per line inside the root. The accept/reject files of
 * `thbx validate` are written this way (the framing exists here only). */
THBX_EXPORT int thbx_writer_write_raw(thbx_writer_t *writer, const char *data, size_t length,
                                      thbx_error_t *err);

/* Write what is pending to the stream without finishing the document: a
 * run that stopped early leaves a visibly unfinished document (no closing
 * `]` or `</records>`). */
THBX_EXPORT int thbx_writer_flush(thbx_writer_t *writer, thbx_error_t *err);

/* ------------------------------------------------------ JSON Schema engine */

typedef struct thbx_schema thbx_schema_t;
typedef struct thbx_schema_registry thbx_schema_registry_t;

typedef enum thbx_draft {
  THBX_DRAFT_AUTO = 0, /* from $schema, else 2020-12 */
  THBX_DRAFT_2020_12,
  THBX_DRAFT_7
} thbx_draft;

typedef struct thbx_schema_options {
  thbx_draft draft;
  int assert_formats; /* `format` asserts instead of annotating */
  unsigned long regex_match_limit;
  size_t max_depth;
  int check_schema; /* first validate the schema against its draft's meta-schema
                       (2020-12 or draft-07, embedded); a schema that breaks it
                       ("type": "strin") is THBX_ESCHEMA. Default 1. */
} thbx_schema_options_t;

THBX_EXPORT void thbx_schema_options_default(thbx_schema_options_t *options);

/* A registry of schemas by URI; $ref never reaches the network. */
THBX_EXPORT thbx_schema_registry_t *thbx_schema_registry_new(void);
THBX_EXPORT void thbx_schema_registry_free(thbx_schema_registry_t *registry);
/* Map a URI prefix to a directory: PREFIX + rest -> DIR/rest. */
THBX_EXPORT int thbx_schema_registry_map(thbx_schema_registry_t *registry, const char *uri_prefix,
                                         const char *directory, thbx_error_t *err);
/* Register a schema document under its $id (or `uri` when given). */
THBX_EXPORT int thbx_schema_registry_add(thbx_schema_registry_t *registry, const char *uri,
                                         const json_t *document, thbx_error_t *err);

/* Compile a schema (borrowed; registry may be NULL). */
THBX_EXPORT int thbx_schema_compile(const json_t *schema, thbx_schema_registry_t *registry,
                                    const thbx_schema_options_t *options, thbx_schema_t **out,
                                    thbx_error_t *err);
THBX_EXPORT void thbx_schema_free(thbx_schema_t *schema);

/* One validation error. */
typedef struct thbx_validation_error {
  char *instance_path;     /* JSON Pointer into the instance */
  char *keyword_location;  /* schema path as followed, through $ref */
  char *absolute_location; /* absolute URI + pointer of the keyword */
  char *keyword;           /* e.g. "enum" */
  char *message;           /* "must be one of female, male, other, unknown"; names
                              no value of the instance */
  char *hint;              /* NULL, or a suggestion drawn from the instance's value
                              ("did you mean female?"): shown with the value */
} thbx_validation_error_t;

/* Result of one validation: a list of errors (the leaves of the failed
 * assertions, as in the 2020-12 "basic" output). */
typedef struct thbx_validation {
  int valid;
  size_t count;
  thbx_validation_error_t *errors;
} thbx_validation_t;

/* Validate `instance` (borrowed). Returns THBX_OK (result->valid says if it
 * is valid), or an error status if validation itself failed (e.g. regex
 * limit: err says which). Thread-safe for one compiled schema. */
THBX_EXPORT int thbx_schema_validate(const thbx_schema_t *schema, const json_t *instance,
                                     thbx_validation_t *result, thbx_error_t *err);
/* Release what a validation result holds (not the struct itself). */
THBX_EXPORT void thbx_validation_clear(thbx_validation_t *result);

/* The 2020-12 output structures: "flag", "basic" or "detailed". New reference. */
THBX_EXPORT json_t *thbx_validation_output(const thbx_validation_t *result, const char *structure);

/* ----------------------------------------------------- validation reports */

/* What `thbx validate` found, written as text, JSON, JUnit XML, SARIF 2.1.0,
 * GitHub Actions workflow commands or HTML (through xslt/report-html.xsl).
 * A report is fed record by record and writes to a FILE the caller gives;
 * formats that need totals before their body (JSON, JUnit, SARIF, HTML)
 * spool the body to a temporary file, so memory stays bounded except for
 * HTML, whose page is built in memory (bound it with max_errors). */
typedef struct thbx_report thbx_report_t;

typedef enum thbx_report_format {
  THBX_REPORT_TEXT = 0,
  THBX_REPORT_JSON,
  THBX_REPORT_JUNIT,
  THBX_REPORT_SARIF,
  THBX_REPORT_GITHUB,
  THBX_REPORT_HTML,
  THBX_REPORT_CHUNK /* one chunk of a split run, for thbx_report_merge_add() */
} thbx_report_format;

/* "text", "json", "junit", "sarif", "github", "html", "chunk" -> format; -1 if unknown. */
THBX_EXPORT int thbx_report_format_from_name(const char *name);
THBX_EXPORT const char *thbx_report_format_name(thbx_report_format format);

typedef enum thbx_issue_kind {
  THBX_ISSUE_SCHEMA = 0, /* JSON Schema assertion (rule = its keyword) */
  THBX_ISSUE_XSD,        /* XML Schema, XML input only (rule "xsd") */
  THBX_ISSUE_UNREADABLE, /* the record cannot be read or converted (rule "unreadable") */
  THBX_ISSUE_DATASET     /* a dataset rule of docs/validate.md (rule = its name) */
} thbx_issue_kind;

THBX_EXPORT const char *thbx_issue_kind_name(thbx_issue_kind kind); /* "schema", "xsd", ... */

/* One error found in a record. Every pointer is borrowed for the call. */
typedef struct thbx_issue {
  thbx_issue_kind kind;
  const char *rule;          /* "enum", "required", "xsd", "unique-record-id", ... */
  const char *source;        /* file name, "-" for stdin */
  long line, column;         /* 1-based, 0 if unknown */
  const char *instance_path; /* JSON Pointer, "" or NULL if none */
  const char *schema_path;   /* JSON Pointer into the schema, "" or NULL if none */
  const char *message;       /* lower-case, no trailing period */
  /* another place the issue involves (the first record with a duplicated
   * id), related_source NULL if none */
  const char *related_source;
  long related_line, related_column;
  /* the offending value as its text stands in the input ("AL ", "12"), NULL
   * if none. Reports show it (thbx_display_issue: `/person/sex: "F" is not
   * a code of sex`) unless redacted */
  const char *value;
  /* a suggestion drawn from the value ("did you mean female?"), NULL if
   * none; shown after the message, left out with the value when redacted */
  const char *hint;
} thbx_issue_t;

/* The record the issues belong to. */
typedef struct thbx_report_record {
  const char *source;
  long line, column;
  long index;              /* 0-based record number in its source */
  const char *record_id;   /* NULL if unknown (e.g. unreadable) */
  int unreadable;          /* the record could not be read: counted as invalid */
  long id_line, id_column; /* where the record id stands (chunk reports: a
                              merge points a duplicate at it); 0 if unknown */
} thbx_report_record_t;

typedef struct thbx_report_options {
  thbx_report_format format;
  long max_errors;   /* report at most this many errors (all are counted); < 0 no limit */
  int quiet;         /* only the summary: no error details */
  int dataset_rules; /* chunk format: the run applies the dataset rules, so a merge
                        applies unique-record-id across chunks (default 1) */

  int redact; /* leave every value and hint out of the report (for logs that
                 others read): messages, paths, places and rules remain */
} thbx_report_options_t;

THBX_EXPORT void thbx_report_options_default(thbx_report_options_t *options);

/* Totals. invalid includes unreadable; errors counts all, reported those shown. */
typedef struct thbx_report_summary {
  long files, records, valid, invalid, unreadable, errors, reported;
} thbx_report_summary_t;

/* Open a report writing to `stream` (not closed by the report). */
THBX_EXPORT int thbx_report_open(thbx_report_t **out, FILE *stream,
                                 const thbx_report_options_t *options, thbx_error_t *err);
/* The format the report writes. */
THBX_EXPORT thbx_report_format thbx_report_format_of(const thbx_report_t *report);
/* Start the next input file (one JUnit testsuite, one SARIF artifact, ...). */
THBX_EXPORT int thbx_report_file_begin(thbx_report_t *report, const char *source,
                                       thbx_error_t *err);
/* One record with its issues (count 0: valid). record may be NULL for an
 * issue of the whole file (it cannot be opened, or reading stopped). */
THBX_EXPORT int thbx_report_add(thbx_report_t *report, const thbx_report_record_t *record,
                                const thbx_issue_t *issues, size_t count, thbx_error_t *err);
THBX_EXPORT int thbx_report_file_end(thbx_report_t *report, thbx_error_t *err);
/* After an input has been read: how many lines it had, how many of them
 * are a header (1 for CSV, else 0), and whether it was read to its end. The
 * chunk format records it, so that a merge numbers the lines of the next
 * chunk of the same stream ("-") after this one's and knows that the run
 * was complete; the other formats ignore it. */
THBX_EXPORT int thbx_report_input_end(thbx_report_t *report, const char *source, long lines,
                                      int header_lines, int complete, thbx_error_t *err);
/* Write the summary and what remains, and flush. Call once, last. */
THBX_EXPORT int thbx_report_finish(thbx_report_t *report, thbx_error_t *err);
THBX_EXPORT void thbx_report_get_summary(const thbx_report_t *report,
                                         thbx_report_summary_t *summary);
THBX_EXPORT void thbx_report_free(thbx_report_t *report);

/* One report from the chunk reports (THBX_REPORT_CHUNK) of a split run,
 * replayed in the order of the chunks into `into` (any format): the same
 * verdict, counts and errors as one run over the chunks' inputs one after
 * another. Chunks of standard input ("-") continue one another: their lines
 * and record numbers are offset by those of the chunks before (a repeated
 * CSV header is not counted), and they count as one file. The dataset rule
 * unique-record-id is applied across chunks (a duplicate of a record_id of
 * an earlier chunk is reported at the later record, pointing at the first).
 * Memory: one entry per distinct record_id. */
typedef struct thbx_report_merge thbx_report_merge_t;

THBX_EXPORT int thbx_report_merge_new(thbx_report_merge_t **out, thbx_report_t *into,
                                      thbx_error_t *err);
/* Replay one chunk report read from `chunk` (named `name` in errors).
 * THBX_EPARSE: not a chunk report, or torn (err says where); nothing of it
 * is replayed past that point. */
THBX_EXPORT int thbx_report_merge_add(thbx_report_merge_t *merge, FILE *chunk, const char *name,
                                      thbx_error_t *err);
/* 1 when every input of every chunk was read to its end (the exit status of
 * one run would not be 2), else 0. */
THBX_EXPORT int thbx_report_merge_complete(const thbx_report_merge_t *merge);
/* Finish `into` (thbx_report_finish). */
THBX_EXPORT int thbx_report_merge_finish(thbx_report_merge_t *merge, thbx_error_t *err);
THBX_EXPORT void thbx_report_merge_free(thbx_report_merge_t *merge);

/* ------------------------------------------------------------- validation */

/* The `thbx validate` configuration of the pipeline for C callers: reader ->
 * XSD (XML input, record by record) -> JSON Schema (format assertions on) ->
 * the dataset rules of the profile's x-thbx annotation -> report, and
 * accepted / rejected records to two streams in the input's format (raw
 * bytes of the input), so accepted + rejected = input. thbx_validator_run
 * and _finish drive a pipeline of their own (one report for every run);
 * thbx_validator_configure adds the same stages to a caller's pipeline. */
typedef struct thbx_validator thbx_validator_t;
typedef struct thbx_pipeline thbx_pipeline_t;

typedef struct thbx_validator_options {
  const char *profile;          /* embedded name or JSON Schema file; NULL: THBX_DEFAULT_PROFILE */
  const char *const *schemas;   /* NULL-terminated FILE.json / FILE.xsd to validate
                                   against instead of the profile's; NULL: the profile's */
  int dataset_rules;            /* default 1 */
  int assert_formats;           /* default 1 */
  const char *today;            /* "YYYY-MM-DD" the profile's not-future dates are compared
                                   with; NULL: the date now in UTC+14 (no time zone is later) */
  FILE *accept;                 /* valid records go here (NULL: nowhere) */
  FILE *reject;                 /* invalid and unreadable records go here (NULL: nowhere) */
  thbx_reader_options_t reader; /* format, delimiter, limits (profile, validate_xsd are set
                                   by the validator) */
} thbx_validator_options_t;

THBX_EXPORT void thbx_validator_options_default(thbx_validator_options_t *options);

/* Load the profile and schemas and compile them (THBX_ESCHEMA/THBX_ENOTFOUND:
 * err says which file and where). */
THBX_EXPORT int thbx_validator_new(thbx_validator_t **out, const thbx_validator_options_t *options,
                                   thbx_error_t *err);
/* Validate one input. `format` THBX_FORMAT_AUTO: sniffed. Returns THBX_OK when
 * the input was read to its end (valid or not: see the report's summary), or
 * THBX_EFATAL/THBX_EIO when reading stopped early (reported as a file issue,
 * err says where), THBX_EINVAL when the accept/reject streams cannot take
 * this input (another format or CSV header than the first input), THBX_ENOMEM. */
THBX_EXPORT int thbx_validator_run(thbx_validator_t *validator, FILE *in, const char *source,
                                   thbx_format format, thbx_report_t *report, thbx_error_t *err);
/* Finish the accept/reject documents. */
THBX_EXPORT int thbx_validator_finish(thbx_validator_t *validator, thbx_error_t *err);
/* The validator as pipeline stages (what `thbx validate` runs): XSD for XML
 * input, each JSON Schema, the dataset rules, added to `pipeline`, which
 * must have been made with thbx_validator_profile() as its profile. The
 * caller adds its sinks (thbx_pipeline_add_report, thbx_pipeline_add_split)
 * and runs it; the validator must outlive the pipeline. */
THBX_EXPORT int thbx_validator_configure(thbx_validator_t *validator, thbx_pipeline_t *pipeline,
                                         thbx_error_t *err);
/* The profile the validator loaded (borrowed; NULL for --profile none). */
THBX_EXPORT const thbx_profile_t *thbx_validator_profile(const thbx_validator_t *validator);
THBX_EXPORT void thbx_validator_free(thbx_validator_t *validator);

/* ---------------------------------------------------------------- pipeline
 *
 * Every command is one configuration of one record pipeline (DESIGN.md,
 * docs/internals.md):
 *
 *   sources (inputs with their readers) -> stages, in order -> sinks
 *
 * An item is one record on its way: its value, its own copy of the input
 * bytes, its location, a sequence number and the issues found so far. A
 * stage transforms the value, adds located issues (which reject the item),
 * or passes it on. A stage is stateless (its apply may run on any worker
 * thread, on several items at once, and must touch nothing but the item and
 * its own read-only state) or ordered (called on one thread, in input
 * order: dataset rules, statistics). Sinks see every item, in input order,
 * after the last stage: a writer, accept/reject files, a report.
 *
 * With jobs > 1, stateless stages run on worker threads and a bounded
 * reorder buffer hands items to ordered stages and sinks in input order, so
 * that every output is byte for byte the same for every number of jobs. */

/* One issue of an item, owned by the item (strings are copies). */
typedef struct thbx_item_issue {
  thbx_issue_kind kind;
  char *rule;           /* "enum", "xsd", "unreadable", "map", a dataset rule, ... */
  long line, column;    /* 1-based place of the fault in the source, 0 if unknown */
  char *instance_path;  /* JSON Pointer into the record, "" if none */
  char *schema_path;    /* JSON Pointer into the schema or mapping, "" if none */
  char *message;        /* lower-case, no trailing period; names no personal value */
  char *value;          /* the offending value as it stands in the input ("AL ",
                           "12"), NULL if none; reports show it
                           (thbx_display_issue) unless redacted */
  char *related_source; /* another place the issue involves, NULL if none */
  long related_line, related_column;
  char *hint; /* a suggestion drawn from the value ("did you mean
                 female?"), NULL if none; redacted with the value */
} thbx_item_issue_t;

/* One record on its way through the pipeline. */
typedef struct thbx_item {
  json_t *value; /* owned; NULL if unreadable. A stage may replace it
                    (json_decref the old one) */
  char *raw;     /* own copy of the record's input bytes (NUL-terminated) */
  size_t raw_length;
  int raw_stale;          /* set by a stage that changed values (mapping,
                             pseudonymisation): no sink may copy raw then */
  const char *source;     /* file name or "-" (valid for the run) */
  long line, column;      /* where the record starts, 1-based */
  long index;             /* 0-based record number in its source */
  unsigned long long seq; /* 0-based number across every source of the run */
  thbx_format format;     /* the format it was read in */
  int unreadable;         /* the reader could not make a value of it */
  thbx_item_issue_t *issues;
  size_t nissues, capissues;
  char *out; /* owned: the record spelled in the output format by the
                convert stage (thbx_pipeline_add_writer), NULL if none */
  size_t out_length;
  /* owned: where each field came from (CSV cells, XML elements), NULL for
   * JSON and NDJSON (found in raw) or when unknown; see thbx_item_locate */
  struct thbx_locator *locator;
} thbx_item_t;

/* Where the value at `instance_path` of the item's record stood in the
 * input: its CSV cell (*field: the CSV column, "person.sex"), its JSON
 * value, its XML element (*field: the element name); columns count
 * characters. 1 found (outputs set), 0 not (outputs untouched: the caller
 * keeps the record's place). */
THBX_EXPORT int thbx_item_locate(const thbx_item_t *item, const char *instance_path, long *line,
                                 long *column, const char **field);

/* Append an issue to the item, copying every string of `issue`. */
THBX_EXPORT int thbx_item_add_issue(thbx_item_t *item, const thbx_item_issue_t *issue);
/* Convenience: an issue of `kind`/`rule` at the item's place, message printf'd. */
THBX_EXPORT int thbx_item_issuef(thbx_item_t *item, thbx_issue_kind kind, const char *rule,
                                 const char *instance_path, const char *value, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* The id of the item's record as the profile names it (x-thbx id field), or NULL. */
THBX_EXPORT const char *thbx_item_record_id(const thbx_pipeline_t *pipeline,
                                            const thbx_item_t *item);

typedef enum thbx_stage_kind {
  THBX_STAGE_STATELESS = 0, /* may run on any thread, items in any order */
  THBX_STAGE_ORDERED        /* one thread, items in input order */
} thbx_stage_kind;

/* A stage. apply() returns THBX_OK whether or not it added issues (an item
 * with issues is rejected; later stages still see it unless skip_rejected),
 * or THBX_ENOMEM / THBX_EIO / ... to stop the run (err says why). */
typedef struct thbx_stage_ops {
  const char *name; /* "xsd", "jsonschema", "map", "pseudonymise", ... */
  thbx_stage_kind kind;
  int skip_rejected; /* not called for items that already have issues */
  int (*apply)(void *state, thbx_item_t *item, thbx_error_t *err);
  /* optional: called once after the last item (ordered stages flush here) */
  int (*finish)(void *state, thbx_error_t *err);
  void (*free)(void *state); /* optional: release state with the pipeline */
} thbx_stage_ops_t;

/* A sink: sees every item after the last stage, in input order, on one thread. */
typedef struct thbx_sink_ops {
  const char *name;
  /* optional: a new input starts / ended (reports: one testsuite per file) */
  int (*file_begin)(void *state, const char *source, thbx_format format, thbx_error_t *err);
  int (*item)(void *state, const thbx_pipeline_t *pipeline, const thbx_item_t *item,
              thbx_error_t *err);
  /* optional: an issue of a whole input (it cannot be opened, reading stopped,
   * a fault of the document rather than of a record) */
  int (*file_issue)(void *state, const char *source, const thbx_error_t *issue, thbx_error_t *err);
  int (*file_end)(void *state, const char *source, thbx_error_t *err);
  /* called once at the end; `complete` is 0 when the run stopped early */
  int (*finish)(void *state, int complete, thbx_error_t *err);
  void (*free)(void *state);
  /* optional: a fault of the document rather than of a record (XML: an
   * attribute the XSD does not allow on the root element), once per input,
   * just before the item whose reading found it; the records are judged
   * without it (an item is not rejected for it) */
  int (*document_issue)(void *state, const char *source, const thbx_item_issue_t *issue,
                        thbx_error_t *err);
} thbx_sink_ops_t;

typedef struct thbx_pipeline_options {
  const thbx_profile_t *profile; /* borrowed; NULL: generic */
  thbx_reader_options_t reader;  /* format, delimiter, limits, ... */
  int jobs;                      /* worker threads; 1 (default): none; 0: one per core */
  int fail_fast;                 /* stop after the first rejected item */
  volatile int *interrupted;     /* optional: a signal handler sets it; the run stops */
  int read_generic;              /* inputs are read without the profile (a national
                                    format that a mapping stage maps onto it); the
                                    accept/reject files then hold the stages' records,
                                    never the input's bytes */
} thbx_pipeline_options_t;

THBX_EXPORT void thbx_pipeline_options_default(thbx_pipeline_options_t *options);

THBX_EXPORT int thbx_pipeline_new(thbx_pipeline_t **out, const thbx_pipeline_options_t *options,
                                  thbx_error_t *err);
/* Stages run in the order they are added; the pipeline owns `state` from here
 * (ops->free releases it, also when adding fails). */
THBX_EXPORT int thbx_pipeline_add_stage(thbx_pipeline_t *pipeline, const thbx_stage_ops_t *ops,
                                        void *state, thbx_error_t *err);
THBX_EXPORT int thbx_pipeline_add_sink(thbx_pipeline_t *pipeline, const thbx_sink_ops_t *ops,
                                       void *state, thbx_error_t *err);
/* Read one input through the stages into the sinks. THBX_OK: read to its
 * end; THBX_EFATAL / THBX_EIO: reading stopped early (sinks got file_issue);
 * other codes stop the run. */
THBX_EXPORT int thbx_pipeline_run(thbx_pipeline_t *pipeline, FILE *in, const char *source,
                                  thbx_format format, thbx_error_t *err);
/* After the last input: finish stages, then sinks. `complete` 0 tells the
 * sinks that the run stopped early (outputs must not look complete). */
THBX_EXPORT int thbx_pipeline_finish(thbx_pipeline_t *pipeline, int complete, thbx_error_t *err);

/* Stop reading after the first rejected item (also set by fail_fast). 1 if
 * the run stopped so. */
THBX_EXPORT int thbx_pipeline_stopped(const thbx_pipeline_t *pipeline);
/* The profile the pipeline was made with (borrowed, NULL: generic). */
THBX_EXPORT const thbx_profile_t *thbx_pipeline_profile(const thbx_pipeline_t *pipeline);
/* The header line of the current CSV input as read, NULL if none (yet). */
THBX_EXPORT const char *thbx_pipeline_csv_header(const thbx_pipeline_t *pipeline, size_t *length);
/* Worker threads the pipeline runs (jobs 0 resolved to the number of cores). */
THBX_EXPORT int thbx_pipeline_jobs(const thbx_pipeline_t *pipeline);

/* Built-in stages and sinks. Add stages before sinks, the writer last. */

/* Conversion: a stage spelling each record in `writer`'s format (stateless
 * where the format allows, so -j N spells in parallel), and a sink writing
 * the records into `writer` in input order. A record the format cannot carry
 * gets an issue (rule "write") and is not written. At finish the writer's
 * document is finished, or only flushed (left visibly unfinished) when the
 * run stopped early. `writer` is borrowed; stages added after it run before
 * it. */
THBX_EXPORT int thbx_pipeline_add_writer(thbx_pipeline_t *pipeline, thbx_writer_t *writer,
                                         thbx_error_t *err);
/* XML inputs are validated against the profile's XSD (compiled once per
 * process and kept with the profile), record by record as they are read;
 * the errors are issues of kind THBX_ISSUE_XSD. THBX_ESCHEMA if the XSD is
 * broken. */
THBX_EXPORT int thbx_pipeline_add_xsd(thbx_pipeline_t *pipeline, thbx_error_t *err);
/* A stateless stage that rejects strings some format cannot carry: a C0
 * control character other than tab, line feed and carriage return (XML 1.0
 * has no way to write U+000B), so that validate refuses what convert could
 * not write in every format (rule "text", located at the field). */
THBX_EXPORT int thbx_pipeline_add_text_check(thbx_pipeline_t *pipeline, thbx_error_t *err);
/* Validation against a compiled JSON Schema (borrowed; it must outlive the
 * pipeline), a stateless stage. */
THBX_EXPORT int thbx_pipeline_add_jsonschema(thbx_pipeline_t *pipeline, const thbx_schema_t *schema,
                                             thbx_error_t *err);
/* The dataset rules the profile's x-thbx annotation names (unique id,
 * date order, dates not in the future; docs/validate.md), an ordered stage.
 * `today` "YYYY-MM-DD", NULL: the date now in UTC+14. */
THBX_EXPORT int thbx_pipeline_add_dataset_rules(thbx_pipeline_t *pipeline, const char *today,
                                                thbx_error_t *err);
/* A validation report (borrowed: its owner finishes and frees it). */
THBX_EXPORT int thbx_pipeline_add_report(thbx_pipeline_t *pipeline, thbx_report_t *report,
                                         thbx_error_t *err);
/* Accepted items (no issues) to `accept`, rejected ones to `reject` (either
 * may be NULL), as the raw bytes of the input framed in the input's format.
 * A format other than THBX_FORMAT_AUTO (from the file's name) must be the
 * input's (THBX_EINVAL otherwise). Inputs of one run must share one format
 * and, for CSV, one header. */
THBX_EXPORT int thbx_pipeline_add_split(thbx_pipeline_t *pipeline, FILE *accept,
                                        thbx_format accept_format, FILE *reject,
                                        thbx_format reject_format, thbx_error_t *err);

typedef struct thbx_pipeline_stats {
  long files, records, rejected, unreadable;
  long file_issues; /* issues of whole inputs given to the sinks' file_issue */
} thbx_pipeline_stats_t;
THBX_EXPORT void thbx_pipeline_get_stats(const thbx_pipeline_t *pipeline,
                                         thbx_pipeline_stats_t *stats);
THBX_EXPORT void thbx_pipeline_free(thbx_pipeline_t *pipeline);

/* ---------------------------------------------------------------- mappings
 *
 * A mapping (docs/mapping.md) describes a national format once, in CSV files
 * a data officer edits in a spreadsheet: one row per target field of the
 * profile (source reference, value syntax, crosswalk, default, transforms)
 * and a few rows describing the input. It is compiled once and applied per
 * record as a stateless pipeline stage (forward: national -> profile;
 * reverse: profile -> national). Every error in a mapping file is
 * THBX_ESCHEMA with err->source = the file and err->line = its line. */

typedef struct thbx_mapping thbx_mapping_t;

typedef struct thbx_mapping_options {
  int reverse;          /* profile records -> the national format */
  const char *key_file; /* key of the pseudonymise transform (NULL: refused
                           if a row uses it) */
  const char *derive;   /* with key_file: the key derived for this recipient
                           label (HKDF, as `thbx pseudonymise --derive`), NULL none */
  FILE *trace;          /* optional: one NDJSON line per output value (where it
                           came from, never the value); the stage is then
                           ordered so that lines come in input order */
} thbx_mapping_options_t;

THBX_EXPORT void thbx_mapping_options_default(thbx_mapping_options_t *options);

/* Compile the mapping MAP.csv against `profile` (borrowed, must outlive the
 * mapping). THBX_ESCHEMA / THBX_ENOTFOUND / THBX_EIO: err names the file and
 * line. */
THBX_EXPORT int thbx_mapping_load(thbx_mapping_t **out, const char *path,
                                  const thbx_profile_t *profile,
                                  const thbx_mapping_options_t *options, thbx_error_t *err);
THBX_EXPORT void thbx_mapping_free(thbx_mapping_t *mapping);

/* What the mapping says about its input (format, delimiter, record element,
 * JSON Pointer of the records), set into *reader; other fields untouched. In
 * reverse, the profile's own reading. */
THBX_EXPORT void thbx_mapping_reader_options(const thbx_mapping_t *mapping,
                                             thbx_reader_options_t *reader);
/* The national output format a reverse mapping declares (@format), AUTO if none. */
THBX_EXPORT thbx_format thbx_mapping_format(const thbx_mapping_t *mapping);
/* The national XML document and record element names (@root, @record), NULL if
 * not declared. */
THBX_EXPORT void thbx_mapping_xml_names(const thbx_mapping_t *mapping, const char **root,
                                        const char **record);
/* The CSV delimiter the mapping declares ('\0' if none). */
THBX_EXPORT char thbx_mapping_delimiter(const thbx_mapping_t *mapping);
/* In reverse: the national CSV columns in order ("a,b,c", borrowed), NULL if
 * none. */
THBX_EXPORT const char *thbx_mapping_columns(const thbx_mapping_t *mapping);

/* The stage: ops for thbx_pipeline_add_stage with `mapping` as its state
 * (the pipeline does not free it: free the mapping after the pipeline). */
THBX_EXPORT const thbx_stage_ops_t *thbx_mapping_stage_ops(const thbx_mapping_t *mapping);
/* Map one item (what the stage's apply does): item->value is replaced by the
 * mapped record and raw_stale set; record errors become issues (rule "map")
 * located at the source cell or element. Thread-safe for one mapping unless
 * it has a trace. */
THBX_EXPORT int thbx_mapping_apply(const thbx_mapping_t *mapping, thbx_item_t *item,
                                   thbx_error_t *err);

/* Lint (`thbx map check`): findings as a JSON array of {"level": "error" |
 * "warning" | "note", "file", "line", "message"} (new reference). With a
 * sample (may be NULL), the distinct source codes that no crosswalk row
 * covers, with their counts, and date patterns the sample makes ambiguous.
 * With reverse, the loss ledger. */
THBX_EXPORT int thbx_mapping_check(const thbx_mapping_t *mapping, FILE *sample,
                                   const char *sample_name, json_t **findings, thbx_error_t *err);
/* The loss ledger: what cannot go back one to one (JSON array of {"line",
 * "target", "what"}). New reference. */
THBX_EXPORT json_t *thbx_mapping_ledger(const thbx_mapping_t *mapping);

/* `thbx map init`: draft a mapping from a sample export, written to `out`
 * (the mapping CSV), and crosswalk stubs as a JSON object {column: {code:
 * count}} in *stubs (new reference). */
THBX_EXPORT int thbx_mapping_draft(FILE *sample, const char *sample_name,
                                   const thbx_reader_options_t *reader,
                                   const thbx_profile_t *profile, FILE *out, json_t **stubs,
                                   thbx_error_t *err);

/* ------------------------------------------------------------------- XSLT
 *
 * The one sandboxed libxslt set-up of libthbx (the HTML report uses it too):
 * no file writes, no directory creation, no network reads or writes (global
 * and per-transformation security prefs), no exsl:document output, documents
 * parsed without network and DTD, bounded recursion depth and output size. */

typedef struct thbx_xslt thbx_xslt_t;

/* Compile the stylesheet at `path` (or `text` of `length` bytes when text is
 * not NULL; path then only names it). params: NULL-terminated NAME, VALUE,
 * ... pairs, values passed as strings. THBX_ESCHEMA if it is broken or
 * refused by the sandbox (err says why). */
THBX_EXPORT int thbx_xslt_load(thbx_xslt_t **out, const char *path, const char *text, size_t length,
                               const char *const *params, thbx_error_t *err);
THBX_EXPORT void thbx_xslt_free(thbx_xslt_t *xslt);
/* Transform one document given as bytes; *result is a malloc'ed copy of the
 * serialised output (caller frees). THBX_EPARSE: the input is not XML;
 * THBX_ESCHEMA: the stylesheet failed or broke the sandbox (err says why). */
THBX_EXPORT int thbx_xslt_apply(const thbx_xslt_t *xslt, const char *doc, size_t length,
                                char **result, size_t *result_length, thbx_error_t *err);

/* A stage applying stylesheets in order to each XML item (item->raw), then
 * reading the result as a record of `profile` (NULL: leave it as raw bytes
 * for a following mapping). The xslts are borrowed. */
THBX_EXPORT const thbx_stage_ops_t *thbx_xslt_stage_ops(void);
typedef struct thbx_xslt_stage thbx_xslt_stage_t;
THBX_EXPORT int thbx_xslt_stage_new(thbx_xslt_stage_t **out, thbx_xslt_t *const *xslts,
                                    size_t count, const thbx_profile_t *profile, thbx_error_t *err);
/* --xslt-out: instead of thbx_pipeline_add_writer, each record is spelled
 * as an XML document of its own, put through `xslt` (borrowed) on the
 * workers, and written into `writer` (an XML writer, borrowed) in input
 * order; the writer is finished at the end of a complete run. */
THBX_EXPORT int thbx_pipeline_add_xslt_writer(thbx_pipeline_t *pipeline, thbx_writer_t *writer,
                                              const thbx_xslt_t *xslt, thbx_error_t *err);

/* -------------------------------------------------------------- statistics
 *
 * `thbx stats` (docs/privacy-stats.md): counts of records, or of distinct
 * persons, grouped by 1 to 3 paths, with margins, primary suppression
 * (0 < count < K) and secondary suppression proven by a certificate. The
 * counting is an ordered sink of the pipeline; the table is built,
 * suppressed and written when the sink finishes. */
typedef struct thbx_stats thbx_stats_t;

typedef enum thbx_stats_format {
  THBX_STATS_CSV = 0,
  THBX_STATS_JSON,
  THBX_STATS_MD,
  THBX_STATS_HTML
} thbx_stats_format;

/* "csv", "json", "md", "html" -> format; -1 if unknown. */
THBX_EXPORT int thbx_stats_format_from_name(const char *name);

typedef struct thbx_stats_options {
  const char *const *by; /* group-by paths: dotted leaf paths ("person.sex"), or
                            PATH:year / PATH:month of a date ("event_date:year") */
  size_t nby;            /* 1 to 3 */
  const char *distinct;  /* count distinct values of this path (persons) per
                            cell instead of records; NULL: records */
  long min_cell;         /* K: cells with 0 < count < K are suppressed (default 5;
                            1: none) */
  int totals;            /* margins, "_total" in the columns they sum over */
  thbx_stats_format format;
  FILE *out;                 /* the table (not closed) */
  FILE *certificate;         /* the certificate, for the publisher only; NULL: none */
  size_t max_cells;          /* limit on the cells of the table with its margins;
                                0: default 100000 */
  volatile int *interrupted; /* optional: set by a signal handler; suppression
                                stops with THBX_EINTR and writes nothing */
} thbx_stats_options_t;

THBX_EXPORT void thbx_stats_options_default(thbx_stats_options_t *options);
/* THBX_EINVAL (err says why) for a bad path, too many dimensions, K < 1. */
THBX_EXPORT int thbx_stats_new(thbx_stats_t **out, const thbx_stats_options_t *options,
                               thbx_error_t *err);
/* Count one record (borrowed). THBX_EINVAL if a group-by path names an
 * object (not a leaf). */
THBX_EXPORT int thbx_stats_add(thbx_stats_t *stats, const json_t *record, thbx_error_t *err);
/* Build the table, suppress, write it (and the certificate). Call once. */
THBX_EXPORT int thbx_stats_finish(thbx_stats_t *stats, thbx_error_t *err);
/* An ordered sink counting every readable item without issues; its finish
 * calls thbx_stats_finish when the run is complete and writes nothing
 * otherwise. thbx_pipeline_add_sink(p, thbx_stats_sink_ops(), stats, err)
 * hands stats to the pipeline (freed with it). */
THBX_EXPORT const thbx_sink_ops_t *thbx_stats_sink_ops(void);

typedef struct thbx_stats_summary {
  long records;     /* records counted */
  long skipped;     /* records without a --distinct value (not counted) */
  long cells;       /* cells written (interior cells with count > 0 or suppressed, margins) */
  long primary;     /* cells suppressed for being small */
  long secondary;   /* cells suppressed to protect them */
  int multi_valued; /* some record counted in more than one cell of a dimension */
  int overlap;      /* with distinct: some person counted in more than one cell */
} thbx_stats_summary_t;
THBX_EXPORT void thbx_stats_get_summary(const thbx_stats_t *stats, thbx_stats_summary_t *summary);
THBX_EXPORT void thbx_stats_free(thbx_stats_t *stats);

/* Check a certificate (borrowed) by code independent of the producer, with
 * exact integer arithmetic. *problems gets a new array of messages (empty:
 * every small cell is protected). THBX_OK unless out of memory. */
typedef struct thbx_stats_verdict {
  long cells, primary, protected_cells;
  json_t *problems; /* owned by the caller */
} thbx_stats_verdict_t;
THBX_EXPORT int thbx_stats_verify(const json_t *certificate, thbx_stats_verdict_t *verdict,
                                  thbx_error_t *err);
/* And that `published` (borrowed: an array of rows, each with the group-by
 * paths, flat like the JSON output or nested like CSV read generically, and
 * "count", absent, null or "" when suppressed) is exactly the certificate's
 * table: every published count true, every suppressed cell suppressed,
 * every margin and every non-zero cell present. Problems are appended to
 * verdict->problems (from thbx_stats_verify). */
THBX_EXPORT int thbx_stats_verify_published(const json_t *certificate, const json_t *published,
                                            thbx_stats_verdict_t *verdict, thbx_error_t *err);

/* ------------------------------------------------------------ pseudonyms
 * Keyed pseudonyms (docs/privacy.md): a value becomes the lowercase hex
 * HMAC-SHA256 of its UTF-8 bytes under a secret key, so that the same
 * person gets the same pseudonym across files and countries that share the
 * key, and nobody without the key can reverse it or test a guess. With a
 * derivation label the key used is HKDF-SHA256(key, salt empty, info label,
 * 32 bytes): one key per recipient, so that two recipients cannot link
 * their files. A pseudonymiser is read-only once made: any number of threads
 * may use one at the same time. */

typedef struct thbx_pseudonymiser thbx_pseudonymiser_t;

#define THBX_KEY_MIN_BYTES 32
#define THBX_KEY_MAX_BYTES 4096
#define THBX_PSEUDONYM_HEX_LENGTH 64 /* characters, without the NUL */
#define THBX_KEY_ID_LENGTH 16        /* hex characters of a key id, without the NUL */

/* Make a pseudonymiser from `length` key bytes (copied; at least
 * THBX_KEY_MIN_BYTES, else THBX_EINVAL). `derive_label` NULL: the key itself;
 * else the key derived for that label (non-empty, else THBX_EINVAL). */
THBX_EXPORT int thbx_pseudonymiser_new(thbx_pseudonymiser_t **out, const unsigned char *key,
                                       size_t length, const char *derive_label, thbx_error_t *err);
/* The same from a key file: raw bytes, one trailing newline stripped. Refused
 * with THBX_EINVAL (err says why) if the file is shorter than
 * THBX_KEY_MIN_BYTES, longer than THBX_KEY_MAX_BYTES, not a regular file, or
 * readable by group or others; THBX_EIO if it cannot be read. */
THBX_EXPORT int thbx_pseudonymiser_from_key_file(thbx_pseudonymiser_t **out, const char *path,
                                                 const char *derive_label, thbx_error_t *err);
/* Write the pseudonym of value[0..length) as THBX_PSEUDONYM_HEX_LENGTH
 * lowercase hex digits and a NUL into out_hex. THBX_ENOMEM/THBX_EIO (an
 * OpenSSL failure) on error. Thread-safe. */
THBX_EXPORT int thbx_pseudonymise(const thbx_pseudonymiser_t *p, const char *value, size_t length,
                                  char out_hex[THBX_PSEUDONYM_HEX_LENGTH + 1]);
/* Key id: the first THBX_KEY_ID_LENGTH hex digits of SHA-256 of the key as
 * given (before any derivation), so that partners can confirm they hold the
 * same key (`sha256sum` of the key bytes) without showing it. Borrowed. */
THBX_EXPORT const char *thbx_pseudonymiser_key_id(const thbx_pseudonymiser_t *p);
/* The same of the derived key, or NULL without a derivation label. Borrowed. */
THBX_EXPORT const char *thbx_pseudonymiser_derived_key_id(const thbx_pseudonymiser_t *p);
THBX_EXPORT void thbx_pseudonymiser_free(thbx_pseudonymiser_t *p);

/* The pipeline stage of `thbx pseudonymise` (stateless): each of `fields`
 * (dotted paths, "person.person_ref") is pseudonymised where present (a
 * string, a number, or an array of them), each of `drops` (a field or an
 * object) removed, and an object left empty by a drop removed too. It sets
 * raw_stale on every item. A field holding an object or a boolean is removed
 * and the item gets an issue (rule "pseudonymise"), so that the value
 * reaches no output, not even a reject file. With a profile, every path must
 * be one of its fields (THBX_EINVAL otherwise, err says which), and `warn`
 * (optional) is told when the output will not validate (a pseudonym does
 * not fit the field, a dropped field is required). The stage borrows the
 * pseudonymiser and the profile: they must outlive it. */
typedef struct thbx_pseudonymise_options {
  const thbx_pseudonymiser_t *pseudonymiser;
  const char *const *fields; /* NULL / 0: person.person_ref and case_ref */
  size_t nfields;
  const char *const *drops;
  size_t ndrops;
  const thbx_profile_t *profile; /* NULL: generic, paths are not checked */
  void (*warn)(void *ctx, const char *text);
  void *warn_ctx;
} thbx_pseudonymise_options_t;

/* *ops is static; the caller owns *state (ops->free releases it; the
 * pipeline does so once the stage is added). */
THBX_EXPORT int thbx_pseudonymise_stage_new(const thbx_pseudonymise_options_t *options,
                                            const thbx_stage_ops_t **ops, void **state,
                                            thbx_error_t *err);

/* ------------------------------------------------------------ anonymiser
 * k-anonymity for person-level releases (`thbx anonymise`, docs/privacy.md):
 * in the output every combination of the quasi-identifiers' values is shared
 * by at least k records (or k persons: `distinct`). Needs two passes: every
 * record is counted (thbx_anonymiser_count), a plan is made (generalisation
 * levels from ARX-style hierarchies, the lowest that leaves at most
 * max_suppress of the records to suppress; then local suppression: a value
 * replaced by its code list's "unknown" or an optional field dropped; whole
 * records last), and every record is transformed (thbx_anonymiser_apply).
 * Memory grows with the number of distinct quasi-identifier combinations
 * (times persons with `distinct`), not with the records. */

typedef struct thbx_anonymiser thbx_anonymiser_t;

typedef struct thbx_anonymise_options {
  long k;                   /* >= 1 (2 and more make sense) */
  const char *const *quasi; /* dotted paths of the quasi-identifiers */
  size_t nquasi;
  const char *distinct;          /* count distinct values of this path (persons), NULL: records */
  const char *sensitive;         /* report l-diversity of this path per group, NULL: none */
  double max_suppress;           /* share of records the plan may suppress, default 0.05 */
  const thbx_profile_t *profile; /* borrowed; NULL: generic (any field may be dropped) */
} thbx_anonymise_options_t;

THBX_EXPORT void thbx_anonymise_options_default(thbx_anonymise_options_t *options);

/* THBX_EINVAL (err says why) for a bad option or a path that is not a field
 * of the profile. */
THBX_EXPORT int thbx_anonymiser_new(thbx_anonymiser_t **out,
                                    const thbx_anonymise_options_t *options, thbx_error_t *err);
/* Read a generalisation hierarchy for one quasi-identifier: CSV (',' or ';'),
 * one row per value: value, level 1, level 2, ... (ARX's format; every row
 * the same number of columns; "*" means suppressed). Every level value must
 * be valid for the field in the profile. THBX_ESCHEMA (err: FILE:LINE) if
 * not; THBX_EIO if it cannot be read. */
THBX_EXPORT int thbx_anonymiser_add_hierarchy(thbx_anonymiser_t *a, const char *path,
                                              const char *file, thbx_error_t *err);
/* Pass 1: count one record (borrowed; source/line name it in errors). */
THBX_EXPORT int thbx_anonymiser_count(thbx_anonymiser_t *a, const json_t *record,
                                      const char *source, long line, thbx_error_t *err);
/* After pass 1: choose levels and suppressions. THBX_ESCHEMA if a value
 * has no row in its hierarchy (err says where the first such record is). */
THBX_EXPORT int thbx_anonymiser_plan(thbx_anonymiser_t *a, thbx_error_t *err);
/* Pass 2: transform one record in place; *keep is set to 0 if the record
 * must be dropped. The result is counted for the report. */
THBX_EXPORT int thbx_anonymiser_apply(thbx_anonymiser_t *a, json_t *record, int *keep,
                                      thbx_error_t *err);
/* The report as JSON (new reference): after pass 2 of the output, or after
 * pass 1 alone of the input as it is (a check). Holds counts, never values:
 * records read/written/dropped, per field its level and how many records
 * were generalised or suppressed, the group-size distribution, groups below
 * k, and l-diversity of the sensitive field. */
THBX_EXPORT json_t *thbx_anonymiser_report(const thbx_anonymiser_t *a);
/* The two passes on pipelines (the anonymiser is borrowed: it must outlive
 * them). Pass 1: a sink counting every readable item without issues. Pass
 * 2: an ordered stage applying the plan; a record to drop gets value NULL,
 * which the writer skips (it is neither written nor rejected). Add it
 * before thbx_pipeline_add_writer. */
THBX_EXPORT int thbx_anonymiser_add_counter(thbx_pipeline_t *pipeline, thbx_anonymiser_t *a,
                                            thbx_error_t *err);
THBX_EXPORT int thbx_anonymiser_add_stage(thbx_pipeline_t *pipeline, thbx_anonymiser_t *a,
                                          thbx_error_t *err);
/* Groups below k (of the output after pass 2, else of the input). */
THBX_EXPORT long thbx_anonymiser_small_groups(const thbx_anonymiser_t *a);
THBX_EXPORT void thbx_anonymiser_free(thbx_anonymiser_t *a);

#ifdef __cplusplus
}
#endif

#endif /* THBX_H */
