#!/usr/bin/env bash
# thbx convert and XML: the samples both ways byte for byte, located record
# errors with recovery, documents that are not well-formed, refused DOCTYPEs
# (every file of tests/suites/xml-attacks), raw records in reject files, generic
# mode (docs/convert.md and docs/security.md, sections XML).
. "$(dirname "$0")/lib.sh"

S=$SRC/samples
conv() { "$THBX" convert "$@"; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to compare JSON"; exit 0; }
same_json() { # same_json A B: same JSON, key order included
  python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(0 if json.dumps(a)==json.dumps(b) else 1)' "$1" "$2"
}

# --- the samples: XML -> JSON is events.json, JSON -> XML is events.xml
expect_exit 0 conv "$S/events.xml" -t json -o "$TMP/x.json"
same_json "$TMP/x.json" "$S/events.json" || fail "events.xml -> json differs from events.json"
expect_exit 0 conv "$S/events.json" -t xml -o "$TMP/j.xml"
cmp -s "$TMP/j.xml" "$S/events.xml" || fail "events.json -> xml differs from events.xml"
expect_exit 0 conv "$S/events.json" -t xml -c -o "$TMP/c.xml"
grep -q '^ *<record ' "$TMP/c.xml" && fail "compact XML has a record on a line of its own"
expect_exit 0 conv "$TMP/c.xml" -t json -o "$TMP/c.json"
same_json "$TMP/c.json" "$S/events.json" || fail "compact XML did not read back"

# --- a broken record: located, skipped, the others converted, exit 1
printf '<records xmlns="urn:thbx:thb-event:1.0">\n<record id="AL-1"><nick/></record>\n<record id="AL-2">\n  <exploitation><start_year>12x</start_year></exploitation>\n</record>\n<record id="AL-3"/></records>\n' >"$TMP/bad.xml"
expect_exit 1 conv "$TMP/bad.xml" -t ndjson
grep -q "bad.xml:2:19: error: unknown element 'nick' in 'record'" "$TMP/stderr" ||
  fail "no located unknown element: $(cat "$TMP/stderr")"
# the value before the message, the message names none (issue 12)
grep -q "bad.xml:4:17: error: /exploitation/start_year: \"12x\" is not an integer (element 'start_year')" "$TMP/stderr" ||
  fail "no located bad integer: $(cat "$TMP/stderr")"
[ "$(cat "$TMP/stdout")" = '{"record_id":"AL-3"}' ] || fail "the good record is not converted: $(cat "$TMP/stdout")"

# --- not well-formed: reading stops at libxml2's location, records before it kept
printf '<records xmlns="urn:thbx:thb-event:1.0">\n<record id="AL-1"/>\n<record id="AL-2"><person><sex>x</person></record>\n<record id="AL-3"/>\n</records>\n' >"$TMP/nwf.xml"
"$THBX" convert "$TMP/nwf.xml" -t ndjson >"$TMP/stdout" 2>"$TMP/stderr" && fail "not well-formed XML converted with exit 0"
grep -q "nwf.xml:3:[0-9]*: error: opening and ending tag mismatch" "$TMP/stderr" ||
  fail "no located parse error: $(cat "$TMP/stderr")"
[ "$(cat "$TMP/stdout")" = '{"record_id":"AL-1"}' ] || fail "record before the break lost: $(cat "$TMP/stdout")"

# --- DOCTYPE and entities: refused at once, nothing read through them
printf '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<records><r>&e;</r></records>\n' >"$TMP/xxe.xml"
"$THBX" convert -p none "$TMP/xxe.xml" -t json >"$TMP/stdout" 2>"$TMP/stderr" && fail "a DOCTYPE was accepted"
grep -q "xxe.xml:2:1: error: DOCTYPE is not allowed (entity declarations can expand or read files)" \
  "$TMP/stderr" || fail "no DOCTYPE refusal: $(cat "$TMP/stderr")"
grep -q "root:" "$TMP/stdout" "$TMP/stderr" && fail "/etc/passwd leaked"
for f in "$SUITES"/xml-attacks/xmltestdata/*; do
  [ -f "$f" ] || continue
  for p in none thb-event-1.0; do
    start=$(date +%s)
    timeout 20 "$THBX" convert -f xml -p "$p" "$f" -t json >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    checks=$((checks + 1))
    [ "$rc" -le 2 ] || fail "$(basename "$f") (-p $p): exit $rc"
    [ $(($(date +%s) - start)) -le 10 ] || fail "$(basename "$f") (-p $p): too slow"
    if grep -q "<!DOCTYPE" "$f"; then
      grep -q "DOCTYPE is not allowed" "$TMP/stderr" || fail "$(basename "$f"): DOCTYPE not refused"
    fi
    grep -q "root:\|1234567890123456789012345678901234567890" "$TMP/stdout" "$TMP/stderr" &&
      fail "$(basename "$f"): an entity was read or expanded"
  done
done

# --- reject files keep the raw records: well-formed, they read back the same
if command -v xmllint >/dev/null; then
  expect_exit 1 "$THBX" validate --reject "$TMP/rej.xml" --accept "$TMP/acc.xml" "$TMP/bad.xml"
  xmllint --noout "$TMP/rej.xml" "$TMP/acc.xml" 2>"$TMP/err" || fail "accept/reject not well-formed: $(cat "$TMP/err")"
  grep -q '<record id="AL-1"><nick/></record>' "$TMP/rej.xml" || fail "raw record not in the reject file: $(cat "$TMP/rej.xml")"
fi

# --- generic mode: attributes, repeated elements, mixed text; and back
echo '<records><record id="AL-1"><person sex="female">text<age>30</age><tag>a</tag><tag>b</tag></person></record></records>' >"$TMP/g.xml"
expect_exit 0 conv -p none "$TMP/g.xml" -t json -c
[ "$(cat "$TMP/stdout")" = '[{"@id":"AL-1","person":{"@sex":"female","age":"30","tag":["a","b"],"#text":"text"}}]' ] ||
  fail "generic XML -> JSON: $(cat "$TMP/stdout")"
cp "$TMP/stdout" "$TMP/g.json"
expect_exit 0 conv -p none "$TMP/g.json" -t xml -c
grep -q '<record id="AL-1"><person sex="female"><age>30</age><tag>a</tag><tag>b</tag>text</person></record>' "$TMP/stdout" ||
  fail "generic JSON -> XML: $(cat "$TMP/stdout")"
echo '[{"a b":1}]' >"$TMP/k.json"
expect_exit 1 conv -p none "$TMP/k.json" -t xml
grep -q "not an XML element name" "$TMP/stderr" || fail "bad key not refused: $(cat "$TMP/stderr")"

# text between records belongs to no record: refused, never dropped
printf '<records xmlns="urn:thbx:thb-event:1.0">\n<record id="AL-1"/>\njunk\n<record id="AL-2"/></records>\n' >"$TMP/junk.xml"
for mode in "-p none" ""; do
  # shellcheck disable=SC2086
  expect_exit 2 conv $mode "$TMP/junk.xml" -t ndjson
  grep -q "junk.xml:1:1: error: the document element holds text outside any record" "$TMP/stderr" ||
    fail "text between records not refused ($mode): $(cat "$TMP/stderr")"
done
printf '<records xmlns="urn:thbx:thb-event:1.0">\n<record id="AL-1"/>\n  \n\t<record id="AL-2"/></records>\n' >"$TMP/blank.xml"
expect_exit 0 conv -p none "$TMP/blank.xml" -t ndjson

pass
