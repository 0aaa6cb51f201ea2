#!/usr/bin/env bash
# Conversion benchmark: thbx convert for every format pair, side by side with
# the peers on the same data, in one run.
#
#   bench/run.sh [-n N] [-r REPEAT] [-b THBX] [FILE.ndjson]
#
# Generates N (default 100000) records with bench/gen_records.py (or uses
# FILE.ndjson), makes the JSON, CSV and XML spellings with thbx convert, then
# times (best of REPEAT runs, default 1):
#   - thbx convert -f A -t B for every pair A, B of json ndjson csv xml
#   - peers: mlr --icsv --ojson cat (CSV -> JSON), jq -c '.[]' (JSON -> NDJSON),
#     jq -c . and jq -s . (NDJSON -> JSON)
# and prints seconds, MB/s (input bytes), records/s and max RSS. Results go
# to bench/out/results.txt (and the machine to bench/out/machine.txt).
# Needs /usr/bin/time (Debian package `time`), jq and mlr for the peers.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
REPEAT=1
THBX=${THBX:-$ROOT/build/thbx}
while getopts "n:r:b:" o; do
  case $o in
  n) N=$OPTARG ;;
  r) REPEAT=$OPTARG ;;
  b) THBX=$OPTARG ;;
  *) echo "usage: $0 [-n N] [-r REPEAT] [-b THBX] [FILE.ndjson]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ -x "$THBX" ] || { echo "no thbx binary at $THBX (build it or pass -b)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
OUT=$HERE/out
DATA=$OUT/data
mkdir -p "$DATA"

if [ $# -ge 1 ]; then
  cp "$1" "$DATA/records.ndjson"
else
  python3 "$HERE/gen_records.py" -n "$N" --seed 1 -o "$DATA/records.ndjson"
fi
N=$(grep -c '' "$DATA/records.ndjson")
formats=ndjson
for f in json csv xml; do
  if "$THBX" convert -q "$DATA/records.ndjson" -t $f -o "$DATA/records.$f"; then
    formats="$formats $f"
  else
    echo "$f: skipped (thbx cannot write it)" >&2
  fi
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "thbx: $("$THBX" --version)"
  echo "jq: $(jq --version 2>/dev/null || echo absent)"
  echo "mlr: $(mlr --version 2>/dev/null || echo absent)"
  echo "records: $N"
  for f in $formats; do
    echo "records.$f: $(stat -c %s "$DATA/records.$f") bytes"
  done
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

RESULTS=$OUT/results.txt
printf '%-34s %8s %8s %8s %10s %8s\n' "command" "seconds" "cpu s" "MB/s" "records/s" "RSS MiB" |
  tee "$RESULTS"

# measure NAME INPUT CMD...: best of REPEAT runs, stdout to /dev/null
measure() {
  local name=$1 input=$2 best="" cpu=0 rss=0 i secs user sys kb
  shift 2
  local size
  size=$(stat -c %s "$input")
  for ((i = 0; i < REPEAT; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" <"$input" >/dev/null 2>"$OUT/stderr.txt" || {
      echo "$name: failed: $(head -c 300 "$OUT/stderr.txt")" >&2
      return 0
    }
    read -r secs user sys kb <"$OUT/time.txt"
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$secs
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
      rss=$kb
    fi
  done
  awk -v n="$name" -v s="$best" -v c="$cpu" -v b="$size" -v r="$N" -v k="$rss" 'BEGIN {
    if (s < 0.01) s = 0.01
    printf "%-34s %8.2f %8.2f %8.1f %10.0f %8.1f\n", n, s, c, b / 1e6 / s, r / s, k / 1024 }' |
    tee -a "$RESULTS"
}

for a in $formats; do
  for b in $formats; do
    measure "thbx $a -> $b" "$DATA/records.$a" "$THBX" convert -q -f "$a" -t "$b" -
  done
done
if command -v mlr >/dev/null && [ -f "$DATA/records.csv" ]; then
  measure "peer mlr --icsv --ojson cat" "$DATA/records.csv" mlr --icsv --ojson cat
fi
if command -v jq >/dev/null; then
  [ -f "$DATA/records.json" ] && measure "peer jq -c '.[]' (json -> ndjson)" "$DATA/records.json" jq -c '.[]'
  measure "peer jq -c . (ndjson -> ndjson)" "$DATA/records.ndjson" jq -c .
  measure "peer jq -s . (ndjson -> json)" "$DATA/records.ndjson" jq -s .
fi

# the targets of issue 4, from this run's figures: elapsed seconds, and CPU
# seconds (user + system), steadier on a shared machine
awk '
  function grab(a) { a["s"] = $(NF - 4); a["c"] = $(NF - 3) }
  /^thbx csv -> json / { grab(tc) } /^thbx ndjson -> json / { grab(tn) }
  /^peer mlr/ { grab(m) } /^peer jq -c \. / { grab(j) } /^peer jq -s/ { grab(js) }
  function ratio(what, t, p, pname, target) {
    if (!t["s"] || !p["s"]) return
    printf "%s: thbx %.2f s (cpu %.2f), %s %.2f s (cpu %.2f): %.1fx elapsed, %.1fx cpu (target >= %dx)\n",
      what, t["s"], t["c"], pname, p["s"], p["c"], p["s"] / t["s"], p["c"] / (t["c"] ? t["c"] : 0.01), target
  }
  END {
    ratio("CSV->JSON", tc, m, "mlr --icsv --ojson cat", 5)
    ratio("NDJSON->JSON", tn, j, "jq -c .", 2)
    ratio("NDJSON->JSON", tn, js, "jq -s .", 2)
  }' "$RESULTS" | tee -a "$RESULTS"
rm -f "$OUT/time.txt" "$OUT/stderr.txt"
echo "results in $RESULTS; data in $DATA (delete it when done)"
