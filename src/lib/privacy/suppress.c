/*
 * suppress.c - primary and secondary cell suppression of a statistics table
 * (stats_table.h), with GLPK.
 *
 * Primary: every cell (margins too) with 0 < count < K. Secondary, by an
 * audit-and-repair loop that is deterministic:
 *
 *  1. Audit a primary cell p: the exact integer range [lo, hi] an intruder
 *     can derive for it from everything published (every published cell and
 *     margin, the relations margin = sum of its children, every cell >= 0),
 *     by two integer programs (max and min of p; hi is capped at p + K).
 *     p is protected when lo < p < hi and hi - lo >= K.
 *  2. If p is not protected, find the cheapest change of the table that
 *     moves p by the missing amount and keeps every relation: a min-cost
 *     flow LP over all cells (cost 0 for cells already suppressed, about 1
 *     per unit for a published cell, 2 for a margin, plus a tie-break by
 *     count), as in the network heuristics of Cox and of Castro. The cells it
 *     touches are suppressed as well. For 1 and 2 dimensions the LP is a
 *     network problem and its solutions are integral; for 3 dimensions an
 *     integer flow is tried when the LP's support is not enough.
 *  3. Once every primary cell is protected, a removal pass (tables small
 *     enough) publishes again each secondary cell, largest first, whose
 *     suppression turns out not to be needed.
 *  4. The integer solutions of the final audit are the witnesses the
 *     certificate carries: for each primary cell an integer change of the
 *     suppressed cells moving it up and one moving it down.
 *
 * More suppression never narrows a range, so the loop ends; the final audit
 * is the proof, and the certificate lets anybody re-check it (verify.c).
 */
#include "stats_table.h"

#include "internal.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* removal pass only when (secondary cells x primary cells) is at most this */
#define SUPPRESS_REDUCE_LIMIT 4000
/* time limit of one integer program, in milliseconds */
#define SUPPRESS_MIP_MS 5000

struct relation {
  size_t agg; /* the margin */
  int dim;    /* summed over this dimension */
};

struct ctx {
  stats_table_t *t;
  struct relation *rel;
  size_t nrel;
  long long maxcount;
  glp_prob *audit;
  glp_prob *flow;  /* the change LP, kept between primary cells */
  int *col_of;     /* cell -> audit column (1-based), 0 if published */
  size_t *cell_of; /* audit column -> cell */
  int ncols;
  int *ind; /* scratch for rows: 1-based */
  double *val;
  size_t maxrow;
};

static size_t child_of(const stats_table_t *t, const struct relation *r, size_t v) {
  return r->agg - t->n[r->dim] * t->stride[r->dim] + v * t->stride[r->dim];
}

static int build_relations(struct ctx *x, thbx_error_t *err) {
  stats_table_t *t = x->t;
  size_t cap = 0;
  x->nrel = 0;
  x->maxrow = 2;
  for (int i = 0; i < t->ndims; i++)
    if (t->n[i] + 1 > x->maxrow)
      x->maxrow = t->n[i] + 1;
  if (!t->totals)
    return THBX_OK;
  for (size_t cell = 0; cell < t->ncells; cell++) {
    size_t c[STATS_MAX_DIMS];
    stats_table_coords(t, cell, c);
    for (int i = 0; i < t->ndims; i++) {
      if (c[i] != t->n[i] || t->n[i] == 0)
        continue;
      if (x->nrel == cap) {
        cap = cap ? cap * 2 : 64;
        struct relation *r = realloc(x->rel, cap * sizeof(*r));
        if (!r)
          return thbx_error_set(err, THBX_ENOMEM, "out of memory");
        x->rel = r;
      }
      x->rel[x->nrel].agg = cell;
      x->rel[x->nrel].dim = i;
      x->nrel++;
    }
  }
  return THBX_OK;
}

/* An upper bound on every unknown of the intruder's problem. It can only
 * narrow the ranges found (the true table is within it), so the witnesses
 * stay true; it keeps branch and bound finite on 3-dimensional tables. */
static double audit_cap(const struct ctx *x) { return (double)(2 * x->maxcount + 2 * x->t->k); }

