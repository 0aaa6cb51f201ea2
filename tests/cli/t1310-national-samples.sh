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
expect_exit 0 conv -j 2 -m "$C/ctdc.map.csv" --reverse "$SRC/samples/events.ndjson" -t csv -o "$TMP/ctdc2.csv"
cmp -s "$TMP/ctdc2.csv" "$C/expected.csv" || fail "ctdc: -j 2 gives other columns"
# forward it cannot go (a year does not give a date back): exit 2 at the row
expect_exit 2 conv -m "$C/ctdc.map.csv" "$TMP/ctdc.csv" -t ndjson
grep -q 'ctdc.map.csv:3: error: a year or month cannot fill the date event_date' "$TMP/stderr" ||
  fail "ctdc forward: $(cat "$TMP/stderr")"
# the loss ledger
expect_exit 0 "$THBX" map check --reverse "$N/police-rs/police.map.csv"
grep -q 'prinudni rad -> forced_labour comes back as radna' "$TMP/stdout" || fail "ledger: many-to-one"
grep -q 'range 48.. -> 48+: the number is not written back' "$TMP/stdout" || fail "ledger: ranges"

# --- validate -m: accept/reject files hold the mapped records, never the export's bytes
P=$N/police-rs
expect_exit 0 "$THBX" validate -m "$P/police.map.csv" "$P/export.csv" --accept "$TMP/acc.ndjson" --reject "$TMP/rej.ndjson"
[ "$(wc -l <"$TMP/acc.ndjson")" -eq 12 ] || fail "validate -m: accept file"
grep -q 'ŽRTVA\|Redni broj' "$TMP/acc.ndjson" && fail "validate -m: the accept file copies the export's bytes"
grep -q '"role":"victim"' "$TMP/acc.ndjson" || fail "validate -m: accept file lacks the mapped records"
# an unreadable national record cannot go to the files of mapped records: none are written
{ head -2 "$P/export.csv"; printf '"2024-1;Ž\n'; } >"$TMP/torn.csv"
rm -f "$TMP/rej2.ndjson"
expect_exit 2 "$THBX" validate -m "$P/police.map.csv" "$TMP/torn.csv" --reject "$TMP/rej2.ndjson"
grep -q 'could not be read or mapped cannot go to the reject file' "$TMP/stderr" "$TMP/stdout" ||
  fail "validate -m torn: $(cat "$TMP/stderr")"
[ ! -e "$TMP/rej2.ndjson" ] || fail "validate -m: a reject file without the unreadable record"
# a pseudonymised field never leaks through a reject file
K=$TMP/k
cp -r "$SRC/tests/data/mapping/pseudonymise" "$K"
chmod 600 "$K/test.key"
printf 'id,jmbg\nRS-1,0101990710011\nRS 2,0202990710022\n' >"$K/bad.csv"
(cd "$K" && "$THBX" validate -m map.csv --key-file test.key bad.csv --accept acc.ndjson --reject rej.ndjson >"$TMP/out" 2>&1)
[ $? -eq 1 ] || fail "validate -m pseudonymise: exit"
grep -q '0202990710022' "$K/rej.ndjson" "$K/acc.ndjson" "$TMP/out" && fail "the original identifier leaked"
grep -q '"record_id":"RS 2"' "$K/rej.ndjson" || fail "the invalid record is not in the reject file"
# the transform gives what `thbx pseudonymise` gives, also with a key derived per recipient
printf 'record_id,schema_version,reporting_country,reporting_body.type,event_type,event_date,person.person_ref,person.role,person.sex,person.age_group\nRS-1,1.0,RS,police,referral,2024-01-31,0101990710011,victim,unknown,unknown\n' >"$K/reg.csv"
for d in "" "--derive RS-to-HR"; do
  a=$(cd "$K" && "$THBX" convert -m map.csv --key-file test.key $d input.csv -t ndjson | head -1 | grep -o '"person_ref":"[0-9a-f]*"')
  b=$(cd "$K" && "$THBX" pseudonymise --key-file test.key $d --field person.person_ref reg.csv -t ndjson 2>/dev/null | grep -o '"person_ref":"[0-9a-f]*"')
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "mapping pseudonymise $d differs from thbx pseudonymise: $a / $b"
done
# a key file readable by others is refused
chmod 644 "$K/test.key"
(cd "$K" && "$THBX" convert -m map.csv --key-file test.key input.csv -t ndjson >"$TMP/out" 2>&1)
[ $? -eq 2 ] && grep -q 'the key file is readable by group and others' "$TMP/out" || fail "a 0644 key file was accepted"
pass
