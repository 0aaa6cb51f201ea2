#!/usr/bin/env bash
# Man pages and --help from one source (issue 16): every page of docs/man
# renders without warnings; `thbx CMD --help` prints exactly the text that
# tools/gen_cli_docs.py makes of docs/cmdline/CMD.opts; every option the
# command's getopt tables accept is documented, and every documented option
# is accepted; every command of main.c is documented and listed.
# (That the generated files are up to date is the cli-docs/drift test.)
. "$(dirname "$0")/lib.sh"
gen="$SRC/tools/gen_cli_docs.py"
command -v man >/dev/null || fail "man is missing (man-db; README.md's second command)"
command -v groff >/dev/null || fail "groff is missing (groff-base)"

# --- every man page renders without warnings
pages=0
for page in "$SRC"/docs/man/*.1; do
  w=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$w" ] || fail "$(basename "$page"): man --warnings: $w"
  w=$(groff -ww -man -z "$page" 2>&1)
  [ -z "$w" ] || fail "$(basename "$page"): groff -ww: $w"
  MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME" || fail "$(basename "$page") has no NAME"
  pages=$((pages + 1))
done
[ "$pages" -ge 5 ] || fail "only $pages man pages in docs/man"

# --- the CLI prints the generated help, for every command it has
python3 "$gen" --root "$SRC" --sources >"$TMP/sources" || fail "gen_cli_docs.py --sources failed"
while read -r name source part; do
  case $name in
  thbx) args=(--help) ;;
  validate-*) args=(validate "--${name#validate-}" --help) ;;
  *) args=("$name" --help) ;;
  esac
  "$THBX" "${args[@]}" >"$TMP/got" 2>&1 || fail "thbx ${args[*]} exited non-zero"
  python3 "$gen" --root "$SRC" --print-help "$name" >"$TMP/want"
  diff -u "$TMP/want" "$TMP/got" >"$TMP/diff" ||
    fail "thbx ${args[*]} is not the generated help: $(head -20 "$TMP/diff")"
  if [ "$part" = - ] && [ "$name" != thbx ]; then
    [ -f "$SRC/docs/man/thbx-$name.1" ] || fail "no man page docs/man/thbx-$name.1"
    grep -q "^  $name " "$TMP/want" 2>/dev/null || "$THBX" --help | grep -q "^  $name " ||
      fail "thbx --help does not list $name"
  fi
  checks=$((checks + 1))
done <"$TMP/sources"

# --- documented options == the options of the getopt tables, both ways
python3 "$SRC/tests/cli/cli_docs_check.py" "$SRC" "$THBX" ||
  fail "options and their documentation disagree (above)"
checks=$((checks + 1))
pass
