#!/usr/bin/env bash
# The nothing-lost property (issue 7, docs/security.md): randomly corrupted
# samples in every format through `thbx validate --accept A --reject R`;
# every input record must land in exactly one of A and R, thbx must exit
# 0/1/2 without a signal, each run in under 10 s. Fixed seeds: a failure
# reproduces with
#   python3 tests/prop/nothing_lost.py --thbx build/thbx --keep /tmp/lost
. "$(dirname "$0")/lib.sh"
"$THBX" validate --help >"$TMP/help" 2>&1
if grep -q "not implemented" "$TMP/help"; then
  fail "thbx validate is not implemented"
fi
grep -q -- "--reject" "$TMP/help" || fail "validate --help does not mention --reject"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 0; }
python3 "$SRC/tests/prop/nothing_lost.py" --thbx "$THBX" --samples "$SRC/samples" \
  --cases "${NOTHING_LOST_CASES:-200}" --seed "${NOTHING_LOST_SEED:-7}" --keep "$TMP/failed"
rc=$?
[ "$rc" -eq 77 ] && fail "no samples found in $SRC/samples"
[ "$rc" -eq 0 ] || fail "nothing-lost property violated (see above)"
checks=$((checks + 1))
pass
