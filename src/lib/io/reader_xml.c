/*
 * reader_xml.c - XML records, streaming with libxml2's xmlTextReader: the
 * document element holds one record per child element; each record subtree
 * is expanded, turned into a json_t (xml/xml_to_json.c), validated against
 * the profile's XSD when asked (xml/xml_xsd.c), and freed before the next
 * one is read.
 *
 * libxml2 pulls the input through io_read(), which runs the byte scanner
 * (xml/xml_scan.c) over every byte first: it refuses DOCTYPEs before libxml2
 * sees them, delimits each record's raw bytes and notes where each element
 * starts. Every call into libxml2 is inside a refusing guard
 * (xml/xml_guard.c): nothing is loaded on behalf of an input.
 */
#include "reader.h"
#include "xml_copy.h"
#include "xml_guard.h"
#include "xml_scan.h"
#include "xml_to_json.h"
#include "xml_xsd.h"
#include "xsd_job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#define MAX_XSD_ERRORS_PER_RECORD 1000

struct xml_state {
  struct thbx_reader *r;
  xmlTextReaderPtr xr;
  xmlSchemaValidCtxtPtr vctxt; /* the profile's compiled XSD, this reader's context */

  struct xml_scan sc; /* the byte scanner: records, positions, refusals */
  int first_bytes_checked;
  int io_error; /* errno of a read error, ENOMEM, or -2: UTF-16/32 */

  /* libxml2 errors */
  int fatal;
  struct xml_pos fatal_pos;
  char fatal_msg[THBX_ERROR_TEXT_LENGTH];

  /* walking */
  int started;       /* the first Read happened */
  int at;            /* 1: the xmlTextReader is on a record start, 0: need to move, -1 EOF,
                        -2 fatal */
  int on_fresh_node; /* after Next: the current node is not examined yet */
  /* the document element is not the profile's (its name or namespace): a
   * fault of the document, said once; its children are still read as
   * records, each validated on its own (not under the foreign element) */
  int root_foreign;
  int root_checked; /* check_root() ran */
  /* after a fatal error the xmlTextReader stops, but the records that ended
   * before the error are whole in the tree: they are walked from there */
  int fallback;
  xmlNodePtr fb;   /* the next record's element in fallback */
  xmlDocPtr doc;   /* taken from the reader for the fallback: ours to free */
  thbx_buf_t text; /* scratch for element text */
  thbx_buf_t key;  /* scratch for generic keys */
  thbx_buf_t path; /* scratch for the walk's JSON Pointers */
};

static void error_value(void *ctx, const char *text, size_t len) {
  reader_error_value(ctx, text, len);
}

/* The walk tells where each value of the record comes from (locator.c). */
static int note_value(void *ctx, const char *pointer, size_t len, const char *name, long line,
                      long col) {
  struct thbx_reader *r = ctx;
  return reader_loc_add(&r->loc, pointer, len, name, line, col);
}

static void on_error(void *ctx, xmlErrorPtr e);
/* Inside libxml2 for this reader: nothing may be loaded, parser errors are ours. */
#define enter(s) xml_guard_enter(1, on_error, (s))

/* libxml2 pulls its input through here. */
static int io_read(void *ctx, char *buf, int len) {
  struct xml_state *s = ctx;
  if (s->sc.doctype || s->io_error)
    return -1;
  if (len <= 0)
    return 0;
  reader_input_t *in = &s->r->in;
  if (!s->first_bytes_checked) {
    long avail = reader_input_fill(in, 4);
    if (avail < 0) {
      s->io_error = in->err_no ? in->err_no : EIO;
      return -1;
    }
    const unsigned char *b = in->buf + in->pos;
    if (avail >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) ||
                       (b[0] == 0 && b[1] == '<') || (b[0] == '<' && b[1] == 0))) {
      s->io_error = -2; /* UTF-16/32 */
      return -1;
    }
    s->first_bytes_checked = 1;
  }
  long avail = reader_input_fill(in, 1);
  if (avail < 0) {
    s->io_error = in->err_no ? in->err_no : EIO;
    return -1;
  }
  size_t n = (size_t)avail < (size_t)len ? (size_t)avail : (size_t)len;
  if (n == 0)
    return 0;
  const unsigned char *p = in->buf + in->pos;
  if (xml_scan_feed(&s->sc, p, n) != 0) {
    if (s->sc.nomem)
      s->io_error = ENOMEM;
    return -1;
  }
  memcpy(buf, p, n);
  in->pos += n;
  return (int)n;
}

