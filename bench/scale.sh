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
# t LABEL CMD...: wall and CPU (user+sys, children included) seconds of
# CMD, the run with the best wall time of 3
t() {
  local label=$1 best="" cpu=""
  shift
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %U %S" -o "$W/time" bash -c "$*"
    read -r e u s <"$W/time"
    if [ -z "$best" ] || [ "$(echo "$e < $best" | bc)" = 1 ]; then
      best=$e
      cpu=$(echo "$u + $s" | bc)
    fi
  done
  printf '%-28s wall %6.2f s   cpu %6.2f s\n' "$label" "$best" "$cpu"
  echo "$best" >"$W/t.$label"
}
v="$T validate --today 2026-12-01"
t convert_one "$T convert -f ndjson -t csv --no-header <$W/big.ndjson >$W/one.csv"
t convert_j "$T convert -j $J -f ndjson -t csv --no-header <$W/big.ndjson >$W/j.csv"
cmp -s "$W/one.csv" "$W/j.csv" || { echo "convert -j differs" >&2; exit 1; }
t convert_parallel_pipe "parallel --pipe --keep-order --block $block -j $J $T convert -f ndjson \
  -t csv --no-header <$W/big.ndjson >$W/par.csv"
cmp -s "$W/one.csv" "$W/par.csv" || { echo "parallel --pipe convert differs" >&2; exit 1; }
t convert_parallel_pipepart "parallel --pipepart -a $W/big.ndjson --keep-order --block $block \
  -j $J $T convert -f ndjson -t csv --no-header >$W/pp.csv"
cmp -s "$W/one.csv" "$W/pp.csv" || { echo "parallel --pipepart convert differs" >&2; exit 1; }
t convert_xargs "ls $W/files/f*.ndjson | xargs -P $J -I{} $T convert -t csv --no-header {} -o {}.csv"
cat "$W"/files/f*.ndjson.csv | cmp -s - "$W/one.csv" || { echo "xargs convert differs" >&2; exit 1; }
t validate_one "$v -f ndjson --format json - <$W/big.ndjson >$W/one.json || true"
t validate_j "$v -j $J -f ndjson --format json - <$W/big.ndjson >$W/vj.json || true"
t validate_pipepart_merge "parallel --pipepart -a $W/big.ndjson --keep-order --block $block -j $J \
  $v -f ndjson --format chunk - >$W/run.chunk; $T validate --merge --format json $W/run.chunk \
  >$W/par.json || true"
cmp -s "$W/one.json" "$W/par.json" || { echo "merged validate differs" >&2; exit 1; }
for k in convert_j convert_parallel_pipe convert_parallel_pipepart convert_xargs; do
  printf '%-28s %6.2fx\n' "speed-up $k" "$(echo "$(cat "$W/t.convert_one") / $(cat "$W/t.$k")" | bc -l)"
done
for k in validate_j validate_pipepart_merge; do
  printf '%-28s %6.2fx\n' "speed-up $k" "$(echo "$(cat "$W/t.validate_one") / $(cat "$W/t.$k")" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
