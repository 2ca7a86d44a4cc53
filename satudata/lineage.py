"""Lineage as OpenLineage RunEvents (START, then COMPLETE or FAIL), written as JSON lines next to the version.

Custom facets carry what auditors need and OpenLineage has no standard facet for: file checksums and the
tamper-evident chain (the sha256 of the previous version's lineage record).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import attr
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    DatasetFacet,
    RunFacet,
    data_quality_assertions_dataset,
    error_message_run,
    job_type_job,
    parent_run,
    schema_dataset,
    source_code_location_job,
)
from openlineage.client.serde import Serde

import satudata

NAMESPACE = "satudata"
PRODUCER = f"https://github.com/satudata-kota-malang/satudata/tree/v{satudata.__version__}"
SCHEMA_BASE = "https://satudata.malangkota.go.id/lineage/facets/1-0-0"


@attr.define
class ChecksumDatasetFacet(DatasetFacet):
    """sha256 and size of one file, and when it was pulled (inputs) or published (outputs)."""

    sha256: str
    bytes: int
    at: str | None = attr.field(default=None)

    @staticmethod
    def _get_schema() -> str:
        return f"{SCHEMA_BASE}/ChecksumDatasetFacet.json"


@attr.define
class ChainRunFacet(RunFacet):
    """The tamper-evident chain: the previous version and the sha256 of its lineage record."""

    version: str
    previousVersion: str | None = attr.field(default=None)  # noqa: N815
    previousLineageSha256: str | None = attr.field(default=None)  # noqa: N815
    schemaSha256: str | None = attr.field(default=None)  # noqa: N815
    suiteSha256: str | None = attr.field(default=None)  # noqa: N815
    packageVersion: str = attr.field(default=satudata.__version__)  # noqa: N815
    gitCommit: str | None = attr.field(default=None)  # noqa: N815
    target: str = attr.field(default="local")

    @staticmethod
    def _get_schema() -> str:
        return f"{SCHEMA_BASE}/ChainRunFacet.json"


@lru_cache(maxsize=1)
def git_commit(root: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@dataclass
class LineageInput:
    dataset_id: str
    version: str
    run_id: str
    started: str
    exports: list[dict]                 # RawExport.as_dict()
    columns: list[tuple[str, str]]
    checks: list[dict]                  # CheckResult.as_dict()
    outputs: list[dict] = field(default_factory=list)   # {name, uri, sha256, bytes}
    schema_sha256: str | None = None
    suite_sha256: str | None = None
    previous_version: str | None = None
    previous_lineage_sha256: str | None = None
    parent_run_id: str | None = None
    code_root: str = "."
    target: str = "local"
    error: str | None = None


def _split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        return f"{parsed.scheme}://{parsed.netloc}", parsed.path
    if parsed.scheme == "file":
        return "file", parsed.path
    return parsed.scheme or "file", uri


def _assertions(checks: list[dict]) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
    return data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(assertions=[
        data_quality_assertions_dataset.Assertion(
            assertion=f"{c['engine']}:{c['check']}", success=c["passed"], column=c.get("field"),
            severity=c["severity"])
        for c in checks])


def _inputs(info: LineageInput) -> list[InputDataset]:
    inputs = []
    for export in info.exports:
        namespace, name = _split_uri(export["uri"])
        facets = {"checksum": ChecksumDatasetFacet(sha256=export["sha256"], bytes=export["bytes"],
                                                   at=export["pulled_at"]),
                  "dataQualityAssertions": _assertions(info.checks)}
        inputs.append(InputDataset(namespace=namespace, name=name, facets=facets))
    return inputs


def _outputs(info: LineageInput) -> list[OutputDataset]:
    schema = schema_dataset.SchemaDatasetFacet(fields=[
        schema_dataset.SchemaDatasetFacetFields(name=name, type=kind) for name, kind in info.columns])
    outputs = []
    for output in info.outputs:
        namespace, name = _split_uri(output["uri"])
        facets: dict = {"checksum": ChecksumDatasetFacet(sha256=output["sha256"], bytes=output["bytes"])}
        if output["name"] in ("data.csv", "data.parquet"):
            facets["schema"] = schema
        outputs.append(OutputDataset(namespace=namespace, name=name, facets=facets))
    return outputs


def _run(info: LineageInput) -> Run:
    facets: dict = {"satudata_chain": ChainRunFacet(
        version=info.version, previousVersion=info.previous_version,
        previousLineageSha256=info.previous_lineage_sha256, schemaSha256=info.schema_sha256,
        suiteSha256=info.suite_sha256, gitCommit=git_commit(info.code_root), target=info.target)}
    if info.parent_run_id:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=info.parent_run_id),
            job=parent_run.Job(namespace=NAMESPACE, name="publish_catalog"))
    if info.error:
        facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=info.error, programmingLanguage="python")
    return Run(runId=info.run_id, facets=facets)


def _job(info: LineageInput) -> Job:
    commit = git_commit(info.code_root)
    facets: dict = {"jobType": job_type_job.JobTypeJobFacet(processingType="BATCH", integration="PREFECT",
                                                            jobType="FLOW")}
    if commit:
        facets["sourceCodeLocation"] = source_code_location_job.SourceCodeLocationJobFacet(
            type="git", url=PRODUCER, version=commit, path="flows/publish.py")
    return Job(namespace=NAMESPACE, name=info.dataset_id, facets=facets)


def build_events(info: LineageInput, state: str = "COMPLETE") -> list[RunEvent]:
    """START then COMPLETE (or FAIL) for one version of one dataset."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    job, run = _job(info), _run(info)
    start = RunEvent(eventType=RunState.START, eventTime=info.started, run=run, job=job, producer=PRODUCER,
                     inputs=_inputs(info), outputs=[])
    end = RunEvent(eventType=RunState[state], eventTime=now, run=run, job=job, producer=PRODUCER,
                   inputs=_inputs(info), outputs=_outputs(info))
    return [start, end]


def write_jsonl(events: list[RunEvent], path: Path) -> Path:
    lines = [json.dumps(Serde.to_dict(e), ensure_ascii=False, sort_keys=True) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def emit(events: list[RunEvent]) -> bool:
    """Send the events to OPENLINEAGE_URL when it is set, with openlineage-python's HTTP client."""
    url = os.environ.get("OPENLINEAGE_URL")
    if not url:
        return False
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import HttpConfig, HttpTransport

    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, timeout=10)))
    for event in events:
        client.emit(event)
    return True
