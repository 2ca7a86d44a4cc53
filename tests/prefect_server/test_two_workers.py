"""Two process workers on one work pool, a real Prefect server (SQLite) on loopback, and a catalogue of 20 datasets
run with the commands of docs/production.md ("Several workers, step by step"): each dataset is its own flow run,
every dataset publishes exactly once, and the flow-run records show both workers. Then one worker and its flow-run
processes are killed with SIGKILL mid-run: no half-written version is visible (`satudata verify` finds nothing,
every version folder holds all its files) and a re-run publishes what was left, once. Everything started here is
stopped by PID in a finally."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from satudata.core.catalog import load_catalog
from satudata.publish.local import LocalPortal
from tests.conftest import REPO
from tests.faults.figures import Figure, assert_met, write_proof
from tests.prefect_server.test_deployment_runs import BIN, _stop, prefect_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.prefect_server, pytest.mark.slow]
TEMPLATE = "garis-kemiskinan-jatim"
DATASETS = [f"{TEMPLATE}-{n:02d}" for n in range(1, 21)]
WORKER_LABEL = "prefect.worker.name"
# The commands of docs/production.md, as the test runs them (loopback host and a test catalogue added).
DOCUMENTED = ("prefect server start", "satudata deploy --target local --apply",
              "prefect worker start --pool satudata --limit 2", "satudata run --on-workers")


def twenty_dataset_project(dest: Path) -> Path:
    """A project whose catalogue holds 20 small datasets (copies of one demo dataset, each with its own folder and
    export); returns its catalog.yaml."""
    raw = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    template = next(d for d in raw["datasets"] if d["id"] == TEMPLATE)
    datasets = []
    for dataset_id in DATASETS:
        folder = dest / "datasets" / dataset_id
        shutil.copytree(REPO / "datasets" / TEMPLATE, folder)
        suite = json.loads((folder / "expectations.json").read_text(encoding="utf-8"))
        (folder / "expectations.json").write_text(json.dumps({**suite, "name": dataset_id}), encoding="utf-8")
        export = Path("exports") / "bappeda" / f"{dataset_id}.csv"
        (dest / export).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / template["source"]["path"], dest / export)
        datasets.append({**template, "id": dataset_id, "source": {**template["source"], "path": str(export)}})
    departments = [d for d in raw["departments"] if d["id"] == template["department"]]
    (dest / "catalog.yaml").write_text(yaml.safe_dump({"portal": raw["portal"], "departments": departments,
                                                       "datasets": datasets}, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    return dest / "catalog.yaml"


def _command(argv: list[str], env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _worker(name: str, env: dict, log: Path) -> subprocess.Popen:
    # docs/production.md's worker command; --name only so that the flow-run records can be matched to a process.
    return subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "satudata", "--limit", "2",
                             "--name", name], env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_tree(process: subprocess.Popen) -> list[int]:
    """SIGKILL a worker and every flow-run process it started, by PID; returns the PIDs killed. The tree is stopped
    (SIGSTOP) first, until no new process appears, so that none forks a child that would escape the kill."""
    stopped: list[int] = []
    while True:
        found = [p for p in [process.pid, *_descendants(process.pid)] if p not in stopped]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        stopped += found
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    return stopped


def _dataset(run) -> str:
    """The dataset of a publish_dataset flow run (its name is the dataset's only once the run has started)."""
    return run.parameters["dataset_id"]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _describe(runs: list) -> str:
    return "\n".join(f"{_dataset(r)} ({r.name}) {r.state.type.value} {dict(r.labels).get(WORKER_LABEL)} "
                     f"pid={r.infrastructure_pid} id={r.id}" for r in sorted(runs, key=_dataset))


def _published_by(catalog_path: Path, datasets: list[str], env: dict, since: float) -> str:
    """Which flow run published these datasets' versions (their lineage records), and every run of this phase."""
    found = []
    for dataset_id in datasets:
        for record in (catalog_path.parent / "portal").glob(f"*/{dataset_id}/1.0.0/lineage.jsonl"):
            found.append(f"{dataset_id}: run {json.loads(record.read_text().splitlines()[0])['run']['runId']}")
    return "\n".join(found) + "\n" + _describe(_flow_runs(env, since))


def _flow_runs(env: dict, since: float) -> list:
    """The publish_dataset flow runs started by ``satudata run --on-workers`` after ``since`` (a time.time()): the
    runs Prefect's scheduler creates for the deployments' cron schedules (``auto_scheduled``) left out."""
    from datetime import UTC, datetime

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["publish_dataset"])),
                                     limit=200)
    return [r for r in runs if r.created is not None and r.created >= datetime.fromtimestamp(since, UTC)
            and not r.auto_scheduled]


