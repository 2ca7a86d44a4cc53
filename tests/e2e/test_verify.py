"""End to end: real Prefect flows publish two versions and quarantine a third export; the lineage records name the
Prefect runs, reach an OpenLineage endpoint, and `satudata verify` catches each kind of tampering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.files import sha256_file
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.lineage.audit import read_record
from tests.unit.test_lineage import LineageReceiver

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

DATASET = "garis-kemiskinan-jatim"
EXPORT = "exports/bappeda/jatim_bps_garis_kemiskinan_kabkota_2022.csv"


def _run(project: Path) -> dict:
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    (outcome,) = with_concurrency(2)([DATASET], settings.to_dict())
    return outcome


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict:
    """1.0.0, then 1.1.0 (one value changed), then a quarantined export; events sent to a loopback receiver."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("verify") / "project")
    export = project / EXPORT
    with LineageReceiver() as receiver, pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENLINEAGE_URL", receiver.url)
        first = _run(project)
        sha_1 = sha256_file(export)
        export.write_bytes(export.read_bytes().replace(b"Kabupaten Pacitan,327758", b"Kabupaten Pacitan,327759"))
        second = _run(project)
        sha_2 = sha256_file(export)
        export.write_bytes(export.read_bytes().replace(b"Kabupaten Pacitan,327759", b"Kabupaten Pacitan,tiga"))
        third = _run(project)
        events = receiver.events()
    assert [(o["status"], o["version"]) for o in (first, second, third)] == \
           [("published", "1.0.0"), ("published", "1.1.0"), ("quarantined", None)], (first, second, third)
    return {"project": project, "events": events, "export_sha": {"1.0.0": sha_1, "1.1.0": sha_2}}


def _version_dir(project: Path, version: str) -> Path:
    return project / "portal" / "bappeda" / DATASET / version


def _quarantine_record(project: Path):
    (path,) = (project / "quarantine" / DATASET).glob("*/lineage.jsonl")
    return read_record(path)


def _flow_name(client, run_id: str) -> tuple[str, object]:
    flow_run = client.read_flow_run(UUID(run_id))
    return client.read_flow(flow_run.flow_id).name, flow_run


def test_each_record_names_its_prefect_flow_run_and_the_parent_catalogue_run(published):
    from prefect.client.orchestration import get_client

    project = published["project"]
    records = [read_record(_version_dir(project, v) / "lineage.jsonl") for v in ("1.0.0", "1.1.0")]
    records.append(_quarantine_record(project))
    with get_client(sync_client=True) as client:
        for record in records:
            name, flow_run = _flow_name(client, record.run_id)
            assert name == "publish_dataset" and flow_run.name == DATASET
            assert _flow_name(client, record.parent_run_id)[0] == "publish_catalog"
            assert str(client.read_task_run(flow_run.parent_task_run_id).flow_run_id) == record.parent_run_id
    assert len({r.run_id for r in records}) == 3


def test_records_hold_the_exports_hashes_checks_code_and_chain(published):
    project = published["project"]
    first, second = (read_record(_version_dir(project, v) / "lineage.jsonl") for v in ("1.0.0", "1.1.0"))
    for record in (first, second):
        (source,) = record.sources
        assert source.sha256 == published["export_sha"][record.version] and source.uri.endswith(EXPORT)
        assert record.checks and {c.outcome for c in record.checks} == {"passed"}
        assert record.package_version and record.engine.startswith("prefect ")
        folder = _version_dir(project, record.version)
        assert {o.name: o.sha256 for o in record.outputs} == \
               {p.name: sha256_file(p) for p in folder.iterdir() if p.name != "lineage.jsonl"}
        assert "lineage.html" in {o.name for o in record.outputs}
    assert second.previous_version == "1.0.0"
    assert second.previous_lineage_sha256 == sha256_file(_version_dir(project, "1.0.0") / "lineage.jsonl")
    index = json.loads((project / "portal" / "index.json").read_text(encoding="utf-8"))
    assert index["datasets"][DATASET]["lineage_head"] == sha256_file(_version_dir(project, "1.1.0") / "lineage.jsonl")


def test_quarantined_run_has_a_fail_record_with_the_failed_check(published):
    record = _quarantine_record(published["project"])
    assert record.state == "FAIL" and record.version is None and "type(garis_kemiskinan)" in record.error
    assert [(c.column, c.check) for c in record.checks if c.outcome == "failed"] == [("garis_kemiskinan", "type")]


def test_openlineage_endpoint_received_start_then_complete_or_fail_with_the_record_run_ids(published):
    project = published["project"]
    by_run: dict[str, list[dict]] = {}
    for event in published["events"]:
        by_run.setdefault(event["run"]["runId"], []).append(event)
    for version in ("1.0.0", "1.1.0"):
        written = [json.loads(line) for line in
                   (_version_dir(project, version) / "lineage.jsonl").read_text(encoding="utf-8").splitlines()]
        sent = by_run.pop(written[0]["run"]["runId"])
        assert [e["eventType"] for e in sent] == ["START", "COMPLETE"]
        assert sent[1]["outputs"] == written[1]["outputs"]
    rejected = by_run.pop(_quarantine_record(project).run_id)
    assert [e["eventType"] for e in rejected] == ["START", "FAIL"]
    assert by_run == {}


def _verify(project: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(app, ["verify", DATASET, "--catalog", str(project / "catalog.yaml"), "--portal",
                                      str(project / "portal"), "--format", "json", "--problems-only"])
    return result.exit_code, json.loads(result.output)["findings"]


def test_verify_untouched_portal_exits_0(published):
    assert _verify(published["project"]) == (0, [])


def _alter_byte(project: Path) -> None:
    path = _version_dir(project, "1.0.0") / "data.csv"
    data = bytearray(path.read_bytes())
    data[-2] = ord("1") if data[-2] != ord("1") else ord("2")
    path.write_bytes(bytes(data))


def _delete_file(project: Path) -> None:
    (_version_dir(project, "1.0.0") / "validation.json").unlink()


def _rewrite_old_record(project: Path) -> None:
    path = _version_dir(project, "1.0.0") / "lineage.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace(sha256_file(_version_dir(project, "1.0.0") / "data.csv"),
                                                             "f" * 64), encoding="utf-8")


@pytest.mark.parametrize(("tamper", "expected"), [
    (_alter_byte, {("1.0.0", "data.csv", "altered file")}),
    (_delete_file, {("1.0.0", "validation.json", "missing file")}),
    (_rewrite_old_record, {("1.0.0", "data.csv", "altered file"), ("1.1.0", "(rantai/chain)", "broken chain")}),
], ids=["altered-byte", "deleted-file", "rewritten-record"])
def test_verify_catches_one_change(published, tmp_path: Path, tamper, expected):
    project = tmp_path / "project"
    shutil.copytree(published["project"], project, symlinks=True)
    tamper(project)
    code, findings = _verify(project)
    assert code == 1 and {(f["version"], f["file"], f["status"]) for f in findings} == expected


def test_lineage_html_report_of_the_real_portal(published, tmp_path: Path):
    project = published["project"]
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["lineage", DATASET, "--catalog", str(project / "catalog.yaml"), "--portal",
                                      str(project / "portal"), "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'id="v-1.0.0"' in html and 'id="v-1.1.0"' in html and "Rejected exports" in html
    assert all(sha in html for sha in published["export_sha"].values())
    assert load_catalog(project / "catalog.yaml").dataset(DATASET).title.en in html
