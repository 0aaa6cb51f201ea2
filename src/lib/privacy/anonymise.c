/*
 * anonymise.c - k-anonymity in two passes over the records.
 *
 * Pass 1 counts the input's groups (records sharing every quasi-identifier
 * value). The plan then
 *   1. generalises: full-domain, one level per quasi-identifier from its
 *      hierarchy; of the lattice of level vectors it takes the lowest (sum
 *      of levels, then the earlier quasi-identifiers kept finer) that leaves
 *      at most max_suppress of the records in groups below k, else the one
 *      leaving fewest;
 *   2. suppresses locally, group by group: a small group's values are
 *      replaced by their suppressed form ("unknown" of the code list, or the
 *      field dropped), trying the fewest fields first and the later
 *      quasi-identifiers before the earlier ones, until the group joins a
 *      combination that has k records (persons);
 *   3. drops the records of the groups no suppression can make large enough.
 * Every decision depends only on a record's generalised values, so pass 2
 * applies it record by record, streaming, and counts the output's groups
 * again: the report (and --check) describe what was written, not the plan.
 */
#include "anonymise.h"

#include <stdlib.h>
#include <string.h>

void thbx_anonymise_options_default(thbx_anonymise_options_t *o) {
  memset(o, 0, sizeof(*o));
  o->k = 5;
  o->max_suppress = 0.05;
}

/* ------------------------------------------------------------------ tables */

static long table_find_or_add(struct anon_table *t, json_t *values) {
  char *key = anon_key(values);
  if (!key) {
    json_decref(values);
    return -1;
  }
  json_t *idx = json_object_get(t->index, key);
  if (idx) {
    free(key);
    json_decref(values);
    return (long)json_integer_value(idx);
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct anon_group *g = realloc(t->groups, cap * sizeof(*g));
    if (!g) {
      free(key);
      json_decref(values);
      return -1;
    }
    t->groups = g;
    t->cap = cap;
  }
  struct anon_group *g = &t->groups[t->n];
  memset(g, 0, sizeof(*g));
  g->values = values;
  g->persons = json_object();
  g->sens = json_object();
  if (!g->persons || !g->sens ||
      json_object_set_new_nocheck(t->index, key, json_integer((json_int_t)t->n)) != 0) {
    json_decref(g->persons);
    json_decref(g->sens);
    json_decref(values);
    free(key);
    return -1;
  }
  free(key);
  return (long)t->n++;
}

int anon_table_add(struct anon_table *t, json_t *values, const char *person, const char *sens) {
  long i = table_find_or_add(t, values);
  if (i < 0)
    return THBX_ENOMEM;
  struct anon_group *g = &t->groups[i];
  g->records++;
  if (person && json_object_set_new_nocheck(g->persons, person, json_true()) != 0)
    return THBX_ENOMEM;
  if (sens && json_object_set_new_nocheck(g->sens, sens, json_true()) != 0)
    return THBX_ENOMEM;
  return THBX_OK;
}

/* Add group `src` into t under `values` (stolen). */
static int table_merge(struct anon_table *t, json_t *values, const struct anon_group *src) {
  long i = table_find_or_add(t, values);
  if (i < 0)
    return THBX_ENOMEM;
  struct anon_group *g = &t->groups[i];
  g->records += src->records;
  if (json_object_update(g->persons, src->persons) != 0 ||
      json_object_update(g->sens, src->sens) != 0)
    return THBX_ENOMEM;
  return THBX_OK;
}

long anon_group_size(const struct thbx_anonymiser *a, const struct anon_group *g) {
  return a->has_distinct ? (long)json_object_size(g->persons) : g->records;
}

void anon_table_free(struct anon_table *t) {
  for (size_t i = 0; i < t->n; i++) {
    json_decref(t->groups[i].values);
    json_decref(t->groups[i].persons);
    json_decref(t->groups[i].sens);
  }
  free(t->groups);
  json_decref(t->index);
  memset(t, 0, sizeof(*t));
}

static int table_init(struct anon_table *t) {
  memset(t, 0, sizeof(*t));
  t->index = json_object();
  return t->index ? 0 : -1;
}

/* ------------------------------------------------------------ new and free */

