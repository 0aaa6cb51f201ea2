#!/usr/bin/env bash
# Every benchmark in one command, on the same generated data:
#   bench/all.sh [-n N]        (default N=100000 records)
# Builds a Release tree in build-bench, then runs bench/run.sh (conversion
# vs Miller and jq), bench/bench_validate.sh (validate vs ajv and xmllint)
# and bench/bench_validate_ajv.sh (the JSON Schema engine alone vs ajv).
# Results: bench/out/*.txt; the figures are discussed in docs/performance.md.
# Needs: time, jq, miller, libxml2-utils, nodejs+npm (ajv is installed into
# bench/out by the scripts).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
while getopts "n:" o; do
  case $o in
  n) N=$OPTARG ;;
  *) echo "usage: bench/all.sh [-n N]" >&2; exit 2 ;;
  esac
done
B="$ROOT/build-bench"
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j"$(nproc)" >/dev/null
echo "== conversion"
bash "$HERE/run.sh" -n "$N" -b "$B/thbx"
echo "== validation (thbx validate vs ajv and xmllint)"
bash "$HERE/bench_validate.sh" -n "$N" -b "$B/thbx"
echo "== JSON Schema engine alone vs ajv"
bash "$HERE/bench_validate_ajv.sh" -n "$N" -B "$B"
