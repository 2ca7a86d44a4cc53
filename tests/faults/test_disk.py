"""Disk full and a read-only portal: a small tmpfs (2 MB) as the portal folder, and as the work folder.

A data change that does not fit (the tmpfs filled up to its last block before the run) must end with a non-zero exit,
a clear bilingual message naming the folder (``disk penuh / disk full: <folder>``), no traceback, nothing
half-written (every file of the earlier version and ``latest`` unchanged by sha256, no ``.tmp-`` folder left for
readers), and the next run with space must complete. A read-only portal (the tmpfs remounted ``ro``; root ignores
chmod) must name the folder the same way. The work folder full, with the quarantine (where the crash handler writes
its report) full as well: the crash handler fails soft and the first error is the one shown.

Needs root (mount); writes disk.json (tests/faults/figures.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.lineage.verify import problems, verify
from satudata.publish.local import LocalPortal
from tests.conftest import copy_project
from tests.faults.figures import Figure, assert_met, write_proof
from tests.faults.killing import change_exports, digests, env_for, run_cli
from tests.faults.measure import traceback_lines

pytestmark = [pytest.mark.faults, pytest.mark.slow]
DATASET = "pagu-anggaran-opd"
KEY = "bkad/pagu-anggaran-opd"




@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A small tmpfs mounted at ``folder`` (made if absent), unmounted at the end whatever happened."""
    assert os.geteuid() == 0, "the disk-full proof mounts a tmpfs: run it as root (the test machines are)"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=False, capture_output=True)
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` up to its last block; the filler is removed to give the space back."""
    filler = folder / ".filler"
    with filler.open("wb", buffering=0) as handle:   # unbuffered: the last write fails here, not at close
        for block in (65536, 4096, 512):
            with contextlib.suppress(OSError):
                while handle.write(b"\0" * block):
                    pass
    stats = os.statvfs(folder)
    assert stats.f_bavail * stats.f_frsize < 8192, "the filler must leave (almost) no space"
    return filler


def visible_tmp(portal: Path) -> list[str]:
    return [str(p.relative_to(portal)) for p in portal.rglob("*") if p.name.startswith(".tmp-")]


def latest_of(portal: Path) -> str | None:
    link = portal / KEY / "latest"
    return os.readlink(link) if link.is_symlink() else None


def _console(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def _flat(text: str) -> str:   # the summary table wraps long notes over several lines
    return " ".join(line.strip(" │┃") for line in text.splitlines())


def failed_clearly(result: subprocess.CompletedProcess, fault: str, folder: Path) -> dict[str, int]:
    """The counts of one failed run: 1 where it fell short (non-zero exit, message naming the folder, traceback)."""
    flat = " ".join(_flat(_console(result)).split())
    return {"exit_zero": int(result.returncode == 0),
            "folder_not_named": int(f"{fault}: {folder}" not in flat),
            "tracebacks": len(traceback_lines(_console(result)))}


def test_disk_full_and_read_only_portal_and_work_folder(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    env = env_for(project, {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    counts = {"runs_failing_unclearly": 0, "tracebacks": 0, "earlier_changed": 0, "latest_moved": 0,
              "tmp_left": 0, "reruns_failed": 0}
    details = []

    def tally(name: str, result: subprocess.CompletedProcess, fault: str, folder: Path) -> None:
        found = failed_clearly(result, fault, folder)
        details.append({"case": name, "exit": result.returncode, **found})
        counts["runs_failing_unclearly"] += int(found["exit_zero"] or found["folder_not_named"])
        counts["tracebacks"] += found["tracebacks"]
        assert not (found["exit_zero"] or found["folder_not_named"] or found["tracebacks"]), \
            (name, found, _console(result)[-4000:])

    # --- the portal on a 2 MB tmpfs: full, then read-only, then with space -----------------------------------
    with tmpfs(project / "portal") as portal:
        args = ["run", DATASET, "--portal", str(portal)]
        first = run_cli(project, args, env)
        assert first.returncode == 0, _console(first)
        assert latest_of(portal) == "1.0.0"
        before = digests(portal)
        assert before, "1.0.0 is published"

        change_exports(project, (DATASET,), 1)
        filler = fill(portal)
        full = run_cli(project, args, env)
        tally("portal full", full, "disk penuh / disk full", portal)
        counts["earlier_changed"] += sum(1 for k, v in before.items() if digests(portal).get(k) != v)
        counts["latest_moved"] += int(latest_of(portal) != "1.0.0")
        counts["tmp_left"] += len(visible_tmp(portal))
        assert not visible_tmp(portal) and digests(portal) == before and latest_of(portal) == "1.0.0"

        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(portal)], check=True)
        read_only = run_cli(project, args, env)
        subprocess.run(["mount", "-o", "remount,rw", str(portal)], check=True)
        tally("portal read-only", read_only, "folder hanya-baca / read-only folder", portal)
        counts["earlier_changed"] += sum(1 for k, v in before.items() if digests(portal).get(k) != v)
        counts["latest_moved"] += int(latest_of(portal) != "1.0.0")

        again = run_cli(project, args, env)
        counts["reruns_failed"] += int(again.returncode != 0)
        assert again.returncode == 0, _console(again)
        assert latest_of(portal) == "1.1.0"
        after = digests(portal)
        counts["earlier_changed"] += sum(1 for k, v in before.items() if after.get(k) != v)
        catalog = load_catalog(project / "catalog.yaml")
        findings = problems(verify(LocalPortal(catalog, portal), [catalog.dataset(DATASET)]))
        assert not findings, [f.as_dict() for f in findings]
        counts["tmp_left"] += len(visible_tmp(portal))

    # --- the work folder full (and the quarantine, where the crash handler reports, full too) ----------------
    second = copy_project(tmp_path / "second")
    env2 = env_for(second, {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    args2 = ["run", DATASET, "--portal", str(second / "portal")]
    with tmpfs(second / ".satudata" / "work") as work, tmpfs(second / "quarantine", "1m") as quarantine:
        fillers = [fill(work), fill(quarantine)]
        full = run_cli(second, args2, env2)
        tally("work folder full", full, "disk penuh / disk full", work)
        counts["tmp_left"] += len(visible_tmp(second / "portal")) if (second / "portal").exists() else 0
        assert not (second / "portal" / KEY / "latest").exists(), "nothing was published"
        for filler in fillers:
            filler.unlink()
        again = run_cli(second, args2, env2)
        counts["reruns_failed"] += int(again.returncode != 0)
        assert again.returncode == 0, _console(again)
        assert os.readlink(second / "portal" / KEY / "latest") == "1.0.0"

    document = write_proof(
        "disk", "Disk full (2 MB tmpfs as the portal and as the work folder) and a read-only portal",
        [Figure("runs failing without a clear error naming the folder (of 3)", counts["runs_failing_unclearly"],
                "= 0"),
         Figure("tracebacks on stdout/stderr", counts["tracebacks"], "= 0"),
         Figure("earlier version files changed (sha256)", counts["earlier_changed"], "= 0"),
         Figure("latest moved by a failed run", counts["latest_moved"], "= 0"),
         Figure(".tmp- leftovers visible in the portal", counts["tmp_left"], "= 0"),
         Figure("next runs with space that failed (of 2)", counts["reruns_failed"], "= 0")],
        notes="cases: portal full, portal read-only (remount ro), work folder and quarantine full",
        details=details)
    assert_met(document)
