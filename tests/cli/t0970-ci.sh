#!/usr/bin/env bash
# CI integration (issue 16), run here on sample data: action.yml (its steps
# run as a runner would: the build from this source tree, the validation,
# SARIF and annotations, the verdict), the GitLab CI example's script (JUnit
# report), and the pre-commit hooks' entries. Every YAML file parses.
. "$(dirname "$0")/lib.sh"
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing (README.md's second command)"
command -v xmllint >/dev/null || fail "xmllint is missing"
for y in action.yml docs/ci/gitlab-ci.yml .pre-commit-hooks.yaml; do
  python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$SRC/$y" ||
    fail "$y is not YAML"
done

# a repository with a valid dataset, and one with an invalid record too
ws="$TMP/repo"
mkdir -p "$ws/data"
cp "$SRC/samples/events.ndjson" "$ws/data/events.ndjson"
python3 - "$SRC/samples/events.ndjson" "$ws/bad.ndjson" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").readline())
r["record_id"] = "AL-NEW-0001"
r["person"]["sex"] = "F"
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False) + "\n")
PY

# --- the GitHub Action: first run builds thbx from this tree
run_action() {
  python3 "$SRC/tests/ci/run_action.py" "$SRC/action.yml" --workspace "$ws" \
    --runner-temp "$TMP/runner" "$@" >"$TMP/outputs" 2>"$TMP/action.log"
}
run_action --input 'files=data/*.ndjson' --input upload-sarif=true
rc=$?
[ "$rc" -eq 0 ] || fail "the action failed ($rc) on valid data: $(tail -20 "$TMP/action.log")"
built="$TMP/runner/thbx-build/thbx"
[ -x "$built" ] || fail "the action's build step made no $built"
grep -q "^thbx [0-9]" "$TMP/action.log" || fail "the build step did not print thbx --version"
grep -qx "exit-code=0" "$TMP/outputs" || fail "outputs: $(cat "$TMP/outputs")"
grep -q "would use github/codeql-action/upload-sarif@v3 with {'sarif_file': 'thbx.sarif'" \
  "$TMP/action.log" || fail "the SARIF is not uploaded: $(grep -i sarif "$TMP/action.log")"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0", s["version"]
assert s["runs"][0]["results"] == [], s["runs"][0]["results"]' "$ws/thbx.sarif" ||
  fail "the SARIF of valid data is wrong"
checks=$((checks + 1))

# invalid data: annotations on the line, SARIF results, the verdict fails
cp "$ws/bad.ndjson" "$ws/data/bad.ndjson"
run_action --input 'files=data/*.ndjson' --input "thbx=$built"
rc=$?
[ "$rc" -eq 1 ] || fail "the action exited $rc on invalid data, expected 1: $(tail "$TMP/action.log")"
grep -qx "exit-code=1" "$TMP/outputs" || fail "outputs: $(cat "$TMP/outputs")"
grep -qE '^::error file=data/bad.ndjson,line=1,col=[0-9]+,title=thbx enum::/person/sex' "$TMP/action.log" ||
  fail "no annotation on data/bad.ndjson:1: $(grep '::' "$TMP/action.log")"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
