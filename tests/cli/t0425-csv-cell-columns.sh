#!/usr/bin/env bash
# The CSV reader's cells. (1) Cells of every length up to 40 with the
# delimiter (',' ';' tab), CR LF or LF at every offset read as Python's csv
# module reads them (kept from a word-at-a-time scan for the end of a cell,
# tried and dropped: more instructions on these short cells). (2) The place of a cell in a message (line, column in
# characters) is counted eight bytes at a time while no line end is among
# them: cells after multibyte text of every length and after quoted cells
# with line ends must be placed as a character by character count does.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 0; }

# (1) cell ends
for d in , ';' tab; do
  python3 - "$TMP/cells.csv" "$TMP/cells.want" "$d" <<'PY'
import csv, json, sys
d = "\t" if sys.argv[3] == "tab" else sys.argv[3]
rows, recs = [], []
for n in range(0, 41):
    for end in ("\n", "\r\n"):
        a = ("abcdefghij" * 5)[:n]
        b = "é" * (n % 7) + "x" * (40 - n)
        c = "z" * (1 + (n * 3) % 17)
        rows.append(d.join([a or "-", b, c]) + end)
        recs.append({"a": a or "-", "b": b, "c": c})
open(sys.argv[1], "w", encoding="utf-8", newline="").write(d.join("abc") + "\n" + "".join(rows))
open(sys.argv[2], "w").write("".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in recs))
PY
  "$THBX" convert --profile none -f csv --delimiter "$d" -t ndjson "$TMP/cells.csv" -o "$TMP/cells.got" ||
    fail "cells ($d): convert failed"
  cmp -s "$TMP/cells.got" "$TMP/cells.want" ||
    fail "cells ($d) read wrong: $(diff "$TMP/cells.want" "$TMP/cells.got" | head -4)"
done

# (2) cell places
python3 - "$TMP/cols.csv" "$TMP/want.txt" <<'PY'
import sys
rows, want = [], []
head = "record_id,reporting_country,event_type,person.role,person.sex\n"
line = 2
for n in range(0, 40):
    text = ["a", "é", "Ж", "😀", "ab"][n % 5] * n
    nl = "\n" * (n % 3) if n % 4 == 1 else ""
    cell = '"' + text + nl + 'x"' if nl else text or "z"
    row = "%s,AL,identification,victim,F\n" % cell
    before = row[: row.index(",F") + 1]
    # the column of the F cell: characters after the last line end before it
    col = len(before.split("\n")[-1]) + 1
    want.append("%d:%d" % (line + before.count("\n"), col))
    rows.append(row)
    line += row.count("\n")
open(sys.argv[1], "w", encoding="utf-8").write(head + "".join(rows))
open(sys.argv[2], "w").write("\n".join(want) + "\n")
PY
"$THBX" validate --today 2026-01-01 --no-dataset-rules "$TMP/cols.csv" >"$TMP/err.txt" 2>&1
grep '/person/sex: "F"' "$TMP/err.txt" | sed 's/^[^:]*:\([0-9]*:[0-9]*\):.*/\1/' >"$TMP/got.txt"
[ -s "$TMP/got.txt" ] || fail "no located /person/sex errors: $(head -3 "$TMP/err.txt")"
cmp -s "$TMP/got.txt" "$TMP/want.txt" ||
  fail "cells placed wrong: $(diff "$TMP/want.txt" "$TMP/got.txt" | head -6)"
pass