void thbx_anonymiser_free(thbx_anonymiser_t *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->nq; i++) {
    privacy_path_clear(&a->qi[i].path);
    thbx_schema_free(a->qi[i].schema);
    json_decref(a->qi[i].hier);
    free(a->qi[i].hier_file);
  }
  free(a->qi);
  privacy_path_clear(&a->distinct);
  privacy_path_clear(&a->sensitive);
  anon_table_free(&a->base);
  anon_table_free(&a->out);
  json_decref(a->decision);
  free(a);
}

static int setup_qi(thbx_anonymiser_t *a, struct anon_qi *q, const char *dotted,
                    thbx_error_t *err) {
  int rc = privacy_path_parse(&q->path, dotted, err);
  if (rc != THBX_OK)
    return rc;
  if (!a->profile) {
    q->suppress = PRIVACY_SUPPRESS_DROP; /* generic: nothing to stay valid against */
    return THBX_OK;
  }
  const struct thbx_shape *shape = privacy_shape_at(a->profile, dotted);
  if (!shape || shape->leaf_index < 0)
    return thbx_error_set(err, THBX_EINVAL,
                          "quasi-identifier %.200s: not a field of the profile %.100s", dotted,
                          a->profile->name);
  q->is_array = (shape->types & THBX_TYPE_ARRAY) != 0;
  q->types = q->is_array && shape->items ? shape->items->types : shape->types;
  q->suppress = privacy_suppression(a->profile, dotted, &q->conditional, &q->why);
  return privacy_field_schema(a->profile, dotted, &q->schema, err);
}

int thbx_anonymiser_new(thbx_anonymiser_t **out, const thbx_anonymise_options_t *o,
                        thbx_error_t *err) {
  *out = NULL;
  if (!o || o->k < 1)
    return thbx_error_set(err, THBX_EINVAL, "k must be at least 1");
  if (!o->quasi || o->nquasi == 0)
    return thbx_error_set(err, THBX_EINVAL, "no quasi-identifiers");
  if (o->nquasi > ANON_MAX_QUASI)
    return thbx_error_set(err, THBX_EINVAL, "at most %d quasi-identifiers", ANON_MAX_QUASI);
  if (o->max_suppress < 0 || o->max_suppress > 1)
    return thbx_error_set(err, THBX_EINVAL, "the suppression limit must be from 0 to 1");
  thbx_anonymiser_t *a = calloc(1, sizeof(*a));
  if (!a)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  a->k = o->k;
  a->max_suppress = o->max_suppress;
  a->profile = o->profile;
  int rc = THBX_ENOMEM;
  a->qi = calloc(o->nquasi, sizeof(*a->qi));
  if (!a->qi || table_init(&a->base) != 0 || table_init(&a->out) != 0)
    goto fail;
  for (size_t i = 0; i < o->nquasi; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(o->quasi[i], o->quasi[j]) == 0) {
        rc =
            thbx_error_set(err, THBX_EINVAL, "quasi-identifier %.200s is named twice", o->quasi[i]);
        goto fail_said;
      }
    a->nq++;
    rc = setup_qi(a, &a->qi[i], o->quasi[i], err);
    if (rc != THBX_OK)
      goto fail_said;
  }
  if (o->distinct) {
    rc = privacy_path_parse(&a->distinct, o->distinct, err);
    if (rc != THBX_OK)
      goto fail_said;
    a->has_distinct = 1;
    if (a->profile && !privacy_shape_at(a->profile, o->distinct)) {
      rc = thbx_error_set(err, THBX_EINVAL, "distinct %.200s: not a field of the profile",
                          o->distinct);
      goto fail_said;
    }
  }
  if (o->sensitive) {
    rc = privacy_path_parse(&a->sensitive, o->sensitive, err);
    if (rc != THBX_OK)
      goto fail_said;
    a->has_sensitive = 1;
    for (size_t i = 0; i < o->nquasi; i++)
      if (strcmp(o->quasi[i], o->sensitive) == 0) {
        rc = thbx_error_set(err, THBX_EINVAL,
                            "sensitive %.200s is a quasi-identifier; it cannot be both",
                            o->sensitive);
        goto fail_said;
      }
    if (a->profile && !privacy_shape_at(a->profile, o->sensitive)) {
      rc = thbx_error_set(err, THBX_EINVAL, "sensitive %.200s: not a field of the profile",
                          o->sensitive);
      goto fail_said;
    }
  }
  *out = a;
  return THBX_OK;
fail:
  thbx_error_set(err, rc, "out of memory");
fail_said:
  thbx_anonymiser_free(a);
  return rc;
}

