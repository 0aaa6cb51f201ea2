#!/usr/bin/env python3
"""Independent audit of `thbx stats` cell suppression (issue 14).

Generates seeded tables of 1 to 3 dimensions (sparse and dense), writes each
as NDJSON records, runs `thbx stats --totals --format json --certificate`,
and audits what was published with its own LP (scipy.optimize.linprog,
HiGHS) and, for the exact integer view, scipy.optimize.milp:

  - every published count and margin equals the true count;
  - every cell (margins too) with 0 < count < K is suppressed;
  - for every such cell, the range an intruder can derive from everything
    published (every published cell and margin, margin = sum of its cells,
    every cell >= 0; unlisted combinations are 0) is [lo, hi] with
    lo < count < hi and hi - lo >= K;
  - `thbx stats --verify` accepts the certificate.

Shares no code with thbx. `--self-test` proves the auditor can fail: an
unsafe publication (two small cells in one row, only they suppressed) must
be found unsafe, and a safe one found safe.

Usage: audit_suppression.py --thbx BUILD/thbx [--tables 1000] [--seed 1]
       audit_suppression.py --self-test
"""
import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import linprog, milp, LinearConstraint, Bounds

TOTAL = "_total"


def relations(dims_values):
    """(margin key, [child keys]) for every margin of the full table."""
    axes = [list(v) + [TOTAL] for v in dims_values]
    rels = []
    for key in itertools.product(*axes):
        for j, part in enumerate(key):
            if part != TOTAL:
                continue
            kids = [key[:j] + (v,) + key[j + 1:] for v in dims_values[j]]
            rels.append((key, kids))
    return rels


def audit(dims_values, published, true, k, integer=True):
    """published: key -> int or None (suppressed); keys not in it are 0
    (interior cells only). true: key -> true count. Returns a list of
    problems (empty: safe)."""
    problems = []
    axes = [list(v) + [TOTAL] for v in dims_values]
    allkeys = list(itertools.product(*axes))
    value = {}
    for key in allkeys:
        if key in published:
            value[key] = published[key]
        elif TOTAL in key:
            problems.append("margin %s is not published" % (key,))
            return problems
        else:
            value[key] = 0
    for key in allkeys:
        t = true.get(key, 0)
        if value[key] is not None and value[key] != t:
            problems.append("cell %s published %s, true %s" % (key, value[key], t))
        if 0 < t < k and value[key] is not None:
            problems.append("small cell %s (%d) is published" % (key, t))
    if problems:
        return problems
    unknown = [key for key in allkeys if value[key] is None]
    col = {key: i for i, key in enumerate(unknown)}
    rows, rhs = [], []
    for agg, kids in relations(dims_values):
        row = np.zeros(len(unknown))
        b = 0.0
        for key, coef in [(agg, 1.0)] + [(kk, -1.0) for kk in kids]:
            if value[key] is None:
                row[col[key]] += coef
            else:
                b -= coef * value[key]
        if row.any():
            rows.append(row)
            rhs.append(b)
        elif abs(b) > 1e-9:
            problems.append("published margin %s is not the sum of its cells" % (agg,))
    if problems or not unknown:
        return problems
    A = np.array(rows) if rows else None
    b = np.array(rhs) if rows else None
    for key in unknown:
        t = true.get(key, 0)
        if not (0 < t < k):
            continue
        c = np.zeros(len(unknown))
        c[col[key]] = 1.0
        rng = []
        for sign in (1.0, -1.0):  # min, then max
            r = linprog(sign * c, A_eq=A, b_eq=b, bounds=[(0, None)] * len(unknown),
                        method="highs")
            if r.status == 3:  # unbounded
                rng.append(float("inf") if sign < 0 else float("-inf"))
            elif r.status != 0:
                problems.append("LP failed for %s: %s" % (key, r.message))
                rng.append(float("nan"))
            else:
                rng.append(sign * r.fun)
        lo, hi = rng[0], rng[1]
        if not (lo < t - 1e-6 and hi > t + 1e-6 and hi - lo >= k - 1e-6):
            problems.append("cell %s (%d): LP range [%g, %g] is narrower than %d" % (key, t, lo,
                                                                                    hi, k))
            continue
        if integer:
            # the intruder knows counts are integers: the exact range
            ilo, ihi = None, None
            for sign in (1.0, -1.0):
                cons = [LinearConstraint(A, b, b)] if A is not None else []
                ub = np.full(len(unknown), np.inf)
                if sign < 0:
                    ub[col[key]] = t + k  # enough to show the range
                r = milp(sign * c, constraints=cons, integrality=np.ones(len(unknown)),
                         bounds=Bounds(np.zeros(len(unknown)), ub))
                if r.status != 0:
                    problems.append("MILP failed for %s: %s" % (key, r.message))
                    break
                if sign > 0:
                    ilo = round(r.fun)
                else:
                    ihi = round(-r.fun)
            else:
                if not (ilo < t < ihi and ihi - ilo >= k):
                    problems.append("cell %s (%d): integer range [%d, %d] is narrower than %d" %
                                    (key, t, ilo, ihi, k))
    return problems


