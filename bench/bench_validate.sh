#!/usr/bin/env bash
# Validation benchmark (issue 6): `thbx validate` against its peers on the
# same records, in one run.
#
#   bench/bench_validate.sh [-n N] [-r REPEAT] [-b THBX] [-a AJV_DIR] [FILE.ndjson]
#
# Generates N (default 100000) records with bench/gen_records.py (or uses
# FILE.ndjson), makes the XML spelling with thbx convert, then times (best of
# REPEAT runs, default 1, whole processes with /usr/bin/time):
#   NDJSON  thbx validate -q --no-dataset-rules   (read, JSON Schema with format
#           assertions; the dataset rules are reported on a separate line)
#   NDJSON  ajv: node bench/ajv_validate.mjs --formats (compile once, JSON.parse
#           and validate each line; draft 2020-12 with ajv-formats), same schema
#   XML     thbx validate -q --no-dataset-rules   (XSD while reading + conversion
#           + JSON Schema)
#   XML     xmllint --stream --noout --schema PROFILE.xsd   (the XSD alone)
# Targets: thbx >= 2x ajv on NDJSON; thbx >= 2/3 of xmllint's speed on XML.
# Both CPU seconds (user+sys) and elapsed seconds are printed: on a shared
# machine compare CPU seconds. Results go to bench/out/validate/results.txt.
#
# AJV_DIR holds node_modules/ with ajv and ajv-formats; if it has none, they
# are installed there with `npm install --prefix AJV_DIR ajv ajv-formats`.
# Needs /usr/bin/time (Debian package `time`), node, xmllint, python3.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
REPEAT=1
THBX=${THBX:-$ROOT/build/thbx}
AJV_DIR=${AJV_DIR:-$HERE/out/ajv}
while getopts "n:r:b:a:" o; do
  case $o in
  n) N=$OPTARG ;;
  r) REPEAT=$OPTARG ;;
  b) THBX=$OPTARG ;;
  a) AJV_DIR=$OPTARG ;;
  *) echo "usage: $0 [-n N] [-r REPEAT] [-b THBX] [-a AJV_DIR] [FILE.ndjson]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ -x "$THBX" ] || { echo "no thbx binary at $THBX (build it or pass -b)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
OUT=$HERE/out/validate
DATA=$OUT/data
mkdir -p "$DATA"
RESULTS=$OUT/results.txt

if [ $# -ge 1 ]; then
  cp "$1" "$DATA/validate.ndjson"
else
  python3 "$HERE/gen_records.py" -n "$N" --seed 1 -o "$DATA/validate.ndjson"
fi
N=$(grep -c '' "$DATA/validate.ndjson")
"$THBX" schema >"$DATA/profile.schema.json"
"$THBX" schema --xsd >"$DATA/profile.xsd"
have_xml=1
"$THBX" convert -q "$DATA/validate.ndjson" -t xml -o "$DATA/validate.xml" 2>"$OUT/convert.err" ||
  { have_xml=0; echo "xml: skipped ($(head -1 "$OUT/convert.err"))" >&2; }
have_ajv=1
if [ ! -d "$AJV_DIR/node_modules/ajv-formats" ]; then
  mkdir -p "$AJV_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AJV_DIR" ajv ajv-formats >/dev/null 2>&1 ||
    { have_ajv=0; echo "ajv: skipped (npm install failed)" >&2; }
fi
command -v node >/dev/null || have_ajv=0

# run NAME CMD...: best of REPEAT by CPU seconds; prints "NAME elapsed cpu
# maxrss_kb" and keeps the last stdout/stderr in $OUT/last.out, last.err
run() {
  local name=$1 best="" best_cpu="" e u s m cpu
  shift
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" >"$OUT/last.out" 2>"$OUT/last.err" || true
    read -r e u s m <<<"$(tail -1 "$OUT/time")"
    cpu=$(calc "$u + $s")
    if [ -z "$best" ] || awk "BEGIN { exit !($cpu < $best_cpu) }"; then
      best="$e $cpu $m"
      best_cpu=$cpu
    fi
  done
  echo "$name $best"
}

calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
mb() { calc "$(stat -c %s "$1") / 1048576"; }
row() { # name elapsed cpu rss file
  printf "| %s | %s | %s | %s | %s |\n" "$1" "$2" "$3" \
    "$(awk "BEGIN { printf \"%d\", $N / $3 }")" "$(($4 / 1024))"
}

{
  echo "validate benchmark: $N records, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
  echo "NDJSON $(mb "$DATA/validate.ndjson") MB$([ $have_xml = 1 ] && echo ", XML $(mb "$DATA/validate.xml") MB")"
  echo
  echo "| run | elapsed s | CPU s | records/CPU s | max RSS MB |"
  echo "|---|---|---|---|---|"
  read -r _ e1 c1 m1 < <(run thbx-ndjson "$THBX" validate -q --no-dataset-rules "$DATA/validate.ndjson")
  summary_thbx=$(tail -1 "$OUT/last.out")
  row "thbx validate NDJSON (JSON Schema + formats)" "$e1" "$c1" "$m1"
  read -r _ e2 c2 m2 < <(run thbx-ndjson-rules "$THBX" validate -q "$DATA/validate.ndjson")
  row "thbx validate NDJSON + dataset rules" "$e2" "$c2" "$m2"
  if [ $have_ajv = 1 ]; then
    read -r _ e3 c3 m3 < <(run ajv env AJV_DIR="$AJV_DIR" node "$HERE/ajv_validate.mjs" --formats \
      "$DATA/profile.schema.json" "$DATA/validate.ndjson")
    summary_ajv=$(grep -E '^(valid|invalid):' "$OUT/last.out" | tr '\n' ' ')
    row "ajv (node, compile once, JSON.parse + validate per line)" "$e3" "$c3" "$m3"
  fi
  if [ $have_xml = 1 ]; then
    read -r _ e4 c4 m4 < <(run thbx-xml "$THBX" validate -q --no-dataset-rules "$DATA/validate.xml")
    summary_xml=$(tail -1 "$OUT/last.out")
    row "thbx validate XML (XSD + JSON Schema)" "$e4" "$c4" "$m4"
    read -r _ e5 c5 m5 < <(run xmllint xmllint --stream --noout --schema "$DATA/profile.xsd" "$DATA/validate.xml")
    summary_xmllint=$(tail -1 "$OUT/last.err")
    row "xmllint --stream --schema (XSD alone)" "$e5" "$c5" "$m5"
  fi
  echo
  echo "thbx NDJSON: $summary_thbx"
  if [ $have_ajv = 1 ]; then
    echo "ajv: $summary_ajv"
    echo "thbx vs ajv (CPU): $(calc "$c3 / $c1")x (target >= 2x); elapsed $(calc "$e3 / $e1")x"
  fi
  if [ $have_xml = 1 ]; then
    echo "thbx XML: $summary_xml"
    echo "xmllint: $summary_xmllint"
    echo "thbx vs xmllint (CPU): $(calc "$c5 / $c4")x of xmllint's speed (target >= 0.67); elapsed $(calc "$e5 / $e4")x"
  fi
} | tee "$RESULTS"
