#!/usr/bin/env bash
# thbx anonymise: k-anonymity as a property test over seeded generated
# inputs (every quasi-identifier combination of the output has >= K records
# or persons, counted independently here; the output validates; --check
# agrees on input and output; nothing but quasi-identifiers changes, and
# only to a generalisation or the suppressed form; written + dropped =
# read; l-diversity as computed independently), then usage errors,
# hierarchies the profile refuses, standard input, and the report.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed"
D=$SRC/tests/data/privacy
an() { "$THBX" anonymise "$@"; }

# --- usage errors: exit 2, saying why, nothing written
S=$SRC/samples
expect_exit 2 an --quasi person.sex "$S/events.ndjson"
grep -q "k is required" "$TMP/stderr" || fail "no message for a missing -k"
expect_exit 2 an -k 3 "$S/events.ndjson"
grep -q "quasi-identifiers are required" "$TMP/stderr" || fail "no message for a missing --quasi"
expect_exit 2 an -k 1 --quasi person.sex "$S/events.ndjson"
expect_exit 2 an -k x --quasi person.sex "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.nosuch "$S/events.ndjson"
grep -q "not a field of the profile" "$TMP/stderr" || fail "unknown quasi-identifier accepted"
expect_exit 2 an -k 3 --quasi person.sex,person.sex "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex --sensitive person.sex "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex --hierarchy person.sex "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex --hierarchy person.age_group="$D/start_year.csv" "$S/events.ndjson"
grep -q "not one of the quasi-identifiers" "$TMP/stderr" || fail "hierarchy of a non-quasi accepted"
expect_exit 2 an -k 3 --quasi person.sex --report xml "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex --max-suppress 120 "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex --check -o "$TMP/x.json" "$S/events.ndjson"
expect_exit 2 an -k 3 --quasi person.sex "$TMP/missing.ndjson"
expect_exit 2 an -k 3 --quasi person.sex - -
# hierarchies that would break the profile are refused with FILE:LINE
printf '18-20,18-29\n9-17,0-17\n' >"$TMP/age.csv"
expect_exit 2 an -k 3 --quasi person.age_group --hierarchy person.age_group="$TMP/age.csv" \
  -o "$TMP/o.ndjson" "$S/events.ndjson"
grep -q "age.csv:1: error: '18-29' (level 1) is not a valid value of person.age_group" "$TMP/stderr" ||
  fail "invalid hierarchy value: $(cat "$TMP/stderr")"
[ ! -e "$TMP/o.ndjson" ] || fail "output written with a broken hierarchy"
printf '2024-03-14,*\n' >"$TMP/date.csv"
expect_exit 2 an -k 3 --quasi event_date --hierarchy event_date="$TMP/date.csv" "$S/events.ndjson"
grep -q "neither 'unknown' nor dropped" "$TMP/stderr" || fail "'*' for a required field: $(cat "$TMP/stderr")"
printf '2022,2020\n2023,2020,2000\n' >"$TMP/ragged.csv"
expect_exit 2 an -k 3 --quasi exploitation.start_year --hierarchy exploitation.start_year="$TMP/ragged.csv" "$S/events.ndjson"
grep -q "ragged.csv:2: error: 3 cells" "$TMP/stderr" || fail "ragged hierarchy: $(cat "$TMP/stderr")"
printf 'victim,suspect\n' >"$TMP/role.csv"
expect_exit 2 an -k 3 --quasi person.role --hierarchy person.role="$TMP/role.csv" "$S/events.ndjson"
grep -q "a rule of the profile depends on its value" "$TMP/stderr" || fail "conditional field generalised"
# a value with no row in its hierarchy: refused, located, the value not shown
printf '2022,2020\n' >"$TMP/few.csv"
expect_exit 2 an -k 2 --quasi exploitation.start_year --hierarchy exploitation.start_year="$TMP/few.csv" "$S/events.ndjson"
grep -q "events.ndjson:[0-9]*: error: exploitation.start_year: the value has no row in the hierarchy" "$TMP/stderr" ||
  fail "value missing from the hierarchy: $(cat "$TMP/stderr")"

# --- help
an --help >"$TMP/help" || fail "--help exited non-zero"
for word in "Usage: thbx anonymise" -k --quasi --hierarchy --distinct --sensitive --check \
  --report --max-suppress --to --output --from --profile "Exit status" Examples 0600; do
  grep -q -- "$word" "$TMP/help" || fail "--help does not mention $word"
