/*
 * sink_writer.c - conversion as a pipeline stage and a sink: the stage
 * spells each record in the writer's format (stateless, so workers spell
 * records in parallel, each with its own private writer; ordered when the
 * spelling depends on the records before, as generic CSV takes its columns
 * from the first record), and the sink writes the spelled bytes in input
 * order. A record the format cannot carry gets an issue of rule "write"
 * and is not written.
 */
#include "pipeline_internal.h"
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct convert {
  thbx_writer_t *writer; /* borrowed: the sink writes into it */
  pthread_key_t key;     /* this thread's private writer */
  pthread_mutex_t mu;
  thbx_writer_t **clones;
  size_t nclones;
  int finished;
};

static thbx_writer_t *clone_for_thread(struct convert *c, thbx_error_t *err) {
  thbx_writer_t *w = pthread_getspecific(c->key);
  if (w)
    return w;
  if (writer_clone(c->writer, &w, err) != THBX_OK)
    return NULL;
  pthread_mutex_lock(&c->mu);
  thbx_writer_t **list = realloc(c->clones, (c->nclones + 1) * sizeof(*list));
  if (list) {
    c->clones = list;
    list[c->nclones++] = w;
  }
  pthread_mutex_unlock(&c->mu);
  if (!list || pthread_setspecific(c->key, w) != 0) {
    if (!list)
      thbx_writer_free(w);
    thbx_error_set(err, THBX_ENOMEM, "out of memory");
    return NULL;
  }
  return w;
}

/* "cannot be written as csv: /path: why", the path once. */
static void refusal(char *text, size_t size, const thbx_error_t *e, thbx_format to) {
  const char *path = e->instance_path;
  size_t plen = strlen(path);
  if (plen && strncmp(e->text, path, plen) == 0)
    path = ""; /* the text names the path already */
  snprintf(text, size, "cannot be written as %.6s: %.180s%s%.280s", thbx_format_name(to), path,
           path[0] ? ": " : "", e->text);
}

static int convert_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  struct convert *c = state;
  if (!item->value)
    return THBX_OK;
  thbx_writer_t *w = clone_for_thread(c, err);
  if (!w)
    return THBX_ENOMEM;
  thbx_buf_t b;
  thbx_buf_init(&b);
  thbx_error_t werr;
  int rc = writer_spell(w, item->value, &b, &werr);
  if (rc == THBX_OK) {
    free(item->out);
    item->out = b.data ? b.data : strdup("");
    item->out_length = b.len;
    return item->out ? THBX_OK : thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  thbx_buf_free(&b);
  if (rc != THBX_EPARSE) {
    if (err)
      *err = werr;
    return rc;
  }
  char text[THBX_ERROR_TEXT_LENGTH];
  refusal(text, sizeof(text), &werr, c->writer->opt.format);
  if (pipeline_issue(item, THBX_ISSUE_UNREADABLE, "write", item->line, item->column, "", "",
                     text) != THBX_OK)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  return THBX_OK;
}

static void convert_free(void *state) {
  struct convert *c = state;
  if (!c)
    return;
  for (size_t i = 0; i < c->nclones; i++)
    thbx_writer_free(c->clones[i]);
  free(c->clones);
  pthread_key_delete(c->key);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

/* ------------------------------------------------------------ the sink */

static int writer_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                       thbx_error_t *err) {
  (void)p;
  thbx_writer_t *w = state;
  if (!item->out || item->nissues)
    return THBX_OK;
  return writer_put_spelled(w, item->out, item->out_length, err);
}

static int writer_finish(void *state, int complete, thbx_error_t *err) {
  thbx_writer_t *w = state;
  /* a run that stopped early leaves the document visibly unfinished */
  return complete ? thbx_writer_finish(w, err) : thbx_writer_flush(w, err);
}

int thbx_pipeline_add_writer(thbx_pipeline_t *p, thbx_writer_t *writer, thbx_error_t *err) {
  if (!p || !writer)
    return thbx_error_set(err, THBX_EINVAL, "pipeline: no writer given");
  struct convert *c = calloc(1, sizeof(*c));
  if (!c)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (pthread_key_create(&c->key, NULL) != 0) {
    free(c);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&c->mu, NULL);
  c->writer = writer;
  thbx_stage_ops_t ops = {0};
  ops.name = "convert";
  ops.kind = writer_spell_ordered(writer) ? THBX_STAGE_ORDERED : THBX_STAGE_STATELESS;
  ops.skip_rejected = 1;
  ops.apply = convert_apply;
  ops.free = convert_free;
  int rc = pipeline_add_last_stage(p, &ops, c, err);
  if (rc != THBX_OK)
    return rc;
  thbx_sink_ops_t sops = {0};
  sops.name = "writer";
  sops.item = writer_item;
  sops.finish = writer_finish;
  return thbx_pipeline_add_sink(p, &sops, writer, err);
}
