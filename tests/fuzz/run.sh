#!/usr/bin/env bash
# tests/fuzz/run.sh - build the libFuzzer harnesses (clang, ASan+UBSan) into
# build-fuzz/, make seed corpora from samples/, tests/data/ and the vendored
# suites (tests/suites), run every harness for FUZZ_SECONDS (default 60) and
# copy whatever it finds into tests/fuzz/regressions/<harness>/, where the
# fuzz-replay ctests (tests/cmake/fuzz.cmake) replay it in every build.
#
# Exit status: 0 no finding, 1 a harness found a crash, leak, timeout or
# out-of-memory, 2 the fuzzers could not be built.
#
# Environment:
#   FUZZ_SECONDS  seconds per harness (default 60)
#   FUZZ_BUILD    build directory (default build-fuzz in the source tree)
#   FUZZ_ONLY     space-separated harness names to run (default all), e.g.
#                 "reader_csv schema"
#   FUZZ_JOBS     build parallelism (default 2)
#   FUZZ_RSS_MB   libFuzzer -rss_limit_mb (default 2048: ASan's shadow
#                 memory included; the 256 MiB product limit is tested by the
#                 hostile-input CLI tests)
#   FUZZ_TIMEOUT  libFuzzer -timeout in seconds per input (default 10)
#   SUITES        the vendored suites (default tests/suites)
set -uo pipefail

# The whole script is one function, parsed before it runs, so that editing
# or updating this file during a run cannot derail it.
main() {

SRC=$(cd "$(dirname "$0")/../.." && pwd)
SUITES=${SUITES:-$SRC/tests/suites}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD=${FUZZ_BUILD:-$SRC/build-fuzz}
FUZZ_JOBS=${FUZZ_JOBS:-2}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
ALL="reader_json reader_ndjson reader_csv reader_xml roundtrip_json roundtrip_ndjson roundtrip_csv roundtrip_xml schema"
FUZZ_ONLY=${FUZZ_ONLY:-$ALL}

say() { printf '== fuzz: %s\n' "$*"; }

command -v clang >/dev/null 2>&1 || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 2; }
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
  echo "fuzz: clang cannot link libFuzzer (apt-get install libclang-rt-14-dev):" >&2
  cat "$probe/err" >&2
  exit 2
fi

say "building into $FUZZ_BUILD"
targets=""
for h in $FUZZ_ONLY; do targets="$targets fuzz_$h"; done
mkdir -p "$FUZZ_BUILD"
blog=$FUZZ_BUILD/build.log
# shellcheck disable=SC2086
if ! CC=clang cmake -S "$SRC" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTHBX_FUZZ=ON -DTHBX_SANITIZE=ON -DTHBX_BUILD_TESTS=OFF >"$blog" 2>&1 ||
  ! cmake --build "$FUZZ_BUILD" -j"$FUZZ_JOBS" --target $targets >>"$blog" 2>&1; then
  tail -n 40 "$blog" >&2
  echo "fuzz: build failed (log: $blog)" >&2
  exit 2
fi

# ------------------------------------------------------------ seed corpora
SEEDS=$FUZZ_BUILD/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS"

# files FORMAT: the inputs of one format from samples/, tests/data/ and the
# vendored suites, NUL-separated.
files() {
  local fmt=$1 pat
  case $fmt in
  json) pat='-name *.json' ;;
  ndjson) pat='-name *.ndjson -o -name *.jsonl' ;;
  csv) pat='-name *.csv' ;;
  xml) pat='-name *.xml' ;;
  esac
  # shellcheck disable=SC2086
  find "$SRC/samples" "$SRC/tests/data" -type f \( $pat \) -size -1M -print0 2>/dev/null
  case $fmt in
  csv) find "$SUITES/csv-spectrum/csvs" -type f -print0 2>/dev/null ;;
  xml) find "$SUITES/xml-attacks/xmltestdata" -type f -print0 2>/dev/null ;;
  json) find "$SUITES/csv-spectrum/json" -type f -print0 2>/dev/null ;;
  esac
}

# The reader harness takes a selector byte first (bit 0: thb-event profile,
# bit 1: XSD validation, bit 2: tight limits): each seed goes in with
# selectors 0, 1, 3 and 5.
for fmt in json ndjson csv xml; do
  d=$SEEDS/reader_$fmt
  mkdir -p "$d"
  n=0
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    for sel in 0 1 3 5; do
      { printf "\\$(printf '%03o' $sel)"; cat "$f"; } >"$d/$n-$sel"
    done
  done < <(files "$fmt")
