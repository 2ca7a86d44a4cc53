"""Fast checks of the corpus and of the leak scanner the slow tests rely on: the gate counts every planted cell on
the typed table, and the scanner finds planted values in every layout and file format (so that "no leak" in the
end-to-end tests means something)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import load_catalog
from satudata.validators.privacy_gate import scan_typed
from tests.privacy.corpus import (
    BLOCKED,
    EMAIL_2,
    INSTITUTION_EMAILS,
    KK_1,
    NIK_1,
    NPWP_1,
    PHONE_3,
    PHONE_5,
    PHONE_7,
    TREATED,
    Pii,
    corpus,
    write_project,
)
from tests.privacy.leaks import Needles, detector_findings, leaks
from tests.privacy.pipeline import typed_table

DATASETS = corpus()


@pytest.fixture(scope="module")
def corpus_catalog(tmp_path_factory):
    return load_catalog(write_project(tmp_path_factory.mktemp("corpus")))


def test_corpus_treats_every_planted_column() -> None:
    for dataset in DATASETS:
        planted = {name for row in dataset.rows for name, cell in row.items() if isinstance(cell, Pii)}
        assert planted == set(dataset.treatments), dataset.id


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_gate_counts_every_planted_cell_on_the_typed_table(dataset, corpus_catalog, tmp_path: Path) -> None:
    typed, schema = typed_table(corpus_catalog, dataset.variant(BLOCKED), tmp_path / "blocked")
    results = scan_typed(typed, schema)
    found = {(r.field, r.detail): r.count for r in results if r.check == "pii" and r.count}
    assert found == dataset.expected_findings()
    typed, schema = typed_table(corpus_catalog, dataset.variant(TREATED), tmp_path / "treated")
    assert [r for r in scan_typed(typed, schema) if r.check == "pii" and r.count] == []


LAYOUTS = {
    NIK_1: ["3573014509870002", "3573 0145 0987 0002", "3573.0145.0987.0002", "357301-450987-0002",
            "3573014509870002.0", "3.573014509870002e+15", "NIK: 35.73.01.450987.0002 (lama)"],
    PHONE_3: ["+62 857-1234-5678", "085712345678", "6285712345678", "85712345678", "(+62) 857 1234 5678"],
    PHONE_5: ["(0341) 551234", "0341-551234", "+62 341 551234"],
    EMAIL_2: ["Siti.Rahayu+ncc@yahoo.co.id", "kirim ke SITI.RAHAYU+NCC@YAHOO.CO.ID."],
    NPWP_1: ["01.234.567.8-623.000", "012345678623000"],
}


@pytest.mark.parametrize(("secret", "layout"), [(s, layout) for s, layouts in LAYOUTS.items() for layout in layouts])
@pytest.mark.parametrize("suffix", [".csv", ".json", ".html", ".parquet"])
def test_leak_scanner_finds_a_value_in_every_layout_and_format(secret, layout, suffix, tmp_path: Path) -> None:
    path = tmp_path / f"file{suffix}"
    if suffix == ".csv":
        path.write_text(f"id,nilai\n1,{json.dumps(layout)}\n", encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps({"results": [{"detail": f"observed [{layout!r}]"}]}), encoding="utf-8")
    elif suffix == ".html":
        path.write_text(f"<table><tr><td><code>{layout}</code></td></tr></table>", encoding="utf-8")
    else:
        pq.write_table(pa.table({"nilai": [layout]}), path)
    assert leaks(path, [secret]) == [f"{secret[:2]}…{secret[-2:]}"]


def test_leak_scanner_finds_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"a": [int(NIK_1)], "b": [float(KK_1)], "no_hp": [int(PHONE_7)]}), path)
    assert leaks(path, [NIK_1, KK_1, PHONE_7]) == sorted(f"{s[:2]}…{s[-2:]}" for s in (NIK_1, KK_1, PHONE_7))
    assert {(f.where, f.kind) for f in detector_findings(path)} == {("a", "nik"), ("b", "nik"), ("no_hp", "phone")}
    lines = tmp_path / "lineage.jsonl"
    lines.write_text(json.dumps({"x": int(NIK_1)}) + "\n" + json.dumps({"y": float(KK_1)}) + "\n", encoding="utf-8")
    assert [f.kind for f in detector_findings(lines)] == ["nik", "nik"] and len(leaks(lines, [NIK_1, KK_1])) == 2


def test_leak_scanner_is_quiet_on_clean_files_and_allowed_addresses(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kode", "tanggal", "pagu", "hash", "masked", "kontak"])
        writer.writerow(["35.73.05.1012", "2025-06-02", "386804993000", "fwp7e4os4eevbbzu", "35************02",
                         INSTITUTION_EMAILS[1]])
    secrets = [NIK_1, PHONE_3, EMAIL_2, NPWP_1]
    assert leaks(path, secrets) == []
    assert [(f.where, f.kind) for f in detector_findings(path, INSTITUTION_EMAILS)] == [("kontak", "email")]
    page = tmp_path / "index.json"
    page.write_text(json.dumps({"contact": INSTITUTION_EMAILS[1], "n": 3573}), encoding="utf-8")
    assert detector_findings(page, INSTITUTION_EMAILS) == [] and [f.kind for f in detector_findings(page)] == ["email"]
    assert Needles.of(secrets).in_text("kode 35.73.05.1012 tanggal 2025-06-02 pagu Rp 386.804.993.000") == set()
