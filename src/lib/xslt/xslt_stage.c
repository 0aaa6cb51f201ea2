/*
 * xslt_stage.c - the --xslt stage: each XML record element (item->raw, a
 * document of its own) goes through the stylesheets in order; the result
 * is read back with the XML reader, as a record of the profile or, for a
 * mapping that follows, generically. One record in, one record out: the
 * stylesheet sees one record only (no keys or sorting across records).
 */
#define _GNU_SOURCE
#include "xslt_safe.h"

#include <libxml/tree.h>
#include <libxslt/xsltutils.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct thbx_xslt_stage {
  thbx_xslt_t *const *xslts;
  size_t count;
  const thbx_profile_t *profile;
};

int thbx_xslt_stage_new(thbx_xslt_stage_t **out, thbx_xslt_t *const *xslts, size_t count,
                        const thbx_profile_t *profile, thbx_error_t *err) {
  *out = calloc(1, sizeof(**out));
  if (!*out)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  (*out)->xslts = xslts;
  (*out)->count = count;
  (*out)->profile = profile;
  return THBX_OK;
}

/* Skip an XML declaration at the start of a result. */
static const char *body(const char *s, size_t *len) {
  if (*len >= 5 && strncmp(s, "<?xml", 5) == 0) {
    const char *e = strstr(s, "?>");
    if (e) {
      *len -= (size_t)(e + 2 - s);
      s = e + 2;
    }
  }
  return s;
}

/* Read the result as one record. */
static int read_back(const struct thbx_xslt_stage *st, thbx_item_t *item, const char *res,
                     size_t len, thbx_error_t *err) {
  const char *b = body(res, &len);
  thbx_buf_t doc;
  thbx_buf_init(&doc);
  const char *root = "records", *ns = NULL;
  const json_t *xml = st->profile ? json_object_get(thbx_profile_schema(st->profile), "xml") : NULL;
  if (xml) {
    if (json_is_string(json_object_get(xml, "x-root")))
      root = json_string_value(json_object_get(xml, "x-root"));
    ns = json_string_value(json_object_get(xml, "namespace"));
  }
  if (ns)
    thbx_buf_printf(&doc, "<%s xmlns=\"%s\">", root, ns);
  else
    thbx_buf_printf(&doc, "<%s>", root);
  thbx_buf_append(&doc, b, len);
  thbx_buf_printf(&doc, "</%s>", root);
  if (!doc.data)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  FILE *fp = fmemopen(doc.data, doc.len, "r");
  if (!fp) {
    thbx_buf_free(&doc);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_reader_options_t ro;
  thbx_reader_options_default(&ro);
  ro.format = THBX_FORMAT_XML;
  ro.profile = st->profile;
  thbx_reader_t *r = NULL;
  thbx_error_t e;
  int rc = thbx_reader_open(&r, fp, item->source, &ro, &e);
  thbx_record_t rec = {0};
  int got = rc == THBX_OK ? thbx_reader_next(r, &rec, &e) : rc;
  int status = THBX_OK;
  if (got == THBX_OK) {
    thbx_record_t more;
    thbx_error_t e2;
    int next = thbx_reader_next(r, &more, &e2);
    if (next == THBX_OK) {
      json_decref(more.value);
      json_decref(rec.value);
      thbx_item_issuef(item, THBX_ISSUE_UNREADABLE, "xslt", "", NULL,
                       "the stylesheet made several records of one (one record in, one out)");
    } else {
      size_t rl = 0;
      const char *raw = thbx_reader_raw(r, &rl);
      char *copy = raw ? strndup(raw, rl) : NULL;
      json_decref(item->value);
      item->value = rec.value;
      if (copy) {
        free(item->raw);
        item->raw = copy;
        item->raw_length = rl;
      }
      item->raw_stale = 1;
    }
  } else if (got == THBX_EOF) {
    thbx_item_issuef(item, THBX_ISSUE_UNREADABLE, "xslt", "", NULL,
                     "the stylesheet made no record of this one");
  } else if (got == THBX_ENOMEM) {
    status = thbx_error_set(err, THBX_ENOMEM, "out of memory");
  } else {
    thbx_item_issuef(item, THBX_ISSUE_UNREADABLE, "xslt", e.instance_path, NULL,
                     "the stylesheet's result cannot be read: %s", e.text);
  }
  thbx_reader_free(r);
  fclose(fp);
  thbx_buf_free(&doc);
  return status;
}

static int stage_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  const struct thbx_xslt_stage *st = state;
  if (!item->raw || item->format != THBX_FORMAT_XML)
    return thbx_error_set(err, THBX_EINVAL, "--xslt applies to XML input only");
  char *cur = NULL;
  size_t curlen = 0;
  const char *in = item->raw;
  size_t inlen = item->raw_length;
  for (size_t i = 0; i < st->count; i++) {
    char *res = NULL;
    size_t reslen = 0;
    int rc = thbx_xslt_apply(st->xslts[i], in, inlen, &res, &reslen, err);
    free(cur);
    if (rc == THBX_EPARSE) {
      thbx_item_issuef(item, THBX_ISSUE_UNREADABLE, "xslt", "", NULL, "%s", err->text);
      return THBX_OK;
    }
    if (rc != THBX_OK) {
      if (!err->line)
        err->line = 0;
      return rc; /* a hostile or broken stylesheet stops the run */
    }
    cur = res;
    curlen = reslen;
    in = cur;
    inlen = curlen;
  }
  int rc = read_back(st, item, cur ? cur : "", curlen, err);
  free(cur);
  return rc;
}

