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
python3 - "$SRC" "$gen" "$THBX" <<'PY' || fail "options and their documentation disagree (above)"
import re, subprocess, sys, glob, os
src, gen, thbx = sys.argv[1:]
bad = []
sources = {}
for line in subprocess.run([sys.executable, gen, "--root", src, "--sources"], check=True,
                           capture_output=True, text=True).stdout.splitlines():
    name, source, part = line.split()
    sources[name] = source
cli_h = open(os.path.join(src, "src/cli/cli.h")).read()
limits = re.search(r"#define CLI_LIMIT_OPTIONS(.*?)\n\n", cli_h, re.S).group(1)
named = set(sources.values())
for f in glob.glob(os.path.join(src, "src/cli/cmd_*.c")):
    rel = os.path.relpath(f, src)
    if rel not in named:
        bad.append("%s: no docs/cmdline/*.opts names it as its Source" % rel)
    if re.search(r"static const char help(_tail)?\[\]", open(f).read()):
        bad.append("%s: has its own help text; use the generated cli_help_* (help.h)" % rel)
# main.c's commands are the documented ones
main_c = open(os.path.join(src, "src/cli/main.c")).read()
table = set(re.findall(r'\{"([a-z-]+)", cmd_[a-z_]+\}', main_c))
parts = {}
for line in subprocess.run([sys.executable, gen, "--root", src, "--sources"], check=True,
                           capture_output=True, text=True).stdout.splitlines():
    n, _, part = line.split()
    if part != "-":
        parts[n] = part
documented = {n for n in sources if n != "thbx" and n not in parts}
for n in sorted(table - documented):
    bad.append("main.c runs '%s' but no docs/cmdline/%s.opts describes it" % (n, n))
for n in sorted(documented - table):
    bad.append("docs/cmdline/%s.opts describes '%s' but main.c has no such command" % (n, n))
for name, source in sorted(sources.items()):
    if source == "-":
        bad.append("%s: its .opts has no Source:" % name)
        continue
    code = open(os.path.join(src, source)).read()
    if "CLI_LIMIT_OPTIONS" in code:
        code += limits
    accepted = set(re.findall(r'\{"([a-z0-9-]+)",\s*(?:no|required|optional)_argument', code))
    if name == "thbx":  # main.c compares argv[1] itself
        accepted = set(re.findall(r'strcmp\(name, "--([a-z-]+)"\)', code))
    doc = set(o[2:] for o in subprocess.run(
        [sys.executable, gen, "--root", src, "--list-options", name], check=True,
        capture_output=True, text=True).stdout.split())
    for o in sorted(accepted - doc):
        bad.append("%s: %s accepts --%s, docs/cmdline/%s.opts does not document it"
                   % (name, source, o, name))
    for o in sorted(doc - accepted):
        bad.append("%s: --%s is documented but %s does not accept it" % (name, o, source))
    # and the binary agrees: a documented option is never 'unknown'
    for o in sorted(doc):
        mode = [parts[name], "--" + name[len(parts[name]) + 1:]] if name in parts else [name]
        argv = [thbx] + ([] if name == "thbx" else mode) + ["--" + o]
        r = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=20)
        if "unknown option" in r.stderr or "unrecognized option" in r.stderr:
            bad.append("%s: thbx rejects the documented --%s: %s" % (name, o, r.stderr.strip()))
    # short options of the optstring are documented too
    m = re.search(r'getopt_long\([^,]+,\s*[^,]+,\s*"([^"]*)"', code)
    if m:
        shorts = set(ch for ch in m.group(1) if ch.isalnum())
        text = open(os.path.join(src, "docs/cmdline/%s.opts" % name)).read()
        for ch in sorted(shorts):
            if not re.search(r"^Option: -%s, --" % re.escape(ch), text, re.M):
                bad.append("%s: -%s is accepted but not documented" % (name, ch))
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
checks=$((checks + 1))
pass
