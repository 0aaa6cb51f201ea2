#!/usr/bin/env bash
# Bash completion (issue 16): source completion/thbx.bash, set COMP_WORDS
# and COMP_CWORD as bash does, call _thbx and check COMPREPLY: commands,
# options of each command (all the documented ones), formats, report
# formats, profile names, code-list names and files.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$SRC/completion/thbx.bash" || fail "completion/thbx.bash does not load"
complete -p thbx 2>/dev/null | grep -q -- "-F _thbx" || fail "no 'complete -F _thbx thbx'"

# comp WORD...: complete the last WORD (COMP_WORDS[0] is the binary)
comp() {
  COMP_WORDS=("$THBX" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _thbx
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
# expect "WANTED WORDS" WORD...: COMPREPLY is exactly those words
expect() {
  local want got
  want=$(printf '%s\n' $1 | sort)
  shift
  got=$(comp "$@")
  checks=$((checks + 1))
  [ "$got" = "$want" ] || fail "completing '$*': got [$(echo $got)], expected [$(echo $want)]"
}
# has WORD ARG...: COMPREPLY includes WORD
has() {
  local w=$1
  shift
  checks=$((checks + 1))
  comp "$@" | grep -qxF -- "$w" || fail "completing '$*' does not offer $w: [$(comp "$@" | tr '\n' ' ')]"
}

cd "$TMP" || fail "no temp dir"
cmds=$("$THBX" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "thbx --help lists no commands"
expect "$cmds" ""
expect "convert codes" c
expect "validate" val
expect "--version --help" --
expect "json ndjson csv xml" convert -t ""
expect "json ndjson csv xml" convert --to ""
expect "ndjson" convert -f nd
expect "--no-header" convert --no-h
expect "text json junit sarif github html chunk" validate --format ""
expect "sarif" validate --format s
expect "junit json" validate --format = j     # --format=j, split at '=' by bash
expect "--draft" validate --document --dr
expect "2020-12 7" validate --document --draft ""
expect "validate" help v
expect "--format" validate --merge --for
# profiles: the embedded ones and 'none' (and JSON Schema files)
profiles=$("$THBX" schema --list)
expect "$profiles none" convert -p ""
expect "$profiles" schema ""
touch my.schema.json other.txt
expect "$profiles none my.schema.json" validate --profile ""
# code lists, from `thbx codes`
expect "$("$THBX" codes)" codes ""
expect "exploitation_forms" codes expl
# files
mkdir -p data && touch data/a.ndjson data/b.csv
expect "data/a.ndjson data/b.csv" convert -t csv data/
expect "data/a.ndjson" validate -o data/a
expect "data/a.ndjson" validate --merge data/a
# a value that is a number completes nothing
expect "" convert --max-depth ""
# every documented option of every command is offered
python3 "$SRC/tools/gen_cli_docs.py" --root "$SRC" --list-options all --offered >"$TMP/opts" ||
  fail "gen_cli_docs.py --list-options failed"
[ -s "$TMP/opts" ] || fail "no documented options"
while read -r cmd opt; do
  case $cmd in
  thbx) has "$opt" -- ;;
  validate-*) [ "$opt" = "--${cmd#validate-}" ] || has "$opt" validate "--${cmd#validate-}" -- ;;
  *) has "$opt" "$cmd" -- ;;
  esac
done <"$TMP/opts"
pass