/* The intruder's problem: the suppressed cells are the unknowns. */
static int audit_build(struct ctx *x, thbx_error_t *err) {
  stats_table_t *t = x->t;
  if (x->audit)
    glp_delete_prob(x->audit);
  x->audit = glp_create_prob();
  x->ncols = 0;
  for (size_t cell = 0; cell < t->ncells; cell++) {
    x->col_of[cell] = 0;
    if (t->status[cell] != STATS_PUBLISHED) {
      x->col_of[cell] = ++x->ncols;
      x->cell_of[x->ncols] = cell;
    }
  }
  if (x->ncols == 0)
    return THBX_OK;
  glp_add_cols(x->audit, x->ncols);
  for (int j = 1; j <= x->ncols; j++) {
    glp_set_col_bnds(x->audit, j, GLP_DB, 0.0, audit_cap(x));
    glp_set_col_kind(x->audit, j, GLP_IV);
  }
  for (size_t r = 0; r < x->nrel; r++) {
    const struct relation *rel = &x->rel[r];
    int len = 0;
    double rhs = 0;
    if (x->col_of[rel->agg]) {
      len++;
      x->ind[len] = x->col_of[rel->agg];
      x->val[len] = 1.0;
      rhs += (double)t->count[rel->agg];
    }
    for (size_t v = 0; v < t->n[rel->dim]; v++) {
      size_t ch = child_of(t, rel, v);
      if (!x->col_of[ch])
        continue;
      len++;
      x->ind[len] = x->col_of[ch];
      x->val[len] = -1.0;
      rhs -= (double)t->count[ch];
    }
    if (len == 0)
      continue;
    int row = glp_add_rows(x->audit, 1);
    glp_set_mat_row(x->audit, row, len, x->ind, x->val);
    glp_set_row_bnds(x->audit, row, GLP_FX, rhs, rhs);
  }
  (void)err;
  return THBX_OK;
}

/* Solve the LP from the basis of the last solve (the audits of one table
 * differ only in their objective and one bound: the dual simplex restarts
 * from there), then branch and bound when the LP optimum is fractional
 * (never for 1 and 2 dimensions, whose matrices are totally unimodular). */
static int solve_mip(glp_prob *P) {
  /* every column is bounded (see audit_build), so branch and bound ends;
   * the time limit is a backstop: a feasible integer point found by then is
   * still a true witness, only perhaps not the widest */
  glp_smcp sm;
  glp_init_smcp(&sm);
  sm.msg_lev = GLP_MSG_OFF;
  sm.meth = GLP_DUALP;
  if (glp_simplex(P, &sm) != 0) {
    glp_std_basis(P);
    if (glp_simplex(P, &sm) != 0)
      return -1;
  }
  if (glp_get_status(P) != GLP_OPT)
    return -1;
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.tm_lim = SUPPRESS_MIP_MS;
  int rc = glp_intopt(P, &parm);
  if (rc != 0 && rc != GLP_ETMLIM)
    return -1;
  int st = glp_mip_status(P);
  return st == GLP_OPT || st == GLP_FEAS ? 0 : -1;
}

static int record_change(struct ctx *x, stats_change_t *ch) {
  size_t n = 0;
  for (int j = 1; j <= x->ncols; j++) {
    long long v = llround(glp_mip_col_val(x->audit, j));
    if (v != x->t->count[x->cell_of[j]])
      n++;
  }
  ch->n = 0;
  ch->cells = malloc((n ? n : 1) * sizeof(*ch->cells));
  ch->delta = malloc((n ? n : 1) * sizeof(*ch->delta));
  if (!ch->cells || !ch->delta)
    return -1;
  for (int j = 1; j <= x->ncols; j++) {
    size_t cell = x->cell_of[j];
    long long d = llround(glp_mip_col_val(x->audit, j)) - x->t->count[cell];
    if (d != 0) {
      ch->cells[ch->n] = cell;
      ch->delta[ch->n] = d;
      ch->n++;
    }
  }
  return 0;
}

/* The range an intruder derives for cell p: [*lo, *hi], hi capped at p + K. */
static int audit_cell(struct ctx *x, size_t p, long long *hi, long long *lo,
                      stats_protection_t *prot, thbx_error_t *err) {
  stats_table_t *t = x->t;
  int col = x->col_of[p];
  long long v = t->count[p];
  glp_set_obj_coef(x->audit, col, 1.0);
  glp_set_obj_dir(x->audit, GLP_MAX);
  glp_set_col_bnds(x->audit, col, GLP_DB, 0.0, (double)(v + t->k));
  int rc = solve_mip(x->audit);
  if (rc == 0) {
    *hi = llround(glp_mip_obj_val(x->audit));
    if (prot && record_change(x, &prot->up) != 0)
      rc = -2;
  }
  glp_set_col_bnds(x->audit, col, GLP_DB, 0.0, audit_cap(x));
  if (rc == 0) {
    glp_set_obj_dir(x->audit, GLP_MIN);
    rc = solve_mip(x->audit);
    if (rc == 0) {
      *lo = llround(glp_mip_obj_val(x->audit));
      if (prot && record_change(x, &prot->down) != 0)
        rc = -2;
    }
  }
  glp_set_obj_coef(x->audit, col, 0.0);
  if (rc == -2)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  if (rc != 0)
    return thbx_error_set(err, THBX_EFATAL, "suppression: the audit of a cell found no solution");
  return THBX_OK;
}

