#!/usr/bin/env bash
# thbx convert: exit codes, FILE:LINE:COL messages, -o through a temporary
# file and rename, stdin/stdout '-', /dev/null, several inputs, sniffing,
# limits, --fail-fast, progress.
. "$(dirname "$0")/lib.sh"

S=$SRC/samples
conv() { "$THBX" convert "$@"; }

# --- usage errors: exit 2 with a message
expect_exit 2 conv "$S/events.json"                       # no -t
grep -q "output format is required" "$TMP/stderr" || fail "no message for a missing -t"
expect_exit 2 conv -t yaml "$S/events.json"
grep -q "unknown format 'yaml'" "$TMP/stderr" || fail "no message for an unknown format"
expect_exit 2 conv -f nope -t json "$S/events.json"
expect_exit 2 conv -t json --nosuch "$S/events.json"
expect_exit 2 conv -t json -o
expect_exit 2 conv -t csv --delimiter ab "$S/events.json"
expect_exit 2 conv -t csv --delimiter '|' "$S/events.json"   # same as the list separator
expect_exit 2 conv -t json --max-depth 0 "$S/events.json"
expect_exit 2 conv -t json --max-record-size 12Q "$S/events.json"
expect_exit 2 conv -t json - -                             # stdin twice
expect_exit 2 conv -t json -p nosuch-profile "$S/events.json"

# --- unreadable input, unwritable output: exit 2, a message, no output file
expect_exit 2 conv -t json "$TMP/missing.json"
grep -q "missing.json: No such file" "$TMP/stderr" || fail "no message for a missing input"
expect_exit 2 conv -t json "$TMP"
grep -q "is a directory" "$TMP/stderr" || fail "no message for a directory input"
expect_exit 2 conv -t json -o "$TMP/no/such/dir/out.json" "$S/events.json"
expect_exit 2 conv -t json -o "$TMP/out2.json" "$S/events.json" "$TMP/missing.json"
[ ! -e "$TMP/out2.json" ] || fail "an output file was left although an input was missing"

# --- help
conv --help >"$TMP/help" || fail "--help exited non-zero"
for word in "Usage: thbx convert" --from --to --output --profile --compact --delimiter \
  --list-sep --columns --csv-safe --fail-fast --quiet --progress --max-depth \
  --max-record-size --max-field-size Examples "Exit status"; do
  grep -q -- "$word" "$TMP/help" || fail "--help does not mention $word"
done

# --- a clean conversion: exit 0, nothing on stderr
expect_exit 0 conv "$S/events.ndjson" -t json
[ ! -s "$TMP/stderr" ] || fail "stderr not empty on success: $(cat "$TMP/stderr")"
cmp -s "$TMP/stdout" "$S/events.json" || fail "events.ndjson -> json differs from events.json"

# --- broken records: located messages, the good records still converted, exit 1
printf '{"a":1}\n{"a":\n\n  {"b":2,"b":3}\n{"c":1e999999}\n{"d":4}\n' >"$TMP/bad.ndjson"
expect_exit 1 conv -p none -t ndjson "$TMP/bad.ndjson"
cat >"$TMP/want-err" <<EOF
$TMP/bad.ndjson:2:1: error: incomplete JSON value (a record must be on one line)
$TMP/bad.ndjson:4:10: error: duplicate key 'b'
$TMP/bad.ndjson:5:6: error: number 1e999999 is out of range
EOF
diff -u "$TMP/want-err" "$TMP/stderr" >&2 || fail "messages for broken NDJSON records differ"
printf '{"a":1}\n{"d":4}\n' | cmp -s - "$TMP/stdout" || fail "good records lost: $(cat "$TMP/stdout")"

# a JSON syntax error stops reading at its place (cannot resynchronise)
printf '[{"a":1},\n {"b":2},\n {"c" 3},\n {"d":4}]\n' >"$TMP/syntax.json"
expect_exit 2 conv -p none -t ndjson "$TMP/syntax.json"
grep -q "^$TMP/syntax.json:3:[0-9]*: error: invalid JSON: .*syntax error" "$TMP/stderr" ||
  fail "no located message for a JSON syntax error: $(cat "$TMP/stderr")"
[ "$(wc -l <"$TMP/stdout")" -eq 2 ] || fail "the records before the syntax error are lost"

# a record must be an object with a profile, any value without
printf '[{"a":1},[2],3]' >"$TMP/values.json"
expect_exit 1 conv -t ndjson "$TMP/values.json"
[ "$(grep -c 'record must be an object' "$TMP/stderr")" -eq 2 ] || fail "profile mode accepts non-objects"
expect_exit 0 conv -p none -t ndjson "$TMP/values.json"
printf '{"a":1}\n[2]\n3\n' | cmp -s - "$TMP/stdout" || fail "generic mode lost non-object values"

