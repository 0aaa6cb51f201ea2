#!/usr/bin/env bash
# JSON Schema validation benchmark: libthbx's engine against ajv, side by
# side in one run, on the thb-event schema and generated records.
#
#   bench/bench_validate_ajv.sh [-n N] [-r REPEAT] [-B BUILD_DIR] [-a AJV_DIR] [FILE.ndjson]
#
# Both compile the schema once, then parse and validate each line of the
# NDJSON file with format assertion on (ajv: ajv-formats). thbx's side is
# BUILD_DIR/tests/bench_validate (built with the tests; use a Release build),
# which reads with libthbx's NDJSON reader; a --read-only pass shows what
# reading alone costs. ajv needs AJV_DIR/node_modules with ajv and ajv-formats:
#   npm install --prefix AJV_DIR ajv ajv-formats
# (default AJV_DIR: bench/out/ajv, installed there on first use if npm is
# available). Best of REPEAT runs (default 3) by CPU time of the loop (user +
# system, every thread of the process: node's GC threads count), which stays
# fair on a loaded machine where wall-clock time does not; wall-clock time is
# printed beside it. Results: bench/out/validate.txt
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
REPEAT=3
BUILD=$ROOT/build
AJV_DIR=$HERE/out/ajv
while getopts "n:r:B:a:" o; do
  case $o in
  n) N=$OPTARG ;;
  r) REPEAT=$OPTARG ;;
  B) BUILD=$OPTARG ;;
  a) AJV_DIR=$OPTARG ;;
  *) echo "usage: $0 [-n N] [-r REPEAT] [-B BUILD_DIR] [-a AJV_DIR] [FILE.ndjson]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
BENCH=$BUILD/tests/bench_validate
[ -x "$BENCH" ] || { echo "no $BENCH (build the tests in $BUILD, Release)" >&2; exit 2; }
command -v node >/dev/null || { echo "node is needed for ajv" >&2; exit 2; }
if [ ! -d "$AJV_DIR/node_modules/ajv" ]; then
  mkdir -p "$AJV_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AJV_DIR" ajv@8 ajv-formats@3 >&2
fi
AJV_DIR=$(cd "$AJV_DIR" && pwd)
OUT=$HERE/out
mkdir -p "$OUT/data"
SCHEMA=$ROOT/schemas/thb-event-1.0.schema.json
DATA=$OUT/data/validate.ndjson
if [ $# -ge 1 ]; then
  cp "$1" "$DATA"
else
  python3 "$HERE/gen_records.py" -n "$N" --seed 1 -o "$DATA"
fi

field() { sed -n "s/^$1: //p" "$2"; }
run() { # name command...: REPEAT runs; the one with the least CPU time is kept in $OUT/$name.out
  local name=$1 b="" s
  shift
  for ((i = 0; i < REPEAT; i++)); do
    "$@" >"$OUT/$name.try"
    s=$(field cpu_seconds "$OUT/$name.try")
    if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then
      b=$s
      mv "$OUT/$name.try" "$OUT/$name.out"
    fi
  done
  rm -f "$OUT/$name.try"
}

run thbx-read "$BENCH" --read-only --formats "$SCHEMA" "$DATA"
run thbx "$BENCH" --formats "$SCHEMA" "$DATA"
run ajv env AJV_DIR="$AJV_DIR" node "$HERE/ajv_validate.mjs" --formats "$SCHEMA" "$DATA"
records=$(field records "$OUT/thbx.out")
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), nproc $(nproc)"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "node: $(node --version), ajv: $(node -p "require('$AJV_DIR/node_modules/ajv/package.json').version")"
  echo "records: $records ($(du -m "$DATA" | cut -f1) MB), best of $REPEAT by CPU time, schema compiled once (not counted)"
  printf '%-32s %9s %9s %14s %7s %7s\n' "what" "cpu s" "wall s" "records/cpu-s" "valid" "invalid"
  for r in "thbx read only (NDJSON reader):thbx-read" "thbx read + validate:thbx" \
    "ajv JSON.parse + validate:ajv"; do
    IFS=: read -r what name <<<"$r"
    c=$(field cpu_seconds "$OUT/$name.out")
    printf '%-32s %9.3f %9.3f %14.0f %7s %7s\n' "$what" "$c" "$(field seconds "$OUT/$name.out")" \
      "$(awk "BEGIN{print $records / $c}")" "$(field valid "$OUT/$name.out")" \
      "$(field invalid "$OUT/$name.out")"
  done
  echo "thbx / ajv records per CPU second: $(awk "BEGIN{printf \"%.2f\", $(field cpu_seconds "$OUT/ajv.out") / $(field cpu_seconds "$OUT/thbx.out")}")x"
} | tee "$OUT/validate.txt"
