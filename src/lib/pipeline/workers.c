/*
 * workers.c - -j N: N threads run the pipeline's leading stateless stages
 * (parsing NDJSON lines, XSD, conversion, JSON Schema): N - 1 worker
 * threads and the calling thread, which reads, helps with the stages when
 * it has read far enough ahead, and gets the items back in input order for
 * the ordered stages and the sinks. Every output is therefore the same for
 * every N.
 *
 * The buffer is a ring of `cap` slots indexed by sequence number: the
 * reader puts item s in slot s % cap, workers (and the reader) take items in
 * the order they came, and the reader delivers slot next_out once its stages
 * ran. At most cap items, and about MAX_BYTES of their bytes, are in flight,
 * so memory stays bounded on any input size.
 *
 * Why the reader helps instead of waiting (docs/performance.md, -j): on 2
 * cores, a reader that sleeps until a worker is done and 2 workers that
 * sleep until the reader has read were 3 threads taking turns on 2 cores,
 * some 12 000 thread switches per 100 000 records, and -j 2 was slower
 * than -j 1. With the reader working too, nobody waits but at the end of
 * an input, and N threads share N cores.
 */
#include "pipeline_internal.h"
#include "reader.h"
#include "xsd_job.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* a small window: what is in flight is also what the caches must hold
 * (-j 2, validate NDJSON, CPU s: 64 slots a job 1.09, 16 1.01, 8 0.94) */
#define SLOTS_PER_JOB 8
#define MAX_BYTES ((size_t)16 << 20)
/* items a worker takes per trip to the lock (at most its share of those
 * waiting): fewer lock round trips, while the others get some too */
#define TAKE 4
/* an idle worker is woken when this many items wait, so that a thread
 * switch is paid per batch, not per record */
#define WAKE 8
/* items the reader takes out of the ring per trip to the lock to deliver */
#define GIVE 32

struct worker_arg;

struct workers {
  struct thbx_pipeline *p;
  pthread_t *threads;
  int n, started; /* worker threads: jobs - 1 */
  int jobs;       /* the workers and the reader */
  pthread_mutex_t mu;
  pthread_cond_t work; /* a worker waits for an item */
  pthread_cond_t done; /* the reader waits for slot next_out */
  struct pitem **ring;
  size_t cap;
  unsigned long long next_in, next_work, next_out;
  size_t bytes; /* of the items in flight */
  int idle;     /* workers waiting for items */
  int waiting;  /* the reader waits for slot next_out */
  int quit;
  struct worker_arg *args;
  struct pitem **garbage; /* per worker: delivered items whose values it parsed */
  struct pitem *recycled; /* caller's thread: delivered, not yet on those lists */
};

static void free_list(struct pitem *it) {
  while (it) {
    struct pitem *next = it->next;
    pipeline_item_free(it);
    it = next;
  }
}

void workers_recycle(struct workers *w, struct pitem *it) {
  if (it->owner == 0) {
    pipeline_item_free(it);
    return;
  }
  it->next = w->recycled;
  w->recycled = it;
}

/* Hand the recycled items to their workers. Called with the lock held. */
static void give_back(struct workers *w) {
  while (w->recycled) {
    struct pitem *it = w->recycled;
    w->recycled = it->next;
    it->next = w->garbage[it->owner - 1];
    w->garbage[it->owner - 1] = it;
  }
}

struct worker_arg {
  struct workers *w;
  int self; /* 1.. */
};

static void *worker_main(void *arg) {
  struct workers *w = ((struct worker_arg *)arg)->w;
  int self = ((struct worker_arg *)arg)->self;
  struct pitem *mine[TAKE];
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->quit && w->next_work == w->next_in) {
      w->idle++;
      pthread_cond_wait(&w->work, &w->mu);
      w->idle--;
    }
    if (w->quit)
      break;
    size_t pending = (size_t)(w->next_in - w->next_work);
    size_t n = pending / (size_t)w->jobs;
    n = n < 1 ? 1 : n > TAKE ? TAKE : n;
    for (size_t i = 0; i < n; i++)
      mine[i] = w->ring[(w->next_work + i) % w->cap];
    w->next_work += n;
    /* what this worker parsed, freed before it parses more: malloc then
     * reuses blocks this core has in its cache */
    struct pitem *garbage = w->garbage[self - 1];
    w->garbage[self - 1] = NULL;
    pthread_mutex_unlock(&w->mu);
    free_list(garbage);
    for (size_t i = 0; i < n; i++) {
      int parse = mine[i]->deferred;
      pipeline_run_parallel(w->p, mine[i]);
      /* each item done as soon as it is: the reader delivers in order */
      pthread_mutex_lock(&w->mu);
      if (parse)
        mine[i]->owner = self;
      mine[i]->done = 1;
      w->bytes += mine[i]->item.out_length;
      if (w->waiting && w->ring[w->next_out % w->cap]->done)
        pthread_cond_signal(&w->done);
      if (i + 1 < n)
        pthread_mutex_unlock(&w->mu);
    }
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
  w->args = calloc((size_t)n, sizeof(*w->args));
  w->garbage = calloc((size_t)n, sizeof(*w->garbage));
  if (!w->ring || !w->threads || !w->args || !w->garbage) {
    free(w->ring);
    free(w->threads);
    free(w->args);
    free(w->garbage);
    free(w);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->done, NULL);
  w->jobs = n; /* before the threads start: they read it */
  w->n = n - 1;
  /* the per-thread parsers' keys, made before the threads that use them */
  reader_ndjson_parse_init();
  xsd_job_init();
  for (int i = 0; i < w->n; i++) {
    w->args[i] = (struct worker_arg){w, i + 1};
    if (pthread_create(&w->threads[i], NULL, worker_main, &w->args[i]) != 0)
      break;
    w->started++;
  }
  if (w->started == 0) {
    workers_free(w);
    return thbx_error_set(err, THBX_ENOMEM, "cannot start worker threads");
  }
  *out = w;
  return THBX_OK;
}

