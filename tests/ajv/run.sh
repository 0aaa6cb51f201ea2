#!/usr/bin/env bash
# Runs tests/ajv/check.mjs with ajv installed by `npm ci` from
# tests/package-lock.json. The install goes to the build directory (BUILD),
# not the source tree, so parallel builds never race on one node_modules.
# Needs node and npm: without them the test fails, it does not skip.
set -eu
SRC=${SRC:?SRC must name the source directory}
BUILD=${BUILD:?BUILD must name the build directory}
command -v node >/dev/null || { echo "FAIL: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
command -v npm >/dev/null || { echo "FAIL: npm is not installed (apt-get install npm)" >&2; exit 1; }
work=$BUILD/ajv-profile
mkdir -p "$work/ajv"
cp "$SRC/tests/ajv/check.mjs" "$work/ajv/check.mjs"
if ! cmp -s "$SRC/tests/package-lock.json" "$work/package-lock.json" ||
   ! cmp -s "$SRC/tests/package.json" "$work/package.json" ||
   [ ! -f "$work/node_modules/ajv/package.json" ]; then
  cp "$SRC/tests/package.json" "$SRC/tests/package-lock.json" "$work/"
  npm ci --prefix "$work" --cache "$BUILD/npm-cache" --prefer-offline --no-audit --no-fund \
    --loglevel=error || { echo "FAIL: npm ci could not install ajv and ajv-formats" >&2; exit 1; }
fi
exec node "$work/ajv/check.mjs" "$SRC"
