#!/usr/bin/env bash
# Hostile CSV input (issue 7): unbalanced quotes, wrong field counts, 100k
# columns, raw NUL, invalid UTF-8, a 20 MB field; and --csv-safe output
# against formula injection. Each ends with a documented exit code and a
# located message, in bounded time and memory (docs/security.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile-lib.sh"
skip_unless_implemented convert

CONV=("$THBX" convert --profile none)
records() { grep -c . "$1"; }

# --- rows with too many / too few fields: a record error each, others kept
printf 'a,b,c\n1,2,3\n1,2\n1,2,3,4\n4,5,6\n' >"$TMP/fields.csv"
hostile "wrong field counts" 1 "${CONV[@]}" -f csv -t ndjson "$TMP/fields.csv"
says_where "$TMP/fields.csv" "wrong field counts"
grep -Eq 'fields.csv:3(:[0-9]+)?: error' "$TMP/err" || fail "wrong field counts: no error on line 3"
grep -Eq 'fields.csv:4(:[0-9]+)?: error' "$TMP/err" || fail "wrong field counts: no error on line 4"
[ "$(records "$TMP/out")" -eq 2 ] || fail "wrong field counts: expected the 2 good rows, got $(records "$TMP/out")"

# --- an unbalanced quote: the quoted field runs to the end of the input;
# an error with the line where the field starts, never a hang
printf 'a,b\n1,2\n"3,4\n5,6\n7,8\n' >"$TMP/quote.csv"
hostile "unbalanced quote" "1|2" "${CONV[@]}" -f csv -t ndjson "$TMP/quote.csv"
says_where "$TMP/quote.csv" "unbalanced quote"
grep -Eq 'quote.csv:3(:[0-9]+)?: error' "$TMP/err" || fail "unbalanced quote: error not on line 3: $(cat "$TMP/err")"
grep -q '"a":"1"' "$TMP/out" || fail "unbalanced quote: the row before is lost"
# a quote in the middle of an unquoted field, and text after a closing quote
printf 'a,b\nx"y,1\n"p"q,2\n3,4\n' >"$TMP/midquote.csv"
hostile "stray quotes" "0|1" "${CONV[@]}" -f csv -t ndjson "$TMP/midquote.csv"
grep -q '"a":"3"' "$TMP/out" || fail "stray quotes: the last row is lost"

# --- 100000 columns: over the column limit (default 10000), refused quickly
python3 -c 'import sys; n=100000; sys.stdout.write(",".join("c%d" % i for i in range(n)) + "\n" + ",".join("1" * n) + "\n")' >"$TMP/wide.csv"
hostile "100k columns" "1|2" "${CONV[@]}" -f csv -t ndjson "$TMP/wide.csv"
says_where "$TMP/wide.csv" "100k columns"
says "column" "100k columns"
stderr_bounded "100k columns" 65536

# --- raw NUL in a cell: a record error, the rest goes on
printf 'a,b\n1,x\000y\n2,ok\n4,ok\n' >"$TMP/bytes.csv"
hostile "NUL" 1 "${CONV[@]}" -f csv -t ndjson "$TMP/bytes.csv"
says_where "$TMP/bytes.csv" "NUL"
grep -Eq 'bytes.csv:2(:[0-9]+)?: error' "$TMP/err" || fail "NUL: no error on line 2"
[ "$(records "$TMP/out")" -eq 2 ] || fail "NUL: expected the 2 good rows, got $(records "$TMP/out")"
# --- invalid UTF-8 in a cell: issue 12 changed this from a record error to a
# refusal of the whole input (exit 2; another encoding, named in the message)
printf 'a,b\n1,ok\n3,\377\376\n4,ok\n' >"$TMP/bytes.csv"
hostile "invalid UTF-8" 2 "${CONV[@]}" -f csv -t ndjson "$TMP/bytes.csv"
says_where "$TMP/bytes.csv" "invalid UTF-8"
grep -Eq 'bytes.csv:3:3: error: the input is not UTF-8' "$TMP/err" || fail "invalid UTF-8: no error at 3:3"

# --- a 20 MB field (over the 8 MiB field limit): an error, bounded memory
{
  printf 'a,b\n1,x\n2,"'
  head -c 20000000 /dev/zero | tr '\0' 'a'
  printf '"\n3,y\n'
} >"$TMP/long.csv"
hostile "20 MB field" "1|2" "${CONV[@]}" -f csv -t ndjson "$TMP/long.csv"
says_where "$TMP/long.csv" "20 MB field"
grep -Eq 'long.csv:3(:[0-9]+)?: error' "$TMP/err" || fail "20 MB field: error not on line 3"
grep -q '"a":"1"' "$TMP/out" || fail "20 MB field: the row before is lost"
stderr_bounded "20 MB field" 65536
# and unquoted
{
  printf 'a,b\n1,'
  head -c 20000000 /dev/zero | tr '\0' 'b'
  printf '\n3,y\n'
} >"$TMP/long2.csv"
hostile "20 MB unquoted field" "1|2" "${CONV[@]}" -f csv -t ndjson "$TMP/long2.csv"
says_where "$TMP/long2.csv" "20 MB unquoted field"
stderr_bounded "20 MB unquoted field" 65536

# --- --csv-safe: cells starting with = + - @ are neutralised on output
if has_option convert --csv-safe; then
  printf '%s\n' '{"a":"=HYPERLINK(\"http://x\")","b":"+1","c":"-2","d":"@SUM(A1)","e":"ok"}' >"$TMP/inj.ndjson"
  hostile "--csv-safe" 0 "${CONV[@]}" -f ndjson -t csv --csv-safe "$TMP/inj.ndjson"
  python3 - "$TMP/out" <<'EOF' || fail "--csv-safe: a dangerous cell is left: $(cat "$TMP/out")"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 2, rows
for cell in rows[1]:
    assert not cell[:1] in ("=", "+", "-", "@"), cell
assert "ok" in rows[1]
EOF
  hostile "without --csv-safe" 0 "${CONV[@]}" -f ndjson -t csv "$TMP/inj.ndjson"
  grep -q '=HYPERLINK' "$TMP/out" || fail "without --csv-safe the value must stay as it is"
else
  fail "convert has no --csv-safe"
fi

pass
