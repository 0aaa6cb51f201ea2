#!/bin/sh
# Issue 12, the parts that live in the pipeline and the convert/validate
# CLI: nothing lost (an output over an input, stale files on exit 2,
# unfinished documents on stdout, --fail-fast), --report FORMAT=FILE,
# empty submissions, accept/reject formats by extension, file-level errors
# once, the small ones (profile names, --delimiter '"', --columns '', help),
# and dataset rules of a custom profile through its x-thbx annotation.
. "$(dirname "$0")/lib.sh"
S=$SRC/samples
D=$SRC/tests/data/validate
V() { "$THBX" validate --today 2026-01-01 "$@"; }

# --- convert refuses an output that is one of its inputs
cp "$D/mixed.ndjson" "$TMP/in.ndjson"
expect_exit 2 "$THBX" convert -t ndjson -o "$TMP/in.ndjson" "$TMP/in.ndjson"
grep -q "would overwrite the input" "$TMP/stderr" || fail "convert over its input: no reason given"
cmp -s "$TMP/in.ndjson" "$D/mixed.ndjson" || fail "convert rewrote its own input"
ln -s in.ndjson "$TMP/link.ndjson"
expect_exit 2 "$THBX" convert -t json -o "$TMP/link.ndjson" "$S/events.json" "$TMP/in.ndjson"
cmp -s "$TMP/in.ndjson" "$D/mixed.ndjson" || fail "convert rewrote its input through a link"

# --- on exit 2 no accept/reject file of an earlier run stays looking current
echo stale >"$TMP/acc.ndjson"
echo stale >"$TMP/rej.ndjson"
printf '{"record_id":"x"}\n[1,\n' >"$TMP/torn.json"
expect_exit 2 V --accept "$TMP/acc.ndjson" --reject "$TMP/rej.ndjson" "$D/mixed.ndjson" \
  "$TMP/missing.ndjson"
[ ! -e "$TMP/acc.ndjson" ] && [ ! -e "$TMP/rej.ndjson" ] ||
  fail "exit 2 left the accept/reject files of an earlier run"
echo stale >"$TMP/report.json"
echo stale >"$TMP/acc.ndjson"
expect_exit 2 V --schema "$TMP/missing.schema.json" -o "$TMP/report.json" --format json \
  --accept "$TMP/acc.ndjson" "$D/mixed.ndjson"
[ ! -e "$TMP/report.json" ] && [ ! -e "$TMP/acc.ndjson" ] ||
  fail "exit 2 (broken set-up) left an earlier run's report or accept file"
# a usage error on the command line touches nothing
echo kept >"$TMP/acc.ndjson"
expect_exit 2 V --format nosuch --accept "$TMP/acc.ndjson" "$D/mixed.ndjson"
[ "$(cat "$TMP/acc.ndjson")" = kept ] || fail "a usage error removed a file"

# --- stdout: a document that stops early stays visibly unfinished
printf '[{"record_id":"a"},\n{"record_id":"b"},\n{"record_id": \n' >"$TMP/torn.json"
for t in json xml; do
  expect_exit 2 "$THBX" convert --profile none -t $t "$TMP/torn.json"
  grep -q '"a"\|>a<' "$TMP/stdout" || fail "-t $t: records before the break not on stdout"
  case $t in
  json) tail -c 3 "$TMP/stdout" | grep -q ']' && fail "a torn input gave a closed JSON array" ;;
  xml) grep -q '</records>' "$TMP/stdout" && fail "a torn input gave a closed XML document" ;;
  esac
done
# --fail-fast to stdout keeps the records before the failure
expect_exit 1 "$THBX" convert --fail-fast -t ndjson "$D/mixed.ndjson"
[ "$(grep -c '' "$TMP/stdout")" -eq 2 ] || fail "--fail-fast to stdout: $(grep -c '' "$TMP/stdout") records, not the 2 before the failure"
expect_exit 1 "$THBX" convert --fail-fast -t ndjson -o "$TMP/ff.ndjson" "$D/mixed.ndjson"
[ ! -e "$TMP/ff.ndjson" ] || fail "--fail-fast committed the -o file"

# --- several reports from one pass, the text one still on the terminal
expect_exit 1 V --report junit="$TMP/r.junit" --report sarif="$TMP/r.sarif" \
  --report json="$TMP/r.json" --report html="$TMP/r.html" "$D/mixed.ndjson"
