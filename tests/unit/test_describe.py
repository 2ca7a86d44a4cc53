"""`satudata describe`: the drafted catalogue entry reads each demo export to the same rows as the hand-written one."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from satudata.core.catalog import Dataset, ReadOptions, load_catalog
from satudata.sources.describe import draft
from satudata.sources.pull import _record
from satudata.sources.stage import stage_exports

REPO = Path(__file__).resolve().parents[2]
EXPORTS = REPO / "tests" / "fixtures" / "exports"
CATALOG = load_catalog(REPO / "catalog.yaml")
FILE_DATASETS = [d.id for d in CATALOG.datasets if d.source.kind == "file"]


def _staged(path: Path, fmt: str, options: ReadOptions, fields: list[dict], out: Path) -> list[dict]:
    staged = stage_exports([_record(path, path.as_uri(), fmt)], options, fields, out)
    return pq.read_table(staged.path).to_pylist()


def _source_label(dataset: Dataset, field: str, index: int, labels: list[str]) -> str:
    options = dataset.source.options
    if options.header_row == 0 and dataset.source.format != "json":
        return labels[index]
    return next((label for label, name in options.rename.items() if name == field), field)


@pytest.mark.slow
@pytest.mark.parametrize("dataset_id", FILE_DATASETS)
def test_drafted_entry_reads_the_demo_export_to_the_same_rows(tmp_path: Path, dataset_id: str):
    dataset = CATALOG.dataset(dataset_id)
    path = CATALOG.root / dataset.source.path
    drafted = draft(path, CATALOG.root)
    entry = yaml.safe_load(drafted.entry_yaml)[0]
    schema = yaml.safe_load(drafted.schema_yaml)
    hand_schema = yaml.safe_load(CATALOG.schema_path(dataset_id).read_text(encoding="utf-8"))
    hand = _staged(path, dataset.source.format, dataset.source.options, hand_schema["fields"], tmp_path / "h.parquet")
    options = ReadOptions(**entry["source"]["options"])
    ours = _staged(path, entry["source"]["format"], options, schema["fields"], tmp_path / "d.parquet")
    assert [r["_row"] for r in ours] == [r["_row"] for r in hand]
    # each hand-written field is the drafted field read from the same source column, with the same cells
    drafted_names = [f["name"] for f in schema["fields"]]
    by_label = dict(zip([f["title"] for f in schema["fields"]], drafted_names, strict=True))
    for index, spec in enumerate(hand_schema["fields"]):
        name = spec["name"]
        if name in dataset.source.options.replace and name not in options.replace:
            continue   # a recoding only the steward knows (e.g. the "Kec. " prefix)
        label = _source_label(dataset, name, index, drafted_names)
        ours_name = by_label.get(label, label)
        assert [r[ours_name] for r in ours] == [r[name] for r in hand], (name, ours_name)


def test_draft_of_a_semicolon_export_with_decimal_comma_codes_and_a_total_row(tmp_path: Path):
    path = tmp_path / "rekap_puskesmas.csv"
    path.write_text("REKAP KUNJUNGAN PUSKESMAS 2024\nKode Kelurahan;Kelurahan;Tanggal;Rata-rata;Kunjungan\n"
                    + "".join(f"35.73.0{1 + n // 12}.10{n % 12:02d};Kel {n};{n} Agustus 2024;{n},5;1.{n:03d}\n"
                              for n in [*range(1, 12), *range(13, 24)])
                    + "JUMLAH;;;;30.000\n", encoding="utf-8")
    drafted = draft(path, REPO)
    options = drafted.entry["source"]["options"]
    assert (options["delimiter"], options["header_row"], options["decimal"], options["thousands"]) == (";", 2, ",", ".")
    assert options["date_formats"] == {"tanggal": "%d %B %Y"}
    assert options["drop_rows"] == {
        "kode_kelurahan": r"(?i)^(jumlah|total|sub ?total|grand total|nasional)(\s+\d{4})?\s*:?$"}
    types = {f["name"]: f["type"] for f in drafted.schema["fields"]}
    assert types == {"kode_kelurahan": "string", "kelurahan": "string", "tanggal": "date", "rata_rata": "number",
                     "kunjungan": "integer"}
    assert drafted.schema["foreignKeys"] == [
        {"fields": "kode_kelurahan", "reference": {"resource": "kode-wilayah", "fields": "kode"}}]
    rows = _staged(path, "csv", ReadOptions(**options), drafted.schema["fields"], tmp_path / "s.parquet")
    assert len(rows) == 22 and rows[0]["tanggal"] == "2024-08-01" and rows[-1]["kunjungan"] == "1023"
    assert yaml.safe_load(drafted.entry_yaml)[0]["source"]["path"] == "rekap_puskesmas.csv"
    assert drafted.suite["expectations"][0]["type"] == "expect_table_row_count_to_be_between"
