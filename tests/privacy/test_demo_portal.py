"""`make run`'s promise: the whole demo catalogue, published into a temporary portal by the real flow, holds no
personal data in any published file — and none of the raw NIKs, phone numbers and e-mails of the demo exports
appears anywhere in the portal folder, in any layout. Small counts of the dengue dataset are suppressed."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import Catalog, load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.publish.local import LocalPortal
from satudata.validators.privacy import hash_value
from satudata.validators.privacy_gate import declared
from tests.privacy.leaks import Needles, detector_findings, leaks, published_files
from tests.privacy.pipeline import typed_table

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
SMALL_CELLS = "kasus-dbd-kelurahan"


@pytest.fixture(scope="module")
def demo(prefect_harness, tmp_path_factory) -> tuple[Catalog, Path, dict[str, dict]]:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("demo-privacy") / "project")
    catalog = load_catalog(project / "catalog.yaml")
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    outcomes = with_concurrency(2)([d.id for d in catalog.datasets], settings.to_dict())
    return catalog, project / "portal", {o["dataset"]: o for o in outcomes}


@pytest.fixture(scope="module")
def raw_personal_values(demo, tmp_path_factory) -> dict[str, dict[str, list[str | None]]]:
    """Dataset → treated column → its values in the export, read by the pipeline's own stages."""
    catalog, _, _ = demo
    work = tmp_path_factory.mktemp("demo-raw")
    values: dict[str, dict[str, list[str | None]]] = {}
    for dataset in catalog.datasets:
        schema_path = catalog.schema_path(dataset.id)
        treated = [name for name, t in declared(_yaml(schema_path)).items() if t != "public"]
        if treated:
            typed, _ = typed_table(catalog, dataset.id, work / dataset.id)
            table = pq.read_table(typed, columns=["_row", *treated]).sort_by("_row")
            values[dataset.id] = {name: table.column(name).to_pylist() for name in treated}
    return values


def _yaml(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _version(catalog: Catalog, portal: Path, dataset_id: str) -> Path:
    return LocalPortal(catalog, portal).version_dir(catalog.dataset(dataset_id), "1.0.0")


def _institution_emails(catalog: Catalog) -> set[str]:
    """Addresses the catalogue publishes on purpose: the publisher's, the departments' and the contacts'."""
    return ({catalog.portal.publisher.email} | {d.email for d in catalog.departments}
            | {d.contact.email for d in catalog.datasets})


def test_every_demo_dataset_is_published(demo) -> None:
    catalog, _, outcomes = demo
    assert set(outcomes) == {d.id for d in catalog.datasets}
    assert {o["status"] for o in outcomes.values()} == {"published"}, outcomes


def test_demo_exports_do_carry_personal_data(raw_personal_values) -> None:
    """The portal checks below mean something: the exports hold hundreds of NIKs, phones and e-mails."""
    assert {"antrean-nunggu-transparan", "pengaduan-ngalam-command-center", "lowongan-job-fair"} <= set(
        raw_personal_values)
    antrean = raw_personal_values["antrean-nunggu-transparan"]
    assert len({v for v in antrean["nik_pemohon"] if v}) > 1000 and len({v for v in antrean["no_hp"] if v}) > 1000
    assert sum(1 for v in raw_personal_values["pengaduan-ngalam-command-center"]["email_pelapor"] if v) > 500


def test_detectors_find_nothing_in_any_published_file(demo) -> None:
    catalog, portal, _ = demo
    files = published_files(portal)
    suffixes = {path.suffix for path in files}
    assert {".csv", ".parquet", ".json", ".jsonl", ".html"} <= suffixes
    allowed = _institution_emails(catalog)
    findings = [f for path in files for f in detector_findings(path, allowed)]
    assert findings == []


def test_no_raw_personal_value_of_the_demo_exports_anywhere_in_the_portal(demo, raw_personal_values) -> None:
    _, portal, _ = demo
    secrets = Needles.of({value for columns in raw_personal_values.values() for column in columns.values()
                          for value in column if value})
    for path in published_files(portal):
        assert leaks(path, secrets) == [], path


def test_demo_treatments_as_declared(demo, raw_personal_values) -> None:
    catalog, portal, _ = demo
    salt = os.environ["SATUDATA_PRIVACY_SALT"]
    expected_columns = {"antrean-nunggu-transparan": ("nik_pemohon", "no_hp"),
                        "pengaduan-ngalam-command-center": (None, "email_pelapor"),
                        "lowongan-job-fair": (None, "email_kontak")}
    for dataset_id, (hashed, dropped) in expected_columns.items():
        folder = _version(catalog, portal, dataset_id)
        table = pq.read_table(folder / "data.parquet")
        with (folder / "data.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert dropped not in table.column_names and dropped not in header
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert dropped not in [f["name"] for f in package["resources"][0]["schema"]["fields"]]
        if hashed:
            raw = raw_personal_values[dataset_id][hashed]
            assert table.column(hashed).to_pylist() == [None if v is None else hash_value(v, salt) for v in raw]


BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")


def test_small_counts_are_suppressed_in_the_published_csv_and_parquet(demo) -> None:
    catalog, portal, _ = demo
    dataset = catalog.dataset(SMALL_CELLS)
    assert dataset.small_cells is not None and dataset.small_cells.k == 5
    columns = tuple(dataset.small_cells.columns)
    with (catalog.root / dataset.source.path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[2:]
    raw = {(f"2024-{BULAN.index(row[0].split()[0]) + 1:02d}-01", row[1]): dict(zip(columns, map(int, row[3:6]),
                                                                                 strict=True)) for row in rows}
    folder = _version(catalog, portal, SMALL_CELLS)
    with (folder / "data.csv").open(encoding="utf-8", newline="") as handle:
        from_csv = {(r["periode"], r["kode_kelurahan"].replace(".", "")): r for r in csv.DictReader(handle)}
    from_parquet = {(r["periode"].isoformat(), r["kode_kelurahan"].replace(".", "")): r
                    for r in pq.read_table(folder / "data.parquet").to_pylist()}
    assert set(from_csv) == set(from_parquet) == set(raw) and len(raw) == 684
    suppressed = 0
    for key, counts in raw.items():
        for column, count in counts.items():
            expected = None if 0 < count < 5 else count
            suppressed += expected is None
            assert from_parquet[key][column] == expected, (key, column)
            assert from_csv[key][column] == ("" if expected is None else str(expected)), (key, column)
    assert suppressed == 370 + 298 + 5   # every 1–4 count of the 2024 export (cases, children, deaths)
    assert str(pq.read_schema(folder / "data.parquet").field("jumlah_kasus").type) == "int64"
    fields = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]["schema"]["fields"]
    assert not any(f.get("constraints", {}).get("required") for f in fields if f["name"] in columns)
