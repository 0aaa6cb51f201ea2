#!/usr/bin/env bash
# thbx map check and thbx map init (issue 13): check lints a mapping and,
# with a sample, lists uncovered codes with their counts; init drafts a
# mapping with the closest profile paths, date patterns where they are not
# ambiguous, list separators, and crosswalk stubs with counts.
. "$(dirname "$0")/lib.sh"

P=$SRC/samples/national/police-rs
T=$THBX

# --- check: the police sample's mapping is clean on its export
expect_exit 0 "$T" map check "$P/police.map.csv" --sample "$P/export.csv"
grep -q 'export.csv: note: 12 records read' "$TMP/stdout" || fail "check: $(cat "$TMP/stdout")"
# a mapping that does not compile: MAP.csv:LINE, exit 2
printf 'target,source\nperson.sexx,col:x\n' >"$TMP/bad.map.csv"
expect_exit 2 "$T" map check "$TMP/bad.map.csv"
grep -q "bad.map.csv:2: error: unknown target 'person.sexx'" "$TMP/stderr" || fail "check: bad row"
expect_exit 2 "$T" map check
expect_exit 2 "$T" map frobnicate

# --- init on the police export
mkdir -p "$TMP/init"
expect_exit 0 "$T" map init --sample "$P/export.csv" --delimiter ';' -o "$TMP/init/draft.map.csv"
D=$TMP/init/draft.map.csv
head -1 "$D" | grep -q '^target,source,pattern,decimal,true,false,missing,separator,codes,unmapped,default,transform,note$' || fail "init: header"
grep -q '^@delimiter,;,' "$D" || fail "init: delimiter"
grep -q '^event_date,col:Datum događaja,%d.%m.%Y.,' "$D" || fail "init: date pattern: $(cat "$D")"
grep -q '^person.sex,col:Pol,.*,pol.crosswalk.csv,' "$D" || fail "init: sex"
grep -q '^person.citizenship,col:Državljanstvo,,,,,,", ",' "$D" || fail "init: list separator"
grep -q '^case_ref,col:Broj predmeta,' "$D" || fail "init: case_ref"
# N/P is a code, not a list of N and P
grep -q '^person.minor_at_exploitation,col:Maloletno lice,,,,,,,' "$D" || fail "init: N/P split"
S=$TMP/init/pol.crosswalk.csv
[ -f "$S" ] || fail "init: no crosswalk stub"
head -1 "$S" | grep -q '^source_code,target_code,relationship,label,note$' || fail "stub header"
grep -q '^Ž,,,,6 in the sample$' "$S" || fail "stub counts: $(cat "$S")"
grep -q '^N,,,,2 in the sample$' "$S" || fail "stub counts"
# the draft is not a mapping yet: its stubs have no target codes, and check says where
expect_exit 2 "$T" map check "$D"
grep -q 'crosswalk.csv:2: error: source code .* has no target_code' "$TMP/stderr" || fail "check on a draft: $(cat "$TMP/stderr")"

# --- dates whose days are all 12 or less: no pattern guessed
printf 'id,datum\nA1,01.02.2024\nA2,03.04.2024\nA3,12.11.2024\n' >"$TMP/amb.csv"
expect_exit 0 "$T" map init --sample "$TMP/amb.csv"
grep -q '^event_date,col:datum,,.*day and month cannot be told apart' "$TMP/stdout" || fail "init: ambiguous dates: $(cat "$TMP/stdout")"
printf 'id,datum\nA1,01.02.2024\nA2,23.04.2024\n' >"$TMP/unamb.csv"
expect_exit 0 "$T" map init --sample "$TMP/unamb.csv"
grep -q '^event_date,col:datum,%d.%m.%Y,' "$TMP/stdout" || fail "init: unambiguous dates"
# without -o the stubs are comment rows, which the mapping reader skips
expect_exit 0 "$T" map init --sample "$P/export.csv" --delimiter ';'
grep -q '^# crosswalk stub pol.crosswalk.csv: source_code,count$' "$TMP/stdout" || fail "init: stub comments"

# --- JSON and XML samples: pointers and XPaths
expect_exit 0 "$T" map init --sample "$SRC/samples/national/ngo-htcds/export.json"
grep -q '^person.sex,ptr:/prs_Gender,' "$TMP/stdout" || fail "init json: $(cat "$TMP/stdout")"
expect_exit 0 "$T" map init --sample "$SRC/samples/national/social-xml/export.xml"
grep -q '^case_ref,xpath:dosije/@broj,' "$TMP/stdout" || fail "init xml: $(cat "$TMP/stdout")"
grep -q '^assistance.start_date,xpath:usluge/@pocetak,%Y-%m-%d,' "$TMP/stdout" || fail "init xml dates"
pass
