#!/bin/bash
# Inputs as they come (issue 12): a stream of pretty JSON records, NDJSON in
# a .json file, .tsv, a ';' CSV, legacy encodings (--encoding) and invalid
# UTF-8, Excel's empty header cell and rows of nothing but delimiters, every
# unknown column at once, and errors located at the faulty field. The files
# are tests/data/inputs/ (made from samples/ for this test).
. "$(dirname "$0")/lib.sh"
D=$SRC/tests/data/inputs
cd "$D" || fail "no $D"
conv() { "$THBX" convert "$@"; }
V() { "$THBX" validate "$@"; }
lines() { grep -c '' "$1"; }

# --- a stream of JSON values one after another (jq '.[]'): record by record
expect_exit 0 conv stream.json -t ndjson -o "$TMP/s.ndjson"
[ "$(lines "$TMP/s.ndjson")" -eq 3 ] || fail "stream.json: $(lines "$TMP/s.ndjson") records, want 3"
head -3 "$SRC/samples/events.ndjson" | jq -c . >"$TMP/want.ndjson"
cmp -s "$TMP/s.ndjson" "$TMP/want.ndjson" || fail "stream.json: records differ"
expect_exit 0 conv -t ndjson - <stream.json
cmp -s "$TMP/stdout" "$TMP/want.ndjson" || fail "stream on stdin: records differ"
expect_exit 0 V stream.json
grep -q "3 records: 3 valid" "$TMP/stdout" || fail "validate stream.json: $(tail -1 "$TMP/stdout")"
# a broken record in the stream is located where it breaks
{ head -c 300 stream.json; printf '\n'; } >"$TMP/broken.json"
expect_exit 2 conv "$TMP/broken.json" -t ndjson

# --- NDJSON in a file named .json: recognised by its content, line by line
expect_exit 0 conv ndjson-named.json -t ndjson
cmp -s "$TMP/stdout" "$TMP/want.ndjson" || fail "ndjson-named.json: records differ"
printf '{"record_id": 1}\n{"broken\n{"record_id": 3}\n' >"$TMP/nd.json"
expect_exit 1 conv --profile none "$TMP/nd.json" -t ndjson
[ "$(lines "$TMP/stdout")" -eq 2 ] || fail "ndjson in .json: a broken line must not stop the rest"
grep -q "nd.json:2:" "$TMP/stderr" || fail "ndjson in .json: error not at line 2: $(cat "$TMP/stderr")"

# --- .tsv is tab-separated CSV, reading and writing
expect_exit 0 conv events.tsv -t json -o "$TMP/tsv.json"
expect_exit 0 conv "$SRC/samples/events.csv" -t json -o "$TMP/csv.json"
cmp -s "$TMP/tsv.json" "$TMP/csv.json" || fail ".tsv read differs from the same records as .csv"
expect_exit 0 conv "$SRC/samples/events.json" -t csv -o "$TMP/out.tsv"
head -1 "$TMP/out.tsv" | grep -q "^record_id	schema_version	" || fail "-o out.tsv is not tab-separated"
cmp -s "$TMP/out.tsv" events.tsv || fail "-o out.tsv differs from events.tsv"

# --- a ';' CSV (Excel in most of Europe) is detected from its header line
expect_exit 0 conv semicolon.csv -t json -o "$TMP/semi.json"
cmp -s "$TMP/semi.json" "$TMP/csv.json" || fail "semicolon.csv read differs from events.csv"
expect_exit 0 V semicolon.csv
# told otherwise, the error says to use --delimiter ';' and cuts no word
expect_exit 2 conv semicolon.csv --delimiter , -t json
grep -q "give --delimiter ';'" "$TMP/stderr" || fail "no --delimiter hint: $(cat "$TMP/stderr")"
grep -Eq '"record_id;schema_version;[a-z_;.]*\.\.\."' "$TMP/stderr" ||
  fail "the long header name is not cut at a word boundary: $(cat "$TMP/stderr")"

# --- unknown columns: all at once, each with the nearest profile column
expect_exit 2 conv unknown-columns.csv -t json
grep -q '3 columns are not fields of the profile: ' "$TMP/stderr" || fail "unknown columns: $(cat "$TMP/stderr")"
grep -q '"persn.sex" (did you mean "person.sex"?)' "$TMP/stderr" || fail "no nearest column: $(cat "$TMP/stderr")"
grep -q '"date_of_event"' "$TMP/stderr" || fail "not every unknown column listed: $(cat "$TMP/stderr")"
grep -q '"case_reference_number_of_the_national_police_system_registry\.\.\."' "$TMP/stderr" ||
  fail "a long name is not cut at a word boundary: $(cat "$TMP/stderr")"

