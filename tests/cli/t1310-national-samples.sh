#!/usr/bin/env bash
# The national samples (samples/national/NAME/, issue 13) end to end: each
# export converts with its mapping to exactly the expected records, which
# pass `thbx validate`; national -> regional -> national -> regional gives the
# same regional records again; the CTDC mapping writes thb-event records as
# CTDC's person-level columns.
. "$(dirname "$0")/lib.sh"

N=$SRC/samples/national
conv() { "$THBX" convert "$@"; }

sample() { # sample DIR MAP EXPORT FORMAT EXPECTED
  local d=$N/$1
  expect_exit 0 conv -m "$d/$2" "$d/$3" -t "$4" -o "$TMP/$1.1.$4"
  cmp -s "$TMP/$1.1.$4" "$d/$5" || fail "$1: the records differ from $5: $(diff "$TMP/$1.1.$4" "$d/$5" | head -5)"
  expect_exit 0 "$THBX" validate "$TMP/$1.1.$4"
  grep -q ' 0 invalid' "$TMP/stderr" "$TMP/stdout" || fail "$1: records do not validate"
  # the same records through validate -m (map, then validate)
  expect_exit 0 "$THBX" validate -m "$d/$2" "$d/$3"
  # back to the national format and in again
  local ext=${3##*.}
  expect_exit 0 conv -m "$d/$2" --reverse "$TMP/$1.1.$4" -t "$ext" -o "$TMP/$1.back.$ext"
  expect_exit 0 conv -m "$d/$2" "$TMP/$1.back.$ext" -t "$4" -o "$TMP/$1.2.$4"
  cmp -s "$TMP/$1.1.$4" "$TMP/$1.2.$4" || fail "$1: the round trip changed the records: $(diff "$TMP/$1.1.$4" "$TMP/$1.2.$4" | head -5)"
  # and with -j 2 (the stage runs on worker threads when the pipeline has them)
  expect_exit 0 conv -j 2 -m "$d/$2" "$d/$3" -t "$4" -o "$TMP/$1.j.$4"
  cmp -s "$TMP/$1.j.$4" "$d/$5" || fail "$1: -j 2 gives other records"
}
sample police-rs police.map.csv export.csv xml expected.xml
sample ngo-htcds ngo.map.csv export.json json expected.json
sample social-xml social.map.csv export.xml xml expected.xml

# --- CTDC: thb-event -> CTDC person-level columns (reverse only)
C=$N/ctdc
expect_exit 0 conv -m "$C/ctdc.map.csv" --reverse "$SRC/samples/events.ndjson" -t csv -o "$TMP/ctdc.csv"
cmp -s "$TMP/ctdc.csv" "$C/expected.csv" || fail "ctdc: columns differ from expected.csv"
head -1 "$TMP/ctdc.csv" | grep -q '^yearOfRegistration,gender,ageBroad,' || fail "ctdc: header"
grep -q ',9--17,' "$TMP/ctdc.csv" || fail "ctdc: age bands are not written 9--17"
grep -q -- '-99' "$TMP/ctdc.csv" || fail "ctdc: no -99 for missing values"
# forward it cannot go (a year does not give a date back): exit 2 at the row
expect_exit 2 conv -m "$C/ctdc.map.csv" "$TMP/ctdc.csv" -t ndjson
grep -q 'ctdc.map.csv:3: error: a year or month cannot fill the date event_date' "$TMP/stderr" ||
  fail "ctdc forward: $(cat "$TMP/stderr")"
# the loss ledger
expect_exit 0 "$THBX" map check --reverse "$N/police-rs/police.map.csv"
grep -q 'prinudni rad -> forced_labour comes back as radna' "$TMP/stdout" || fail "ledger: many-to-one"
grep -q 'range 48.. -> 48+: the number is not written back' "$TMP/stdout" || fail "ledger: ranges"
pass
