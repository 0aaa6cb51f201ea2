/*
 * reader_xml.c - XML records, streaming with libxml2's xmlTextReader: the
 * document element holds one record per child element; each record subtree
 * is expanded, turned into a json_t by walking the profile's shape (or
 * generically), and freed before the next one is read.
 *
 * A small byte scanner runs over the input before libxml2 sees it. It
 *  - refuses any DOCTYPE (or other markup declaration) before libxml2 parses
 *    it, so no entity can ever be declared, expanded or loaded;
 *  - delimits each record (start tag to end tag) so that its raw bytes are
 *    kept for reject files and its size is bounded;
 *  - notes the line and column of every start tag, which libxml2's nodes do
 *    not carry, for per-element error messages and for attributing streaming
 *    XSD errors to the record they belong to.
 * libxml2 stays the judge of well-formedness; the scanner only counts tags.
 */
#include "reader.h"
#include "xml_text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define MAX_XSD_ERRORS_PER_RECORD 1000
/* libxml2 checks attributes for duplicates pairwise: bound them per element */
#define MAX_ATTRIBUTES 1000
#define STR(x) #x
#define XSTR(x) STR(x)
#define DOCTYPE_MSG "DOCTYPE is not allowed (entity declarations can expand or read files)"

/* ------------------------------------------------- the entity loader guard */

/* libxml2's external entity loader is process-wide. Ours refuses everything
 * while an XML reader of this thread is inside libxml2 (nothing may be loaded
 * on behalf of an input file), and anything that is not a local file at any
 * time (no network); otherwise it defers to the loader it replaced (local
 * XSD includes of a profile). */
static _Thread_local int guard_depth;
static xmlExternalEntityLoader previous_loader;
static pthread_once_t loader_once = PTHREAD_ONCE_INIT;

static int is_local(const char *url) {
  if (!url)
    return 0;
  const char *colon = strchr(url, ':');
  const char *slash = strchr(url, '/');
  if (!colon || (slash && slash < colon))
    return 1; /* a relative or absolute path */
  return strncmp(url, "file:", 5) == 0;
}

static xmlParserInputPtr guarded_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
  if (guard_depth > 0 || !is_local(url) || !previous_loader)
    return NULL;
  return previous_loader(url, id, ctxt);
}

/* libxml2 prints some messages through its generic error function (stderr
 * by default); a library must not print: silence it while inside libxml2. */
