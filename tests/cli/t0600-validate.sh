#!/usr/bin/env bash
# thbx validate (issue 6): every sample valid in every format, every invalid
# sample invalid, mixed files with broken records at known lines (the lines
# are listed in tests/data/validate/README.md and printed by its gen.py),
# accept + reject = input, exit codes, --max-errors, --quiet, the report
# formats on real input, dataset rules across files, stdin.
. "$(dirname "$0")/lib.sh"
"$THBX" validate --help >"$TMP/help" 2>&1
if grep -q "not implemented" "$TMP/help"; then
  fail "thbx validate is not implemented"
fi
command -v jq >/dev/null || fail "jq is needed (it is in .ci/run)"
D=$SRC/tests/data/validate
V() { "$THBX" validate --today 2026-01-01 "$@"; }

# errors_at FILE: the distinct line numbers of the text report's errors about FILE
errors_at() {
  grep "^$1:" "$TMP/stdout" | cut -d: -f2 | sort -n -u | tr '\n' ' ' | sed 's/ $//'
}
# summary JSON-REPORT KEY
summary() { jq -r ".summary.$2" "$1"; }

# --- every sample in every format is valid
for f in "$SRC"/samples/events.json "$SRC"/samples/events.ndjson "$SRC"/samples/events.csv \
  "$SRC"/samples/events.xml; do
  expect_exit 0 V "$f"
  grep -q "^thbx validate: 1 file, 30 records: 30 valid, 0 invalid, 0 errors$" "$TMP/stdout" ||
    fail "$f: summary: $(cat "$TMP/stdout")"
done
# and from stdin, with the format sniffed
for f in "$SRC"/samples/events.*; do
  expect_exit 0 V - <"$f"
done