/* Run the oldest item nobody took yet on the calling thread; 0 if every
 * item is taken. Called with the lock held, which it drops meanwhile. */
static int help(struct workers *w) {
  if (w->next_work == w->next_in)
    return 0;
  /* a worker that sleeps while items wait: wake it first (below WAKE
   * items it was not woken, and the reader would do them all alone) */
  if (w->idle && w->next_in - w->next_work > 1)
    pthread_cond_signal(&w->work);
  struct pitem *it = w->ring[w->next_work % w->cap];
  w->next_work++;
  pthread_mutex_unlock(&w->mu);
  pipeline_run_parallel(w->p, it);
  pthread_mutex_lock(&w->mu);
  it->done = 1;
  w->bytes += it->item.out_length;
  return 1;
}

/* Every item is taken: sleep until a worker is done with slot next_out.
 * Called with the lock held. */
static void wait_front(struct workers *w) {
  w->waiting = 1;
  while (!w->ring[w->next_out % w->cap]->done)
    pthread_cond_wait(&w->done, &w->mu);
  w->waiting = 0;
}

/* Deliver the items at the front of the ring whose stages ran, in order,
 * up to the first that is not done. Called with the lock held, which it
 * drops while the sinks run. After a failed delivery the rest of the
 * batch is dropped (the run stops). */
static int deliver_done(struct workers *w, thbx_error_t *err) {
  struct pitem *batch[GIVE];
  for (;;) {
    size_t n = 0;
    while (n < GIVE && w->next_out < w->next_in) {
      struct pitem *it = w->ring[w->next_out % w->cap];
      if (!it->done)
        break;
      w->ring[w->next_out % w->cap] = NULL;
      w->next_out++;
      w->bytes -= it->bytes;
      batch[n++] = it;
    }
    if (n == 0)
      return THBX_OK;
    pthread_mutex_unlock(&w->mu);
    int rc = THBX_OK;
    for (size_t i = 0; i < n; i++) {
      if (rc == THBX_OK)
        rc = pipeline_deliver(w->p, batch[i], err);
      else
        pipeline_item_free(batch[i]);
    }
    pthread_mutex_lock(&w->mu);
    give_back(w);
    if (rc != THBX_OK)
      return rc;
  }
}

static int full(const struct workers *w) {
  size_t inflight = (size_t)(w->next_in - w->next_out);
  return inflight >= w->cap || (inflight > 0 && w->bytes >= MAX_BYTES);
}

int workers_submit(struct workers *w, struct pitem *it, thbx_error_t *err) {
  pthread_mutex_lock(&w->mu);
  /* there is a free slot: the previous submit left the ring not full */
  w->ring[w->next_in % w->cap] = it;
  w->bytes += it->bytes;
  w->next_in++;
  if (w->idle && w->next_in - w->next_work >= WAKE)
    pthread_cond_signal(&w->work);
  /* whatever is ready, so that sinks keep up; then make room, helping */
  int rc = deliver_done(w, err);
  while (rc == THBX_OK && full(w)) {
    if (!help(w))
      wait_front(w);
    rc = deliver_done(w, err);
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}

int workers_drain(struct workers *w, thbx_error_t *err) {
  pthread_mutex_lock(&w->mu);
  if (w->idle && w->next_work < w->next_in)
    pthread_cond_broadcast(&w->work); /* fewer than WAKE may wait */
  int rc = deliver_done(w, err);
  while (rc == THBX_OK && w->next_out < w->next_in) {
    if (!help(w))
      wait_front(w);
    rc = deliver_done(w, err);
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}

void workers_discard(struct workers *w) {
  pthread_mutex_lock(&w->mu);
  /* items nobody took are dropped without running their stages */
  for (; w->next_work < w->next_in; w->next_work++)
    w->ring[w->next_work % w->cap]->done = 1;
  while (w->next_out < w->next_in) {
    struct pitem *it = w->ring[w->next_out % w->cap];
    if (!it->done) {
      wait_front(w);
      continue;
    }
    w->ring[w->next_out % w->cap] = NULL;
    w->next_out++;
    w->bytes -= it->bytes;
    pthread_mutex_unlock(&w->mu);
    pipeline_item_free(it);
    pthread_mutex_lock(&w->mu);
  }
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
  free_list(w->recycled);
  for (int i = 0; i < w->n; i++)
    free_list(w->garbage[i]);
  free(w->garbage);
  free(w->args);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->work);
  pthread_cond_destroy(&w->done);
  free(w->ring);
  free(w->threads);
  free(w);
}
