"""Where a portal's bytes live: one small interface, a folder and an S3-compatible implementation (store_s3.py).

The portal (publish/local.py) names storage *keys*, never paths: a dataset is ``<department>/<dataset>``, a
version's files are ``<department>/<dataset>/<version>/<name>``, and the catalogue index is ``index.json``. A store
guarantees, whatever it is built on:

- ``put_version`` makes a whole version visible at once or not at all, and refuses a version that exists
  (``VersionExists``): published bytes are never rewritten;
- the readers (``versions``, ``files``, ``read``, ``fetch``, ``sha256``) see committed versions only;
- ``point_latest`` and ``write_index`` are written after the version (the pointer last);
- ``lock`` admits one writer per dataset and, once held, removes what a run that died mid-publish left behind.

The folder store is the portal as it always was: a version is copied into a ``.tmp-`` folder beside its place,
fsynced and renamed into it (atomic on one file system, or on a shared one with atomic rename such as NFS),
``latest`` is a symlink and the lock is a file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from satudata.core.files import sha256_file, storage_fault
from satudata.core.publishing import PACKAGE_FILE, DatasetLocked, PublishError, StorageRefused

INDEX_FILE = "index.json"
TMP_PREFIX = ".tmp-"


class VersionExists(PublishError):
    """The version is already published there (``where``); versions are immutable."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(f"{where} already exists")


class Store(Protocol):
    where: str   # the store itself, for messages: a folder, or s3://bucket/prefix

    def versions(self, dataset: str) -> list[str]:
        """The committed versions of a dataset key, in no particular order."""

    def files(self, dataset: str, version: str) -> dict[str, int]:
        """name → bytes of every file of a committed version (FileNotFoundError when it is not committed)."""

    def read(self, dataset: str, version: str, name: str) -> bytes:
        """A file of a committed version (FileNotFoundError when absent)."""

    def sha256(self, dataset: str, version: str, name: str) -> str:
        """The sha256 of a file's stored bytes, read again."""

    def fetch(self, dataset: str, version: str, name: str, dest: Path) -> Path:
        """Copy a file of a committed version into dest (FileNotFoundError when absent)."""

    def lock(self, dataset: str, label: str, wait_seconds: float) -> AbstractContextManager[None]:
        """Held while a version is decided and published; DatasetLocked after wait_seconds."""

    def put_version(self, dataset: str, version: str, folder: Path, names: list[str]) -> None:
        """The files ``names`` of ``folder`` as one new version, visible whole or not at all; VersionExists."""

    def point_latest(self, dataset: str, version: str) -> None:
        """Move the dataset's ``latest`` pointer to version."""

    def write_index(self, make: Callable[[], str]) -> Path | str:
        """Replace index.json with ``make()`` (called again if another writer replaced it meanwhile)."""

    def read_index(self) -> bytes:
        """index.json (FileNotFoundError when there is none)."""

    def has(self, name: str) -> bool:
        """Whether the portal's root holds the file ``name`` (index.json, index.html)."""


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


@contextmanager
def refused(root: Path, *leftovers: Path) -> Iterator[None]:
    """A write into the portal ``root``: when the disk refuses it (full, read-only, not permitted), what it had begun
    (``leftovers``) is removed and a StorageRefused naming the folder is raised instead of the raw OSError."""
    try:
        yield
    except OSError as exc:
        for leftover in leftovers:
            _remove(leftover)
        message = storage_fault(exc, [root])
        if message is None:
            raise
        raise StorageRefused(message) from exc


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{uuid.uuid4().hex}")
    with refused(path.parent, tmp):
        tmp.write_text(text, encoding="utf-8")
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)


class FolderStore:
    """The portal as a folder: ``<root>/<department>/<dataset>/<version>/``, ``latest`` a symlink."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.where = str(self.root)

    def _version_dir(self, dataset: str, version: str) -> Path:
        return self.root / dataset / version

    # --- reading ----------------------------------------------------------------------------------------
    def versions(self, dataset: str) -> list[str]:
        folder = self.root / dataset
        if not folder.is_dir():
            return []
        return [p.name for p in folder.iterdir()
                if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
                and (p / PACKAGE_FILE).is_file()]

    def files(self, dataset: str, version: str) -> dict[str, int]:
        return {p.name: p.stat().st_size for p in self._version_dir(dataset, version).iterdir() if p.is_file()}

    def read(self, dataset: str, version: str, name: str) -> bytes:
        return (self._version_dir(dataset, version) / name).read_bytes()

    def sha256(self, dataset: str, version: str, name: str) -> str:
        return sha256_file(self._version_dir(dataset, version) / name)

    def fetch(self, dataset: str, version: str, name: str, dest: Path) -> Path:
        source = self._version_dir(dataset, version) / name
        if not source.is_file():
            raise FileNotFoundError(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return dest

    def read_index(self) -> bytes:
        return (self.root / INDEX_FILE).read_bytes()

    def has(self, name: str) -> bool:
        return (self.root / name).is_file()

    # --- writing ----------------------------------------------------------------------------------------
    @contextmanager
    def lock(self, dataset: str, label: str, wait_seconds: float) -> Iterator[None]:
        folder = self.root / dataset
        with refused(self.root):
            folder.mkdir(parents=True, exist_ok=True)
            handle = (folder / ".lock").open("a")
        with handle:
            deadline = time.monotonic() + wait_seconds
            while True:   # wait for the other run, then decide again with what it published
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DatasetLocked(f"{label}: another run has been publishing this dataset for "
                                            f"{wait_seconds:.0f} s; try again later") from None
                    time.sleep(0.2)
            try:
                for leftover in folder.glob(f"{TMP_PREFIX}*"):   # from a run that died mid-publish
                    shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def put_version(self, dataset: str, version: str, folder: Path, names: list[str]) -> None:
        final = self._version_dir(dataset, version)
        if final.exists():
            raise VersionExists(str(final))
        tmp = final.with_name(f"{TMP_PREFIX}{version}-{uuid.uuid4().hex}")
        with refused(self.root, tmp):   # a full or read-only disk: the half-copied folder goes, latest stays
            tmp.mkdir(parents=True)   # as copytree did: a first version makes its dataset folder
            for source in sorted(folder.rglob("*")):   # file by file (copytree would gather the errors into one)
                target = tmp / source.relative_to(folder)
                if source.is_dir():
                    target.mkdir(exist_ok=True)
                else:
                    shutil.copyfile(source, target)
            _fsync_tree(tmp)
            os.rename(tmp, final)

    def point_latest(self, dataset: str, version: str) -> None:
        link = self.root / dataset / "latest"
        tmp = link.with_name(f"{TMP_PREFIX}latest-{uuid.uuid4().hex}")
        with refused(self.root, tmp):
            os.symlink(version, tmp)
            os.replace(tmp, link)

    def write_index(self, make: Callable[[], str]) -> Path:
        path = self.root / INDEX_FILE
        with refused(self.root):
            self.root.mkdir(parents=True, exist_ok=True)
            handle = (self.root / ".index.lock").open("a")
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            # made under the lock: an index made from the one before it never drops another writer's entry
            _write_atomic(path, make())
        return path
