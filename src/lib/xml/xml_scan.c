/*
 * xml_scan.c - the byte scanner of XML input (see xml_scan.h).
 */
#include "xml_scan.h"

#include <stdlib.h>
#include <string.h>

#define STR(x) #x
#define XSTR(x) STR(x)

void xml_scan_init(struct xml_scan *s, size_t max_record_bytes) {
  memset(s, 0, sizeof(*s));
  s->max_record_bytes = max_record_bytes;
  s->line = 1;
  s->col = 1;
  thbx_buf_init(&s->win);
}

void xml_scan_free(struct xml_scan *s) {
  thbx_buf_free(&s->win);
  free(s->q);
  free(s->pos);
  s->q = NULL;
  s->pos = NULL;
}

struct xml_pos xml_scan_elem_pos(const struct xml_scan *s, const struct xml_rec *rec,
                                 size_t index) {
  if (index < rec->npos && rec->pos0 + index >= s->pbase)
    return s->pos[rec->pos0 + index - s->pbase];
  return rec->start;
}

void xml_scan_pop(struct xml_scan *s) {
  s->qhead++;
  s->qseq0++;
  xml_scan_trim(s);
}

struct xml_rec *xml_scan_rec(struct xml_scan *s, long seq) {
  if (seq < s->qseq0 || (size_t)(seq - s->qseq0) >= s->qlen - s->qhead)
    return NULL;
  return &s->q[s->qhead + (size_t)(seq - s->qseq0)];
}

static int win_append(struct xml_scan *s, const unsigned char *p, size_t n) {
  if (n == 0)
    return 0;
  if (thbx_buf_append(&s->win, (const char *)p, n) != 0)
    return -1;
  s->wtotal += n;
  return 0;
}

