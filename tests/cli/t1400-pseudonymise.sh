#!/usr/bin/env bash
# thbx pseudonymise: key file rules, key ids, HMAC-SHA256 against openssl,
# HKDF per recipient against openssl kdf, all four formats in and out with
# no original identifier left anywhere (also through validate's accept and
# reject files), --drop, record errors and exit codes as in convert.
. "$(dirname "$0")/lib.sh"

S=$SRC/samples
ps() { "$THBX" pseudonymise "$@"; }
command -v openssl >/dev/null || fail "openssl is needed"
command -v jq >/dev/null || fail "jq is needed"

KEY=$TMP/key
# random, but never ending in a newline (the key file's one trailing newline
# is stripped: a random last byte 0x0a would make a 31-byte key, 1 run in 256)
{ head -c 31 /dev/urandom; printf 'k'; } >"$KEY"
chmod 600 "$KEY"
KEYHEX=$(od -An -v -tx1 "$KEY" | tr -d ' \n')

# --- usage and key file errors: exit 2, saying why, nothing written
expect_exit 2 ps "$S/events.ndjson"
grep -q -- "--key-file" "$TMP/stderr" || fail "no message for a missing --key-file"
expect_exit 2 ps --key-file "$TMP/nokey" "$S/events.ndjson"
grep -q "cannot open the key file" "$TMP/stderr" || fail "no message for a missing key file"
{ head -c 30 /dev/urandom; printf 's'; } >"$TMP/short"
chmod 600 "$TMP/short"
expect_exit 2 ps --key-file "$TMP/short" -o "$TMP/o.json" "$S/events.ndjson"
grep -q "31 bytes" "$TMP/stderr" || fail "no message for a short key: $(cat "$TMP/stderr")"
[ ! -e "$TMP/o.json" ] || fail "output written with a refused key"
cp "$KEY" "$TMP/open"
chmod 640 "$TMP/open"
expect_exit 2 ps --key-file "$TMP/open" "$S/events.ndjson"
grep -q "readable by its group" "$TMP/stderr" || fail "group-readable key not refused: $(cat "$TMP/stderr")"
chmod 604 "$TMP/open"
expect_exit 2 ps --key-file "$TMP/open" "$S/events.ndjson"
grep -q "readable by others" "$TMP/stderr" || fail "world-readable key not refused"
[ ! -s "$TMP/stdout" ] || fail "records written with a refused key"
expect_exit 2 ps --key-file "$KEY" --field person.nosuch "$S/events.ndjson"
grep -q "not a field of the profile" "$TMP/stderr" || fail "unknown --field accepted"
expect_exit 2 ps --key-file "$KEY" --drop nosuch "$S/events.ndjson"
expect_exit 2 ps --key-file "$KEY" --field person "$S/events.ndjson"
expect_exit 2 ps --key-file "$KEY" --derive "" "$S/events.ndjson"
expect_exit 2 ps --key-file "$KEY" -t yaml "$S/events.ndjson"
expect_exit 2 ps --key-file "$KEY" --nosuch "$S/events.ndjson"
expect_exit 2 ps --key-file "$KEY" "$TMP/missing.json"
expect_exit 2 ps --key-file "$KEY" - -

# --- help
ps --help >"$TMP/help" || fail "--help exited non-zero"
for word in "Usage: thbx pseudonymise" --key-file --field --drop --derive --to --output \
  --from --profile --fail-fast --max-depth "Exit status" Examples "key id"; do
  grep -q -- "$word" "$TMP/help" || fail "--help does not mention $word"
done
"$THBX" help pseudonymise | cmp -s - "$TMP/help" || fail "thbx help pseudonymise differs"

# --- the key id: the first 16 hex digits of SHA-256 of the key, never the key
expect_exit 0 ps --key-file "$KEY" -t ndjson "$S/events.ndjson"
want_id=$(sha256sum "$KEY" | cut -c1-16)
grep -qx "thbx: key id $want_id" "$TMP/stderr" || fail "key id: $(cat "$TMP/stderr"), want $want_id"
grep -q "$KEYHEX" "$TMP/stderr" "$TMP/stdout" && fail "the key is printed"
cp "$TMP/stdout" "$TMP/plain.ndjson"

