/*
 * hmap.h - the one hash map of libthbx (internal): open addressing with
 * linear probing, keys of any bytes (copied, or borrowed from the caller) or
 * pointers (compared by address), values void *.
 *
 * Every entry keeps its key's hash beside it, so a probe touches no key
 * whose hash differs, and growing never hashes again. Callers that look the
 * same key up in many maps (the JSON Schema engine: an instance's property
 * name against each schema's "properties") hash it once with thbx_hash()
 * and call thbx_hmap_get_hashed().
 *
 * Users: the JSON Schema engine (properties, enum strings, URIs, documents,
 * compiled nodes), CSV column paths, the dataset rules' record id set.
 */
#ifndef THBX_HMAP_H
#define THBX_HMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct thbx_hmap_entry {
  const char *key; /* NULL: an empty slot */
  size_t len;      /* key length in bytes (0 for pointer keys) */
  uint64_t hash;
  void *value;
} thbx_hmap_entry_t;

/* All zero (THBX_HMAP_INIT, calloc) is an empty map that copies its keys. */
typedef struct thbx_hmap {
  thbx_hmap_entry_t *e;
  size_t cap, n;
  unsigned flags;
} thbx_hmap_t;

enum {
  THBX_HMAP_BORROW = 1 << 0,  /* keys are not copied: the caller keeps them alive */
  THBX_HMAP_POINTERS = 1 << 1 /* keys are pointers, compared by address (implies BORROW) */
};

#define THBX_HMAP_INIT                                                                             \
  { NULL, 0, 0, 0 }

void thbx_hmap_init(thbx_hmap_t *m, unsigned flags);
/* Free the slots (and copied keys); the map is empty and usable again. */
void thbx_hmap_free(thbx_hmap_t *m);

/* FNV-1a 64 with a final mix, so that keys differing in their last bytes
 * (record ids) spread over the low bits the table index uses. */
uint64_t thbx_hash(const void *key, size_t len);
static inline uint64_t thbx_hash_str(const char *s) { return thbx_hash(s, strlen(s)); }
static inline uint64_t thbx_hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

/* The entry of key [key, key+len) whose hash is `hash` (thbx_hash of it),
 * NULL if absent. Inline: the JSON Schema engine calls it per property. */
static inline const thbx_hmap_entry_t *thbx_hmap_find_hashed(const thbx_hmap_t *m, const char *key,
                                                             size_t len, uint64_t hash) {
  if (!m->n)
    return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
    const thbx_hmap_entry_t *e = &m->e[i];
    if (!e->key)
      return NULL;
    if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
      return e;
  }
}

static inline void *thbx_hmap_get_hashed(const thbx_hmap_t *m, const char *key, size_t len,
                                         uint64_t hash) {
  const thbx_hmap_entry_t *e = thbx_hmap_find_hashed(m, key, len, hash);
  return e ? e->value : NULL;
}

/* Value of a key of len bytes / of a NUL-terminated key; NULL if absent. */
void *thbx_hmap_get(const thbx_hmap_t *m, const char *key, size_t len);
static inline void *thbx_hmap_gets(const thbx_hmap_t *m, const char *key) {
  return thbx_hmap_get(m, key, strlen(key));
}
/* Is the key there (its value may be NULL)? */
static inline int thbx_hmap_has(const thbx_hmap_t *m, const char *key, size_t len) {
  return thbx_hmap_find_hashed(m, key, len, thbx_hash(key, len)) != NULL;
}

/* Set key -> value (replacing the value of a key already there). 0, or -1
 * out of memory (the map is unchanged then). */
int thbx_hmap_put(thbx_hmap_t *m, const char *key, size_t len, void *value);
int thbx_hmap_put_hashed(thbx_hmap_t *m, const char *key, size_t len, uint64_t hash, void *value);
static inline int thbx_hmap_puts(thbx_hmap_t *m, const char *key, void *value) {
  return thbx_hmap_put(m, key, strlen(key), value);
}

/* Pointer keys (the map is THBX_HMAP_POINTERS from its first put). */
void *thbx_hmap_get_ptr(const thbx_hmap_t *m, const void *key);
int thbx_hmap_put_ptr(thbx_hmap_t *m, const void *key, void *value);

/* Visit every entry (in slot order): for (i = 0; thbx_hmap_next(m, &i, &e);) */
static inline int thbx_hmap_next(const thbx_hmap_t *m, size_t *i, const thbx_hmap_entry_t **e) {
  for (; *i < m->cap; (*i)++)
    if (m->e[*i].key) {
      *e = &m->e[(*i)++];
      return 1;
    }
  return 0;
}

#endif
