"""Lineage as OpenLineage RunEvents (START, then COMPLETE or FAIL), written as JSON lines next to the version.

Custom facets carry what auditors need and OpenLineage has no standard facet for: file checksums and the
tamper-evident chain (the sha256 of the previous version's lineage record).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import attr
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    DatasetFacet,
    RunFacet,
    data_quality_assertions_dataset,
    error_message_run,
    job_type_job,
    parent_run,
    processing_engine_run,
    schema_dataset,
    set_producer,
    source_code_location_job,
    sql_job,
)
from openlineage.client.serde import Serde

import satudata
from satudata.lineage.naming import export_names, file_name, job_name

NAMESPACE = "satudata"                  # the job namespace (the scheduler's: this project's Prefect flows)
PARENT_JOB = "publish_catalog"
REPOSITORY = "https://github.com/satudata-kota-malang/satudata"
PRODUCER = f"{REPOSITORY}/tree/v{satudata.__version__}"
SCHEMA_BASE = "https://satudata.malangkota.go.id/lineage/facets/1-0-0"   # the schemas: satudata/lineage/facets/
LINEAGE_HTML = "lineage.html"
CODE_DIR = Path(satudata.__file__).resolve().parent      # the satudata package's own source tree
EMIT_RETRY = {"total": 3, "connect": 3, "read": 3, "backoff_factor": 0.5,
              "status_forcelist": [500, 502, 503, 504], "allowed_methods": ["POST"]}

log = logging.getLogger(__name__)


@attr.define
class ChecksumDatasetFacet(DatasetFacet):
    """sha256 and size of one file, where it is, and when it was pulled (inputs) or published (outputs)."""

    sha256: str
    bytes: int
    at: str | None = attr.field(default=None)
    uri: str | None = attr.field(default=None)
    fileName: str | None = attr.field(default=None)  # noqa: N815

    @staticmethod
    def _get_schema() -> str:
        return f"{SCHEMA_BASE}/ChecksumDatasetFacet.json#/$defs/ChecksumDatasetFacet"


@attr.define
class ChainRunFacet(RunFacet):
    """The tamper-evident chain (previous version and the sha256 of its lineage record) and the code version."""

    version: str | None = attr.field(default=None)               # None for a rejected (quarantined) run
    previousVersion: str | None = attr.field(default=None)  # noqa: N815
    previousLineageSha256: str | None = attr.field(default=None)  # noqa: N815
    schemaSha256: str | None = attr.field(default=None)  # noqa: N815
    suiteSha256: str | None = attr.field(default=None)  # noqa: N815
    packageVersion: str = attr.field(default=satudata.__version__)  # noqa: N815
    gitCommit: str | None = attr.field(default=None)  # noqa: N815
    gitDirty: bool | None = attr.field(default=None)  # noqa: N815
    catalogGitCommit: str | None = attr.field(default=None)  # noqa: N815
    target: str = attr.field(default="local")

    @staticmethod
    def _get_schema() -> str:
        return f"{SCHEMA_BASE}/ChainRunFacet.json#/$defs/ChainRunFacet"


@attr.define
class ReadingRunFacet(RunFacet):
    """How the run read its exports: each file's format and dialect (which values were sniffed, not declared), the
    units taken out of cells, the declared transformations (case, units, codes, header rows, unpivot) with the cells
    each changed, and the rows each drop rule removed (totals and subtotals)."""

    dialects: dict = attr.field(factory=dict)
    units: dict = attr.field(factory=dict)
    transformations: list = attr.field(factory=list)
    droppedRows: dict = attr.field(factory=dict)  # noqa: N815

    @staticmethod
    def _get_schema() -> str:
        return f"{SCHEMA_BASE}/ReadingRunFacet.json#/$defs/ReadingRunFacet"


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@lru_cache(maxsize=8)
def git_commit(root: str) -> str | None:
    """HEAD of the git work tree that holds ``root``, or None when it is not in one."""
    return _git(Path(root), "rev-parse", "HEAD") or None


@lru_cache(maxsize=1)
def code_version() -> tuple[str | None, bool | None]:
    """(git commit, uncommitted changes?) of the satudata source, when it is a tracked git checkout."""
    if _git(CODE_DIR, "ls-files", "--error-unmatch", "__init__.py") is None:   # e.g. installed from a wheel
        return None, None
    commit = git_commit(str(CODE_DIR))
    status = _git(CODE_DIR, "status", "--porcelain", "--untracked-files=no")
    return commit, (bool(status) if status is not None else None)


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@dataclass
class LineageInput:
    dataset_id: str
    version: str | None                 # None for a rejected run
    run_id: str                         # the Prefect flow run id of publish_dataset
    started: str
    exports: list[dict]                 # RawExport.as_dict()
    columns: list[tuple[str, str]]
    checks: list[dict]                  # CheckResult.as_dict()
    outputs: list[dict] = field(default_factory=list)   # {name, uri, sha256, bytes}
    schema_sha256: str | None = None
    suite_sha256: str | None = None
    previous_version: str | None = None
    previous_lineage_sha256: str | None = None
    parent_run_id: str | None = None    # the Prefect flow run id of publish_catalog
    code_root: str = "."                # the catalogue's folder (its git commit is recorded as catalogGitCommit)
    target: str = "local"
    error: str | None = None
    reading: dict | None = None         # ValidationReport.reading: how the exports were read


def current_run_ids() -> tuple[str, str | None]:
    """(flow run id, parent run id) of the Prefect flow run we are in; a fresh uuid outside of one."""
    try:
        from prefect.runtime import flow_run

        run_id = flow_run.id
        parameters = flow_run.parameters if run_id else {}
    except Exception:  # no Prefect run context
        run_id, parameters = None, {}
    return (str(run_id) if run_id else str(uuid.uuid4())), (parameters or {}).get("parent_run_id")


def check_outcome(check: dict) -> str:
    """passed | warned | failed, as a steward's report counts it."""
    if check["passed"]:
        return "passed"
    return "warned" if check["severity"] == "warning" else "failed"