# --- every pseudonym is openssl's HMAC-SHA256 of the value under the key
hmac() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$2" | sed 's/.*= //'; }
paste <(jq -r '.person.person_ref' "$S/events.ndjson") <(jq -r '.person.person_ref' "$TMP/plain.ndjson") |
  sort -u >"$TMP/pairs"
[ "$(wc -l <"$TMP/pairs")" -ge 5 ] || fail "too few persons to compare"
while IFS=$'\t' read -r orig pseudo; do
  [ "$(hmac "$orig" "$KEYHEX")" = "$pseudo" ] || fail "person_ref $orig: $pseudo is not openssl's HMAC"
  checks=$((checks + 1))
done <"$TMP/pairs"
paste <(jq -r '.case_ref // "-"' "$S/events.ndjson") <(jq -r '.case_ref // "-"' "$TMP/plain.ndjson") |
  grep -v '^-' | sort -u >"$TMP/pairs"
[ "$(wc -l <"$TMP/pairs")" -ge 3 ] || fail "too few case_refs to compare"
while IFS=$'\t' read -r orig pseudo; do
  [ "$(hmac "$orig" "$KEYHEX")" = "$pseudo" ] || fail "case_ref $orig: $pseudo is not openssl's HMAC"
done <"$TMP/pairs"
# the rest of each record is unchanged
jq -c 'del(.person.person_ref, .case_ref)' "$S/events.ndjson" >"$TMP/a"
jq -c 'del(.person.person_ref, .case_ref)' "$TMP/plain.ndjson" >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "pseudonymise changed other fields"

# -j N: the same output for every number of threads
for j in 0 2 4; do
  expect_exit 0 ps --key-file "$KEY" -j $j -t ndjson "$S/events.ndjson"
  cmp -s "$TMP/stdout" "$TMP/plain.ndjson" || fail "-j $j gives another output"
done
expect_exit 2 ps --key-file "$KEY" -j x "$S/events.ndjson"

# one trailing newline in the key file is stripped: the same pseudonyms
{ cat "$KEY"; printf '\n'; } >"$TMP/key-nl"
chmod 600 "$TMP/key-nl"
expect_exit 0 ps --key-file "$TMP/key-nl" -t ndjson "$S/events.ndjson"
cmp -s "$TMP/stdout" "$TMP/plain.ndjson" || fail "a trailing newline changed the key"
grep -qx "thbx: key id $want_id" "$TMP/stderr" || fail "a trailing newline changed the key id"

# --- --derive: HKDF-SHA256(key, no salt, info LABEL), as openssl kdf computes it
derived=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:$KEYHEX" \
  -kdfopt info:greta-2025 HKDF | tr -d ':\n' | tr 'A-F' 'a-f')