static int protected_range(const stats_table_t *t, size_t p, long long hi, long long lo) {
  long long v = t->count[p];
  return lo < v && hi > v && hi - lo >= t->k;
}

static double flow_cost(const struct ctx *x, size_t c) {
  const stats_table_t *t = x->t;
  if (t->status[c] != STATS_PUBLISHED)
    return 0.0;
  return (stats_table_is_margin(t, c) ? 2.0 : 1.0) +
         (double)t->count[c] / (double)(x->maxcount + 1);
}

static void flow_bounds(glp_prob *P, const stats_table_t *t, size_t c) {
  int fp = (int)(2 * c + 1), fm = fp + 1;
  /* a change is at most K per cell times the cells; bounded for the integer
   * version's branch and bound (the LP never needs more) */
  glp_set_col_bnds(P, fp, GLP_DB, 0.0, (double)t->k * (double)t->ncells);
  if (t->count[c] > 0)
    glp_set_col_bnds(P, fm, GLP_DB, 0.0, (double)t->count[c]);
  else
    glp_set_col_bnds(P, fm, GLP_FX, 0.0, 0.0);
}

/* The change problem: f = fp - fm per cell, every relation kept, no cell
 * below 0 (fm <= count). */
static glp_prob *flow_build(struct ctx *x, int integer) {
  stats_table_t *t = x->t;
  int *ind = malloc((2 * x->maxrow + 1) * sizeof(*ind));
  double *val = malloc((2 * x->maxrow + 1) * sizeof(*val));
  if (!ind || !val) {
    free(ind);
    free(val);
    return NULL;
  }
  glp_prob *P = glp_create_prob();
  glp_add_cols(P, (int)(2 * t->ncells));
  glp_set_obj_dir(P, GLP_MIN);
  for (size_t c = 0; c < t->ncells; c++) {
    flow_bounds(P, t, c);
    if (integer) {
      glp_set_col_kind(P, (int)(2 * c + 1), GLP_IV);
      glp_set_col_kind(P, (int)(2 * c + 2), GLP_IV);
    }
  }
  for (size_t r = 0; r < x->nrel; r++) {
    const struct relation *rel = &x->rel[r];
    int len = 0;
    ind[++len] = (int)(2 * rel->agg + 1);
    val[len] = 1.0;
    ind[++len] = (int)(2 * rel->agg + 2);
    val[len] = -1.0;
    for (size_t v = 0; v < t->n[rel->dim]; v++) {
      size_t ch = child_of(t, rel, v);
      ind[++len] = (int)(2 * ch + 1);
      val[len] = -1.0;
      ind[++len] = (int)(2 * ch + 2);
      val[len] = 1.0;
    }
    int row = glp_add_rows(P, 1);
    glp_set_mat_row(P, row, len, ind, val);
    glp_set_row_bnds(P, row, GLP_FX, 0.0, 0.0);
  }
  free(ind);
  free(val);
  return P;
}

/* The cheapest change moving p by `amount` (dir +1 up, -1 down) that keeps
 * every relation and every cell >= 0; marks the cells it uses. The LP is
 * built once per table and re-solved from its last basis; the integer
 * version (3 dimensions, when the LP's support was not enough) is built
 * each time. */
