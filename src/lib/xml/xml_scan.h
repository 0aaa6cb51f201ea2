/*
 * xml_scan.h - the byte scanner that runs over XML input before libxml2
 * sees it (internal; the XML reader feeds it). It
 *  - refuses any DOCTYPE (or other markup declaration) before libxml2 parses
 *    it, so no entity can ever be declared, expanded or loaded, and elements
 *    with more than XML_SCAN_MAX_ATTRIBUTES attributes (libxml2 checks them
 *    for duplicates pairwise);
 *  - delimits each record (a child of the document element, start tag to
 *    end tag) so that its raw bytes are kept for reject files and its size
 *    is bounded;
 *  - notes the line and column of every start tag, which libxml2's nodes do
 *    not carry, for per-element error messages and for attributing XSD
 *    errors to the record they belong to.
 * libxml2 stays the judge of well-formedness; the scanner only counts tags.
 * Columns count characters (UTF-8 sequences), as libxml2 does.
 */
#ifndef THBX_XML_SCAN_H
#define THBX_XML_SCAN_H

#include "internal.h"

#include <stddef.h>

#define XML_SCAN_MAX_ATTRIBUTES 1000
#define XML_SCAN_DOCTYPE_MSG "DOCTYPE is not allowed (entity declarations can expand or read files)"

struct xml_pos {
  long line, col;
};

static inline int xml_pos_le(struct xml_pos a, struct xml_pos b) {
  return a.line < b.line || (a.line == b.line && a.col <= b.col);
}

/* A record the scanner delimited (or is delimiting). */
struct xml_rec {
  size_t wstart, wend;  /* its bytes in the window (logical offsets) */
  struct xml_pos start; /* its start tag */
  struct xml_pos end;   /* just after its end tag */
  size_t pos0, npos;    /* positions of its start tags in s->pos (logical) */
  int complete;
  int oversize;
};

enum xml_scan_state {
  SC_TEXT,
  SC_LT,      /* after '<' */
  SC_BANG,    /* after "<!" */
  SC_COMMENT, /* inside <!-- --> */
  SC_PI,      /* inside <? ?> */
  SC_CDATA,   /* inside <![CDATA[ ]]> */
  SC_STAG,    /* inside a start tag */
  SC_ETAG     /* inside an end tag */
};

struct xml_scan {
  size_t max_record_bytes;
  /* profile mode: a document element of this local name that is not
   * root_name is itself the one record (NULL: never) */
  const char *record_name, *root_name;
  int root_is_record;
  int naming_root; /* reading the document element's name into rootname */
  char rootname[128];
  size_t rootname_len;
  enum xml_scan_state st;
  int quote;         /* in a start tag: the open quote char, 0 if none */
  int last_slash;    /* in a start tag: the last non-blank char was '/' */
  int dashes;        /* comment / CDATA / PI end detection */
  int bang_n;        /* chars seen after "<!" */
  int cr;            /* last byte was CR */
  long line, col;    /* position of the next byte */
  struct xml_pos lt; /* position of the last '<' */
  size_t lt_w;       /* its window offset */
  long depth;        /* element depth: 1 inside the document element */
  int seen_root, root_closed, nonblank;
  struct xml_pos root_pos;
  int doctype; /* input was refused at doctype_pos (a DOCTYPE, ...) */
  struct xml_pos doctype_pos;
  const char *refused; /* why */
  long nattr;          /* in a start tag: attributes so far */
  int nomem;           /* out of memory: the input was refused */

  /* window of record bytes: data[0] is logical offset wbase */
  thbx_buf_t win;
  size_t wbase, wtotal; /* wtotal: logical offset of the next byte */
  int discard;          /* the open record is over the size limit */

  /* delimited records, [qhead, qlen) not yet returned; seq of q[0] is qseq0 */
  struct xml_rec *q;
  size_t qhead, qlen, qcap;
  long qseq0;
  long scanned; /* records started so far */

  /* start tag positions; pos[0] is logical index pbase */
  struct xml_pos *pos;
  size_t pbase, plen, pcap;
};

void xml_scan_init(struct xml_scan *s, size_t max_record_bytes);
void xml_scan_free(struct xml_scan *s);
/* Scan n bytes about to be handed to libxml2. Returns 0, or -1 to refuse
 * them (s->doctype and s->refused say why, or s->nomem). */
int xml_scan_feed(struct xml_scan *s, const unsigned char *p, size_t n);
/* The record with sequence number seq (0-based) if still queued, else NULL.
 * Pointers are invalidated by the next feed. */
struct xml_rec *xml_scan_rec(struct xml_scan *s, long seq);
/* Position of the start tag of the index-th element (pre-order, 0: the
 * record's own) of rec; the record's start when unknown. */
struct xml_pos xml_scan_elem_pos(const struct xml_scan *s, const struct xml_rec *rec, size_t index);
/* The record's bytes in the window (empty for an oversize record). */
static inline const char *xml_scan_bytes(const struct xml_scan *s, const struct xml_rec *rec,
                                         size_t *len) {
  *len = rec->wend - rec->wstart;
  return s->win.data + (rec->wstart - s->wbase);
}
/* The oldest queued record was returned: drop it. */
void xml_scan_pop(struct xml_scan *s);
/* Drop window bytes and positions no queued record needs any more. */
void xml_scan_trim(struct xml_scan *s);

#endif
