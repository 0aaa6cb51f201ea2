#!/usr/bin/env bash
# The embedded thb-event 1.0 profile: `thbx schema` and `thbx codes` print
# exactly the files of schemas/, so thbx works with no files around it.
. "$(dirname "$0")/lib.sh"

"$THBX" schema >"$TMP/schema.json" || fail "thbx schema exited non-zero"
cmp -s "$TMP/schema.json" "$SRC/schemas/thb-event-1.0.schema.json" ||
  fail "thbx schema differs from schemas/thb-event-1.0.schema.json"
"$THBX" schema --json thb-event-1.0 >"$TMP/schema2.json" || fail "thbx schema --json NAME failed"
cmp -s "$TMP/schema2.json" "$TMP/schema.json" || fail "schema --json NAME differs from schema"
"$THBX" schema --xsd >"$TMP/schema.xsd" || fail "thbx schema --xsd exited non-zero"
cmp -s "$TMP/schema.xsd" "$SRC/schemas/thb-event-1.0.xsd" ||
  fail "thbx schema --xsd differs from schemas/thb-event-1.0.xsd"
"$THBX" schema --list | grep -qx "thb-event-1.0" || fail "schema --list does not list thb-event-1.0"

# every code list file is embedded and printed as it is
"$THBX" codes >"$TMP/lists" || fail "thbx codes exited non-zero"
n=0
for f in "$SRC"/schemas/codes/*.csv; do
  name=$(basename "$f" .csv)
  grep -qx "$name" "$TMP/lists" || fail "thbx codes does not list $name"
  "$THBX" codes "$name" >"$TMP/list.csv" || fail "thbx codes $name exited non-zero"
  cmp -s "$TMP/list.csv" "$f" || fail "thbx codes $name differs from schemas/codes/$name.csv"
  n=$((n + 1))
done
[ "$n" -ge 18 ] || fail "expected at least 18 code lists, found $n"
[ "$(wc -l <"$TMP/lists")" -eq "$n" ] || fail "thbx codes lists $(wc -l <"$TMP/lists") lists, schemas/codes has $n"
"$THBX" codes sex | head -1 | grep -qx "code,label" || fail "codes sex has no code,label header"
"$THBX" codes countries | grep -qx "XK,Kosovo" || fail "countries has no XK,Kosovo"

expect_exit 2 "$THBX" codes nosuch
grep -q "nosuch" "$TMP/stderr" || fail "codes nosuch does not name the list"
expect_exit 2 "$THBX" codes ../thb-event-1.0.xsd
expect_exit 2 "$THBX" schema nosuch
expect_exit 2 "$THBX" schema --xsd nosuch
pass
