#!/usr/bin/env python3
"""nothing_lost.py - the "nothing lost" property of `thbx validate` (issue 7).

Takes the samples in each format (samples/*.ndjson, *.csv, *.json, *.xml),
corrupts them at random with fixed seeds (byte flips, truncations, inserted
quotes / brackets / angle brackets / NUL, deleted newlines, deleted spans),
runs

    thbx validate --format json --accept A --reject R INPUT

and checks, for every case:

  * thbx exits 0, 1 or 2 (2 only when reading had to stop: a fatal error the
    format cannot resynchronise from), never by a signal, within 10 s;
  * every record of the input is in exactly one of A and R, where "record"
    is defined per format (docs/security.md, "Nothing lost"):
      - NDJSON: every non-blank line; the lines of A and R together are the
        non-blank lines of the input (as a multiset, line ends aside);
      - CSV: A and R each start with the input's header line, and their
        other lines together are the input's other non-blank physical lines
        (a record spanning lines in quotes goes whole to one side);
      - JSON (array) and XML: records are copied as raw bytes, framed by
        "[", "," and "]" (JSON) or a prolog and root element (XML). The
        bytes of the input's records must all be in A or R exactly once:
        the multiset of the input's bytes, without whitespace and the
        framing, equals that of A plus R. When the corrupted input is still
        well-formed, the parsed records of A plus R equal the input's;
  * the JSON report agrees: summary.records = valid + invalid, and A holds
    `valid` records, R `invalid` ones (NDJSON and CSV, where lines count).

Usage: nothing_lost.py --thbx BIN [--samples DIR] [--cases N] [--seed S]
Exit 0 when every case holds, 1 otherwise (each failing case is kept in
--keep DIR when given), 77 when there is nothing to test (no samples).
"""
import argparse
import collections
import csv
import glob
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

FORMATS = ("ndjson", "csv", "json", "xml")
MAX_SAMPLE = 64 * 1024  # bytes of a sample used, cut at a line end
TIME_LIMIT = 10.0


# ------------------------------------------------------------ corruptions
def corrupt(data, rng):
    """Apply 1-3 random corruptions to data (bytes)."""
    data = bytearray(data)
    what = []
    for _ in range(rng.randint(1, 3)):
        if not data:
            break
        kind = rng.choice(("flip", "flip", "truncate", "insert", "insert", "insert",
                           "delnl", "delnl", "delspan", "dupline"))
        pos = rng.randrange(len(data))
        if kind == "flip":
            data[pos] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            data = data[:pos]
        elif kind == "insert":
            ins = rng.choice([b'"', b'"', b"[", b"]", b"{", b"}", b"<", b">", b"</",
                              b",", b"\n", b"\x00", b"&", b"\xff", b"\\", b"\r"])
            data[pos:pos] = ins
        elif kind == "delnl":
            nls = [i for i, c in enumerate(data) if c == 0x0A]
            if nls:
                del data[rng.choice(nls)]
        elif kind == "delspan":
            del data[pos:pos + rng.randint(1, 40)]
        elif kind == "dupline":
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        what.append("%s@%d" % (kind, pos))
    return bytes(data), what


# ------------------------------------------------------ record accounting
def lines_of(data):
    """Physical lines without their line ends."""
    out = data.split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in out]


def check_ndjson(inp, acc, rej, summary):
    want = collections.Counter(l for l in lines_of(inp) if l.strip())
    a = [l for l in lines_of(acc) if l.strip()]
    r = [l for l in lines_of(rej) if l.strip()]
    got = collections.Counter(a) + collections.Counter(r)
    problems = diff_counters(want, got)
    if summary is not None:
        problems += check_counts(summary, len(a), len(r))
    return problems


