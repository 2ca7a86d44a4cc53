"""The auditor's view of lineage: read the OpenLineage records of a dataset's versions (and its rejected runs)
back into plain records, and render the lineage report as JSON or one self-contained HTML page.

Everything is read through the ``Publisher`` protocol (``history()`` and ``fetch()``), so the local portal and
CKAN are read by the same code.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from jinja2 import Environment, PackageLoader, select_autoescape

from satudata.core.catalog import Dataset
from satudata.core.files import read_jsonl, sha256_file
from satudata.core.publishing import LINEAGE_FILE, PACKAGE_FILE, Publisher, PublishError
from satudata.lineage.naming import dataset_of_job
from satudata.lineage.record import LineageInput, build_events, event_dicts

INDEX_FILE = "index.json"
NOT_FOUND = re.compile(r"\bHTTP (404|410)\b")

_env = Environment(loader=PackageLoader("satudata.lineage", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)


class LineageRecordError(ValueError):
    """A lineage record that cannot be read as START + COMPLETE/FAIL RunEvents."""


@dataclass
class FileRecord:
    """A file as the lineage record holds it: a raw export (input) or a published file (output)."""

    name: str
    uri: str
    sha256: str | None
    bytes: int | None
    at: str | None = None          # pulled at (inputs)


@dataclass
class CheckRecord:
    check: str
    engine: str
    column: str | None
    severity: str | None
    outcome: str                   # passed | warned | failed
    failed_rows: int | None = None
    description: str | None = None
    detail: str | None = None


@dataclass
class RunRecord:
    """One lineage record: the START event and the COMPLETE (published) or FAIL (rejected) event of one run."""

    dataset: str
    state: str                     # COMPLETE | FAIL | START (the run never finished)
    run_id: str
    version: str | None
    started: str | None
    ended: str | None
    parent_run_id: str | None = None
    parent_job: str | None = None
    previous_version: str | None = None
    previous_lineage_sha256: str | None = None
    git_commit: str | None = None
    git_dirty: bool | None = None
    catalog_git_commit: str | None = None
    package_version: str | None = None
    engine: str | None = None      # the orchestrator and its version, e.g. "prefect 3.9.1"
    schema_sha256: str | None = None
    suite_sha256: str | None = None
    target: str | None = None
    error: str | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)
    sources: list[FileRecord] = field(default_factory=list)
    checks: list[CheckRecord] = field(default_factory=list)
    outputs: list[FileRecord] = field(default_factory=list)

    def output(self, name: str) -> FileRecord | None:
        return next((o for o in self.outputs if o.name == name), None)

    def check_counts(self) -> dict[str, int]:
        counts = {"passed": 0, "warned": 0, "failed": 0}
        for check in self.checks:
            counts[check.outcome] = counts.get(check.outcome, 0) + 1
        return counts


def _file_name(dataset: dict) -> str:
    checksum = dataset.get("facets", {}).get("checksum", {})
    return checksum.get("fileName") or Path(urlparse(dataset.get("name", "")).path).name or dataset.get("name", "")


def _file_record(dataset: dict) -> FileRecord:
    checksum = dataset.get("facets", {}).get("checksum", {})
    namespace, name = dataset.get("namespace", ""), dataset.get("name", "")
    uri = checksum.get("uri") or (name if namespace == "file" else f"{namespace}{name}")
    return FileRecord(_file_name(dataset), uri, checksum.get("sha256"), checksum.get("bytes"), checksum.get("at"))


def _file_records(datasets: list[dict]) -> list[FileRecord]:
    """One record a file: a SQL export reading several tables is one file (its query's result)."""
    records = {}
    for dataset in datasets:
        record = _file_record(dataset)
        records.setdefault((record.name, record.sha256, record.uri), record)
    return list(records.values())


def _checks(inputs: list[dict]) -> list[CheckRecord]:
    for dataset in inputs:
        facet = (dataset.get("inputFacets", {}).get("dataQualityAssertions")
                 or dataset.get("facets", {}).get("dataQualityAssertions"))
        if facet:
            return [_check(a) for a in facet.get("assertions", [])]
    return []


def _check(assertion: dict) -> CheckRecord:
    params = assertion.get("params") or {}
    engine, _, name = assertion["assertion"].partition(":")
    outcome = params.get("outcome") or ("passed" if assertion.get("success") else
                                        "warned" if assertion.get("severity") == "warning" else "failed")
    return CheckRecord(assertion.get("name") or name, params.get("engine") or engine, assertion.get("column"),
                       assertion.get("severity"), outcome, params.get("failedRows"), assertion.get("description"),
                       params.get("detail"))


def parse_record(events: list[dict]) -> RunRecord:
    """START + COMPLETE/FAIL RunEvents (as read from lineage.jsonl) → one RunRecord."""
    if not events or not all(isinstance(e, dict) and "eventType" in e and "run" in e for e in events):
        raise LineageRecordError("not a list of OpenLineage RunEvents")
    start = next((e for e in events if e["eventType"] == "START"), None)
    end = next((e for e in events if e["eventType"] in ("COMPLETE", "FAIL", "ABORT")), None)
    last = end or events[-1]
    run_facets = last["run"].get("facets", {})
    chain = run_facets.get("satudata_chain", {})
    parent = run_facets.get("parent")
    engine = run_facets.get("processing_engine")
    columns = next((tuple((f["name"], f.get("type", "")) for f in o["facets"]["schema"].get("fields", []))
                    for o in last.get("outputs", []) if "schema" in o.get("facets", {})), ())
    return RunRecord(
        dataset=dataset_of_job(last["job"]["name"]), state=end["eventType"] if end else "START",
        run_id=last["run"]["runId"],
        version=chain.get("version"), started=start["eventTime"] if start else None,
        ended=end["eventTime"] if end else None,
        parent_run_id=parent["run"]["runId"] if parent else None,
        parent_job=parent["job"]["name"] if parent else None,
        previous_version=chain.get("previousVersion"), previous_lineage_sha256=chain.get("previousLineageSha256"),
        git_commit=chain.get("gitCommit"), git_dirty=chain.get("gitDirty"),
        catalog_git_commit=chain.get("catalogGitCommit"), package_version=chain.get("packageVersion"),
        engine=f"{engine.get('name', '')} {engine.get('version', '')}".strip() if engine else None,
        schema_sha256=chain.get("schemaSha256"), suite_sha256=chain.get("suiteSha256"), target=chain.get("target"),
        error=run_facets.get("errorMessage", {}).get("message"), columns=[tuple(c) for c in columns],
        sources=_file_records(last.get("inputs", [])), checks=_checks(last.get("inputs", [])),
        outputs=_file_records(last.get("outputs", [])))


def read_record(path: Path) -> RunRecord:
    try:
        return parse_record(read_jsonl(path))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise LineageRecordError(f"{path.name}: {type(exc).__name__}: {exc}") from None


@dataclass
class VersionLineage:
    """One published version: its lineage record, the sha256 of that record and whether the chain holds."""

    version: str
    published: str | None
    lineage_sha256: str | None
    record: RunRecord | None
    change: dict | None = None
    problem: str | None = None           # the record is missing or unreadable
    chain_link_ok: bool | None = None    # previousLineageSha256 == sha256 of the previous record (None: first)


@dataclass
class RejectedRun:
    folder: str
    record: RunRecord


@dataclass
class LineageReport:
    dataset: str
    department: str
    title: dict
    target: str
    generated: str
    versions: list[VersionLineage]
    rejected: list[RejectedRun] = field(default_factory=list)
    lineage_head: str | None = None      # the catalogue index's chain head (None when the target keeps none)
    selected: str | None = None          # --version: only this version is shown in detail

    def shown(self) -> list[VersionLineage]:
        return [v for v in self.versions if self.selected in (None, v.version)]

    def shown_rejected(self) -> list[RejectedRun]:
        return self.rejected if self.selected is None else []

    def as_dict(self) -> dict:
        data = asdict(self)
        data["versions"] = [asdict(v) for v in self.shown()]
        data["rejected"] = [asdict(r) for r in self.shown_rejected()]
        data["timeline"] = [{"version": v.version, "published": v.published, "lineage_sha256": v.lineage_sha256,
                             "change": (v.change or {}).get("kind")} for v in self.versions]
        return data


def catalog_index(publisher: Publisher) -> dict[str, dict] | None:
    """dataset id → entry of the target's catalogue index (lineage_head, versions); None when it keeps none."""
    reader = getattr(publisher, "catalog_index", None)
    if callable(reader):
        return reader()
    root = getattr(publisher, "root", None)
    if not isinstance(root, Path):
        return None
    try:
        return json.loads((root / INDEX_FILE).read_text(encoding="utf-8")).get("datasets", {})
    except (OSError, json.JSONDecodeError, AttributeError):
        return {}


def fetch(publisher: Publisher, dataset: Dataset, version: str, name: str, work: Path) -> tuple[Path | None, str]:
    """(a published file copied into ``work``, "") — or (None, why) when the target does not hand it back:
    "missing" when it has no such file, else the target's reason (e.g. CKAN's own hash check failed).
    A target that cannot be reached at all raises."""
    try:
        return publisher.fetch(dataset, version, name, work / version / name), ""
    except FileNotFoundError:
        return None, "missing"
    except PublishError as exc:   # CKAN: HTTP 404 for a deleted upload, or the file is not the one published
        if type(exc) is not PublishError:   # a subclass says why it could not even try (e.g. CKAN unreachable)
            raise
        return None, "missing" if NOT_FOUND.search(str(exc)) else str(exc)


def fetch_file(publisher: Publisher, dataset: Dataset, version: str, name: str, work: Path) -> Path | None:
    return fetch(publisher, dataset, version, name, work)[0]


def read_version(publisher: Publisher, dataset: Dataset, version: str, work: Path) -> VersionLineage:
    path, why = fetch(publisher, dataset, version, LINEAGE_FILE, work)
    change = None
    package = fetch_file(publisher, dataset, version, PACKAGE_FILE, work)
    if package is not None:
        try:
            change = json.loads(package.read_text(encoding="utf-8")).get("satudata", {}).get("change")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            change = None
    if path is None:
        problem = f"{LINEAGE_FILE} is missing" if why == "missing" else f"{LINEAGE_FILE} cannot be read: {why}"
        return VersionLineage(version, None, None, None, change, problem)
    sha = sha256_file(path)
    try:
        record = read_record(path)
    except LineageRecordError as exc:
        return VersionLineage(version, None, sha, None, change, f"{LINEAGE_FILE} is unreadable: {exc}")
    return VersionLineage(version, record.ended, sha, record, change)


def read_rejected(quarantine_dir: Path | None, dataset_id: str) -> list[RejectedRun]:
    """The FAIL records of the dataset's quarantined runs (kept for stewards and auditors, never published)."""
    if quarantine_dir is None or not (quarantine_dir / dataset_id).is_dir():
        return []
    runs = []
    for path in sorted((quarantine_dir / dataset_id).glob(f"*/{LINEAGE_FILE}")):
        try:
            runs.append(RejectedRun(str(path.parent), read_record(path)))
        except LineageRecordError:
            continue
    return runs


def build_report(publisher: Publisher, dataset: Dataset, quarantine_dir: Path | None = None,
                 selected: str | None = None) -> LineageReport:
    """Every version's lineage record (read back from the target), the chain links and the rejected runs."""
    with tempfile.TemporaryDirectory(prefix="satudata-lineage-") as tmp:
        versions = [read_version(publisher, dataset, v.version, Path(tmp)) for v in publisher.history(dataset)]
    for previous, current in zip([None, *versions], versions, strict=False):
        if previous is not None and current.record is not None:
            current.chain_link_ok = (current.record.previous_lineage_sha256 == previous.lineage_sha256
                                     and current.record.previous_version == previous.version)
    entry = (catalog_index(publisher) or {}).get(dataset.id, {})
    return LineageReport(dataset.id, dataset.department, dataset.title.model_dump(), publisher.target,
                         datetime.now(UTC).isoformat(timespec="seconds"), versions,
                         read_rejected(quarantine_dir, dataset.id), entry.get("lineage_head"), selected)


def report_json(report: LineageReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def render_html(report: LineageReport, single_version: bool = False) -> str:
    """The lineage report as one self-contained HTML page (no scripts, no external files)."""
    return _env.get_template("lineage.html.j2").render(report=report, single=single_version)


def version_report(info: LineageInput, dataset: Dataset, change: dict | None) -> LineageReport:
    """The report of the version being assembled, from its LineageInput (the files published so far)."""
    record = parse_record(event_dicts(build_events(info)))
    version = VersionLineage(info.version or "", record.ended, None, record, change)
    return LineageReport(dataset.id, dataset.department, dataset.title.model_dump(), info.target,
                         datetime.now(UTC).isoformat(timespec="seconds"), [version])


def write_version_html(info: LineageInput, dataset: Dataset, change: dict | None, path: Path) -> Path:
    path.write_text(render_html(version_report(info, dataset, change), single_version=True), encoding="utf-8")
    return path
