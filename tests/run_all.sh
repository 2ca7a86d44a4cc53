#!/usr/bin/env bash
# `make test`: start what the tests need (a real CKAN and a real S3-compatible server on loopback, Chromium, the
# users' own tools), run every test, stop what was started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# shellcheck source=harness.sh
. tests/harness.sh

need_chromium
outside_tools_up
ckan_up
s3_up

"$BIN/pytest" -q --durations=25 "$@"   # the 25 slowest, to keep make test near 30 minutes
