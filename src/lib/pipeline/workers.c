/*
 * workers.c - -j N: N threads run the pipeline's leading stateless stages
 * (conversion, JSON Schema) while the calling thread reads, and a bounded
 * reorder buffer gives the items back to the calling thread in input order
 * for the ordered stages and the sinks. Every output is therefore the same
 * for every N.
 *
 * The buffer is a ring of `cap` slots indexed by sequence number: the
 * reader puts item s in slot s % cap, workers take items in the order they
 * came, and the reader delivers slot next_out once its stages ran. At most
 * cap items, and about MAX_BYTES of their bytes, are in flight, so memory
 * stays bounded on any input size.
 */
#include "pipeline_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS_PER_JOB 64
/* workers are woken when this many items wait (or at a drain), so that a
 * thread switch is paid per batch, not per record */
#define BATCH 16
#define MAX_BYTES ((size_t)16 << 20)

struct workers {
  struct thbx_pipeline *p;
  pthread_t *threads;
  int n, started;
  pthread_mutex_t mu;
  pthread_cond_t work; /* a worker waits for an item */
  pthread_cond_t done; /* the reader waits for slot next_out */
  struct pitem **ring;
  size_t cap;
  unsigned long long next_in, next_work, next_out;
  size_t bytes; /* of the items in flight */
  int idle;     /* workers waiting for items */
  int waiting;  /* the reader waits for slot wait_seq */
  unsigned long long wait_seq;
  int flushing; /* a drain: wake workers for every item */
  int quit;
  struct pitem *garbage; /* delivered items whose values a worker frees */
};

static void free_list(struct pitem *it) {
  while (it) {
    struct pitem *next = it->next;
    pipeline_item_free(it);
    it = next;
  }
}

void workers_recycle(struct workers *w, struct pitem *it) {
  /* most of an item (its value, spelled output, issues) was made on a
   * worker: a worker frees it, so that malloc reuses its own memory */
  pthread_mutex_lock(&w->mu);
  it->next = w->garbage;
  w->garbage = it;
  pthread_mutex_unlock(&w->mu);
}

static void *worker_main(void *arg) {
  struct workers *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->quit && w->next_work == w->next_in) {
      w->idle++;
      pthread_cond_wait(&w->work, &w->mu);
      w->idle--;
    }
    if (w->quit)
      break;
    struct pitem *it = w->ring[w->next_work % w->cap];
    w->next_work++;
    /* free one delivered item per item taken, as -j 1 frees one record
     * before it reads the next: malloc then reuses what was just freed */
    struct pitem *garbage = w->garbage;
    if (garbage) {
      w->garbage = garbage->next;
      garbage->next = NULL;
    }
    pthread_mutex_unlock(&w->mu);
    free_list(garbage);
    pipeline_run_parallel(w->p, it);
    pthread_mutex_lock(&w->mu);
    it->done = 1;
    w->bytes += it->item.out_length;
    if (w->waiting && w->ring[w->wait_seq % w->cap]->done)
      pthread_cond_signal(&w->done);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

int workers_new(struct workers **out, struct thbx_pipeline *p, int n, thbx_error_t *err) {
  *out = NULL;
  struct workers *w = calloc(1, sizeof(*w));
  if (!w)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  w->p = p;
  w->cap = (size_t)n * SLOTS_PER_JOB;
  w->ring = calloc(w->cap, sizeof(*w->ring));
  w->threads = calloc((size_t)n, sizeof(*w->threads));
  if (!w->ring || !w->threads) {
    free(w->ring);
    free(w->threads);
    free(w);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->done, NULL);
  for (int i = 0; i < n; i++) {
    if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
      break;
    w->started++;
  }
  if (w->started == 0) {
    workers_free(w);
    return thbx_error_set(err, THBX_ENOMEM, "cannot start worker threads");
  }
  w->n = n;
  *out = w;
  return THBX_OK;
}

/* Take slot next_out once its stages ran (wait: block until then). Called
 * with the lock held; NULL when there is nothing to take. A reader that
 * must wait sleeps until a batch of items is done (the slot BATCH ahead,
 * or the last one queued), not once per item. */
static struct pitem *take(struct workers *w, int wait) {
  while (w->next_out < w->next_in) {
    struct pitem *it = w->ring[w->next_out % w->cap];
    if (it->done) {
      w->ring[w->next_out % w->cap] = NULL;
      w->next_out++;
      w->bytes -= it->bytes;
      return it;
    }
    if (!wait)
      return NULL;
    if (w->idle)
      pthread_cond_broadcast(&w->work); /* nobody may be on the pending items yet */
    unsigned long long last = w->next_out + BATCH < w->next_in ? w->next_out + BATCH : w->next_in;
    w->wait_seq = last - 1;
    if (w->ring[w->wait_seq % w->cap]->done)
      w->wait_seq = w->next_out; /* the batch is done but for its first items */
    w->waiting = 1;
    while (!w->ring[w->wait_seq % w->cap]->done)
      pthread_cond_wait(&w->done, &w->mu);
    w->waiting = 0;
  }
  return NULL;
}

static int deliver_ready(struct workers *w, int wait, int (*more)(struct workers *),
                         thbx_error_t *err) {
  pthread_mutex_lock(&w->mu);
  for (;;) {
    if (more && !more(w))
      break;
    struct pitem *it = take(w, wait);
    if (!it)
      break;
    pthread_mutex_unlock(&w->mu);
    int rc = pipeline_deliver(w->p, it, err);
    if (rc != THBX_OK)
      return rc;
    pthread_mutex_lock(&w->mu);
  }
  pthread_mutex_unlock(&w->mu);
  return THBX_OK;
}

static int full(struct workers *w) {
  size_t inflight = (size_t)(w->next_in - w->next_out);
  return inflight >= w->cap || (inflight > 0 && w->bytes >= MAX_BYTES);
}

int workers_submit(struct workers *w, struct pitem *it, thbx_error_t *err) {
  /* make room: deliver in order while the buffer is full */
  int rc = deliver_ready(w, 1, full, err);
  if (rc != THBX_OK) {
    pipeline_item_free(it);
    return rc;
  }
  pthread_mutex_lock(&w->mu);
  w->ring[w->next_in % w->cap] = it;
  w->bytes += it->bytes;
  w->next_in++;
  if (w->idle && w->next_in - w->next_work >= BATCH)
    pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->mu);
  /* and whatever is ready already, so that sinks keep up */
  return deliver_ready(w, 0, NULL, err);
}

int workers_drain(struct workers *w, thbx_error_t *err) { return deliver_ready(w, 1, NULL, err); }

void workers_discard(struct workers *w) {
  pthread_mutex_lock(&w->mu);
  struct pitem *it;
  while ((it = take(w, 1)) != NULL)
    pipeline_item_free(it);
  pthread_mutex_unlock(&w->mu);
}

void workers_free(struct workers *w) {
  if (!w)
    return;
  if (w->ring && w->started)
    workers_discard(w);
  pthread_mutex_lock(&w->mu);
  w->quit = 1;
  pthread_cond_broadcast(&w->work);
  pthread_mutex_unlock(&w->mu);
  for (int i = 0; i < w->started; i++)
    pthread_join(w->threads[i], NULL);
  free_list(w->garbage);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->work);
  pthread_cond_destroy(&w->done);
  free(w->ring);
  free(w->threads);
  free(w);
}
