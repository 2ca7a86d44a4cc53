"""The local portal: a folder, one subfolder per department / dataset / version, and a catalogue index.

A version is written into a temporary folder beside its final place and renamed into it (atomic on one file
system), so a reader sees a whole version or none. Versions are never rewritten. `latest` (a symlink) and
`index.json` are derived from the version folders and rewritten atomically after each publish.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.catalog import Catalog, Dataset
from satudata.core.files import sha256_file
from satudata.core.publishing import (
    LINEAGE_FILE,
    PACKAGE_FILE,
    Bundle,
    DatasetLocked,
    PublishedVersion,
    PublishError,
    PublishRecord,
    read_package,
    version_from_package,
)

INDEX_FILE = "index.json"
TMP_PREFIX = ".tmp-"


def _recorded_outputs(lineage: Path) -> dict[str, dict]:
    """file name → {sha256, bytes} from the COMPLETE event of a version's lineage record ({} if unreadable)."""
    try:
        events = [json.loads(line) for line in lineage.read_text(encoding="utf-8").splitlines() if line.strip()]
        complete = next(e for e in reversed(events) if e.get("eventType") == "COMPLETE")
        return {o["facets"]["checksum"]["fileName"]: o["facets"]["checksum"] for o in complete.get("outputs", [])}
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        return {}


def semver_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(text, encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class LocalPortal:
    target = "local"

    def __init__(self, catalog: Catalog, root: Path | None = None, lock_wait_seconds: float = 900.0) -> None:
        self.catalog = catalog
        self.lock_wait_seconds = lock_wait_seconds
        self.root = (root or catalog.portal_dir()).resolve()

    # --- where things are -------------------------------------------------------------------------------
    def dataset_dir(self, dataset: Dataset) -> Path:
        return self.root / dataset.department / dataset.id

    def version_dir(self, dataset: Dataset, version: str) -> Path:
        return self.dataset_dir(dataset) / version

    def file_uri(self, dataset: Dataset, version: str, name: str) -> str:
        """The file's public URL (``portal.base_url``), or its path relative to the portal's root when none is set."""
        return self.catalog.portal.url(f"{dataset.department}/{dataset.id}/{version}/{name}")

    def resource_path(self, dataset: Dataset, version: str, name: str) -> str:
        """How datapackage.json names a file of its own version: beside it, so the folder is self-contained."""
        return name

    # --- reading ----------------------------------------------------------------------------------------
    def versions(self, dataset: Dataset) -> list[str]:
        folder = self.dataset_dir(dataset)
        if not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir()
                 if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
                 and (p / PACKAGE_FILE).is_file()]
        return sorted(found, key=semver_key)

    def read_version(self, dataset: Dataset, version: str) -> PublishedVersion:
        folder = self.version_dir(dataset, version)
        descriptor = read_package(folder / PACKAGE_FILE)
        recorded = _recorded_outputs(folder / LINEAGE_FILE)
        files = {}
        for path in folder.iterdir():
            if not path.is_file():
                continue
            size = path.stat().st_size
            known = recorded.get(path.name)
            # Data files can be large: take the hash the version recorded when the size still agrees;
            # `satudata verify` re-hashes every byte. The lineage record itself is always hashed (the chain).
            digest = known["sha256"] if known and known.get("bytes") == size else sha256_file(path)
            files[path.name] = {"sha256": digest, "bytes": size, "uri": self.file_uri(dataset, version, path.name)}
        return version_from_package(descriptor, files)

    def history(self, dataset: Dataset) -> list[PublishedVersion]:
        return [self.read_version(dataset, v) for v in self.versions(dataset)]

    def latest(self, dataset: Dataset) -> PublishedVersion | None:
        versions = self.versions(dataset)
        return self.read_version(dataset, versions[-1]) if versions else None

    def fetch(self, dataset: Dataset, version: str, name: str, dest: Path) -> Path:
        source = self.version_dir(dataset, version) / name
        if not source.is_file():
            raise FileNotFoundError(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return dest

    # --- writing ----------------------------------------------------------------------------------------
    @contextmanager
    def lock(self, dataset: Dataset) -> Iterator[None]:
        folder = self.dataset_dir(dataset)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as handle:
            deadline = time.monotonic() + self.lock_wait_seconds
            while True:   # wait for the other run, then decide again with what it published
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DatasetLocked(f"{dataset.id}: another run has been publishing this dataset for "
                                            f"{self.lock_wait_seconds:.0f} s; try again later") from None
                    time.sleep(0.2)
            try:
                for leftover in folder.glob(f"{TMP_PREFIX}*"):   # from a run that died mid-publish
                    shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def publish(self, dataset: Dataset, bundle: Bundle) -> PublishRecord:
        final = self.version_dir(dataset, bundle.version)
        if final.exists():
            raise PublishError(f"{dataset.id} {bundle.version} already exists at {final}; versions are immutable")
        tmp = final.with_name(f"{TMP_PREFIX}{bundle.version}-{uuid.uuid4().hex}")
        shutil.copytree(bundle.dir, tmp)
        _fsync_tree(tmp)
        os.rename(tmp, final)
        self._point_latest(dataset, bundle.version)
        self.write_index()
        files = {p.name: {"uri": self.file_uri(dataset, bundle.version, p.name), "sha256": sha256_file(p),
                          "bytes": p.stat().st_size} for p in bundle.files()}
        return PublishRecord(self.target, dataset.id, bundle.version, files)

    def _point_latest(self, dataset: Dataset, version: str) -> None:
        link = self.dataset_dir(dataset) / "latest"
        tmp = link.with_name(f"{TMP_PREFIX}latest-{uuid.uuid4().hex}")
        os.symlink(version, tmp)
        os.replace(tmp, link)

    def write_index(self) -> Path:
        """The catalogue index: every dataset, its versions, latest and lineage chain head."""
        entries = {}
        for dataset in self.catalog.datasets:
            history = self.history(dataset)
            if not history:
                continue
            head = history[-1]
            entries[dataset.id] = {
                "department": dataset.department,
                "title": dataset.title.model_dump(),
                "latest": head.version,
                "latest_url": self.catalog.portal.url(f"{dataset.department}/{dataset.id}/latest/"),
                "versions": [{"version": v.version, "published": v.published,
                              "path": f"{dataset.department}/{dataset.id}/{v.version}/"} for v in history],
                "lineage_head": head.lineage_sha256,
            }
        index = {"portal": self.catalog.portal.title.model_dump(), "base_url": self.catalog.portal.base_url,
                 "updated": datetime.now(UTC).isoformat(timespec="seconds"), "datasets": entries}
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / INDEX_FILE
        with (self.root / ".index.lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            _write_atomic(path, json.dumps(index, ensure_ascii=False, indent=2))
        return path