# a record the writer cannot spell: reported at the input's place, not written
printf '{"record_id":"AL-1","not_in_profile":1}\n{"record_id":"AL-2"}\n' >"$TMP/unknown.ndjson"
expect_exit 1 conv -t csv "$TMP/unknown.ndjson"
grep -q "^$TMP/unknown.ndjson:1:1: error: cannot be written as csv: " "$TMP/stderr" ||
  fail "no located message for a record CSV cannot spell: $(cat "$TMP/stderr")"
grep -q "^AL-2," "$TMP/stdout" || fail "the record after an unspellable one is lost"
grep -q "AL-1" "$TMP/stdout" && fail "part of an unspellable record was written"

# --- -o: temporary file + rename; the good records are committed (exit 1)
expect_exit 1 conv -p none -t ndjson -o "$TMP/o.ndjson" "$TMP/bad.ndjson"
printf '{"a":1}\n{"d":4}\n' | cmp -s - "$TMP/o.ndjson" || fail "-o did not get the good records"
ls -a "$TMP" | grep -q '^\.o\.ndjson\.' && fail "a temporary file was left beside the output"
# --fail-fast: stops at the first broken record; the output is not committed
echo keep >"$TMP/keep.ndjson"
expect_exit 1 conv --fail-fast -p none -t ndjson -o "$TMP/keep.ndjson" "$TMP/bad.ndjson"
[ "$(grep -c ': error: ' "$TMP/stderr")" -eq 1 ] || fail "--fail-fast did not stop at the first error"
[ "$(cat "$TMP/keep.ndjson")" = keep ] || fail "--fail-fast replaced the existing output"
ls -a "$TMP" | grep -q '^\.keep\.ndjson\.' && fail "--fail-fast left a temporary file"
# a successful -o replaces the file
expect_exit 0 conv -t json -o "$TMP/keep.ndjson" "$S/events.ndjson"
cmp -s "$TMP/keep.ndjson" "$S/events.json" || fail "-o did not replace the output"

# --- /dev/null and pipes are written directly, never renamed over
expect_exit 0 conv -t json -o /dev/null "$S/events.ndjson"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/from-fifo" &
expect_exit 0 conv -t ndjson -o "$TMP/fifo" "$S/events.json"
wait
cmp -s "$TMP/from-fifo" "$S/events.ndjson" || fail "output through a named pipe differs"

# --- stdin and stdout as '-', sniffing of stdin
expect_exit 0 conv -t json -o - - <"$S/events.ndjson"
cmp -s "$TMP/stdout" "$S/events.json" || fail "'-' as input and output failed"
for f in json ndjson csv xml; do
  "$THBX" convert -t ndjson <"$S/events.$f" >"$TMP/sniffed" 2>"$TMP/stderr" ||
    fail "sniffing $f on stdin failed: $(head -c 300 "$TMP/stderr")"
  cmp -s "$TMP/sniffed" "$S/events.ndjson" || fail "sniffed $f on stdin converts differently"
  # a file without extension is sniffed too
  cp "$S/events.$f" "$TMP/noext"
  expect_exit 0 conv -t ndjson "$TMP/noext"
  cmp -s "$TMP/stdout" "$S/events.ndjson" || fail "sniffed $f file converts differently"
done
printf '{"a":1}\n{"a":2}\n' | "$THBX" convert -p none -t json -c >"$TMP/o" || fail "sniff ndjson"
[ "$(cat "$TMP/o")" = '[{"a":1},{"a":2}]' ] || fail "two lines of objects not sniffed as NDJSON: $(cat "$TMP/o")"
printf '{\n  "a": 1\n}\n' | "$THBX" convert -p none -t ndjson >"$TMP/o" || fail "sniff json object"
[ "$(cat "$TMP/o")" = '{"a":1}' ] || fail "an indented object not sniffed as JSON"
printf '{"a":1}\n{"a":2}\n' | "$THBX" convert -p none -t ndjson 2>"$TMP/stderr" >/dev/null ||
  fail "sniffed NDJSON failed"
# messages about stdin name it '-'
printf '{"a":1}\n{"a":2,"a":3}\n' | "$THBX" convert -p none -t json 2>"$TMP/stderr" >/dev/null
grep -q '^-:2:8: error: duplicate key' "$TMP/stderr" || fail "stdin not named '-': $(cat "$TMP/stderr")"
# -f wins over the extension
cp "$S/events.ndjson" "$TMP/really-ndjson.csv"
expect_exit 0 conv -f ndjson -t json "$TMP/really-ndjson.csv"
cmp -s "$TMP/stdout" "$S/events.json" || fail "-f does not override the extension"

# --- several inputs into one output, in order
head -n 2 "$S/events.ndjson" >"$TMP/a.ndjson"
tail -n +3 "$S/events.ndjson" >"$TMP/b.ndjson"
expect_exit 0 conv -t json "$TMP/a.ndjson" - <"$TMP/b.ndjson"
cmp -s "$TMP/stdout" "$S/events.json" || fail "two inputs did not make one output"
expect_exit 1 conv -p none -t ndjson "$TMP/bad.ndjson" "$TMP/a.ndjson"
[ "$(wc -l <"$TMP/stdout")" -eq 4 ] || fail "an input after a failing one was not converted"

