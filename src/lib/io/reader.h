/*
 * reader.h - the inside of a reader (internal). reader.c opens the input,
 * strips a UTF-8 BOM, sniffs the format and dispatches to one file per
 * format: reader_json.c, reader_ndjson.c, reader_csv.c, reader_xml.c.
 * Every format reads through the same buffered input so that the bytes
 * looked at while sniffing are not lost.
 */
#ifndef THBX_READER_H
#define THBX_READER_H

#include "internal.h"
#include "profile.h"

/* Buffered input over a FILE. Bytes [pos, len) of buf are not consumed yet;
 * offset is the input position of buf[0]. */
typedef struct reader_input {
  FILE *fp;
  void *cd;           /* iconv_t from the input's encoding to UTF-8, NULL: UTF-8 */
  unsigned char *raw; /* with cd: bytes read but not converted yet */
  size_t rawlen, rawcap;
  unsigned char *buf;
  size_t cap, pos, len;
  long long offset;
  int eof;   /* fread returned 0 at end of file */
  int error; /* fread failed (errno kept in err_no) */
  int err_no;
} reader_input_t;

/* Make at least `want` unconsumed bytes available if the input has them.
 * Returns the number of unconsumed bytes (0 at end of input), -1 on a read
 * error. Moves unconsumed bytes to the front of buf (pointers into buf are
 * invalidated). */
long reader_input_fill(reader_input_t *in, size_t want);
/* Why the input failed ("a byte sequence that is not in the input's
 * encoding", strerror of a read error). */
const char *reader_input_strerror(const reader_input_t *in);
/* Copy up to n unconsumed bytes to dst (for libxml2 / yajl callbacks).
 * Returns bytes copied, 0 at end of input, -1 on error. */
long reader_input_read(reader_input_t *in, void *dst, size_t n);
/* Offset of the first byte of [p, p+n) that is not valid UTF-8, n if none. */
size_t reader_utf8_bad(const unsigned char *p, size_t n);
/* Text for an input that is not UTF-8 at [p, p+n) (the bad byte at
 * bad): "not UTF-8 (byte 0xE8); it looks like windows-1250: read it with
 * --encoding windows-1250" into buf. */
void reader_not_utf8(const unsigned char *p, size_t n, size_t bad, char *buf, size_t size);

/* Input position (byte offset) of the next unconsumed byte. */
static inline long long reader_input_tell(const reader_input_t *in) {
  return in->offset + (long long)in->pos;
}

struct thbx_reader;

/* Where the values of the record being read came from (locator.c): CSV
 * entries name a column of the shared table, XML entries carry their JSON
 * Pointer and element name in `strings`. */
struct loc_names { /* CSV column pointers and names, shared by a reader and its locators */
  _Atomic int refs;
  size_t n;
  char **pointer, **name; /* "/person/sex", "person.sex" */
};
struct reader_loc_entry {
  long column;          /* CSV: the column (index into names), else -1 */
  size_t pointer, name; /* else: offsets into strings (name (size_t)-1: none) */
  long line, col;
};
struct reader_loc {
  struct reader_loc_entry *e;
  size_t n, cap;
  thbx_buf_t strings;
  struct loc_names *names; /* CSV: column pointers and names (owned reference) */
};
void reader_loc_reset(struct reader_loc *b);
void reader_loc_free(struct reader_loc *b);
int reader_loc_column(struct reader_loc *b, size_t column, long line, long col);
int reader_loc_add(struct reader_loc *b, const char *pointer, size_t plen, const char *name,
                   long line, long col);
/* The column table: n columns, each set from its dotted CSV name. */
struct loc_names *loc_names_new(size_t n);
int loc_names_set(struct loc_names *t, size_t i, const char *dotted);
void loc_names_release(struct loc_names *t);

/* One input format. next() fills rec (value owned by the caller), sets
 * rec->line/column/index, and keeps the record's raw bytes in r->raw (as
 * they stood in the input; for reject files). On THBX_EPARSE it fills err
 * with source/line/column (and record_index) and also leaves the raw bytes
 * of the broken record in r->raw, then resynchronises so that the next call
 * reads the next record. THBX_EFATAL when it cannot resynchronise. */
