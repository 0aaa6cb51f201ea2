#!/bin/sh
# -j N: every output of convert and validate is byte for byte the one of
# -j 1 (reports in every format, accept/reject files, messages, exit codes),
# on inputs with broken records in all four formats, several inputs in one
# run, and an input large enough that the reorder buffer wraps many times.
. "$(dirname "$0")/lib.sh"
D=$SRC/tests/data/validate

# a bigger NDJSON with broken lines spread over it (torn JSON, bad enum,
# duplicate ids, CRLF line ends), larger than the reorder window
python3 - "$SRC/samples/events.ndjson" "$TMP/big.ndjson" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
out = open(sys.argv[2], "w", encoding="utf-8", newline="")
for i in range(3000):
    l = lines[i % len(lines)]
    if i % 97 == 5:
        l = l[: len(l) // 2]              # unreadable
    elif i % 89 == 7:
        l = l.replace('"sex":"female"', '"sex":"F"').replace('"sex": "female"', '"sex": "F"')
    elif i % 50 != 3:
        l = l.replace('"record_id":"', '"record_id":"J%d-' % i, 1).replace(
            '"record_id": "', '"record_id": "J%d-' % i, 1)
    out.write(l + ("\r\n" if i % 7 == 0 else "\n"))
PY

# its XML spelling: XSD errors (sex F) validated on the workers with -j N
"$THBX" convert -q -t xml -o "$TMP/big.xml" "$TMP/big.ndjson" 2>/dev/null
grep -q "<sex>F</sex>" "$TMP/big.xml" || fail "big.xml has no record for the XSD to refuse"

# inputs whose reading stops in the middle (exit 2): what came before is
# reported and written the same
head -c 200000 "$TMP/big.xml" >"$TMP/torn.xml"
"$THBX" convert -q -t json -o "$TMP/big.json" "$TMP/big.ndjson" 2>/dev/null
head -c 300000 "$TMP/big.json" >"$TMP/torn.json"

same() { # same LABEL FILE...: FILE.1 and FILE.N agree for each FILE
  label=$1
  shift
  for f in "$@"; do
    [ ! -e "$f.1" ] && [ ! -e "$f.$j" ] && continue # neither written (exit 2)
    cmp -s "$f.1" "$f.$j" || fail "$label: -j $j differs from -j 1 in $(basename "$f"): $(diff "$f.1" "$f.$j" | head -5)"
  done
}

run_validate() { # run_validate N INPUT...
  n=$1
  shift
  ext=${1##*.}
  "$THBX" validate -j "$n" --today 2026-01-01 --format json --report sarif="$TMP/sarif.$n" \
    --report junit="$TMP/junit.$n" --report text="$TMP/text.$n" --report github="$TMP/gh.$n" \
    --accept "$TMP/acc.$ext.$n" --reject "$TMP/rej.$ext.$n" "$@" >"$TMP/out.$n" 2>"$TMP/err.$n"
  echo "exit $?" >>"$TMP/out.$n"
}

for input in "$D/mixed.ndjson" "$D/mixed.csv" "$D/mixed.xml" "$D/mixed.json" "$TMP/big.ndjson" \
  "$TMP/big.xml" "$D/mixed.ndjson $TMP/big.ndjson" "$TMP/big.xml $D/mixed.xml" "$TMP/torn.xml" \
  "$TMP/torn.json"; do
  ext=${input%% *}
  ext=${ext##*.}
  # shellcheck disable=SC2086
  run_validate 1 $input
  case $input in
  *torn*) grep -q "exit 2" "$TMP/out.1" || fail "validate $input: torn but $(tail -1 "$TMP/out.1")" ;;
  *) grep -q "exit 1" "$TMP/out.1" || fail "validate $input: broken records but $(tail -1 "$TMP/out.1")" ;;
  esac
  for j in 2 3; do
    # shellcheck disable=SC2086
    run_validate $j $input
    checks=$((checks + 1))
    same "validate $input" "$TMP/out" "$TMP/err" "$TMP/sarif" "$TMP/junit" "$TMP/text" \
      "$TMP/gh" "$TMP/acc.$ext" "$TMP/rej.$ext"
  done
  # the split is the input, whatever the jobs
  case $input in
  *torn*) [ ! -e "$TMP/rej.$ext.3" ] || fail "validate $input: a reject file although reading stopped" ;;
  *) [ -s "$TMP/rej.$ext.3" ] || fail "validate $input: no reject file" ;;
  esac
  case $input in
  *big.xml*) grep -q '"rule": *"xsd"' "$TMP/out.3" || fail "validate $input -j 3: no XSD error" ;;
  esac
done

# convert: every output format, messages and exit codes
for input in "$D/mixed.ndjson" "$D/mixed.csv" "$D/mixed.xml" "$D/mixed.json" "$TMP/big.ndjson" \
  "$TMP/torn.xml" "$TMP/torn.json"; do
  for t in json ndjson csv xml; do
    for j in 1 2 3; do
      "$THBX" convert -j $j -t $t "$input" >"$TMP/conv.$j" 2>"$TMP/cerr.$j"
      echo "exit $?" >>"$TMP/conv.$j"
      "$THBX" convert -j $j -t $t --profile none "$input" >"$TMP/gen.$j" 2>"$TMP/generr.$j"
      echo "exit $?" >>"$TMP/gen.$j"
    done
    for j in 2 3; do
      checks=$((checks + 1))
      same "convert $input -t $t" "$TMP/conv" "$TMP/cerr" "$TMP/gen" "$TMP/generr"
    done
  done
  # --fail-fast stops at the same record
  for j in 1 2; do
    "$THBX" convert -j $j --fail-fast -t ndjson "$input" >"$TMP/ff.$j" 2>"$TMP/fferr.$j"
    echo "exit $?" >>"$TMP/ff.$j"
  done
  j=2
  same "convert --fail-fast $input" "$TMP/ff" "$TMP/fferr"
done

# -j 0 is one per core; bad values are usage errors
expect_exit 1 "$THBX" validate -j 0 --today 2026-01-01 "$D/mixed.ndjson"
expect_exit 2 "$THBX" validate -j -1 "$D/mixed.ndjson"
expect_exit 2 "$THBX" convert --jobs x -t json "$D/mixed.ndjson"
grep -q -- "--jobs" "$TMP/stderr" || fail "a bad --jobs value is not named"
pass
