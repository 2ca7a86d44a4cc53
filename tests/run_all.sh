#!/usr/bin/env bash
# `make test`: start what the tests need (a real CKAN and a real S3-compatible server on loopback, Chromium, the
# users' own tools), run every test, stop what was started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the browser test" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The users' own tools (frictionless, ckanapi, rdflib) in an environment apart from .venv, for tests/outside.
SATUDATA_OUTSIDE_BIN=$(bash tests/outside/tools.sh)
export SATUDATA_OUTSIDE_BIN

bash tests/ckan_harness/up.sh
trap 'bash tests/ckan_harness/down.sh' EXIT
bash tests/s3_harness/up.sh
trap 'bash tests/s3_harness/down.sh; bash tests/ckan_harness/down.sh' EXIT
set -a
# shellcheck disable=SC1091
. .satudata/ckan/env
# shellcheck disable=SC1091
. .satudata/s3/env
set +a

"$BIN/pytest" -q "$@"
