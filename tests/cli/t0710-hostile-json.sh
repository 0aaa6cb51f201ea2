#!/usr/bin/env bash
# Hostile JSON and NDJSON input (issue 7): deep nesting, invalid UTF-8, raw
# NUL, huge exponents, duplicate keys, BOM, truncation. Each must end with a
# documented exit code and a located message, in bounded time and memory
# (docs/security.md), and never take the good records down with the bad.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile-lib.sh"
skip_unless_implemented convert

CONV=("$THBX" convert --profile none)
# records FILE: number of NDJSON lines in FILE.
records() { grep -c . "$1"; }

# --- nesting 100000 deep: a limit error (default depth 64), no stack overflow
python3 - "$TMP" <<'EOF'
import sys
d = sys.argv[1]
deep = '{"a":' + '[' * 100000 + ']' * 100000 + '}'
open(d + "/deep.json", "w").write('[{"id":1},' + deep + ',{"id":3}]\n')
open(d + "/deep.ndjson", "w").write('{"id":1}\n' + deep + '\n{"id":3}\n')
open(d + "/deep-objects.ndjson", "w").write('{"a":' * 100000 + '1' + '}' * 100000 + '\n{"id":2}\n')
EOF
hostile "depth 100000 (json)" "1|2" "${CONV[@]}" -f json -t ndjson "$TMP/deep.json"
says_where "$TMP/deep.json" "depth 100000 (json)"
says "depth|nest" "depth 100000 (json)"
grep -q '"id":1' "$TMP/out" || fail "depth (json): the record before the deep one is lost"
grep -q '"id":3' "$TMP/out" || fail "depth (json): no resync after the deep element"
hostile "depth 100000 (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/deep.ndjson"
says_where "$TMP/deep.ndjson" "depth 100000 (ndjson)"
[ "$(records "$TMP/out")" -eq 2 ] || fail "depth (ndjson): expected the 2 good records, got $(records "$TMP/out")"
grep -q '^{"id":3}' "$TMP/out" || fail "depth (ndjson): no resync after the deep line"
hostile "depth 100000 objects (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/deep-objects.ndjson"
says_where "$TMP/deep-objects.ndjson" "depth 100000 objects (ndjson)"
grep -q '^{"id":2}' "$TMP/out" || fail "depth objects (ndjson): no resync after the deep line"

# --- invalid UTF-8 in a string and in a key. Issue 12 changed this from a
# record error per line to a refusal of the whole input (exit 2): bytes that
# are not UTF-8 are an input in another encoding, and the message names the
# encoding it looks like and --encoding
printf '{"id":1}\n{"id":"\377\376"}\n{"\300\200":2}\n{"id":"\355\240\200"}\n{"id":5}\n' >"$TMP/utf8.ndjson"
hostile "invalid UTF-8 (ndjson)" 2 "${CONV[@]}" -f ndjson -t ndjson "$TMP/utf8.ndjson"
says_where "$TMP/utf8.ndjson" "invalid UTF-8 (ndjson)"
says "utf8.ndjson:2:8: error: the input is not UTF-8.*--encoding" "invalid UTF-8 (ndjson)"
[ "$(grep -c ': error: ' "$TMP/err")" -eq 1 ] || fail "invalid UTF-8: expected one error, for the input"
for line in '{"\300\200":2}' '{"id":"\355\240\200"}'; do
  printf '{"id":1}\n%b\n' "$line" >"$TMP/utf8b.ndjson"
  hostile "invalid UTF-8 (ndjson, $line)" 2 "${CONV[@]}" -f ndjson -t ndjson "$TMP/utf8b.ndjson"
  says "not UTF-8" "invalid UTF-8 ($line)"
done

# --- raw NUL byte (invalid) versus \u0000 (valid JSON)
printf '{"id":"a\000b"}\n{"id":2}\n' >"$TMP/nul.ndjson"
hostile "raw NUL (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/nul.ndjson"
says_where "$TMP/nul.ndjson" "raw NUL (ndjson)"
grep -q '^{"id":2}' "$TMP/out" || fail "raw NUL: the next record is lost"
printf '[{"id":"a\\u0000b"}]' >"$TMP/escnul.json"
hostile "escaped NUL (json)" 0 "${CONV[@]}" -f json -t ndjson "$TMP/escnul.json"
grep -q 'a\\u0000b' "$TMP/out" || fail "escaped NUL: \\u0000 not kept: $(cat "$TMP/out")"

