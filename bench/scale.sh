#!/usr/bin/env bash
# Speed-up of the docs/scale.md recipes on this machine: one process against
# GNU parallel --pipe and xargs -P over files, for convert (NDJSON -> CSV,
# --no-header) and validate (--format chunk, then --merge), checking on the
# way that each split output equals the single one.
#   bench/scale.sh [-n N] [-j JOBS] [-b THBX]   (default 100000 records, nproc jobs)
# Prints the load average before and after: on a shared machine the figures
# are only as good as the machine is quiet.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
N=100000
J=$(nproc)
T="$HERE/../build/thbx"
while getopts "n:j:b:" o; do
  case $o in
  n) N=$OPTARG ;;
  j) J=$OPTARG ;;
  b) T=$OPTARG ;;
  *) echo "usage: bench/scale.sh [-n N] [-j JOBS] [-b THBX]" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 "$HERE/gen_records.py" -n "$N" -o "$W/big.ndjson"
mb=$(( $(wc -c <"$W/big.ndjson") / 1000000 ))
block=$(( mb / (4 * J) + 1 ))M   # about 4 chunks per job
mkdir "$W/files"
split -n "l/$((4 * J))" -d -a 3 --additional-suffix=.ndjson "$W/big.ndjson" "$W/files/f"
echo "records: $N ($mb MB NDJSON), jobs: $J, parallel block: $block, files: $((4 * J))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# t LABEL CMD...: wall seconds of CMD (best of 3)
t() {
  local label=$1 best=""
  shift
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$@"
    e=$(date +%s.%N)
    local d
    d=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc)" = 1 ]; then best=$d; fi
  done
  printf '%-44s %6.2f s\n' "$label" "$best"
  echo "$best" >"$W/t.$label"
}
one_convert() { "$T" convert -f ndjson -t csv --no-header <"$W/big.ndjson" >"$W/one.csv"; }
par_convert() {
  parallel --pipe --keep-order --block "$block" -j "$J" "$T" convert -f ndjson -t csv --no-header \
    <"$W/big.ndjson" >"$W/par.csv"
}
xargs_convert() {
  ls "$W"/files/f*.ndjson | xargs -P "$J" -I{} "$T" convert -t csv --no-header {} -o {}.csv
}
one_validate() { "$T" validate --today 2026-12-01 -f ndjson --format json - <"$W/big.ndjson" >"$W/one.json" || true; }
par_validate() {
  parallel --pipe --keep-order --block "$block" -j "$J" "$T" validate --today 2026-12-01 -f ndjson \
    --format chunk - <"$W/big.ndjson" >"$W/run.chunk" || true
  "$T" validate --merge --format json "$W/run.chunk" >"$W/par.json" || true
}
t convert_one one_convert
t convert_parallel par_convert
cmp -s "$W/one.csv" "$W/par.csv" || { echo "parallel convert differs" >&2; exit 1; }
t convert_xargs xargs_convert
cat "$W"/files/f*.ndjson.csv | cmp -s - "$W/one.csv" || { echo "xargs convert differs" >&2; exit 1; }
t validate_one one_validate
t validate_parallel_merge par_validate
cmp -s "$W/one.json" "$W/par.json" || { echo "merged validate differs" >&2; exit 1; }
for k in convert_parallel convert_xargs; do
  printf '%-44s %6.2fx\n' "speed-up $k" "$(echo "$(cat "$W/t.convert_one") / $(cat "$W/t.$k")" | bc -l)"
done
printf '%-44s %6.2fx\n' "speed-up validate_parallel_merge" \
  "$(echo "$(cat "$W/t.validate_one") / $(cat "$W/t.validate_parallel_merge")" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
