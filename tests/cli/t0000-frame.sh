#!/usr/bin/env bash
# The CLI frame: version, help for every command, usage errors exit 2.
. "$(dirname "$0")/lib.sh"

out=$("$THBX" --version) || fail "--version failed"
case "$out" in "thbx "*) ;; *) fail "--version printed '$out'" ;; esac

"$THBX" --help | grep -q "convert" || fail "--help does not list convert"
for cmd in convert validate schema codes; do
  "$THBX" "$cmd" --help >"$TMP/h1" || fail "$cmd --help exited non-zero"
  grep -q "Usage: thbx $cmd" "$TMP/h1" || fail "$cmd --help has no usage line"
  "$THBX" help "$cmd" >"$TMP/h2" || fail "help $cmd exited non-zero"
  cmp -s "$TMP/h1" "$TMP/h2" || fail "help $cmd differs from $cmd --help"
done

expect_exit 2 "$THBX"
expect_exit 2 "$THBX" nosuchcommand
expect_exit 2 "$THBX" --nosuchoption
expect_exit 2 "$THBX" help nosuchcommand
expect_exit 2 "$THBX" schema --nosuchoption
expect_exit 2 "$THBX" codes a b
"$THBX" nosuchcommand 2>&1 | grep -q "unknown command 'nosuchcommand'" || fail "no message for unknown command"
pass
