/*
 * suggest.c - "did you mean ...?": the candidates (codes of a code list,
 * columns of a profile) nearest to a value someone typed, for messages.
 *
 * Ranked, best first:
 *   0  the same but for case, surrounding blanks and invisible or control
 *      characters anywhere ("AL " and "al" -> AL, "Female" and
 *      "fe\u200bmale" -> female);
 *   1  the same as a candidate's label ("Albania" -> AL);
 *   2  a prefix of the candidate or of its label ("F" -> female);
 *   3+ a small edit distance (Damerau, case-insensitive) to the candidate or
 *      its label: at most 1 for values of up to 4 characters, 2 up to 8,
 *      3 beyond ("femle" -> female).
 * An exact match of rank 0 or 1 is the one answer; otherwise up to `max`
 * candidates of the best ranks, in list order within a rank.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 character (0 if none or broken). */
static size_t next_cp(const unsigned char *s, size_t n, unsigned long *cp) {
  if (n == 0)
    return 0;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
  if (len == 0 || len > n)
    return 0;
  unsigned long c = s[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  *cp = c;
  return len;
}

static int blank(unsigned long c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || thbx_display_hidden(c);
}

/* The characters of s without surrounding blanks and without invisible or
 * control characters, ASCII folded to lower case, as code points in out (at
 * most cap); returns the count. */
static size_t fold(const char *s, unsigned long *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), k = 0, last = 0;
  while (n > 0 && k < cap) {
    unsigned long c;
    size_t len = next_cp(p, n, &c);
    if (len == 0) {
      c = *p;
      len = 1;
    }
    p += len;
    n -= len;
    if ((k == 0 && blank(c)) || thbx_display_hidden(c))
      continue;
    if (c >= 'A' && c <= 'Z')
      c += 'a' - 'A';
    out[k++] = c;
    if (!blank(c))
      last = k;
  }
  return last;
}

#define FOLD_MAX 64

static int same(const unsigned long *a, size_t na, const unsigned long *b, size_t nb) {
  return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

static int prefix(const unsigned long *a, size_t na, const unsigned long *b, size_t nb) {
  return na > 0 && na < nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/* Optimal string alignment distance, given up beyond `limit`. */
static size_t distance(const unsigned long *a, size_t na, const unsigned long *b, size_t nb,
                       size_t limit) {
  if ((na > nb ? na - nb : nb - na) > limit)
    return limit + 1;
  size_t rows[3][FOLD_MAX + 1];
  size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= nb; j++)
    prev[j] = j;
  for (size_t i = 1; i <= na; i++) {
    cur[0] = i;
    size_t best = cur[0];
    for (size_t j = 1; j <= nb; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t d = prev[j] + 1;
      if (cur[j - 1] + 1 < d)
        d = cur[j - 1] + 1;
      if (prev[j - 1] + cost < d)
        d = prev[j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
        d = prev2[j - 2] + 1;
      cur[j] = d;
      if (d < best)
        best = d;
    }
    if (best > limit)
      return limit + 1;
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[nb];
}

/* Rank of one candidate (or label) for the folded value; -1: not near. */
static long rank_of(const unsigned long *v, size_t nv, const char *cand, int label) {
  if (!cand || !*cand)
    return -1;
  unsigned long c[FOLD_MAX];
  size_t nc = fold(cand, c, FOLD_MAX);
  if (same(v, nv, c, nc))
    return label ? 1 : 0;
  if (prefix(v, nv, c, nc))
    return 2;
  size_t limit = nv <= 4 ? 1 : nv <= 8 ? 2 : 3;
  size_t d = distance(v, nv, c, nc, limit);
  return d <= limit ? (long)(2 + d) : -1;
}

size_t thbx_suggest(const char *value, const char *const *candidates, const char *const *labels,
                    size_t n, size_t *out, size_t max) {
  if (!value || !candidates || max == 0)
    return 0;
  unsigned long v[FOLD_MAX];
  size_t nv = fold(value, v, FOLD_MAX);
  if (nv == 0)
    return 0;
  long *ranks = malloc(n * sizeof(*ranks));
  if (!ranks)
    return 0;
  long best = -1;
  for (size_t i = 0; i < n; i++) {
    long r = rank_of(v, nv, candidates[i], 0);
    long rl = labels ? rank_of(v, nv, labels[i], 1) : -1;
    if (rl >= 0 && (r < 0 || rl < r))
      r = rl;
    ranks[i] = r;
    if (r >= 0 && (best < 0 || r < best))
      best = r;
  }
  size_t k = 0;
  if (best >= 0) {
    if (best <= 1)
      max = 1; /* the same but for case or blanks: the one answer */
    for (long r = best; k < max && r <= 2 + 3; r++)
      for (size_t i = 0; i < n && k < max; i++)
        if (ranks[i] == r)
          out[k++] = i;
  }
  free(ranks);
  return k;
}
