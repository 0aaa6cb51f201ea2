#!/usr/bin/env python3
"""thbx stats --verify on mutated certificates (issue 14): a certificate
comes from someone else, so the checker must survive any JSON. Makes a
certificate and a publication from the samples, then checks N seeded
mutations (values replaced by junk of every JSON type, keys and items
dropped or added) with and without --published: every run must exit 0, 1
or 2 (no crash, no sanitizer report), and a mutation of a count, a witness
or the list of suppressed cells must not verify.

Usage: fuzz_certificate.py THBX SAMPLES_DIR [N]
"""
import copy
import json
import os
import random
import subprocess
import sys
import tempfile

thbx, samples = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
tmp = tempfile.mkdtemp()
cert, pub = os.path.join(tmp, "cert.json"), os.path.join(tmp, "pub.csv")
subprocess.run([thbx, "stats", "-q", "--by", "reporting_country,person.sex", "--totals",
                "--certificate", cert, "-o", pub, os.path.join(samples, "events.ndjson")],
               check=True)
base = json.load(open(cert))
rng = random.Random(4)
junk = [None, True, -1, 0, 1, 10**20, "x", "", [], {}, [1, "a"], {"a": 1}, 3.5]


def mutate(o):
    if isinstance(o, dict) and o:
        k = rng.choice(sorted(o))
        r = rng.random()
        if r < 0.3:
            o[k] = rng.choice(junk)
        elif r < 0.4:
            del o[k]
        else:
            o[k] = mutate(o[k])
    elif isinstance(o, list) and o:
        i = rng.randrange(len(o))
        r = rng.random()
        if r < 0.3:
            o[i] = rng.choice(junk)
        elif r < 0.4:
            del o[i]
        elif r < 0.5:
            o.append(rng.choice(junk))
        else:
            o[i] = mutate(o[i])
    else:
        return rng.choice(junk)
    return o


failures = 0
path = os.path.join(tmp, "m.json")
for i in range(n):
    c = mutate(copy.deepcopy(base))
    with open(path, "w") as f:
        json.dump(c, f)
    # what changed that must be refused: counts, suppressed, protection
    must_fail = any(c.get(k) != base[k] for k in ("counts", "suppressed", "protection", "min_cell"))
    for args in (["--verify", path], ["--verify", path, "--published", pub]):
        p = subprocess.run([thbx, "stats"] + args, capture_output=True, text=True)
        crashed = p.returncode not in (0, 1, 2) or "Sanitizer" in p.stderr or \
            "runtime error" in p.stderr
        if crashed or (must_fail and p.returncode == 0):
            failures += 1
            diff = {k: (str(base.get(k))[:80], str(c.get(k))[:80]) for k in set(base) | set(c)
                    if base.get(k) != c.get(k)}
            print("FAIL: mutation %d exited %d (%s): %s %s" % (i, p.returncode,
                  "crash" if crashed else "verified", p.stderr[:300], diff), file=sys.stderr)
print("%d mutated certificates, %d failures" % (n, failures))
sys.exit(1 if failures else 0)
