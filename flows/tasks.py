"""Thin Prefect tasks: each calls the one function of the module that owns its stage."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE

from satudata.core.catalog import Dataset
from satudata.core.problems import ExportUnreadable
from satudata.core.publishing import Bundle, PublishedVersion, PublishRecord
from satudata.core.records import OutputFile, RawExport, ReferenceRows, ReferenceTable, StagedTable
from satudata.flows import progress
from satudata.flows.context import RunContext

# Each task imports its stage where it runs: a run where nothing changed (the no-op of a 1,000-dataset catalogue)
# never loads pyarrow, DuckDB, GX or OpenLineage (docs/scale.md).
if TYPE_CHECKING:
    from satudata.validators.report import ValidationReport
    from satudata.validators.validate import CheckedTable

log = logging.getLogger("satudata.lineage")
PULL_RETRIES = 2
WORK = {"cache_policy": NO_CACHE}
PRECHECK_THREADS = 4


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

    from satudata.sources.pull import pull

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
    from satudata.sources.read import read_exports as read_staged

    total = sum(r.bytes for r in raws)
    try:
        return read_staged(raws, dataset.source.options, schema["fields"], work / "staged.parquet",
                           lambda rows, done: progress.advance(dataset.id, rows, done, total))
    except ExportUnreadable as exc:
        return exc


@task(name="validate", **WORK)
def validate(ctx: RunContext, dataset: Dataset, raws: list[RawExport], staged: StagedTable, schema: dict,
             work: Path) -> CheckedTable:
    from satudata.sources.references import reference_tables
    from satudata.validators.validate import validate_staged

    references = reference_tables(ctx.catalog, schema, ctx.settings.state_dir() / "cache" / "references")
    return validate_staged(dataset.id, raws, staged, schema, ctx.catalog.suite_path(dataset.id), references, work)


@task(name="report-artifact", **WORK)
def attach_report(dataset: Dataset, report: ValidationReport) -> None:
    """The steward's report on the Prefect flow run too (the Prefect UI's Artifacts tab): one artifact key a
    dataset, so the UI shows its history."""
    from prefect.artifacts import create_markdown_artifact

    from satudata.validators.report_markdown import render_markdown

    create_markdown_artifact(markdown=render_markdown(report), key=f"validation-{dataset.id}",
                             description=f"{dataset.id}: {report.status}")


@task(name="quarantine", **WORK)
def quarantine_export(ctx: RunContext, dataset: Dataset, raws: list[RawExport], report: ValidationReport) -> Path:
    from satudata.flows.reject import quarantine

    return quarantine(ctx.settings.quarantine(), dataset.id, raws, report)


@task(name="convert", **WORK)
def convert(ctx: RunContext, dataset: Dataset, typed: Path, schema: dict, work: Path) -> list[OutputFile]:
    from satudata.convert import write_outputs
    from satudata.validators.privacy import suppress_small_cells
    from satudata.validators.privacy_gate import column_treatments

    small = dataset.small_cells
    suppress = (lambda table: suppress_small_cells(table, small.columns, small.k)[0]) if small else None
    return write_outputs(typed, work / "out", column_treatments(schema, ctx.salt), small_cells=suppress)


@task(name="referenced-rows", **WORK)
def referenced_rows(ctx: RunContext, public_schema: dict, outputs: list[OutputFile],
                    references: dict[str, ReferenceTable], work: Path) -> list[ReferenceRows]:
    from satudata.publish.references import write_referenced_rows

    return write_referenced_rows(ctx.catalog, public_schema, _parquet(outputs), references, work / "references")


def _parquet(outputs: list[OutputFile]) -> Path:
    from satudata.convert import PARQUET_NAME

    return next(o.path for o in outputs if o.name == PARQUET_NAME)


@task(name="publish", **WORK)   # one retry layer: the CKAN session retries HTTP; a PublishError is final
def publish_bundle(ctx: RunContext, dataset: Dataset, bundle: Bundle) -> PublishRecord:
    return ctx.publisher.publish(dataset, bundle)


@task(name="changelog", **WORK)
def changelog(ctx: RunContext, dataset: Dataset, previous: PublishedVersion | None, version: str,
              outputs: list[OutputFile], public_schema: dict, work: Path) -> Path:
    """changelog.json of the new version against the previous one, whose data.parquet is fetched from the target."""
    from satudata.convert import PARQUET_NAME
    from satudata.lineage.changelog import write_version_changelog

    before = None
    if previous is not None:
        before = ctx.publisher.fetch(dataset, previous.version, PARQUET_NAME, work / "previous.parquet")
    return write_version_changelog(before, _parquet(outputs), work, dataset_id=dataset.id, version=version,
                                   previous_version=previous.version if previous else None,
                                   primary_key=public_schema.get("primaryKey"))


@task(name="portal-site", **WORK)
def refresh_site(ctx: RunContext, changed: bool | list[str], site_was_current: bool = False) -> None:
    """index.json and the static site of the local portal, after a run that published (or when they are missing);
    the site is rendered for a folder portal only (docs/storage.md).

    ``changed``: the datasets the run published (True: some, unnamed). Each publish has already written its own
    entry of index.json, so it is written again only when it is behind the store (a run killed between a
    version's rename and the index). When the site was whole before the run (``site_was_current``), only the
    published datasets' pages and the listing pages are rendered again; otherwise the whole site."""
    from satudata.publish.site import site_is_current

    root = ctx.publisher.root
    index_behind = not ctx.publisher.index_is_current()
    stale = not ctx.publisher.site_exists() or index_behind or (
        root is not None and not site_is_current(root))   # a run killed before it had rewritten them
    if not (changed or stale):
        return
    if index_behind or not ctx.publisher.site_exists():
        ctx.publisher.write_index()
    if root is not None:
        from satudata.publish.site import render_site

        incremental = isinstance(changed, list) and site_was_current and not index_behind
        render_site(ctx.catalog, root, changed if incremental else None)


def site_was_current(ctx: RunContext) -> bool:
    """Before a run: whether the portal's site shows its index, whole (then a run re-renders only what it
    published)."""
    from satudata.publish.site import site_is_current

    root = ctx.publisher.root
    return root is not None and ctx.publisher.site_exists() and site_is_current(root)


@task(name="lineage", **WORK)
def send_lineage(events: list) -> bool:
    """The lineage record is already in the version; this also sends it to OPENLINEAGE_URL when set.

    The HTTP client retries on its own; a lineage server that stays down must not fail a published version.
    """
    from satudata.lineage.record import emit

    try:
        return emit(events)
    except Exception as exc:  # noqa: BLE001 - any transport error: warn, the record is safe in the version
        log.warning("lineage not sent to OPENLINEAGE_URL: %s: %s", type(exc).__name__, exc)
        return False


@task(name="find-unchanged", **WORK)
def find_unchanged(ctx: RunContext, dataset_ids: list[str]) -> dict[str, str]:
    """dataset id → latest version, for every dataset whose inputs are those of its latest version.

    The datasets are checked a few at once: hashing an export and reading a descriptor wait on the disk and
    release the GIL (a catalogue of 1,000 datasets)."""
    from concurrent.futures import ThreadPoolExecutor

    from satudata.flows.precheck import unchanged_since_latest

    def check(dataset_id: str) -> str | None:
        try:
            return unchanged_since_latest(ctx.catalog, ctx.publisher, ctx.catalog.dataset(dataset_id))
        except Exception as exc:  # noqa: BLE001 - not knowing is fine: the dataset's own run reports the problem
            log.info("precheck of %s skipped: %s", dataset_id, type(exc).__name__)
            return None

    with ThreadPoolExecutor(max_workers=PRECHECK_THREADS) as pool:
        latest = list(pool.map(check, dataset_ids))
    return {dataset_id: version for dataset_id, version in zip(dataset_ids, latest, strict=True)
            if version is not None}
