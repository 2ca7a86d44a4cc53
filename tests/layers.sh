#!/usr/bin/env bash
# The import contract of pyproject.toml ([tool.importlinter]), checked on the package as it installs: flows/,
# validators/ and publish/ live at the top of the repository but install as satudata.flows, satudata.validators and
# satudata.publish, which an editable install does not show to import-linter. So the package is laid out as it
# installs (a copy of the sources, no build) and lint-imports reads that.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp -r satudata "$out/satudata"
for part in flows validators publish; do cp -r "$part" "$out/satudata/$part"; done
find "$out" -name __pycache__ -prune -exec rm -rf {} +
# From the copy's folder: lint-imports puts the working directory first on the import path.
root=$PWD
(cd "$out" && PYTHONPATH="$out" "$root/.venv/bin/lint-imports" --no-cache --no-logo "$root/pyproject.toml")
