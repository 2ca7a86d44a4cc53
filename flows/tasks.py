"""Thin Prefect tasks: each calls the one function of the module that owns its stage."""

from __future__ import annotations

import logging
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from satudata.convert import PARQUET_NAME, write_outputs
from satudata.core.catalog import Dataset
from satudata.core.problems import ExportUnreadable
from satudata.core.publishing import Bundle, PublishedVersion, PublishRecord
from satudata.core.records import OutputFile, RawExport, ReferenceRows, ReferenceTable, StagedTable
from satudata.flows import progress
from satudata.flows.context import RunContext
from satudata.flows.reject import quarantine
from satudata.lineage.changelog import write_version_changelog
from satudata.lineage.record import emit
from satudata.publish.references import write_referenced_rows
from satudata.publish.site import render_site, site_is_current
from satudata.sources.pull import pull
from satudata.sources.read import read_exports as read_staged
from satudata.sources.references import reference_tables
from satudata.validators.privacy import suppress_small_cells
from satudata.validators.privacy_gate import column_treatments
from satudata.validators.report import ValidationReport
from satudata.validators.report_markdown import render_markdown
from satudata.validators.validate import CheckedTable, validate_staged

log = logging.getLogger("satudata.lineage")
PULL_RETRIES = 2
WORK = {"cache_policy": NO_CACHE}


def _transient(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn of the pull: only a transient failure (a refused connection, a 5xx) is pulled
    again; a bad export (404, HTML, empty, a failing query) is returned as data, never retried."""
    try:
        state.result()
    except ExportUnreadable as exc:
        return exc.transient
    except Exception:  # noqa: BLE001 - an unexpected crash (disk full, a bug): another try may help
        return True
    return False


@task(name="pull", cache_policy=NO_CACHE, retries=PULL_RETRIES, retry_delay_seconds=[1, 4],
      retry_condition_fn=_transient)
def pull_exports(ctx: RunContext, dataset: Dataset, work: Path) -> list[RawExport] | ExportUnreadable:
    """The raw exports, or the reason they cannot be had (data for the flow: a bad export is no failed task, so
    Prefect prints no traceback for it). A transient reason is raised instead while retries are left."""
    from prefect.runtime import task_run

    try:
        return pull(dataset.source, ctx.catalog.root, work / "raw")
    except ExportUnreadable as exc:
        if exc.transient and task_run.run_count <= PULL_RETRIES:
            raise
        return exc


@task(name="read", **WORK)
def read_exports(ctx: RunContext, dataset: Dataset, raws: list[RawExport], schema: dict,
                 work: Path) -> StagedTable | ExportUnreadable:
    """The staged table, or why the exports cannot be read (as data: no failed task, no traceback)."""
    total = sum(r.bytes for r in raws)
    try:
        return read_staged(raws, dataset.source.options, schema["fields"], work / "staged.parquet",
                           lambda rows, done: progress.advance(dataset.id, rows, done, total))
    except ExportUnreadable as exc:
        return exc


@task(name="validate", **WORK)
def validate(ctx: RunContext, dataset: Dataset, raws: list[RawExport], staged: StagedTable, schema: dict,
             work: Path) -> CheckedTable:
    references = reference_tables(ctx.catalog, schema, ctx.settings.state_dir() / "cache" / "references")
    return validate_staged(dataset.id, raws, staged, schema, ctx.catalog.suite_path(dataset.id), references, work)


@task(name="report-artifact", **WORK)
def attach_report(dataset: Dataset, report: ValidationReport) -> None:
    """The steward's report on the Prefect flow run too (the Prefect UI's Artifacts tab): one artifact key a
    dataset, so the UI shows its history."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=render_markdown(report), key=f"validation-{dataset.id}",
                             description=f"{dataset.id}: {report.status}")


@task(name="quarantine", **WORK)
def quarantine_export(ctx: RunContext, dataset: Dataset, raws: list[RawExport], report: ValidationReport) -> Path:
    return quarantine(ctx.settings.quarantine(), dataset.id, raws, report)


@task(name="convert", **WORK)
def convert(ctx: RunContext, dataset: Dataset, typed: Path, schema: dict, work: Path) -> list[OutputFile]:
    small = dataset.small_cells
    suppress = (lambda table: suppress_small_cells(table, small.columns, small.k)[0]) if small else None
    return write_outputs(typed, work / "out", column_treatments(schema, ctx.salt), small_cells=suppress)


@task(name="referenced-rows", **WORK)
def referenced_rows(ctx: RunContext, public_schema: dict, outputs: list[OutputFile],
                    references: dict[str, ReferenceTable], work: Path) -> list[ReferenceRows]:
    return write_referenced_rows(ctx.catalog, public_schema, _parquet(outputs), references, work / "references")


def _parquet(outputs: list[OutputFile]) -> Path:
    return next(o.path for o in outputs if o.name == PARQUET_NAME)


@task(name="publish", **WORK)   # one retry layer: the CKAN session retries HTTP; a PublishError is final
def publish_bundle(ctx: RunContext, dataset: Dataset, bundle: Bundle) -> PublishRecord:
    return ctx.publisher.publish(dataset, bundle)


@task(name="changelog", **WORK)
def changelog(ctx: RunContext, dataset: Dataset, previous: PublishedVersion | None, version: str,
              outputs: list[OutputFile], public_schema: dict, work: Path) -> Path:
    """changelog.json of the new version against the previous one, whose data.parquet is fetched from the target."""
    before = None
    if previous is not None:
        before = ctx.publisher.fetch(dataset, previous.version, PARQUET_NAME, work / "previous.parquet")
    return write_version_changelog(before, _parquet(outputs), work, dataset_id=dataset.id, version=version,
                                   previous_version=previous.version if previous else None,
                                   primary_key=public_schema.get("primaryKey"))


@task(name="portal-site", **WORK)
def refresh_site(ctx: RunContext, changed: bool) -> None:
    """index.json and the static site of the local portal, after a run that published (or when they are missing);
    the site is rendered for a folder portal only (docs/storage.md)."""
    root = ctx.publisher.root
    stale = not ctx.publisher.site_exists() or not ctx.publisher.index_is_current() or (
        root is not None and not site_is_current(root))   # a run killed before it had rewritten them
    if changed or stale:
        ctx.publisher.write_index()
        if root is not None:
            render_site(ctx.catalog, root)


@task(name="lineage", **WORK)
def send_lineage(events: list) -> bool:
    """The lineage record is already in the version; this also sends it to OPENLINEAGE_URL when set.

    The HTTP client retries on its own; a lineage server that stays down must not fail a published version.
    """
    try:
        return emit(events)
    except Exception as exc:  # noqa: BLE001 - any transport error: warn, the record is safe in the version
        log.warning("lineage not sent to OPENLINEAGE_URL: %s: %s", type(exc).__name__, exc)
        return False


@task(name="find-unchanged", **WORK)
def find_unchanged(ctx: RunContext, dataset_ids: list[str]) -> dict[str, str]:
    """dataset id → latest version, for every dataset whose inputs are those of its latest version."""
    from satudata.flows.precheck import unchanged_since_latest

    found = {}
    for dataset_id in dataset_ids:
        try:
            latest = unchanged_since_latest(ctx.catalog, ctx.publisher, ctx.catalog.dataset(dataset_id))
        except Exception as exc:  # noqa: BLE001 - not knowing is fine: the dataset's own run reports the problem
            log.info("precheck of %s skipped: %s", dataset_id, type(exc).__name__)
            continue
        if latest is not None:
            found[dataset_id] = latest.version
    return found
