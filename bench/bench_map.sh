#!/usr/bin/env bash
# The mapping benchmark (issue 13): N rows (default 100 000) of the police
# sample (samples/national/police-rs) mapped to thb-event XML by
# `thbx convert -m`, side by side with Miller doing a part of the same work
# on the same rows: renaming the columns, three code lookups through `join`
# (event type, role, sex) and the date through strptime/strftime, to JSON.
# thbx does more (every column, ranges, lists split and looked up, booleans,
# constants, profile-directed XML), so the ratio is a lower bound.
# Wall clock, best of R runs (default 5), the two tools interleaved; peak RSS.
#   bench/bench_map.sh [-n N] [-r R] [-b path/to/thbx] [-j JOBS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=100000
R=5
J=1
THBX=$ROOT/build/thbx
while getopts "n:r:b:j:" o; do
  case $o in
  n) N=$OPTARG ;;
  r) R=$OPTARG ;;
  b) THBX=$OPTARG ;;
  j) J=$OPTARG ;;
  *) echo "usage: bench/bench_map.sh [-n N] [-r R] [-b thbx] [-j JOBS]" >&2; exit 2 ;;
  esac
done
command -v mlr >/dev/null || { echo "bench_map: Miller (mlr) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_map: /usr/bin/time (package time) is needed" >&2; exit 2; }
P=$ROOT/samples/national/police-rs
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# N rows: the sample's 12 rows over and over, each with its own number
awk -v n="$N" -F';' 'NR == 1 { print; next } { row[++k] = $0 }
  END { for (i = 0; i < n; i++) { r = row[i % k + 1]; sub(/^[^;]*/, sprintf("%d-%06d", 2024 + int(i / 1000000), i % 1000000), r); print r } }' \
  "$P/export.csv" >"$W/export.csv"
# Miller's lookup tables: the same crosswalks with the join column named as in the export
mk_join() { # mk_join CROSSWALK COLUMN TARGET
  { printf '%s;%s\n' "$2" "$3"; tail -n +2 "$P/$1" | cut -d, -f1,2 | tr , ';'; } >"$W/$1"
}
mk_join dogadjaj.csv 'Vrsta događaja' event_type
mk_join uloga.csv Uloga person.role
mk_join pol.csv Pol person.sex

run_thbx() {
  "$THBX" convert -j "$J" -q -m "$P/police.map.csv" "$W/export.csv" -t xml -o "$W/thbx.xml"
}
run_mlr() {
  mlr --icsv --ifs ';' --ojson \
    join -j 'Vrsta događaja' -f "$W/dogadjaj.csv" \
    then join -j Uloga -f "$W/uloga.csv" \
    then join -j Pol -f "$W/pol.csv" \
    then rename 'Redni broj,record_id,Broj predmeta,case_ref,Šifra lica,person.person_ref,Godina početka,exploitation.start_year' \
    then put '$event_date = strftime(strptime(${Datum događaja}, "%d.%m.%Y."), "%Y-%m-%d"); unset ${Datum događaja}' \
    "$W/export.csv" >"$W/mlr.json"
}
export -f run_thbx run_mlr
export THBX J P W

best_t=999999
best_m=999999
cpu_t=999999
cpu_m=999999
mem_t=0
mem_m=0
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
for i in $(seq "$R"); do
  read -r s u y kb < <(/usr/bin/time -f '%e %U %S %M' bash -c run_thbx 2>&1 >/dev/null | tail -1)
  lt "$s" "$best_t" && best_t=$s
  c=$(awk -v a="$u" -v b="$y" 'BEGIN { print a + b }')
  lt "$c" "$cpu_t" && cpu_t=$c
  [ "$kb" -gt "$mem_t" ] && mem_t=$kb
  read -r s u y kb < <(/usr/bin/time -f '%e %U %S %M' bash -c run_mlr 2>&1 >/dev/null | tail -1)
  lt "$s" "$best_m" && best_m=$s
  c=$(awk -v a="$u" -v b="$y" 'BEGIN { print a + b }')
  lt "$c" "$cpu_m" && cpu_m=$c
  [ "$kb" -gt "$mem_m" ] && mem_m=$kb
done
records=$(grep -c '<record ' "$W/thbx.xml")
[ "$records" -eq "$N" ] || { echo "bench_map: thbx wrote $records records of $N" >&2; exit 1; }
"$THBX" validate -q "$W/thbx.xml" >/dev/null || { echo "bench_map: the records do not validate" >&2; exit 1; }
printf 'rows %s, best of %s, load average %s\n' "$N" "$R" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-46s %8s s wall %8s s cpu %6s MB peak RSS\n' "thbx convert -m police.map.csv -t xml -j $J" "$best_t" "$cpu_t" "$((mem_t / 1024))"
printf '%-46s %8s s wall %8s s cpu %6s MB peak RSS\n' "mlr join x3 + rename + strptime -> json" "$best_m" "$cpu_m" "$((mem_m / 1024))"
awk -v a="$best_t" -v b="$best_m" -v c="$cpu_t" -v d="$cpu_m" 'BEGIN { printf "Miller / thbx: %.2fx wall clock, %.2fx CPU time\n", b / a, d / c }'
# memory stays flat: the same mapping on a tenth of the rows
head -n $((N / 10 + 1)) "$W/export.csv" >"$W/small.csv"
kb=$(/usr/bin/time -f '%M' "$THBX" convert -j "$J" -q -m "$P/police.map.csv" "$W/small.csv" -t xml -o /dev/null 2>&1 | tail -1)
printf 'thbx peak RSS on %s rows: %s MB (on %s rows: %s MB)\n' "$((N / 10))" "$((kb / 1024))" "$N" "$((mem_t / 1024))"