# --- limits from the command line
expect_exit 1 conv -p none -t ndjson --max-depth 2 - <<<'{"a":{"b":{"c":1}}}'
grep -q "^-:1:11: error: nesting is deeper than the limit of 2 levels" "$TMP/stderr" ||
  fail "--max-depth not applied: $(cat "$TMP/stderr")"
expect_exit 1 conv -p none -t ndjson --max-field-size 4 - <<<'{"a":"12345"}'
grep -q "limit of 4 bytes" "$TMP/stderr" || fail "--max-field-size not applied"
expect_exit 1 conv -p none -t ndjson --max-record-size 1K "$S/events.ndjson"
grep -q "limit of 1024 bytes" "$TMP/stderr" || fail "--max-record-size not applied"

# --- compact JSON, progress only when asked (stderr is not a terminal here)
expect_exit 0 conv -c -t json "$S/events.ndjson"
[ "$(wc -l <"$TMP/stdout")" -eq 1 ] || fail "--compact JSON is not one line"
jq -c '.[]' "$TMP/stdout" | cmp -s - "$S/events.ndjson" || fail "--compact JSON has other records"
expect_exit 0 conv -t json "$S/events.ndjson"
[ ! -s "$TMP/stderr" ] || fail "progress shown although stderr is not a terminal"
expect_exit 0 conv --progress -t json "$S/events.ndjson"
grep -q "records/s" "$TMP/stderr" || fail "--progress shows nothing"
grep -q "records/s" "$TMP/stdout" && fail "progress went to stdout"
expect_exit 0 conv --progress --quiet -t json "$S/events.ndjson"
[ ! -s "$TMP/stderr" ] || fail "--quiet does not silence the progress"

# --- -o over an existing file keeps its permissions; through a symbolic
# link it replaces the file linked to and keeps the link
echo old >"$TMP/private.json"
chmod 600 "$TMP/private.json"
ln -s private.json "$TMP/link.json"
expect_exit 0 conv -t json -o "$TMP/link.json" "$S/events.ndjson"
[ -L "$TMP/link.json" ] || fail "-o replaced a symbolic link instead of the file it points to"
cmp -s "$TMP/private.json" "$S/events.json" || fail "-o through a symbolic link did not write its target"
[ "$(stat -c %a "$TMP/private.json")" = 600 ] || fail "-o made a private file readable by others"

# --- a custom profile file directs all four formats, XML names included
P=$SRC/tests/data/convert/case.schema.json
cat >"$TMP/case.ndjson" <<'EOF'
{"case_no":"C-1","opened":2019,"title":"Ünïcode \"q\" <&> a|b, c\nnext","score":1.5,"closed":false,"labels":["x|y","z\\w"],"years":[2019,2020],"victim":{"age":17,"name":"Ana"}}
{"case_no":"C-3","score":-0.5,"closed":true,"victim":{"name":"Bo"}}
EOF
cp "$TMP/case.ndjson" "$TMP/case-in.ndjson" # an output may not be its own input
for t in json csv xml ndjson; do
  expect_exit 0 conv -p "$P" -t $t -o "$TMP/case.$t" "$TMP/case-in.ndjson"
  expect_exit 0 conv -p "$P" -t ndjson "$TMP/case.$t"
  cmp -s "$TMP/stdout" "$TMP/case.ndjson" || fail "custom profile: ndjson -> $t -> ndjson changed the records"
done
grep -q '^<cases xmlns="urn:test:case:2">' "$TMP/case.xml" || fail "custom profile: x-root/namespace not used"
grep -q '<case no="C-1" opened="2019">' "$TMP/case.xml" || fail "custom profile: attributes not used"
grep -q '<Victim age="17">' "$TMP/case.xml" || fail "custom profile: object xml name not used"
# OpenAPI: an unwrapped array's elements take the items' xml.name
grep -q '<year>2019</year>' "$TMP/case.xml" || fail "custom profile: unwrapped items not named by items.xml.name"
head -1 "$TMP/case.csv" | grep -qx 'case_no,opened,title,score,closed,labels,years,victim.age,victim.name' ||
  fail "custom profile: CSV header is not its leaf paths"

# two properties spelled by the same XML element could not be told apart
cat >"$TMP/clash.schema.json" <<'EOF'
{"type": "object", "properties": {
  "tags": {"type": "array", "items": {"type": "string", "xml": {"name": "tag"}}},
  "tag": {"type": "string"}}}
EOF
expect_exit 2 conv -p "$TMP/clash.schema.json" -t xml "$TMP/case.ndjson"
grep -q "same XML element name 'tag'" "$TMP/stderr" || fail "a profile with two properties on one XML name is accepted"

# --- empty inputs: no records, no error
: >"$TMP/empty.json"
expect_exit 0 conv -t json "$TMP/empty.json"
[ "$(cat "$TMP/stdout")" = "[]" ] || fail "an empty input does not give an empty array"
expect_exit 0 conv -t ndjson "$TMP/empty.json"
[ ! -s "$TMP/stdout" ] || fail "an empty input gives NDJSON output"
pass