/* ------------------------------------------------------------------ pass 1 */

/* The values of the quasi-identifiers of a record (nulls for absent). */
static json_t *qi_values(const thbx_anonymiser_t *a, const json_t *record) {
  json_t *values = json_array();
  for (size_t i = 0; values && i < a->nq; i++) {
    json_t *v = privacy_path_get((json_t *)record, &a->qi[i].path, NULL);
    json_array_append_new(values, v ? json_incref(v) : json_null());
  }
  return values;
}

/* The person key ("" for a record without it: all such records count as one
 * person, which can only understate a group) and the sensitive value's key. */
static int side_keys(const thbx_anonymiser_t *a, const json_t *record, char **person, char **sens) {
  *person = *sens = NULL;
  if (a->has_distinct) {
    json_t *v = privacy_path_get((json_t *)record, &a->distinct, NULL);
    *person = v && !json_is_null(v) ? anon_key(v) : strdup("");
    if (!*person)
      return THBX_ENOMEM;
  }
  if (a->has_sensitive) {
    *sens = anon_key(privacy_path_get((json_t *)record, &a->sensitive, NULL));
    if (!*sens) {
      free(*person);
      return THBX_ENOMEM;
    }
  }
  return THBX_OK;
}

int thbx_anonymiser_count(thbx_anonymiser_t *a, const json_t *record, const char *source, long line,
                          thbx_error_t *err) {
  if (a->planned)
    return thbx_error_set(err, THBX_EINVAL, "records are counted before the plan");
  json_t *values = qi_values(a, record);
  if (!values)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t i = 0; i < a->nq; i++) {
    struct anon_qi *q = &a->qi[i];
    if (!q->hier || q->levels < 1)
      continue;
    int missing = 0;
    json_t *g = anon_generalise(q, json_array_get(values, i), 1, &missing);
    json_decref(g);
    if (missing && q->missing++ == 0) {
      thbx_strlcpy(q->missing_source, source ? source : "-", sizeof(q->missing_source));
      q->missing_line = line;
    }
  }
  char *person, *sens;
  int rc = side_keys(a, record, &person, &sens);
  if (rc == THBX_OK)
    rc = anon_table_add(&a->base, values, person, sens);
  else
    json_decref(values);
  free(person);
  free(sens);
  a->read++;
  return rc == THBX_OK ? THBX_OK : thbx_error_set(err, rc, "out of memory");
}

/* -------------------------------------------------------------------- plan */

/* Generalised values of a base group at `levels`. */
static json_t *gen_values(const thbx_anonymiser_t *a, const json_t *values, const int *levels) {
  json_t *out = json_array();
  for (size_t i = 0; out && i < a->nq; i++) {
    const json_t *v = json_array_get(values, i);
    int missing;
    json_t *g = anon_generalise(&a->qi[i], json_is_null(v) ? NULL : v, levels[i], &missing);
    json_array_append_new(out, g ? g : json_null());
  }
  return out;
}

/* The base groups generalised to `levels`, into `gen`; *small gets the
 * records in groups below k. */
static int eval_node(const thbx_anonymiser_t *a, const int *levels, struct anon_table *gen,
                     long *small) {
  if (table_init(gen) != 0)
    return THBX_ENOMEM;
  for (size_t i = 0; i < a->base.n; i++) {
    json_t *gv = gen_values(a, a->base.groups[i].values, levels);
    if (!gv || table_merge(gen, gv, &a->base.groups[i]) != THBX_OK)
      return THBX_ENOMEM;
  }
  *small = 0;
  for (size_t i = 0; i < gen->n; i++)
    if (anon_group_size(a, &gen->groups[i]) < a->k)
      *small += gen->groups[i].records;
  return THBX_OK;
}

struct node {
  int levels[ANON_MAX_QUASI];
  int height;
  size_t nq;
};

static int node_cmp(const void *x, const void *y) {
  const struct node *p = x, *q = y;
  if (p->height != q->height)
    return p->height < q->height ? -1 : 1;
  for (size_t i = 0; i < p->nq; i++)
    if (p->levels[i] != q->levels[i])
      return p->levels[i] < q->levels[i] ? -1 : 1;
  return 0;
}