static int io_close(void *ctx) {
  (void)ctx;
  return 0;
}

/* ------------------------------------------------------------ libxml2 errors */

/* Mark the stream fatal at `p`. A refused DOCTYPE or a read error is the
 * real cause whatever libxml2 says next: fill its message and return 1;
 * return 0 when the caller has to say what broke. */
static int set_fatal_cause(struct xml_state *s, struct xml_pos p) {
  s->fatal = 1;
  s->fatal_pos = p;
  if (s->sc.doctype) {
    s->fatal_pos = s->sc.doctype_pos;
    thbx_strlcpy(s->fatal_msg, s->sc.refused, sizeof(s->fatal_msg));
  } else if (s->io_error == -2) {
    thbx_strlcpy(s->fatal_msg, "only UTF-8 XML is supported (this looks like UTF-16)",
                 sizeof(s->fatal_msg));
  } else if (s->io_error) {
    snprintf(s->fatal_msg, sizeof(s->fatal_msg), "cannot read: %s", strerror(s->io_error));
  } else {
    return 0;
  }
  return 1;
}

static void on_error(void *ctx, xmlErrorPtr e) {
  struct xml_state *s = ctx;
  if (!e || e->level == XML_ERR_WARNING)
    return;
  struct xml_pos p = {e->line, e->int2};
  if (e->domain == XML_FROM_SCHEMASV || e->domain == XML_FROM_SCHEMASP ||
      e->domain == XML_FROM_VALID)
    return; /* not the parser's: XSD errors come through xml/xml_xsd.c */
  if (s->fatal)
    return; /* the first one is the one that matters */
  if (!set_fatal_cause(s, p))
    xml_clean_message(s->fatal_msg, sizeof(s->fatal_msg), e->message);
}

/* ---------------------------------------------------------------- open/free */

static void xml_free(struct thbx_reader *r) {
  struct xml_state *s = r->state;
  if (!s)
    return;
  struct xml_guard g = enter(s);
  if (s->xr && s->vctxt)
    xmlTextReaderSchemaValidateCtxt(s->xr, NULL, 0);
  if (s->xr)
    xmlFreeTextReader(s->xr);
  if (s->doc)
    xmlFreeDoc(s->doc);
  if (s->vctxt)
    xmlSchemaFreeValidCtxt(s->vctxt);
  xml_guard_leave(g);
  xml_scan_free(&s->sc);
  thbx_buf_free(&s->text);
  thbx_buf_free(&s->key);
  thbx_buf_free(&s->path);
  free(s);
  r->state = NULL;
}

/* The profile's XSD, compiled once per process (xml/xsd_compile.c); each
 * reader has its own validation context. */
