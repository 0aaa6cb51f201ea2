#!/usr/bin/env bash
# Issue 10: the tests stand alone in a clone. No test, CMake file or script
# refers to a folder beside the checkout, and every vendored suite keeps its
# LICENSE and SOURCE (upstream, commit or version, date taken).
. "$(dirname "$0")/lib.sh"
cd "$SRC" || fail "no source dir"

# the needle is built so that this file does not match itself
needle='\.\./'"shared|THBX_"'SHARED_DIR'
hits=$(grep -rlE "$needle" CMakeLists.txt cmake src tests tools bench .ci \
         --include='*.c' --include='*.h' --include='*.sh' --include='*.txt' \
         --include='*.cmake' --include='*.py' --include='*.mjs' --include=run 2>/dev/null)
[ -z "$hits" ] || fail "files refer to the shared folder beside the checkout: $hits"

n=0
for d in "$SUITES"/*/; do
  [ -f "$d/LICENSE" ] || fail "$d has no LICENSE"
  [ -f "$d/SOURCE" ] || fail "$d has no SOURCE"
  grep -qiE '^(repository|taken):' "$d/SOURCE" || fail "$d/SOURCE names no upstream or date"
  n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "expected at least 4 vendored suites under tests/suites, found $n"
checks=$((checks + n))
pass
