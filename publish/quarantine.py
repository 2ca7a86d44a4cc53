"""Quarantine: a rejected export and its report, kept for the steward, never published.

Each rejection gets a folder ``<quarantine>/<dataset>/<UTC time>/`` holding the raw export(s) under ``raw/`` and the
report files beside them; the run's lineage record (START, then FAIL) is written there too, so auditors see rejected
runs as well.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.files import sha256_file
from satudata.core.records import RawExport


def store_rejected(root: Path, dataset_id: str, raws: list[RawExport], files: list[Path]) -> tuple[Path, list[dict]]:
    """Copy the raw export(s) and ``files`` (the report) into a new quarantine folder; returns the folder and what it
    holds ({name, uri, sha256, bytes}: URIs relative to the project, never a path of this machine)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / dataset_id / stamp
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    kept = []
    for raw in raws:
        if raw.path.is_file():
            shutil.copyfile(raw.path, folder / "raw" / raw.path.name)
            kept.append(folder / "raw" / raw.path.name)
    for path in files:
        shutil.copyfile(path, folder / path.name)
        kept.append(folder / path.name)
    return folder, [{"name": p.name, "uri": p.relative_to(root.parent).as_posix(), "sha256": sha256_file(p),
                     "bytes": p.stat().st_size} for p in kept]