done
# small hostile seeds the suites do not have
printf '\001[{"a":"\\u0000"},{"a":1e999999},{"a":1,"a":2}]' >"$SEEDS/reader_json/h1"
printf '\001\357\273\277[{"record_id":"x"}]' >"$SEEDS/reader_json/h2"
printf '\000{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]' >"$SEEDS/reader_ndjson/h1"
printf '\001{"record_id":"a"}\n\n{"record_id":\n{"record_id":"\377"}\n' >"$SEEDS/reader_ndjson/h2"
printf '\001record_id,person.sex\n"a,"b\nc,d,e\n"x""y",\000\n' >"$SEEDS/reader_csv/h1"
printf '\001<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><records><record>&b;</record></records>' >"$SEEDS/reader_xml/h1"

# The round-trip harness reads NDJSON (generic): every sample and test record.
mkdir -p "$SEEDS/roundtrip"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  head -c 65536 "$f" >"$SEEDS/roundtrip/$n"
done < <(files ndjson)
printf '{"s":"=1+2","n":-0.0,"r":1e300,"u":"\\u00e9\\ud83d\\ude00","e":[],"o":{}}\n' >"$SEEDS/roundtrip/h1"
for fmt in json ndjson csv xml; do
  ln -sfn roundtrip "$SEEDS/roundtrip_$fmt" # relative: works for a relative FUZZ_BUILD too
done

# The schema harness takes [schema, instance...]: the JSON-Schema-Test-Suite's
# groups, turned into that shape.
mkdir -p "$SEEDS/schema"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$SUITES/json-schema-test-suite/tests" "$SEEDS/schema" <<'EOF'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
n = 0
for dirpath, _, names in os.walk(root):
    for name in sorted(names):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                groups = json.load(f)
        except (OSError, ValueError):
            continue
        for g in groups:
            doc = [g.get("schema")] + [t.get("data") for t in g.get("tests", [])]
            n += 1
            with open(os.path.join(out, "%d.json" % n), "w", encoding="utf-8") as f:
                json.dump(doc, f)
EOF
fi
printf '[{"pattern":"^(a+)+$"},"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]' >"$SEEDS/schema/h1"
printf '[{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"},1]' >"$SEEDS/schema/h2"

# Dictionaries help libFuzzer build well-formed syntax.
dict_for() {
  case $1 in
  *json* | schema) echo "$SRC/tests/fuzz/json.dict" ;;
  *csv) echo "$SRC/tests/fuzz/csv.dict" ;;
  *xml) echo "$SRC/tests/fuzz/xml.dict" ;;
  esac
}

# ----------------------------------------------------------------- fuzzing
status=0
summary=""
for h in $FUZZ_ONLY; do
  bin=$FUZZ_BUILD/tests/fuzz/fuzz_$h
  corpus=$FUZZ_BUILD/corpus/$h
  art=$FUZZ_BUILD/artifacts/$h
  reg=$SRC/tests/fuzz/regressions/$h
  mkdir -p "$corpus" "$art" "$reg"
  rm -f "$art"/*
  dict=$(dict_for "$h")
  dictopt=""
  [ -f "$dict" ] && dictopt="-dict=$dict"
  say "$h for ${FUZZ_SECONDS}s"
  log=$FUZZ_BUILD/fuzz_$h.log
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$art/" $dictopt \
    "$corpus" "$SEEDS/$h" "$reg" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  found=$(find "$art" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    result="FINDING (exit $rc)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*round trip|.*does not read back|.*ERROR: libFuzzer)' "$log" | head -n 5
    for f in "$art"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$reg/"
      echo "   kept $(basename "$f") in tests/fuzz/regressions/$h/ ($(wc -c <"$f") bytes):"
      head -c 512 "$f" | od -An -c | head -n 8
    done
    echo "   log: $log"
  else
    result="ok"
  fi
  summary="$summary$(printf '%-18s %-22s %12s execs  %s  corpus %s' "$h" "$result" "${execs:-?}" "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)")\n"
done

say "summary (${FUZZ_SECONDS}s each)"
printf '%b' "$summary"
return $status
}
main "$@"
exit $?
