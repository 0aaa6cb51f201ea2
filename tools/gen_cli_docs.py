#!/usr/bin/env python3
"""gen_cli_docs.py - the --help texts, man pages and bash completion of thbx,
generated from one description per command (curl's docs/cmdline-opts/ is the
model): docs/cmdline/COMMAND.opts, one stanza per option. The format is
described in docs/cmdline/README.md.

Generated (never edit these by hand, run this script):
  - src/cli/help.c and src/cli/help.h: every `thbx COMMAND --help` text and
    the command summaries of `thbx --help`;
  - docs/man/thbx.1 and docs/man/thbx-COMMAND.1 for every command;
  - completion/thbx.bash: bash completion of commands, options, formats,
    profile names and code-list names.

Usage: tools/gen_cli_docs.py [--root DIR] [--check] [--list-options CMD]
  --check         write nothing; exit 1 and say which files differ from what
                  would be generated (and how), 0 when all agree
  --list-options  print every long option CMD accepts, one per line (aliases
                  and Refused: ones included, unless --offered), for the tests;
                  CMD "all" prints "CMD --opt"
  --print-help    print the --help text of CMD as thbx should print it
  --sources       print "COMMAND SOURCE PART-OF" for every command
  --list-pending  print the stanzas marked Pending: BRANCH (left out until
                  that branch is merged and the line removed) or Until: BRANCH
  --merged BRANCH BRANCH is merged: in docs/cmdline/*.opts, delete the
                  Pending: lines naming it and the stanzas with Until: naming
                  it, then regenerate
Python 3 standard library only.
"""
import argparse
import difflib
import glob
import os
import re
import sys

STANZA_KEYS = ("Command", "Group", "Option", "Include", "Section")
KEY_RE = re.compile(r"^([A-Z][A-Za-z-]*):(.*)$")
HELP_COL = 27  # options' help texts start in this column
HELP_WIDTH = 80


class DocError(Exception):
    pass


# ------------------------------------------------------------------ parsing


def parse_file(path):
    """The stanzas of one .opts file: a list of dicts, key -> text, plus
    '_kind' (the first key) and '_where' (file:line)."""
    stanzas = []
    cur = None
    field = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        m = KEY_RE.match(line)
        if m:
            key, value = m.group(1), m.group(2).strip()
            if key in STANZA_KEYS:
                cur = {"_kind": key, "_where": "%s:%d" % (path, no), "_lines": {}}
                stanzas.append(cur)
            elif cur is None:
                raise DocError("%s:%d: %s: before any stanza" % (path, no, key))
            if key in cur:
                raise DocError("%s:%d: %s given twice in one stanza" % (path, no, key))
            cur[key] = [value] if value else []
            cur["_lines"][key] = no
            field = key
            continue
        if line.strip() == "":
            if field:
                cur[field].append("")
            continue
        if not line.startswith("  ") or field is None:
            raise DocError("%s:%d: expected 'Key: value' or a line indented by two spaces"
                           % (path, no))
        cur[field].append(line[2:].rstrip())
    for st in stanzas:
        for k, v in list(st.items()):
            if isinstance(v, list):
                while v and v[-1] == "":
                    v.pop()
                st[k] = "\n".join(v)
    return stanzas


