"""The flows: publish_dataset (pull → validate → convert → version → publish → lineage) and publish_catalog."""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner

from satudata.core.catalog import load_schema, load_suite
from satudata.core.failures import failure_message, quiet_expected_failures, site_not_updated
from satudata.core.files import sha256_file, storage_errno, storage_fault
from satudata.core.problems import ExportUnreadable
from satudata.core.publishing import CHANGELOG_FILE, DatasetLocked, StorageRefused
from satudata.core.settings import RunSettings
from satudata.flows import progress
from satudata.flows.context import RunContext, sharing
from satudata.flows.guards import publishing_slot
from satudata.flows.notify import notify_failure
from satudata.flows.tasks import (
    attach_report,
    changelog,
    convert,
    find_unchanged,
    publish_bundle,
    pull_exports,
    quarantine_export,
    read_exports,
    referenced_rows,
    refresh_site,
    send_lineage,
    site_was_current,
    validate,
)
from satudata.versioning import decide, fingerprint, inputs_sha256, metadata_sha256

log = logging.getLogger("satudata.flows")


@dataclass
class Outcome:
    dataset: str
    status: str                 # published | unchanged | quarantined | failed
    version: str | None = None
    change: str | None = None
    message: str = ""
    report: str | None = None   # where the steward's report is
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("published", "unchanged")


def _run_id() -> str:
    try:
        return str(get_run_context().flow_run.id)
    except Exception:  # called outside a flow run (tests of the pieces)
        return str(uuid.uuid4())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@flow(name="publish_dataset", flow_run_name="{dataset_id}", log_prints=False)
def publish_dataset(dataset_id: str, settings: dict, parent_run_id: str | None = None) -> dict:
    """One dataset, end to end. Returns an Outcome as a dict; never raises for a bad export."""
    started, clock = _now(), time.monotonic()
    quiet_expected_failures()
    ctx = RunContext.open(RunSettings.from_dict(settings), parent_run_id)
    dataset = ctx.catalog.dataset(dataset_id)
    run_id = _run_id()
    work = ctx.work_dir(dataset_id, run_id[:8])
    try:
        outcome = _publish(ctx, dataset, run_id, parent_run_id, started, work)
    except Exception as exc:   # a crash (CKAN down, disk full): the steward still gets a report, then it fails
        from satudata.validators.validate import unreadable_report

        message = failure_message(exc, ctx.storage_folders())
        folder = None
        try:   # fail soft: on a full disk the report may not be writable either, and the first error is the one
            report = unreadable_report(dataset_id, [], dataset_id, f"proses gagal: {message}",
                                       f"the run failed: {message}")
            folder = quarantine_export(ctx, dataset, [], report)
        except Exception as second:  # noqa: BLE001
            log.warning("%s: the failure report could not be written either: %s", dataset_id,
                        failure_message(second, ctx.storage_folders()))
        try:
            notify_failure(asdict(Outcome(dataset_id, "failed", message=message,
                                          report=str(folder / "validation.html") if folder else None)),
                           ctx.catalog.portal.webhook_url)
        except Exception as second:  # noqa: BLE001
            log.warning("%s: the failure could not be notified: %s", dataset_id,
                        failure_message(second, ctx.storage_folders()))
        if storage_errno(exc) is not None and not isinstance(exc, StorageRefused):
            raise StorageRefused(message) from exc
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    outcome.seconds = round(time.monotonic() - clock, 2)
    progress.report(dataset_id, outcome.status, outcome.version or "")
    if not outcome.ok:
        notify_failure(asdict(outcome), ctx.catalog.portal.webhook_url)
    return asdict(outcome)