static int compile_xsd(struct thbx_reader *r, struct xml_state *s, thbx_error_t *err) {
  void *schema = NULL;
  int rc = profile_xsd_schema(r->profile, &schema, err);
  if (rc != THBX_OK || !schema)
    return rc;
  s->vctxt = xmlSchemaNewValidCtxt(schema);
  if (!s->vctxt)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static int xml_open(struct thbx_reader *r, thbx_error_t *err) {
  thbx_xml_install_loader();
  struct xml_state *s = calloc(1, sizeof(*s));
  if (!s)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  r->state = s;
  s->r = r;
  xml_scan_init(&s->sc, r->opt.limits.max_record_bytes);
  if (r->shape) {
    s->sc.record_name = r->shape->xml_name ? r->shape->xml_name : "record";
    s->sc.root_name = r->shape->xml_root ? r->shape->xml_root : "records";
  }
  thbx_buf_init(&s->text);
  thbx_buf_init(&s->key);
  thbx_buf_init(&s->path);
  int rc = THBX_OK;
  if (r->opt.validate_xsd && r->profile) {
    rc = compile_xsd(r, s, err);
    if (rc != THBX_OK)
      return rc;
  }
  int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
#if LIBXML_VERSION >= 21300
  options |= XML_PARSE_NO_XXE;
#endif
  /* never XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR, XML_PARSE_DTDVALID,
   * XML_PARSE_HUGE, XML_PARSE_XINCLUDE */
  struct xml_guard g = enter(s);
  s->xr = xmlReaderForIO(io_read, io_close, s, r->source, NULL, options);
  if (s->xr)
    xmlTextReaderSetStructuredErrorHandler(s->xr, on_error, s);
  xml_guard_leave(g);
  if (!s->xr)
    return thbx_error_set(err, THBX_ENOMEM, "cannot create the XML reader");
  return rc;
}

/* The record's raw bytes [p, p+n) for r->raw, with the namespace
 * declarations it takes from its ancestors (the input's root) added to its
 * start tag, so that the bytes alone, in a reject or accept file under a
 * root of their own, mean what they meant in the input (a record spelled
 * <t:record> under <t:records xmlns:t="...">). The default namespace the
 * writer of such files declares (`ns`, the profile's) is not repeated. */
static int raw_record(thbx_buf_t *out, xmlNodePtr node, const char *ns, const char *p, size_t n) {
  if (n == 0)
    return 0;
  size_t name = 1;
  while (name < n && p[name] != ' ' && p[name] != '\t' && p[name] != '\r' && p[name] != '\n' &&
         p[name] != '/' && p[name] != '>')
    name++;
  if (thbx_buf_append(out, p, name) != 0)
    return -1;
  int bad = 0;
  for (xmlNodePtr a = node ? node->parent : NULL; a && a->type == XML_ELEMENT_NODE; a = a->parent)
    for (xmlNsPtr d = a->nsDef; d; d = d->next) {
      const char *href = d->href ? (const char *)d->href : "";
      if (xmlSearchNs(node->doc, node, d->prefix) != d)
        continue; /* shadowed by a nearer declaration */
      if (!d->prefix && strcmp(href, ns ? ns : "") == 0)
        continue; /* the file's root declares it */
      if (d->prefix && !*href)
        continue;
      bad |= thbx_buf_puts(out, " xmlns");
      if (d->prefix)
        bad |= thbx_buf_printf(out, ":%s", (const char *)d->prefix);
      bad |= thbx_buf_puts(out, "=\"");
      for (const char *c = href; *c; c++)
        bad |= *c == '"'   ? thbx_buf_puts(out, "&quot;")
               : *c == '&' ? thbx_buf_puts(out, "&amp;")
               : *c == '<' ? thbx_buf_puts(out, "&lt;")
                           : thbx_buf_putc(out, *c);
      bad |= thbx_buf_putc(out, '"');
    }
  if (bad)
    return -1;
  return thbx_buf_append(out, p + name, n - name);
}

/* ------------------------------------------------------------------- XSD */

static int add_xsd_error(void *ctx, const thbx_error_t *e) { return reader_add_xsd_error(ctx, e); }

static int add_document_error(void *ctx, const thbx_error_t *e) {
  return reader_add_document_error(ctx, e);
}

static int validate_record(struct thbx_reader *r, struct xml_state *s, struct xml_rec *xrec,
                           xmlNodePtr node) {
  struct xml_xsd_check c = {.vctxt = s->vctxt,
                            .scan = &s->sc,
                            .rec = xrec,
                            .source = r->source,
                            .record_index = r->index,
                            .max_errors = MAX_XSD_ERRORS_PER_RECORD,
                            .add = add_xsd_error,
                            .add_document = add_document_error,
                            .ctx = r,
                            .shape = r->shape,
                            .root = s->sc.root_pos,
                            .alone = s->root_foreign};
  struct xml_guard g = enter(s);
  int rc = xml_xsd_validate_record(&c, node);
  xml_guard_leave(g);
  return rc;
}

/* defer_xsd (-j N): the same copy validate_record() validates, and the
 * places of the record's start tags, for a worker to validate with the same
 * errors at the same places (xml/xsd_job.c). */
static int defer_record(struct xml_state *s, struct xml_rec *xrec, xmlNodePtr node) {
  struct thbx_reader *r = s->r;
  xmlNodePtr root = node->parent;
  /* a document of one record, or a record under a foreign document element */
  int alone = s->root_foreign || !root || root->type != XML_ELEMENT_NODE;
  struct xsd_job *job = calloc(1, sizeof(*job));
  if (!job)
    return THBX_ENOMEM;
  /* the copy in one block where it can be (xml/xml_copy.c), else libxml2's */
  struct xml_copy flat;
  int declined = alone ? 1 : xml_copy_record(&flat, root, node);
  if (declined < 0) {
    xsd_job_free(job);
    return THBX_ENOMEM;
  }
  xmlNodePtr copy = NULL;
  if (!declined) {
    job->doc = flat.doc;
    job->block = flat.block;
    copy = flat.node;
  } else {
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    job->doc = doc;
    xmlNodePtr top = doc && !alone ? xmlDocCopyNode(root, doc, 2) : NULL;
    if (top)
      xmlDocSetRootElement(doc, top);
    copy = doc && (top || alone) ? xmlDocCopyNode(node, doc, 1) : NULL;
    if (copy && top)
      xmlAddChild(top, copy);
    else if (copy)
      xmlDocSetRootElement(doc, copy);
  }
  job->copy = copy;
  size_t n = xrec->npos;
  job->lines = malloc((n ? n : 1) * sizeof(long));
  job->cols = malloc((n ? n : 1) * sizeof(long));
  if (!copy || !job->lines || !job->cols ||
      profile_xsd_schema(r->profile, &job->schema, NULL) != THBX_OK || !job->schema) {
    xsd_job_free(job);
    return THBX_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    struct xml_pos p = xml_scan_elem_pos(&s->sc, xrec, i);
    job->lines[i] = p.line;
    job->cols[i] = p.col;
  }
  job->npos = n;
  job->start_line = xrec->start.line;
  job->start_col = xrec->start.col;
  job->index = r->index;
  job->shape = r->shape;
  job->root_line = s->sc.root_pos.line;
  job->root_col = s->sc.root_pos.col;
  reader_set_xsd_job(r, job);
  return THBX_OK;
}

/* ---------------------------------------------------------------- reading */

/* Make sure the fatal error is filled in (s->at -2). */
static void fatal_state(struct xml_state *s) {
  s->at = -2;
  if (!s->fatal) {
    if (!set_fatal_cause(s, (struct xml_pos){s->sc.line, s->sc.col}))
      thbx_strlcpy(s->fatal_msg, "the XML document cannot be read", sizeof(s->fatal_msg));
  }
}

static int fatal(struct thbx_reader *r, struct xml_state *s, thbx_error_t *err) {
  fatal_state(s);
  int status = (s->io_error > 0 && !s->sc.doctype) ? THBX_EIO : THBX_EFATAL;
  reader_error(r, err, status, s->fatal_pos.line, s->fatal_pos.col, "%s", s->fatal_msg);
  if (err)
    err->record_index = -1;
  return status;
}

static int set_fatal(struct xml_state *s, struct xml_pos p, const char *fmt, ...) THBX_PRINTF(3, 4);
static int set_fatal(struct xml_state *s, struct xml_pos p, const char *fmt, ...) {
  if (!s->fatal) {
    s->fatal = 1;
    s->fatal_pos = p;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->fatal_msg, sizeof(s->fatal_msg), fmt, ap);
    va_end(ap);
  }
  s->at = -2;
  return -2;
}

