/*
 * hmap.c - the one hash map of libthbx (see hmap.h): growing, inserting,
 * pointer keys. Lookups of byte keys are inline in hmap.h.
 */
#include "hmap.h"

#include <stdlib.h>

#define HMAP_MIN_CAP 16

static inline uint64_t load64(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint64_t load32(const unsigned char *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* Eight bytes at a time (byte by byte, FNV-1a was 4% of validating NDJSON:
 * every property name of every record is hashed), the length mixed in, and
 * a full final mix. The last word overlaps the one before it
 * rather than being assembled byte by byte. */
uint64_t thbx_hash(const void *key, size_t len) {
  const unsigned char *s = key;
  const uint64_t k = 0x9E3779B97F4A7C15ULL;
  uint64_t h = 1469598103934665603ULL ^ (len * k), w;
  if (len >= 8) {
    for (size_t i = 0; i + 8 < len; i += 8) {
      h = (h ^ load64(s + i)) * k;
      h ^= h >> 29;
    }
    w = load64(s + len - 8);
  } else if (len >= 4) {
    w = load32(s) << 32 | load32(s + len - 4);
  } else if (len > 0) {
    w = (uint64_t)s[0] << 16 | (uint64_t)s[len / 2] << 8 | s[len - 1];
  } else {
    w = 0;
  }
  h = (h ^ w) * k;
  /* murmur3's fmix64: every input bit reaches the low bits the table uses */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void thbx_hmap_init(thbx_hmap_t *m, unsigned flags) {
  memset(m, 0, sizeof(*m));
  m->flags = flags;
}

void thbx_hmap_free(thbx_hmap_t *m) {
  if (!(m->flags & (THBX_HMAP_BORROW | THBX_HMAP_POINTERS)))
    for (size_t i = 0; i < m->cap; i++)
      free((char *)m->e[i].key);
  free(m->e);
  m->e = NULL;
  m->cap = m->n = 0;
}

/* Room for one more entry at a load of at most 0.7. */
static int reserve_one(thbx_hmap_t *m) {
  if ((m->n + 1) * 10 <= m->cap * 7)
    return 0;
  size_t cap = m->cap ? m->cap * 2 : HMAP_MIN_CAP;
  thbx_hmap_entry_t *e = calloc(cap, sizeof(*e));
  if (!e)
    return -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->e[i].key)
      continue;
    size_t j = (size_t)m->e[i].hash & (cap - 1);
    while (e[j].key)
      j = (j + 1) & (cap - 1);
    e[j] = m->e[i];
  }
  free(m->e);
  m->e = e;
  m->cap = cap;
  return 0;
}

void *thbx_hmap_get(const thbx_hmap_t *m, const char *key, size_t len) {
  if (!m->n)
    return NULL;
  return thbx_hmap_get_hashed(m, key, len, thbx_hash(key, len));
}

int thbx_hmap_put_hashed(thbx_hmap_t *m, const char *key, size_t len, uint64_t hash, void *value) {
  thbx_hmap_entry_t *found = (thbx_hmap_entry_t *)thbx_hmap_find_hashed(m, key, len, hash);
  if (found) {
    found->value = value;
    return 0;
  }
  if (reserve_one(m) != 0)
    return -1;
  const char *k = key;
  if (!(m->flags & THBX_HMAP_BORROW)) {
    char *copy = malloc(len + 1);
    if (!copy)
      return -1;
    memcpy(copy, key, len);
    copy[len] = '\0';
    k = copy;
  }
  size_t mask = m->cap - 1, i = (size_t)hash & mask;
  while (m->e[i].key)
    i = (i + 1) & mask;
  m->e[i].key = k;
  m->e[i].len = len;
  m->e[i].hash = hash;
  m->e[i].value = value;
  m->n++;
  return 0;
}

int thbx_hmap_put(thbx_hmap_t *m, const char *key, size_t len, void *value) {
  return thbx_hmap_put_hashed(m, key, len, thbx_hash(key, len), value);
}

void *thbx_hmap_get_ptr(const thbx_hmap_t *m, const void *key) {
  if (!m->n)
    return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)thbx_hash_ptr(key) & mask;; i = (i + 1) & mask) {
    if (!m->e[i].key)
      return NULL;
    if (m->e[i].key == (const char *)key)
      return m->e[i].value;
  }
}

int thbx_hmap_put_ptr(thbx_hmap_t *m, const void *key, void *value) {
  m->flags |= THBX_HMAP_POINTERS | THBX_HMAP_BORROW;
  uint64_t h = thbx_hash_ptr(key);
  if (m->n) {
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask; m->e[i].key; i = (i + 1) & mask)
      if (m->e[i].key == (const char *)key) {
        m->e[i].value = value;
        return 0;
      }
  }
  if (reserve_one(m) != 0)
    return -1;
  size_t mask = m->cap - 1, i = (size_t)h & mask;
  while (m->e[i].key)
    i = (i + 1) & mask;
  m->e[i].key = (const char *)key;
  m->e[i].len = 0;
  m->e[i].hash = h;
  m->e[i].value = value;
  m->n++;
  return 0;
}