def _versions(catalog_path: Path) -> dict[str, list[str]]:
    catalog = load_catalog(catalog_path)
    portal = LocalPortal(catalog, catalog.root / "portal")
    return {d.id: portal.versions(d) for d in catalog.datasets}


def _complete_version_folders(portal: Path) -> list[str]:
    """Every version folder under the portal with its files as its datapackage.json lists them; raises on one that
    is not complete (a half-written version)."""
    found = []
    for folder in sorted(portal.glob("*/*/*")):
        if not folder.is_dir() or not re.fullmatch(r"\d+\.\d+\.\d+", folder.name):
            continue
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in package["resources"]:
            path = folder / resource["path"]
            assert path.is_file(), f"{path} missing in a visible version"
            if "bytes" in resource:
                assert path.stat().st_size == resource["bytes"], path
        assert (folder / "lineage.jsonl").is_file(), folder
        found.append(f"{folder.parent.name}/{folder.name}")
    return found


def _deploy(catalog: Path, env: dict) -> None:
    done = _command([str(BIN / "satudata"), "deploy", "--target", "local", "--apply", "--catalog", str(catalog)],
                    env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"applied {len(DATASETS)} deployments" in done.stdout


def test_two_workers_share_the_catalogue_and_a_killed_worker_leaves_nothing_half_written(prefect_server,  # noqa: F811
                                                                                           tmp_path: Path):
    url, env, home = prefect_server
    env = {**env, "SATUDATA_PORTAL_LEASE_SECONDS": "60"}   # a dead run's publish slot comes back after 60 s
    run_cmd = [str(BIN / "satudata"), "run", "--on-workers", "--json"]
    workers: dict[str, subprocess.Popen] = {}
    runner: subprocess.Popen | None = None
    try:
        # 1. Both workers, the whole catalogue: one flow run per dataset, each published once, by both workers.
        first = twenty_dataset_project(tmp_path / "first")
        _deploy(first, env)
        for name in ("worker-a", "worker-b"):
            workers[name] = _worker(name, env, home / f"{name}.log")
        since = time.time()
        done = _command([*run_cmd, "--catalog", str(first)], env, timeout=400)
        logs = "".join((home / f"{n}.log").read_text()[-1500:] for n in workers)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + logs
        summary = json.loads(done.stdout)
        assert summary["counts"] == {"published": len(DATASETS)}, summary
        assert _versions(first) == {d: ["1.0.0"] for d in DATASETS}
        runs = _flow_runs(env, since)
        assert sorted(_dataset(r) for r in runs) == sorted(DATASETS)     # each dataset its own flow run
        assert all(r.name == _dataset(r) for r in runs)                  # named after it once it ran
        assert all(r.state.is_completed() for r in runs)
        by_worker = {r.labels.get(WORKER_LABEL) for r in runs}
        assert by_worker == {"worker-a", "worker-b"}, [(r.name, dict(r.labels)) for r in runs]
        assert all(r.infrastructure_pid for r in runs)                   # the flow-run process each worker started
        assert all(r.work_pool_name == "satudata" for r in runs)

        # 2. Kill -9 worker-a and its flow-run processes mid-run.
        second = twenty_dataset_project(tmp_path / "second")
        _deploy(second, env)
        since = time.time()
        runner = subprocess.Popen([*run_cmd, "--catalog", str(second)], env=env, cwd=REPO, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            runs = _flow_runs(env, since)
            running_on_a = [r for r in runs if r.labels.get(WORKER_LABEL) == "worker-a" and r.state.is_running()]
            published = sum(1 for v in _versions(second).values() if v)
            if running_on_a and published >= 2:
                break
            assert runner.poll() is None, runner.communicate()
            time.sleep(0.5)
        else:
            raise AssertionError("worker-a never ran a dataset while others were published")
        killed = _kill_tree(workers.pop("worker-a"))
        assert len(killed) >= 2                                          # the worker and a flow-run process
        deadline = time.monotonic() + 20   # SIGKILL is delivered at once, the exit takes a moment
        while [p for p in killed if _alive(p)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in killed if _alive(p)], "a killed process lives on"
        # worker-b takes every run worker-a had not claimed; the ones worker-a held (running, or pending before it
        # labelled them) stay so until Prefect gives up on them.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            runs = _flow_runs(env, since)
            held = [r for r in runs if not r.state.is_final() and (r.labels.get(WORKER_LABEL) == "worker-a" or (
                r.state.is_pending() and not r.labels.get(WORKER_LABEL)))]
            if len(runs) == len(DATASETS) and all(r.state.is_final() for r in runs if r not in held):
                break
            time.sleep(1)
        else:
            raise AssertionError(_describe(_flow_runs(env, since)))
        lost = {_dataset(r) for r in held}
        assert lost
        _stop(runner)   # it would wait for the lost runs until its timeout
        runner = None
        after_kill = _versions(second)
        assert all(v in ([], ["1.0.0"]) for v in after_kill.values()), after_kill
        assert any(not after_kill[d] for d in lost), (lost, after_kill)  # the killed runs published nothing
        visible = _complete_version_folders(second.parent / "portal")
        assert len(visible) == sum(1 for v in after_kill.values() if v)
        verify = _command([str(BIN / "satudata"), "verify", "--catalog", str(second), "--problems-only"], env)
        assert verify.returncode == 0, verify.stdout + verify.stderr

        # 3. The re-run (the same command, worker-b alone) publishes what was left, each dataset exactly once.
        now = _versions(second)
        assert now == after_kill, _published_by(second, [d for d in now if now[d] != after_kill[d]], env, since)
        since = time.time()
        done = _command([*run_cmd, "--catalog", str(second)], env, timeout=400)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        summary = json.loads(done.stdout)
        left = [d for d, v in after_kill.items() if not v]
        assert summary["counts"] == {"published": len(left), "unchanged": len(DATASETS) - len(left)}, summary
        assert _versions(second) == {d: ["1.0.0"] for d in DATASETS}
        assert sorted(_dataset(r) for r in _flow_runs(env, since)) == sorted(left)   # only what was left ran again
        assert len(_complete_version_folders(second.parent / "portal")) == len(DATASETS)
        verify = _command([str(BIN / "satudata"), "verify", "--catalog", str(second)], env)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        # The same, as figures for `make faults` (issue 19, item 4: two Prefect workers at once on one portal).
        runs_per_dataset = [sorted(_dataset(r) for r in runs).count(d) for d in DATASETS]
        document = write_proof("two-workers", "Two Prefect process workers on one work pool and one portal: each "
                               "dataset published exactly once; a worker killed mid-run leaves nothing half-written",
                               [Figure("datasets", len(DATASETS), ">= 20"),
                                Figure("workers that ran flow runs", len(by_worker), ">= 2"),
                                Figure("datasets run more than once", sum(n > 1 for n in runs_per_dataset), "= 0"),
                                Figure("versions beyond one a dataset", sum(len(v) - 1 for v in
                                                                            _versions(second).values()), "= 0"),
                                Figure("half-written versions after the kill",
                                       sum(1 for v in after_kill.values() if v) - len(visible), "= 0"),
                                Figure("killed worker's datasets left for the re-run", len(left), ">= 1"),
                                Figure("datasets missing after the re-run",
                                       len(DATASETS) - len(_complete_version_folders(second.parent / "portal")),
                                       "= 0"),
                                Figure("verify findings after the re-run", verify.returncode, "= 0")],
                               notes=f"killed pids: {len(killed)}; the first run's flow runs by worker: "
                                     f"{sorted(by_worker)}")
        assert_met(document)
    finally:
        if runner is not None:
            _stop(runner)
        for process in workers.values():
            _stop(process)


def test_production_doc_lists_the_commands_this_test_runs():
    text = (REPO / "docs" / "production.md").read_text(encoding="utf-8")
    for command in DOCUMENTED:
        assert command in text, command