/* Check the document element. A foreign one (another name or namespace)
 * is a fault of the document, not of its records: said once (a document
 * error when the XSD is checked, else a warning) and reading goes on, each
 * child judged on its own. Returns 0 (-2: out of memory, reading stops). */
static int check_root(struct thbx_reader *r, struct xml_state *s, const char *name,
                      const char *href) {
  if (s->root_checked)
    return 0;
  s->root_checked = 1;
  if (!r->shape || s->sc.root_is_record)
    return 0; /* a document of one record: its own name and namespace are the record's */
  const char *want = r->shape->xml_root ? r->shape->xml_root : "records";
  const char *ns = r->shape->xml_namespace;
  char text[THBX_ERROR_TEXT_LENGTH];
  if (!name || strcmp(name, want) != 0)
    snprintf(text, sizeof(text),
             "the document element is '%s', expected '%s' (its children are read as records)",
             name ? name : "", want);
  else if ((ns && (!href || strcmp(href, ns) != 0)) || (!ns && href))
    snprintf(text, sizeof(text),
             "the document element '%s' is in %s%s%s, expected %s%s%s (its children are read "
             "as records)",
             name, href ? "namespace '" : "no namespace", href ? href : "", href ? "'" : "",
             ns ? "namespace '" : "no namespace", ns ? ns : "", ns ? "'" : "");
  else
    return 0;
  s->root_foreign = 1;
  if (!r->opt.validate_xsd) {
    reader_warning(r, s->sc.root_pos.line, s->sc.root_pos.col, "%s", text);
    return 0;
  }
  thbx_error_t e;
  thbx_error_clear(&e);
  thbx_error_at(&e, r->source, s->sc.root_pos.line, s->sc.root_pos.col);
  thbx_strlcpy(e.text, text, sizeof(e.text));
  if (reader_add_document_error(r, &e) != THBX_OK)
    return set_fatal(s, s->sc.root_pos, "out of memory");
  return 0;
}