done
"$THBX" help anonymise | cmp -s - "$TMP/help" || fail "thbx help anonymise differs"

# --- the property test
cat >"$TMP/prop.py" <<'EOF'
import json, random, subprocess, sys, os
thbx, tmp, data, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rnd = random.Random(seed)

def run(args, stdin=None):
    p = subprocess.run([thbx] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode()

def get(rec, path):
    cur = rec
    for part in path.split('.'):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur

def without(rec, paths):
    rec = json.loads(json.dumps(rec))
    for path in paths:
        parts = path.split('.')
        cur, chain = rec, []
        for part in parts[:-1]:
            if not isinstance(cur, dict) or part not in cur:
                cur = None
                break
            chain.append((cur, part))
            cur = cur[part]
        if isinstance(cur, dict):
            cur.pop(parts[-1], None)
        for parent, part in reversed(chain):  # thbx removes objects left empty
            if parent[part] == {}:
                del parent[part]
    return rec

sexes = ['female', 'male', 'other', 'unknown']
ages = ['0-8', '9-17', '18-20', '21-23', '24-26', '27-29', '30-38', '39-47', '48+', 'unknown']
countries = ['AL', 'RS', 'MD', 'UA', 'RO', 'BG', 'GR', 'IT']

def gen(n, persons):
    refs = ['%016x' % rnd.getrandbits(64) for _ in range(persons)]
    skew = rnd.random() < 0.5
    out = []
    for i in range(n):
        pick = lambda xs: xs[min(int(rnd.expovariate(1.0) * 1.5), len(xs) - 1)] if skew else rnd.choice(xs)
        rec = {"record_id": "AL-%d-%d" % (seed, i), "schema_version": "1.0",
               "reporting_country": pick(countries),
               "reporting_body": {"type": rnd.choice(["police", "ngo", "social_services"])},
               "event_type": rnd.choice(["identification", "referral", "assistance"]),
               "event_date": "20%02d-%02d-%02d" % (rnd.randint(18, 25), rnd.randint(1, 12), rnd.randint(1, 28)),
               "person": {"person_ref": rnd.choice(refs), "role": "victim",
                          "sex": pick(sexes), "age_group": pick(ages)}}
        if rnd.random() < 0.7:
            rec["person"]["citizenship"] = sorted(set(rnd.choice(countries) for _ in range(rnd.randint(1, 2))))
        if rec["event_type"] == "identification" or rnd.random() < 0.5:
            ex = {"forms": [rnd.choice(["sexual", "forced_labour", "begging"])]}
            if rnd.random() < 0.8:
                ex["start_year"] = rnd.randint(2005, 2024)
            rec["exploitation"] = ex
        out.append(rec)
    return out

def hier(path):
    rows = {}
    for line in open(path):
        cells = line.rstrip('\n').split(',')
        if cells[0] == 'value':
            continue
        rows[cells[0]] = cells[1:]
    return rows

hiers = {"exploitation.start_year": hier(os.path.join(data, "start_year.csv")),
         "event_date": hier(os.path.join(data, "event_date.csv"))}
suppressed = {"person.sex": "unknown", "person.age_group": "unknown",
              "exploitation.start_year": None, "person.citizenship": None}

def groups(recs, quasi, distinct):
    g = {}
    for r in recs:
        key = json.dumps([get(r, q) for q in quasi])
        g.setdefault(key, []).append(r)
    size = {}
    for key, rs in g.items():
        size[key] = len(set(json.dumps(get(r, distinct)) for r in rs)) if distinct else len(rs)
    return g, size

fmts = ['json', 'ndjson', 'csv', 'xml']
n = rnd.choice([0, 1, 5, 30, 120, 300])
recs = gen(n, max(1, n // rnd.choice([1, 2, 4])))
k = rnd.randint(2, 6)
pool = ["person.sex", "person.age_group", "reporting_country", "exploitation.start_year",
        "person.citizenship", "event_date"]
quasi = rnd.sample(pool, rnd.randint(1, 4))
distinct = "person.person_ref" if rnd.random() < 0.5 else None
sensitive = "exploitation.forms" if rnd.random() < 0.6 else None
fin, fout = rnd.choice(fmts), rnd.choice(fmts)
src = os.path.join(tmp, "in.ndjson")
with open(src, "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
inp = os.path.join(tmp, "in." + fin)
if fin != "ndjson":
    rc, _, err = run(["convert", "-t", fin, "-o", inp, src])
    assert rc == 0, err
args = ["-k", str(k), "--quasi", ",".join(quasi)]
if distinct:
    args += ["--distinct", distinct]
if sensitive:
    args += ["--sensitive", sensitive]
hargs = []
for q in quasi:
    if q in hiers and rnd.random() < 0.8:
        hargs += ["--hierarchy", "%s=%s" % (q, os.path.join(data, q.split('.')[-1] + ".csv"))]
out = os.path.join(tmp, "out." + fout)
if os.path.exists(out):
    os.unlink(out)
if n:
    rc, vout, _ = run(["validate", "-q", inp])
    assert rc == 0, "seed %d: the generated input is invalid: %s" % (seed, vout.decode()[:500])
rc, _, err = run(["anonymise"] + args + hargs + ["--report", "json", "-t", fout, "-o", out, inp])
what = "seed %d: k=%d quasi=%s distinct=%s %s->%s n=%d" % (seed, k, quasi, distinct, fin, fout, n)
assert rc == 0, what + ": exit %d: %s" % (rc, err)
report = json.loads(err)
rc, back, err = run(["convert", "-t", "ndjson", out])
assert rc == 0, what + ": " + err
outrecs = [json.loads(l) for l in back.decode().splitlines()]

# 0. the output is valid against the profile
if outrecs:
    rc, vout, _ = run(["validate", "-q", out])
    assert rc == 0, what + ": the output does not validate: " + vout.decode()[:500]
# 1. every combination has k records or persons, counted here
g, size = groups(outrecs, quasi, distinct)
small = [s for s in size.values() if s < k]
assert not small, what + ": groups below k: %s" % small
# 2. the counts add up; the report says what was written
assert report["records"]["read"] == n, what
assert report["records"]["written"] == len(outrecs), what
assert report["records"]["written"] + report["records"]["dropped"] == n, what
assert report["groups"]["count"] == len(g) and report["groups"]["below_k"] == 0, what
sizes = {}
for s in size.values():
    sizes[s] = sizes.get(s, 0) + 1
assert {d["size"]: d["groups"] for d in report["groups"]["sizes"]} == sizes, what
# 3. only quasi-identifiers change, each to a generalisation or its suppressed form
byid = {r["record_id"]: r for r in recs}
changed = {q: [0, 0] for q in quasi}
for r in outrecs:
    o = byid[r["record_id"]]
    assert without(r, quasi) == without(o, quasi), what + ": other fields changed in " + r["record_id"]
    for q in quasi:
        a, b = get(o, q), get(r, q)
        if a == b:
            continue
        allowed = [suppressed.get(q, "none!")]
        if q == "person.citizenship" and b is None:
            allowed.append(None)
        if q in hiers and a is not None:
            allowed += [c if c == "*" else (int(c) if q.endswith("year") else c) for c in hiers[q][str(a)]]
            if "*" in allowed:
                allowed.append(suppressed.get(q))
        assert b in allowed, what + ": %s %r became %r" % (q, a, b)
        changed[q][0 if b != suppressed.get(q, "none!") else 1] += 1
for f in report["fields"]:
    gen_, sup = changed[f["path"]]
    assert f["generalised"] + f["suppressed"] == gen_ + sup, what + ": report counts of " + f["path"]
# 4. l-diversity as counted here
if sensitive and outrecs:
    ls = [len(set(json.dumps(get(r, sensitive)) for r in rs)) for rs in g.values()]
    assert report["l_diversity"]["min_l"] == min(ls), what
    assert report["l_diversity"]["groups_with_one_value"] == ls.count(1), what
# 5. --check agrees, on the output and on the input
rc, _, err = run(["anonymise", "--check"] + args + [out])
assert rc == 0, what + ": --check on the output exited %d: %s" % (rc, err)
_, isize = groups(recs, quasi, distinct)
want = 1 if any(s < k for s in isize.values()) else 0
rc, _, err = run(["anonymise", "--check", "--report", "json"] + args + [inp])
assert rc == want, what + ": --check on the input exited %d, want %d" % (rc, want)
rep = json.loads(err)
assert rep["groups"]["below_k"] == sum(1 for s in isize.values() if s < k), what
# --check names no value
rc, _, err = run(["anonymise", "--check"] + args + [inp])
for r in recs[:20]:
    assert r["person"]["person_ref"] not in err, what + ": --check printed a person_ref"
    assert r["event_date"] not in err, what + ": --check printed a date"
for word in ["female", "unknown", "18-20", "\"AL\""]:
    assert word not in err, what + ": --check printed " + word
print(what)
EOF
for seed in $(seq 1 40); do
  python3 "$TMP/prop.py" "$THBX" "$TMP" "$D" "$seed" >>"$TMP/prop.log" 2>"$TMP/prop.err" ||
    fail "property test, $(cat "$TMP/prop.err")"
  checks=$((checks + 1))
done
# the generated runs covered what they should
grep -q "distinct=person.person_ref" "$TMP/prop.log" || fail "no run counted persons"
grep -q "distinct=None" "$TMP/prop.log" || fail "no run counted records"
for f in json ndjson csv xml; do
  grep -q " $f->" "$TMP/prop.log" || fail "no run read $f"
  grep -q ">$f " "$TMP/prop.log" || fail "no run wrote $f"
done

# --- the output validates, as another run checks (on the samples)
expect_exit 0 an -k 2 --quasi person.sex,person.age_group,exploitation.start_year,person.citizenship \
  --hierarchy exploitation.start_year="$D/start_year.csv" --distinct person.person_ref \
  -o "$TMP/rel.xml" "$S/events.ndjson" -t xml
expect_exit 0 "$THBX" validate "$TMP/rel.xml"
grep -q "records read, [0-9]* written, [0-9]* dropped" <(an -k 2 --quasi person.sex "$S/events.ndjson" 2>&1 >/dev/null) ||
  fail "no text report"

# --- standard input: spooled to an unlinked private file, the same output as a file
mkdir "$TMP/spool"
expect_exit 0 env TMPDIR="$TMP/spool" "$THBX" anonymise -k 3 --quasi person.sex,person.age_group \
  -t ndjson -o "$TMP/from-stdin.ndjson" - <"$S/events.ndjson"
expect_exit 0 an -k 3 --quasi person.sex,person.age_group -t ndjson -o "$TMP/from-file.ndjson" "$S/events.ndjson"
cmp -s "$TMP/from-stdin.ndjson" "$TMP/from-file.ndjson" || fail "stdin gives another output than the file"
[ -z "$(ls -A "$TMP/spool")" ] || fail "a spool file was left behind: $(ls -A "$TMP/spool")"
# a pipe given by name is read twice as well
expect_exit 0 an -k 3 --quasi person.sex,person.age_group -t ndjson -o "$TMP/from-pipe.ndjson" \
  <(cat "$S/events.ndjson")
cmp -s "$TMP/from-pipe.ndjson" "$TMP/from-file.ndjson" || fail "a named pipe gives another output"
# the format of standard input is sniffed from the spool: line numbers kept
printf '\n\n{"a":"x"}\n{"a":\n{"a":"x"}\n' | an -p none -k 2 --quasi a -q >"$TMP/lead.out" 2>"$TMP/lead.err"
[ $? -eq 1 ] || fail "stdin with a broken record: not exit 1"
grep -q "^-:4:1: error:" "$TMP/lead.err" || fail "stdin line numbers shifted: $(cat "$TMP/lead.err")"
[ "$(wc -l <"$TMP/lead.out")" -eq 2 ] || fail "stdin NDJSON not written as NDJSON: $(cat "$TMP/lead.out")"
# broken records: reported once, the rest anonymised, exit 1
{ head -3 "$S/events.ndjson"; printf '{"broken":\n'; tail -n +4 "$S/events.ndjson"; } >"$TMP/broken.ndjson"
expect_exit 1 an -k 3 --quasi person.sex -t ndjson -o "$TMP/b.ndjson" "$TMP/broken.ndjson"
[ "$(grep -c 'broken.ndjson:4:1: error' "$TMP/stderr")" -eq 1 ] || fail "broken record not reported once: $(cat "$TMP/stderr")"
[ -s "$TMP/b.ndjson" ] || fail "no output beside a broken record"
# a torn XML input: exit 2 and nothing written
head -c 3000 "$S/events.xml" >"$TMP/torn.xml"
expect_exit 2 an -k 3 --quasi person.sex -o "$TMP/t.xml" "$TMP/torn.xml"
[ ! -e "$TMP/t.xml" ] || fail "output written for a torn input"

pass