def check_csv(inp, acc, rej, summary):
    lines = lines_of(inp)
    # the header: the first physical line (BOM kept as is)
    header, body = (lines[0], lines[1:]) if lines else (b"", [])
    problems = []
    sides = []
    for name, out in (("accept", acc), ("reject", rej)):
        ol = lines_of(out)
        if ol and ol[0] != header and header.strip():
            # a header with a quoted newline spans lines: compare its prefix
            if not ol[0].startswith(header[:1]) or not inp.startswith(b"\n".join(ol[:1])):
                problems.append("%s does not start with the input's header" % name)
        sides.append([l for l in ol[1:] if l.strip()])
    want = collections.Counter(l for l in body if l.strip())
    got = collections.Counter(sides[0]) + collections.Counter(sides[1])
    if not problems:
        problems += diff_counters(want, got)
    if summary is not None and not problems:
        # accepted records are well-formed CSV: count them as records (a
        # quoted field may span lines); rejected ones may not parse at all
        try:
            n_acc = max(0, len(list(csv.reader(io.StringIO(acc.decode("utf-8-sig"), newline="")))) - 1)
        except (UnicodeDecodeError, csv.Error) as e:
            return ["accept file is not readable CSV: %s" % e]
        s = summary.get("summary", summary)
        if s.get("valid") != n_acc:
            problems.append("summary says %s valid, accept file has %d rows" % (s.get("valid"), n_acc))
        if s.get("records") != s.get("valid", 0) + s.get("invalid", 0):
            problems.append("summary: records != valid + invalid: %r" % s)
    return problems


STRUCT = set(b" \t\r\n,")


def bytes_json(data):
    """Bytes of a JSON array document without whitespace, commas and the outer [ ]."""
    s = bytes(c for c in data if c not in STRUCT)
    if s.startswith(b"\xef\xbb\xbf"):
        s = s[3:]
    if s.startswith(b"["):
        s = s[1:]
    if s.endswith(b"]"):
        s = s[:-1]
    return collections.Counter(s)


def check_json(inp, acc, rej, summary):
    problems = diff_counters(bytes_json(inp), bytes_json(acc) + bytes_json(rej), unit="byte")
    try:
        want = json.loads(inp.decode("utf-8-sig"))
    except ValueError:
        return problems
    if not isinstance(want, list):
        return problems
    try:
        got = json.loads(acc.decode("utf-8") or "[]") + json.loads(rej.decode("utf-8") or "[]")
    except ValueError as e:
        return problems + ["input is well-formed but accept/reject are not: %s" % e]
    canon = lambda v: json.dumps(v, sort_keys=True)
    problems += diff_counters(collections.Counter(map(canon, want)),
                              collections.Counter(map(canon, got)))
    return problems