# --- numbers out of range: an error, never inf/nan in the output
printf '{"n":1e999999}\n{"n":-1e999999}\n{"n":1}\n' >"$TMP/num.ndjson"
hostile "1e999999 (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/num.ndjson"
says_where "$TMP/num.ndjson" "1e999999 (ndjson)"
grep -Eiq 'inf|nan' "$TMP/out" && fail "1e999999: inf/nan reached the output: $(cat "$TMP/out")"
[ "$(records "$TMP/out")" -eq 1 ] || fail "1e999999: expected only the good record in the output"
printf '[{"n":1e999999},{"n":2}]' >"$TMP/num.json"
hostile "1e999999 (json)" 1 "${CONV[@]}" -f json -t ndjson "$TMP/num.json"
says_where "$TMP/num.json" "1e999999 (json)"
grep -q '"n":2' "$TMP/out" || fail "1e999999 (json): the next element is lost"

# --- duplicate keys: reported, not silently resolved
printf '{"id":1,"id":2}\n{"id":3}\n' >"$TMP/dup.ndjson"
hostile "duplicate keys (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/dup.ndjson"
says_where "$TMP/dup.ndjson" "duplicate keys (ndjson)"
says "duplicate" "duplicate keys (ndjson)"
grep -q '^{"id":3}' "$TMP/out" || fail "duplicate keys: the next record is lost"

# --- a UTF-8 byte order mark at the start is accepted
printf '\357\273\277[{"id":1}]\n' >"$TMP/bom.json"
hostile "BOM (json)" 0 "${CONV[@]}" -f json -t ndjson "$TMP/bom.json"
grep -q '^{"id":1}' "$TMP/out" || fail "BOM (json): record not read"
printf '\357\273\277{"id":1}\n{"id":2}\n' >"$TMP/bom.ndjson"
hostile "BOM (ndjson)" 0 "${CONV[@]}" -t ndjson "$TMP/bom.ndjson"
[ "$(records "$TMP/out")" -eq 2 ] || fail "BOM (ndjson, sniffed): expected 2 records"

# --- truncated documents: the complete records survive, the end is an error
printf '[{"id":1},{"id":2},{"id":' >"$TMP/trunc.json"
hostile "truncated (json)" 2 "${CONV[@]}" -f json -t ndjson "$TMP/trunc.json"
says_where "$TMP/trunc.json" "truncated (json)"
[ "$(records "$TMP/out")" -eq 2 ] || fail "truncated (json): expected the 2 complete records"
printf '{"id":1}\n{"id":2,"x":"abc' >"$TMP/trunc.ndjson"
hostile "truncated (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/trunc.ndjson"
says_where "$TMP/trunc.ndjson" "truncated (ndjson)"
[ "$(records "$TMP/out")" -eq 1 ] || fail "truncated (ndjson): expected the complete record"
printf '[' >"$TMP/open.json"
hostile "only [ (json)" "1|2" "${CONV[@]}" -f json -t ndjson "$TMP/open.json"
says_where "$TMP/open.json" "only [ (json)"

# --- a single huge string over the field limit (default 8 MiB)
python3 -c 'import sys; sys.stdout.write("{\"id\":1}\n{\"s\":\"" + "a" * (9 << 20) + "\"}\n{\"id\":3}\n")' >"$TMP/big.ndjson"
hostile "9 MiB string (ndjson)" 1 "${CONV[@]}" -f ndjson -t ndjson "$TMP/big.ndjson"
says_where "$TMP/big.ndjson" "9 MiB string (ndjson)"
[ "$(records "$TMP/out")" -eq 2 ] || fail "9 MiB string: expected the 2 other records"