# --- every invalid sample is invalid in its format, with its place
n=0
for f in "$SRC"/samples/invalid/*.json "$SRC"/samples/invalid/*.xml; do
  [ -e "$f" ] || continue
  expect_exit 1 V "$f"
  grep -q "^$f:[0-9]*:[0-9]*: error: " "$TMP/stdout" || fail "$f: no located error: $(head -c 300 "$TMP/stdout")"
  n=$((n + 1))
done
[ "$n" -ge 30 ] || fail "only $n invalid samples"
# the rule the file is named for is the one reported (a few spot checks)
V "$SRC/samples/invalid/sex-not-in-code-list.json" >"$TMP/stdout"
grep -q ": error: /person/sex: " "$TMP/stdout" || fail "sex sample: $(cat "$TMP/stdout")"
V "$SRC/samples/invalid/sex-not-in-code-list.xml" >"$TMP/stdout"
grep -q "xml:[0-9]*:[0-9]*: error: .*sex" "$TMP/stdout" || fail "sex xml sample: $(cat "$TMP/stdout")"

# --- NDJSON: broken records at known lines
cd "$D" || fail "no $D"
expect_exit 1 V mixed.ndjson
[ "$(errors_at mixed.ndjson)" = "2 3 5 6 7" ] || fail "ndjson lines: '$(errors_at mixed.ndjson)'"
# located at the field's value, not the record's { (issue 12): "sex": "F" at 2:401
grep -q "^mixed.ndjson:2:401: error: /person/sex: .* \[record AL-TIRANA-2024-0002\]$" "$TMP/stdout" ||
  fail "ndjson sex error: $(cat "$TMP/stdout")"
# the issue's line shape, literally: the value, the code list and the nearest
# code (issue 12; issue 6's "must be one of female, ..." remains for enums
# that are not code lists)
grep -qxF "mixed.ndjson:2:401: error: /person/sex: \"F\" is not a code of sex (see \`thbx codes sex\`); did you mean female? [record AL-TIRANA-2024-0002]" "$TMP/stdout" ||
  fail "ndjson sex error is not the issue's text line: $(cat "$TMP/stdout")"
# dataset rules point at the field's value (issue 12), the duplicate's
# "first at" too: the column (in characters) of the value after "KEY": on line N
col() { python3 -c 'import sys; l = open(sys.argv[1], encoding="utf-8").read().split("\n")[int(sys.argv[2]) - 1]; k = "\"%s\": " % sys.argv[3]; print(l.index(k) + len(k) + 1)' "$D/mixed.ndjson" "$1" "$2"; }
grep -q "^mixed.ndjson:5:$(col 5 record_id): error: /record_id: .*not unique.*(first at mixed.ndjson:1:$(col 1 record_id)) \[record AL-TIRANA-2024-0001\]$" "$TMP/stdout" ||
  fail "ndjson duplicate: $(cat "$TMP/stdout")"
grep -q "^mixed.ndjson:6:$(col 6 end_date): error: /assistance/end_date: \"2024-03-01\" is before start_date" "$TMP/stdout" ||
  fail "ndjson dates: $(cat "$TMP/stdout")"
grep -q "^mixed.ndjson:7:$(col 7 event_date): error: /event_date: \"2099-01-01\" is in the future (today is 2026-01-01)" "$TMP/stdout" ||
  fail "ndjson future: $(cat "$TMP/stdout")"
grep -q "^thbx validate: 1 file, 7 records: 2 valid, 5 invalid (1 unreadable), 5 errors$" "$TMP/stdout" ||
  fail "ndjson summary: $(tail -1 "$TMP/stdout")"
# without the dataset rules only the schema and the unreadable line remain
expect_exit 1 V --no-dataset-rules mixed.ndjson
[ "$(errors_at mixed.ndjson)" = "2 3" ] || fail "--no-dataset-rules: '$(errors_at mixed.ndjson)'"
# the future is relative to --today
expect_exit 1 V --today 2100-01-01 mixed.ndjson
[ "$(errors_at mixed.ndjson)" = "2 3 5 6" ] || fail "--today 2100: '$(errors_at mixed.ndjson)'"

# --- CSV: physical lines, counting the newlines inside quoted cells; errors
# at their cell (issue 12): the record of line 5 has its event_date on line 7
expect_exit 1 V mixed.csv
[ "$(errors_at mixed.csv)" = "4 7 9" ] || fail "csv lines: '$(errors_at mixed.csv)' in $(cat "$TMP/stdout")"
grep -q "^mixed.csv:4:202: error: /person/sex: " "$TMP/stdout" || fail "csv sex (at its cell): $(cat "$TMP/stdout")"
grep -q "^mixed.csv:7:21: error: /event_date: " "$TMP/stdout" || fail "csv date: $(cat "$TMP/stdout")"
grep -q "^thbx validate: 1 file, 5 records: 2 valid, 3 invalid, 3 errors$" "$TMP/stdout" ||
  fail "csv summary: $(tail -1 "$TMP/stdout")"

# --- XML: a fault both the XSD and the JSON Schema see is one error (issue
# 12), in the JSON Schema's words at the element's line; JSON-Schema-only
# rules at the record's
expect_exit 1 V mixed.xml
[ "$(errors_at mixed.xml)" = "78 119" ] || fail "xml lines: '$(errors_at mixed.xml)' in $(cat "$TMP/stdout")"
grep -q "^mixed.xml:78:7: error: /person/sex: \"F\" is not a code of sex .*\[record AL-TIRANA-2024-0002\]$" "$TMP/stdout" ||
  fail "xml sex error: $(cat "$TMP/stdout")"
[ "$(grep -c "sex" "$TMP/stdout")" = 1 ] || fail "xml: the sex fault is reported more than once: $(cat "$TMP/stdout")"
grep -q "^mixed.xml:119:3: error: .*exploitation.*\[record AL-TIRANA-2024-0010\]$" "$TMP/stdout" ||
  fail "xml JSON-Schema-only rule: $(cat "$TMP/stdout")"
V --format json mixed.xml >"$TMP/x.json"
jq -e '[.errors[] | select(.line == 78)] | length == 1 and .[0].kind == "schema" and .[0].value == "F"' "$TMP/x.json" >/dev/null ||
  fail "xml: the line 78 error is not the one JSON Schema error with its value: $(cat "$TMP/x.json")"

# --- JSON array: errors at the field's value (issue 12), a missing member at
# the record's start
expect_exit 1 V mixed.json
[ "$(errors_at mixed.json)" = "79 121" ] || fail "json lines: '$(errors_at mixed.json)' in $(cat "$TMP/stdout")"
grep -q "^mixed.json:79:14: error: /person/sex: " "$TMP/stdout" || fail "json sex: $(cat "$TMP/stdout")"

# --- accept + reject = input, in the input's format
for f in mixed.ndjson mixed.csv mixed.xml mixed.json; do
  ext=${f##*.}
  rm -f "$TMP/a.$ext" "$TMP/r.$ext"
  expect_exit 1 V --format json -o "$TMP/rep.json" --accept "$TMP/a.$ext" --reject "$TMP/r.$ext" "$f"
  records=$(summary "$TMP/rep.json" records)
  valid=$(summary "$TMP/rep.json" valid)
  invalid=$(summary "$TMP/rep.json" invalid)
  # the accepted file is all valid, as many records as were valid
  expect_exit 0 V --format json "$TMP/a.$ext"
  [ "$(jq .summary.records "$TMP/stdout")" = "$valid" ] || fail "$f: accept has $(jq .summary.records "$TMP/stdout") records, $valid were valid"
  # the rejected file has the rest (an unreadable record stays unreadable)
  "$THBX" validate --format json "$TMP/r.$ext" >"$TMP/rr.json"
  [ "$(summary "$TMP/rr.json" records)" = "$invalid" ] || fail "$f: reject has $(summary "$TMP/rr.json" records) records, $invalid were invalid"
  [ "$(summary "$TMP/rr.json" valid)" = 0 ] || [ "$f" = mixed.ndjson ] || fail "$f: a rejected record is valid alone"
  [ $((valid + invalid)) = "$records" ] || fail "$f: $valid + $invalid != $records"
done
# NDJSON: the very same lines, byte for byte
cat "$TMP/a.ndjson" "$TMP/r.ndjson" | sort >"$TMP/both"
sort mixed.ndjson | cmp -s - "$TMP/both" || fail "ndjson: accept + reject lines differ from the input"
# XML: well-formed documents with the profile's root
xmllint --noout "$TMP/a.xml" "$TMP/r.xml" 2>"$TMP/err" || fail "xml accept/reject not well-formed: $(cat "$TMP/err")"
# JSON: arrays
jq -e 'type == "array" and length == 2' "$TMP/a.json" >/dev/null || fail "json accept is not an array of 2"
# CSV: the header once, on top of both
[ "$(head -1 "$TMP/a.csv")" = "$(head -1 mixed.csv)" ] || fail "csv accept header"
[ "$(head -1 "$TMP/r.csv")" = "$(head -1 mixed.csv)" ] || fail "csv reject header"
# XML records that use a prefix declared on the input's root stay readable
# in the accept/reject files (whose root is the profile's own)
sed -e 's|<\(/\{0,1\}\)\([A-Za-z_][A-Za-z0-9_.-]*\)\([ />]\)|<\1t:\2\3|g' \
  -e 's|xmlns="urn:thbx:thb-event:1.0"|xmlns:t="urn:thbx:thb-event:1.0"|' mixed.xml >"$TMP/prefixed.xml"
grep -q '^<t:records xmlns:t=' "$TMP/prefixed.xml" || fail "prefixed.xml: $(head -3 "$TMP/prefixed.xml")"
expect_exit 1 V --accept "$TMP/pa.xml" --reject "$TMP/pr.xml" "$TMP/prefixed.xml"
expect_exit 0 V --no-dataset-rules "$TMP/pa.xml"
grep -q "^thbx validate: 1 file, 2 records: 2 valid, 0 invalid, 0 errors$" "$TMP/stdout" ||
  fail "prefixed accept: $(cat "$TMP/stdout")"
expect_exit 1 V --no-dataset-rules "$TMP/pr.xml"
grep -q "^thbx validate: 1 file, 2 records: 0 valid, 2 invalid, 2 errors$" "$TMP/stdout" ||
  fail "prefixed reject: $(cat "$TMP/stdout")"
# an empty reject file is still a document of its format
expect_exit 0 V --accept "$TMP/ea.json" --reject "$TMP/er.json" "$SRC/samples/events.json"
jq -e 'length == 0' "$TMP/er.json" >/dev/null || fail "empty reject is not []"
jq -e 'length == 30' "$TMP/ea.json" >/dev/null || fail "accept of the sample has not 30 records"
# inputs of two formats cannot share accept/reject files
expect_exit 2 V --accept "$TMP/a2" mixed.ndjson mixed.csv
[ ! -e "$TMP/a2" ] || fail "a failed run left an accept file behind"

# --- dataset rules across files: the same records twice
expect_exit 1 V "$SRC/samples/events.ndjson" "$SRC/samples/events.json"
[ "$(grep -c "not unique" "$TMP/stdout")" = 30 ] || fail "expected 30 duplicates across files"
grep -q "events.json:3:18: error: /record_id: .*(first at $SRC/samples/events.ndjson:1:14)" "$TMP/stdout" ||
  fail "duplicate across files does not name the first place: $(head -3 "$TMP/stdout")"

# --- report formats on real input
expect_exit 1 V --format github mixed.ndjson
grep -q "^::error file=mixed.ndjson,line=2,col=401,title=thbx enum::/person/sex: " "$TMP/stdout" ||
  fail "github: $(cat "$TMP/stdout")"
[ "$(grep -c '^::error ' "$TMP/stdout")" = 5 ] || fail "github: not 5 annotations"
expect_exit 1 V --format json mixed.ndjson
jq -e '.valid == false and .summary.records == 7 and (.errors | length) == 5 and .errors[0].line == 2 and .errors[0].record_id == "AL-TIRANA-2024-0002"' "$TMP/stdout" >/dev/null ||
  fail "json report: $(cat "$TMP/stdout")"
expect_exit 1 V --format sarif mixed.csv
jq -e '.version == "2.1.0" and (.runs[0].results | length) == 3 and .runs[0].results[0].locations[0].physicalLocation.region.startLine == 4' "$TMP/stdout" >/dev/null ||
  fail "sarif report: $(cat "$TMP/stdout")"
expect_exit 1 V --format junit mixed.xml
xmllint --xpath 'string(/testsuites/testsuite/@failures)' "$TMP/stdout" | grep -qx 2 ||
  fail "junit report: $(cat "$TMP/stdout")"
expect_exit 1 V --format html -o "$TMP/r.html" mixed.ndjson
grep -q 'id="summary-records"' "$TMP/r.html" || fail "html report has no summary"
# -o writes the same report as stdout
V mixed.ndjson >"$TMP/out1"
V -o "$TMP/out2" mixed.ndjson
cmp -s "$TMP/out1" "$TMP/out2" || fail "-o differs from stdout"

# --- --max-errors and --quiet count everything and show less
expect_exit 1 V --max-errors 2 mixed.ndjson
[ "$(grep -c ': error: ' "$TMP/stdout")" = 2 ] || fail "--max-errors 2 showed $(grep -c ': error: ' "$TMP/stdout")"
grep -q "5 errors (2 shown)$" "$TMP/stdout" || fail "--max-errors summary: $(tail -1 "$TMP/stdout")"
expect_exit 1 V --quiet mixed.ndjson
[ "$(wc -l <"$TMP/stdout")" = 1 ] || fail "--quiet printed more than the summary"
grep -q "7 records: 2 valid, 5 invalid" "$TMP/stdout" || fail "--quiet summary"

# --- stdin is "-"
expect_exit 1 V - <mixed.ndjson
grep -q "^-:2:401: error: /person/sex" "$TMP/stdout" || fail "stdin: $(cat "$TMP/stdout")"

# --- other schemas: --schema FILE.json replaces the profile's JSON Schema
printf '{"type":"object","required":["record_id"],"properties":{"record_id":{"maxLength":12}}}' >"$TMP/short.json"
expect_exit 1 V --no-dataset-rules --schema "$TMP/short.json" mixed.ndjson
grep -q "^mixed.ndjson:1:15: error: /record_id: " "$TMP/stdout" || fail "--schema json: $(cat "$TMP/stdout")"
grep -q "/person/sex" "$TMP/stdout" && fail "--schema json: the profile's schema still applied"
# --schema FILE.xsd replaces the profile's XSD (the profile's own XSD: valid)
"$THBX" schema --xsd >"$TMP/profile.xsd" || fail "thbx schema --xsd"
expect_exit 0 V --schema "$TMP/profile.xsd" "$SRC/samples/events.xml"

# --- exit 2: usage, unreadable input, broken schema (saying which and where)
expect_exit 2 V
expect_exit 2 V --nosuch mixed.ndjson
expect_exit 2 V --format yaml mixed.ndjson
expect_exit 2 V --max-errors x mixed.ndjson
expect_exit 2 V -f yaml mixed.ndjson
expect_exit 2 V - -
expect_exit 2 V "$TMP/does-not-exist.ndjson"
grep -q "does-not-exist.ndjson" "$TMP/stderr" || fail "missing input not named"
printf '{"type": "object",\n  "properties": {"a": {"pattern": "(("}}}\n' >"$TMP/bad-schema.json"
expect_exit 2 V --schema "$TMP/bad-schema.json" mixed.ndjson
grep -q "bad-schema.json: error: .*/properties/a/pattern" "$TMP/stderr" || fail "broken schema not named: $(cat "$TMP/stderr")"
printf '{"type": "object",\n  "properties": \n' >"$TMP/torn-schema.json"
expect_exit 2 V --schema "$TMP/torn-schema.json" mixed.ndjson
grep -q "torn-schema.json:3" "$TMP/stderr" || fail "torn schema: no file:line: $(cat "$TMP/stderr")"
printf '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<xs:element name="a" type="nosuch"/>\n</xs:schema>\n' >"$TMP/bad.xsd"
expect_exit 2 V --schema "$TMP/bad.xsd" mixed.xml
grep -q "bad.xsd:2" "$TMP/stderr" || fail "broken xsd: no file:line: $(cat "$TMP/stderr")"
# an XSD that is not well-formed: file:line from thbx, nothing printed by libxml2
printf '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<xs:element name="a"\n' >"$TMP/torn.xsd"
expect_exit 2 V --schema "$TMP/torn.xsd" mixed.xml
grep -q "torn.xsd:3:[0-9]*: error: broken XML Schema" "$TMP/stderr" || fail "torn xsd: no file:line: $(cat "$TMP/stderr")"
! grep -q "parser error" "$TMP/stderr" || fail "torn xsd: libxml2 printed: $(cat "$TMP/stderr")"
# an XSD's relative include resolves beside the XSD, whatever the working directory
mkdir -p "$TMP/xsddir"
"$THBX" schema --xsd | awk '/<xs:schema/ { s = 1 } { print } s && />/ { print "<xs:include schemaLocation=\"inc.xsd\"/>"; s = 0 }' >"$TMP/xsddir/main.xsd"
grep -q '^<xs:include schemaLocation="inc.xsd"/>$' "$TMP/xsddir/main.xsd" || fail "no include in the XSD"
printf '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:thbx:thb-event:1.0"/>\n' >"$TMP/xsddir/inc.xsd"
expect_exit 0 V --schema "$TMP/xsddir/main.xsd" "$SRC/samples/events.xml"
# an include over the network is refused before any connection is made
if command -v python3 >/dev/null; then
  python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); s.settimeout(3)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
