#!/usr/bin/env bash
# thbx's own engine agrees with ajv and libxml2 on the profile's samples:
# every spelling of samples/events.* is valid (exit 0), every file in
# samples/invalid/ is invalid (exit 1: data, not usage or I/O).
. "$(dirname "$0")/lib.sh"

for f in "$SRC"/samples/events.json "$SRC"/samples/events.ndjson "$SRC"/samples/events.csv \
         "$SRC"/samples/events.xml; do
  expect_exit 0 "$THBX" validate "$f"
  grep -q "30 valid, 0 invalid" "$TMP/stdout" "$TMP/stderr" ||
    fail "validate $(basename "$f"): no '30 valid, 0 invalid' summary: $(cat "$TMP/stdout")"
done

n=0
for f in "$SRC"/samples/invalid/*.json "$SRC"/samples/invalid/*.xml; do
  expect_exit 1 "$THBX" validate "$f"
  n=$((n + 1))
done
[ "$n" -ge 30 ] || fail "expected at least 30 invalid samples, found $n"

# the XSD-only view: an XML twin fails its XSD check, not only the JSON Schema
expect_exit 1 "$THBX" validate "$SRC/samples/invalid/duplicate-citizenship.xml"
grep -qi "citizenship" "$TMP/stdout" "$TMP/stderr" || fail "duplicate-citizenship.xml: no error names citizenship"
pass
