#!/usr/bin/env bash
# Every comparison of issue 15 in one command, on the same generated data:
#
#   bench/all.sh [-n N] [-r REPEAT] [-k]     (default 100000 records, best of 5)
#
# Builds a Release tree in build-bench (thbx, bench_validate and the floor
# bench/floor_yajl_jansson), generates N records with bench/gen_records.py
# --seed 1 and their JSON, CSV and XML spellings (thbx convert), 300 small XML
# files of 10 records each, then times each comparison with both tools in the
# same run, interleaved (thbx, peer, thbx, peer, ...), REPEAT times, and keeps
# the best wall clock of each; CPU seconds (user + sys) and max RSS from
# /usr/bin/time stand beside them. It prints the load average first and the
# machine, then one table of ratios (peer seconds / thbx seconds: above 1 is
# thbx faster) with the targets beside them, and checks that no thbx run
# went over 64 MiB of max RSS. -k keeps the data of an earlier run (same N).
#
# The comparisons (-j: thbx's worker threads):
#   validate NDJSON  thbx validate -q --no-dataset-rules -j 1 / -j 2
#                    vs ajv 8 (node bench/ajv_validate.mjs --formats: JSON.parse
#                    and validate each line, draft 2020-12 + ajv-formats)
#   NDJSON -> JSON   thbx convert -t json  vs  jq -c .
#   CSV -> JSON      thbx convert -t json  vs  mlr --icsv --ojson cat
#   validate XML     thbx validate -q --no-dataset-rules (XSD + JSON Schema)
#                    vs xmllint --stream --noout --schema (the XSD alone)
#   300 XML files    thbx validate -q --no-dataset-rules FILES
#                    vs xmllint --noout --schema XSD FILES
#   reading NDJSON   bench_validate --read-only (libthbx's NDJSON reader into
#                    json_t records) vs the floor floor_yajl_jansson (yajl ->
#                    the same jansson records, nothing else); the ratio is
#                    floor / thbx, target >= 1/1.5
# ajv comes from tests/package.json and tests/package-lock.json (npm ci into
# bench/out/ajv, as tests/ajv/run.sh does). Results: bench/out/all/.
# Needs: cmake, gcc, python3, time, jq, miller, libxml2-utils, nodejs, npm.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
REPEAT=5
KEEP=0
while getopts "n:r:k" o; do
  case $o in
  n) N=$OPTARG ;;
  r) REPEAT=$OPTARG ;;
  k) KEEP=1 ;;
  *) echo "usage: bench/all.sh [-n N] [-r REPEAT] [-k]" >&2; exit 2 ;;
  esac
done
for tool in /usr/bin/time jq mlr xmllint node npm python3 cmake; do
  command -v "$tool" >/dev/null || { echo "bench/all.sh needs $tool" >&2; exit 2; }
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"

B=$ROOT/build-bench
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DTHBX_BUILD_TESTS=ON -DTHBX_BUILD_BENCH=ON \
  >/dev/null
cmake --build "$B" -j"$(nproc)" --target thbx bench_validate floor_yajl_jansson >/dev/null
THBX=$B/thbx
OUT=$HERE/out/all
D=$OUT/data
mkdir -p "$D"

# ---------------------------------------------------------------- the data
if [ "$KEEP" = 0 ] || [ ! -f "$D/r.ndjson" ] || [ "$(grep -c '' "$D/r.ndjson")" != "$N" ]; then
  rm -rf "$D" && mkdir -p "$D/small"
  python3 "$HERE/gen_records.py" -n "$N" --seed 1 -o "$D/r.ndjson"
  "$THBX" convert -q "$D/r.ndjson" -t csv -o "$D/r.csv"
  "$THBX" convert -q "$D/r.ndjson" -t xml -o "$D/r.xml"
  head -3000 "$D/r.ndjson" | split -l 10 -d -a 3 - "$D/small/s"
  for f in "$D"/small/s[0-9][0-9][0-9]; do
    "$THBX" convert -q -f ndjson "$f" -t xml -o "$f.xml" && rm "$f"
  done
