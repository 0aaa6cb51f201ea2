/*
 * report_merge.c - one report from the chunk reports of a split run
 * (report_chunk.c writes them): every chunk's calls are replayed, in the
 * order of the chunks, into a report of any format, so that the verdict,
 * the counts and the errors are those of one run over the chunks' inputs
 * one after another.
 *
 * Two things a chunk cannot know are done here:
 *  - chunks of standard input ("-", GNU parallel --pipe) continue one
 *    stream: their lines and record numbers are offset by those of the
 *    chunks before it (minus a CSV header repeated in each chunk), and the
 *    stream is one file of the report;
 *  - unique-record-id across chunks: the first place of every record_id is
 *    kept (one entry per distinct id); a later chunk's record with an id
 *    seen in an earlier chunk gets the issue one run would have given it,
 *    and a chunk's own duplicate points at the first place overall.
 * Each chunk is read twice (it must be a file): once to check that it is
 * whole and to learn its inputs' line counts, once to replay it. One file
 * may hold several chunk reports one after another (GNU parallel
 * --keep-order writes them so): each header line starts the next chunk.
 */
#include "id_set.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define RULE_UNIQUE_ID "unique-record-id"

/* The index of `source` in m->names (searched from the end: records come
 * after their file's name), added when absent; (size_t)-1 when out of memory. */
static size_t name_index(json_t *names, const char *source) {
  size_t n = json_array_size(names);
  for (size_t i = n; i-- > 0;)
    if (strcmp(json_string_value(json_array_get(names, i)), source) == 0)
      return i;
  return json_array_append_new(names, json_string(source)) == 0 ? n : (size_t)-1;
}

struct thbx_report_merge {
  thbx_report_t *into;
  struct id_set ids; /* record_id -> where first seen: an index into names, line, column, chunk */
  json_t *names;     /* every file name given to `into` (it borrows them till the end) */
  size_t chunk;      /* number of the chunk being replayed */
  int complete;      /* every input was read to its end */
  int std_seen;      /* a chunk had standard input */
  int std_open;      /* the "-" file of an earlier chunk is still open in `into` */
  long std_lines;    /* lines of the "-" stream so far */
  long std_records;  /* records of the "-" stream so far */
};

