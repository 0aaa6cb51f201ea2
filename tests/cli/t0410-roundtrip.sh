#!/usr/bin/env bash
# Lossless conversion: the samples and generated records go through every
# format pair and come back as the same JSON, byte for byte (same values,
# types, and schema property order). thbx's own JSON output is compared with
# samples/events.json, which is written 2-space indented in schema order.
. "$(dirname "$0")/lib.sh"

S=$SRC/samples
formats="json ndjson csv xml"

# Every format must convert the samples both ways.
available=""
for f in $formats; do
  if "$THBX" convert -t "$f" -o /dev/null "$S/events.ndjson" 2>"$TMP/err" &&
    "$THBX" convert -f "$f" -t json -o /dev/null "$S/events.$f" 2>>"$TMP/err"; then
    available="$available $f"
  elif grep -q "not supported in this build" "$TMP/err"; then
    fail "$f: its reader or writer is not in this build"
  else
    fail "$f is in the build but does not convert the samples: $(head -c 400 "$TMP/err")"
  fi
done

# samples/events.X -> json is samples/events.json; json -> X -> json too
for x in $available; do
  expect_exit 0 "$THBX" convert "$S/events.$x" -t json
  cmp -s "$TMP/stdout" "$S/events.json" ||
    fail "samples/events.$x -> json differs from samples/events.json: $(diff "$TMP/stdout" "$S/events.json" | head -20)"
  "$THBX" convert "$S/events.json" -t "$x" -o "$TMP/s.$x" || fail "events.json -> $x failed"
  expect_exit 0 "$THBX" convert -f "$x" -t json "$TMP/s.$x"
  cmp -s "$TMP/stdout" "$S/events.json" || fail "events.json -> $x -> json is not events.json"
  # and the compact spellings
  "$THBX" convert -c "$S/events.json" -t "$x" -o "$TMP/c.$x" || fail "events.json -> compact $x failed"
  expect_exit 0 "$THBX" convert -f "$x" -t json "$TMP/c.$x"
  cmp -s "$TMP/stdout" "$S/events.json" || fail "events.json -> compact $x -> json is not events.json"
done
if case " $available " in *" ndjson "*) true ;; *) false ;; esac; then
  expect_exit 0 "$THBX" convert "$S/events.json" -t ndjson
  cmp -s "$TMP/stdout" "$S/events.ndjson" || fail "events.json -> ndjson is not events.ndjson"
fi

# generated records in every pair: A -> B -> json == the original
for seed in 1 2; do
  python3 "$SRC/bench/gen_records.py" -n 400 --seed "$seed" -o "$TMP/gen.ndjson" ||
    fail "gen_records.py failed"
  "$THBX" convert "$TMP/gen.ndjson" -t json -o "$TMP/base.json" || fail "gen -> json failed"
  # the generator writes schema order: NDJSON -> NDJSON is the identity
  expect_exit 0 "$THBX" convert "$TMP/gen.ndjson" -t ndjson
  cmp -s "$TMP/stdout" "$TMP/gen.ndjson" || fail "seed $seed: generated NDJSON does not come back identical"
  for a in $available; do
    "$THBX" convert "$TMP/base.json" -t "$a" -o "$TMP/gen.$a" || fail "seed $seed: json -> $a failed"
  done
  for a in $available; do
    for b in $available; do
      expect_exit 0 "$THBX" convert -f "$a" -t "$b" -o "$TMP/ab.$b" "$TMP/gen.$a"
      expect_exit 0 "$THBX" convert -f "$b" -t json "$TMP/ab.$b"
      cmp -s "$TMP/stdout" "$TMP/base.json" ||
        fail "seed $seed: $a -> $b -> json changed the records: $(diff "$TMP/stdout" "$TMP/base.json" | head -20)"
    done
  done
done

# generic mode: JSON <-> NDJSON exact, whatever the values (no profile order)
# (canonical spellings, as thbx writes them: the values and the text agree)
printf '{"z":1,"a":[1.5,-0.0,1e+300,"\\u0000",{"k":null}],"m":{"n":true,"\303\251":"x\\ny"}}\n[1,2]\n"s"\n' >"$TMP/any.ndjson"
"$THBX" convert -p none "$TMP/any.ndjson" -t json -o "$TMP/any.json" || fail "generic ndjson -> json"
expect_exit 0 "$THBX" convert -p none "$TMP/any.json" -t ndjson
cmp -s "$TMP/stdout" "$TMP/any.ndjson" || fail "generic json -> ndjson is not exact: $(cat "$TMP/stdout")"
jq -c . "$TMP/any.json" >/dev/null || fail "generic JSON output is not JSON"
pass