static int flow(struct ctx *x, size_t p, int dir, long long amount, int integer,
                unsigned char *support, thbx_error_t *err) {
  stats_table_t *t = x->t;
  glp_prob *P = integer ? flow_build(x, 1) : (x->flow ? x->flow : (x->flow = flow_build(x, 0)));
  if (!P)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  for (size_t c = 0; c < t->ncells; c++) {
    double w = flow_cost(x, c);
    glp_set_obj_coef(P, (int)(2 * c + 1), w);
    glp_set_obj_coef(P, (int)(2 * c + 2), w);
  }
  glp_set_col_bnds(P, (int)(2 * p + 1), GLP_FX, dir > 0 ? (double)amount : 0.0, 0.0);
  glp_set_col_bnds(P, (int)(2 * p + 2), GLP_FX, dir < 0 ? (double)amount : 0.0, 0.0);
  int ok;
  if (integer) {
    ok = solve_mip(P) == 0;
  } else {
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    ok = glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT;
    if (!ok) {
      glp_std_basis(P);
      ok = glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT;
    }
  }
  if (ok) {
    for (size_t c = 0; c < t->ncells; c++) {
      int fp = (int)(2 * c + 1), fm = fp + 1;
      double a = integer ? glp_mip_col_val(P, fp) + glp_mip_col_val(P, fm)
                         : glp_get_col_prim(P, fp) + glp_get_col_prim(P, fm);
      if (a > 1e-7)
        support[c] = 1;
    }
  }
  if (integer)
    glp_delete_prob(P);
  else
    flow_bounds(P, t, p);
  if (!ok)
    return thbx_error_set(err, THBX_EFATAL, "suppression: no change of the table protects a cell");
  return THBX_OK;
}

/* Protect primary cell p, suppressing more cells as needed. */
static int protect(struct ctx *x, size_t p, unsigned char *support, thbx_error_t *err) {
  stats_table_t *t = x->t;
  long long v = t->count[p];
  for (int attempt = 0;; attempt++) {
    long long hi = 0, lo = 0;
    int rc = audit_cell(x, p, &hi, &lo, NULL, err);
    if (rc != THBX_OK)
      return rc;
    if (protected_range(t, p, hi, lo))
      return THBX_OK;
    if (attempt >= 3)
      return thbx_error_set(err, THBX_EFATAL, "suppression: a cell could not be protected");
    long long L = v < (t->k + 1) / 2 ? v : (t->k + 1) / 2;
    long long U = t->k - L;
    long long up = hi - v, down = v - lo;
    memset(support, 0, t->ncells);
    if (down >= L && up < U) {
      U = t->k - down > 1 ? t->k - down : 1;
      rc = flow(x, p, +1, U, attempt > 0, support, err);
    } else if (up >= U && down < L) {
      L = t->k - up > 1 ? t->k - up : 1;
      if (L > v)
        L = v;
      rc = flow(x, p, -1, L, attempt > 0, support, err);
    } else {
      rc = flow(x, p, +1, U, attempt > 0, support, err);
      if (rc == THBX_OK)
        rc = flow(x, p, -1, L, attempt > 0, support, err);
    }
    if (rc != THBX_OK)
      return rc;
    for (size_t c = 0; c < t->ncells; c++)
      if (support[c] && t->status[c] == STATS_PUBLISHED)
        t->status[c] = STATS_SECONDARY;
    if ((rc = audit_build(x, err)) != THBX_OK)
      return rc;
  }
}

static int all_protected(struct ctx *x, const size_t *prim, size_t nprim, int *ok,
                         thbx_error_t *err) {
  *ok = 1;
  for (size_t i = 0; i < nprim; i++) {
    long long hi, lo;
    int rc = audit_cell(x, prim[i], &hi, &lo, NULL, err);
    if (rc != THBX_OK)
      return rc;
    if (!protected_range(x->t, prim[i], hi, lo)) {
      *ok = 0;
      return THBX_OK;
    }
  }
  return THBX_OK;
}

static const stats_table_t *sort_table;
static int by_count_desc(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  long long cx = sort_table->count[x], cy = sort_table->count[y];
  if (cx != cy)
    return cx > cy ? -1 : 1;
  return x > y ? -1 : (x < y ? 1 : 0);
}

/* Publish again the secondary cells that turn out not to be needed. */
static int reduce(struct ctx *x, const size_t *prim, size_t nprim, volatile int *interrupted,
                  thbx_error_t *err) {
  stats_table_t *t = x->t;
  size_t nsec = 0;
  for (size_t c = 0; c < t->ncells; c++)
    nsec += t->status[c] == STATS_SECONDARY;
  if (nsec == 0 || nsec * nprim > SUPPRESS_REDUCE_LIMIT)
    return THBX_OK;
  size_t *sec = malloc(nsec * sizeof(*sec));
  if (!sec)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  nsec = 0;
  for (size_t c = 0; c < t->ncells; c++)
    if (t->status[c] == STATS_SECONDARY)
      sec[nsec++] = c;
  sort_table = t; /* qsort has no context argument in C11 */
  qsort(sec, nsec, sizeof(*sec), by_count_desc);
  int rc = THBX_OK;
  for (size_t i = 0; i < nsec && rc == THBX_OK; i++) {
    if (interrupted && *interrupted) {
      rc = thbx_error_set(err, THBX_EINTR, "interrupted");
      break;
    }
    t->status[sec[i]] = STATS_PUBLISHED;
    int ok = 0;
    if ((rc = audit_build(x, err)) == THBX_OK)
      rc = all_protected(x, prim, nprim, &ok, err);
    if (rc == THBX_OK && !ok)
      t->status[sec[i]] = STATS_SECONDARY;
  }
  free(sec);
  if (rc == THBX_OK)
    rc = audit_build(x, err);
  return rc;
}