def bytes_xml(data, root):
    """Bytes inside the document element (records only), without whitespace."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = re.match(rb"\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*", data, re.S)
    data = data[m.end():]
    if root is not None and data.startswith(b"<" + root):
        end = data.find(b">")
        if end >= 0 and data[end - 1:end] != b"/":
            data = data[end + 1:]
            close = b"</" + root + b">"
            i = data.rfind(close)
            if i >= 0 and not data[i + len(close):].strip():
                data = data[:i]
    return collections.Counter(c for c in data if c not in b" \t\r\n")


def xml_root(data):
    m = re.search(rb"<([A-Za-z_][\w.:-]*)", data)
    return m.group(1) if m else None


def check_xml(inp, acc, rej, summary):
    root = xml_root(acc) or xml_root(rej)
    problems = []
    # the input's own root: only framing when it is the same element as A/R use
    want = bytes_xml(inp, root if xml_root(inp) == root else None)
    got = bytes_xml(acc, root) + bytes_xml(rej, root)
    problems += diff_counters(want, got, unit="byte")
    return problems


def diff_counters(want, got, unit="record"):
    if want == got:
        return []
    lost = want - got
    extra = got - want
    out = []
    if lost:
        out.append("%d %s(s) lost, e.g. %r" % (sum(lost.values()), unit, show(lost)))
    if extra:
        out.append("%d %s(s) extra or changed, e.g. %r" % (sum(extra.values()), unit, show(extra)))
    return out


def show(counter):
    k = next(iter(counter))
    if isinstance(k, int):
        return bytes([k])
    return k[:120]


def check_counts(summary, n_accept, n_reject):
    s = summary.get("summary", summary)
    try:
        records, valid, invalid = s["records"], s["valid"], s["invalid"]
    except (KeyError, TypeError):
        return ["report has no summary.records/valid/invalid: %r" % summary]
    out = []
    if records != valid + invalid:
        out.append("summary: records %d != valid %d + invalid %d" % (records, valid, invalid))
    if valid != n_accept:
        out.append("summary says %d valid, accept file has %d" % (valid, n_accept))
    if invalid != n_reject:
        out.append("summary says %d invalid, reject file has %d" % (invalid, n_reject))
    return out


LOCATED = re.compile(rb"in\.[a-z]+:[0-9]+:[0-9]+: error: ")

CHECKS = {"ndjson": check_ndjson, "csv": check_csv, "json": check_json, "xml": check_xml}


# ------------------------------------------------------------------- main
def load_samples(root):
    samples = []
    for fmt in FORMATS:
        for path in sorted(glob.glob(os.path.join(root, "*." + fmt))):
            with open(path, "rb") as f:
                data = f.read()
            if len(data) > MAX_SAMPLE:
                cut = data.rfind(b"\n", 0, MAX_SAMPLE)
                data = data[:cut + 1] if cut > 0 else data[:MAX_SAMPLE]
            samples.append((fmt, os.path.basename(path), data))
    return samples


def run_case(thbx, fmt, data, tmp):
    inp = os.path.join(tmp, "in." + fmt)
    acc = os.path.join(tmp, "accept." + fmt)
    rej = os.path.join(tmp, "reject." + fmt)
    for p in (acc, rej):
        if os.path.exists(p):
            os.unlink(p)
    with open(inp, "wb") as f:
        f.write(data)
    cmd = [thbx, "validate", "--format", "json", "--accept", acc, "--reject", rej, inp]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIME_LIMIT * 2)
    except subprocess.TimeoutExpired:
        return ["still running after %.0f s" % (TIME_LIMIT * 2)], None
    secs = time.monotonic() - t0
    problems = []
    if p.returncode < 0:
        problems.append("killed by signal %d" % -p.returncode)
    elif p.returncode not in (0, 1, 2):
        problems.append("exit %d" % p.returncode)
    if secs > TIME_LIMIT:
        problems.append("took %.1f s" % secs)
    if problems:
        return problems + ["stderr: %s" % p.stderr[-800:].decode("utf-8", "replace")], p
    if p.returncode == 2:
        # reading stopped (a fatal syntax error): thbx writes neither file,
        # so that no partial split can pass for the whole input
        for path in (acc, rej):
            if os.path.exists(path):
                problems.append("exit 2 but %s was written" % os.path.basename(path))
        if not LOCATED.search(p.stdout + p.stderr):
            problems.append("exit 2 without a FILE:LINE:COL: error: message")
        return problems, p
    read = lambda path: open(path, "rb").read() if os.path.exists(path) else b""
    a, r = read(acc), read(rej)
    summary = None
    if True:
        try:
            summary = json.loads(p.stdout.decode("utf-8"))
        except ValueError:
            problems.append("the JSON report does not parse: %r" % p.stdout[:200])
    problems += CHECKS[fmt](data, a, r, summary if fmt in ("ndjson", "csv") else None)
    if problems:
        problems.append("exit %d, stderr: %s" % (p.returncode, p.stderr[-400:].decode("utf-8", "replace")))
    return problems, p


def self_test():
    """The checks must catch a lost, a duplicated and a changed record."""
    nd = b'{"a":1}\n{"a":2}\n{"a":3}\n'
    cs = b"h1,h2\n1,2\n3,4\n5,6\n"
    js = b'[{"a":1},{"a":2},{"a":3}]'
    xm = b'<?xml version="1.0"?>\n<records><record>1</record><record>2</record></records>\n'
    cases = [
        ("ndjson ok", check_ndjson(nd, b'{"a":1}\n{"a":3}\n', b'{"a":2}\n', None), False),
        ("ndjson lost", check_ndjson(nd, b'{"a":1}\n', b'{"a":2}\n', None), True),
        ("ndjson duplicated", check_ndjson(nd, nd, b'{"a":2}\n', None), True),
        ("ndjson changed", check_ndjson(nd, b'{"a":1}\n{"a":4}\n', b'{"a":2}\n', None), True),
        ("ndjson counts", check_ndjson(nd, nd, b"", {"records": 3, "valid": 2, "invalid": 1}), True),
        ("csv ok", check_csv(cs, b"h1,h2\n1,2\n5,6\n", b"h1,h2\n3,4\n", None), False),
        ("csv lost", check_csv(cs, b"h1,h2\n1,2\n", b"h1,h2\n3,4\n", None), True),
        ("csv header", check_csv(cs, b"x\n1,2\n5,6\n", b"h1,h2\n3,4\n", None), True),
        ("json ok", check_json(js, b'[\n{"a":1},\n{"a":3}\n]\n', b'[\n{"a":2}\n]\n', None), False),
        ("json lost", check_json(js, b'[\n{"a":1}\n]\n', b'[\n{"a":2}\n]\n', None), True),
        ("json changed", check_json(js, b'[{"a":1},{"a":3}]', b'[{"a":5}]', None), True),
        ("xml ok", check_xml(xm, b'<?xml version="1.0"?>\n<records>\n<record>1</record>\n</records>\n',
                             b'<?xml version="1.0"?>\n<records>\n<record>2</record>\n</records>\n', None), False),
        ("xml lost", check_xml(xm, b'<?xml version="1.0"?>\n<records>\n<record>1</record>\n</records>\n',
                               b'<?xml version="1.0"?>\n<records>\n</records>\n', None), True),
    ]
    bad = [name for name, problems, want in cases if bool(problems) != want]
    for name in bad:
        print("self-test: check %r is wrong" % name)
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--thbx", required=True)
    ap.add_argument("--samples", default=os.path.join(os.path.dirname(__file__), "..", "..", "samples"))
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--keep", help="directory to keep failing inputs in")
    ap.add_argument("--budget", type=float, default=240.0, help="stop after this many seconds")
    args = ap.parse_args()
    if not self_test():
        return 1

    formats = args.formats.split(",")
    samples = [s for s in load_samples(args.samples) if s[0] in formats]
    if not samples:
        print("SKIP: no samples in %s" % args.samples)
        return 77
    failures = 0
    counts = collections.Counter()
    codes = collections.Counter()
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        # every sample as it is first (nothing lost holds for clean files too)
        cases = [(fmt, name, data, ["none"]) for fmt, name, data in samples]
        for i in range(args.cases):
            rng = random.Random(args.seed * 100003 + i)
            fmt, name, data = samples[i % len(samples)]
            bad, what = corrupt(data, rng)
            cases.append((fmt, name, bad, what))
        for n, (fmt, name, data, what) in enumerate(cases):
            if time.monotonic() - start > args.budget:
                print("stopping after %d cases: time budget %.0f s spent" % (n, args.budget))
                break
            problems, p = run_case(args.thbx, fmt, data, tmp)
            counts[fmt] += 1
            if p is not None:
                codes[p.returncode] += 1
            if problems:
                failures += 1
                print("FAIL case %d (%s, %s: %s):" % (n, fmt, name, " ".join(what)))
                for pr in problems:
                    print("   " + pr)
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    with open(os.path.join(args.keep, "case%d.%s" % (n, fmt)), "wb") as f:
                        f.write(data)
    total = sum(counts.values())
    print("nothing_lost: %d cases (%s), exit codes %s, %d failed, %.1f s" % (
        total, ", ".join("%s %d" % kv for kv in sorted(counts.items())),
        dict(sorted(codes.items())), failures, time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
