#!/usr/bin/env bash
# The examples of docs/validate.md are what the binary prints: each fenced
# block that starts with "$ thbx ..." on the files of tests/data/validate
# (no pipe, no redirection) is run there, and the lines the block shows must
# be the first lines of the output (a block may cut the output short).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed"
python3 - "$SRC/docs/validate.md" "$THBX" "$SRC/tests/data/validate" <<'PY' || fail "docs/validate.md examples differ (see above)"
import re, subprocess, sys
doc, thbx, cwd = sys.argv[1:4]
text = open(doc, encoding="utf-8").read()
n = bad = 0
for m in re.finditer(r"```\n\$ (thbx [^\n]*mixed[^\n]*)\n(.*?)```", text, re.S):
    cmd = m.group(1)
    if any(c in cmd for c in "|><;&"):
        continue
    argv = cmd.split()
    r = subprocess.run([thbx] + argv[1:], cwd=cwd, capture_output=True, text=True)
    shown = m.group(2).rstrip("\n").split("\n")
    got = (r.stdout + r.stderr).rstrip("\n").split("\n")[: len(shown)]
    n += 1
    if got != shown:
        bad += 1
        print("example differs: $ " + cmd, file=sys.stderr)
        for a, b in zip(shown, got):
            if a != b:
                print("  doc: " + a + "\n  got: " + b, file=sys.stderr)
                break
if n < 5:
    print("only %d examples found" % n, file=sys.stderr)
    sys.exit(1)
print("%d examples checked" % n)
sys.exit(1 if bad else 0)
PY
pass