class Option:
    def __init__(self, st):
        self.where = st["_where"]
        self.spelling = st["Option"]
        m = re.match(r"^(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)(?: (\S+))?$", self.spelling)
        m1 = re.match(r"^-([A-Za-z0-9])(?: (\S+))?$", self.spelling)  # short only
        if m:
            self.short, self.long, self.arg = m.group(1), m.group(2), m.group(3)
        elif m1:
            self.short, self.long, self.arg = m1.group(1), None, m1.group(2)
        else:
            raise DocError("%s: Option: '%s' is not '-x, --long ARG', '--long [ARG]' or "
                           "'-x [ARG]'" % (self.where, self.spelling))
        self.aliases = [a.strip()[2:] for a in st.get("Alias", "").split(",") if a.strip()]
        self.longs = ([self.long] if self.long else []) + self.aliases
        self.values = st.get("Values", "").split()
        self.complete = st.get("Complete", "values" if self.values else
                               ("none" if self.arg else ""))
        if self.arg and self.complete not in ("values", "file", "dir", "profile", "codes",
                                              "none"):
            raise DocError("%s: Complete: '%s' is not file, dir, profile, codes or none"
                           % (self.where, self.complete))
        if "Help" not in st:
            raise DocError("%s: option %s has no Help" % (self.where, self.spelling))
        self.help = st["Help"]
        self.description = st.get("Description", "" if self.help == "no" else self.help)
        if self.long == "help" and "Description" not in st:
            self.description = "Print the help of this command and exit 0."
        # in the command's getopt table, but refused with a usage error: left
        # out of --help, the man page and the completion
        self.refused = st.get("Refused", "")


class Command:
    def __init__(self, path, stanzas):
        self.path = path
        head = stanzas[0]
        if head["_kind"] not in ("Command", "Group"):
            raise DocError("%s: the first stanza must be Command: or Group:" % path)
        self.kind = head["_kind"]
        self.name = head[self.kind]
        self.head = head
        self.items = []  # ("option", Option) | ("include", name)
        self.sections = []
        for st in stanzas[1:]:
            k = st["_kind"]
            if k == "Option":
                self.items.append(("option", Option(st)))
            elif k == "Include":
                self.items.append(("include", st["Include"]))
            elif k == "Section":
                self.sections.append(st)
            else:
                raise DocError("%s: a second %s stanza" % (st["_where"], k))
        if self.kind == "Command":
            for key in ("Summary", "Usage", "Help"):
                if key not in head:
                    raise DocError("%s: command %s has no %s" % (head["_where"], self.name, key))

    def get(self, key, default=""):
        return self.head.get(key, default)


def load(root):
    cmds = {}
    for path in sorted(glob.glob(os.path.join(root, "docs", "cmdline", "*.opts"))):
        stanzas = parse_file(path)
        if stanzas and "Pending" in stanzas[0]:
            continue  # a command of a branch not merged yet
        # Pending: BRANCH waits for BRANCH's code; Until: BRANCH describes code
        # that BRANCH changes (both go with --merged BRANCH)
        c = Command(os.path.relpath(path, root), [st for st in stanzas if "Pending" not in st])
        if c.name in cmds:
            raise DocError("%s: %s is described twice" % (path, c.name))
        cmds[c.name] = c
    if "thbx" not in cmds:
        raise DocError("docs/cmdline/thbx.opts is missing")
    for c in cmds.values():
        for kind, x in c.items:
            if kind == "include" and (x not in cmds or cmds[x].kind != "Group"):
                raise DocError("%s: Include: %s names no Group" % (c.path, x))
        seen = set()
        for o in options_of(cmds, c):
            for n in o.longs + (["-" + o.short] if o.short else []):
                if n in seen:
                    raise DocError("%s: option %s twice in %s" % (o.where, n, c.name))
                seen.add(n)
    return cmds


def options_of(cmds, c):
    out = []
    for kind, x in c.items:
        if kind == "option":
            out.append(x)
        else:
            out.extend(options_of(cmds, cmds[x]))
    return out


def commands(cmds):
    """The commands thbx lists, in their Order."""
    cs = [c for c in cmds.values() if c.kind == "Command" and c.name != "thbx"
          and not c.get("Part-of")]
    return sorted(cs, key=lambda c: (int(c.get("Order", "1000")), c.name))