[ ${#derived} -eq 64 ] || fail "openssl kdf gave '$derived'"
expect_exit 0 ps --key-file "$KEY" --derive greta-2025 -t ndjson "$S/events.ndjson"
cp "$TMP/stdout" "$TMP/greta.ndjson"
grep -q "derived for 'greta-2025': key id $(python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$derived" | sha256sum | cut -c1-16)" \
  "$TMP/stderr" || fail "derived key id: $(cat "$TMP/stderr")"
orig=$(jq -r '.person.person_ref' "$S/events.ndjson" | head -1)
got=$(jq -r '.person.person_ref' "$TMP/greta.ndjson" | head -1)
[ "$(hmac "$orig" "$derived")" = "$got" ] || fail "--derive is not HMAC under HKDF(key, info=label)"
expect_exit 0 ps --key-file "$KEY" --derive other -t ndjson "$S/events.ndjson"
# two recipients' files share no pseudonym; one recipient's runs agree
jq -r '.person.person_ref' "$TMP/greta.ndjson" | sort -u >"$TMP/g"
jq -r '.person.person_ref' "$TMP/stdout" | sort -u >"$TMP/o"
[ -z "$(comm -12 "$TMP/g" "$TMP/o")" ] || fail "two labels share pseudonyms"
jq -r '.person.person_ref' "$TMP/plain.ndjson" | sort -u >"$TMP/p"
[ -z "$(comm -12 "$TMP/g" "$TMP/p")" ] || fail "a derived key shares pseudonyms with the key"
expect_exit 0 ps --key-file "$KEY" --derive greta-2025 -t ndjson "$S/events.ndjson"
cmp -s "$TMP/stdout" "$TMP/greta.ndjson" || fail "the same label gave other pseudonyms"

# --- the mapping transform `pseudonymise` gives the same pseudonym under the same key
M=$SRC/tests/data/mapping/pseudonymise
cp "$M/test.key" "$TMP/map.key"
chmod 600 "$TMP/map.key"
expect_exit 0 "$THBX" convert -m "$M/map.csv" "$M/input.csv" -t ndjson --key-file "$TMP/map.key"
from_map=$(jq -r '.person.person_ref' "$TMP/stdout" | head -1)
printf '{"person":{"person_ref":"0101990710011"}}\n' >"$TMP/jmbg.ndjson"
expect_exit 0 ps --key-file "$TMP/map.key" -p none "$TMP/jmbg.ndjson"
from_ps=$(jq -r '.person.person_ref' "$TMP/stdout")
[ ${#from_ps} -eq 64 ] && [ "$from_ps" = "$from_map" ] ||
  fail "thbx pseudonymise gives $from_ps, the mapping's transform $from_map"

# --- all four formats in and out: no original identifier anywhere, valid output
jq -r '.person.person_ref, (.case_ref // empty)' "$S/events.ndjson" | sort -u >"$TMP/secrets"
jq -r '.reporting_body.name // empty' "$S/events.ndjson" | sort -u >>"$TMP/secrets"
[ "$(wc -l <"$TMP/secrets")" -ge 20 ] || fail "too few identifiers to look for"
nosecret() { # FILE...: no line of $TMP/secrets occurs in them
  if grep -F -q -f "$TMP/secrets" "$@"; then
    fail "original identifiers left in $*: $(grep -F -o -f "$TMP/secrets" "$@" | head -3)"
  fi
  checks=$((checks + 1))
}
for in in json ndjson csv xml; do
  for to in json ndjson csv xml; do
    out=$TMP/out-$in.$to
    expect_exit 0 ps --key-file "$KEY" --drop reporting_body.name -t "$to" -o "$out" "$S/events.$in"
    nosecret "$out"
    expect_exit 0 "$THBX" validate "$out"
    # validate's accept and reject files (raw bytes of its input) hold none either
    expect_exit 0 "$THBX" validate --accept "$TMP/acc.$to" --reject "$TMP/rej.$to" "$out"
    nosecret "$TMP/acc.$to" "$TMP/rej.$to"
    # the same records as from the other formats
    "$THBX" convert -t ndjson "$out" >"$TMP/back.ndjson" || fail "cannot read back $out"
    if [ "$in$to" = jsonjson ]; then cp "$TMP/back.ndjson" "$TMP/ref.ndjson"; fi
    cmp -s "$TMP/back.ndjson" "$TMP/ref.ndjson" || fail "$in -> $to gives other records"
  done
done
# standard input, the default output format is the input's
expect_exit 0 ps --key-file "$KEY" --drop reporting_body.name <"$S/events.xml"
head -c 200 "$TMP/stdout" | grep -q '<records' || fail "stdin XML did not give XML"
nosecret "$TMP/stdout"

# --- invalid records are pseudonymised too, and validate rejects them without leaking
cat "$S/invalid/person-ref-too-short.json" "$S/invalid/sex-not-in-code-list.json" |
  jq -c '.[]? // .' >"$TMP/bad.ndjson"
jq -r '.person.person_ref, (.case_ref // empty)' "$TMP/bad.ndjson" | sort -u >"$TMP/secrets"
expect_exit 0 ps --key-file "$KEY" -o "$TMP/bad-out.ndjson" "$TMP/bad.ndjson"
expect_exit 1 "$THBX" validate --accept "$TMP/acc.ndjson" --reject "$TMP/rej.ndjson" "$TMP/bad-out.ndjson"
[ -s "$TMP/rej.ndjson" ] || fail "nothing rejected"
nosecret "$TMP/bad-out.ndjson" "$TMP/acc.ndjson" "$TMP/rej.ndjson"

# --- a value that cannot be pseudonymised: reported at its place, never written, exit 1
printf '{"person":{"person_ref":"ok-1"}}\n{"person":{"person_ref":{"name":"Secret Name"}}}\n' >"$TMP/g.ndjson"
expect_exit 1 ps --key-file "$KEY" -p none -t ndjson "$TMP/g.ndjson"
grep -q "g.ndjson:2:1: error: /person/person_ref: cannot be pseudonymised" "$TMP/stderr" ||
  fail "message for an object: $(cat "$TMP/stderr")"
grep -q "Secret" "$TMP/stdout" "$TMP/stderr" && fail "an object that could not be pseudonymised leaked"
[ "$(wc -l <"$TMP/stdout")" -eq 1 ] || fail "the good record was not written"
expect_exit 1 ps --key-file "$KEY" -p none -t ndjson -o "$TMP/ff.ndjson" --fail-fast "$TMP/g.ndjson"
[ ! -e "$TMP/ff.ndjson" ] || fail "--fail-fast committed the output"

# --- messages never show a record's values (a broken cell may hold anything)
head -2 "$S/events.csv" | sed '2s/,true,AL,/,SECRETVAL,AL,/' >"$TMP/v.csv"
grep -q SECRETVAL "$TMP/v.csv" || fail "test input not made"
expect_exit 1 ps --key-file "$KEY" "$TMP/v.csv"
grep -q "v.csv:2:[0-9]*: error: /person/minor_at_exploitation" "$TMP/stderr" || fail "no message: $(cat "$TMP/stderr")"
grep -q SECRETVAL "$TMP/stderr" "$TMP/stdout" && fail "a value was shown in a message"

# --- broken input: as convert (exit 1 for a broken record, 2 for a broken file)
printf '{"case_ref":"A-1"}\n{"case_ref":\n{"case_ref":"B-2"}\n' >"$TMP/broken.ndjson"
expect_exit 1 ps --key-file "$KEY" -p none "$TMP/broken.ndjson"
grep -q "broken.ndjson:2:1: error:" "$TMP/stderr" || fail "no located message for a broken record"
[ "$(wc -l <"$TMP/stdout")" -eq 2 ] || fail "records after the broken one lost"
# the output format of standard input is sniffed without losing a byte:
# leading blank lines keep the line numbers, a CSV header its spaces
printf '\n\n{"case_ref":"A-1"}\n{"case_ref":\n{"case_ref":"B-2"}\n' >"$TMP/lead.ndjson"
expect_exit 1 ps -q --key-file "$KEY" -p none <"$TMP/lead.ndjson"
grep -q "^-:4:1: error:" "$TMP/stderr" || fail "stdin line numbers shifted: $(cat "$TMP/stderr")"
[ "$(wc -l <"$TMP/stdout")" -eq 2 ] || fail "stdin NDJSON not written as NDJSON"
printf ' a,b\nx,1\n' | ps -q --key-file "$KEY" -p none --field b >"$TMP/sp.csv" || fail "stdin CSV"
head -1 "$TMP/sp.csv" | grep -q '" a",b' || fail "the CSV header lost its space: $(head -1 "$TMP/sp.csv")"
printf '<records xmlns="urn:thbx:thb-event:1.0"><record id="AL-1">' >"$TMP/torn.xml"
expect_exit 2 ps --key-file "$KEY" -o "$TMP/torn-out.xml" "$TMP/torn.xml"
[ ! -e "$TMP/torn-out.xml" ] || fail "a half output was left for a torn input"

pass
