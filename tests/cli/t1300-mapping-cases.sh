#!/usr/bin/env bash
# The mapping features as data (STYLE.md, tests as data): every directory
# tests/data/mapping/CASE/ holds a mapping (map.csv), its crosswalks, an
# input, `cmd` (the thbx arguments, run inside a copy of CASE/), and the
# expectations: expected.out (standard output), expected.err (standard
# error), expected.rc (exit code, default 0), expected.trace (the file
# trace.ndjson the command writes). Add a case by adding a directory.
. "$(dirname "$0")/lib.sh"

D=$SRC/tests/data/mapping
n=0
for dir in "$D"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/cmd" ] || fail "$name: no cmd file"
  rm -rf "$TMP/case" && cp -r "$dir" "$TMP/case"
  chmod 600 "$TMP/case/"*.key 2>/dev/null
  want_rc=0
  [ -f "$dir/expected.rc" ] && want_rc=$(cat "$dir/expected.rc")
  read -r -a args <"$dir/cmd"
  (cd "$TMP/case" && "$THBX" "${args[@]}" >"$TMP/out" 2>"$TMP/err")
  rc=$?
  checks=$((checks + 1))
  [ "$rc" -eq "$want_rc" ] || fail "$name: exit $rc, expected $want_rc; stderr: $(head -c 600 "$TMP/err")"
  if [ -f "$dir/expected.out" ]; then
    diff -u "$dir/expected.out" "$TMP/out" >"$TMP/diff" || fail "$name: standard output differs:
$(head -40 "$TMP/diff")"
  fi
  if [ -f "$dir/expected.err" ]; then
    diff -u "$dir/expected.err" "$TMP/err" >"$TMP/diff" || fail "$name: standard error differs:
$(head -40 "$TMP/diff")"
  elif [ "$want_rc" -eq 0 ] && [ -s "$TMP/err" ]; then
    fail "$name: unexpected standard error: $(head -c 600 "$TMP/err")"
  fi
  if [ -f "$dir/expected.trace" ]; then
    diff -u "$dir/expected.trace" "$TMP/case/trace.ndjson" >"$TMP/diff" ||
      fail "$name: trace differs: $(head -40 "$TMP/diff")"
  fi
  n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n mapping cases found in $D"
pass
