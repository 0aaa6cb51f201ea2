#!/bin/sh
# SIGINT and SIGTERM during a run that writes files: the temporary files
# are removed (no hidden .NAME.XXXXXX of personal data stays behind), files
# of an earlier run are left as they were, and the exit status is 130 / 143.
. "$(dirname "$0")/lib.sh"

# a big input (about 120 MB): long enough to be interrupted mid-run
python3 - "$SRC/samples/events.ndjson" "$TMP/big.ndjson" <<'PY'
import sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for i in range(200000):
        out.write(lines[i % len(lines)])
PY
mkdir "$TMP/out"
echo "earlier" >"$TMP/out/old.json"

# interrupt SIGNAL WANT CMD...: start CMD, wait until its temporary file
# exists (the run is under way), send SIGNAL, expect exit WANT
interrupt() {
  sig=$1 want=$2
  shift 2
  "$@" >"$TMP/stdout" 2>"$TMP/stderr" &
  pid=$!
  n=0
  until ls -a "$TMP/out" | grep -q '^\.'"[a-z]"; do
    n=$((n + 1))
    [ $n -lt 200 ] || { kill -9 $pid; fail "$*: no temporary file appeared"; }
    sleep 0.05
  done
  sleep 0.2
  kill -s "$sig" $pid
  wait $pid
  got=$?
  checks=$((checks + 1))
  [ "$got" -eq "$want" ] || fail "$* interrupted by $sig exited $got, expected $want"
  left=$(ls -A "$TMP/out" | grep '^\.' || true)
  [ -z "$left" ] || fail "$* interrupted by $sig left $left behind"
}

interrupt INT 130 "$THBX" convert -q -t json -o "$TMP/out/new.json" "$TMP/big.ndjson"
[ ! -e "$TMP/out/new.json" ] || fail "an interrupted convert committed its output"
interrupt TERM 143 "$THBX" convert -q -j 2 -t xml -o "$TMP/out/new.xml" "$TMP/big.ndjson"
interrupt TERM 143 "$THBX" convert -q -t json -o "$TMP/out/old.json" "$TMP/big.ndjson"
[ "$(cat "$TMP/out/old.json")" = earlier ] || fail "an interrupted convert changed the earlier output"
interrupt INT 130 "$THBX" validate -q --accept "$TMP/out/a.ndjson" --reject "$TMP/out/r.ndjson" \
  --report sarif="$TMP/out/r.sarif" -o "$TMP/out/report.json" --format json "$TMP/big.ndjson"
interrupt TERM 143 "$THBX" validate -q -j 2 --accept "$TMP/out/a.ndjson" \
  --reject "$TMP/out/r.ndjson" "$TMP/big.ndjson"
ls "$TMP/out" | grep -q -v old.json && fail "an interrupted validate left files: $(ls "$TMP/out")"
pass
