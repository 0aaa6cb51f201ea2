#!/usr/bin/env bash
# Faults of the document and faults at their field (issue 12):
# - a document element that is not the profile's (another name, another
#   namespace) is one fault of the document, at its line, and the records are
#   still read and judged on their own (validate: one error of the file, exit
#   1; convert: a warning, the records converted), with -j N the same;
# - dataset-rule errors (duplicate id, date order, dates in the future) point
#   at the field in every format, the duplicate's "first at" too.
. "$(dirname "$0")/lib.sh"
S=$SRC/samples
V() { "$THBX" validate --today 2026-01-01 "$@"; }
nrec=$(grep -c '<record ' "$S/events.xml")
[ "$nrec" -ge 10 ] || fail "the XML sample has $nrec records"

# --- another name for the document element
sed 's|<records |<data |; s|</records>|</data>|' "$S/events.xml" >"$TMP/name.xml"
grep -q '^<data ' "$TMP/name.xml" || fail "name.xml: $(sed -n 2p "$TMP/name.xml")"
root_line=$(grep -n '^<data ' "$TMP/name.xml" | cut -d: -f1)
for j in 1 2; do
  expect_exit 1 V -j "$j" --accept "$TMP/acc.xml" --reject "$TMP/rej.xml" "$TMP/name.xml"
  [ "$(grep -c ': error: ' "$TMP/stdout")" = 1 ] || fail "-j $j: a foreign root gave $(grep -c ': error: ' "$TMP/stdout") errors: $(head -5 "$TMP/stdout")"
  grep -qxF "$TMP/name.xml:$root_line:1: error: the document element is 'data', expected 'records' (its children are read as records)" "$TMP/stdout" ||
    fail "-j $j: the document fault: $(head -3 "$TMP/stdout")"
  grep -q "$nrec records: $nrec valid, 0 invalid, 1 error$" "$TMP/stdout" || fail "-j $j: records not judged on their own: $(tail -1 "$TMP/stdout")"
  [ "$(grep -c '<record ' "$TMP/acc.xml")" = "$nrec" ] || fail "-j $j: not every record accepted"
  expect_exit 0 V "$TMP/acc.xml"
done
expect_exit 1 V --format json "$TMP/name.xml"
jq -e "[.errors[] | select(.record_index == null)] | length == 1" "$TMP/stdout" >/dev/null ||
  fail "json: the document fault is not one error of the file: $(head -c 600 "$TMP/stdout")"
expect_exit 1 V --format sarif "$TMP/name.xml"
jq -e '.runs[0].results | length == 1' "$TMP/stdout" >/dev/null || fail "sarif: not one result"
jq -e '.runs[0].invocations[0].executionSuccessful == true' "$TMP/stdout" >/dev/null ||
  fail "sarif: a document fault is not a failed execution"
# convert: a warning on stderr, every record converted
expect_exit 0 "$THBX" convert "$TMP/name.xml" -t ndjson
[ "$(grep -c '' "$TMP/stdout")" = "$nrec" ] || fail "convert: $(grep -c '' "$TMP/stdout") records of $nrec"
grep -qxF "$TMP/name.xml:$root_line:1: warning: the document element is 'data', expected 'records' (its children are read as records)" "$TMP/stderr" ||
  fail "convert: no warning: $(cat "$TMP/stderr")"
"$THBX" convert "$S/events.xml" -t ndjson | cmp -s - "$TMP/stdout" || fail "convert: other records than the sample's"

# --- a foreign prefixed root over records in the profile's namespace
sed 's|<records xmlns="urn:thbx:thb-event:1.0">|<x:batch xmlns:x="urn:example:batch" xmlns="urn:thbx:thb-event:1.0">|; s|</records>|</x:batch>|' \
  "$S/events.xml" >"$TMP/prefixed.xml"
grep -q '<x:batch ' "$TMP/prefixed.xml" || fail "prefixed.xml: $(sed -n 2p "$TMP/prefixed.xml")"
expect_exit 1 V "$TMP/prefixed.xml"
[ "$(grep -c ': error: ' "$TMP/stdout")" = 1 ] || fail "prefixed root: $(head -5 "$TMP/stdout")"
grep -q "$nrec records: $nrec valid, 0 invalid, 1 error$" "$TMP/stdout" || fail "prefixed root: $(tail -1 "$TMP/stdout")"

# --- the profile's root name in another namespace: its records are in it too
sed 's|urn:thbx:thb-event:1.0|urn:example:other|' "$S/events.xml" >"$TMP/ns.xml"
expect_exit 1 V "$TMP/ns.xml"
grep -q ": error: the document element 'records' is in namespace 'urn:example:other', expected namespace 'urn:thbx:thb-event:1.0'" "$TMP/stdout" ||
  fail "namespace of the root: $(head -3 "$TMP/stdout")"