int thbx_report_merge_new(thbx_report_merge_t **out, thbx_report_t *into, thbx_error_t *err) {
  if (!out || !into)
    return thbx_error_set(err, THBX_EINVAL, "merge: no report to merge into");
  struct thbx_report_merge *m = calloc(1, sizeof(*m));
  if (!m || !(m->names = json_array())) {
    free(m);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  m->into = into;
  m->complete = 1;
  *out = m;
  return THBX_OK;
}

void thbx_report_merge_free(thbx_report_merge_t *m) {
  if (!m)
    return;
  id_set_free(&m->ids);
  json_decref(m->names);
  free(m);
}

int thbx_report_merge_complete(const thbx_report_merge_t *m) { return m && m->complete; }

int thbx_report_merge_finish(thbx_report_merge_t *m, thbx_error_t *err) {
  if (!m)
    return thbx_error_set(err, THBX_EINVAL, "merge: nothing to finish");
  return thbx_report_finish(m->into, err);
}

/* ------------------------------------------------------------ reading */

struct chunk_reader {
  FILE *fp;
  const char *name;
  char *line;
  size_t cap;
  long no;   /* line number in the chunk file */
  off_t end; /* stop before this offset (the next chunk's header); -1: at EOF */
  off_t at;  /* offset of the line last read */
  /* a valid record's line read without a JSON parser (fast_record) */
  struct {
    const char *file, *id;
    long line, column, index, id_line, id_column;
    int unreadable;
  } fast;
};

/* The line report_chunk.c writes for a record without issues and with
 * plain names, {"record":{"file":"F","line":L,"column":C,"index":I,
 * "id":"ID"|null,"unreadable":B},"issues":[]}, read in place (the line's
 * quotes become NULs). 0 if the line is not exactly that. */
static int fast_field(char **p, const char *name) {
  size_t n = strlen(name);
  if (strncmp(*p, name, n) != 0)
    return -1;
  *p += n;
  return 0;
}

static int fast_string(char **p, const char **out) {
  if (**p != '"')
    return -1;
  char *start = ++*p;
  char *q = strpbrk(start, "\"\\");
  if (!q || *q != '"')
    return -1;
  *q = '\0';
  *out = start;
  *p = q + 1;
  return 0;
}

static int fast_long(char **p, long *out) {
  char *end;
  if (!(**p >= '0' && **p <= '9') && **p != '-')
    return -1;
  *out = strtol(*p, &end, 10);
  if (end == *p)
    return -1;
  *p = end;
  return 0;
}

static int fast_record(struct chunk_reader *cr) {
  char *p = cr->line;
  if (fast_field(&p, "{\"record\":{\"file\":") || fast_string(&p, &cr->fast.file) ||
      fast_field(&p, ",\"line\":") || fast_long(&p, &cr->fast.line) ||
      fast_field(&p, ",\"column\":") || fast_long(&p, &cr->fast.column) ||
      fast_field(&p, ",\"index\":") || fast_long(&p, &cr->fast.index) || fast_field(&p, ",\"id\":"))
    return 0;
  cr->fast.id = NULL;
  if (fast_field(&p, "null") && fast_string(&p, &cr->fast.id))
    return 0;
  cr->fast.id_line = cr->fast.id_column = 0;
  if (!fast_field(&p, ",\"id_line\":") &&
      (fast_long(&p, &cr->fast.id_line) || fast_field(&p, ",\"id_column\":") ||
       fast_long(&p, &cr->fast.id_column)))
    return 0;
  if (fast_field(&p, ",\"unreadable\":"))
    return 0;
  if (!fast_field(&p, "false"))
    cr->fast.unreadable = 0;
  else if (!fast_field(&p, "true"))
    cr->fast.unreadable = 1;
  else
    return 0;
  return fast_field(&p, "},\"issues\":[]}") == 0 && (*p == '\n' || *p == '\0');
}

/* The prefix of the lines the first pass need not parse (report_chunk.c
 * writes every record line so). */
#define RECORD_PREFIX "{\"record\":"

/* The next event, or NULL at the end (*rc THBX_OK) or on an error (*rc set).
 * skip_records 1: a record line is returned as json_null() unparsed; 2: a
 * plain valid record's line is read into cr->fast and json_true() returned. */
static json_t *next_event_(struct chunk_reader *cr, int skip_records, int *rc, thbx_error_t *err) {
  *rc = THBX_OK;
  cr->at = ftello(cr->fp);
  if (cr->end >= 0 && cr->at >= cr->end)
    return NULL;
  ssize_t n = getline(&cr->line, &cr->cap, cr->fp);
  if (n < 0) {
    if (ferror(cr->fp))
      *rc = thbx_error_set(err, THBX_EIO, "%s: read error", cr->name);
    return NULL;
  }
  cr->no++;
  if (skip_records && strncmp(cr->line, RECORD_PREFIX, sizeof(RECORD_PREFIX) - 1) == 0) {
    if (skip_records == 1)
      return json_null();
    if (fast_record(cr))
      return json_true();
    /* not the plain shape: parse it; fast_record may have cut the line at
     * a quote, so read it again */
    if (fseeko(cr->fp, cr->at, SEEK_SET) != 0 || getline(&cr->line, &cr->cap, cr->fp) != n) {
      *rc = thbx_error_set(err, THBX_EIO, "%s: read error", cr->name);
      return NULL;
    }
  }
  json_error_t je;
  json_t *ev = json_loadb(cr->line, (size_t)n, 0, &je);
  if (!json_is_object(ev)) {
    json_decref(ev);
    *rc =
        thbx_error_set(err, THBX_EPARSE, "%s:%ld: not a line of a chunk report", cr->name, cr->no);
    return NULL;
  }
  return ev;
}

static json_t *next_event(struct chunk_reader *cr, int *rc, thbx_error_t *err) {
  return next_event_(cr, 0, rc, err);
}

static const char *str(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static long num(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static int is_std(const char *source) { return source && strcmp(source, "-") == 0; }

/* What the first pass learns of a chunk. */
struct chunk_info {
  int dataset_rules;
  int has_std;
  long std_lines, std_header;
};

static int scan(struct chunk_reader *cr, struct chunk_info *info, int *complete,
                thbx_error_t *err) {
  int rc;
  json_t *ev = next_event(cr, &rc, err);
  if (!ev || json_integer_value(json_object_get(ev, "thbx_chunk")) != 1) {
    json_decref(ev);
    return rc != THBX_OK && rc != THBX_EPARSE
               ? rc
               : thbx_error_set(err, THBX_EPARSE,
                                "%s: not a chunk report (thbx validate --format chunk)", cr->name);
  }
  info->dataset_rules = json_is_true(json_object_get(ev, "dataset_rules"));
  json_decref(ev);
  int summary = 0;
  while ((ev = next_event_(cr, 1, &rc, err))) {
    if (json_object_get(ev, "thbx_chunk")) {
      json_decref(ev);
      cr->end = cr->at; /* the next chunk report in the same file */
      break;
    }
    if (summary) {
      json_decref(ev);
      return thbx_error_set(err, THBX_EPARSE, "%s:%ld: a line after the summary", cr->name, cr->no);
    }
    if (json_object_get(ev, "summary")) {
      summary = 1;
    } else if (str(ev, "input")) {
      if (!json_is_true(json_object_get(ev, "complete")))
        *complete = 0;
      if (is_std(str(ev, "input"))) {
        info->has_std = 1;
        info->std_lines = num(ev, "lines");
        info->std_header = num(ev, "header_lines");
      }
    }
    json_decref(ev);
  }
  if (rc != THBX_OK)
    return rc;
  if (!summary)
    return thbx_error_set(err, THBX_EPARSE,
                          "%s: torn chunk report (no summary line: its run did not finish)",
                          cr->name);
  return THBX_OK;
}

/* ------------------------------------------------------------ replay */

static thbx_issue_kind kind_of(const char *name) {
  if (name && strcmp(name, "xsd") == 0)
    return THBX_ISSUE_XSD;
  if (name && strcmp(name, "unreadable") == 0)
    return THBX_ISSUE_UNREADABLE;
  if (name && strcmp(name, "dataset") == 0)
    return THBX_ISSUE_DATASET;
  return THBX_ISSUE_SCHEMA;
}

/* Offsets of the current chunk's standard input. */
struct offsets {
  long lines, records;
};

static long shift(const char *source, long line, const struct offsets *off) {
  return is_std(source) && line > 0 ? line + off->lines : line;
}

static void to_issue(const json_t *j, const char *file, const struct offsets *off,
                     thbx_issue_t *is) {
  memset(is, 0, sizeof(*is));
  is->kind = kind_of(str(j, "kind"));
  is->rule = str(j, "rule");
  is->source = str(j, "file");
  const char *at = is->source ? is->source : file;
  is->line = shift(at, num(j, "line"), off);
  is->column = num(j, "column");
  is->instance_path = str(j, "instance_path");
  is->schema_path = str(j, "schema_path");
  is->message = str(j, "message");
  is->value = str(j, "value");
  is->hint = str(j, "hint");
  const json_t *rel = json_object_get(j, "related");
  if (json_is_object(rel)) {
    is->related_source = str(rel, "file");
    is->related_line = shift(is->related_source, num(rel, "line"), off);
    is->related_column = num(rel, "column");
  }
}

/* unique-record-id across chunks for one record: may rewrite issues[] in
 * place or add one (issues has room for one more). */
static int unique_across(struct thbx_report_merge *m, const thbx_report_record_t *rec,
                         thbx_issue_t *issues, size_t *count, char **msg, thbx_error_t *err) {
  size_t len = strlen(rec->record_id);
  size_t src = name_index(m->names, rec->source ? rec->source : "-");
  if (src == (size_t)-1)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  struct id_place here = {src, rec->id_line > 0 ? rec->id_line : rec->line,
                          rec->id_line > 0 ? rec->id_column : rec->column, m->chunk};
  struct id_place first;
  int seen = 0;
  if (id_set_add(&m->ids, rec->record_id, len, &here, &seen, &first) != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (!seen)
    return THBX_OK;
  if (first.group == m->chunk)
    return THBX_OK; /* first seen in this chunk: the chunk said all there is */
  const char *fsrc = json_string_value(json_array_get(m->names, first.source));
  long fline = first.line;
  long fcol = first.column;
  for (size_t i = 0; i < *count; i++) {
    if (issues[i].kind == THBX_ISSUE_DATASET && issues[i].rule &&
        strcmp(issues[i].rule, RULE_UNIQUE_ID) == 0) {
      /* a duplicate within the chunk: one run points at the first overall */
      issues[i].related_source = fsrc;
      issues[i].related_line = fline;
      issues[i].related_column = fcol;
      return THBX_OK;
    }
  }
  /* the issue one run gives: before the record's other dataset rules */
  size_t at = *count;
  for (size_t i = 0; i < *count; i++)
    if (issues[i].kind == THBX_ISSUE_DATASET) {
      at = i;
      break;
    }
  memmove(&issues[at + 1], &issues[at], (*count - at) * sizeof(*issues));
  /* as the dataset stage words it: the id is the issue's value (shown
   * unless redacted), the message names no value */
  json_t *jid = json_stringn(rec->record_id, len);
  *msg = jid ? thbx_value_text(jid) : NULL;
  json_decref(jid);
  if (!*msg)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_issue_t *is = &issues[at];
  memset(is, 0, sizeof(*is));
  is->kind = THBX_ISSUE_DATASET;
  is->rule = RULE_UNIQUE_ID;
  is->line = rec->id_line > 0 ? rec->id_line : rec->line;
  is->column = rec->id_line > 0 ? rec->id_column : rec->column;
  is->instance_path = "/record_id";
  is->schema_path = "";
  is->message = "is not unique in the dataset";
  is->value = *msg;
  is->related_source = fsrc;
  is->related_line = fline;
  is->related_column = fcol;
  (*count)++;
  return THBX_OK;
}

/* One record (prec NULL: an issue of the whole file) with its n issues
 * (room for one more), its place already in this chunk's numbering. */
static int replay_record(struct thbx_report_merge *m, thbx_report_record_t *prec,
                         thbx_issue_t *issues, size_t n, const struct offsets *off, int rules,
                         long *std_records, thbx_error_t *err) {
  char *msg = NULL;
  int rc = THBX_OK;
  if (prec) {
    prec->line = shift(prec->source, prec->line, off);
    if (prec->id_line > 0)
      prec->id_line = shift(prec->source, prec->id_line, off);
    if (is_std(prec->source)) {
      prec->index += off->records;
      (*std_records)++;
    }
    if (rules && prec->record_id && prec->record_id[0] && !prec->unreadable)
      rc = unique_across(m, prec, issues, &n, &msg, err);
  }
  if (rc == THBX_OK)
    rc = thbx_report_add(m->into, prec, issues, n, err);
  free(msg);
  return rc;
}

static int replay_add(struct thbx_report_merge *m, const json_t *ev, const char *file,
                      const struct offsets *off, int rules, long *std_records, thbx_error_t *err) {
  const json_t *list = json_object_get(ev, "issues");
  size_t n = json_array_size(list);
  thbx_issue_t *issues = calloc(n + 1, sizeof(*issues));
  if (!issues)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    to_issue(json_array_get(list, i), file, off, &issues[i]);
  const json_t *jr = json_object_get(ev, "record");
  thbx_report_record_t rec, *prec = NULL;
  if (json_is_object(jr)) {
    memset(&rec, 0, sizeof(rec));
    rec.source = str(jr, "file");
    rec.line = num(jr, "line");
    rec.column = num(jr, "column");
    rec.index = num(jr, "index");
    rec.record_id = str(jr, "id");
    rec.id_line = num(jr, "id_line");
    rec.id_column = num(jr, "id_column");
    rec.unreadable = json_is_true(json_object_get(jr, "unreadable"));
    prec = &rec;
  }
  int rc = replay_record(m, prec, issues, n, off, rules, std_records, err);
  free(issues);
  return rc;
}

/* Replay the chunk report that starts at cr's position; cr->end is then
 * where the next one starts (-1: none). */
static int merge_one(struct thbx_report_merge *m, struct chunk_reader *cr, thbx_error_t *err) {
  const char *name = cr->name;
  off_t start = ftello(cr->fp);
  long start_no = cr->no;
  cr->end = -1;
  struct chunk_info info = {0};
  int complete = 1;
  int rc = scan(cr, &info, &complete, err);
  if (rc == THBX_OK && (start < 0 || fseeko(cr->fp, start, SEEK_SET) != 0))
    rc = thbx_error_set(err, THBX_EINVAL, "%s: a chunk report must be a file (read twice)", name);
  if (rc != THBX_OK)
    return rc;
  cr->no = start_no;
  if (!complete)
    m->complete = 0;
  struct offsets off = {0, 0};
  if (info.has_std && m->std_seen) {
    off.lines = m->std_lines - info.std_header;
    off.records = m->std_records;
  }
  long std_records = 0;
  char *file = NULL; /* the current input of the chunk */
  json_t *ev;
  while (rc == THBX_OK && (ev = next_event_(cr, 2, &rc, err))) {
    const char *s;
    if (json_is_true(ev)) {
      /* a valid record's line, read without the parser */
      if (m->std_open && !file)
        m->std_open = 0;
      thbx_issue_t room[1];
      thbx_report_record_t rec = {.source = cr->fast.file,
                                  .line = cr->fast.line,
                                  .column = cr->fast.column,
                                  .index = cr->fast.index,
                                  .record_id = cr->fast.id,
                                  .unreadable = cr->fast.unreadable,
                                  .id_line = cr->fast.id_line,
                                  .id_column = cr->fast.id_column};
      rc = replay_record(m, &rec, room, 0, &off, info.dataset_rules, &std_records, err);
    } else if (json_object_get(ev, "thbx_chunk") || json_object_get(ev, "summary") ||
               json_object_get(ev, "input")) {
      /* read in the first pass */
    } else if ((s = str(ev, "file"))) {
      free(file);
      file = strdup(s);
      if (!file || json_array_append_new(m->names, json_string(s)) != 0)
        rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      else if (!(is_std(s) && m->std_open))
        rc = thbx_report_file_begin(
            m->into, json_string_value(json_array_get(m->names, json_array_size(m->names) - 1)),
            err); /* ends an open "-" */
      m->std_open = 0;
    } else if ((s = str(ev, "end"))) {
      if (is_std(s))
        m->std_open = 1; /* the next chunk's "-" may continue it */
      else
        rc = thbx_report_file_end(m->into, err);
    } else if (json_object_get(ev, "issues")) {
      if (m->std_open && !file) {
        /* a file issue before any file of this chunk: not the open "-" */
        m->std_open = 0;
      }
      rc = replay_add(m, ev, file ? file : "-", &off, info.dataset_rules, &std_records, err);
    } else {
      rc = thbx_error_set(err, THBX_EPARSE, "%s:%ld: not a line of a chunk report", name, cr->no);
    }
    json_decref(ev);
  }
  free(file);
  if (rc == THBX_OK && info.has_std) {
    m->std_lines = off.lines + info.std_lines;
    m->std_records = off.records + std_records;
    m->std_seen = 1;
  }
  m->chunk++;
  return rc;
}

int thbx_report_merge_add(thbx_report_merge_t *m, FILE *chunk, const char *name,
                          thbx_error_t *err) {
  if (!m || !chunk)
    return thbx_error_set(err, THBX_EINVAL, "merge: bad arguments");
  struct chunk_reader cr = {.fp = chunk, .name = name ? name : "chunk", .end = -1};
  int rc;
  do {
    rc = merge_one(m, &cr, err);
    if (rc == THBX_OK && cr.end >= 0 && fseeko(chunk, cr.end, SEEK_SET) != 0)
      rc = thbx_error_set(err, THBX_EIO, "%s: cannot seek", cr.name);
  } while (rc == THBX_OK && cr.end >= 0);
  free(cr.line);
  return rc;
}