grep -q "mixed.ndjson:2:" "$TMP/stdout" || fail "--report took the text report off stdout"
grep -q "<testsuite" "$TMP/r.junit" || fail "--report junit= not written"
grep -q '"version": *"2.1.0"' "$TMP/r.sarif" || fail "--report sarif= not written"
grep -q '"records"' "$TMP/r.json" || fail "--report json= not written"
grep -qi "<html" "$TMP/r.html" || fail "--report html= not written"
# each report is the one --format would write
V --format junit "$D/mixed.ndjson" >"$TMP/alone.junit"
cmp -s "$TMP/alone.junit" "$TMP/r.junit" || fail "--report junit differs from --format junit"
expect_exit 2 V --report nosuch="$TMP/x" "$D/mixed.ndjson"
expect_exit 2 V --report junit "$D/mixed.ndjson"
expect_exit 2 V --report junit="$TMP/same" --report sarif="$TMP/same" "$D/mixed.ndjson"

# --- an empty submission is not a valid dataset
: >"$TMP/empty.ndjson"
expect_exit 1 V "$TMP/empty.ndjson"
grep -q "no records" "$TMP/stderr" || fail "an empty submission: no 'no records'"
expect_exit 0 V --allow-empty "$TMP/empty.ndjson"
printf 'record_id,event_date\n' >"$TMP/header-only.csv"
expect_exit 1 V "$TMP/header-only.csv"

# --- accept/reject files in the format their name says, or refused
expect_exit 2 V --accept "$TMP/ok.csv" "$D/mixed.ndjson"
grep -q "accept file" "$TMP/stderr" || fail "an accept file named .csv for NDJSON input: no reason"
[ ! -e "$TMP/ok.csv" ] || fail "a refused accept file was written"
expect_exit 2 V --reject "$TMP/bad.xml" "$D/mixed.json"
expect_exit 1 V --accept "$TMP/ok.jsonl" --reject "$TMP/bad.txt" "$D/mixed.ndjson"
[ "$(($(grep -c '' "$TMP/ok.jsonl") + $(grep -c '' "$TMP/bad.txt")))" -eq 7 ] ||
  fail "accept + reject is not the input"

# --- text mode: a file-level error once (the report on stdout), not twice
expect_exit 2 V "$TMP/torn.json"
n=$(cat "$TMP/stdout" "$TMP/stderr" | grep -c "torn.json:3")
[ "$n" -eq 1 ] || fail "text mode printed a file-level error $n times"
expect_exit 2 V --format json "$TMP/torn.json"
grep -q "torn.json:3" "$TMP/stderr" || fail "a JSON report on stdout: the error is not on stderr"

# --- text mode: with several inputs, a summary line per input before the total
expect_exit 1 V "$D/mixed.ndjson" "$S/events.csv"
grep -q "^$D/mixed.ndjson: 7 records: 2 valid, 5 invalid (1 unreadable)" "$TMP/stdout" ||
  fail "no per-file summary line for mixed.ndjson"
grep -q "^$S/events.csv: 30 records: 27 valid, 3 invalid, 3 errors" "$TMP/stdout" ||
  fail "no per-file summary line for events.csv"
tail -n 1 "$TMP/stdout" | grep -q "^thbx validate: 2 files" || fail "the total is not last"

# --- validate shows progress as convert does
expect_exit 1 V --progress -q "$D/mixed.ndjson"
grep -q "records/s" "$TMP/stderr" || fail "validate --progress shows nothing"
grep -q "records/s" "$TMP/stdout" && fail "validate progress went to stdout"

# --- the small ones
expect_exit 2 V -p nosuch "$D/mixed.ndjson"
grep -q "unknown profile 'nosuch' (profiles: thb-event-1.0)" "$TMP/stderr" || fail "validate: unknown profile message: $(cat "$TMP/stderr")"
expect_exit 2 "$THBX" convert -p nosuch -t json "$S/events.json"
grep -q "unknown profile 'nosuch' (profiles: thb-event-1.0)" "$TMP/stderr" || fail "convert: unknown profile message"
for cmd in convert validate; do
  expect_exit 2 "$THBX" $cmd --delimiter '"' -t csv "$S/events.csv"
  grep -q "quote" "$TMP/stderr" || fail "$cmd --delimiter '\"' does not say why"
