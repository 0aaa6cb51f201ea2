#!/bin/bash
# thbx stats (issue 14): options and exit codes, counts checked against jq
# over the samples, the four input formats, the CSV/JSON/Markdown/HTML
# shapes, and certificates: verified, and refused when tampered with.
. "$(dirname "$0")/lib.sh"
S=$SRC/samples

expect_exit 0 "$THBX" stats --help
grep -q -- '--certificate' "$TMP/stdout" || fail "--help does not name --certificate"
expect_exit 0 "$THBX" help stats
expect_exit 2 "$THBX" stats "$S/events.ndjson"
expect_exit 2 "$THBX" stats --by a,b,c,d "$S/events.ndjson"
expect_exit 2 "$THBX" stats --by reporting_country -F pdf "$S/events.ndjson"
expect_exit 2 "$THBX" stats --by reporting_country --min-cell 0 "$S/events.ndjson"
expect_exit 2 "$THBX" stats --by event_date:week "$S/events.ndjson"
expect_exit 2 "$THBX" stats --by person "$S/events.ndjson"
grep -q 'not a leaf' "$TMP/stderr" || fail "an object path is not explained: $(cat "$TMP/stderr")"
expect_exit 2 "$THBX" stats --by reporting_country "$TMP/missing.ndjson"
expect_exit 2 "$THBX" stats --verify "$TMP/missing.json"
expect_exit 2 "$THBX" stats --verify cert.json --by reporting_country

# counts against jq, with no suppression (K=1)
"$THBX" stats -q --by reporting_country,event_type -k 1 -F json "$S/events.ndjson" >"$TMP/s.json" ||
  fail "stats exited $?"
jq -c '[.cells[] | [.reporting_country, .event_type, .count]] | sort' "$TMP/s.json" >"$TMP/got"
jq -s -c 'group_by([.reporting_country, .event_type]) |
  map([.[0].reporting_country, .[0].event_type, length]) | sort' "$S/events.ndjson" >"$TMP/want"
cmp -s "$TMP/got" "$TMP/want" || fail "counts differ from jq: $(cat "$TMP/got") vs $(cat "$TMP/want")"
checks=$((checks + 1))

# margins: every _total equals the sum jq computes
"$THBX" stats -q --by reporting_country,event_type -k 1 --totals -F json "$S/events.ndjson" >"$TMP/t.json"
got=$(jq -c '[.cells[] | select(.event_type == "_total") | [.reporting_country, .count]] | sort' "$TMP/t.json")
want=$(jq -s -c '(group_by(.reporting_country) | map([.[0].reporting_country, length])) + [["_total", length]] | sort' "$S/events.ndjson")
[ "$got" = "$want" ] || fail "row margins differ from jq: $got vs $want"
checks=$((checks + 1))

# the four spellings of the samples give the same table
"$THBX" stats -q --by reporting_country,person.sex --totals "$S/events.ndjson" >"$TMP/nd.csv"
for f in json csv xml; do
  "$THBX" stats -q --by reporting_country,person.sex --totals "$S/events.$f" >"$TMP/$f.csv" ||
    fail "stats on events.$f exited $?"
  cmp -s "$TMP/nd.csv" "$TMP/$f.csv" || fail "events.$f gives another table than events.ndjson"
  checks=$((checks + 1))
done

# an array-valued path: a record once per distinct value, and it says so
expect_exit 0 "$THBX" stats --by exploitation.forms -k 1 -F json "$S/events.ndjson"
grep -q 'once per distinct value' "$TMP/stderr" || fail "no note about the array-valued path"
jq -e '.notes | map(test("once per distinct value")) | any' "$TMP/stdout" >/dev/null ||
  fail "the JSON does not say that exploitation.forms is array-valued"
got=$(jq -c '[.cells[] | [.["exploitation.forms"], .count]] | sort' "$TMP/stdout")
want=$(jq -s -c '[.[] | (.exploitation.forms // [null]) | unique | .[]] | group_by(.) | map([.[0], length]) | sort' "$S/events.ndjson")
[ "$got" = "$want" ] || fail "array counts differ from jq: $got vs $want"

# derived keys: year and month of event_date
"$THBX" stats -q --by event_date:year -k 1 -F json "$S/events.ndjson" >"$TMP/y.json"
got=$(jq -c '[.cells[] | [.["event_date:year"], .count]] | sort' "$TMP/y.json")
want=$(jq -s -c 'map(.event_date[0:4]) | group_by(.) | map([.[0], length]) | sort' "$S/events.ndjson")
[ "$got" = "$want" ] || fail "year counts differ from jq: $got vs $want"
"$THBX" stats -q --by event_date:month -k 1 -F json "$S/events.ndjson" >"$TMP/m.json"
got=$(jq -c '[.cells[] | [.["event_date:month"], .count]] | sort' "$TMP/m.json")
want=$(jq -s -c 'map(.event_date[0:7]) | group_by(.) | map([.[0], length]) | sort' "$S/events.ndjson")
[ "$got" = "$want" ] || fail "month counts differ from jq: $got vs $want"
checks=$((checks + 2))

# --distinct: persons, not events
"$THBX" stats -q --by person.sex --distinct person.person_ref -k 1 -F json "$S/events.ndjson" >"$TMP/d.json"
got=$(jq -c '[.cells[] | [.["person.sex"], .count]] | sort' "$TMP/d.json")
want=$(jq -s -c 'map(select(.person.person_ref)) | group_by(.person.sex) | map([.[0].person.sex, (map(.person.person_ref) | unique | length)]) | sort' "$S/events.ndjson")
[ "$got" = "$want" ] || fail "distinct counts differ from jq: $got vs $want"
[ "$(jq -r .unit "$TMP/d.json")" = persons ] || fail "the unit is not persons"
checks=$((checks + 2))

