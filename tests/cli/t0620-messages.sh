#!/usr/bin/env bash
# Messages that show and point at the fault, reports CI can trust (issue 12):
# the offending value shown (invisible characters visible, long values cut),
# code-list errors that name the list and the nearest code, --redact in
# every report format, control and bidi characters escaped everywhere (text,
# github, json, junit, sarif, html, and the CLI's own stderr), one error per
# fault in XML, a fault of the document reported once, inputs that cannot be
# read named with their reason.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is needed (it is in .ci/run)"
command -v xmllint >/dev/null || fail "xmllint is needed"
V() { "$THBX" validate --today 2026-01-01 --no-dataset-rules "$@"; }
S=$SRC/samples
FORMATS="text json junit sarif github html"

# --- the files of tests/data/validate/messages: the text report, exactly
M=$SRC/tests/data/validate/messages
(cd "$M" && "$THBX" validate --no-dataset-rules invisible.ndjson root-attribute.xml terminal-escapes.csv) >"$TMP/m.txt"
diff "$M/expected.txt" "$TMP/m.txt" >"$TMP/m.diff" || fail "messages differ from expected.txt: $(cat "$TMP/m.diff")"
LC_ALL=C grep -q "$(printf '\033')" "$M/terminal-escapes.csv" || fail "terminal-escapes.csv lost its ESC"

# --- values, from a sample record with one field changed at a time
first=$(head -1 "$S/events.ndjson")
mk() { # mk FILE JQ-FILTER...: one record per filter
  local out=$1
  shift
  : >"$out"
  for f in "$@"; do printf '%s\n' "$first" | jq -c "$f" >>"$out" || fail "jq $f"; done
}
long=$(printf 'x%.0s' $(seq 1 1200))
mk "$TMP/v.ndjson" '.reporting_country = "AL "' '.reporting_country = "AL\u00a0"' \
  '.reporting_country = "\ufeffAL"' '.person.sex = "F"' '.reporting_country = "Albania"' \
  ".case_ref = \"$long\""
expect_exit 1 V "$TMP/v.ndjson"
out=$TMP/stdout
grep -qF 'v.ndjson:1:79: error: /reporting_country: "AL " is not a code of countries (see `thbx codes countries`); did you mean AL (Albania)? [record AL-TIRANA-2024-0001]' "$out" ||
  fail "trailing space: $(cat "$out")"
grep -qF '/reporting_country: "AL\u00a0" is not a code of countries' "$out" || fail "no-break space: $(cat "$out")"
grep -qF '/reporting_country: "\ufeffAL" is not a code of countries' "$out" || fail "BOM: $(cat "$out")"
grep -qF '/person/sex: "F" is not a code of sex (see `thbx codes sex`); did you mean female?' "$out" ||
  fail "sex: $(cat "$out")"
grep -qF '/reporting_country: "Albania" is not a code of countries (see `thbx codes countries`); did you mean AL (Albania)?' "$out" ||
  fail "label: $(cat "$out")"
grep -qF '…" (1200 characters) must match the pattern' "$out" || fail "long value not cut with its length: $(grep case_ref "$out")"
[ "$(grep case_ref "$out" | wc -c)" -lt 400 ] || fail "a long value is not cut"
# never a cut-off dump of the code list
! grep -q "AD, AE" "$out" || fail "a code list was dumped: $(cat "$out")"
# an enum that is not a code list keeps "must be one of"
printf '{"enum": ["a", "b"]}\n' >"$TMP/enum.json"
printf '"c"\n' >"$TMP/c.ndjson"
expect_exit 1 "$THBX" validate --profile none --schema "$TMP/enum.json" "$TMP/c.ndjson"
grep -qF '"c" must be one of a, b' "$TMP/stdout" || fail "plain enum: $(cat "$TMP/stdout")"

# --- every report carries the value; --redact leaves it out of every one
secret='Zq9secret'
mk "$TMP/s.ndjson" ".person.sex = \"$secret\"" ".reporting_country = \"${secret}2\""
for f in $FORMATS; do
  expect_exit 1 V --format "$f" "$TMP/s.ndjson"
  grep -q "$secret" "$TMP/stdout" || fail "$f report does not show the value"
  expect_exit 1 V --redact --format "$f" "$TMP/s.ndjson"
  ! grep -q "$secret" "$TMP/stdout" "$TMP/stderr" || fail "--redact: the value is in the $f report: $(grep "$secret" "$TMP/stdout" | head -3)"
  grep -q "sex" "$TMP/stdout" || fail "--redact: the $f report lost the error: $(head -c 400 "$TMP/stdout")"