/* Values with the quasi-identifiers of `mask` replaced by their suppressed form. */
static json_t *masked(const thbx_anonymiser_t *a, const json_t *values, unsigned mask) {
  json_t *out = json_array();
  for (size_t i = 0; out && i < a->nq; i++) {
    json_t *v = json_array_get(values, i);
    if (mask & (1u << i)) {
      json_t *s = anon_suppressed_form(&a->qi[i]);
      json_array_append_new(out, s ? s : json_null());
    } else {
      json_array_append(out, v);
    }
  }
  return out;
}

static int popcount(unsigned m) {
  int n = 0;
  for (; m; m &= m - 1)
    n++;
  return n;
}

static int mask_cmp(const void *x, const void *y) {
  unsigned p = *(const unsigned *)x, q = *(const unsigned *)y;
  int a = popcount(p), b = popcount(q);
  if (a != b)
    return a < b ? -1 : 1;
  return p > q ? -1 : p < q; /* later quasi-identifiers first */
}

/* Size of the union of group `g` and the group at `key` in `t` (if any). */
static long union_size(const thbx_anonymiser_t *a, const struct anon_table *t, const char *key,
                       const struct anon_group *g) {
  json_t *idx = json_object_get(t->index, key);
  if (!idx)
    return anon_group_size(a, g);
  const struct anon_group *h = &t->groups[json_integer_value(idx)];
  if (!a->has_distinct)
    return g->records + h->records;
  long n = (long)json_object_size(h->persons);
  const char *k;
  json_t *v;
  json_object_foreach(g->persons, k, v) {
    if (!json_object_get(h->persons, k))
      n++;
  }
  return n;
}

/* Local suppression and record drops over the groups at the chosen levels. */
static int decide(thbx_anonymiser_t *a, struct anon_table *gen) {
  struct anon_table safe;
  if (table_init(&safe) != 0)
    return THBX_ENOMEM;
  int rc = THBX_OK;
  char *pending = calloc(gen->n ? gen->n : 1, 1);
  unsigned suppressible = 0;
  for (size_t i = 0; i < a->nq; i++)
    if (a->qi[i].suppress != PRIVACY_SUPPRESS_NONE)
      suppressible |= 1u << i;
  size_t nmasks = 0;
  unsigned *masks = calloc((size_t)1 << popcount(suppressible), sizeof(unsigned));
  if (!pending || !masks)
    goto nomem;
  for (unsigned m = suppressible;; m = (m - 1) & suppressible) {
    if (m)
      masks[nmasks++] = m;
    if (!m)
      break;
  }
  qsort(masks, nmasks, sizeof(*masks), mask_cmp);
  for (size_t i = 0; i < gen->n; i++) {
    struct anon_group *g = &gen->groups[i];
    char *key = anon_key(g->values);
    if (!key)
      goto nomem;
    if (anon_group_size(a, g) >= a->k) {
      json_object_set_new_nocheck(a->decision, key, json_integer(0));
      if (table_merge(&safe, json_incref(g->values), g) != THBX_OK) {
        free(key);
        goto nomem;
      }
    } else {
      pending[i] = 1;
    }
    free(key);
  }
  for (size_t m = 0; m < nmasks; m++) {
    /* the pending groups as this mask leaves them, together */
    struct anon_table tmp;
    if (table_init(&tmp) != 0)
      goto nomem;
    for (size_t i = 0; i < gen->n; i++)
      if (pending[i] && table_merge(&tmp, masked(a, gen->groups[i].values, masks[m]),
                                    &gen->groups[i]) != THBX_OK) {
        anon_table_free(&tmp);
        goto nomem;
      }
    for (size_t i = 0; i < gen->n; i++) {
      if (!pending[i])
        continue;
      json_t *mv = masked(a, gen->groups[i].values, masks[m]);
      char *mkey = anon_key(mv);
      char *key = anon_key(gen->groups[i].values);
      int ok = 0;
      if (mkey && key) {
        const struct anon_group *together =
            &tmp.groups[json_integer_value(json_object_get(tmp.index, mkey))];
        ok = union_size(a, &safe, mkey, together) >= a->k;
      }
      if (ok) {
        json_object_set_new_nocheck(a->decision, key, json_integer(masks[m]));
        pending[i] = 0;
        rc = table_merge(&safe, json_incref(mv), &gen->groups[i]);
      }
      json_decref(mv);
      free(mkey);
      free(key);
      if (!mkey || !key || rc != THBX_OK) {
        anon_table_free(&tmp);
        goto nomem;
      }
    }
    anon_table_free(&tmp);
  }
  for (size_t i = 0; i < gen->n; i++) {
    if (!pending[i])
      continue;
    char *key = anon_key(gen->groups[i].values);
    if (!key)
      goto nomem;
    json_object_set_new_nocheck(a->decision, key, json_integer(-1));
    a->plan_drop_records += gen->groups[i].records;
    free(key);
  }
  goto done;
nomem:
  rc = THBX_ENOMEM;
done:
  free(pending);
  free(masks);
  anon_table_free(&safe);
  return rc;
}

