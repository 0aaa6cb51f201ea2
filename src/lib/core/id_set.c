/*
 * id_set.c - the compact set of record ids (id_set.h).
 */
#include "id_set.h"
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

enum { BLOCK_BITS = 20, BLOCK_SIZE = 1 << BLOCK_BITS };

void id_set_free(struct id_set *s) {
  for (size_t i = 0; i < s->nblocks; i++)
    free(s->block[i]);
  free(s->block);
  free(s->slot);
  memset(s, 0, sizeof(*s));
}

size_t id_set_bytes(const struct id_set *s) {
  size_t n = s->cap * sizeof(*s->slot) + s->capblocks * sizeof(*s->block);
  if (s->nblocks)
    n += (s->nblocks - 1) * (size_t)BLOCK_SIZE + s->last_size;
  return n;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

static const unsigned char *get_varint(const unsigned char *p, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0;; shift += 7) {
    x |= (uint64_t)(*p & 0x7f) << shift;
    if (!(*p++ & 0x80))
      break;
  }
  *v = x;
  return p;
}

static const unsigned char *entry_at(const struct id_set *s, uint64_t slot) {
  uint64_t off = (slot >> 8) - 1;
  return s->block[off >> BLOCK_BITS] + (off & (BLOCK_SIZE - 1));
}

/* The id of an entry: its bytes and length; returns where its place starts. */
static const unsigned char *entry_id(const unsigned char *e, const unsigned char **id,
                                     size_t *len) {
  uint64_t n;
  e = get_varint(e, &n);
  *id = e;
  *len = (size_t)n;
  return e + n;
}

static uint64_t make_slot(uint64_t off, uint64_t hash) { return (off + 1) << 8 | hash >> 56; }

static int grow(struct id_set *s) {
  size_t cap = s->cap ? s->cap * 2 : 1024;
  uint64_t *slot = calloc(cap, sizeof(*slot));
  if (!slot)
    return -1;
  for (size_t i = 0; i < s->cap; i++) {
    if (!s->slot[i])
      continue;
    const unsigned char *id;
    size_t len;
    entry_id(entry_at(s, s->slot[i]), &id, &len);
    size_t j = (size_t)thbx_hash(id, len) & (cap - 1);
    while (slot[j])
      j = (j + 1) & (cap - 1);
    slot[j] = s->slot[i];
  }
  free(s->slot);
  s->slot = slot;
  s->cap = cap;
  return 0;
}

/* Room for n bytes of a new entry; *off its offset. NULL when out of memory. */
static unsigned char *room(struct id_set *s, size_t n, uint64_t *off) {
  /* a block's entries start below BLOCK_SIZE (the offset's low bits) */
  if (!s->nblocks || s->used + n > s->last_size || s->used + n > BLOCK_SIZE) {
    size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE; /* a huge id: a block of its own */
    if (s->nblocks == s->capblocks) {
      size_t cap = s->capblocks ? s->capblocks * 2 : 16;
      unsigned char **b = realloc(s->block, cap * sizeof(*b));
      if (!b)
        return NULL;
      s->block = b;
      s->capblocks = cap;
    }
    unsigned char *b = malloc(size);
    if (!b)
      return NULL;
    s->block[s->nblocks++] = b;
    s->used = 0;
    s->last_size = size;
  }
  *off = ((uint64_t)(s->nblocks - 1) << BLOCK_BITS) + s->used;
  return s->block[s->nblocks - 1] + s->used;
}

int id_set_add(struct id_set *s, const char *id, size_t len, const struct id_place *at, int *seen,
               struct id_place *first) {
  *seen = 0;
  if ((s->n + 1) * 10 > s->cap * 7 && grow(s) != 0)
    return -1;
  uint64_t hash = thbx_hash(id, len);
  unsigned tag = (unsigned)(hash >> 56);
  size_t mask = s->cap - 1, i = (size_t)hash & mask;
  for (; s->slot[i]; i = (i + 1) & mask) {
    if ((s->slot[i] & 0xff) != tag)
      continue;
    const unsigned char *eid;
    size_t elen;
    const unsigned char *p = entry_id(entry_at(s, s->slot[i]), &eid, &elen);
    if (elen != len || memcmp(eid, id, len) != 0)
      continue;
    uint64_t line, col, src, group;
    p = get_varint(p, &line);
    p = get_varint(p, &col);
    p = get_varint(p, &src);
    get_varint(p, &group);
    first->line = (long)line;
    first->column = (long)col;
    first->source = (size_t)src;
    first->group = (size_t)group;
    *seen = 1;
    return 0;
  }
  uint64_t off;
  unsigned char *e = room(s, len + 5 * 10, &off); /* the most five varints take */
  if (!e)
    return -1;
  unsigned char *p = put_varint(e, len);
  memcpy(p, id, len);
  p += len;
  p = put_varint(p, (uint64_t)(at->line > 0 ? at->line : 0));
  p = put_varint(p, (uint64_t)(at->column > 0 ? at->column : 0));
  p = put_varint(p, (uint64_t)at->source);
  p = put_varint(p, (uint64_t)at->group);
  s->used += (size_t)(p - e);
  s->slot[i] = make_slot(off, hash);
  s->n++;
  return 0;
}
