#!/usr/bin/env bash
# thbx validate --format html (issue 6): the page a data officer opens,
# rendered by headless Chromium (Debian's chromium package). Checks that the
# rendered DOM shows the summary counts and the errors grouped by rule and by
# field with links to the records. Skips only when chromium is not installed.
. "$(dirname "$0")/lib.sh"
"$THBX" validate --help >"$TMP/help" 2>&1
if grep -q "not implemented" "$TMP/help"; then
  fail "thbx validate is not implemented"
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  fail "$CHROMIUM is not installed (apt-get install chromium; .ci/run and the README install it)"
fi

# render HTML-FILE: the DOM after Chromium has loaded the page
render() {
  local profile
  profile=$(mktemp -d)
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$profile" --dump-dom "file://$1" 2>"$TMP/chromium.err"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

# text ID: the text of the element with that id in the rendered DOM
text() {
  sed -n "s/.*id=\"$1\"[^>]*>\([^<]*\)<.*/\1/p" "$TMP/dom.html" | head -1 | tr -d ' \n'
}

D=$SRC/tests/data/validate
cd "$D" || fail "no $D"
expect_exit 1 "$THBX" validate --today 2026-01-01 --format html -o "$TMP/report.html" mixed.ndjson
render "$TMP/report.html" >"$TMP/dom.html" || fail "chromium failed: $(tail -5 "$TMP/chromium.err")"
[ -s "$TMP/dom.html" ] || fail "chromium rendered nothing: $(tail -5 "$TMP/chromium.err")"
grep -q "<title>thbx validation report</title>" "$TMP/dom.html" || fail "no title in the DOM"
# the summary, as counted by thbx
[ "$(text summary-records)" = 7 ] || fail "records: '$(text summary-records)'"
[ "$(text summary-valid)" = 2 ] || fail "valid: '$(text summary-valid)'"
[ "$(text summary-invalid)" = 5 ] || fail "invalid: '$(text summary-invalid)'"
[ "$(text summary-unreadable)" = 1 ] || fail "unreadable: '$(text summary-unreadable)'"
[ "$(text summary-errors)" = 5 ] || fail "errors: '$(text summary-errors)'"
grep -q 'INVALID: 5 of 7 records are invalid' "$TMP/dom.html" || fail "no verdict"
checks=$((checks + 6))
# errors grouped by rule (each rule once) and by field, linking to the records
tr -d '\n' <"$TMP/dom.html" | sed 's/<tr>/\n<tr>/g' >"$TMP/rows"
for rule in enum unreadable unique-record-id assistance-dates event-date-not-future; do
  grep -q "<td><code>$rule</code></td>" "$TMP/rows" || fail "rule $rule is not grouped"
  checks=$((checks + 1))
done
grep '<td><code>enum</code></td>' "$TMP/rows" | grep -q 'href="#r1-2">AL-TIRANA-2024-0002</a>' ||
  fail "the enum group does not link to record AL-TIRANA-2024-0002"
grep -q 'id="by-field"' "$TMP/dom.html" || fail "no errors by field"
grep -q '<td><code>/person/sex</code></td>' "$TMP/rows" || fail "field /person/sex not grouped"
grep -q 'id="r1-2"' "$TMP/dom.html" || fail "the record the link points to is missing"
checks=$((checks + 4))

# a valid dataset says so
expect_exit 0 "$THBX" validate --format html -o "$TMP/ok.html" "$SRC/samples/events.ndjson"
render "$TMP/ok.html" >"$TMP/dom.html" || fail "chromium failed on the valid report"
grep -q 'VALID: all 30 records are valid' "$TMP/dom.html" || fail "valid verdict missing"
[ "$(text summary-records)" = 30 ] || fail "valid report records: '$(text summary-records)'"
pass
