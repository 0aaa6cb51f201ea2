#!/usr/bin/env bash
# -j N benchmark (issue 11): thbx validate and convert at -j 1 and -j 2 on
# the same generated records, NDJSON and their XML spelling.
#
#   bench/jobs.sh [-n N] [-r REPEAT] [-b THBX]
#
# Generates N (default 100000) records with bench/gen_records.py, spells
# them as XML with thbx convert, then times (best of REPEAT runs, default 3,
# whole processes with /usr/bin/time; elapsed and CPU seconds and max RSS):
#   thbx validate -q -j 1 / -j 2      on the NDJSON and on the XML
#   thbx convert -t json -j 1 / -j 2  on the NDJSON
# and prints the speed-up (elapsed -j 1 / elapsed -j 2). The load average
# is printed before and after: the speed-up needs the 2 cores free, so on a
# shared machine read it with the load. Results: bench/out/jobs/results.txt.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
REPEAT=3
THBX=${THBX:-$ROOT/build/thbx}
while getopts "n:r:b:" o; do
  case $o in
  n) N=$OPTARG ;;
  r) REPEAT=$OPTARG ;;
  b) THBX=$OPTARG ;;
  *) echo "usage: $0 [-n N] [-r REPEAT] [-b THBX]" >&2; exit 2 ;;
  esac
done
OUT=$HERE/out/jobs
mkdir -p "$OUT"
ND=$OUT/records-$N.ndjson
XML=$OUT/records-$N.xml
[ -s "$ND" ] || python3 "$HERE/gen_records.py" -n "$N" -o "$ND"
[ -s "$XML" ] || "$THBX" convert -q -t xml -o "$XML" "$ND"

# best LABEL CMD...: best elapsed of REPEAT runs -> "elapsed cpu rss"
best() {
  local label=$1 b="" line e c m
  shift
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/t" "$@" >/dev/null 2>&1 || true
    read -r e u s m <"$OUT/t"
    c=$(echo "$u + $s" | bc)
    if [ -z "$b" ] || [ "$(echo "$e < ${b%% *}" | bc)" = 1 ]; then b="$e $c $m"; fi
  done
  printf '%-34s elapsed %6.2f s  cpu %6.2f s  max RSS %6d KB\n' "$label" ${b} | tee -a "$OUT/results.txt" >&2
  echo "$b"
}

: >"$OUT/results.txt"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $N records" | tee -a "$OUT/results.txt"
for what in "validate NDJSON:validate -q $ND" "validate XML:validate -q $XML" \
  "convert NDJSON -> JSON:convert -q -t json $ND"; do
  label=${what%%:*}
  # shellcheck disable=SC2086
  one=$(best "$label -j 1" "$THBX" ${what#*:} -j 1)
  # shellcheck disable=SC2086
  two=$(best "$label -j 2" "$THBX" ${what#*:} -j 2)
  printf '%-34s speed-up %.2fx\n' "$label" "$(echo "${one%% *} / ${two%% *}" | bc -l)" |
    tee -a "$OUT/results.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"
