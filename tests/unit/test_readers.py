"""Readers: messy exports read through declared options alone; unreadable ones give a clear error."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.core.records import RawExport
from satudata.sources.pull import _record
from satudata.sources.stage import stage_exports

FIELDS = [{"name": "tanggal", "type": "date"}, {"name": "kode", "type": "string"},
          {"name": "nilai", "type": "number"}]


def _raw(path: Path, fmt: str) -> RawExport:
    return _record(path, path.as_uri(), fmt)


def _stage(path: Path, fmt: str, tmp_path: Path, fields=FIELDS, **options):
    staged = stage_exports([_raw(path, fmt)], ReadOptions(**options), fields, tmp_path / "staged.parquet")
    return staged, pq.read_table(staged.path).to_pylist()


def test_semicolon_decimal_comma_bom_title_rows_and_indonesian_months(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffLAPORAN HARIAN;;\nDinas X;;\nTANGGAL;KODE;NILAI\n"
                     "12 Januari 2025;35.73.01; 1.234,5 \n3 Agustus 2025;35.73.02;-\n".encode())
    staged, rows = _stage(path, "csv", tmp_path, encoding="utf-8-sig", delimiter=";", header_row=3,
                          rename={"TANGGAL": "tanggal", "KODE": "kode", "NILAI": "nilai"}, decimal=",",
                          thousands=".", missing_values=["", "-"], date_formats={"tanggal": "%d %B %Y"})
    assert staged.problems == []
    assert [(r["_row"], r["tanggal"], r["kode"], r["nilai"]) for r in rows] == [
        (4, "2025-01-12", "35.73.01", "1234.5"), (5, "2025-08-03", "35.73.02", None)]


def test_xlsx_with_title_rows_notes_footer_and_numbers_stored_as_numbers(tmp_path: Path):
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (["DAFTAR X"], ["per 30 Juni 2025"], [], ["tanggal", "kode", "nilai"],
                ["01-02-2025", 3573, 45.0], ["02-02-2025", "35.73.01", 8888], [],
                ["KETERANGAN: 8888 = tidak diukur"], ["Sumber: BMKG"]):
        sheet.append(row)
    book.save(path)
    staged, rows = _stage(path, "xlsx", tmp_path, sheet="Data", header_row=4, stop_at="^KETERANGAN",
                          missing_values=["", "8888"], date_formats="%d-%m-%Y")
    # the blank row 7 right above the notes is part of the footer, not a blank data row
    assert [(r["_row"], r["tanggal"], r["kode"], r["nilai"]) for r in rows] == [
        (5, "2025-02-01", "3573", "45"), (6, "2025-02-02", "35.73.01", None)]
    assert staged.problems == []


def test_blank_rows_between_data_rows_are_still_reported(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text("tanggal,kode,nilai\n2025-01-01,35.73,1\n,,\n2025-01-02,35.73,2\nCatatan: sumber BPS\n",
                    encoding="utf-8")
    staged, rows = _stage(path, "csv", tmp_path, stop_at="^Catatan")
    assert [(r["_row"], r["_blank"]) for r in rows] == [(2, False), (3, True), (4, False)]
    assert [(p.check, p.row) for p in staged.problems] == [("blank-row", 3)]


def test_json_records_at_a_path_with_select_and_replace(tmp_path: Path):
    path = tmp_path / "api.json"
    path.write_text('{"data": {"items": [{"kode": "3573", "x": 1, "nilai": 2.5, "tanggal": "2025-01-01"},'
                    ' {"kode": "3507", "nilai": null, "tanggal": "2025-01-02"}]}}', encoding="utf-8")
    staged, rows = _stage(path, "json", tmp_path, json_path="data.items", select=["tanggal", "kode", "nilai"],
                          replace={"kode": {"pattern": r"^(\d{2})(\d{2})$", "with": r"\1.\2"}})
    assert [(r["_row"], r["tanggal"], r["kode"], r["nilai"]) for r in rows] == [
        (2, "2025-01-01", "35.73", "2.5"), (3, "2025-01-02", "35.07", None)]


def test_no_header_with_declared_columns_and_dropped_total_row(tmp_path: Path):
    path = tmp_path / "bps.csv"
    path.write_text("Judul,\n,2022\nKota Malang,517150\nJawa Timur,486915\n", encoding="utf-8")
    fields = [{"name": "wilayah", "type": "string"}, {"name": "garis", "type": "integer"}]
    staged, rows = _stage(path, "csv", tmp_path, fields, header_row=0, skip_rows=2,
                          columns=["wilayah", "garis"], drop_rows={"wilayah": "^Jawa Timur$"})
    assert [(r["_row"], r["wilayah"], r["garis"]) for r in rows] == [(3, "Kota Malang", "517150")]


@pytest.mark.parametrize(("name", "content", "fmt", "options", "words"), [
    ("empty.csv", b"", "csv", {}, "empty"),
    ("latin.csv", "tanggal,kode,nilai\n2025-01-01,Cafe\xe9,1\n".encode("latin-1"), "csv", {"encoding": "utf-8"},
     "not utf-8"),
    ("page.xls", b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "xlsx", {}, "HTML page"),
    ("cut.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00broken", "xlsx", {}, "XLSX"),
    ("semi.csv", b"tanggal;kode;nilai\n2025-01-01;35.73;1\n", "csv", {"delimiter": ","}, "looks delimited by ';'"),
])
def test_unreadable_exports_name_the_file(tmp_path: Path, name, content, fmt, options, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExportUnreadable) as caught:
        _stage(path, fmt, tmp_path, **options)
    assert caught.value.file == name
    assert words in caught.value.message_en
    assert caught.value.message_id  # Bahasa Indonesia beside the English


def test_truncated_real_xlsx_is_refused_clearly(tmp_path: Path):
    path = tmp_path / "full.xlsx"
    book = openpyxl.Workbook()
    for i in range(200):
        book.active.append([f"2025-01-{1 + i % 28:02d}", "35.73", i])
    book.save(path)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ExportUnreadable) as caught:
        _stage(cut, "xlsx", tmp_path)
    assert caught.value.file == "cut.xlsx"
