"""The local portal: one subfolder per department / dataset / version, and a catalogue index — in a store.

The portal's logic lives here: what a version holds, which hash a file has, what the index says. Where the bytes go
is the store's business (publish/store.py): a folder (the default) or an S3-compatible bucket (publish/store_s3.py),
picked once, in ``flows.context.make_publisher``. Either way a reader sees a whole version or none, versions are
never rewritten, and ``latest`` and ``index.json`` are written after the version.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.catalog import Catalog, Dataset
from satudata.core.files import sha256_file
from satudata.core.publishing import (
    LINEAGE_FILE,
    PACKAGE_FILE,
    Bundle,
    PublishedVersion,
    PublishError,
    PublishRecord,
    version_from_package,
)
from satudata.publish.store import INDEX_FILE, FolderStore, Store, VersionExists


def _events(lineage: bytes | None) -> list[dict]:
    """The events of a version's lineage record ([] when it has none or it does not read)."""
    try:
        return [json.loads(line) for line in lineage.decode("utf-8").splitlines() if line.strip()]
    except (AttributeError, ValueError):
        return []


def _recorded_outputs(events: list[dict]) -> dict[str, dict]:
    """file name → {sha256, bytes} from the COMPLETE event of a version's lineage record ({} if unreadable)."""
    try:
        complete = next(e for e in reversed(events) if e.get("eventType") == "COMPLETE")
        return {o["facets"]["checksum"]["fileName"]: o["facets"]["checksum"] for o in complete.get("outputs", [])}
    except (AttributeError, KeyError, StopIteration, TypeError):
        return {}


@dataclass(frozen=True)
class VersionRead:
    """A published version's datapackage.json, the events of its lineage record and what a target knows of it."""

    package: dict
    events: list[dict]
    version: PublishedVersion