static void silent(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

struct guard {
  xmlGenericErrorFunc func;
  void *ctx;
  xmlStructuredErrorFunc sfunc;
  void *sctx;
  int refuse;
};

/* refuse: nothing may be loaded on behalf of the input meanwhile.
 * errors, ctx: the thread's structured error handler meanwhile, for errors
 * libxml2 raises outside the reader's own handler. */
static struct guard enter_with(int refuse, xmlStructuredErrorFunc errors, void *ctx) {
  struct guard g = {xmlGenericError, xmlGenericErrorContext, xmlStructuredError,
                    xmlStructuredErrorContext, refuse};
  guard_depth += refuse;
  xmlSetGenericErrorFunc(NULL, silent);
  if (errors)
    xmlSetStructuredErrorFunc(ctx, errors);
  return g;
}

static void leave(struct guard g) {
  guard_depth -= g.refuse;
  xmlSetGenericErrorFunc(g.ctx, g.func);
  xmlSetStructuredErrorFunc(g.sctx, g.sfunc);
}

static void on_error(void *ctx, xmlErrorPtr e);
#define enter(s) enter_with(1, on_error, (s))

static void install_loader(void) {
  xmlInitParser();
  previous_loader = xmlGetExternalEntityLoader();
  xmlSetExternalEntityLoader(guarded_loader);
}

void thbx_xml_install_loader(void) {
  pthread_once(&loader_once, install_loader);
}

/* ------------------------------------------------------------- the scanner */

enum scan_state {
  SC_TEXT,
  SC_LT,      /* after '<' */
  SC_BANG,    /* after "<!" */
  SC_COMMENT, /* inside <!-- --> */
  SC_PI,      /* inside <? ?> */
  SC_CDATA,   /* inside <![CDATA[ ]]> */
  SC_STAG,    /* inside a start tag */
  SC_ETAG     /* inside an end tag */
};

struct xpos {
  long line, col;
};

/* A record the scanner delimited (or is delimiting). */
struct xrec {
  size_t wstart, wend; /* its bytes in the window (logical offsets) */
  struct xpos start;   /* its start tag */
  struct xpos end;     /* just after its end tag */
  size_t pos0, npos;   /* positions of its start tags in s->pos (logical) */
  int complete;
  int oversize;
};

struct xml_state {
  struct thbx_reader *r;
  xmlTextReaderPtr xr;
  xmlSchemaPtr schema;
  xmlDocPtr xsd_doc; /* the XSD parsed with its path as base URL, kept with schema */
  xmlSchemaValidCtxtPtr vctxt;

  /* scanner */
  enum scan_state st;
  int quote;      /* in a start tag: the open quote char, 0 if none */
  int last_slash; /* in a start tag: the last non-blank char was '/' */
  int dashes;     /* comment / CDATA / PI end detection */
  int bang_n;     /* chars seen after "<!" */
  int cr;         /* last byte was CR */
  long line, col; /* position of the next byte */
  struct xpos lt; /* position of the last '<' */
  size_t lt_w;    /* its window offset */
  long depth;     /* element depth: 1 inside the document element */
  int seen_root, root_closed, nonblank;
  int first_bytes_checked;
  struct xpos root_pos;
  int doctype; /* input was refused at doctype_pos (a DOCTYPE, ...) */
  struct xpos doctype_pos;
  const char *refused; /* why */
  long nattr;          /* in a start tag: attributes so far */
  int io_error;

  /* window of record bytes: data[0] is logical offset wbase */
  thbx_buf_t win;
  size_t wbase, wtotal; /* wtotal: logical offset of the next byte */
  int discard;          /* the open record is over the size limit */

  /* delimited records, [qhead, qlen) not yet returned; seq of q[0] is qseq0 */
  struct xrec *q;
  size_t qhead, qlen, qcap;
  long qseq0;
  long scanned; /* records started so far */

  /* start tag positions; pos[0] is logical index pbase */
  struct xpos *pos;
  size_t pbase, plen, pcap;

  /* libxml2 errors */
  int fatal;
  struct xpos fatal_pos;
  char fatal_msg[THBX_ERROR_TEXT_LENGTH];
  /* XSD: the copy of the record being validated (its errors' nodes) */
  xmlNodePtr vcopy;
  struct xrec *vrec;

  /* walking */
  int started;       /* the first Read happened */
  int at;            /* 1: the xmlTextReader is on a record start, 0: need to move, -1 EOF,
                        -2 fatal */
  int on_fresh_node; /* after Next: the current node is not examined yet */
  /* after a fatal error the xmlTextReader stops, but the records that ended
   * before the error are whole in the tree: they are walked from there */
  int fallback;
  xmlNodePtr fb;   /* the next record's element in fallback */
  xmlDocPtr doc;   /* taken from the reader for the fallback: ours to free */
  thbx_buf_t text; /* scratch for element text */
  thbx_buf_t key;  /* scratch for generic keys */
};

static struct xrec *qrec(struct xml_state *s, long seq) {
  if (seq < s->qseq0 || (size_t)(seq - s->qseq0) >= s->qlen - s->qhead)
    return NULL;
  return &s->q[s->qhead + (size_t)(seq - s->qseq0)];
}

static int pos_le(struct xpos a, struct xpos b) {
  return a.line < b.line || (a.line == b.line && a.col <= b.col);
}

static int win_append(struct xml_state *s, const unsigned char *p, size_t n) {
  if (n == 0)
    return 0;
  if (thbx_buf_append(&s->win, (const char *)p, n) != 0)
    return -1;
  s->wtotal += n;
  return 0;
}

/* Drop window bytes and positions no queued record needs any more. */
static void win_trim(struct xml_state *s) {
  size_t keep = s->wtotal;
  size_t pkeep = s->pbase + s->plen;
  if (s->qhead < s->qlen) {
    keep = s->q[s->qhead].wstart;
    pkeep = s->q[s->qhead].pos0;
  } else if (s->st == SC_LT || s->st == SC_STAG) {
    keep = s->lt_w; /* a start tag in progress may start a record */
  }
  /* lt_w is not kept up to date while an oversize record is discarded:
   * never drop more than the window holds */
  if (keep > s->wtotal)
    keep = s->wtotal;
  if (keep < s->wbase)
    keep = s->wbase;
  size_t drop = keep - s->wbase;
  if (drop > 0 && drop >= s->win.len / 2) {
    memmove(s->win.data, s->win.data + drop, s->win.len - drop);
    s->win.len -= drop;
    s->win.data[s->win.len] = '\0';
    s->wbase = keep;
  }
  size_t pdrop = pkeep - s->pbase;
  if (pdrop > 0 && pdrop >= s->plen / 2) {
    memmove(s->pos, s->pos + pdrop, (s->plen - pdrop) * sizeof(*s->pos));
    s->plen -= pdrop;
    s->pbase = pkeep;
  }
  if (s->qhead > 0 && s->qhead >= s->qlen / 2) {
    memmove(s->q, s->q + s->qhead, (s->qlen - s->qhead) * sizeof(*s->q));
    s->qlen -= s->qhead;
    s->qhead = 0;
  }
}

static struct xrec *open_rec(struct xml_state *s) {
  if (s->qlen > s->qhead && !s->q[s->qlen - 1].complete)
    return &s->q[s->qlen - 1];
  return NULL;
}

static int push_pos(struct xml_state *s, struct xpos p) {
  if (s->plen == s->pcap) {
    size_t cap = s->pcap ? s->pcap * 2 : 256;
    struct xpos *np = realloc(s->pos, cap * sizeof(*np));
    if (!np)
      return -1;
    s->pos = np;
    s->pcap = cap;
  }
  s->pos[s->plen++] = p;
  return 0;
}

/* A start tag begins (its '<' at s->lt, window offset s->lt_w). */
static int scan_start_tag(struct xml_state *s) {
  s->depth++;
  if (s->depth == 1) {
    s->seen_root = 1;
    s->root_pos = s->lt;
    return 0;
  }
  if (s->depth == 2) {
    if (s->qlen == s->qcap) {
      size_t cap = s->qcap ? s->qcap * 2 : 16;
      struct xrec *nq = realloc(s->q, cap * sizeof(*nq));
      if (!nq)
        return -1;
      s->q = nq;
      s->qcap = cap;
    }
    if (s->qhead == s->qlen)
      s->qseq0 = s->scanned;
    struct xrec *rec = &s->q[s->qlen++];
    memset(rec, 0, sizeof(*rec));
    rec->wstart = s->lt_w;
    rec->start = s->lt;
    rec->pos0 = s->pbase + s->plen;
    s->scanned++;
  }
  struct xrec *rec = open_rec(s);
  if (rec && !rec->oversize) {
    if (push_pos(s, s->lt) != 0)
      return -1;
    rec->npos++;
  }
  return 0;
}

/* An element ends just before the current byte's successor; after_w is the
 * window offset after the '>'. */
/* Returns 1 when a record ends here. */
static int scan_end_element(struct xml_state *s, size_t after_w, struct xpos after) {
  s->depth--;
  if (s->depth == 1) {
    struct xrec *rec = open_rec(s);
    if (rec) {
      if (!rec->oversize && after_w - rec->wstart > s->r->opt.limits.max_record_bytes) {
        rec->oversize = 1; /* its bytes leave the window with it */
        rec->npos = 0;
      }
      rec->wend = rec->oversize ? rec->wstart : after_w;
      rec->end = after;
      rec->complete = 1;
      return 1;
    }
  } else if (s->depth == 0) {
    s->root_closed = 1;
  }
  return 0;
}

/* Scan n bytes about to be handed to libxml2. Returns 0, or -1 to refuse
 * them (a DOCTYPE, or out of memory: s->io_error). */
#define SCAN_SYNC() (s->st = st, s->line = line, s->col = col, s->cr = cr)

static int scan(struct xml_state *s, const unsigned char *p, size_t n) {
  size_t seg = 0; /* first byte of p not yet appended to the window */
  size_t limit = s->r->opt.limits.max_record_bytes;
  /* the state in locals: p may alias anything, so fields of s would be
   * stored and reloaded at every byte */
  enum scan_state st = s->st;
  long line = s->line, col = s->col;
  int cr = s->cr;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (st == SC_TEXT && c != '<' && c != '\n' && c != '\r') {
      /* plain text, the bulk of a document */
      cr = 0;
      col += (c & 0xC0) != 0x80;
      if (c != ' ' && c != '\t')
        s->nonblank = 1;
      continue;
    }
    struct xpos here = {line, col};
    /* position bookkeeping (columns count characters, as libxml2 does) */
    if (c == '\n') {
      if (!cr)
        line++;
      col = 1;
      cr = 0;
    } else if (c == '\r') {
      line++;
      col = 1;
      cr = 1;
    } else {
      cr = 0;
      if ((c & 0xC0) != 0x80)
        col++;
    }
    switch (st) {
    case SC_TEXT:
      if (c == '<') {
        st = SC_LT;
        s->lt = here;
        s->lt_w = s->wtotal + (i - seg);
        if (s->discard)
          s->lt_w = s->wtotal; /* not in the window */
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        s->nonblank = 1;
      }
      break;
    case SC_LT:
      s->nonblank = 1;
      if (c == '/') {
        st = SC_ETAG;
      } else if (c == '?') {
        st = SC_PI;
        s->dashes = 0;
      } else if (c == '!') {
        st = SC_BANG;
        s->bang_n = 0;
      } else {
        st = SC_STAG;
        s->quote = 0;
        s->last_slash = 0;
        s->nattr = 0;
        if (scan_start_tag(s) != 0) {
          s->io_error = ENOMEM;
          SCAN_SYNC();
          return -1;
        }
      }
      break;
    case SC_BANG:
      if (c == '-') {
        st = SC_COMMENT;
        s->dashes = -1; /* the second '-' of "<!--" comes first */
      } else if (c == '[') {
        st = SC_CDATA;
        s->dashes = 0;
      } else {
        /* <!DOCTYPE, <!ENTITY, ...: never let libxml2 see it */
        s->doctype = 1;
        s->doctype_pos = s->lt;
        s->refused = DOCTYPE_MSG;
        SCAN_SYNC();
        return -1;
      }
      break;
    case SC_COMMENT:
      if (s->dashes < 0)
        s->dashes = 0;
      else if (c == '-')
        s->dashes++;
      else if (c == '>' && s->dashes >= 2)
        st = SC_TEXT;
      else
        s->dashes = 0;
      break;
    case SC_PI:
      if (c == '>' && s->dashes)
        st = SC_TEXT;
      else
        s->dashes = c == '?';
      break;
    case SC_CDATA:
      if (c == ']')
        s->dashes++;
      else if (c == '>' && s->dashes >= 2)
        st = SC_TEXT;
      else
        s->dashes = 0;
      break;
    case SC_STAG:
      if (s->quote) {
        if (c == s->quote)
          s->quote = 0;
      } else if (c == '"' || c == '\'') {
        s->quote = c;
        s->last_slash = 0;
      } else if (c == '>') {
        st = SC_TEXT;
        if (s->last_slash) {
          struct xpos after = {line, col};
          if (scan_end_element(s, s->wtotal + (i + 1 - seg), after) && s->discard) {
            s->discard = 0; /* the oversize record ended: keep what follows */
            seg = i + 1;
          }
        }
      } else if (c == '/') {
        s->last_slash = 1;
      } else if (c == '=' && ++s->nattr > MAX_ATTRIBUTES) {
        s->doctype = 1;
        s->doctype_pos = s->lt;
        s->refused = "an element with more than " XSTR(MAX_ATTRIBUTES) " attributes is not allowed";
        SCAN_SYNC();
        return -1;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        s->last_slash = 0;
      }
      break;
    case SC_ETAG:
      if (c == '>') {
        st = SC_TEXT;
        struct xpos after = {line, col};
        if (scan_end_element(s, s->wtotal + (i + 1 - seg), after) && s->discard) {
          s->discard = 0;
          seg = i + 1;
        }
      }
      break;
    }
  }
  SCAN_SYNC();
  if (!s->discard && win_append(s, p + seg, n - seg) != 0) {
    s->io_error = ENOMEM;
    return -1;
  }
  /* size limit of the open record: stop keeping its bytes (checked once a
   * chunk, so the window holds at most the limit plus one chunk) */
  struct xrec *rec = open_rec(s);
  if (rec && !rec->oversize && s->wtotal - rec->wstart > limit) {
    rec->oversize = 1;
    rec->npos = 0;
    s->win.len = rec->wstart - s->wbase;
    s->win.data[s->win.len] = '\0';
    s->wtotal = rec->wstart;
    s->plen = rec->pos0 - s->pbase;
    s->discard = 1;
  }
  win_trim(s);
  return 0;
}