int thbx_anonymiser_plan(thbx_anonymiser_t *a, thbx_error_t *err) {
  if (a->planned)
    return THBX_OK;
  for (size_t i = 0; i < a->nq; i++) {
    const struct anon_qi *q = &a->qi[i];
    if (q->missing) {
      thbx_error_at(err, q->missing_source, q->missing_line, 0);
      return thbx_error_set(err, THBX_ESCHEMA,
                            "%.200s: the value has no row in the hierarchy %.200s (%ld record%s "
                            "in all; the first is here)",
                            q->path.dotted, q->hier_file, q->missing, q->missing == 1 ? "" : "s");
    }
  }
  size_t nnodes = 1;
  for (size_t i = 0; i < a->nq; i++) {
    nnodes *= (size_t)a->qi[i].levels + 1;
    if (nnodes > ANON_MAX_NODES)
      return thbx_error_set(err, THBX_EINVAL,
                            "the hierarchies have more than %d combinations of levels",
                            ANON_MAX_NODES);
  }
  struct node *nodes = calloc(nnodes, sizeof(*nodes));
  a->decision = json_object();
  if (!nodes || !a->decision) {
    free(nodes);
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  }
  for (size_t n = 0; n < nnodes; n++) {
    size_t rest = n;
    nodes[n].nq = a->nq;
    for (size_t i = a->nq; i-- > 0;) {
      size_t span = (size_t)a->qi[i].levels + 1;
      nodes[n].levels[i] = (int)(rest % span);
      nodes[n].height += nodes[n].levels[i];
      rest /= span;
    }
  }
  qsort(nodes, nnodes, sizeof(*nodes), node_cmp);
  long budget = (long)(a->max_suppress * (double)a->read);
  long best_small = -1;
  size_t best = 0;
  int rc = THBX_OK;
  for (size_t n = 0; n < nnodes; n++) {
    struct anon_table gen;
    long small = 0;
    rc = eval_node(a, nodes[n].levels, &gen, &small);
    anon_table_free(&gen);
    if (rc != THBX_OK)
      break;
    if (best_small < 0 || small < best_small) {
      best_small = small;
      best = n;
    }
    if (small <= budget)
      break; /* the lowest node within the limit */
  }
  struct anon_table gen;
  memset(&gen, 0, sizeof(gen));
  if (rc == THBX_OK) {
    for (size_t i = 0; i < a->nq; i++)
      a->qi[i].level = nodes[best].levels[i];
    a->plan_suppressed = best_small;
    rc = eval_node(a, nodes[best].levels, &gen, &best_small);
  }
  if (rc == THBX_OK)
    rc = decide(a, &gen);
  anon_table_free(&gen);
  free(nodes);
  if (rc != THBX_OK)
    return thbx_error_set(err, rc, "out of memory");
  a->planned = 1;
  return THBX_OK;
}

/* ------------------------------------------------------------------ pass 2 */

/* Put `v` (stolen; NULL: remove) at the quasi-identifier's path. */
static int put(json_t *record, const struct privacy_path *path, json_t *v) {
  if (!v) {
    privacy_path_drop(record, path);
    return THBX_OK;
  }
  json_t *cur = record;
  for (size_t i = 0; i + 1 < path->nparts; i++) {
    json_t *next = json_object_get(cur, path->parts[i]);
    if (!next) {
      next = json_object();
      if (json_object_set_new(cur, path->parts[i], next) != 0)
        return THBX_ENOMEM;
    }
    if (!json_is_object(next)) {
      json_decref(v);
      return THBX_EINVAL;
    }
    cur = next;
  }
  return json_object_set_new(cur, path->parts[path->nparts - 1], v) == 0 ? THBX_OK : THBX_ENOMEM;
}

