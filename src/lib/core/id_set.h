/*
 * id_set.h - a set of record ids (internal): each distinct id once, with
 * where it was first seen. The unique-id dataset rule keeps one
 * (validate/dataset_rules.c), and so does the merge of chunk reports
 * (report/report_merge.c), which applies the rule across chunks.
 *
 * Not core/hmap.h: that map spends 32 bytes a slot and a pointer-aligned
 * entry per key, about 190 bytes a distinct id with its place; a dataset of
 * 300 000 ids then passed the 64 MiB that thbx stays under. Here a slot is
 * 8 bytes (the entry's offset and 8 bits of its hash) and an entry is packed
 * bytes (the id's length, the id, its line, column, source and group as LEB128
 * varints) in 1 MiB blocks: about 40 bytes a distinct id of 20 bytes, so
 * 64 MiB holds some 1.3 million ids. Records are never kept.
 */
#ifndef THBX_ID_SET_H
#define THBX_ID_SET_H

#include <stddef.h>
#include <stdint.h>

struct id_set {
  uint64_t *slot; /* 0: empty; else (offset + 1) << 8 | hash >> 56 */
  size_t cap, n;  /* cap: a power of two, 0 before the first id */
  unsigned char **block;
  size_t nblocks, capblocks;
  size_t used; /* bytes used in the last block */
  size_t last_size;
};

/* Where an id was first seen. */
struct id_place {
  size_t source; /* the caller's index of the input */
  long line, column;
  size_t group; /* the caller's (the merge: the chunk), 0 if none */
};

/* All zero is an empty set. */
void id_set_free(struct id_set *s);

/* Add id [id, id+len) first seen at `at` unless it is in the set already:
 * then *seen is 1 and *first says where it was first seen; else *seen is
 * 0. 0, or -1 when out of memory (the set is unchanged). */
int id_set_add(struct id_set *s, const char *id, size_t len, const struct id_place *at, int *seen,
               struct id_place *first);

/* Bytes the set holds (slots and blocks), for tests and docs. */
size_t id_set_bytes(const struct id_set *s);

#endif
