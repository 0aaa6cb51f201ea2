#!/usr/bin/env bash
# The place of a CSV cell in a message (line, column in characters): the
# reader counts the characters before each cell eight bytes at a time while
# no line end is among them. Cells after multibyte text of every length and
# after quoted cells with line ends in them must be placed as a character
# by character count places them.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 0; }

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