int thbx_anonymiser_apply(thbx_anonymiser_t *a, json_t *record, int *keep, thbx_error_t *err) {
  *keep = 0;
  if (!a->planned)
    return thbx_error_set(err, THBX_EINVAL, "no plan: count the records and plan first");
  a->applied = 1;
  int levels[ANON_MAX_QUASI];
  for (size_t i = 0; i < a->nq; i++)
    levels[i] = a->qi[i].level;
  json_t *values = qi_values(a, record);
  json_t *gv = values ? gen_values(a, values, levels) : NULL;
  char *key = gv ? anon_key(gv) : NULL;
  int rc = THBX_OK;
  if (!key) {
    rc = THBX_ENOMEM;
    goto done;
  }
  json_t *d = json_object_get(a->decision, key);
  /* a combination the plan never saw (an input changed between the passes)
   * is dropped: nothing unplanned is written */
  long mask = d ? (long)json_integer_value(d) : -1;
  if (mask < 0) {
    a->dropped++;
    goto done;
  }
  for (size_t i = 0; i < a->nq && rc == THBX_OK; i++) {
    struct anon_qi *q = &a->qi[i];
    json_t *orig = json_array_get(values, i);
    json_t *final =
        (mask & (1L << i)) ? anon_suppressed_form(q) : json_incref(json_array_get(gv, i));
    if (final && json_is_null(final)) {
      json_decref(final);
      final = NULL;
    }
    int same = final ? json_equal(final, orig) : json_is_null(orig);
    if (same) {
      json_decref(final);
      continue;
    }
    if (mask & (1L << i))
      q->suppressed++;
    else
      q->generalised++;
    rc = put(record, &q->path, final);
  }
  if (rc != THBX_OK)
    goto done;
  /* count what is written, as it is written */
  char *person, *sens;
  rc = side_keys(a, record, &person, &sens);
  if (rc == THBX_OK) {
    json_t *ov = qi_values(a, record);
    rc = ov ? anon_table_add(&a->out, ov, person, sens) : THBX_ENOMEM;
    free(person);
    free(sens);
  }
  if (rc == THBX_OK) {
    a->written++;
    *keep = 1;
  }
done:
  free(key);
  json_decref(gv);
  json_decref(values);
  if (rc != THBX_OK)
    return thbx_error_set(err, rc,
                          rc == THBX_ENOMEM ? "out of memory"
                                            : "a quasi-identifier's path is not an "
                                              "object in this record");
  return THBX_OK;
}

long thbx_anonymiser_small_groups(const thbx_anonymiser_t *a) {
  const struct anon_table *t = a->planned ? &a->out : &a->base;
  long n = 0;
  for (size_t i = 0; i < t->n; i++)
    if (anon_group_size(a, &t->groups[i]) < a->k)
      n++;
  return n;
}

/* ------------------------------------------------------ on the pipeline */

static int counter_item(void *state, const thbx_pipeline_t *p, const thbx_item_t *item,
                        thbx_error_t *err) {
  (void)p;
  if (!item->value || item->unreadable || item->nissues)
    return THBX_OK;
  return thbx_anonymiser_count(state, item->value, item->source, item->line, err);
}

int thbx_anonymiser_add_counter(thbx_pipeline_t *pipeline, thbx_anonymiser_t *a,
                                thbx_error_t *err) {
  thbx_sink_ops_t ops = {0};
  ops.name = "anonymise-count";
  ops.item = counter_item;
  return thbx_pipeline_add_sink(pipeline, &ops, a, err);
}

static int stage_apply(void *state, thbx_item_t *item, thbx_error_t *err) {
  if (!item->value)
    return THBX_OK;
  int keep = 0;
  int rc = thbx_anonymiser_apply(state, item->value, &keep, err);
  if (rc != THBX_OK) {
    thbx_error_at(err, item->source, item->line, item->column);
    return rc;
  }
  item->raw_stale = 1; /* values changed: the input's bytes must not be copied */
  if (!keep) {
    json_decref(item->value);
    item->value = NULL;
  }
  return THBX_OK;
}

int thbx_anonymiser_add_stage(thbx_pipeline_t *pipeline, thbx_anonymiser_t *a, thbx_error_t *err) {
  if (!a->planned)
    return thbx_error_set(err, THBX_EINVAL, "no plan: count the records and plan first");
  thbx_stage_ops_t ops = {0};
  ops.name = "anonymise";
  ops.kind = THBX_STAGE_ORDERED; /* it counts the output as it goes */
  ops.skip_rejected = 1;
  ops.apply = stage_apply;
  return thbx_pipeline_add_stage(pipeline, &ops, a, err);
}