def _publish(ctx: RunContext, dataset, run_id: str, parent_run_id: str | None, started: str, work: Path) -> Outcome:
    # The stages are imported here, where a dataset is really worked on: a run where nothing changed loads none.
    from satudata.flows.bundle import assemble
    from satudata.lineage.record import LineageInput
    from satudata.publish.package import public_schema
    from satudata.validators.privacy_gate import declared

    schema = load_schema(ctx.catalog, dataset.id)
    suite = load_suite(ctx.catalog, dataset.id)
    progress.report(dataset.id, "pull")
    raws = pull_exports(ctx, dataset, work)
    if isinstance(raws, ExportUnreadable):
        return _unreadable(ctx, dataset, [], raws)
    inputs_key = inputs_sha256([r.as_dict() for r in raws], dataset, schema, suite)
    latest = ctx.publisher.latest(dataset)
    if latest is not None and latest.inputs_sha256 == inputs_key:
        return Outcome(dataset.id, "unchanged", latest.version, "none", "same export, schema, suite and code")
    progress.report(dataset.id, "validate")
    staged = read_exports(ctx, dataset, raws, schema, work)
    if isinstance(staged, ExportUnreadable):
        return _unreadable(ctx, dataset, raws, staged)
    checked = validate(ctx, dataset, raws, staged, schema, work)
    report = checked.report
    attach_report(dataset, report)
    if report.blocked or checked.typed is None:
        folder = quarantine_export(ctx, dataset, raws, report)
        errors = sum(r.count for r in report.errors)
        return Outcome(dataset.id, "quarantined", message=f"{errors} errors in {len(report.errors)} checks",
                       report=str(folder / "validation.html"))
    progress.report(dataset.id, "convert")
    outputs = convert(ctx, dataset, checked.typed, schema, work)
    published = public_schema(schema, declared(schema), dataset, report)
    references = referenced_rows(ctx, published, outputs, checked.references, work)
    fp = fingerprint(outputs, published, metadata_sha256(ctx.catalog, dataset, schema, suite))
    progress.report(dataset.id, "version")
    with publishing_slot(ctx, dataset):
        previous = ctx.publisher.latest(dataset)
        decision = decide(previous.version if previous else None, previous.fingerprint if previous else None, fp)
        if decision.version is None:
            if previous is not None and (latest is None or latest.version != previous.version):
                return Outcome(dataset.id, "unchanged", previous.version, "none",
                               f"run lain menerbitkan {previous.version} saat run ini menunggu gilirannya; sejak itu "
                               f"tidak ada yang berubah / another run published {previous.version} while this run "
                               "waited for its turn; nothing changed since")
            return Outcome(dataset.id, "unchanged", previous.version if previous else None, "none",
                           "nothing changed since the latest version")
        lineage = LineageInput(dataset.id, decision.version, run_id, started, [r.as_dict() for r in raws],
                               list(fp.columns), [r.as_dict() for r in report.results],
                               schema_sha256=sha256_file(ctx.catalog.schema_path(dataset.id)),
                               suite_sha256=sha256_file(ctx.catalog.suite_path(dataset.id)),
                               parent_run_id=parent_run_id, code_root=str(ctx.catalog.root),
                               target=ctx.publisher.target, reading=report.reading)
        changes = changelog(ctx, dataset, previous, decision.version, outputs, published, work)
        bundle, events = assemble(ctx.catalog, dataset, ctx.publisher, decision, outputs, published, fp, report,
                                  lineage, previous, {CHANGELOG_FILE: changes}, work / "bundle", inputs_key,
                                  references)
        progress.report(dataset.id, "publish", decision.version)
        publish_bundle(ctx, dataset, bundle)
    progress.report(dataset.id, "lineage", decision.version)
    send_lineage(events)
    warnings = sum(r.count for r in report.warnings)
    note = "; ".join(decision.reasons) + (f"; {warnings} warnings" if warnings else "")
    return Outcome(dataset.id, "published", decision.version, decision.change, note)


def _unreadable(ctx: RunContext, dataset, raws: list, exc: ExportUnreadable) -> Outcome:
    """An export that cannot be pulled or read: quarantined with the steward's report; the run goes on."""
    from satudata.validators.validate import unreadable_report

    report = unreadable_report(dataset.id, raws, exc.file, exc.message_id, exc.message_en)
    attach_report(dataset, report)
    folder = quarantine_export(ctx, dataset, raws, report)
    return Outcome(dataset.id, "quarantined", message=f"{exc.file}: {exc.message_id} / {exc.message_en}",
                   report=str(folder / "validation.html"))


@task(name="dataset", cache_policy=NO_CACHE)
def run_dataset(dataset_id: str, settings: dict, parent_run_id: str) -> dict:
    try:
        return publish_dataset(dataset_id, settings, parent_run_id)
    except (DatasetLocked, StorageRefused) as exc:
        progress.report(dataset_id, "failed", type(exc).__name__)
        return asdict(Outcome(dataset_id, "failed", message=str(exc)))
    except Exception as exc:  # one failing dataset never stops the others
        progress.report(dataset_id, "failed", type(exc).__name__)
        return asdict(Outcome(dataset_id, "failed", message=f"{type(exc).__name__}: {exc}"))


@flow(name="publish_catalog", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=2))
def publish_catalog(dataset_ids: list[str], settings: dict) -> list[dict]:
    """Every dataset of the catalogue (or the ones named), concurrently (see ``with_concurrency``)."""
    parent = _run_id()
    quiet_expected_failures()
    ctx: RunContext | None = None
    unchanged: dict[str, str] = {}
    whole_site = False
    try:
        ctx = RunContext.open(RunSettings.from_dict(settings))
    except Exception:  # noqa: BLE001 - e.g. CKAN unreachable: every dataset's own run reports it clearly
        pass
    else:
        whole_site = ctx.publisher.target == "local" and site_was_current(ctx)
        unchanged = find_unchanged(ctx, dataset_ids)
    outcomes = {}
    for dataset_id, version in unchanged.items():   # nothing can have changed: no run at all for these
        outcomes[dataset_id] = asdict(Outcome(dataset_id, "unchanged", version, "none",
                                              "same export, schema, suite and code"))
        progress.report(dataset_id, "unchanged", version)
    with sharing(parent, ctx.catalog) if ctx is not None else nullcontext():
        futures = {i: run_dataset.submit(i, settings, parent) for i in dataset_ids if i not in unchanged}
        outcomes.update({i: f.result() for i, f in futures.items()})
    results = [outcomes[i] for i in dataset_ids]
    if ctx is not None and ctx.publisher.target == "local":
        try:
            refresh_site(ctx, [o["dataset"] for o in results if o["status"] == "published"], whole_site)
        except Exception as exc:
            message = storage_fault(exc, ctx.storage_folders())
            if message is None:
                raise
            site_not_updated(results, message)
    return results


def with_concurrency(concurrency: int):
    """publish_catalog running at most ``concurrency`` datasets at once."""
    return publish_catalog.with_options(task_runner=ThreadPoolTaskRunner(max_workers=max(1, concurrency)))