static char processed_marker; /* node->_private of records already read */

/* In fallback: the record `seq` is at the first unread element from `from`
 * (NULL: the document element's first child) if the scanner saw it end
 * before the fatal error. Sets s->at 1 or -2. */
static void fallback_find(struct thbx_reader *r, struct xml_state *s, xmlNodePtr from, long seq) {
  s->at = -2;
  struct xml_rec *x = xml_scan_rec(&s->sc, seq);
  if (!x || !x->complete || !s->fatal || xml_pos_le(s->fatal_pos, x->end))
    return;
  if (!from) {
    if (!s->doc)
      s->doc = xmlTextReaderCurrentDoc(s->xr);
    xmlNodePtr root = s->doc ? xmlDocGetRootElement(s->doc) : NULL;
    if (!root)
      return;
    /* the reader may have failed before showing the document element */
    if (check_root(r, s, (const char *)root->name, root->ns ? (const char *)root->ns->href : NULL))
      return;
    from = root->children;
  }
  s->fallback = 1;
  for (xmlNodePtr c = from; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && c->_private != &processed_marker) {
      s->fb = c;
      s->at = 1;
      return;
    }
  }
}

/* Move the xmlTextReader to the next record's start tag. Sets s->at to 1
 * (there), -1 (end of document) or -2 (fatal). */
