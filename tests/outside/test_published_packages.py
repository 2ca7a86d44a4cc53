"""What satudata publishes, checked with the users' own tools from a separate environment.

The demo catalogue is published by the real command (``satudata run``) into a copied project, once, then again
after one export changed (so that two versions of a dataset are on the portal). Then:
- an independent ``frictionless validate`` (5.21, with its Parquet reader) accepts every datapackage.json of every
  version with 0 errors, for every resource: CSV, Parquet and the referenced region codes;
- no published byte holds a path of the machine that ran it (the project's folder, the repository, the home folder).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import machine_paths

pytestmark = pytest.mark.slow


def _packages(portal: Path) -> list[Path]:
    return sorted(p for p in portal.glob("*/*/*/datapackage.json") if not p.parent.is_symlink())


def test_an_independent_frictionless_validates_every_published_package(portal: Path, outside_bin: Path):
    packages = _packages(portal)
    assert len(packages) == 14    # 13 datasets at 1.0.0, and 1.1.0 of one
    for package in packages:
        out = subprocess.run([str(outside_bin / "frictionless"), "validate", "--json", package.name],
                             cwd=package.parent, capture_output=True, text=True, timeout=600)
        report = json.loads(out.stdout)
        errors = [(t["name"], e["type"], e.get("message")) for t in report["tasks"] for e in t["errors"]]
        assert report["valid"] and errors == [], f"{package}: {errors[:5]}"
        descriptor = json.loads(package.read_text(encoding="utf-8"))
        validated = {t["name"] for t in report["tasks"]}
        assert validated == {r["name"] for r in descriptor["resources"]}, package   # every resource was read
        rows = {t["name"]: t["stats"].get("rows") for t in report["tasks"]}
        dataset = descriptor["name"]
        assert rows[f"{dataset}-csv"] == rows[f"{dataset}-parquet"] > 0, package


def test_foreign_keys_resolve_inside_the_package_to_the_region_codes_they_use(portal: Path):
    package = portal / "dinkes" / "fasilitas-kesehatan" / "1.0.0" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    codes = next(r for r in descriptor["resources"] if r["name"] == "kode-wilayah")
    data = next(r for r in descriptor["resources"] if r["name"] == "fasilitas-kesehatan-csv")
    assert data["schema"]["foreignKeys"] == [{"fields": "kode_kelurahan",
                                               "reference": {"resource": "kode-wilayah", "fields": "kode"}}]
    import csv

    with (package.parent / "kode-wilayah.csv").open(encoding="utf-8") as handle:
        shipped = {row["kode"] for row in csv.DictReader(handle)}
    with (package.parent / "data.csv").open(encoding="utf-8") as handle:
        used = {row["kode_kelurahan"] for row in csv.DictReader(handle) if row["kode_kelurahan"]}
    assert shipped == used and all(code.startswith("35.73.") for code in shipped)   # only the codes it needs
    assert codes["sources"][0]["path"] == "exports/bappeda/kemendagri_kode_wilayah_permendagri72_2019.csv"


def test_a_rule_that_published_rows_break_is_advisory_not_a_hard_constraint(portal: Path):
    descriptor = json.loads((portal / "bkad" / "realisasi-apbd" / "1.0.0" / "datapackage.json").read_text())
    field = next(f for f in descriptor["resources"][0]["schema"]["fields"] if f["name"] == "persentase")
    assert field["constraints"] == {"required": True, "minimum": 0}
    (advisory,) = field["satudata:advisory"]
    assert (advisory["constraint"], advisory["value"], advisory["rows"]) == ("maximum", 100, 1)
    assert "validation.json" in advisory["note"]["id"] and "validation.json" in advisory["note"]["en"]
    report = json.loads((portal / "bkad" / "realisasi-apbd" / "1.0.0" / "validation.json").read_text())
    warned = next(r for r in report["results"] if r["check"] == "maximum" and r["field"] == "persentase")
    assert warned["examples"][0]["value"] == "100.42" and "satudata:advisory" in warned["published"]["en"]
    page = (portal / "bkad" / "realisasi-apbd" / "index.html").read_text(encoding="utf-8")
    assert "maximum: 100 — hanya peringatan, 1 baris melanggar / warning only, 1 rows break it" in page


def test_no_published_byte_names_a_path_of_the_machine(portal: Path):
    needles = machine_paths(portal.parent)
    found = []
    for path in portal.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path.relative_to(portal)), n.decode()) for n in needles if n in data]
    assert found == []
    assert len(list(portal.rglob("lineage.jsonl"))) >= 14


def test_every_published_lineage_event_validates_against_the_openlineage_json_schema(portal: Path):
    from satudata.core.files import read_jsonl
    from tests.lineage.ol_schema import validate_event

    records = sorted(portal.glob("*/*/*/lineage.jsonl"))
    assert len(records) >= 14
    for record in records:
        for event in read_jsonl(record):
            assert validate_event(event) == [], record
            for dataset in [*event["inputs"], *event["outputs"]]:     # named by the OpenLineage naming spec
                assert dataset["namespace"] in ("file", "sqlite") or dataset["namespace"].startswith("http")
                assert not dataset["name"].startswith("/"), dataset["name"]   # relative: never this machine's
