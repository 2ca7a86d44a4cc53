#!/usr/bin/env bash
# The tools a journalist or another portal uses on what satudata publishes, installed apart from the project's own
# .venv (a separate environment, so nothing of satudata's can help them): frictionless 5.21 with its Parquet
# reader, ckanapi, rdflib. Idempotent: reinstalls only when this file changes. Prints the folder's bin/ path.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.satudata/outside
REQUIREMENTS='frictionless[parquet,pandas]==5.21.0 ckanapi==4.11 rdflib==7.*'
STAMP="$DIR/.installed-$(sha256sum "$0" | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  rm -rf "$DIR"
  python3 -m venv "$DIR"
  # shellcheck disable=SC2086
  "$DIR/bin/pip" install -q --disable-pip-version-check $REQUIREMENTS 2>&1 | grep -v '^WARNING: Location' >&2 || true
  "$DIR/bin/frictionless" --version >/dev/null
  touch "$STAMP"
fi
echo "$PWD/$DIR/bin"
