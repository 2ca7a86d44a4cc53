#!/usr/bin/env bash
# What `make test` (tests/run_all.sh) and `make faults` (tests/faults/run_faults.sh) start, as functions to source:
# Chromium for the browser tests, the users' own tools, the real CKAN and the S3-compatible server on loopback.
# Each *_up adds its *_down to the EXIT trap; the env files it writes are exported.

harness_stops=()
harness_stop_all() {
  local i
  for ((i = ${#harness_stops[@]} - 1; i >= 0; i--)); do bash "${harness_stops[i]}" || true; done
}
trap harness_stop_all EXIT

need_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (Debian package) for the browser tests" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

outside_tools_up() {   # the users' own tools (frictionless, ckanapi, rdflib) apart from .venv, for tests/outside
  SATUDATA_OUTSIDE_BIN=$(bash tests/outside/tools.sh)
  export SATUDATA_OUTSIDE_BIN
}

harness_up() {   # tests/<name>_harness/up.sh, its stop remembered, its .satudata/<name>/env exported
  bash "tests/$1_harness/up.sh"
  harness_stops+=("tests/$1_harness/down.sh")
  set -a
  # shellcheck disable=SC1090
  . ".satudata/$1/env"
  set +a
}

ckan_up() { harness_up ckan; }
s3_up() { harness_up s3; }