done
# every command with CSV options says the same (one cli_parse_char)
for cmd in "stats --by person.sex" "pseudonymise --key-file /nonexistent" "anonymise -k 2 --quasi person.sex"; do
  expect_exit 2 "$THBX" $cmd --delimiter '"' "$S/events.csv"
  grep -q "quote" "$TMP/stderr" || fail "$cmd --delimiter '\"' does not say why: $(cat "$TMP/stderr")"
done
expect_exit 2 "$THBX" convert --columns '' -t csv "$S/events.json"
grep -q -- "--columns" "$TMP/stderr" || fail "--columns '' accepted"
"$THBX" validate --help >"$TMP/vhelp"
for o in --from --profile --schema --format --output --report --accept --reject --max-errors \
  --quiet --no-dataset-rules --no-formats --today --delimiter --list-sep --max-depth \
  --regex-match-limit --document --draft --ref --formats --jobs --allow-empty --progress; do
  grep -q -- "$o" "$TMP/vhelp" || fail "validate --help does not list $o"
done
"$THBX" convert --help >"$TMP/chelp"
grep -q -- "--regex-match-limit" "$TMP/chelp" && fail "convert --help lists --regex-match-limit, which does nothing there"
grep -q -- "--jobs" "$TMP/chelp" || fail "convert --help does not list --jobs"
expect_exit 2 "$THBX" convert --regex-match-limit 5 -t json "$S/events.json"

# --- a custom profile gets the dataset rules through its x-thbx annotation
cat >"$TMP/cust.schema.json" <<'JSON'
{"type": "object",
 "x-thbx": {"id": {"rule": "unique-case", "field": "/case/no"},
            "date-order": [{"rule": "closed-after-opened", "start": "/opened", "end": "/closed"}],
            "not-future": [{"rule": "opened-not-future", "field": "/opened"}]},
 "properties": {"case": {"type": "object", "properties": {"no": {"type": "string"}}},
                "opened": {"type": "string"}, "closed": {"type": "string"}}}
JSON
cat >"$TMP/cust.ndjson" <<'JSON'
{"case":{"no":"C-1"},"opened":"2020-01-02","closed":"2020-01-01"}
{"case":{"no":"C-1"},"opened":"2030-01-01"}
{"case":{"no":"C-2"},"opened":"2020-01-01","closed":"2020-01-01"}
JSON
expect_exit 1 V -p "$TMP/cust.schema.json" "$TMP/cust.ndjson"
# the value is shown before the message, which names none (issue 12)
grep -q "cust.ndjson:1:.*/closed: \"2020-01-01\" is before opened" "$TMP/stdout" ||
  fail "custom profile: date order not checked: $(cat "$TMP/stdout")"
grep -q "cust.ndjson:2:.*/case/no: \"C-1\" is not unique" "$TMP/stdout" || fail "custom profile: id not checked: $(cat "$TMP/stdout")"
grep -q "cust.ndjson:2:.*/opened: \"2030-01-01\" is in the future" "$TMP/stdout" || fail "custom profile: future date not checked: $(cat "$TMP/stdout")"
grep -q "cust.ndjson:3" "$TMP/stdout" && fail "custom profile: a valid record reported"
V -p "$TMP/cust.schema.json" --format json "$TMP/cust.ndjson" >"$TMP/cust.json"
grep -q '"unique-case"' "$TMP/cust.json" || fail "custom profile: rule name not from x-thbx"
expect_exit 0 V -p "$TMP/cust.schema.json" --no-dataset-rules "$TMP/cust.ndjson"
# a profile without the annotation has no dataset rules; a broken one is refused
printf '{"type":"object"}\n' >"$TMP/plain.schema.json"
expect_exit 0 V -p "$TMP/plain.schema.json" "$TMP/cust.ndjson"
printf '{"type":"object","x-thbx":{"id":{"field":"case"}}}\n' >"$TMP/broken.schema.json"
expect_exit 2 V -p "$TMP/broken.schema.json" "$TMP/cust.ndjson"
grep -q "x-thbx" "$TMP/stderr" || fail "a broken x-thbx annotation: no message"
pass
