#!/usr/bin/env bash
# `make faults`: every fault proof with its full count, against the real CKAN harness, then the figures beside
# their targets (python -m tests.faults.report --figures; exit 1 if one is unmet or a proof's figures are missing).
# Knobs (environment): SATUDATA_KILL_ROUNDS, SATUDATA_CKAN_KILL_ROUNDS (20 each), SATUDATA_FAULTS_DIR (where the
# <proof>.json files go, default .satudata/faults); extra arguments go to pytest (e.g. -k disk).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
# shellcheck source=../harness.sh
. tests/harness.sh

export SATUDATA_KILL_ROUNDS=${SATUDATA_KILL_ROUNDS:-20}
export SATUDATA_CKAN_KILL_ROUNDS=${SATUDATA_CKAN_KILL_ROUNDS:-20}
export SATUDATA_FAULTS=1                       # the full bad-input corpus too (tests/faults/conftest.py)
export SATUDATA_FAULTS_DIR=${SATUDATA_FAULTS_DIR:-$PWD/.satudata/faults}
mkdir -p "$SATUDATA_FAULTS_DIR"
rm -f "$SATUDATA_FAULTS_DIR"/*.json            # figures of this run only: a proof that did not finish shows missing

need_chromium
ckan_up

echo "make faults: started $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
status=0
# The 45-minute full corpus last: a run cut short still has every other proof's figures (and the quick corpus').
"$BIN/pytest" -q -p no:cacheprovider tests/faults tests/privacy/test_corpus_flow.py \
  tests/prefect_server/test_two_workers.py --ignore=tests/faults/test_bad_inputs.py "$@" || status=$?
"$BIN/pytest" -q -p no:cacheprovider tests/faults/test_bad_inputs.py "$@" || status=$?
echo "make faults: finished $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/python" -m tests.faults.report --figures || status=$?
exit "$status"