void xml_scan_trim(struct xml_scan *s) {
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

static struct xml_rec *open_rec(struct xml_scan *s) {
  if (s->qlen > s->qhead && !s->q[s->qlen - 1].complete)
    return &s->q[s->qlen - 1];
  return NULL;
}

static int push_pos(struct xml_scan *s, struct xml_pos p) {
  if (s->plen == s->pcap) {
    size_t cap = s->pcap ? s->pcap * 2 : 256;
    struct xml_pos *np = realloc(s->pos, cap * sizeof(*np));
    if (!np)
      return -1;
    s->pos = np;
    s->pcap = cap;
  }
  s->pos[s->plen++] = p;
  return 0;
}

/* A start tag begins (its '<' at s->lt, window offset s->lt_w). */
/* A record starts at the last '<'. */
static int new_rec(struct xml_scan *s) {
  if (s->qlen == s->qcap) {
    size_t cap = s->qcap ? s->qcap * 2 : 16;
    struct xml_rec *nq = realloc(s->q, cap * sizeof(*nq));
    if (!nq)
      return -1;
    s->q = nq;
    s->qcap = cap;
  }
  if (s->qhead == s->qlen)
    s->qseq0 = s->scanned;
  struct xml_rec *rec = &s->q[s->qlen++];
  memset(rec, 0, sizeof(*rec));
  rec->wstart = s->lt_w;
  rec->start = s->lt;
  rec->pos0 = s->pbase + s->plen;
  s->scanned++;
  return 0;
}

/* The document element's name is read: is it a record itself (a document
 * of one record, which the XSD allows), rather than the root of records? */
static int root_named(struct xml_scan *s) {
  s->naming_root = 0;
  s->rootname[s->rootname_len] = '\0';
  const char *local = strchr(s->rootname, ':');
  local = local ? local + 1 : s->rootname;
  if (!s->record_name || strcmp(local, s->record_name) != 0 ||
      (s->root_name && strcmp(local, s->root_name) == 0))
    return 0;
  s->root_is_record = 1;
  if (new_rec(s) != 0 || push_pos(s, s->lt) != 0)
    return -1;
  s->q[s->qlen - 1].npos++;
  return 0;
}

static int scan_start_tag(struct xml_scan *s) {
  s->depth++;
  if (s->depth == 1) {
    s->seen_root = 1;
    s->root_pos = s->lt;
    s->naming_root = s->record_name != NULL;
    s->rootname_len = 0;
    return 0;
  }
  if (s->depth == 2 && !s->root_is_record && new_rec(s) != 0)
    return -1;
  struct xml_rec *rec = open_rec(s);
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
static int scan_end_element(struct xml_scan *s, size_t after_w, struct xml_pos after) {
  s->depth--;
  if (s->depth == (s->root_is_record ? 0 : 1)) {
    struct xml_rec *rec = open_rec(s);
    if (rec) {
      if (!rec->oversize && after_w - rec->wstart > s->max_record_bytes) {
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

#define SCAN_SYNC() (s->st = st, s->line = line, s->col = col, s->cr = cr)

/* Byte classes of the fast path in xml_scan_feed: the bytes that end a run
 * in text, in an end tag, in a start tag outside quotes; and the blanks (any
 * other byte makes text non-blank, and a start tag's '/' not the last). */
enum { K_TEXT = 1, K_ETAG = 2, K_STAG = 4, K_BLANK = 8 };
static const unsigned char scan_class[256] = {
    ['\t'] = K_BLANK,
    [' '] = K_BLANK,
    ['\n'] = K_TEXT | K_ETAG | K_STAG | K_BLANK,
    ['\r'] = K_TEXT | K_ETAG | K_STAG | K_BLANK,
    ['<'] = K_TEXT,
    ['>'] = K_ETAG | K_STAG,
    ['"'] = K_STAG,
    ['\''] = K_STAG,
    ['/'] = K_STAG,
    ['='] = K_STAG,
};

/* The end of the run of bytes from p[i] that change nothing but the column
 * in state st (i itself when there is none); *chars: the characters in it,
 * *blank: K_BLANK when all of them are blanks. Not while the document
 * element's name is read (root_named needs every byte of it), nor inside a
 * quoted attribute value but for its own loop (only the quote and line ends
 * stop it there). */
static size_t scan_run(const struct xml_scan *s, enum xml_scan_state st, const unsigned char *p,
                       size_t i, size_t n, long *chars, unsigned *blank) {
  size_t j = i;
  long k = 0;
  unsigned b = K_BLANK;
  if (st == SC_STAG && s->naming_root)
    return i;
  if (st == SC_STAG && s->quote) {
    unsigned char q = (unsigned char)s->quote;
    while (j < n && p[j] != q && p[j] != '\n' && p[j] != '\r') {
      k += (p[j] & 0xC0) != 0x80;
      j++;
    }
    *chars = k;
    *blank = 0; /* a quoted value changes nothing but the column */
    return j;
  }
  unsigned stop = st == SC_TEXT ? K_TEXT : st == SC_ETAG ? K_ETAG : st == SC_STAG ? K_STAG : 0;
  if (!stop)
    return i;
  while (j < n && !(scan_class[p[j]] & stop)) {
    b &= scan_class[p[j]];
    k += (p[j] & 0xC0) != 0x80;
    j++;
  }
  *chars = k;
  *blank = b;
  return j;
}

int xml_scan_feed(struct xml_scan *s, const unsigned char *p, size_t n) {
  size_t seg = 0; /* first byte of p not yet appended to the window */
  size_t limit = s->max_record_bytes;
  /* the state in locals: p may alias anything, so fields of s would be
   * stored and reloaded at every byte */
  enum xml_scan_state st = s->st;
  long line = s->line, col = s->col;
  int cr = s->cr;
  for (size_t i = 0; i < n; i++) {
    /* fast path: a run of bytes that change nothing but the column (and
     * whether text or a tag has a non-blank); byte by byte through the
     * switch below, the scanner was 7% of validating XML */
    long chars = 0;
    unsigned blank = K_BLANK;
    size_t j = scan_run(s, st, p, i, n, &chars, &blank);
    if (j > i) {
      cr = 0;
      col += chars;
      if (!blank) {
        if (st == SC_TEXT)
          s->nonblank = 1;
        else if (st == SC_STAG && !s->quote)
          s->last_slash = 0;
      }
      i = j;
      if (i == n)
        break;
    }
    unsigned char c = p[i];
    struct xml_pos here = {line, col};
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
          s->nomem = 1;
          SCAN_SYNC();
          return -1;
        }
        if (s->naming_root && s->rootname_len + 1 < sizeof(s->rootname))
          s->rootname[s->rootname_len++] = (char)c;
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
        s->refused = XML_SCAN_DOCTYPE_MSG;
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
      if (s->naming_root) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '/' && c != '>') {
          if (s->rootname_len + 1 < sizeof(s->rootname))
            s->rootname[s->rootname_len++] = (char)c;
          break;
        }
        if (root_named(s) != 0) {
          s->nomem = 1;
          SCAN_SYNC();
          return -1;
        }
      }
      if (s->quote) {
        if (c == s->quote)
          s->quote = 0;
      } else if (c == '"' || c == '\'') {
        s->quote = c;
        s->last_slash = 0;
      } else if (c == '>') {
        st = SC_TEXT;
        if (s->last_slash) {
          struct xml_pos after = {line, col};
          if (scan_end_element(s, s->wtotal + (i + 1 - seg), after) && s->discard) {
            s->discard = 0; /* the oversize record ended: keep what follows */
            seg = i + 1;
          }
        }
      } else if (c == '/') {
        s->last_slash = 1;
      } else if (c == '=' && ++s->nattr > XML_SCAN_MAX_ATTRIBUTES) {
        s->doctype = 1;
        s->doctype_pos = s->lt;
        s->refused =
            "an element with more than " XSTR(XML_SCAN_MAX_ATTRIBUTES) " attributes is not allowed";
        SCAN_SYNC();
        return -1;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        s->last_slash = 0;
      }
      break;
    case SC_ETAG:
      if (c == '>') {
        st = SC_TEXT;
        struct xml_pos after = {line, col};
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
    s->nomem = 1;
    return -1;
  }
  /* size limit of the open record: stop keeping its bytes (checked once a
   * chunk, so the window holds at most the limit plus one chunk) */
  struct xml_rec *rec = open_rec(s);
  if (rec && !rec->oversize && s->wtotal - rec->wstart > limit) {
    rec->oversize = 1;
    rec->npos = 0;
    s->win.len = rec->wstart - s->wbase;
    s->win.data[s->win.len] = '\0';
    s->wtotal = rec->wstart;
    s->plen = rec->pos0 - s->pbase;
    s->discard = 1;
  }
  xml_scan_trim(s);
  return 0;
}