struct reader_ops {
  int (*open)(struct thbx_reader *r, thbx_error_t *err);
  int (*next)(struct thbx_reader *r, thbx_record_t *rec, thbx_error_t *err);
  void (*free)(struct thbx_reader *r);
};

struct thbx_reader {
  reader_input_t in;
  char *source;                       /* "-" for stdin */
  thbx_reader_options_t opt;          /* limits filled with defaults */
  const struct thbx_profile *profile; /* NULL: generic mode */
  const struct thbx_shape *shape;     /* profile->shape or NULL */
  thbx_format format;
  const struct reader_ops *ops;
  void *state;       /* the format's own */
  long index;        /* records returned or failed so far */
  thbx_buf_t raw;    /* raw bytes of the last record */
  thbx_buf_t header; /* CSV: header line as read, with its line end */
  /* XML with validate_xsd: XSD errors of the last record */
  thbx_error_t *xsd_errors;
  size_t nxsd, capxsd;
  /* faults of the document rather than of a record (an attribute the XSD
   * does not allow on the root), each once */
  thbx_error_t *doc_errors;
  size_t ndoc, capdoc;
  int done;               /* EOF or fatal reached */
  struct reader_loc loc;  /* where the last record's values came from (CSV, XML) */
  long rec_line, rec_col; /* where the last record starts */
  /* CSV: cells of the last record that did not parse as their type (kept
   * as strings in the record; see thbx_reader_cell_errors) */
  thbx_error_t *cell_errors;
  char **cell_values; /* each cell's value as reports show it (owned) */
  size_t ncell, capcell;
  /* the offending value of the last record error (its text), NULL if none:
   * messages name no value (thbx_reader_error_value) */
  char *err_value;
  int deferred_cr; /* defer_parse: the line last returned ended in CR LF */
  void *xsd_job;   /* defer_xsd: the last record's XSD validation (xsd_job.h) */
};

extern const struct reader_ops reader_json_ops;
extern const struct reader_ops reader_ndjson_ops;
extern const struct reader_ops reader_csv_ops;
extern const struct reader_ops reader_xml_ops;

/* Fill err with the reader's source, a location and a message; returns status. */
int reader_error(struct thbx_reader *r, thbx_error_t *err, int status, long line, long column,
                 const char *fmt, ...) THBX_PRINTF(6, 7);

/* Tell the caller's warning function, if any (source and place filled). */
void reader_warning(struct thbx_reader *r, long line, long column, const char *fmt, ...)
    THBX_PRINTF(4, 5);

/* Append a cell error for the current record (CSV reader), with the value
 * reader_error_value() set last. */
int reader_add_cell_error(struct thbx_reader *r, const thbx_error_t *e);
/* defer_parse (NDJSON): parse one line's bytes [raw, raw+len) as the reader
 * would have (same values, messages and places), on any thread: `cr` the
 * line ended in CR LF, `line` its number. rec->value is owned by the caller
 * on THBX_OK; THBX_EPARSE: err says where, as thbx_reader_next would. */
int reader_ndjson_parse(const thbx_limits_t *limits, int objects_only, const char *source,
                        long index, const char *raw, size_t len, int cr, long line,
                        thbx_record_t *rec, thbx_error_t *err);
/* Make reader_ndjson_parse's per-thread state key now (before workers start). */
void reader_ndjson_parse_init(void);
/* Did the line last returned in defer_parse mode end in CR LF? */
int reader_deferred_cr(const thbx_reader_t *reader);
/* The reader's limits, defaults filled in. */
const thbx_limits_t *reader_limits(const thbx_reader_t *reader);

/* defer_xsd: keep the record's XSD job (freed unless taken before the next
 * record) / take it (the caller frees it with xsd_job_free). */
void reader_set_xsd_job(thbx_reader_t *reader, void *job);
void *reader_take_xsd_job(thbx_reader_t *reader);

/* Append an XSD error for the current record (XML reader). */
int reader_add_xsd_error(struct thbx_reader *r, const thbx_error_t *e);
/* Keep [s, s+n) as the offending value of the record error being made, as
 * it stands (bytes that are not UTF-8 too). */
void reader_error_value(struct thbx_reader *r, const char *s, size_t n);
/* Append a fault of the document unless one with the same text is there. */
int reader_add_document_error(struct thbx_reader *r, const thbx_error_t *e);

#endif
