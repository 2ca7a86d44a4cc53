"""A write the disk refused, told clearly: the folder named, in both languages (satudata.core.files.storage_fault),
and the folder store leaves nothing of a version it could not write (publish/store.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from satudata.core.files import storage_errno, storage_fault
from satudata.core.publishing import StorageRefused
from satudata.publish.store import FolderStore


def test_a_full_disk_names_the_folder_the_failing_file_is_in(tmp_path: Path):
    portal, work = tmp_path / "portal", tmp_path / "work"
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(work / "run-1" / "data.parquet"))
    assert storage_fault(exc, [portal, work]) == (
        f"disk penuh / disk full: {work} — kosongkan ruang di sana, lalu jalankan lagi / free some space there, "
        "then run again")


def test_read_only_and_not_permitted_have_their_own_words(tmp_path: Path):
    read_only = OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "x"))
    assert storage_fault(read_only, [tmp_path]).startswith(f"folder hanya-baca / read-only folder: {tmp_path} — ")
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "x"))
    assert storage_fault(denied, [tmp_path]).startswith(f"folder tidak boleh ditulis / folder not writable: {tmp_path}")


def test_errors_without_errno_are_recognised_by_their_text_and_others_are_not_storage(tmp_path: Path):
    duck = RuntimeError("IO Error: Could not write file \"x.parquet\": No space left on device")
    assert storage_errno(duck) == errno.ENOSPC
    assert storage_fault(duck, [tmp_path]).endswith("/ free some space there, then run again")
    wrapped = ValueError("while converting")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert storage_errno(wrapped) == errno.ENOSPC
    assert storage_fault(ValueError("bad value"), [tmp_path]) is None
    assert storage_fault(FileNotFoundError(errno.ENOENT, "No such file or directory", "x"), [tmp_path]) is None


def test_a_version_the_disk_refuses_leaves_no_folder_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name in ("data.csv", "datapackage.json", "lineage.jsonl"):
        (bundle / name).write_text(name, encoding="utf-8")
    store = FolderStore(tmp_path / "portal")
    import satudata.publish.store as module

    real = module.shutil.copyfile

    def copy_until_full(source, target, *args, **kwargs):
        if Path(source).name == "lineage.jsonl":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(module.shutil, "copyfile", copy_until_full)
    with store.lock("dept/ds", "ds", 1), pytest.raises(StorageRefused) as caught:
        store.put_version("dept/ds", "1.0.0", bundle, ["data.csv", "datapackage.json", "lineage.jsonl"])
    assert str(caught.value).startswith(f"disk penuh / disk full: {store.root} — ")
    assert sorted(p.name for p in (store.root / "dept" / "ds").iterdir()) == [".lock"]
    assert store.versions("dept/ds") == []


def test_prefect_log_lines_of_publishing_errors_keep_the_message_and_lose_the_traceback():
    import logging
    import sys

    from satudata.core.failures import ExpectedFailure

    def record_of(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:  # noqa: BLE001
            return logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1,
                                     f"Task run failed with exception: {exc!r}", None, sys.exc_info())

    refused = record_of(StorageRefused("disk penuh / disk full: /portal — …"))
    full = record_of(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/work/x"))
    bug = record_of(ValueError("a bug"))
    for record in (refused, full, bug):
        assert ExpectedFailure().filter(record) is True   # the line itself is always kept
    assert refused.exc_info is None and full.exc_info is None
    assert "disk full: /portal" in logging.Formatter().format(refused)
    assert bug.exc_info is not None and "Traceback" in logging.Formatter().format(bug)