/* libxml2 pulls its input through here. */
static int io_read(void *ctx, char *buf, int len) {
  struct xml_state *s = ctx;
  if (s->doctype || s->io_error)
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
  if (scan(s, p, n) != 0)
    return -1;
  memcpy(buf, p, n);
  in->pos += n;
  return (int)n;
}

static int io_close(void *ctx) {
  (void)ctx;
  return 0;
}

/* ------------------------------------------------------------ libxml2 errors */

static void clean_message(char *dst, size_t size, const char *msg) {
  thbx_strlcpy(dst, msg ? msg : "unknown error", size);
  size_t n = strlen(dst);
  while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' ' || dst[n - 1] == '.'))
    dst[--n] = '\0';
  if (dst[0] >= 'A' && dst[0] <= 'Z' && !(dst[1] >= 'A' && dst[1] <= 'Z'))
    dst[0] = (char)(dst[0] - 'A' + 'a');
}

/* Mark the stream fatal at `p`. A refused DOCTYPE or a read error is the
 * real cause whatever libxml2 says next: fill its message and return 1;
 * return 0 when the caller has to say what broke. */
static int set_fatal_cause(struct xml_state *s, struct xpos p) {
  s->fatal = 1;
  s->fatal_pos = p;
  if (s->doctype) {
    s->fatal_pos = s->doctype_pos;
    thbx_strlcpy(s->fatal_msg, s->refused, sizeof(s->fatal_msg));
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
  struct xpos p = {e->line, e->int2};
  if (e->domain == XML_FROM_SCHEMASV || e->domain == XML_FROM_SCHEMASP ||
      e->domain == XML_FROM_VALID)
    return; /* not the parser's: XSD errors come through on_xsd_error */
  if (s->fatal)
    return; /* the first one is the one that matters */
  if (!set_fatal_cause(s, p))
    clean_message(s->fatal_msg, sizeof(s->fatal_msg), e->message);
}

/* ---------------------------------------------------------------- open/free */

static void xml_free(struct thbx_reader *r) {
  struct xml_state *s = r->state;
  if (!s)
    return;
  struct guard g = enter(s);
  if (s->xr && s->vctxt)
    xmlTextReaderSchemaValidateCtxt(s->xr, NULL, 0);
  if (s->xr)
    xmlFreeTextReader(s->xr);
  if (s->doc)
    xmlFreeDoc(s->doc);
  if (s->vctxt)
    xmlSchemaFreeValidCtxt(s->vctxt);
  if (s->schema)
    xmlSchemaFree(s->schema);
  if (s->xsd_doc)
    xmlFreeDoc(s->xsd_doc);
  leave(g);
  thbx_buf_free(&s->win);
  thbx_buf_free(&s->text);
  thbx_buf_free(&s->key);
  free(s->q);
  free(s->pos);
  free(s);
  r->state = NULL;
}

static void schema_parse_error(void *ctx, xmlErrorPtr e) {
  thbx_error_t *err = ctx;
  if (!e || e->level == XML_ERR_WARNING || !err || err->text[0])
    return;
  thbx_error_at(err, e->file, e->line, e->int2);
  char msg[THBX_ERROR_TEXT_LENGTH - 16];
  clean_message(msg, sizeof(msg), e->message);
  snprintf(err->text, sizeof(err->text), "profile XSD: %s", msg);
}

static int compile_xsd(struct thbx_reader *r, struct xml_state *s, thbx_error_t *err) {
  size_t len = 0;
  const char *xsd = thbx_profile_xsd(r->profile, &len);
  if (!xsd)
    return THBX_OK; /* nothing to validate against */
  thbx_error_t perr;
  thbx_error_clear(&perr);
  struct guard g = enter_with(0, NULL, NULL); /* a profile's local includes may load */
  /* An XSD read from a file is parsed with that file as its base URL, so
   * that its relative includes resolve beside it, not in the working
   * directory. */
  const char *base = r->profile->xsd_path;
  xmlSchemaParserCtxtPtr pctxt = NULL;
  if (base) {
    s->xsd_doc = xmlReadMemory(xsd, (int)len, base, NULL, XML_PARSE_NONET);
    if (s->xsd_doc)
      pctxt = xmlSchemaNewDocParserCtxt(s->xsd_doc);
  } else {
    pctxt = xmlSchemaNewMemParserCtxt(xsd, (int)len);
  }
  if (!pctxt) {
    leave(g);
    if (base && !s->xsd_doc) {
      thbx_error_at(err, base, 0, 0);
      return thbx_error_set(err, THBX_ESCHEMA, "profile XSD is not well-formed XML");
    }
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  xmlSchemaSetParserStructuredErrors(pctxt, schema_parse_error, &perr);
  s->schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  leave(g);
  if (!s->schema) {
    if (err) {
      *err = perr;
      if (!err->text[0])
        thbx_strlcpy(err->text, "profile XSD cannot be compiled", sizeof(err->text));
    }
    return THBX_ESCHEMA;
  }
  s->vctxt = xmlSchemaNewValidCtxt(s->schema);
  if (!s->vctxt)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static void on_xsd_error(void *ctx, xmlErrorPtr e);

static int xml_open(struct thbx_reader *r, thbx_error_t *err) {
  pthread_once(&loader_once, install_loader);
  struct xml_state *s = calloc(1, sizeof(*s));
  if (!s)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  r->state = s;
  s->r = r;
  s->line = 1;
  s->col = 1;
  thbx_buf_init(&s->win);
  thbx_buf_init(&s->text);
  thbx_buf_init(&s->key);
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
  struct guard g = enter(s);
  s->xr = xmlReaderForIO(io_read, io_close, s, r->source, NULL, options);
  if (s->xr)
    xmlTextReaderSetStructuredErrorHandler(s->xr, on_error, s);
  if (s->vctxt)
    xmlSchemaSetValidStructuredErrors(s->vctxt, on_xsd_error, s);
  leave(g);
  if (!s->xr)
    return thbx_error_set(err, THBX_ENOMEM, "cannot create the XML reader");
  return rc;
}

/* ------------------------------------------------------------- the walk */

struct walk {
  struct thbx_reader *r;
  struct xml_state *s;
  struct xrec *rec;
  size_t elem; /* pre-order index of the element being converted */
  thbx_error_t *err;
  int status;
  const char *ns; /* profile namespace, NULL for none */
};

static struct xpos elem_pos(struct walk *w, size_t index) {
  struct xml_state *s = w->s;
  if (index < w->rec->npos && w->rec->pos0 + index >= s->pbase)
    return s->pos[w->rec->pos0 + index - s->pbase];
  return w->rec->start;
}

static json_t *fail_at(struct walk *w, int status, size_t index, const char *fmt, ...)
    THBX_PRINTF(4, 5);
static json_t *fail_at(struct walk *w, int status, size_t index, const char *fmt, ...) {
  if (w->status != THBX_OK)
    return NULL;
  struct xpos p = elem_pos(w, index);
  w->status = reader_error(w->r, w->err, status, p.line, p.col, "%s", "");
  if (w->err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err->text, sizeof(w->err->text), fmt, ap);
    va_end(ap);
  }
  return NULL;
}

static json_t *nomem(struct walk *w) {
  if (w->status == THBX_OK)
    w->status = thbx_error_set(w->err, THBX_ENOMEM, "out of memory");
  return NULL;
}

static json_t *str(struct walk *w, const char *t, size_t n) {
  json_t *v = json_stringn_nocheck(t, n);
  return v ? v : nomem(w);
}

static json_t *num_or_nomem(struct walk *w, json_t *v) { return v ? v : nomem(w); }

static int is_blank(const char *t, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
      return 0;
  return 1;
}

/* Text of el (its text children, or the attribute's value) into s->text.
 * Child elements are an error unless allow_elements. */
static int collect_text(struct walk *w, xmlNodePtr node, size_t index, int allow_elements,
                        const char *what) {
  thbx_buf_t *t = &w->s->text;
  thbx_buf_reset(t);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && thbx_buf_puts(t, (const char *)c->content) != 0) {
        nomem(w);
        return -1;
      }
      if (t->len > w->r->opt.limits.max_field_bytes) {
        fail_at(w, THBX_ELIMIT, index, "%s '%s' is longer than max_field_bytes (%zu)", what,
                (const char *)node->name, w->r->opt.limits.max_field_bytes);
        return -1;
      }
    } else if (c->type == XML_ELEMENT_NODE && !allow_elements) {
      fail_at(w, THBX_EPARSE, index, "element '%s' holds a value and cannot have child elements",
              (const char *)node->name);
      return -1;
    } else if (c->type == XML_ENTITY_REF_NODE) {
      fail_at(w, THBX_EPARSE, index, "entity references are not allowed");
      return -1;
    }
  }
  if (!t->data && thbx_buf_append(t, "", 0) != 0) {
    nomem(w);
    return -1;
  }
  return 0;
}