static void advance(struct thbx_reader *r, struct xml_state *s) {
  struct xml_guard g = enter(s);
  for (;;) {
    int ret = 1;
    if (!s->on_fresh_node)
      ret = xmlTextReaderRead(s->xr);
    s->on_fresh_node = 0;
    if (ret < 0 && !s->sc.seen_root && !s->sc.nonblank && !s->sc.doctype && !s->io_error) {
      s->fatal = 0; /* "document is empty": an empty input has no records */
      s->at = -1;
      break;
    }
    if (ret < 0 || s->sc.doctype || s->io_error) {
      fatal_state(s);
      if (!s->sc.doctype && !s->io_error)
        fallback_find(r, s, NULL, s->sc.qseq0);
      break;
    }
    if (ret == 0) {
      if (!s->sc.seen_root && !s->sc.nonblank) {
        s->at = -1; /* an empty input: no records */
        break;
      }
      if (!s->sc.seen_root) {
        set_fatal(s, (struct xml_pos){s->sc.line, s->sc.col}, "no document element");
        break;
      }
      s->at = -1;
      break;
    }
    int type = xmlTextReaderNodeType(s->xr);
    int depth = xmlTextReaderDepth(s->xr);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      s->sc.doctype = 1;
      set_fatal(s, s->sc.root_pos, XML_SCAN_DOCTYPE_MSG);
      break;
    }
    if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
      set_fatal(s, (struct xml_pos){s->sc.line, s->sc.col}, "entity references are not allowed");
      break;
    }
    if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) && depth == 1) {
      /* text between records belongs to no record: refuse the file rather
       * than drop it silently (nothing is lost without a word) */
      const xmlChar *v = xmlTextReaderConstValue(s->xr);
      int blank = 1;
      for (const xmlChar *p = v; p && *p && blank; p++)
        blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
      if (!blank) {
        /* located at the document element: libxml2 has read ahead of the
         * text, so the place where reading stands would be misleading */
        set_fatal(s, s->sc.root_pos,
                  "the document element holds text outside any record (it would be lost)");
        break;
      }
      continue;
    }
    if (type != XML_READER_TYPE_ELEMENT)
      continue;
    if (depth == 0) {
      if (check_root(r, s, (const char *)xmlTextReaderConstLocalName(s->xr),
                     (const char *)xmlTextReaderConstNamespaceUri(s->xr)) != 0)
        break;
      if (s->sc.root_is_record) {
        s->at = 1; /* the document element is the one record */
        break;
      }
      continue;
    }
    if (depth == 1) {
      s->at = 1;
      break;
    }
  }
  xml_guard_leave(g);
}

/* Move past the current record (its subtree is freed). */
static void skip_record(struct thbx_reader *r, struct xml_state *s) {
  struct xml_guard g = enter(s);
  int ret = xmlTextReaderNext(s->xr);
  xml_guard_leave(g);
  if (ret < 0 || s->fatal) {
    s->on_fresh_node = 0;
    fatal_state(s);
    fallback_find(r, s, NULL, s->sc.qseq0 + 1);
  } else if (ret == 0) {
    s->on_fresh_node = 0;
    s->at = -1;
  } else {
    s->on_fresh_node = 1;
    s->at = 0;
  }
}