try:
    s.accept(); open(sys.argv[2], "w").write("connected")
except OSError:
    pass
' "$TMP/port" "$TMP/connected" &
  lpid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/port" ] && break; sleep 0.2; done
  printf '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<xs:include schemaLocation="http://127.0.0.1:%s/x.xsd"/>\n</xs:schema>\n' \
    "$(cat "$TMP/port")" >"$TMP/net.xsd"
  expect_exit 2 V --schema "$TMP/net.xsd" mixed.xml
  wait "$lpid"
  [ ! -e "$TMP/connected" ] || fail "--schema XSD: an http include reached the network"
fi
expect_exit 2 V --profile "$TMP/nosuch.schema.json" mixed.ndjson
expect_exit 2 V --profile none mixed.ndjson
# outputs that would clobber each other or an input
expect_exit 2 V --accept "$TMP/same" --reject "$TMP/same" mixed.ndjson
cp mixed.ndjson "$TMP/in.ndjson"
expect_exit 2 V --reject "$TMP/./in.ndjson" "$TMP/in.ndjson"
cmp -s mixed.ndjson "$TMP/in.ndjson" || fail "the input was overwritten"
expect_exit 1 V -o /dev/null --accept /dev/null mixed.ndjson
# generic reading (--profile none) with a schema of one's own
expect_exit 1 V --profile none --no-dataset-rules --schema "$TMP/short.json" mixed.ndjson
[ "$(errors_at mixed.ndjson)" = "1 2 3 4 5 6 7" ] || fail "--profile none --schema: '$(errors_at mixed.ndjson)'"
pass
