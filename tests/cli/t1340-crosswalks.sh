#!/usr/bin/env bash
# The shipped crosswalks (schemas/crosswalks/): the ISO 3166 one is what
# tools/gen_crosswalk_iso3166.py makes of Debian's iso-codes; every shipped
# crosswalk compiles against the profile (its target codes are in the code
# lists) when a mapping names it.
. "$(dirname "$0")/lib.sh"

ISO=/usr/share/iso-codes/json/iso_3166-1.json
[ -f "$ISO" ] || fail "iso-codes is not installed ($ISO): README's second command installs it"
python3 "$SRC/tools/gen_crosswalk_iso3166.py" "$ISO" >"$TMP/iso.csv" 2>/dev/null
cmp -s "$TMP/iso.csv" "$SRC/schemas/crosswalks/iso3166-alpha3-alpha2.csv" ||
  fail "schemas/crosswalks/iso3166-alpha3-alpha2.csv differs from what tools/gen_crosswalk_iso3166.py generates"

H='target,source,separator,codes,default'
base='record_id,col:id,,,
schema_version,,,,1.0
reporting_country,,,,RS
reporting_body.type,,,,police
event_type,,,,referral
event_date,,,,2024-01-31
person.person_ref,,,,pseudonym-0001
person.role,,,,victim'
check() { # check CROSSWALK TARGET [DEFAULTS]
  local sep=""
  case $2 in person.citizenship | exploitation.*) sep="|" ;; esac
  { echo "$H"; echo "$base"; echo "$2,col:x,$sep,$1,"; printf '%s\n' "${3:-}"; } | grep -v '^$' >"$TMP/m.csv"
  printf 'id,x\nRS-1,\n' >"$TMP/in.csv"
  expect_exit 0 "$THBX" convert -m "$TMP/m.csv" "$TMP/in.csv" -t ndjson
}
sexage='person.sex,,,,unknown
person.age_group,,,,unknown'
check iso3166-alpha3-alpha2 person.citizenship "$sexage"
check eurostat-country exploitation.countries "$sexage"
check age-years person.age_group 'person.sex,,,,unknown'
check ctdc-age person.age_group 'person.sex,,,,unknown'
check htcds-gender person.sex 'person.age_group,,,,unknown'
check ctdc-gender person.sex 'person.age_group,,,,unknown'
check htcds-exploitation exploitation.forms "$sexage"
check htcds-sex-exploitation exploitation.sexual_exploitation_types "$sexage"
check htcds-means-of-control exploitation.means_of_control "$sexage"
# a shipped crosswalk is found by name with or without .csv, and a file beside the mapping wins
check htcds-gender.csv person.sex 'person.age_group,,,,unknown'
printf 'source_code,target_code\nFeminine,unknown\n' >"$TMP/htcds-gender"
{ echo "$H"; echo "$base"; echo 'person.sex,col:x,,htcds-gender,'; echo 'person.age_group,,,,unknown'; } >"$TMP/m.csv"
printf 'id,x\nRS-1,Feminine\n' >"$TMP/in.csv"
expect_exit 0 "$THBX" convert -m "$TMP/m.csv" "$TMP/in.csv" -t ndjson
grep -q '"sex":"unknown"' "$TMP/stdout" || fail "the crosswalk beside the mapping did not win"
pass