static int xml_next(struct thbx_reader *r, thbx_record_t *rec, thbx_error_t *err) {
  struct xml_state *s = r->state;
  if (s->at == -2)
    return fatal(r, s, err);
  if (s->at == 0 || !s->started) {
    s->started = 1;
    advance(r, s);
  }
  if (s->at == -1) {
    if (s->fatal)
      return fatal(r, s, err);
    return THBX_EOF;
  }
  if (s->at == -2)
    return fatal(r, s, err);

  /* the xmlTextReader is on a record's start tag: the scanner's oldest */
  long seq = s->sc.qseq0;
  struct xml_rec *xrec = xml_scan_rec(&s->sc, seq);
  if (!xrec)
    return set_fatal(s, (struct xml_pos){s->sc.line, s->sc.col}, "records cannot be delimited"),
           fatal(r, s, err);
  rec->line = xrec->start.line;
  rec->column = xrec->start.col;

  int status = THBX_OK;
  json_t *value = NULL;
  struct xml_walk w = {.scan = &s->sc,
                       .rec = xrec,
                       .source = r->source,
                       .record_index = r->index,
                       .limits = &r->opt.limits,
                       .ns = r->shape ? r->shape->xml_namespace : NULL,
                       .text = &s->text,
                       .key = &s->key,
                       .err = err,
                       .note = note_value,
                       .note_ctx = r,
                       .value = error_value,
                       .path = &s->path};
  if (xrec->oversize) {
    status = reader_error(r, err, THBX_ELIMIT, xrec->start.line, xrec->start.col,
                          "record is larger than max_record_bytes (%zu)",
                          r->opt.limits.max_record_bytes);
  }
  xmlNodePtr node = s->fb;
  if (!s->fallback) {
    struct xml_guard g = enter(s);
    node = xrec->oversize ? xmlTextReaderCurrentNode(s->xr) : xmlTextReaderExpand(s->xr);
    xml_guard_leave(g);
  }
  /* expanding reads on, and the scanner may grow (realloc) the queue that
   * xrec points into */
  xrec = xml_scan_rec(&s->sc, seq);
  if (!xrec)
    return set_fatal(s, (struct xml_pos){s->sc.line, s->sc.col}, "records cannot be delimited"),
           fatal(r, s, err);
  w.rec = xrec;
  if (xrec->oversize && status == THBX_OK) /* found out while expanding */
    status = reader_error(r, err, THBX_ELIMIT, xrec->start.line, xrec->start.col,
                          "record is larger than max_record_bytes (%zu)",
                          r->opt.limits.max_record_bytes);
  if (!node && !s->fallback && s->fatal && xrec->complete && !xml_pos_le(s->fatal_pos, xrec->end))
    node = xmlTextReaderCurrentNode(s->xr); /* whole: the error is after it */
  if (node)
    node->_private = &processed_marker;
  if (!xrec->oversize) {
    /* a parse error at or before the record's end: the record is broken and
     * so is the stream; one after it: the record is whole, the error comes
     * with the next call */
    if (!node || !xrec->complete || (s->fatal && xml_pos_le(s->fatal_pos, xrec->end)))
      return fatal(r, s, err);
    if (!r->shape && r->opt.record_element &&
        strcmp((const char *)node->name, r->opt.record_element) != 0) {
      /* a national format's records are its record elements only */
      struct xml_pos p = xml_scan_elem_pos(&s->sc, xrec, 0);
      w.status = reader_error(r, err, THBX_EPARSE, p.line, p.col,
                              "unexpected element '%s': records are '%s' elements",
                              (const char *)node->name, r->opt.record_element);
    } else {
      value = xml_to_json(&w, node, r->shape);
    }
    status = w.status;
    if (status == THBX_OK && s->vctxt &&
        (r->opt.defer_xsd ? defer_record(s, xrec, node) : validate_record(r, s, xrec, node)) !=
            THBX_OK)
      status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    size_t rawlen;
    const char *rawp = xml_scan_bytes(&s->sc, xrec, &rawlen);
    if (raw_record(&r->raw, node, r->shape ? r->shape->xml_namespace : NULL, rawp, rawlen) != 0) {
      json_decref(value);
      return thbx_error_set(err, THBX_ENOMEM, "out of memory");
    }
  }
  if (status == THBX_ENOMEM) {
    json_decref(value);
    return status;
  }
  /* look ahead to the next record so that XSD errors reported up to it are
   * known (identity constraints, the end of the document) */
  if (s->fallback) {
    fallback_find(r, s, node ? node->next : NULL, seq + 1);
  } else {
    skip_record(r, s);
    if (s->at == 0)
      advance(r, s);
  }
  xml_scan_pop(&s->sc);
  if (status != THBX_OK) {
    json_decref(value);
    return status;
  }
  rec->value = value;
  return THBX_OK;
}

const struct reader_ops reader_xml_ops = {xml_open, xml_next, xml_free};
