"""The auditor's lineage report (text, JSON, HTML) and the lineage.html published with each version, on a local
portal built from the real pieces (bundle.assemble, LocalPortal.publish) without Prefect."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.convert import write_outputs
from satudata.core.catalog import load_catalog
from satudata.core.files import sha256_file
from satudata.core.publishing import Publisher
from satudata.core.records import RawExport
from satudata.flows.bundle import assemble
from satudata.flows.reject import quarantine
from satudata.lineage.record import LineageInput
from satudata.publish.local import LocalPortal
from satudata.validators.report import CheckResult, ValidationReport
from satudata.versioning import decide, fingerprint

DATASET = "garis-kemiskinan-jatim"
PARENT_ID = "9a9b9c9d-aaaa-4bbb-8ccc-dddddddddddd"
SCHEMA = {"fields": [{"name": "wilayah", "type": "string"}, {"name": "garis_kemiskinan", "type": "integer"}]}
ROWS_1 = [("Kota Malang", 500000), ("Kota Batu", 420000), ("Kabupaten Malang", 390000)]
ROWS_2 = [("Kota Malang", 510000), ("Kota Batu", 420000), ("Kabupaten Malang", 390000)]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def publish_version(project: Path, rows: list[tuple[str, int]], run_id: str, publisher: Publisher | None = None,
                    dataset_id: str = DATASET) -> str:
    """One version, assembled and published as the flow does (export, checks, outputs), to the local portal of
    the project unless another publisher is given."""
    catalog = load_catalog(project / "catalog.yaml")
    portal = publisher or LocalPortal(catalog, project / "portal")
    dataset = catalog.dataset(dataset_id)
    work = project / ".work" / run_id
    work.mkdir(parents=True)
    export = work / "gk.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("wilayah", "garis_kemiskinan"), *rows])
    raw = RawExport(export, (project / "exports" / "gk.csv").as_uri(), "csv", sha256_file(export),
                    export.stat().st_size, _now())
    pq.write_table(pa.table({"wilayah": [r[0] for r in rows], "garis_kemiskinan": pa.array([r[1] for r in rows],
                                                                                            pa.int64()),
                             "_file": ["gk.csv"] * len(rows), "_row": pa.array(range(2, len(rows) + 2), pa.int64())}),
                   work / "typed.parquet")
    outputs = write_outputs(work / "typed.parquet", work / "out", {})
    fp = fingerprint(outputs, SCHEMA, "metadata")
    results = [CheckResult("type", "table-schema", "error", "garis_kemiskinan", 0),
               CheckResult("gx:expect_column_mean_to_be_between", "great-expectations", "warning",
                           "garis_kemiskinan", 2, detail="min_value=350000")]
    report = ValidationReport(dataset.id, [raw.as_dict()], len(rows), results)
    with portal.lock(dataset):
        previous = portal.latest(dataset)
        decision = decide(previous.version if previous else None, previous.fingerprint if previous else None, fp)
        lineage = LineageInput(dataset.id, decision.version, run_id, _now(), [raw.as_dict()],
                               [(f["name"], f["type"]) for f in SCHEMA["fields"]], [r.as_dict() for r in results],
                               parent_run_id=PARENT_ID, code_root=str(project), target=portal.target)
        bundle, _ = assemble(catalog, dataset, portal, decision, outputs, SCHEMA, fp, report, lineage, previous, {},
                             work / "bundle", "inputs")
        portal.publish(dataset, bundle)
    return decision.version


@pytest.fixture
def two_versions(project: Path) -> Path:
    assert publish_version(project, ROWS_1, "11111111-0000-4000-8000-000000000001") == "1.0.0"
    assert publish_version(project, ROWS_2, "11111111-0000-4000-8000-000000000002") == "1.1.0"
    return project


def version_dir(project: Path, version: str) -> Path:
    return project / "portal" / "bappeda" / DATASET / version


def cli(project: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--catalog", str(project / "catalog.yaml"),
                                    "--portal", str(project / "portal")])


def test_lineage_html_is_published_and_listed_with_its_hash_in_lineage_jsonl(two_versions: Path):
    for version in ("1.0.0", "1.1.0"):
        folder = version_dir(two_versions, version)
        complete = [json.loads(line) for line in (folder / "lineage.jsonl").read_text().splitlines()][-1]
        outputs = {o["facets"]["checksum"]["fileName"]: o["facets"]["checksum"] for o in complete["outputs"]}
        assert list(outputs)[-1] == "lineage.html" and "lineage.jsonl" not in outputs
        assert set(outputs) == {p.name for p in folder.iterdir()} - {"lineage.jsonl"}
        for name, checksum in outputs.items():
            path = folder / name
            assert (checksum["sha256"], checksum["bytes"]) == (sha256_file(path), path.stat().st_size)


def test_published_lineage_html_shows_sources_checks_outputs_run_and_is_self_contained(two_versions: Path):
    folder = version_dir(two_versions, "1.1.0")
    html = (folder / "lineage.html").read_text(encoding="utf-8")
    record = [json.loads(line) for line in (folder / "lineage.jsonl").read_text().splitlines()][-1]
    assert record["inputs"][0]["facets"]["checksum"]["sha256"] in html
    for name in ("data.csv", "data.parquet", "datapackage.json", "validation.json", "validation.html"):
        assert sha256_file(folder / name) in html
    assert "11111111-0000-4000-8000-000000000002" in html and PARENT_ID in html
    assert sha256_file(version_dir(two_versions, "1.0.0") / "lineage.jsonl") in html   # the chain link
    assert "gx:expect_column_mean_to_be_between" in html and "warned" in html
    assert not re.search(r"<script|<link|<img|\ssrc=|@import|url\(", html, re.IGNORECASE)


def test_lineage_json_report_has_every_version_with_sources_checks_outputs_run_and_chain(two_versions: Path):
    result = cli(two_versions, "lineage", DATASET, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [v["version"] for v in report["timeline"]] == ["1.0.0", "1.1.0"]
    first, second = report["versions"]
    assert first["chain_link_ok"] is None and second["chain_link_ok"] is True
    assert second["record"]["previous_lineage_sha256"] == first["lineage_sha256"] == \
           sha256_file(version_dir(two_versions, "1.0.0") / "lineage.jsonl")
    index = json.loads((two_versions / "portal" / "index.json").read_text())
    assert report["lineage_head"] == index["datasets"][DATASET]["lineage_head"] == second["lineage_sha256"]
    record = second["record"]
    assert record["run_id"] == "11111111-0000-4000-8000-000000000002" and record["parent_run_id"] == PARENT_ID
    assert record["sources"][0]["sha256"] == sha256_file(two_versions / ".work" /
                                                         "11111111-0000-4000-8000-000000000002" / "gk.csv")
    folder = version_dir(two_versions, "1.1.0")
    assert {o["name"]: o["sha256"] for o in record["outputs"]} == \
           {p.name: sha256_file(p) for p in folder.iterdir() if p.name != "lineage.jsonl"}
    assert [(c["check"], c["outcome"], c["failed_rows"]) for c in record["checks"]] == \
           [("type", "passed", 0), ("gx:expect_column_mean_to_be_between", "warned", 2)]
    assert record["package_version"] and record["engine"].startswith("prefect ")
    assert second["change"]["kind"] == "minor"


def test_lineage_text_report_names_versions_hashes_checks_and_runs(two_versions: Path):
    result = cli(two_versions, "lineage", DATASET)
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in ("1.0.0", "1.1.0", "11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002",
                     sha256_file(version_dir(two_versions, "1.1.0") / "lineage.jsonl"), "warned", "linked",
                     PARENT_ID):
        assert expected in text, expected
    assert sha256_file(version_dir(two_versions, "1.0.0") / "data.csv") in text     # whole, on one line


def test_lineage_html_report_to_a_file_and_one_version_only(two_versions: Path, tmp_path: Path):
    out = tmp_path / "lineage.html"
    result = cli(two_versions, "lineage", DATASET, "--format", "html", "--version", "1.0.0", "--output", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'id="v-1.0.0"' in html and 'id="v-1.1.0"' not in html and "Timeline of versions" in html
    assert "11111111-0000-4000-8000-000000000002" in html          # still on the timeline
    assert sha256_file(version_dir(two_versions, "1.0.0") / "data.csv") in html
    assert sha256_file(version_dir(two_versions, "1.1.0") / "data.csv") not in html


def test_lineage_of_an_unknown_version_or_format_exits_2(two_versions: Path):
    assert cli(two_versions, "lineage", DATASET, "--version", "9.9.9").exit_code == 2
    assert cli(two_versions, "lineage", DATASET, "--format", "xml").exit_code == 2
    assert cli(two_versions, "lineage", "no-such-dataset").exit_code == 2


def test_lineage_report_lists_rejected_runs_from_the_quarantine(two_versions: Path, monkeypatch):
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    export = two_versions / "bad.csv"
    export.write_text("wilayah,garis_kemiskinan\nKota Malang,abc\n", encoding="utf-8")
    raw = RawExport(export, export.as_uri(), "csv", sha256_file(export), export.stat().st_size, _now())
    report = ValidationReport(DATASET, [raw.as_dict()], 1,
                              [CheckResult("type", "table-schema", "error", "garis_kemiskinan", 1)])
    quarantine(two_versions / "quarantine", DATASET, [raw], report, run_id="22222222-0000-4000-8000-000000000003")
    result = cli(two_versions, "lineage", DATASET, "--format", "json")
    (rejected,) = json.loads(result.output)["rejected"]
    assert rejected["record"]["state"] == "FAIL" and rejected["record"]["run_id"].startswith("22222222")
    assert rejected["record"]["sources"][0]["sha256"] == raw.sha256
    assert [c["outcome"] for c in rejected["record"]["checks"]] == ["failed"]
    assert "22222222-0000-4000-8000-000000000003" in cli(two_versions, "lineage", DATASET).output
