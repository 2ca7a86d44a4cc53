"""Files as every stage reads them: sha256 checksums and JSON lines."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- a write the disk refused -------------------------------------------------------------------------------
# errno → (Indonesian, English, fix in Indonesian, fix in English)
STORAGE_FAULTS = {
    errno.ENOSPC: ("disk penuh", "disk full", "kosongkan ruang di sana, lalu jalankan lagi",
                   "free some space there, then run again"),
    errno.EDQUOT: ("kuota disk habis", "disk quota exceeded", "kosongkan ruang atau naikkan kuota, lalu jalankan lagi",
                   "free some space or raise the quota, then run again"),
    errno.EROFS: ("folder hanya-baca", "read-only folder", "pasang folder itu agar bisa ditulis atau pilih folder lain",
                  "mount it writable or choose another folder"),
    errno.EACCES: ("folder tidak boleh ditulis", "folder not writable",
                   "beri izin tulis kepada pengguna yang menjalankan satudata",
                   "give the user running satudata write permission"),
}
STORAGE_FAULTS[errno.EPERM] = STORAGE_FAULTS[errno.EACCES]


def storage_errno(exc: BaseException) -> int | None:
    """The errno of a write the disk refused (full, quota, read-only, not permitted), or None for any other error.
    Also recognised from the message alone, as DuckDB and some pyarrow errors carry no errno."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in STORAGE_FAULTS:
            return exc.errno
        text = str(exc)
        for number in STORAGE_FAULTS:
            if os.strerror(number) in text:
                return number
        exc = exc.__cause__ or exc.__context__
    return None


def _faulty(folder: Path, number: int) -> bool:
    """Whether ``folder`` (or the nearest existing folder above it) shows the fault now."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if number in (errno.ENOSPC, errno.EDQUOT):
            stats = os.statvfs(folder)
            return stats.f_bavail * stats.f_frsize < (1 << 20) or stats.f_favail == 0
        if number == errno.EROFS:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        return not os.access(folder, os.W_OK)
    except OSError:
        return False


def storage_fault(exc: BaseException, folders: list[Path] | tuple[Path, ...] = ()) -> str | None:
    """A clear bilingual message for a write the disk refused, naming the folder (``disk penuh / disk full:
    <folder> — …``), or None when ``exc`` is another error. The folder is the first of ``folders`` the failing path
    lies in, else the first that shows the fault now, else the failing path's own folder."""
    number = storage_errno(exc)
    if number is None:
        return None
    paths = [Path(p) for p in (getattr(exc, "filename", None), getattr(exc, "filename2", None)) if p]
    where = None
    for folder in folders:
        if any(_inside(p, Path(folder)) for p in paths):
            where = Path(folder)
            break
    if where is None:
        where = next((Path(f) for f in folders if _faulty(Path(f), number)), None)
    if where is None:
        where = paths[0].parent if paths else (Path(folders[0]) if folders else None)
    name_id, name_en, fix_id, fix_en = STORAGE_FAULTS[number]
    return f"{name_id} / {name_en}: {where} — {fix_id} / {fix_en}"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True
