"""The changelog between two versions: columns added, removed, retyped; rows added, removed, changed (by key or not)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.core.publishing import read_changelog
from satudata.lineage.changelog import build_changelog, write_changelog


def _parquet(path: Path, columns: dict[str, list]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def _changelog(tmp_path: Path, old: dict[str, list], new: dict[str, list], key=None, **options) -> dict:
    before = _parquet(tmp_path / "old.parquet", old)
    after = _parquet(tmp_path / "new.parquet", new)
    return build_changelog(before, after, dataset_id="contoh", version="1.1.0", previous_version="1.0.0",
                           primary_key=key, **options)


def test_first_version_says_so_with_the_row_count(tmp_path: Path):
    current = _parquet(tmp_path / "data.parquet", {"id": [1, 2, 3]})
    changelog = build_changelog(None, current, dataset_id="contoh", version="1.0.0")
    assert changelog["method"] == "first-version"
    assert changelog["previous_version"] is None
    assert changelog["rows"] == {"before": None, "after": 3}
    assert changelog["summary"] == {"id": "Versi pertama: 3 baris.", "en": "First version: 3 rows."}


def test_rows_added_removed_and_changed_by_primary_key(tmp_path: Path):
    old = {"kode": ["a", "b", "c", "d"], "nama": ["Satu", "Dua", "Tiga", "Empat"], "nilai": [1.0, 2.0, 3.0, 4.0]}
    new = {"kode": ["a", "b", "d", "e", "f"], "nama": ["Satu", "DUA", "Empat", "Lima", "Enam"],
           "nilai": [1.0, 2.0, 40.0, 5.0, 6.0]}
    changelog = _changelog(tmp_path, old, new, key=["kode"])
    assert changelog["method"] == "primary-key" and changelog["primary_key"] == ["kode"]
    assert changelog["rows"] == {"before": 4, "after": 5}
    assert changelog["rows_added"]["count"] == 2
    assert changelog["rows_added"]["sample"] == [{"kode": "e", "nama": "Lima", "nilai": 5.0},
                                                 {"kode": "f", "nama": "Enam", "nilai": 6.0}]
    assert changelog["rows_removed"] == {"count": 1, "sample": [{"kode": "c", "nama": "Tiga", "nilai": 3.0}]}
    assert changelog["rows_changed"]["count"] == 2
    assert changelog["rows_changed"]["sample"] == [
        {"key": {"kode": "b"}, "changes": {"nama": {"old": "Dua", "new": "DUA"}}},
        {"key": {"kode": "d"}, "changes": {"nilai": {"old": 4.0, "new": 40.0}}},
    ]
    assert changelog["columns"] == {"added": [], "removed": [], "retyped": []}
    assert changelog["summary"]["en"] == "2 rows added; 1 row removed; 2 rows changed."
    assert changelog["summary"]["id"] == "2 baris ditambah; 1 baris dihapus; 2 baris diubah."


def test_composite_key_and_nulls_count_as_values(tmp_path: Path):
    old = {"tahun": [2024, 2024, 2025], "opd": ["A", "B", "A"], "pagu": [10, None, 30]}
    new = {"tahun": [2024, 2024, 2025], "opd": ["A", "B", "A"], "pagu": [10, 20, None]}
    changelog = _changelog(tmp_path, old, new, key=["tahun", "opd"])
    assert (changelog["rows_added"]["count"], changelog["rows_removed"]["count"]) == (0, 0)
    assert changelog["rows_changed"]["count"] == 2
    assert changelog["rows_changed"]["sample"] == [
        {"key": {"tahun": 2024, "opd": "B"}, "changes": {"pagu": {"old": None, "new": 20}}},
        {"key": {"tahun": 2025, "opd": "A"}, "changes": {"pagu": {"old": 30, "new": None}}},
    ]


def test_columns_added_removed_and_retyped(tmp_path: Path):
    old = {"id": [1, 2], "lama": ["x", "y"], "nilai": [5, 7], "tanggal": ["2025-01-01", "2025-01-02"]}
    new = {"id": [1, 2], "baru": [True, False], "nilai": [5.0, 7.5],
           "tanggal": [dt.date(2025, 1, 1), dt.date(2025, 1, 3)]}
    changelog = _changelog(tmp_path, old, new, key="id")
    assert changelog["columns"]["added"] == [{"name": "baru", "type": "boolean"}]
    assert changelog["columns"]["removed"] == [{"name": "lama", "type": "string"}]
    assert changelog["columns"]["retyped"] == [{"name": "nilai", "old": "integer", "new": "number"},
                                               {"name": "tanggal", "old": "string", "new": "date"}]
    # 5 → 5.0 is the same number and "2025-01-01" the same date: only row 2 changed (nilai and tanggal).
    assert changelog["rows_changed"]["count"] == 1
    assert changelog["rows_changed"]["sample"] == [{"key": {"id": 2}, "changes": {
        "nilai": {"old": 7, "new": 7.5}, "tanggal": {"old": "2025-01-02", "new": "2025-01-03"}}}]
    assert "columns added: baru" in changelog["summary"]["en"]
    assert "columns removed: lama" in changelog["summary"]["en"]
    assert "tipe kolom diubah: nilai, tanggal" in changelog["summary"]["id"]


def test_without_a_primary_key_rows_are_a_multiset(tmp_path: Path):
    old = {"tanggal": ["2025-01-01", "2025-01-01", "2025-01-02", "2025-01-03"], "hujan": [1.0, 1.0, 0.0, 3.5]}
    new = {"tanggal": ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"], "hujan": [1.0, 0.0, 4.0, 2.0]}
    changelog = _changelog(tmp_path, old, new)
    assert changelog["method"] == "multiset" and "note" not in changelog
    # One of the two identical rows went, 2025-01-03 changed (one out, one in), 2025-01-04 came.
    assert changelog["rows_removed"] == {"count": 2, "sample": [{"tanggal": "2025-01-01", "hujan": 1.0},
                                                                {"tanggal": "2025-01-03", "hujan": 3.5}]}
    assert changelog["rows_added"] == {"count": 2, "sample": [{"tanggal": "2025-01-03", "hujan": 4.0},
                                                              {"tanggal": "2025-01-04", "hujan": 2.0}]}
    assert changelog["rows_changed"]["count"] is None
    assert changelog["summary"]["en"] == "2 rows added; 2 rows removed."


def test_a_key_that_is_not_unique_falls_back_to_the_multiset(tmp_path: Path):
    old = {"kode": ["a", "a"], "nilai": [1, 2]}
    new = {"kode": ["a", "a"], "nilai": [1, 3]}
    changelog = _changelog(tmp_path, old, new, key=["kode"])
    assert changelog["method"] == "multiset"
    assert changelog["note"] == "rows compared as a multiset: primary key not unique in the previous version"
    assert (changelog["rows_added"]["count"], changelog["rows_removed"]["count"]) == (1, 1)


def test_samples_are_capped_but_counts_are_exact(tmp_path: Path):
    old = {"id": list(range(5)), "v": [0] * 5}
    new = {"id": list(range(5, 105)), "v": [1] * 100}
    changelog = _changelog(tmp_path, old, new, key=["id"], sample=3)
    assert changelog["rows_added"]["count"] == 100 and len(changelog["rows_added"]["sample"]) == 3
    assert [r["id"] for r in changelog["rows_added"]["sample"]] == [5, 6, 7]
    assert changelog["rows_removed"]["count"] == 5 and len(changelog["rows_removed"]["sample"]) == 3
    assert changelog["sample_size"] == 3


def test_written_as_json_and_read_back(tmp_path: Path):
    old = {"id": [1], "tanggal": [dt.date(2025, 6, 1)]}
    new = {"id": [1, 2], "tanggal": [dt.date(2025, 6, 1), dt.date(2025, 6, 2)]}
    changelog = _changelog(tmp_path, old, new, key=["id"])
    path = write_changelog(changelog, tmp_path / "changelog.json")
    assert json.loads(path.read_text(encoding="utf-8"))["rows_added"]["sample"] == [{"id": 2, "tanggal": "2025-06-02"}]
    assert read_changelog(path) == changelog
    assert read_changelog(tmp_path / "missing.json") is None
