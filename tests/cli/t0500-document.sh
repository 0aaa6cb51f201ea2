#!/usr/bin/env bash
# `thbx validate --document` (issue 5): every required test of the official
# JSON Schema Test Suite for drafts 2020-12 and 7, each instance written to a
# file and validated by the binary (exit 0 valid, 1 invalid), plus the error
# line format and exit 2 for a broken schema or an unreadable file.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || fail "jq is needed to split the suite into files"
SUITE=$SUITES/json-schema-test-suite
[ -d "$SUITE/tests" ] || fail "no test suite at $SUITE"

# --- the error line: FILE:LINE:COL: error: /instance/path: "VALUE" message (keyword location)
printf '{"properties":{"sex":{"enum":["female","male","other","unknown"]},"age":{"maximum":600}},"required":["id"]}' >"$TMP/s.json"
printf '{"sex":"F","age":601}' >"$TMP/bad.json"
printf '{"id":1,"sex":"male"}' >"$TMP/good.json"
expect_exit 1 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/good.json" "$TMP/bad.json"
grep -qxF "$TMP/bad.json:1:8: error: /sex: \"F\" must be one of female, male, other, unknown (/properties/sex/enum)" "$TMP/stderr" ||
  fail "enum error line: $(cat "$TMP/stderr")"
grep -qxF "$TMP/bad.json:1:18: error: /age: \"601\" must be at most 600 (/properties/age/maximum)" "$TMP/stderr" ||
  fail "maximum error line: $(cat "$TMP/stderr")"
grep -qxF "$TMP/bad.json:1:1: error: required property 'id' is missing (/required)" "$TMP/stderr" ||
  fail "required error line: $(cat "$TMP/stderr")"
# the value's place in a pretty document, counted in characters; invisible
# characters made visible; --redact leaves the value out
printf '{\n  "\xc3\xa9": 1,\n  "sex": "male\xc2\xa0",\n  "age": 601\n}\n' >"$TMP/pretty.json"
expect_exit 1 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/pretty.json"
grep -qxF "$TMP/pretty.json:3:10: error: /sex: \"male\\u00a0\" must be one of female, male, other, unknown (/properties/sex/enum)" "$TMP/stderr" ||
  fail "pretty enum line: $(cat "$TMP/stderr")"
grep -qxF "$TMP/pretty.json:4:10: error: /age: \"601\" must be at most 600 (/properties/age/maximum)" "$TMP/stderr" ||
  fail "pretty maximum line: $(cat "$TMP/stderr")"
expect_exit 1 "$THBX" validate --document --redact --schema "$TMP/s.json" "$TMP/pretty.json"
grep -qxF "$TMP/pretty.json:3:10: error: /sex: must be one of female, male, other, unknown (/properties/sex/enum)" "$TMP/stderr" ||
  fail "--redact line: $(cat "$TMP/stderr")"
grep -q "male\\u00a0\|601\"" "$TMP/stderr" && fail "--redact shows a value: $(cat "$TMP/stderr")"
# a value with a terminal escape never reaches the terminal as one
printf '{"sex":"\\u001b[31mred"}' >"$TMP/esc.json"
expect_exit 1 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/esc.json"
grep -q "$(printf '\033')" "$TMP/stderr" && fail "an ESC reached stderr"
grep -qF '\u001b[31mred' "$TMP/stderr" || fail "the escaped value is not shown: $(cat "$TMP/stderr")"
grep -q "good.json" "$TMP/stderr" && fail "a valid file was reported"
expect_exit 0 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/good.json"
# formats assert only with --formats
printf '{"format":"date"}' >"$TMP/date.json"
printf '"2024-02-30"' >"$TMP/baddate.json"
expect_exit 0 "$THBX" validate --document --schema "$TMP/date.json" "$TMP/baddate.json"
expect_exit 1 "$THBX" validate --document --formats --schema "$TMP/date.json" "$TMP/baddate.json"
# --draft 7: an array "items" and $ref overriding its siblings
printf '{"$ref":"#/definitions/s","type":"integer","definitions":{"s":{"type":"string"}}}' >"$TMP/d7.json"
printf '"text"' >"$TMP/text.json"
expect_exit 0 "$THBX" validate --document --draft 7 --schema "$TMP/d7.json" "$TMP/text.json"
expect_exit 1 "$THBX" validate --document --draft 2020-12 --schema "$TMP/d7.json" "$TMP/text.json"
# exit 2: unreadable file, broken JSON, broken schema, unresolvable $ref, usage
expect_exit 2 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/missing.json"
grep -qxF "thbx: error: $TMP/missing.json: unable to open $TMP/missing.json: No such file or directory" "$TMP/stderr" ||
  fail "missing file: no bare FILE: (never FILE:-1:-1): $(cat "$TMP/stderr")"
# '-' is standard input
expect_exit 1 "$THBX" validate --document --schema "$TMP/s.json" - <"$TMP/bad.json"
grep -qxF -- "-:1:8: error: /sex: \"F\" must be one of female, male, other, unknown (/properties/sex/enum)" "$TMP/stderr" ||
  fail "stdin: $(cat "$TMP/stderr")"