def _assertions(checks: list[dict]) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
    assertions = []
    for c in checks:
        message = (c.get("message") or {}).get("en")
        assertions.append(data_quality_assertions_dataset.Assertion(
            assertion=f"{c['engine']}:{c['check']}", success=c["passed"], column=c.get("field"),
            severity=c["severity"], name=c["check"], description=message, expected="0", actual=str(c["count"]),
            params={"engine": c["engine"], "failedRows": c["count"], "outcome": check_outcome(c),
                    "detail": c.get("detail")}))
    return data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(assertions=assertions)


def _inputs(info: LineageInput) -> list[InputDataset]:
    inputs = []
    for export in info.exports:
        facets = {"checksum": ChecksumDatasetFacet(sha256=export["sha256"], bytes=export["bytes"],
                                                   at=export["pulled_at"], uri=export["uri"],
                                                   fileName=export.get("name"))}
        for namespace, name in export_names(export):
            inputs.append(InputDataset(namespace=namespace, name=name, facets=facets,
                                       inputFacets={"dataQualityAssertions": _assertions(info.checks)}))
    return inputs


def _outputs(info: LineageInput) -> list[OutputDataset]:
    schema = schema_dataset.SchemaDatasetFacet(fields=[
        schema_dataset.SchemaDatasetFacetFields(name=name, type=kind) for name, kind in info.columns])
    outputs = []
    for output in info.outputs:
        namespace, name = file_name(output["uri"])
        facets: dict = {"checksum": ChecksumDatasetFacet(sha256=output["sha256"], bytes=output["bytes"],
                                                         uri=output["uri"], fileName=output["name"])}
        if output["name"] in ("data.csv", "data.parquet") and info.columns:
            facets["schema"] = schema
        outputs.append(OutputDataset(namespace=namespace, name=name, facets=facets))
    return outputs