def gen_table(rng):
    nd = rng.choice([1, 2, 2, 3, 3])
    sizes = {1: (2, 12), 2: (2, 7), 3: (2, 4)}[nd]
    dims = [["%s%02d" % ("abc"[i], v) for v in range(rng.randint(*sizes))] for i in range(nd)]
    sparse = rng.random() < 0.5
    k = rng.choice([3, 5, 5, 5, 11])
    true = {}
    for key in itertools.product(*dims):
        r = rng.random()
        if sparse and r < 0.45:
            n = 0
        elif r < (0.75 if sparse else 0.35):
            n = rng.randint(1, k - 1)
        else:
            n = rng.randint(k, 4 * k)
        if n:
            true[key] = n
    # the values an intruder sees are those with records
    seen = [sorted({key[i] for key in true}) for i in range(nd)]
    return nd, sparse, k, true, seen


def complete_true(true, seen):
    full = dict(true)
    axes = [list(v) + [TOTAL] for v in seen]
    for key in itertools.product(*axes):
        if TOTAL not in key:
            continue
        s = 0
        for cell, n in true.items():
            if all(key[i] == TOTAL or key[i] == cell[i] for i in range(len(key))):
                s += n
        full[key] = s
    return full


def run_one(thbx, tmp, rng, index, integer):
    nd, sparse, k, true, seen = gen_table(rng)
    if not true:
        return None
    names = ["a", "b", "c"][:nd]
    path = os.path.join(tmp, "t.ndjson")
    with open(path, "w") as f:
        for key, n in sorted(true.items()):
            rec = json.dumps(dict(zip(names, key)))
            for _ in range(n):
                f.write(rec + "\n")
    cert = os.path.join(tmp, "cert.json")
    p = subprocess.run([thbx, "stats", "-q", "--profile", "none", "--by", ",".join(names),
                        "--totals", "--min-cell", str(k), "--format", "json", "--certificate",
                        cert, path], capture_output=True, text=True)
    if p.returncode != 0:
        return ["table %d: thbx stats exited %d: %s" % (index, p.returncode, p.stderr[:300])], None
    out = json.loads(p.stdout)
    published = {}
    for c in out["cells"]:
        key = tuple(c[nm] for nm in names)
        published[key] = None if c["suppressed"] else c["count"]
        if c["suppressed"] != (c["count"] is None):
            return ["table %d: count and suppressed disagree" % index], None
    full = complete_true(true, seen)
    problems = ["table %d (%dD, %s, K=%d): %s" % (index, nd, "sparse" if sparse else "dense", k, m)
                for m in audit(seen, published, full, k, integer)]
    v = subprocess.run([thbx, "stats", "--verify", cert], capture_output=True, text=True)
    if v.returncode != 0:
        problems.append("table %d: --verify exited %d: %s" % (index, v.returncode, v.stderr[:300]))
    primary = sum(1 for n in full.values() if 0 < n < k)
    suppressed = sum(1 for x in published.values() if x is None)
    cells = len(list(itertools.product(*[list(s) + [TOTAL] for s in seen])))
    return problems, (nd, sparse, primary, suppressed, cells)


