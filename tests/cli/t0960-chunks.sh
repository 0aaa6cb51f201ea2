#!/usr/bin/env bash
# Beyond one machine (issue 16): thbx is a streaming filter, so GNU parallel
# and xargs -P run it over chunks. `convert --no-header` writes CSV rows
# without the header; chunks converted apart and concatenated in order after
# one header are byte for byte the single-process output.
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null || fail "GNU parallel is missing (README.md's second command)"
python3 "$SRC/bench/gen_records.py" -n 6000 -o "$TMP/big.ndjson" || fail "gen_records.py failed"
size=$(wc -c <"$TMP/big.ndjson")
[ "$size" -gt 2500000 ] || fail "the generated input is only $size bytes: too few chunks"

"$THBX" convert -f ndjson -t csv <"$TMP/big.ndjson" >"$TMP/one.csv" || fail "single convert failed"
head -n 1 "$TMP/one.csv" >"$TMP/header.csv"

# --no-header: the same rows, no header
"$THBX" convert -f ndjson -t csv --no-header <"$TMP/big.ndjson" >"$TMP/rows.csv" ||
  fail "--no-header failed"
cat "$TMP/header.csv" "$TMP/rows.csv" | cmp -s - "$TMP/one.csv" ||
  fail "header + --no-header rows differ from the output with a header"
! grep -q '^record_id,' "$TMP/rows.csv" || fail "--no-header wrote the header"
# an empty input gives an empty file, not a header
: | "$THBX" convert -f ndjson -t csv --no-header >"$TMP/empty.csv" || fail "empty input failed"
[ ! -s "$TMP/empty.csv" ] || fail "--no-header on an empty input wrote: $(cat "$TMP/empty.csv")"
# with --columns too
"$THBX" convert -f ndjson -t csv --columns record_id,person.sex --no-header \
  <"$TMP/big.ndjson" >"$TMP/cols.csv" || fail "--columns --no-header failed"
"$THBX" convert -f ndjson -t csv --columns record_id,person.sex <"$TMP/big.ndjson" |
  tail -n +2 | cmp -s - "$TMP/cols.csv" || fail "--columns --no-header rows differ"
# for another output it is ignored with a warning
expect_exit 0 "$THBX" convert -f ndjson -t ndjson --no-header "$TMP/big.ndjson" -o "$TMP/x.ndjson"
grep -q "no-header" "$TMP/stderr" || fail "no warning for --no-header with NDJSON output"
cmp -s "$TMP/x.ndjson" "$TMP/big.ndjson" || fail "NDJSON output changed by --no-header"

# GNU parallel: 1 MB blocks, two jobs, output kept in input order
parallel --pipe --keep-order --block 1M -j 2 "$THBX" convert -f ndjson -t csv --no-header \
  <"$TMP/big.ndjson" >"$TMP/par.rows" || fail "parallel convert failed"
jobs=$(parallel --pipe --block 1M -j 2 wc -l <"$TMP/big.ndjson" | wc -l)
[ "$jobs" -ge 3 ] || fail "parallel made only $jobs chunks of the input"
cat "$TMP/header.csv" "$TMP/par.rows" | cmp - "$TMP/one.csv" ||
  fail "GNU parallel chunks concatenated differ from the single run"
checks=$((checks + 1))

# xargs -P over files: one output per input, concatenated in input order
mkdir "$TMP/parts"
split -l 1000 -d -a 3 --additional-suffix=.ndjson "$TMP/big.ndjson" "$TMP/parts/part"
ls "$TMP"/parts/part*.ndjson | xargs -P 2 -I{} "$THBX" convert -t csv --no-header {} -o {}.csv ||
  fail "xargs -P convert failed"
cat "$TMP/header.csv" "$TMP"/parts/part*.ndjson.csv | cmp - "$TMP/one.csv" ||
  fail "xargs -P outputs concatenated differ from the single run"
checks=$((checks + 1))
pass