# CSV shape: paths, count, flag; a suppressed cell has an empty count and c
"$THBX" stats -q --by reporting_country,event_type --totals "$S/events.ndjson" >"$TMP/c.csv"
head -n 1 "$TMP/c.csv" | tr -d '\r' | grep -qx 'reporting_country,event_type,count,flag' ||
  fail "CSV header: $(head -n 1 "$TMP/c.csv")"
grep -q '^AL,identification,,c' "$TMP/c.csv" || fail "a small cell is not ',,c': $(cat "$TMP/c.csv")"
grep -q '^_total,_total,30,' "$TMP/c.csv" || fail "no grand total 30"
if tr -d '\r' <"$TMP/c.csv" | awk -F, 'NR > 1 && $3 != "" && $3 > 0 && $3 < 5' | grep -q .; then
  fail "a count below 5 is published"
fi
checks=$((checks + 3))
"$THBX" stats -q --by reporting_country -F json "$S/events.ndjson" >"$TMP/j.json"
jq -e '[.cells[] | select(.suppressed)] | all(.count == null) and length > 0' "$TMP/j.json" >/dev/null ||
  fail "JSON suppressed cells are not count null"
"$THBX" stats -q --by reporting_country --totals -F md "$S/events.ndjson" >"$TMP/t.md"
grep -q '^| reporting_country | count |' "$TMP/t.md" || fail "Markdown header: $(head -3 "$TMP/t.md")"
grep -q '^| AL | c |' "$TMP/t.md" || fail "Markdown suppressed cell"
"$THBX" stats -q --by reporting_country --totals -k 2 -F html -o "$TMP/t.html" "$S/events.ndjson"
grep -q '<svg' "$TMP/t.html" || fail "no SVG chart in the HTML"
grep -q '<table>' "$TMP/t.html" || fail "no table in the HTML"
if grep -Eiq '<script|src=|href=|@import|url\(' "$TMP/t.html"; then fail "HTML refers to scripts or files"; fi
checks=$((checks + 4))

# certificates
"$THBX" stats -q --by reporting_country,person.sex --totals --certificate "$TMP/cert.json" \
  "$S/events.ndjson" >/dev/null || fail "stats --certificate exited $?"
[ "$(stat -c %a "$TMP/cert.json")" = 600 ] || fail "the certificate is not mode 600"
expect_exit 0 "$THBX" stats --verify "$TMP/cert.json"
grep -q 'verified' "$TMP/stdout" || fail "verify says: $(cat "$TMP/stdout")"
jq -e '.protection | length > 0' "$TMP/cert.json" >/dev/null || fail "no protection in the certificate"

tamper() { # NAME JQ-FILTER: the tampered certificate must be refused (exit 1)
  jq "$2" "$TMP/cert.json" >"$TMP/bad-$1.json" || fail "jq $2"
  expect_exit 1 "$THBX" stats --verify "$TMP/bad-$1.json"
  grep -q 'unprotected' "$TMP/stderr" || fail "tamper $1: no message: $(cat "$TMP/stderr")"
}
# a published count changed: the true table breaks its margins
tamper count '(([range(0; .counts | length)] - .suppressed)[0]) as $i | .counts[$i] += 1'
tamper delta '.protection[0].up.delta[0] += 1'
tamper drop-up 'del(.protection[0].up)'
tamper drop-protection 'del(.protection[0])'
tamper publish-small '.suppressed -= [.protection[0].cell]'
tamper k '.min_cell = 1000'
tamper kind '.thbx_certificate = "other"'
echo 'not json' >"$TMP/notjson.json"
expect_exit 2 "$THBX" stats --verify "$TMP/notjson.json"

# a witness moved onto a published cell is refused
pub=$(jq '[range(0; .counts | length)] - .suppressed | .[0]' "$TMP/cert.json")
tamper published-cell ".protection[0].up.cells[0] = $pub"

# the same input gives the same table and certificate (deterministic)
"$THBX" stats -q --by reporting_country,person.sex --totals --certificate "$TMP/cert2.json" \
  "$S/events.ndjson" >/dev/null
cmp -s "$TMP/cert.json" "$TMP/cert2.json" || fail "two runs give different certificates"

# an unreadable record: reported, not counted, exit 1
printf '%s\n' '{"reporting_country":"AL","event_type":"referral"}' '{broken' \
  '{"reporting_country":"AL","event_type":"referral"}' >"$TMP/bad.ndjson"
expect_exit 1 "$THBX" stats --profile none --by reporting_country -k 1 "$TMP/bad.ndjson"
grep -q '^AL,2,' "$TMP/stdout" || fail "the readable records are not counted: $(cat "$TMP/stdout")"
grep -q 'bad.ndjson:2:' "$TMP/stderr" || fail "the unreadable record is not reported: $(cat "$TMP/stderr")"

# on the pipeline with worker threads: the same table
"$THBX" stats -q -j 2 --by reporting_country,person.sex --totals "$S/events.xml" >"$TMP/j2.csv"
cmp -s "$TMP/nd.csv" "$TMP/j2.csv" || fail "-j 2 gives another table"
# an object path stops the run: exit 2, no output file left
expect_exit 2 "$THBX" stats --by person -o "$TMP/obj.csv" "$S/events.ndjson"
[ ! -e "$TMP/obj.csv" ] || fail "an output file is left after exit 2"
ls -a "$TMP" | grep -q '^\.obj\.csv' && fail "a temporary file is left after exit 2"
checks=$((checks + 2))
pass
