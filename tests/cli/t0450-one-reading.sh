#!/bin/bash
# One reading of the data (issue 12): convert and validate agree on every
# value. A spelling the profile refuses is refused by both; a value validate
# accepts, convert writes in every format; a value some format cannot carry
# is refused by validate with the reason. The rule: docs/convert.md.
. "$(dirname "$0")/lib.sh"
D=$SRC/tests/data/inputs
cd "$D" || fail "no $D"

# --- <transnational>1</transnational>: xs:boolean has 1, the profile's XSD
# (true|false) has not: refused by convert and by validate, at the element
expect_exit 1 "$THBX" convert boolean-1.xml -t json -o "$TMP/b.json"
[ "$(grep -c ': error: ' "$TMP/stderr")" -eq 8 ] || fail "convert: 8 records with 1: $(head -c 400 "$TMP/stderr")"
grep -q '^boolean-1.xml:46:7: error: /exploitation/transnational: "1" is not a boolean (true or false)' "$TMP/stderr" ||
  fail "convert: $(head -c 400 "$TMP/stderr")"
[ "$(jq length "$TMP/b.json")" -eq 22 ] || fail "convert wrote $(jq length "$TMP/b.json") records, want 22"
expect_exit 1 "$THBX" validate boolean-1.xml
grep -q "30 records: 22 valid, 8 invalid" "$TMP/stdout" || fail "validate: $(tail -1 "$TMP/stdout")"
grep -q '^boolean-1.xml:46:7: error: ' "$TMP/stdout" || fail "validate: not at the element: $(head -3 "$TMP/stdout")"
xmllint --noout --schema "$SRC/schemas/thb-event-1.0.xsd" boolean-1.xml 2>/dev/null &&
  fail "xmllint accepts boolean-1.xml: the test no longer shows the rule"

# --- 60.0 for an integer: validate accepts it, convert writes it everywhere
expect_exit 0 "$THBX" validate integral-real.ndjson
for t in json ndjson csv xml; do
  expect_exit 0 "$THBX" convert integral-real.ndjson -t $t -o "$TMP/r.$t"
  expect_exit 0 "$THBX" convert "$TMP/r.$t" -t ndjson
  grep -Eq '"start_year":2022(\.0)?[,}]' "$TMP/stdout" || fail "-t $t: start_year lost: $(head -c 300 "$TMP/stdout")"
  expect_exit 0 "$THBX" validate "$TMP/r.$t"
done
grep -q '<start_year>2022</start_year>' "$TMP/r.xml" || fail "xml: 2022.0 not written as the integer"

# --- U+000B in a string: XML cannot carry it; convert to XML refuses it and
# so does validate, with the reason, at the field
expect_exit 1 "$THBX" convert control-char.ndjson -t xml -o /dev/null
grep -q "U+000B" "$TMP/stderr" || fail "convert -t xml: $(cat "$TMP/stderr")"
expect_exit 1 "$THBX" validate control-char.ndjson
grep -q '^control-char.ndjson:1:125: error: /reporting_body/name: control character U+000B in a string: XML cannot carry it' "$TMP/stdout" ||
  fail "validate: $(cat "$TMP/stdout")"
expect_exit 1 "$THBX" validate -j 2 control-char.ndjson
grep -q 'U+000B' "$TMP/stdout" || fail "validate -j 2: $(cat "$TMP/stdout")"
pass
