/*
 * cli_alloc.c - jansson's and libxml2's allocator for the thbx program: per-thread free
 * lists of small blocks in front of malloc.
 *
 * A record is some 70 small jansson allocations (values, strings, keys,
 * hash tables) that all die together when the record leaves the pipeline;
 * glibc's malloc and free were about 15% of reading and validating NDJSON
 * (perf, callgrind: issue 15). Here a freed block goes onto a free list of
 * its size class in the freeing thread and the next allocation of that class
 * takes it back: a few instructions each way.
 *
 * Every block is an ordinary malloc block (a cached one is requested at its
 * class's exact glibc size), so a block may be freed by libc's free() (as
 * free(json_dumps(...)) does), blocks allocated before the hooks were set
 * are fine, and a block freed by another thread than the one that allocated
 * it joins that thread's lists. A thread keeps at most 2 * BATCH blocks of a
 * class and hands batches of BATCH over to a shared pool, where threads that
 * allocate more than they free (with -j: the workers parse, the sink frees)
 * take them back, one lock per batch; the pool is bounded too, past it
 * blocks go back to free(), so memory stays bounded whichever thread frees.
 * A thread's cache is released when it exits.
 *
 * libxml2 gets the same hooks (xmlMemSetup): a parsed XML record is a few
 * hundred small nodes, names and strings, freed together too.
 *
 * The hooks are process-global (json_set_alloc_funcs, xmlMemSetup), so the
 * program sets them, not the library: first thing in main().
 * THBX_ALLOC=libc in the environment keeps both on plain malloc/free (for
 * comparisons and for memory checkers).
 */
#include "cli.h"

#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Size classes by glibc's usable size 16 * c + 8 (c >= 1): 24, 40, ... 520 bytes. */
#define NCLASS 33
/* Blocks move between threads in batches of BATCH (one lock per batch). */
#define BATCH 64
/* A thread keeps at most 2 * BATCH blocks of a class; the shared pool at
 * most POOL_BYTES in all; past that blocks go back to free(). */
#define POOL_BYTES ((size_t)8 << 20)

struct block {
  struct block *next;       /* the next block of the list */
  struct block *next_batch; /* in the pool: the first block of the next batch */
};

struct cache {
  struct block *head[NCLASS];
  unsigned count[NCLASS];
  int registered;
};

/* Batches handed over by threads that free more than they allocate (with -j,
 * records are parsed on the workers and freed where the sink runs). */
static struct {
  pthread_mutex_t lock;
  struct block *batches[NCLASS];
  size_t bytes;
} pool = {PTHREAD_MUTEX_INITIALIZER, {NULL}, 0};

static _Thread_local struct cache tl_cache;
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static size_t class_size(unsigned k) { return 16 * (size_t)k + 8; }

static void free_list(struct block *b) {
  while (b) {
    struct block *next = b->next;
    free(b);
    b = next;
  }
}

static void cache_release(void *arg) {
  struct cache *c = arg;
  for (int k = 0; k < NCLASS; k++) {
    free_list(c->head[k]);
    c->head[k] = NULL;
    c->count[k] = 0;
  }
  c->registered = 0;
}

static void make_key(void) {
  if (pthread_key_create(&cache_key, cache_release) != 0)
    cache_key = (pthread_key_t)-1;
}

/* The smallest class whose blocks hold n bytes; NCLASS if none does. */
static inline unsigned class_of_request(size_t n) {
  return n <= 24 ? 1 : (unsigned)((n - 8 + 15) / 16);
}

/* Take a batch of class k from the pool into the (empty) cache; 0 if none. */
static int take_batch(struct cache *c, unsigned k) {
  if (!__atomic_load_n(&pool.batches[k], __ATOMIC_RELAXED)) /* a peek without the lock */
    return 0;
  pthread_mutex_lock(&pool.lock);
  struct block *b = pool.batches[k];
  if (b) {
    __atomic_store_n(&pool.batches[k], b->next_batch, __ATOMIC_RELAXED);
    pool.bytes -= BATCH * class_size(k);
  }
  pthread_mutex_unlock(&pool.lock);
  if (!b)
    return 0;
  c->head[k] = b;
  c->count[k] = BATCH;
  return 1;
}

/* The cache of class k holds 2 * BATCH blocks: hand BATCH of them over. */
static void give_batch(struct cache *c, unsigned k) {
  struct block *first = c->head[k], *last = first;
  for (int i = 1; i < BATCH; i++)
    last = last->next;
  c->head[k] = last->next;
  c->count[k] -= BATCH;
  last->next = NULL;
  pthread_mutex_lock(&pool.lock);
  int kept = pool.bytes + BATCH * class_size(k) <= POOL_BYTES;
  if (kept) {
    first->next_batch = pool.batches[k];
    __atomic_store_n(&pool.batches[k], first, __ATOMIC_RELAXED);
    pool.bytes += BATCH * class_size(k);
  }
  pthread_mutex_unlock(&pool.lock);
  if (!kept)
    free_list(first);
}

static void *alloc_hook(size_t n) {
  unsigned k = class_of_request(n);
  if (k >= NCLASS)
    return malloc(n);
  struct cache *c = &tl_cache;
  struct block *b = c->head[k];
  if (b || (take_batch(c, k) && (b = c->head[k]))) {
    c->head[k] = b->next;
    c->count[k]--;
    return b;
  }
  return malloc(class_size(k));
}

static void free_hook(void *p) {
  if (!p)
    return;
  size_t usable = malloc_usable_size(p);
  unsigned k = usable >= 24 ? (unsigned)((usable - 8) / 16) : 0;
  if (k == 0 || k >= NCLASS || usable != class_size(k)) {
    free(p);
    return;
  }
  struct cache *c = &tl_cache;
  if (!c->registered) {
    /* the thread's first cached block: release the cache when it exits */
    pthread_once(&key_once, make_key);
    if (cache_key == (pthread_key_t)-1 || pthread_setspecific(cache_key, c) != 0) {
      free(p);
      return;
    }
    c->registered = 1;
  }
  struct block *b = p;
  b->next = c->head[k];
  c->head[k] = b;
  if (++c->count[k] >= 2 * BATCH)
    give_batch(c, k);
}

/* libxml2's realloc and strdup: every block is a malloc block, so libc's
 * realloc takes any of them. */
static void *realloc_hook(void *p, size_t n) { return realloc(p, n); }

static char *strdup_hook(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = alloc_hook(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

static int installed;

void cli_alloc_install(void) {
  const char *e = getenv("THBX_ALLOC");
  if (e && strcmp(e, "libc") == 0)
    return;
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define THBX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(THBX_ASAN)
  return; /* AddressSanitizer must see every free */
#else
  json_set_alloc_funcs(alloc_hook, free_hook);
  xmlMemSetup(free_hook, alloc_hook, realloc_hook, strdup_hook);
  installed = 1;
#endif
}

void cli_alloc_jobs(int jobs) {
  /* With worker threads, values are built on one thread and freed on
   * another; the shared pool hands the blocks back. An earlier -j 2 measured
   * XML slower with the free lists (loaded machine) and put -j N on glibc;
   * with the reader working too (workers.c) the free lists win at every N
   * (docs/performance.md, -j): THBX_ALLOC=libc still switches them off. */
  (void)jobs;
}