fi
"$THBX" schema >"$D/schema.json"
"$THBX" schema --xsd >"$D/profile.xsd"
SMALL=("$D"/small/*.xml)

AJV=$HERE/out/ajv
if [ ! -f "$AJV/node_modules/ajv/package.json" ] ||
  ! cmp -s "$ROOT/tests/package-lock.json" "$AJV/package-lock.json"; then
  mkdir -p "$AJV"
  cp "$ROOT/tests/package.json" "$ROOT/tests/package-lock.json" "$AJV/"
  npm ci --prefix "$AJV" --cache "$HERE/out/npm-cache" --prefer-offline --no-audit --no-fund \
    --loglevel=error >/dev/null
fi
export AJV_DIR=$AJV

# ------------------------------------------------------------------ timing
# once NAME CMD...: one run; appends "NAME elapsed cpu maxrss_kb rc" to $OUT/runs.txt
once() {
  local name=$1 e u s m rc
  shift
  rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  read -r e u s m <<<"$(tail -1 "$OUT/time")"
  echo "$name $e $(awk "BEGIN { printf \"%.2f\", $u + $s }") $m $rc" >>"$OUT/runs.txt"
}

# pair NAME_A NAME_B -- CMD_A... -- CMD_B...: REPEAT interleaved runs of both
pair() {
  local a=$1 b=$2
  shift 3
  local ca=() cb=()
  while [ "$1" != "--" ]; do ca+=("$1"); shift; done
  shift
  cb=("$@")
  for _ in $(seq "$REPEAT"); do
    once "$a" "${ca[@]}"
    once "$b" "${cb[@]}"
  done
}

: >"$OUT/runs.txt"
V=(validate -q --no-dataset-rules)
AJVRUN=(node "$HERE/ajv_validate.mjs" --formats "$D/schema.json" "$D/r.ndjson")
echo "timing (best of $REPEAT, interleaved) ..."
pair thbx_validate_ndjson_j1 ajv -- "$THBX" "${V[@]}" -j 1 "$D/r.ndjson" -- "${AJVRUN[@]}"
pair thbx_validate_ndjson_j2 ajv_again -- "$THBX" "${V[@]}" -j 2 "$D/r.ndjson" -- "${AJVRUN[@]}"
pair thbx_ndjson_json_j1 jq -- "$THBX" convert -q -t json -j 1 "$D/r.ndjson" -o /dev/null \
  -- sh -c 'jq -c . "$1" >/dev/null' jq "$D/r.ndjson"
pair thbx_ndjson_json_j2 jq_again -- "$THBX" convert -q -t json -j 2 "$D/r.ndjson" -o /dev/null \
  -- sh -c 'jq -c . "$1" >/dev/null' jq "$D/r.ndjson"
pair thbx_csv_json_j1 mlr -- "$THBX" convert -q -t json -j 1 "$D/r.csv" -o /dev/null \
  -- sh -c 'mlr --icsv --ojson cat "$1" >/dev/null' mlr "$D/r.csv"
pair thbx_csv_json_j2 mlr_again -- "$THBX" convert -q -t json -j 2 "$D/r.csv" -o /dev/null \
  -- sh -c 'mlr --icsv --ojson cat "$1" >/dev/null' mlr "$D/r.csv"
pair thbx_validate_xml_j1 xmllint_stream -- "$THBX" "${V[@]}" -j 1 "$D/r.xml" \
  -- xmllint --stream --noout --schema "$D/profile.xsd" "$D/r.xml"
pair thbx_validate_xml_j2 xmllint_stream_again -- "$THBX" "${V[@]}" -j 2 "$D/r.xml" \
  -- xmllint --stream --noout --schema "$D/profile.xsd" "$D/r.xml"
pair thbx_small_xml_j1 xmllint_small -- "$THBX" "${V[@]}" -j 1 "${SMALL[@]}" \
  -- xmllint --noout --schema "$D/profile.xsd" "${SMALL[@]}"
pair thbx_small_xml_j2 xmllint_small_again -- "$THBX" "${V[@]}" -j 2 "${SMALL[@]}" \
  -- xmllint --noout --schema "$D/profile.xsd" "${SMALL[@]}"
pair thbx_read_ndjson floor -- "$B/tests/bench_validate" --read-only "$D/schema.json" "$D/r.ndjson" \
  -- "$B/bench/floor_yajl_jansson" "$D/r.ndjson"

# ------------------------------------------------------------------- table
# best NAME: "elapsed cpu maxrss_mib" of the run with the least wall clock
best() {
  awk -v n="$1" '$1 == n && (b == "" || $2 < b) { b = $2; c = $3; m = $4 }
    END { if (b == "") print "- - -"; else printf "%s %s %.1f\n", b, c, m / 1024 }' "$OUT/runs.txt"
}
row() { # LABEL THBX_NAME PEER_NAME TARGET
  local t p
  read -r te tc tm <<<"$(best "$2")"
  read -r pe pc pm <<<"$(best "$3")"
  awk -v l="$1" -v te="$te" -v tc="$tc" -v tm="$tm" -v pe="$pe" -v pc="$pc" -v pm="$pm" \
    -v tg="$4" 'BEGIN {
      r = (te > 0) ? sprintf("%.2fx", pe / te) : "-"
      rc = (tc > 0) ? sprintf("%.2fx", pc / tc) : "-"
      printf "| %s | %s | %s | %s | %s | %s / %s | %s / %s |\n", l, r, tg, rc, te " / " pe, tc, pc, tm, pm
    }'
}
{
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| comparison | peer / thbx (wall) | target | peer / thbx (CPU) | wall s thbx / peer | CPU s thbx / peer | max RSS MiB thbx / peer |"
  echo "|---|---|---|---|---|---|---|"
  row "validate NDJSON vs ajv, -j 1" thbx_validate_ndjson_j1 ajv ">= 2.5x"
  row "validate NDJSON vs ajv, -j 2" thbx_validate_ndjson_j2 ajv_again ">= 4x"
  row "NDJSON -> JSON vs \`jq -c .\`, -j 1" thbx_ndjson_json_j1 jq ">= 3x"
  row "NDJSON -> JSON vs \`jq -c .\`, -j 2" thbx_ndjson_json_j2 jq_again "-"
  row "CSV -> JSON vs Miller, -j 1" thbx_csv_json_j1 mlr ">= 8x"
  row "CSV -> JSON vs Miller, -j 2" thbx_csv_json_j2 mlr_again "-"
  row "validate XML vs \`xmllint --stream\`, -j 1" thbx_validate_xml_j1 xmllint_stream ">= 0.9x"
  row "validate XML vs \`xmllint --stream\`, -j 2" thbx_validate_xml_j2 xmllint_stream_again ">= 1.5x"
  row "300 small XML files vs \`xmllint --noout\`, -j 1" thbx_small_xml_j1 xmllint_small ">= 1.5x"
  row "300 small XML files vs \`xmllint --noout\`, -j 2" thbx_small_xml_j2 xmllint_small_again "-"
  row "reading NDJSON into records vs the yajl -> jansson floor" thbx_read_ndjson floor ">= 0.67x"
  echo
  echo "records: $N ($(du -m "$D/r.ndjson" | cut -f1) MB NDJSON, $(du -m "$D/r.xml" | cut -f1) MB XML); ${#SMALL[@]} small XML files of 10 records"
  awk '$5 != 0 && $5 != 1 { print "note: " $1 " exited " $5 " (see bench/out/all/" $1 ".err)" }' "$OUT/runs.txt" | sort -u
  awk '$1 ~ /^thbx/ && $4 > 65536 { print "FAIL: " $1 " max RSS " int($4 / 1024) " MiB > 64 MiB"; bad = 1 }
    END { if (!bad) print "max RSS of every thbx run <= 64 MiB: ok" }' "$OUT/runs.txt"
  echo "ajv: $(grep -E '^(valid|invalid):' "$OUT/ajv.out" | tr '\n' ' ')"
  echo "thbx: $(tail -1 "$OUT/thbx_validate_ndjson_j1.out")"
} | tee "$OUT/table.md"
