# Sourced by the CLI tests (tests/cli/t*.sh). ctest sets THBX (the binary),
# SRC (source dir), SUITES (tests/suites) and BUILD (build dir).
set -u
: "${THBX:?THBX must name the thbx binary}"
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SUITES=${SUITES:-$SRC/tests/suites}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
checks=0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_exit CODE CMD...: run CMD, fail unless it exits with CODE.
expect_exit() {
  local want=$1 got
  shift
  "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  got=$?
  checks=$((checks + 1))
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(head -c 500 "$TMP/stderr")"
}

pass() {
  echo "ok: $(basename "$0") ($checks exit-code checks)"
  exit 0
}
