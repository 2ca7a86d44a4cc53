"""A messy department export through the real flow: percent strings with a unit, NBSP and mixed case, a total row.
What the reader did reaches the steward's report, the lineage record and the published schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from satudata.core.catalog import load_catalog
from satudata.core.files import read_jsonl
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from tests.lineage.ol_schema import validate_event

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
DATASET = "capaian-imunisasi-kelurahan"
EXPORT = ("kode_kelurahan;kelurahan;capaian\n"
          "35.73.01.1001;\u00a0KIDUL DALEM\u00a0;94,23 %\n"
          "35.73.01.1002;klojen;100 %\n"
          "35.73.01.1005;Rampal celaket;87,5%\n"
          "Jumlah;;93,91 %\n")


def _add_dataset(project: Path) -> None:
    (project / "exports" / "dinkes" / "capaian.csv").write_text(EXPORT, encoding="utf-8")
    folder = project / "datasets" / DATASET
    folder.mkdir()
    (folder / "schema.yaml").write_text(yaml.safe_dump({"fields": [
        {"name": "kode_kelurahan", "type": "string", "constraints": {"required": True}},
        {"name": "kelurahan", "type": "string"},
        {"name": "capaian", "type": "number", "constraints": {"minimum": 0, "maximum": 100}}],
        "primaryKey": ["kode_kelurahan"]}), encoding="utf-8")
    (folder / "expectations.json").write_text(json.dumps({"name": DATASET, "expectations": []}), encoding="utf-8")
    raw = yaml.safe_load((project / "catalog.yaml").read_text(encoding="utf-8"))
    raw["datasets"].append({
        "id": DATASET, "department": "dinkes", "license": "CC-BY-4.0", "frequency": "monthly",
        "dimension": "society", "tags": ["imunisasi"], "contact": {"name": "Dinkes", "email": "dinkes@example.go.id"},
        "title": {"id": "Capaian imunisasi per kelurahan", "en": "Immunisation coverage per kelurahan"},
        "description": {"id": "Capaian imunisasi dasar lengkap.", "en": "Complete basic immunisation coverage."},
        "source": {"kind": "file", "path": "exports/dinkes/capaian.csv", "format": "csv",
                   "options": {"delimiter": ";", "decimal": ",", "units": {"capaian": "%"},
                               "case": {"kelurahan": "title"}, "drop_rows": {"kode_kelurahan": ["Jumlah"]}}}})
    (project / "catalog.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def version(tmp_path_factory) -> Path:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("messy") / "project")
    _add_dataset(project)
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    [outcome] = with_concurrency(1)([DATASET], settings.to_dict())
    assert outcome["status"] == "published", outcome
    assert load_catalog(project / "catalog.yaml").dataset(DATASET)
    return project / "portal" / "dinkes" / DATASET / "1.0.0"


def test_the_published_values_are_clean_and_the_unit_is_in_the_schema(version: Path):
    lines = (version / "data.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["kode_kelurahan,kelurahan,capaian", "35.73.01.1001,Kidul Dalem,94.23",
                     "35.73.01.1002,Klojen,100.0", "35.73.01.1005,Rampal Celaket,87.5"]
    package = json.loads((version / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["capaian"]["satudata:unit"] == "%" and "satudata:unit" not in fields["kelurahan"]


def test_the_report_counts_the_dropped_total_row_and_the_transformations(version: Path):
    reading = json.loads((version / "validation.json").read_text(encoding="utf-8"))["reading"]
    assert reading["dropped_rows"] == {"kode_kelurahan": 1}
    assert reading["units"] == {"capaian": "%"}
    by_transform = {(t["field"], t["transform"]): t for t in reading["transformations"]}
    assert by_transform[("kelurahan", "case")]["cells"] == 3 and by_transform[("capaian", "units")]["cells"] == 3
    assert reading["dialects"]["capaian.csv"]["delimiter"] == ";"
    html = (version / "validation.html").read_text(encoding="utf-8")
    assert "Baris yang dibuang" in html and "Rows dropped" in html and "Declared transformations" in html


def test_the_lineage_record_carries_the_reading_and_validates(version: Path):
    events = read_jsonl(version / "lineage.jsonl")
    facet = events[-1]["run"]["facets"]["satudata_reading"]
    assert facet["droppedRows"] == {"kode_kelurahan": 1} and facet["units"] == {"capaian": "%"}
    assert {(t["field"], t["transform"]) for t in facet["transformations"]} >= {("kelurahan", "case"),
                                                                               ("capaian", "units")}
    assert all(validate_event(event) == [] for event in events)
