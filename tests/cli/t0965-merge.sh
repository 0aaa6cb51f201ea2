#!/usr/bin/env bash
# A validation split over processes gives one run's answer (issue 16):
# chunks validated with --format chunk and joined with --merge give, in
# every report format, the bytes, the counts and the exit status of one
# run: for GNU parallel --pipe chunks of standard input (lines and record
# numbers offset, unique record_id across chunks), for CSV chunks that each
# repeat the header, for xargs -P over files; a torn or incomplete chunk is
# exit 2 and writes no report.
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null || fail "GNU parallel is missing (README.md's second command)"
python3 "$SRC/bench/gen_records.py" -n 3000 -o "$TMP/gen.ndjson" || fail "gen_records.py failed"
# broken on purpose: duplicates of early record_ids far away (one also
# invalid), a torn line, a blank line
python3 - "$TMP/gen.ndjson" "$TMP/big.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
lines.insert(2500, lines[5])
r = json.loads(lines[10]); r["person"]["sex"] = "F"
lines[1200] = json.dumps(r, ensure_ascii=False)
lines.insert(2000, '{"broken": ')
lines.insert(2001, "")
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
v=("$THBX" validate --today 2026-12-01)

# --- GNU parallel --pipe: chunks of standard input, reports in order on stdout
parallel --pipe --keep-order --block 300k -j 2 "${v[@]}" -f ndjson --format chunk - \
  <"$TMP/big.ndjson" >"$TMP/chunks" 2>"$TMP/par.err"
n=$(grep -c '"thbx_chunk"' "$TMP/chunks")
[ "$n" -ge 3 ] || fail "parallel made only $n chunk reports"
for f in text json junit sarif github html; do
  "${v[@]}" -f ndjson --format "$f" - <"$TMP/big.ndjson" >"$TMP/one.$f"
  one=$?
  "$THBX" validate --merge --format "$f" "$TMP/chunks" >"$TMP/merged.$f"
  merged=$?
  [ "$one" -eq 1 ] || fail "one run exited $one, expected 1"
  [ "$merged" -eq "$one" ] || fail "--merge --format $f exited $merged, one run $one"
  cmp -s "$TMP/one.$f" "$TMP/merged.$f" ||
    fail "--merge --format $f differs from one run: $(diff "$TMP/one.$f" "$TMP/merged.$f" | head -5)"
  checks=$((checks + 1))
done
# the cross-chunk duplicate is there, at the later record, pointing at the first
grep -q '"line":2503,.*"rule":"unique-record-id".*"related":{"file":"-","line":6,' "$TMP/merged.json" ||
  fail "no cross-chunk duplicate of line 6 at line 2503: $(grep unique "$TMP/merged.json")"
# --max-errors and -q apply at the merge
"${v[@]}" -f ndjson --max-errors 1 - <"$TMP/big.ndjson" >"$TMP/one.max"
"$THBX" validate --merge --max-errors 1 "$TMP/chunks" >"$TMP/merged.max"
cmp -s "$TMP/one.max" "$TMP/merged.max" || fail "--merge --max-errors 1 differs from one run"
# values are in the chunks and in the merged report as in one run; --redact
# leaves them out at the merge as in one run
grep -q '"rule":"enum","value":"F"' "$TMP/merged.json" || fail "the merged report shows no value"
"${v[@]}" -f ndjson --redact --format json - <"$TMP/big.ndjson" >"$TMP/one.redact"
"$THBX" validate --merge --redact --format json "$TMP/chunks" >"$TMP/merged.redact"
cmp -s "$TMP/one.redact" "$TMP/merged.redact" || fail "--merge --redact differs from one run"
! grep -q '"value"' "$TMP/merged.redact" || fail "--merge --redact shows values"
# separate chunk files, given in order, are the same as one file of them
csplit -s -z -f "$TMP/part" "$TMP/chunks" '/"thbx_chunk"/' '{*}' || fail "csplit failed"
"$THBX" validate --merge --format json "$TMP"/part* >"$TMP/parts.json"
cmp -s "$TMP/parts.json" "$TMP/one.json" || fail "--merge of separate chunk files differs"
# --no-dataset-rules: no duplicate appears at the merge either
"${v[@]}" -f ndjson --no-dataset-rules --format json - <"$TMP/big.ndjson" >"$TMP/one.norules"
parallel --pipe --keep-order --block 300k "${v[@]}" -f ndjson --no-dataset-rules --format chunk - \
  <"$TMP/big.ndjson" >"$TMP/chunks.norules" 2>/dev/null
"$THBX" validate --merge --format json "$TMP/chunks.norules" >"$TMP/merged.norules"
cmp -s "$TMP/one.norules" "$TMP/merged.norules" || fail "--no-dataset-rules: merge differs"