def semver_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class LocalPortal:
    target = "local"

    def __init__(self, catalog: Catalog, root: Path | None = None, lock_wait_seconds: float = 900.0,
                 store: Store | None = None) -> None:
        self.catalog = catalog
        self.lock_wait_seconds = lock_wait_seconds
        self.store: Store = store or FolderStore(root or catalog.portal_dir())
        # The portal's folder, when it is one (the static site is rendered into it); None for a remote store.
        self.root: Path | None = self.store.root if isinstance(self.store, FolderStore) else None

    # --- where things are -------------------------------------------------------------------------------
    @staticmethod
    def dataset_key(dataset: Dataset) -> str:
        return f"{dataset.department}/{dataset.id}"

    def dataset_dir(self, dataset: Dataset) -> Path:
        return self._folder() / dataset.department / dataset.id

    def version_dir(self, dataset: Dataset, version: str) -> Path:
        return self.dataset_dir(dataset) / version

    def _folder(self) -> Path:
        if self.root is None:
            raise PublishError(f"the portal store {self.store.where} is not a folder: read it through history(), "
                               "latest() and fetch()")
        return self.root

    def file_uri(self, dataset: Dataset, version: str, name: str) -> str:
        """The file's public URL (``portal.base_url``), or its path relative to the portal's root when none is set."""
        return self.catalog.portal.url(f"{dataset.department}/{dataset.id}/{version}/{name}")

    def resource_path(self, dataset: Dataset, version: str, name: str) -> str:
        """How datapackage.json names a file of its own version: beside it, so the folder is self-contained."""
        return name

    # --- reading ----------------------------------------------------------------------------------------
    def versions(self, dataset: Dataset) -> list[str]:
        return sorted(self.store.versions(self.dataset_key(dataset)), key=semver_key)

    def read_version(self, dataset: Dataset, version: str) -> PublishedVersion:
        return self.read_version_whole(dataset, version).version

    def read_version_whole(self, dataset: Dataset, version: str) -> VersionRead:
        """One version as read from the store, each file once: its datapackage.json, its lineage record's events
        and what a target knows of it (the site shows all three, rendering 1,000 datasets a run)."""
        key = self.dataset_key(dataset)
        descriptor = json.loads(self.store.read(key, version, PACKAGE_FILE).decode("utf-8"))
        try:
            lineage: bytes | None = self.store.read(key, version, LINEAGE_FILE)
        except OSError:
            lineage = None
        events = _events(lineage)
        recorded = _recorded_outputs(events)
        files = {}
        for name, size in self.store.files(key, version).items():
            known = recorded.get(name)
            # Data files can be large: take the hash the version recorded when the size still agrees;
            # `satudata verify` re-hashes every byte. The lineage record itself is always hashed (the chain).
            if known and known.get("bytes") == size:
                digest = known["sha256"]
            elif name == LINEAGE_FILE and lineage is not None and len(lineage) == size:   # read above already
                digest = hashlib.sha256(lineage).hexdigest()
            else:
                digest = self.store.sha256(key, version, name)
            files[name] = {"sha256": digest, "bytes": size, "uri": self.file_uri(dataset, version, name)}
        return VersionRead(descriptor, events, version_from_package(descriptor, files))

    def history(self, dataset: Dataset) -> list[PublishedVersion]:
        return [self.read_version(dataset, v) for v in self.versions(dataset)]

    def latest(self, dataset: Dataset) -> PublishedVersion | None:
        versions = self.versions(dataset)
        return self.read_version(dataset, versions[-1]) if versions else None

    def latest_inputs(self, dataset: Dataset) -> tuple[str, str | None] | None:
        """(latest version, the hash of the inputs it was made from), read from its datapackage.json alone: the
        no-op test of a run (flows/precheck.py) reads no lineage record, no file list, no data."""
        versions = self.versions(dataset)
        if not versions:
            return None
        descriptor = json.loads(self.store.read(self.dataset_key(dataset), versions[-1], PACKAGE_FILE))
        return versions[-1], (descriptor.get("satudata") or {}).get("inputs_sha256")

    def fetch(self, dataset: Dataset, version: str, name: str, dest: Path) -> Path:
        return self.store.fetch(self.dataset_key(dataset), version, name, dest)

    def catalog_index(self) -> dict[str, dict]:
        """dataset id → entry of index.json ({} when there is none or it does not read)."""
        try:
            return json.loads(self.store.read_index().decode("utf-8")).get("datasets", {})
        except (OSError, ValueError, AttributeError):
            return {}

    def site_exists(self) -> bool:
        """Whether the portal has its index (and, in a folder, the static site rendered from it)."""
        return self.store.has(INDEX_FILE) and (self.root is None or self.store.has("index.html"))

    def index_is_current(self) -> bool:
        """Whether index.json names the latest version of every dataset the store holds: a run killed between a
        version's rename and the index leaves it behind, and the next run must write it again."""
        index = self.catalog_index()
        for dataset in self.catalog.datasets:
            versions = self.versions(dataset)
            if (index.get(dataset.id) or {}).get("latest") != (versions[-1] if versions else None):
                return False
        return True

    # --- writing ----------------------------------------------------------------------------------------
    def lock(self, dataset: Dataset) -> AbstractContextManager[None]:
        return self.store.lock(self.dataset_key(dataset), dataset.id, self.lock_wait_seconds)

    def publish(self, dataset: Dataset, bundle: Bundle) -> PublishRecord:
        try:
            self.store.put_version(self.dataset_key(dataset), bundle.version, bundle.dir,
                                   [p.name for p in bundle.files()])
        except VersionExists as exc:
            raise PublishError(f"{dataset.id} {bundle.version} already exists at {exc.where}; "
                               "versions are immutable") from None
        self.store.point_latest(self.dataset_key(dataset), bundle.version)
        self.write_index([dataset])
        files = {p.name: {"uri": self.file_uri(dataset, bundle.version, p.name), "sha256": sha256_file(p),
                          "bytes": p.stat().st_size} for p in bundle.files()}
        return PublishRecord(self.target, dataset.id, bundle.version, files)

    def write_index(self, changed: list[Dataset] | None = None) -> Path | str:
        """The catalogue index: every dataset, its versions, latest and lineage chain head.

        ``changed``: only these datasets' entries are read again from their versions, the others are kept from the
        index as it is (one dataset published in a catalogue of 1,000 reads one history, not 1,000); with no
        index to start from, or ``changed`` None, every entry is read again."""
        return self.store.write_index(lambda: self._index_text(changed))

    def _entry(self, dataset: Dataset) -> dict | None:
        history = self.history(dataset)
        if not history:
            return None
        head = history[-1]
        return {
            "department": dataset.department,
            "title": dataset.title.model_dump(),
            "latest": head.version,
            "latest_url": self.catalog.portal.url(f"{dataset.department}/{dataset.id}/latest/"),
            "versions": [{"version": v.version, "published": v.published,
                          "path": f"{dataset.department}/{dataset.id}/{v.version}/"} for v in history],
            "lineage_head": head.lineage_sha256,
        }

    def _index_text(self, changed: list[Dataset] | None = None) -> str:
        kept = self.catalog_index() if changed is not None else {}
        again = {d.id for d in changed} if changed is not None and kept else None
        entries = {}
        for dataset in self.catalog.datasets:
            old = kept.get(dataset.id)
            reuse = again is not None and dataset.id not in again and old is not None \
                and old.get("department") == dataset.department and old.get("title") == dataset.title.model_dump() \
                and old.get("latest_url") == self.catalog.portal.url(f"{dataset.department}/{dataset.id}/latest/")
            entry = old if reuse else self._entry(dataset)
            if entry is not None:
                entries[dataset.id] = entry
        index = {"portal": self.catalog.portal.title.model_dump(), "base_url": self.catalog.portal.base_url,
                 "updated": datetime.now(UTC).isoformat(timespec="seconds"), "datasets": entries}
        return json.dumps(index, ensure_ascii=False, indent=2)
