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


def _latest_inputs(publisher: Publisher, dataset: Dataset) -> tuple[str, str | None] | None:
    """(latest version, its inputs hash): from the version's descriptor alone when the publisher can (the local
    portal: one small file), else from the whole version as the publisher reads it."""
    light = getattr(publisher, "latest_inputs", None)
    if light is not None:
        return light(dataset)
    latest: PublishedVersion | None = publisher.latest(dataset)
    return None if latest is None else (latest.version, latest.inputs_sha256)


def unchanged_since_latest(catalog: Catalog, publisher: Publisher, dataset: Dataset) -> str | None:
    """The latest version when nothing it was made from has changed, else None."""
    hashes = export_hashes_in_place(dataset, catalog.root)
    if hashes is None:
        return None
    latest = _latest_inputs(publisher, dataset)
    if latest is None or latest[1] is None:
        return None
    suite = json.loads(catalog.suite_path(dataset.id).read_text(encoding="utf-8"))
    key = inputs_sha256(hashes, dataset, load_schema(catalog, dataset.id), suite)
    return latest[0] if key == latest[1] else None
