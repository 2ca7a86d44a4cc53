"""publish_catalog_on_workers: the catalogue spread over the work pool's workers, one flow run per dataset.

It only orchestrates: for every dataset whose inputs changed since its latest version it starts the dataset's
deployment (``publish_dataset/<id>``, created by ``satudata deploy --apply``) with ``run_deployment``, as a subflow
of this run, and waits for them; whichever worker polls the pool first runs each one. The deployments keep their
own settings (the catalogue, the target and the publish limits that ``satudata deploy`` gave them), so every
machine reads the catalogue and writes the store as its deployment says. Then, for the local target, index.json and
the site are rewritten once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from prefect import flow

from satudata.core.settings import RunSettings
from satudata.flows.context import RunContext
from satudata.flows.publish import _run_id
from satudata.flows.tasks import find_unchanged, refresh_site

DEPLOYMENT = "publish_dataset/{}"
WORKER_LABEL = "prefect.worker.name"   # the label a Prefect 3 worker gives every flow run it takes


def _latest(ctx: RunContext, dataset_id: str) -> str | None:
    latest = ctx.publisher.latest(ctx.catalog.dataset(dataset_id))
    return latest.version if latest is not None else None


@flow(name="publish_catalog_on_workers", log_prints=False)
def publish_catalog_on_workers(dataset_ids: list[str], settings: dict, timeout: float = 3600.0,
                               poll: float = 2.0) -> list[dict]:
    """Every dataset named (or the whole catalogue), each as its own flow run on the work pool's workers.

    Returns one outcome per dataset: ``published`` / ``unchanged`` (from the portal after the run), ``quarantined``
    (the run completed and published nothing), ``failed`` / ``crashed`` / ``cancelled`` (the run's final state), or
    ``running`` when it had not finished after ``timeout`` seconds (a worker that died holds its runs until Prefect
    marks them crashed: a re-run starts what they left)."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    parent = _run_id()
    ctx = RunContext.open(RunSettings.from_dict(settings))
    ids = dataset_ids or [d.id for d in ctx.catalog.datasets]
    unchanged = find_unchanged(ctx, ids)
    before = {i: _latest(ctx, i) for i in ids if i not in unchanged}
    runs = {}
    for dataset_id in before:
        runs[dataset_id] = run_deployment(DEPLOYMENT.format(dataset_id), timeout=0, as_subflow=True,
                                          parameters={"dataset_id": dataset_id, "parent_run_id": parent})
    started, deadline = time.monotonic(), time.monotonic() + timeout
    final: dict = {}
    with get_client(sync_client=True) as client:
        while True:
            for dataset_id, run in runs.items():
                if dataset_id not in final:
                    current = client.read_flow_run(run.id)
                    if current.state is not None and current.state.is_final():
                        final[dataset_id] = current
            if len(final) == len(runs) or time.monotonic() > deadline:
                break
            time.sleep(poll)
        pending = {i: client.read_flow_run(r.id) for i, r in runs.items() if i not in final}
    outcomes = {i: {"dataset": i, "status": "unchanged", "version": v, "change": "none",
                    "message": "same export, schema, suite and code", "seconds": 0.0}
                for i, v in unchanged.items()}
    for dataset_id, record in {**final, **pending}.items():
        outcomes[dataset_id] = _outcome(ctx, dataset_id, record, before[dataset_id])
        outcomes[dataset_id]["seconds"] = round(time.monotonic() - started, 2)
    results = [outcomes[i] for i in ids]
    if ctx.publisher.target == "local":
        refresh_site(ctx, any(o["status"] == "published" for o in results))
    return results


def _outcome(ctx: RunContext, dataset_id: str, record, before: str | None) -> dict:
    state = record.state.type.value.lower() if record.state is not None else "scheduled"
    outcome = {"dataset": dataset_id, "flow_run": str(record.id), "worker": record.labels.get(WORKER_LABEL),
               "infrastructure_pid": record.infrastructure_pid, "version": None, "change": None,
               "message": f"flow run {record.name} {state} at {datetime.now(UTC).isoformat(timespec='seconds')}"}
    if state != "completed":
        return {**outcome, "status": "running" if state in ("scheduled", "pending", "running") else state}
    version = _latest(ctx, dataset_id)
    if version is None:
        return {**outcome, "status": "quarantined", "message": "the run published nothing: see the quarantine"}
    return {**outcome, "status": "published" if version != before else "unchanged", "version": version}