def read_version(root):
    with open(os.path.join(root, "include", "thbx.h"), encoding="utf-8") as f:
        text = f.read()
    version = re.search(r'#define THBX_VERSION "([^"]+)"', text).group(1)
    profile = re.search(r'#define THBX_DEFAULT_PROFILE "([^"]+)"', text).group(1)
    date = "unreleased"
    try:
        with open(os.path.join(root, "CHANGELOG.md"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^## \[([^\]]+)\] - (\d{4}-\d{2}-\d{2})", line)
                if m and m.group(1) == version:
                    date = m.group(2)
                    break
    except FileNotFoundError:
        pass
    return version, profile, date


# --------------------------------------------------------------- help texts


def help_text(cmds, c):
    """The --help text of command c, as plain text with {default_profile}."""
    out = []
    usage = c.get("Usage").split("\n")
    out.append("Usage: " + usage[0])
    for u in usage[1:]:
        out.append("       " + u)
    out.append("")
    out.extend(c.get("Help").split("\n"))
    if c.name == "thbx":
        out.append("")
        out.append("Commands:")
        width = max([10] + [len(x.name) for x in commands(cmds)])
        for sub in commands(cmds):
            out.append("  %-*s %s" % (width, sub.name, sub.get("Summary")))
        out.append("  %-*s %s" % (width, "help", "show the help of a command"))
    opts = help_options(cmds, c)
    if opts:
        out.append("")
        out.append("Options:")
        out.extend(opts)
    for s in c.sections:
        h = s.get("Help", "")
        if h and h != "no":
            out.append("")
            out.extend(h.split("\n"))
    return "\n".join(out) + "\n"


def help_options(cmds, c):
    out = []
    for kind, x in c.items:
        if kind == "include":
            g = cmds[x]
            out.extend(help_options(cmds, g))
            if g.get("Help-note"):
                out.extend(g.get("Help-note").split("\n"))
            continue
        o = x
        if o.help == "no" or o.refused:
            continue
        left = "  " + ("" if o.short else "    ") + o.spelling
        lines = o.help.split("\n")
        if len(left) <= HELP_COL - 2:
            out.append(left.ljust(HELP_COL) + lines[0])
        else:
            out.append(left)
            out.append(" " * HELP_COL + lines[0])
        out.extend(" " * HELP_COL + line for line in lines[1:])
        out.extend(mode_options(cmds, c, o))
    return out


def mode_options(cmds, c, o):
    """Under a mode's option (validate's --document), the options only that
    mode has, indented by two more columns."""
    out = []
    for m in cmds.values():
        if m.kind != "Command" or m.get("Part-of") != c.name or m.name != c.name + "-" + o.long:
            continue
        own = set(x.long for x in options_of(cmds, c))
        for x in options_of(cmds, m):
            if x.long in own or x.help == "no":
                continue
            left = "        " + x.spelling
            lines = x.help.split("\n")
            if len(left) <= HELP_COL - 2:
                out.append(left.ljust(HELP_COL) + lines[0])
            else:
                out += [left, " " * HELP_COL + lines[0]]
            out.extend(" " * HELP_COL + line for line in lines[1:])
    return out


def c_string(text, profile_macro=True):
    """text as C string literal lines; {default_profile} becomes the macro."""
    parts = []
    for line in text.split("\n")[:-1]:
        s = line.replace("\\", "\\\\").replace('"', '\\"') + "\\n"
        s = s.replace("{default_profile}", '" THBX_DEFAULT_PROFILE "')
        parts.append('    "%s"' % s)
    return "\n".join(parts)


def ident(name):
    return "cli_help_" + name.replace("-", "_")


def gen_help_c(cmds, srcs):
    out = ["/*", " * help.c - every `thbx COMMAND --help` text. GENERATED by",
           " * tools/gen_cli_docs.py from %s:" % ", ".join(srcs).replace("*", "COMMAND"),
           " * do not edit; edit the .opts files and run the script.", " */",
           '#include "help.h"', "", "#include <string.h>", "", "/* clang-format off */"]
    for c in cmds.values():
        if c.kind != "Command":
            continue
        out.append("const char %s[] =" % ident(c.name))
        out.append(c_string(help_text(cmds, c)) + ";")
        out.append("")
    out.append("static const struct {")
    out.append("  const char *name, *summary, *help;")
    out.append("} entries[] = {")
    for c in cmds.values():
        if c.kind == "Command":
            out.append('    {"%s", "%s", %s},' % (c.name, c.get("Summary").replace('"', '\\"'),
                                               ident(c.name)))
    out.append("    {NULL, NULL, NULL}};")
    out.append("")
    out.append("const char *cli_help_text(const char *command) {")
    out.append("  for (size_t i = 0; entries[i].name; i++)")
    out.append("    if (strcmp(entries[i].name, command) == 0)")
    out.append("      return entries[i].help;")
    out.append("  return NULL;")
    out.append("}")
    out.append("")
    out.append("const char *cli_help_summary(const char *command) {")
    out.append("  for (size_t i = 0; entries[i].name; i++)")
    out.append("    if (strcmp(entries[i].name, command) == 0)")
    out.append("      return entries[i].summary;")
    out.append("  return NULL;")
    out.append("}")
    return "\n".join(out) + "\n"


def gen_help_h(cmds, srcs):
    out = ["/*", " * help.h - the generated help texts (help.c). GENERATED by",
           " * tools/gen_cli_docs.py from docs/cmdline/COMMAND.opts: do not edit.", " */",
           "#ifndef THBX_CLI_HELP_H", "#define THBX_CLI_HELP_H", "", '#include "thbx.h"', "",
           "/* clang-format off */"]
    for c in cmds.values():
        if c.kind == "Command":
            out.append("extern const char %s[]; /* thbx %s --help */" % (ident(c.name), c.name))
    out += ["", "/* The --help text of a command (\"convert\", \"validate-document\", \"thbx\"),",
            " * NULL if it has none. */", "const char *cli_help_text(const char *command);",
            "/* Its one-line summary, as `thbx --help` lists it; NULL if none. */",
            "const char *cli_help_summary(const char *command);", "", "#endif"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- man pages


def roff_escape(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s


def roff_inline(s, profile):
    s = s.replace("{default_profile}", profile)
    parts = re.split(r"(`[^`]*`)", s)
    out = []
    for p in parts:
        if len(p) >= 2 and p.startswith("`") and p.endswith("`"):
            out.append("\\fB" + roff_escape(p[1:-1]) + "\\fR")
        else:
            out.append(roff_escape(p))
    line = "".join(out)
    if line.startswith(".") or line.startswith("'"):
        line = "\\&" + line
    return line


def roff_blocks(text, profile, in_item=False):
    """Description markup -> roff lines. Blocks are separated by blank lines;
    a block of lines indented by 4 spaces is literal, '- ' starts a bullet,
    ': TERM' a tagged paragraph, anything else is a paragraph."""
    out = []
    blocks, cur = [], []
    for line in text.split("\n"):
        if line.strip() == "":
            if cur:
                blocks.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        blocks.append(cur)
    first = True
    for b in blocks:
        if all(line.startswith("    ") for line in b):
            out += [".PP" if not in_item else ".IP", ".RS 4" if not in_item else ".RS", ".nf"]
            out += [roff_inline(line[4:], profile) for line in b]
            out += [".fi", ".RE"]
        elif b[0].startswith("- ") or b[0].startswith(": "):
            for line in b:
                if line.startswith("- "):
                    out.append(".IP \\(bu 2")
                    out.append(roff_inline(line[2:], profile))
                elif line.startswith(": "):
                    out.append(".TP")
                    out.append("\\fB" + roff_escape(line[2:]) + "\\fR")
                else:
                    out.append(roff_inline(line.strip(), profile))
            if not in_item:
                out.append(".PP")
        else:
            if not first or not in_item:
                out.append(".IP" if in_item else ".PP")
            out += [roff_inline(line, profile) for line in b]
        first = False
    # a trailing .PP from a list is harmless but untidy
    while out and out[-1] == ".PP":
        out.pop()
    return out


def roff_synopsis(line, c):
    words = []
    for tok in re.split(r"(\s+)", line):
        if not tok or tok.isspace():
            words.append(tok)
            continue
        t = roff_escape(tok)
        t = re.sub(r"(\\-\\-?[A-Za-z0-9][A-Za-z0-9\\-]*)", r"\\fB\1\\fR", t)
        t = re.sub(r"\b([A-Z][A-Z0-9_]*(?:=[A-Z]+)?(?:\.[a-z]+)?)\b", r"\\fI\1\\fR", t)
        words.append(t)
    s = "".join(words)
    m = re.match(r"^thbx( [a-z]+)?", line)
    if m:
        n = len(m.group(0))
        s = "\\fB" + s[:n] + "\\fR" + s[n:]
    return s


def man_option_lines(cmds, c, profile):
    out = []
    for kind, x in c.items:
        if kind == "include":
            out += man_option_lines(cmds, cmds[x], profile)
            continue
        o = x
        if o.refused:
            continue
        tag = []
        if o.short:
            tag.append("\\fB\\-%s\\fR" % o.short)
        names = ["\\fB\\-\\-%s\\fR" % roff_escape(n) for n in o.longs]
        tag += names
        t = ", ".join(tag)
        if o.arg:
            t += " \\fI%s\\fR" % roff_escape(o.arg)
        out += [".TP", t]
        out += roff_blocks(o.description, profile, in_item=True)
    return out


def man_page(cmds, c, version, profile, date):
    title = "thbx" if c.name == "thbx" else "thbx-" + c.name
    out = [".\\\" Generated by tools/gen_cli_docs.py from %s: do not edit." % c.path,
           '.TH %s 1 "%s" "thbx %s" "User Commands"' % (roff_escape(title.upper()), date,
                                                       version),
           ".nh", ".SH NAME", "%s \\- %s" % (roff_escape(title), roff_escape(c.get("Summary"))),
           ".SH SYNOPSIS", ".ad l"]
    if c.name == "thbx":
        usages = [c.get("Usage")] + ["thbx " + s.name + " ..." for s in commands(cmds)]
    else:
        usages = c.get("Usage").split("\n")
    for i, u in enumerate(usages):
        if i:
            out.append(".br")
        out.append(roff_synopsis(u.strip(), c))
    out.append(".ad b")
    out.append(".SH DESCRIPTION")
    out += roff_blocks(c.get("Description") or c.get("Help"), profile)
    if c.name == "thbx":
        out.append(".SH COMMANDS")
        for s in commands(cmds):
            out += [".TP", "\\fB%s\\fR" % s.name,
                    roff_escape(s.get("Summary")) + "; see",
                    ".BR thbx\\-%s (1)." % roff_escape(s.name)]
        out += [".TP", "\\fBhelp\\fR \\fICOMMAND\\fR",
                "the help of a command, the same as \\fBthbx\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR"]
    opts = man_option_lines(cmds, c, profile)
    if opts:
        out.append(".SH OPTIONS")
        out += opts
    for s in c.sections:
        if s.get("Man") == "no":
            continue
        text = s.get("Description") or s.get("Help")
        out.append(".SH " + roff_escape(s["Section"].upper()))
        out += roff_blocks(text, profile)
    for part in cmds.values():
        if part.kind == "Command" and part.get("Part-of") == c.name:
            out.append(".SH " + roff_escape(part.name.split("-", 1)[-1].upper()) + " MODE")
            for i, u in enumerate(part.get("Usage").split("\n")):
                if i:
                    out.append(".br")
                out.append(roff_synopsis(u.strip(), part))
            out.append(".PP")
            out += roff_blocks(part.get("Description") or part.get("Help"), profile)
            popts = [o for o in options_of(cmds, part)]
            if popts:
                out.append(".PP")
                out.append("Options of this mode:")
                out += man_option_lines(cmds, part, profile)
            for s in part.sections:
                if s.get("Man") == "no":
                    continue
                out.append(".PP")
                out += roff_blocks(s.get("Description") or s.get("Help"), profile)
    out.append(".SH SEE ALSO")
    if c.name == "thbx":
        see = ["thbx-%s(1)" % s.name for s in commands(cmds)]
    else:
        see = ["thbx(1)"] + [x.strip() for x in c.get("See-also").split(",") if x.strip()]
    refs = []
    for s in see:
        m = re.match(r"^(.*)\((\d)\)$", s)
        refs.append("\\fB%s\\fR(%s)" % (roff_escape(m.group(1)), m.group(2)) if m
                    else roff_escape(s))
    out.append(",\n".join(refs))
    out.append(".PP")
    out.append("The documentation in /usr/share/doc/thbx (docs/*.md in the source tree).")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------- completion


def sh_words(words):
    return " ".join(words)


def completion_case(cmds, c, indent):
    """The case branches completing the options and their values of c."""
    opts = [o for o in options_of(cmds, c) if not o.refused]
    pad = " " * indent
    out = [pad + "case $prev in"]
    groups = {}
    for o in opts:
        if not o.arg:
            continue
        names = ["--" + n for n in o.longs] + (["-" + o.short] if o.short else [])
        key = (o.complete, tuple(o.values))
        groups.setdefault(key, []).extend(names)
    for (kind, values), names in groups.items():
        pat = "|".join(names)
        if kind == "values":
            act = '_thbx_words "%s"' % " ".join(values)
        elif kind == "file":
            act = "_thbx_files"
        elif kind == "dir":
            act = "_thbx_dirs"
        elif kind == "profile":
            act = '_thbx_profiles "$thbx"'
        elif kind == "codes":
            act = '_thbx_codes "$thbx"'
        else:
            act = ":"
        out.append(pad + "%s) %s; return 0 ;;" % (pat, act))
    out.append(pad + "esac")
    longs = []
    for o in opts:
        if o.help == "no" and c.get("Part-of"):
            continue  # the mode's own flag (--document in validate --document)
        longs += ["--" + n for n in o.longs]
    out.append(pad + "case $cur in")
    out.append(pad + '-*) _thbx_words "%s"; return 0 ;;' % " ".join(longs))
    out.append(pad + "esac")
    args = c.get("Args", "none")
    act = {"file": "_thbx_files", "profile": '_thbx_profiles "$thbx" names',
           "codes": '_thbx_codes "$thbx"', "command": '_thbx_words "$_thbx_commands"',
           "none": ":"}.get(args)
    if act is None:
        raise DocError("%s: Args: %s is not file, profile, codes, command or none" %
                       (c.path, args))
    out.append(pad + act)
    return out


def gen_completion(cmds):
    names = [c.name for c in commands(cmds)] + ["help"]
    out = ["# bash completion for thbx. GENERATED by tools/gen_cli_docs.py from",
           "# docs/cmdline/*.opts: do not edit. Completes commands, options, formats,",
           "# profile names (thbx schema --list, *.json files) and code-list names",
           "# (thbx codes). Needs nothing from the bash-completion package.",
           "",
           '_thbx_commands="%s"' % " ".join(names),
           "",
           "_thbx_words() {",
           '  local IFS=$\' \\t\\n\'',
           '  COMPREPLY=($(compgen -W "$1" -- "$cur"))',
           "}",
           "",
           "_thbx_files() {",
           "  compopt -o filenames 2>/dev/null",
           "  local IFS=$'\\n'",
           '  COMPREPLY=($(compgen -f -- "$cur"))',
           "}",
           "",
           "_thbx_dirs() {",
           "  compopt -o filenames 2>/dev/null",
           "  local IFS=$'\\n'",
           '  COMPREPLY=($(compgen -d -- "$cur"))',
           "}",
           "",
           "# embedded profiles, 'none' and, unless $2 is 'names', JSON Schema files",
           "_thbx_profiles() {",
           "  local names",
           '  names=$("$1" schema --list 2>/dev/null)',
           '  if [ "${2:-}" = names ]; then',
           '    _thbx_words "$names"',
           "    return",
           "  fi",
           '  _thbx_words "$names none"',
           "  local IFS=$'\\n' f",
           '  for f in $(compgen -f -X \'!*.json\' -- "$cur") $(compgen -d -- "$cur"); do',
           '    COMPREPLY+=("$f")',
           "  done",
           "  compopt -o filenames 2>/dev/null",
           "}",
           "",
           "_thbx_codes() {",
           '  _thbx_words "$("$1" codes 2>/dev/null)"',
           "}",
           "",
           "_thbx() {",
           "  local cur prev cmd i thbx=${COMP_WORDS[0]}",
           '  cur=${COMP_WORDS[COMP_CWORD]}',
           '  prev=""',
           '  [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}',
           "  # --opt=value: bash splits at '=' (COMP_WORDBREAKS)",
           '  if [ "$cur" = "=" ]; then',
           '    cur=""',
           '  elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then',
           '    prev=${COMP_WORDS[COMP_CWORD - 2]}',
           "  fi",
           "  COMPREPLY=()",
           '  command -v "$thbx" >/dev/null 2>&1 || thbx=thbx',
           '  cmd=""',
           "  for ((i = 1; i < COMP_CWORD; i++)); do",
           '    case ${COMP_WORDS[i]} in',
           "    -*) ;;",
           '    *) cmd=${COMP_WORDS[i]}; break ;;',
           "    esac",
           "  done",
           ]
    # modes of a command (Part-of: validate, validate-document <- --document)
    for c in cmds.values():
        parent = c.get("Part-of") if c.kind == "Command" else ""
        if not parent:
            continue
        mode = c.name[len(parent) + 1:]
        out += ['  if [ "$cmd" = %s ]; then' % parent,
                "    for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do",
                '      [ "${COMP_WORDS[i]}" = --%s ] && cmd=%s' % (mode, c.name),
                "    done",
                "  fi"]
    out.append('  case $cmd in')
    out.append('  "")')
    out += completion_case(cmds, cmds["thbx"], 4)
    out.append("    ;;")
    out.append("  help)")
    out.append('    _thbx_words "$_thbx_commands"')
    out.append("    ;;")
    for c in cmds.values():
        if c.kind != "Command" or c.name == "thbx":
            continue
        out.append("  %s)" % c.name)
        out += completion_case(cmds, c, 4)
        out.append("    ;;")
    out.append("  esac")
    out.append("  return 0")
    out.append("}")
    out.append("complete -F _thbx thbx")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------- main


def lint(cmds):
    for c in cmds.values():
        if c.kind != "Command":
            continue
        for i, line in enumerate(help_text(cmds, c).replace("{default_profile}",
                                                            "thb-event-1.0").split("\n")):
            if len(line) > HELP_WIDTH:
                raise DocError("%s: line %d of the help of %s is longer than %d columns: %s"
                               % (c.path, i + 1, c.name, HELP_WIDTH, line))


def generate(root):
    cmds = load(root)
    lint(cmds)
    version, profile, date = read_version(root)
    srcs = ["docs/cmdline/*.opts"]
    files = {
        "src/cli/help.c": gen_help_c(cmds, srcs),
        "src/cli/help.h": gen_help_h(cmds, srcs),
        "completion/thbx.bash": gen_completion(cmds),
    }
    for c in cmds.values():
        if c.kind == "Command" and not c.get("Part-of"):
            name = "thbx" if c.name == "thbx" else "thbx-" + c.name
            files["docs/man/%s.1" % name] = man_page(cmds, c, version, profile, date)
    return cmds, files


def merged(root, branch):
    """Rewrite the .opts files for a merged branch, then regenerate."""
    changed = 0
    for path in sorted(glob.glob(os.path.join(root, "docs", "cmdline", "*.opts"))):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        # stanzas by their first line (comment lines go with the next stanza)
        starts = [i for i, line in enumerate(lines)
                  if KEY_RE.match(line) and KEY_RE.match(line).group(1) in STANZA_KEYS]
        out = []
        chunks = []
        bounds = starts + [len(lines)]
        chunks.append(lines[:bounds[0]] if starts else lines)
        for k in range(len(starts)):
            chunks.append(lines[bounds[k]:bounds[k + 1]])
        for chunk in chunks:
            names = lambda key: [ln.split(":", 1)[1].split() for ln in chunk
                                 if ln.startswith(key + ":")]
            if any(branch in n for n in names("Until")):
                changed += 1
                continue
            if any(branch in n for n in names("Pending")):
                changed += 1
                chunk = [ln for ln in chunk if not (ln.startswith("Pending:")
                                                    and branch in ln.split(":", 1)[1].split())]
            out.extend(chunk)
        text = "\n".join(out)
        text = re.sub(r"\n{3,}", "\n\n", text)
        if text != "\n".join(lines):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("updated %s" % os.path.relpath(path, root))
    print("%d stanzas changed for branch %s" % (changed, branch))
    try:
        _, files = generate(root)
    except DocError as e:
        print("gen_cli_docs.py: error: %s" % e, file=sys.stderr)
        return 2
    for rel, text in sorted(files.items()):
        path = os.path.join(root, rel)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote %s" % rel)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--list-options", metavar="CMD")
    ap.add_argument("--print-help", metavar="CMD")
    ap.add_argument("--offered", action="store_true",
                    help="with --list-options: leave out Refused: options")
    ap.add_argument("--sources", action="store_true")
    ap.add_argument("--list-pending", action="store_true")
    ap.add_argument("--merged", metavar="BRANCH")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    try:
        cmds, files = generate(root)
    except DocError as e:
        print("gen_cli_docs.py: error: %s" % e, file=sys.stderr)
        return 2
    if a.merged:
        return merged(root, a.merged)
    if a.list_pending:
        for path in sorted(glob.glob(os.path.join(root, "docs", "cmdline", "*.opts"))):
            for st in parse_file(path):
                for key in ("Pending", "Until"):
                    if key in st:
                        print("%s: %s %s: %s %s" % (st["_where"], st["_kind"], st[st["_kind"]],
                                                    key, st[key]))
        return 0
    if a.print_help:
        if a.print_help not in cmds or cmds[a.print_help].kind != "Command":
            print("gen_cli_docs.py: error: no command %s" % a.print_help, file=sys.stderr)
            return 2
        _, profile, _ = read_version(root)
        sys.stdout.write(help_text(cmds, cmds[a.print_help]).replace("{default_profile}",
                                                                   profile))
        return 0
    if a.sources:
        for c in cmds.values():
            if c.kind == "Command":
                print("%s %s %s" % (c.name, c.get("Source", "-"), c.get("Part-of", "-")))
        return 0
    if a.list_options:
        for c in cmds.values():
            if c.kind != "Command" or (a.list_options not in ("all", c.name)):
                continue
            for o in options_of(cmds, c):
                if a.offered and o.refused:
                    continue
                for n in o.longs:
                    print(("%s --%s" % (c.name, n)) if a.list_options == "all" else "--" + n)
        return 0
    # generated files no .opts describes any more
    stale = [os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "docs/man/*.1"))]
    stale = [p for p in stale if p not in files]
    bad = 0
    for rel, text in sorted(files.items()):
        path = os.path.join(root, rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        if a.check:
            bad += 1
            print("%s: differs from what tools/gen_cli_docs.py generates:" % rel)
            sys.stdout.writelines(difflib.unified_diff(
                (old or "").splitlines(True), text.splitlines(True), rel + " (on disk)",
                rel + " (generated)", n=1))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote %s" % rel)
    for rel in stale:
        if a.check:
            bad += 1
            print("%s: no docs/cmdline/*.opts describes it any more" % rel)
        else:
            os.remove(os.path.join(root, rel))
            print("removed %s" % rel)
    if a.check and bad:
        print("run tools/gen_cli_docs.py to regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
