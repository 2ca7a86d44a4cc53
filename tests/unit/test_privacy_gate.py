"""The privacy gate on typed tables: what it scans, how it reports, how reports are redacted, how conversion treats
columns, and where the salt comes from."""

from __future__ import annotations

import csv
import datetime as dt
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.convert import write_outputs
from satudata.core.problems import ERROR, WARNING, Problem
from satudata.validators.privacy import hash_value
from satudata.validators.privacy_gate import (
    SALT_ENV,
    column_treatments,
    declared,
    privacy_salt,
    redact_examples,
    scan_typed,
)
from satudata.validators.report import CheckResult

NIK = "3573014509870002"
NIK_2 = "3507115203910004"


def _typed(path: Path, columns: dict[str, pa.Array]) -> Path:
    rows = len(next(iter(columns.values())))
    table = pa.table({"_file": pa.array(["x.csv"] * rows), "_row": pa.array(range(2, rows + 2), pa.int64()),
                      **columns})
    pq.write_table(table, path)
    return path


def _schema(**fields: dict) -> dict:
    return {"fields": [{"name": name, **spec} for name, spec in fields.items()]}


def _pii(results: list[CheckResult]) -> dict[tuple[str | None, str | None], int]:
    return {(r.field, r.detail): r.count for r in results if r.check == "pii" and r.count}


def test_scan_reads_nik_in_integer_number_and_text_columns(tmp_path: Path) -> None:
    typed = _typed(tmp_path / "t.parquet", {
        "nomor": pa.array([int(NIK), 12, None], pa.int64()),
        "nilai": pa.array([float(NIK_2), 1.5, 3573014509870002.0]),
        "catatan": pa.array(["hubungi 0812-3456-7890", "aman", None]),
        "tanggal": pa.array([dt.date(2025, 1, 2)] * 3),
        "aktif": pa.array([True, False, None]),
    })
    schema = _schema(nomor={"type": "integer"}, nilai={"type": "number"}, catatan={"type": "string"},
                     tanggal={"type": "date"}, aktif={"type": "boolean"})
    results = scan_typed(typed, schema)
    assert _pii(results) == {("nomor", "nik"): 1, ("nilai", "nik"): 2, ("catatan", "phone"): 1}
    nilai = next(r for r in results if r.field == "nilai" and r.check == "pii")
    assert [(p.row, p.value) for p in nilai.examples] == [(2, "35************04"), (4, "35************02")]


def test_scan_reads_values_of_types_kept_as_text(tmp_path: Path) -> None:
    """object / array / geojson fields stay text in the typed table: a NIK inside JSON is still found."""
    typed = _typed(tmp_path / "t.parquet", {"pemohon": pa.array(['{"nik": "3573014509870002"}', "[]"])})
    assert _pii(scan_typed(typed, _schema(pemohon={"type": "object"}))) == {("pemohon", "nik"): 1}


def test_scan_skips_treated_columns_and_warns_on_suspicious_names(tmp_path: Path) -> None:
    typed = _typed(tmp_path / "t.parquet", {
        "nik": pa.array([NIK, NIK_2]), "nama": pa.array(["Budi", None]),
        "nama_kelurahan": pa.array(["Klojen", "Sukun"]), "tanggal_lahir": pa.array([dt.date(1987, 9, 5), None]),
    })
    schema = _schema(nik={"privacy": "hash"}, nama={}, nama_kelurahan={}, tanggal_lahir={"type": "date"})
    results = scan_typed(typed, schema)
    assert _pii(results) == {}
    warnings = {(r.field, r.count) for r in results if r.check == "pii-column-name"}
    assert warnings == {("nama", 1), ("tanggal_lahir", 1)}   # the number of filled cells
    assert all(r.severity == WARNING for r in results if r.check == "pii-column-name")


def test_unknown_treatment_is_a_schema_mistake() -> None:
    with pytest.raises(ValueError, match=r"'nik'.*'hashed'.*public, drop, mask, hash, aggregate-only"):
        declared(_schema(nik={"privacy": "hashed"}))


