#!/usr/bin/env python3
"""run_action.py - run a composite GitHub Action's `run:` steps here, as a
runner would, for tests/cli/t0970-ci.sh (needs python3-yaml).

    run_action.py ACTION.yml --workspace DIR [--input NAME=VALUE]...

Evaluates the few expressions composite actions use in `env:`, `with:` and
`if:` (inputs.X, steps.ID.outputs.X, github.action_path, always(),
hashFiles(...), ==, &&), gives each step GITHUB_OUTPUT, GITHUB_PATH,
RUNNER_TEMP, GITHUB_ACTION_PATH and GITHUB_WORKSPACE, and skips `uses:`
steps (printing what they would get). Refuses an expression inside a
`run:` script: inputs reach scripts through env only (no script
injection). The steps' output goes to stderr (the log); prints the
action's outputs as NAME=VALUE on stdout and exits with the
status of the first failing step (0 if none).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Ctx:
    def __init__(self, inputs, action_path, workspace):
        self.inputs = inputs
        self.steps = {}
        self.action_path = action_path
        self.workspace = workspace
        self.failed = False

    def value(self, expr):
        expr = expr.strip()
        m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expr)
        if m:
            return self.inputs.get(m.group(1), "")
        m = re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expr)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        if expr == "github.action_path":
            return self.action_path
        if expr == "github.workspace":
            return self.workspace
        m = re.fullmatch(r"'([^']*)'", expr)
        if m:
            return m.group(1)
        raise SystemExit("run_action.py: cannot evaluate ${{ %s }}" % expr)

    def condition(self, expr):
        expr = EXPR.sub(lambda m: m.group(1), expr).strip()
        ok = True
        always = False
        for part in [p.strip() for p in expr.split("&&")]:
            if part == "always()":
                always = True
                continue
            if part == "success()":
                ok = ok and not self.failed
                continue
            m = re.fullmatch(r"hashFiles\((.*)\)\s*(==|!=)\s*''", part)
            if m:
                pattern = self.value(m.group(1))
                found = bool(glob.glob(os.path.join(self.workspace, pattern)))
                ok = ok and (found if m.group(2) == "!=" else not found)
                continue
            m = re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", part)
            if m:
                a, b = self.value(m.group(1)), self.value(m.group(3))
                ok = ok and ((a == b) if m.group(2) == "==" else (a != b))
                continue
            raise SystemExit("run_action.py: cannot evaluate if: %s" % part)
        return ok and (always or not self.failed)

    def subst(self, text):
        return EXPR.sub(lambda m: str(self.value(m.group(1))), str(text))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action")
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--runner-temp", help="RUNNER_TEMP (default: a new temporary directory)")
    a = ap.parse_args()
    with open(a.action, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    if action.get("runs", {}).get("using") != "composite":
        raise SystemExit("run_action.py: not a composite action")
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    for kv in a.input:
        k, _, v = kv.partition("=")
        if k not in inputs:
            raise SystemExit("run_action.py: the action has no input %s" % k)
        inputs[k] = v
    for k, v in action.get("inputs", {}).items():
        if v.get("required") and not inputs[k]:
            raise SystemExit("run_action.py: input %s is required" % k)
    ctx = Ctx(inputs, os.path.dirname(os.path.abspath(a.action)), os.path.abspath(a.workspace))
    temp = a.runner_temp or tempfile.mkdtemp(prefix="runner-temp.")
    os.makedirs(temp, exist_ok=True)
    status = 0
    for i, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", "step%d" % i)
        name = step.get("name", sid)
        if not ctx.condition(step.get("if", "success()")):
            print("run_action.py: skipped: %s" % name, file=sys.stderr)
            continue
        if "uses" in step:
            withs = {k: ctx.subst(v) for k, v in step.get("with", {}).items()}
            print("run_action.py: would use %s with %s" % (step["uses"], withs), file=sys.stderr)
            continue
        script = step["run"]
        if EXPR.search(script):
            raise SystemExit("run_action.py: step '%s' has an expression inside run: (pass it "
                             "through env)" % name)
        out = os.path.join(temp, "output.%d" % i)
        open(out, "w").close()
        env = dict(os.environ)
        env.update({k: ctx.subst(v) for k, v in step.get("env", {}).items()})
        env.update({"GITHUB_OUTPUT": out, "GITHUB_PATH": os.path.join(temp, "path"),
                    "RUNNER_TEMP": temp, "GITHUB_ACTION_PATH": ctx.action_path,
                    "GITHUB_WORKSPACE": ctx.workspace})
        shell = step.get("shell")
        if shell != "bash":
            raise SystemExit("run_action.py: step '%s': shell %s, expected bash" % (name, shell))
        print("run_action.py: run: %s" % name, file=sys.stderr)
        rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                            cwd=ctx.workspace, env=env, stdout=sys.stderr).returncode
        outputs = {}
        with open(out, encoding="utf-8") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                outputs[k] = v
        ctx.steps[sid] = outputs
        if rc != 0:
            ctx.failed = True
            status = status or rc
            print("run_action.py: step '%s' exited %d" % (name, rc), file=sys.stderr)
    for k, v in action.get("outputs", {}).items():
        print("%s=%s" % (k, ctx.subst(v.get("value", ""))))
    return status


if __name__ == "__main__":
    sys.exit(main())
