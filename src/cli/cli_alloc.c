/*
 * cli_alloc.c - jansson's allocator for the thbx program: per-thread free
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
 * it simply joins that thread's lists. A thread caches at most CACHE_BYTES;
 * past that blocks go back to free(), so memory stays bounded whichever
 * thread frees; a thread's cache is released when it exits.
 *
 * The hooks are process-global (json_set_alloc_funcs), so the program sets
 * them, not the library: first thing in main(). THBX_JSON_ALLOC=libc in the
 * environment keeps jansson on plain malloc/free (for comparisons and for
 * memory checkers).
 */
#include "cli.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Size classes by glibc's usable size 16 * c + 8 (c >= 1): 24, 40, ... 520 bytes. */
#define NCLASS 33
#define CACHE_BYTES ((size_t)2 << 20)

struct block {
  struct block *next;
};

struct cache {
  struct block *head[NCLASS];
  size_t bytes;
  int registered;
};

static _Thread_local struct cache tl_cache;
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void cache_release(void *arg) {
  struct cache *c = arg;
  for (int k = 0; k < NCLASS; k++) {
    struct block *b = c->head[k];
    while (b) {
      struct block *next = b->next;
      free(b);
      b = next;
    }
    c->head[k] = NULL;
  }
  c->bytes = 0;
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

static void *alloc_hook(size_t n) {
  unsigned k = class_of_request(n);
  if (k >= NCLASS)
    return malloc(n);
  struct cache *c = &tl_cache;
  struct block *b = c->head[k];
  if (b) {
    c->head[k] = b->next;
    c->bytes -= 16 * k + 8;
    return b;
  }
  return malloc(16 * (size_t)k + 8);
}

static void free_hook(void *p) {
  if (!p)
    return;
  size_t usable = malloc_usable_size(p);
  unsigned k = usable >= 24 ? (unsigned)((usable - 8) / 16) : 0;
  struct cache *c = &tl_cache;
  if (k == 0 || k >= NCLASS || usable != 16 * (size_t)k + 8 || c->bytes + usable > CACHE_BYTES) {
    free(p);
    return;
  }
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
  c->bytes += usable;
}

void cli_alloc_install(void) {
  const char *e = getenv("THBX_JSON_ALLOC");
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
#endif
}
