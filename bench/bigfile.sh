#!/usr/bin/env bash
# Bounded memory on a large input: build a ~1 GB NDJSON file (copies of
# generated records), make the other spellings, and convert each with its
# max resident size checked against a limit (default 64 MiB).
#
#   bench/bigfile.sh [-s SIZE_MB] [-l LIMIT_MIB] [-b THBX] [-d DIR]
#
# Needs about 5x SIZE_MB of free disk in DIR (default bench/out/big; removed
# at the end unless -k). Exit 1 if any conversion fails or goes over the limit.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SIZE_MB=1024
LIMIT_MIB=64
THBX=${THBX:-$ROOT/build/thbx}
DIR=$HERE/out/big
KEEP=0
while getopts "s:l:b:d:k" o; do
  case $o in
  s) SIZE_MB=$OPTARG ;;
  l) LIMIT_MIB=$OPTARG ;;
  b) THBX=$OPTARG ;;
  d) DIR=$OPTARG ;;
  k) KEEP=1 ;;
  *) echo "usage: $0 [-s SIZE_MB] [-l LIMIT_MIB] [-b THBX] [-d DIR] [-k]" >&2; exit 2 ;;
  esac
done
[ -x "$THBX" ] || { echo "no thbx binary at $THBX (build it or pass -b)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$DIR"
[ "$KEEP" = 1 ] || trap 'rm -rf "$DIR"' EXIT

python3 "$HERE/gen_records.py" -n 50000 --seed 9 -o "$DIR/part.ndjson"
part=$(stat -c %s "$DIR/part.ndjson")
copies=$(((SIZE_MB * 1000000 + part - 1) / part))
: >"$DIR/big.ndjson"
for ((i = 0; i < copies; i++)); do cat "$DIR/part.ndjson"; done >"$DIR/big.ndjson"
rm -f "$DIR/part.ndjson"
echo "big.ndjson: $(stat -c %s "$DIR/big.ndjson") bytes, $((copies * 50000)) records"

status=0
# run NAME OUTPUT CMD...: time and peak RSS of CMD; fails over the limit
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$@" 2>"$DIR/err.txt" || {
    echo "FAIL $name: exit $?: $(head -c 300 "$DIR/err.txt")"
    status=1
    return 0
  }
  local secs kb
  read -r secs kb < <(tail -n 1 "$DIR/time.txt")
  local mib=$((kb / 1024))
  local verdict=ok
  [ "$mib" -lt "$LIMIT_MIB" ] || { verdict="OVER ${LIMIT_MIB} MiB"; status=1; }
  printf '%-28s %8.1f s %6d MiB  %s\n' "$name" "$secs" "$mib" "$verdict"
}

run "ndjson -> json (file)" "$THBX" convert -q -c "$DIR/big.ndjson" -t json -o "$DIR/big.json"
run "ndjson -> csv (file)" "$THBX" convert -q "$DIR/big.ndjson" -t csv -o "$DIR/big.csv"
if run "ndjson -> xml (file)" "$THBX" convert -q -c "$DIR/big.ndjson" -t xml -o "$DIR/big.xml" &&
  [ -s "$DIR/big.xml" ]; then
  run "xml -> ndjson" "$THBX" convert -q "$DIR/big.xml" -t ndjson -o /dev/null
fi
run "json -> ndjson" "$THBX" convert -q "$DIR/big.json" -t ndjson -o /dev/null
run "csv -> json" "$THBX" convert -q "$DIR/big.csv" -t json -o /dev/null
run "ndjson -> json (stdout)" sh -c "'$THBX' convert -q '$DIR/big.ndjson' -t json | wc -c >/dev/null"
# one JSON document holding one record of 1 GB would not be bounded: it is
# refused by --max-record-size (default 16 MiB), also in bounded memory
{ printf '[{"s":"'; head -c $((SIZE_MB * 1000000 / 4)) /dev/zero | tr '\0' x; printf '"}]'; } >"$DIR/one.json"
/usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$THBX" convert -q -p none "$DIR/one.json" -t ndjson \
  -o /dev/null 2>"$DIR/err.txt" && { echo "FAIL: a huge record was not refused"; status=1; }
# (time's last line: a failing command adds "Command exited with ..." first)
read -r secs kb < <(tail -n 1 "$DIR/time.txt")
printf '%-28s %8.1f s %6d MiB  %s\n' "one huge record (refused)" "$secs" "$((kb / 1024))" \
  "$([ $((kb / 1024)) -lt "$LIMIT_MIB" ] && echo ok || echo "OVER ${LIMIT_MIB} MiB")"
[ $((kb / 1024)) -lt "$LIMIT_MIB" ] || status=1
exit $status