def self_test():
    """The auditor must find unsafe publications unsafe."""
    failures = 0
    # 1 dimension: a=1, b=2 small; c=10, d=10; total 23. Only a, b suppressed:
    # a + b = 3 is published through the total, so a is in [0, 3]: unsafe for K=5.
    dims = [["a", "b", "c", "d"]]
    true = {("a",): 1, ("b",): 2, ("c",): 10, ("d",): 10, (TOTAL,): 23}
    unsafe = {("a",): None, ("b",): None, ("c",): 10, ("d",): 10, (TOTAL,): 23}
    if not audit(dims, unsafe, true, 5):
        print("self-test FAILED: two small cells in one row passed", file=sys.stderr)
        failures += 1
    safe = {("a",): None, ("b",): None, ("c",): None, ("d",): 10, (TOTAL,): 23}
    if audit(dims, safe, true, 5):
        print("self-test FAILED: a safe 1D publication failed: %s" % audit(dims, safe, true, 5),
              file=sys.stderr)
        failures += 1
    # 2 dimensions: a lone suppressed cell is recomputed from its row total
    dims = [["r1", "r2"], ["c1", "c2"]]
    true = complete_true({("r1", "c1"): 2, ("r1", "c2"): 9, ("r2", "c1"): 8, ("r2", "c2"): 7},
                         dims)
    lone = {key: (None if key == ("r1", "c1") else n) for key, n in true.items()}
    if not audit(dims, lone, true, 5):
        print("self-test FAILED: a lone suppressed cell passed", file=sys.stderr)
        failures += 1
    # the rectangle r1c1, r1c2, r2c1, r2c2 suppressed: r1c1 ranges over [0, 9]
    rect = {key: (None if TOTAL not in key else n) for key, n in true.items()}
    if audit(dims, rect, true, 5):
        print("self-test FAILED: the suppressed rectangle failed", file=sys.stderr)
        failures += 1
    # a rectangle too thin: r2c2 = 1 lets r1c1 move down by 1 only... it moves
    # up by at most min(r1c2, r2c1); make those small so the span is < K
    true2 = complete_true({("r1", "c1"): 2, ("r1", "c2"): 1, ("r2", "c1"): 1, ("r2", "c2"): 30},
                          dims)
    thin = {key: (None if TOTAL not in key else n) for key, n in true2.items()}
    if not audit(dims, thin, true2, 5):
        print("self-test FAILED: a thin rectangle passed", file=sys.stderr)
        failures += 1
    # a published value that is not the true one
    wrong = dict(rect)
    wrong[(TOTAL, TOTAL)] = true[(TOTAL, TOTAL)] + 1
    if not audit(dims, wrong, true, 5):
        print("self-test FAILED: a wrong total passed", file=sys.stderr)
        failures += 1
    print("self-test: %s" % ("ok" if failures == 0 else "%d FAILED" % failures))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--thbx")
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-integer", action="store_true", help="LP audit only")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if self_test() != 0:
        return 1
    rng = random.Random(a.seed)
    failures, audited = [], 0
    stats = {}
    with tempfile.TemporaryDirectory() as tmp:
        i = 0
        while audited < a.tables:
            i += 1
            r = run_one(a.thbx, tmp, rng, i, not a.no_integer)
            if r is None:
                continue
            problems, info = r
            audited += 1
            failures += problems
            if info:
                nd, sparse, primary, suppressed, cells = info
                s = stats.setdefault((nd, sparse), [0, 0, 0, 0])
                s[0] += 1
                s[1] += cells
                s[2] += primary
                s[3] += suppressed
    for f in failures[:30]:
        print("FAIL: " + f, file=sys.stderr)
    print("| dims | kind | tables | cells (with margins) | primary | suppressed | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    tot = [0, 0, 0, 0]
    for (nd, sparse), s in sorted(stats.items()):
        print("| %d | %s | %d | %d | %d | %d | %.2f |" % (nd, "sparse" if sparse else "dense", s[0],
                                                         s[1], s[2], s[3], s[3] / max(s[2], 1)))
        tot = [x + y for x, y in zip(tot, s)]
    print("| all | | %d | %d | %d | %d | %.2f |" % (tot[0], tot[1], tot[2], tot[3],
                                                   tot[3] / max(tot[2], 1)))
    print("audited %d tables (seed %d): %d failures" % (audited, a.seed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