# --- Excel: an empty last header cell and a row of nothing but delimiters
expect_exit 0 conv excel.csv -t ndjson
[ "$(lines "$TMP/stdout")" -eq 2 ] || fail "excel.csv: $(lines "$TMP/stdout") records, want 2 (no {} record)"
grep -q "excel.csv:1:[0-9]*: warning: column 45 of the header has no name: ignored" "$TMP/stderr" ||
  fail "no warning for the empty header cell: $(cat "$TMP/stderr")"
grep -q "excel.csv:3:1: warning: a row of nothing but delimiters: skipped" "$TMP/stderr" ||
  fail "no warning for the empty row: $(cat "$TMP/stderr")"
expect_exit 0 V excel.csv
grep -q "2 records: 2 valid" "$TMP/stdout" || fail "validate excel.csv: $(tail -1 "$TMP/stdout")"
grep -q "warning: a row of nothing but delimiters" "$TMP/stderr" || fail "validate: no warning"

# --- legacy encodings: refused without --encoding (exit 2, nothing written,
# the likely encoding named), read with it
for c in "cp1250.csv windows-1250 2:43" "iso88592.csv iso-8859-2 2:44" "cp1251.ndjson windows-1251 1:126" \
  "cp1251.json windows-1251 8:16" "utf16.csv UTF-16 1:1"; do
  set -- $c
  rm -f "$TMP/enc.json"
  expect_exit 2 conv "$1" -t json -o "$TMP/enc.json"
  [ ! -e "$TMP/enc.json" ] || fail "$1: output written for a refused input"
  grep -q "^$1:$3: error: .*--encoding $2" "$TMP/stderr" || fail "$1: $(cat "$TMP/stderr")"
  expect_exit 2 V --accept "$TMP/a.csv" --reject "$TMP/r.csv" "$1"
  [ ! -e "$TMP/a.csv" ] && [ ! -e "$TMP/r.csv" ] || fail "$1: validate wrote accept/reject"
  expect_exit 0 conv --encoding "$2" "$1" -t json -o "$TMP/enc.json"
  expect_exit 0 V --encoding "$2" "$1"
done
conv --encoding windows-1250 cp1250.csv -t ndjson | grep -q '"name":"Policie České republiky Brno – Žabovřesky"' ||
  fail "windows-1250 not read as Czech"
conv --encoding UTF-16 utf16.csv -t ndjson | grep -q '"name":"Policie České republiky Brno – Žabovřesky"' ||
  fail "UTF-16 not read"
conv --encoding windows-1251 cp1251.json -t ndjson | grep -q '"name":"Министерство внутренних дел"' ||
  fail "windows-1251 not read as Cyrillic"
expect_exit 2 conv --encoding no-such-encoding cp1250.csv -t json
grep -q "unknown encoding 'no-such-encoding'" "$TMP/stderr" || fail "unknown encoding: $(cat "$TMP/stderr")"
"$THBX" convert --help | grep -q -- "--encoding NAME" || fail "convert --help lacks --encoding"
"$THBX" validate --help | grep -q -- "--encoding NAME" || fail "validate --help lacks --encoding"

# --- cells not of their type: located schema errors, every one, with the id
expect_exit 1 V badcells.csv
grep -q '^badcells.csv:2:356: error: /exploitation/transnational: "TRUE" must be boolean, not string (column "exploitation.transnational") \[record AL-TIRANA-2024-0001\]$' "$TMP/stdout" ||
  fail "TRUE: $(cat "$TMP/stdout")"
grep -q '^badcells.csv:2:361: error: /exploitation/start_year: "1200,75" must be integer, not string (column "exploitation.start_year") \[record AL-TIRANA-2024-0001\]$' "$TMP/stdout" ||
  fail "1200,75: $(cat "$TMP/stdout")"
grep -q '^badcells.csv:3:219: error: /exploitation/start_year: "12.5" must be integer, not string .*\[record AL-TIRANA-2024-0002\]$' "$TMP/stdout" ||
  fail "12.5: $(cat "$TMP/stdout")"
V --format json badcells.csv >"$TMP/bad.json"
jq -e '[.errors[] | select(.rule == "type")] | length == 3' "$TMP/bad.json" >/dev/null ||
  fail "not three type errors: $(cat "$TMP/bad.json")"