done
expect_exit 1 V --format json "$TMP/s.ndjson"
jq -e ".errors[0].value == \"$secret\" and .errors[0].instance_path == \"/person/sex\"" "$TMP/stdout" >/dev/null ||
  fail "json value member: $(cat "$TMP/stdout")"
expect_exit 1 V --format sarif "$TMP/s.ndjson"
jq -e ".runs[0].results[0].properties.value == \"$secret\"" "$TMP/stdout" >/dev/null || fail "sarif property bag"
jq -e ".runs[0].results[0].message.text | contains(\"\\\"$secret\\\"\")" "$TMP/stdout" >/dev/null || fail "sarif message"
expect_exit 1 V --format junit "$TMP/s.ndjson"
xmllint --xpath 'string(//failure)' "$TMP/stdout" | grep -qF "\"$secret\"" || fail "junit failure text"
expect_exit 1 V --redact --format json "$TMP/s.ndjson"
jq -e '[.errors[] | has("value") or has("hint")] | any | not' "$TMP/stdout" >/dev/null || fail "--redact json has value/hint members"
# a hint says something about the value: redacted too
expect_exit 1 V --redact "$TMP/v.ndjson"
! grep -q "did you mean" "$TMP/stdout" || fail "--redact kept a hint"

# --- control and bidi characters from the input are escaped everywhere
esc=$(printf '\033')
bel=$(printf '\007')
rlo=$(printf '\342\200\256') # U+202E
{
  head -1 "$S/events.csv"
  sed -n 2p "$S/events.csv" | sed "s/,female,/,${esc}[2J${esc}]0;pwned${bel}fe${rlo}male,/"
  sed -n 2p "$S/events.csv" | sed "s/^AL-TIRANA-2024-0001,1.0,AL,/AL-TIRANA-2024-0002,1.0,x${esc}[31m,/"
} >"$TMP/e.csv"
grep -q "$esc" "$TMP/e.csv" || fail "the test file has no ESC"
raw() { LC_ALL=C grep -c "$esc\|$bel\|$rlo\|$(printf '\r')" "$@"; }
for f in $FORMATS; do
  expect_exit 1 V --format "$f" "$TMP/e.csv"
  [ "$(raw "$TMP/stdout" "$TMP/stderr" | awk -F: '{s += $NF} END {print s}')" = 0 ] ||
    fail "$f report carries a raw control character: $(LC_ALL=C grep -n "$esc\|$bel\|$rlo" "$TMP/stdout" | od -c | head -5)"
done
expect_exit 1 V "$TMP/e.csv"
grep -qF '\u001b[2J\u001b]0;pwned\u0007fe\u202emale' "$TMP/stdout" || fail "escapes not visible: $(cat "$TMP/stdout")"
# a cell that does not convert: the reader's message on convert's stderr
sed -n 2p "$S/events.csv" | sed "s/,true,/,tr${esc}[2Jue,/" >"$TMP/b.body"
{ head -1 "$S/events.csv"; cat "$TMP/b.body"; } >"$TMP/b.csv"
"$THBX" convert "$TMP/b.csv" -t ndjson >"$TMP/out" 2>"$TMP/err"
[ -s "$TMP/err" ] || fail "convert reported nothing for a bad cell"
[ "$(raw "$TMP/err" | awk -F: '{s += $NF} END {print s}')" = 0 ] || fail "convert stderr carries ESC: $(od -c "$TMP/err" | head)"
grep -qF '"tr\u001b[2Jue" is not true or false (column "person.minor_at_exploitation")' "$TMP/err" ||
  fail "convert: the cell's value is not shown: $(cat "$TMP/err")"
# a cell that does not convert: its value is the issue's, so --redact leaves it out
sed -n 2p "$S/events.csv" | sed "s/,true,/,${secret},/" >"$TMP/r.body"
{ head -1 "$S/events.csv"; cat "$TMP/r.body"; } >"$TMP/r.csv"
"$THBX" convert "$TMP/r.csv" -t ndjson >"$TMP/out" 2>"$TMP/err"
grep -q "$secret" "$TMP/err" || fail "convert does not show a bad cell's value: $(cat "$TMP/err")"
"$THBX" convert --redact "$TMP/r.csv" -t ndjson >"$TMP/out" 2>"$TMP/err"
! grep -q "$secret" "$TMP/err" || fail "convert --redact shows the value: $(cat "$TMP/err")"
grep -q "is not true or false" "$TMP/err" || fail "convert --redact lost the message: $(cat "$TMP/err")"
for f in $FORMATS; do
  expect_exit 1 V --redact --format "$f" "$TMP/r.csv"
  ! grep -q "$secret" "$TMP/stdout" "$TMP/stderr" || fail "validate --redact --format $f shows a bad cell's value"
