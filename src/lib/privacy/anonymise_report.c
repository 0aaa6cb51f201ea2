/*
 * anonymise_report.c - what `thbx anonymise` (and --check) tells: counts,
 * never values. Records read, written and dropped; for each
 * quasi-identifier its level, and how many records were generalised or
 * suppressed; the group-size distribution and the groups below k; the
 * l-diversity of the sensitive field (distinct values per group).
 */
#include "anonymise.h"

#include <stdlib.h>
#include <string.h>

static int cmp_long(const void *x, const void *y) {
  long p = *(const long *)x, q = *(const long *)y;
  return p < q ? -1 : p > q;
}

/* [{"NAME": v, "groups": n}, ...] of the sorted values. */
static json_t *distribution(long *v, size_t n, const char *name) {
  qsort(v, n, sizeof(*v), cmp_long);
  json_t *list = json_array();
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && v[j] == v[i])
      j++;
    json_array_append_new(
        list, json_pack("{sIsI}", name, (json_int_t)v[i], "groups", (json_int_t)(j - i)));
    i = j;
  }
  return list;
}

static const char *suppression_name(int s) {
  switch (s) {
  case PRIVACY_SUPPRESS_UNKNOWN: return "unknown";
  case PRIVACY_SUPPRESS_DROP: return "drop";
  default: return "none";
  }
}

json_t *thbx_anonymiser_report(const thbx_anonymiser_t *a) {
  const struct anon_table *t = a->planned ? &a->out : &a->base;
  json_t *r = json_object();
  if (!r)
    return NULL;
  json_object_set_new(r, "mode", json_string(a->planned ? "anonymise" : "check"));
  json_object_set_new(r, "k", json_integer(a->k));
  json_object_set_new(r, "counted", json_string(a->has_distinct ? "persons" : "records"));
  json_object_set_new(r, "distinct",
                      a->has_distinct ? json_string(a->distinct.dotted) : json_null());
  json_t *records = json_pack("{sI}", "read", (json_int_t)a->read);
  if (a->planned) {
    json_object_set_new(records, "written", json_integer(a->written));
    json_object_set_new(records, "dropped", json_integer(a->dropped));
  }
  json_object_set_new(r, "records", records);
  json_t *fields = json_array();
  for (size_t i = 0; i < a->nq; i++) {
    const struct anon_qi *q = &a->qi[i];
    json_t *f = json_pack("{ss}", "path", q->path.dotted);
    json_object_set_new(f, "hierarchy", q->hier_file ? json_string(q->hier_file) : json_null());
    json_object_set_new(f, "levels", json_integer(q->levels));
    json_object_set_new(f, "suppression", json_string(suppression_name(q->suppress)));
    if (a->planned) {
      json_object_set_new(f, "level", json_integer(q->level));
      json_object_set_new(f, "generalised", json_integer(q->generalised));
      json_object_set_new(f, "suppressed", json_integer(q->suppressed));
    }
    json_array_append_new(fields, f);
  }
  json_object_set_new(r, "fields", fields);

  long *sizes = calloc(t->n ? t->n : 1, sizeof(long));
  long *ls = calloc(t->n ? t->n : 1, sizeof(long));
  long below = 0, in_below = 0, min_l = -1;
  for (size_t i = 0; sizes && ls && i < t->n; i++) {
    sizes[i] = anon_group_size(a, &t->groups[i]);
    ls[i] = (long)json_object_size(t->groups[i].sens);
    if (sizes[i] < a->k) {
      below++;
      in_below += sizes[i];
    }
    if (min_l < 0 || ls[i] < min_l)
      min_l = ls[i];
  }
  json_t *groups = json_object();
  json_object_set_new(groups, "count", json_integer((json_int_t)t->n));
  json_object_set_new(groups, "below_k", json_integer(below));
  json_object_set_new(groups, a->has_distinct ? "persons_below_k" : "records_below_k",
                      json_integer(in_below));
  if (sizes && ls) {
    long smallest = -1, largest = -1;
    for (size_t i = 0; i < t->n; i++) {
      if (smallest < 0 || sizes[i] < smallest)
        smallest = sizes[i];
      if (sizes[i] > largest)
        largest = sizes[i];
    }
    json_object_set_new(groups, "smallest", smallest < 0 ? json_null() : json_integer(smallest));
    json_object_set_new(groups, "largest", largest < 0 ? json_null() : json_integer(largest));
    json_object_set_new(groups, "sizes", distribution(sizes, t->n, "size"));
  }
  json_object_set_new(r, "groups", groups);
  if (a->has_sensitive && ls) {
    json_t *l = json_pack("{ss}", "path", a->sensitive.dotted);
    json_object_set_new(l, "min_l", min_l < 0 ? json_null() : json_integer(min_l));
    json_object_set_new(l, "distribution", distribution(ls, t->n, "l"));
    long homogeneous = 0;
    for (size_t i = 0; i < t->n; i++)
      homogeneous += ls[i] == 1;
    json_object_set_new(l, "groups_with_one_value", json_integer(homogeneous));
    json_object_set_new(r, "l_diversity", l);
  }
  free(sizes);
  free(ls);
  return r;
}
