#!/usr/bin/env bash
# --xslt, --param, --xslt-out and the sandbox (issue 13): a per-record
# stylesheet maps the social-services sample like its mapping table does;
# hostile stylesheets (file write by exsl:document and xsl:document, network
# by document() and xsl:import, local files outside the stylesheet's folder,
# a DOCTYPE, endless recursion, huge output) end with a clear message and
# exit 2, and write nothing.
. "$(dirname "$0")/lib.sh"

S=$SRC/samples/national/social-xml
H=$SRC/tests/data/xslt
conv() { "$THBX" convert "$@"; }

# --- the XSLT and the mapping table give the same records
expect_exit 0 conv --xslt "$S/social.xsl" "$S/export.xml" -t xml -o "$TMP/x.xml"
expect_exit 0 conv -m "$S/social.map.csv" "$S/export.xml" -t xml -o "$TMP/m.xml"
cmp -s "$TMP/x.xml" "$TMP/m.xml" || fail "social.xsl and social.map.csv give different records"
expect_exit 0 "$THBX" validate "$TMP/x.xml"

# --- --param reaches the stylesheet as a string
expect_exit 0 conv --profile none --xslt "$H/param.xsl" --param country=RS "$S/export.xml" -t ndjson
grep -q '"reporting_country":"RS"' "$TMP/stdout" || fail "--param did not reach the stylesheet"
expect_exit 2 conv --xslt "$H/param.xsl" --param novalue "$S/export.xml" -t ndjson

# --- --xslt-out: each output record through a stylesheet
expect_exit 0 conv --xslt-out "$H/out-identity.xsl" --param stamp=seen "$SRC/samples/events.ndjson" -t xml -o "$TMP/o.xml"
[ "$(grep -c 'stamp="seen"' "$TMP/o.xml")" -eq 30 ] || fail "--xslt-out did not reach every record"
expect_exit 0 conv "$TMP/o.xml" --profile none -t ndjson
expect_exit 0 "$THBX" validate "$SRC/samples/events.xml"

# --- hostile stylesheets: exit 2, a message that says what was refused, no file
hostile() { # hostile NAME PATTERN
  rm -f "$TMP/pwned"
  expect_exit 2 conv --xslt "$H/$1.xsl" --param out="$TMP/pwned" "$S/export.xml" -t json -o "$TMP/h.json"
  grep -q -- "$2" "$TMP/stderr" || fail "$1: message lacks '$2': $(cat "$TMP/stderr")"
  [ ! -e "$TMP/pwned" ] || fail "$1: the stylesheet wrote a file"
  [ ! -e "$TMP/h.json" ] || fail "$1: an output file was committed"
}
hostile write-exsl "write rights for .*pwned denied"
hostile write-xsl11 "write rights for .*pwned denied"
hostile network-document "Network file read for http://127.0.0.1:9/leak.xml refused"
hostile network-import "read rights for http://127.0.0.1:9/evil.xsl denied"
hostile read-file "read rights for /etc/passwd denied"
hostile doctype "has a DOCTYPE (refused)"
hostile recursion "infinite template recursion"
hostile huge-output "output is larger than 16 MiB"
# the same through --xslt-out
expect_exit 2 conv --xslt-out "$H/write-exsl.xsl" --param out="$TMP/pwned" "$SRC/samples/events.ndjson" -t xml -o "$TMP/h.xml"
[ ! -e "$TMP/pwned" ] && [ ! -e "$TMP/h.xml" ] || fail "--xslt-out: a hostile stylesheet wrote a file"
# --xslt is for XML input only
expect_exit 2 conv --xslt "$S/social.xsl" "$SRC/samples/events.ndjson" -f ndjson -t json
pass
