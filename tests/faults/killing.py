"""Kill -9 at a random moment, then look: what a reader of the portal would see, and whether the next run completes.

``kill_rounds`` publishes a project once, then for each round (seeded, printed) changes some exports, starts
``satudata run`` for those datasets in its own process group and SIGKILLs the group at a random moment — half the
rounds at a random time of the run, half the moment a version folder starts being written (a ``.tmp-`` folder
appears in the portal, or a CKAN upload starts), so that the dangerous window is hit — and then counts, before any
re-run:

- half-written versions a reader can see (a version folder or committed CKAN version whose files do not match its
  own records: ``satudata verify`` findings on files);
- ``latest`` (the symlink, or the index) pointing at a version that is not whole;
- earlier versions changed (sha256 of every file of every version that existed before the round);

then runs again with nothing killed, which must complete (exit 0) and publish the changed datasets, after which
``satudata verify`` must find nothing (the index, a cache a kill can leave one version behind, is rewritten by that
run). The figures are written as JSON for ``make faults``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.conftest import REPO

SATUDATA = REPO / ".venv" / "bin" / "satudata"
DATASETS = ("garis-kemiskinan-jatim", "modal-usaha-kecil", "pagu-anggaran-opd")   # small, with a data change each
EXPORTS = {"garis-kemiskinan-jatim": "exports/bappeda/jatim_bps_garis_kemiskinan_kabkota_2022.csv",
           "modal-usaha-kecil": "exports/diskopindag/jatim_odj_nilai_modal_usaha_kecil_kabkota.csv",
           "pagu-anggaran-opd": "exports/bkad/pagu_anggaran_opd_2024_2025.csv"}


@dataclass
class Round:
    number: int
    mode: str                   # "random" (a random moment) or "window" (as a version starts being written)
    delay: float                # seconds after the start (random) or after the window opened (window)
    killed_at: float            # seconds after the start, when the SIGKILL was sent (None: the run had ended)
    half_written: int = 0
    latest_incomplete: int = 0
    earlier_changed: int = 0
    verify_findings: int = 0
    rerun_exit: int | None = None
    rerun_published: int = 0
    extra: dict = field(default_factory=dict)


def env_for(project: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SATUDATA_PORTAL"))}
    env.update({"PREFECT_HOME": str(project / ".satudata" / "prefect"), "SATUDATA_PRIVACY_SALT": "faults-salt"})
    env.update(extra or {})
    return env


def run_cli(project: Path, args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(SATUDATA), *args, "--catalog", str(project / "catalog.yaml")], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)


def change_exports(project: Path, datasets: tuple[str, ...], stamp: int) -> None:
    """A data change in each dataset's export: the last digit of its fifth line (a data row of each) becomes another
    (shifted by 1-9, never by a multiple of 10: every round really changes the data)."""
    shift = stamp % 9 or 9
    for dataset in datasets:
        path = project / EXPORTS[dataset]
        lines = path.read_bytes().split(b"\n")
        line = lines[4].rstrip(b"\r")
        assert line[-1:].isdigit(), (dataset, line)
        lines[4] = line[:-1] + str((int(line[-1:]) + shift) % 10).encode() + lines[4][len(line):]
        path.write_bytes(b"\n".join(lines))


def digests(root: Path) -> dict[str, str]:
    """sha256 of every file under every version folder (not the tmp folders, not ``latest``)."""
    found = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.is_file() and not path.is_symlink() and len(parts) >= 4 and not any(p.startswith(".") for p in parts) \
                and parts[2] != "latest" and parts[2][:1].isdigit():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def run_and_kill(project: Path, args: list[str], env: dict[str, str], mode: str, delay: float,
                 window_open: Callable[[], bool]) -> float | None:
    """Start the CLI in its own process group and SIGKILL the group; returns when (None: it ended first)."""
    process = subprocess.Popen([str(SATUDATA), *args, "--catalog", str(project / "catalog.yaml")], cwd=project,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    start = time.monotonic()
    deadline = start + 600
    opened = None
    while process.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        if mode == "random" and now - start >= delay:
            break
        if mode == "window":
            if opened is None and window_open():
                opened = now
            if opened is not None and now - opened >= delay:
                break
        time.sleep(0.005)
    if process.poll() is not None:
        return None
    killed_at = time.monotonic() - start
    _kill(process)
    return killed_at


def write_figures(rounds: list[Round], seed: int, target: str, path: Path) -> dict:
    """``<proof>.json`` in the convention of tests/faults/figures.py (proof ``kill-local`` or ``kill-ckan``, from the
    file's name); the totals also come back flat, with the rounds' details, for the test's own assertions."""
    from tests.faults.figures import Figure, write_proof

    totals = {key: sum(getattr(r, key) for r in rounds)
              for key in ("half_written", "latest_incomplete", "earlier_changed", "verify_findings")}
    killed = sum(1 for r in rounds if r.killed_at is not None)
    killed_in_window = sum(1 for r in rounds if r.killed_at is not None and r.mode == "window")
    reruns = sum(1 for r in rounds if r.rerun_exit == 0)
    figures = [Figure("rounds (kill -9 of satudata run)", len(rounds), ">= 20"),
               Figure("rounds killed while the run was working", killed, f">= {max(1, len(rounds) // 2)}"),
               Figure("half-written versions visible to readers", totals["half_written"], "= 0"),
               Figure("latest pointing at an incomplete version", totals["latest_incomplete"], "= 0"),
               Figure("earlier versions changed (sha256)", totals["earlier_changed"], "= 0"),
               Figure("satudata verify findings after the re-run", totals["verify_findings"], "= 0"),
               Figure("re-runs that did not complete", len(rounds) - reruns, "= 0")]
    document = write_proof(path.stem, f"kill -9 of satudata run --target {target} at seeded random moments",
                           figures, seed=seed, folder=path.parent,
                           notes=f"{killed_in_window} of the kills landed as a version was being written",
                           details=[asdict(r) for r in rounds])
    return {"target": target, "seed": seed, "rounds": len(rounds), "killed": killed,
            "killed_in_window": killed_in_window, "reruns_completed": reruns, **totals, "document": document}


def plan(seed: int, count: int, random_span: float, window_span: float) -> list[tuple[str, float]]:
    """The seeded moments: alternately a random time of the run, and a moment just after a version starts."""
    chooser = random.Random(seed)
    return [("random", chooser.uniform(0.5, random_span)) if i % 2 == 0 else ("window", chooser.uniform(0, window_span))
            for i in range(count)]
