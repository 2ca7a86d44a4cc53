"""Region codes are checked against the Kemendagri table: the catalogue's kode-wilayah dataset is the reference of
every foreign key to ``kode-wilayah``; a wrong kecamatan or kelurahan code is an error naming its row and value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satudata.core.catalog import Catalog, load_catalog, load_schema
from satudata.core.files import sha256_file
from satudata.core.records import RawExport, ReferenceTable
from satudata.sources.references import reference_tables
from satudata.sources.stage import stage_exports
from satudata.validators.table_schema import check_table

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO / "catalog.yaml")


@pytest.fixture(scope="module")
def wilayah(catalog: Catalog, tmp_path_factory) -> dict[str, ReferenceTable]:
    """The real Kemendagri table, staged the way a run stages it (one table for every dataset below)."""
    schema = load_schema(catalog, "antrean-nunggu-transparan")
    return reference_tables(catalog, schema, tmp_path_factory.mktemp("references"))


def _foreign_key_problems(catalog: Catalog, dataset_id: str, export: Path, fmt: str,
                          references: dict[str, ReferenceTable], work: Path) -> dict[str, list[tuple[int, str]]]:
    dataset, schema = catalog.dataset(dataset_id), load_schema(catalog, dataset_id)
    raw = RawExport(export, export.as_uri(), fmt, sha256_file(export), export.stat().st_size, "2025-07-01T00:00:00Z")
    staged = stage_exports([raw], dataset.source.options, schema["fields"], work / "staged.parquet")
    results = check_table(staged.path, staged.fields, schema, references, cap=None)
    return {r.field: [(p.row, p.value) for p in r.examples] for r in results if r.check == "foreign-key"}


def test_the_reference_is_the_catalogue_kode_wilayah_dataset(wilayah: dict[str, ReferenceTable]):
    import duckdb

    table = wilayah["kode-wilayah"]
    assert table.schema["primaryKey"] == ["kode"]
    codes = {row[0] for row in duckdb.sql(f"SELECT kode FROM read_parquet('{table.path}')").fetchall()}
    assert {"35.73", "35.73.01", "35.73.05", "35.73.05.1003"} <= codes and len(codes) > 90_000


def test_a_wrong_kecamatan_code_is_caught_with_its_row_and_value(catalog: Catalog, wilayah, tmp_path: Path):
    source = REPO / catalog.dataset("antrean-nunggu-transparan").source.path
    lines = source.read_text(encoding="latin-1").splitlines(keepends=True)[:12]
    header = lines[0].rstrip("\n").split(";")
    column = header.index("KODE_KEC")
    for row, code in ((4, "35.73.09"), (9, "35.07.01")):   # no 9th kecamatan in Malang; a Kabupaten Malang one
        cells = lines[row - 1].rstrip("\n").split(";")
        cells[column] = code
        lines[row - 1] = ";".join(cells) + "\n"
    export = tmp_path / "antrean.csv"
    export.write_text("".join(lines), encoding="latin-1")
    found = _foreign_key_problems(catalog, "antrean-nunggu-transparan", export, "csv", wilayah, tmp_path)
    # 35.07.01 is a real Kemendagri code (Kabupaten Malang): the reference accepts it; the pattern check is the
    # one that keeps it out of a Kota Malang dataset.
    assert found == {"kode_kecamatan": [(4, "35.73.09")]}


def test_a_wrong_kelurahan_code_is_caught_with_its_row_and_value(catalog: Catalog, wilayah, tmp_path: Path):
    source = REPO / catalog.dataset("lowongan-job-fair").source.path
    document = json.loads(source.read_text(encoding="utf-8"))
    items = document["data"]["items"][:8]
    items[2]["kelurahan_code"] = "35.73.05.9999"    # JSON record 3 is row 4 (the header is row 1)
    items[5]["kelurahan_code"] = "3573051011"       # undotted BPS-style code
    items[6]["kelurahan_code"] = None               # empty: not checked against the reference
    document["data"]["items"] = items
    export = tmp_path / "jobfair.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    found = _foreign_key_problems(catalog, "lowongan-job-fair", export, "json", wilayah, tmp_path)
    assert found == {"kode_kelurahan": [(4, "35.73.05.9999"), (7, "3573051011")]}