static void stage_free(void *state) { free(state); }

static const thbx_stage_ops_t ops = {"xslt",    THBX_STAGE_STATELESS, 1, stage_apply, NULL,
                                     stage_free};

const thbx_stage_ops_t *thbx_xslt_stage_ops(void) { return &ops; }

/* ------------------------------------------------------------ --xslt-out */

/* Each record is spelled as its own XML document (the record element with
 * the profile's namespace), put through the stylesheet on a worker, and the
 * result is written into the output document as it is. */
struct xslt_out {
  const thbx_xslt_t *xslt;
  const thbx_profile_t *profile;
  thbx_writer_t *writer; /* borrowed: the output document */
};

static int out_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  const struct xslt_out *o = state;
  if (!item->value)
    return THBX_OK;
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (!mem)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  thbx_writer_options_t wo;
  thbx_writer_options_default(&wo);
  wo.format = THBX_FORMAT_XML;
  wo.profile = o->profile;
  wo.compact = 1;
  thbx_writer_t *w = NULL;
  thbx_error_t werr;
  int rc = thbx_writer_open(&w, mem, &wo, &werr);
  if (rc == THBX_OK)
    rc = thbx_writer_write(w, item->value, &werr);
  if (rc == THBX_OK)
    rc = thbx_writer_finish(w, &werr);
  thbx_writer_free(w);
  fclose(mem);
  if (rc != THBX_OK) {
    free(buf);
    if (rc != THBX_EPARSE)
      return thbx_error_set(err, rc, "%s", werr.text);
    thbx_item_issuef(item, THBX_ISSUE_UNREADABLE, "write", werr.instance_path, NULL,
                     "cannot be written as xml: %s", werr.text);
    return THBX_OK;
  }
  /* the record element alone, as a document of its own */
  xmlDocPtr doc = xslt_safe_parse(buf, len, "record.xml");
  free(buf);
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  xmlNodePtr rec = root ? xmlFirstElementChild(root) : NULL;
  if (!rec) {
    xmlFreeDoc(doc);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  xmlDocPtr one = xmlNewDoc((const xmlChar *)"1.0");
  xmlNodePtr copy = one ? xmlDocCopyNode(rec, one, 1) : NULL;
  xmlFreeDoc(doc);
  if (!copy) {
    xmlFreeDoc(one);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  xmlDocSetRootElement(one, copy);
  xmlReconciliateNs(one, copy);
  xmlDocPtr res = NULL;
  rc = xslt_safe_transform(o->xslt, one, &res, err);
  xmlFreeDoc(one);
  if (rc != THBX_OK)
    return rc; /* a hostile or broken stylesheet stops the run */
  xmlChar *text = NULL;
  int tl = 0;
  int src = xsltSaveResultToString(&text, &tl, res, xslt_safe_stylesheet(o->xslt));
  xmlFreeDoc(res);
  if (src != 0)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  size_t n = (size_t)tl;
  if (n > THBX_XSLT_MAX_OUTPUT) {
    xmlFree(text);
    return thbx_error_set(err, THBX_ESCHEMA, "the stylesheet's output is larger than %zu MiB",
                          THBX_XSLT_MAX_OUTPUT >> 20);
  }
  const char *b = body(text ? (const char *)text : "", &n);
  while (n && (*b == '\n' || *b == ' ')) {
    b++;
    n--;
  }
  while (n && (b[n - 1] == '\n' || b[n - 1] == ' '))
    n--;
  free(item->out);
  item->out = strndup(b, n);
  item->out_length = n;
  xmlFree(text);
  return item->out ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
}

static int out_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                    thbx_error_t *err) {
  (void)p;
  const struct xslt_out *o = state;
  if (!item->out || item->nissues)
    return THBX_OK;
  return thbx_writer_write_raw(o->writer, item->out, item->out_length, err);
}

static int out_finish(void *state, int complete, thbx_error_t *err) {
  const struct xslt_out *o = state;
  return complete ? thbx_writer_finish(o->writer, err) : THBX_OK;
}

static const thbx_stage_ops_t out_stage = {"xslt-out", THBX_STAGE_STATELESS, 1, out_apply, NULL,
                                           NULL};

int thbx_pipeline_add_xslt_writer(thbx_pipeline_t *p, thbx_writer_t *writer,
                                  const thbx_xslt_t *xslt, thbx_error_t *err) {
  struct xslt_out *o = calloc(1, sizeof(*o));
  if (!o)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  o->xslt = xslt;
  o->profile = thbx_pipeline_profile(p);
  o->writer = writer;
  int rc = thbx_pipeline_add_stage(p, &out_stage, o, err);
  if (rc != THBX_OK)
    return rc;
  thbx_sink_ops_t sops = {0};
  sops.name = "xslt-out";
  sops.item = out_item;
  sops.finish = out_finish;
  sops.free = free; /* the sink owns o; the stage borrows it */
  return thbx_pipeline_add_sink(p, &sops, o, err);
}
