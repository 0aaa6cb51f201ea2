#!/usr/bin/env python3
"""cli_docs_check.py SRC [THBX] - do docs/cmdline/*.opts and the C sources
agree? Every long option of a command's getopt table(s) (its Source:) is
documented and every documented one is in the table, every short option of
the optstring is documented, main.c's commands are the documented ones, no
cmd_*.c has a help text of its own; with THBX, the binary accepts every
documented option (never 'unknown option'). Used by t0900-cli-docs.sh; run
it by hand after merging a branch (without THBX it needs no build)."""
import glob
import os
import re
import subprocess
import sys

src = sys.argv[1]
thbx = sys.argv[2] if len(sys.argv) > 2 else None
gen = os.path.join(src, "tools", "gen_cli_docs.py")
bad = []
sources = {}
for line in subprocess.run([sys.executable, gen, "--root", src, "--sources"], check=True,
                           capture_output=True, text=True).stdout.splitlines():
    name, source, part = line.split()
    sources[name] = source
# macros of option table entries (CLI_LIMIT_OPTIONS, ...) and of optstring
# parts in the CLI's headers
macros, strings = {}, {}
for h in glob.glob(os.path.join(src, "src/cli/*.h")):
    text = open(h).read().replace("\\\n", " ")
    for m in re.finditer(r"^#define ([A-Z_]+)[ \t]+(.*)$", text, re.M):
        if "_argument" in m.group(2):
            macros[m.group(1)] = m.group(2)
        elif re.fullmatch(r'"[^"]*"', m.group(2).strip()):
            strings[m.group(1)] = m.group(2).strip()[1:-1]


def expand(code):
    done = set()
    while True:
        todo = [n for n in macros if n not in done and re.search(r"\b%s\b" % n, code)]
        if not todo:
            return code
        for name in todo:
            done.add(name)
            code += "\n" + macros[name]


def optstrings(code):
    out = ""
    for m in re.finditer(r"getopt_long\([^,]+,\s*[^,]+,\s*(.*?),\s*\w+,\s*\w+\)", code, re.S):
        expr = m.group(1)
        for name, val in strings.items():
            expr = re.sub(r"\b%s\b" % name, '"%s"' % val, expr)
        out += "".join(re.findall(r'"([^"]*)"', expr))
    return out

named = set(sources.values())
for f in glob.glob(os.path.join(src, "src/cli/cmd_*.c")):
    rel = os.path.relpath(f, src)
    if rel not in named:
        bad.append("%s: no docs/cmdline/*.opts names it as its Source" % rel)
    if re.search(r"static const char help(_tail)?\[\]", open(f).read()):
        bad.append("%s: has its own help text; use the generated cli_help_* (help.h)" % rel)
# main.c's commands are the documented ones
main_c = open(os.path.join(src, "src/cli/main.c")).read()
table = set(re.findall(r'\{"([a-z-]+)",\s*cmd_[a-z_]+\s*[,}]', main_c))
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
    code = expand(open(os.path.join(src, source)).read())
    accepted = set(re.findall(r'\{\s*"([a-z0-9-]+)",\s*(?:no|required|optional)_argument', code))
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
    for o in sorted(doc) if thbx else []:
        mode = [parts[name], "--" + name[len(parts[name]) + 1:]] if name in parts else [name]
        argv = [thbx] + ([] if name == "thbx" else mode) + ["--" + o]
        r = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=20)
        if "unknown option" in r.stderr or "unrecognized option" in r.stderr:
            bad.append("%s: thbx rejects the documented --%s: %s" % (name, o, r.stderr.strip()))
    # short options of the optstring are documented too
    shorts = set(ch for ch in optstrings(code) if ch.isalnum())
    text = "".join(open(f).read() for f in glob.glob(os.path.join(src, "docs/cmdline/*.opts")))
    for ch in sorted(shorts):
        if not re.search(r"^Option: -%s(, --| |$)" % re.escape(ch), text, re.M):
            bad.append("%s: -%s is accepted but not documented" % (name, ch))
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
