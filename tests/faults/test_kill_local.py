"""Kill -9 of `satudata run` to the local portal at random moments (seeded): nothing half-written is ever visible,
`latest` always points at a whole version, earlier versions never change, and the next run completes.

`make test` runs SATUDATA_KILL_ROUNDS rounds (default 4); `make faults` runs 20 and prints the figures
(tests/faults/report.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.flows.precheck import unchanged_since_latest
from satudata.lineage.verify import Status, problems, verify
from satudata.publish.local import LocalPortal
from tests.conftest import REPO, copy_project
from tests.faults.killing import (
    DATASETS,
    Round,
    change_exports,
    digests,
    env_for,
    plan,
    run_and_kill,
    run_cli,
    write_figures,
)

pytestmark = [pytest.mark.faults, pytest.mark.slow]
ROUNDS = int(os.environ.get("SATUDATA_KILL_ROUNDS", "4"))
SEED = int(os.environ.get("SATUDATA_KILL_SEED", "357300"))
FIGURES = Path(os.environ.get("SATUDATA_FAULTS_DIR", REPO / ".satudata" / "faults")) / "kill-local.json"


def _inspect(project: Path, before: dict[str, str], record: Round) -> None:
    catalog = load_catalog(project / "catalog.yaml")
    portal = LocalPortal(catalog, project / "portal")
    datasets = [catalog.dataset(d) for d in DATASETS]
    findings = problems(verify(portal, datasets))
    record.half_written = sum(1 for f in findings if f.status in (Status.ALTERED, Status.MISSING))
    # The index (a cache the next run rewrites) may lag a version renamed into place just before the kill.
    record.extra["index_lagging_after_kill"] = sum(1 for f in findings if f.status == Status.BROKEN)
    for dataset in datasets:
        link = portal.dataset_dir(dataset) / "latest"
        target = link.resolve() if link.is_symlink() else None
        whole = target is not None and target.name in portal.versions(dataset) and \
            (target / "lineage.jsonl").is_file() and (target / "datapackage.json").is_file()
        record.latest_incomplete += 0 if whole else 1
    after = digests(project / "portal")
    record.earlier_changed = sum(1 for key, sha in before.items() if after.get(key) != sha)
    record.extra["findings"] = [f.as_dict() for f in findings][:5]


def test_kill_9_at_random_moments_leaves_nothing_half_written_and_the_next_run_completes(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    env = env_for(project)
    args = ["run", *DATASETS, "--portal", str(project / "portal")]
    started = time.monotonic()
    first = run_cli(project, args, env)
    assert first.returncode == 0, first.stdout + first.stderr
    span = max(5.0, time.monotonic() - started)          # the random moments fall within a whole run
    rounds: list[Round] = []
    print(f"kill -9 rounds: {ROUNDS}, seed {SEED}")
    portal_root = project / "portal"

    work = project / ".satudata" / "work"

    def writing() -> bool:   # a version is being assembled or written into the portal (not a killed run's leftover)
        return bool(set(work.glob("*/bundle")) - leftovers) or \
            any(p.name.startswith(".tmp-") for p in portal_root.glob("*/*/*"))

    for number, (mode, delay) in enumerate(plan(SEED, ROUNDS, span, 0.25)):
        change_exports(project, DATASETS, number + 1)
        leftovers = set(work.glob("*/bundle"))
        before = digests(portal_root)
        killed_at = run_and_kill(project, args, env, mode, delay, writing)
        record = Round(number, mode, round(delay, 3), None if killed_at is None else round(killed_at, 3))
        _inspect(project, before, record)
        rerun = run_cli(project, args, env)
        record.rerun_exit = rerun.returncode
        catalog = load_catalog(project / "catalog.yaml")
        portal = LocalPortal(catalog, portal_root)
        record.rerun_published = sum(1 for d in DATASETS
                                     if unchanged_since_latest(catalog, portal, catalog.dataset(d)) is not None)
        record.verify_findings = len(problems(verify(portal, [catalog.dataset(d) for d in DATASETS])))
        rounds.append(record)
        print(record)
    figures = write_figures(rounds, SEED, "local", FIGURES)
    assert figures["half_written"] == figures["latest_incomplete"] == figures["earlier_changed"] == 0, figures
    assert figures["verify_findings"] == 0, figures
    assert figures["reruns_completed"] == ROUNDS and all(r.rerun_published == len(DATASETS) for r in rounds), figures
    assert figures["killed"] >= ROUNDS // 2, "the kills must land while the run is still working"