# --- no partial output: --fail-fast leaves an existing -o file untouched and
# no temporary file behind; without it the good records are committed
mkdir "$TMP/o"
printf '{"id":1}\n{"id":\n{"id":3}\n' >"$TMP/ff.ndjson"
echo previous >"$TMP/o/out.ndjson"
hostile "--fail-fast -o" 1 "${CONV[@]}" --fail-fast -f ndjson -t ndjson -o "$TMP/o/out.ndjson" "$TMP/ff.ndjson"
[ "$(cat "$TMP/o/out.ndjson")" = previous ] || fail "--fail-fast: the output file was replaced by a partial one"
[ "$(ls -A "$TMP/o")" = out.ndjson ] || fail "--fail-fast: files left behind: $(ls -A "$TMP/o")"
hostile "-o with a bad record" 1 "${CONV[@]}" -f ndjson -t ndjson -o "$TMP/o/out.ndjson" "$TMP/ff.ndjson"
[ "$(records "$TMP/o/out.ndjson")" -eq 2 ] || fail "-o: expected the 2 good records in the output"
[ "$(ls -A "$TMP/o")" = out.ndjson ] || fail "-o: files left behind: $(ls -A "$TMP/o")"

# --- the same hostile files through validate: exit 1, nothing lost
skip_validate=0
"$THBX" validate --help 2>&1 | grep -q "not implemented" && skip_validate=1
if [ "$skip_validate" = 0 ]; then
  for f in deep.ndjson nul.ndjson num.ndjson dup.ndjson trunc.ndjson big.ndjson; do
    hostile "validate $f" 1 "$THBX" validate --accept "$TMP/a.ndjson" --reject "$TMP/r.ndjson" "$TMP/$f"
    says_where "$TMP/$f" "validate $f" "$TMP/out"
    in=$(grep -c '' "$TMP/$f")
    got=$(($(grep -c '' "$TMP/a.ndjson") + $(grep -c '' "$TMP/r.ndjson")))
    [ "$in" -eq "$got" ] || fail "validate $f: $in lines in, $got in accept+reject"
  done
  # invalid UTF-8 (issue 12): the whole input is refused, exit 2, and neither
  # accept nor reject file is written
  rm -f "$TMP/a.ndjson" "$TMP/r.ndjson"
  hostile "validate utf8.ndjson" 2 "$THBX" validate --accept "$TMP/a.ndjson" --reject "$TMP/r.ndjson" \
    "$TMP/utf8.ndjson"
  grep -q "utf8.ndjson:2:8: error: the input is not UTF-8.*--encoding windows-1250" "$TMP/out" ||
    fail "validate utf8.ndjson: the report does not name the encoding: $(head -c 600 "$TMP/out")"
  [ ! -e "$TMP/a.ndjson" ] && [ ! -e "$TMP/r.ndjson" ] ||
    fail "validate utf8.ndjson: accept/reject written for an input that was refused"
  # a record over max_record_bytes is not kept in memory, so it cannot go
  # to the reject file: validate must then write neither file (exit 2)
  # rather than an accept+reject that is not the input
  head -n 3 "$SRC/samples/events.ndjson" >"$TMP/three.ndjson"
  rm -f "$TMP/a.ndjson" "$TMP/r.ndjson"
  hostile "validate record over the limit" 2 "$THBX" validate --max-record-bytes 1000 \
    --accept "$TMP/a.ndjson" --reject "$TMP/r.ndjson" "$TMP/three.ndjson"
  says_where "$TMP/three.ndjson" "validate record over the limit"
  [ ! -e "$TMP/a.ndjson" ] && [ ! -e "$TMP/r.ndjson" ] ||
    fail "validate record over the limit: accept/reject written without the record"
  hostile "validate record over the limit, no accept/reject" 1 "$THBX" validate \
    --max-record-bytes 1000 "$TMP/three.ndjson"
  rm -f "$TMP/a.xml" "$TMP/r.xml"
  hostile "validate XML record over the limit" 2 "$THBX" validate --max-record-bytes 1000 \
    --accept "$TMP/a.xml" --reject "$TMP/r.xml" "$SRC/samples/events.xml"
  [ ! -e "$TMP/a.xml" ] && [ ! -e "$TMP/r.xml" ] ||
    fail "validate XML record over the limit: accept/reject written without the record"
else
  fail "thbx validate is not implemented"
fi
pass
