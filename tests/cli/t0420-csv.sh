#!/usr/bin/env bash
# thbx convert and CSV: the samples both ways byte for byte, located cell
# errors, header errors, the writer's refusals, --delimiter/--list-sep,
# --columns, --csv-safe, generic mode (docs/convert.md, section CSV).
. "$(dirname "$0")/lib.sh"

S=$SRC/samples
conv() { "$THBX" convert "$@"; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to compare JSON"; exit 0; }
same_json() { # same_json A B: same JSON, key order included
  python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:3]); sys.exit(0 if json.dumps(a)==json.dumps(b) else 1)' "$1" "$2"
}

# --- the samples: CSV -> JSON gives samples/events.json, JSON -> CSV gives samples/events.csv
expect_exit 0 conv "$S/events.csv" -t json -o "$TMP/c.json"
same_json "$TMP/c.json" "$S/events.json" || fail "events.csv -> json differs from events.json"
expect_exit 0 conv "$S/events.json" -t csv -o "$TMP/j.csv"
cmp -s "$TMP/j.csv" "$S/events.csv" || fail "events.json -> csv differs from events.csv"

# --- other delimiter and list separator: the same records back
expect_exit 0 conv "$S/events.json" -t csv --delimiter tab --list-sep ';' -o "$TMP/t.csv"
head -1 "$TMP/t.csv" | grep -q "^record_id	schema_version	" || fail "no tab-separated header"
expect_exit 0 conv "$TMP/t.csv" -f csv --delimiter tab --list-sep ';' -t json -o "$TMP/t.json"
same_json "$TMP/t.json" "$S/events.json" || fail "tab/; round trip changed the records"

# --- a cell that does not fit its column: that record only, located at the
# cell with its instance path (issue 12), exit 1
printf 'record_id,exploitation.start_year,person.sex\nAL-1,12x,female\n"AL-2\n",2020,\xc3\xa9\n' >"$TMP/bad.csv"
expect_exit 1 conv "$TMP/bad.csv" -t ndjson
# the value before the message, the message names none (issue 12)
grep -q 'bad.csv:2:6: error: /exploitation/start_year: "12x" is not an integer (column "exploitation.start_year")' \
  "$TMP/stderr" || fail "no located message for a bad integer: $(cat "$TMP/stderr")"
[ "$(wc -l <"$TMP/stdout")" -eq 1 ] || fail "the good record was not converted"
grep -q '"record_id":"AL-2\\n","person":{"sex":"é"},"exploitation":{"start_year":2020}' \
  "$TMP/stdout" || fail "the second record is wrong: $(cat "$TMP/stdout")"

# --- wrong number of fields, then the next row
printf 'record_id,person.sex\nAL-1\nAL-2,male\n' >"$TMP/count.csv"
expect_exit 1 conv "$TMP/count.csv" -t ndjson
grep -q 'count.csv:2:1: error: row has 1 field, the header has 2' "$TMP/stderr" ||
  fail "no message for a short row: $(cat "$TMP/stderr")"
grep -q '"AL-2"' "$TMP/stdout" || fail "the row after a short one was lost"

# --- a column the profile does not have: the whole file, at the header cell
printf 'record_id,person.sexx\nAL-1,male\n' >"$TMP/col.csv"
"$THBX" convert "$TMP/col.csv" -t ndjson >"$TMP/stdout" 2>"$TMP/stderr" && fail "an unknown column was accepted"
grep -q 'col.csv:1:11: error: column 2: "person.sexx" is not a field of the profile' \
  "$TMP/stderr" || fail "no message for an unknown column: $(cat "$TMP/stderr")"
[ ! -s "$TMP/stdout" ] || fail "records were written from a file with an unknown column"

# --- what CSV cannot hold is refused, the rest written
printf '{"record_id":"AL-1","case_ref":""}\n{"record_id":"AL-2","person":{"citizenship":[]}}\n{"record_id":"AL-3","nope":1}\n{"record_id":"AL-4"}\n' >"$TMP/r.ndjson"
expect_exit 1 conv "$TMP/r.ndjson" -t csv --columns record_id,case_ref,person.citizenship
[ "$(cat "$TMP/stdout")" = "$(printf 'record_id,case_ref,person.citizenship\nAL-3,,\nAL-4,,')" ] ||
  fail "refusals: unexpected output: $(cat "$TMP/stdout")"
grep -q 'case_ref: an empty string cannot be spelled in CSV' "$TMP/stderr" || fail "no message for an empty string"
expect_exit 1 conv "$TMP/r.ndjson" -t csv   # every column: AL-3's property has none
grep -q '/nope: no CSV column for this property' "$TMP/stderr" || fail "no message for a property without a column"

# --- --columns order, --csv-safe
printf '{"record_id":"AL-1","person":{"sex":"female"},"case_ref":"=1+2"}\n' >"$TMP/s.ndjson"
expect_exit 0 conv "$TMP/s.ndjson" -t csv --columns person.sex,case_ref,record_id
[ "$(cat "$TMP/stdout")" = "$(printf 'person.sex,case_ref,record_id\nfemale,=1+2,AL-1')" ] ||
  fail "--columns: $(cat "$TMP/stdout")"
expect_exit 0 conv "$TMP/s.ndjson" -t csv --columns record_id,case_ref --csv-safe
[ "$(tail -1 "$TMP/stdout")" = "AL-1,\"'=1+2\"" ] || fail "--csv-safe: $(cat "$TMP/stdout")"
expect_exit 2 conv "$TMP/s.ndjson" -t csv --columns record_id,person
grep -q 'person is not a leaf path' "$TMP/stderr" || fail "no message for a --columns that is no leaf"

# --- generic mode: dotted paths into objects, every value a string
printf 'a,b.c,b.d\n1,"x,y",\n' >"$TMP/g.csv"
expect_exit 0 conv -p none "$TMP/g.csv" -t ndjson
[ "$(cat "$TMP/stdout")" = '{"a":"1","b":{"c":"x,y"}}' ] || fail "generic: $(cat "$TMP/stdout")"
cp "$TMP/stdout" "$TMP/g.ndjson"
expect_exit 0 conv -p none -f ndjson -t csv "$TMP/g.ndjson"
[ "$(cat "$TMP/stdout")" = "$(printf 'a,b.c\n1,"x,y"')" ] || fail "generic write: $(cat "$TMP/stdout")"

pass
