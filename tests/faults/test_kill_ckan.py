"""Kill -9 of `satudata run --target ckan` against the real CKAN harness at seeded random moments: no duplicate and
no missing resource, nothing half-written visible, earlier versions unchanged (sha256 of the downloaded files), and
the next run completes with exactly one new version per dataset and `satudata verify` clean.

Each round changes the data of two small datasets, starts the CLI (in its own process group, through a loopback
proxy in front of CKAN that only watches) and SIGKILLs the group: in turn at a random moment of the run's CKAN
work (from its first call to CKAN, within the time that work took in the first run), a random moment after the
first upload of the round began, and the moment CKAN has applied a commit (``package_update``) but before its
answer reaches the caller. Then it looks at CKAN with ckanapi before and after a re-run. The CLI processes use the
session's Prefect server (PREFECT_API_URL), as production runs do, instead of starting a temporary one each.

`make test` runs SATUDATA_CKAN_KILL_ROUNDS rounds (default 3); `make faults` sets 20. Seed: SATUDATA_CKAN_KILL_SEED.
Figures: kill-ckan.json (tests/faults/ckan_figures.py)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.lineage.verify import Status, problems, verify
from satudata.publish.ckan_mapping import ckan_name
from tests.ckan.conftest import purge, rename_dataset
from tests.ckan.proxy import CkanProxy
from tests.conftest import copy_project
from tests.faults.ckan_figures import Look, ckan_connection, figure, write_proof
from tests.faults.figures import unmet
from tests.faults.killing import SATUDATA, change_exports, env_for

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.ckan, pytest.mark.usefixtures("prefect_harness")]
ROUNDS = int(os.environ.get("SATUDATA_CKAN_KILL_ROUNDS", "3"))
SEED = int(os.environ.get("SATUDATA_CKAN_KILL_SEED", "505500"))
BASES = ("garis-kemiskinan-jatim", "modal-usaha-kecil")     # small CSV exports, each with a data change per round
MODES = ("random", "upload", "commit")



@pytest.fixture(scope="module")
def ckan_site():
    return ckan_connection()

def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A project copy whose datasets have names of their own on CKAN: new id → base id (for its export)."""
    project = copy_project(tmp_path / "project")
    suffix = uuid.uuid4().hex[:8]
    names = {}
    for base in BASES:
        names[f"k{base[:14]}-{suffix}"] = base
        rename_dataset(project, base, f"k{base[:14]}-{suffix}")
    load_catalog(project / "catalog.yaml")
    return project, names


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _write(rounds: list[dict], span: float, names: dict[str, str]) -> dict:
    """The figures so far (written after every round, so a run cut short still leaves its figures)."""
    def total(key: str) -> int:
        return sum(r[key] for r in rounds)

    figures = [
        figure("CKAN calls of the first run (seconds)", round(span, 1), "> 0"),
        figure("rounds", len(rounds), f">= {ROUNDS}"),
        figure("runs killed by SIGKILL", sum(1 for r in rounds if r["killed_at"] is not None), f">= {len(rounds)}"),
        figure("duplicate resources (after a kill, and after the re-run)",
               total("after_kill_duplicate") + total("after_rerun_duplicate"), "= 0"),
        figure("missing resources of a committed version", total("after_kill_missing") + total("after_rerun_missing"),
               "= 0"),
        figure("half-written or incomplete versions visible (committed files whose bytes differ, public dataset "
               "without a whole version)", total("half_written") + total("rerun_half_written")
               + total("after_kill_inconsistent") + total("after_rerun_inconsistent"), "= 0"),
        figure("earlier versions changed (sha256 of the downloaded files)", total("earlier_changed"), "= 0"),
        figure("leftover resources of uncommitted versions after the re-run", total("after_rerun_leftover"), "= 0"),
        figure("re-runs completed (exit 0)", sum(1 for r in rounds if r["rerun_exit"] == 0), f">= {len(rounds)}"),
        figure("datasets without exactly one new version per round",
               sum(1 for r in rounds for n in r["new_versions"].values() if n != 1), "= 0"),
        figure("satudata verify findings after the re-run", total("verify_findings"), "= 0"),
    ]
    written = write_proof("kill-ckan", "kill -9 of satudata run --target ckan at seeded random moments (real CKAN)",
                          SEED, figures, notes=f"modes in turn: {', '.join(MODES)}; {len(names)} datasets a round; "
                          "the 'commit' mode kills the run after CKAN applied package_update, before its answer",
                          details=rounds)
    return written


def uploads(proxy: CkanProxy) -> int:
    return proxy.counts["resource_create"] + proxy.counts["resource_update"]