def test_redaction_hides_private_and_flagged_columns_and_masks_the_rest() -> None:
    schema = _schema(nik={"privacy": "hash"}, no_hp={}, catatan={}, kode={})
    results = [
        CheckResult("pattern", "table-schema", ERROR, "nik", 1, [Problem("pattern", ERROR, "nik", 3, NIK)]),
        CheckResult("gx:expect_column_max_to_be_between", "great-expectations", ERROR, "nik", 0, [],
                    f"min_value=0; observed {NIK}"),
        CheckResult("type", "table-schema", ERROR, "no_hp", 1, [Problem("type", ERROR, "no_hp", 4, "81234567890")]),
        CheckResult("pii", "privacy", ERROR, "catatan", 1, [Problem("pii", ERROR, "catatan", 5, "08**-****-**90")]),
        CheckResult("gx:expect_column_values_to_match_regex", "great-expectations", WARNING, "catatan", 1,
                    [Problem("gx", WARNING, "catatan", 5, "telp 0812-3456-7890")], "regex=^x; observed 1"),
        CheckResult("gx:expect_column_values_to_be_in_set", "great-expectations", WARNING, "kode", 1,
                    [Problem("gx", WARNING, "kode", 6, "ditulis ulang: 3573 0145 0987 0002")],
                    f"value_set=['a']; observed {NIK}"),
        CheckResult("primary-key", "table-schema", ERROR, None, 1,
                    [Problem("primary-key", ERROR, None, 7, f"{NIK}|2025-01-02")], "nik, tanggal"),
    ]
    redact_examples(results, schema)
    assert results[0].examples[0].value == "********"                     # a private column: hidden whole
    assert results[1].detail == "min_value=0; observed (disembunyikan/hidden)"
    assert results[2].examples[0].value == "81*******90"                  # a phone column's number, masked
    assert results[3].examples[0].value == "08**-****-**90"               # the gate's own examples stay
    assert results[4].examples[0].value == "********"                     # PII found in it: hidden whole
    assert results[4].detail == "regex=^x; observed (disembunyikan/hidden)"
    assert results[5].examples[0].value == "ditulis ulang: 35** **** **** **02"   # public: PII masked in place
    assert results[5].detail == "value_set=['a']; observed 35************02"
    assert results[6].examples[0].value == "********"                     # a key with a private column


def test_conversion_drops_masks_and_hashes_exactly(tmp_path: Path) -> None:
    typed = _typed(tmp_path / "t.parquet", {
        "id": pa.array(["a", "b", "c"]),
        "nik": pa.array([NIK, "3573 0145 0987 0002", None]),
        "nik_angka": pa.array([3573014509870002.0, 12.5, None]),
        "no_hp": pa.array(["081234567890", None, "0813-3344-5566"]),
        "email": pa.array(["budi@gmail.com", None, None]),
        "jumlah": pa.array([1, 2, 3], pa.int64()),
    })
    schema = _schema(id={}, nik={"privacy": "hash"}, nik_angka={"type": "number", "privacy": "mask"},
                     no_hp={"privacy": "drop"}, email={"privacy": "aggregate-only"}, jumlah={"type": "integer"})
    write_outputs(typed, tmp_path / "out", column_treatments(schema, "garam"))
    table = pq.read_table(tmp_path / "out" / "data.parquet")
    assert table.column_names == ["id", "nik", "nik_angka", "jumlah"]
    nik_hash = hash_value(NIK, "garam")
    assert table.column("nik").to_pylist() == [nik_hash, nik_hash, None]     # one person, one hash, any layout
    assert table.column("nik_angka").to_pylist() == ["35************02", "1*.5", None]
    with (tmp_path / "out" / "data.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["id", "nik", "nik_angka", "jumlah"]
    assert rows[1] == ["a", nik_hash, "35************02", "1"]
    assert hash_value(NIK, "garam") != hash_value(NIK, "garam lain")


def test_salt_from_environment_else_a_private_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, "dari-lingkungan")
    assert privacy_salt(tmp_path / "state") == "dari-lingkungan"
    assert not (tmp_path / "state").exists()
    monkeypatch.delenv(SALT_ENV)
    first = privacy_salt(tmp_path / "state")
    path = tmp_path / "state" / "privacy_salt"
    assert len(first) == 64 and path.read_text(encoding="utf-8") == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert privacy_salt(tmp_path / "state") == first            # kept: hashes stay stable between runs
    assert privacy_salt(tmp_path / "other") != first             # another project, another salt
