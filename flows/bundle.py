"""Assemble a version bundle: the data files, datapackage.json, the validation report and the lineage record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from satudata.core.catalog import Catalog, Dataset
from satudata.core.publishing import LINEAGE_FILE, PACKAGE_FILE, VALIDATION_FILE, Bundle, PublishedVersion, Publisher
from satudata.core.records import Fingerprint, OutputFile, ReferenceRows, describe
from satudata.lineage.audit import write_version_html
from satudata.lineage.record import LINEAGE_HTML, LineageInput, build_events, write_jsonl
from satudata.publish.package import build_descriptor
from satudata.validators.report import ValidationReport
from satudata.validators.report_html import write_html
from satudata.versioning import VersionDecision


def assemble(catalog: Catalog, dataset: Dataset, publisher: Publisher, decision: VersionDecision,
             outputs: list[OutputFile], published_schema: dict, fp: Fingerprint, report: ValidationReport,
             lineage: LineageInput, previous: PublishedVersion | None, extra_files: dict[str, Path],
             bundle_dir: Path, inputs_key: str | None = None,
             references: list[ReferenceRows] | None = None) -> tuple[Bundle, list]:
    assert decision.version is not None
    version = decision.version
    bundle_dir.mkdir(parents=True, exist_ok=True)
    files: list[OutputFile] = []
    for output in [*outputs, *(r.file for r in references or [])]:
        shutil.copyfile(output.path, bundle_dir / output.name)
        files.append(output)
    change = {"kind": decision.change, "reasons": decision.reasons,
              "previous": previous.version if previous else None}
    descriptor = build_descriptor(catalog, dataset, version, published_schema, outputs, fp, lineage.exports, change,
                                  inputs_key, references, lambda name: publisher.resource_path(dataset, version, name))
    (bundle_dir / PACKAGE_FILE).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    files.append(describe(bundle_dir / PACKAGE_FILE, "application/json"))
    report.write_json(bundle_dir / VALIDATION_FILE)
    files.append(describe(bundle_dir / VALIDATION_FILE, "application/json"))
    write_html(report, bundle_dir / "validation.html")
    files.append(describe(bundle_dir / "validation.html", "text/html"))
    for name, path in extra_files.items():
        shutil.copyfile(path, bundle_dir / name)
        files.append(describe(bundle_dir / name, "application/json"))
    lineage.version = decision.version
    lineage.previous_version = previous.version if previous else None
    lineage.previous_lineage_sha256 = previous.lineage_sha256 if previous else None
    lineage.outputs = _lineage_outputs(publisher, dataset, decision.version, files)
    # The auditor's page of this version, written before lineage.jsonl so that the record lists it with its hash.
    write_version_html(lineage, dataset, change, bundle_dir / LINEAGE_HTML)
    files.append(describe(bundle_dir / LINEAGE_HTML, "text/html"))
    lineage.outputs = _lineage_outputs(publisher, dataset, decision.version, files)
    events = build_events(lineage)
    write_jsonl(events, bundle_dir / LINEAGE_FILE)
    return Bundle(dataset.id, dataset.department, decision.version, bundle_dir), events


def _lineage_outputs(publisher: Publisher, dataset: Dataset, version: str, files: list[OutputFile]) -> list[dict]:
    return [{"name": f.name, "uri": publisher.file_uri(dataset, version, f.name), "sha256": f.sha256,
             "bytes": f.bytes} for f in files]
