/*
 * pipeline.c - the record pipeline every command is a configuration of:
 *
 *   source (a reader on one input) -> stages, in order -> sinks
 *
 * The source turns each record the reader returns (or fails to read) into
 * an item with its own copy of the raw bytes, its place and a sequence
 * number; a record that cannot be read becomes an item with an issue, so
 * that sinks see every record (accepted + rejected = input). Which statuses
 * mean "this record failed" (EPARSE, ELIMIT) and which "the stream stopped"
 * (EFATAL, EIO, ENOMEM) is decided here only.
 *
 * With jobs 1 everything runs on the caller's thread. With jobs N the
 * leading stateless stages run on N workers and workers.c hands the items
 * back in input order to the ordered stages and the sinks.
 */
#include "issue_merge.h"
#include "pipeline_internal.h"
#include "profile.h"
#include "reader.h"
#include "xsd_job.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void thbx_pipeline_options_default(thbx_pipeline_options_t *o) {
  memset(o, 0, sizeof(*o));
  thbx_reader_options_default(&o->reader);
  o->jobs = 1;
}

int thbx_pipeline_new(thbx_pipeline_t **out, const thbx_pipeline_options_t *options,
                      thbx_error_t *err) {
  if (!out)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: no output handle");
  *out = NULL;
  struct thbx_pipeline *p = calloc(1, sizeof(*p));
  if (!p)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (options)
    p->opt = *options;
  else
    thbx_pipeline_options_default(&p->opt);
  int jobs = p->opt.jobs;
  if (jobs <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n > 0 ? (int)n : 1;
  }
  if (jobs > 256)
    jobs = 256;
  p->jobs = jobs;
  thbx_buf_init(&p->csv_header);
  *out = p;
  return THBX_OK;
}

static void count_parallel(struct thbx_pipeline *p) {
  p->nparallel = 0;
  while (p->nparallel < p->nstages && p->stages[p->nparallel].ops.kind == THBX_STAGE_STATELESS)
    p->nparallel++;
}

