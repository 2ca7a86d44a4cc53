"""Two `satudata run` processes started together on one portal after a data change: exactly one new version per
dataset, the other run waits for the dataset's lock and then says another run published it (or sees it unchanged),
both exit 0, nothing half-written or left behind in the portal, and `satudata verify` clean. The local portal with
each process's own temporary Prefect server (two cron jobs on one machine); then the same against the real CKAN
harness. (Two Prefect workers are tests/prefect_server's.) Figures: two-runs-local.json, two-runs-ckan.json."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.lineage.verify import problems, verify
from satudata.publish.ckan_mapping import ckan_name
from satudata.publish.local import LocalPortal
from tests.ckan.conftest import purge, rename_dataset
from tests.conftest import copy_project
from tests.faults.ckan_figures import Look, ckan_connection, figure, write_proof
from tests.faults.figures import unmet
from tests.faults.killing import DATASETS, SATUDATA, change_exports, env_for, run_cli

pytestmark = [pytest.mark.faults, pytest.mark.slow]
WAITED = "another run published"


def _together(project: Path, args: list[str], env: dict[str, str]) -> list[tuple[int, dict | None, str]]:
    """Start two identical runs at the same moment; their exit codes, JSON summaries and stderr."""
    command = [str(SATUDATA), *args, "--json", "--catalog", str(project / "catalog.yaml")]
    processes = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=900)
        results.append((process.returncode, json.loads(out) if out.strip().startswith("{") else None, err))
    return results


def _figures(results, datasets: list[str], before: dict[str, list[str]], after: dict[str, list[str]],
             findings: int, extra: list[dict]) -> tuple[list[dict], list[dict]]:
    outcomes = [{o["dataset"]: o for o in summary["datasets"]} if summary else {} for _, summary, _ in results]
    rows = []
    for dataset in datasets:
        statuses = sorted(o.get(dataset, {}).get("status", "missing") for o in outcomes)
        rows.append({"dataset": dataset, "statuses": statuses, "new_versions": len(after[dataset]) -
                     len(before[dataset]), "messages": [o.get(dataset, {}).get("message") for o in outcomes]})
    figures = [
        figure("runs started together", len(results), "= 2"),
        figure("runs that exited 0", sum(1 for code, _, _ in results if code == 0), "= 2"),
        figure("datasets without exactly one new version", sum(1 for r in rows if r["new_versions"] != 1), "= 0"),
        figure("datasets published by both runs", sum(1 for r in rows if r["statuses"].count("published") > 1), "= 0"),
        figure("datasets not 'published' by one run and 'unchanged' by the other",
               sum(1 for r in rows if r["statuses"] != ["published", "unchanged"]), "= 0"),
        figure("tracebacks or errors on stderr", sum(err.count("Traceback") + err.count("ERROR")
                                                     for _, _, err in results), "= 0"),
        figure("satudata verify findings", findings, "= 0"),
        *extra,
    ]
    return figures, rows


def test_two_runs_at_once_on_one_local_portal_make_exactly_one_version(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    env = env_for(project)
    args = ["run", *DATASETS, "--portal", str(project / "portal")]
    first = run_cli(project, args, env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    catalog = load_catalog(project / "catalog.yaml")
    portal = LocalPortal(catalog, project / "portal")
    datasets = [catalog.dataset(d) for d in DATASETS]
    before = {d.id: portal.versions(d) for d in datasets}
    change_exports(project, DATASETS, 1)
    clock = time.monotonic()
    results = _together(project, args, env)
    seconds = round(time.monotonic() - clock, 1)
    after = {d.id: portal.versions(d) for d in datasets}
    findings = problems(verify(portal, datasets))
    leftovers = [str(p) for p in (project / "portal").rglob("*") if p.name.startswith(".tmp-")]
    index = portal.catalog_index()
    stale = sum(1 for d in datasets if (index.get(d.id) or {}).get("latest") != after[d.id][-1] or
                (portal.dataset_dir(d) / "latest").resolve().name != after[d.id][-1])
    figures, rows = _figures(results, list(DATASETS), before, after, len(findings), [
        figure("half-written version folders left in the portal", len(leftovers), "= 0"),
        figure("datasets whose index.json entry or latest link is not the newest version", stale, "= 0"),
        figure("seconds for both runs", seconds, "> 0"),
    ])
    written = write_proof("two-runs-local", "two satudata run processes at once on one local portal", None, figures,
                          notes="each dataset's lock is waited for; the run that waited decides again",
                          details=rows + [{"stderr_tail": err[-1500:]} for _, _, err in results])
    print(json.dumps(written, indent=2, ensure_ascii=False))
    assert not unmet(written), json.dumps(written, indent=2, ensure_ascii=False)


@pytest.mark.ckan
def test_two_runs_at_once_on_ckan_make_exactly_one_version(tmp_path: Path):
    ckan_env, ckan = ckan_connection()
    project = copy_project(tmp_path / "project")
    names = [f"t{base[:14]}-{uuid.uuid4().hex[:8]}" for base in DATASETS[:2]]
    for base, name in zip(DATASETS[:2], names, strict=True):
        rename_dataset(project, base, name)
    env = env_for(project, {"SATUDATA_CKAN_URL": ckan_env["url"], "SATUDATA_CKAN_TOKEN": ckan_env["token"]})
    args = ["run", *names, "--target", "ckan"]
    look = Look(ckan, ckan_env["token"], names)
    try:
        first = run_cli(project, args, env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        before = look.committed()
        change_exports(project, DATASETS[:2], 1)
        results = _together(project, args, env)
        after = look.committed()
        counts = look.count()
        catalog_path = project / "catalog.yaml"
        catalog = load_catalog(catalog_path)
        publisher = make_publisher(catalog, RunSettings.from_environment(catalog_path, target="ckan",
                                                                         ckan_url=ckan_env["url"]))
        findings = problems(verify(publisher, [catalog.dataset(n) for n in names]))
    finally:
        purge(ckan, [ckan_name(n) for n in names])
    figures, rows = _figures(results, names, before, after, len(findings), [
        figure("duplicate resources", counts["duplicate"], "= 0"),
        figure("missing resources", counts["missing"], "= 0"),
        figure("leftover resources", counts["leftover"], "= 0"),
    ])
    written = write_proof("two-runs-ckan", "two satudata run --target ckan processes at once (real CKAN)", None,
                          figures, notes="the dataset's CKAN lock (a file lock on this machine) is waited for",
                          details=rows + [{"stderr_tail": err[-1500:]} for _, _, err in results])
    print(json.dumps(written, indent=2, ensure_ascii=False))
    assert not unmet(written), json.dumps(written, indent=2, ensure_ascii=False)