done
sed 's|<transnational>false</transnational>|<transnational>'"$secret"'</transnational>|' "$S/events.xml" >"$TMP/r.xml"
grep -q "$secret" "$TMP/r.xml" || fail "r.xml has no bad boolean"
expect_exit 1 V --redact --format json "$TMP/r.xml"
! grep -q "$secret" "$TMP/stdout" || fail "validate --redact shows an XML text's value"
expect_exit 1 V --format json "$TMP/r.xml"
jq -e "[.errors[] | select(.value == \"$secret\")] | length > 0" "$TMP/stdout" >/dev/null || fail "XML bad text: no value member"
# reading that stops: convert exits 2, as docs/security.md says
printf '[{"a":1},\n{"a": \377}]\n' >"$TMP/torn.json"
expect_exit 2 "$THBX" convert --profile none "$TMP/torn.json" -t ndjson
# a file name with an escape: the CLI's own messages
expect_exit 2 V "$TMP/no${esc}[2Jsuch.ndjson"
[ "$(raw "$TMP/stderr" "$TMP/stdout" | awk -F: '{s += $NF} END {print s}')" = 0 ] || fail "file name ESC reached the terminal"

# a file name with an escape among several inputs (the per-input summary lines)
cp "$TMP/s.ndjson" "$TMP/n${esc}[2J${rlo}.ndjson"
for f in $FORMATS; do
  expect_exit 1 V --format "$f" "$TMP/n${esc}[2J${rlo}.ndjson" "$TMP/s.ndjson"
  [ "$(raw "$TMP/stdout" "$TMP/stderr" | awk -F: '{s += $NF} END {print s}')" = 0 ] ||
    fail "$f: a file name's ESC or U+202E reached the report"
done

# --- XML: one fault, one error; a fault of the document once, records judged alone
sed 's|<sex>female</sex>|<sex>F</sex>|' "$S/events.xml" | awk '/<sex>F<\/sex>/ && n++ { sub(/<sex>F<\/sex>/, "<sex>female</sex>") } { print }' >"$TMP/one.xml"
[ "$(grep -c '<sex>F</sex>' "$TMP/one.xml")" = 1 ] || fail "one.xml has not one broken sex"
expect_exit 1 V "$TMP/one.xml"
[ "$(grep -c ': error: ' "$TMP/stdout")" = 1 ] || fail "one fault gave $(grep -c ': error: ' "$TMP/stdout") errors: $(cat "$TMP/stdout")"
line=$(grep -n '<sex>F</sex>' "$TMP/one.xml" | cut -d: -f1)
grep -q "^$TMP/one.xml:$line:[0-9]*: error: /person/sex: \"F\" is not a code of sex" "$TMP/stdout" ||
  fail "the one error is not at the element in plain words: $(cat "$TMP/stdout")"
! grep -q "{urn:" "$TMP/stdout" || fail "namespace notation in a message"
# only the XSD sees it (a --schema XSD of one's own): plain words, at its field
"$THBX" schema --xsd | sed 's|<xs:maxLength value="200"/>|<xs:maxLength value="5"/>|' >"$TMP/short.xsd"
grep -q 'maxLength value="5"' "$TMP/short.xsd" || fail "no maxLength 200 in the XSD"
expect_exit 1 V --schema "$TMP/short.xsd" "$S/events.xml"
grep -q ": error: /reporting_body/name: \"[^\"]*\" has [0-9]* characters, the XSD allows at most 5" "$TMP/stdout" ||
  fail "XSD-only error: $(head -3 "$TMP/stdout")"
! grep -q "{urn:" "$TMP/stdout" || fail "namespace notation in an XSD-only message"
# an attribute on <records>: one error at line 2, every record judged on its own
sed '2s|<records |<records foo="bar" |' "$S/events.xml" >"$TMP/root.xml"
grep -q '<records foo="bar"' "$TMP/root.xml" || fail "root.xml: $(sed -n 2p "$TMP/root.xml")"
expect_exit 1 V "$TMP/root.xml"
[ "$(grep -c ': error: ' "$TMP/stdout")" = 1 ] || fail "a root attribute gave $(grep -c ': error: ' "$TMP/stdout") errors"
grep -q "^$TMP/root.xml:2:[0-9]*: error: attribute 'foo' is not allowed on element 'records'$" "$TMP/stdout" ||
  fail "root attribute: $(cat "$TMP/stdout")"
