"""`satudata verify` and `satudata lineage` against the real CKAN harness (make ckan-up; SATUDATA_CKAN_URL and
SATUDATA_CKAN_TOKEN from .satudata/ckan/env): the same code as for the local portal, through the Publisher protocol.
Each dataset gets a fresh id, so runs never meet earlier ones; it is purged at the end."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.lineage.verify import CHAIN, Status, problems, verify
from satudata.publish.ckan_mapping import ckan_name
from tests.unit.test_audit import DATASET, ROWS_1, ROWS_2, publish_version

pytestmark = [pytest.mark.ckan, pytest.mark.slow]


@pytest.fixture
def on_ckan(project: Path) -> Iterator[tuple[Path, str, object]]:
    """Two versions of a copy of DATASET under a fresh id, published to CKAN."""
    dataset_id = f"verify-{uuid.uuid4().hex[:10]}"
    catalog_path = project / "catalog.yaml"
    catalog_path.write_text(catalog_path.read_text(encoding="utf-8").replace(f"id: {DATASET}\n", f"id: {dataset_id}\n"),
                            encoding="utf-8")
    (project / "datasets" / DATASET).rename(project / "datasets" / dataset_id)
    catalog = load_catalog(catalog_path)
    publisher = make_publisher(catalog, RunSettings.from_environment(catalog_path, target="ckan"))
    try:
        assert publish_version(project, ROWS_1, str(uuid.uuid4()), publisher, dataset_id) == "1.0.0"
        assert publish_version(project, ROWS_2, str(uuid.uuid4()), publisher, dataset_id) == "1.1.0"
        yield project, dataset_id, publisher
    finally:
        publisher.session.call("dataset_purge", "test dataset", {"id": ckan_name(dataset_id)}, missing_ok=True)


def _problems(project: Path, dataset_id: str, publisher) -> set[tuple[str | None, str, Status]]:
    dataset = load_catalog(project / "catalog.yaml").dataset(dataset_id)
    return {(f.version, f.file, f.status) for f in problems(verify(publisher, [dataset]))}


def _resource(publisher, dataset, version: str, name: str) -> dict:
    entry = next(v for v in publisher.history(dataset) if v.version == version)
    resource_id = entry.files[name]["uri"].split("/resource/")[1].split("/")[0]
    return publisher.session.call("resource_show", name, {"id": resource_id})


def test_verify_and_lineage_on_ckan_then_an_altered_and_a_deleted_file(on_ckan, tmp_path: Path):
    project, dataset_id, publisher = on_ckan
    args = ["--catalog", str(project / "catalog.yaml"), "--target", "ckan"]
    untouched = CliRunner().invoke(app, ["verify", dataset_id, *args, "--format", "json"])
    assert untouched.exit_code == 0, untouched.output
    findings = json.loads(untouched.output)["findings"]
    assert {f["status"] for f in findings} == {"OK"}
    assert {(f["version"], f["file"]) for f in findings} >= {("1.0.0", "data.csv"), ("1.1.0", "lineage.html"),
                                                             ("1.1.0", CHAIN)}
    report = json.loads(CliRunner().invoke(app, ["lineage", dataset_id, *args, "--format", "json"]).output)
    assert [v["version"] for v in report["versions"]] == ["1.0.0", "1.1.0"]
    assert report["versions"][1]["chain_link_ok"] is True and report["target"] == "ckan"
    assert all(o["uri"].startswith(publisher.session.site_url) for o in report["versions"][0]["record"]["outputs"])

    dataset = load_catalog(project / "catalog.yaml").dataset(dataset_id)
    altered = tmp_path / "data.csv"
    publisher.fetch(dataset, "1.0.0", "data.csv", altered)
    altered.write_bytes(altered.read_bytes().replace(b"500000", b"500001"))
    resource = _resource(publisher, dataset, "1.0.0", "data.csv")
    fields = {k: v for k, v in resource.items() if isinstance(v, str) and k not in ("url", "url_type")}
    publisher.session.upload("resource_update", "tampered data.csv", fields, altered, "data.csv")
    assert _problems(project, dataset_id, publisher) == {("1.0.0", "data.csv", Status.ALTERED)}

    gone = _resource(publisher, dataset, "1.0.0", "validation.json")
    publisher.session.call("resource_delete", "validation.json", {"id": gone["id"]})
    assert _problems(project, dataset_id, publisher) == {("1.0.0", "data.csv", Status.ALTERED),
                                                         ("1.0.0", "validation.json", Status.MISSING)}
    assert CliRunner().invoke(app, ["verify", dataset_id, *args]).exit_code == 1