expect_exit 1 conv badcells.csv -t json
[ "$(grep -c ': error: ' "$TMP/stderr")" -eq 3 ] || fail "convert: every bad cell: $(cat "$TMP/stderr")"
grep -q 'badcells.csv:2:361: error: /exploitation/start_year: "1200,75" is not an integer (column "exploitation.start_year")' "$TMP/stderr" ||
  fail "convert 1200,75: $(cat "$TMP/stderr")"

# --- an XML document whose element is one <record> (the XSD allows it)
expect_exit 0 conv one-record.xml -t ndjson
[ "$(lines "$TMP/stdout")" -eq 1 ] || fail "one-record.xml: $(lines "$TMP/stdout") records, want 1"
head -1 "$SRC/samples/events.ndjson" >"$TMP/first.ndjson"
"$THBX" convert "$TMP/first.ndjson" -t ndjson >"$TMP/first.out"
cmp -s "$TMP/stdout" "$TMP/first.out" || fail "one-record.xml: not the sample's first record"
for j in 1 2; do
  expect_exit 0 V -j $j one-record.xml
  expect_exit 1 V -j $j --reject "$TMP/r.xml" one-record-bad.xml
  # the XSD and the JSON Schema both see it: one error, at the element
  grep -q "^one-record-bad.xml:15:7: error: /person/sex: " "$TMP/stdout" || fail "-j $j: no error at the element: $(cat "$TMP/stdout")"
  [ "$(grep -c "sex" "$TMP/stdout")" -eq 1 ] || fail "-j $j: the fault is not reported once: $(cat "$TMP/stdout")"
  expect_exit 1 V "$TMP/r.xml" # the reject file reads back: the one record, still invalid
done
printf '<records xmlns="urn:thbx:thb-event:1.0"><records/></records>' >"$TMP/nested.xml"
expect_exit 1 conv "$TMP/nested.xml" -t json # a <records> in <records> is no record

# --- locations: the field, not the record, in every format
head -3 "$SRC/samples/events.ndjson" | sed '2s/"female"/"F"/' >"$TMP/loc.ndjson"
expect_exit 1 V "$TMP/loc.ndjson"
col=$(sed -n 2p "$TMP/loc.ndjson" | python3 -c 'import sys; print(sys.stdin.read().index("\"F\"") + 1)')
grep -q "loc.ndjson:2:$col: error: /person/sex: " "$TMP/stdout" || fail "ndjson location (want 2:$col): $(cat "$TMP/stdout")"
jq . "$TMP/loc.ndjson" >"$TMP/loc.json"
line=$(grep -n '"sex": "F"' "$TMP/loc.json" | cut -d: -f1)
expect_exit 1 V "$TMP/loc.json"
grep -q "loc.json:$line:12: error: /person/sex: " "$TMP/stdout" || fail "json location (want $line:12): $(cat "$TMP/stdout")"
expect_exit 0 conv "$TMP/loc.json" --profile none -t xml -o /dev/null
"$THBX" convert "$SRC/samples/events.xml" -t json | jq -c '.[]' | head -3 | sed '2s/"female"/"F"/' |
  "$THBX" convert -f ndjson -t xml -o "$TMP/loc.xml" 2>/dev/null
line=$(grep -n '<sex>F</sex>' "$TMP/loc.xml" | head -1 | cut -d: -f1)
[ -n "$line" ] || fail "no <sex>F</sex> in the XML made for the location test"
expect_exit 1 V "$TMP/loc.xml"
grep -q "loc.xml:$line:7: error: /person/sex: " "$TMP/stdout" || fail "xml location (want $line:7): $(cat "$TMP/stdout")"
# columns count characters in every format: the duplicate key at character 12
printf '[{"ë":"ëëë","ë":1}]' >"$TMP/chars.json"
printf '{"ë":"ëëë","ë":1}\n' >"$TMP/chars.ndjson"
expect_exit 1 conv --profile none "$TMP/chars.json" -t ndjson
grep -q "chars.json:1:13: error: duplicate key" "$TMP/stderr" || fail "json column in characters: $(cat "$TMP/stderr")"
expect_exit 1 conv --profile none "$TMP/chars.ndjson" -t ndjson
grep -q "chars.ndjson:1:12: error: duplicate key" "$TMP/stderr" || fail "ndjson column in characters: $(cat "$TMP/stderr")"
pass
