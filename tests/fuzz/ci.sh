#!/usr/bin/env bash
# tests/fuzz/ci.sh - the bounded fuzz run CI makes (called from .ci/run):
# every libFuzzer harness for FUZZ_SECONDS (default 20) under ASan+UBSan.
# A finding fails CI; run.sh prints the crashing input (and keeps it in
# tests/fuzz/regressions/<harness>/ of the CI checkout). Reproduce locally with
#   FUZZ_SECONDS=60 bash tests/fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}
exec bash tests/fuzz/run.sh
