"""The Publisher protocol and the records that cross it. Storage apart from logic: a publisher only moves bytes."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from satudata.core.catalog import Dataset
from satudata.core.records import Fingerprint

PACKAGE_FILE = "datapackage.json"
LINEAGE_FILE = "lineage.jsonl"
VALIDATION_FILE = "validation.json"
CHANGELOG_FILE = "changelog.json"
PARQUET_BYTES = "satudata:bytes"   # the Parquet resource's size in datapackage.json (why not "bytes": publish.package)
# Order in which a version's files are published (and shown): data first.
FILE_ORDER = ("data.csv", "data.parquet", PACKAGE_FILE, VALIDATION_FILE, "validation.html", "changelog.json",
              "lineage.html", LINEAGE_FILE)


class PublishError(Exception):
    """Publishing failed; nothing that was published before is lost."""


class StorageRefused(PublishError):
    """The disk refused a write (full, read-only, not permitted); the message names the folder, in both languages.
    Whatever the write had begun is removed: readers see the portal as it was."""


class DatasetLocked(PublishError):
    """Another run is publishing this dataset right now."""


@dataclass(frozen=True)
class PublishedVersion:
    """What a target knows about one published version (read back from its datapackage.json)."""

    version: str
    fingerprint: Fingerprint
    published: str
    lineage_sha256: str | None = None                       # sha256 of this version's lineage.jsonl
    files: dict[str, dict] = field(default_factory=dict)   # name → {sha256, bytes, uri}
    inputs_sha256: str | None = None                        # raw exports + schema + suite + options + code


@dataclass
class Bundle:
    """A version ready to publish: a folder of files, data first, lineage last."""

    dataset_id: str
    department: str
    version: str
    dir: Path

    def files(self) -> list[Path]:
        present = {p.name: p for p in self.dir.iterdir() if p.is_file()}
        ordered = [present.pop(name) for name in FILE_ORDER if name in present]
        return ordered + sorted(present.values())


@dataclass(frozen=True)
class PublishRecord:
    target: str
    dataset_id: str
    version: str
    files: dict[str, dict]     # name → {uri, sha256, bytes}
    created: bool = True       # False when the version was already there (an idempotent re-run)


def version_from_package(descriptor: dict, files: dict[str, dict] | None = None) -> PublishedVersion:
    meta = descriptor["satudata"]
    fingerprint = Fingerprint(meta["content_sha256"], meta["metadata_sha256"],
                              tuple(tuple(c) for c in meta["columns"]))
    files = files or {}
    return PublishedVersion(descriptor["version"], fingerprint, meta["published"],
                            files.get(LINEAGE_FILE, {}).get("sha256"), files, meta.get("inputs_sha256"))


def read_package(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class Publisher(Protocol):
    target: str

    def history(self, dataset: Dataset) -> list[PublishedVersion]:
        """Every published version, oldest first."""

    def latest(self, dataset: Dataset) -> PublishedVersion | None: ...

    def file_uri(self, dataset: Dataset, version: str, name: str) -> str:
        """The URI a file of a version has (or will have) on this target."""

    def resource_path(self, dataset: Dataset, version: str, name: str) -> str:
        """The ``path`` datapackage.json gives a file of its own version on this target."""

    def lock(self, dataset: Dataset) -> AbstractContextManager[None]:
        """Held while deciding and publishing a version; raises DatasetLocked when another run holds it."""

    def publish(self, dataset: Dataset, bundle: Bundle) -> PublishRecord:
        """Write every file of the bundle as one new immutable version, atomically; never touch older ones."""

    def fetch(self, dataset: Dataset, version: str, name: str, dest: Path) -> Path:
        """Copy a published file into dest (for verification)."""


def resource_file(path: str) -> str:
    """The file name of a resource ``path``: beside the descriptor (local portal) or a URL of its own (CKAN)."""
    from urllib.parse import urlparse

    return urlparse(path).path.rsplit("/", 1)[-1]


def read_changelog(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
