# Sourced by the hostile-input CLI tests (tests/cli/t07*-hostile-*.sh) after
# lib.sh: run thbx on a hostile input with a time and memory bound and check
# the exit code and that the message says where.
#
# Bounds (docs/security.md): every hostile input finishes in under 10 s
# (timeout 20 kills a hang) with under 256 MiB resident. Sanitizer builds are
# slower and ASan's shadow memory and quarantine inflate the resident size, so
# there the time bound is tripled and the memory bound is not checked.

if grep -qa __asan_init "$THBX" 2>/dev/null || case "${BUILD:-}" in *asan*) true ;; *) false ;; esac; then
  HOSTILE_ASAN=1
  HOSTILE_MAX_SECONDS=30
else
  HOSTILE_ASAN=0
  HOSTILE_MAX_SECONDS=10
fi
HOSTILE_MAX_KB=$((256 * 1024))
HOSTILE_TIME=/usr/bin/time
[ -x "$HOSTILE_TIME" ] || HOSTILE_TIME=""

# skip_unless_implemented COMMAND...: fail when the part of thbx this test
# needs answers "not implemented" (every part has landed: absence is a bug).
skip_unless_implemented() {
  "$THBX" "$@" --help >"$TMP/help" 2>&1
  if grep -q "not implemented" "$TMP/help"; then
    fail "thbx $* is not implemented"
  fi
}

# has_option COMMAND OPTION: does `thbx COMMAND --help` mention OPTION?
has_option() {
  "$THBX" "$1" --help 2>&1 | grep -q -- "$2"
}

# hostile NAME CODES CMD...: run CMD (stdout to $TMP/out, stderr to
# $TMP/err) and fail unless it exits with one of CODES ("1" or "1|2"), was
# not killed by a signal or the timeout, took less than HOSTILE_MAX_SECONDS
# and (outside ASan) stayed under 256 MiB resident. Sets $rc and $secs.
hostile() {
  local name=$1 codes=$2 start end kb=""
  shift 2
  start=$(date +%s%N)
  if [ -n "$HOSTILE_TIME" ]; then
    "$HOSTILE_TIME" -f %M -o "$TMP/rss" timeout 20 "$@" >"$TMP/out" 2>"$TMP/err"
  else
    timeout 20 "$@" >"$TMP/out" 2>"$TMP/err"
  fi
  rc=$?
  end=$(date +%s%N)
  secs=$(((end - start) / 1000000))
  checks=$((checks + 1))
  # /usr/bin/time reports a signal as "Command terminated by signal N" and
  # exits 128+N
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    fail "$name: still running after 20 s (killed)"
  fi
  if [ "$rc" -gt 2 ] || grep -q "terminated by signal" "$TMP/rss" 2>/dev/null; then
    fail "$name: exit $rc (crash or signal); stderr: $(head -c 600 "$TMP/err")"
  fi
  case "|$codes|" in
  *"|$rc|"*) ;;
  *) fail "$name: exit $rc, expected $codes; stderr: $(head -c 600 "$TMP/err")" ;;
  esac
  [ "$secs" -lt $((HOSTILE_MAX_SECONDS * 1000)) ] ||
    fail "$name: took ${secs} ms (bound ${HOSTILE_MAX_SECONDS} s)"
  if [ -n "$HOSTILE_TIME" ] && [ "$HOSTILE_ASAN" = 0 ]; then
    kb=$(tail -n 1 "$TMP/rss")
    [ "$kb" -lt "$HOSTILE_MAX_KB" ] || fail "$name: ${kb} KiB resident (bound 256 MiB)"
  fi
  echo "ok: $name: exit $rc in ${secs} ms${kb:+, ${kb} KiB}"
}

# says_where FILE NAME [WHERE]: stderr (or the file WHERE: validate's text
# report is on stdout, $TMP/out) has a compiler-style location for FILE:
# "FILE:LINE:COL: error: ..." (LINE and COL numbers).
says_where() {
  local file=$1 name=$2 where=${3:-$TMP/err}
  grep -Eq "^(.*/)?$(basename "$file"):[0-9]+(:[0-9]+)?: error: " "$where" ||
    fail "$name: no 'FILE:LINE:COL: error:' message for $(basename "$file"): $(head -c 600 "$where")"
}

# says PATTERN NAME: stderr matches the extended regex PATTERN (case-insensitive).
says() {
  grep -Eiq "$1" "$TMP/err" || fail "$2: stderr does not match /$1/: $(head -c 600 "$TMP/err")"
}

# stderr_bounded NAME BYTES: the messages stay short (a hostile input must not
# make thbx print megabytes of diagnostics).
stderr_bounded() {
  local n
  n=$(wc -c <"$TMP/err")
  [ "$n" -le "$2" ] || fail "$1: ${n} bytes on stderr (bound $2)"
}