# --- CSV chunks, each with the header (parallel --header 1); cells without
# newlines (parallel cuts at line ends, not at CSV records)
sed 's/\\[nr]/ /g' "$TMP/gen.ndjson" | python3 -c '
import sys
lines = sys.stdin.read().splitlines(); lines.insert(1500, lines[3]); print("\n".join(lines))' |
  "$THBX" convert -f ndjson -t csv -o "$TMP/big.csv" || fail "making the CSV failed"
parallel --pipe --header 1 --keep-order --block 300k "${v[@]}" -f csv --format chunk - \
  <"$TMP/big.csv" >"$TMP/chunks.csv" 2>/dev/null
[ "$(grep -c '"thbx_chunk"' "$TMP/chunks.csv")" -ge 3 ] || fail "too few CSV chunks"
"${v[@]}" -f csv --format json - <"$TMP/big.csv" >"$TMP/one.csv.json"
"$THBX" validate --merge --format json "$TMP/chunks.csv" >"$TMP/merged.csv.json"
cmp -s "$TMP/one.csv.json" "$TMP/merged.csv.json" ||
  fail "CSV chunks: merge differs: $(diff "$TMP/one.csv.json" "$TMP/merged.csv.json" | head -5)"
grep -q '"line":1502,' "$TMP/merged.csv.json" || fail "CSV: the duplicate is not at line 1502"

# --- xargs -P over files: one chunk report per file, merged in file order
mkdir "$TMP/files"
split -l 700 -d -a 2 --additional-suffix=.ndjson "$TMP/big.ndjson" "$TMP/files/f"
ls "$TMP"/files/f*.ndjson | xargs -P 2 -I{} "${v[@]}" --format chunk -o {}.chunk {}
"${v[@]}" --format sarif "$TMP"/files/f*.ndjson >"$TMP/one.sarif.files"
one=$?
"$THBX" validate --merge --format sarif "$TMP"/files/f*.ndjson.chunk >"$TMP/merged.sarif.files"
merged=$?
[ "$merged" -eq "$one" ] || fail "xargs chunks: --merge exited $merged, one run $one"
cmp -s "$TMP/one.sarif.files" "$TMP/merged.sarif.files" || fail "xargs chunks: SARIF differs"

# --- valid data: exit 0 both ways
head -n 500 "$TMP/gen.ndjson" >"$TMP/ok.ndjson"
"${v[@]}" --format chunk -o "$TMP/ok.chunk" "$TMP/ok.ndjson" || fail "a valid chunk exited non-zero"
expect_exit 0 "$THBX" validate --merge "$TMP/ok.chunk"
grep -q "500 records: 500 valid" "$TMP/stdout" || fail "valid merge: $(cat "$TMP/stdout")"

# names that are not plain ASCII (and a valid record's line the merge must
# parse as JSON): the same as one run
cp "$TMP/ok.ndjson" "$TMP/données \"ok\".ndjson"
"${v[@]}" --format chunk -o "$TMP/utf8.chunk" "$TMP/données \"ok\".ndjson" ||
  fail "chunk of a non-ASCII name failed"
grep -qi 'donn\\u00e9es' "$TMP/utf8.chunk" || fail "the chunk does not escape the name"
"${v[@]}" --format json "$TMP/données \"ok\".ndjson" >"$TMP/utf8.one"
"$THBX" validate --merge --format json "$TMP/utf8.chunk" >"$TMP/utf8.merged"
cmp -s "$TMP/utf8.one" "$TMP/utf8.merged" || fail "non-ASCII name: merge differs from one run"

# --- failures: exit 2, no report left behind
head -n 5 "$TMP/chunks" >"$TMP/torn"
expect_exit 2 "$THBX" validate --merge -o "$TMP/out.json" "$TMP/torn"
grep -q "torn" "$TMP/stderr" || fail "no message for a torn chunk: $(cat "$TMP/stderr")"
[ ! -e "$TMP/out.json" ] || fail "a torn chunk left a report"
expect_exit 2 "$THBX" validate --merge "$TMP/big.ndjson"
grep -q "not a chunk report" "$TMP/stderr" || fail "no message for a non-chunk file"
expect_exit 2 "$THBX" validate --merge
expect_exit 2 "$THBX" validate --merge - <"$TMP/chunks"
# a chunk whose input could not be read to its end (exit 2) makes the merge 2
printf '[{"a":1},\n{"b":' >"$TMP/bad.json"
"${v[@]}" --profile none --schema "$SRC/tests/data/package/any.schema.json" --format chunk \
  -o "$TMP/bad.chunk" "$TMP/bad.json" 2>/dev/null
[ $? -eq 2 ] || fail "the broken input's run did not exit 2"
expect_exit 2 "$THBX" validate --merge "$TMP/ok.chunk" "$TMP/bad.chunk"
pass