void stats_suppression_clear(stats_suppression_t *s) {
  for (size_t i = 0; i < s->nprotection; i++) {
    free(s->protection[i].up.cells);
    free(s->protection[i].up.delta);
    free(s->protection[i].down.cells);
    free(s->protection[i].down.delta);
  }
  free(s->protection);
  memset(s, 0, sizeof(*s));
}

#define STOPPED(flag) ((flag) && *(flag))

int stats_suppress(stats_table_t *t, stats_suppression_t *out, volatile int *interrupted,
                   thbx_error_t *err) {
  memset(out, 0, sizeof(*out));
  struct ctx x;
  memset(&x, 0, sizeof(x));
  x.t = t;
  size_t nprim = 0;
  for (size_t c = 0; c < t->ncells; c++) {
    t->status[c] = (t->count[c] > 0 && t->count[c] < t->k) ? STATS_PRIMARY : STATS_PUBLISHED;
    nprim += t->status[c] == STATS_PRIMARY;
    if (t->count[c] > x.maxcount)
      x.maxcount = t->count[c];
  }
  out->primary = nprim;
  if (nprim == 0)
    return THBX_OK;
  int rc = THBX_ENOMEM;
  size_t *prim = malloc(nprim * sizeof(*prim));
  unsigned char *support = malloc(t->ncells);
  x.col_of = calloc(t->ncells, sizeof(*x.col_of));
  x.cell_of = calloc(t->ncells + 1, sizeof(*x.cell_of));
  out->protection = calloc(nprim, sizeof(*out->protection));
  if (!prim || !support || !x.col_of || !x.cell_of || !out->protection) {
    thbx_error_set(err, rc, "out of memory");
    goto done;
  }
  nprim = 0;
  for (size_t c = 0; c < t->ncells; c++)
    if (t->status[c] == STATS_PRIMARY)
      prim[nprim++] = c;
  if ((rc = build_relations(&x, err)) != THBX_OK)
    goto done;
  x.ind = malloc((x.maxrow + 2) * sizeof(*x.ind));
  x.val = malloc((x.maxrow + 2) * sizeof(*x.val));
  if (!x.ind || !x.val) {
    rc = thbx_error_set(err, THBX_ENOMEM, "out of memory");
    goto done;
  }
  if ((rc = audit_build(&x, err)) != THBX_OK)
    goto done;
  for (size_t i = 0; i < nprim; i++) {
    if (STOPPED(interrupted)) {
      rc = thbx_error_set(err, THBX_EINTR, "interrupted");
      goto done;
    }
    if ((rc = protect(&x, prim[i], support, err)) != THBX_OK)
      goto done;
  }
  if ((rc = reduce(&x, prim, nprim, interrupted, err)) != THBX_OK)
    goto done;
  for (size_t c = 0; c < t->ncells; c++)
    if (t->status[c] == STATS_SECONDARY)
      out->secondary++;
  for (size_t i = 0; i < nprim; i++) {
    stats_protection_t *pr = &out->protection[i];
    pr->cell = prim[i];
    out->nprotection = i + 1;
    if (STOPPED(interrupted)) {
      rc = thbx_error_set(err, THBX_EINTR, "interrupted");
      goto done;
    }
    long long hi, lo;
    if ((rc = audit_cell(&x, prim[i], &hi, &lo, pr, err)) != THBX_OK)
      goto done;
    if (!protected_range(t, prim[i], hi, lo)) {
      rc = thbx_error_set(err, THBX_EFATAL, "suppression: the final audit failed");
      goto done;
    }
  }
  rc = THBX_OK;
done:
  if (x.audit)
    glp_delete_prob(x.audit);
  if (x.flow)
    glp_delete_prob(x.flow);
  free(x.rel);
  free(x.col_of);
  free(x.cell_of);
  free(x.ind);
  free(x.val);
  free(prim);
  free(support);
  if (rc != THBX_OK)
    stats_suppression_clear(out);
  return rc;
}