def _run(info: LineageInput) -> Run:
    commit, dirty = code_version()
    catalog_commit = git_commit(str(Path(info.code_root).resolve()))
    facets: dict = {
        "satudata_chain": ChainRunFacet(
            version=info.version, previousVersion=info.previous_version,
            previousLineageSha256=info.previous_lineage_sha256, schemaSha256=info.schema_sha256,
            suiteSha256=info.suite_sha256, gitCommit=commit, gitDirty=dirty, catalogGitCommit=catalog_commit,
            target=info.target),
        "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
            version=_dist_version("prefect") or "unknown", name="prefect",
            openlineageAdapterVersion=_dist_version("openlineage-python")),
    }
    if info.parent_run_id:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=info.parent_run_id),
            job=parent_run.Job(namespace=NAMESPACE, name=PARENT_JOB))
    if info.reading:
        facets["satudata_reading"] = ReadingRunFacet(
            dialects=info.reading.get("dialects", {}), units=info.reading.get("units", {}),
            transformations=info.reading.get("transformations", []),
            droppedRows=info.reading.get("dropped_rows", {}))
    if info.error:
        facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=info.error, programmingLanguage="python")
    return Run(runId=info.run_id, facets=facets)


def _job(info: LineageInput) -> Job:
    commit, _ = code_version()
    facets: dict = {"jobType": job_type_job.JobTypeJobFacet(processingType="BATCH", integration="PREFECT",
                                                            jobType="FLOW")}
    if commit:
        facets["sourceCodeLocation"] = source_code_location_job.SourceCodeLocationJobFacet(
            type="git", url=f"{REPOSITORY}/blob/{commit}/flows/publish.py", repoUrl=REPOSITORY, version=commit,
            path="flows/publish.py", tag=f"v{satudata.__version__}")
    queries = [e["query"] for e in info.exports if e.get("query")]
    if queries:
        facets["sql"] = sql_job.SQLJobFacet(query=";\n".join(queries))
    return Job(namespace=NAMESPACE, name=job_name(info.dataset_id), facets=facets)


def build_events(info: LineageInput, state: str = "COMPLETE") -> list[RunEvent]:
    """START then COMPLETE (a published version) or FAIL (a rejected export) for one run of one dataset."""
    if state not in ("COMPLETE", "FAIL"):
        raise ValueError(f"a lineage record ends with COMPLETE or FAIL, not {state!r}")
    set_producer(PRODUCER)   # every facet's _producer is satudata, not openlineage-python's default
    now = datetime.now(UTC).isoformat(timespec="seconds")
    job, run = _job(info), _run(info)
    start = RunEvent(eventType=RunState.START, eventTime=info.started, run=run, job=job, producer=PRODUCER,
                     inputs=_inputs(info), outputs=[])
    end = RunEvent(eventType=RunState[state], eventTime=now, run=run, job=job, producer=PRODUCER,
                   inputs=_inputs(info), outputs=_outputs(info))
    return [start, end]


def event_dicts(events: list[RunEvent]) -> list[dict]:
    """The events as the JSON documents written to lineage.jsonl."""
    return [json.loads(json.dumps(Serde.to_dict(e), ensure_ascii=False, sort_keys=True)) for e in events]


def write_jsonl(events: list[RunEvent], path: Path) -> Path:
    lines = [json.dumps(Serde.to_dict(e), ensure_ascii=False, sort_keys=True) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def emit(events: list[RunEvent]) -> bool:
    """Send the events to OPENLINEAGE_URL (POST <url>/api/v1/lineage) when it is set, with openlineage-python's
    HTTP client; OPENLINEAGE_API_KEY, when set, is sent as a bearer token. Raises when the server refuses."""
    url = os.environ.get("OPENLINEAGE_URL")
    if not url:
        return False
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport, TokenProvider

    api_key = os.environ.get("OPENLINEAGE_API_KEY")
    auth = ApiKeyTokenProvider({"api_key": api_key}) if api_key else TokenProvider({})
    transport = HttpTransport(HttpConfig(url=url, timeout=10, auth=auth, retry=EMIT_RETRY))
    client = OpenLineageClient(transport=transport)
    try:
        for event in events:
            client.emit(event)
    finally:
        transport.close()
    return True