expect_exit 0 "$THBX" validate --document --schema "$TMP/s.json" - <"$TMP/good.json"
printf '{"a":' >"$TMP/broken.json"
expect_exit 2 "$THBX" validate --document --schema "$TMP/s.json" "$TMP/broken.json"
expect_exit 2 "$THBX" validate --document --schema "$TMP/broken.json" "$TMP/good.json"
printf '{"pattern":"(("}' >"$TMP/badre.json"
expect_exit 2 "$THBX" validate --document --schema "$TMP/badre.json" "$TMP/good.json"
printf '{"$ref":"nonexistent.json"}' >"$TMP/ref.json"
expect_exit 2 "$THBX" validate --document --schema "$TMP/ref.json" "$TMP/good.json"
expect_exit 2 "$THBX" validate --document "$TMP/good.json"
expect_exit 2 "$THBX" validate --document --draft 5 --schema "$TMP/s.json" "$TMP/good.json"
# --ref maps a URI prefix to a directory; --schema registers by $id
mkdir -p "$TMP/refs/sub"
printf '{"type":"integer"}' >"$TMP/refs/sub/int.json"
printf '{"$ref":"https://example.org/s/sub/int.json"}' >"$TMP/r.json"
printf '3' >"$TMP/three.json"
expect_exit 0 "$THBX" validate --document --ref "https://example.org/s/=$TMP/refs" --schema "$TMP/r.json" "$TMP/three.json"
expect_exit 1 "$THBX" validate --document --ref "https://example.org/s/=$TMP/refs" --schema "$TMP/r.json" "$TMP/text.json"
printf '{"$ref":"https://example.org/s/../../etc/passwd"}' >"$TMP/escape.json"
expect_exit 2 "$THBX" validate --document --ref "https://example.org/s/=$TMP/refs" --schema "$TMP/escape.json" "$TMP/three.json"
printf '{"$id":"https://example.org/other","type":"string"}' >"$TMP/other.json"
printf '{"$ref":"https://example.org/other"}' >"$TMP/main.json"
expect_exit 0 "$THBX" validate --document --schema "$TMP/main.json" --schema "$TMP/other.json" "$TMP/text.json"
expect_exit 1 "$THBX" validate --document --schema "$TMP/main.json" --schema "$TMP/other.json" "$TMP/three.json"
# a schema without $id is named by its file: relative $refs find files beside it
mkdir -p "$TMP/rel"
printf '{"$defs":{"code":{"type":"string","pattern":"^[A-Z]{2}$"}}}' >"$TMP/rel/common.json"
printf '{"properties":{"c":{"$ref":"common.json#/$defs/code"}}}' >"$TMP/rel/main.json"
printf '{"c":"AL"}' >"$TMP/rel/ok.json"
printf '{"c":"al"}' >"$TMP/rel/bad.json"
expect_exit 0 "$THBX" validate --document --schema "$TMP/rel/main.json" "$TMP/rel/ok.json"
expect_exit 1 "$THBX" validate --document --schema "$TMP/rel/main.json" "$TMP/rel/bad.json"
grep -qF "bad.json:1:6: error: /c: \"al\" must match the pattern '^[A-Z]{2}\$' (/properties/c/\$ref/pattern)" "$TMP/stderr" ||
  fail "relative \$ref error line: $(cat "$TMP/stderr")"
printf '{"$ref":"../s.json"}' >"$TMP/rel/up.json"
expect_exit 2 "$THBX" validate --document --schema "$TMP/rel/up.json" "$TMP/rel/ok.json"

# --- every required test of both drafts through the binary: one run per
# test group (its schema, each instance a file); a file is invalid when the
# binary prints an error line for it, and the exit status must agree
check_group() { # draft file group
  local files=() expect=() i=0 rc want_rc=0
  while IFS=$'\t' read -r valid; do
    files+=("$TMP/c/$3-$i.json")
    expect+=("$valid")
    [ "$valid" = true ] || want_rc=1
    i=$((i + 1))
  done <"$TMP/c/$3.expect"
  "$THBX" validate --document --draft "$1" --ref "http://localhost:1234/=$SUITE/remotes/" \
    --schema "$TMP/c/$3.schema.json" "${files[@]}" 2>"$TMP/err"
  rc=$?
  local err
  err=$(<"$TMP/err")
  for i in "${!files[@]}"; do
    local got=true
    [[ $err == *"${files[$i]}:"[0-9]*": error:"* || $err == *"${files[$i]}: error:"* ]] && got=false
    if [ "$rc" -ne "$want_rc" ] || [ "$got" != "${expect[$i]}" ]; then
      failed=$((failed + 1))
      echo "FAIL draft$1 $(basename "$2") group $3 test $i: exit $rc (want $want_rc), valid=$got (want ${expect[$i]}): ${err:0:300}" >&2
    else
      passed=$((passed + 1))
    fi
  done
}

for draft in 2020-12 7; do
  dir=$SUITE/tests/draft$draft
  passed=0 failed=0
  for file in "$dir"/*.json; do
    rm -f "$TMP"/c/* && mkdir -p "$TMP/c"
    jq -c '.[] | .schema' "$file" >"$TMP/schemas" || fail "jq on $file"
    groups=0
    while IFS= read -r schema; do
      printf '%s' "$schema" >"$TMP/c/$groups.schema.json"
      : >"$TMP/c/$groups.expect"
      groups=$((groups + 1))
    done <"$TMP/schemas"
    jq -r 'to_entries[] | .key as $g | .value.tests | to_entries[] |
           "\($g)\t\(.key)\t\(.value.valid)\t\(.value.data | tojson)"' "$file" >"$TMP/cases" ||
      fail "jq on $file"
    while IFS=$'\t' read -r g t valid data; do
      printf '%s' "$data" >"$TMP/c/$g-$t.json"
      printf '%s\n' "$valid" >>"$TMP/c/$g.expect"
    done <"$TMP/cases"
    for ((k = 0; k < groups; k++)); do
      check_group "$draft" "$file" "$k"
    done
  done
  checks=$((checks + passed + failed))
  echo "draft$draft required via the CLI: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] || fail "draft$draft: $failed required tests failed through the CLI"
  [ "$passed" -gt 0 ] || fail "draft$draft: no test ran"
done
pass