grep -q "30 records: 30 valid, 0 invalid, 1 error$" "$TMP/stdout" || fail "records not judged alone: $(tail -1 "$TMP/stdout")"
# the same with the XSD checked on worker threads
for j in 2 3; do
  V -j 1 --format json "$TMP/root.xml" "$TMP/one.xml" >"$TMP/j1.json"
  V -j "$j" --format json "$TMP/root.xml" "$TMP/one.xml" >"$TMP/jn.json"
  cmp -s "$TMP/j1.json" "$TMP/jn.json" || fail "-j $j differs: $(diff "$TMP/j1.json" "$TMP/jn.json" | head -5)"
done
jq -e '[.errors[] | select(.record_index == null)] | length == 1' "$TMP/j1.json" >/dev/null ||
  fail "-j: the document fault is not reported once: $(cat "$TMP/j1.json")"
expect_exit 1 V --format junit "$TMP/root.xml"
xmllint --xpath 'string(//testcase[@name="document"]/failure/@message)' "$TMP/stdout" | grep -q "attribute 'foo'" ||
  fail "junit: the document fault is not a failure of a 'document' test case: $(head -c 800 "$TMP/stdout")"
[ "$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/stdout")" = 1 ] || fail "junit failures of root.xml"
[ "$(xmllint --xpath 'string(/testsuites/@tests)' "$TMP/stdout")" = 31 ] || fail "junit tests of root.xml"
expect_exit 1 V --accept "$TMP/acc.xml" "$TMP/root.xml"
expect_exit 0 V "$TMP/acc.xml" # every record accepted

# --- inputs that cannot be read: the reason in every report
mkdir -p "$TMP/adir"
for f in json sarif junit html text github; do
  expect_exit 2 V --format "$f" "$TMP/missing.ndjson" "$TMP/adir" "$S/events.ndjson"
  grep -q "no such file or directory" "$TMP/stdout" || fail "$f: no reason for a missing input: $(head -c 600 "$TMP/stdout")"
  grep -q "is a directory" "$TMP/stdout" || fail "$f: no reason for a directory"
done
expect_exit 2 V --format sarif "$TMP/missing.ndjson" "$S/events.ndjson"
jq -e '.runs[0].invocations[0].executionSuccessful == false and (.runs[0].invocations[0].toolExecutionNotifications | length) == 1' "$TMP/stdout" >/dev/null ||
  fail "sarif: an unread input is not an unsuccessful run: $(jq .runs[0].invocations "$TMP/stdout")"
expect_exit 0 V --format sarif "$S/events.ndjson"
jq -e '.runs[0].invocations[0].executionSuccessful == true' "$TMP/stdout" >/dev/null || fail "sarif: a good run"
expect_exit 2 V --format html "$TMP/missing.ndjson" "$S/events.ndjson"
grep -q "could not be checked" "$TMP/stdout" || fail "html verdict of an unread input"
! grep -q "VALID: all" "$TMP/stdout" || fail "html says VALID with an unread input"
# permission denied: as root, with the capabilities that override file
# modes dropped (setpriv, util-linux), so that the test runs in CI too
NOCAP=()
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to drop root's file-mode override"
  NOCAP=(setpriv --bounding-set -dac_override,-dac_read_search)
fi
cp "$S/events.ndjson" "$TMP/locked.ndjson" && chmod 000 "$TMP/locked.ndjson"
"${NOCAP[@]}" cat "$TMP/locked.ndjson" >/dev/null 2>&1 && fail "the locked file can still be read: the case tests nothing"
for f in $FORMATS; do
  expect_exit 2 "${NOCAP[@]}" "$THBX" validate --no-dataset-rules --format "$f" "$TMP/locked.ndjson" "$S/events.ndjson"
  grep -qi "permission denied" "$TMP/stdout" || fail "$f: no reason for an unreadable input: $(head -c 600 "$TMP/stdout")"
done
expect_exit 2 "${NOCAP[@]}" "$THBX" validate --no-dataset-rules --format json "$TMP/locked.ndjson"
jq -e '.errors[0].message | contains("permission denied")' "$TMP/stdout" >/dev/null || fail "permission denied: $(cat "$TMP/stdout")"
expect_exit 2 "${NOCAP[@]}" "$THBX" validate --no-dataset-rules --format sarif "$TMP/locked.ndjson"
jq -e '.runs[0].invocations[0].executionSuccessful == false' "$TMP/stdout" >/dev/null || fail "sarif: a locked input is not an unsuccessful run"
expect_exit 2 "${NOCAP[@]}" "$THBX" convert "$TMP/locked.ndjson" -t json
grep -qi "permission denied" "$TMP/stderr" || fail "convert: no reason for a locked input: $(cat "$TMP/stderr")"
chmod 600 "$TMP/locked.ndjson"
pass