static void trim(const char **t, size_t *n) {
  while (*n > 0 && ((*t)[0] == ' ' || (*t)[0] == '\t' || (*t)[0] == '\n' || (*t)[0] == '\r')) {
    (*t)++;
    (*n)--;
  }
  while (*n > 0 && ((*t)[*n - 1] == ' ' || (*t)[*n - 1] == '\t' || (*t)[*n - 1] == '\n' ||
                    (*t)[*n - 1] == '\r'))
    (*n)--;
}

static const char *type_word(unsigned types) {
  if (types & THBX_TYPE_INTEGER)
    return "an integer";
  if (types & THBX_TYPE_NUMBER)
    return "a number";
  if (types & THBX_TYPE_BOOLEAN)
    return "a boolean (true, false, 1 or 0)";
  return "a value";
}

/* The text in s->text as a value of shape sh. */
static json_t *scalar(struct walk *w, const struct thbx_shape *sh, size_t index, const char *what,
                      const char *name) {
  const char *raw = w->s->text.data;
  size_t rawlen = w->s->text.len;
  unsigned types = sh ? sh->types : THBX_TYPE_STRING;
  unsigned others = types & (THBX_TYPE_BOOLEAN | THBX_TYPE_INTEGER | THBX_TYPE_NUMBER);
  if ((types & THBX_TYPE_STRING) && !others)
    return str(w, raw, rawlen);
  if (!others && !(types & THBX_TYPE_STRING)) {
    if (types & THBX_TYPE_NULL && rawlen == 0)
      return json_null();
    return fail_at(w, THBX_EPARSE, index, "%s '%s' holds text where the profile expects %s", what,
                   name,
                   (types & THBX_TYPE_OBJECT)  ? "an object"
                   : (types & THBX_TYPE_ARRAY) ? "an array"
                                           : "no value");
  }
  struct xml_text_value v;
  enum xml_text_kind kind = xml_text_classify(types, raw, rawlen, &v);
  switch (kind) {
  case XML_TEXT_STRING: return str(w, raw, rawlen);
  case XML_TEXT_TRUE: return json_true();
  case XML_TEXT_FALSE: return json_false();
  case XML_TEXT_INTEGER: return num_or_nomem(w, json_integer(v.i));
  case XML_TEXT_REAL: return num_or_nomem(w, json_real(v.d));
  default: break;
  }
  const char *t = raw;
  size_t n = rawlen;
  trim(&t, &n);
  if (kind == XML_TEXT_RANGE)
    return fail_at(w, THBX_EPARSE, index, "%s '%s': \"%.*s\" is out of range", what, name,
                   (int)(n > 64 ? 64 : n), t);
  return fail_at(w, THBX_EPARSE, index, "%s '%s': \"%.*s\" is not %s", what, name,
                 (int)(n > 64 ? 64 : n), t, type_word(types));
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

static int ns_ok(struct walk *w, xmlNodePtr el) {
  const char *href = el->ns ? (const char *)el->ns->href : NULL;
  if (!w->ns)
    return href == NULL;
  return href && strcmp(href, w->ns) == 0;
}

static int is_nil(xmlNodePtr el) {
  for (xmlAttrPtr a = el->properties; a; a = a->next)
    if (a->ns && strcmp((const char *)a->ns->href, XSI_NS) == 0 &&
        strcmp((const char *)a->name, "nil") == 0 && a->children && a->children->content) {
      const char *v = (const char *)a->children->content;
      return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    }
  return 0;
}

static json_t *generic_value(struct walk *w, xmlNodePtr el, size_t index, size_t depth);
static json_t *shaped_value(struct walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth);

static int add_repeated(json_t *obj, const char *key, json_t *v) {
  json_t *old = json_object_get(obj, key);
  if (!old)
    return json_object_set_new(obj, key, v);
  if (json_is_array(old))
    return json_array_append_new(old, v);
  json_t *arr = json_array();
  if (!arr || json_array_append(arr, old) != 0 || json_array_append_new(arr, v) != 0) {
    json_decref(arr);
    return -1;
  }
  return json_object_set_new(obj, key, arr);
}

/* Generic: attributes -> "@name", child elements -> properties (repeated ->
 * arrays), own text -> "#text" (or the value itself for a bare leaf). */
static json_t *generic_value(struct walk *w, xmlNodePtr el, size_t index, size_t depth) {
  if (depth > w->r->opt.limits.max_depth)
    return fail_at(w, THBX_ELIMIT, index, "element '%s' nests deeper than max_depth (%zu)",
                   (const char *)el->name, w->r->opt.limits.max_depth);
  int has_elems = 0;
  for (xmlNodePtr c = el->children; c && !has_elems; c = c->next)
    has_elems = c->type == XML_ELEMENT_NODE;
  if (!has_elems && !el->properties) {
    if (collect_text(w, el, index, 0, "element") != 0)
      return NULL;
    return str(w, w->s->text.data, w->s->text.len);
  }
  json_t *obj = json_object();
  if (!obj)
    return nomem(w);
  thbx_buf_t *key = &w->s->key;
  for (xmlAttrPtr a = el->properties; a; a = a->next) {
    if (collect_text(w, (xmlNodePtr)a, index, 0, "attribute") != 0)
      goto fail;
    json_t *v = json_stringn_nocheck(w->s->text.data, w->s->text.len);
    thbx_buf_reset(key);
    if (!v || thbx_buf_putc(key, '@') != 0 || thbx_buf_puts(key, (const char *)a->name) != 0 ||
        add_repeated(obj, key->data, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    json_t *v = generic_value(w, c, ci, depth + 1);
    if (!v)
      goto fail;
    if (add_repeated(obj, (const char *)c->name, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  if (collect_text(w, el, index, 1, "element") != 0)
    goto fail;
  const char *t = w->s->text.data;
  size_t n = w->s->text.len;
  if (has_elems)
    trim(&t, &n);
  if (n > 0) {
    json_t *v = json_stringn_nocheck(t, n);
    if (!v || add_repeated(obj, "#text", v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  return obj;
fail:
  json_decref(obj);
  return NULL;
}

static size_t prop_index(const struct thbx_shape *sh, const struct thbx_shape *p) {
  for (size_t i = 0; i < sh->nprops; i++)
    if (sh->props[i] == p)
      return i;
  return sh->nprops;
}

/* An element whose shape is an object with known properties. */
static json_t *shaped_object(struct walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                             size_t index, size_t depth) {
  json_t *stack[64];
  json_t **slots = stack;
  json_t *extra = NULL;
  json_t *obj = NULL;
  if (sh->nprops > 64) {
    slots = calloc(sh->nprops, sizeof(*slots));
    if (!slots)
      return nomem(w);
  } else {
    memset(stack, 0, sizeof(stack));
  }
  const char *ename = (const char *)el->name;
  for (xmlAttrPtr a = el->properties; a; a = a->next) {
    if (a->ns && strcmp((const char *)a->ns->href, XSI_NS) == 0)
      continue; /* xsi:schemaLocation, xsi:nil, ... */
    const struct thbx_shape *p = a->ns ? NULL : thbx_shape_xml_child(sh, (const char *)a->name, 1);
    if (!p && !sh->additional) {
      fail_at(w, THBX_EPARSE, index, "unknown attribute '%s' on element '%s'",
              (const char *)a->name, ename);
      goto fail;
    }
    if (collect_text(w, (xmlNodePtr)a, index, 0, "attribute") != 0)
      goto fail;
    json_t *v = scalar(w, p, index, "attribute", (const char *)a->name);
    if (!v)
      goto fail;
    if (p) {
      size_t i = prop_index(sh, p);
      json_decref(slots[i]);
      slots[i] = v;
    } else {
      if ((!extra && !(extra = json_object())) ||
          json_object_set_new(extra, (const char *)a->name, v) != 0) {
        json_decref(v);
        nomem(w);
        goto fail;
      }
    }
  }
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && !is_blank((const char *)c->content, strlen((const char *)c->content))) {
        fail_at(w, THBX_EPARSE, index, "element '%s' cannot hold text, only child elements", ename);
        goto fail;
      }
      continue;
    }
    if (c->type == XML_ENTITY_REF_NODE) {
      fail_at(w, THBX_EPARSE, index, "entity references are not allowed");
      goto fail;
    }
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    const char *cname = (const char *)c->name;
    const struct thbx_shape *p = ns_ok(w, c) ? thbx_shape_xml_child(sh, cname, 0) : NULL;
    if (!p) {
      if (!sh->additional || !ns_ok(w, c)) {
        if (!ns_ok(w, c))
          fail_at(w, THBX_EPARSE, ci, "element '%s' in %s%s%s is not in the profile's namespace",
                  cname, c->ns ? "namespace '" : "no namespace",
                  c->ns ? (const char *)c->ns->href : "", c->ns ? "'" : "");
        else
          fail_at(w, THBX_EPARSE, ci, "unknown element '%s' in '%s'", cname, ename);
        goto fail;
      }
      json_t *v = generic_value(w, c, ci, depth + 1);
      if (!v)
        goto fail;
      if ((!extra && !(extra = json_object())) || add_repeated(extra, cname, v) != 0) {
        json_decref(v);
        nomem(w);
        goto fail;
      }
      continue;
    }
    size_t i = prop_index(sh, p);
    if ((p->types & THBX_TYPE_ARRAY) && !p->xml_wrapped) {
      /* unwrapped array: each repetition is one item */
      if (!slots[i] && !(slots[i] = json_array())) {
        nomem(w);
        goto fail;
      }
      json_t *v = shaped_value(w, c, p->items, ci, depth + 1);
      if (!v || json_array_append_new(slots[i], v) != 0) {
        if (v)
          nomem(w);
        goto fail;
      }
      continue;
    }
    if (slots[i]) {
      fail_at(w, THBX_EPARSE, ci, "element '%s' appears more than once in '%s'", cname, ename);
      goto fail;
    }
    slots[i] = shaped_value(w, c, p, ci, depth + 1);
    if (!slots[i])
      goto fail;
  }
  obj = json_object();
  if (!obj) {
    nomem(w);
    goto fail;
  }
  for (size_t i = 0; i < sh->nprops; i++) {
    if (slots[i] && json_object_set_new_nocheck(obj, sh->props[i]->name, slots[i]) != 0) {
      slots[i] = NULL;
      nomem(w);
      goto fail;
    }
    slots[i] = NULL;
  }
  if (extra && json_object_update(obj, extra) != 0) {
    nomem(w);
    goto fail;
  }
  json_decref(extra);
  if (slots != stack)
    free(slots);
  return obj;
fail:
  for (size_t i = 0; i < sh->nprops; i++)
    json_decref(slots[i]);
  if (slots != stack)
    free(slots);
  json_decref(extra);
  json_decref(obj);
  return NULL;
}

static json_t *shaped_array(struct walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth) {
  json_t *arr = json_array();
  if (!arr)
    return nomem(w);
  const char *item = sh->items ? sh->items->xml_name : "item";
  for (xmlNodePtr c = el->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content && !is_blank((const char *)c->content, strlen((const char *)c->content))) {
        fail_at(w, THBX_EPARSE, index, "element '%s' cannot hold text, only '%s' elements",
                (const char *)el->name, item);
        goto fail;
      }
      continue;
    }
    if (c->type != XML_ELEMENT_NODE)
      continue;
    size_t ci = ++w->elem;
    if (!ns_ok(w, c) || strcmp((const char *)c->name, item) != 0) {
      fail_at(w, THBX_EPARSE, ci, "unexpected element '%s' in '%s': items are '%s' elements",
              (const char *)c->name, (const char *)el->name, item);
      goto fail;
    }
    json_t *v = sh->items ? shaped_value(w, c, sh->items, ci, depth + 1)
                          : generic_value(w, c, ci, depth + 1);
    if (!v)
      goto fail;
    if (json_array_append_new(arr, v) != 0) {
      nomem(w);
      goto fail;
    }
  }
  return arr;
fail:
  json_decref(arr);
  return NULL;
}

static int has_element_children(xmlNodePtr el) {
  for (xmlNodePtr c = el->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return 1;
  return 0;
}

static json_t *shaped_value(struct walk *w, xmlNodePtr el, const struct thbx_shape *sh,
                            size_t index, size_t depth) {
  if (depth > w->r->opt.limits.max_depth)
    return fail_at(w, THBX_ELIMIT, index, "element '%s' nests deeper than max_depth (%zu)",
                   (const char *)el->name, w->r->opt.limits.max_depth);
  if (!sh || sh->types == THBX_TYPE_ANY)
    return generic_value(w, el, index, depth);
  if ((sh->types & THBX_TYPE_NULL) && is_nil(el))
    return json_null();
  int complex = has_element_children(el) || el->properties;
  if ((sh->types & THBX_TYPE_OBJECT) && sh->nprops > 0 && (complex || !(sh->types & ~THBX_TYPE_OBJECT)))
    return shaped_object(w, el, sh, index, depth);
  if ((sh->types & THBX_TYPE_OBJECT) && (complex || !(sh->types & ~THBX_TYPE_OBJECT)))
    return generic_value(w, el, index, depth); /* a free-form object */
  if ((sh->types & THBX_TYPE_ARRAY) && (complex || !(sh->types & ~THBX_TYPE_ARRAY)))
    return shaped_array(w, el, sh, index, depth);
  for (xmlAttrPtr a = el->properties; a; a = a->next)
    if (!a->ns || strcmp((const char *)a->ns->href, XSI_NS) != 0)
      return fail_at(w, THBX_EPARSE, index, "unknown attribute '%s' on element '%s'",
                     (const char *)a->name, (const char *)el->name);
  if (collect_text(w, el, index, 0, "element") != 0)
    return NULL;
  return scalar(w, sh, index, "element", (const char *)el->name);
}

/* ------------------------------------------------------------------- XSD */

/* Pre-order index of element `target` in the tree under `top` (0: top). */
static size_t element_index(xmlNodePtr top, xmlNodePtr target) {
  size_t i = 0;
  xmlNodePtr n = top;
  while (n) {
    if (n == target)
      return i;
    if (n->type == XML_ELEMENT_NODE)
      i++;
    if (n->children && n->type == XML_ELEMENT_NODE) {
      n = n->children;
      continue;
    }
    while (n != top && !n->next)
      n = n->parent;
    if (n == top)
      break;
    n = n->next;
  }
  return 0;
}

static void on_xsd_error(void *ctx, xmlErrorPtr e) {
  struct xml_state *s = ctx;
  struct thbx_reader *r = s->r;
  if (!e || e->level == XML_ERR_WARNING || !s->vrec)
    return;
  if (e->message && strstr(e->message, "No precomputed value available"))
    return; /* libxml2's echo of the facet error just reported */
  if (r->nxsd >= MAX_XSD_ERRORS_PER_RECORD)
    return;
  xmlNodePtr node = e->node;
  if (node && node->type == XML_ATTRIBUTE_NODE)
    node = node->parent;
  struct walk w = {r, s, s->vrec, 0, NULL, THBX_OK, NULL};
  struct xpos p = elem_pos(&w, node && s->vcopy ? element_index(s->vcopy, node) : 0);
  thbx_error_t x;
  thbx_error_clear(&x);
  thbx_error_at(&x, r->source, p.line, p.col);
  x.record_index = r->index;
  clean_message(x.text, sizeof(x.text), e->message);
  reader_add_xsd_error(r, &x);
}

/* Validate one record against the XSD: a copy of it under a copy of the
 * document element (its name, namespaces and attributes), so that the
 * record is checked in its context and errors are this record's. Per
 * record rather than streaming: libxml2's streaming validator (a SAX plug)
 * hides parse errors from the reader and leaks when a parse error stops
 * it; and constraints across records (unique record ids) are dataset rules
 * of thbx validate anyway. */
static int validate_record(struct xml_state *s, struct xrec *xrec, xmlNodePtr node) {
  xmlNodePtr root = node->parent;
  if (!root || root->type != XML_ELEMENT_NODE)
    return THBX_OK;
  xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
  if (!doc)
    return THBX_ENOMEM;
  int rc = THBX_ENOMEM;
  xmlNodePtr top = xmlDocCopyNode(root, doc, 2); /* attributes and namespaces */
  if (!top)
    goto done;
  xmlDocSetRootElement(doc, top);
  xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
  if (!copy)
    goto done;
  xmlAddChild(top, copy);
  s->vcopy = copy;
  s->vrec = xrec;
  struct guard g = enter(s);
  int v = xmlSchemaValidateDoc(s->vctxt, doc);
  leave(g);
  s->vcopy = NULL;
  s->vrec = NULL;
  if (v > 0 && s->r->nxsd == 0) {
    /* invalid, yet nothing reported (a libxml2 corner): say so */
    thbx_error_t x;
    thbx_error_clear(&x);
    thbx_error_at(&x, s->r->source, xrec->start.line, xrec->start.col);
    x.record_index = s->r->index;
    thbx_strlcpy(x.text, "the record is not valid against the XSD", sizeof(x.text));
    reader_add_xsd_error(s->r, &x);
  }
  rc = v < 0 ? THBX_ENOMEM : THBX_OK;
done:
  xmlFreeDoc(doc);
  return rc;
}

/* ---------------------------------------------------------------- reading */

/* Make sure the fatal error is filled in (s->at -2). */
static void fatal_state(struct xml_state *s) {
  s->at = -2;
  if (!s->fatal) {
    if (!set_fatal_cause(s, (struct xpos){s->line, s->col}))
      thbx_strlcpy(s->fatal_msg, "the XML document cannot be read", sizeof(s->fatal_msg));
  }
}

static int fatal(struct thbx_reader *r, struct xml_state *s, thbx_error_t *err) {
  fatal_state(s);
  int status = (s->io_error > 0 && !s->doctype) ? THBX_EIO : THBX_EFATAL;
  reader_error(r, err, status, s->fatal_pos.line, s->fatal_pos.col, "%s", s->fatal_msg);
  if (err)
    err->record_index = -1;
  return status;
}

static int set_fatal(struct xml_state *s, struct xpos p, const char *fmt, ...) THBX_PRINTF(3, 4);
static int set_fatal(struct xml_state *s, struct xpos p, const char *fmt, ...) {
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

/* Check the document element. 0 ok, -2 fatal. */
static int check_root(struct thbx_reader *r, struct xml_state *s) {
  if (!r->shape)
    return 0;
  const char *want = r->shape->xml_root ? r->shape->xml_root : "records";
  const char *ns = r->shape->xml_namespace;
  const char *name = (const char *)xmlTextReaderConstLocalName(s->xr);
  const char *href = (const char *)xmlTextReaderConstNamespaceUri(s->xr);
  if (!name || strcmp(name, want) != 0)
    return set_fatal(s, s->root_pos, "the document element is '%s', expected '%s'",
                     name ? name : "", want);
  if ((ns && (!href || strcmp(href, ns) != 0)) || (!ns && href))
    return set_fatal(s, s->root_pos, "the document element '%s' is in %s%s%s, expected %s%s%s",
                     name, href ? "namespace '" : "no namespace", href ? href : "", href ? "'" : "",
                     ns ? "namespace '" : "no namespace", ns ? ns : "", ns ? "'" : "");
  return 0;
}

static char processed_marker; /* node->_private of records already read */

/* In fallback: the record `seq` is at the first unread element from `from`
 * (NULL: the document element's first child) if the scanner saw it end
 * before the fatal error. Sets s->at 1 or -2. */
static void fallback_find(struct thbx_reader *r, struct xml_state *s, xmlNodePtr from, long seq) {
  s->at = -2;
  struct xrec *x = qrec(s, seq);
  if (!x || !x->complete || !s->fatal || pos_le(s->fatal_pos, x->end))
    return;
  if (!from) {
    if (!s->doc)
      s->doc = xmlTextReaderCurrentDoc(s->xr);
    xmlNodePtr root = s->doc ? xmlDocGetRootElement(s->doc) : NULL;
    if (!root)
      return;
    if (!s->fallback && r->shape) {
      /* the reader may have failed before showing the document element */
      const char *want = r->shape->xml_root ? r->shape->xml_root : "records";
      const char *ns = r->shape->xml_namespace;
      const char *href = root->ns ? (const char *)root->ns->href : NULL;
      if (strcmp((const char *)root->name, want) != 0 || (ns && (!href || strcmp(href, ns))) ||
          (!ns && href))
        return;
    }
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
  struct guard g = enter(s);
  for (;;) {
    int ret = 1;
    if (!s->on_fresh_node)
      ret = xmlTextReaderRead(s->xr);
    s->on_fresh_node = 0;
    if (ret < 0 && !s->seen_root && !s->nonblank && !s->doctype && !s->io_error) {
      s->fatal = 0; /* "document is empty": an empty input has no records */
      s->at = -1;
      break;
    }
    if (ret < 0 || s->doctype || s->io_error) {
      fatal_state(s);
      if (!s->doctype && !s->io_error)
        fallback_find(r, s, NULL, s->qseq0);
      break;
    }
    if (ret == 0) {
      if (!s->seen_root && !s->nonblank) {
        s->at = -1; /* an empty input: no records */
        break;
      }
      if (!s->seen_root) {
        set_fatal(s, (struct xpos){s->line, s->col}, "no document element");
        break;
      }
      s->at = -1;
      break;
    }
    int type = xmlTextReaderNodeType(s->xr);
    int depth = xmlTextReaderDepth(s->xr);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      s->doctype = 1;
      set_fatal(s, s->root_pos, DOCTYPE_MSG);
      break;
    }
    if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
      set_fatal(s, (struct xpos){s->line, s->col}, "entity references are not allowed");
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
        set_fatal(s, s->root_pos,
                  "the document element holds text outside any record (it would be lost)");
        break;
      }
      continue;
    }
    if (type != XML_READER_TYPE_ELEMENT)
      continue;
    if (depth == 0) {
      if (check_root(r, s) != 0)
        break;
      continue;
    }
    if (depth == 1) {
      s->at = 1;
      break;
    }
  }
  leave(g);
}

/* Move past the current record (its subtree is freed). */
static void skip_record(struct thbx_reader *r, struct xml_state *s) {
  struct guard g = enter(s);
  int ret = xmlTextReaderNext(s->xr);
  leave(g);
  if (ret < 0 || s->fatal) {
    s->on_fresh_node = 0;
    fatal_state(s);
    fallback_find(r, s, NULL, s->qseq0 + 1);
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
  long seq = s->qseq0;
  struct xrec *xrec = qrec(s, seq);
  if (!xrec)
    return set_fatal(s, (struct xpos){s->line, s->col}, "records cannot be delimited"),
           fatal(r, s, err);
  rec->line = xrec->start.line;
  rec->column = xrec->start.col;

  int status = THBX_OK;
  json_t *value = NULL;
  struct walk w = {r, s, xrec, 0, err, THBX_OK, r->shape ? r->shape->xml_namespace : NULL};
  if (xrec->oversize) {
    status = reader_error(r, err, THBX_ELIMIT, xrec->start.line, xrec->start.col,
                          "record is larger than max_record_bytes (%zu)",
                          r->opt.limits.max_record_bytes);
  }
  xmlNodePtr node = s->fb;
  if (!s->fallback) {
    struct guard g = enter(s);
    node = xrec->oversize ? xmlTextReaderCurrentNode(s->xr) : xmlTextReaderExpand(s->xr);
    leave(g);
  }
  /* expanding reads on, and the scanner may grow (realloc) the queue that
   * xrec points into */
  xrec = qrec(s, seq);
  if (!xrec)
    return set_fatal(s, (struct xpos){s->line, s->col}, "records cannot be delimited"),
           fatal(r, s, err);
  w.rec = xrec;
  if (xrec->oversize && status == THBX_OK) /* found out while expanding */
    status = reader_error(r, err, THBX_ELIMIT, xrec->start.line, xrec->start.col,
                          "record is larger than max_record_bytes (%zu)",
                          r->opt.limits.max_record_bytes);
  if (!node && !s->fallback && s->fatal && xrec->complete && !pos_le(s->fatal_pos, xrec->end))
    node = xmlTextReaderCurrentNode(s->xr); /* whole: the error is after it */
  if (node)
    node->_private = &processed_marker;
  if (!xrec->oversize) {
    /* a parse error at or before the record's end: the record is broken and
     * so is the stream; one after it: the record is whole, the error comes
     * with the next call */
    if (!node || !xrec->complete || (s->fatal && pos_le(s->fatal_pos, xrec->end)))
      return fatal(r, s, err);
    if (r->shape) {
      const char *want = r->shape->xml_name ? r->shape->xml_name : "record";
      if (!ns_ok(&w, node) || strcmp((const char *)node->name, want) != 0) {
        fail_at(&w, THBX_EPARSE, 0, "unexpected element '%s' in '%s': records are '%s' elements",
                (const char *)node->name, r->shape->xml_root ? r->shape->xml_root : "records",
                want);
      } else {
        value = shaped_value(&w, node, r->shape, 0, 1);
      }
    } else {
      value = generic_value(&w, node, 0, 1);
    }
    status = w.status;
    if (status == THBX_OK && s->vctxt && validate_record(s, xrec, node) == THBX_ENOMEM)
      status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    if (raw_record(&r->raw, node, r->shape ? r->shape->xml_namespace : NULL,
                   s->win.data + (xrec->wstart - s->wbase), xrec->wend - xrec->wstart) != 0) {
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
  s->qhead++;
  s->qseq0++;
  win_trim(s);
  if (status != THBX_OK) {
    json_decref(value);
    return status;
  }
  rec->value = value;
  return THBX_OK;
}

const struct reader_ops reader_xml_ops = {xml_open, xml_next, xml_free};