def test_kill_9_of_a_ckan_run_leaves_no_duplicate_no_missing_and_the_next_run_completes(tmp_path, ckan_site):
    ckan_env, ckan = ckan_site
    project, names = _project(tmp_path)
    look = Look(ckan, ckan_env["token"], list(names))
    catalog_path = project / "catalog.yaml"
    from prefect.settings import PREFECT_API_URL

    direct = env_for(project, {"SATUDATA_CKAN_URL": ckan_env["url"], "SATUDATA_CKAN_TOKEN": ckan_env["token"],
                               "PREFECT_API_URL": PREFECT_API_URL.value()})
    args = [str(SATUDATA), "run", *names, "--target", "ckan", "--json", "--catalog", str(catalog_path)]
    chooser = random.Random(SEED)
    print(f"kill -9 of a CKAN run: {ROUNDS} rounds, seed {SEED}")
    rounds: list[dict] = []
    try:
        with CkanProxy(ckan_env["url"]) as watching:
            first = subprocess.run(args, cwd=project, env={**direct, "SATUDATA_CKAN_URL": watching.url},
                                   capture_output=True, text=True, timeout=900)
            ended = time.monotonic()
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        span = max(1.0, ended - (watching.first_request or ended))     # the first run's CKAN work
        known = look.digests()
        for number in range(ROUNDS):
            mode = MODES[number % len(MODES)]
            delay = chooser.uniform(0, span) if mode == "random" else chooser.uniform(0, 1.5) \
                if mode == "upload" else 0.0
            change_exports(project, tuple(names.values()), 1)   # +1 to a digit: a change every round
            before = look.committed()
            record = {"round": number, "mode": mode, "delay": round(delay, 3), "killed_at": None}
            running: dict[str, subprocess.Popen] = {}

            def at_commit(action: str, n: int, mode: str = mode, running: dict = running) -> bool:
                if mode == "commit" and action == "package_update" and "cli" in running:
                    _kill(running["cli"])       # CKAN has applied the commit; its caller dies unanswered
                    return False
                return True

            with CkanProxy(ckan_env["url"], after=at_commit) as proxy:
                env = {**direct, "SATUDATA_CKAN_URL": proxy.url}
                clock = time.monotonic()
                process = running["cli"] = subprocess.Popen(args, cwd=project, env=env, stdout=subprocess.DEVNULL,
                                                            stderr=subprocess.DEVNULL, start_new_session=True)
                opened = None
                while process.poll() is None and time.monotonic() - clock < 600:
                    now = time.monotonic()
                    if mode != "commit" and opened is None and \
                            (proxy.first_request if mode == "random" else uploads(proxy)):
                        opened = now
                    if opened is not None and now - opened >= delay:
                        break
                    time.sleep(0.005)
                if process.poll() is None:
                    record["killed_at"] = round(time.monotonic() - clock, 3)
                    _kill(process)
                elif process.returncode == -signal.SIGKILL:   # killed by the proxy at the commit
                    record["killed_at"] = round(time.monotonic() - clock, 3)
                process.wait(timeout=60)
            after_kill = look.count()
            fresh = look.digests(known)            # versions committed by the killed run: whole, or not at all
            recorded = look.recorded()
            record.update({f"after_kill_{k}": v for k, v in after_kill.items()})
            record["half_written"] = sum(1 for key, sha in fresh.items() if sha != recorded[key])
            rerun = subprocess.run(args, cwd=project, env=direct, capture_output=True, text=True, timeout=900)
            record["rerun_exit"] = rerun.returncode
            outcomes = json.loads(rerun.stdout)["datasets"] if rerun.stdout.strip().startswith("{") else []
            record["rerun_statuses"] = [o["status"] for o in outcomes]
            if rerun.returncode != 0:
                record["rerun_tail"] = (rerun.stdout + rerun.stderr)[-2000:]
            after = look.committed()
            record["new_versions"] = {n: len(after[n]) - len(before[n]) for n in names}
            record.update({f"after_rerun_{k}": v for k, v in look.count().items()})
            now_known = look.digests()
            record["earlier_changed"] = sum(1 for key, sha in known.items() if now_known.get(key) != sha)
            record["rerun_half_written"] = sum(1 for key, sha in now_known.items() if sha != look.recorded()[key])
            catalog = load_catalog(catalog_path)
            publisher = make_publisher(catalog, RunSettings.from_environment(catalog_path, target="ckan",
                                                                             ckan_url=ckan_env["url"]))
            findings = problems(verify(publisher, [catalog.dataset(n) for n in names]))
            record["verify_findings"] = len(findings)
            record["findings"] = [f.as_dict() for f in findings if f.status != Status.OK][:5]
            known = now_known
            rounds.append(record)
            print(json.dumps(record))
            _write(rounds, span, names)
    finally:
        purge(ckan, [ckan_name(n) for n in names])

    written = _write(rounds, span, names)
    assert len(rounds) == ROUNDS and not unmet(written), json.dumps(unmet(written), indent=2)