res = s["runs"][0]["results"]
assert len(res) == 1 and res[0]["ruleId"] == "enum", res
loc = res[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "data/bad.ndjson" and loc["region"]["startLine"] == 1, loc' \
  "$ws/thbx.sarif" || fail "the SARIF of invalid data is wrong"
checks=$((checks + 1))
# a pattern that matches nothing: exit 2 with an annotation
run_action --input 'files=nothing/*.ndjson' --input "thbx=$built" --input upload-sarif=false
rc=$?
[ "$rc" -eq 2 ] || fail "the action exited $rc on no files, expected 2"
grep -q "::error title=thbx::no file matches" "$TMP/action.log" || fail "no annotation for no files"
rm "$ws/data/bad.ndjson" "$ws/thbx.sarif"

# --- the GitLab CI example: its script lines, as GitLab runs them
mkdir -p "$TMP/bin"
ln -s "$THBX" "$TMP/bin/thbx"
python3 - "$SRC/docs/ci/gitlab-ci.yml" "$TMP" <<'PY' || fail "gitlab-ci.yml has no usable thbx-validate job"
import sys, yaml
ci = yaml.safe_load(open(sys.argv[1]))
job = ci["thbx-validate"]
assert job["artifacts"]["when"] == "always"
assert job["artifacts"]["reports"]["junit"] == "thbx-junit.xml"
with open(sys.argv[2] + "/gitlab.sh", "w") as f:
    f.write("set -e\n")
    for k, v in ci["variables"].items():
        f.write("export %s='%s'\n" % (k, v))
    f.write("\n".join(job["script"]) + "\n")
with open(sys.argv[2] + "/gitlab-before.sh", "w") as f:
    f.write("\n".join(job["before_script"]) + "\n")
PY
bash -n "$TMP/gitlab-before.sh" || fail "gitlab-ci.yml before_script is not shell"
(cd "$ws" && PATH="$TMP/bin:$PATH" bash "$TMP/gitlab.sh") >"$TMP/gitlab.log" 2>&1 ||
  fail "the GitLab script failed on valid data: $(tail "$TMP/gitlab.log")"
xmllint --noout "$ws/thbx-junit.xml" || fail "thbx-junit.xml is not XML"
grep -q '<testsuite name="data/events.ndjson" tests="30" failures="0"' "$ws/thbx-junit.xml" ||
  fail "JUnit of valid data: $(head -5 "$ws/thbx-junit.xml")"
cp "$ws/bad.ndjson" "$ws/data/bad.ndjson"
(cd "$ws" && PATH="$TMP/bin:$PATH" bash "$TMP/gitlab.sh") >"$TMP/gitlab.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "the GitLab script exited $rc on invalid data, expected 1"
grep -q '<testsuite name="data/bad.ndjson" tests="1" failures="1"' "$ws/thbx-junit.xml" ||
  fail "JUnit of invalid data: $(head -5 "$ws/thbx-junit.xml")"
grep -qE "^data/bad.ndjson:1:[0-9]+: error: /person/sex" "$TMP/gitlab.log" ||
  fail "the job log has no text report: $(cat "$TMP/gitlab.log")"
checks=$((checks + 2))

# --- the pre-commit hooks: each entry on the files its pattern selects
python3 - "$SRC/.pre-commit-hooks.yaml" "$ws" "$TMP/bin" <<'PY' || fail "pre-commit hooks failed (above)"
import os, re, shlex, subprocess, sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
ws, bindir = sys.argv[2], sys.argv[3]
env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"])
candidates = ["data/events.ndjson", "data/bad.ndjson", "README.md"]
assert hooks, "no hooks"
for h in hooks:
    for key in ("id", "name", "entry", "language"):
        assert key in h, "%s has no %s" % (h.get("id"), key)
    assert h["language"] == "system", h["id"]
    assert h.get("require_serial") is True, "%s: record_id uniqueness needs one run" % h["id"]
    files = [f for f in candidates if re.search(h.get("files", ""), f)]
    assert "README.md" not in files and "data/events.ndjson" in files, (h["id"], files)
    cmd = shlex.split(h["entry"]) + h.get("args", [])
    ok = subprocess.run(cmd + ["data/events.ndjson"], cwd=ws, env=env, capture_output=True)
    assert ok.returncode == 0, (h["id"], ok.stdout, ok.stderr)
    bad = subprocess.run(cmd + files, cwd=ws, env=env, capture_output=True, text=True)
    assert bad.returncode == 1, (h["id"], bad.returncode, bad.stdout, bad.stderr)
    assert "1 invalid" in bad.stdout, (h["id"], bad.stdout)
PY
checks=$((checks + 1))
pass
