"""Before any flow run per dataset: which datasets cannot have changed since their latest version.

An export read from a file or glob is hashed where it lies; when the hash of everything a version is made from
(exports, schema, suite, catalogue entry, code version) equals the latest version's, nothing can have changed, so
no per-dataset run is started at all. HTTP and SQL sources must be fetched to know, so they always run.
"""

from __future__ import annotations

import json
from pathlib import Path

from satudata.core.catalog import Catalog, Dataset, load_schema
from satudata.core.files import sha256_file
from satudata.core.publishing import PublishedVersion, Publisher
from satudata.sources.pull import local_exports
from satudata.versioning import inputs_sha256


def export_hashes_in_place(dataset: Dataset, root: Path) -> list[dict] | None:
    if dataset.source.kind not in ("file", "glob"):
        return None
    paths = local_exports(dataset.source, root)
    if not paths or not all(p.is_file() for p in paths):
        return None
    return [{"sha256": sha256_file(p)} for p in paths]


def unchanged_since_latest(catalog: Catalog, publisher: Publisher, dataset: Dataset) -> PublishedVersion | None:
    hashes = export_hashes_in_place(dataset, catalog.root)
    if hashes is None:
        return None
    latest = publisher.latest(dataset)
    if latest is None or latest.inputs_sha256 is None:
        return None
    suite = json.loads(catalog.suite_path(dataset.id).read_text(encoding="utf-8"))
    key = inputs_sha256(hashes, dataset, load_schema(catalog, dataset.id), suite)
    return latest if key == latest.inputs_sha256 else None
