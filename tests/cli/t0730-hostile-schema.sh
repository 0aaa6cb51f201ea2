#!/usr/bin/env bash
# Hostile JSON Schemas (issue 7), through `thbx validate --document
# --schema`: a catastrophic regex, $ref cycles, a huge enum, deep nesting of
# the schema and of the instance. Each fails with a clear message, or
# validates, in bounded time and memory (docs/security.md); none crashes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile-lib.sh"
"$THBX" validate --document --help >"$TMP/help" 2>&1
if grep -q "not implemented" "$TMP/help"; then
  fail "thbx validate --document is not implemented"
fi

DOC=("$THBX" validate --document --schema)

# --- catastrophic backtracking: ^(a+)+$ against "aaaa...!" stops at the
# regex match limit with an error naming the limit, in well under a second
printf '{"type":"string","pattern":"^(a+)+$"}' >"$TMP/redos.json"
python3 -c 'import json,sys; sys.stdout.write(json.dumps("a" * 30000 + "!"))' >"$TMP/redos-doc.json"
hostile "catastrophic pattern" "1|2" "${DOC[@]}" "$TMP/redos.json" "$TMP/redos-doc.json"
says "limit|backtrack|regex|pattern" "catastrophic pattern"
printf '{"patternProperties":{"^(a|aa)+$":{"type":"integer"}}}' >"$TMP/redos2.json"
python3 -c 'import json,sys; sys.stdout.write(json.dumps({"a" * 5000 + "!": "x"}))' >"$TMP/redos2-doc.json"
hostile "catastrophic patternProperties" "0|1|2" "${DOC[@]}" "$TMP/redos2.json" "$TMP/redos2-doc.json"
printf '"aaaa"' >"$TMP/short.json"
hostile "the same pattern on a harmless string" 0 "${DOC[@]}" "$TMP/redos.json" "$TMP/short.json"
# an invalid pattern is a broken schema
printf '{"pattern":"(("}' >"$TMP/badre.json"
hostile "invalid pattern" 2 "${DOC[@]}" "$TMP/badre.json" "$TMP/short.json"
says "badre.json" "invalid pattern"
# a schema that breaks its meta-schema is broken, not silently lax
printf '{"properties":{"a":{"type":"strin"}}}' >"$TMP/typo.json"
hostile "misspelt type" 2 "${DOC[@]}" "$TMP/typo.json" "$TMP/short.json"
says "typo.json: not a valid draft 2020-12 schema: /properties/a/type" "misspelt type"

# --- $ref cycles that never reach an assertion: a broken schema, not a hang
printf '{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}' >"$TMP/cycle.json"
printf '1' >"$TMP/one.json"
hostile "\$ref cycle" "1|2" "${DOC[@]}" "$TMP/cycle.json" "$TMP/one.json"
says "ref|cycle|loop|recurs|depth" "\$ref cycle"
printf '{"$ref":"#"}' >"$TMP/self.json"
hostile "\$ref to itself" "1|2" "${DOC[@]}" "$TMP/self.json" "$TMP/one.json"
says "ref|cycle|loop|recurs|depth" "\$ref to itself"
# a legitimate recursive schema (the recursion consumes the instance) works
printf '{"type":"array","items":{"$ref":"#"}}' >"$TMP/rec.json"
printf '[[[],[[]]]]' >"$TMP/rec-doc.json"
hostile "recursive schema" 0 "${DOC[@]}" "$TMP/rec.json" "$TMP/rec-doc.json"
# a remote $ref is never fetched
printf '{"$ref":"http://127.0.0.1:9/schema.json"}' >"$TMP/remote.json"
hostile "remote \$ref" 2 "${DOC[@]}" "$TMP/remote.json" "$TMP/one.json"
says "127.0.0.1|ref|not found|unknown|resolve" "remote \$ref"

# --- a huge enum (100000 values): fast, and the message stays short
python3 - "$TMP" <<'EOF'
import json, sys
d = sys.argv[1]
json.dump({"enum": ["value-%d" % i for i in range(100000)]}, open(d + "/enum.json", "w"))
json.dump("value-99999", open(d + "/enum-ok.json", "w"))
json.dump("nope", open(d + "/enum-bad.json", "w"))
EOF
hostile "huge enum, valid" 0 "${DOC[@]}" "$TMP/enum.json" "$TMP/enum-ok.json"
hostile "huge enum, invalid" 1 "${DOC[@]}" "$TMP/enum.json" "$TMP/enum-bad.json"
says "enum|one of" "huge enum, invalid"
stderr_bounded "huge enum, invalid" 65536

# --- deep nesting: a schema 100000 deep (beyond any parser's depth), a
# schema 2000 deep, an instance 100000 deep and one 2000 deep
python3 - "$TMP" <<'EOF'
import sys
d = sys.argv[1]
open(d + "/deep100k.json", "w").write('{"not":' * 100000 + '{}' + '}' * 100000)
open(d + "/deep2k.json", "w").write('{"not":' * 2000 + '{}' + '}' * 2000)
open(d + "/doc100k.json", "w").write('[' * 100000 + ']' * 100000)
open(d + "/doc2k.json", "w").write('[' * 2000 + ']' * 2000)
EOF
hostile "schema nested 100000 deep" 2 "${DOC[@]}" "$TMP/deep100k.json" "$TMP/one.json"
says "deep100k.json" "schema nested 100000 deep"
hostile "schema nested 2000 deep" "0|1|2" "${DOC[@]}" "$TMP/deep2k.json" "$TMP/one.json"
printf '{"type":"array","items":{"$ref":"#"}}' >"$TMP/arr.json"
hostile "instance nested 100000 deep" "1|2" "${DOC[@]}" "$TMP/arr.json" "$TMP/doc100k.json"
says "doc100k.json" "instance nested 100000 deep"
hostile "instance nested 2000 deep" "0|1|2" "${DOC[@]}" "$TMP/arr.json" "$TMP/doc2k.json"

# --- a schema that is not JSON
printf '{"type":' >"$TMP/broken.json"
hostile "truncated schema" 2 "${DOC[@]}" "$TMP/broken.json" "$TMP/one.json"
says "broken.json" "truncated schema"
pass
