#!/usr/bin/env bash
# Per-record XSD validation stays per record when the record is validated in
# place (xml/xml_xsd.c): an xs:ID value registered while validating one record
# must not make the next record that reuses it invalid, and errors land on
# the record that has them.
. "$(dirname "$0")/lib.sh"

"$THBX" schema --xsd >"$TMP/profile.xsd"
sed 's|<xs:attribute name="id" type="[^"]*"|<xs:attribute name="id" type="xs:ID"|' \
  "$TMP/profile.xsd" >"$TMP/id.xsd"
grep -q 'type="xs:ID"' "$TMP/id.xsd" || fail "the profile XSD has no record id attribute to retype"

cat >"$TMP/one.ndjson" <<'JSON'
{"record_id":"BG-PRO-2024-0000001","schema_version":"1.0","reporting_country":"BG","reporting_body":{"type":"ngo"},"event_type":"referral","event_date":"2024-07-22","person":{"person_ref":"2f32e26ce8bf30d537f25343b7ae1be90527b3f928d5155b37c22d2b70f90a6b","role":"victim","sex":"female","age_group":"0-8"},"referral":{"referred_to":["financial"],"consent":true}}
JSON
"$THBX" convert -q "$TMP/one.ndjson" -t xml -o "$TMP/one.xml" || fail "cannot make the XML record"
# the same record three times: the same id each time, the second one broken
python3 - "$TMP/one.xml" "$TMP/three.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
start, end = s.index("<record "), s.index("</record>") + len("</record>")
rec = s[start:end]
bad = rec.replace("<sex>female</sex>", "<sex>fem</sex>")
open(sys.argv[2], "w").write(s[:start] + rec + "\n  " + bad + "\n  " + rec + s[end:])
PY

expect_exit 1 "$THBX" validate --no-dataset-rules --schema "$TMP/id.xsd" "$TMP/three.xml"
grep -q "3 records: 2 valid, 1 invalid" "$TMP/stdout" || fail "expected 2 valid and 1 invalid: $(cat "$TMP/stdout")"
# one error (the XSD's and the JSON Schema's view of the same fault are one
# issue), on the broken record's sex element
n=$(grep -c "error:" "$TMP/stdout")
[ "$n" -eq 1 ] || fail "expected the one error of the broken record, got $n: $(cat "$TMP/stdout")"
grep -q "sex" "$TMP/stdout" || fail "the error is not the broken sex: $(cat "$TMP/stdout")"
grep -q "ID" "$TMP/stdout" && fail "an ID of one record leaked into the next: $(cat "$TMP/stdout")"
# and the ordinary profile XSD gives the same verdicts
expect_exit 1 "$THBX" validate --no-dataset-rules "$TMP/three.xml"
grep -q "3 records: 2 valid, 1 invalid" "$TMP/stdout" || fail "profile XSD: $(cat "$TMP/stdout")"
pass