static int add_stage(struct thbx_pipeline *p, const thbx_stage_ops_t *ops, void *state, int last,
                     thbx_error_t *err) {
  if (!p || !ops || !ops->apply || p->started) {
    if (ops && ops->free)
      ops->free(state);
    return thbx_error_set(err, THBX_EINVAL, "pipeline: a stage cannot be added now");
  }
  struct stage *s = realloc(p->stages, (p->nstages + 1) * sizeof(*s));
  if (!s) {
    if (ops->free)
      ops->free(state);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  p->stages = s;
  /* the convert stage stays last: a stage added after the writer runs before it */
  size_t at = p->nstages;
  while (!last && at > 0 && s[at - 1].last)
    at--;
  memmove(&s[at + 1], &s[at], (p->nstages - at) * sizeof(*s));
  s[at] = (struct stage){*ops, state, last};
  p->nstages++;
  count_parallel(p);
  return THBX_OK;
}

int thbx_pipeline_add_stage(thbx_pipeline_t *p, const thbx_stage_ops_t *ops, void *state,
                            thbx_error_t *err) {
  return add_stage(p, ops, state, 0, err);
}

int pipeline_add_last_stage(thbx_pipeline_t *p, const thbx_stage_ops_t *ops, void *state,
                            thbx_error_t *err) {
  return add_stage(p, ops, state, 1, err);
}

int thbx_pipeline_add_sink(thbx_pipeline_t *p, const thbx_sink_ops_t *ops, void *state,
                           thbx_error_t *err) {
  if (!p || !ops || !ops->item || p->started) {
    if (ops && ops->free)
      ops->free(state);
    return thbx_error_set(err, THBX_EINVAL, "pipeline: a sink cannot be added now");
  }
  struct sink *s = realloc(p->sinks, (p->nsinks + 1) * sizeof(*s));
  if (!s) {
    if (ops->free)
      ops->free(state);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  p->sinks = s;
  s[p->nsinks++] = (struct sink){*ops, state};
  return THBX_OK;
}

static void doc_texts_clear(struct thbx_pipeline *p);

void thbx_pipeline_free(thbx_pipeline_t *p) {
  if (!p)
    return;
  workers_free(p->workers);
  for (size_t i = 0; i < p->nstages; i++)
    if (p->stages[i].ops.free)
      p->stages[i].ops.free(p->stages[i].state);
  for (size_t i = 0; i < p->nsinks; i++)
    if (p->sinks[i].ops.free)
      p->sinks[i].ops.free(p->sinks[i].state);
  free(p->stages);
  free(p->sinks);
  for (size_t i = 0; i < p->nsources; i++)
    free(p->sources[i]);
  free(p->sources);
  thbx_buf_free(&p->csv_header);
  doc_texts_clear(p);
  free(p);
}

void thbx_pipeline_get_stats(const thbx_pipeline_t *p, thbx_pipeline_stats_t *stats) {
  if (p && stats)
    *stats = p->stats;
}

const thbx_profile_t *thbx_pipeline_profile(const thbx_pipeline_t *p) {
  return p ? p->opt.profile : NULL;
}

const char *thbx_pipeline_csv_header(const thbx_pipeline_t *p, size_t *length) {
  if (!p || !p->csv_header.data)
    return NULL;
  if (length)
    *length = p->csv_header.len;
  return p->csv_header.data;
}

int thbx_pipeline_jobs(const thbx_pipeline_t *p) { return p ? p->jobs : 1; }

/* ------------------------------------------------------------- stages */

static int run_stage(const struct stage *s, struct pitem *it) {
  thbx_item_t *item = &it->item;
  if (s->ops.skip_rejected && (item->nissues || item->unreadable))
    return THBX_OK;
  thbx_error_reset(&it->err);
  return s->ops.apply(s->state, item, &it->err);
}

/* NDJSON with -j N: the worker parses the line the reader only delimited,
 * as the reader would have (reader_ndjson_parse): the same value, or the
 * same unreadable record. */
static int parse_deferred(const struct thbx_pipeline *p, struct pitem *it) {
  thbx_item_t *item = &it->item;
  thbx_record_t rec;
  thbx_error_t perr;
  int rc = reader_ndjson_parse(&p->parse_limits, p->objects_only, item->source, item->index,
                               item->raw ? item->raw : "", item->raw_length, it->cr, item->line,
                               &rec, &perr);
  if (rc == THBX_OK) {
    item->value = rec.value;
    item->line = rec.line;
    item->column = rec.column;
    return THBX_OK;
  }
  if (rc != THBX_EPARSE && rc != THBX_ELIMIT) {
    it->err = perr;
    return rc;
  }
  item->unreadable = 1;
  item->line = perr.line;
  item->column = perr.column;
  if (pipeline_issue(item, THBX_ISSUE_UNREADABLE, rc == THBX_ELIMIT ? "limit" : "unreadable",
                     perr.line, perr.column, perr.instance_path, "",
                     perr.text[0] ? perr.text : "the record cannot be read") != THBX_OK) {
    thbx_error_set(&it->err, THBX_ENOMEM, "out of memory");
    return THBX_ENOMEM;
  }
  return THBX_OK;
}

/* The faults of the document reported for the current input. */
static void doc_texts_clear(struct thbx_pipeline *p) {
  for (size_t i = 0; i < p->ndoc_texts; i++)
    free(p->doc_texts[i]);
  free(p->doc_texts);
  p->doc_texts = NULL;
  p->ndoc_texts = 0;
}

void pipeline_run_parallel(const struct thbx_pipeline *p, struct pitem *it) {
  it->rc = THBX_OK;
  if (it->deferred) {
    it->deferred = 0;
    it->rc = parse_deferred(p, it);
  }
  if (it->xsd && it->rc == THBX_OK) {
    /* XML -j N: the record's XSD validation, as the reader would have */
    struct xsd_job *job = it->xsd;
    it->rc = xsd_job_run(job, it->item.source);
    for (size_t i = 0; it->rc == THBX_OK && i < job->nerrors; i++) {
      const thbx_error_t *x = &job->errors[i];
      if (pipeline_issue(&it->item, THBX_ISSUE_XSD, "xsd", x->line, x->column, x->instance_path, "",
                         x->text) != THBX_OK) {
        it->rc = THBX_ENOMEM;
        break;
      }
      it->item.issues[it->item.nissues - 1].value =
          issue_value_at(it->item.value, x->instance_path, "xsd");
    }
    /* faults of the document: pipeline_deliver reports each once */
    if (it->rc == THBX_OK && job->ndoc) {
      thbx_error_t *d = realloc(it->doc, (it->ndoc + job->ndoc) * sizeof(*d));
      if (!d) {
        it->rc = THBX_ENOMEM;
      } else {
        it->doc = d;
        memcpy(d + it->ndoc, job->doc_errors, job->ndoc * sizeof(*d));
        it->ndoc += job->ndoc;
      }
    }
    if (it->rc != THBX_OK)
      thbx_error_set(&it->err, it->rc, "out of memory");
    xsd_job_free(job);
    it->xsd = NULL;
  }
  for (size_t i = 0; i < p->nparallel && it->rc == THBX_OK; i++)
    it->rc = run_stage(&p->stages[i], it);
  it->bytes += it->item.out_length;
}

int pipeline_deliver(struct thbx_pipeline *p, struct pitem *it, thbx_error_t *err) {
  int rc = it->rc;
  if (rc != THBX_OK) {
    if (err)
      *err = it->err;
    pipeline_item_free(it);
    return rc;
  }
  if (p->stopped) { /* fail-fast: nothing after the first rejected item */
    pipeline_item_free(it);
    return THBX_OK;
  }
  for (size_t i = p->nparallel; i < p->nstages && rc == THBX_OK; i++)
    rc = run_stage(&p->stages[i], it);
  if (rc != THBX_OK) {
    if (err)
      *err = it->err;
    pipeline_item_free(it);
    return rc;
  }
  thbx_item_t *item = &it->item;
  /* one fault, one error: what the XSD and the JSON Schema both saw */
  issue_merge_xsd(item);
  for (size_t d = 0; d < it->ndoc && rc == THBX_OK; d++) {
    /* each fault of the document once per input, however many records'
     * checks met it (with -j N each record's check does) */
    int seen = 0;
    for (size_t k = 0; k < p->ndoc_texts && !seen; k++)
      seen = strcmp(p->doc_texts[k], it->doc[d].text) == 0;
    if (seen)
      continue;
    char **texts = realloc(p->doc_texts, (p->ndoc_texts + 1) * sizeof(*texts));
    if (!texts || !(texts[p->ndoc_texts] = strdup(it->doc[d].text))) {
      if (texts)
        p->doc_texts = texts;
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      break;
    }
    p->doc_texts = texts;
    p->ndoc_texts++;
    thbx_item_issue_t is = {0};
    is.kind = THBX_ISSUE_XSD;
    is.rule = "xsd";
    is.line = it->doc[d].line;
    is.column = it->doc[d].column;
    is.instance_path = "";
    is.schema_path = "";
    is.message = it->doc[d].text;
    for (size_t i = 0; i < p->nsinks && rc == THBX_OK; i++)
      if (p->sinks[i].ops.document_issue)
        rc = p->sinks[i].ops.document_issue(p->sinks[i].state, item->source, &is, err);
  }
  int rejected = item->nissues > 0 || item->unreadable;
  p->stats.records++;
  p->stats.rejected += rejected;
  p->stats.unreadable += item->unreadable;
  for (size_t i = 0; i < p->nsinks && rc == THBX_OK; i++)
    rc = p->sinks[i].ops.item(p->sinks[i].state, p, item, err);
  if (p->workers)
    workers_recycle(p->workers, it);
  else
    pipeline_item_free(it);
  if (rc == THBX_OK && rejected && p->opt.fail_fast)
    p->stopped = 1;
  return rc;
}

/* ------------------------------------------------------------- source */

static const char *keep_source(struct thbx_pipeline *p, const char *source) {
  if (p->nsources && strcmp(p->sources[p->nsources - 1], source) == 0)
    return p->sources[p->nsources - 1];
  char **s = realloc(p->sources, (p->nsources + 1) * sizeof(*s));
  if (!s)
    return NULL;
  p->sources = s;
  if (!(s[p->nsources] = strdup(source)))
    return NULL;
  return s[p->nsources++];
}

static int sinks_file_issue(struct thbx_pipeline *p, const char *source, const thbx_error_t *issue,
                            thbx_error_t *err) {
  int rc = THBX_OK;
  p->stats.file_issues++;
  for (size_t i = 0; i < p->nsinks && rc == THBX_OK; i++)
    if (p->sinks[i].ops.file_issue)
      rc = p->sinks[i].ops.file_issue(p->sinks[i].state, source, issue, err);
  return rc;
}

static int sinks_file_begin(struct thbx_pipeline *p, const char *source, thbx_format f,
                            thbx_error_t *err) {
  int rc = THBX_OK;
  for (size_t i = 0; i < p->nsinks && rc == THBX_OK; i++)
    if (p->sinks[i].ops.file_begin)
      rc = p->sinks[i].ops.file_begin(p->sinks[i].state, source, f, err);
  return rc;
}

static int sinks_file_end(struct thbx_pipeline *p, const char *source, thbx_error_t *err) {
  int rc = THBX_OK;
  for (size_t i = 0; i < p->nsinks; i++) {
    if (!p->sinks[i].ops.file_end)
      continue;
    int r = p->sinks[i].ops.file_end(p->sinks[i].state, source, rc == THBX_OK ? err : NULL);
    if (rc == THBX_OK)
      rc = r;
  }
  return rc;
}

static int keep_header(struct thbx_pipeline *p, thbx_reader_t *reader) {
  if (p->csv_header.data || p->format != THBX_FORMAT_CSV)
    return 0;
  size_t len = 0;
  const char *h = thbx_reader_header(reader, &len);
  if (!h)
    return 0;
  return thbx_buf_append(&p->csv_header, h, len);
}

static int has_stage(const struct thbx_pipeline *p, const char *name) {
  for (size_t i = 0; i < p->nstages; i++)
    if (p->stages[i].ops.name && strcmp(p->stages[i].ops.name, name) == 0)
      return 1;
  return 0;
}

/* An item from what the reader returned: a record (rc THBX_OK) or a record
 * that cannot be read (EPARSE, ELIMIT). */
static int make_item(struct thbx_pipeline *p, thbx_reader_t *reader, int rc,
                     const thbx_record_t *rec, const thbx_error_t *rerr, const char *source,
                     long count, struct pitem **out, thbx_error_t *err) {
  struct pitem *it = calloc(1, sizeof(*it));
  if (!it)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_item_t *item = &it->item;
  item->source = source;
  item->seq = p->seq++;
  item->format = p->format;
  size_t len = 0;
  const char *raw = thbx_reader_raw(reader, &len);
  if (raw) {
    item->raw = malloc(len + 1);
    if (!item->raw)
      goto nomem;
    memcpy(item->raw, raw, len);
    item->raw[len] = '\0';
    item->raw_length = len;
    it->bytes = len;
  }
  if (rc == THBX_OK) {
    item->value = rec->value;
    item->line = rec->line;
    item->column = rec->column;
    item->index = rec->index;
    if (!rec->value && p->format == THBX_FORMAT_NDJSON) {
      it->deferred = 1; /* defer_parse: a worker parses the line */
      it->cr = reader_deferred_cr(reader);
    }
  } else {
    item->unreadable = 1;
    item->line = rerr->line;
    item->column = rerr->column;
    item->index = rerr->record_index >= 0 ? rerr->record_index : count - 1;
    if (pipeline_issue(item, THBX_ISSUE_UNREADABLE, rc == THBX_ELIMIT ? "limit" : "unreadable",
                       rerr->line, rerr->column, rerr->instance_path, "",
                       rerr->text[0] ? rerr->text : "the record cannot be read") != THBX_OK)
      goto nomem;
    const char *bad = thbx_reader_error_value(reader);
    if (bad && !(item->issues[item->nissues - 1].value = strdup(bad)))
      goto nomem;
  }
  if (p->xsd && rc == THBX_OK)
    it->xsd = reader_take_xsd_job(reader); /* defer_xsd: a worker validates */
  if (rc == THBX_OK)
    item->locator = thbx_reader_locator(reader); /* CSV cells, XML elements */
  /* CSV cells not of their type: the record holds them as strings. With a
   * JSON Schema stage its type errors say so, at the cell; else (convert)
   * the reader's cell errors reject the item, every bad cell said */
  const thbx_error_t *ce = NULL;
  size_t nce = 0;
  if (rc == THBX_OK && !has_stage(p, "jsonschema") &&
      thbx_reader_cell_errors(reader, &ce, &nce) == THBX_OK)
    for (size_t i = 0; i < nce; i++) {
      if (pipeline_issue(item, THBX_ISSUE_SCHEMA, "type", ce[i].line, ce[i].column,
                         ce[i].instance_path, "", ce[i].text) != THBX_OK)
        goto nomem;
      const char *cv = thbx_reader_cell_value(reader, i);
      if (cv && !(item->issues[item->nissues - 1].value = strdup(cv)))
        goto nomem;
    }
  /* XSD errors found while reading (XML input with an XSD stage) */
  const thbx_error_t *xe = NULL;
  size_t n = 0;
  if (p->xsd && thbx_reader_xsd_errors(reader, &xe, &n) == THBX_OK && xe) {
    for (size_t i = 0; i < n; i++) {
      if (pipeline_issue(item, THBX_ISSUE_XSD, "xsd", xe[i].line, xe[i].column, xe[i].instance_path,
                         xe[i].schema_path, xe[i].text) != THBX_OK)
        goto nomem;
      /* the offending value, from the record (issue_merge.c) */
      item->issues[item->nissues - 1].value =
          issue_value_at(item->value, xe[i].instance_path, "xsd");
    }
  }
  /* faults of the document found while reading this item: the sinks get
   * them once, before it (pipeline_deliver) */
  const thbx_error_t *de = NULL;
  if (p->xsd && thbx_reader_document_errors(reader, &de, &n) == THBX_OK && n > p->doc_seen) {
    it->doc = malloc((n - p->doc_seen) * sizeof(*it->doc));
    if (!it->doc)
      goto nomem;
    for (; p->doc_seen < n; p->doc_seen++)
      it->doc[it->ndoc++] = de[p->doc_seen];
  }
  *out = it;
  return THBX_OK;
nomem:
  pipeline_item_free(it);
  return thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

static int submit(struct thbx_pipeline *p, struct pitem *it, thbx_error_t *err) {
  if (p->workers)
    return workers_submit(p->workers, it, err);
  pipeline_run_parallel(p, it);
  return pipeline_deliver(p, it, err);
}

static int drain(struct thbx_pipeline *p, thbx_error_t *err) {
  return p->workers ? workers_drain(p->workers, err) : THBX_OK;
}

static int interrupted(const struct thbx_pipeline *p) {
  return p->opt.interrupted && *p->opt.interrupted;
}

int thbx_pipeline_run(thbx_pipeline_t *p, FILE *in, const char *source, thbx_format format,
                      thbx_error_t *err) {
  if (!p || !in || p->finished)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: bad arguments to run");
  if (!source)
    source = "-";
  if (!p->started) {
    p->started = 1;
    if (p->jobs > 1 && p->nparallel > 0) {
      int rc = workers_new(&p->workers, p, p->jobs, err);
      if (rc != THBX_OK)
        return rc;
    }
  }
  if (p->stopped)
    return THBX_OK;
  if (interrupted(p))
    return thbx_error_set(err, THBX_EINTR, "interrupted");
  source = keep_source(p, source);
  if (!source)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  p->stats.files++;
  thbx_buf_reset(&p->csv_header);
  free(p->csv_header.data);
  thbx_buf_init(&p->csv_header);

  const struct thbx_profile *profile = p->opt.profile;
  thbx_reader_options_t ro = p->opt.reader;
  if (format != THBX_FORMAT_AUTO)
    ro.format = format;
  ro.validate_xsd = p->xsd && profile && profile->xsd && !p->opt.read_generic;
  /* a profile carrying only an XSD (validate --profile none --schema X.xsd)
   * converts generically but validates against its XSD */
  ro.profile = profile && (profile->schema || ro.validate_xsd) ? profile : NULL;
  if (p->opt.read_generic)
    ro.profile = NULL; /* a national format: the mapping stage makes the records */
  /* with workers, NDJSON lines are parsed on them */
  ro.defer_parse = p->workers != NULL;
  ro.defer_xsd = p->workers != NULL && ro.validate_xsd;
  p->objects_only = ro.profile != NULL;

  thbx_reader_t *reader = NULL;
  thbx_error_t rerr;
  thbx_error_clear(&rerr);
  int rc = thbx_reader_open(&reader, in, source, &ro, &rerr);
  if (rc != THBX_OK) {
    if (!rerr.source[0])
      thbx_strlcpy(rerr.source, source, sizeof(rerr.source));
    p->format = THBX_FORMAT_AUTO;
    int rc2 = sinks_file_begin(p, source, THBX_FORMAT_AUTO, err);
    if (rc2 == THBX_OK)
      rc2 = sinks_file_issue(p, source, &rerr, err);
    if (rc2 == THBX_OK)
      rc2 = sinks_file_end(p, source, NULL);
    if (rc2 != THBX_OK)
      return rc2;
    if (err)
      *err = rerr;
    return rc;
  }
  p->format = thbx_reader_format(reader);
  p->doc_seen = 0;
  doc_texts_clear(p);
  p->parse_limits = *reader_limits(reader);
  rc = sinks_file_begin(p, source, p->format, err);
  long count = 0;
  while (rc == THBX_OK && !p->stopped) {
    if (interrupted(p)) {
      rc = thbx_error_set(err, THBX_EINTR, "interrupted");
      break;
    }
    thbx_record_t rec = {0};
    thbx_error_reset(&rerr);
    int r = thbx_reader_next(reader, &rec, &rerr);
    if (r == THBX_EOF)
      break;
    if (keep_header(p, reader) != 0) {
      json_decref(rec.value);
      rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
      break;
    }
    if (r != THBX_OK && r != THBX_EPARSE && r != THBX_ELIMIT) {
      /* the stream cannot go on: an issue of the whole input, after the
       * records read before it */
      if (!rerr.source[0])
        thbx_strlcpy(rerr.source, source, sizeof(rerr.source));
      rc = drain(p, err);
      if (rc == THBX_OK)
        rc = sinks_file_issue(p, source, &rerr, err);
      if (rc == THBX_OK) {
        if (err)
          *err = rerr;
        rc = r == THBX_ENOMEM || r == THBX_EIO ? r : THBX_EFATAL;
      }
      break;
    }
    count++;
    struct pitem *it = NULL;
    rc = make_item(p, reader, r, &rec, &rerr, source, count, &it, err);
    if (rc != THBX_OK) {
      json_decref(rec.value);
      break;
    }
    rc = submit(p, it, err);
  }
  if (rc == THBX_OK || rc == THBX_EFATAL || rc == THBX_EIO) {
    thbx_error_t derr;
    int r = drain(p, &derr);
    if (r != THBX_OK) {
      if (err)
        *err = derr;
      rc = r;
    }
  } else if (p->workers) {
    workers_discard(p->workers);
  }
  if (p->stopped && p->workers)
    workers_discard(p->workers);
  /* a CSV input with a header and no rows still has a header */
  if (rc == THBX_OK && keep_header(p, reader) != 0)
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_reader_free(reader);
  if (rc == THBX_OK || rc == THBX_EFATAL || rc == THBX_EIO) {
    thbx_error_t ferr;
    thbx_error_clear(&ferr);
    int r = sinks_file_end(p, source, &ferr);
    if (r != THBX_OK && rc == THBX_OK) {
      if (err)
        *err = ferr;
      rc = r;
    }
  }
  return rc;
}

int thbx_pipeline_finish(thbx_pipeline_t *p, int complete, thbx_error_t *err) {
  if (!p)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: bad arguments to finish");
  if (p->finished)
    return THBX_OK;
  p->finished = 1;
  int rc = THBX_OK;
  if (p->workers)
    workers_discard(p->workers);
  for (size_t i = 0; i < p->nstages && rc == THBX_OK; i++)
    if (p->stages[i].ops.finish)
      rc = p->stages[i].ops.finish(p->stages[i].state, err);
  if (rc != THBX_OK)
    complete = 0;
  for (size_t i = 0; i < p->nsinks; i++) {
    if (!p->sinks[i].ops.finish)
      continue;
    int r = p->sinks[i].ops.finish(p->sinks[i].state, complete, rc == THBX_OK ? err : NULL);
    if (rc == THBX_OK)
      rc = r;
  }
  return rc;
}

int thbx_pipeline_stopped(const thbx_pipeline_t *p) { return p ? p->stopped : 0; }