[ "$(grep -c "error: the record element 'record' is in namespace 'urn:example:other'" "$TMP/stdout")" = "$nrec" ] ||
  fail "each record is not told its namespace: $(head -5 "$TMP/stdout")"
grep -q "{urn:" "$TMP/stdout" && fail "namespace notation in a message"
# a one-record document in the wrong namespace: a fault of that record
printf '<record xmlns="urn:example:other" id="X"/>\n' >"$TMP/one.xml"
expect_exit 1 V "$TMP/one.xml"
grep -q "one.xml:1:1: error: the record element 'record' is in namespace 'urn:example:other'" "$TMP/stdout" ||
  fail "one record: $(cat "$TMP/stdout")"

# --- dataset rules at the field, in every format
head -2 "$S/events.ndjson" >"$TMP/dup.ndjson"
head -1 "$S/events.ndjson" >>"$TMP/dup.ndjson"
for f in csv json xml; do
  "$THBX" convert -q "$TMP/dup.ndjson" -t "$f" -o "$TMP/dup.$f" || fail "convert dup to $f"
done
id=$(head -1 "$S/events.ndjson" | jq -r .record_id)
# the line:column where the value of the third record's (and the first's) id stands
where() { # FILE N: the Nth place the id's value stands, as LINE:COL (characters)
  python3 - "$1" "$2" "$id" <<'EOF'
import sys
path, n, ident = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seen = 0
for no, line in enumerate(open(path, encoding="utf-8"), 1):
    col = 0
    while True:
        col = line.find(ident, col)
        if col < 0:
            break
        seen += 1
        if seen == n:
            # the value starts at its quote (JSON) or is the cell itself (CSV)
            start = col - 1 if col > 0 and line[col - 1] == '"' else col
            print("%d:%d" % (no, start + 1))
            sys.exit(0)
        col += 1
sys.exit(1)
EOF
}
for f in ndjson json csv; do
  expect_exit 1 V "$TMP/dup.$f"
  dup=$(where "$TMP/dup.$f" 2) first=$(where "$TMP/dup.$f" 1)
  grep -qF "dup.$f:$dup: error: /record_id: \"$id\" is not unique in the dataset (first at $TMP/dup.$f:$first)" "$TMP/stdout" ||
    fail "$f: the duplicate is not at its field ($dup, first $first): $(cat "$TMP/stdout")"
done
# XML: the id is an attribute, located at its element's start tag
expect_exit 1 V "$TMP/dup.xml"
rec3=$(grep -n '<record ' "$TMP/dup.xml" | sed -n 3p | cut -d: -f1)
rec1=$(grep -n '<record ' "$TMP/dup.xml" | sed -n 1p | cut -d: -f1)
grep -q "dup.xml:$rec3:[0-9]*: error: /record_id: .* is not unique in the dataset (first at $TMP/dup.xml:$rec1:[0-9]*)" "$TMP/stdout" ||
  fail "xml duplicate: $(cat "$TMP/stdout")"
# a date in the future: at the date's cell or value, not the record's start
jq -c '.event_date = "2099-01-01"' "$S/events.ndjson" | head -1 >"$TMP/future.ndjson"
"$THBX" convert -q "$TMP/future.ndjson" -t csv -o "$TMP/future.csv"
expect_exit 1 V "$TMP/future.ndjson"
col=$(python3 -c 'import sys; l = open(sys.argv[1], encoding="utf-8").readline(); print(l.index("\"2099-01-01\"") + 1)' "$TMP/future.ndjson")
grep -q "future.ndjson:1:$col: error: /event_date: \"2099-01-01\" is in the future" "$TMP/stdout" || fail "ndjson future: $(cat "$TMP/stdout")"
expect_exit 1 V "$TMP/future.csv"
col=$(head -1 "$TMP/future.csv" | tr ',' '\n' | grep -nx event_date | cut -d: -f1)
[ -n "$col" ] || fail "no event_date column"
ccol=$(python3 -c 'import csv, sys; r = list(csv.reader(open(sys.argv[1], encoding="utf-8"))); row = open(sys.argv[1], encoding="utf-8").read().split("\n")[1]; print(row.index("2099-01-01") + 1)' "$TMP/future.csv")
grep -q "future.csv:2:$ccol: error: /event_date: \"2099-01-01\" is in the future" "$TMP/stdout" || fail "csv future: $(cat "$TMP/stdout")"
pass
